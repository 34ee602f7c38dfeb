// Adaptive loop filter kernels (H.266 8.8.5): 4x4 block classification and the 7x7 (luma) / 5x5
// (chroma) diamond filters with clipping, C implementations; the luma filter also goes through the
// module's function table (AlfFunctions, x86/alf_avx2.cpp). Sources are planes padded by kAlfPad
// samples on every side by edge replication (the spec's clamping of positions to the picture);
// pointers and coordinates are those of the picture (sample (0, 0) at src[0]).
#pragma once
#include <cstddef>
#include <cstdint>

#include "common/types.h"
#include "dsp/dsp.h"

namespace nnvvc {

extern const int8_t kAlfFixedFilterCoeff[64][12];      // AlfFixFiltCoeff
extern const uint8_t kAlfClassToFixedFilter[16][25];   // AlfClassToFiltMap

namespace dsp {

constexpr int kAlfPad = 4;
constexpr int kAlfNoVirtualBoundary = 1 << 29;  // vbRow when the CTB has no ALF virtual boundary

struct AlfBlockClass {
  uint8_t classIdx = 0;      // filtIdx 0..24
  uint8_t transposeIdx = 0;  // 0..3
};

// Classifies the 4x4 luma blocks of [x0, x0 + w) x [y0, y0 + h) (multiples of 4, one CTB).
// vbRow: the picture row of the CTB's ALF virtual boundary (yCtb + CtbSizeY - 4) when
// applyAlfLineBufBoundary is 1, else kAlfNoVirtualBoundary. out: (w / 4) * (h / 4) in raster order.
void alfClassifyC(const Pel* src, ptrdiff_t stride, int x0, int y0, int w, int h, int vbRow, int bitDepth,
                  AlfBlockClass* out);

// Filters the luma area [x0, x0 + w) x [y0, y0 + h) of src into dst (same coordinates) with the
// per-class coefficients / clipping values (coeff[classIdx][j], clip[classIdx][j], j = 0..11).
void alfFilterLumaC(const Pel* src, ptrdiff_t srcStride, Pel* dst, ptrdiff_t dstStride, int x0, int y0, int w,
                    int h, int vbRow, const AlfBlockClass* cls, const int16_t (*coeff)[12],
                    const int16_t (*clip)[12], int bitDepth);

// ALF module table: the luma filter (C twin alfFilterLumaC, AVX2 version when the CPU has it) and the
// encoder's statistics accumulation (C twin alfAccumulateStatsC).
// Contract as alfFilterLumaC; w a multiple of 4, coefficients in [-128, 127], clipping values in
// [0, 1 << bitDepth], samples in [0, (1 << bitDepth) - 1], bitDepth <= 12 (so sums fit 16 bits).
using AlfFilterLumaFn = void (*)(const Pel* src, ptrdiff_t srcStride, Pel* dst, ptrdiff_t dstStride, int x0,
                                 int y0, int w, int h, int vbRow, const AlfBlockClass* cls,
                                 const int16_t (*coeff)[12], const int16_t (*clip)[12], int bitDepth);
// Encoder statistics (alf_decision): adds the outer products x x^T of n sample vectors to e and
// x * t to p, for the ALF encoder's normal equations with clipping. x: n rows of kAlfStatVars int16
// values (|x| <= 4096: a luma tap's two clipped differences summed, for each clipping index), t: n
// targets (|t| <= 4096); n even, 2..64. e is a row-major kAlfStatVars^2 int64 matrix of which only
// the entries (i, j) with j >= (i & ~15) are added to (the upper triangle, in 16-column blocks);
// the others are left untouched. Exact integer sums, so every version gives the same result.
constexpr int kAlfStatVars = 48;  // 12 luma taps x 4 clipping indices
using AlfAccumulateStatsFn = void (*)(const int16_t* x, const int16_t* t, int n, int64_t* e, int64_t* p);
void alfAccumulateStatsC(const int16_t* x, const int16_t* t, int n, int64_t* e, int64_t* p);

struct AlfFunctions {
  AlfFilterLumaFn filterLuma;
  AlfAccumulateStatsFn accumulateStats;
  const char* isa;  // "c" or "avx2"
};
AlfFunctions alfFunctionsFor(DspLevel maxLevel);  // for tests/checkasm
const AlfFunctions& alfFunctions();               // process-wide table (NNVVC_DSP=c forces C)
#if defined(__x86_64__) || defined(__i386__)
void alfFilterLuma_avx2(const Pel* src, ptrdiff_t srcStride, Pel* dst, ptrdiff_t dstStride, int x0, int y0, int w,
                        int h, int vbRow, const AlfBlockClass* cls, const int16_t (*coeff)[12],
                        const int16_t (*clip)[12], int bitDepth);
void alfAccumulateStats_avx2(const int16_t* x, const int16_t* t, int n, int64_t* e, int64_t* p);
#endif

// Chroma 5x5 diamond, one filter (coeff / clip j = 0..5); vbRow = yCtbC + CtbSizeY / 2 - 2 or none.
void alfFilterChromaC(const Pel* src, ptrdiff_t srcStride, Pel* dst, ptrdiff_t dstStride, int x0, int y0, int w,
                      int h, int vbRow, const int16_t* coeff, const int16_t* clip, int bitDepth);

// Cross-component ALF of a chroma area [x0, x0 + w) x [y0, y0 + h) (4:2:0): for each chroma sample,
// the 7 taps around luma (2x, 2y) of the padded luma `lum`: (0,-1), (-1,0), (1,0), (-1,1), (0,1),
// (1,1), (0,2) minus (0,0); sum = Clip3(-2^(bd-1), 2^(bd-1) - 1, (sum coeff * diff + 64) >> 7) added
// to dst and clipped. Vertical taps stop at the ALF virtual boundary (luma row yCtb + ctbSize - 4):
// a row 2 above it uses row +1 for +2, the row on it uses its own row for -1, +1 and +2.
void alfFilterCcC(const Pel* lum, ptrdiff_t lumStride, Pel* dst, ptrdiff_t dstStride, int x0, int y0, int w, int h,
                  int log2CtuSize, const int16_t* coeff, int bitDepth);

// Offsets (in luma samples, stride ls) of CC-ALF's rows -1, +1 and +2 for the luma row yL, after the
// virtual-boundary rule above (the filter and the encoder's statistics use the same taps).
struct CcAlfRowOffsets { ptrdiff_t up, dn, dn2; };
inline CcAlfRowOffsets ccAlfRowOffsets(int yL, int log2CtuSize, ptrdiff_t ls) {
  const int pos = yL & ((1 << log2CtuSize) - 1), vbPos = (1 << log2CtuSize) - 4;
  if (pos == vbPos - 2) return {-ls, ls, ls};  // +2 would cross the virtual boundary
  if (pos == vbPos) return {0, 0, 0};          // first row below it: no vertical taps
  return {-ls, ls, 2 * ls};
}

// Luma coefficient j of the transposed filter: transposed[j] = coeff[kAlfTransposeMap[t][j]].
extern const uint8_t kAlfTransposeMap[4][12];

}  // namespace dsp
}  // namespace nnvvc
