// SSE4.1 transpose (dsp.h, intra module). Compiled with -msse4.1; must match transpose_c bit-exactly
// (codec/tests/checkasm_intra.cpp).
#if defined(__x86_64__) || defined(__i386__)
#include <smmintrin.h>

#include "../dsp_internal.h"

namespace nnvvc {
namespace dsp {

// 4x4 / 8x8 tiles transposed in registers (unpack ladders).
void transpose_sse41(const Pel* src, ptrdiff_t ss, int w, int h, Pel* dst, ptrdiff_t ds) {
  if ((w | h) & 3) {  // 2-sample sides (thin chroma blocks): the C twin
    transpose_c(src, ss, w, h, dst, ds);
    return;
  }
  if ((w & 7) == 0 && (h & 7) == 0) {
    for (int y0 = 0; y0 < h; y0 += 8)
      for (int x0 = 0; x0 < w; x0 += 8) {
        const Pel* s0 = src + y0 * ss + x0;
        __m128i r[8];
        for (int i = 0; i < 8; ++i) r[i] = _mm_loadu_si128((const __m128i*)(s0 + i * ss));
        const __m128i a = _mm_unpacklo_epi16(r[0], r[1]), b = _mm_unpackhi_epi16(r[0], r[1]);
        const __m128i c = _mm_unpacklo_epi16(r[2], r[3]), d = _mm_unpackhi_epi16(r[2], r[3]);
        const __m128i e = _mm_unpacklo_epi16(r[4], r[5]), f = _mm_unpackhi_epi16(r[4], r[5]);
        const __m128i g = _mm_unpacklo_epi16(r[6], r[7]), hh = _mm_unpackhi_epi16(r[6], r[7]);
        const __m128i acl = _mm_unpacklo_epi32(a, c), ach = _mm_unpackhi_epi32(a, c);
        const __m128i bdl = _mm_unpacklo_epi32(b, d), bdh = _mm_unpackhi_epi32(b, d);
        const __m128i egl = _mm_unpacklo_epi32(e, g), egh = _mm_unpackhi_epi32(e, g);
        const __m128i fhl = _mm_unpacklo_epi32(f, hh), fhh = _mm_unpackhi_epi32(f, hh);
        Pel* d0 = dst + x0 * ds + y0;
        _mm_storeu_si128((__m128i*)(d0 + 0 * ds), _mm_unpacklo_epi64(acl, egl));
        _mm_storeu_si128((__m128i*)(d0 + 1 * ds), _mm_unpackhi_epi64(acl, egl));
        _mm_storeu_si128((__m128i*)(d0 + 2 * ds), _mm_unpacklo_epi64(ach, egh));
        _mm_storeu_si128((__m128i*)(d0 + 3 * ds), _mm_unpackhi_epi64(ach, egh));
        _mm_storeu_si128((__m128i*)(d0 + 4 * ds), _mm_unpacklo_epi64(bdl, fhl));
        _mm_storeu_si128((__m128i*)(d0 + 5 * ds), _mm_unpackhi_epi64(bdl, fhl));
        _mm_storeu_si128((__m128i*)(d0 + 6 * ds), _mm_unpacklo_epi64(bdh, fhh));
        _mm_storeu_si128((__m128i*)(d0 + 7 * ds), _mm_unpackhi_epi64(bdh, fhh));
      }
    return;
  }
  for (int y0 = 0; y0 < h; y0 += 4)
    for (int x0 = 0; x0 < w; x0 += 4) {
      const Pel* s0 = src + y0 * ss + x0;
      const __m128i t0 = _mm_unpacklo_epi16(_mm_loadl_epi64((const __m128i*)s0),
                                            _mm_loadl_epi64((const __m128i*)(s0 + ss)));
      const __m128i t1 = _mm_unpacklo_epi16(_mm_loadl_epi64((const __m128i*)(s0 + 2 * ss)),
                                            _mm_loadl_epi64((const __m128i*)(s0 + 3 * ss)));
      const __m128i u0 = _mm_unpacklo_epi32(t0, t1), u1 = _mm_unpackhi_epi32(t0, t1);
      Pel* d0 = dst + x0 * ds + y0;
      _mm_storel_epi64((__m128i*)d0, u0);
      _mm_storel_epi64((__m128i*)(d0 + ds), _mm_unpackhi_epi64(u0, u0));
      _mm_storel_epi64((__m128i*)(d0 + 2 * ds), u1);
      _mm_storel_epi64((__m128i*)(d0 + 3 * ds), _mm_unpackhi_epi64(u1, u1));
    }
}

}  // namespace dsp
}  // namespace nnvvc
#endif
