// Geometric partitioning mode (inter/gpm, dsp/gpm, recon::predictGpm): the partition table against the rule
// that builds Table 36, blending weights of 8.5.7.2 against values worked out by hand from the spec's formulas
// (luma and chroma, both partFlip cases, a non-square block), the motion stored per 4x4 (8.5.7.3: the sType
// bands, bi combination or partition B's motion in the band), the parity rule of the uni candidates, and the
// blend of predictGpm against the plain uni-prediction where the weights are 0 / 8.
#include <algorithm>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "common/motion.h"
#include "dsp/gpm.h"
#include "dsp/mc.h"
#include "inter/gpm.h"
#include "recon/inter_pred.h"
#include "test_check.h"

using namespace nnvvc;

namespace {

MotionInfo uniMotion(int list, int refIdx, int mvx, int mvy) {
  MotionInfo m;
  m.interDir = uint8_t(1 << list);
  m.refIdx[list] = int8_t(refIdx);
  m.mv[list] = Mv(mvx, mvy);
  return m;
}

std::vector<uint8_t> weights(int split, int w, int h, int cIdx) {
  std::vector<uint8_t> v(size_t((w >> (cIdx ? 1 : 0)) * (h >> (cIdx ? 1 : 0))));
  inter::gpmWeights(split, w, h, cIdx, v.data());
  return v;
}

}  // namespace

// Table 36: partitions in angleIdx order, distances 0..3, leaving out the angles GPM does not use, distance 0
// from angle 16 on and distances 0 and 2 of the horizontal / vertical angles (0, 8, 16, 24).
TEST_CASE(partitionTable) {
  static const bool usedAngle[32] = {1, 0, 1, 1, 1, 1, 0, 0, 1, 0, 0, 1, 1, 1, 1, 0,
                                     1, 0, 1, 1, 1, 1, 0, 0, 1, 0, 0, 1, 1, 1, 1, 0};
  int idx = 0;
  std::set<std::pair<int, int>> seen;
  for (int a = 0; a < 32; ++a)
    for (int d = 0; d < 4; ++d) {
      if (!usedAngle[a] || (d == 0 && a >= 16) || ((d == 0 || d == 2) && a % 8 == 0)) continue;
      CHECK(idx < 64);
      if (idx < 64) {
        CHECK_EQ(inter::kGpmAngleIdx[idx], a);
        CHECK_EQ(inter::kGpmDistanceIdx[idx], d);
      }
      seen.insert({a, d});
      ++idx;
    }
  CHECK_EQ(idx, 64);
  CHECK_EQ(seen.size(), 64);
  // a few entries as the table prints them
  CHECK(inter::kGpmAngleIdx[0] == 0 && inter::kGpmDistanceIdx[0] == 1);
  CHECK(inter::kGpmAngleIdx[2] == 2 && inter::kGpmDistanceIdx[2] == 0);
  CHECK(inter::kGpmAngleIdx[36] == 16 && inter::kGpmDistanceIdx[36] == 1);
  CHECK(inter::kGpmAngleIdx[63] == 30 && inter::kGpmDistanceIdx[63] == 3);
  // disLut is antisymmetric under a half turn
  for (int i = 0; i < 16; ++i) CHECK_EQ(inter::kGpmDisLut[i], -inter::kGpmDisLut[i + 16]);
}

// Weights worked out by hand from 8.5.7.2.
TEST_CASE(weightsByHand) {
  // split 0 (angle 0, distance 1), 8x8: dX = 8, dY = 0, partFlip 1, shiftHor 1: offsetX = -4 + 1 = -3,
  // weightIdx = (2x - 5) * 8, wValue = Clip3(0, 8, (32 + weightIdx + 4) >> 3) = 0 1 3 5 7 8 8 8 in every row
  {
    const std::vector<uint8_t> w = weights(0, 8, 8, 0);
    static const uint8_t row[8] = {0, 1, 3, 5, 7, 8, 8, 8};
    for (int y = 0; y < 8; ++y)
      for (int x = 0; x < 8; ++x) CHECK_EQ(w[size_t(y * 8 + x)], row[x]);
    // chroma 4x4: xL = 2x -> 0 3 7 8
    const std::vector<uint8_t> c = weights(0, 8, 8, 1);
    static const uint8_t crow[4] = {0, 3, 7, 8};
    for (int y = 0; y < 4; ++y)
      for (int x = 0; x < 4; ++x) CHECK_EQ(c[size_t(y * 4 + x)], crow[x]);
  }
  // split 36 (angle 16, distance 1), 8x8: dX = -8, partFlip 0, offsetX = -4 - 1 = -5: weightIdxL = 32 + (2x - 9) * 8
  {
    const std::vector<uint8_t> w = weights(36, 8, 8, 0);
    static const uint8_t row[8] = {0, 0, 0, 1, 3, 5, 7, 8};
    for (int x = 0; x < 8; ++x) CHECK_EQ(w[size_t(5 * 8 + x)], row[x]);
  }
  // split 2 (angle 2, distance 0), 16x8: dX = 8, dY = disLut[10] = -2, shiftHor 1 (h < w), offsets -8, -4:
  // weightIdx = ((x - 8) * 2 + 1) * 8 + ((y - 4) * 2 + 1) * -2
  {
    const std::vector<uint8_t> w = weights(2, 16, 8, 0);
    CHECK_EQ(w[0 * 16 + 0], 0);   // -120 + 14 = -106 -> 0
    CHECK_EQ(w[4 * 16 + 8], 5);   // 8 - 2 = 6 -> (38 + 4) >> 3
    CHECK_EQ(w[4 * 16 + 7], 3);   // -8 - 2 = -10 -> (22 + 4) >> 3
    CHECK_EQ(w[0 * 16 + 8], 7);   // 8 + 14 = 22 -> (54 + 4) >> 3
    CHECK_EQ(w[7 * 16 + 15], 8);  // 120 - 14 = 106 -> 8
    // chroma 8x4 at (4, 2): xL = 8, yL = 4 -> the luma value at (8, 4)
    const std::vector<uint8_t> c = weights(2, 16, 8, 2);
    CHECK_EQ(c[2 * 8 + 4], 5);
  }
  // every mode: weights in 0..8 and both partitions present (a line at distance 3 near the block's edge may
  // leave partition A's side without a sample of weight 8, as for split 19 here: rows of 7, 5, 3, 1, 0, ...)
  for (int m = 0; m < 64; ++m) {
    const std::vector<uint8_t> w = weights(m, 32, 16, 0);
    int lo = 8, hi = 0;
    for (uint8_t v : w) { CHECK(v <= 8); lo = std::min(lo, int(v)); hi = std::max(hi, int(v)); }
    CHECK(lo <= 1 && hi >= 7, "mode %d", m);
  }
  {
    const std::vector<uint8_t> w = weights(19, 32, 16, 0);  // angle 8, distance 3: offsetY = -8 + 6
    CHECK(w[0] == 7 && w[32] == 5 && w[64] == 3 && w[96] == 1 && w[128] == 0);
  }
}

// Motion storage (8.5.7.3) worked out by hand: 16x16, split 0: offsetX = -8 + 2 = -6,
// motionIdx = ((4 xSb - 6) * 2 + 5) * 8 = (8 xSb - 7) * 8: -56 (B), 8 (band), 72, 136 (A).
TEST_CASE(motionStorage) {
  const MotionInfo a = uniMotion(0, 1, 12, -4), b = uniMotion(1, 0, -20, 8);
  MotionField f;
  f.init(64, 64);
  inter::storeGpmMotion(f, 16, 32, 16, 16, 0, a, b);
  for (int ys = 0; ys < 4; ++ys) {
    CHECK(*f.at(16, 32 + 4 * ys) == b);
    const MotionInfo& band = *f.at(20, 32 + 4 * ys);
    CHECK(band.interDir == 3 && band.refIdx[0] == 1 && band.mv[0] == Mv(12, -4) && band.refIdx[1] == 0 &&
          band.mv[1] == Mv(-20, 8));
    CHECK(*f.at(24, 32 + 4 * ys) == a);
    CHECK(*f.at(28, 32 + 4 * ys) == a);
  }
  CHECK(!f.at(12, 32)->isInter() && !f.at(32, 32)->isInter());  // nothing outside the CU
  // both partitions on one list: the band stores partition B's motion
  const MotionInfo a0 = uniMotion(0, 0, 4, 4), b0 = uniMotion(0, 1, -8, 0);
  inter::storeGpmMotion(f, 0, 0, 16, 16, 0, a0, b0);
  CHECK(*f.at(4, 0) == b0 && *f.at(0, 0) == b0 && *f.at(8, 0) == a0);
  // 8x8, split 0: offsetX = -3, motionIdx = (8 xSb - 1) * 8: -8 (band), 56 (A)
  inter::storeGpmMotion(f, 40, 0, 8, 8, 0, a, b);
  CHECK(f.at(40, 4)->interDir == 3 && *f.at(44, 4) == a);
  // the sType of the band matches the weights: A's side where the weights favour A
  for (int m = 0; m < 64; ++m) {
    const inter::GpmGeometry g = inter::gpmGeometry(m, 32, 32);
    const std::vector<uint8_t> w = weights(m, 32, 32, 0);
    for (int ys = 0; ys < 8; ++ys)
      for (int xs = 0; xs < 8; ++xs) {
        const int t = inter::gpmSubblockType(g, xs, ys);
        const int wc = w[size_t((4 * ys + 2) * 32 + 4 * xs + 2)];  // near the subblock centre
        if (t == 0) CHECK(wc >= 4, "mode %d sb %d,%d", m, xs, ys);
        if (t == 1) CHECK(wc <= 4, "mode %d sb %d,%d", m, xs, ys);
      }
  }
}

// The parity rule: candidate m predicts from list m & 1 when it can, else from the other list.
TEST_CASE(uniCandidates) {
  MotionInfo bi;
  bi.interDir = 3;
  bi.refIdx[0] = 1; bi.mv[0] = Mv(5, 6);
  bi.refIdx[1] = 2; bi.mv[1] = Mv(-7, 8);
  const MotionInfo c0 = inter::gpmUniCandidate(bi, 0), c1 = inter::gpmUniCandidate(bi, 1);
  CHECK(c0 == uniMotion(0, 1, 5, 6) && c0.refIdx[1] == -1 && c0.mv[1] == Mv());
  CHECK(c1 == uniMotion(1, 2, -7, 8) && c1.refIdx[0] == -1);
  CHECK(inter::gpmUniCandidate(bi, 4) == c0 && inter::gpmUniCandidate(bi, 5) == c1);
  const MotionInfo l1 = uniMotion(1, 0, 3, 3), l0 = uniMotion(0, 3, -1, 2);
  CHECK(inter::gpmUniCandidate(l1, 2) == l1 && inter::gpmUniCandidate(l1, 3) == l1);
  CHECK(inter::gpmUniCandidate(l0, 1) == l0);
  CHECK(!inter::gpmUniCandidate(MotionInfo{}, 0).isInter());
  // merge_gpm_idx1 skips merge_gpm_idx0
  CHECK(inter::gpmSecondIndex(0, 0) == 1 && inter::gpmSecondIndex(2, 1) == 1 && inter::gpmSecondIndex(2, 2) == 3);
  // sizes
  CHECK(inter::gpmSizeAllowed(8, 8) && inter::gpmSizeAllowed(64, 16) && inter::gpmSizeAllowed(8, 32));
  CHECK(!inter::gpmSizeAllowed(64, 8) && !inter::gpmSizeAllowed(4, 16) && !inter::gpmSizeAllowed(128, 64) &&
        !inter::gpmSizeAllowed(8, 64));
}

// The blend kernel: (a * w + b * (8 - w) + offset1) >> shift1 on the unbiased values; weights 8 / 0 reproduce
// the uni-prediction of A / B.
TEST_CASE(blendKernel) {
  std::mt19937 rng(7);
  const dsp::McFunctions& mc = dsp::mcFunctions();
  const dsp::GpmFunctions& g = dsp::gpmFunctions();
  for (int bd : {8, 10, 12}) {
    const int w = 16, h = 8;
    std::vector<int16_t> a(size_t(w * h)), b(a.size());
    std::vector<uint8_t> wt(a.size());
    for (size_t i = 0; i < a.size(); ++i) {
      a[i] = int16_t(int(rng() % 40000) - 20000);
      b[i] = int16_t(int(rng() % 40000) - 20000);
      wt[i] = uint8_t(rng() % 9);
    }
    std::vector<Pel> out(a.size()), ref(a.size());
    g.blend(out.data(), w, a.data(), b.data(), w, wt.data(), w, w, h, bd);
    const int shift1 = std::max(5, 17 - bd), maxV = (1 << bd) - 1;
    for (size_t i = 0; i < a.size(); ++i) {
      const int pa = a[i] + dsp::kMcPrepBias, pb = b[i] + dsp::kMcPrepBias;
      const int v = std::min(maxV, std::max(0, (pa * wt[i] + pb * (8 - wt[i]) + (1 << (shift1 - 1))) >> shift1));
      CHECK_EQ(out[i], v);
    }
    std::fill(wt.begin(), wt.end(), uint8_t(8));
    g.blend(out.data(), w, a.data(), b.data(), w, wt.data(), w, w, h, bd);
    mc.weightUni(ref.data(), w, a.data(), w, w, h, bd);
    CHECK(out == ref);
    std::fill(wt.begin(), wt.end(), uint8_t(0));
    g.blend(out.data(), w, a.data(), b.data(), w, wt.data(), w, w, h, bd);
    mc.weightUni(ref.data(), w, b.data(), w, w, h, bd);
    CHECK(out == ref);
  }
}

// predictGpm on two reference pictures: where the weights are 8 (0) the prediction is partition A's (B's)
// uni-prediction, and every sample lies between the two.
TEST_CASE(predictGpmMatchesUni) {
  Picture r0, r1;
  r0.alloc(64, 64);
  r1.alloc(64, 64);
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < r0.planes[c].height; ++y)
      for (int x = 0; x < r0.planes[c].width; ++x) {
        r0.planes[c].row(y)[x] = Pel((x * 13 + y * 7 + c * 50) % 1024);
        r1.planes[c].row(y)[x] = Pel((x * 5 + y * 17 + 300 + c * 30) % 1024);
      }
  RefPicLists refs;
  refs.num[0] = refs.num[1] = 1;
  refs.ref[0][0].pic = &r0;
  refs.ref[1][0].pic = &r1;
  const MotionInfo a = uniMotion(0, 0, 9, -5), b = uniMotion(1, 0, -22, 13);
  const int x = 16, y = 8, w = 32, h = 16;
  for (int split : {0, 13, 40, 63}) {
    std::vector<Pel> gp[3], pa[3], pb[3];
    Pel* d[3];
    ptrdiff_t s[3];
    for (int c = 0; c < 3; ++c) {
      const int cw = c ? w / 2 : w, ch = c ? h / 2 : h;
      gp[c].resize(size_t(cw * ch));
      pa[c].resize(gp[c].size());
      pb[c].resize(gp[c].size());
      d[c] = gp[c].data();
      s[c] = cw;
      recon::predictInterComponent(refs, a, c, c ? x / 2 : x, c ? y / 2 : y, cw, ch, pa[c].data(), cw);
      recon::predictInterComponent(refs, b, c, c ? x / 2 : x, c ? y / 2 : y, cw, ch, pb[c].data(), cw);
    }
    recon::predictGpm(refs, split, a, b, x, y, w, h, d, s);
    for (int c = 0; c < 3; ++c) {
      const std::vector<uint8_t> wt = weights(split, w, h, c);
      int n8 = 0, n0 = 0;
      for (size_t i = 0; i < wt.size(); ++i) {
        if (wt[i] == 8) { ++n8; CHECK_EQ(gp[c][i], pa[c][i]); }
        if (wt[i] == 0) { ++n0; CHECK_EQ(gp[c][i], pb[c][i]); }
        CHECK(gp[c][i] >= std::min(pa[c][i], pb[c][i]) - 1 && gp[c][i] <= std::max(pa[c][i], pb[c][i]) + 1);
      }
      CHECK(n8 > 0 && n0 > 0);
    }
  }
}

int main(int argc, char** argv) { return runTestCases(argc, argv); }
