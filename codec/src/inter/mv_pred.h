// Motion vector prediction (H.266 8.5.2): the regular merge candidate list, the AMVP predictor
// list, and the history-based MVP table update. Used alike by the syntax reader (decoder), the
// syntax writer (consistency check) and the encoder's inter search, so all derive the same lists.
//
// Tool set signalled by this encoder: no TMVP (sps_temporal_mvp_enabled_flag = 0), no SbTMVP,
// affine, MMVD, CIIP, GPM, SMVD, AMVR, BCW, weighted prediction; one slice, one tile per picture;
// Log2ParMrgLevel = 2 (sps_log2_parallel_merge_level_minus2 = 0). The functions still take the
// spec's inputs so that TMVP can be added later without changing callers.
#pragma once
#include "common/coding_structs.h"
#include "common/motion.h"
#include "common/slice_params.h"

namespace nnvvc {
namespace inter {

constexpr int kMaxMergeCand = 6;

// Everything the derivations read: the current picture's motion field, the HMVP table and the
// slice (reference lists with POCs, MaxNumMergeCand). A spatial neighbour is available (6.4.2)
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
int buildMergeList(const MvPredEnv& env, int x, int y, int w, int h, MotionInfo list[kMaxMergeCand]);

// AMVP predictor list (8.5.2.8 - 8.5.2.10, HMVP, zero fill) for list X and reference index
// refIdx of the CU at (x, y, w, h): exactly 2 candidates, in 1/16 sample units, rounded as the
// spec rounds them for AmvrShift = 2 (quarter-sample MVD precision).
void buildAmvpList(const MvPredEnv& env, int x, int y, int w, int h, int listX, int refIdx, Mv out[2]);

// HMVP table update after an inter CU with motion `mi` (8.5.2.16 / 8.5.2.1 last step).
void updateHmvp(HmvpTable& table, const MotionInfo& mi);

// MV rounding helpers of the spec (8.5.2.14 rounding process for motion vectors).
Mv roundMv(const Mv& mv, int rightShift, int leftShift);
// Clip to the 18-bit MV range [-2^17, 2^17 - 1].
Mv clipMv(const Mv& mv);

}  // namespace inter
}  // namespace nnvvc
