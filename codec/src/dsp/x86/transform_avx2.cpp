// AVX2 transform stage (dsp.h, transform module). Compiled with -mavx2; only called when
// __builtin_cpu_supports("avx2"). Must match pairStage_c bit-exactly (codec/tests/checkasm_transform.cpp).
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#include <cstring>

#include "../dsp_internal.h"

namespace nnvvc {
namespace dsp {

namespace {

// Rows [0, R) of a pair stage: R rows share each b load; 8 output columns per 256-bit madd.
template <int R>
inline void pairRowsAvx2(const int16_t* a, ptrdiff_t aStride, const int16_t* b, ptrdiff_t bStride,
                         int kPairs, int cols, __m256i rnd, __m128i cnt, int16_t* out,
                         ptrdiff_t outStride) {
  int j = 0;
  for (; j + 8 <= cols; j += 8) {
    __m256i acc[R];
    for (int q = 0; q < R; ++q) acc[q] = _mm256_setzero_si256();
    for (int p = 0; p < kPairs; ++p) {
      const __m256i bv = _mm256_loadu_si256((const __m256i*)(b + p * bStride + 2 * j));
      for (int q = 0; q < R; ++q) {
        int32_t pair;
        std::memcpy(&pair, a + q * aStride + 2 * p, sizeof pair);
        acc[q] = _mm256_add_epi32(acc[q], _mm256_madd_epi16(bv, _mm256_set1_epi32(pair)));
      }
    }
    for (int q = 0; q < R; ++q) {
      const __m256i v = _mm256_sra_epi32(_mm256_add_epi32(acc[q], rnd), cnt);
      const __m128i packed =  // saturating pack = Clip3(-32768, 32767)
          _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
      _mm_storeu_si128((__m128i*)(out + q * outStride + j), packed);
    }
  }
  if (j < cols) {  // cols % 8 == 4
    __m128i acc[R];
    for (int q = 0; q < R; ++q) acc[q] = _mm_setzero_si128();
    for (int p = 0; p < kPairs; ++p) {
      const __m128i bv = _mm_loadu_si128((const __m128i*)(b + p * bStride + 2 * j));
      for (int q = 0; q < R; ++q) {
        int32_t pair;
        std::memcpy(&pair, a + q * aStride + 2 * p, sizeof pair);
        acc[q] = _mm_add_epi32(acc[q], _mm_madd_epi16(bv, _mm_set1_epi32(pair)));
      }
    }
    for (int q = 0; q < R; ++q) {
      const __m128i v = _mm_sra_epi32(_mm_add_epi32(acc[q], _mm256_castsi256_si128(rnd)), cnt);
      _mm_storel_epi64((__m128i*)(out + q * outStride + j), _mm_packs_epi32(v, v));
    }
  }
}

}  // namespace

void pairStage_avx2(const int16_t* a, ptrdiff_t aStride, const int16_t* b, ptrdiff_t bStride,
                    int rows, int kPairs, int cols, int shift, int16_t* out, ptrdiff_t outStride) {
  if (cols & 3) {  // 2-column stages (2-point transforms): the C twin
    pairStage_c(a, aStride, b, bStride, rows, kPairs, cols, shift, out, outStride);
    return;
  }
  const __m256i rnd = _mm256_set1_epi32(1 << (shift - 1));
  const __m128i cnt = _mm_cvtsi32_si128(shift);
  int r = 0;
  for (; r + 4 <= rows; r += 4)
    pairRowsAvx2<4>(a + r * aStride, aStride, b, bStride, kPairs, cols, rnd, cnt,
                    out + r * outStride, outStride);
  for (; r < rows; ++r)
    pairRowsAvx2<1>(a + r * aStride, aStride, b, bStride, kPairs, cols, rnd, cnt,
                    out + r * outStride, outStride);
}

}  // namespace dsp
}  // namespace nnvvc
#endif
