// Distortion module: distortion kernels and sample helpers (C twins), the module's function table
// and its entry points; also the shared instruction-set level (dspLevelFromEnv).
#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "dsp_internal.h"

namespace nnvvc {
namespace dsp {

uint64_t sse_c(const Pel* a, ptrdiff_t as, const Pel* b, ptrdiff_t bs, int w, int h) {
  uint64_t sum = 0;
  for (int y = 0; y < h; ++y, a += as, b += bs) {
    uint64_t row = 0;
    for (int x = 0; x < w; ++x) {
      const int64_t d = int64_t(a[x]) - b[x];
      row += uint64_t(d * d);
    }
    sum += row;
  }
  return sum;
}

uint64_t sad_c(const Pel* a, ptrdiff_t as, const Pel* b, ptrdiff_t bs, int w, int h) {
  uint64_t sum = 0;
  for (int y = 0; y < h; ++y, a += as, b += bs)
    for (int x = 0; x < w; ++x) sum += uint64_t(std::abs(int(a[x]) - int(b[x])));
  return sum;
}

namespace {

// 4x4 Hadamard of the difference, sum of |coefficients|, normalised (sum + 1) >> 1.
uint32_t hadamard4x4(const Pel* a, ptrdiff_t as, const Pel* b, ptrdiff_t bs) {
  int d[16], m[16];
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 4; ++x) d[y * 4 + x] = int(a[y * as + x]) - int(b[y * bs + x]);
  // horizontal
  for (int y = 0; y < 4; ++y) {
    const int* r = d + 4 * y;
    const int s01 = r[0] + r[1], d01 = r[0] - r[1], s23 = r[2] + r[3], d23 = r[2] - r[3];
    m[4 * y + 0] = s01 + s23;
    m[4 * y + 1] = d01 + d23;
    m[4 * y + 2] = s01 - s23;
    m[4 * y + 3] = d01 - d23;
  }
  uint32_t sum = 0;
  for (int x = 0; x < 4; ++x) {
    const int s01 = m[x] + m[4 + x], d01 = m[x] - m[4 + x];
    const int s23 = m[8 + x] + m[12 + x], d23 = m[8 + x] - m[12 + x];
    sum += std::abs(s01 + s23) + std::abs(d01 + d23) + std::abs(s01 - s23) + std::abs(d01 - d23);
  }
  return (sum + 1) >> 1;
}

void hadamard8(const int* in, ptrdiff_t step, int* out, ptrdiff_t outStep) {
  int t[8], u[8];
  for (int i = 0; i < 4; ++i) {
    t[i] = in[i * step] + in[(i + 4) * step];
    t[i + 4] = in[i * step] - in[(i + 4) * step];
  }
  for (int g = 0; g < 8; g += 4)
    for (int i = 0; i < 2; ++i) {
      u[g + i] = t[g + i] + t[g + i + 2];
      u[g + i + 2] = t[g + i] - t[g + i + 2];
    }
  for (int i = 0; i < 8; i += 2) {
    out[i * outStep] = u[i] + u[i + 1];
    out[(i + 1) * outStep] = u[i] - u[i + 1];
  }
}

// 8x8 Hadamard, sum of |coefficients|, normalised (sum + 2) >> 2.
uint32_t hadamard8x8(const Pel* a, ptrdiff_t as, const Pel* b, ptrdiff_t bs) {
  int d[64], m[64], o[64];
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 8; ++x) d[y * 8 + x] = int(a[y * as + x]) - int(b[y * bs + x]);
  for (int y = 0; y < 8; ++y) hadamard8(d + 8 * y, 1, m + 8 * y, 1);
  for (int x = 0; x < 8; ++x) hadamard8(m + x, 8, o + x, 8);
  uint32_t sum = 0;
  for (int i = 0; i < 64; ++i) sum += std::abs(o[i]);
  return (sum + 2) >> 2;
}

}  // namespace

uint64_t satd_c(const Pel* a, ptrdiff_t as, const Pel* b, ptrdiff_t bs, int w, int h) {
  uint64_t sum = 0;
  if ((w & 7) == 0 && (h & 7) == 0) {
    for (int y = 0; y < h; y += 8)
      for (int x = 0; x < w; x += 8) sum += hadamard8x8(a + y * as + x, as, b + y * bs + x, bs);
  } else {
    for (int y = 0; y < h; y += 4)
      for (int x = 0; x < w; x += 4) sum += hadamard4x4(a + y * as + x, as, b + y * bs + x, bs);
  }
  return sum;
}

void addResidualClip_c(const Pel* pred, ptrdiff_t ps, const Pel* resid, ptrdiff_t rs, int w, int h,
                       int bitDepth, Pel* dst, ptrdiff_t ds) {
  const int maxV = (1 << bitDepth) - 1;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      dst[y * ds + x] = Pel(std::min(std::max(int(pred[y * ps + x]) + resid[y * rs + x], 0), maxV));
}

void subtract_c(const Pel* org, ptrdiff_t os, const Pel* pred, ptrdiff_t ps, int w, int h,
                Pel* resid, ptrdiff_t rs) {
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) resid[y * rs + x] = Pel(org[y * os + x] - pred[y * ps + x]);
}

// ---- function table -------------------------------------------------------------------------

DspLevel dspLevelFromEnv() {
  const char* env = std::getenv("NNVVC_DSP");
  if (env && std::strcmp(env, "c") == 0) return DspLevel::C;
  if (env && std::strcmp(env, "sse4.1") == 0) return DspLevel::SSE41;
  return DspLevel::AVX2;
}

DistFunctions distFunctionsFor(DspLevel maxLevel) {
  DistFunctions f;
  f.sse = sse_c;
  f.sad = sad_c;
  f.satd = satd_c;
  f.addResidualClip = addResidualClip_c;
  f.subtract = subtract_c;
  f.isa = "c";
#ifdef NNVVC_DSP_X86
  __builtin_cpu_init();
  if (maxLevel >= DspLevel::SSE41 && __builtin_cpu_supports("sse4.1")) {
    f.sse = sse_sse41;
    f.addResidualClip = addResidualClip_sse41;
    f.isa = "sse4.1";
  }
  if (maxLevel >= DspLevel::AVX2 && __builtin_cpu_supports("avx2")) {
    f.sse = sse_avx2;
    f.sad = sad_avx2;
    f.satd = satd_avx2;
    f.addResidualClip = addResidualClip_avx2;
    f.subtract = subtract_avx2;
    f.isa = "avx2";
  }
#else
  (void)maxLevel;
#endif
  return f;
}

const DistFunctions& distFunctions() {
  static const DistFunctions table = distFunctionsFor(dspLevelFromEnv());
  return table;
}

uint64_t sse(const Pel* a, ptrdiff_t as, const Pel* b, ptrdiff_t bs, int w, int h) {
  return distFunctions().sse(a, as, b, bs, w, h);
}
uint64_t sad(const Pel* a, ptrdiff_t as, const Pel* b, ptrdiff_t bs, int w, int h) {
  return distFunctions().sad(a, as, b, bs, w, h);
}
uint64_t satd(const Pel* a, ptrdiff_t as, const Pel* b, ptrdiff_t bs, int w, int h) {
  return distFunctions().satd(a, as, b, bs, w, h);
}
void addResidualClip(const Pel* pred, ptrdiff_t ps, const Pel* resid, ptrdiff_t rs, int w, int h,
                     int bitDepth, Pel* dst, ptrdiff_t ds) {
  distFunctions().addResidualClip(pred, ps, resid, rs, w, h, bitDepth, dst, ds);
}
void subtract(const Pel* org, ptrdiff_t os, const Pel* pred, ptrdiff_t ps, int w, int h,
              Pel* resid, ptrdiff_t rs) {
  distFunctions().subtract(org, os, pred, ps, w, h, resid, rs);
}
void copyBlock(const Pel* src, ptrdiff_t ss, int w, int h, Pel* dst, ptrdiff_t ds) {
  for (int y = 0; y < h; ++y) std::memcpy(dst + y * ds, src + y * ss, sizeof(Pel) * w);
}

}  // namespace dsp
}  // namespace nnvvc
