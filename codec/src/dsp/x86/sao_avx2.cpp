// SAO edge-offset kernels, AVX2 (16 samples per step; the rest of a row by the C rule). Only
// called when __builtin_cpu_supports("avx2"); bit-exact with the *_c twins in dsp/sao.cpp.
#include <immintrin.h>

#include "dsp/sao.h"

namespace nnvvc {
namespace dsp {

namespace {
inline int signOf(int v) { return (v > 0) - (v < 0); }

// raw edge index 2 + Sign(c - a) + Sign(c - b) per 16-bit lane
inline __m256i edgeIndex(__m256i c, __m256i a, __m256i b) {
  const __m256i sa = _mm256_sub_epi16(_mm256_cmpgt_epi16(a, c), _mm256_cmpgt_epi16(c, a));
  const __m256i sb = _mm256_sub_epi16(_mm256_cmpgt_epi16(b, c), _mm256_cmpgt_epi16(c, b));
  return _mm256_add_epi16(_mm256_add_epi16(sa, sb), _mm256_set1_epi16(2));
}
}  // namespace

void saoEdge_avx2(Pel* dst, ptrdiff_t dstStride, const Pel* src, ptrdiff_t srcStride, int w, int h, int eoClass,
                  const int8_t offset[5], int maxVal) {
  const ptrdiff_t da = kSaoEoVPos[eoClass][0] * srcStride + kSaoEoHPos[eoClass][0];
  const ptrdiff_t db = kSaoEoVPos[eoClass][1] * srcStride + kSaoEoHPos[eoClass][1];
  // int16 offsets for index 0..4 in a byte table; lane index e -> bytes 2e, 2e + 1
  alignas(16) int16_t tab16[8] = {offset[0], offset[1], offset[2], offset[3], offset[4], 0, 0, 0};
  const __m256i table = _mm256_broadcastsi128_si256(_mm_load_si128(reinterpret_cast<const __m128i*>(tab16)));
  const __m256i zero = _mm256_setzero_si256(), vmax = _mm256_set1_epi16(int16_t(maxVal));
  const __m256i mul = _mm256_set1_epi16(0x0202), add = _mm256_set1_epi16(0x0100);
  for (int y = 0; y < h; ++y, dst += dstStride, src += srcStride) {
    int x = 0;
    for (; x + 16 <= w; x += 16) {
      const __m256i c = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + x));
      const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + x + da));
      const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + x + db));
      const __m256i e = edgeIndex(c, a, b);
      const __m256i off = _mm256_shuffle_epi8(table, _mm256_add_epi16(_mm256_mullo_epi16(e, mul), add));
      const __m256i r = _mm256_min_epi16(_mm256_max_epi16(_mm256_add_epi16(c, off), zero), vmax);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + x), r);
    }
    for (; x < w; ++x) {
      const int c = src[x];
      const int v = c + offset[2 + signOf(c - src[x + da]) + signOf(c - src[x + db])];
      dst[x] = Pel(v < 0 ? 0 : (v > maxVal ? maxVal : v));
    }
  }
}

void saoStatsEdge_avx2(const Pel* org, ptrdiff_t orgStride, const Pel* rec, ptrdiff_t recStride, int w, int h,
                       int eoClass, int64_t sum[5], int64_t count[5]) {
  const ptrdiff_t da = kSaoEoVPos[eoClass][0] * recStride + kSaoEoHPos[eoClass][0];
  const ptrdiff_t db = kSaoEoVPos[eoClass][1] * recStride + kSaoEoHPos[eoClass][1];
  const __m256i ones = _mm256_set1_epi16(1);
  for (int y = 0; y < h; ++y, org += orgStride, rec += recStride) {
    // 32-bit lane sums per row (a lane adds 2 * w / 16 differences), flushed to 64 bits
    __m256i vs[5], vn[5];
    for (int k = 0; k < 5; ++k) vs[k] = vn[k] = _mm256_setzero_si256();
    int x = 0;
    for (; x + 16 <= w; x += 16) {
      const __m256i c = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(rec + x));
      const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(rec + x + da));
      const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(rec + x + db));
      const __m256i o = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(org + x));
      const __m256i e = edgeIndex(c, a, b);
      const __m256i diff = _mm256_sub_epi16(o, c);
      for (int k = 0; k < 5; ++k) {
        const __m256i m = _mm256_cmpeq_epi16(e, _mm256_set1_epi16(int16_t(k)));
        vs[k] = _mm256_add_epi32(vs[k], _mm256_madd_epi16(_mm256_and_si256(diff, m), ones));
        vn[k] = _mm256_sub_epi32(vn[k], _mm256_madd_epi16(m, ones));
      }
    }
    for (int k = 0; k < 5; ++k) {
      alignas(32) int32_t t[8], n[8];
      _mm256_store_si256(reinterpret_cast<__m256i*>(t), vs[k]);
      _mm256_store_si256(reinterpret_cast<__m256i*>(n), vn[k]);
      for (int i = 0; i < 8; ++i) { sum[k] += t[i]; count[k] += n[i]; }
    }
    for (; x < w; ++x) {
      const int c = rec[x];
      const int e = 2 + signOf(c - rec[x + da]) + signOf(c - rec[x + db]);
      sum[e] += org[x] - c;
      ++count[e];
    }
  }
}

}  // namespace dsp
}  // namespace nnvvc
