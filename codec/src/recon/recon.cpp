#include "recon/recon.h"

#include <algorithm>
#include <cstdlib>

#include "dsp/dep_quant.h"
#include "dsp/dsp.h"
#include "dsp/lfnst.h"
#include "dsp/mip.h"
#include "recon/cclm.h"
#include "recon/inter_pred.h"
#include "common/slice_params.h"

namespace nnvvc {
namespace recon {

void gatherReferences(const Picture& pic, const CuMap& map, int cIdx, int x, int y, int w, int h,
                      Pel* top, Pel* left, int refIdx) {
  const Plane& pl = pic.planes[cIdx];
  const int sc = cIdx ? 1 : 0;           // component -> luma coordinate shift (4:2:0)
  const int unit = 4 >> sc;              // samples per 4x4-luma availability unit
  const int n = refIdx;                  // the line: n rows / columns further out (MRL, luma only)
  uint8_t availTop[2 * 64 + 3], availLeft[2 * 64 + 3];
  auto avail = [&](int cx, int cy) -> bool {
    if (cx < 0 || cy < 0 || cx >= pl.width || cy >= pl.height) return false;
    return cIdx ? map.chromaAvailable(cx << sc, cy << sc) : map.lumaAvailable(cx, cy);
  };
  // the corner p[-1-n][-1-n] and the n samples on each side of it up to line 0's corner position share the
  // above-left unit's availability
  const bool corner = avail(x - 1, y - 1);
  for (int i = 0; i <= n; ++i) {
    availTop[i] = availLeft[i] = corner;
    top[i] = corner ? pl.at(x - 1 - n + i, y - 1 - n) : 0;
    left[i] = corner ? pl.at(x - 1 - n, y - 1 - n + i) : 0;
  }
  // x, y are multiples of `unit` (blocks are aligned to the 4x4 luma grid), so availability is
  // constant over runs of `unit` samples; a line further out shares the units of line 0.
  if (y > 0) {
    const Pel* row = pl.row(y - 1 - n);
    for (int i = 0; i < 2 * w; i += unit) {
      const bool a = avail(x + i, y - 1);
      for (int k = i; k < i + unit && k < 2 * w; ++k) { availTop[1 + n + k] = a; top[1 + n + k] = a ? row[x + k] : 0; }
    }
  } else {
    for (int i = 0; i < 2 * w; ++i) { availTop[1 + n + i] = 0; top[1 + n + i] = 0; }
  }
  if (x > 0) {
    for (int j = 0; j < 2 * h; j += unit) {
      const bool a = avail(x - 1, y + j);
      for (int k = j; k < j + unit && k < 2 * h; ++k) { availLeft[1 + n + k] = a; left[1 + n + k] = a ? pl.at(x - 1 - n, y + k) : 0; }
    }
  } else {
    for (int j = 0; j < 2 * h; ++j) { availLeft[1 + n + j] = 0; left[1 + n + j] = 0; }
  }
  dsp::intraSubstituteRefLine(top, availTop, 2 * w + n, left, availLeft, 2 * h + n, kBitDepth);
}

void predictBlock(const Picture& pic, const CuMap& map, int cIdx, int x, int y, int w, int h,
                  int mode, Pel* dst, ptrdiff_t dstStride, int refIdx) {
  if (cIdx > 0 && isCclmMode(mode)) {
    predictCclm(pic, map, cIdx, x, y, w, h, mode, map.log2CtuSize(), dst, dstStride);
    return;
  }
  Pel top[2 * 64 + 3], left[2 * 64 + 3];
  const int line = cIdx == 0 ? refIdx : 0;
  gatherReferences(pic, map, cIdx, x, y, w, h, top, left, line);
  if (cIdx == 0 && isMipPredMode(mode)) {  // MIP: line 0, unfiltered
    const int m = mode - kMipModeBase;
    dsp::mipPredict(m & 31, m >= 32, top, left, w, h, kBitDepth, dst, dstStride);
  } else if (line > 0) {
    dsp::intraPredictRefLine(mode, line, top, left, w, h, kBitDepth, dst, dstStride);
  } else {
    dsp::intraPredict(mode, top, left, w, h, cIdx, kBitDepth, dst, dstStride);
  }
}

void dequantTb(const TCoeff* levels, int w, int h, int qpPrime, bool depQuant, TCoeff* coeffOut) {
  if (depQuant) dsp::dequantDependent(levels, w, h, qpPrime, kBitDepth, coeffOut);
  else dsp::dequant(levels, w, h, qpPrime, kBitDepth, coeffOut);
}

void inverseLfnst(TCoeff* coeff, int w, int h, int lfnstIdx, int mode, int angleW, int angleH) {
  if (lfnstIdx <= 0 || w < 4 || h < 4) return;
  dsp::lfnstInverse(coeff, w, h, lfnstIdx, dsp::intraWideAngleMode(mode, angleW ? angleW : w, angleH ? angleH : h));
}

void predictIspPart(const Picture& pic, const CuMap& map, const CodingUnit& cu, int t, Pel* dst, ptrdiff_t dstStride) {
  const TransformUnit& tu = cu.tus[t];
  int px = tu.x, pw = tu.w;
  const int py = tu.y, ph = tu.h;
  if (cu.ispVer() && pw < 4) { px = cu.x + ((tu.x - cu.x) & ~3); pw = 4; }
  const Plane& pl = pic.planes[0];
  const int refW = cu.w + pw, refH = cu.h + ph;
  auto avail = [&](int sx, int sy) -> bool {
    if (sx < 0 || sy < 0 || sx >= pl.width || sy >= pl.height) return false;
    if (sx >= cu.x && sx < cu.x + cu.w && sy >= cu.y && sy < cu.y + cu.h) return cu.ispVer() ? sx < px : sy < py;
    return map.lumaAvailable(sx, sy);
  };
  Pel top[2 * 64 + 3], left[2 * 64 + 3];
  uint8_t availTop[2 * 64 + 3], availLeft[2 * 64 + 3];
  const bool corner = avail(px - 1, py - 1);
  availTop[0] = availLeft[0] = corner;
  top[0] = left[0] = corner ? pl.at(px - 1, py - 1) : 0;
  for (int i = 0; i < refW; ++i) {
    const bool a = avail(px + i, py - 1);
    availTop[1 + i] = a;
    top[1 + i] = a ? pl.at(px + i, py - 1) : 0;
  }
  for (int j = 0; j < refH; ++j) {
    const bool a = avail(px - 1, py + j);
    availLeft[1 + j] = a;
    left[1 + j] = a ? pl.at(px - 1, py + j) : 0;
  }
  dsp::intraSubstituteRefLine(top, availTop, refW, left, availLeft, refH, kBitDepth);
  if (pw == tu.w) {
    dsp::intraPredictIsp(cu.lumaMode, top, left, pw, ph, cu.w, cu.h, kBitDepth, dst, dstStride);
    return;
  }
  Pel region[4 * 64];
  dsp::intraPredictIsp(cu.lumaMode, top, left, pw, ph, cu.w, cu.h, kBitDepth, region, pw);
  const int off = tu.x - px;
  for (int y = 0; y < ph; ++y)
    for (int x = 0; x < tu.w; ++x) dst[y * dstStride + x] = region[y * pw + off + x];
}

void addIspResidual(Picture& pic, const CodingUnit& cu, int t, const TCoeff* levels, int qpPrime, bool depQuant,
                    bool mtsEnabled) {
  if (!levels) return;
  const TransformUnit& tu = cu.tus[t];
  Plane& pl = pic.planes[0];
  Pel* dst = pl.row(tu.y) + tu.x;
  alignas(32) TCoeff coeff[64 * 64];
  alignas(32) Pel resid[64 * 64];
  dequantTb(levels, tu.w, tu.h, qpPrime, depQuant, coeff);
  inverseLfnst(coeff, tu.w, tu.h, cu.lfnstIdx, cu.lumaMode, cu.w, cu.h);
  const TbKernels k = ispKernels(mtsEnabled, tu.w, tu.h, cu.lfnstIdx);
  dsp::inverseTransform(coeff, tu.w, tu.h, kBitDepth, resid, tu.w, k.hor, k.ver);
  dsp::addResidualClip(dst, pl.stride, resid, tu.w, tu.w, tu.h, kBitDepth, dst, pl.stride);
}

// The luma of an ISP CU: each sub-partition predicted from what precedes it, its residual added.
static void reconstructIspLuma(Picture& pic, CuMap& map, const CodingUnit& cu, const CtuCoding& owner,
                               const SliceParams& slice) {
  Plane& pl = pic.planes[0];
  for (int t = 0; t < cu.numTus; ++t) {
    const TransformUnit& tu = cu.tus[t];
    predictIspPart(pic, map, cu, t, pl.row(tu.y) + tu.x, pl.stride);
    addIspResidual(pic, cu, t, tu.cbf[0] ? owner.coeffs.data() + tu.coeffOffset[0] : nullptr, slice.qpPrimeY,
                   slice.depQuant, slice.mtsEnabled);
  }
  map.markReconstructed(cu.x, cu.y, cu.w, cu.h, true, false);
}

int lfnstModeOf(const CodingUnit& cu, int cIdx, const CuMap& map) {
  if (cIdx == 0) return cu.lumaMode;
  if (cu.chromaModeIdx < kChromaCclm) return cu.chromaMode;
  const CuInfo* c = map.at(cu.x + cu.w / 2, cu.y + cu.h / 2);
  return c ? c->lumaMode : 0;
}

void reconstructTb(Picture& pic, CuMap& map, int cIdx, int x, int y, int w, int h, int mode,
                   const TCoeff* levels, int qpPrime, bool depQuant, bool implicitMts, int mtsIdx, int lfnstIdx,
                   int lfnstMode, int refIdx, int tsQp) {
  Plane& pl = pic.planes[cIdx];
  Pel* dst = pl.row(y) + x;
  predictBlock(pic, map, cIdx, x, y, w, h, mode, dst, pl.stride, refIdx);
  if (levels && tsQp >= 0) {
    alignas(32) Pel resid[32 * 32];
    dsp::dequantTransformSkip(levels, w * h, tsQp, resid);
    dsp::addResidualClip(dst, pl.stride, resid, w, w, h, kBitDepth, dst, pl.stride);
  } else if (levels) {
    alignas(32) TCoeff coeff[64 * 64];
    alignas(32) Pel resid[64 * 64];
    dequantTb(levels, w, h, qpPrime, depQuant, coeff);
    inverseLfnst(coeff, w, h, lfnstIdx, lfnstMode);
    const TbKernels k = tbKernels(implicitMts, cIdx, true, w, h, mtsIdx, lfnstIdx);
    dsp::inverseTransform(coeff, w, h, kBitDepth, resid, w, k.hor, k.ver);
    dsp::addResidualClip(dst, pl.stride, resid, w, w, h, kBitDepth, dst, pl.stride);
  }
  const int s = cIdx ? 1 : 0;
  map.markReconstructed(x << s, y << s, w << s, h << s, cIdx == 0, cIdx != 0);
}

void deriveJointChroma(const Pel* coded, int w, int h, int mode, int cSign, Pel* other) {
  const int n = w * h;
  if (mode == 2)
    for (int i = 0; i < n; ++i) other[i] = Pel(cSign * coded[i]);
  else
    for (int i = 0; i < n; ++i) other[i] = Pel((cSign * coded[i]) >> 1);
}

int chromaResiduals(const TransformUnit& tu, const CtuCoding& owner, const SliceParams& slice, int w, int h,
                    Pel* resCb, Pel* resCr, int lfnstIdx, int lfnstMode) {
  alignas(32) TCoeff coeff[32 * 32];
  const int mode = tu.cResMode();
  if (mode) {
    const int c = mode == 3 ? 2 : 1;
    const int qp = mode == 2 ? slice.qpPrimeCbCr : (c == 1 ? slice.qpPrimeCb : slice.qpPrimeCr);
    Pel* coded = c == 1 ? resCb : resCr;
    if (tu.tsFlag[c]) {
      dsp::dequantTransformSkip(owner.coeffs.data() + tu.coeffOffset[c], w * h, transformSkipQp(slice, qp), coded);
    } else {
      dequantTb(owner.coeffs.data() + tu.coeffOffset[c], w, h, qp, slice.depQuant, coeff);
      inverseLfnst(coeff, w, h, lfnstIdx, lfnstMode);
      dsp::inverseTransform(coeff, w, h, kBitDepth, coded, w);
    }
    deriveJointChroma(coded, w, h, mode, slice.jointCbCrSign, c == 1 ? resCr : resCb);
    return 3;
  }
  int mask = 0;
  for (int c = 1; c <= 2; ++c) {
    if (!tu.cbf[c]) continue;
    const int qp = c == 1 ? slice.qpPrimeCb : slice.qpPrimeCr;
    if (tu.tsFlag[c]) {
      dsp::dequantTransformSkip(owner.coeffs.data() + tu.coeffOffset[c], w * h, transformSkipQp(slice, qp),
                                c == 1 ? resCb : resCr);
    } else {
      dequantTb(owner.coeffs.data() + tu.coeffOffset[c], w, h, qp, slice.depQuant, coeff);
      inverseLfnst(coeff, w, h, lfnstIdx, lfnstMode);
      dsp::inverseTransform(coeff, w, h, kBitDepth, c == 1 ? resCb : resCr, w);
    }
    mask |= c;
  }
  return mask;
}

void applyCiip(const Picture& pic, const CuMap& map, int x, int y, int w, int h, Pel* const dst[3],
               const ptrdiff_t stride[3]) {
  // weight of the intra prediction: 1 + the intra-coded ones of the left neighbour at the CU's last row
  // and the above neighbour at its last column
  auto intraAt = [&](int px, int py) {
    const CuInfo* c = map.lumaAvailable(px, py) ? map.at(px, py) : nullptr;
    return c && c->intra ? 1 : 0;
  };
  const int wt = 1 + intraAt(x - 1, y + h - 1) + intraAt(x + w - 1, y - 1);
  alignas(32) Pel intra[64 * 64];
  for (int c = 0; c < 3; ++c) {
    const int sh = c ? 1 : 0, cw = w >> sh, ch = h >> sh;
    if (c > 0 && cw <= 2) continue;  // 2-wide chroma keeps the inter prediction
    predictBlock(pic, map, c, x >> sh, y >> sh, cw, ch, 0, intra, cw);  // planar
    for (int j = 0; j < ch; ++j) {
      Pel* d = dst[c] + j * stride[c];
      const Pel* s = intra + j * cw;
      for (int i = 0; i < cw; ++i) d[i] = Pel(d[i] + ((wt * (s[i] - d[i]) + 2) >> 2));
    }
  }
}

// Inter CU: motion-compensated prediction of the whole CU into the picture, then the residual of
// each transform block added in place (8.5.6 then 8.7.5).
void reconstructInterCu(Picture& pic, CuMap& map, const CodingUnit& cu, const CtuCoding& owner,
                        const SliceParams& slice) {
  Pel* dst[3] = {pic.planes[0].row(cu.y) + cu.x, pic.planes[1].row(cu.y / 2) + cu.x / 2,
                 pic.planes[2].row(cu.y / 2) + cu.x / 2};
  const ptrdiff_t stride[3] = {pic.planes[0].stride, pic.planes[1].stride, pic.planes[2].stride};
  predictInterCu(slice, map.log2CtuSize(), cu, dst, stride);
  if (cu.ciip) applyCiip(pic, map, cu.x, cu.y, cu.w, cu.h, dst, stride);
  const int qpPrime[3] = {slice.qpPrimeY, slice.qpPrimeCb, slice.qpPrimeCr};
  alignas(32) TCoeff coeff[64 * 64];
  alignas(32) Pel resid[64 * 64];
  for (int t = 0; t < cu.numTus; ++t) {
    const TransformUnit& tu = cu.tus[t];
    if (tu.jointCbCr) {  // both chroma residuals from the one coded
      alignas(32) Pel res[2][32 * 32];
      const int w = tu.w >> 1, h = tu.h >> 1;
      chromaResiduals(tu, owner, slice, w, h, res[0], res[1]);
      for (int c = 1; c <= 2; ++c) {
        Pel* d = pic.planes[c].row(tu.y >> 1) + (tu.x >> 1);
        dsp::addResidualClip(d, pic.planes[c].stride, res[c - 1], w, w, h, kBitDepth, d, pic.planes[c].stride);
      }
    }
    for (int c = 0; c < 3; ++c) {
      if (!tu.cbf[c] || (c > 0 && tu.jointCbCr)) continue;
      const int sh = c ? 1 : 0;
      const int x = tu.x >> sh, y = tu.y >> sh, w = tu.w >> sh, h = tu.h >> sh;
      Plane& pl = pic.planes[c];
      Pel* d = pl.row(y) + x;
      if (tu.tsFlag[c]) {
        dsp::dequantTransformSkip(owner.coeffs.data() + tu.coeffOffset[c], w * h, transformSkipQp(slice, qpPrime[c]),
                                  resid);
      } else {
        dequantTb(owner.coeffs.data() + tu.coeffOffset[c], w, h, qpPrime[c], slice.depQuant, coeff);
        // luma: SBT's implicit pair, else the CU's mts_idx (explicit inter MTS)
        const TbKernels k = tbKernels(false, c, false, w, h, cu.sbt ? sbtMtsIdx(slice.mtsEnabled, cu, c, w, h) : cu.mtsIdx);
        dsp::inverseTransform(coeff, w, h, kBitDepth, resid, w, k.hor, k.ver);
      }
      dsp::addResidualClip(d, pl.stride, resid, w, w, h, kBitDepth, d, pl.stride);
    }
  }
  map.markReconstructed(cu.x, cu.y, cu.w, cu.h, true, true);
}

void reconstructCu(Picture& pic, CuMap& map, const CodingUnit& cu, const CtuCoding& owner,
                   const SliceParams& slice) {
  if (cu.isInter()) { reconstructInterCu(pic, map, cu, owner, slice); return; }
  const bool hasLuma = cu.treeType != TreeType::kDualChroma;
  const bool hasChroma = cu.treeType != TreeType::kDualLuma;
  if (hasLuma && cu.isp) reconstructIspLuma(pic, map, cu, owner, slice);
  for (int t = 0; t < cu.numTus; ++t) {
    const TransformUnit& tu = cu.tus[t];
    if (hasLuma && !cu.isp)
      reconstructTb(pic, map, 0, tu.x, tu.y, tu.w, tu.h, cu.lumaPredMode(),
                    tu.cbf[0] ? owner.coeffs.data() + tu.coeffOffset[0] : nullptr, slice.qpPrimeY, slice.depQuant,
                    slice.implicitMts && !cu.mip, cu.mtsIdx, cu.lfnstIdx, cu.lumaMode, cu.mrlIdx,
                    tu.tsFlag[0] ? transformSkipQp(slice, slice.qpPrimeY) : -1);
    // LFNST in chroma only in a chroma tree (single-tree chroma TBs keep DCT-II alone, 8.7.4.1)
    const int lfnstC = cu.treeType == TreeType::kDualChroma ? cu.lfnstIdx : 0;
    const int lfnstModeC = lfnstC ? lfnstModeOf(cu, 1, map) : 0;
    int ax, ay, aw, ah;  // the TU's chroma area (luma coordinates)
    if (!hasChroma || !chromaTbArea(cu, t, ax, ay, aw, ah)) continue;
    if (tu.jointCbCr) {  // intra prediction of each, the joint residuals added
      alignas(32) Pel res[2][32 * 32];
      const int x = ax / 2, y = ay / 2, w = aw / 2, h = ah / 2;
      chromaResiduals(tu, owner, slice, w, h, res[0], res[1], lfnstC, lfnstModeC);
      for (int c = 1; c <= 2; ++c) {
        Plane& pl = pic.planes[c];
        Pel* d = pl.row(y) + x;
        predictBlock(pic, map, c, x, y, w, h, cu.chromaMode, d, pl.stride);
        dsp::addResidualClip(d, pl.stride, res[c - 1], w, w, h, kBitDepth, d, pl.stride);
      }
      map.markReconstructed(ax, ay, aw, ah, false, true);
    } else {
      reconstructTb(pic, map, 1, ax / 2, ay / 2, aw / 2, ah / 2, cu.chromaMode,
                    tu.cbf[1] ? owner.coeffs.data() + tu.coeffOffset[1] : nullptr, slice.qpPrimeCb, slice.depQuant,
                    false, 0, lfnstC, lfnstModeC, 0, tu.tsFlag[1] ? transformSkipQp(slice, slice.qpPrimeCb) : -1);
      reconstructTb(pic, map, 2, ax / 2, ay / 2, aw / 2, ah / 2, cu.chromaMode,
                    tu.cbf[2] ? owner.coeffs.data() + tu.coeffOffset[2] : nullptr, slice.qpPrimeCr, slice.depQuant,
                    false, 0, lfnstC, lfnstModeC, 0, tu.tsFlag[2] ? transformSkipQp(slice, slice.qpPrimeCr) : -1);
    }
  }
}

void reconstructCtu(Picture& pic, CuMap& map, const CtuCoding& ctu, const SliceParams& slice) {
  for (const CodingUnit& cu : ctu.cus) reconstructCu(pic, map, cu, ctu, slice);
}

}  // namespace recon
}  // namespace nnvvc
