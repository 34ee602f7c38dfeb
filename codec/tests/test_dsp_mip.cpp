// MIP (dsp/mip.h): the two-stage interface equals mipPredict; the transposed orientation of a 4x4 block (no
// upsampling) is the other orientation's prediction from exchanged neighbours, transposed; upsampling keeps a flat
// block flat and interpolates linearly between a flat neighbourhood and the reduced samples; size ids and mode counts.
// Bit-exactness against VTM-23.2 is the e2e test's (mipRoundTrip) and the conformance suites'.
#include <algorithm>
#include <cstdio>
#include <random>
#include <vector>

#include "../src/dsp/mip.h"
#include "test_check.h"

using namespace nnvvc;
using namespace nnvvc::dsp;

TEST_CASE(sizeIdsAndModes) {
  CHECK_EQ(mipSizeId(4, 4), 0);
  CHECK_EQ(mipSizeId(4, 16), 1);
  CHECK_EQ(mipSizeId(8, 8), 1);
  CHECK_EQ(mipSizeId(8, 16), 2);
  CHECK_EQ(mipNumModes(4, 4), 16);
  CHECK_EQ(mipNumModes(16, 4), 8);
  CHECK_EQ(mipNumModes(64, 64), 6);
  CHECK_EQ(mipReducedSize(8, 8), 4);
  CHECK_EQ(mipReducedSize(32, 8), 8);
}

TEST_CASE(stagesEqualWhole) {
  std::mt19937 rng(5);
  Pel top[129], left[129];
  std::vector<Pel> a(64 * 64), b(64 * 64);
  const int sides[] = {4, 8, 16, 32, 64};
  int blocks = 0;
  for (int w : sides)
    for (int h : sides) {
      for (int i = 0; i < 129; ++i) { top[i] = Pel(rng() % 1024); left[i] = Pel(rng() % 1024); }
      for (int m = 0; m < mipNumModes(w, h); ++m)
        for (int tr = 0; tr < 2; ++tr) {
          mipPredict(m, tr != 0, top, left, w, h, 10, a.data(), w);
          Pel red[64];
          mipReducedPredict(mipPrepare(tr != 0, top, left, w, h, 10), m, red);
          mipUpsample(red, top, left, w, h, b.data(), w);
          CHECK(std::equal(a.begin(), a.begin() + w * h, b.begin()), "%dx%d mode %d transposed %d", w, h, m, tr);
          for (int i = 0; i < w * h; ++i) CHECK(a[size_t(i)] >= 0 && a[size_t(i)] <= 1023, "range");
          ++blocks;
        }
    }
  CHECK(blocks > 300, "%d", blocks);
}

TEST_CASE(transposedFourByFour) {
  std::mt19937 rng(9);
  Pel top[129], left[129];
  for (int i = 0; i < 129; ++i) { top[i] = Pel(rng() % 1024); left[i] = Pel(rng() % 1024); }
  for (int m = 0; m < 16; ++m) {
    Pel a[16], b[16];
    mipPredict(m, true, top, left, 4, 4, 10, a, 4);
    mipPredict(m, false, left, top, 4, 4, 10, b, 4);
    for (int y = 0; y < 4; ++y)
      for (int x = 0; x < 4; ++x) CHECK_EQ(a[y * 4 + x], b[x * 4 + y]);
  }
}

TEST_CASE(upsampling) {
  Pel top[129], left[129], red[64], out[32 * 32];
  // flat reduced prediction and flat neighbours: a flat block
  std::fill(top, top + 129, Pel(300));
  std::fill(left, left + 129, Pel(300));
  std::fill(red, red + 64, Pel(300));
  mipUpsample(red, top, left, 32, 16, out, 32);
  for (int i = 0; i < 32 * 16; ++i) CHECK_EQ(out[i], 300);
  // neighbours 0, reduced samples 64 (8x8 for 16x16: factors 2): the first row / column half-way (32), the rest 64
  std::fill(top, top + 129, Pel(0));
  std::fill(left, left + 129, Pel(0));
  std::fill(red, red + 64, Pel(64));
  mipUpsample(red, top, left, 16, 16, out, 16);
  CHECK_EQ(out[0], 16);  // vertical half-way between the top neighbour 0 and the row below it (32 horizontally)
  CHECK_EQ(out[1 * 16 + 0], 32);
  CHECK_EQ(out[0 * 16 + 1], 32);
  CHECK_EQ(out[1 * 16 + 1], 64);
  CHECK_EQ(out[15 * 16 + 15], 64);
}

int main(int argc, char** argv) { return runTestCases(argc, argv); }
