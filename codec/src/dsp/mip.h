// Matrix-based intra prediction (MIP, H.266 8.4.5.2.2) of a luma block: the neighbouring samples averaged down to
// 2 or 4 per side, a matrix of the standard's weights applied to them (a 4x4 or 8x8 reduced prediction), and linear
// interpolation up to the block size with the unreduced neighbours at the block's top and left. C only: a handful of
// multiply-adds per sample.
#pragma once
#include <cstddef>
#include <cstdint>

#include "common/types.h"

namespace nnvvc {
namespace dsp {

// mipSizeId (8.4.5.2.2): 0 for 4x4, 1 for 4xN / Nx4 / 8x8, 2 otherwise.
int mipSizeId(int w, int h);
// Number of MIP modes (intra_mip_mode 0..n-1): 16, 8, 6 by size id.
int mipNumModes(int w, int h);

// top[1 + i] = p[i][-1] (i < w), left[1 + j] = p[-1][j] (j < h): the reference samples of intra prediction after
// substitution (line 0, unfiltered). mode < mipNumModes(w, h); transposed: intra_mip_transposed_flag.
void mipPredict(int mode, bool transposed, const Pel* top, const Pel* left, int w, int h, int bitDepth, Pel* dst,
                ptrdiff_t stride);

extern const uint8_t kMipWeights4x4[16][16][4];
extern const uint8_t kMipWeights8x8[8][16][8];
extern const uint8_t kMipWeights16x16[6][64][7];

}  // namespace dsp
}  // namespace nnvvc
