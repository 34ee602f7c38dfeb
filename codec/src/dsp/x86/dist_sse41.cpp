// SSE4.1 distortion kernels and sample helpers (dsp.h, distortion module; fallback for CPUs without
// AVX2). Compiled with -msse4.1; must match the *_c twins bit-exactly (codec/tests/checkasm_dist.cpp).
#if defined(__x86_64__) || defined(__i386__)
#include <smmintrin.h>

#include "isa_local.h"

namespace nnvvc {
namespace dsp {

uint64_t sse_sse41(const Pel* a, ptrdiff_t as, const Pel* b, ptrdiff_t bs, int w, int h) {
  __m128i acc64 = _mm_setzero_si128();
  uint64_t tail = 0;
  for (int y = 0; y < h; ++y, a += as, b += bs) {
    int x = 0;
    for (; x + 8 <= w; x += 8) {
      const __m128i d = _mm_sub_epi16(_mm_loadu_si128((const __m128i*)(a + x)),
                                      _mm_loadu_si128((const __m128i*)(b + x)));
      const __m128i sq = _mm_madd_epi16(d, d);  // < 2^31 for |d| <= 32767
      acc64 = _mm_add_epi64(acc64, _mm_add_epi64(_mm_unpacklo_epi32(sq, _mm_setzero_si128()),
                                                 _mm_unpackhi_epi32(sq, _mm_setzero_si128())));
    }
    for (; x + 4 <= w; x += 4) {
      const __m128i d = _mm_sub_epi16(_mm_loadl_epi64((const __m128i*)(a + x)),
                                      _mm_loadl_epi64((const __m128i*)(b + x)));
      acc64 = _mm_add_epi64(acc64, _mm_cvtepu32_epi64(_mm_madd_epi16(d, d)));
    }
    for (; x < w; ++x) {
      const int64_t d = int64_t(a[x]) - b[x];
      tail += uint64_t(d * d);
    }
  }
  return uint64_t(_mm_cvtsi128_si64(acc64)) + uint64_t(_mm_extract_epi64(acc64, 1)) + tail;
}

void addResidualClip_sse41(const Pel* pred, ptrdiff_t ps, const Pel* resid, ptrdiff_t rs, int w,
                           int h, int bitDepth, Pel* dst, ptrdiff_t ds) {
  const __m128i maxV = _mm_set1_epi16(int16_t((1 << bitDepth) - 1));
  const __m128i zero = _mm_setzero_si128();
  const int mv = (1 << bitDepth) - 1;
  for (int y = 0; y < h; ++y, pred += ps, resid += rs, dst += ds) {
    int x = 0;
    for (; x + 8 <= w; x += 8) {
      __m128i v = _mm_adds_epi16(_mm_loadu_si128((const __m128i*)(pred + x)),
                                 _mm_loadu_si128((const __m128i*)(resid + x)));
      _mm_storeu_si128((__m128i*)(dst + x), _mm_min_epi16(_mm_max_epi16(v, zero), maxV));
    }
    for (; x + 4 <= w; x += 4) {
      __m128i v = _mm_adds_epi16(_mm_loadl_epi64((const __m128i*)(pred + x)),
                                 _mm_loadl_epi64((const __m128i*)(resid + x)));
      _mm_storel_epi64((__m128i*)(dst + x), _mm_min_epi16(_mm_max_epi16(v, zero), maxV));
    }
    for (; x < w; ++x) dst[x] = clipPel(int(pred[x]) + resid[x], mv);
  }
}

}  // namespace dsp
}  // namespace nnvvc
#endif
