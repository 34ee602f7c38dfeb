// Inter sample prediction (H.266 8.5.6.3 fractional sample interpolation and 8.5.6.6.2 default
// weighted sample prediction) on top of the dsp mc kernels (dsp/mc.h).
//
// Reference sample padding: 8.5.6.3.2/3 clamp every reference coordinate into the picture. When
// the block's filter support lies inside the reference plane the kernels read the plane
// directly; otherwise the support is first copied, with clamped coordinates, into a local
// window, so the kernels always read a plain rectangle.
#include "recon/inter_pred.h"

#include <algorithm>
#include <cstring>

#include "dsp/gpm.h"
#include "dsp/mc.h"
#include "inter/gpm.h"
#include "recon/bdof.h"
#include "recon/dmvr.h"
#include "inter/affine.h"
#include "inter/sbtmvp.h"

namespace nnvvc {
namespace recon {
namespace {

constexpr int kMaxBlock = dsp::kMcMaxLumaBlock;
constexpr int kMaxWindow = kMaxBlock + dsp::kMcLumaTaps - 1;

inline int clampInt(int v, int lo, int hi) { return v < lo ? lo : (v > hi ? hi : v); }

// Copies the rectangle (x0, y0, w, h) of `plane`, coordinates clamped into the plane, to dst.
void copyClamped(const Plane& plane, int x0, int y0, int w, int h, Pel* dst, ptrdiff_t ds) {
  const int maxX = plane.width - 1, maxY = plane.height - 1;
  // Columns [inL, inR) of the rectangle map to themselves; the rest repeat an edge sample.
  const int inL = clampInt(-x0, 0, w), inR = clampInt(plane.width - x0, inL, w);
  for (int r = 0; r < h; ++r, dst += ds) {
    const Pel* row = plane.row(clampInt(y0 + r, 0, maxY));
    const Pel left = row[0], right = row[maxX];
    for (int c = 0; c < inL; ++c) dst[c] = left;
    if (inR > inL) std::memcpy(dst + inL, row + x0 + inL, size_t(inR - inL) * sizeof(Pel));
    for (int c = inR; c < w; ++c) dst[c] = right;
  }
}

// Reference block position of component cIdx: integer part and fraction (8.5.6.3.1). Luma MVs
// are in 1/16 sample; in 4:2:0 the same vector is in 1/32 chroma sample.
struct RefPos {
  int xInt, yInt, xFrac, yFrac;
};
inline RefPos refPos(const Mv& mv, int cIdx, int x, int y) {
  const int fracBits = cIdx ? 5 : 4, fracMask = (1 << fracBits) - 1;
  return {x + (mv.x >> fracBits), y + (mv.y >> fracBits), mv.x & fracMask, mv.y & fracMask};
}

// Sample rectangle the filter reads for a w x h block at `p`: taps/2 - 1 before and taps/2
// after along each direction whose fraction is non-zero.
struct Support {
  int x0, y0, w, h, offX, offY;  // offX/offY: block origin inside the rectangle
};
inline Support support(const RefPos& p, int cIdx, int w, int h) {
  const int taps = cIdx ? dsp::kMcChromaTaps : dsp::kMcLumaTaps;
  const int before = taps / 2 - 1;
  Support s;
  s.offX = p.xFrac ? before : 0;
  s.offY = p.yFrac ? before : 0;
  s.x0 = p.xInt - s.offX;
  s.y0 = p.yInt - s.offY;
  s.w = w + (p.xFrac ? taps - 1 : 0);
  s.h = h + (p.yFrac ? taps - 1 : 0);
  return s;
}

inline bool inside(const Plane& plane, const Support& s) {
  return s.x0 >= 0 && s.y0 >= 0 && s.x0 + s.w <= plane.width && s.y0 + s.h <= plane.height;
}

// Interpolates the w x h block of list l into the biased 14-bit intermediate (dsp/mc.h) with kernel fn.
void interpolateWith(dsp::McInterpFn fn, const Plane& plane, const Mv& mv, int cIdx, int x, int y, int w, int h,
                     int16_t* dst, ptrdiff_t ds) {
  const RefPos p = refPos(mv, cIdx, x, y);
  const Support s = support(p, cIdx, w, h);
  const Pel* src;
  ptrdiff_t ss;
  alignas(32) Pel window[kMaxWindow * kMaxWindow];
  if (inside(plane, s)) {
    src = plane.row(p.yInt) + p.xInt;
    ss = plane.stride;
  } else {
    copyClamped(plane, s.x0, s.y0, s.w, s.h, window, s.w);
    src = window + s.offY * s.w + s.offX;
    ss = s.w;
  }
  fn(dst, ds, src, ss, w, h, p.xFrac, p.yFrac, kBitDepth);
}

// altHpel: hpelIfIdx 1 (luma half-sample positions take the alternative filter)
void interpolate(const dsp::McFunctions& f, const Plane& plane, const Mv& mv, int cIdx, int x,
                 int y, int w, int h, int16_t* dst, ptrdiff_t ds, bool altHpel) {
  interpolateWith(cIdx ? f.interpChroma : f.lumaFor(altHpel), plane, mv, cIdx, x, y, w, h, dst, ds);
}

// PROF (8.5.6.4) of one 4x4 luma subblock of an affine CU: pred (the biased intermediate of its interpolation, dsp/mc.h)
// gains dI = diffMvX * gX + diffMvY * gY per sample, the gradients taken on the prediction extended by one sample on
// each side, those border samples being the reference's integer samples nearest to the fractional position (xFrac and
// yFrac rounded to 0 or 1), in the same intermediate scale. diffMv (1/32 sample per sample step, clipped to +-31) is
// the same for every subblock: dMvX / dMvY [j * 4 + i].
void applyProf(const Plane& plane, const Mv& mv, int xSb, int ySb, const int* dMvX, const int* dMvY, int16_t* pred,
               ptrdiff_t ps) {
  constexpr int kShift = 14 - kBitDepth;  // intermediate precision: samples << 4 (IF_INTERNAL_FRAC_BITS)
  const RefPos p = refPos(mv, 0, xSb, ySb);
  const int xo = p.xInt + (p.xFrac >> 3), yo = p.yInt + (p.yFrac >> 3);
  const int maxX = plane.width - 1, maxY = plane.height - 1;
  auto border = [&](int xx, int yy) {
    return (int(plane.row(clampInt(yy, 0, maxY))[clampInt(xx, 0, maxX)]) << kShift) - dsp::kMcPrepBias;
  };
  int ext[6][6];  // [row][column], the subblock at [1..4][1..4]; corners unused
  for (int j = 0; j < 4; ++j)
    for (int i = 0; i < 4; ++i) ext[j + 1][i + 1] = pred[j * ps + i];
  for (int k = 0; k < 4; ++k) {
    ext[0][k + 1] = border(xo + k, yo - 1);
    ext[5][k + 1] = border(xo + k, yo + 4);
    ext[k + 1][0] = border(xo - 1, yo + k);
    ext[k + 1][5] = border(xo + 4, yo + k);
  }
  constexpr int kLimit = 1 << std::max(kBitDepth + 1, 13);
  for (int j = 0; j < 4; ++j)
    for (int i = 0; i < 4; ++i) {
      // gradients with shift1 = 6 (of the biased values: 8192 is a multiple of 64, so the differences are the spec's)
      const int gx = (ext[j + 1][i + 2] >> 6) - (ext[j + 1][i] >> 6);
      const int gy = (ext[j + 2][i + 1] >> 6) - (ext[j][i + 1] >> 6);
      const int dI = clampInt(dMvX[j * 4 + i] * gx + dMvY[j * 4 + i] * gy, -kLimit, kLimit - 1);
      pred[j * ps + i] = int16_t(pred[j * ps + i] + dI);  // int16 as the reference decoder keeps it
    }
}

void fillGrey(Pel* dst, ptrdiff_t ds, int w, int h) {
  for (int r = 0; r < h; ++r, dst += ds)
    for (int c = 0; c < w; ++c) dst[c] = Pel(1 << (kBitDepth - 1));
}

}  // namespace

// The reference plane of list l, or nullptr when the motion names no usable picture (a
// conforming stream never does that; the parser should already have rejected it).
const Plane* refPlane(const RefPicLists& refs, const MotionInfo& mi, int l, int cIdx) {
  const int idx = mi.refIdx[l];
  if (idx < 0 || idx >= refs.num[l] || idx >= RefPicLists::kMaxRefs) return nullptr;
  const Picture* pic = refs.ref[l][idx].pic;
  if (!pic) return nullptr;
  const Plane& plane = pic->planes[cIdx];
  if (plane.width <= 0 || plane.height <= 0 || plane.data.empty()) return nullptr;
  return &plane;
}

void predictInterComponent(const RefPicLists& refs, const MotionInfo& mi, int cIdx, int x, int y,
                           int w, int h, Pel* dst, ptrdiff_t dstStride) {
  if (w <= 0 || h <= 0) return;
  if (w > kMaxBlock || h > kMaxBlock || cIdx < 0 || cIdx > 2) {  // outside the contract
    fillGrey(dst, dstStride, w < kMaxBlock ? w : kMaxBlock, h < kMaxBlock ? h : kMaxBlock);
    return;
  }
  const dsp::McFunctions& f = dsp::mcFunctions();
  const Plane* planes[2] = {nullptr, nullptr};
  int numUsed = 0;
  for (int l = 0; l < 2; ++l)
    if (mi.predFlag(l)) {
      planes[l] = refPlane(refs, mi, l, cIdx);
      if (!planes[l]) { fillGrey(dst, dstStride, w, h); return; }
      ++numUsed;
    }
  if (numUsed == 0) { fillGrey(dst, dstStride, w, h); return; }

  alignas(32) int16_t pred[2][kMaxBlock * kMaxBlock];
  if (numUsed == 1) {
    const int l = planes[0] ? 0 : 1;
    const Plane& plane = *planes[l];
    const RefPos p = refPos(mi.mv[l], cIdx, x, y);
    if (!p.xFrac && !p.yFrac) {
      // Integer position, uni: ((s << shift3) + offset1) >> shift1 == s (shift3 == shift1 for
      // bit depths up to 12), so the prediction is the (clamped) reference block itself.
      const Support s = support(p, cIdx, w, h);
      if (inside(plane, s)) {
        const Pel* src = plane.row(p.yInt) + p.xInt;
        for (int r = 0; r < h; ++r, src += plane.stride, dst += dstStride)
          std::memcpy(dst, src, size_t(w) * sizeof(Pel));
      } else {
        copyClamped(plane, p.xInt, p.yInt, w, h, dst, dstStride);
      }
      return;
    }
    interpolate(f, plane, mi.mv[l], cIdx, x, y, w, h, pred[0], w, mi.hpelIfIdx);
    f.weightUni(dst, dstStride, pred[0], w, w, h, kBitDepth);
    return;
  }
  interpolate(f, *planes[0], mi.mv[0], cIdx, x, y, w, h, pred[0], w, mi.hpelIfIdx);
  interpolate(f, *planes[1], mi.mv[1], cIdx, x, y, w, h, pred[1], w, mi.hpelIfIdx);
  if (mi.bcwIdx > 0 && mi.bcwIdx < kBcwNumWeights)
    f.weightBcw(dst, dstStride, pred[0], w, pred[1], w, w, h, kBcwWeightL1[mi.bcwIdx], kBitDepth);
  else
    f.weightBi(dst, dstStride, pred[0], w, pred[1], w, w, h, kBitDepth);
}

void interpolateBlock(const Plane& plane, const Mv& mv, int cIdx, int x, int y, int w, int h,
                      int16_t* dst, ptrdiff_t ds, bool altHpel) {
  interpolate(dsp::mcFunctions(), plane, mv, cIdx, x, y, w, h, dst, ds, altHpel);
}

void predictInter(const RefPicLists& refs, const MotionInfo& mi, int x, int y, int w, int h,
                  Pel* const dst[3], const ptrdiff_t dstStride[3]) {
  predictInter(refs, mi, x, y, w, h, dst, dstStride, InterPredTools{});
}

void predictInter(const RefPicLists& refs, const MotionInfo& motion, int x, int y, int w, int h,
                  Pel* const dst[3], const ptrdiff_t dstStride[3], const InterPredTools& tools) {
  MotionInfo mi = motion;
  if (!tools.bcw) mi.bcwIdx = 0;
  if (tools.dmvr && w <= kMaxBlock && h <= kMaxBlock && dmvrApplies(refs, mi, tools.curPoc, w, h)) {
    DmvrRefinement ref;
    dmvrRefine(refs, mi, x, y, w, h, tools.bdof, ref);
    predictDmvr(refs, mi, x, y, w, h, ref, dst, dstStride);
    return;
  }
  if (tools.bdof && bdofApplies(refs, mi, tools.curPoc, w, h) && w <= kMaxBlock && h <= kMaxBlock)
    predictBdofLuma(refs, mi, x, y, w, h, dst[0], dstStride[0]);  // luma only (8.5.6.1)
  else
    predictInterComponent(refs, mi, 0, x, y, w, h, dst[0], dstStride[0]);
  for (int c = 1; c < 3; ++c)  // 4:2:0: chroma block at half position and size
    predictInterComponent(refs, mi, c, x >> 1, y >> 1, w >> 1, h >> 1, dst[c], dstStride[c]);
}

void predictSbTmvp(const RefPicLists& refs, const MotionInfo* sub, int x, int y, int w, int h, Pel* const dst[3],
                   const ptrdiff_t dstStride[3], int numComp) {
  constexpr int sb = inter::kSbTmvpSubblock;
  const int nx = w / sb, ny = h / sb;
  for (int j = 0; j < ny; ++j)
    for (int i = 0; i < nx;) {
      // a run of subblocks with the same motion is one block: the samples do not depend on the block size
      const MotionInfo& mi = sub[j * nx + i];
      int run = 1;
      while (i + run < nx && sub[j * nx + i + run] == mi) ++run;
      Pel* d0 = dst[0] + (j * sb) * dstStride[0] + i * sb;
      if (numComp == 1) {
        predictInterComponent(refs, mi, 0, x + i * sb, y + j * sb, run * sb, sb, d0, dstStride[0]);
      } else {
        Pel* d[3] = {d0, dst[1] + (j * sb / 2) * dstStride[1] + i * sb / 2,
                     dst[2] + (j * sb / 2) * dstStride[2] + i * sb / 2};
        predictInter(refs, mi, x + i * sb, y + j * sb, run * sb, sb, d, dstStride, InterPredTools{});
      }
      i += run;
    }
}

void predictInterCu(const SliceParams& slice, int log2CtuSize, const CodingUnit& cu, Pel* const dst[3],
                    const ptrdiff_t dstStride[3]) {
  static const RefPicLists kNoRefs;
  const RefPicLists& refs = slice.refs ? *slice.refs : kNoRefs;
  if (cu.affine && cu.sbTmvp()) {
    MotionInfo sub[inter::kMaxSbTmvpSubblocks];
    inter::sbTmvpSubblockMotion(slice, log2CtuSize, cu.x, cu.y, cu.w, cu.h, cu.sbTmvpMotion, sub);
    predictSbTmvp(refs, sub, cu.x, cu.y, cu.w, cu.h, dst, dstStride);
  } else if (cu.affine) {
    predictAffine(refs, cu.aff, cu.x, cu.y, cu.w, cu.h, dst, dstStride, 3, false, slice.prof);
  } else if (cu.gpm) {
    predictGpm(refs, cu.gpmSplit, cu.motion, cu.motionB, cu.x, cu.y, cu.w, cu.h, dst, dstStride);
  } else {
    predictInter(refs, cu.motion, cu.x, cu.y, cu.w, cu.h, dst, dstStride, interToolsOf(slice, cu));
  }
}

void predictAffine(const RefPicLists& refs, const AffineMotion& am, int x, int y, int w, int h,
                   Pel* const dst[3], const ptrdiff_t dstStride[3], int numComp, bool approximate, bool prof) {
  const dsp::McFunctions& f = dsp::mcFunctions();
  const dsp::McInterpFn lumaFn = approximate ? f.interpLuma : f.interpLumaAffine;
  constexpr int sb = inter::kAffineSubblock;
  if (w < 8 || h < 8 || w > kMaxBlock || h > kMaxBlock || !am.interDir) {
    fillGrey(dst[0], dstStride[0], std::min(w, kMaxBlock), std::min(h, kMaxBlock));
    for (int c = 1; c < numComp; ++c) fillGrey(dst[c], dstStride[c], std::min(w, kMaxBlock) >> 1, std::min(h, kMaxBlock) >> 1);
    return;
  }
  MotionInfo mi = inter::affineCuMotion(am);
  const int nx = w / sb, ny = h / sb;
  alignas(32) static thread_local int16_t pred[2][3][kMaxBlock * kMaxBlock];
  static thread_local Mv mvs[kMaxBlock / 4 * kMaxBlock / 4];
  int numUsed = 0;
  for (int l = 0; l < 2; ++l) {
    if (!am.predFlag(l)) continue;
    const Plane* planes[3];
    for (int c = 0; c < numComp; ++c) {
      planes[c] = refPlane(refs, mi, l, c);
      if (!planes[c]) {
        for (int k = 0; k < numComp; ++k) fillGrey(dst[k], dstStride[k], k ? w >> 1 : w, k ? h >> 1 : h);
        return;
      }
    }
    inter::affineSubblockMvs(am, l, w, h, mvs);
    // PROF for this list: not where the model is a translation or the bandwidth fallback gave every subblock one MV
    const inter::AffineModel m = inter::affineModel(am, l, w, h);
    const bool profHere = prof && !(m.dHorX == 0 && m.dHorY == 0 && m.dVerX == 0 && m.dVerY == 0) &&
                          !inter::affineFallback(m, am.interDir);
    int dMvX[16], dMvY[16];
    if (profHere)
      for (int j = 0; j < 4; ++j)
        for (int i = 0; i < 4; ++i) {
          // diffMv at the sample's offset from the subblock centre, in half samples (2i - 3), rounded by 7 bits
          // (halves towards zero) and clipped to +-31
          const int wx = 2 * i - 3, wy = 2 * j - 3;
          const int hx = wx * m.dHorX + wy * m.dVerX, vy = wx * m.dHorY + wy * m.dVerY;
          dMvX[j * 4 + i] = clampInt((hx + (hx >= 0 ? 63 : 64)) >> 7, -31, 31);
          dMvY[j * 4 + i] = clampInt((vy + (vy >= 0 ? 63 : 64)) >> 7, -31, 31);
        }
    for (int j = 0; j < ny; ++j)
      for (int i = 0; i < nx; ++i) {
        int16_t* p = pred[numUsed][0] + (j * sb) * w + i * sb;
        interpolateWith(lumaFn, *planes[0], mvs[j * nx + i], 0, x + i * sb, y + j * sb, sb, sb, p, w);
        if (profHere) applyProf(*planes[0], mvs[j * nx + i], x + i * sb, y + j * sb, dMvX, dMvY, p, w);
      }
    // 4:2:0: one 4x4 chroma subblock per 8x8 luma area, MV the mean of its top-left and bottom-right luma subblocks
    const int cw = w >> 1;
    for (int j = 0; numComp > 1 && j + 1 < ny; j += 2)
      for (int i = 0; i + 1 < nx; i += 2) {
        const Mv mvC = inter::affineChromaMv(mvs, nx, i, j);
        for (int c = 1; c < 3; ++c)
          interpolateWith(f.interpChroma, *planes[c], mvC, c, (x >> 1) + i * 2, (y >> 1) + j * 2, sb, sb,
                          pred[numUsed][c] + (j * 2) * cw + i * 2, cw);
      }
    ++numUsed;
  }
  for (int c = 0; c < numComp; ++c) {
    const int cw = c ? w >> 1 : w, ch = c ? h >> 1 : h;
    if (numUsed == 1) f.weightUni(dst[c], dstStride[c], pred[0][c], cw, cw, ch, kBitDepth);
    else if (am.bcwIdx > 0 && am.bcwIdx < kBcwNumWeights)
      f.weightBcw(dst[c], dstStride[c], pred[0][c], cw, pred[1][c], cw, cw, ch, kBcwWeightL1[am.bcwIdx], kBitDepth);
    else f.weightBi(dst[c], dstStride[c], pred[0][c], cw, pred[1][c], cw, cw, ch, kBitDepth);
  }
}

void predictGpm(const RefPicLists& refs, int split, const MotionInfo& a, const MotionInfo& b, int x, int y, int w,
                int h, Pel* const dst[3], const ptrdiff_t dstStride[3]) {
  if (w < inter::kGpmMinSize || h < inter::kGpmMinSize || w > inter::kGpmMaxSize || h > inter::kGpmMaxSize) {
    for (int c = 0; c < 3; ++c) fillGrey(dst[c], dstStride[c], c ? w >> 1 : w, c ? h >> 1 : h);  // outside the contract
    return;
  }
  const dsp::McFunctions& f = dsp::mcFunctions();
  const dsp::GpmFunctions& g = dsp::gpmFunctions();
  constexpr int kMax = inter::kGpmMaxSize;
  alignas(32) int16_t pa[kMax * kMax], pb[kMax * kMax];
  alignas(32) uint8_t weights[kMax * kMax];
  for (int c = 0; c < 3; ++c) {
    const int sh = c ? 1 : 0, cw = w >> sh, ch = h >> sh;
    const int la = a.predFlag(0) ? 0 : 1, lb = b.predFlag(0) ? 0 : 1;
    const Plane* planeA = a.isInter() ? refPlane(refs, a, la, c) : nullptr;
    const Plane* planeB = b.isInter() ? refPlane(refs, b, lb, c) : nullptr;
    if (!planeA || !planeB) { fillGrey(dst[c], dstStride[c], cw, ch); continue; }
    // (GPM parts interpolate with hpelIfIdx 0, as VTM-23.2 does: its GPM candidates drop the flag)
    interpolate(f, *planeA, a.mv[la], c, x >> sh, y >> sh, cw, ch, pa, cw, false);
    interpolate(f, *planeB, b.mv[lb], c, x >> sh, y >> sh, cw, ch, pb, cw, false);
    inter::gpmWeights(split, w, h, c, weights);
    g.blend(dst[c], dstStride[c], pa, pb, cw, weights, cw, cw, ch, kBitDepth);
  }
}

}  // namespace recon
}  // namespace nnvvc
