// nnvvc DSP module "dmvr": the sample kernels of decoder-side motion vector refinement (H.266
// 8.5.3.2 and the bilinear interpolation it searches on). Own function table (dav1d habit): the
// plain C twins here, AVX2 versions in x86/dmvr_avx2.cpp, compared by checkasm. The encoder runs the
// refinement for every bi-merge candidate it checks by RD (3% of a 1080p random-access encode in C).
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
#include "dsp.h"

namespace nnvvc {
namespace dsp {

using DmvrBilinearFn = void (*)(Pel* dst, ptrdiff_t ds, const Pel* src, ptrdiff_t ss, int w, int h, int xFrac,
                                int yFrac);
using DmvrSadFn = uint32_t (*)(const Pel* a, ptrdiff_t as, const Pel* b, ptrdiff_t bs, int w, int h);

// Kernel contracts: w 1..132, h 1..132 (the search block is the subblock of up to 16 x 16 extended
// by 2 on each side; larger is allowed); phases 0..15; 10-bit samples.
struct DmvrFunctions {
  DmvrBilinearFn bilinear;
  DmvrSadFn sadEvenRows;
  const char* isa;  // "c" or "avx2"
};
DmvrFunctions dmvrFunctionsFor(DspLevel maxLevel);
const DmvrFunctions& dmvrFunctions();  // best the CPU supports (NNVVC_DSP=c caps it)

void dmvrBilinear_c(Pel* dst, ptrdiff_t ds, const Pel* src, ptrdiff_t ss, int w, int h, int xFrac, int yFrac);

// The refinement search's distortion: sum of |a - b| over the even rows (0, 2, 4, ...) of a
// w x h block (VTM's row-subsampled SAD, shifted back: the exact sum over even rows).
uint32_t dmvrSadEvenRows_c(const Pel* a, ptrdiff_t as, const Pel* b, ptrdiff_t bs, int w, int h);

#if defined(__x86_64__) || defined(__i386__)
// x86/dmvr_avx2.cpp (compiled with -mavx2)
void dmvrBilinear_avx2(Pel* dst, ptrdiff_t ds, const Pel* src, ptrdiff_t ss, int w, int h, int xFrac, int yFrac);
uint32_t dmvrSadEvenRows_avx2(const Pel* a, ptrdiff_t as, const Pel* b, ptrdiff_t bs, int w, int h);
#endif

}  // namespace dsp
}  // namespace nnvvc
