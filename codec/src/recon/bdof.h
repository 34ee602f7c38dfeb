// Bi-directional optical flow (H.266 8.5.6.5): a per-4x4 motion refinement of bi-predicted luma
// from the gradients of the two list predictions. Used through recon::predictInter with
// InterPredTools::bdof (the slice's sps_bdof_enabled_flag && !ph_bdof_disabled_flag).
#pragma once
#include <cstddef>

#include "common/motion.h"
#include "common/types.h"

namespace nnvvc {
namespace recon {

// bdofFlag of 8.5.6.1 for a regular (non-affine, non-SbTMVP, non-CIIP, non-SMVD, BCW-default,
// unweighted) CU of w x h luma samples in the picture with POC curPoc: both lists used, both
// references short-term, the two on opposite sides at the same POC distance
// (POC - POC0 == POC1 - POC), w >= 8, h >= 8, w * h >= 128, mi.bcwIdx 0. False for motion naming no usable
// picture.
bool bdofApplies(const RefPicLists& refs, const MotionInfo& mi, int curPoc, int w, int h);

// The luma prediction of a CU for which bdofApplies(): per subblock of Min(16, w) x Min(16, h),
// both list predictions extended by one sample (the border from the nearest integer reference
// samples, 8.5.6.3.1), then the BDOF sample process (dsp/bdof). w, h <= 128.
void predictBdofLuma(const RefPicLists& refs, const MotionInfo& mi, int x, int y, int w, int h,
                     Pel* dst, ptrdiff_t ds);

// Fills the one-sample border of the (w + 2) x (h + 2) extended prediction `ext` (stride es, ext[0]
// = block position (-1, -1)) of a block at (x, y) with motion mv: integer reference samples at the
// block position + MV rounded to the nearest integer (xFrac >= 8 rounds up), clamped into the
// picture, in the 14-bit intermediate (8.5.6.3.1 / 8.5.6.3.3). Also used by DMVR's subblocks.
void bdofFillBorder(const Plane& plane, const Mv& mv, int x, int y, int w, int h, int16_t* ext, ptrdiff_t es);

}  // namespace recon
}  // namespace nnvvc
