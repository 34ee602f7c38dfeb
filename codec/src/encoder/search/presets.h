// Search presets: how much of the partition / mode space the RD search visits.
// "exhaustive" prunes nothing: every split the spec rules (and split hints) allow is evaluated by
// full RD; only the (lossless) abort of a split whose children already cost more than the best
// candidate is used, and intra modes still go through the SATD pre-selection (7 best + all 6 MPMs
// get full RD; see README).
#pragma once
#include <string>

#include "encoder/search/intra_mode_select.h"

namespace nnvvc {
namespace search {

struct SearchPreset {
  std::string name = "exhaustive";
  int maxMttDepth = 3;         // cap on top of the SPS MaxMttDepth
  bool tryBt = true, tryTt = true;
  bool localDualTree = true;   // allow splits with modeTypeCondition 1 (small chroma handled by a
                               // separate chroma CU)
  ModeSelectConfig modes{7, 6, 4};
  // all-intra encodes (--config ai) use these instead where numRd > 0: there the intra search is the whole
  // encode, and its time is judged against VTM's all-intra time
  ModeSelectConfig modesAllIntra{0, 0, 0};
  int numChromaRdAllIntra = 0;  // ... and this numChromaRd (below) where > 0
  int largeBlockRdReduce = 0;  // fewer full-RD luma modes (this many) for CUs of >= 32x32 samples
  int numChromaModes = 5;      // DM, planar, ver, hor, DC (first N)
  int numChromaRd = 0;         // > 0: of those (and the CCLM modes), DM and the numChromaRd - 1 others of least SATD
                               // get the full RD check; 0: all of them
  // Heuristic pruning (0 = off):
  bool skipTtIfBtNoGain = false;   // try TT in a direction only if BT in that direction beat no-split
  bool skipSplitsIfLeafZeroCbf = false;  // stop splitting below a leaf CU that codes no residual
  int minLeafLog2ForSplitSkip = 4;      //   ... only when its area is at least 2^(2*this)
  // Inter CUs (P/B slices):
  int numMergeRd = 3;          // merge candidates (best by SATD) that get a full RD check
  int numAmvpRd = 2;           // motion-search candidates (uni/bi) that get a full RD check
  // MMVD (ra, --mmvd on; the SPS flag is on by default where this is true). Per base candidate and
  // direction the distances are walked up while the SATD cost falls; the best numMmvdRd of all get a
  // full RD check, and so does the MMVD form of the best motion-searched candidate when one reaches
  // its motion exactly. On at medium, slow and exhaustive (presets.cpp has the figures).
  bool mmvd = false;
  int numMmvdRd = 2;
  // CIIP (ra; the SPS flag is on where this is > 0): this many of the best merge candidates (plain SATD order)
  // get a full RD check as CIIP CUs, unless a skip CU already won the CU. On at slow and exhaustive only:
  // BasketballPass 33 frames at medium -0.23% BD-rate for +7.8% time with 3 candidates, -0.04% for +4.4% with one.
  int numCiipRd = 3;
  // SMVD (ra, B slices with a symmetric reference pair; the SPS flag is on where this is): one symmetric-MVD
  // bi candidate per AMVP leaf, MVD searched from the motion-searched MVs (evalSmvd). On at slow and exhaustive:
  // BasketballPass 33 frames at medium -0.52% BD-rate for +22% time.
  bool smvd = true;
  // BCW (ra, B slices; the SPS flag is on where this is > 0): the motion-searched bi candidate with each
  // non-default CU weight (one list refined against the weighted target, MotionSearch::biWeighted); this many of
  // those that beat the equal-weight SATD cost get a full RD check (evalBcw). `--bcw on` at a preset with 0: one.
  int numBcwRd = 0;
  // LFNST (the SPS flag is on where this is > 0): lfnst_idx 1 and 2 tried with this many of the best luma modes of
  // chroma-tree-separate intra CUs (tryLfnst). `--lfnst on` at a preset with 0: one mode.
  int lfnstModes = 0;
  // SBT (ra, P/B slices; the SPS flag is on where this is > 0): the best inter CU with a residual tries its residual in
  // one half or quarter of the CU; the SBT splits ranked by the residual energy they leave uncoded, this many best to
  // full RD (evalSbt). `--sbt on` at a preset with 0: two.
  int numSbtRd = 0;
  // MRL (the SPS flag is on where this is > 0): intra luma CUs below their CTU's first row also predict the five
  // non-planar MPMs from reference lines 1 and 2; ranked by SATD + mode bits with the regular modes, at most this
  // many of those that would have made the regular RD list get a full luma RD. `--mrl on` at a preset with 0: one.
  int numMrlRd = 0;
  // ISP (the SPS flag is on where this is > 0): the best this many regular luma modes of the mode RD (reference line
  // 0, no MIP, with a coded luma residual) are coded again in horizontal and vertical sub-partitions (tryIsp), each
  // split abandoned as soon as its partial cost passes the best. `--isp on` at a preset with 0: one mode.
  int ispModes = 0;
  // Transform skip (the SPS flag is on where this is > 0): TBs of at most 2^tsLog2Max a side (luma without MTS / LFNST
  // / ISP, chroma outside JCCR, none in SBT CUs) are also quantised without a transform and keep whichever of the two
  // costs less (SSE + lambda x the estimated bits of its residual syntax). `--transform-skip on` at a preset with 0:
  // every size the SPS allows (32).
  int tsLog2Max = 0;
  // Explicit MTS for inter CUs (the SPS flag is on in `ra` where this is > 0): the best inter CU with a luma residual
  // (no SBT, at most 32x32) coded again with mts_idx 1 .. this (DST-VII / DCT-VIII pairs), each a full RD
  // (RdCtuSearch::evalInterMts). `--mts-inter on` at a preset with 0: all four.
  int numInterMts = 0;
  bool ispBothSplits = true;  // ... in both directions (else one, by the mode's direction: tryIsp)
  bool ispLfnst = false;  // ... then lfnst_idx 1 and 2 on the better split (luma tree of a slice with LFNST)
  bool ispInRa = true;  // ... in `ra` (else the SPS flag is off there unless `--isp on`)
  bool ispInAi = true;  // ... in `ai` (likewise)
  bool mrlInRa = true;  // ... also in `ra` (else the SPS flag is off there unless `--mrl on`)
  // MIP (the SPS flag is on where this is > 0): intra luma CUs of one TU also try every MIP mode (both orientations)
  // by SATD + mode bits; at most this many of those that beat the threshold of the extra candidates (ModeSelectConfig::extraVsBest) get a
  // full luma RD. `--mip on` at a preset with 0: one.
  int numMipRd = 0;
  bool mipInRa = true;  // ... also in `ra` (else the SPS flag is off there unless `--mip on`)
  bool mipInAi = true;  // ... in `ai` (else, likewise, off there unless `--mip on`)
  bool bcwRefine = true;  // ... refining one list's MV for each weight (else the weights on the equal-weight MVs)
  // Affine motion (ra; the SPS flag is on where this is): subblock merge candidates pre-selected by SATD, the best
  // numAffineMergeRd to full RD, in merge CUs of 8x8 and more; the affine AMVP search for CUs of 16x16 and more.
  // `--affine on` at a preset without affine searches with these numbers too. On only at exhaustive: BasketballPass 17
  // frames slow -0.69% BD-rate for +67% CPU, medium -0.47% for x2.85 (too much CPU for the T1 <= 0.7 x VTM rule).
  bool affine = false;
  int numAffineMergeRd = 2;
  // SbTMVP (ra; the SPS flag is on where this is, with TMVP): the subblock temporal merge candidate to full RD in
  // merge CUs of 8x8 and more, unless all its subblocks share one motion that a regular merge candidate brought.
  // `--sbtmvp on` at a preset without it searches the same way.
  bool sbTmvp = false;
  double sbTmvpSatdRatio = 0.0;  // ... and only when its SATD cost is below this multiple of the best merge candidate's (0: no limit)
  bool affineAmvp = true;      // affine AMVP search (evalAffineAmvp) where the slice has affine
  bool affineAmvpSixParam = true;  // ... also the 6-parameter model
  bool affineSearchApprox = false;  // ... predicting with the (SIMD) 8-tap filter instead of the 6-tap one
  int affineSearchStartStep = 16;  // ... coordinate descent step (1/16 sample) halved down to a quarter sample: 16 = 1, 1/2, 1/4
  // GPM (ra, B slices; the SPS flag is on where `gpm` is): the merge list's uni-prediction candidates, every
  // partition mode and candidate pair ranked by the SAD of each partition's region (row prefix sums), the best
  // numGpmSatd blended and ranked by SATD, the best numGpmRd of those to a full RD check (with and without
  // residual). `--gpm on` at a preset without GPM searches with these numbers too. On at medium (with
  // gpmSatdRatio 1), slow and exhaustive (presets.cpp has the figures); off at fast and faster.
  bool gpm = false;
  int numGpmSatd = 8;
  int numGpmRd = 3;
  // ... and only those whose SATD cost is below this multiple of the best regular merge candidate's (0: no limit)
  double gpmSatdRatio = 0.0;
  // AMVR (ra; sps_amvr_enabled_flag where `amvr` is, or with --amvr on): the best motion-searched candidate at half
  // (with the alternative half-sample filter), one and four samples, each to full RD (RdCtuSearch::evalAmvr)
  bool amvr = false;
  bool intraInInter = true;    // also try intra CUs in P/B slices ...
  bool intraSkipIfSkip = true; //   ... but not when the best inter CU is a skip CU
  double intraInInterSatdRatio = 0.0;  // ... and (> 0) only where the CU's best intra mode by SATD + mode bits costs
                                       // less than this multiple of the best inter candidate's SATD + bits (the
                                       // best merge candidate's or the motion search's); 1.2 at every preset but
                                       // exhaustive (presets.cpp has the figures)
  int intraInInterMaxTid = 7;  //   ... and only in pictures of temporal layer <= this (the high
                               //   layers, 3/4 of an RA GOP, predict well from close references).
                               //   The *Tid rules read the layer on the GOP-16 scale (SliceParams::
                               //   hierarchyLevel: 4 = reference distance 1), for GOP 32 too
  int meRangeMax = 96;         // motion search window cap (samples)
  bool interSkipStopsSplit = false;  // no split of a node whose leaf CU was coded as skip
  int skipStopsMttFromTid = 99;      // in pictures of temporal layer >= this: no BT/TT split (QT still tried) of a
                                     // node whose leaf CU was coded as skip (medium: -26% time, +0.1% BD-rate)
  int skipStopsAmvpMaxTid = -1;      // in pictures of temporal layer <= this: no motion search (AMVP) for a CU
                                     // whose best merge candidate codes as skip (early skip detection)
  bool meFractional = true;
  bool meBi = true;
  bool useRdoq = true;
  bool rdoqGuard = true;       // compare RDOQ's result with plain quantisation by exact J ...
  bool rdoqGuardInterSlices = true;  // ... in P/B slices too (medium leaves it off there: -7% time, +0.2% BD-rate)
  // Dependent quantisation by default (ai and ra; else RDOQ + sign data hiding): since 2026-12-02 (ninth
  // session: the trellis may take level 1 for every coefficient, which steers the QState path) it gains,
  // BasketballPass `slow`: ra 17 frames -1.19% BD-rate for +15% CPU, ai 4 frames -1.29% for +25%; `medium`:
  // ra -1.43% for +17%, ai -1.16% for +15%. On at medium and slower; fast/faster keep RDOQ + sign hiding.
  bool depQuant = false;
  // Dual tree in I slices (sps_qtbtt_dual_tree_intra_flag): a chroma coding tree of its own per 64x64 area.
  // On in every preset (2026-12-01, seventh session; all-intra BasketballPass 4 frames: medium -1.61% BD-rate
  // at -3% time, slow -1.28% at -12%, fast -0.79% at -14%, faster -5.20% at +14%; BQTerrace frame 0 medium
  // -4.21% at -14%; ra medium BasketballPass 33 frames -0.90%).
  bool dualTree = true;
  // Joint Cb-Cr residuals (sps_joint_cbcr_enabled_flag): modes 1-3 tried for the chosen chroma mode of one-TU
  // intra CUs, mode 2 for inter CUs with both chroma residuals. On in every preset (2026-12-01, seventh session:
  // all-intra BasketballPass 4 frames medium -1.49% BD-rate at +4.7% time; ra 33 frames -0.89% at +2.3%).
  bool jointCbCr = true;
  // Explicit MTS for intra CUs (sps_explicit_mts_intra_enabled_flag by default in `ai` where explicitMts is, never by
  // default in `ra`; implicit MTS is then off; --mts-explicit on turns it on elsewhere with the same search rules):
  // after the DCT-II luma mode RD of an intra CU of at most 32x32, the best mtsModes modes (those within
  // mtsModeSlack of the best J and with a coded luma residual) have their residual transformed with each
  // DST-VII / DCT-VIII pair; the pairs whose sum of |coefficients| is below mtsCostRatio x DCT-II's, cheapest
  // first, at most mtsMaxRd of them, get a full luma RD (tryExplicitMts).
  bool explicitMts = false;
  int mtsModes = 1;
  double mtsModeSlack = 0.0;
  int mtsMaxRd = 4;
  double mtsCostRatio = 1e9;
};

// Returns false for an unknown name.
bool presetByName(const std::string& name, SearchPreset& out);
const char* searchPresetNames();  // "exhaustive|slow|medium|fast|faster"

}  // namespace search
}  // namespace nnvvc
