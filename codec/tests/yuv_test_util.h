// Helpers of the codec tests that encode files: a fresh temporary directory, a synthetic 8-bit 4:2:0
// input written by a sample function, a file read whole.
#pragma once
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

// The whole file's bytes (empty when it cannot be read).
inline std::vector<uint8_t> readAll(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}

// A new directory under $TMPDIR (or /tmp) named nnvvc_<tag>_<clock>; the caller removes it.
inline std::string makeTestDir(const char* tag) {
  const char* tmpEnv = std::getenv("TMPDIR");
  const std::string d = std::string(tmpEnv ? tmpEnv : "/tmp") + "/nnvvc_" + tag + "_" +
                        std::to_string(long(std::chrono::steady_clock::now().time_since_epoch().count() % 1000000007));
  std::system(("mkdir -p " + d).c_str());
  return d;
}

// Writes n frames of w x h 8-bit 4:2:0 to `path`; sample(frame, plane, x, y) gives each sample (low 8 bits kept).
template <class SampleFn>
void writeSyntheticYuv(const std::string& path, int w, int h, int n, SampleFn sample) {
  std::ofstream f(path, std::ios::binary);
  for (int k = 0; k < n; ++k)
    for (int c = 0; c < 3; ++c) {
      const int pw = c ? w / 2 : w, ph = c ? h / 2 : h;
      for (int y = 0; y < ph; ++y)
        for (int x = 0; x < pw; ++x) f.put(char(sample(k, c, x, y) & 255));
    }
}
