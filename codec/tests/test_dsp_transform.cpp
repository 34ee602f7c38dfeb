// Transform unit tests (H.266 8.7.4): matrix facts, hand-computed inverse outputs, zero-out,
// forward/inverse round trip.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include "../src/dsp/dsp.h"
#include "../src/dsp/dsp_internal.h"

using namespace nnvvc;
using namespace nnvvc::dsp;

static int g_failures = 0;
#define CHECK_EQ(a, b)                                                                       \
  do {                                                                                       \
    const long long va = (long long)(a), vb = (long long)(b);                                \
    if (va != vb) {                                                                          \
      std::printf("FAIL %s:%d: %s = %lld, expected %lld\n", __FILE__, __LINE__, #a, va, vb); \
      ++g_failures;                                                                          \
    }                                                                                        \
  } while (0)
#define CHECK(c)                                                        \
  do {                                                                  \
    if (!(c)) {                                                         \
      std::printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c);          \
      ++g_failures;                                                     \
    }                                                                   \
  } while (0)

static void testMatrix() {
  const int32_t* m = dctMatrix64();
  // 4-point matrix (rows 0, 16, 32, 48 of the 64-point one): spec values.
  const int m4[4][4] = {{64, 64, 64, 64}, {83, 36, -36, -83}, {64, -64, -64, 64}, {36, -83, 83, -36}};
  for (int k = 0; k < 4; ++k)
    for (int n = 0; n < 4; ++n) CHECK_EQ(m[(16 * k) * 64 + n], m4[k][n]);
  // 8-point row 1: 89 75 50 18 -18 -50 -75 -89
  const int r8[8] = {89, 75, 50, 18, -18, -50, -75, -89};
  for (int n = 0; n < 8; ++n) CHECK_EQ(m[8 * 64 + n], r8[n]);
  // 64-point row 1 starts 91 90 90 90 88 and ends -91; row 63 starts 2 -7 11.
  CHECK_EQ(m[64 + 0], 91);
  CHECK_EQ(m[64 + 4], 88);
  CHECK_EQ(m[64 + 63], -91);
  CHECK_EQ(m[63 * 64 + 0], 2);
  CHECK_EQ(m[63 * 64 + 1], -7);
  CHECK_EQ(m[63 * 64 + 2], 11);
  // Near-orthogonality of the integer basis: |<row i, row j>| small relative to 64*64*64.
  int worst = 0;
  for (int i = 0; i < 64; ++i)
    for (int j = i + 1; j < 64; ++j) {
      int dot = 0;
      for (int n = 0; n < 64; ++n) dot += m[i * 64 + n] * m[j * 64 + n];
      worst = std::max(worst, std::abs(dot));
    }
  CHECK(worst < 64 * 64 * 64 / 100);
}

static void testInverseKnown() {
  std::vector<TCoeff> c(64 * 64, 0);
  Pel r[64 * 64];
  // 4x4 DC 64, 10-bit: stage 1 e = 64*64 = 4096 -> g = (4096 + 64) >> 7 = 32;
  // stage 2 32*64 = 2048 -> (2048 + 512) >> 10 = 2 everywhere.
  c[0] = 64;
  inverseTransform(c.data(), 4, 4, 10, r, 4);
  for (int i = 0; i < 16; ++i) CHECK_EQ(r[i], 2);
  // 8x8 DC 1000: e = 64000 -> (64064 >> 7) = 500; 500*64 = 32000 -> (32512 >> 10) = 31.
  c[0] = 1000;
  inverseTransform(c.data(), 8, 8, 10, r, 8);
  for (int i = 0; i < 64; ++i) CHECK_EQ(r[i], 31);
  // 8-bit: bdShift 12: (32000 + 2048) >> 12 = 8
  inverseTransform(c.data(), 8, 8, 8, r, 8);
  CHECK_EQ(r[0], 8);
  CHECK_EQ(r[63], 8);
  // 4x4, one horizontal frequency: d at (x=1, y=0) = 128: g = (128*64 + 64) >> 7 = 64 in column
  // 1 of every row; r[x] = (M4[1][x] * 64 + 512) >> 10 = {5, 2, -2, -5} on every row.
  std::fill(c.begin(), c.end(), 0);
  c[1] = 128;
  inverseTransform(c.data(), 4, 4, 10, r, 4);
  const int expRow[4] = {5, 2, -2, -5};
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 4; ++x) CHECK_EQ(r[y * 4 + x], expRow[x]);
  // Same coefficient vertical (x=0, y=1) gives the transpose.
  std::fill(c.begin(), c.end(), 0);
  c[4] = 128;
  inverseTransform(c.data(), 4, 4, 10, r, 4);
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 4; ++x) CHECK_EQ(r[y * 4 + x], expRow[y]);
  // Intermediate clipping: 32x32 with all-32767 first column of coefficients... use a DC of
  // 32767 on 4x4: e = 32767*64 = 2097088 -> (+64) >> 7 = 16383; second stage 16383*64 =
  // 1048512 -> (+512) >> 10 = 1024.
  std::fill(c.begin(), c.end(), 0);
  c[0] = 32767;
  inverseTransform(c.data(), 4, 4, 10, r, 4);
  CHECK_EQ(r[5], 1024);
  // Non-square 16x4 DC 512: vertical 4-pt: e = 512*64 -> (32768 + 64) >> 7 = 256;
  // horizontal 16-pt: 256*64 = 16384 -> (16384 + 512) >> 10 = 16.
  c[0] = 512;
  inverseTransform(c.data(), 16, 4, 10, r, 16);
  for (int i = 0; i < 64; ++i) CHECK_EQ(r[i], 16);
}

static void testZeroOut() {
  std::mt19937 rng(3);
  std::vector<TCoeff> c(64 * 64), c2(64 * 64);
  Pel r1[64 * 64], r2[64 * 64];
  for (int w : {64, 32, 16}) {
    const int h = 64;
    for (int i = 0; i < w * h; ++i) c[i] = int(rng() % 512) - 256;
    c2 = c;
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x)
        if (x >= 32 || y >= 32) c2[y * w + x] = 0;
    inverseTransform(c.data(), w, h, 10, r1, 64);
    inverseTransform(c2.data(), w, h, 10, r2, 64);
    int diff = 0;
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) diff += r1[y * 64 + x] != r2[y * 64 + x];
    CHECK_EQ(diff, 0);  // coefficients outside the top-left 32x32 are never read
  }
  // Forward: everything outside 32x32 is zero.
  Pel res[64 * 64];
  for (int i = 0; i < 64 * 64; ++i) res[i] = Pel(int(rng() % 2047) - 1023);
  forwardTransform(res, 64, 64, 64, 10, c.data());
  int nonZeroOutside = 0, nonZeroInside = 0;
  for (int y = 0; y < 64; ++y)
    for (int x = 0; x < 64; ++x) {
      if (x >= 32 || y >= 32)
        nonZeroOutside += c[y * 64 + x] != 0;
      else
        nonZeroInside += c[y * 64 + x] != 0;
    }
  CHECK_EQ(nonZeroOutside, 0);
  CHECK(nonZeroInside > 900);
}

static void testForwardKnown() {
  // Constant residual v on NxN: only DC non-zero, DC = v * 2^(15 - bitDepth) * ... exactly:
  // stage 1 sum = 64*N*v >> shift1, stage 2 ... For 4x4 10-bit, v = 16: stage 1: 64*4*16 =
  // 4096 >> (2 + 10 - 9 = 3) = 512; stage 2: 64*4*512 = 131072 >> (2 + 6) = 512.
  Pel res[16];
  for (int i = 0; i < 16; ++i) res[i] = 16;
  TCoeff c[16];
  forwardTransform(res, 4, 4, 4, 10, c);
  CHECK_EQ(c[0], 512);
  for (int i = 1; i < 16; ++i) CHECK_EQ(c[i], 0);
  // And the inverse brings it back exactly: 512*64 = 32768 -> (32768 + 64) >> 7 = 256;
  // 256*64 = 16384 -> (16384 + 512) >> 10 = 16.
  Pel back[16];
  inverseTransform(c, 4, 4, 10, back, 4);
  for (int i = 0; i < 16; ++i) CHECK_EQ(back[i], 16);
}

static void testRoundTrip() {
  // Forward then inverse with no quantisation reproduces the residual within +-1 for sizes up
  // to 32 (64 zeroes out high frequencies, so use smooth content there).
  std::mt19937 rng(11);
  std::vector<TCoeff> c(64 * 64);
  Pel res[64 * 64], back[64 * 64];
  int worst = 0;
  for (int bd : {8, 10})
    for (int lw = 2; lw <= 5; ++lw)
      for (int lh = 2; lh <= 5; ++lh)
        for (int it = 0; it < 20; ++it) {
          const int w = 1 << lw, h = 1 << lh, amp = (1 << bd) - 1;
          for (int i = 0; i < w * h; ++i) res[i] = Pel(int(rng() % (2 * amp + 1)) - amp);
          forwardTransform(res, w, w, h, bd, c.data());
          inverseTransform(c.data(), w, h, bd, back, w);
          for (int i = 0; i < w * h; ++i) worst = std::max(worst, std::abs(res[i] - back[i]));
        }
  std::printf("  round trip 4..32: worst |error| = %d\n", worst);
  CHECK(worst <= 2);
  // 64x64 smooth ramp (energy in the low 32 frequencies).
  worst = 0;
  for (int y = 0; y < 64; ++y)
    for (int x = 0; x < 64; ++x) res[y * 64 + x] = Pel(4 * x - 3 * y + 20);
  forwardTransform(res, 64, 64, 64, 10, c.data());
  inverseTransform(c.data(), 64, 64, 10, back, 64);
  long long sse = 0;
  for (int i = 0; i < 64 * 64; ++i) sse += (res[i] - back[i]) * (res[i] - back[i]);
  std::printf("  round trip 64x64 ramp: mse = %.3f\n", double(sse) / 4096);
  CHECK(sse < 4096 * 4);
}

int main() {
  testMatrix();
  testInverseKnown();
  testZeroOut();
  testForwardKnown();
  testRoundTrip();
  std::printf("%s test_dsp_transform (%d failures)\n", g_failures ? "FAIL" : "PASS", g_failures);
  return g_failures ? 1 : 0;
}
