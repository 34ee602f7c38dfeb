// GPM decision of the RD search (rd_search_impl.h): a fast pre-selection over every partition mode and merge
// candidate pair, then full RD of the best few. The pre-selection costs each pair by the SAD of partition A's
// uni-prediction over A's side of the partition line plus B's over the other side, read from per-row prefix
// sums of each candidate's absolute error (a half-plane covers one run of each row); the best pairs are then
// blended (the dsp kernel and the spec's weights) and ranked by the SATD of the blended luma.
#include "encoder/search/rd_search_impl.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>

#include "dsp/gpm.h"
#include "dsp/mc.h"

namespace nnvvc {
namespace search {
namespace {

// The run [s, e) of each row of a w x h block on partition A's side of the line of one partition mode (the
// samples whose weightIdx favours A): sizes 8..64 (log2 3..6), built once.
struct GpmRowRuns {
  uint8_t s[inter::kGpmMaxSize], e[inter::kGpmMaxSize];
};

const GpmRowRuns& gpmRowRuns(int w, int h, int split) {
  static const std::vector<GpmRowRuns> table = [] {
    std::vector<GpmRowRuns> t(size_t(4 * 4 * inter::kGpmNumPartitions));
    for (int lw = 0; lw < 4; ++lw)
      for (int lh = 0; lh < 4; ++lh)
        for (int m = 0; m < inter::kGpmNumPartitions; ++m) {
          const int bw = 8 << lw, bh = 8 << lh;
          const inter::GpmGeometry g = inter::gpmGeometry(m, bw, bh);
          GpmRowRuns& r = t[size_t((lw * 4 + lh) * inter::kGpmNumPartitions + m)];
          for (int y = 0; y < bh; ++y) {
            int s = -1, e = 0;
            for (int x = 0; x < bw; ++x) {
              const int idx = ((x + g.offsetX) * 2 + 1) * g.dx + ((y + g.offsetY) * 2 + 1) * g.dy;
              if ((g.partFlip ? idx : -idx) > 0) {
                if (s < 0) s = x;
                e = x + 1;
              }
            }
            r.s[y] = uint8_t(s < 0 ? 0 : s);
            r.e[y] = uint8_t(s < 0 ? 0 : e);
          }
        }
    return t;
  }();
  const int lw = log2Int(unsigned(w)) - 3, lh = log2Int(unsigned(h)) - 3;
  return table[size_t((lw * 4 + lh) * inter::kGpmNumPartitions + split)];
}

}  // namespace

void RdCtuSearch::evalGpm(const MotionInfo* mlist, int nm, double mergeSatd, CodingUnit& cu, const ContextSet& entry,
                          const HmvpTable& entryHm, double& bestJ) {
  const SliceParams& sl = *c_->slice;
  const int x = cu.x, y = cu.y, w = cu.w, h = cu.h;
  const int nG = std::min(nm, sl.maxNumGpmMergeCand);
  if (nG < 2 || !sl.refs) return;
  const Plane& org = c_->orig->planes[0];
  const dsp::McFunctions& mc = dsp::mcFunctions();
  const int ps = w + 1;  // prefix-sum row stride
  alignas(32) Pel pred[inter::kGpmMaxSize * inter::kGpmMaxSize];
  MotionInfo uni[inter::kMaxMergeCand];
  bool valid[inter::kMaxMergeCand] = {};
  int64_t total[inter::kMaxMergeCand] = {};
  for (int i = 0; i < nG; ++i) {
    uni[i] = inter::gpmUniCandidate(mlist[i], i);
    if (!uni[i].isInter()) continue;
    const int l = uni[i].predFlag(0) ? 0 : 1;
    const Plane* ref = recon::refPlane(*sl.refs, uni[i], l, 0);
    if (!ref) continue;
    valid[i] = true;
    gpmPred_[i].resize(size_t(inter::kGpmMaxSize) * inter::kGpmMaxSize);
    gpmPrefix_[i].resize(size_t(inter::kGpmMaxSize + 1) * inter::kGpmMaxSize);
    recon::interpolateBlock(*ref, uni[i].mv[l], 0, x, y, w, h, gpmPred_[i].data(), w);
    mc.weightUni(pred, w, gpmPred_[i].data(), w, w, h, kBitDepth);
    int32_t* P = gpmPrefix_[i].data();
    for (int r = 0; r < h; ++r) {
      const Pel* o = org.row(y + r) + x;
      const Pel* p = pred + r * w;
      int32_t* row = P + r * ps;
      row[0] = 0;
      for (int c = 0; c < w; ++c) row[c + 1] = row[c] + std::abs(int(o[c]) - int(p[c]));
      total[i] += row[w];
    }
  }
  // bits of the GPM syntax beyond the merge flags: 6 bypass bins of the partition, the two TR indices
  auto idxBits = [&](int a, int b) {
    const int v1 = b - (b > a ? 1 : 0);
    return 2.0 + 6.0 + double(std::min(a + 1, nG - 1)) + (nG > 2 ? double(std::min(v1 + 1, nG - 2)) : 0.0);
  };
  struct Cand { double cost; uint8_t split, a, b; };
  constexpr int kMaxKeep = 16;
  Cand top[kMaxKeep];
  const int keepN = std::clamp(preset_.numGpmSatd, 1, kMaxKeep);
  int nTop = 0;
  auto offer = [](Cand* list, int& n, int cap, const Cand& c) {  // keeps the cap cheapest, sorted
    int i;
    if (n < cap) {
      i = n++;
    } else {
      i = cap - 1;
      if (!(c.cost < list[i].cost)) return;
    }
    list[i] = c;
    for (; i > 0 && list[i].cost < list[i - 1].cost; --i) std::swap(list[i], list[i - 1]);
  };
  const double sqrtLambda = lam_.sqrtLambda;
  // lambda-weighted index bits per pair, and their minimum: with the list full, a partition mode (or a first
  // candidate) whose cheapest possible pair cannot enter it is skipped (the bound is below every pair's cost, also
  // in floating point, so the list is the one offering every pair would give)
  double pairBits[inter::kMaxMergeCand][inter::kMaxMergeCand];
  double minBits = kInf;
  for (int a = 0; a < nG; ++a)
    for (int b = 0; b < nG; ++b) {
      pairBits[a][b] = sqrtLambda * idxBits(a, b);
      if (a != b) minBits = std::min(minBits, pairBits[a][b]);
    }
  for (int m = 0; m < inter::kGpmNumPartitions; ++m) {
    const GpmRowRuns& runs = gpmRowRuns(w, h, m);
    int64_t costA[inter::kMaxMergeCand];
    int64_t minA = INT64_MAX, minB = INT64_MAX;
    for (int i = 0; i < nG; ++i) {
      if (!valid[i]) continue;
      const int32_t* P = gpmPrefix_[i].data();
      int64_t s = 0;
      for (int r = 0; r < h; ++r) s += P[r * ps + runs.e[r]] - P[r * ps + runs.s[r]];
      costA[i] = s;
      minA = std::min(minA, s);
      minB = std::min(minB, total[i] - s);
    }
    if (nTop == keepN && !(double(minA + minB) + minBits < top[keepN - 1].cost)) continue;
    for (int a = 0; a < nG; ++a) {
      if (!valid[a]) continue;
      if (nTop == keepN && !(double(costA[a] + minB) + minBits < top[keepN - 1].cost)) continue;
      for (int b = 0; b < nG; ++b) {
        if (b == a || !valid[b] || uni[a] == uni[b]) continue;
        const double c = double(costA[a] + (total[b] - costA[b])) + pairBits[a][b];
        offer(top, nTop, keepN, Cand{c, uint8_t(m), uint8_t(a), uint8_t(b)});
      }
    }
  }
  // the best pre-selected pairs blended: SATD of the luma prediction
  const dsp::GpmFunctions& gf = dsp::gpmFunctions();
  alignas(32) uint8_t weights[inter::kGpmMaxSize * inter::kGpmMaxSize];
  Cand best[kMaxKeep];
  const int rdN = std::clamp(preset_.numGpmRd, 1, kMaxKeep);
  int nBest = 0;
  for (int k = 0; k < nTop; ++k) {
    const Cand& t = top[k];
    inter::gpmWeights(t.split, w, h, 0, weights);
    gf.blend(pred, w, gpmPred_[t.a].data(), gpmPred_[t.b].data(), w, weights, w, w, h, kBitDepth);
    const double c = double(dsp::satd(org.row(y) + x, org.stride, pred, w, w, h)) + sqrtLambda * idxBits(t.a, t.b);
    offer(best, nBest, rdN, Cand{c, t.split, t.a, t.b});
  }
  const double limit = preset_.gpmSatdRatio > 0 ? preset_.gpmSatdRatio * mergeSatd : kInf;
  for (int k = 0; k < nBest; ++k) {
    if (best[k].cost >= limit) break;
    cu.merge = true;
    cu.mmvd = false;
    cu.ciip = false;
    cu.gpm = true;
    cu.affine = false;
    cu.gpmSplit = best[k].split;
    cu.gpmIdx[0] = best[k].a;
    cu.gpmIdx[1] = best[k].b;
    cu.motion = uni[best[k].a];
    cu.motionB = uni[best[k].b];
    cu.mergeIdx = 0;
    cu.interDir = 0;
    cu.refIdx[0] = cu.refIdx[1] = -1;
    cu.mvd[0] = cu.mvd[1] = Mv();
    tryInterRd(cu, entry, entryHm, bestJ);
  }
}

}  // namespace search
}  // namespace nnvvc
