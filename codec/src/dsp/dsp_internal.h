// Internal declarations shared by the dsp/*.cpp files, the x86 SIMD files and checkasm.
#pragma once

#include "dsp.h"

namespace nnvvc {
namespace dsp {

using nnvvc::log2Int;  // floor(log2(v)) for block sizes: the one helper in common/types.h

// Plain C++ twins (reference implementations) of every table entry, and the x86 versions, per
// module. x86/<module>_avx2.cpp are compiled with -mavx2, x86/<module>_sse41.cpp with -msse4.1.
#if defined(__x86_64__) || defined(__i386__)
#define NNVVC_DSP_X86 1
#endif

// ---- distortion module (dist.cpp, x86/dist_avx2.cpp, x86/dist_sse41.cpp) ----
uint64_t sse_c(const Pel* a, ptrdiff_t as, const Pel* b, ptrdiff_t bs, int w, int h);
uint64_t sad_c(const Pel* a, ptrdiff_t as, const Pel* b, ptrdiff_t bs, int w, int h);
uint64_t satd_c(const Pel* a, ptrdiff_t as, const Pel* b, ptrdiff_t bs, int w, int h);
void addResidualClip_c(const Pel* pred, ptrdiff_t ps, const Pel* resid, ptrdiff_t rs, int w, int h,
                       int bitDepth, Pel* dst, ptrdiff_t ds);
void subtract_c(const Pel* org, ptrdiff_t os, const Pel* pred, ptrdiff_t ps, int w, int h,
                Pel* resid, ptrdiff_t rs);
#ifdef NNVVC_DSP_X86
uint64_t sse_avx2(const Pel* a, ptrdiff_t as, const Pel* b, ptrdiff_t bs, int w, int h);
uint64_t sad_avx2(const Pel* a, ptrdiff_t as, const Pel* b, ptrdiff_t bs, int w, int h);
uint64_t satd_avx2(const Pel* a, ptrdiff_t as, const Pel* b, ptrdiff_t bs, int w, int h);
void addResidualClip_avx2(const Pel* pred, ptrdiff_t ps, const Pel* resid, ptrdiff_t rs, int w,
                          int h, int bitDepth, Pel* dst, ptrdiff_t ds);
void subtract_avx2(const Pel* org, ptrdiff_t os, const Pel* pred, ptrdiff_t ps, int w, int h,
                   Pel* resid, ptrdiff_t rs);
uint64_t sse_sse41(const Pel* a, ptrdiff_t as, const Pel* b, ptrdiff_t bs, int w, int h);
void addResidualClip_sse41(const Pel* pred, ptrdiff_t ps, const Pel* resid, ptrdiff_t rs, int w,
                           int h, int bitDepth, Pel* dst, ptrdiff_t ds);
#endif

// ---- transform module (transform.cpp, x86/transform_avx2.cpp) ----
void pairStage_c(const int16_t* a, ptrdiff_t aStride, const int16_t* b, ptrdiff_t bStride, int rows,
                 int kPairs, int cols, int shift, int16_t* out, ptrdiff_t outStride);
#ifdef NNVVC_DSP_X86
void pairStage_avx2(const int16_t* a, ptrdiff_t aStride, const int16_t* b, ptrdiff_t bStride,
                    int rows, int kPairs, int cols, int shift, int16_t* out, ptrdiff_t outStride);
#endif
// Transforms through an explicit table (checkasm compares C and SIMD tables end to end).
void inverseTransformWith(const TransformFunctions& f, const TCoeff* coeff, int w, int h,
                          int bitDepth, Pel* resid, ptrdiff_t residStride,
                          TrType trHor = TrType::kDct2, TrType trVer = TrType::kDct2);
void forwardTransformWith(const TransformFunctions& f, const Pel* resid, ptrdiff_t residStride,
                          int w, int h, int bitDepth, TCoeff* coeff,
                          TrType trHor = TrType::kDct2, TrType trVer = TrType::kDct2);

// ---- intra module (intra_pred.cpp, x86/intra_avx2.cpp, x86/intra_sse41.cpp) ----
void intraAngular_c(const Pel* ref, int angle, int width, int height, int filterKind, int bitDepth,
                    Pel* dst, ptrdiff_t stride);
void transpose_c(const Pel* src, ptrdiff_t ss, int w, int h, Pel* dst, ptrdiff_t ds);
#ifdef NNVVC_DSP_X86
void intraAngular_avx2(const Pel* ref, int angle, int width, int height, int filterKind,
                       int bitDepth, Pel* dst, ptrdiff_t stride);
void transpose_sse41(const Pel* src, ptrdiff_t ss, int w, int h, Pel* dst, ptrdiff_t ds);
#endif

// 4-tap interpolation filter fC (DCT-based), 8.4.5.2.12, phases 0..31 (spec table).
inline constexpr int8_t kIntraFilterC[32][4] = {
    {0, 64, 0, 0},     {-1, 63, 2, 0},    {-2, 62, 4, 0},    {-2, 60, 7, -1},
    {-2, 58, 10, -2},  {-3, 57, 12, -2},  {-4, 56, 14, -2},  {-4, 55, 15, -2},
    {-4, 54, 16, -2},  {-5, 53, 18, -2},  {-6, 52, 20, -2},  {-6, 49, 24, -3},
    {-6, 46, 28, -4},  {-5, 44, 29, -4},  {-4, 42, 30, -4},  {-4, 39, 33, -4},
    {-4, 36, 36, -4},  {-4, 33, 39, -4},  {-4, 30, 42, -4},  {-4, 29, 44, -5},
    {-4, 28, 46, -6},  {-3, 24, 49, -6},  {-2, 20, 52, -6},  {-2, 18, 53, -5},
    {-2, 16, 54, -4},  {-2, 15, 55, -4},  {-2, 14, 56, -4},  {-2, 12, 57, -3},
    {-2, 10, 58, -2},  {-1, 7, 60, -2},   {0, 4, 62, -2},    {0, 2, 63, -1},
};

// Filter taps for IntraAngFn's filterKind (0 fC, 1 fG, 2 chroma linear) at phase iFact.
// static: each TU (incl. ISA-flagged ones) keeps its own copy, so no cross-ISA COMDAT merging.
static inline void intraFilterTaps(int filterKind, int iFact, int16_t f[4]) {
  if (filterKind == 0) {
    for (int i = 0; i < 4; ++i) f[i] = kIntraFilterC[iFact][i];
  } else if (filterKind == 1) {  // fG[p] = {16 - p/2, 32 - p/2, 16 + p/2, p/2}
    f[0] = int16_t(16 - (iFact >> 1));
    f[1] = int16_t(32 - (iFact >> 1));
    f[2] = int16_t(16 + (iFact >> 1));
    f[3] = int16_t(iFact >> 1);
  } else {
    f[0] = 0;
    f[1] = int16_t(2 * (32 - iFact));
    f[2] = int16_t(2 * iFact);
    f[3] = 0;
  }
}

// The spec DCT-II matrix, 64 x 64 (8.7.4.5): row k = basis function k. The N-point matrix is
// row k*(64/N), first N columns.
const int32_t* dctMatrix64();
// Entry (basis k, sample i) of the spec's N-point transMatrix of the given kernel (DST-VII, DCT-VIII:
// N = 4, 8, 16, 32).
int transformMatrixEntry(TrType type, int n, int k, int i);

}  // namespace dsp
}  // namespace nnvvc
