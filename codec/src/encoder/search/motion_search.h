// Motion estimation for the inter decision of one CU (luma only): integer search seeded by the
// AMVP predictors (and zero) with a widening diamond pattern over a window that grows with the
// POC distance to the reference, then half- and quarter-sample refinement by SATD, then a
// bi-prediction candidate from the best uni-prediction of each list with one refinement round.
// Costs are SAD/SATD + sqrt(lambda) * estimated motion bits, as usual for such searches.
#pragma once
#include <cstdint>
#include <vector>

#include "common/motion.h"
#include "common/slice_params.h"
#include "common/types.h"
#include "inter/mv_pred.h"

namespace nnvvc {
namespace search {

struct MotionSearchConfig {
  int rangeBase = 16;       // integer search window (samples) for a reference at POC distance 1 ...
  int rangePerPoc = 8;      // ... plus this per further POC step,
  int rangeMax = 96;        // capped here
  bool fractional = true;   // half/quarter refinement
  bool bi = true;           // bi-prediction candidate
  int biRefineRounds = 1;   // iterative refinement of one list with the other fixed
};

// One AMVP (non-merge) inter candidate ready for the RD check.
struct AmvpCandidate {
  MotionInfo mi;            // final motion (MVs in 1/16, multiples of 4: quarter-sample)
  uint8_t mvpIdx[2] = {0, 0};
  Mv mvd[2];
  double cost = 0;          // SATD + sqrt(lambda) * bits estimate
};

class MotionSearch {
 public:
  MotionSearch();
  // Per picture / CTU set-up.
  void set(const Picture* orig, const SliceParams* slice, double sqrtLambda, const MotionSearchConfig& cfg) {
    orig_ = orig; slice_ = slice; sqrtLambda_ = sqrtLambda; cfg_ = cfg;
  }
  // Best uni-prediction per list/reference and a bi candidate; returns up to maxOut candidates
  // sorted by cost (best first).
  int search(const inter::MvPredEnv& env, int x, int y, int w, int h, AmvpCandidate* out, int maxOut);
  // BCW: the bi candidate `base` with weights bcwIdx (kBcwWeightL1, > 0) and its weighted prediction's SATD +
  // sqrt(lambda) * bits (bcw_idx bits of a slice with cMax bcwMax included); refine: first the list of the larger
  // weight refined at half and quarter sample against (8 * org - w_fixed * pred_fixed) / w_moving.
  AmvpCandidate biWeighted(const inter::MvPredEnv& env, int x, int y, int w, int h, const AmvpCandidate& base,
                           int bcwIdx, int bcwMax, bool refine);
  // AMVR at half a sample: base's MVs rounded to half a sample and each used list refined over its 8 half-sample
  // neighbours (repeated while the centre moves, at most 3 rounds) with the alternative half-sample filter
  // (hpelIfIdx 1), against the source (uni) or against what the list must predict with the other list fixed (bi),
  // the MVDs against the half-sample predictors. The result has mi.hpelIfIdx 1 and mvd in 1/16 units.
  AmvpCandidate halfSampleCandidate(const inter::MvPredEnv& env, int x, int y, int w, int h, const AmvpCandidate& base);
  // SATD cost of a merge candidate's luma prediction (+ merge index bits).
  double mergeCost(const MotionInfo& mi, int mergeIdx, int x, int y, int w, int h);
  // SATD cost of a prediction's luma + sqrt(lambda) * bits (MMVD candidates).
  double predCost(const MotionInfo& mi, double bits, int x, int y, int w, int h);
  // Same for an affine CU's motion (luma subblock prediction, recon::predictAffine).
  // approximate: the 8-tap filter (faster SIMD) in place of the 6-tap one, for the control-point search.
  double affineCost(const AffineMotion& am, double bits, int x, int y, int w, int h, bool approximate = false);
  // Same for an SbTMVP CU: the luma prediction of each 8x8 subblock with its motion sub[j * (w / 8) + i].
  double sbTmvpCost(const MotionInfo* sub, double bits, int x, int y, int w, int h);

 private:
  struct UniResult { Mv mv; int mvpIdx = 0; Mv mvd; Mv pred[2]; double cost = 1e300; uint32_t bits = 0; };
  UniResult searchUni(const inter::MvPredEnv& env, int list, int refIdx, int x, int y, int w, int h,
                      const Pel* target, ptrdiff_t targetStride, bool doFrac);
  void refineWeighted(const inter::MvPredEnv& env, int x, int y, int w, int h, AmvpCandidate& c);
  // target_ (w x h) = (8 * org - wFixed * pred of mi's list `fixed`) / wMoving, weights in eighths: what list
  // 1 - fixed must predict for the weighted bi-prediction to equal the source
  void fixedListTarget(const MotionInfo& mi, int fixed, int wFixed, int wMoving, int x, int y, int w, int h);
  // SATD of a bi candidate's (weighted) luma prediction + sqrt(lambda) * its AMVP bits (+ extraBits)
  double biCost(const AmvpCandidate& c, double extraBits, int x, int y, int w, int h);
  void refineFractional(int list, int refIdx, int x, int y, int w, int h, const Pel* target, ptrdiff_t ts,
                        UniResult& r);
  uint64_t distInt(const Plane& ref, int x, int y, int w, int h, Mv mv, const Pel* target, ptrdiff_t ts) const;
  uint64_t distFrac(int list, int refIdx, int x, int y, int w, int h, Mv mv, const Pel* target, ptrdiff_t ts,
                    bool altHpel = false);

  const Picture* orig_ = nullptr;
  const SliceParams* slice_ = nullptr;
  double sqrtLambda_ = 1.0;
  MotionSearchConfig cfg_;
  std::vector<Pel> pred_, pred2_, target_;
};

// Estimated bits of coding `mvd` (1/16 units, a multiple of 4: the coded value is mvd >> 2) with mvd_coding().
uint32_t mvdBitsEstimate(const Mv& mvd);
// The AMVP predictor of pred[0..1] (at AmvrShift amvrShift, 2..6) that codes `mv` with the fewest estimated bits (the
// MVD in units of 1 << amvrShift, + 1 for mvp index 1): returns those bits, idx the predictor (the first on a tie).
uint32_t cheapestMvp(const Mv pred[2], const Mv& mv, int amvrShift, int& idx);

}  // namespace search
}  // namespace nnvvc
