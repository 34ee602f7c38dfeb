// nnvvc DSP module "gpm": the blending of geometric partitioning mode (H.266 8.5.7.2). Own function
// table with the C twin and an AVX2 version (x86/gpm_avx2.cpp), compared by checkasm (tests/checkasm_gpm.cpp).
// Caller: recon/inter_pred.cpp (predictGpm: the decoder's reconstruction and the encoder's final RD),
// the encoder's GPM search.
//
// Inputs: the two partitions' predictions predSamplesLA / LB of one component in the biased 14-bit
// intermediate of dsp/mc.h (value - kMcPrepBias), and per sample the weight wValue (0..8) of A:
//   dst = Clip3(0, (1 << bitDepth) - 1, (predA * w + predB * (8 - w) + offset1) >> shift1),
//   shift1 = Max(5, 17 - bitDepth), offset1 = 1 << (shift1 - 1).
#pragma once

#include <cstddef>
#include <cstdint>

#include "dsp.h"

namespace nnvvc {
namespace dsp {

// w, h >= 1 (at most 64); strides in elements; weights row-major with stride ws.
using GpmBlendFn = void (*)(Pel* dst, ptrdiff_t ds, const int16_t* a, const int16_t* b, ptrdiff_t ps,
                            const uint8_t* weights, ptrdiff_t ws, int w, int h, int bitDepth);

struct GpmFunctions {
  GpmBlendFn blend;
  const char* isa;  // "c" or "avx2"
};

GpmFunctions gpmFunctionsFor(DspLevel maxLevel);
const GpmFunctions& gpmFunctions();

void gpmBlend_c(Pel* dst, ptrdiff_t ds, const int16_t* a, const int16_t* b, ptrdiff_t ps, const uint8_t* weights,
                ptrdiff_t ws, int w, int h, int bitDepth);
#if defined(__x86_64__) || defined(__i386__)
// w a multiple of 8 vectorised (16 / 8 samples per vector); other widths call the C twin.
void gpmBlend_avx2(Pel* dst, ptrdiff_t ds, const int16_t* a, const int16_t* b, ptrdiff_t ps, const uint8_t* weights,
                   ptrdiff_t ws, int w, int h, int bitDepth);
#endif

}  // namespace dsp
}  // namespace nnvvc
