// Sample adaptive offset kernels (H.266 8.8.4.2): band offset and edge offset on a block of one
// component, and the encoder's statistics (sum of source - input differences and sample counts per
// band / edge category). Own function table with C twins; AVX2 versions plug in here.
//
// Edge offset: the caller keeps the neighbours inside the picture (it trims the first / last
// column and row of a block on the picture boundary where the class looks across it); `src` is
// the deblocked picture, read around the block (one sample beyond on each side it keeps).
#pragma once
#include <cstddef>
#include <cstdint>

#include "dsp/dsp.h"

namespace nnvvc {
namespace dsp {

// Neighbour offsets (hPos, vPos) of the two neighbours per SaoEoClass (8.8.4.2 table).
extern const int8_t kSaoEoHPos[4][2];
extern const int8_t kSaoEoVPos[4][2];

// dst = Clip3(0, maxVal, src + bandOffset[src >> bandShift]); bandOffset has 32 entries (0 for
// bands without an offset); bandShift = bitDepth - 5.
using SaoBandFn = void (*)(Pel* dst, ptrdiff_t dstStride, const Pel* src, ptrdiff_t srcStride, int w, int h,
                           const int8_t bandOffset[32], int bandShift, int maxVal);
// dst = Clip3(0, maxVal, src + offset[edgeIdx]) with edgeIdx = 2 + Sign(c - a) + Sign(c - b) over
// the two neighbours a, b of the class; offset[] is indexed by that raw value 0..4 (the caller
// maps it: raw 0 -> SaoOffsetVal[1], 1 -> [2], 2 -> 0, 3 -> [3], 4 -> [4]).
using SaoEdgeFn = void (*)(Pel* dst, ptrdiff_t dstStride, const Pel* src, ptrdiff_t srcStride, int w, int h,
                           int eoClass, const int8_t offset[5], int maxVal);
// Encoder statistics over a block: diff = org - rec. Band: per band (rec >> bandShift) the sum
// of diffs and the count. Edge: per raw edge index 0..4 (as above) of class eoClass.
// Accumulate (+=) into the arrays.
using SaoStatsBandFn = void (*)(const Pel* org, ptrdiff_t orgStride, const Pel* rec, ptrdiff_t recStride, int w,
                                int h, int bandShift, int64_t sum[32], int64_t count[32]);
using SaoStatsEdgeFn = void (*)(const Pel* org, ptrdiff_t orgStride, const Pel* rec, ptrdiff_t recStride, int w,
                                int h, int eoClass, int64_t sum[5], int64_t count[5]);

struct SaoFunctions {
  SaoBandFn band;
  SaoEdgeFn edge;
  SaoStatsBandFn statsBand;
  SaoStatsEdgeFn statsEdge;
  const char* isa;
};
SaoFunctions saoFunctionsFor(DspLevel maxLevel);
// Best table for this CPU (NNVVC_DSP=c forces the C twins).
const SaoFunctions& saoFunctions();

void saoBand_c(Pel* dst, ptrdiff_t dstStride, const Pel* src, ptrdiff_t srcStride, int w, int h,
               const int8_t bandOffset[32], int bandShift, int maxVal);
void saoEdge_c(Pel* dst, ptrdiff_t dstStride, const Pel* src, ptrdiff_t srcStride, int w, int h, int eoClass,
               const int8_t offset[5], int maxVal);
void saoStatsBand_c(const Pel* org, ptrdiff_t orgStride, const Pel* rec, ptrdiff_t recStride, int w, int h,
                    int bandShift, int64_t sum[32], int64_t count[32]);
void saoStatsEdge_c(const Pel* org, ptrdiff_t orgStride, const Pel* rec, ptrdiff_t recStride, int w, int h,
                    int eoClass, int64_t sum[5], int64_t count[5]);
#if defined(__x86_64__) || defined(__i386__)
void saoEdge_avx2(Pel* dst, ptrdiff_t dstStride, const Pel* src, ptrdiff_t srcStride, int w, int h, int eoClass,
                  const int8_t offset[5], int maxVal);
void saoStatsEdge_avx2(const Pel* org, ptrdiff_t orgStride, const Pel* rec, ptrdiff_t recStride, int w, int h,
                       int eoClass, int64_t sum[5], int64_t count[5]);
#endif

}  // namespace dsp
}  // namespace nnvvc
