// LFNST (dsp/lfnst, H.266 8.7.4.2 / 8.7.4.3): kernel facts (each candidate's 16 rows orthogonal with norm 128^2, so
// the forward transform inverts the inverse one on its 8 / 16 inputs), the mode -> set table, input / output
// positions and transposition, the 16-bit clip of the inverse, the forward transform's zero-out.
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "../src/dsp/dsp.h"
#include "../src/dsp/lfnst.h"
#include "test_check.h"

using namespace nnvvc;
using namespace nnvvc::dsp;

TEST_CASE(kernelsOrthogonal) {
  for (int s = 0; s < 4; ++s)
    for (int c = 0; c < 2; ++c)
      for (int a = 0; a < 16; ++a)
        for (int b = a; b < 16; ++b) {
          long d4 = 0, d8 = 0;
          for (int j = 0; j < 16; ++j) d4 += long(kLfnst4x4[s][c][a][j]) * kLfnst4x4[s][c][b][j];
          for (int j = 0; j < 48; ++j) d8 += long(kLfnst8x8[s][c][a][j]) * kLfnst8x8[s][c][b][j];
          // integer kernels: orthogonal up to rounding (|dot| small against 128^2 = 16384)
          if (a == b) {
            CHECK(std::abs(d4 - 16384) < 200);
            CHECK(std::abs(d8 - 16384) < 200);
          } else {
            CHECK(std::abs(d4) < 200);
            CHECK(std::abs(d8) < 200);
          }
        }
}

TEST_CASE(setTable) {
  // 8.7.4.1 Table: predModeIntra -> lfnstTrSetIdx
  CHECK_EQ(lfnstSetIdx(-14), 1);
  CHECK_EQ(lfnstSetIdx(-1), 1);
  CHECK_EQ(lfnstSetIdx(0), 0);
  CHECK_EQ(lfnstSetIdx(1), 0);
  CHECK_EQ(lfnstSetIdx(2), 1);
  CHECK_EQ(lfnstSetIdx(12), 1);
  CHECK_EQ(lfnstSetIdx(13), 2);
  CHECK_EQ(lfnstSetIdx(23), 2);
  CHECK_EQ(lfnstSetIdx(24), 3);
  CHECK_EQ(lfnstSetIdx(34), 3);
  CHECK_EQ(lfnstSetIdx(44), 3);
  CHECK_EQ(lfnstSetIdx(45), 2);
  CHECK_EQ(lfnstSetIdx(55), 2);
  CHECK_EQ(lfnstSetIdx(56), 1);
  CHECK_EQ(lfnstSetIdx(80), 1);
  CHECK_EQ(lfnstNumInputs(4, 4), 8);
  CHECK_EQ(lfnstNumInputs(8, 8), 8);
  CHECK_EQ(lfnstNumInputs(4, 8), 16);
  CHECK_EQ(lfnstNumInputs(16, 8), 16);
  // inputs: the first scan positions of the top-left 4x4's up-right diagonal scan
  CHECK(lfnstInputPos(0, 0, 4, 4) && lfnstInputPos(0, 1, 4, 4) && lfnstInputPos(1, 2, 4, 4));  // positions 0, 1, 7
  CHECK(!lfnstInputPos(2, 1, 4, 4) && lfnstInputPos(2, 1, 4, 8));                               // position 8
  CHECK(lfnstInputPos(3, 3, 16, 16) && !lfnstInputPos(4, 0, 16, 16) && !lfnstInputPos(0, 4, 16, 16));
}

// inverse then forward gives the inputs back (to rounding) for every size class, set, candidate, transposition
TEST_CASE(roundTrip) {
  std::mt19937 rng(7);
  const int sizes[][2] = {{4, 4}, {4, 8}, {16, 4}, {8, 8}, {8, 16}, {32, 32}, {64, 16}};
  const int modes[] = {0, 1, 2, 18, 30, 34, 35, 50, 66, -5, 72};
  long cases = 0;
  int maxErr = 0;
  for (const auto& s : sizes)
    for (int mode : modes)
      for (int idx = 1; idx <= 2; ++idx) {
        const int w = s[0], h = s[1];
        std::vector<TCoeff> c(size_t(w * h), 0), in(size_t(w * h), 0);
        for (int y = 0; y < 4; ++y)
          for (int x = 0; x < 4; ++x)
            if (lfnstInputPos(x, y, w, h)) in[size_t(y * w + x)] = int(rng() % 2001) - 1000;
        c = in;
        lfnstInverse(c.data(), w, h, idx, mode);
        // the inverse writes only the low-frequency region: 4x4, or the top-left 8x8 without its bottom-right 4x4
        for (int y = 0; y < h; ++y)
          for (int x = 0; x < w; ++x) {
            const bool region = (w >= 8 && h >= 8) ? (x < 8 && y < 8 && !(x >= 4 && y >= 4)) : (x < 4 && y < 4);
            if (!region) CHECK_EQ(c[size_t(y * w + x)], 0);
          }
        lfnstForward(c.data(), w, h, idx, mode);
        for (int i = 0; i < w * h; ++i) maxErr = std::max(maxErr, std::abs(c[size_t(i)] - in[size_t(i)]));
        ++cases;
      }
  std::printf("round trips: %ld, largest error %d (inputs up to 1000)\n", cases, maxErr);
  // the integer kernels are orthogonal to about 1% (kernelsOrthogonal), and both directions round: a few percent
  // of the input at most, where a mismatched kernel or transposition is off by the input's size
  CHECK(maxErr <= 40);
  std::vector<TCoeff> c(64, 0), in(64, 0);
  in[0] = 800; in[8] = -600; in[1] = 400;
  c = in;
  lfnstInverse(c.data(), 8, 8, 1, 30);
  lfnstForward(c.data(), 8, 8, 1, 40);  // transposed: not the inverse's kernel arrangement
  int off = 0;
  for (int i = 0; i < 64; ++i) off = std::max(off, std::abs(c[size_t(i)] - in[size_t(i)]));
  CHECK(off > 100);
}

// modes above 34 transpose the output: the same inputs with mode 34 and with its mirror 34 + d vs 34 - d land on
// transposed positions when both use the same set (set 3 spans 24..44)
TEST_CASE(transpose) {
  const int w = 8, h = 8;
  std::vector<TCoeff> a(64, 0), b(64, 0);
  a[0] = b[0] = 500;
  a[1] = b[1] = -300;  // (1, 0): scan position 2
  lfnstInverse(a.data(), w, h, 1, 30);  // set 3, not transposed
  lfnstInverse(b.data(), w, h, 1, 40);  // set 3, transposed
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 8; ++x) CHECK_EQ(a[size_t(y * 8 + x)], b[size_t(x * 8 + y)]);
  // inverse outputs are clipped to 16 bits
  std::vector<TCoeff> big(16, 0);
  for (int i = 0; i < 16; ++i) big[size_t(i)] = (i & 1) ? -32768 : 32767;
  lfnstInverse(big.data(), 4, 4, 2, 0);
  for (TCoeff v : big) CHECK(v >= -32768 && v <= 32767);
}

int main(int argc, char** argv) { return runTestCases(argc, argv); }
