#include "analysis/temporal_feature.h"

#include <algorithm>
#include <cstdlib>
#include <limits>

#include "dsp/dsp.h"

namespace nnvvc::analysis {

namespace {

constexpr int kB = kMcFeatureBlock;
constexpr int kMargin = 4 * kMcFeatureRangeQ + kMcFeatureRefine;  // the largest full-resolution displacement

// `q` = the rounded 4x4 means of `a` (its interior), with `margin` replicated samples.
void quarter(const PaddedPlane& a, int margin, PaddedPlane& q) {
  const int w = a.width / 4, h = a.height / 4;
  q.alloc(w, h, margin);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      int s = 0;
      for (int j = 0; j < 4; ++j) {
        const Pel* r = a.at(4 * x, 4 * y + j);
        s += r[0] + r[1] + r[2] + r[3];
      }
      q.at(x, y)[0] = Pel((s + 8) >> 4);
    }
  q.extendBorders();
}

// The block at (bx, by)'s full-resolution vector of `cur` in the reference (`refQ`: its quarter-resolution plane
// with kMcFeatureRangeQ margin, `refM`: full resolution with kMargin).
void searchBlock(const PaddedPlane& cur, const PaddedPlane& curQ, const PaddedPlane& refQ, const PaddedPlane& refM, int bx, int by, int& mx,
                 int& my) {
  constexpr int side = 2 * kMcFeatureRangeQ + 1, zero = kMcFeatureRangeQ * side + kMcFeatureRangeQ;
  constexpr int rside = 2 * kMcFeatureRefine + 1;
  int cb[16];
  for (int j = 0; j < 4; ++j)
    for (int i = 0; i < 4; ++i) cb[4 * j + i] = curQ.at(4 * bx, 4 * by + j)[i];
  // the least (cost, raster index); the zero vector first so that the partial sums of the others can stop once
  // they exceed the best (which cannot change the result)
  int best = std::numeric_limits<int>::max(), bestIdx = zero, bdx = 0, bdy = 0;
  for (int k = -1; k < side * side; ++k) {
    if (k == zero) continue;
    const int idx = k < 0 ? zero : k;
    const int dy = idx / side - kMcFeatureRangeQ, dx = idx % side - kMcFeatureRangeQ;
    int cost = kMcFeatureLambda * 4 * (std::abs(dx) + std::abs(dy));
    for (int j = 0; j < 4 && cost <= best; ++j) {
      const Pel* r = refQ.at(4 * bx + dx, 4 * by + dy + j);
      cost += 16 * (std::abs(cb[4 * j] - r[0]) + std::abs(cb[4 * j + 1] - r[1]) + std::abs(cb[4 * j + 2] - r[2]) +
                    std::abs(cb[4 * j + 3] - r[3]));
    }
    if (cost < best || (cost == best && idx < bestIdx)) { best = cost; bestIdx = idx; bdx = dx; bdy = dy; }
  }
  const dsp::DistFunctions& dist = dsp::distFunctions();
  const int cx = 4 * bdx, cy = 4 * bdy;
  uint64_t bestFine = std::numeric_limits<uint64_t>::max();
  mx = cx; my = cy;
  for (int idx = 0; idx < rside * rside; ++idx) {  // raster order, strict <: ties to the first
    const int x = cx + idx % rside - kMcFeatureRefine, y = cy + idx / rside - kMcFeatureRefine;
    const uint64_t cost = uint64_t(kMcFeatureLambda) * uint64_t(std::abs(x) + std::abs(y)) +
                          dist.sad(cur.at(bx * kB, by * kB), cur.stride, refM.at(bx * kB + x, by * kB + y), refM.stride, kB, kB);
    if (cost < bestFine) { bestFine = cost; mx = x; my = y; }
  }
}

}  // namespace

void mcTemporalFeature(const LumaView& cur, const std::vector<LumaView>& refs, std::vector<uint16_t>& out,
                       McFeatureWorkspace& ws) {
  const int w = cur.width, h = cur.height;
  out.assign(size_t(std::max(w, 0)) * size_t(std::max(h, 0)), 0);
  if (refs.empty() || w <= 0 || h <= 0) return;
  const int pw = (w + kB - 1) / kB * kB, ph = (h + kB - 1) / kB * kB, bw = pw / kB, bh = ph / kB;
  ws.cur.assign(cur.samples, w, w, h, pw, ph, 0);
  quarter(ws.cur, 0, ws.curQ);
  // each reference's prediction of the padded picture (pw x ph, no margin): preds[1], preds[2]
  const size_t n = size_t(pw) * size_t(ph);
  for (size_t r = 0; r < refs.size() && r < 2; ++r) {
    ws.refM.assign(refs[r].samples, w, w, h, pw, ph, kMargin);
    ws.refFull.assign(refs[r].samples, w, w, h, pw, ph, 0);
    quarter(ws.refFull, kMcFeatureRangeQ, ws.refQ);
    std::vector<Pel>& pred = ws.preds[1 + r];
    pred.resize(n);
    for (int by = 0; by < bh; ++by)
      for (int bx = 0; bx < bw; ++bx) {
        int mx = 0, my = 0;
        searchBlock(ws.cur, ws.curQ, ws.refQ, ws.refM, bx, by, mx, my);
        for (int j = 0; j < kB; ++j) {
          const Pel* s = ws.refM.at(bx * kB + mx, by * kB + j + my);
          std::copy(s, s + kB, pred.data() + size_t(by * kB + j) * size_t(pw) + size_t(bx * kB));
        }
      }
  }
  // the candidates in the order tried: the bi average first (two references), then each reference
  std::vector<const Pel*> cands;
  if (refs.size() >= 2) {
    std::vector<Pel>& bi = ws.preds[0];
    bi.resize(n);
    for (size_t i = 0; i < n; ++i) bi[i] = Pel((ws.preds[1][i] + ws.preds[2][i] + 1) >> 1);
    cands = {bi.data(), ws.preds[1].data(), ws.preds[2].data()};
  } else {
    cands = {ws.preds[1].data()};
  }
  const dsp::DistFunctions& dist = dsp::distFunctions();
  for (int by = 0; by < bh; ++by)
    for (int bx = 0; bx < bw; ++bx) {
      const size_t o = size_t(by * kB) * size_t(pw) + size_t(bx * kB);
      const Pel* pick = cands[0] + o;
      uint64_t best = std::numeric_limits<uint64_t>::max();
      for (const Pel* p : cands) {
        const uint64_t s = dist.sad(ws.cur.at(bx * kB, by * kB), ws.cur.stride, p + o, pw, kB, kB);
        if (s < best) { best = s; pick = p + o; }
      }
      for (int j = 0; j < kB && by * kB + j < h; ++j) {
        const Pel* cr = ws.cur.at(bx * kB, by * kB + j);
        const Pel* pr = pick + size_t(j) * size_t(pw);
        uint16_t* d = out.data() + size_t(by * kB + j) * size_t(w);
        for (int i = 0; i < kB && bx * kB + i < w; ++i) d[bx * kB + i] = uint16_t(std::abs(cr[i] - pr[i]));
      }
    }
}

}  // namespace nnvvc::analysis
