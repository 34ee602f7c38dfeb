#include "encoder/search/motion_search.h"

#include <algorithm>
#include <cstdlib>

#include "dsp/dsp.h"
#include "recon/inter_pred.h"

namespace nnvvc {
namespace search {

namespace {
constexpr int kMaxCu = 128;
// the 8 neighbours of a search position, in the order the refinements test them
constexpr int kRingX[8] = {-1, 0, 1, -1, 1, -1, 0, 1}, kRingY[8] = {-1, -1, -1, 0, 0, 1, 1, 1};

// bits of one MVD component v (quarter-sample units): abs_mvd_greater0_flag, greater1, EG1
// remainder, sign
uint32_t compBits(int v) {
  const unsigned a = unsigned(std::abs(v));
  if (a == 0) return 1;
  if (a == 1) return 3;
  unsigned n = a - 2, k = 1, bits = 0;
  while (n >= (1u << k)) { n -= 1u << k; ++k; ++bits; }
  return 3 + bits + 1 + k;  // prefix ones + terminating zero + k suffix bits
}
}  // namespace

namespace {
// compBits for |v| < kBitsTableSize, computed once (the search calls this for every position)
constexpr int kBitsTableSize = 2048;
struct MvdBitsTable {
  uint8_t bits[kBitsTableSize];
  MvdBitsTable() { for (int v = 0; v < kBitsTableSize; ++v) bits[v] = uint8_t(compBits(v)); }
};
const MvdBitsTable& mvdBitsTable() { static const MvdBitsTable t; return t; }
inline uint32_t compBitsFast(int v) {
  const int a = v < 0 ? -v : v;
  return a < kBitsTableSize ? mvdBitsTable().bits[a] : compBits(a);
}
}  // namespace

uint32_t mvdBitsEstimate(const Mv& mvd) { return compBitsFast(mvd.x >> 2) + compBitsFast(mvd.y >> 2); }

uint32_t cheapestMvp(const Mv pred[2], const Mv& mv, int amvrShift, int& idx) {
  const int sh = amvrShift - 2;  // mvdBitsEstimate takes the coded value << 2
  uint32_t fewest = ~0u;
  for (int i = 0; i < 2; ++i) {
    const uint32_t b = mvdBitsEstimate(Mv((mv.x - pred[i].x) >> sh, (mv.y - pred[i].y) >> sh)) + uint32_t(i);
    if (b < fewest) { fewest = b; idx = i; }
  }
  return fewest;
}

MotionSearch::MotionSearch() {
  pred_.resize(size_t(kMaxCu) * kMaxCu);
  pred2_.resize(size_t(kMaxCu) * kMaxCu);
  target_.resize(size_t(kMaxCu) * kMaxCu);
}

uint64_t MotionSearch::distInt(const Plane& ref, int x, int y, int w, int h, Mv mv, const Pel* target,
                               ptrdiff_t ts) const {
  const int rx = x + (mv.x >> 4), ry = y + (mv.y >> 4);
  return dsp::sad(target, ts, ref.row(ry) + rx, ref.stride, w, h);
}

uint64_t MotionSearch::distFrac(int list, int refIdx, int x, int y, int w, int h, Mv mv, const Pel* target,
                                ptrdiff_t ts, bool altHpel) {
  MotionInfo mi;
  mi.hpelIfIdx = altHpel ? 1 : 0;
  mi.interDir = uint8_t(1 << list);
  mi.refIdx[list] = int8_t(refIdx);
  mi.mv[list] = mv;
  recon::predictInterComponent(*slice_->refs, mi, 0, x, y, w, h, pred_.data(), w);
  return dsp::satd(target, ts, pred_.data(), w, w, h);
}

MotionSearch::UniResult MotionSearch::searchUni(const inter::MvPredEnv& env, int list, int refIdx, int x, int y,
                                                int w, int h, const Pel* target, ptrdiff_t ts, bool doFrac) {
  const RefPic& rp = slice_->refs->ref[list][refIdx];
  const Plane& ref = rp.pic->planes[0];
  Mv pred[2];
  inter::buildAmvpList(env, x, y, w, h, list, refIdx, pred);
  const int pocDist = std::abs(slice_->poc - rp.poc);
  const int range = std::min(cfg_.rangeMax, cfg_.rangeBase + cfg_.rangePerPoc * std::max(0, pocDist - 1));
  const int picW = ref.width, picH = ref.height;
  // integer positions keep the block inside the picture (no padding reads)
  const int minX = -x, maxX = picW - w - x, minY = -y, maxY = picH - h - y;
  auto mvdBits = [&](Mv mv, int* idx) {
    uint32_t best = ~0u;
    for (int i = 0; i < 2; ++i) {
      const uint32_t b = mvdBitsEstimate(Mv(mv.x - pred[i].x, mv.y - pred[i].y)) + 1;
      if (b < best) { best = b; *idx = i; }
    }
    return best;
  };
  auto intCost = [&](int ix, int iy) {
    const Mv mv(ix * 16, iy * 16);
    int idx;
    return double(distInt(ref, x, y, w, h, mv, target, ts)) + sqrtLambda_ * double(mvdBits(mv, &idx));
  };
  // centre of the window: the best of the predictors (rounded to integers) and zero
  int cx = 0, cy = 0;
  double best = 1e300;
  auto clampX = [&](int v) { return std::max(minX, std::min(maxX, v)); };
  auto clampY = [&](int v) { return std::max(minY, std::min(maxY, v)); };
  const int startX[3] = {(pred[0].x + 8) >> 4, (pred[1].x + 8) >> 4, 0};
  const int startY[3] = {(pred[0].y + 8) >> 4, (pred[1].y + 8) >> 4, 0};
  for (int i = 0; i < 3; ++i) {
    const int sx = clampX(startX[i]), sy = clampY(startY[i]);
    const double c = intCost(sx, sy);
    if (c < best) { best = c; cx = sx; cy = sy; }
  }
  const int wx0 = clampX(cx - range), wx1 = clampX(cx + range), wy0 = clampY(cy - range), wy1 = clampY(cy + range);
  int bx = cx, by = cy;
  // widening diamond (8 points per ring) around the centre, then a small-diamond descent
  for (int step = 1; step <= range; step <<= 1) {
    const int dx[8] = {0, step, 0, -step, step / 2 ? step / 2 : 1, step / 2 ? step / 2 : 1, -(step / 2 ? step / 2 : 1), -(step / 2 ? step / 2 : 1)};
    const int dy[8] = {-step, 0, step, 0, -(step / 2 ? step / 2 : 1), step / 2 ? step / 2 : 1, step / 2 ? step / 2 : 1, -(step / 2 ? step / 2 : 1)};
    for (int k = 0; k < 8; ++k) {
      const int px = cx + dx[k], py = cy + dy[k];
      if (px < wx0 || px > wx1 || py < wy0 || py > wy1) continue;
      const double c = intCost(px, py);
      if (c < best) { best = c; bx = px; by = py; }
    }
  }
  for (int it = 0; it < 64; ++it) {
    const int dx[4] = {0, 1, 0, -1}, dy[4] = {-1, 0, 1, 0};
    int nx = bx, ny = by;
    for (int k = 0; k < 4; ++k) {
      const int px = bx + dx[k], py = by + dy[k];
      if (px < wx0 || px > wx1 || py < wy0 || py > wy1) continue;
      const double c = intCost(px, py);
      if (c < best) { best = c; nx = px; ny = py; }
    }
    if (nx == bx && ny == by) break;
    bx = nx; by = ny;
  }
  UniResult r;
  r.mv = Mv(bx * 16, by * 16);
  r.pred[0] = pred[0];
  r.pred[1] = pred[1];
  r.cost = best;  // SAD-based
  r.bits = mvdBits(r.mv, &r.mvpIdx);
  r.mvd = Mv(r.mv.x - pred[r.mvpIdx].x, r.mv.y - pred[r.mvpIdx].y);
  if (doFrac) refineFractional(list, refIdx, x, y, w, h, target, ts, r);
  return r;
}

void MotionSearch::refineFractional(int list, int refIdx, int x, int y, int w, int h, const Pel* target,
                                    ptrdiff_t ts, UniResult& r) {
  auto mvdBits = [&](Mv mv, int* idx) {
    uint32_t best = ~0u;
    for (int i = 0; i < 2; ++i) {
      const uint32_t b = mvdBitsEstimate(Mv(mv.x - r.pred[i].x, mv.y - r.pred[i].y)) + 1;
      if (b < best) { best = b; *idx = i; }
    }
    return best;
  };
  int idx = 0;
  double bestCost = double(distFrac(list, refIdx, x, y, w, h, r.mv, target, ts)) + sqrtLambda_ * double(mvdBits(r.mv, &idx));
  if (cfg_.fractional) {
    for (int sub : {8, 4}) {  // half, then quarter sample (1/16 units)
      const Mv c0 = r.mv;
      for (int k = 0; k < 8; ++k) {
        const Mv mv(c0.x + kRingX[k] * sub, c0.y + kRingY[k] * sub);
        int i2;
        const uint32_t b2 = mvdBits(mv, &i2);
        const double c = double(distFrac(list, refIdx, x, y, w, h, mv, target, ts)) + sqrtLambda_ * double(b2);
        if (c < bestCost) { bestCost = c; r.mv = mv; }
      }
    }
  }
  r.bits = mvdBits(r.mv, &r.mvpIdx);
  r.mvd = Mv(r.mv.x - r.pred[r.mvpIdx].x, r.mv.y - r.pred[r.mvpIdx].y);
  r.cost = bestCost;
}

int MotionSearch::search(const inter::MvPredEnv& env, int x, int y, int w, int h, AmvpCandidate* out, int maxOut) {
  const Plane& org = orig_->planes[0];
  const Pel* target = org.row(y) + x;
  const ptrdiff_t ts = org.stride;
  std::vector<AmvpCandidate> cands;
  UniResult bestUni[2];
  int bestRef[2] = {-1, -1};
  const RefPicLists& refs = *slice_->refs;
  const bool isB = slice_->sliceType == SliceType::kB;
  // integer search on every reference; fractional refinement only for the best one of each list
  for (int l = 0; l < (isB ? 2 : 1); ++l) {
    double bestInt = 1e300;
    for (int r = 0; r < refs.num[l]; ++r) {
      UniResult u = searchUni(env, l, r, x, y, w, h, target, ts, false);
      const double refBits = refs.num[l] > 1 ? double(std::min(r + 1, refs.num[l] - 1)) : 0.0;
      const double c = u.cost + sqrtLambda_ * refBits;
      if (c < bestInt) { bestInt = c; bestUni[l] = u; bestRef[l] = r; }
    }
    if (bestRef[l] < 0) continue;
    UniResult& u = bestUni[l];
    refineFractional(l, bestRef[l], x, y, w, h, target, ts, u);
    const double refBits = refs.num[l] > 1 ? double(std::min(bestRef[l] + 1, refs.num[l] - 1)) : 0.0;
    u.cost += sqrtLambda_ * (refBits + (isB ? 1.0 : 0.0));
    AmvpCandidate c;
    c.mi.interDir = uint8_t(1 << l);
    c.mi.refIdx[l] = int8_t(bestRef[l]);
    c.mi.mv[l] = u.mv;
    c.mvpIdx[l] = uint8_t(u.mvpIdx);
    c.mvd[l] = u.mvd;
    c.cost = u.cost;
    cands.push_back(c);
  }
  if (isB && cfg_.bi && bestRef[0] >= 0 && bestRef[1] >= 0 && w + h > 12) {
    // bi: average of the two best uni predictions, then refine list 1 against 2*org - pred0
    AmvpCandidate c;
    c.mi.interDir = 3;
    for (int l = 0; l < 2; ++l) {
      c.mi.refIdx[l] = int8_t(bestRef[l]);
      c.mi.mv[l] = bestUni[l].mv;
      c.mvpIdx[l] = uint8_t(bestUni[l].mvpIdx);
      c.mvd[l] = bestUni[l].mvd;
    }
    for (int round = 0; round < cfg_.biRefineRounds; ++round) {
      const int fixed = round & 1 ? 1 : 0, moving = 1 - fixed;
      fixedListTarget(c.mi, fixed, 4, 4, x, y, w, h);  // equal weights: 2 * org - pred_fixed
      UniResult u = searchUni(env, moving, c.mi.refIdx[moving], x, y, w, h, target_.data(), w, true);
      c.mi.mv[moving] = u.mv;
      c.mvpIdx[moving] = uint8_t(u.mvpIdx);
      c.mvd[moving] = u.mvd;
    }
    c.cost = biCost(c, 0.0, x, y, w, h);
    cands.push_back(c);
  }
  std::sort(cands.begin(), cands.end(), [](const AmvpCandidate& a, const AmvpCandidate& b) { return a.cost < b.cost; });
  const int n = std::min(maxOut, int(cands.size()));
  for (int i = 0; i < n; ++i) out[i] = cands[size_t(i)];
  return n;
}

AmvpCandidate MotionSearch::biWeighted(const inter::MvPredEnv& env, int x, int y, int w, int h,
                                       const AmvpCandidate& base, int bcwIdx, int bcwMax, bool refine) {
  AmvpCandidate c = base;
  c.mi.bcwIdx = uint8_t(bcwIdx);
  if (refine) refineWeighted(env, x, y, w, h, c);
  c.cost = biCost(c, double(bcwIdx < bcwMax ? bcwIdx + 1 : bcwIdx), x, y, w, h);  // + truncated unary bcw_idx
  return c;
}

void MotionSearch::fixedListTarget(const MotionInfo& mi, int fixed, int wFixed, int wMoving, int x, int y, int w,
                                   int h) {
  const Plane& org = orig_->planes[0];
  const Pel* src = org.row(y) + x;
  const ptrdiff_t ts = org.stride;
  MotionInfo f;
  f.hpelIfIdx = mi.hpelIfIdx;
  f.interDir = uint8_t(1 << fixed);
  f.refIdx[fixed] = mi.refIdx[fixed];
  f.mv[fixed] = mi.mv[fixed];
  recon::predictInterComponent(*slice_->refs, f, 0, x, y, w, h, pred2_.data(), w);
  for (int j = 0; j < h; ++j)
    for (int i = 0; i < w; ++i) {
      const int num = 8 * int(src[j * ts + i]) - wFixed * int(pred2_[size_t(j * w + i)]);
      const int t = (num >= 0 ? num + wMoving / 2 : num - wMoving / 2) / wMoving;  // rounded half away from zero
      target_[size_t(j * w + i)] = Pel(clip3(-32768, 32767, t));
    }
}

double MotionSearch::biCost(const AmvpCandidate& c, double extraBits, int x, int y, int w, int h) {
  const RefPicLists& refs = *slice_->refs;
  const Plane& org = orig_->planes[0];
  recon::predictInterComponent(refs, c.mi, 0, x, y, w, h, pred_.data(), w);
  const uint64_t d = dsp::satd(org.row(y) + x, org.stride, pred_.data(), w, w, h);
  // inter_pred_idc, two mvp flags, the MVDs, the reference indices
  double bits = 2.0 + double(mvdBitsEstimate(c.mvd[0]) + mvdBitsEstimate(c.mvd[1]) + 2) + extraBits;
  for (int l = 0; l < 2; ++l) if (refs.num[l] > 1) bits += double(std::min(int(c.mi.refIdx[l]) + 1, refs.num[l] - 1));
  return double(d) + sqrtLambda_ * bits;
}

void MotionSearch::refineWeighted(const inter::MvPredEnv& env, int x, int y, int w, int h, AmvpCandidate& c) {
  const int w1 = kBcwWeightL1[c.mi.bcwIdx], w0 = 8 - w1;
  const int moving = w1 >= w0 ? 1 : 0, fixed = 1 - moving;
  fixedListTarget(c.mi, fixed, moving ? w0 : w1, moving ? w1 : w0, x, y, w, h);
  UniResult r;
  r.mv = c.mi.mv[moving];
  inter::buildAmvpList(env, x, y, w, h, moving, c.mi.refIdx[moving], r.pred);
  refineFractional(moving, c.mi.refIdx[moving], x, y, w, h, target_.data(), w, r);
  c.mi.mv[moving] = r.mv;
  c.mvpIdx[moving] = uint8_t(r.mvpIdx);
  c.mvd[moving] = r.mvd;
}

double MotionSearch::mergeCost(const MotionInfo& mi, int mergeIdx, int x, int y, int w, int h) {
  return predCost(mi, double(mergeIdx + 2), x, y, w, h);
}

double MotionSearch::affineCost(const AffineMotion& am, double bits, int x, int y, int w, int h, bool approximate) {
  const Plane& org = orig_->planes[0];
  Pel* dst[3] = {pred_.data(), nullptr, nullptr};
  const ptrdiff_t ds[3] = {w, 0, 0};
  recon::predictAffine(*slice_->refs, am, x, y, w, h, dst, ds, 1, approximate, slice_->prof && !approximate);
  const uint64_t d = dsp::satd(org.row(y) + x, org.stride, pred_.data(), w, w, h);
  return double(d) + sqrtLambda_ * bits;
}

double MotionSearch::sbTmvpCost(const MotionInfo* sub, double bits, int x, int y, int w, int h) {
  const Plane& org = orig_->planes[0];
  Pel* dst[3] = {pred_.data(), nullptr, nullptr};
  const ptrdiff_t ds[3] = {w, 0, 0};
  recon::predictSbTmvp(*slice_->refs, sub, x, y, w, h, dst, ds, 1);
  const uint64_t d = dsp::satd(org.row(y) + x, org.stride, pred_.data(), w, w, h);
  return double(d) + sqrtLambda_ * bits;
}

AmvpCandidate MotionSearch::halfSampleCandidate(const inter::MvPredEnv& env, int x, int y, int w, int h,
                                               const AmvpCandidate& base) {
  constexpr int kShift = 3, kStep = 1 << kShift;  // AmvrShift of half a sample; one step in 1/16 units
  AmvpCandidate c = base;
  c.mi.hpelIfIdx = 1;
  for (int l = 0; l < 2; ++l)
    if (c.mi.predFlag(l)) c.mi.mv[l] = inter::roundMv(c.mi.mv[l], kShift, kShift);
  const Plane& org = orig_->planes[0];
  const bool bi = c.mi.interDir == 3;
  for (int l = 0; l < 2; ++l) {
    if (!c.mi.predFlag(l)) continue;
    Mv pred[2];
    inter::buildAmvpList(env, x, y, w, h, l, c.mi.refIdx[l], pred, kShift);
    const Pel* target = org.row(y) + x;
    ptrdiff_t ts = org.stride;
    if (bi) {  // what list l must predict with the other list's half-sample prediction fixed (equal weights)
      fixedListTarget(c.mi, 1 - l, 4, 4, x, y, w, h);
      target = target_.data();
      ts = w;
    }
    auto cost = [&](Mv mv) {
      int idx;
      return double(distFrac(l, c.mi.refIdx[l], x, y, w, h, mv, target, ts, true)) +
             sqrtLambda_ * double(cheapestMvp(pred, mv, kShift, idx));
    };
    Mv best = c.mi.mv[l];
    double bestCost = cost(best);
    for (int round = 0; round < 3; ++round) {
      const Mv c0 = best;
      for (int k = 0; k < 8; ++k) {
        const Mv mv(c0.x + kRingX[k] * kStep, c0.y + kRingY[k] * kStep);
        const double j = cost(mv);
        if (j < bestCost) { bestCost = j; best = mv; }
      }
      if (best == c0) break;
    }
    int idx = 0;
    cheapestMvp(pred, best, kShift, idx);
    c.mi.mv[l] = best;
    c.mvpIdx[l] = uint8_t(idx);
    c.mvd[l] = Mv(best.x - pred[idx].x, best.y - pred[idx].y);
  }
  return c;
}

double MotionSearch::predCost(const MotionInfo& mi, double bits, int x, int y, int w, int h) {
  const Plane& org = orig_->planes[0];
  recon::predictInterComponent(*slice_->refs, mi, 0, x, y, w, h, pred_.data(), w);
  const uint64_t d = dsp::satd(org.row(y) + x, org.stride, pred_.data(), w, w, h);
  return double(d) + sqrtLambda_ * bits;
}

}  // namespace search
}  // namespace nnvvc
