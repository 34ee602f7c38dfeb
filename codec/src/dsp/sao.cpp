// SAO kernels, plain C++ (the reference twins) and the function table.
#include "dsp/sao.h"

namespace nnvvc {
namespace dsp {

// class 0: horizontal, 1: vertical, 2: 135 degrees (top-left / bottom-right), 3: 45 degrees
const int8_t kSaoEoHPos[4][2] = {{-1, 1}, {0, 0}, {-1, 1}, {1, -1}};
const int8_t kSaoEoVPos[4][2] = {{0, 0}, {-1, 1}, {-1, 1}, {-1, 1}};

namespace {
inline int signOf(int v) { return (v > 0) - (v < 0); }
inline Pel clipPel(int v, int maxVal) { return Pel(v < 0 ? 0 : (v > maxVal ? maxVal : v)); }
}  // namespace

void saoBand_c(Pel* dst, ptrdiff_t dstStride, const Pel* src, ptrdiff_t srcStride, int w, int h,
               const int8_t bandOffset[32], int bandShift, int maxVal) {
  for (int y = 0; y < h; ++y, dst += dstStride, src += srcStride)
    for (int x = 0; x < w; ++x) dst[x] = clipPel(src[x] + bandOffset[(src[x] >> bandShift) & 31], maxVal);
}

void saoEdge_c(Pel* dst, ptrdiff_t dstStride, const Pel* src, ptrdiff_t srcStride, int w, int h, int eoClass,
               const int8_t offset[5], int maxVal) {
  const ptrdiff_t a = kSaoEoVPos[eoClass][0] * srcStride + kSaoEoHPos[eoClass][0];
  const ptrdiff_t b = kSaoEoVPos[eoClass][1] * srcStride + kSaoEoHPos[eoClass][1];
  for (int y = 0; y < h; ++y, dst += dstStride, src += srcStride)
    for (int x = 0; x < w; ++x) {
      const int c = src[x];
      const int e = 2 + signOf(c - src[x + a]) + signOf(c - src[x + b]);
      dst[x] = clipPel(c + offset[e], maxVal);
    }
}

void saoStatsBand_c(const Pel* org, ptrdiff_t orgStride, const Pel* rec, ptrdiff_t recStride, int w, int h,
                    int bandShift, int64_t sum[32], int64_t count[32]) {
  for (int y = 0; y < h; ++y, org += orgStride, rec += recStride)
    for (int x = 0; x < w; ++x) {
      const int band = (rec[x] >> bandShift) & 31;
      sum[band] += org[x] - rec[x];
      ++count[band];
    }
}

void saoStatsEdge_c(const Pel* org, ptrdiff_t orgStride, const Pel* rec, ptrdiff_t recStride, int w, int h,
                    int eoClass, int64_t sum[5], int64_t count[5]) {
  const ptrdiff_t a = kSaoEoVPos[eoClass][0] * recStride + kSaoEoHPos[eoClass][0];
  const ptrdiff_t b = kSaoEoVPos[eoClass][1] * recStride + kSaoEoHPos[eoClass][1];
  for (int y = 0; y < h; ++y, org += orgStride, rec += recStride)
    for (int x = 0; x < w; ++x) {
      const int c = rec[x];
      const int e = 2 + signOf(c - rec[x + a]) + signOf(c - rec[x + b]);
      sum[e] += org[x] - c;
      ++count[e];
    }
}

SaoFunctions saoFunctionsFor(DspLevel maxLevel) {
  SaoFunctions f{saoBand_c, saoEdge_c, saoStatsBand_c, saoStatsEdge_c, "c"};
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (maxLevel >= DspLevel::AVX2 && __builtin_cpu_supports("avx2")) {
    f.edge = saoEdge_avx2;
    f.statsEdge = saoStatsEdge_avx2;
    f.isa = "avx2";
  }
#else
  (void)maxLevel;
#endif
  return f;
}

const SaoFunctions& saoFunctions() {
  static const SaoFunctions table = saoFunctionsFor(dspLevelFromEnv());
  return table;
}

}  // namespace dsp
}  // namespace nnvvc
