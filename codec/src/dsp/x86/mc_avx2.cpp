// AVX2 versions of the mc table entries (mc.h). Compiled with -mavx2 (CMakeLists.dsp.cmake);
// only called when __builtin_cpu_supports("avx2"). Each matches its *_c twin bit-exactly
// (codec/tests/checkasm.cpp) for every w, h >= 1 up to 128 (narrow tails in scalar code).
//
// Filtering uses pmaddwd on interleaved sample pairs: for a pair of taps (f[2k], f[2k+1]),
// unpacklo/hi(a, b) of two inputs one tap apart gives (a[x], b[x]) pairs, so each madd adds two
// taps for 4 (per 128-bit lane) 32-bit results; unpacklo yields columns 0-3 (8-11) and unpackhi
// columns 4-7 (12-15), and packs_epi32(lo, hi) restores the column order.
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#include "../mc.h"

namespace nnvvc {
namespace dsp {
namespace {

// Three vector widths behind one interface: 16, 8 and 4 int16 columns per step. The 4-column
// one loads 64 bits; its unpackhi half is zero and ignored by the 64-bit store.
struct Vec16 {
  using T = __m256i;
  static constexpr int kCols = 16;
  static T load(const int16_t* p) { return _mm256_loadu_si256((const __m256i*)p); }
  static void store(int16_t* p, T v) { _mm256_storeu_si256((__m256i*)p, v); }
  static T lo(T a, T b) { return _mm256_unpacklo_epi16(a, b); }
  static T hi(T a, T b) { return _mm256_unpackhi_epi16(a, b); }
  static T madd(T a, T b) { return _mm256_madd_epi16(a, b); }
  static T add32(T a, T b) { return _mm256_add_epi32(a, b); }
  static T sra32(T a, __m128i n) { return _mm256_sra_epi32(a, n); }
  static T pack(T a, T b) { return _mm256_packs_epi32(a, b); }
  static T set32(int v) { return _mm256_set1_epi32(v); }
  static T shuffle8(T v, T m) { return _mm256_shuffle_epi8(v, m); }
  // words e0 e1 e2 e3 o0 o1 o2 o3 (per lane) -> e0 o0 e1 o1 e2 o2 e3 o3
  static T order() { return _mm256_broadcastsi128_si256(orderLane()); }
  static __m128i orderLane() { return _mm_setr_epi8(0, 1, 8, 9, 2, 3, 10, 11, 4, 5, 12, 13, 6, 7, 14, 15); }
};
struct Vec8 {
  using T = __m128i;
  static constexpr int kCols = 8;
  static T load(const int16_t* p) { return _mm_loadu_si128((const __m128i*)p); }
  static void store(int16_t* p, T v) { _mm_storeu_si128((__m128i*)p, v); }
  static T lo(T a, T b) { return _mm_unpacklo_epi16(a, b); }
  static T hi(T a, T b) { return _mm_unpackhi_epi16(a, b); }
  static T madd(T a, T b) { return _mm_madd_epi16(a, b); }
  static T add32(T a, T b) { return _mm_add_epi32(a, b); }
  static T sra32(T a, __m128i n) { return _mm_sra_epi32(a, n); }
  static T pack(T a, T b) { return _mm_packs_epi32(a, b); }
  static T set32(int v) { return _mm_set1_epi32(v); }
  static T shuffle8(T v, T m) { return _mm_shuffle_epi8(v, m); }
  static T order() { return _mm_setr_epi8(0, 1, 8, 9, 2, 3, 10, 11, 4, 5, 12, 13, 6, 7, 14, 15); }
};
struct Vec4 : Vec8 {
  static constexpr int kCols = 4;
  static T load(const int16_t* p) { return _mm_loadl_epi64((const __m128i*)p); }
  static void store(int16_t* p, T v) { _mm_storel_epi64((__m128i*)p, v); }
};

// Coefficient pair k of an N-tap filter as the 32-bit pattern pmaddwd expects.
inline int tapPair(const int8_t* f, int k) {
  return int((uint32_t(uint16_t(int16_t(f[2 * k + 1]))) << 16) | uint16_t(int16_t(f[2 * k])));
}

// Horizontal N-tap pass over `rows` rows: dst[x] = (sum_i f[i] * src[x + i] + add) >> shift,
// with src pointing N/2 - 1 columns left of the first output's sample. No interleaving needed:
// the 32-bit element j of a load at src + x + 2k is the pair (src[x+2j+2k], src[x+2j+2k+1]), i.e.
// tap pair k of output x + 2j (even outputs); a load one sample later gives the odd outputs.
// pack(even, odd) then one in-lane byte shuffle restores the column order.
template <int N, class V>
inline int hColumns(int16_t* dst, ptrdiff_t ds, const int16_t* src, ptrdiff_t ss, int x0, int w,
                    int rows, const typename V::T* c, typename V::T add, __m128i shift) {
  using T = typename V::T;
  const T order = V::order();
  int x = x0;
  for (; x + V::kCols <= w; x += V::kCols)
    for (int r = 0; r < rows; ++r) {
      const int16_t* s = src + r * ss + x;
      T even = add, odd = add;
#pragma GCC unroll 8
      for (int k = 0; k < N / 2; ++k) {
        even = V::add32(even, V::madd(V::load(s + 2 * k), c[k]));
        odd = V::add32(odd, V::madd(V::load(s + 2 * k + 1), c[k]));
      }
      V::store(dst + r * ds + x,
               V::shuffle8(V::pack(V::sra32(even, shift), V::sra32(odd, shift)), order));
    }
  return x;
}

template <int N>
void hPass(int16_t* dst, ptrdiff_t ds, const int16_t* src, ptrdiff_t ss, int w, int rows,
           const int8_t* f, int add, int shift) {
  const __m128i sh = _mm_cvtsi32_si128(shift);
  __m256i c16[N / 2];
  __m128i c8[N / 2];
  for (int k = 0; k < N / 2; ++k) {
    c16[k] = _mm256_set1_epi32(tapPair(f, k));
    c8[k] = _mm_set1_epi32(tapPair(f, k));
  }
  int x = hColumns<N, Vec16>(dst, ds, src, ss, 0, w, rows, c16, _mm256_set1_epi32(add), sh);
  x = hColumns<N, Vec8>(dst, ds, src, ss, x, w, rows, c8, _mm_set1_epi32(add), sh);
  x = hColumns<N, Vec4>(dst, ds, src, ss, x, w, rows, c8, _mm_set1_epi32(add), sh);
  for (; x < w; ++x)
    for (int r = 0; r < rows; ++r) {
      int sum = add;
      for (int i = 0; i < N; ++i) sum += f[i] * src[r * ss + x + i];
      dst[r * ds + x] = int16_t(sum >> shift);
    }
}

// Vertical N-tap pass: dst[y][x] = (sum_i f[i] * src[y + i][x] + add) >> shift, src pointing
// N/2 - 1 rows above the first output row. Two output rows per step share the interleaved row
// pairs: row y uses pairs (y, y+1), (y+2, y+3), ...; row y+1 the odd ones, and both advance the
// window by two rows, so each step interleaves only the two new rows.
template <int N, class V>
inline int vColumns(int16_t* dst, ptrdiff_t ds, const int16_t* src, ptrdiff_t ss, int x0, int w,
                    int h, const typename V::T* c, typename V::T add, __m128i shift) {
  using T = typename V::T;
  int x = x0;
  if constexpr (N == 8) {
    // 8 taps: the sliding window of interleaved pairs does not fit the 16 vector registers, so
    // interleave afresh per row (shuffles and multiplies run on different ports).
    for (; x + V::kCols <= w; x += V::kCols)
      for (int y = 0; y < h; ++y) {
        const int16_t* s = src + y * ss + x;
        T lo = add, hi = add;
#pragma GCC unroll 8
        for (int k = 0; k < N / 2; ++k) {
          const T a = V::load(s + 2 * k * ss), b = V::load(s + (2 * k + 1) * ss);
          lo = V::add32(lo, V::madd(V::lo(a, b), c[k]));
          hi = V::add32(hi, V::madd(V::hi(a, b), c[k]));
        }
        V::store(dst + y * ds + x, V::pack(V::sra32(lo, shift), V::sra32(hi, shift)));
      }
    return x;
  }
  for (; x + V::kCols <= w; x += V::kCols) {
    const int16_t* s = src + x;
    T pl[N], ph[N];  // pl[i]/ph[i]: rows (y + i, y + i + 1) interleaved
    T prev = V::load(s);
#pragma GCC unroll 8
    for (int i = 0; i < N - 2; ++i) {
      const T next = V::load(s + (i + 1) * ss);
      pl[i] = V::lo(prev, next);
      ph[i] = V::hi(prev, next);
      prev = next;
    }
    int y = 0;
    for (; y + 2 <= h; y += 2) {
      const T a = V::load(s + (y + N - 1) * ss), b = V::load(s + (y + N) * ss);
      pl[N - 2] = V::lo(prev, a);
      ph[N - 2] = V::hi(prev, a);
      pl[N - 1] = V::lo(a, b);
      ph[N - 1] = V::hi(a, b);
      prev = b;
      T l0 = add, h0 = add, l1 = add, h1 = add;
#pragma GCC unroll 8
      for (int k = 0; k < N / 2; ++k) {
        l0 = V::add32(l0, V::madd(pl[2 * k], c[k]));
        h0 = V::add32(h0, V::madd(ph[2 * k], c[k]));
        l1 = V::add32(l1, V::madd(pl[2 * k + 1], c[k]));
        h1 = V::add32(h1, V::madd(ph[2 * k + 1], c[k]));
      }
      V::store(dst + y * ds + x, V::pack(V::sra32(l0, shift), V::sra32(h0, shift)));
      V::store(dst + (y + 1) * ds + x, V::pack(V::sra32(l1, shift), V::sra32(h1, shift)));
#pragma GCC unroll 8
      for (int i = 0; i < N - 2; ++i) {
        pl[i] = pl[i + 2];
        ph[i] = ph[i + 2];
      }
    }
    if (y < h) {  // odd height: last row from its own pairs
      const T a = V::load(s + (y + N - 1) * ss);
      pl[N - 2] = V::lo(prev, a);
      ph[N - 2] = V::hi(prev, a);
      T l0 = add, h0 = add;
#pragma GCC unroll 8
      for (int k = 0; k < N / 2; ++k) {
        l0 = V::add32(l0, V::madd(pl[2 * k], c[k]));
        h0 = V::add32(h0, V::madd(ph[2 * k], c[k]));
      }
      V::store(dst + y * ds + x, V::pack(V::sra32(l0, shift), V::sra32(h0, shift)));
    }
  }
  return x;
}

template <int N>
void vPass(int16_t* dst, ptrdiff_t ds, const int16_t* src, ptrdiff_t ss, int w, int h,
           const int8_t* f, int add, int shift) {
  const __m128i sh = _mm_cvtsi32_si128(shift);
  __m256i c16[N / 2];
  __m128i c8[N / 2];
  for (int k = 0; k < N / 2; ++k) {
    c16[k] = _mm256_set1_epi32(tapPair(f, k));
    c8[k] = _mm_set1_epi32(tapPair(f, k));
  }
  int x = vColumns<N, Vec16>(dst, ds, src, ss, 0, w, h, c16, _mm256_set1_epi32(add), sh);
  x = vColumns<N, Vec8>(dst, ds, src, ss, x, w, h, c8, _mm_set1_epi32(add), sh);
  x = vColumns<N, Vec4>(dst, ds, src, ss, x, w, h, c8, _mm_set1_epi32(add), sh);
  for (; x < w; ++x)
    for (int y = 0; y < h; ++y) {
      int sum = add;
      for (int i = 0; i < N; ++i) sum += f[i] * src[(y + i) * ss + x];
      dst[y * ds + x] = int16_t(sum >> shift);
    }
}

// Integer position: (src << shift3) - bias (fits int16 for samples of bitDepth <= 14 - shift3).
void copyPass(int16_t* dst, ptrdiff_t ds, const int16_t* src, ptrdiff_t ss, int w, int h,
              int shift3) {
  const __m128i sh = _mm_cvtsi32_si128(shift3);
  const __m256i bias16 = _mm256_set1_epi16(int16_t(kMcPrepBias));
  const __m128i bias8 = _mm_set1_epi16(int16_t(kMcPrepBias));
  for (int y = 0; y < h; ++y, src += ss, dst += ds) {
    int x = 0;
    for (; x + 16 <= w; x += 16)
      _mm256_storeu_si256((__m256i*)(dst + x),
                          _mm256_sub_epi16(_mm256_sll_epi16(_mm256_loadu_si256((const __m256i*)(src + x)), sh), bias16));
    for (; x + 8 <= w; x += 8)
      _mm_storeu_si128((__m128i*)(dst + x),
                       _mm_sub_epi16(_mm_sll_epi16(_mm_loadu_si128((const __m128i*)(src + x)), sh), bias8));
    for (; x + 4 <= w; x += 4)
      _mm_storel_epi64((__m128i*)(dst + x),
                       _mm_sub_epi16(_mm_sll_epi16(_mm_loadl_epi64((const __m128i*)(src + x)), sh), bias8));
    for (; x < w; ++x) dst[x] = int16_t((src[x] << shift3) - kMcPrepBias);
  }
}

template <int N>
void interp(int16_t* dst, ptrdiff_t ds, const Pel* src, ptrdiff_t ss, int w, int h,
            const int8_t* fx, const int8_t* fy, int bitDepth) {
  constexpr int kBefore = N / 2 - 1;
  const int shift1 = bitDepth - 8 < 4 ? bitDepth - 8 : 4;
  const int shift2 = 6;
  const int shift3 = 14 - bitDepth > 2 ? 14 - bitDepth : 2;
  // (sum >> s) - bias == (sum - (bias << s)) >> s: the bias folds into the rounding-free add.
  if (!fx && !fy) {
    copyPass(dst, ds, src, ss, w, h, shift3);
  } else if (!fy) {
    hPass<N>(dst, ds, src - kBefore, ss, w, h, fx, -(kMcPrepBias << shift1), shift1);
  } else if (!fx) {
    vPass<N>(dst, ds, src - kBefore * ss, ss, w, h, fy, -(kMcPrepBias << shift1), shift1);
  } else {
    alignas(32) int16_t temp[(kMcMaxLumaBlock + N - 1) * kMcMaxLumaBlock];
    hPass<N>(temp, w, src - kBefore * ss - kBefore, ss, w, h + N - 1, fx, 0, shift1);
    vPass<N>(dst, ds, temp, w, w, h, fy, -(kMcPrepBias << shift2), shift2);
  }
}

inline Pel clipSample(int v, int maxV) { return Pel(v < 0 ? 0 : (v > maxV ? maxV : v)); }

// (v + bias + offset1) >> shift1 clipped, in 16 bits: the saturating add only saturates for
// values far above the clip limit, so the result is exact.
struct Weight16 {
  __m256i add, maxV, zero;
  __m128i shift;
  explicit Weight16(int bitDepth) {
    const int shift1 = 14 - bitDepth;
    add = _mm256_set1_epi16(int16_t(kMcPrepBias + (1 << (shift1 - 1))));
    maxV = _mm256_set1_epi16(int16_t((1 << bitDepth) - 1));
    zero = _mm256_setzero_si256();
    shift = _mm_cvtsi32_si128(shift1);
  }
  __m256i operator()(__m256i v) const {
    return _mm256_min_epi16(_mm256_max_epi16(_mm256_sra_epi16(_mm256_adds_epi16(v, add), shift), zero),
                            maxV);
  }
};

// floor((a + b) / 2) without widening (exact for signed values).
inline __m256i floorAvg(__m256i a, __m256i b) {
  return _mm256_add_epi16(_mm256_and_si256(a, b), _mm256_srai_epi16(_mm256_xor_si256(a, b), 1));
}

// Loads/stores of n = 16, 8, 4 or 2 int16 into/from the low part of a ymm register.
inline __m256i loadN(const int16_t* p, int n) {
  if (n == 16) return _mm256_loadu_si256((const __m256i*)p);
  if (n == 8) return _mm256_castsi128_si256(_mm_loadu_si128((const __m128i*)p));
  if (n == 4) return _mm256_castsi128_si256(_mm_loadl_epi64((const __m128i*)p));
  int32_t v;
  __builtin_memcpy(&v, p, 4);
  return _mm256_castsi128_si256(_mm_cvtsi32_si128(v));
}
inline void storeN(int16_t* p, __m256i v, int n) {
  if (n == 16) {
    _mm256_storeu_si256((__m256i*)p, v);
  } else if (n == 8) {
    _mm_storeu_si128((__m128i*)p, _mm256_castsi256_si128(v));
  } else if (n == 4) {
    _mm_storel_epi64((__m128i*)p, _mm256_castsi256_si128(v));
  } else {
    const int32_t u = _mm_cvtsi128_si32(_mm256_castsi256_si128(v));
    __builtin_memcpy(p, &u, 4);
  }
}

}  // namespace

void mcInterpLuma_avx2(int16_t* dst, ptrdiff_t ds, const Pel* src, ptrdiff_t ss, int w, int h,
                       int xFrac, int yFrac, int bitDepth) {
  interp<8>(dst, ds, src, ss, w, h, xFrac ? kMcLumaFilter[xFrac & 15] : nullptr,
            yFrac ? kMcLumaFilter[yFrac & 15] : nullptr, bitDepth);
}

void mcInterpLumaAltHpel_avx2(int16_t* dst, ptrdiff_t ds, const Pel* src, ptrdiff_t ss, int w, int h,
                              int xFrac, int yFrac, int bitDepth) {
  interp<8>(dst, ds, src, ss, w, h, xFrac ? mcLumaFilterRow(xFrac, true) : nullptr,
            yFrac ? mcLumaFilterRow(yFrac, true) : nullptr, bitDepth);
}

void mcInterpChroma_avx2(int16_t* dst, ptrdiff_t ds, const Pel* src, ptrdiff_t ss, int w, int h,
                         int xFrac, int yFrac, int bitDepth) {
  interp<4>(dst, ds, src, ss, w, h, xFrac ? kMcChromaFilter[xFrac & 31] : nullptr,
            yFrac ? kMcChromaFilter[yFrac & 31] : nullptr, bitDepth);
}

void mcWeightUni_avx2(Pel* dst, ptrdiff_t ds, const int16_t* src, ptrdiff_t ss, int w, int h,
                      int bitDepth) {
  const Weight16 wt(bitDepth);
  for (int y = 0; y < h; ++y, src += ss, dst += ds) {
    int x = 0;
    for (int n = 16; n >= 2; n >>= 1)
      for (; x + n <= w; x += n) storeN(dst + x, wt(loadN(src + x, n)), n);
    if (x < w) {  // odd width
      const int shift1 = 14 - bitDepth;
      dst[x] = clipSample((src[x] + kMcPrepBias + (1 << (shift1 - 1))) >> shift1,
                          (1 << bitDepth) - 1);
    }
  }
}

// Bi average: (p0 + p1 + offset2) >> shift2 with shift2 = shift1 + 1, offset2 = 2 * offset1 and
// p = v + bias equals (floor((v0 + v1) / 2) + bias + offset1) >> shift1, i.e. the uni weighting
// of the floored average.
void mcWeightBi_avx2(Pel* dst, ptrdiff_t ds, const int16_t* src0, ptrdiff_t ss0,
                     const int16_t* src1, ptrdiff_t ss1, int w, int h, int bitDepth) {
  const Weight16 wt(bitDepth);
  for (int y = 0; y < h; ++y, src0 += ss0, src1 += ss1, dst += ds) {
    int x = 0;
    for (int n = 16; n >= 2; n >>= 1)
      for (; x + n <= w; x += n)
        storeN(dst + x, wt(floorAvg(loadN(src0 + x, n), loadN(src1 + x, n))), n);
    if (x < w) {
      const int shift2 = 15 - bitDepth;
      dst[x] = clipSample((src0[x] + src1[x] + 2 * kMcPrepBias + (1 << (shift2 - 1))) >> shift2,
                          (1 << bitDepth) - 1);
    }
  }
}

// BCW weighting: the two biased intermediates interleaved and multiplied by (w0, w1) with madd (32-bit sums;
// |v| < 25100 and |w| <= 10 keep them far inside int32); the biases' share 8 * kMcPrepBias joins the offset.
void mcWeightBcw_avx2(Pel* dst, ptrdiff_t ds, const int16_t* src0, ptrdiff_t ss0, const int16_t* src1,
                      ptrdiff_t ss1, int w, int h, int w1, int bitDepth) {
  const int w0 = 8 - w1, shift = 17 - bitDepth, offset = 1 << (shift - 1);
  const __m256i wts = _mm256_set1_epi32(int32_t((uint32_t(uint16_t(int16_t(w1))) << 16) | uint16_t(int16_t(w0))));
  const __m256i add = _mm256_set1_epi32(8 * kMcPrepBias + offset);
  const __m128i sh = _mm_cvtsi32_si128(shift);
  const __m256i maxV = _mm256_set1_epi16(int16_t((1 << bitDepth) - 1)), zero = _mm256_setzero_si256();
  auto weigh = [&](__m256i a, __m256i b) {
    const __m256i lo = _mm256_sra_epi32(_mm256_add_epi32(_mm256_madd_epi16(_mm256_unpacklo_epi16(a, b), wts), add), sh);
    const __m256i hi = _mm256_sra_epi32(_mm256_add_epi32(_mm256_madd_epi16(_mm256_unpackhi_epi16(a, b), wts), add), sh);
    return _mm256_min_epi16(_mm256_max_epi16(_mm256_packs_epi32(lo, hi), zero), maxV);
  };
  for (int y = 0; y < h; ++y, src0 += ss0, src1 += ss1, dst += ds) {
    int x = 0;
    for (int n = 16; n >= 2; n >>= 1)
      for (; x + n <= w; x += n) storeN(dst + x, weigh(loadN(src0 + x, n), loadN(src1 + x, n)), n);
    if (x < w)
      dst[x] = clipSample(((src0[x] + kMcPrepBias) * w0 + (src1[x] + kMcPrepBias) * w1 + offset) >> shift,
                          (1 << bitDepth) - 1);
  }
}

}  // namespace dsp
}  // namespace nnvvc
#endif
