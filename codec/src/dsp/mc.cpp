// Inter sample prediction kernels, plain C++ twins (H.266 8.5.6.3.2 luma / 8.5.6.3.3 chroma
// sample interpolation, 8.5.6.6.2 default weighted sample prediction), and the mc function
// table. See mc.h for the contracts and the biased 14-bit intermediate.
#include "mc.h"

namespace nnvvc {
namespace dsp {
namespace {

// Separable N-tap interpolation shared by luma (N = 8) and chroma (N = 4). fx / fy are the
// filters of the two fractions (nullptr = that fraction is 0).
template <int N>
void interp(int16_t* dst, ptrdiff_t ds, const Pel* src, ptrdiff_t ss, int w, int h,
            const int8_t* fx, const int8_t* fy, int bitDepth) {
  constexpr int kBefore = N / 2 - 1;  // filter taps left of / above the sample position
  const int shift1 = bitDepth - 8 < 4 ? bitDepth - 8 : 4;
  const int shift2 = 6;
  const int shift3 = 14 - bitDepth > 2 ? 14 - bitDepth : 2;
  if (!fx && !fy) {
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x)
        dst[y * ds + x] = int16_t((src[y * ss + x] << shift3) - kMcPrepBias);
    return;
  }
  if (!fy) {
    for (int y = 0; y < h; ++y) {
      const Pel* s = src + y * ss - kBefore;
      for (int x = 0; x < w; ++x) {
        int sum = 0;
        for (int i = 0; i < N; ++i) sum += fx[i] * s[x + i];
        dst[y * ds + x] = int16_t((sum >> shift1) - kMcPrepBias);
      }
    }
    return;
  }
  if (!fx) {
    for (int y = 0; y < h; ++y) {
      const Pel* s = src + (y - kBefore) * ss;
      for (int x = 0; x < w; ++x) {
        int sum = 0;
        for (int i = 0; i < N; ++i) sum += fy[i] * s[i * ss + x];
        dst[y * ds + x] = int16_t((sum >> shift1) - kMcPrepBias);
      }
    }
    return;
  }
  // Both fractional: horizontal pass over rows -kBefore .. h + N/2 - 1 into temp (the spec's
  // temp[n], values within int16), then the vertical pass over temp.
  const int tempRows = h + N - 1;
  int16_t temp[(kMcMaxLumaBlock + N - 1) * kMcMaxLumaBlock];
  for (int r = 0; r < tempRows; ++r) {
    const Pel* s = src + (r - kBefore) * ss - kBefore;
    for (int x = 0; x < w; ++x) {
      int sum = 0;
      for (int i = 0; i < N; ++i) sum += fx[i] * s[x + i];
      temp[r * w + x] = int16_t(sum >> shift1);
    }
  }
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      int sum = 0;
      for (int i = 0; i < N; ++i) sum += fy[i] * temp[(y + i) * w + x];
      dst[y * ds + x] = int16_t((sum >> shift2) - kMcPrepBias);
    }
}

inline Pel clipSample(int v, int maxV) { return Pel(v < 0 ? 0 : (v > maxV ? maxV : v)); }

}  // namespace

void mcInterpLuma_c(int16_t* dst, ptrdiff_t ds, const Pel* src, ptrdiff_t ss, int w, int h,
                    int xFrac, int yFrac, int bitDepth) {
  interp<8>(dst, ds, src, ss, w, h, xFrac ? kMcLumaFilter[xFrac & 15] : nullptr,
            yFrac ? kMcLumaFilter[yFrac & 15] : nullptr, bitDepth);
}

void mcInterpLumaAltHpel_c(int16_t* dst, ptrdiff_t ds, const Pel* src, ptrdiff_t ss, int w, int h,
                           int xFrac, int yFrac, int bitDepth) {
  interp<8>(dst, ds, src, ss, w, h, xFrac ? mcLumaFilterRow(xFrac, true) : nullptr,
            yFrac ? mcLumaFilterRow(yFrac, true) : nullptr, bitDepth);
}

void mcInterpLumaAffine_c(int16_t* dst, ptrdiff_t ds, const Pel* src, ptrdiff_t ss, int w, int h,
                          int xFrac, int yFrac, int bitDepth) {
  interp<8>(dst, ds, src, ss, w, h, xFrac ? kMcLumaAffineFilter[xFrac & 15] : nullptr,
            yFrac ? kMcLumaAffineFilter[yFrac & 15] : nullptr, bitDepth);
}

void mcInterpChroma_c(int16_t* dst, ptrdiff_t ds, const Pel* src, ptrdiff_t ss, int w, int h,
                      int xFrac, int yFrac, int bitDepth) {
  interp<4>(dst, ds, src, ss, w, h, xFrac ? kMcChromaFilter[xFrac & 31] : nullptr,
            yFrac ? kMcChromaFilter[yFrac & 31] : nullptr, bitDepth);
}

void mcWeightUni_c(Pel* dst, ptrdiff_t ds, const int16_t* src, ptrdiff_t ss, int w, int h,
                   int bitDepth) {
  const int shift1 = 14 - bitDepth, offset1 = 1 << (shift1 - 1), maxV = (1 << bitDepth) - 1;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      dst[y * ds + x] = clipSample((src[y * ss + x] + kMcPrepBias + offset1) >> shift1, maxV);
}

void mcWeightBi_c(Pel* dst, ptrdiff_t ds, const int16_t* src0, ptrdiff_t ss0, const int16_t* src1,
                  ptrdiff_t ss1, int w, int h, int bitDepth) {
  const int shift2 = 15 - bitDepth, offset2 = 1 << (shift2 - 1), maxV = (1 << bitDepth) - 1;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const int p0 = src0[y * ss0 + x] + kMcPrepBias, p1 = src1[y * ss1 + x] + kMcPrepBias;
      dst[y * ds + x] = clipSample((p0 + p1 + offset2) >> shift2, maxV);
    }
}

void mcWeightBcw_c(Pel* dst, ptrdiff_t ds, const int16_t* src0, ptrdiff_t ss0, const int16_t* src1,
                   ptrdiff_t ss1, int w, int h, int w1, int bitDepth) {
  const int w0 = 8 - w1, shift = 17 - bitDepth, offset = 1 << (shift - 1), maxV = (1 << bitDepth) - 1;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const int p0 = src0[y * ss0 + x] + kMcPrepBias, p1 = src1[y * ss1 + x] + kMcPrepBias;
      dst[y * ds + x] = clipSample((p0 * w0 + p1 * w1 + offset) >> shift, maxV);
    }
}

// ---- function table -------------------------------------------------------------------------

McFunctions mcFunctionsFor(DspLevel maxLevel) {
  McFunctions f;
  f.interpLuma = mcInterpLuma_c;
  f.interpLumaAltHpel = mcInterpLumaAltHpel_c;
  f.interpLumaAffine = mcInterpLumaAffine_c;
  f.interpChroma = mcInterpChroma_c;
  f.weightUni = mcWeightUni_c;
  f.weightBi = mcWeightBi_c;
  f.weightBcw = mcWeightBcw_c;
  f.isa = "c";
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (maxLevel >= DspLevel::AVX2 && __builtin_cpu_supports("avx2")) {
    f.interpLuma = mcInterpLuma_avx2;
    f.interpLumaAltHpel = mcInterpLumaAltHpel_avx2;
    f.interpChroma = mcInterpChroma_avx2;
    f.weightUni = mcWeightUni_avx2;
    f.weightBi = mcWeightBi_avx2;
    f.weightBcw = mcWeightBcw_avx2;
    f.isa = "avx2";
  }
#else
  (void)maxLevel;
#endif
  return f;
}

const McFunctions& mcFunctions() {
  static const McFunctions table = mcFunctionsFor(dspLevelFromEnv());
  return table;
}

}  // namespace dsp
}  // namespace nnvvc
