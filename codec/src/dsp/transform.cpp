// DCT-II, DST-VII and DCT-VIII transforms, H.266 clause 8.7.4 (inverse, normative) and matching forward transforms.
#include <algorithm>
#include <cassert>
#include <cstdint>
#include <cstring>

#include "dsp_internal.h"

namespace nnvvc {
namespace dsp {
namespace {

// The 64-point transMatrix of 8.7.4.5 is a DCT-II whose entry for basis k, sample n is
// +-c[t] with t the folded phase of k*(2n+1) (in units of pi/128). These are the distinct
// magnitudes of the spec table (c[t] ~ 64*sqrt(2)*cos(t*pi/128), hand-tuned in the spec):
// t = 0 is the DC row value 64.
struct DctTables {
  int32_t m64[64 * 64];
  DctTables() {
    static constexpr int kOdd64[32] = {91, 90, 90, 90, 88, 87, 86, 84, 83, 81, 79, 77, 73, 71, 69, 65,
                                       62, 59, 56, 52, 48, 44, 41, 37, 33, 28, 24, 20, 15, 11, 7,  2};
    static constexpr int kOdd32[16] = {90, 90, 88, 85, 82, 78, 73, 67, 61, 54, 46, 38, 31, 22, 13, 4};
    static constexpr int kOdd16[8] = {90, 87, 80, 70, 57, 43, 25, 9};
    static constexpr int kOdd8[4] = {89, 75, 50, 18};
    static constexpr int kOdd4[2] = {83, 36};
    int c[65];
    c[0] = 64;
    c[32] = 64;  // cos(pi/4): the 2-point "odd" value
    c[64] = 0;
    for (int i = 0; i < 32; ++i) c[2 * i + 1] = kOdd64[i];
    for (int i = 0; i < 16; ++i) c[4 * i + 2] = kOdd32[i];
    for (int i = 0; i < 8; ++i) c[8 * i + 4] = kOdd16[i];
    for (int i = 0; i < 4; ++i) c[16 * i + 8] = kOdd8[i];
    for (int i = 0; i < 2; ++i) c[32 * i + 16] = kOdd4[i];
    for (int k = 0; k < 64; ++k)
      for (int n = 0; n < 64; ++n) {
        int u = (k * (2 * n + 1)) % 256;  // phase in [0, 256) units of pi/128
        int sign = 1;
        if (u > 128) u = 256 - u;         // cos(2pi - a) = cos(a)
        if (u > 64) {                     // cos(pi - a) = -cos(a)
          u = 128 - u;
          sign = -1;
        }
        m64[k * 64 + n] = sign * c[u];
      }
  }
};

const DctTables& tables() {
  static const DctTables t;
  return t;
}

// The DST-VII transMatrix of 8.7.4.5 (nTbS = 4, 8, 16, 32) likewise: the entry for basis k, sample n
// is +-c[m] with t = (2k+1)(n+1) mod (4N+2) the phase in units of pi/(2N+1) (sign + below 2N+1, 0 at 0
// and 2N+1), m = t folded into 1..N; c[] are the distinct magnitudes of the spec table
// (c[m-1] ~ 128*sqrt(N/(2N+1))*sin(m*pi/(2N+1)), hand-tuned). The 4/8/16-point ones serve implicit MTS,
// all four explicit MTS (mts_idx).
int dst7Entry(int n, int k, int i) {
  static constexpr int kMag4[4] = {29, 55, 74, 84};
  static constexpr int kMag8[8] = {17, 32, 46, 60, 71, 78, 85, 86};
  static constexpr int kMag16[16] = {8, 17, 25, 33, 40, 48, 55, 62, 68, 73, 77, 81, 85, 87, 88, 88};
  static constexpr int kMag32[32] = {4,  9,  13, 17, 21, 26, 30, 34, 38, 42, 46, 50, 53, 56, 60, 63,
                                     66, 68, 72, 74, 77, 78, 80, 82, 84, 85, 86, 87, 88, 89, 90, 90};
  const int* mag = n == 4 ? kMag4 : (n == 8 ? kMag8 : (n == 16 ? kMag16 : kMag32));
  const int period = 2 * n + 1;
  const int t = ((2 * k + 1) * (i + 1)) % (2 * period);
  if (t == 0 || t == period) return 0;
  const int sign = t < period ? 1 : -1;
  const int m = t < period ? t : t - period;  // 1 .. 2N
  return sign * mag[m <= n ? m - 1 : 2 * n - m];
}

// The DCT-VIII transMatrix of 8.7.4.5 (nTbS = 4, 8, 16, 32): the spec's table is the DST-VII one with
// the samples in reverse order and every odd basis function negated, entry (k, i) = (-1)^k * DST7(k, N-1-i)
// (its first row lists the DST-VII magnitudes from the largest down).
int dct8Entry(int n, int k, int i) { return (k & 1 ? -1 : 1) * dst7Entry(n, k, n - 1 - i); }

inline bool sizeHasKernel(TrType type, int n) { return type == TrType::kDct2 || (n >= 4 && n <= 32); }

// 16-bit forms of the N-point matrices (N = 2 << s, s = 0..5: 2..64 points) used by the
// pair-product stages (index with log2(N) - 1):
//   m16[k*N + n] = M_N[k][n]            (rows = basis functions)
//   t16[n*N + k] = M_N[k][n]            (transposed)
//   iInv[p*2N + 2j + e] = M_N[2p+e][j]  (rows 2p, 2p+1 interleaved)
//   iFwd[p*2N + 2k + e] = M_N[k][2p+e]  (rows of t16 interleaved)
// DCT-II: N = 2 is the spec's 2-point matrix {{64, 64}, {64, -64}} (rows 0 and 32 of the 64-point
// one), needed for chroma blocks with a 2-sample side (e.g. 8x2 chroma of a 16x4 CU).
// DST-VII and DCT-VIII: N = 4..32 only (the other sizes stay zero and are never selected).
struct PairTables {
  static constexpr int kSizes = 6;
  int16_t m16[kSizes][64 * 64], t16[kSizes][64 * 64], iInv[kSizes][64 * 64], iFwd[kSizes][64 * 64];
  explicit PairTables(TrType type) {
    std::memset(this, 0, sizeof(*this));
    const int32_t* m = tables().m64;
    for (int s = 0; s < kSizes; ++s) {
      const int n = 2 << s, step = 64 / n;
      if (!sizeHasKernel(type, n)) continue;
      for (int k = 0; k < n; ++k)
        for (int i = 0; i < n; ++i) {
          const int16_t v = int16_t(type == TrType::kDst7   ? dst7Entry(n, k, i)
                                    : type == TrType::kDct8 ? dct8Entry(n, k, i)
                                                            : m[(k * step) * 64 + i]);
          m16[s][k * n + i] = v;
          t16[s][i * n + k] = v;
          iInv[s][(k >> 1) * 2 * n + 2 * i + (k & 1)] = v;
          iFwd[s][(i >> 1) * 2 * n + 2 * k + (i & 1)] = v;
        }
    }
  }
};

const PairTables& pairTables(TrType type) {
  static const PairTables dct(TrType::kDct2), dst(TrType::kDst7), dct8(TrType::kDct8);
  return type == TrType::kDst7 ? dst : (type == TrType::kDct8 ? dct8 : dct);
}

inline int16_t toInt16(int32_t v) { return int16_t(std::min(std::max(v, -32768), 32767)); }

}  // namespace

const int32_t* dctMatrix64() { return tables().m64; }

int transformMatrixEntry(TrType type, int n, int k, int i) {
  if (type == TrType::kDst7) return dst7Entry(n, k, i);
  if (type == TrType::kDct8) return dct8Entry(n, k, i);
  return tables().m64[(k * (64 / n)) * 64 + i];
}

void pairStage_c(const int16_t* a, ptrdiff_t aStride, const int16_t* b, ptrdiff_t bStride, int rows,
                 int kPairs, int cols, int shift, int16_t* out, ptrdiff_t outStride) {
  const int32_t rnd = 1 << (shift - 1);
  for (int r = 0; r < rows; ++r) {
    const int16_t* ar = a + r * aStride;
    for (int j = 0; j < cols; ++j) {
      int32_t acc = 0;
      for (int p = 0; p < kPairs; ++p)
        acc += ar[2 * p] * b[p * bStride + 2 * j] + ar[2 * p + 1] * b[p * bStride + 2 * j + 1];
      out[r * outStride + j] = toInt16((acc + rnd) >> shift);
    }
  }
}

// 8.7.4.1 / 8.7.4.2 (nTbW, nTbH in 2..64): vertical (columns) first, intermediate clip to [-32768, 32767] after
// (e + 64) >> 7, then horizontal, then the residual shift of 8.7.2 (bdShift = Max(20 - bitDepth,
// 0), extended_precision off). The spec's sums are computed exactly (32-bit accumulation
// cannot overflow with 16-bit inputs and |matrix| <= 91 over <= 32 non-zero terms).
// One-sample-wide or -high TBs (ISP sub-partitions 1xN / Nx1, N = 16..64): the one 1-D transform of the long side.
// The inverse shifts by 21 - bitDepth (one stage's 2^6 less than the two-stage 7 + 20 - bitDepth) and clips to 16
// bits, the forward by log2(N) + bitDepth - 9, as VTM-23.2's TrQuant does; coefficients beyond 32 (64-point DCT-II)
// or 16 (32-point DST-VII / DCT-VIII) are zero.
static void inverseTransform1d(const TCoeff* coeff, int n, int bitDepth, Pel* resid, ptrdiff_t step, TrType tr) {
  const int16_t* m = pairTables(tr).m16[log2Int(n) - 1];
  const int nz = std::min(n, tr == TrType::kDct2 ? 32 : 16);
  const int shift = 21 - bitDepth;
  for (int i = 0; i < n; ++i) {
    int64_t sum = 0;
    for (int k = 0; k < nz; ++k) sum += int64_t(m[k * n + i]) * coeff[k];
    const int64_t v = (sum + (int64_t(1) << (shift - 1))) >> shift;
    resid[i * step] = Pel(std::min<int64_t>(std::max<int64_t>(v, -32768), 32767));
  }
}

static void forwardTransform1d(const Pel* resid, ptrdiff_t step, int n, int bitDepth, TCoeff* coeff, TrType tr) {
  const int16_t* m = pairTables(tr).m16[log2Int(n) - 1];
  const int nz = std::min(n, tr == TrType::kDct2 ? 32 : 16);
  const int shift = log2Int(n) + bitDepth - 9;
  for (int k = 0; k < n; ++k) {
    if (k >= nz) { coeff[k] = 0; continue; }
    int64_t sum = 0;
    for (int i = 0; i < n; ++i) sum += int64_t(m[k * n + i]) * resid[i * step];
    coeff[k] = TCoeff((sum + (int64_t(1) << (shift - 1))) >> shift);
  }
}

void inverseTransformWith(const TransformFunctions& f, const TCoeff* coeff, int w, int h, int bitDepth,
                          Pel* resid, ptrdiff_t residStride, TrType trHor, TrType trVer) {
  if ((w == 1 || h == 1) && w * h >= 16 && w * h <= 64 && sizeHasKernel(w == 1 ? trVer : trHor, w * h) &&
      ((w * h) & (w * h - 1)) == 0) {
    if (w == 1) inverseTransform1d(coeff, h, bitDepth, resid, residStride, trVer);
    else inverseTransform1d(coeff, w, bitDepth, resid, 1, trHor);
    return;
  }
  const bool valid = w >= 2 && w <= 64 && h >= 2 && h <= 64 && (w & (w - 1)) == 0 &&
                     (h & (h - 1)) == 0 && bitDepth >= 8 && bitDepth <= 16 &&
                     sizeHasKernel(trHor, w) && sizeHasKernel(trVer, h);
  assert(valid);
  if (!valid) {  // out of contract: zero residual rather than undefined behaviour
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) resid[y * residStride + x] = 0;
    return;
  }
  const PairTables& ptH = pairTables(trHor);
  const PairTables& ptV = pairTables(trVer);
  // Only the top-left nonZeroW x nonZeroH can be non-zero (8.7.4.1: 32 for DCT-II, 16 for DST-VII /
  // DCT-VIII, whose 32-point forms keep 16 coefficients); shrink further to the bounding box of the
  // non-zero coefficients — skipping exact zeros changes no sum, so this is bit-exact.
  const int nonZeroW = std::min(w, trHor == TrType::kDct2 ? 32 : 16);
  const int nonZeroH = std::min(h, trVer == TrType::kDct2 ? 32 : 16);
  int nzW = 0, nzH = 0;
  for (int y = 0; y < nonZeroH; ++y)
    for (int x = 0; x < nonZeroW; ++x)
      if (coeff[y * w + x] != 0) {
        nzW = std::max(nzW, x + 1);
        nzH = std::max(nzH, y + 1);
      }
  if (nzW == 0) {
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) resid[y * residStride + x] = 0;
    return;
  }
  // Stage-1 output columns (extra ones come out as 0); a 2-wide block has just 2.
  const int cols1 = std::min((nzW + 3) & ~3, w);
  const int kp1 = (nzH + 1) >> 1;    // coefficient row pairs (a padding row is a zero row)
  const int lw = log2Int(w), lh = log2Int(h);
  // d as 16-bit row pairs: d2[p][2x + e] = d[2p + e][x]. Conforming d is within 16 bits
  // (8.7.3 clips it); toInt16 only guards against out-of-contract input.
  alignas(32) int16_t d2[32 * 64];
  for (int p = 0; p < kp1; ++p)
    for (int x = 0; x < cols1; ++x) {
      d2[p * 64 + 2 * x] = toInt16(coeff[(2 * p) * w + x]);
      d2[p * 64 + 2 * x + 1] = toInt16(coeff[(2 * p + 1) * w + x]);
    }
  // Stage 1 (vertical): g[y][x] = Clip3(-32768, 32767, (sum_k M_h[k][y] * d[k][x] + 64) >> 7).
  alignas(32) int16_t g[64 * 64];
  f.pairStage(ptV.t16[lh - 1], h, d2, 64, h, kp1, cols1, 7, g, 64);
  // Stage 2 (horizontal): r[y][x] = (sum_k M_w[k][x] * g[y][k] + (1 << (bdShift-1))) >> bdShift,
  // stored as 16-bit (conforming streams never exceed it).
  f.pairStage(g, 64, ptH.iInv[lw - 1], 2 * w, h, (nzW + 1) >> 1, w, 20 - bitDepth, resid,
              residStride);
}

// Forward (encoder): horizontal first (shift1 = log2(w) + bitDepth - 9), then vertical
// (shift2 = log2(h) + 6). For residuals within +-(2^bitDepth - 1) the first stage output stays
// below 2^15 in magnitude (max row sum of |M| is 64*N), so 16-bit intermediates are exact.
void forwardTransformWith(const TransformFunctions& f, const Pel* resid, ptrdiff_t residStride, int w,
                          int h, int bitDepth, TCoeff* coeff, TrType trHor, TrType trVer) {
  if (w == 1 || h == 1) {
    assert(w * h >= 16 && w * h <= 64);
    if (w == 1) forwardTransform1d(resid, residStride, h, bitDepth, coeff, sizeHasKernel(trVer, h) ? trVer : TrType::kDct2);
    else forwardTransform1d(resid, 1, w, bitDepth, coeff, sizeHasKernel(trHor, w) ? trHor : TrType::kDct2);
    return;
  }
  assert(w >= 2 && w <= 64 && h >= 2 && h <= 64);
  if (!sizeHasKernel(trHor, w)) trHor = TrType::kDct2;  // out of contract
  if (!sizeHasKernel(trVer, h)) trVer = TrType::kDct2;
  assert(bitDepth >= 8 && bitDepth <= 16);
  // shift1 = log2(w) + bitDepth - 9 must be >= 1 (w = 2 needs bitDepth >= 9; we code 10-bit).
  assert(log2Int(w) + bitDepth - 9 >= 1);
  const PairTables& ptH = pairTables(trHor);
  const PairTables& ptV = pairTables(trVer);
  const int lw = log2Int(w), lh = log2Int(h);
  // coefficients kept: 32 of a 64-point DCT-II, 16 of a 32-point DST-VII / DCT-VIII (8.7.4.1's
  // nonZeroW / nonZeroH; the rest is zero, as the residual syntax of such blocks requires)
  const int nzW = std::min(w, trHor == TrType::kDct2 ? 32 : 16), nzH = std::min(h, trVer == TrType::kDct2 ? 32 : 16);
  const int shift1 = lw + bitDepth - 9;
  const int shift2 = lh + 6;
  // Stage 1: t1[y][k] = sum_n x[y][n] * M_w[k][n] for k < nzW.
  alignas(32) int16_t t1[64 * 32];
  f.pairStage(resid, residStride, ptH.iFwd[lw - 1], 2 * w, h, w >> 1, nzW, shift1, t1, 32);
  // Rows of t1 interleaved in pairs for stage 2.
  alignas(32) int16_t t2[32 * 64];
  for (int p = 0; p < (h >> 1); ++p)
    for (int k = 0; k < nzW; ++k) {
      t2[p * 64 + 2 * k] = t1[(2 * p) * 32 + k];
      t2[p * 64 + 2 * k + 1] = t1[(2 * p + 1) * 32 + k];
    }
  // Stage 2: c[m][k] = sum_n M_h[m][n] * t1[n][k] for m < nzH.
  alignas(32) int16_t c16[32 * 32];
  f.pairStage(ptV.m16[lh - 1], h, t2, 64, nzH, h >> 1, nzW, shift2, c16, 32);
  for (int m = 0; m < h; ++m)
    for (int k = 0; k < w; ++k) coeff[m * w + k] = (m < nzH && k < nzW) ? c16[m * 32 + k] : 0;
}

// ---- function table -------------------------------------------------------------------------

TransformFunctions transformFunctionsFor(DspLevel maxLevel) {
  TransformFunctions f;
  f.pairStage = pairStage_c;
  f.isa = "c";
#ifdef NNVVC_DSP_X86
  __builtin_cpu_init();
  if (maxLevel >= DspLevel::AVX2 && __builtin_cpu_supports("avx2")) {
    f.pairStage = pairStage_avx2;
    f.isa = "avx2";
  }
#else
  (void)maxLevel;
#endif
  return f;
}

const TransformFunctions& transformFunctions() {
  static const TransformFunctions table = transformFunctionsFor(dspLevelFromEnv());
  return table;
}

void inverseTransform(const TCoeff* coeff, int w, int h, int bitDepth, Pel* resid,
                      ptrdiff_t residStride, TrType trHor, TrType trVer) {
  inverseTransformWith(transformFunctions(), coeff, w, h, bitDepth, resid, residStride, trHor, trVer);
}

void forwardTransform(const Pel* resid, ptrdiff_t residStride, int w, int h, int bitDepth,
                      TCoeff* coeff, TrType trHor, TrType trVer) {
  forwardTransformWith(transformFunctions(), resid, residStride, w, h, bitDepth, coeff, trHor, trVer);
}

}  // namespace dsp
}  // namespace nnvvc
