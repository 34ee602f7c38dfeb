// Decoder-side motion vector refinement (recon/dmvr.h): the subblock search, the windowed
// motion compensation at the refined MVs, and the refined motion field for TMVP.
#include "recon/dmvr.h"

#include <algorithm>
#include <cstring>

#include "dsp/bdof.h"
#include "dsp/dmvr.h"
#include "dsp/mc.h"
#include "recon/bdof.h"
#include "recon/inter_pred.h"

namespace nnvvc {
namespace recon {
namespace {

constexpr int kRange = 2;                       // integer search range (samples)
constexpr int kSpan = 2 * kRange + 1;           // 5 x 5 integer offsets
constexpr int kInitStride = kDmvrSubblock + 2 * kRange;  // bilinear prediction: (sbW + 4) x (sbH + 4)
// Final MC source window: the unrefined block's 8-tap support [-3, sb + 3] plus 2 samples of
// repeated edge on each side (the refined integer offset is at most 2), plus slack for the
// kernels' reads: positions -5 .. sb + 6.
constexpr int kWinBefore = 3 + kRange;
constexpr int kWinStride = kDmvrSubblock + 2 * kWinBefore + 2;

inline int clampInt(int v, int lo, int hi) { return v < lo ? lo : (v > hi ? hi : v); }

// Copies the rectangle starting at (x0, y0) of n x m samples; each coordinate is first clamped to
// [lo, hi] of its axis (the DMVR window), then into the plane.
void copyWindowed(const Plane& p, int x0, int y0, int n, int m, int wxLo, int wxHi, int wyLo, int wyHi, Pel* dst,
                  ptrdiff_t ds) {
  int cols[kWinStride + 8];
  for (int c = 0; c < n; ++c) cols[c] = clampInt(clampInt(x0 + c, wxLo, wxHi), 0, p.width - 1);
  for (int r = 0; r < m; ++r, dst += ds) {
    const Pel* row = p.row(clampInt(clampInt(y0 + r, wyLo, wyHi), 0, p.height - 1));
    for (int c = 0; c < n; ++c) dst[c] = row[cols[c]];
  }
}

// Parametric error-surface offset (1/16 sample) along one axis from the costs at -1, 0, +1.
int subpelOffset(int64_t s0, int64_t sMinus, int64_t sPlus) {
  const int64_t den = sMinus + sPlus - 2 * s0;
  if (den == 0) return 0;
  if (sMinus == s0) return -8;
  if (sPlus == s0) return 8;
  const int64_t num = (sMinus - sPlus) * 8;  // ((s1 - s2) << 4) >> 1
  int64_t rem = num < 0 ? -num : num;
  int q = 0;
  for (int i = 2; i >= 0; --i) {
    const int64_t div = den << i;
    if (rem >= div) { rem -= div; q += 1 << i; }
  }
  return num < 0 ? -q : q;
}

inline int32_t clipMvStorage(int64_t v) { return int32_t(std::clamp<int64_t>(v, -(1 << 17), (1 << 17) - 1)); }

}  // namespace

bool dmvrApplies(const RefPicLists& refs, const MotionInfo& mi, int curPoc, int w, int h) {
  return bdofApplies(refs, mi, curPoc, w, h);
}

void dmvrRefine(const RefPicLists& refs, const MotionInfo& mi, int x, int y, int w, int h, bool bdofEnabled,
                DmvrRefinement& out) {
  out.sbW = std::min(w, kDmvrSubblock);
  out.sbH = std::min(h, kDmvrSubblock);
  out.numX = w / out.sbW;
  out.numY = h / out.sbH;
  const Plane* pl[2] = {refPlane(refs, mi, 0, 0), refPlane(refs, mi, 1, 0)};
  const int sbW = out.sbW, sbH = out.sbH;
  alignas(32) Pel src[(kInitStride + 1) * (kInitStride + 1)];
  alignas(32) Pel init[2][kInitStride * kInitStride];
  const dsp::DmvrFunctions& kern = dsp::dmvrFunctions();
  for (int j = 0, i = 0; j < out.numY; ++j)
    for (int k = 0; k < out.numX; ++k, ++i) {
      out.delta[i] = Mv();
      out.bdof[i] = false;
      if (!pl[0] || !pl[1]) continue;  // (dmvrApplies() was checked by the caller)
      const int xs = x + k * sbW, ys = y + j * sbH;
      // bilinear prediction of the block extended by kRange on every side, at the merge MVs
      for (int l = 0; l < 2; ++l) {
        const Mv& mv = mi.mv[l];
        const int ix = xs + (mv.x >> 4) - kRange, iy = ys + (mv.y >> 4) - kRange;
        const int n = sbW + 2 * kRange + 1, m = sbH + 2 * kRange + 1;
        copyWindowed(*pl[l], ix, iy, n, m, ix, ix + n - 1, iy, iy + m - 1, src, n);
        kern.bilinear(init[l], kInitStride, src, n, sbW + 2 * kRange, sbH + 2 * kRange, mv.x & 15, mv.y & 15);
      }
      constexpr int64_t kUndef = -1;
      int64_t sad[kSpan * kSpan];
      std::fill(sad, sad + kSpan * kSpan, kUndef);
      auto cost = [&](int dx, int dy) {
        return int64_t(kern.sadEvenRows(init[0] + (kRange + dy) * kInitStride + kRange + dx, kInitStride,
                                       init[1] + (kRange - dy) * kInitStride + kRange - dx, kInitStride, sbW, sbH));
      };
      const int centre = kRange * kSpan + kRange;
      int64_t minCost = cost(0, 0);
      minCost -= minCost >> 2;  // the unrefined position is favoured
      sad[centre] = minCost;
      const bool significant = minCost >= int64_t(sbW) * sbH;
      int bx = 0, by = 0;
      if (significant)
        for (int dy = -kRange; dy <= kRange; ++dy)
          for (int dx = -kRange; dx <= kRange; ++dx) {
            int64_t& s = sad[(dy + kRange) * kSpan + dx + kRange];
            if (s == kUndef) s = cost(dx, dy);
            if (s < minCost) { minCost = s; bx = dx; by = dy; }
          }
      out.bdof[i] = bdofEnabled && minCost >= 2 * int64_t(sbW) * sbH;
      Mv d(bx * 16, by * 16);
      if (significant && std::abs(bx) != kRange && std::abs(by) != kRange) {
        const int b = (by + kRange) * kSpan + bx + kRange;
        d.x += subpelOffset(sad[b], sad[b - 1], sad[b + 1]);
        d.y += subpelOffset(sad[b], sad[b - kSpan], sad[b + kSpan]);
      }
      out.delta[i] = d;
    }
}

MotionInfo dmvrRefinedMotion(const MotionInfo& mi, const DmvrRefinement& ref, int i) {
  MotionInfo r = mi;
  const Mv& d = ref.delta[i];
  r.mv[0] = Mv(clipMvStorage(int64_t(mi.mv[0].x) + d.x), clipMvStorage(int64_t(mi.mv[0].y) + d.y));
  r.mv[1] = Mv(clipMvStorage(int64_t(mi.mv[1].x) - d.x), clipMvStorage(int64_t(mi.mv[1].y) - d.y));
  return r;
}

void predictDmvr(const RefPicLists& refs, const MotionInfo& mi, int x, int y, int w, int h,
                 const DmvrRefinement& ref, Pel* const dst[3], const ptrdiff_t dstStride[3]) {
  const dsp::McFunctions& f = dsp::mcFunctions();
  const dsp::BdofFunctions& fb = dsp::bdofFunctions();
  constexpr int S = dsp::kBdofExtStride;
  alignas(32) Pel win[kWinStride * kWinStride];
  alignas(32) int16_t pred[2][kDmvrSubblock * kDmvrSubblock];
  alignas(32) int16_t ext[2][S * S];
  const int sbW = ref.sbW, sbH = ref.sbH;
  for (int j = 0, i = 0; j < ref.numY; ++j)
    for (int k = 0; k < ref.numX; ++k, ++i) {
      const int ox = k * sbW, oy = j * sbH;
      const MotionInfo rm = dmvrRefinedMotion(mi, ref, i);
      for (int c = 0; c < 3; ++c) {
        const int sh = c ? 1 : 0;           // 4:2:0
        const int fracBits = 4 + sh;        // MV phase bits of the component
        const int before = c ? 1 : 3;       // filter taps before the sample (4-tap / 8-tap)
        const int bw = sbW >> sh, bh = sbH >> sh;
        const int bx = (x + ox) >> sh, by = (y + oy) >> sh;
        const bool bdof = c == 0 && ref.bdof[i];
        for (int l = 0; l < 2; ++l) {
          const Plane* p = refPlane(refs, mi, l, c);
          if (!p) return;
          // window: the unrefined MV's filter support, [-before, b + before + 1] around its integer position
          const int sx = bx + (mi.mv[l].x >> fracBits), sy = by + (mi.mv[l].y >> fracBits);
          const int rx = bx + (rm.mv[l].x >> fracBits), ry = by + (rm.mv[l].y >> fracBits);
          const int x0 = sx - before - kRange, y0 = sy - before - kRange;
          const int n = bw + 2 * (before + kRange) + 2, m = bh + 2 * (before + kRange) + 2;
          copyWindowed(*p, x0, y0, n, m, sx - before, sx + bw + before, sy - before, sy + bh + before, win, n);
          const Pel* s = win + (ry - y0) * n + (rx - x0);
          const int fm = (1 << fracBits) - 1;
          int16_t* d = bdof ? ext[l] + S + 1 : pred[l];
          const ptrdiff_t dsz = bdof ? S : bw;
          (c ? f.interpChroma : f.lumaFor(mi.hpelIfIdx))(d, dsz, s, n, bw, bh, rm.mv[l].x & fm, rm.mv[l].y & fm, kBitDepth);
          if (bdof) bdofFillBorder(*p, rm.mv[l], x + ox, y + oy, bw, bh, ext[l], S);
        }
        Pel* o = dst[c] + (oy >> sh) * dstStride[c] + (ox >> sh);
        if (bdof)
          fb.subblock(o, dstStride[c], ext[0], ext[1], S, bw, bh, kBitDepth);
        else
          f.weightBi(o, dstStride[c], pred[0], bw, pred[1], bw, bw, bh, kBitDepth);
      }
    }
}

void applyDmvrToMotionField(const std::vector<CtuCoding>& ctus, const SliceParams& slice, MotionField& field) {
  if (!slice.dmvr || !slice.refs) return;
  DmvrRefinement ref;
  for (const CtuCoding& cc : ctus)
    for (const CodingUnit& cu : cc.cus) {
      if (!cu.isInter() || !cu.regularMerge() || !dmvrApplies(*slice.refs, cu.motion, slice.poc, cu.w, cu.h)) continue;
      dmvrRefine(*slice.refs, cu.motion, cu.x, cu.y, cu.w, cu.h, false, ref);
      for (int j = 0, i = 0; j < ref.numY; ++j)
        for (int k = 0; k < ref.numX; ++k, ++i)
          if (ref.delta[i] != Mv())
            field.set(cu.x + k * ref.sbW, cu.y + j * ref.sbH, ref.sbW, ref.sbH, dmvrRefinedMotion(cu.motion, ref, i));
    }
}

}  // namespace recon
}  // namespace nnvvc
