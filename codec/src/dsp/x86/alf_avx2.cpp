// ALF luma 7x7 diamond filter (H.266 8.8.5.2), AVX2. Only called when
// __builtin_cpu_supports("avx2"); bit-exact with alfFilterLumaC in dsp/alf.cpp.
//
// 16 samples of a row per step (8 or 4 for the rest of a row). Per tap the two clipped
// differences are added in 16 bits (|sum| <= 2 * 4095), two taps are interleaved and multiplied
// by their coefficient pair with madd (32-bit accumulation, like the C int sum). The 256-bit
// unpacklo / unpackhi take samples 0-3 and 8-11 / 4-7 and 12-15, i.e. whole 4x4 blocks, so each
// block's coefficients sit in the lanes of its own samples without any gather per row; the
// per-block clipping values and coefficients are set up once per 4 rows (one class per block).
#include <immintrin.h>

#include "dsp/alf.h"

namespace nnvvc {
namespace dsp {

namespace {

// One (class, transpose) filter laid out for the vector code: tap j's clipping value repeated
// over the 4 lanes of one block, and the coefficients of taps 2k, 2k + 1 as one madd pair.
struct AlfBlockTaps {
  int64_t clip4[12];
  int32_t coefPair[6];
};

// The filters of all 25 classes x 4 transposes, built once per call (a call is one CTB).
void buildBlockTaps(const int16_t (*coeff)[12], const int16_t (*clip)[12], AlfBlockTaps taps[25][4]) {
  for (int c = 0; c < 25; ++c)
    for (int t = 0; t < 4; ++t) {
      const uint8_t* map = kAlfTransposeMap[t];
      AlfBlockTaps& o = taps[c][t];
      for (int j = 0; j < 12; ++j) o.clip4[j] = int64_t(uint16_t(clip[c][map[j]])) * 0x0001000100010001LL;
      for (int k = 0; k < 6; ++k)
        o.coefPair[k] = int32_t(uint32_t(uint16_t(coeff[c][map[2 * k]])) |
                                (uint32_t(uint16_t(coeff[c][map[2 * k + 1]])) << 16));
    }
}

// Source rows of one output row: rowUp[k] / rowDn[k] are k rows above / below it, limited at
// the virtual boundary as in the C twin (vbReach); shift is 10 in the row next to it, else 7.
struct DiamondRows {
  const Pel* rowUp[4];
  const Pel* rowDn[4];
  int shift;
};

DiamondRows diamondRows(const Pel* src, ptrdiff_t stride, int y, int vbRow) {
  const int reach = y < vbRow ? vbRow - 1 - y : y - vbRow;
  DiamondRows r;
  const Pel* s = src + ptrdiff_t(y) * stride;
  for (int k = 0; k < 4; ++k) {
    const ptrdiff_t off = ptrdiff_t(k < reach ? k : reach) * stride;
    r.rowUp[k] = s - off;
    r.rowDn[k] = s + off;
  }
  r.shift = reach == 0 ? 10 : 7;
  return r;
}

// Tap j reads rowDn[kTapRow[j]][x + kTapDx[j]] and rowUp[kTapRow[j]][x - kTapDx[j]] (the C
// twin's p[rK + dx] and p[-rK - dx]).
constexpr int kTapRow[12] = {3, 2, 2, 2, 1, 1, 1, 1, 1, 0, 0, 0};
constexpr int kTapDx[12] = {0, 1, 0, -1, 2, 1, 0, -1, -2, 3, 2, 1};

inline __m256i load16(const Pel* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }

inline __m256i clippedPair16(const DiamondRows& r, int x, int j, __m256i cur, __m256i clip) {
  const __m256i negClip = _mm256_sub_epi16(_mm256_setzero_si256(), clip);
  const __m256i a = _mm256_sub_epi16(load16(r.rowDn[kTapRow[j]] + x + kTapDx[j]), cur);
  const __m256i b = _mm256_sub_epi16(load16(r.rowUp[kTapRow[j]] + x - kTapDx[j]), cur);
  return _mm256_add_epi16(_mm256_min_epi16(_mm256_max_epi16(a, negClip), clip),
                          _mm256_min_epi16(_mm256_max_epi16(b, negClip), clip));
}

// 16 samples (4 blocks) of one row; clip[j] / coefLo[k] / coefHi[k] from setup16().
inline void filterRow16(const DiamondRows& r, int x, const __m256i clip[12], const __m256i coefLo[6],
                        const __m256i coefHi[6], __m256i maxVal, Pel* d) {
  const __m256i cur = load16(r.rowUp[0] + x);
  __m256i accLo = _mm256_setzero_si256(), accHi = _mm256_setzero_si256();
#pragma GCC unroll 6  // constant tap rows / offsets
  for (int k = 0; k < 6; ++k) {
    const __m256i t0 = clippedPair16(r, x, 2 * k, cur, clip[2 * k]);
    const __m256i t1 = clippedPair16(r, x, 2 * k + 1, cur, clip[2 * k + 1]);
    accLo = _mm256_add_epi32(accLo, _mm256_madd_epi16(_mm256_unpacklo_epi16(t0, t1), coefLo[k]));
    accHi = _mm256_add_epi32(accHi, _mm256_madd_epi16(_mm256_unpackhi_epi16(t0, t1), coefHi[k]));
  }
  const __m256i round = _mm256_set1_epi32(1 << (r.shift - 1));
  const __m128i shift = _mm_cvtsi32_si128(r.shift);
  accLo = _mm256_sra_epi32(_mm256_add_epi32(accLo, round), shift);
  accHi = _mm256_sra_epi32(_mm256_add_epi32(accHi, round), shift);
  // saturation in packs / adds cannot move a value across [0, maxVal], so the clamp is exact
  const __m256i v = _mm256_adds_epi16(cur, _mm256_packs_epi32(accLo, accHi));
  const __m256i out = _mm256_min_epi16(_mm256_max_epi16(v, _mm256_setzero_si256()), maxVal);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(d + x), out);
}

// Lanes: samples 0-3 block b[0], 4-7 b[1], 8-11 b[2], 12-15 b[3].
inline void setup16(const AlfBlockTaps* const b[4], __m256i clip[12], __m256i coefLo[6], __m256i coefHi[6]) {
  for (int j = 0; j < 12; ++j)
    clip[j] = _mm256_set_epi64x(b[3]->clip4[j], b[2]->clip4[j], b[1]->clip4[j], b[0]->clip4[j]);
  for (int k = 0; k < 6; ++k) {
    coefLo[k] = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_set1_epi32(b[0]->coefPair[k])),
                                        _mm_set1_epi32(b[2]->coefPair[k]), 1);
    coefHi[k] = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_set1_epi32(b[1]->coefPair[k])),
                                        _mm_set1_epi32(b[3]->coefPair[k]), 1);
  }
}

// The 128-bit version for the last 8 or 4 samples of a row (kFour: 4, loads / stores of 64 bits
// so nothing beyond the area's 3-sample margin is read).
template <bool kFour>
inline __m128i load8(const Pel* p) {
  return kFour ? _mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))
               : _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
}

template <bool kFour>
inline __m128i clippedPair8(const DiamondRows& r, int x, int j, __m128i cur, __m128i clip) {
  const __m128i negClip = _mm_sub_epi16(_mm_setzero_si128(), clip);
  const __m128i a = _mm_sub_epi16(load8<kFour>(r.rowDn[kTapRow[j]] + x + kTapDx[j]), cur);
  const __m128i b = _mm_sub_epi16(load8<kFour>(r.rowUp[kTapRow[j]] + x - kTapDx[j]), cur);
  return _mm_add_epi16(_mm_min_epi16(_mm_max_epi16(a, negClip), clip),
                       _mm_min_epi16(_mm_max_epi16(b, negClip), clip));
}

// Lanes: samples 0-3 block b0, 4-7 block b1 (unused when kFour).
template <bool kFour>
void filterRow8(const DiamondRows& r, int x, const AlfBlockTaps& b0, const AlfBlockTaps& b1, __m128i maxVal,
                Pel* d) {
  const __m128i cur = load8<kFour>(r.rowUp[0] + x);
  __m128i accLo = _mm_setzero_si128(), accHi = _mm_setzero_si128();
#pragma GCC unroll 6
  for (int k = 0; k < 6; ++k) {
    const __m128i t0 = clippedPair8<kFour>(r, x, 2 * k, cur, _mm_set_epi64x(b1.clip4[2 * k], b0.clip4[2 * k]));
    const __m128i t1 =
        clippedPair8<kFour>(r, x, 2 * k + 1, cur, _mm_set_epi64x(b1.clip4[2 * k + 1], b0.clip4[2 * k + 1]));
    accLo = _mm_add_epi32(accLo, _mm_madd_epi16(_mm_unpacklo_epi16(t0, t1), _mm_set1_epi32(b0.coefPair[k])));
    if (!kFour)
      accHi = _mm_add_epi32(accHi, _mm_madd_epi16(_mm_unpackhi_epi16(t0, t1), _mm_set1_epi32(b1.coefPair[k])));
  }
  const __m128i round = _mm_set1_epi32(1 << (r.shift - 1));
  const __m128i shift = _mm_cvtsi32_si128(r.shift);
  accLo = _mm_sra_epi32(_mm_add_epi32(accLo, round), shift);
  accHi = _mm_sra_epi32(_mm_add_epi32(accHi, round), shift);
  const __m128i v = _mm_adds_epi16(cur, _mm_packs_epi32(accLo, accHi));
  const __m128i out = _mm_min_epi16(_mm_max_epi16(v, _mm_setzero_si128()), maxVal);
  if (kFour)
    _mm_storel_epi64(reinterpret_cast<__m128i*>(d + x), out);
  else
    _mm_storeu_si128(reinterpret_cast<__m128i*>(d + x), out);
}

}  // namespace

void alfFilterLuma_avx2(const Pel* src, ptrdiff_t srcStride, Pel* dst, ptrdiff_t dstStride, int x0, int y0, int w,
                        int h, int vbRow, const AlfBlockClass* cls, const int16_t (*coeff)[12],
                        const int16_t (*clip)[12], int bitDepth) {
  AlfBlockTaps taps[25][4];
  buildBlockTaps(coeff, clip, taps);
  const int maxVal = (1 << bitDepth) - 1;
  const __m256i maxVal16 = _mm256_set1_epi16(int16_t(maxVal));
  const __m128i maxVal8 = _mm_set1_epi16(int16_t(maxVal));
  const int blocksPerRow = w >> 2;
  for (int by = 0; by < h; by += 4) {
    const AlfBlockClass* rowCls = cls + (by >> 2) * blocksPerRow;
    const int rows = h - by < 4 ? h - by : 4;
    DiamondRows r[4];
    for (int i = 0; i < rows; ++i) r[i] = diamondRows(src, srcStride, y0 + by + i, vbRow);
    Pel* d = dst + ptrdiff_t(y0 + by) * dstStride;
    int bx = 0;
    for (; bx + 16 <= w; bx += 16) {
      const AlfBlockTaps* b[4];
      for (int i = 0; i < 4; ++i) {
        const AlfBlockClass bc = rowCls[(bx >> 2) + i];
        b[i] = &taps[bc.classIdx][bc.transposeIdx];
      }
      __m256i clipV[12], coefLo[6], coefHi[6];
      setup16(b, clipV, coefLo, coefHi);
      for (int i = 0; i < rows; ++i) filterRow16(r[i], x0 + bx, clipV, coefLo, coefHi, maxVal16, d + i * dstStride);
    }
    if (bx + 8 <= w) {
      const AlfBlockClass c0 = rowCls[bx >> 2], c1 = rowCls[(bx >> 2) + 1];
      const AlfBlockTaps& b0 = taps[c0.classIdx][c0.transposeIdx];
      const AlfBlockTaps& b1 = taps[c1.classIdx][c1.transposeIdx];
      for (int i = 0; i < rows; ++i) filterRow8<false>(r[i], x0 + bx, b0, b1, maxVal8, d + i * dstStride);
      bx += 8;
    }
    if (bx < w) {
      const AlfBlockClass c0 = rowCls[bx >> 2];
      const AlfBlockTaps& b0 = taps[c0.classIdx][c0.transposeIdx];
      for (int i = 0; i < rows; ++i) filterRow8<true>(r[i], x0 + bx, b0, b0, maxVal8, d + i * dstStride);
    }
  }
}

// Encoder statistics (alfAccumulateStatsC's contract). Samples are taken in pairs: the two rows
// of a pair are interleaved (unpacklo / unpackhi of 16 values), so one madd with row i's pair
// broadcast gives x0[i] x0[j] + x1[i] x1[j] for 8 columns j at once (16-bit products, 32-bit
// sums: at most 32 pairs of 2 * 4096^2 fit). unpacklo holds columns 0-3 and 8-11 of a 16-column
// block, unpackhi 4-7 and 12-15; the 32-bit row sums go to the int64 matrix once per call.
namespace {

template <int G0>
void accumulateRows(const __m256i (*col)[6], const int32_t (*bc)[kAlfStatVars], int np, int i, int64_t* row) {
  constexpr int kV = 6 - 2 * G0;
  __m256i acc[kV];
  for (int v = 0; v < kV; ++v) acc[v] = _mm256_setzero_si256();
  for (int pr = 0; pr < np; ++pr) {
    const __m256i b = _mm256_set1_epi32(bc[pr][i]);
    for (int v = 0; v < kV; ++v) acc[v] = _mm256_add_epi32(acc[v], _mm256_madd_epi16(b, col[pr][2 * G0 + v]));
  }
  alignas(32) int32_t tmp[8];
  for (int v = 0; v < kV; ++v) {
    _mm256_store_si256(reinterpret_cast<__m256i*>(tmp), acc[v]);
    const int base = 16 * (G0 + v / 2) + (v & 1) * 4;
    for (int k = 0; k < 4; ++k) {
      row[base + k] += tmp[k];
      row[base + 8 + k] += tmp[4 + k];
    }
  }
}

}  // namespace

void alfAccumulateStats_avx2(const int16_t* x, const int16_t* t, int n, int64_t* e, int64_t* p) {
  constexpr int N = kAlfStatVars;
  const int np = n / 2;
  __m256i col[32][6];
  int32_t bc[32][N];
  int32_t tc[32];
  for (int pr = 0; pr < np; ++pr) {
    const int16_t* a = x + ptrdiff_t(2 * pr) * N;
    const int16_t* b = a + N;
    for (int g = 0; g < 3; ++g) {
      const __m256i va = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + 16 * g));
      const __m256i vb = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 16 * g));
      col[pr][2 * g] = _mm256_unpacklo_epi16(va, vb);
      col[pr][2 * g + 1] = _mm256_unpackhi_epi16(va, vb);
    }
    for (int i = 0; i < N; ++i) bc[pr][i] = int32_t(uint32_t(uint16_t(a[i])) | (uint32_t(uint16_t(b[i])) << 16));
    tc[pr] = int32_t(uint32_t(uint16_t(t[2 * pr])) | (uint32_t(uint16_t(t[2 * pr + 1])) << 16));
  }
  for (int i = 0; i < N; ++i) {
    int64_t* row = e + ptrdiff_t(i) * N;
    if (i < 16) accumulateRows<0>(col, bc, np, i, row);
    else if (i < 32) accumulateRows<1>(col, bc, np, i, row);
    else accumulateRows<2>(col, bc, np, i, row);
  }
  // p: the same with the targets' pair broadcast
  __m256i acc[6];
  for (int v = 0; v < 6; ++v) acc[v] = _mm256_setzero_si256();
  for (int pr = 0; pr < np; ++pr) {
    const __m256i b = _mm256_set1_epi32(tc[pr]);
    for (int v = 0; v < 6; ++v) acc[v] = _mm256_add_epi32(acc[v], _mm256_madd_epi16(b, col[pr][v]));
  }
  alignas(32) int32_t tmp[8];
  for (int v = 0; v < 6; ++v) {
    _mm256_store_si256(reinterpret_cast<__m256i*>(tmp), acc[v]);
    const int base = 16 * (v / 2) + (v & 1) * 4;
    for (int k = 0; k < 4; ++k) {
      p[base + k] += tmp[k];
      p[base + 8 + k] += tmp[4 + k];
    }
  }
}

}  // namespace dsp
}  // namespace nnvvc
