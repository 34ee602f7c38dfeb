// Motion vector prediction (H.266 8.5.2): the regular merge candidate list, the AMVP predictor
// list, and the history-based MVP table update. Used alike by the syntax reader (decoder), the
// syntax writer (consistency check) and the encoder's inter search, so all derive the same lists.
//
// Tool set: temporal MV prediction (TMVP, when slice->tmvp), MMVD offsets (mmvdMotion), AMVR
// rounding of the AMVP predictors; no weighted prediction (SbTMVP: inter/sbtmvp.h, affine: inter/affine.h,
// GPM's uni candidates: inter/gpm.h); one slice, one tile per picture; Log2ParMrgLevel = 2 (sps_log2_parallel_merge_level_minus2 = 0).
#pragma once
#include "common/coding_structs.h"
#include "common/motion.h"
#include "common/slice_params.h"

namespace nnvvc {
namespace inter {

constexpr int kMaxMergeCand = 6;

// Everything the derivations read: the current picture's motion field, the HMVP table and the
// slice (reference lists with POCs, MaxNumMergeCand; with TMVP the collocated picture's motion
// field and MotionField::refs(), reached through slice->refs). A spatial neighbour is available (6.4.2)
// iff it is inside the picture and motion->at(x, y)->isInter(): the motion field holds interDir 0
// for intra CUs and for every area not yet coded in decoding order (the decoder resets it per
// picture; the encoder search clears areas it backtracks from), and the current CU's own area
// is not yet stored when the lists are built. One slice and one tile per picture.
struct MvPredEnv {
  const MotionField* motion = nullptr;
  const HmvpTable* hmvp = nullptr;
  const SliceParams* slice = nullptr;
  int log2CtuSize = 7;
};

// Regular merge candidate list (8.5.2.2 - 8.5.2.5, 8.5.2.6 HMVP, pairwise average, zero
// candidates) for the CU at luma (x, y) of size w x h. Fills list[0 .. MaxNumMergeCand-1] and
// returns the number filled (always MaxNumMergeCand). For 8x4 / 4x8 CUs (w + h == 12) bi
// candidates are converted to L0-only as 8.5.2.2 requires.
// restrictSmallBi false: keep bi candidates of 8x4 / 4x8 CUs (MMVD adds its offsets to the bi
// candidate first, then mmvdMotion converts).
int buildMergeList(const MvPredEnv& env, int x, int y, int w, int h, MotionInfo list[kMaxMergeCand],
                   bool restrictSmallBi = true);

// MMVD (8.5.2.7, then the end of 8.5.2.2): the merge candidate `base` (unrestricted, see above)
// moved by the offset of mmvd_distance_idx `dist` (2^dist quarter samples) in direction `dir`
// (0 +x, 1 -x, 2 +y, 3 -y). A bi candidate moves its list with the larger POC distance by the
// offset and the other by the offset scaled to its distance (mirrored for long-term references
// on opposite sides); MVs wrap to 18 bits; 8x4 / 4x8 CUs then drop list 1.
MotionInfo mmvdMotion(const SliceParams& slice, const MotionInfo& base, int dist, int dir, int w, int h);

// AMVP predictor list (8.5.2.8 - 8.5.2.10, HMVP, zero fill) for list X and reference index
// refIdx of the CU at (x, y, w, h): exactly 2 candidates, in 1/16 sample units, rounded as the
// spec rounds them for AmvrShift (2: quarter-sample MVDs; 4, 6: AMVR one / four samples).
void buildAmvpList(const MvPredEnv& env, int x, int y, int w, int h, int listX, int refIdx, Mv out[2],
                   int amvrShift = 2);

// Temporal luma MV prediction (8.5.2.11 with 8.5.2.12) for list X, reference index refIdx, of the
// CU at (x, y, w, h): the collocated block's MV (bottom-right position when it lies inside the
// picture and the CU's CTU row, else the centre; the collocated motion is read at 8x8 granularity)
// scaled to the POC distance of RefPicList[X][refIdx]. False when the slice has TMVP off, the CU
// has at most 32 luma samples, or no collocated MV exists. Merge uses refIdx 0 in each list; AMVP
// the signalled one (and rounds the result to the MVD precision, as buildAmvpList does).
bool temporalMv(const MvPredEnv& env, int x, int y, int w, int h, int listX, int refIdx, Mv& mv);

// The collocated MV (8.5.2.12) at luma (x, y) (read at ((x >> 3) << 3, (y >> 3) << 3)) for list X and
// reference index refIdx, without the position rules of temporalMv: the bottom-right corner of the
// constructed affine candidates (8.5.5.6) and SbTMVP (sbFlag: where a reference follows the current picture,
// only the collocated block's list X is read). False without TMVP or a collocated MV.
bool collocatedMvAt(const SliceParams& slice, int x, int y, int listX, int refIdx, Mv& mv, bool sbFlag = false);

// The collocated picture's reference entry (ColPic, 8.5.2.11), or nullptr when the slice has no usable one (TMVP
// off, index out of range, no motion field).
const RefPic* collocatedRef(const SliceParams& slice);

// The spatial AMVP predictor of the neighbour at (x, y) (8.5.2.10): its list-X MV when that refers to
// targetPoc, else its list-Y MV when that does (also the corners of the constructed affine AMVP candidate).
bool amvpNeighbourMv(const MvPredEnv& env, int x, int y, int listX, int targetPoc, Mv& mv);

// distScaleFactor of 8.5.2.12 for the POC distances currPocDiff (current picture to its
// reference) and colPocDiff (collocated picture to its block's reference), each clipped to
// [-128, 127]: 256 stands for 1.0, the range is [-4096, 4095]. colPocDiff must not be 0.
int distScaleFactor(int currPocDiff, int colPocDiff);
// Collocated MV component as the reference decoder (VTM-23.2) reads it from the collocated
// picture: rounded to 6 significant bits (a 6-bit signed mantissa with an exponent), i.e.
// unchanged in [-64, 63], else rounded (halves upward) to a multiple of 2^(Floor(Log2(m)) - 5),
// m = v >= 0 ? v : -v - 1.
int32_t roundCollocatedMvComponent(int32_t v);

// HMVP table update after an inter CU with motion `mi` (8.5.2.16 / 8.5.2.1 last step).
void updateHmvp(HmvpTable& table, const MotionInfo& mi);

// RefIdxSymL0 / RefIdxSymL1 of a B slice with SMVD (8.3.5 as VTM-23.2 derives them): the nearest
// short-term reference before the current picture in list 0 and the nearest after it in list 1, else the
// nearest after it in list 0 and before it in list 1. False (out -1, -1) when no such pair exists, or the
// slice has no SMVD, no B type or no reference after the current picture (NoBackwardPredFlag).
bool symmetricRefIdx(const SliceParams& slice, int out[2]);

// The largest bcw_idx of the slice (cMax of its truncated-rice binarisation, 9.3.3): 0 without BCW or in
// non-B slices; 2 with a reference after the current picture (weights 4, 5, 3 of kBcwWeightL1); 4 when
// NoBackwardPredFlag is 1 (all five weights).
int bcwMaxIdx(const SliceParams& slice);

// MV rounding helpers of the spec (8.5.2.14 rounding process for motion vectors).
Mv roundMv(const Mv& mv, int rightShift, int leftShift);
// Clip to the 18-bit MV range [-2^17, 2^17 - 1].
Mv clipMv(const Mv& mv);
// An MV sum wrapped to 18 bits as 8.5.2.1 / 8.5.2.2 do it (u = (v + 2^18) % 2^18, then mapped to
// [-2^17, 2^17 - 1]): mvp + mvd in AMVP, merge MV + MMVD offset.
inline int32_t wrapMv18(int32_t v) {
  const uint32_t u = uint32_t(v) & ((1u << 18) - 1);
  return u >= (1u << 17) ? int32_t(u) - (1 << 18) : int32_t(u);
}
// 8x4 / 4x8 CUs cannot be bi-predicted (8.5.2.2): a bi motion keeps list 0 only.
inline void restrictBiOfSmallCu(MotionInfo& mi, int w, int h) {
  if (w + h != 12 || mi.interDir != 3) return;
  mi.interDir = 1;
  mi.refIdx[1] = -1;
  mi.mv[1] = Mv();
  mi.bcwIdx = 0;
}

}  // namespace inter
}  // namespace nnvvc
