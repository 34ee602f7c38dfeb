// DMVR sample kernels (dsp/dmvr.h), AVX2. Only called when __builtin_cpu_supports("avx2");
// bit-exact with the C twins in dsp/dmvr.cpp.
//
// Bilinear: 10-bit samples times 4-bit weights summed with the rounding offset stay below 2^14,
// so each row is filtered in 16-bit lanes (16 samples per __m256i, then 8 per __m128i, then a
// scalar tail for the search block's odd widths 12 / 20). Even-row SAD: |a - b| in 16 bits,
// widened to 32 bits with madd against ones.
#include <immintrin.h>

#include "dsp/dmvr.h"
#include "isa_local.h"

namespace nnvvc {
namespace dsp {

namespace {

// dst[c] = (c0 * a[c] + c1 * b[c] + 8) >> 4 for c in 0..w-1
inline void blendRow(Pel* dst, const Pel* a, const Pel* b, int w, int c0, int c1) {
  const __m256i k0 = _mm256_set1_epi16(int16_t(c0)), k1 = _mm256_set1_epi16(int16_t(c1));
  const __m256i r8 = _mm256_set1_epi16(8);
  int c = 0;
  for (; c + 16 <= w; c += 16) {
    const __m256i va = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + c));
    const __m256i vb = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + c));
    const __m256i s = _mm256_add_epi16(_mm256_add_epi16(_mm256_mullo_epi16(va, k0), _mm256_mullo_epi16(vb, k1)), r8);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + c), _mm256_srli_epi16(s, 4));
  }
  if (c + 8 <= w) {
    const __m128i va = _mm_loadu_si128(reinterpret_cast<const __m128i*>(a + c));
    const __m128i vb = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + c));
    const __m128i s = _mm_add_epi16(_mm_add_epi16(_mm_mullo_epi16(va, _mm256_castsi256_si128(k0)),
                                                  _mm_mullo_epi16(vb, _mm256_castsi256_si128(k1))),
                                    _mm256_castsi256_si128(r8));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + c), _mm_srli_epi16(s, 4));
    c += 8;
  }
  for (; c < w; ++c) dst[c] = Pel((c0 * a[c] + c1 * b[c] + 8) >> 4);
}

}  // namespace

void dmvrBilinear_avx2(Pel* dst, ptrdiff_t ds, const Pel* src, ptrdiff_t ss, int w, int h, int xFrac, int yFrac) {
  if (!xFrac && !yFrac) return dmvrBilinear_c(dst, ds, src, ss, w, h, 0, 0);  // a plain copy
  if (!yFrac) {
    for (int r = 0; r < h; ++r, dst += ds, src += ss) blendRow(dst, src, src + 1, w, 16 - xFrac, xFrac);
    return;
  }
  if (!xFrac) {
    for (int r = 0; r < h; ++r, dst += ds, src += ss) blendRow(dst, src, src + ss, w, 16 - yFrac, yFrac);
    return;
  }
  alignas(32) Pel tmp[(128 + 5) * (128 + 4)];
  Pel* t = tmp;
  for (int r = 0; r <= h; ++r, t += w, src += ss) blendRow(t, src, src + 1, w, 16 - xFrac, xFrac);
  t = tmp;
  for (int r = 0; r < h; ++r, dst += ds, t += w) blendRow(dst, t, t + w, w, 16 - yFrac, yFrac);
}

uint32_t dmvrSadEvenRows_avx2(const Pel* a, ptrdiff_t as, const Pel* b, ptrdiff_t bs, int w, int h) {
  const __m256i ones = _mm256_set1_epi16(1);
  __m256i acc = _mm256_setzero_si256();
  uint32_t tail = 0;
  for (int r = 0; r < h; r += 2, a += 2 * as, b += 2 * bs) {
    int c = 0;
    for (; c + 16 <= w; c += 16) {
      const __m256i va = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + c));
      const __m256i vb = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + c));
      acc = _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_abs_epi16(_mm256_sub_epi16(va, vb)), ones));
    }
    if (c + 8 <= w) {
      const __m128i va = _mm_loadu_si128(reinterpret_cast<const __m128i*>(a + c));
      const __m128i vb = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + c));
      const __m128i d = _mm_madd_epi16(_mm_abs_epi16(_mm_sub_epi16(va, vb)), _mm256_castsi256_si128(ones));
      acc = _mm256_add_epi32(acc, _mm256_zextsi128_si256(d));
      c += 8;
    }
    for (; c < w; ++c) tail += uint32_t(absInt(int(a[c]) - int(b[c])));
  }
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
  return uint32_t(_mm_cvtsi128_si32(s)) + tail;
}

}  // namespace dsp
}  // namespace nnvvc
