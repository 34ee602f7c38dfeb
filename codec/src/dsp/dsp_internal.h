// Internal declarations shared by the dsp/*.cpp files, the x86 SIMD files and checkasm.
#pragma once

#include "dsp.h"

namespace nnvvc {
namespace dsp {

// Plain C++ twins (reference implementations) of every table entry.
uint64_t sse_c(const Pel* a, ptrdiff_t as, const Pel* b, ptrdiff_t bs, int w, int h);
uint64_t sad_c(const Pel* a, ptrdiff_t as, const Pel* b, ptrdiff_t bs, int w, int h);
uint64_t satd_c(const Pel* a, ptrdiff_t as, const Pel* b, ptrdiff_t bs, int w, int h);
void addResidualClip_c(const Pel* pred, ptrdiff_t ps, const Pel* resid, ptrdiff_t rs, int w, int h,
                       int bitDepth, Pel* dst, ptrdiff_t ds);
void subtract_c(const Pel* org, ptrdiff_t os, const Pel* pred, ptrdiff_t ps, int w, int h,
                Pel* resid, ptrdiff_t rs);
void pairStage_c(const int16_t* a, ptrdiff_t aStride, const int16_t* b, ptrdiff_t bStride, int rows,
                 int kPairs, int cols, int shift, int16_t* out, ptrdiff_t outStride);

void transpose_c(const Pel* src, ptrdiff_t ss, int w, int h, Pel* dst, ptrdiff_t ds);
void intraRow_c(const Pel* ref, const int16_t* coef, int width, int bitDepth, Pel* dst);

#if defined(__x86_64__) || defined(__i386__)
#define NNVVC_DSP_X86 1
// x86/*_avx2.cpp (compiled with -mavx2)
uint64_t sse_avx2(const Pel* a, ptrdiff_t as, const Pel* b, ptrdiff_t bs, int w, int h);
uint64_t sad_avx2(const Pel* a, ptrdiff_t as, const Pel* b, ptrdiff_t bs, int w, int h);
uint64_t satd_avx2(const Pel* a, ptrdiff_t as, const Pel* b, ptrdiff_t bs, int w, int h);
void addResidualClip_avx2(const Pel* pred, ptrdiff_t ps, const Pel* resid, ptrdiff_t rs, int w,
                          int h, int bitDepth, Pel* dst, ptrdiff_t ds);
void subtract_avx2(const Pel* org, ptrdiff_t os, const Pel* pred, ptrdiff_t ps, int w, int h,
                   Pel* resid, ptrdiff_t rs);
void pairStage_avx2(const int16_t* a, ptrdiff_t aStride, const int16_t* b, ptrdiff_t bStride,
                    int rows, int kPairs, int cols, int shift, int16_t* out, ptrdiff_t outStride);
void intraRow_avx2(const Pel* ref, const int16_t* coef, int width, int bitDepth, Pel* dst);
// x86/*_sse41.cpp (compiled with -msse4.1)
uint64_t sse_sse41(const Pel* a, ptrdiff_t as, const Pel* b, ptrdiff_t bs, int w, int h);
void transpose_sse41(const Pel* src, ptrdiff_t ss, int w, int h, Pel* dst, ptrdiff_t ds);
void addResidualClip_sse41(const Pel* pred, ptrdiff_t ps, const Pel* resid, ptrdiff_t rs, int w,
                           int h, int bitDepth, Pel* dst, ptrdiff_t ds);
#endif

// Transforms through an explicit table (checkasm compares C and SIMD tables end to end).
void inverseTransformWith(const DspFunctions& f, const TCoeff* coeff, int w, int h, int bitDepth,
                          Pel* resid, ptrdiff_t residStride);
void forwardTransformWith(const DspFunctions& f, const Pel* resid, ptrdiff_t residStride, int w,
                          int h, int bitDepth, TCoeff* coeff);

// The spec DCT-II matrix, 64 x 64 (8.7.4.5): row k = basis function k. The N-point matrix is
// row k*(64/N), first N columns.
const int32_t* dctMatrix64();

}  // namespace dsp
}  // namespace nnvvc
