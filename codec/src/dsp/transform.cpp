// DCT-II transforms, H.266 clause 8.7.4 (inverse, normative) and a matching forward transform.
#include <algorithm>
#include <cassert>
#include <cstdint>
#include <cstring>

#include "dsp_internal.h"

namespace nnvvc {
namespace dsp {
namespace {

int log2i(int v) {
  int r = 0;
  while ((1 << (r + 1)) <= v) ++r;
  return r;
}

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

// Forward matrices, transposed: ft[n * N + k] = M_N[k][n].
struct ForwardTables {
  int32_t ft[5][64 * 64];
  ForwardTables() {
    const int32_t* m = tables().m64;
    for (int s = 0; s < 5; ++s) {
      const int n = 4 << s, step = 64 / n;
      for (int k = 0; k < n; ++k)
        for (int i = 0; i < n; ++i) ft[s][i * n + k] = m[(k * step) * 64 + i];
    }
  }
};

const ForwardTables& forwardTables() {
  static const ForwardTables t;
  return t;
}

}  // namespace

const int32_t* dctMatrix64() { return tables().m64; }

void matStage_c(const int32_t* in, ptrdiff_t inStrideR, ptrdiff_t inStrideK, int rows, int kCount,
                const int32_t* basis, ptrdiff_t basisStride, int cols, int shift, int32_t lo,
                int32_t hi, int32_t* out, ptrdiff_t outStride) {
  const int32_t rnd = 1 << (shift - 1);
  for (int r = 0; r < rows; ++r) {
    const int32_t* src = in + r * inStrideR;
    int32_t* dst = out + r * outStride;
    for (int j = 0; j < cols; ++j) {
      int32_t acc = 0;
      for (int k = 0; k < kCount; ++k) acc += src[k * inStrideK] * basis[k * basisStride + j];
      dst[j] = std::min(std::max((acc + rnd) >> shift, lo), hi);
    }
  }
}

// 8.7.4.1 / 8.7.4.2: vertical (columns) first, intermediate clip, then horizontal, then the
// residual shift of 8.7.2 (bdShift = Max(20 - bitDepth, 0), extended_precision off).
void inverseTransformWith(const DspFunctions& f, const TCoeff* coeff, int w, int h, int bitDepth,
                          Pel* resid, ptrdiff_t residStride) {
  assert(w >= 4 && w <= 64 && h >= 4 && h <= 64);
  const int32_t* m = dctMatrix64();
  const int nzW = std::min(w, 32), nzH = std::min(h, 32);
  alignas(32) int32_t g[64 * 64];   // g[x * 64 + y]: after the vertical stage, transposed
  alignas(32) int32_t r[64 * 64];   // r[y * 64 + x]
  constexpr int32_t kCoeffMin = -(1 << 15), kCoeffMax = (1 << 15) - 1;
  // Stage 1: e[x][y] = sum_k M_h[k][y] * d[x][k], for columns x < nzW (others are all zero).
  // g = Clip3(coeffMin, coeffMax, (e + 64) >> 7).
  f.matStage(coeff, 1, w, nzW, nzH, m, 64 * (64 / h), h, 7, kCoeffMin, kCoeffMax, g, 64);
  // Stage 2: r[x][y] = sum_k M_w[k][x] * g[k][y] for k < nzW.
  // bdShift = Max(20 - bitDepth, 0) (8.7.2); bitDepth <= 16 keeps it >= 4.
  assert(bitDepth >= 8 && bitDepth <= 16);
  const int bdShift = 20 - bitDepth;
  // The residual is stored as 16-bit; conforming streams never exceed it.
  f.matStage(g, 1, 64, h, nzW, m, 64 * (64 / w), w, bdShift, INT16_MIN, INT16_MAX, r, 64);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) resid[y * residStride + x] = Pel(r[y * 64 + x]);
}

void forwardTransformWith(const DspFunctions& f, const Pel* resid, ptrdiff_t residStride, int w,
                          int h, int bitDepth, TCoeff* coeff) {
  assert(w >= 4 && w <= 64 && h >= 4 && h <= 64);
  const ForwardTables& ft = forwardTables();
  const int lw = log2i(w), lh = log2i(h);
  const int nzW = std::min(w, 32), nzH = std::min(h, 32);
  alignas(32) int32_t src[64 * 64];
  alignas(32) int32_t t1[64 * 64];  // t1[y * 64 + k]
  alignas(32) int32_t t2[64 * 64];  // t2[k * 64 + m] (transposed)
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) src[y * 64 + x] = resid[y * residStride + x];
  const int shift1 = std::max(lw + bitDepth - 9, 1);
  const int shift2 = lh + 6;
  // Horizontal: t1[y][k] = sum_n x[y][n] * M_w[k][n], k < nzW.
  f.matStage(src, 64, 1, h, w, ft.ft[lw - 2], w, nzW, shift1, INT32_MIN, INT32_MAX, t1, 64);
  // Vertical: t2[k][m] = sum_n t1[n][k] * M_h[m][n], m < nzH. Clip keeps levels in 16 bits.
  f.matStage(t1, 1, 64, nzW, h, ft.ft[lh - 2], h, nzH, shift2, INT16_MIN, INT16_MAX, t2, 64);
  std::memset(coeff, 0, sizeof(TCoeff) * w * h);
  for (int m = 0; m < nzH; ++m)
    for (int k = 0; k < nzW; ++k) coeff[m * w + k] = t2[k * 64 + m];
}

void inverseTransform(const TCoeff* coeff, int w, int h, int bitDepth, Pel* resid,
                      ptrdiff_t residStride) {
  inverseTransformWith(dspFunctions(), coeff, w, h, bitDepth, resid, residStride);
}

void forwardTransform(const Pel* resid, ptrdiff_t residStride, int w, int h, int bitDepth,
                      TCoeff* coeff) {
  forwardTransformWith(dspFunctions(), resid, residStride, w, h, bitDepth, coeff);
}

}  // namespace dsp
}  // namespace nnvvc
