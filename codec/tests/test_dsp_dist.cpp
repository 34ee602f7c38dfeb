// Distortion and helper tests: known SSE / SAD / SATD values, add-residual clipping, subtract.
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "../src/dsp/dsp.h"
#include "test_check.h"

using namespace nnvvc;
using namespace nnvvc::dsp;


TEST_CASE(distortionKnownValues) {
  std::vector<Pel> a(64 * 64, 0), b(64 * 64, 0);
  // Constant difference 3 over 8x8: SSE 64*9, SAD 192, SATD: only the DC Hadamard coefficient
  // (64*3 = 192) is non-zero -> (192 + 2) >> 2 = 48.
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 8; ++x) a[y * 64 + x] = 503, b[y * 64 + x] = 500;
  CHECK_EQ(sse(a.data(), 64, b.data(), 64, 8, 8), 576);
  CHECK_EQ(sad(a.data(), 64, b.data(), 64, 8, 8), 192);
  CHECK_EQ(satd(a.data(), 64, b.data(), 64, 8, 8), 48);
  // 4x4 tiles (8x4 block): DC 16*3 = 48 per tile -> (48 + 1) >> 1 = 24, two tiles = 48.
  CHECK_EQ(satd(a.data(), 64, b.data(), 64, 8, 4), 48);
  CHECK_EQ(satd(a.data(), 64, b.data(), 64, 4, 4), 24);
  // Single impulse of -5 in a 4x4: all 16 Hadamard coefficients are +-5 -> (80 + 1) >> 1 = 40.
  std::fill(a.begin(), a.end(), 0);
  std::fill(b.begin(), b.end(), 0);
  b[1 * 64 + 2] = 5;
  CHECK_EQ(satd(a.data(), 64, b.data(), 64, 4, 4), 40);
  // ... and in an 8x8: 64 coefficients of +-5 -> (320 + 2) >> 2 = 80.
  CHECK_EQ(satd(a.data(), 64, b.data(), 64, 8, 8), 80);
  CHECK_EQ(sse(a.data(), 64, b.data(), 64, 8, 8), 25);
  CHECK_EQ(sad(a.data(), 64, b.data(), 64, 8, 8), 5);
  // 12x4 (w not a multiple of 8): three 4x4 tiles.
  CHECK_EQ(satd(a.data(), 64, b.data(), 64, 12, 4), 40);
  // Odd sizes for SSE/SAD (1..7 wide).
  CHECK_EQ(sse(a.data(), 64, b.data(), 64, 3, 2), 25);
  CHECK_EQ(sad(a.data(), 64, b.data(), 64, 2, 2), 0);
  // Extreme: 0 vs 1023 everywhere on 64x64: SSE = 4096 * 1023^2.
  std::fill(a.begin(), a.end(), 1023);
  std::fill(b.begin(), b.end(), 0);
  CHECK_EQ(sse(a.data(), 64, b.data(), 64, 64, 64), 4096LL * 1023 * 1023);
  CHECK_EQ(sad(a.data(), 64, b.data(), 64, 64, 64), 4096LL * 1023);
  CHECK_EQ(satd(a.data(), 64, b.data(), 64, 64, 64), 64LL * ((64 * 1023 + 2) >> 2));
}

// addResidualClip: clipping at both ends, dst aliasing pred.
TEST_CASE(addResidualClipClipsAndAliases) {
  std::vector<Pel> pred(16), resid(16), dst(16);
  for (int i = 0; i < 16; ++i) {
    pred[i] = Pel(i * 64);
    resid[i] = Pel(i % 2 ? 300 : -300);
  }
  addResidualClip(pred.data(), 4, resid.data(), 4, 4, 4, 10, dst.data(), 4);
  CHECK_EQ(dst[0], 0);       // 0 - 300 -> 0
  CHECK_EQ(dst[1], 364);     // 64 + 300
  CHECK_EQ(dst[15], 1023);   // 960 + 300 -> 1023
  CHECK_EQ(dst[14], 596);    // 896 - 300
  addResidualClip(pred.data(), 4, resid.data(), 4, 4, 4, 10, pred.data(), 4);
  CHECK_EQ(std::memcmp(pred.data(), dst.data(), 32), 0);
}

TEST_CASE(subtractAndCopyBlock) {
  std::vector<Pel> org(16, 700), p2(16, 1000), r(16);
  subtract(org.data(), 4, p2.data(), 4, 4, 4, r.data(), 4);
  CHECK_EQ(r[5], -300);
  // copyBlock with strides
  std::vector<Pel> src(8 * 8), cp(8 * 8, -1);
  for (int i = 0; i < 64; ++i) src[i] = Pel(i);
  copyBlock(src.data(), 8, 4, 4, cp.data(), 8);
  CHECK_EQ(cp[3 * 8 + 3], 27);
  CHECK_EQ(cp[3 * 8 + 4], -1);
}

int main(int argc, char** argv) {
  std::printf("dsp distortion isa in use: %s\n", distFunctions().isa);
  return runTestCases(argc, argv);
}
