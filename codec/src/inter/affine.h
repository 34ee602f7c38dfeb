// Affine motion (H.266 8.5.5): the subblock merge candidate list (8.5.5.2: SbTMVP (inter/sbtmvp.h), inherited
// candidates from affine neighbours 8.5.5.5, constructed candidates from corner motion 8.5.5.6, zero fill),
// the luma subblock MVs of a CU from its control-point MVs with the bandwidth fallback (8.5.5.9), the chroma
// subblock MVs (4:2:0: the mean of two luma subblocks) and the CU's motion storage (4x4 subblock MVs in the
// motion field and the control-point record later CUs inherit from). Shared by the syntax, reconstruction
// and the encoder search, like mv_pred.h.
#pragma once
#include "common/coding_structs.h"
#include "common/motion.h"
#include "inter/mv_pred.h"

namespace nnvvc {
namespace inter {

constexpr int kMaxSubblockMergeCand = 5;
constexpr int kAffineSubblock = 4;  // luma subblock size (PROF off: always 4x4)

// Subblock merge candidate list of the CU at (x, y, w, h) (w, h >= 8): fills list[0 ..
// MaxNumSubblockMergeCand - 1] (slice.maxNumSubblockMergeCand) and returns that count. When the SbTMVP candidate
// is available it is candidate 0 (sbTmvp->available; list[0] then carries only its centre's interDir / refIdx),
// followed by the affine ones (inherited and constructed only with slice.affine) and zero candidates.
int buildSubblockMergeList(const MvPredEnv& env, int x, int y, int w, int h, AffineMotion list[kMaxSubblockMergeCand],
                           SbTmvpMotion* sbTmvp = nullptr);

// Affine AMVP (8.5.5.7): the two control-point MV predictor candidates out[k][0..2] (cp 2 only for a 6-parameter
// CU) of list X / refIdx for the CU at (x, y, w, h) (16x16 and more): inherited from the first affine neighbour
// A0, A1 and B0, B1, B2 with a list referring to the same picture, the constructed one from corner MVs, then
// translational corner MVs, the temporal MV and zero; rounded to quarter samples (no affine AMVR).
void buildAffineAmvpList(const MvPredEnv& env, int x, int y, int w, int h, int listX, int refIdx, bool sixParam,
                         Mv out[2][3]);

// The affine model of list l of `am` for a w x h CU (8.5.5.9): the MV at the CU's top-left in 1/2048 ... units of
// 1/16 sample << 7 (base), and the horizontal / vertical gradients (per luma sample, << 7).
struct AffineModel {
  int32_t baseX = 0, baseY = 0;
  int32_t dHorX = 0, dHorY = 0;  // d(mv.x)/dx, d(mv.y)/dx
  int32_t dVerX = 0, dVerY = 0;  // d(mv.x)/dy, d(mv.y)/dy
};
AffineModel affineModel(const AffineMotion& am, int l, int w, int h);
// fallbackModeTriggered of 8.5.5.9: the reference area of a subblock would exceed the bandwidth limit
// (bi: 15 x 15 samples for 4x4 with the 6-tap filter's margins; uni: 15 x 11 / 11 x 15), so every subblock
// takes the CU centre's MV.
bool affineFallback(const AffineModel& m, int interDir);
// Luma subblock MVs of list l (8.5.5.9): out[(j * (w / 4)) + i] for the 4x4 subblock (i, j), rounded
// (8.5.2.14, right shift 7) and clipped to 18 bits.
void affineSubblockMvs(const AffineMotion& am, int l, int w, int h, Mv* out);
// Chroma MV (4:2:0, 1/32 chroma sample = the same number) of the 4x4 chroma subblock covering the 8x8 luma
// area whose top-left luma subblock is (i, j): the rounded mean of luma subblocks (i, j) and (i + 1, j + 1).
inline Mv affineChromaMv(const Mv* lumaMvs, int numSbX, int i, int j) {
  const Mv& a = lumaMvs[j * numSbX + i];
  const Mv& b = lumaMvs[(j + 1) * numSbX + i + 1];
  return roundMv(Mv(a.x + b.x, a.y + b.y), 1, 0);
}

// MotionInfo of an affine CU as the CU-level part (interDir / refIdx; mv = control point 0).
MotionInfo affineCuMotion(const AffineMotion& am);

// Stores the motion of `cu` in the motion field: its 8x8 subblock motion for SbTMVP (inter/sbtmvp.h; slice and
// log2CtuSize serve its derivation), its subblock MVs and control-point record when affine, else cu.motion over the
// CU (the motion argument replaces cu.motion for these). GPM CUs: storeGpmMotion.
void storeCuMotion(MotionField& field, const CodingUnit& cu, const MotionInfo& mi, const SliceParams& slice,
                   int log2CtuSize);

}  // namespace inter
}  // namespace nnvvc
