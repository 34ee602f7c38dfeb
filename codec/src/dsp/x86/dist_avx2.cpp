// AVX2 distortion kernels and sample helpers (dsp.h, distortion module). Compiled with -mavx2 (see
// CMakeLists.dsp.cmake); only called when __builtin_cpu_supports("avx2"). Each must match its *_c twin
// bit-exactly (codec/tests/checkasm_dist.cpp).
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#include "isa_local.h"

namespace nnvvc {
namespace dsp {
namespace {

inline uint64_t hsum64(__m256i v) {
  const __m128i s = _mm_add_epi64(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  return uint64_t(_mm_cvtsi128_si64(s)) + uint64_t(_mm_extract_epi64(s, 1));
}

inline uint32_t hsum32(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
  return uint32_t(_mm_cvtsi128_si32(s));
}

}  // namespace

uint64_t sse_avx2(const Pel* a, ptrdiff_t as, const Pel* b, ptrdiff_t bs, int w, int h) {
  __m256i acc64 = _mm256_setzero_si256();
  uint64_t tail = 0;
  for (int y = 0; y < h; ++y, a += as, b += bs) {
    // madd of two squared int16 differences stays below 2^31; widen each row to 64 bits.
    __m256i row = _mm256_setzero_si256();
    int x = 0;
    for (; x + 16 <= w; x += 16) {
      const __m256i d = _mm256_sub_epi16(_mm256_loadu_si256((const __m256i*)(a + x)),
                                         _mm256_loadu_si256((const __m256i*)(b + x)));
      const __m256i sq = _mm256_madd_epi16(d, d);
      row = _mm256_add_epi64(row, _mm256_add_epi64(_mm256_unpacklo_epi32(sq, _mm256_setzero_si256()),
                                                   _mm256_unpackhi_epi32(sq, _mm256_setzero_si256())));
    }
    for (; x + 8 <= w; x += 8) {
      const __m128i d = _mm_sub_epi16(_mm_loadu_si128((const __m128i*)(a + x)),
                                      _mm_loadu_si128((const __m128i*)(b + x)));
      const __m256i sq = _mm256_cvtepu32_epi64(_mm_madd_epi16(d, d));
      row = _mm256_add_epi64(row, sq);
    }
    for (; x + 4 <= w; x += 4) {
      const __m128i d = _mm_sub_epi16(_mm_loadl_epi64((const __m128i*)(a + x)),
                                      _mm_loadl_epi64((const __m128i*)(b + x)));
      const __m256i sq = _mm256_cvtepu32_epi64(_mm_madd_epi16(d, d));
      row = _mm256_add_epi64(row, sq);
    }
    for (; x < w; ++x) {
      const int64_t d = int64_t(a[x]) - b[x];
      tail += uint64_t(d * d);
    }
    acc64 = _mm256_add_epi64(acc64, row);
  }
  return hsum64(acc64) + tail;
}

uint64_t sad_avx2(const Pel* a, ptrdiff_t as, const Pel* b, ptrdiff_t bs, int w, int h) {
  const __m256i ones = _mm256_set1_epi16(1);
  __m256i acc64 = _mm256_setzero_si256();
  uint64_t tail = 0;
  for (int y = 0; y < h; ++y, a += as, b += bs) {
    __m256i row = _mm256_setzero_si256();  // int32 lanes; <= 128 * 32767 per row in total
    int x = 0;
    for (; x + 16 <= w; x += 16) {
      const __m256i d = _mm256_abs_epi16(_mm256_sub_epi16(
          _mm256_loadu_si256((const __m256i*)(a + x)), _mm256_loadu_si256((const __m256i*)(b + x))));
      // abs of an int16 difference is <= 32767 for inputs within the documented range
      row = _mm256_add_epi32(row, _mm256_madd_epi16(d, ones));
    }
    for (; x + 8 <= w; x += 8) {
      const __m128i d = _mm_abs_epi16(_mm_sub_epi16(_mm_loadu_si128((const __m128i*)(a + x)),
                                                    _mm_loadu_si128((const __m128i*)(b + x))));
      row = _mm256_add_epi32(row, _mm256_castsi128_si256(_mm_madd_epi16(d, _mm_set1_epi16(1))));
    }
    for (; x + 4 <= w; x += 4) {
      const __m128i d = _mm_abs_epi16(_mm_sub_epi16(_mm_loadl_epi64((const __m128i*)(a + x)),
                                                    _mm_loadl_epi64((const __m128i*)(b + x))));
      row = _mm256_add_epi32(row, _mm256_castsi128_si256(_mm_madd_epi16(d, _mm_set1_epi16(1))));
    }
    for (; x < w; ++x) tail += uint64_t(absInt(int(a[x]) - int(b[x])));
    acc64 = _mm256_add_epi64(acc64, _mm256_add_epi64(
                                        _mm256_unpacklo_epi32(row, _mm256_setzero_si256()),
                                        _mm256_unpackhi_epi32(row, _mm256_setzero_si256())));
  }
  return hsum64(acc64) + tail;
}

namespace {

// Butterflies across registers: 8-point Hadamard in natural order (matches the C twin's output
// set; only the sum of absolute values matters, so order within the set is irrelevant).
inline void had8(__m256i r[8]) {
  __m256i t[8];
  for (int i = 0; i < 4; ++i) {
    t[i] = _mm256_add_epi32(r[i], r[i + 4]);
    t[i + 4] = _mm256_sub_epi32(r[i], r[i + 4]);
  }
  for (int g = 0; g < 8; g += 4)
    for (int i = 0; i < 2; ++i) {
      r[g + i] = _mm256_add_epi32(t[g + i], t[g + i + 2]);
      r[g + i + 2] = _mm256_sub_epi32(t[g + i], t[g + i + 2]);
    }
  for (int i = 0; i < 8; i += 2) {
    const __m256i s = _mm256_add_epi32(r[i], r[i + 1]);
    const __m256i d = _mm256_sub_epi32(r[i], r[i + 1]);
    r[i] = s;
    r[i + 1] = d;
  }
}

inline void transpose8x8(__m256i r[8]) {
  __m256i t[8], u[8];
  for (int i = 0; i < 8; i += 2) {
    t[i] = _mm256_unpacklo_epi32(r[i], r[i + 1]);
    t[i + 1] = _mm256_unpackhi_epi32(r[i], r[i + 1]);
  }
  for (int i = 0; i < 8; i += 4) {
    u[i] = _mm256_unpacklo_epi64(t[i], t[i + 2]);
    u[i + 1] = _mm256_unpackhi_epi64(t[i], t[i + 2]);
    u[i + 2] = _mm256_unpacklo_epi64(t[i + 1], t[i + 3]);
    u[i + 3] = _mm256_unpackhi_epi64(t[i + 1], t[i + 3]);
  }
  for (int i = 0; i < 4; ++i) {
    r[i] = _mm256_permute2x128_si256(u[i], u[i + 4], 0x20);
    r[i + 4] = _mm256_permute2x128_si256(u[i], u[i + 4], 0x31);
  }
}

inline __m256i loadDiff8(const Pel* a, const Pel* b) {
  return _mm256_cvtepi16_epi32(_mm_sub_epi16(_mm_loadu_si128((const __m128i*)a),
                                             _mm_loadu_si128((const __m128i*)b)));
}

uint32_t had8x8_avx2(const Pel* a, ptrdiff_t as, const Pel* b, ptrdiff_t bs) {
  __m256i r[8];
  for (int y = 0; y < 8; ++y) r[y] = loadDiff8(a + y * as, b + y * bs);
  had8(r);
  transpose8x8(r);
  had8(r);
  __m256i s = _mm256_abs_epi32(r[0]);
  for (int i = 1; i < 8; ++i) s = _mm256_add_epi32(s, _mm256_abs_epi32(r[i]));
  return (hsum32(s) + 2) >> 2;
}

// Two horizontally adjacent 4x4 blocks (8 wide); returns both normalised sums added.
uint32_t had4x4pair_avx2(const Pel* a, ptrdiff_t as, const Pel* b, ptrdiff_t bs) {
  __m256i r[4];
  for (int y = 0; y < 4; ++y) r[y] = loadDiff8(a + y * as, b + y * bs);
  // vertical 4-point
  __m256i s01 = _mm256_add_epi32(r[0], r[1]), d01 = _mm256_sub_epi32(r[0], r[1]);
  __m256i s23 = _mm256_add_epi32(r[2], r[3]), d23 = _mm256_sub_epi32(r[2], r[3]);
  r[0] = _mm256_add_epi32(s01, s23);
  r[1] = _mm256_add_epi32(d01, d23);
  r[2] = _mm256_sub_epi32(s01, s23);
  r[3] = _mm256_sub_epi32(d01, d23);
  // 4x4 transpose inside each 128-bit lane (one block per lane)
  const __m256i t0 = _mm256_unpacklo_epi32(r[0], r[1]), t1 = _mm256_unpackhi_epi32(r[0], r[1]);
  const __m256i t2 = _mm256_unpacklo_epi32(r[2], r[3]), t3 = _mm256_unpackhi_epi32(r[2], r[3]);
  r[0] = _mm256_unpacklo_epi64(t0, t2);
  r[1] = _mm256_unpackhi_epi64(t0, t2);
  r[2] = _mm256_unpacklo_epi64(t1, t3);
  r[3] = _mm256_unpackhi_epi64(t1, t3);
  s01 = _mm256_add_epi32(r[0], r[1]);
  d01 = _mm256_sub_epi32(r[0], r[1]);
  s23 = _mm256_add_epi32(r[2], r[3]);
  d23 = _mm256_sub_epi32(r[2], r[3]);
  __m256i s = _mm256_add_epi32(_mm256_abs_epi32(_mm256_add_epi32(s01, s23)),
                               _mm256_abs_epi32(_mm256_add_epi32(d01, d23)));
  s = _mm256_add_epi32(s, _mm256_abs_epi32(_mm256_sub_epi32(s01, s23)));
  s = _mm256_add_epi32(s, _mm256_abs_epi32(_mm256_sub_epi32(d01, d23)));
  // per-lane sums, each normalised separately like the C twin
  __m128i lo = _mm256_castsi256_si128(s), hi = _mm256_extracti128_si256(s, 1);
  lo = _mm_add_epi32(lo, _mm_shuffle_epi32(lo, 0x4e));
  lo = _mm_add_epi32(lo, _mm_shuffle_epi32(lo, 0xb1));
  hi = _mm_add_epi32(hi, _mm_shuffle_epi32(hi, 0x4e));
  hi = _mm_add_epi32(hi, _mm_shuffle_epi32(hi, 0xb1));
  return ((uint32_t(_mm_cvtsi128_si32(lo)) + 1) >> 1) + ((uint32_t(_mm_cvtsi128_si32(hi)) + 1) >> 1);
}

// Single 4x4 block with 128-bit registers.
uint32_t had4x4_avx2(const Pel* a, ptrdiff_t as, const Pel* b, ptrdiff_t bs) {
  __m128i r[4];
  for (int y = 0; y < 4; ++y)
    r[y] = _mm_cvtepi16_epi32(_mm_sub_epi16(_mm_loadl_epi64((const __m128i*)(a + y * as)),
                                            _mm_loadl_epi64((const __m128i*)(b + y * bs))));
  __m128i s01 = _mm_add_epi32(r[0], r[1]), d01 = _mm_sub_epi32(r[0], r[1]);
  __m128i s23 = _mm_add_epi32(r[2], r[3]), d23 = _mm_sub_epi32(r[2], r[3]);
  r[0] = _mm_add_epi32(s01, s23);
  r[1] = _mm_add_epi32(d01, d23);
  r[2] = _mm_sub_epi32(s01, s23);
  r[3] = _mm_sub_epi32(d01, d23);
  const __m128i t0 = _mm_unpacklo_epi32(r[0], r[1]), t1 = _mm_unpackhi_epi32(r[0], r[1]);
  const __m128i t2 = _mm_unpacklo_epi32(r[2], r[3]), t3 = _mm_unpackhi_epi32(r[2], r[3]);
  r[0] = _mm_unpacklo_epi64(t0, t2);
  r[1] = _mm_unpackhi_epi64(t0, t2);
  r[2] = _mm_unpacklo_epi64(t1, t3);
  r[3] = _mm_unpackhi_epi64(t1, t3);
  s01 = _mm_add_epi32(r[0], r[1]);
  d01 = _mm_sub_epi32(r[0], r[1]);
  s23 = _mm_add_epi32(r[2], r[3]);
  d23 = _mm_sub_epi32(r[2], r[3]);
  __m128i s = _mm_add_epi32(_mm_abs_epi32(_mm_add_epi32(s01, s23)), _mm_abs_epi32(_mm_add_epi32(d01, d23)));
  s = _mm_add_epi32(s, _mm_abs_epi32(_mm_sub_epi32(s01, s23)));
  s = _mm_add_epi32(s, _mm_abs_epi32(_mm_sub_epi32(d01, d23)));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
  return (uint32_t(_mm_cvtsi128_si32(s)) + 1) >> 1;
}

}  // namespace

uint64_t satd_avx2(const Pel* a, ptrdiff_t as, const Pel* b, ptrdiff_t bs, int w, int h) {
  uint64_t sum = 0;
  if ((w & 7) == 0 && (h & 7) == 0) {
    for (int y = 0; y < h; y += 8)
      for (int x = 0; x < w; x += 8) sum += had8x8_avx2(a + y * as + x, as, b + y * bs + x, bs);
  } else {
    for (int y = 0; y < h; y += 4) {
      int x = 0;
      for (; x + 8 <= w; x += 8) sum += had4x4pair_avx2(a + y * as + x, as, b + y * bs + x, bs);
      for (; x < w; x += 4) sum += had4x4_avx2(a + y * as + x, as, b + y * bs + x, bs);
    }
  }
  return sum;
}

void addResidualClip_avx2(const Pel* pred, ptrdiff_t ps, const Pel* resid, ptrdiff_t rs, int w,
                          int h, int bitDepth, Pel* dst, ptrdiff_t ds) {
  // Saturating add then clip equals the exact clip because 0 <= maxV < 32767.
  const __m256i maxV = _mm256_set1_epi16(int16_t((1 << bitDepth) - 1));
  const __m256i zero = _mm256_setzero_si256();
  for (int y = 0; y < h; ++y, pred += ps, resid += rs, dst += ds) {
    int x = 0;
    for (; x + 16 <= w; x += 16) {
      __m256i v = _mm256_adds_epi16(_mm256_loadu_si256((const __m256i*)(pred + x)),
                                    _mm256_loadu_si256((const __m256i*)(resid + x)));
      v = _mm256_min_epi16(_mm256_max_epi16(v, zero), maxV);
      _mm256_storeu_si256((__m256i*)(dst + x), v);
    }
    for (; x + 8 <= w; x += 8) {
      __m128i v = _mm_adds_epi16(_mm_loadu_si128((const __m128i*)(pred + x)),
                                 _mm_loadu_si128((const __m128i*)(resid + x)));
      v = _mm_min_epi16(_mm_max_epi16(v, _mm256_castsi256_si128(zero)), _mm256_castsi256_si128(maxV));
      _mm_storeu_si128((__m128i*)(dst + x), v);
    }
    for (; x + 4 <= w; x += 4) {
      __m128i v = _mm_adds_epi16(_mm_loadl_epi64((const __m128i*)(pred + x)),
                                 _mm_loadl_epi64((const __m128i*)(resid + x)));
      v = _mm_min_epi16(_mm_max_epi16(v, _mm256_castsi256_si128(zero)), _mm256_castsi256_si128(maxV));
      _mm_storel_epi64((__m128i*)(dst + x), v);
    }
    const int mv = (1 << bitDepth) - 1;
    for (; x < w; ++x) dst[x] = clipPel(int(pred[x]) + resid[x], mv);
  }
}

void subtract_avx2(const Pel* org, ptrdiff_t os, const Pel* pred, ptrdiff_t ps, int w, int h,
                   Pel* resid, ptrdiff_t rs) {
  for (int y = 0; y < h; ++y, org += os, pred += ps, resid += rs) {
    int x = 0;
    for (; x + 16 <= w; x += 16)
      _mm256_storeu_si256((__m256i*)(resid + x),
                          _mm256_sub_epi16(_mm256_loadu_si256((const __m256i*)(org + x)),
                                           _mm256_loadu_si256((const __m256i*)(pred + x))));
    for (; x + 8 <= w; x += 8)
      _mm_storeu_si128((__m128i*)(resid + x), _mm_sub_epi16(_mm_loadu_si128((const __m128i*)(org + x)),
                                                            _mm_loadu_si128((const __m128i*)(pred + x))));
    for (; x + 4 <= w; x += 4)
      _mm_storel_epi64((__m128i*)(resid + x), _mm_sub_epi16(_mm_loadl_epi64((const __m128i*)(org + x)),
                                                            _mm_loadl_epi64((const __m128i*)(pred + x))));
    for (; x < w; ++x) resid[x] = Pel(org[x] - pred[x]);
  }
}

}  // namespace dsp
}  // namespace nnvvc
#endif
