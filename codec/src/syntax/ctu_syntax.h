// Coding-tree, coding-unit, transform-unit and residual syntax (H.266 7.3.11, 9.3.4.2 context
// selection). One templated implementation serves writing (ArithEncoder), rate estimation
// (BitEstimator) and parsing (ArithDecoder): a writer reads the values from the structures, a
// reader fills them in. Explicitly instantiated for the three bin coders of cabac/cabac.h.
#pragma once
#include "cabac/cabac.h"
#include "common/coding_structs.h"
#include "common/slice_params.h"
#include "partition/partition.h"

namespace nnvvc {

// What the syntax needs besides the bin coder.
struct SyntaxEnv {
  const PartitionConfig* part = nullptr;
  ContextSet* ctx = nullptr;
  CuMap* cuMap = nullptr;        // neighbour syntax info; coded CUs are stored into it
  bool isIntraSlice = true;
  // P/B slices: motion field of the current picture (inter CUs store their motion, intra CUs
  // interDir 0), the HMVP table (reset by codeCtu at the first CTU of each CTU row) and the
  // slice (reference lists, MaxNumMergeCand). Unused (may be null) in I slices.
  MotionField* motion = nullptr;
  HmvpTable* hmvp = nullptr;
  const SliceParams* slice = nullptr;
};

// Whole CTU (coding_tree_unit without SAO/ALF). Writing: `ctu` must be complete and consistent
// with the partition rules. Reading: `ctu` is cleared and filled (ctuX/ctuY must be set).
// Resets env.hmvp (when set) at the first CTU of a CTU row. In P/B slices a split with
// modeTypeCondition 2 codes non_inter_flag: the writer takes it as 1 when the next CU is a
// kDualLuma CU (local dual tree, intra), else 0 (all CUs of the subtree inter).
// Returns false when the structure is inconsistent (writing) or the stream is corrupt (reading).
template <class IO> bool codeCtu(IO& io, SyntaxEnv& env, CtuCoding& ctu);

// Split syntax of one node (split_cu_flag, split_qt_flag, mtt_split_cu_vertical_flag,
// mtt_split_cu_binary_flag, with inference). Writing: `split` must be allowed (or kNone when
// allowed). Reading: `split` is set. Returns false on an illegal split when writing.
template <class IO> bool codeSplit(IO& io, SyntaxEnv& env, const TreeNode& node, SplitMode& split);

// One coding unit. cu.x/y/w/h/treeType/qtDepth/numTus/tus[].x/y/w/h must be set
// (tileTransformUnits) in both directions. modeType: the coding tree's modeType for this CU
// (kInter inside a non_inter_flag = 0 subtree; dual-tree CUs are always intra).
//  - I slices / intra CUs: luma mode via MPM coding, chroma mode, transform tree with cbfs and
//    residuals. Reading fills modes, cbfs and coefficients (allocated in `owner.coeffs`).
//  - P/B slices (env.slice required): cu_skip_flag, pred_mode_flag; inter CUs: merge_idx or
//    inter_pred_idc / ref_idx / MVD (CodingUnit::mvd in 1/16 units, multiples of 4) / mvp flag,
//    cu_coded_flag, transform tree. The reader derives cu.motion (merge list / AMVP + MVD); the
//    ArithEncoder writer derives it the same way and fails when it differs from cu.motion
//    (both need env.motion and env.hmvp). BitEstimator does not derive (cheap) and uses
//    cu.motion as given.
// Side effects, in every direction: stores the CU into env.cuMap (storeSyntax); when env.motion
// is set, stores cu.motion (MotionInfo{} for intra CUs) for the CU area; when env.hmvp is set,
// updates it with an inter CU's motion. A search estimating candidates with a BitEstimator on a
// ContextSet copy should pass a scratch HMVP table (or nullptr) and motion field.
template <class IO>
bool codeCodingUnit(IO& io, SyntaxEnv& env, CodingUnit& cu, CtuCoding& owner, ModeType modeType = ModeType::kAll);

// residual_coding() of one transform block (no transform skip). levels: row-major w*h; writing
// requires at least one non-zero level. depQuant (sh_dep_quant_used_flag): the QState-dependent
// sig_coeff_flag contexts and ZeroPos; the levels stay the coded quantisation indices
// (dsp::dequantDependent applies the state machine when scaling). signHiding
// (sh_sign_data_hiding_used_flag; ignored with depQuant): in every sub-block whose last and first
// significant scan positions are more than 3 apart, the first one's coeff_sign_flag is not coded
// but derived (negative iff the sub-block's sum of |level| is odd). The ArithEncoder writer fails
// (returns false) on a sub-block whose levels disagree with that rule; the BitEstimator just
// leaves the bin out.
// mtsFlags (luma only, may be null): ORs in what the block tells the CU's mts_idx condition (see
// ResidualMtsFlags). sbtZeroOut: the luma TB of an SBT CU under sps_mts_enabled_flag, whose 32-sample sides code
// only 16 (log2ZeroOutSide). The writer fails on a level outside the coded region.
struct ResidualMtsFlags;
template <class IO>
bool codeResidual(IO& io, ContextSet& ctx, TCoeff* levels, int w, int h, int cIdx, bool depQuant = false,
                  bool signHiding = false, ResidualMtsFlags* mtsFlags = nullptr, bool sbtZeroOut = false);

// residual_ts_coding() of one transform-skip block (7.3.11.12, no BDPCM): sub-blocks in forward scan order, the
// first pass's levels mapped against Max(|left|, |above|), context-coded bins within RemCcbs = 7/4 per sample.
// levels: row-major w*h (sides at most 32); writing requires a non-zero level.
template <class IO>
bool codeResidualTs(IO& io, ContextSet& ctx, TCoeff* levels, int w, int h);

// Whether transform_skip_flag is coded for a w x h TB of component cIdx of `cu` (7.3.11.10): the slice allows
// transform skip at that size, not in SBT CUs nor the luma of ISP CUs (no BDPCM here).
bool transformSkipAllowed(const SliceParams* slice, const CodingUnit& cu, int cIdx, int w, int h);

// ctxInc of intra_mip_flag (Table 132): the left and above CUs with MIP, 3 for CUs more than 2:1.
int mipFlagCtxInc(const CuMap& map, const CodingUnit& cu);
// intra_mip_mode's truncated binary code for numModes symbols: k = floor(log2(numModes)) bins below u = 2^(k+1) -
// numModes, k + 1 from there; mipModeBins: the bins of one mode.
void mipModeCode(int numModes, int& k, unsigned& u);
int mipModeBins(int mode, int numModes);

// Explicit MTS (7.3.11.5): what the luma residual_coding() of a CU derives for mts_idx (7.3.11.11):
// notDcOnly = the last significant position of some luma TB is not its DC one (MtsDcOnly 0);
// beyond16 = a coded sub-block of some luma TB lies outside its top-left 16x16 (MtsZeroOutSigCoeffFlag
// 0, which forbids the 16-coefficient DST-VII / DCT-VIII of 32-point sides).
// LFNST (7.3.11.5), from every TB of 4x4 or more of the CU, luma and chroma: lfnstNotDcOnly = some last significant
// scan position is not 0 (LfnstDcOnly 0); lfnstBeyond = some last position lies beyond scan position 15 (7 in 4x4
// and 8x8 TBs), i.e. outside what LFNST can produce (LfnstZeroOutSigCoeffFlag 0).
struct ResidualMtsFlags {
  bool notDcOnly = false;
  bool beyond16 = false;
  bool lfnstNotDcOnly = false;
  bool lfnstBeyond = false;
  // transform skip: some TB of the CU with a residual (lfnst_idx not coded), the luma TB (mts_idx not coded)
  bool transformSkip = false;
  bool lumaTs = false;
};
// The flags of one TB's levels, as the writer codes them (encoder: which CUs may use MTS / LFNST); the MTS ones
// only for luma (cIdx 0). Accumulates into f.
void addResidualFlags(const TCoeff* levels, int w, int h, int cIdx, ResidualMtsFlags& f);
// The same for a luma TB alone.
ResidualMtsFlags residualMtsFlags(const TCoeff* levels, int w, int h);
// Whether mts_idx is coded for `cu` (intra with explicit intra MTS on, or inter without SBT with explicit inter MTS on;
// luma tree, at most 32x32, lfnst_idx 0, no ISP, no luma transform skip) given its residual flags.
bool mtsIdxCoded(const SliceParams* slice, const CodingUnit& cu, const ResidualMtsFlags& f);
// Whether lfnst_idx is coded for `cu` (intra, the slice's LFNST on, CU sides at most the max TB size (log2MaxTb),
// chroma-tree CUs with chroma sides of 4 or more, MIP CUs of 16x16 and more, ISP CUs with parts of 4x4 and more; no
// transform skip here) given its residual flags.
bool lfnstIdxCoded(const SliceParams* slice, const CodingUnit& cu, int log2MaxTb, const ResidualMtsFlags& f);

// MPM list (8.4.2) of a luma CU at (x, y, w, h) from the neighbour info in `map`:
// candModeList[0..4] (planar excluded: it is coded by intra_luma_not_planar_flag).
void deriveMpmList(const CuMap& map, int x, int y, int w, int h, int log2CtuSize, int mpm[5]);

// IntraPredModeC (8.4.3, 4:2:0) from intra_chroma_pred_mode (kChromaCclm + cclm_mode_idx for CCLM:
// 81..83) and the luma mode.
int deriveChromaMode(int chromaModeIdx, int lumaMode);

}  // namespace nnvvc
