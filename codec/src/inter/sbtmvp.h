// Subblock-based temporal MV prediction (SbTMVP, H.266 8.5.5.3 / 8.5.5.4): the first candidate of the subblock
// merge list. A motion shift taken from the left neighbour A1 (when its MV points at the collocated picture)
// moves the CU's centre and each 8x8 subblock's centre into the collocated picture; each subblock takes the
// collocated block's motion there (8.5.2.12 with sbFlag, reference index 0 in each list), or the centre's where
// that block has none. Shared by the syntax, reconstruction and the encoder search, like affine.h.
#pragma once
#include "common/coding_structs.h"
#include "common/motion.h"
#include "inter/mv_pred.h"

namespace nnvvc {
namespace inter {

constexpr int kSbTmvpSubblock = 8;  // luma subblock size
constexpr int kMaxSbTmvpSubblocks = (128 / kSbTmvpSubblock) * (128 / kSbTmvpSubblock);

// Availability (sps_sbtmvp_enabled_flag && ph_temporal_mvp_enabled_flag in slice.sbTmvp, CU of 8x8 and more),
// ctr: the default motion (the collocated motion at the shifted centre; availableFlagSbCol), shift: tempMv.
bool sbTmvpCandidate(const MvPredEnv& env, int x, int y, int w, int h, SbTmvpMotion& out);

// Motion of each 8x8 luma subblock of the CU for candidate `c`: out[j * (w / 8) + i] (interDir 0 never: a
// subblock without collocated motion takes c.ctr). log2CtuSize: the collocated positions stay inside the CU's CTU
// (plus 4 columns to its right).
void sbTmvpSubblockMotion(const SliceParams& slice, int log2CtuSize, int x, int y, int w, int h,
                          const SbTmvpMotion& c, MotionInfo* out);

// Stores the subblock motion of an SbTMVP CU in the motion field (per 8x8; not an affine record).
void storeSbTmvpMotion(MotionField& field, const SliceParams& slice, int log2CtuSize, const CodingUnit& cu);

}  // namespace inter
}  // namespace nnvvc
