// BDOF subblock process (H.266 8.5.6.5), AVX2. Only called when __builtin_cpu_supports("avx2");
// bit-exact with bdofSubblock_c in dsp/bdof.cpp.
//
// One subblock row per vector: 16 samples in a __m256i (w 16) or 8 in a __m128i (w 8; the
// other widths, which the spec never uses, go to the C twin). Per row the five window terms
// |tH|, |tV|, sign(tH) dI, sign(tV) dI, sign(tV) tH are formed in 16 bits (sign_epi16 is exactly
// the spec's Sign() product); their 6-row window sums still fit 16 bits for any int16 input
// (6 * 4095), and the 6-column sums are taken with madd into 32 bits. vx / vy per 4x4 block are
// scalar (as in C); the final sample sum uses madd on (p0, p1) and (gH0 - gH1, gV0 - gV1) pairs.
#include <immintrin.h>

#include "dsp/bdof.h"
#include "dsp/mc.h"

namespace nnvvc {
namespace dsp {

namespace {

inline int clampInt(int v, int lo, int hi) { return v < lo ? lo : (v > hi ? hi : v); }
inline int floorLog2(unsigned v) { return 31 - __builtin_clz(v); }

// The vector operations bdofRows needs, for a 16-sample row (AVX2) ...
struct Row16 {
  using V = __m256i;
  static constexpr int kW = 16;
  static V load(const int16_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
  static void store(Pel* p, V v) { _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v); }
  static V add(V a, V b) { return _mm256_add_epi16(a, b); }
  static V sub(V a, V b) { return _mm256_sub_epi16(a, b); }
  template <int n> static V sra(V a) { return _mm256_srai_epi16(a, n); }
  static V abs(V a) { return _mm256_abs_epi16(a); }
  static V sign(V a, V s) { return _mm256_sign_epi16(a, s); }
  // 6-column window sums of the four 4-sample blocks, the window clamped into the row: 32-bit
  // pair sums of the row (the edge samples twice) plus of each block's outer neighbours.
  static void blockWindowSums(V v, int32_t out[4]) {
    const V prev = _mm256_alignr_epi8(v, _mm256_permute2x128_si256(v, v, 0x08), 14);  // lane i: v[i - 1]
    const V next = _mm256_alignr_epi8(_mm256_permute2x128_si256(v, v, 0x81), v, 2);   // lane i: v[i + 1]
    const V outer = _mm256_blend_epi16(prev, next, 0x88);  // lanes 4b: v[4b - 1], 4b + 3: v[4b + 4]
    const V wInner = _mm256_setr_epi16(2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2);
    const V wOuter = _mm256_setr_epi16(0, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0);
    const V s = _mm256_add_epi32(_mm256_madd_epi16(v, wInner), _mm256_madd_epi16(outer, wOuter));
    const __m128i q = _mm_hadd_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), q);
  }
  // (vx, vy) pairs of the blocks in the lanes unpacklo (samples 0-3, 8-11) / unpackhi (4-7,
  // 12-15) give them.
  static void pairLanes(const int32_t vxy[4], V& lo, V& hi) {
    lo = _mm256_setr_epi32(vxy[0], vxy[0], vxy[0], vxy[0], vxy[2], vxy[2], vxy[2], vxy[2]);
    hi = _mm256_setr_epi32(vxy[1], vxy[1], vxy[1], vxy[1], vxy[3], vxy[3], vxy[3], vxy[3]);
  }
  // Clip3(0, maxV, (p0 + p1 + vx dGH + vy dGV + offset) >> shift) of one row.
  static void finalRow(Pel* d, V p0, V p1, V dGH, V dGV, V vxyLo, V vxyHi, int offset, int shift, int maxV) {
    const V ones = _mm256_set1_epi16(1), off = _mm256_set1_epi32(offset);
    const __m128i cnt = _mm_cvtsi32_si128(shift);
    const V lo = _mm256_add_epi32(_mm256_madd_epi16(_mm256_unpacklo_epi16(p0, p1), ones),
                                  _mm256_madd_epi16(_mm256_unpacklo_epi16(dGH, dGV), vxyLo));
    const V hi = _mm256_add_epi32(_mm256_madd_epi16(_mm256_unpackhi_epi16(p0, p1), ones),
                                  _mm256_madd_epi16(_mm256_unpackhi_epi16(dGH, dGV), vxyHi));
    const V v = _mm256_packs_epi32(_mm256_sra_epi32(_mm256_add_epi32(lo, off), cnt),
                                   _mm256_sra_epi32(_mm256_add_epi32(hi, off), cnt));
    store(d, _mm256_min_epi16(_mm256_max_epi16(v, _mm256_setzero_si256()), _mm256_set1_epi16(int16_t(maxV))));
  }
};

// ... and for an 8-sample row (128-bit).
struct Row8 {
  using V = __m128i;
  static constexpr int kW = 8;
  static V load(const int16_t* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); }
  static void store(Pel* p, V v) { _mm_storeu_si128(reinterpret_cast<__m128i*>(p), v); }
  static V add(V a, V b) { return _mm_add_epi16(a, b); }
  static V sub(V a, V b) { return _mm_sub_epi16(a, b); }
  template <int n> static V sra(V a) { return _mm_srai_epi16(a, n); }
  static V abs(V a) { return _mm_abs_epi16(a); }
  static V sign(V a, V s) { return _mm_sign_epi16(a, s); }
  static void blockWindowSums(V v, int32_t out[2]) {
    const V outer = _mm_blend_epi16(_mm_slli_si128(v, 2), _mm_srli_si128(v, 2), 0x88);
    const V wInner = _mm_setr_epi16(2, 1, 1, 1, 1, 1, 1, 2);
    const V wOuter = _mm_setr_epi16(0, 0, 0, 1, 1, 0, 0, 0);
    const V s = _mm_add_epi32(_mm_madd_epi16(v, wInner), _mm_madd_epi16(outer, wOuter));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(out), _mm_hadd_epi32(s, s));
  }
  static void pairLanes(const int32_t vxy[2], V& lo, V& hi) {
    lo = _mm_set1_epi32(vxy[0]);
    hi = _mm_set1_epi32(vxy[1]);
  }
  static void finalRow(Pel* d, V p0, V p1, V dGH, V dGV, V vxyLo, V vxyHi, int offset, int shift, int maxV) {
    const V ones = _mm_set1_epi16(1), off = _mm_set1_epi32(offset);
    const __m128i cnt = _mm_cvtsi32_si128(shift);
    const V lo = _mm_add_epi32(_mm_madd_epi16(_mm_unpacklo_epi16(p0, p1), ones),
                               _mm_madd_epi16(_mm_unpacklo_epi16(dGH, dGV), vxyLo));
    const V hi = _mm_add_epi32(_mm_madd_epi16(_mm_unpackhi_epi16(p0, p1), ones),
                               _mm_madd_epi16(_mm_unpackhi_epi16(dGH, dGV), vxyHi));
    const V v = _mm_packs_epi32(_mm_sra_epi32(_mm_add_epi32(lo, off), cnt), _mm_sra_epi32(_mm_add_epi32(hi, off), cnt));
    store(d, _mm_min_epi16(_mm_max_epi16(v, _mm_setzero_si128()), _mm_set1_epi16(int16_t(maxV))));
  }
};

template <class R>
void bdofRows(Pel* dst, ptrdiff_t ds, const int16_t* p0, const int16_t* p1, ptrdiff_t ps, int h, int bitDepth) {
  using V = typename R::V;
  constexpr int kBlocks = R::kW / 4;
  constexpr int kLimit = 15;  // mvRefineThres - 1
  const int shift4 = 15 - bitDepth > 3 ? 15 - bitDepth : 3;
  const int offset4 = (1 << (shift4 - 1)) + 2 * kMcPrepBias;
  const int maxV = (1 << bitDepth) - 1;
  // Per subblock row r (extended row r + 1, from column 1): the window terms and the gradient
  // differences the final sum needs.
  V absH[kBdofMaxSb], absV[kBdofMaxSb], gxdI[kBdofMaxSb], gydI[kBdofMaxSb], gxgy[kBdofMaxSb];
  V dGH[kBdofMaxSb], dGV[kBdofMaxSb];
  for (int r = 0; r < h; ++r) {
    const int16_t* a = p0 + (r + 1) * ps;
    const int16_t* b = p1 + (r + 1) * ps;
    const V gH0 = R::sub(R::template sra<6>(R::load(a + 2)), R::template sra<6>(R::load(a)));
    const V gH1 = R::sub(R::template sra<6>(R::load(b + 2)), R::template sra<6>(R::load(b)));
    const V gV0 = R::sub(R::template sra<6>(R::load(a + ps + 1)), R::template sra<6>(R::load(a - ps + 1)));
    const V gV1 = R::sub(R::template sra<6>(R::load(b + ps + 1)), R::template sra<6>(R::load(b - ps + 1)));
    const V tH = R::template sra<1>(R::add(gH0, gH1));
    const V tV = R::template sra<1>(R::add(gV0, gV1));
    const V dI = R::sub(R::template sra<4>(R::load(b + 1)), R::template sra<4>(R::load(a + 1)));
    absH[r] = R::abs(tH);
    absV[r] = R::abs(tV);
    gxdI[r] = R::sign(dI, tH);
    gydI[r] = R::sign(dI, tV);
    gxgy[r] = R::sign(tH, tV);
    dGH[r] = R::sub(gH0, gH1);
    dGV[r] = R::sub(gV0, gV1);
  }
  for (int by = 0; by < h; by += 4) {
    // window rows by - 1 .. by + 4, clamped into the subblock
    const int top = by > 0 ? by - 1 : 0, bottom = by + 4 < h ? by + 4 : h - 1;
    auto windowRows = [&](const V* q) {
      V s = R::add(q[top], q[bottom]);
      for (int r = by; r < by + 4; ++r) s = R::add(s, q[r]);
      return s;
    };
    int32_t sGx2[kBlocks], sGy2[kBlocks], sGxdI[kBlocks], sGydI[kBlocks], sGxGy[kBlocks];
    R::blockWindowSums(windowRows(absH), sGx2);
    R::blockWindowSums(windowRows(absV), sGy2);
    R::blockWindowSums(windowRows(gxdI), sGxdI);
    R::blockWindowSums(windowRows(gydI), sGydI);
    R::blockWindowSums(windowRows(gxgy), sGxGy);
    int32_t vxy[kBlocks];
    for (int k = 0; k < kBlocks; ++k) {
      const int vx = sGx2[k] > 0 ? clampInt((sGxdI[k] * 4) >> floorLog2(unsigned(sGx2[k])), -kLimit, kLimit) : 0;
      const int vy = sGy2[k] > 0 ? clampInt((sGydI[k] * 4 - ((vx * sGxGy[k]) >> 1)) >> floorLog2(unsigned(sGy2[k])),
                                            -kLimit, kLimit)
                                 : 0;
      vxy[k] = int32_t(uint32_t(uint16_t(vx)) | (uint32_t(uint16_t(vy)) << 16));
    }
    V vxyLo, vxyHi;
    R::pairLanes(vxy, vxyLo, vxyHi);
    for (int r = by; r < by + 4; ++r)
      R::finalRow(dst + r * ds, R::load(p0 + (r + 1) * ps + 1), R::load(p1 + (r + 1) * ps + 1), dGH[r], dGV[r],
                  vxyLo, vxyHi, offset4, shift4, maxV);
  }
}

}  // namespace

void bdofSubblock_avx2(Pel* dst, ptrdiff_t ds, const int16_t* p0, const int16_t* p1, ptrdiff_t ps, int w, int h,
                       int bitDepth) {
  if (w == 16)
    bdofRows<Row16>(dst, ds, p0, p1, ps, h, bitDepth);
  else if (w == 8)
    bdofRows<Row8>(dst, ds, p0, p1, ps, h, bitDepth);
  else
    bdofSubblock_c(dst, ds, p0, p1, ps, w, h, bitDepth);  // 4 / 12 wide: not used by the spec
}

}  // namespace dsp
}  // namespace nnvvc
