// nnvvc DSP module "dmvr": the sample kernels of decoder-side motion vector refinement (H.266
// 8.5.3.2 and the bilinear interpolation it searches on). Plain C; no SIMD twin yet (the search
// runs once per 16x16 subblock of a bi-merge CU and measured below 1% of an encode).
// Caller: recon/dmvr.cpp (shared by the decoder and the encoder's reconstruction / final RD).
//
// Bilinear interpolation of the refinement search (2-tap filter fb[p] = {16 - p, p}, p = 1/16
// sample phase), at the 10-bit internal sample precision (VTM-23.2's rounding, which the
// conformance streams follow):
//   both phases 0:      dst = src
//   one phase non-0:    dst = (fb[p][0] * a + fb[p][1] * b + 8) >> 4      (a, b the two taps)
//   both non-0:         horizontal pass as above for rows 0 .. h, then the vertical one on it
// src points at the reference sample of the block's integer position; the kernel reads rows
// 0 .. h and columns 0 .. w (only 0 .. h-1 / w-1 along a direction whose phase is 0).
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/types.h"

namespace nnvvc {
namespace dsp {

void dmvrBilinear_c(Pel* dst, ptrdiff_t ds, const Pel* src, ptrdiff_t ss, int w, int h, int xFrac, int yFrac);

// The refinement search's distortion: sum of |a - b| over the even rows (0, 2, 4, ...) of a
// w x h block (VTM's row-subsampled SAD, shifted back: the exact sum over even rows).
uint32_t dmvrSadEvenRows_c(const Pel* a, ptrdiff_t as, const Pel* b, ptrdiff_t bs, int w, int h);

}  // namespace dsp
}  // namespace nnvvc
