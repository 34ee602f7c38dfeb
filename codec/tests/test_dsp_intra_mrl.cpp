// Intra prediction from reference lines 1 and 2 (MRL, dsp::intraPredictRefLine) against a per-sample model of
// H.266 8.4.5.2.12 with refIdx > 0 (iIdx = ((y + 1 + refIdx) * intraPredAngle >> 5) + refIdx, the fC filter, no
// smoothing, no PDPC) written without the transposition and the taller-block trick of the implementation; DC over
// the line's samples; the substitution over a line longer than 2W / 2H.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "../src/dsp/dsp.h"
#include "../src/dsp/dsp_internal.h"
#include "test_check.h"

using namespace nnvvc;
using namespace nnvvc::dsp;

namespace {

constexpr int kBd = 10;  // bit depth

// Reference sample refMain[j] of the spec (j from the line's corner; negative: projected side samples).
int refSample(const Pel* main, const Pel* side, int mainSide, int sideSize, int refIdx, int angle, int j) {
  if (j >= 0) return main[std::min(j, 2 * mainSide + refIdx)];  // right of the line: its last sample repeated
  const int invAngle = (2 * 512 * 32 + std::abs(angle)) / (2 * std::abs(angle));
  return side[std::min((-j * invAngle + 256) >> 9, sideSize)];
}

void modelPredict(int predMode, int refIdx, const Pel* top, const Pel* left, int w, int h, Pel* dst) {
  if (predMode == kIntraDC) {
    int sum = 0;
    if (w >= h) for (int x = 0; x < w; ++x) sum += top[1 + refIdx + x];
    if (h >= w) for (int y = 0; y < h; ++y) sum += left[1 + refIdx + y];
    const int denom = w == h ? 2 * w : std::max(w, h);
    int sh = 0;
    while ((1 << sh) < denom) ++sh;
    for (int i = 0; i < w * h; ++i) dst[i] = Pel((sum + (denom >> 1)) >> sh);
    return;
  }
  const int mode = intraWideAngleMode(predMode, w, h);
  const int angle = intraPredAngle(mode);
  const bool ver = mode >= 34;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      // vertical: rows advance along y, samples along x; horizontal: the same with x and y exchanged
      const int a = ver ? y : x, b = ver ? x : y;
      const int pos = (a + 1 + refIdx) * angle;
      const int iIdx = (pos >> 5) + refIdx, iFact = pos & 31;
      const Pel* main = ver ? top : left;
      const Pel* side = ver ? left : top;
      const int mainSide = ver ? w : h, sideSize = ver ? h : w;
      int16_t f[4];
      intraFilterTaps(0, iFact, f);
      int v = 0;
      for (int i = 0; i < 4; ++i) v += f[i] * refSample(main, side, mainSide, sideSize, refIdx, angle, b + iIdx + i);
      dst[y * w + x] = Pel(std::min(std::max((v + 32) >> 6, 0), (1 << kBd) - 1));
    }
}

}  // namespace

TEST_CASE(refLinesAgainstModel) {
  std::mt19937 rng(7);
  Pel top[2 * 64 + 3], left[2 * 64 + 3];
  std::vector<Pel> got(64 * 64), want(64 * 64);
  int blocks = 0, mismatches = 0;
  const int sides[] = {4, 8, 16, 32, 64};
  for (int w : sides)
    for (int h : sides) {
      if (std::max(w, h) > 16 * std::min(w, h)) continue;
      for (int refIdx = 1; refIdx <= 2; ++refIdx) {
        // random samples, smooth in half of the blocks (the filter's rounding matters there too)
        const bool smooth = (w + h + refIdx) % 2 == 0;
        for (int i = 0; i < 2 * 64 + 3; ++i) {
          top[i] = Pel(smooth ? 300 + 3 * i + int(rng() % 5) : int(rng() % 1024));
          left[i] = Pel(smooth ? 500 - 2 * i + int(rng() % 5) : int(rng() % 1024));
        }
        left[0] = top[0];
        for (int mode = 1; mode <= 66; ++mode) {
          intraPredictRefLine(mode, refIdx, top, left, w, h, kBd, got.data(), w);
          modelPredict(mode, refIdx, top, left, w, h, want.data());
          ++blocks;
          if (!std::equal(got.begin(), got.begin() + w * h, want.begin())) {
            if (mismatches++ < 5) CHECK(false, "mode %d refIdx %d %dx%d differs from the model", mode, refIdx, w, h);
          }
        }
      }
    }
  CHECK_EQ(mismatches, 0);
  CHECK(blocks > 2000, "%d blocks", blocks);
  std::printf("  %d blocks (modes 1..66, lines 1 and 2, 4x4..64x64) equal to the model\n", blocks);
}

// Line 0 through intraPredictRefLine is intraPredict; a line differs from line 0's prediction in general (PDPC and
// smoothing off, other samples).
TEST_CASE(lineZeroIsIntraPredict) {
  std::mt19937 rng(3);
  Pel top[2 * 64 + 3], left[2 * 64 + 3];
  for (int i = 0; i < 2 * 64 + 3; ++i) { top[i] = Pel(rng() % 1024); left[i] = Pel(rng() % 1024); }
  left[0] = top[0];
  Pel a[16 * 8], b[16 * 8];
  for (int mode = 0; mode <= 66; ++mode) {
    intraPredictRefLine(mode, 0, top, left, 16, 8, kBd, a, 16);
    intraPredict(mode, top, left, 16, 8, 0, kBd, b, 16);
    CHECK(std::equal(a, a + 128, b), "mode %d", mode);
  }
  intraPredictRefLine(50, 1, top, left, 16, 8, kBd, a, 16);
  intraPredict(50, top, left, 16, 8, 0, kBd, b, 16);
  CHECK(!std::equal(a, a + 128, b), "line 1 predicts from other samples");
  // vertical from line 1: row y copies top[1 + 1 + x]
  CHECK_EQ(a[3 * 16 + 5], top[7]);
}

// Substitution over a reference line: lengths 2W + refIdx and 2H + refIdx after the corner.
TEST_CASE(substituteLongerLine) {
  Pel top[20], left[20];
  uint8_t at[20] = {}, al[20] = {};
  for (int i = 0; i < 20; ++i) { top[i] = Pel(100 + i); left[i] = Pel(200 + i); }
  // W = H = 8, refIdx 2: 18 samples per side; only top[5..18] available
  for (int i = 5; i <= 18; ++i) at[i] = 1;
  intraSubstituteRefLine(top, at, 18, left, al, 18, kBd);
  for (int i = 0; i <= 18; ++i) CHECK_EQ(left[i], 105);  // the first available sample in walk order
  for (int i = 0; i < 5; ++i) CHECK_EQ(top[i], 105);
  CHECK_EQ(top[18], 118);
}

int main(int argc, char** argv) { return runTestCases(argc, argv); }
