// Assertion macros shared by the codec unit tests (one test executable per tests/test_*.cpp). A failed check
// prints file:line, the condition and an optional printf-style note, and is counted in `failures`; each test's
// main() returns non-zero when failures > 0, which is what ctest reads.
#pragma once
#include <cstdarg>
#include <cstdio>

static int failures = 0;

// Prints a check's optional note (empty when the check gave none).
static inline void checkNote(const char* format, ...) {
  va_list args;
  va_start(args, format);
  std::vprintf(format, args);
  va_end(args);
}

// CHECK(cond) or CHECK(cond, "format", args...): the note's format must be a string literal.
#define CHECK(cond, ...)                                                 \
  do {                                                                   \
    if (!(cond)) {                                                       \
      ++failures;                                                        \
      std::printf("FAIL %s:%d: %s ", __FILE__, __LINE__, #cond);         \
      checkNote("" __VA_ARGS__);                                         \
      std::printf("\n");                                                 \
    }                                                                    \
  } while (0)

#define CHECK_EQ(a, b)                                                                       \
  do {                                                                                       \
    const long long va = (long long)(a), vb = (long long)(b);                                \
    if (va != vb) {                                                                          \
      std::printf("FAIL %s:%d: %s = %lld, expected %lld\n", __FILE__, __LINE__, #a, va, vb); \
      ++failures;                                                                            \
    }                                                                                        \
  } while (0)
