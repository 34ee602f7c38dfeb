// The RD CTU search (rd_search.h) as one class whose parts live in three files, the way the
// search is organised: rd_search.cpp (the partition search: candidate splits, recursion, state
// snapshots), intra_decision.cpp (intra luma/chroma modes and transform blocks) and
// inter_decision.cpp (merge/skip and motion-searched CUs in P/B slices). Internal to the search.
#pragma once
#include "encoder/search/rd_search.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

#include "cabac/cabac.h"
#include "dsp/dsp.h"
#include "encoder/search/ctu_fragment.h"
#include "encoder/search/intra_mode_select.h"
#include "encoder/search/motion_search.h"
#include "inter/affine.h"
#include "inter/sbtmvp.h"
#include "encoder/search/rate_tables.h"
#include "encoder/search/rd_cost.h"
#include "encoder/search/rdoq.h"
#include "inter/gpm.h"
#include "inter/mv_pred.h"
#include "recon/inter_pred.h"
#include "recon/recon.h"
#include "syntax/ctu_syntax.h"

namespace nnvvc {
namespace search {

constexpr double kInf = std::numeric_limits<double>::infinity();

struct NodeScratch {
  CtuCoding best;
  ContextSet bestCtx;
  HmvpTable bestHmvp;
  std::vector<Pel> rec[3];
  NodeScratch() {
    rec[0].resize(size_t(kCtuSize) * kCtuSize);
    rec[1].resize(size_t(kCtuSize / 2) * (kCtuSize / 2));
    rec[2].resize(size_t(kCtuSize / 2) * (kCtuSize / 2));
  }
};

class RdCtuSearch final : public CtuSearch {
 public:
  RdCtuSearch(const SearchPreset& p, std::shared_ptr<const SplitHints> h) : preset_(p), hints_(std::move(h)) {
    for (auto& b : bestRec_) b.resize(size_t(kCtuSize) * kCtuSize);
    for (auto& b : interRec_) b.resize(size_t(kCtuSize) * kCtuSize);
    for (auto& b : interPred_) b.resize(size_t(kCtuSize) * kCtuSize);
    for (auto& b : interBestPred_) b.resize(size_t(kCtuSize) * kCtuSize);
  }

  void beginPicture(const Picture& orig, const SliceParams& slice, int frameIndex) override;

  void searchCtu(const CtuSearchContext& ctx, CtuCoding& out) override;

  const SearchStats& stats() const { return stats_; }

 private:
  // hm: the HMVP state the syntax call starts from (it is updated by inter CUs); pass a scratch
  // copy when only estimating.
  SyntaxEnv env(ContextSet* cs, HmvpTable* hm) const {
    SyntaxEnv e;
    e.part = c_->part;
    e.ctx = cs;
    e.cuMap = c_->cuMap;
    e.isIntraSlice = c_->slice->isIntra;
    e.motion = c_->motion;
    e.hmvp = hm;
    e.slice = c_->slice;
    return e;
  }
  bool interSlice() const { return !c_->slice->isIntra; }
  // lambda * the estimated bits of `cu` (levels in frag) coded from the contexts / HMVP state entry / hm (both
  // copied: nothing is advanced); kInf when the syntax refuses the CU.
  double rateCost(CodingUnit& cu, CtuCoding& frag, const ContextSet& entry, const HmvpTable& hm) const {
    ContextSet c = entry;
    HmvpTable hs = hm;
    SyntaxEnv e = env(&c, &hs);
    BitEstimator est;
    if (!codeCodingUnit(est, e, cu, frag)) return kInf;
    return lam_.perFbit * double(est.fracBits());
  }
  void clearMotion(int x, int y, int w, int h) {
    if (c_->motion) c_->motion->set(x, y, w, h, MotionInfo{});
  }
  NodeScratch& scratch(int level) {
    while (int(nodeScratch_.size()) <= level) nodeScratch_.emplace_back(new NodeScratch());
    return *nodeScratch_[size_t(level)];
  }

  // ---- candidate splits of a node -------------------------------------------------------------
  int candidates(const TreeNode& node, SplitMode out[6]) const;
  // One pass of candidates(): 0 hints + preset, 1 preset only, 2 the rules only.
  int candidatesOfPass(const TreeNode& node, int pass, SplitMode out[6]) const;
  // After the node's leaf (cand[0..nc): the node's candidates): appends the splits the hints removed across which the
  // leaf's luma distortion differs by at least the hints' fallbackBits bits' worth (lambda); returns the new count.
  int appendFallbackSplits(const TreeNode& node, int rw, int rh, SplitMode cand[6], int nc) const;

  // ---- one node ------------------------------------------------------------------------------
  double searchNode(const TreeNode& node, ContextSet& cs, HmvpTable& hm, CtuCoding& frag, int level);

  // ---- transform blocks ----------------------------------------------------------------------
  // Predict, transform, quantise (RDOQ) and reconstruct one TB of component cIdx at component
  // position (x, y). Returns the SSE of the reconstruction; levels get the (row-major) levels.
  uint64_t codeTb(int cIdx, int x, int y, int w, int h, int mode, const ResidualBitTables& tables,
                  TCoeff* levels, int* nzOut);

  // Estimated luma mode bits (fbits) for SATD pre-selection (MPM coding, 7.3.11.5 / 9.3.3).
  uint32_t modeBits(const ContextSet& cs, int mode, const int mpm[5]) const;

  // ---- leaf CU -------------------------------------------------------------------------------
  double searchLeaf(const TreeNode& node, ContextSet& cs, HmvpTable& hm, CtuCoding& frag, bool* zeroCbf);

  // ---- inter CU --------------------------------------------------------------------------------
  // Evaluates merge/skip candidates and motion-searched AMVP candidates by full RD; leaves the
  // best in interBestCu_ / interBestFrag_ / interRec_ and returns its J. Leaves the CU area of the
  // picture and the contexts/HMVP as they were (the caller commits).
  double evalInter(const TreeNode& node, const ContextSet& entry, const HmvpTable& entryHm);

  // Full RD of one inter candidate (motion fixed): without residual (skip for merge, cu_coded_flag
  // 0 for AMVP) and with the RDOQ'd residual. Updates the best (interBest*) when cheaper.
  void tryInterRd(CodingUnit& cu, const ContextSet& entry, const HmvpTable& entryHm, double& bestJ);
  // Subblock merge candidates of a CU of 8x8 or more: the SbTMVP candidate to full RD
  // unless it is one motion that a regular merge candidate of triedMerge already brought or its SATD cost is above
  // SearchPreset::sbTmvpSatdRatio x bestMergeSatd (the best regular merge candidate's); then with affine the
  // SATD pre-selection and full RD of the best numAffineMergeRd (with and without residual).
  void evalAffineMerge(const inter::MvPredEnv& me, CodingUnit& cu, const ContextSet& entry, const HmvpTable& entryHm,
                       double& bestJ, const MotionInfo* triedMerge, int numTriedMerge, double bestMergeSatd);
  // Affine AMVP (CUs of 16x16 and more): from the best motion-searched candidate's MVs and the affine predictors, a
  // 4-parameter then a 6-parameter control-point search per list (SATD + MVD bits), full RD of each.
  void evalAffineAmvp(const inter::MvPredEnv& me, const AmvpCandidate& base, CodingUnit& cu, const ContextSet& entry,
                      const HmvpTable& entryHm, double& bestJ);
  // MMVD candidates of a merge CU: SATD pre-selection, then full RD (tryInterRd) of the best few.
  // base: the unrestricted merge candidates 0 .. nb-1 (nb <= 2).
  void evalMmvd(const MotionInfo* base, int nb, CodingUnit& cu, const ContextSet& entry, const HmvpTable& entryHm,
                double& bestJ);
  // BCW: the best motion-searched bi candidate with each non-default weight (MotionSearch::biWeighted), the
  // preset's numBcwRd cheapest of them that beat the equal-weight candidate's SATD cost to full RD
  void evalBcw(const inter::MvPredEnv& me, const AmvpCandidate* ac, int n, CodingUnit& cu, const ContextSet& entry,
               const HmvpTable& entryHm, double& bestJ);
  // SBT: the best inter CU (interBestCu_, with a residual, no CIIP) with its residual in one half or quarter only;
  // the allowed splits ranked by the residual energy their TU without residual leaves, the preset's numSbtRd best
  // to full RD.
  void evalSbt(const ContextSet& entry, const HmvpTable& entryHm, double& bestJ);
  // Explicit inter MTS: the best inter CU (interBestCu_, a luma residual, no SBT, at most 32x32) with mts_idx 1 ..
  // preset_.numInterMts (4 where 0), every component's residual coded again, each to full RD.
  void evalInterMts(const ContextSet& entry, const HmvpTable& entryHm, double& bestJ);
  // Where J beats bestJ: cu with its levels in interFrag_ and its reconstruction in the picture becomes the best
  // inter CU (interBestCu_ / interBestFrag_ / interRec_).
  void keepInterCandidate(const CodingUnit& cu, double J, double& bestJ);
  // The residual of every TU of an inter CU against its prediction pd (CU-sized, strides ps) into interFrag_ and the
  // picture (an SBT CU's TU without residual: the prediction, with SBT's transform pair and zero-out on the other's
  // luma); sets the cbfs. Returns the weighted distortion; *dLuma (optional) gets the luma SSE, *any whether a level
  // is left.
  double codeInterResidual(CodingUnit& cu, const Pel* const pd[3], const ptrdiff_t ps[3], double* dLuma, bool* any);
  // AMVR precisions of the best motion-searched candidate: half (refined with the alternative filter), one and four
  // samples, each to full RD (inter_decision.cpp).
  void evalAmvr(const inter::MvPredEnv& me, const AmvpCandidate& best, CodingUnit& cu, const ContextSet& entry,
                const HmvpTable& entryHm, double& bestJ);
  // SMVD candidate (bi on the symmetric reference pair symRef, MvdL1 = -MvdL0): MVD searched from the
  // motion-searched candidates ac[0..na), full RD (tryInterRd).
  void evalSmvd(const inter::MvPredEnv& me, const int symRef[2], const AmvpCandidate* ac, int na, CodingUnit& cu,
                const ContextSet& entry, const HmvpTable& entryHm, double& bestJ);
  // GPM candidates of a merge CU (B slices, inter::gpmSizeAllowed): every partition mode and pair of the uni
  // candidates of mlist[0 .. nm) ranked by the SAD of each partition's region, the best few by the SATD of the
  // blended luma, full RD (tryInterRd) of the best numGpmRd (gpm_decision.cpp).
  // mergeSatd: the best regular merge candidate's SATD cost (SearchPreset::gpmSatdRatio).
  void evalGpm(const MotionInfo* mlist, int nm, double mergeSatd, CodingUnit& cu, const ContextSet& entry,
               const HmvpTable& entryHm, double& bestJ);

  // Forward transform + quantisation (DQ trellis, RDOQ with the guard, or plain; sign hiding) of a residual
  // block at Qp' qp; lambdaScale divides the component's lambda (a joint Cb-Cr residual's error counts in
  // both components). Returns the number of non-zero levels.
  int quantizeResidual(int cIdx, int w, int h, const Pel* resid, int qp, bool isIntra, const ResidualBitTables& tables,
                       double lambdaScale, TCoeff* levels);
  // Scaling + inverse transform of levels into a residual block (stride w).
  void reconstructResidual(int cIdx, int w, int h, const TCoeff* levels, int qp, bool isIntra, Pel* resid);
  // The transform kernels of the TB being coded, from the CU state below (MTS / SBT / MIP / ISP, LFNST lfnst)
  recon::TbKernels kernelsFor(int cIdx, bool isIntra, int w, int h, int lfnst) const;

  // Also tries transform skip where tsAllowed (keeps the cheaper; tbTs_ says which was kept).
  uint64_t codeResidualTb(int cIdx, int x, int y, int w, int h, const Pel* pred, ptrdiff_t predStride, bool isIntra,
                          const ResidualBitTables& tables, TCoeff* levels, int* nzOut);
  // Whether the TB being coded may take transform skip: the slice and preset allow it at this size, contexts are set
  // for its rate (tsCtx_), and the CU state allows it (no MTS / LFNST / ISP on luma, no SBT)
  bool tsAllowed(int cIdx, int w, int h) const;
  // The transform-skip trial of codeResidualTb: when its SSE + lambda x bits beats the transformed levels' (levels,
  // nz of them non-zero, SSE *sse, reconstruction at dst), levels / nz / *sse / dst become the transform-skip ones.
  void tryTransformSkip(int cIdx, int w, int h, const Pel* org, ptrdiff_t orgStride, const Pel* pred,
                        ptrdiff_t predStride, int qp, bool isIntra, TCoeff* levels, int& nz, uint64_t* sse, Pel* dst,
                        ptrdiff_t dstStride);
  // Sets tsCtx_ (the contexts a TB's transform-skip trial prices its syntax with) for a scope; nested scopes restore.
  struct TsScope {
    RdCtuSearch& s;
    const ContextSet* saved;
    TsScope(RdCtuSearch& search, const ContextSet* c) : s(search), saved(search.tsCtx_) { s.tsCtx_ = c; }
    ~TsScope() { s.tsCtx_ = saved; }
  };

  // Residual of one inter TB against a given prediction: transform, RDOQ, reconstruction into
  // the picture. Returns the SSE of the reconstruction.
  uint64_t codeTbInter(int cIdx, int x, int y, int w, int h, const Pel* pred, ptrdiff_t predStride,
                       const ResidualBitTables& tables, TCoeff* levels, int* nzOut);

  double searchLeafIntra(const TreeNode& node, ContextSet& cs, HmvpTable& hm, CtuCoding& frag, bool* zeroCbf);
  // MRL candidates appended to the luma RD list modes[0..nm) (as mode | refIdx << 8); returns the new count
  int addMrlCandidates(const CodingUnit& cu, const ContextSet& entry, const int mpm[5], double threshold, int* modes,
                       int nm);
  // MIP candidates appended likewise (as CodingUnit::predModeMip codes)
  int addMipCandidates(const CodingUnit& cu, const ContextSet& entry, double threshold, int* modes, int nm);
  static void setLumaCandidate(CodingUnit& cu, int code);

  // Luma RD of an intra CU with cu.lumaMode / cu.mtsIdx (levels into cuFrag_, reconstruction into the
  // picture); returns J, dY the luma SSE. An mts_idx the levels cannot carry (no or DC-only luma levels) falls
  // back to 0 (cu.mtsIdx says what was coded).
  double lumaRd(CodingUnit& cu, const ContextSet& entry, const HmvpTable& hm, uint64_t& dY);
  void keepLumaLevels(TransformUnit& tu, int nz);
  // After lumaRd: where J beats bestJ, the CU, its levels and its luma reconstruction become the best so far.
  void keepBestLuma(const CodingUnit& cu, double J, uint64_t dY, double& bestJ, uint64_t& bestDY);
  // Explicit MTS for the luma of an intra CU whose modes were decided (best in bestCu_ / bestFrag_ / bestRec_[0],
  // J bestJ with luma SSE bestDY): the other mts_idx for the best modes (modes / modeJ / modeCbf / modeMts: the
  // candidates, their J, luma cbf and the mts_idx they were coded with), by the preset's fast rules. Keeps a
  // winner there.
  void tryExplicitMts(CodingUnit& cu, const ContextSet& entry, const HmvpTable& hm, const int* modes,
                      const double* modeJ, const uint8_t* modeCbf, const uint8_t* modeMts, int nm, double& bestJ,
                      uint64_t& bestDY);
  // ISP (SearchPreset::ispModes): the best regular modes coded again in horizontal and vertical sub-partitions.
  void tryIsp(CodingUnit& cu, const ContextSet& entry, const HmvpTable& hm, const int* modes, const double* modeJ,
              const uint8_t* modeCbf, int nm, double& bestJ, uint64_t& bestDY);
  // The luma of an ISP CU (cu.isp, its sub-partitions as TUs): each part predicted from the reconstruction of the
  // ones before it, coded, reconstructed into the picture. Returns J (kInf once the distortion and residual bits so
  // far pass bound, or where no part has a residual: the last part's tu_y_coded_flag would be inferred 1).
  double ispLumaRd(CodingUnit& cu, const ContextSet& entry, const HmvpTable& hm, uint64_t& dY, double bound);
  // LFNST for the luma of a chroma-tree-separate (dual / local dual tree) intra CU: lfnst_idx 1 and 2 with the best
  // preset_.lfnstModes modes of the mode RD (a coded luma residual, within preset_.mtsModeSlack of the best J),
  // each a full luma RD (invalid where the levels leave lfnst_idx uncoded)
  void tryLfnst(CodingUnit& cu, const ContextSet& entry, const HmvpTable& hm, const int* modes, const double* modeJ,
                const uint8_t* modeCbf, int nm, double& bestJ, uint64_t& bestDY);

  // Chroma mode RD for `cu` (luma already decided: its levels in lumaFrag, luma SSE dY). Leaves
  // the best chroma in cu / lumaFrag (levels appended) / the picture. Returns the CU's total J.
  double searchChroma(CodingUnit& cu, const ContextSet& entry, const HmvpTable& hm, double dY, CtuCoding& lumaFrag);

  // Joint Cb-Cr residual modes for the chosen chroma mode of a one-TU intra CU (frag: its levels from
  // lumaCoeffs on); keeps the best in cu / frag / the picture. Returns the CU's J.
  double tryJointChroma(CodingUnit& cu, const ContextSet& entry, const HmvpTable& hm, double dY, CtuCoding& frag,
                        size_t lumaCoeffs, double bestJ);

  // The chroma CU of a local dual tree node (after its luma CUs).
  double searchChromaCu(const TreeNode& node, ContextSet& cs, HmvpTable& hm, CtuCoding& frag);

  SearchPreset preset_;
  std::shared_ptr<const SplitHints> hints_;
  int hintLayer_ = 0;  // TemporalId of the picture being searched: its hints thresholds
  const CtuSearchContext* c_ = nullptr;
  RdLambda lam_;
  SearchStats stats_;
  std::vector<std::unique_ptr<NodeScratch>> nodeScratch_;
  ResidualBitTables tabY_, tabCb_, tabCr_;
  CtuCoding cuFrag_, bestFrag_, chromaBestFrag_, dualFrag_;
  CodingUnit bestCu_, chromaBestCu_;
  std::vector<Pel> bestRec_[3];
  // inter decision state
  MotionSearch ms_;
  CodingUnit interBestCu_;
  double interBestSatd_ = kInf;  // evalInter: the best merge or motion-searched candidate's SATD + sqrt(lambda) * bits
  double intraGate_ = kInf;   // searchLeafIntra leaves the CU to inter when its best intra SATD cost is above this
                              // (searchLeaf sets it in P/B slices, SearchPreset::intraInInterSatdRatio; else kInf)
  CtuCoding interFrag_, interBestFrag_;
  std::vector<Pel> interRec_[3], interPred_[3];
  std::vector<Pel> interBestPred_[3];  // the prediction of interBestCu_ (kept for evalSbt)
  // GPM search: per uni candidate its luma prediction (biased intermediate) and the row prefix sums of |org - pred|
  std::vector<int16_t> gpmPred_[inter::kMaxMergeCand];
  std::vector<int32_t> gpmPrefix_[inter::kMaxMergeCand];
  RdoqScratch rdoq_;
  // mts_idx the luma transform blocks are coded with (explicit MTS trials of searchLeafIntra; 0 otherwise)
  int mtsIdx_ = 0;
  int refLine_ = 0;  // the luma reference line (MRL) of the CU in lumaRd
  bool mipCu_ = false;  // the CU in lumaRd is MIP (luma prediction cu.predModeMip(), no implicit MTS)
  bool ispCu_ = false;  // the luma TBs being coded are ISP sub-partitions (recon::ispKernels)
  int lfnstIdx_ = 0, lfnstMode_ = 0;
  int lfnstAngleW_ = 0, lfnstAngleH_ = 0;  // an ISP CU's shape for the LFNST mode mapping (0: the TB's)
  // SBT luma TB being coded (evalSbt): its transform pair as an mts_idx (recon::sbtMtsIdx) and its 16-coefficient
  // zero-out (recon::sbtZeroOut); 0 / false otherwise
  int sbtMts_ = 0;
  const ContextSet* tsCtx_ = nullptr;  // transform skip: the CU's entry contexts (null: no transform-skip trials)
  uint8_t tbTs_ = 0;                   // codeResidualTb: the TB it coded took transform skip
  bool sbtZeroOut_ = false;  // LFNST of the luma TBs being coded (lumaRd): lfnst_idx and the CU's luma mode
  alignas(32) Pel pred_[64 * 64];
  Pel refTop_[2 * 64 + 1], refLeft_[2 * 64 + 1];
  alignas(32) Pel resid_[64 * 64];
  alignas(32) TCoeff coeff_[64 * 64];
  alignas(32) TCoeff lv_[64 * 64];
  alignas(32) TCoeff plain_[64 * 64];
};

}  // namespace search
}  // namespace nnvvc
