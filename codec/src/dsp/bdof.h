// nnvvc DSP module "bdof": the per-subblock sample process of bi-directional optical flow
// (H.266 8.5.6.5). Own function table: the C twin and an AVX2 version (x86/bdof_avx2.cpp),
// compared by checkasm (tests/checkasm_bdof.cpp).
// Caller: recon/bdof.cpp (shared by the decoder and the encoder's reconstruction / final RD).
//
// Input of one BDOF subblock (w x h luma samples, w and h multiples of 4, at most 16): the two
// list predictions predSamplesL0/L1 extended by one sample on every side, i.e. (w + 2) x (h + 2)
// values in the biased 14-bit intermediate of dsp/mc.h (value - kMcPrepBias). p0/p1 point at the
// extended array's top-left sample (block position (-1, -1)). Per the spec:
//   - gradients of the block samples (extended positions 1..w, 1..h):
//       gH = (p[x + 1][y] >> 6) - (p[x - 1][y] >> 6), gV = (p[x][y + 1] >> 6) - (p[x][y - 1] >> 6)
//   - for each 4x4 block, sums over its 6x6 window (one sample around it), window positions
//     clamped into the block (1..w, 1..h), of tH = (gH0 + gH1) >> 1, tV = (gV0 + gV1) >> 1,
//     dI = (p1 >> 4) - (p0 >> 4):  sGx2 = sum|tH|, sGy2 = sum|tV|, sGxdI = sum sign(tH) dI,
//     sGydI = sum sign(tV) dI, sGxGy = sum sign(tV) tH
//   - vx = sGx2 ? Clip3(-15, 15, (4 sGxdI) >> Floor(Log2(sGx2))) : 0
//     vy = sGy2 ? Clip3(-15, 15, (4 sGydI - ((vx sGxGy) >> 1)) >> Floor(Log2(sGy2))) : 0
//   - dst = Clip3(0, (1 << bitDepth) - 1, (pred0 + pred1 + b + offset4) >> shift4),
//     b = vx (gH0 - gH1) + vy (gV0 - gV1), shift4 = 15 - bitDepth, offset4 = 1 << (shift4 - 1)
//     (pred = stored value + kMcPrepBias).
// The bias is a multiple of 64, so the shifted differences do not depend on it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "dsp.h"

namespace nnvvc {
namespace dsp {

constexpr int kBdofMaxSb = 16;                 // BDOF works on subblocks of at most 16x16
constexpr int kBdofExtStride = kBdofMaxSb + 2;  // suggested stride of the extended arrays

// ps: stride of p0/p1 (elements); w, h in {4, 8, 12, 16} (the spec only uses 8 and 16); bitDepth 8..12.
using BdofSubblockFn = void (*)(Pel* dst, ptrdiff_t ds, const int16_t* p0, const int16_t* p1,
                                ptrdiff_t ps, int w, int h, int bitDepth);

struct BdofFunctions {
  BdofSubblockFn subblock;
  const char* isa;  // "c" or "avx2"
};

BdofFunctions bdofFunctionsFor(DspLevel maxLevel);
const BdofFunctions& bdofFunctions();  // best the CPU supports (NNVVC_DSP=c caps it)

void bdofSubblock_c(Pel* dst, ptrdiff_t ds, const int16_t* p0, const int16_t* p1, ptrdiff_t ps,
                    int w, int h, int bitDepth);
#if defined(__x86_64__) || defined(__i386__)
// w 8 and 16 vectorised (reads (w + 2) x (h + 2) exactly); 4 and 12 call the C twin.
void bdofSubblock_avx2(Pel* dst, ptrdiff_t ds, const int16_t* p0, const int16_t* p1, ptrdiff_t ps,
                       int w, int h, int bitDepth);
#endif

}  // namespace dsp
}  // namespace nnvvc
