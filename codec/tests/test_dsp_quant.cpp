// Quantisation tests: spec 8.7.3 dequant hand-computed values, quant/dequant round trip, dead
// zone, and the RDOQ helpers' distortion model against a real reconstruction.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "../src/dsp/dsp.h"
#include "test_check.h"

using namespace nnvvc;
using namespace nnvvc::dsp;


static TCoeff dq1(TCoeff level, int w, int h, int qp, int bd = 10) {
  std::vector<TCoeff> in(w * h, 0), out(w * h);
  in[0] = level;
  dequant(in.data(), w, h, qp, bd, out.data());
  return out[0];
}

TEST_CASE(dequantKnown) {
  // 4x4, qP 4: ls = 16 * 64 << 0 = 1024, bdShift = 10 + 0 + 2 - 5 = 7, bdOffset 64.
  CHECK_EQ(dq1(1, 4, 4, 4), 8);    // (1024 + 64) >> 7 = 8
  CHECK_EQ(dq1(-1, 4, 4, 4), -8);  // (-1024 + 64) >> 7 = -7.5 -> floor -8
  // qP 28: ls = 1024 << 4 = 16384: (3*16384 + 64) >> 7 = 384
  CHECK_EQ(dq1(3, 4, 4, 28), 384);
  // 4x8 (log2 sum 5, rectNonTsFlag = 1): levelScale[1][4] = 90, ls = 1440 << 4 = 23040,
  // bdShift = 10 + 1 + 2 - 5 = 8: (23040 + 128) >> 8 = 90
  CHECK_EQ(dq1(1, 4, 8, 28), 90);
  CHECK_EQ(dq1(1, 8, 4, 28), 90);
  // 64x64, qP 40: ls = 1024 << 6 = 65536, bdShift = 10 + 6 - 5 = 11: (65536 + 1024) >> 11 = 32
  CHECK_EQ(dq1(1, 64, 64, 40), 32);
  // 8-bit, 8x8, qP 22 (22 % 6 = 4, 22 / 6 = 3): ls = 1024 << 3 = 8192, bdShift = 8 + 3 - 5 = 6:
  // (5 * 8192 + 32) >> 6 = 640
  CHECK_EQ(dq1(5, 8, 8, 22, 8), 640);
  // Clipping to [-32768, 32767] (64-bit intermediate, no wrap).
  CHECK_EQ(dq1(30000, 4, 4, 63), 32767);
  CHECK_EQ(dq1(-30000, 4, 4, 63), -32768);
  CHECK_EQ(dq1(0, 4, 4, 63), 0);
}

TEST_CASE(quantRoundTrip) {
  std::mt19937 rng(17);
  int mismatches = 0, total = 0;
  for (int qp = 16; qp <= 63; qp += 3)
    for (int lw = 2; lw <= 6; ++lw)
      for (int lh = 2; lh <= 6; ++lh) {
        const int w = 1 << lw, h = 1 << lh;
        std::vector<TCoeff> lv(w * h), c(w * h), back(w * h);
        for (auto& v : lv) v = int(rng() % 41) - 20;
        dequant(lv.data(), w, h, qp, 10, c.data());
        // Skip levels whose reconstruction was clipped (not invertible).
        quantWithOffset(c.data(), w, h, qp, 10, 512, back.data());
        for (int i = 0; i < w * h; ++i) {
          if (c[i] == 32767 || c[i] == -32768) continue;
          ++total;
          mismatches += back[i] != lv[i];
        }
      }
  std::printf("  quant(dequant(level)) == level: %d/%d\n", total - mismatches, total);
  CHECK_EQ(mismatches, 0);
}

TEST_CASE(deadZone) {
  // 8x8, qP 28: step = 16*64 << 4 / 2^8 = 64 (bdShift = 10 + 3 - 5 = 8).
  const int w = 8, h = 8, qp = 28;
  std::vector<TCoeff> c(w * h, 0), lv(w * h);
  c[0] = 38;   // 0.59 step: nearest -> 1, intra dead zone (offset 1/3) -> 0
  c[1] = -45;  // 0.70 step: intra -> -1 (0.70 + 0.33 >= 1), inter (1/6) -> 0
  c[2] = 64 * 5 + 20;  // 5.31 steps: intra 5
  c[3] = 64 * 5 + 44;  // 5.69 steps: intra 6 (5.69 + 0.33 > 6)
  CHECK_EQ(quantWithOffset(c.data(), w, h, qp, 10, 512, lv.data()), 4);
  CHECK_EQ(lv[0], 1);
  CHECK_EQ(quant(c.data(), w, h, qp, 10, true, lv.data()), 3);
  CHECK_EQ(lv[0], 0);
  CHECK_EQ(lv[1], -1);
  CHECK_EQ(lv[2], 5);
  CHECK_EQ(lv[3], 6);
  quant(c.data(), w, h, qp, 10, false, lv.data());
  CHECK_EQ(lv[1], 0);
  CHECK_EQ(lv[2], 5);
  CHECK_EQ(lv[3], 5);
  // step check through quantScale: one level is 2^qBits / scale coefficient units.
  const QuantScale qs = quantScale(qp, w, h, 10);
  CHECK(std::fabs(std::ldexp(1.0, qs.qBits) / qs.scale - 64.0) < 0.01);
}

TEST_CASE(rdoqModel) {
  // Predicted SSE (sum of quantErrorSse over nearest levels) vs the real SSE after dequant and
  // inverse transform of those levels.
  std::mt19937 rng(23);
  double worstRel = 0;
  for (int qp : {22, 32, 42, 52})
    for (int lw = 2; lw <= 5; ++lw)
      for (int lh = 2; lh <= 5; ++lh) {
        const int w = 1 << lw, h = 1 << lh, n = w * h;
        std::vector<Pel> res(n), back(n);
        std::vector<TCoeff> c(n), lv(n), d(n);
        std::vector<int64_t> absScaled(n);
        double predicted = 0, actual = 0;
        for (int it = 0; it < 4; ++it) {
          for (auto& v : res) v = Pel(int(rng() % 201) - 100);
          forwardTransform(res.data(), w, w, h, 10, c.data());
          const QuantScale qs = quantScale(qp, w, h, 10);
          quantPrepare(c.data(), n, qs, absScaled.data(), lv.data());
          for (int i = 0; i < n; ++i) {
            predicted += quantErrorSse(absScaled[i], lv[i], qs);
            if (c[i] < 0) lv[i] = -lv[i];
          }
          dequant(lv.data(), w, h, qp, 10, d.data());
          inverseTransform(d.data(), w, h, 10, back.data(), w);
          for (int i = 0; i < n; ++i) actual += double(res[i] - back[i]) * (res[i] - back[i]);
        }
        const double rel = std::fabs(predicted - actual) / std::max(actual, 1.0);
        if (actual > 100 * n) worstRel = std::max(worstRel, rel);  // ignore near-lossless cases
      }
  std::printf("  RDOQ distortion model vs real SSE: worst relative error %.3f\n", worstRel);
  CHECK(worstRel < 0.15);
}

// Transform skip: the scaled level is the residual, levelScale[qP % 6] << qP / 6 in units of 1/64 sample (exact from qP
// 36 up, where the step is a whole number of samples: 40 << 6 / 64 = 40); the quantiser inverts it to the nearest level
// with a half-step offset, and leaves residuals below the dead zone at zero.
TEST_CASE(transformSkipScaling) {
  const int kScale[6] = {40, 45, 51, 57, 64, 72};
  for (int qp = 4; qp <= 75; ++qp) {
    const TCoeff levels[6] = {0, 1, -1, 7, -300, 32767};
    Pel r[6];
    dsp::dequantTransformSkip(levels, 6, qp, r);
    for (int i = 0; i < 6; ++i) {
      const double exact = double(levels[i]) * kScale[qp % 6] * std::ldexp(1.0, qp / 6) / 64.0;
      const double clipped = std::min(32767.0, std::max(-32768.0, exact));
      CHECK(std::abs(double(r[i]) - clipped) <= 0.5);  // rounded (ties up) and clipped to 16 bits
    }
    // round trip where a step spans at least one sample and the level stays in range
    if (qp >= 24) {
      TCoeff back[6];
      CHECK(dsp::quantTransformSkip(r, 6, qp, 512, back) == 5);
      for (int i = 0; i < 6; ++i) {
        const double exact = double(levels[i]) * kScale[qp % 6] * std::ldexp(1.0, qp / 6) / 64.0;
        if (std::abs(exact) < 32767.0) CHECK(back[i] == levels[i]);  // (clipped ones come back smaller)
      }
    }
  }
  // dead zone: a third of a step rounds up from two thirds, not below
  const Pel small[2] = {Pel(26), Pel(27)};  // qP 36: step 40 samples; 26 / 40 + 1/3 < 1, 27 / 40 + 1/3 >= 1
  TCoeff lv[2];
  CHECK(dsp::quantTransformSkip(small, 2, 36, 341, lv) == 1 && lv[0] == 0 && lv[1] == 1);
}

int main(int argc, char** argv) { return runTestCases(argc, argv); }
