// Bi-directional optical flow subblock process, plain C++ twin (H.266 8.5.6.5), and the bdof
// function table. See bdof.h for the contract.
#include "bdof.h"

#include <cstdlib>

#include "mc.h"

namespace nnvvc {
namespace dsp {
namespace {

inline int clampInt(int v, int lo, int hi) { return v < lo ? lo : (v > hi ? hi : v); }
inline int signOf(int v) { return (v > 0) - (v < 0); }
inline int floorLog2(unsigned v) { return 31 - __builtin_clz(v); }

}  // namespace

void bdofSubblock_c(Pel* dst, ptrdiff_t ds, const int16_t* p0, const int16_t* p1, ptrdiff_t ps,
                    int w, int h, int bitDepth) {
  constexpr int S = kBdofExtStride;
  constexpr int kLimit = 15;  // mvRefineThres - 1
  const int shift4 = 15 - bitDepth > 3 ? 15 - bitDepth : 3;
  const int offset4 = (1 << (shift4 - 1)) + 2 * kMcPrepBias;
  const int maxV = (1 << bitDepth) - 1;
  // Gradients of both lists at the block samples, indexed like the extended arrays.
  int16_t gH[2][S * S], gV[2][S * S];
  const int16_t* p[2] = {p0, p1};
  for (int l = 0; l < 2; ++l)
    for (int y = 1; y <= h; ++y)
      for (int x = 1; x <= w; ++x) {
        const int16_t* s = p[l] + y * ps + x;
        gH[l][y * S + x] = int16_t((s[1] >> 6) - (s[-1] >> 6));
        gV[l][y * S + x] = int16_t((s[ps] >> 6) - (s[-ps] >> 6));
      }
  for (int by = 0; by < h; by += 4)
    for (int bx = 0; bx < w; bx += 4) {
      int sGx2 = 0, sGy2 = 0, sGxdI = 0, sGydI = 0, sGxGy = 0;
      for (int j = 0; j < 6; ++j) {
        const int ye = clampInt(by + j, 1, h);  // window row by - 1 + j, extended index + 1
        for (int i = 0; i < 6; ++i) {
          const int xe = clampInt(bx + i, 1, w);
          const int g = ye * S + xe;
          const int tH = (gH[0][g] + gH[1][g]) >> 1;
          const int tV = (gV[0][g] + gV[1][g]) >> 1;
          const int dI = (p1[ye * ps + xe] >> 4) - (p0[ye * ps + xe] >> 4);
          sGx2 += std::abs(tH);
          sGy2 += std::abs(tV);
          sGxdI += signOf(tH) * dI;
          sGydI += signOf(tV) * dI;
          sGxGy += signOf(tV) * tH;
        }
      }
      const int vx = sGx2 > 0 ? clampInt((sGxdI * 4) >> floorLog2(unsigned(sGx2)), -kLimit, kLimit) : 0;
      const int vy =
          sGy2 > 0 ? clampInt((sGydI * 4 - ((vx * sGxGy) >> 1)) >> floorLog2(unsigned(sGy2)), -kLimit, kLimit)
                   : 0;
      for (int y = by + 1; y <= by + 4; ++y)
        for (int x = bx + 1; x <= bx + 4; ++x) {
          const int g = y * S + x;
          const int b = vx * (gH[0][g] - gH[1][g]) + vy * (gV[0][g] - gV[1][g]);
          const int v = (p0[y * ps + x] + p1[y * ps + x] + b + offset4) >> shift4;
          dst[(y - 1) * ds + (x - 1)] = Pel(clampInt(v, 0, maxV));
        }
    }
}

BdofFunctions bdofFunctionsFor(DspLevel maxLevel) {
  BdofFunctions f{bdofSubblock_c, "c"};
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (maxLevel >= DspLevel::AVX2 && __builtin_cpu_supports("avx2")) {
    f.subblock = bdofSubblock_avx2;
    f.isa = "avx2";
  }
#else
  (void)maxLevel;
#endif
  return f;
}

const BdofFunctions& bdofFunctions() {
  static const BdofFunctions table = bdofFunctionsFor(dspLevelFromEnv());
  return table;
}

}  // namespace dsp
}  // namespace nnvvc
