#include "dsp/alf.h"

#include <cstdlib>

namespace nnvvc {
namespace dsp {

const uint8_t kAlfTransposeMap[4][12] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11},
    {9, 4, 10, 8, 1, 5, 11, 7, 3, 0, 2, 6},
    {0, 3, 2, 1, 8, 7, 6, 5, 4, 9, 10, 11},
    {9, 8, 10, 4, 3, 7, 11, 5, 1, 0, 2, 6},
};

namespace {
inline int clipDiff(int c, int v) { return v < -c ? -c : (v > c ? c : v); }

// Rows a sample of row y may reach above / below (symmetrically) without crossing the virtual
// boundary: 0..3 in the four rows either side of it, large elsewhere.
inline int vbReach(int y, int vbRow) { return y < vbRow ? vbRow - 1 - y : y - vbRow; }
inline int minInt(int a, int b) { return a < b ? a : b; }
}  // namespace

void alfClassifyC(const Pel* src, ptrdiff_t stride, int x0, int y0, int w, int h, int vbRow, int bitDepth,
                  AlfBlockClass* out) {
  static const uint8_t kVarTab[16] = {0, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 4};
  static const uint8_t kTransposeTable[8] = {0, 1, 0, 2, 2, 3, 1, 3};
  // Gradients of the samples where x and y are both even or both odd (relative to the 4x4 grid),
  // over rows y0 - 2 .. y0 + h + 1 and columns x0 - 2 .. x0 + w + 1; at the virtual boundary the
  // row beyond it is replaced by the row itself (padding).
  const int gw = w + 4, gh = h + 4;
  // per gradient row: the sum of each 2-sample-wide column pair is enough, kept per column
  static thread_local int* buf = nullptr;
  static thread_local size_t bufSize = 0;
  const size_t need = size_t(4) * size_t(gw) * size_t(gh);
  if (bufSize < need) { delete[] buf; buf = new int[need]; bufSize = need; }
  int* gH = buf; int* gV = gH + gw * gh; int* gD0 = gV + gw * gh; int* gD1 = gD0 + gw * gh;
  for (int j = 0; j < gh; ++j) {
    const int y = y0 - 2 + j;
    const Pel* cur = src + ptrdiff_t(y) * stride;
    const Pel* up = y == vbRow ? cur : cur - stride;
    const Pel* dn = y == vbRow - 1 ? cur : cur + stride;
    for (int i = 0; i < gw; ++i) {
      const int x = x0 - 2 + i;
      const int k = j * gw + i;
      if (((i ^ j) & 1) != 0) { gH[k] = gV[k] = gD0[k] = gD1[k] = 0; continue; }
      const int c2 = cur[x] * 2;
      gH[k] = std::abs(c2 - cur[x - 1] - cur[x + 1]);
      gV[k] = std::abs(c2 - up[x] - dn[x]);
      gD0[k] = std::abs(c2 - up[x - 1] - dn[x + 1]);
      gD1[k] = std::abs(c2 - up[x + 1] - dn[x - 1]);
    }
  }
  const int shift = bitDepth + 4;
  for (int by = 0; by < h; by += 4) {
    const int yb = y0 + by;
    int jMin = -2, jMax = 5, ac = 64;
    if (yb == vbRow - 4) { jMax = 3; ac = 96; }
    else if (yb == vbRow) { jMin = 0; ac = 96; }
    for (int bx = 0; bx < w; bx += 4) {
      int sumH = 0, sumV = 0, sumD0 = 0, sumD1 = 0;
      for (int j = jMin; j <= jMax; ++j) {
        const int row = (by + j + 2) * gw + bx;
        for (int i = 0; i < 8; ++i) {
          sumH += gH[row + i]; sumV += gV[row + i]; sumD0 += gD0[row + i]; sumD1 += gD1[row + i];
        }
      }
      int hv1, hv0, dirHV, d1, d0, dirD;
      if (sumV > sumH) { hv1 = sumV; hv0 = sumH; dirHV = 1; } else { hv1 = sumH; hv0 = sumV; dirHV = 3; }
      if (sumD0 > sumD1) { d1 = sumD0; d0 = sumD1; dirD = 0; } else { d1 = sumD1; d0 = sumD0; dirD = 2; }
      int hvd1, hvd0, dir1, dir2;
      if (int64_t(d1) * hv0 > int64_t(hv1) * d0) { hvd1 = d1; hvd0 = d0; dir1 = dirD; dir2 = dirHV; }
      else { hvd1 = hv1; hvd0 = hv0; dir1 = dirHV; dir2 = dirD; }
      int dirS = 0;
      if (hvd1 > 2 * hvd0) dirS = 1;
      if (int64_t(hvd1) * 2 > int64_t(hvd0) * 9) dirS = 2;
      int act = int((int64_t(sumH + sumV) * ac) >> shift);
      act = act < 0 ? 0 : (act > 15 ? 15 : act);
      int cls = kVarTab[act];
      if (dirS) cls += (((dir1 & 1) << 1) + dirS) * 5;
      AlfBlockClass& o = out[(by >> 2) * (w >> 2) + (bx >> 2)];
      o.classIdx = uint8_t(cls);
      o.transposeIdx = kTransposeTable[dir1 * 2 + (dir2 >> 1)];
    }
  }
}

void alfFilterLumaC(const Pel* src, ptrdiff_t srcStride, Pel* dst, ptrdiff_t dstStride, int x0, int y0, int w,
                    int h, int vbRow, const AlfBlockClass* cls, const int16_t (*coeff)[12],
                    const int16_t (*clip)[12], int bitDepth) {
  const int maxVal = (1 << bitDepth) - 1;
  for (int y = y0; y < y0 + h; ++y) {
    const int reach = vbReach(y, vbRow);
    const ptrdiff_t r1 = ptrdiff_t(minInt(1, reach)) * srcStride, r2 = ptrdiff_t(minInt(2, reach)) * srcStride,
                    r3 = ptrdiff_t(minInt(3, reach)) * srcStride;
    const int shift = reach == 0 ? 10 : 7;  // next to the virtual boundary the filter is scaled down
    const Pel* s = src + ptrdiff_t(y) * srcStride;
    Pel* d = dst + ptrdiff_t(y) * dstStride;
    const AlfBlockClass* rowCls = cls + ((y - y0) >> 2) * (w >> 2);
    for (int bx = 0; bx < w; bx += 4) {
      const AlfBlockClass bc = rowCls[bx >> 2];
      const uint8_t* map = kAlfTransposeMap[bc.transposeIdx];
      int f[12], c[12];
      for (int j = 0; j < 12; ++j) { f[j] = coeff[bc.classIdx][map[j]]; c[j] = clip[bc.classIdx][map[j]]; }
      for (int x = x0 + bx; x < x0 + bx + 4; ++x) {
        const Pel* p = s + x;
        const int cur = p[0];
        int sum = 0;
        sum += f[0] * (clipDiff(c[0], p[r3] - cur) + clipDiff(c[0], p[-r3] - cur));
        sum += f[1] * (clipDiff(c[1], p[r2 + 1] - cur) + clipDiff(c[1], p[-r2 - 1] - cur));
        sum += f[2] * (clipDiff(c[2], p[r2] - cur) + clipDiff(c[2], p[-r2] - cur));
        sum += f[3] * (clipDiff(c[3], p[r2 - 1] - cur) + clipDiff(c[3], p[-r2 + 1] - cur));
        sum += f[4] * (clipDiff(c[4], p[r1 + 2] - cur) + clipDiff(c[4], p[-r1 - 2] - cur));
        sum += f[5] * (clipDiff(c[5], p[r1 + 1] - cur) + clipDiff(c[5], p[-r1 - 1] - cur));
        sum += f[6] * (clipDiff(c[6], p[r1] - cur) + clipDiff(c[6], p[-r1] - cur));
        sum += f[7] * (clipDiff(c[7], p[r1 - 1] - cur) + clipDiff(c[7], p[-r1 + 1] - cur));
        sum += f[8] * (clipDiff(c[8], p[r1 - 2] - cur) + clipDiff(c[8], p[-r1 + 2] - cur));
        sum += f[9] * (clipDiff(c[9], p[3] - cur) + clipDiff(c[9], p[-3] - cur));
        sum += f[10] * (clipDiff(c[10], p[2] - cur) + clipDiff(c[10], p[-2] - cur));
        sum += f[11] * (clipDiff(c[11], p[1] - cur) + clipDiff(c[11], p[-1] - cur));
        const int v = cur + ((sum + (1 << (shift - 1))) >> shift);
        d[x] = Pel(v < 0 ? 0 : (v > maxVal ? maxVal : v));
      }
    }
  }
}

AlfFunctions alfFunctionsFor(DspLevel maxLevel) {
  AlfFunctions f{alfFilterLumaC, alfAccumulateStatsC, "c"};
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (maxLevel >= DspLevel::AVX2 && __builtin_cpu_supports("avx2")) {
    f.filterLuma = alfFilterLuma_avx2;
    f.accumulateStats = alfAccumulateStats_avx2;
    f.isa = "avx2";
  }
#else
  (void)maxLevel;
#endif
  return f;
}

void alfAccumulateStatsC(const int16_t* x, const int16_t* t, int n, int64_t* e, int64_t* p) {
  constexpr int N = kAlfStatVars;
  for (int s = 0; s < n; ++s) {
    const int16_t* v = x + ptrdiff_t(s) * N;
    for (int i = 0; i < N; ++i) {
      const int64_t xi = v[i];
      p[i] += xi * t[s];
      int64_t* row = e + ptrdiff_t(i) * N;
      for (int j = i & ~15; j < N; ++j) row[j] += xi * v[j];
    }
  }
}

const AlfFunctions& alfFunctions() {
  static const AlfFunctions table = alfFunctionsFor(dspLevelFromEnv());
  return table;
}

void alfFilterChromaC(const Pel* src, ptrdiff_t srcStride, Pel* dst, ptrdiff_t dstStride, int x0, int y0, int w,
                      int h, int vbRow, const int16_t* f, const int16_t* c, int bitDepth) {
  const int maxVal = (1 << bitDepth) - 1;
  for (int y = y0; y < y0 + h; ++y) {
    const int reach = vbReach(y, vbRow);
    const ptrdiff_t r1 = ptrdiff_t(minInt(1, reach)) * srcStride, r2 = ptrdiff_t(minInt(2, reach)) * srcStride;
    const int shift = reach == 0 ? 10 : 7;
    const Pel* s = src + ptrdiff_t(y) * srcStride;
    Pel* d = dst + ptrdiff_t(y) * dstStride;
    for (int x = x0; x < x0 + w; ++x) {
      const Pel* p = s + x;
      const int cur = p[0];
      int sum = 0;
      sum += f[0] * (clipDiff(c[0], p[r2] - cur) + clipDiff(c[0], p[-r2] - cur));
      sum += f[1] * (clipDiff(c[1], p[r1 + 1] - cur) + clipDiff(c[1], p[-r1 - 1] - cur));
      sum += f[2] * (clipDiff(c[2], p[r1] - cur) + clipDiff(c[2], p[-r1] - cur));
      sum += f[3] * (clipDiff(c[3], p[r1 - 1] - cur) + clipDiff(c[3], p[-r1 + 1] - cur));
      sum += f[4] * (clipDiff(c[4], p[2] - cur) + clipDiff(c[4], p[-2] - cur));
      sum += f[5] * (clipDiff(c[5], p[1] - cur) + clipDiff(c[5], p[-1] - cur));
      const int v = cur + ((sum + (1 << (shift - 1))) >> shift);
      d[x] = Pel(v < 0 ? 0 : (v > maxVal ? maxVal : v));
    }
  }
}

void alfFilterCcC(const Pel* lum, ptrdiff_t ls, Pel* dst, ptrdiff_t ds, int x0, int y0, int w, int h, int log2CtuSize,
                  const int16_t* f, int bitDepth) {
  const int maxVal = (1 << bitDepth) - 1, half = 1 << (bitDepth - 1);
  for (int y = y0; y < y0 + h; ++y) {
    const int yL = 2 * y;  // 4:2:0: luma row of the chroma row
    const auto [up, dn, dn2] = ccAlfRowOffsets(yL, log2CtuSize, ls);
    const Pel* l = lum + ptrdiff_t(yL) * ls;
    Pel* d = dst + ptrdiff_t(y) * ds;
    for (int x = x0; x < x0 + w; ++x) {
      const Pel* p = l + 2 * x;
      const int c = p[0];
      int sum = f[0] * (p[up] - c) + f[1] * (p[-1] - c) + f[2] * (p[1] - c) + f[3] * (p[dn - 1] - c) +
                f[4] * (p[dn] - c) + f[5] * (p[dn + 1] - c) + f[6] * (p[dn2] - c);
      sum = (sum + 64) >> 7;
      sum = sum < -half ? -half : (sum > half - 1 ? half - 1 : sum);
      const int v = d[x] + sum;
      d[x] = Pel(v < 0 ? 0 : (v > maxVal ? maxVal : v));
    }
  }
}

}  // namespace dsp
}  // namespace nnvvc
