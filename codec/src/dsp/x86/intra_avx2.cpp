// AVX2 intra angular prediction (dsp.h, intra module). Compiled with -mavx2; only called when
// __builtin_cpu_supports("avx2"). Must match intraAngular_c bit-exactly (codec/tests/checkasm_intra.cpp).
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#include "isa_local.h"

namespace nnvvc {
namespace dsp {

// Angular row filter: pairs (ref[x], ref[x+1]) and (ref[x+2], ref[x+3]) interleaved and
// multiplied by coefficient pairs with madd; in-lane unpack order is undone by the in-lane pack.
static inline void intraRowAvx2(const Pel* ref, const int16_t* coef, int width, int bitDepth, Pel* dst) {
  const int32_t c01 = int32_t(uint16_t(coef[0])) | (int32_t(uint16_t(coef[1])) << 16);
  const int32_t c23 = int32_t(uint16_t(coef[2])) | (int32_t(uint16_t(coef[3])) << 16);
  const __m256i v01 = _mm256_set1_epi32(c01), v23 = _mm256_set1_epi32(c23);
  const __m256i rnd = _mm256_set1_epi32(32);
  const __m256i maxV = _mm256_set1_epi16(int16_t((1 << bitDepth) - 1));
  const __m256i zero = _mm256_setzero_si256();
  int x = 0;
  for (; x + 16 <= width; x += 16) {
    const __m256i a0 = _mm256_loadu_si256((const __m256i*)(ref + x));
    const __m256i a1 = _mm256_loadu_si256((const __m256i*)(ref + x + 1));
    const __m256i a2 = _mm256_loadu_si256((const __m256i*)(ref + x + 2));
    const __m256i a3 = _mm256_loadu_si256((const __m256i*)(ref + x + 3));
    __m256i lo = _mm256_add_epi32(_mm256_madd_epi16(_mm256_unpacklo_epi16(a0, a1), v01),
                                  _mm256_madd_epi16(_mm256_unpacklo_epi16(a2, a3), v23));
    __m256i hi = _mm256_add_epi32(_mm256_madd_epi16(_mm256_unpackhi_epi16(a0, a1), v01),
                                  _mm256_madd_epi16(_mm256_unpackhi_epi16(a2, a3), v23));
    lo = _mm256_srai_epi32(_mm256_add_epi32(lo, rnd), 6);
    hi = _mm256_srai_epi32(_mm256_add_epi32(hi, rnd), 6);
    const __m256i v = _mm256_min_epi16(_mm256_max_epi16(_mm256_packs_epi32(lo, hi), zero), maxV);
    _mm256_storeu_si256((__m256i*)(dst + x), v);
  }
  const __m128i w01 = _mm256_castsi256_si128(v01), w23 = _mm256_castsi256_si128(v23);
  const __m128i rnd4 = _mm256_castsi256_si128(rnd), max4 = _mm256_castsi256_si128(maxV);
  for (; x + 8 <= width; x += 8) {
    const __m128i a0 = _mm_loadu_si128((const __m128i*)(ref + x));
    const __m128i a1 = _mm_loadu_si128((const __m128i*)(ref + x + 1));
    const __m128i a2 = _mm_loadu_si128((const __m128i*)(ref + x + 2));
    const __m128i a3 = _mm_loadu_si128((const __m128i*)(ref + x + 3));
    __m128i lo = _mm_add_epi32(_mm_madd_epi16(_mm_unpacklo_epi16(a0, a1), w01),
                               _mm_madd_epi16(_mm_unpacklo_epi16(a2, a3), w23));
    __m128i hi = _mm_add_epi32(_mm_madd_epi16(_mm_unpackhi_epi16(a0, a1), w01),
                               _mm_madd_epi16(_mm_unpackhi_epi16(a2, a3), w23));
    lo = _mm_srai_epi32(_mm_add_epi32(lo, rnd4), 6);
    hi = _mm_srai_epi32(_mm_add_epi32(hi, rnd4), 6);
    const __m128i v = _mm_min_epi16(_mm_max_epi16(_mm_packs_epi32(lo, hi), _mm_setzero_si128()), max4);
    _mm_storeu_si128((__m128i*)(dst + x), v);
  }
  for (; x + 4 <= width; x += 4) {  // 4 samples: loads of exactly 4 (no over-read)
    const __m128i a0 = _mm_loadl_epi64((const __m128i*)(ref + x));
    const __m128i a1 = _mm_loadl_epi64((const __m128i*)(ref + x + 1));
    const __m128i a2 = _mm_loadl_epi64((const __m128i*)(ref + x + 2));
    const __m128i a3 = _mm_loadl_epi64((const __m128i*)(ref + x + 3));
    __m128i lo = _mm_add_epi32(_mm_madd_epi16(_mm_unpacklo_epi16(a0, a1), w01),
                               _mm_madd_epi16(_mm_unpacklo_epi16(a2, a3), w23));
    lo = _mm_srai_epi32(_mm_add_epi32(lo, rnd4), 6);
    const __m128i v = _mm_min_epi16(_mm_max_epi16(_mm_packs_epi32(lo, lo), _mm_setzero_si128()), max4);
    _mm_storel_epi64((__m128i*)(dst + x), v);
  }
  const int mv = (1 << bitDepth) - 1;
  for (; x < width; ++x) {
    const int v = coef[0] * ref[x] + coef[1] * ref[x + 1] + coef[2] * ref[x + 2] + coef[3] * ref[x + 3];
    dst[x] = clipPel((v + 32) >> 6, mv);
  }
}

void intraAngular_avx2(const Pel* ref, int angle, int width, int height, int filterKind,
                       int bitDepth, Pel* dst, ptrdiff_t stride) {
  for (int y = 0; y < height; ++y) {
    const int pos = (y + 1) * angle;
    int16_t f[4];
    intraFilterTaps(filterKind, pos & 31, f);
    intraRowAvx2(ref + (pos >> 5), f, width, bitDepth, dst + y * stride);
  }
}

}  // namespace dsp
}  // namespace nnvvc
#endif
