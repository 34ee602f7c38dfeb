// GPM blending (H.266 8.5.7.2), AVX2. Only called when __builtin_cpu_supports("avx2"); bit-exact with
// gpmBlend_c in dsp/gpm.cpp.
//
// The two predictions are interleaved sample by sample and multiplied with the interleaved (w, 8 - w) weight
// pairs by madd, which forms a * w + b * (8 - w) in 32 bits (the 14-bit intermediates times 8 overflow 16
// bits); offset, shift, a saturating pack back to 16 bits (the unpack / pack lane orders cancel) and the
// clip. Rows of 16 samples per __m256i, 8 per __m128i; width 4 (2-wide chroma never occurs: CUs are 8+) in C.
#include <immintrin.h>

#include "dsp/gpm.h"
#include "dsp/mc.h"

namespace nnvvc {
namespace dsp {

void gpmBlend_avx2(Pel* dst, ptrdiff_t ds, const int16_t* a, const int16_t* b, ptrdiff_t ps, const uint8_t* weights,
                   ptrdiff_t ws, int w, int h, int bitDepth) {
  if (w % 8) {
    gpmBlend_c(dst, ds, a, b, ps, weights, ws, w, h, bitDepth);
    return;
  }
  const int shift1 = bitDepth < 12 ? 17 - bitDepth : 5;
  const int offset = (1 << (shift1 - 1)) + 8 * kMcPrepBias;
  const __m256i off = _mm256_set1_epi32(offset), eight = _mm256_set1_epi16(8);
  const __m256i maxV = _mm256_set1_epi16(int16_t((1 << bitDepth) - 1)), zero = _mm256_setzero_si256();
  const __m128i off4 = _mm_set1_epi32(offset), eight8 = _mm_set1_epi16(8);
  const __m128i maxV8 = _mm_set1_epi16(int16_t((1 << bitDepth) - 1)), zero8 = _mm_setzero_si128();
  const __m128i sh = _mm_cvtsi32_si128(shift1);
  for (int y = 0; y < h; ++y, dst += ds, a += ps, b += ps, weights += ws) {
    int x = 0;
    for (; x + 16 <= w; x += 16) {
      const __m256i va = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + x));
      const __m256i vb = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + x));
      const __m256i wa = _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(weights + x)));
      const __m256i wb = _mm256_sub_epi16(eight, wa);
      __m256i lo = _mm256_madd_epi16(_mm256_unpacklo_epi16(va, vb), _mm256_unpacklo_epi16(wa, wb));
      __m256i hi = _mm256_madd_epi16(_mm256_unpackhi_epi16(va, vb), _mm256_unpackhi_epi16(wa, wb));
      lo = _mm256_sra_epi32(_mm256_add_epi32(lo, off), sh);
      hi = _mm256_sra_epi32(_mm256_add_epi32(hi, off), sh);
      const __m256i v = _mm256_min_epi16(_mm256_max_epi16(_mm256_packs_epi32(lo, hi), zero), maxV);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + x), v);
    }
    for (; x + 8 <= w; x += 8) {
      const __m128i va = _mm_loadu_si128(reinterpret_cast<const __m128i*>(a + x));
      const __m128i vb = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + x));
      const __m128i wa = _mm_cvtepu8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(weights + x)));
      const __m128i wb = _mm_sub_epi16(eight8, wa);
      __m128i lo = _mm_madd_epi16(_mm_unpacklo_epi16(va, vb), _mm_unpacklo_epi16(wa, wb));
      __m128i hi = _mm_madd_epi16(_mm_unpackhi_epi16(va, vb), _mm_unpackhi_epi16(wa, wb));
      lo = _mm_sra_epi32(_mm_add_epi32(lo, off4), sh);
      hi = _mm_sra_epi32(_mm_add_epi32(hi, off4), sh);
      const __m128i v = _mm_min_epi16(_mm_max_epi16(_mm_packs_epi32(lo, hi), zero8), maxV8);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + x), v);
    }
  }
}

}  // namespace dsp
}  // namespace nnvvc
