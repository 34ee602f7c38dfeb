// DMVR sample kernels (dsp/dmvr.h): bilinear interpolation and the even-row SAD.
#include "dsp/dmvr.h"

#include <cstdlib>

namespace nnvvc {
namespace dsp {

static_assert(kBitDepth == 10, "DMVR's bilinear rounding is written for the 10-bit internal depth");

void dmvrBilinear_c(Pel* dst, ptrdiff_t ds, const Pel* src, ptrdiff_t ss, int w, int h, int xFrac, int yFrac) {
  if (!xFrac && !yFrac) {
    for (int r = 0; r < h; ++r, dst += ds, src += ss)
      for (int c = 0; c < w; ++c) dst[c] = src[c];
    return;
  }
  if (!yFrac || !xFrac) {  // one direction: taps along x (step 1) or y (step ss)
    const int p = xFrac ? xFrac : yFrac;
    const ptrdiff_t step = xFrac ? 1 : ss;
    const int c0 = 16 - p, c1 = p;
    for (int r = 0; r < h; ++r, dst += ds, src += ss)
      for (int c = 0; c < w; ++c) dst[c] = Pel((c0 * src[c] + c1 * src[c + step] + 8) >> 4);
    return;
  }
  Pel tmp[(128 + 5) * (128 + 4)];
  const int tw = w;
  Pel* t = tmp;
  const int hx0 = 16 - xFrac, hx1 = xFrac;
  for (int r = 0; r <= h; ++r, t += tw, src += ss)
    for (int c = 0; c < w; ++c) t[c] = Pel((hx0 * src[c] + hx1 * src[c + 1] + 8) >> 4);
  const int v0 = 16 - yFrac, v1 = yFrac;
  t = tmp;
  for (int r = 0; r < h; ++r, dst += ds, t += tw)
    for (int c = 0; c < w; ++c) dst[c] = Pel((v0 * t[c] + v1 * t[c + tw] + 8) >> 4);
}

uint32_t dmvrSadEvenRows_c(const Pel* a, ptrdiff_t as, const Pel* b, ptrdiff_t bs, int w, int h) {
  uint32_t sum = 0;
  for (int r = 0; r < h; r += 2, a += 2 * as, b += 2 * bs)
    for (int c = 0; c < w; ++c) sum += uint32_t(std::abs(int(a[c]) - int(b[c])));
  return sum;
}

DmvrFunctions dmvrFunctionsFor(DspLevel maxLevel) {
  DmvrFunctions f{dmvrBilinear_c, dmvrSadEvenRows_c, "c"};
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (maxLevel >= DspLevel::AVX2 && __builtin_cpu_supports("avx2")) {
    f.bilinear = dmvrBilinear_avx2;
    f.sadEvenRows = dmvrSadEvenRows_avx2;
    f.isa = "avx2";
  }
#else
  (void)maxLevel;
#endif
  return f;
}

const DmvrFunctions& dmvrFunctions() {
  static const DmvrFunctions table = dmvrFunctionsFor(dspLevelFromEnv());
  return table;
}

}  // namespace dsp
}  // namespace nnvvc
