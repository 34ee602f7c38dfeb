// Shared reconstruction used by the encoder and the decoder alike (so both produce identical
// pictures by construction): reference gathering with availability, intra prediction, scaling
// + inverse transform, add and clip.
#pragma once
#include "common/coding_structs.h"
#include "common/slice_params.h"
#include "dsp/dsp.h"

namespace nnvvc {
namespace recon {

// Reference samples of a w x h block of component cIdx at component position (x, y):
// top[0] = corner, top[1 + i] = p[i][-1] (i < 2w); left[0] = corner, left[1 + j] = p[-1][j]
// (j < 2h); availability from map (IsAvailable), substitution per 8.4.5.2.2.
// refIdx > 0 (MRL, luma, blocks below the CTU's first row): the line refIdx samples further out, as
// dsp::intraPredictRefLine takes it (2w + refIdx and 2h + refIdx samples after the corner; arrays of at least
// 2 * 64 + 3). Availability is that of the neighbouring 4x4 units, which the line shares with line 0.
void gatherReferences(const Picture& pic, const CuMap& map, int cIdx, int x, int y, int w, int h,
                      Pel* top, Pel* left, int refIdx = 0);

// Intra prediction of one block (refs gathered from pic/map) into dst. Chroma modes 81..83 (CCLM)
// predict from the reconstructed luma of the area (recon/cclm.h).
// refIdx: IntraLumaRefLineIdx of a luma block (MRL), 0 otherwise.
void predictBlock(const Picture& pic, const CuMap& map, int cIdx, int x, int y, int w, int h,
                  int mode, Pel* dst, ptrdiff_t dstStride, int refIdx = 0);

// Transform kernels of a TB (8.7.4.1) with the tools this codec codes: DCT-II, except
//  - explicit MTS: a luma TB of a CU with mts_idx 1..4 takes trTypeHor / trTypeVer (1 = DST-VII,
//    2 = DCT-VIII) 1/1, 2/1, 1/2, 2/2;
//  - implicit MTS (implicitMtsEnabled: sps_mts_enabled_flag without explicit intra MTS; no MIP; ISP parts take it
//    whatever the explicit flags, ispKernels; SBT has sbtMtsIdx): an intra luma TB of a CU without LFNST takes DST-VII
//    in each direction whose side is 4..16;
//  - LFNST (lfnst_idx > 0): DCT-II (mts_idx is then 0, and implicit MTS off).
struct TbKernels {
  dsp::TrType hor = dsp::TrType::kDct2, ver = dsp::TrType::kDct2;
};
inline TbKernels tbKernels(bool implicitMts, int cIdx, bool intra, int w, int h, int mtsIdx = 0, int lfnstIdx = 0) {
  TbKernels k;
  if (cIdx != 0 || lfnstIdx > 0) return k;
  if (mtsIdx > 0) {
    k.hor = (mtsIdx == 2 || mtsIdx == 4) ? dsp::TrType::kDct8 : dsp::TrType::kDst7;
    k.ver = mtsIdx >= 3 ? dsp::TrType::kDct8 : dsp::TrType::kDst7;
    return k;
  }
  if (!implicitMts || !intra) return k;
  if (w >= 4 && w <= 16) k.hor = dsp::TrType::kDst7;
  if (h >= 4 && h <= 16) k.ver = dsp::TrType::kDst7;
  return k;
}

// SBT (8.7.4.1 Table 40, implicitMtsEnabled): the luma TB of an SBT CU takes, under sps_mts_enabled_flag and with
// its larger side at most 32, the DST-VII / DCT-VIII pair an mts_idx would give (1: DST-VII both; 2: DCT-VIII
// horizontally, DST-VII vertically; 3: DST-VII horizontally, DCT-VIII vertically); 0 (DCT-II) otherwise.
inline int sbtMtsIdx(bool mtsEnabled, const CodingUnit& cu, int cIdx, int w, int h) {
  if (!cu.sbt || !mtsEnabled || cIdx != 0 || w > 32 || h > 32) return 0;
  if (cu.sbtPos) return 1;
  return cu.sbtHor ? 3 : 2;
}
// The 7.3.11.11 zero-out of an SBT CU's luma TB applies (log2ZeroOutSide's sbtMtsLuma)
inline bool sbtZeroOut(bool mtsEnabled, const CodingUnit& cu, int cIdx) { return cu.sbt && mtsEnabled && cIdx == 0; }

// Reconstruct one transform block in place: prediction + (levels ? scaled, inverse-transformed
// residual : 0), clipped, written into pic; marks it available in map.
// levels: row-major w*h or nullptr (cbf = 0). qpPrime: Qp'Y / Qp'Cb / Qp'Cr. depQuant: the slice's
// sh_dep_quant_used_flag (levels are dependent-quantisation indices). implicitMts: the slice's
// implicit MTS, mtsIdx: the CU's mts_idx (tbKernels). lfnstIdx: the CU's lfnst_idx where it applies to this TB
// (luma; chroma of a dual-tree chroma CU), lfnstMode its intra mode for the kernel choice (lfnstModeOf).
// refIdx: the luma reference line (CodingUnit::mrlIdx).
// tsQp >= 0: the TB is in transform skip (transform_skip_flag), scaled at that QP (transformSkipQp).
void reconstructTb(Picture& pic, CuMap& map, int cIdx, int x, int y, int w, int h, int mode,
                   const TCoeff* levels, int qpPrime, bool depQuant = false, bool implicitMts = false,
                   int mtsIdx = 0, int lfnstIdx = 0, int lfnstMode = 0, int refIdx = 0, int tsQp = -1);
// The QP a transform-skip TB is scaled at: Max(QpPrimeTsMin, Qp').
inline int transformSkipQp(const SliceParams& slice, int qpPrime) {
  return qpPrime > slice.qpPrimeTsMin ? qpPrime : slice.qpPrimeTsMin;
}

// The inverse LFNST of a TB's scaled coefficients (dsp/lfnst) with the intra mode `mode` of its component, which
// is wide-angle mapped for the w x h TB here (8.7.4.1), or for the CU's shape (angleW x angleH) in an ISP CU.
void inverseLfnst(TCoeff* coeff, int w, int h, int lfnstIdx, int mode, int angleW = 0, int angleH = 0);

// ISP (8.4.1, 8.4.5.1): the prediction of sub-partition t of an ISP luma CU (cu.tus[t], its w x h) into dst. The
// references are those of the part, refW = nCbW + nTbW and refH = nCbH + nTbH long; inside the CU only the parts
// before it count as available (the CuMap's marks of the CU's area are not read). Vertical splits into parts narrower
// than 4 predict the 4-wide region holding the part (from the region's left neighbour: the parts of the region share
// one prediction) and take the part's columns.
void predictIspPart(const Picture& pic, const CuMap& map, const CodingUnit& cu, int t, Pel* dst, ptrdiff_t dstStride);
// Adds the residual of ISP sub-partition t (levels: row-major, nullptr when tu_y_coded_flag is 0) to its prediction
// in pic (8.7.2 with the ISP kernels and the CU-shaped LFNST mode mapping).
void addIspResidual(Picture& pic, const CodingUnit& cu, int t, const TCoeff* levels, int qpPrime, bool depQuant,
                    bool mtsEnabled);
// Kernels of an ISP sub-partition (8.7.4.1): DCT-II with LFNST or without sps_mts_enabled_flag, else DST-VII along
// each side of 4..16 (implicit MTS, whatever the explicit MTS flags).
inline TbKernels ispKernels(bool mtsEnabled, int w, int h, int lfnstIdx) {
  return tbKernels(mtsEnabled, 0, true, w, h, 0, lfnstIdx);
}
// predModeIntra for the LFNST kernel choice of a CU's component (8.7.4.1): luma its mode; chroma its mode, except
// the CCLM modes, which take the luma mode at the centre of the CU (map: the collocated luma CU's IntraPredModeY).
int lfnstModeOf(const CodingUnit& cu, int cIdx, const CuMap& map);

// Scaling of one TB's levels (8.7.3), with or without dependent quantisation.
void dequantTb(const TCoeff* levels, int w, int h, int qpPrime, bool depQuant, TCoeff* coeffOut);

// CIIP (8.5.6.7): blends the planar intra prediction of the CU (references from the reconstructed
// picture around it) into its inter prediction dst[] in place, weight (1 + intra-coded neighbours) / 4;
// chroma only where it is wider than 2 samples.
void applyCiip(const Picture& pic, const CuMap& map, int x, int y, int w, int h, Pel* const dst[3],
               const ptrdiff_t stride[3]);

// Joint Cb-Cr (8.7.2): the residual of the other chroma component from the coded one, in place of
// `other` (TuCResMode 1 / 3: (CSign * res) >> 1, 2: CSign * res).
void deriveJointChroma(const Pel* coded, int w, int h, int mode, int cSign, Pel* other);

// The chroma residuals of a TU (w x h chroma samples each, stride w): dequantisation and inverse
// transform of what is coded (with the inverse LFNST lfnstIdx / lfnstMode of a dual-tree chroma CU), the joint
// Cb-Cr derivation where tu.jointCbCr. Returns a mask: bit 0 Cb has a residual, bit 1 Cr.
int chromaResiduals(const TransformUnit& tu, const CtuCoding& owner, const SliceParams& slice, int w, int h,
                    Pel* resCb, Pel* resCr, int lfnstIdx = 0, int lfnstMode = 0);

// All transform blocks of a CU (luma and/or chroma according to cu.treeType), in decoding order.
// Inter CUs: motion compensation from slice.refs for the whole CU, then the residuals.
void reconstructCu(Picture& pic, CuMap& map, const CodingUnit& cu, const CtuCoding& owner,
                   const SliceParams& slice);
void reconstructCtu(Picture& pic, CuMap& map, const CtuCoding& ctu, const SliceParams& slice);

}  // namespace recon
}  // namespace nnvvc
