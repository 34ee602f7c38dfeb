// Deterministic mutation fuzzer for the nnvvc decoder, for machines without clang/libFuzzer.
// Build with g++ -fsanitize=address,undefined (codec/fuzz/CMakeLists.fuzz.cmake, target nnvvc_mutate_driver).
//
//   nnvvc_mutate_driver [-n N] [-seed S] [-timeout SEC] [-crash_dir DIR] [-max_len BYTES] PATH...
//
// PATH: seed files or directories of seed files. Each of the N iterations picks a seed (seeded PRNG, so a run is
// reproducible from -seed), applies 1..4 stacked mutations (bit flips, byte sets, inserts, erases, duplication,
// truncation, splicing, start-code / emulation-prevention patterns) and decodes the result. With -n 0 every PATH
// file is decoded once as is (reproducer mode). On a crash (sanitizer report or fatal signal) or a timeout the input
// is written to DIR/crash-<iter>.bin or DIR/timeout-<iter>.bin before the process dies with a non-zero status.
// Because not every sanitizer runs the death callback (GCC's UBSan with -fno-sanitize-recover aborts without it),
// each input is also written to DIR/last-input.bin before it is decoded; the file is removed on a clean finish, so
// if it is left behind after a non-zero exit it is the reproducer.
#include "decode_entry.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

namespace {

using Bytes = std::vector<uint8_t>;

struct Rng {  // splitmix64: tiny, deterministic across platforms
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  size_t below(size_t n) { return n ? size_t(next() % n) : 0; }
};

// State for the crash handlers: the input being decoded and where to write it.
const uint8_t* g_cur = nullptr;
size_t g_curSize = 0;
char g_crashPath[4096];
char g_timeoutPath[4096];
char g_lastInputPath[4096];

void writeFileRaw(const char* path, const uint8_t* d, size_t n) {  // async-signal-safe
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return;
  while (n > 0) {
    ssize_t w = write(fd, d, n);
    if (w <= 0) break;
    d += w;
    n -= size_t(w);
  }
  close(fd);
}

void logRaw(const char* a, const char* b) {
  (void)!write(2, a, strlen(a));
  (void)!write(2, b, strlen(b));
  (void)!write(2, "\n", 1);
}

void onDeath() {
  if (!g_cur) return;
  writeFileRaw(g_crashPath, g_cur, g_curSize);
  logRaw("mutate_driver: CRASH, input written to ", g_crashPath);
}

void onFatalSignal(int sig) {
  onDeath();
  signal(sig, SIG_DFL);
  raise(sig);
}

void onAlarm(int) {
  if (g_cur) writeFileRaw(g_timeoutPath, g_cur, g_curSize);
  logRaw("mutate_driver: TIMEOUT, input written to ", g_timeoutPath);
  _exit(3);
}

Bytes readFile(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(f), {});
}

void mutate(Bytes& d, const std::vector<Bytes>& seeds, Rng& rng, size_t maxLen) {
  static const uint8_t kInteresting[] = {0x00, 0x01, 0x03, 0x7f, 0x80, 0xfe, 0xff};
  const int count = 1 + int(rng.below(4));
  for (int m = 0; m < count; m++) {
    const size_t n = d.size();
    switch (rng.below(11)) {
      case 0:  // flip one bit
      case 1:
        if (n) d[rng.below(n)] ^= uint8_t(1u << rng.below(8));
        break;
      case 2:  // random byte
        if (n) d[rng.below(n)] = uint8_t(rng.next());
        break;
      case 3:  // interesting byte
        if (n) d[rng.below(n)] = kInteresting[rng.below(sizeof kInteresting)];
        break;
      case 4: {  // insert random bytes
        size_t pos = rng.below(n + 1), len = 1 + rng.below(16);
        Bytes ins(len);
        for (auto& b : ins) b = uint8_t(rng.next());
        d.insert(d.begin() + long(pos), ins.begin(), ins.end());
        break;
      }
      case 5: {  // erase a range
        if (!n) break;
        size_t pos = rng.below(n), len = 1 + rng.below(std::min<size_t>(n - pos, 64));
        d.erase(d.begin() + long(pos), d.begin() + long(pos + len));
        break;
      }
      case 6: {  // duplicate a range
        if (!n) break;
        size_t pos = rng.below(n), len = 1 + rng.below(std::min<size_t>(n - pos, 256));
        Bytes chunk(d.begin() + long(pos), d.begin() + long(pos + len));
        d.insert(d.begin() + long(rng.below(n + 1)), chunk.begin(), chunk.end());
        break;
      }
      case 7:  // truncate
        if (n) d.resize(rng.below(n));
        break;
      case 8: {  // splice: our head + another seed's tail
        const Bytes& o = seeds[rng.below(seeds.size())];
        if (o.empty()) break;
        size_t cut = rng.below(n + 1), from = rng.below(o.size());
        d.resize(cut);
        d.insert(d.end(), o.begin() + long(from), o.end());
        break;
      }
      case 9: {  // start code or emulation-prevention pattern
        static const uint8_t kPat[2][3] = {{0, 0, 1}, {0, 0, 3}};
        const uint8_t* p = kPat[rng.below(2)];
        size_t pos = rng.below(n + 1);
        d.insert(d.begin() + long(pos), p, p + 3);
        break;
      }
      default: {  // overwrite a multi-byte field with an extreme value (sizes, counts)
        if (n < 2) break;
        size_t pos = rng.below(n - 1);
        uint8_t v = rng.below(2) ? 0xff : 0x00;
        d[pos] = v;
        d[pos + 1] = v;
        break;
      }
    }
  }
  if (d.size() > maxLen) d.resize(maxLen);
}

int usage(const char* msg) {
  std::fprintf(stderr, "nnvvc_mutate_driver: %s\nusage: nnvvc_mutate_driver [-n N] [-seed S] [-timeout SEC] "
               "[-crash_dir DIR] [-max_len BYTES] PATH...\n", msg);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  long long iterations = 10000;
  uint64_t seed = 1;
  unsigned timeoutSec = 10;
  size_t maxLen = 1 << 20;
  std::string crashDir = ".";
  std::vector<std::filesystem::path> paths;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    auto value = [&](const char* name) -> const char* {
      if (i + 1 >= argc) { std::fprintf(stderr, "nnvvc_mutate_driver: %s needs a value\n", name); std::exit(2); }
      return argv[++i];
    };
    char* end = nullptr;
    if (a == "-n") { const char* v = value("-n"); iterations = std::strtoll(v, &end, 10); if (*end || iterations < 0) return usage(("bad -n " + std::string(v)).c_str()); }
    else if (a == "-seed") { const char* v = value("-seed"); seed = std::strtoull(v, &end, 10); if (*end) return usage(("bad -seed " + std::string(v)).c_str()); }
    else if (a == "-timeout") { const char* v = value("-timeout"); timeoutSec = unsigned(std::strtoul(v, &end, 10)); if (*end) return usage(("bad -timeout " + std::string(v)).c_str()); }
    else if (a == "-max_len") { const char* v = value("-max_len"); maxLen = std::strtoull(v, &end, 10); if (*end || !maxLen) return usage(("bad -max_len " + std::string(v)).c_str()); }
    else if (a == "-crash_dir") crashDir = value("-crash_dir");
    else if (!a.empty() && a[0] == '-') return usage(("unknown option " + a).c_str());
    else paths.emplace_back(a);
  }
  std::vector<std::filesystem::path> files;
  for (const auto& p : paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) {
      for (const auto& e : std::filesystem::directory_iterator(p))
        if (e.is_regular_file()) files.push_back(e.path());
    } else if (std::filesystem::is_regular_file(p, ec)) {
      files.push_back(p);
    } else {
      return usage(("no such file or directory: " + p.string()).c_str());
    }
  }
  if (files.empty()) return usage("no seed files");
  std::sort(files.begin(), files.end());  // directory order is not deterministic
  std::vector<Bytes> seeds;
  for (const auto& f : files) seeds.push_back(readFile(f));
  std::filesystem::create_directories(crashDir);

  if (__sanitizer_set_death_callback) {
    __sanitizer_set_death_callback(onDeath);
  } else {  // not sanitized: catch fatal signals ourselves (sanitizers install their own handlers)
    for (int s : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) signal(s, onFatalSignal);
  }
  signal(SIGALRM, onAlarm);

  std::snprintf(g_lastInputPath, sizeof g_lastInputPath, "%s/last-input.bin", crashDir.c_str());
  Rng rng{seed};
  long long rejected = 0, decodedPictures = 0, execs = 0;
  const auto t0 = std::chrono::steady_clock::now();
  auto runOne = [&](const Bytes& d, long long iter) {
    std::snprintf(g_crashPath, sizeof g_crashPath, "%s/crash-%lld.bin", crashDir.c_str(), iter);
    std::snprintf(g_timeoutPath, sizeof g_timeoutPath, "%s/timeout-%lld.bin", crashDir.c_str(), iter);
    g_cur = d.data();
    g_curSize = d.size();
    writeFileRaw(g_lastInputPath, d.data(), d.size());
    alarm(timeoutSec);
    int r = nnvvc::fuzz::decodeBuffer(d.data(), d.size());
    alarm(0);
    g_cur = nullptr;
    if (r < 0) rejected++;
    else decodedPictures += r;
    execs++;
  };
  if (iterations == 0) {
    for (size_t i = 0; i < seeds.size(); i++) {
      std::fprintf(stderr, "decoding %s\n", files[i].c_str());
      runOne(seeds[i], (long long)i);
    }
  } else {
    Bytes cur;
    for (long long it = 0; it < iterations; it++) {
      cur = seeds[rng.below(seeds.size())];
      mutate(cur, seeds, rng, maxLen);
      runOne(cur, it);
    }
  }
  std::filesystem::remove(g_lastInputPath);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("mutate_driver: %lld execs in %.1f s (%.0f/s), %lld rejected with an error, %lld pictures decoded, "
              "0 crashes (seed %llu, %zu seed files)\n",
              execs, secs, execs / std::max(secs, 1e-9), rejected, decodedPictures, (unsigned long long)seed,
              seeds.size());
  return 0;
}
