// Decoder-side motion vector refinement (H.266 8.5.3): a bi-predicted regular-merge CU whose two
// references lie on opposite sides at the same POC distance refines its merge MVs per subblock of
// Min(16, w) x Min(16, h) by a +-2-sample bilateral search on a bilinear prediction (mirrored
// offsets: L0 + d, L1 - d), a parametric sub-sample step, then motion compensation at the refined
// MVs from a reference window fixed by the unrefined MVs; BDOF runs on a subblock only where the
// search's cost stays high. No syntax per CU: decoder and encoder derive the same refinement.
//
// Motion the refinement leaves behind: spatial neighbours (merge, AMVP, HMVP) and deblocking use
// the unrefined merge MVs; the picture's stored motion field, which temporal MV prediction of later
// pictures reads, holds the refined ones (applyDmvrToMotionField, after deblocking).
#pragma once
#include <cstddef>
#include <vector>

#include "common/coding_structs.h"
#include "common/motion.h"
#include "common/slice_params.h"
#include "common/types.h"

namespace nnvvc {
namespace recon {

constexpr int kDmvrSubblock = 16;  // refinement subblock side (at most)
constexpr int kDmvrMaxSubblocks = (128 / kDmvrSubblock) * (128 / kDmvrSubblock);

// dmvrFlag of 8.5.1 for a regular merge CU (not MMVD / CIIP / affine / SbTMVP; no weighted prediction exists
// here): the same condition as BDOF's (both lists, short-term references on opposite sides at equal POC
// distance, w >= 8, h >= 8, w * h >= 128, BcwIdx 0).
bool dmvrApplies(const RefPicLists& refs, const MotionInfo& mi, int curPoc, int w, int h);

// Result of the refinement search of one CU, subblocks in raster order.
struct DmvrRefinement {
  int sbW = 0, sbH = 0, numX = 0, numY = 0;
  Mv delta[kDmvrMaxSubblocks];        // L0 offset in 1/16 sample (L1 takes -delta)
  bool bdof[kDmvrMaxSubblocks] = {};  // BDOF applies to the subblock (bdofEnabled and the cost stays >= 2 * sbW * sbH)
};

// The refinement search (8.5.3.2) of a CU for which dmvrApplies(); bdofEnabled: the slice's BDOF.
void dmvrRefine(const RefPicLists& refs, const MotionInfo& mi, int x, int y, int w, int h, bool bdofEnabled,
                DmvrRefinement& out);

// Prediction of the three components of the CU at the refined MVs (luma with BDOF per subblock
// where `ref` says so), reference samples limited to the window of the unrefined MVs (8.5.6.3).
void predictDmvr(const RefPicLists& refs, const MotionInfo& mi, int x, int y, int w, int h,
                 const DmvrRefinement& ref, Pel* const dst[3], const ptrdiff_t dstStride[3]);

// Refined motion of subblock i (both lists' MVs offset, clipped to the 18-bit storage range).
MotionInfo dmvrRefinedMotion(const MotionInfo& mi, const DmvrRefinement& ref, int i);

// After the picture's deblocking: stores the refined MVs of every DMVR CU of `ctus` in `field`
// (what TMVP of later pictures reads). No-op unless slice.dmvr.
void applyDmvrToMotionField(const std::vector<CtuCoding>& ctus, const SliceParams& slice, MotionField& field);

}  // namespace recon
}  // namespace nnvvc
