// Inter sample prediction (H.266 8.5.6): fractional sample interpolation (8-tap luma with 1/16
// positions, 4-tap chroma with 1/32 positions in 4:2:0, reference sample padding by clamping
// coordinates to the picture), uni-prediction rounding and the default weighted bi-prediction
// average (8.5.6.6.2). No BDOF, DMVR, PROF, BCW, weighted prediction, reference resampling or
// wrap-around (all disabled in the SPS this encoder writes). Uses the dsp mc kernels.
#pragma once
#include <cstddef>

#include "common/motion.h"
#include "common/types.h"

namespace nnvvc {
namespace recon {

// Predict the w x h luma block at (x, y) of the current picture and its two (w/2 x h/2)
// chroma blocks from the references given by `mi` (refIdx into refs.ref[l], MVs in 1/16 luma
// samples). dst[c] / dstStride[c]: output per component (final 10-bit samples, clipped).
void predictInter(const RefPicLists& refs, const MotionInfo& mi, int x, int y, int w, int h,
                  Pel* const dst[3], const ptrdiff_t dstStride[3]);

// Same for one component only (cIdx 0: luma block (x, y, w, h); 1/2: chroma block at chroma
// position (x, y) of size w x h). Used by the encoder's motion search (luma only).
void predictInterComponent(const RefPicLists& refs, const MotionInfo& mi, int cIdx, int x, int y,
                           int w, int h, Pel* dst, ptrdiff_t dstStride);

}  // namespace recon
}  // namespace nnvvc
