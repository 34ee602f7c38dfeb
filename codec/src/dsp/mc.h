// nnvvc DSP module "mc": inter sample prediction kernels (H.266 8.5.6.3 fractional sample
// interpolation, 8.5.6.6.2 default weighted sample prediction). Owns its own function table
// (dav1d habit: plain C twins, AVX2 versions picked by CPU flags, compared by checkasm).
// Callers: recon/inter_pred.cpp (decoder + encoder reconstruction, encoder motion search).
//
// Intermediate format. The spec's predSamplesLX (after interpolation, before weighting) are
// 14-bit-precision values whose range for a 2-D luma filter is about [-16880, 33247] - too wide
// for int16. The kernels therefore store  predSamplesLX - kMcPrepBias  in int16 (range about
// [-25072, 25055] for any bit depth 8..12), and the weighting kernels add the bias back. The
// bias is an exact re-centring: no precision is lost and every result equals the spec's.
//
// Reference samples outside the picture: the spec clamps coordinates (8.5.6.3.2/3). The kernels
// read a plain rectangle; the caller provides a padded window (see recon/inter_pred.cpp).
//
// Threading: reentrant; the table is initialised once (function-local static).
#pragma once

#include <cstddef>
#include <cstdint>

#include "dsp.h"

namespace nnvvc {
namespace dsp {

constexpr int kMcPrepBias = 8192;
constexpr int kMcMaxLumaBlock = 128;   // max luma block side (CTU 128)
constexpr int kMcLumaTaps = 8;
constexpr int kMcChromaTaps = 4;

// Luma interpolation filter fL[p][i], p = xFrac/yFrac in 1/16 sample (Table 27 of 8.5.6.3.2,
// hpelIfIdx = 0, i.e. no AMVR half-sample filter). Tap i applies to sample offset i - 3.
inline constexpr int8_t kMcLumaFilter[16][8] = {
    {0, 0, 0, 64, 0, 0, 0, 0},          {0, 1, -3, 63, 4, -2, 1, 0},
    {-1, 2, -5, 62, 8, -3, 1, 0},       {-1, 3, -8, 60, 13, -4, 1, 0},
    {-1, 4, -10, 58, 17, -5, 1, 0},     {-1, 4, -11, 52, 26, -8, 3, -1},
    {-1, 3, -9, 47, 31, -10, 4, -1},    {-1, 4, -11, 45, 34, -10, 4, -1},
    {-1, 4, -11, 40, 40, -11, 4, -1},   {-1, 4, -10, 34, 45, -11, 4, -1},
    {-1, 4, -10, 31, 47, -9, 3, -1},    {-1, 3, -8, 26, 52, -11, 4, -1},
    {0, 1, -5, 17, 58, -10, 4, -1},     {0, 1, -4, 13, 60, -8, 3, -1},
    {0, 1, -3, 8, 62, -5, 2, -1},       {0, 1, -2, 4, 63, -3, 1, 0},
};

// The alternative luma filter of the half-sample position (Table 27, hpelIfIdx = 1: p = 8 in CUs with half-sample AMVR
// and merge CUs that inherit it); every other position keeps kMcLumaFilter. Tap i applies to sample offset i - 3.
inline constexpr int8_t kMcLumaAltHpelFilter[8] = {0, 3, 9, 20, 20, 9, 3, 0};
// The luma filter row of fraction p (1..15) for hpelIfIdx 0 / 1.
inline const int8_t* mcLumaFilterRow(int p, bool altHpel) {
  return altHpel && (p & 15) == 8 ? kMcLumaAltHpelFilter : kMcLumaFilter[p & 15];
}

// Luma filter of affine 4x4 subblocks (the 6-tap table of 8.5.6.3.2, used when MotionModelIdc > 0 and the
// subblock is 4x4), written as 8 taps (offsets -3 .. 4) with zero outer taps so the 8-tap code paths apply.
inline constexpr int8_t kMcLumaAffineFilter[16][8] = {
    {0, 0, 0, 64, 0, 0, 0, 0},          {0, 1, -3, 63, 4, -2, 1, 0},
    {0, 1, -5, 62, 8, -3, 1, 0},        {0, 2, -8, 60, 13, -4, 1, 0},
    {0, 3, -10, 58, 17, -5, 1, 0},      {0, 3, -11, 52, 26, -8, 2, 0},
    {0, 2, -9, 47, 31, -10, 3, 0},      {0, 3, -11, 45, 34, -10, 3, 0},
    {0, 3, -11, 40, 40, -11, 3, 0},     {0, 3, -10, 34, 45, -11, 3, 0},
    {0, 3, -10, 31, 47, -9, 2, 0},      {0, 2, -8, 26, 52, -11, 3, 0},
    {0, 1, -5, 17, 58, -10, 3, 0},      {0, 1, -4, 13, 60, -8, 2, 0},
    {0, 1, -3, 8, 62, -5, 1, 0},        {0, 1, -2, 4, 63, -3, 1, 0},
};

// Chroma interpolation filter fC[p][i], p in 1/32 sample (Table 28 of 8.5.6.3.3). Tap i applies
// to sample offset i - 1.
inline constexpr int8_t kMcChromaFilter[32][4] = {
    {0, 64, 0, 0},     {-1, 63, 2, 0},    {-2, 62, 4, 0},    {-2, 60, 7, -1},
    {-2, 58, 10, -2},  {-3, 57, 12, -2},  {-4, 56, 14, -2},  {-4, 55, 15, -2},
    {-4, 54, 16, -2},  {-5, 53, 18, -2},  {-6, 52, 20, -2},  {-6, 49, 24, -3},
    {-6, 46, 28, -4},  {-5, 44, 29, -4},  {-4, 42, 30, -4},  {-4, 39, 33, -4},
    {-4, 36, 36, -4},  {-4, 33, 39, -4},  {-4, 30, 42, -4},  {-4, 29, 44, -5},
    {-4, 28, 46, -6},  {-3, 24, 49, -6},  {-2, 20, 52, -6},  {-2, 18, 53, -5},
    {-2, 16, 54, -4},  {-2, 15, 55, -4},  {-2, 14, 56, -4},  {-2, 12, 57, -3},
    {-2, 10, 58, -2},  {-1, 7, 60, -2},   {0, 4, 62, -2},    {0, 2, 63, -1},
};

// ---------------------------------------------------------------------------------------------
// Kernel contracts (w, h >= 1; luma w a multiple of 4, chroma w a multiple of 2, h even; luma
// up to 128 x 128, chroma up to 64 x 64; bitDepth 8..12; strides in elements).
// ---------------------------------------------------------------------------------------------
// Interpolation of a w x h block into the biased intermediate:
//   dst[y*ds + x] = predSamplesLX[x][y] - kMcPrepBias
// src points at the reference sample at the block's integer position (xInt0, yInt0). The luma
// kernel (xFrac, yFrac in 0..15) reads src rows -3 .. h+4 and columns -3 .. w+4 when the
// respective fraction is non-zero (row/column 0 .. h-1 / w-1 otherwise); the chroma kernel
// (fractions 0..31) rows/columns -1 .. +2 beyond the block likewise. Per 8.5.6.3.2/3:
//   both 0:        ref << shift3
//   yFrac 0:       (sum_i f[xFrac][i] * ref[x + i - N/2 + 1]) >> shift1
//   xFrac 0:       (sum_i f[yFrac][i] * ref[y + i - N/2 + 1]) >> shift1
//   both non-0:    horizontal to temp (>> shift1) for rows -N/2+1 .. h+N/2-1, then vertical
//                  over temp >> shift2
// shift1 = Min(4, bitDepth - 8), shift2 = 6, shift3 = Max(2, 14 - bitDepth); all shifts are
// plain (flooring) arithmetic shifts, no rounding offset.
using McInterpFn = void (*)(int16_t* dst, ptrdiff_t ds, const Pel* src, ptrdiff_t ss, int w,
                            int h, int xFrac, int yFrac, int bitDepth);
// Default weighted sample prediction (8.5.6.6.2), uni:
//   dst = Clip3(0, (1 << bitDepth) - 1, (pred + offset1) >> shift1),
//   shift1 = 14 - bitDepth, offset1 = 1 << (shift1 - 1); pred = src + kMcPrepBias.
using McUniFn = void (*)(Pel* dst, ptrdiff_t ds, const int16_t* src, ptrdiff_t ss, int w, int h,
                         int bitDepth);
// Bi: dst = Clip3(0, (1 << bitDepth) - 1, (pred0 + pred1 + offset2) >> shift2),
//   shift2 = 15 - bitDepth, offset2 = 1 << (shift2 - 1).
using McBiFn = void (*)(Pel* dst, ptrdiff_t ds, const int16_t* src0, ptrdiff_t ss0,
                        const int16_t* src1, ptrdiff_t ss1, int w, int h, int bitDepth);

// BCW weighted bi-prediction (8.5.6.6.2 with bcwIdx > 0, w0 = 8 - w1):
//   dst = Clip3(0, (1 << bitDepth) - 1, (pred0 * w0 + pred1 * w1 + offset) >> shift),
//   shift = 17 - bitDepth (shift1 + 3), offset = 1 << (shift - 1); w1 one of kBcwWeightL1 (5, 3, 10, -2).
using McBcwFn = void (*)(Pel* dst, ptrdiff_t ds, const int16_t* src0, ptrdiff_t ss0, const int16_t* src1,
                         ptrdiff_t ss1, int w, int h, int w1, int bitDepth);

struct McFunctions {
  McInterpFn interpLuma;
  McInterpFn interpLumaAltHpel;  // hpelIfIdx 1: kMcLumaAltHpelFilter at half-sample fractions
  McInterpFn interpLumaAffine;  // kMcLumaAffineFilter (affine 4x4 subblocks); C only
  McInterpFn interpChroma;
  McUniFn weightUni;
  McBiFn weightBi;
  McBcwFn weightBcw;
  const char* isa;  // "c" or "avx2"
  // the luma kernel of a prediction with hpelIfIdx 0 / 1
  McInterpFn lumaFor(bool altHpel) const { return altHpel ? interpLumaAltHpel : interpLuma; }
};

// Table for a given maximum level (clamped to what the CPU supports; SSE41 gives the C table,
// there are no SSE4.1 mc kernels). For tests/checkasm.
McFunctions mcFunctionsFor(DspLevel maxLevel);
// The process-wide table (best the CPU supports, capped by env NNVVC_DSP: dspLevelFromEnv in dsp.h).
const McFunctions& mcFunctions();

// ---- plain C twins and the SIMD versions (for the table, tests and checkasm) ----------------
void mcInterpLuma_c(int16_t* dst, ptrdiff_t ds, const Pel* src, ptrdiff_t ss, int w, int h,
                    int xFrac, int yFrac, int bitDepth);
void mcInterpLumaAltHpel_c(int16_t* dst, ptrdiff_t ds, const Pel* src, ptrdiff_t ss, int w, int h,
                           int xFrac, int yFrac, int bitDepth);
void mcInterpLumaAffine_c(int16_t* dst, ptrdiff_t ds, const Pel* src, ptrdiff_t ss, int w, int h,
                          int xFrac, int yFrac, int bitDepth);
void mcInterpChroma_c(int16_t* dst, ptrdiff_t ds, const Pel* src, ptrdiff_t ss, int w, int h,
                      int xFrac, int yFrac, int bitDepth);
void mcWeightUni_c(Pel* dst, ptrdiff_t ds, const int16_t* src, ptrdiff_t ss, int w, int h,
                   int bitDepth);
void mcWeightBi_c(Pel* dst, ptrdiff_t ds, const int16_t* src0, ptrdiff_t ss0, const int16_t* src1,
                  ptrdiff_t ss1, int w, int h, int bitDepth);
void mcWeightBcw_c(Pel* dst, ptrdiff_t ds, const int16_t* src0, ptrdiff_t ss0, const int16_t* src1,
                   ptrdiff_t ss1, int w, int h, int w1, int bitDepth);

#if defined(__x86_64__) || defined(__i386__)
// x86/mc_avx2.cpp (compiled with -mavx2)
void mcInterpLuma_avx2(int16_t* dst, ptrdiff_t ds, const Pel* src, ptrdiff_t ss, int w, int h,
                       int xFrac, int yFrac, int bitDepth);
void mcInterpLumaAltHpel_avx2(int16_t* dst, ptrdiff_t ds, const Pel* src, ptrdiff_t ss, int w, int h,
                              int xFrac, int yFrac, int bitDepth);
void mcInterpChroma_avx2(int16_t* dst, ptrdiff_t ds, const Pel* src, ptrdiff_t ss, int w, int h,
                         int xFrac, int yFrac, int bitDepth);
void mcWeightUni_avx2(Pel* dst, ptrdiff_t ds, const int16_t* src, ptrdiff_t ss, int w, int h,
                      int bitDepth);
void mcWeightBi_avx2(Pel* dst, ptrdiff_t ds, const int16_t* src0, ptrdiff_t ss0,
                     const int16_t* src1, ptrdiff_t ss1, int w, int h, int bitDepth);
void mcWeightBcw_avx2(Pel* dst, ptrdiff_t ds, const int16_t* src0, ptrdiff_t ss0, const int16_t* src1,
                      ptrdiff_t ss1, int w, int h, int w1, int bitDepth);
#endif

}  // namespace dsp
}  // namespace nnvvc
