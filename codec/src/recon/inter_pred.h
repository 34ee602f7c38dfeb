// Inter sample prediction (H.266 8.5.6): fractional sample interpolation (8-tap luma with 1/16
// positions, 4-tap chroma with 1/32 positions in 4:2:0, reference sample padding by clamping
// coordinates to the picture), uni-prediction rounding and the default weighted bi-prediction
// average (8.5.6.6.2); bi-directional optical flow (8.5.6.5, recon/bdof) and decoder-side MV
// refinement (8.5.3, recon/dmvr) when the slice enables them; BCW's CU weights (MotionInfo::bcwIdx, 8.5.6.6.2
// with bcwIdx > 0); PROF in affine CUs (predictAffine). No explicit weighted prediction, reference resampling or wrap-around (all disabled in
// the SPS this encoder writes). Uses the dsp mc kernels.
#pragma once
#include <cstddef>

#include "common/coding_structs.h"
#include "common/motion.h"
#include "common/slice_params.h"
#include "common/types.h"

namespace nnvvc {
namespace recon {

// Predict the w x h luma block at (x, y) of the current picture and its two (w/2 x h/2)
// chroma blocks from the references given by `mi` (refIdx into refs.ref[l], MVs in 1/16 luma
// samples). dst[c] / dstStride[c]: output per component (final 10-bit samples, clipped).
void predictInter(const RefPicLists& refs, const MotionInfo& mi, int x, int y, int w, int h,
                  Pel* const dst[3], const ptrdiff_t dstStride[3]);

// Slice-level prediction tools that change the samples of bi-predicted CUs. Modes excluding BDOF get
// bdof = false from interToolsOf(slice, cu) (CIIP, SMVD, affine and SbTMVP (cu.affine); BCW weights other
// than the default exclude BDOF and DMVR by themselves: bdofApplies).
struct InterPredTools {
  bool bdof = false;  // sps_bdof_enabled_flag && !ph_bdof_disabled_flag
  int curPoc = 0;     // PicOrderCntVal of the current picture
  bool dmvr = false;  // sps_dmvr_enabled_flag && the CU is a regular merge (or skip) CU (recon/dmvr)
  bool bcw = true;    // the motion's BCW weights apply; false in CIIP CUs (8.5.6.6.1: default weighting there,
                      // although the CU keeps the inherited BcwIdx for later candidates)
};
// The slice's tools for a CU; regularMerge: the CU's motion comes from the merge list (DMVR may apply).
inline InterPredTools interToolsOf(const SliceParams& slice, bool regularMerge) {
  return {slice.bdof, slice.poc, slice.dmvr && regularMerge};
}
// ... of a CU: DMVR only for regular merge (or skip) CUs; no BDOF in CIIP or SMVD CUs.
inline InterPredTools interToolsOf(const SliceParams& slice, const CodingUnit& cu) {
  InterPredTools t = interToolsOf(slice, cu.regularMerge());
  t.bdof = t.bdof && !cu.ciip && !cu.smvd && !cu.affine;
  t.bcw = !cu.ciip;
  return t;
}

// predictInter with the slice's tools (the decoder's reconstruction and the encoder's final RD
// and reconstruction use this one, so the two stay identical).
void predictInter(const RefPicLists& refs, const MotionInfo& mi, int x, int y, int w, int h,
                  Pel* const dst[3], const ptrdiff_t dstStride[3], const InterPredTools& tools);

// Affine CU (8.5.6 with 8.5.5.9): per list, each 4x4 luma subblock with its subblock MV and the 6-tap
// filter, refined by PROF (8.5.6.4) where `prof` (SliceParams::prof) and the list's model is neither a translation
// nor in the bandwidth fallback; each 4x4 chroma subblock (8x8 luma) with the mean MV of two luma subblocks; then
// the weighting (BCW). No DMVR or BDOF. w, h >= 8. numComp 1: luma only (the encoder's pre-selection);
// approximate: the (SIMD) 8-tap luma filter instead of the 6-tap one (the encoder's control-point search only).
void predictAffine(const RefPicLists& refs, const AffineMotion& am, int x, int y, int w, int h,
                   Pel* const dst[3], const ptrdiff_t dstStride[3], int numComp = 3, bool approximate = false,
                   bool prof = false);

// SbTMVP CU (8.5.6 with 8.5.5.3): each 8x8 luma subblock (4x4 chroma) with its own motion sub[j * (w / 8) + i]
// (inter::sbTmvpSubblockMotion), the 8-tap / 4-tap filters and the default weighting. No DMVR or BDOF. numComp 1:
// luma only (the encoder's SATD pre-selection).
void predictSbTmvp(const RefPicLists& refs, const MotionInfo* sub, int x, int y, int w, int h, Pel* const dst[3],
                   const ptrdiff_t dstStride[3], int numComp = 3);

// The prediction of a whole inter CU (without CIIP's intra blend): SbTMVP, affine, GPM or a single motion with the
// slice's tools, whichever the CU codes. The decoder's reconstruction and the encoder's RD checks both call it, so the
// two stay identical. log2CtuSize: SbTMVP's collocated positions stay inside the CU's CTU.
void predictInterCu(const SliceParams& slice, int log2CtuSize, const CodingUnit& cu, Pel* const dst[3],
                    const ptrdiff_t dstStride[3]);

// Geometric partitioning mode (8.5.7): the uni-predictions of partitions A and B (inter::gpmUniCandidate)
// of each component blended with the weights of merge_gpm_partition_idx `split` (inter::gpmWeights,
// dsp/gpm). No DMVR, BDOF or CIIP.
void predictGpm(const RefPicLists& refs, int split, const MotionInfo& a, const MotionInfo& b, int x, int y, int w,
                int h, Pel* const dst[3], const ptrdiff_t dstStride[3]);

// The plane cIdx of the reference picture list l of `mi` names, or nullptr when the motion names no
// usable picture (a conforming stream never does; the parser should already have rejected it).
const Plane* refPlane(const RefPicLists& refs, const MotionInfo& mi, int l, int cIdx);

// One list's w x h block of component cIdx interpolated into the biased 14-bit intermediate
// (dsp/mc.h), reference coordinates clamped into the plane (w, h <= 128); altHpel: hpelIfIdx 1 (luma only).
void interpolateBlock(const Plane& plane, const Mv& mv, int cIdx, int x, int y, int w, int h,
                      int16_t* dst, ptrdiff_t ds, bool altHpel = false);

// Same for one component only (cIdx 0: luma block (x, y, w, h); 1/2: chroma block at chroma
// position (x, y) of size w x h). Used by the encoder's motion search (luma only).
void predictInterComponent(const RefPicLists& refs, const MotionInfo& mi, int cIdx, int x, int y,
                           int w, int h, Pel* dst, ptrdiff_t dstStride);

}  // namespace recon
}  // namespace nnvvc
