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

// The two stages of mipPredict: the reduced prediction (mipReducedSize(w, h) squared samples, row-major, in the
// block's orientation), and its upsampling to the w x h block.
int mipReducedSize(int w, int h);
void mipReducedPredict(int mode, bool transposed, const Pel* top, const Pel* left, int w, int h, int bitDepth,
                       Pel* red);
// The matrix input of one orientation (the same for every mode), for the encoder's run over all modes.
struct MipInput {
  int sizeId = 0, inSize = 0, predSize = 4;
  bool transposed = false;
  int p[8] = {}, base = 0, oW = 0, maxVal = 0;  // p[], pTemp[0], oW = 32 - 32 * sum(p), the clipping maximum
};
MipInput mipPrepare(bool transposed, const Pel* top, const Pel* left, int w, int h, int bitDepth);
void mipReducedPredict(const MipInput& in, int mode, Pel* red);
void mipUpsample(const Pel* red, const Pel* top, const Pel* left, int w, int h, Pel* dst, ptrdiff_t stride);

extern const uint8_t kMipWeights4x4[16][16][4];
extern const uint8_t kMipWeights8x8[8][16][8];
extern const uint8_t kMipWeights16x16[6][64][7];

}  // namespace dsp
}  // namespace nnvvc
