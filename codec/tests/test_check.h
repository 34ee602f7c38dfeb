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

// Named test cases: `TEST_CASE(name) { ...CHECKs... }` registers a case; `return runTestCases(argc, argv);` in
// main() runs them in order (or only those whose names contain argv[1]) and prints each case's name with its
// verdict, so a failure names its case.
#include <cstring>
#include <functional>
#include <vector>
struct TestCaseEntry { const char* name; void (*fn)(); };
static inline std::vector<TestCaseEntry>& testCaseRegistry() { static std::vector<TestCaseEntry> r; return r; }
struct TestCaseRegistrar {
  TestCaseRegistrar(const char* name, void (*fn)()) { testCaseRegistry().push_back({name, fn}); }
};
#define TEST_CASE(name)                                                     \
  static void testCase_##name();                                            \
  static TestCaseRegistrar testCaseRegistrar_##name(#name, &testCase_##name); \
  static void testCase_##name()
static inline int runTestCases(int argc, char** argv) {
  int failedCases = 0, run = 0;
  for (const TestCaseEntry& t : testCaseRegistry()) {
    if (argc > 1 && !std::strstr(t.name, argv[1])) continue;
    const int before = failures;
    t.fn();
    ++run;
    const bool ok = failures == before;
    failedCases += ok ? 0 : 1;
    std::printf("%s %s\n", ok ? "ok  " : "FAIL", t.name);
  }
  std::printf("%d case(s), %d failed\n", run, failedCases);
  return failures ? 1 : 0;
}
