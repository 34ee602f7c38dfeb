// Coding-tree representation of one CTU: produced by the encoder search, consumed by the syntax
// writer and by reconstruction; filled by the syntax parser in the decoder.
#pragma once
#include <cstdint>
#include <vector>

#include "common/motion.h"
#include "common/types.h"

namespace nnvvc {

// Split of a coding-tree node (spec 7.4.9.4 SplitMode / split_qt_flag).
enum class SplitMode : uint8_t { kNone = 0, kQt, kBtHor, kBtVer, kTtHor, kTtVer };

// Spec treeType: SINGLE_TREE, or the two halves of a local dual tree (mode-type constraint in
// I slices: luma CUs coded as DUAL_TREE_LUMA, then one DUAL_TREE_CHROMA CU for the whole area).
enum class TreeType : uint8_t { kSingle = 0, kDualLuma, kDualChroma };
// Spec modeType (MODE_TYPE_ALL / MODE_TYPE_INTRA; MODE_TYPE_INTER never occurs in I slices).
enum class ModeType : uint8_t { kAll = 0, kIntra, kInter };
// CuPredMode (no IBC / palette).
enum class PredMode : uint8_t { kIntra = 0, kInter };

// Chroma intra mode syntax value intra_chroma_pred_mode (CCLM disabled): 0..3 = planar/ver/hor/DC
// (replaced by 66 when equal to the luma mode), 4 = DM (derived from luma).
constexpr uint8_t kChromaDm = 4;
// CCLM (cclm_mode_flag = 1): kChromaCclm + cclm_mode_idx, i.e. 5..7 = INTRA_LT/L/T_CCLM (81..83).
constexpr uint8_t kChromaCclm = 5;

// One transform block set (luma + the two chroma blocks of the same area). Coefficient levels
// are stored in CtuCoding::coeffs, row-major w*h of that component, at coeffOffset[c].
struct TransformUnit {
  int16_t x = 0, y = 0, w = 0, h = 0;     // luma position / size (chroma is half of it)
  uint8_t cbf[3] = {0, 0, 0};             // tu_y/cb/cr_coded_flag
  int32_t coeffOffset[3] = {-1, -1, -1};  // into CtuCoding::coeffs; -1 when cbf == 0
  // tu_joint_cbcr_residual_flag: one chroma residual for both (TuCResMode 1: cbf Cb only, coded as Cb, Cr =
  // (CSign * Cb) >> 1; 2: both cbfs, coded as Cb, Cr = CSign * Cb; 3: cbf Cr only, coded as Cr, Cb =
  // (CSign * Cr) >> 1). Mode 2 has no Cr levels (coeffOffset[2] = -1 although cbf[2] is 1).
  uint8_t jointCbCr = 0;
  // transform_skip_flag per component (the residual is the scaled levels, no transform); with jointCbCr the flag of
  // the coded component applies to the joint residual. Meaningful only where cbf (or the joint residual) is coded.
  uint8_t tsFlag[3] = {0, 0, 0};
  int cResMode() const { return !jointCbCr ? 0 : (cbf[1] ? (cbf[2] ? 2 : 1) : 3); }
};

// Luma "modes" from kMipModeBase on name a MIP prediction (recon::predictBlock): base + 32 * transposed + mode.
constexpr int kMipModeBase = 128;
inline bool isMipPredMode(int mode) { return mode >= kMipModeBase; }

// One intra coding unit. For a DUAL_TREE_LUMA CU only luma fields matter; for a DUAL_TREE_CHROMA
// CU (x,y,w,h are still the luma area it covers) only chroma fields matter.
struct CodingUnit {
  int16_t x = 0, y = 0, w = 0, h = 0;  // luma position / size
  TreeType treeType = TreeType::kSingle;
  uint8_t qtDepth = 0;                 // cqtDepth (split_qt_flag context of later neighbours)
  uint8_t mttDepth = 0;
  uint8_t lumaMode = 0;                // IntraPredModeY, 0..66
  uint8_t chromaModeIdx = kChromaDm;   // intra_chroma_pred_mode syntax value 0..4, or 5..7 for CCLM
  uint8_t chromaMode = 0;              // derived IntraPredModeC (filled by deriveChromaMode)
  int8_t qp = 32;                      // QpY of the CU (stage 1: the slice QP)
  uint8_t numTus = 1;                  // >1 for CUs larger than the 64x64 max TB, and 2 in SBT CUs
  // mts_idx (explicit MTS of an intra luma CU of at most 32x32 with one TU): 0 DCT-II, 1..4 the
  // DST-VII / DCT-VIII pairs of 8.7.4.1 (recon::tbKernels); 0 wherever it is not coded
  uint8_t mtsIdx = 0;
  // lfnst_idx (intra CUs of at most 64x64 with a residual beyond DC inside the LFNST region): 0 none, 1 / 2 the
  // candidate kernel of the mode's set (dsp/lfnst); applies to the luma TB, or to the chroma TBs of a chroma-tree CU
  uint8_t lfnstIdx = 0;
  // intra_luma_ref_idx = IntraLumaRefLineIdx (MRL, luma of CUs below their CTU's first sample row): the reference
  // line 0..2 rows / columns out; with 1 or 2 the mode is one of the five non-planar MPMs
  uint8_t mrlIdx = 0;
  // MIP (intra_mip_flag; luma): intra_mip_transposed_flag and intra_mip_mode; lumaMode is then planar, as the MPM
  // derivation of later CUs, the chroma DM and the LFNST set take a MIP CU (predModeMip() is the luma prediction)
  bool mip = false, mipTransposed = false;
  uint8_t mipMode = 0;
  int predModeMip() const { return kMipModeBase + (mipTransposed ? 32 : 0) + mipMode; }
  // ISP (intra_subpartitions_mode_flag / intra_subpartitions_split_flag; luma of intra CUs of at most the max TB size
  // and more than 16 samples, reference line 0, no MIP): IntraSubPartitionsSplitType 0 none, 1 ISP_HOR_SPLIT, 2
  // ISP_VER_SPLIT. tus[0..numTus) are then the sub-partitions in decoding order (partition.h ispTransformUnits); the
  // CU's chroma TBs (whole CU) belong to the last one (chromaTbArea).
  uint8_t isp = 0;
  bool ispVer() const { return isp == 2; }
  // the luma prediction: MIP as predModeMip(), else lumaMode
  int lumaPredMode() const { return mip ? predModeMip() : int(lumaMode); }
  TransformUnit tus[4];

  // ---- inter (P/B slices). predMode kIntra: the fields below are unused.
  PredMode predMode = PredMode::kIntra; // CuPredMode
  bool skip = false;                   // cu_skip_flag (implies merge, no residual)
  bool merge = false;                  // general_merge_flag (regular merge or MMVD; no CIIP/GPM/affine)
  uint8_t mergeIdx = 0;                // merge_idx (regular merge)
  // MMVD (merge == true, mmvd == true): mmvd_cand_flag (the base: merge candidate 0 or 1),
  // mmvd_distance_idx 0..7 (offset 2^idx quarter samples), mmvd_direction_idx 0..3 (+x, -x, +y, -y)
  bool mmvd = false;                   // mmvd_merge_flag
  // CIIP (merge == true, not skip, regular_merge_flag 0): the merge candidate's prediction blended with the
  // planar intra prediction (8.5.6.7); no DMVR / BDOF
  bool ciip = false;
  // Affine (MotionModelIdc > 0): merge_subblock_flag in merge CUs (mergeIdx is then merge_subblock_idx), or
  // aff holds the control-point motion; motion (interDir / refIdx, mv = cp[.][0]) the CU-level part.
  // AMVP CUs: inter_affine_flag (16x16 and more), cu_affine_type_flag in aff.sixParam, MvdCpLX in affMvd (1/16
  // sample, quarter-sample multiples; cp 1 and 2 add cp 0's MVD as 8.5.5.7 / VTM-23.2 do).
  bool affine = false;
  AffineMotion aff;
  // SbTMVP (merge_subblock_flag with the SbTMVP candidate, merge_subblock_idx 0; affine is then set too, as
  // MergeSubblockFlag, but MotionModelIdc is 0): sbTmvpMotion is the candidate (available), motion its centre motion.
  SbTmvpMotion sbTmvpMotion;
  bool sbTmvp() const { return sbTmvpMotion.available; }
  Mv affMvd[2][3];
  // GPM (merge == true, regular_merge_flag 0 and ciip_flag 0; skip CUs too): merge_gpm_partition_idx
  // (gpmSplit) and the merge indices m, n of partitions A and B (gpmIdx; merge_gpm_idx0 = m,
  // merge_gpm_idx1 = n - (n > m)). motion is partition A's uni motion, motionB partition B's
  // (inter::gpmUniCandidate); the motion field holds the per-4x4 motion of 8.5.7.3 (inter::storeGpmMotion)
  bool gpm = false;
  uint8_t gpmSplit = 0;
  uint8_t gpmIdx[2] = {0, 1};
  MotionInfo motionB;
  uint8_t mmvdCand = 0, mmvdDist = 0, mmvdDir = 0;
  // AMVP (merge == false): inter_pred_idc as interDir 1/2/3, ref_idx_lX, mvp_lX_flag, MvdLX
  // in 1/16 luma samples as the spec stores it after AmvrShift (quarter-sample MVDs << 2).
  uint8_t interDir = 0;
  // sym_mvd_flag (bi AMVP CUs of B slices with SMVD): ref_idx_lX are RefIdxSymLX and MvdL1 = -MvdL0, neither coded
  bool smvd = false;
  int8_t refIdx[2] = {-1, -1};
  uint8_t mvpIdx[2] = {0, 0};
  Mv mvd[2];
  // AMVR precision of the MVDs and predictors (amvr_flag / amvr_precision_idx), an AmvrPrecision:
  // quarter sample (amvr_flag 0), one sample, four samples, or half a sample (which also switches the luma
  // half-sample interpolation filter: MotionInfo::hpelIfIdx 1)
  uint8_t amvr = 0;
  // bcw_idx of a bi AMVP CU (0..bcwMaxIdx; weights kBcwWeightL1); 0 in merge CUs, whose BcwIdx comes with
  // the candidate in motion.bcwIdx
  uint8_t bcwIdx = 0;
  // The CU's final motion (MvLX, RefIdxLX, PredFlagLX): set by the encoder search; derived by
  // the syntax reader (merge list or AMVP + MVD). The writer checks the two agree.
  MotionInfo motion;
  bool rootCbf = false;                // cu_coded_flag (inter); intra CUs ignore it
  // SBT (cu_sbt_flag, inter CUs with a residual, no CIIP, at most the max TB size): the CU's residual lies in one
  // of two TUs, the half or quarter (cu_sbt_quad_flag) of the CU split vertically or horizontally
  // (cu_sbt_horizontal_flag), on the left / top (cu_sbt_pos_flag 0) or right / bottom (1) side; the other TU has
  // no residual. tus[0] / tus[1] are the two TUs in decoding order (partition.h sbtTransformUnits).
  bool sbt = false;
  bool sbtQuad = false, sbtHor = false, sbtPos = false;
  int sbtZeroTu() const { return sbtPos ? 0 : 1; }  // the TU without residual (7.3.11.10 subTuIndex rule)
  // CclmEnabled of a chroma CU (7.4.11.5): 0 only in the chroma tree of a dual-tree I slice where
  // the 64x64 luma or chroma split rules forbid CCLM; set by the coding-tree syntax in both directions.
  bool cclmAllowed = true;
  bool isInter() const { return predMode == PredMode::kInter; }
  // regular merge (or skip) CU: the merge list's motion unchanged (what DMVR may refine)
  bool regularMerge() const { return merge && !mmvd && !ciip && !gpm && !affine; }
};

// The chroma transform blocks of TU t of a CU, as a luma-coordinate rectangle: the TU's own area, or for an ISP CU the
// whole CU in its last TU and nothing in the others (7.3.11.10: the chroma cbfs and residuals of an ISP CU come with
// its last sub-partition). Returns false where TU t has no chroma TBs.
inline bool chromaTbArea(const CodingUnit& cu, int t, int& x, int& y, int& w, int& h) {
  if (cu.isp) {
    if (t != cu.numTus - 1) return false;
    x = cu.x; y = cu.y; w = cu.w; h = cu.h;
    return true;
  }
  const TransformUnit& tu = cu.tus[t];
  x = tu.x; y = tu.y; w = tu.w; h = tu.h;
  return true;
}

// CodingUnit::amvr of a translational AMVP CU. The values of the first three keep the numbering the encoder had
// before half-sample AMVR; syntax: amvr_flag 0 (quarter), else amvr_precision_idx 0 (half), 1 (one), 2 (four).
enum AmvrPrecision : uint8_t { kAmvrQuarter = 0, kAmvrInteger = 1, kAmvrFour = 2, kAmvrHalf = 3 };
constexpr int kAmvrNumPrecisions = 4;

// AmvrShift (7.4.12.5) of a CodingUnit::amvr: MVDs and AMVP predictors in units of 1 << shift sixteenths of a luma
// sample (quarter 2, half 3, one 4, four 6).
inline int amvrShiftOf(int amvr) { return amvr == kAmvrInteger ? 4 : amvr == kAmvrFour ? 6 : amvr == kAmvrHalf ? 3 : 2; }

// A whole CTU in decoding order.
//  - splits: one entry per coding-tree node visited, in pre-order (depth first, children in
//    decoding order); kNone = the node is a CU (the next entry of `cus`). Nodes entirely outside
//    the picture are not visited and have no entry. Implicit (inferred) splits at picture
//    boundaries ARE listed (they must equal the forced split).
//  - cus: leaves in decoding order. For a node with the local dual tree (modeTypeCondition 1 in
//    an I slice) the luma CUs of the subtree come first, then one kDualChroma CU for the node.
//  - coeffs: pool of coefficient levels referenced by the TUs.
struct CtuCoding {
  int ctuX = 0, ctuY = 0;  // luma position of the CTU
  std::vector<SplitMode> splits;
  std::vector<CodingUnit> cus;
  std::vector<TCoeff> coeffs;
  void clear() { splits.clear(); cus.clear(); coeffs.clear(); }
  // Reserve a zeroed coefficient block of n entries, returns its offset.
  int32_t allocCoeffs(int n) {
    int32_t off = int32_t(coeffs.size());
    coeffs.resize(coeffs.size() + size_t(n), 0);
    return off;
  }
};

// Per-picture map of coded CU information at 4x4 luma granularity.
//  - syntax info (lumaMode, qtDepth, CU size, skip flag, pred mode) feeds the neighbour-based
//    context selection (split, skip, pred-mode flags) and the MPM derivation; written by
//    storeSyntax() when a CU is coded/parsed. For the syntax, a left/above neighbour inside the
//    picture is always available (one slice, one tile, and left/above blocks always precede in
//    decoding order).
//  - coded / chromaCoded mark samples already reconstructed: the availability of intra reference
//    samples (spec 6.4.4) — set by markReconstructed() in decoding order.
struct CuInfo {
  uint8_t coded = 0;        // luma of this 4x4 unit already reconstructed
  uint8_t chromaCoded = 0;  // chroma of this 4x4 (luma-coordinate) unit already reconstructed
  uint8_t lumaMode = 0;     // IntraPredModeY
  uint8_t qtDepth = 0;      // CqtDepth
  uint8_t log2W = 0, log2H = 0;  // CbWidth / CbHeight (log2) of the luma CU
  // P/B slices: cu_skip_flag and CuPredMode of the luma CU (cu_skip_flag, pred_mode_flag and
  // non_inter_flag contexts). Inter CUs store lumaMode 0: MPM derivation (8.4.2) treats a
  // non-intra neighbour as planar.
  uint8_t skip = 0;
  uint8_t intra = 1;
  uint8_t affine = 0;  // MergeSubblockFlag || InterAffineFlag (merge_subblock_flag / inter_affine_flag contexts)
  uint8_t mip = 0;     // intra_mip_flag (its context in later CUs)
  // The chroma coding tree of a dual-tree I slice (CqtDepth / CbWidth / CbHeight of channel type
  // chroma, in luma units): the split contexts of later chroma-tree nodes.
  uint8_t qtDepthC = 0, log2WC = 0, log2HC = 0;
};

class CuMap {
 public:
  void init(int picWidth, int picHeight, int log2CtuSize = kLog2CtuSize) {
    w4_ = (picWidth + 3) >> 2; h4_ = (picHeight + 3) >> 2;
    picW_ = picWidth; picH_ = picHeight; log2Ctu_ = log2CtuSize;
    info_.assign(size_t(w4_) * size_t(h4_), CuInfo{});
  }
  int picWidth() const { return picW_; }
  int picHeight() const { return picH_; }
  int log2CtuSize() const { return log2Ctu_; }  // CCLM reads one luma row above a CTU's first row
  // Info at luma sample (x, y); nullptr when outside the picture.
  const CuInfo* at(int x, int y) const {
    if (x < 0 || y < 0 || x >= picW_ || y >= picH_) return nullptr;
    return &info_[size_t(y >> 2) * size_t(w4_) + size_t(x >> 2)];
  }
  // Reference-sample availability: inside the picture and already reconstructed.
  bool lumaAvailable(int x, int y) const { const CuInfo* c = at(x, y); return c && c->coded; }
  bool chromaAvailable(int xLuma, int yLuma) const {
    const CuInfo* c = at(xLuma, yLuma); return c && c->chromaCoded;
  }
  // Record the syntax info of a CU: luma info for single / dual-luma CUs, chroma-tree info for
  // dual-chroma CUs.
  void storeSyntax(const CodingUnit& cu);
  // Mark a luma-coordinate rectangle reconstructed for luma and/or chroma (spec IsAvailable,
  // set per transform block as it is reconstructed).
  void markReconstructed(int x, int y, int w, int h, bool luma, bool chroma);
  // Forget reconstruction marks inside a luma rectangle (encoder: before the canonical
  // reconstruction of a CTU, or when backtracking in a search).
  void clearReconstructed(int x, int y, int w, int h, bool luma = true, bool chroma = true);

 private:
  int w4_ = 0, h4_ = 0, picW_ = 0, picH_ = 0, log2Ctu_ = kLog2CtuSize;
  std::vector<CuInfo> info_;
};

}  // namespace nnvvc
