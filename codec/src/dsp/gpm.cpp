// GPM blending kernel: C twin and the function table (see gpm.h).
#include "dsp/gpm.h"

#include "dsp/mc.h"

namespace nnvvc {
namespace dsp {

void gpmBlend_c(Pel* dst, ptrdiff_t ds, const int16_t* a, const int16_t* b, ptrdiff_t ps, const uint8_t* weights,
                ptrdiff_t ws, int w, int h, int bitDepth) {
  const int shift1 = bitDepth < 12 ? 17 - bitDepth : 5;
  // the bias of both predictions weighs 8 in total: (biasA * w + biasB * (8 - w)) = 8 * kMcPrepBias
  const int offset = (1 << (shift1 - 1)) + 8 * kMcPrepBias;
  const int maxV = (1 << bitDepth) - 1;
  for (int y = 0; y < h; ++y, dst += ds, a += ps, b += ps, weights += ws)
    for (int x = 0; x < w; ++x) {
      const int wv = weights[x];
      const int v = (a[x] * wv + b[x] * (8 - wv) + offset) >> shift1;
      dst[x] = Pel(v < 0 ? 0 : v > maxV ? maxV : v);
    }
}

GpmFunctions gpmFunctionsFor(DspLevel maxLevel) {
  GpmFunctions f{gpmBlend_c, "c"};
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (maxLevel >= DspLevel::AVX2 && __builtin_cpu_supports("avx2")) {
    f.blend = gpmBlend_avx2;
    f.isa = "avx2";
  }
#else
  (void)maxLevel;
#endif
  return f;
}

const GpmFunctions& gpmFunctions() {
  static const GpmFunctions table = gpmFunctionsFor(dspLevelFromEnv());
  return table;
}

}  // namespace dsp
}  // namespace nnvvc
