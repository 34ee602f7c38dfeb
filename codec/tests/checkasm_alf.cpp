// checkasm part for the ALF module (dsp/alf.h, own table): the SIMD luma filter against its C
// twin (and the encoder's statistics accumulation against alfAccumulateStatsC, below),
// twin on random areas, classes / transposes, coefficients, clipping values and virtual boundary
// rows, at bit depths 8, 10 and 12; then a benchmark. #included by checkasm.cpp after its helpers.
#include "../src/dsp/alf.h"

namespace {

// A random filter set: coefficients in [-128, 127]; clipping values mostly the legal
// AlfClip[idx] = 1 << bitDepth, 1 << (bitDepth - 3), ..., sometimes any value in [0, 1 << bitDepth].
void randomAlfFilters(int bitDepth, int16_t coeff[25][12], int16_t clip[25][12]) {
  const bool anyClip = rnd(0, 3) == 0;
  for (int c = 0; c < 25; ++c)
    for (int j = 0; j < 12; ++j) {
      coeff[c][j] = int16_t(rnd(0, 7) ? rnd(-128, 127) : (rnd(0, 1) ? -128 : 127));
      const int idx = rnd(0, 3);
      clip[c][j] = int16_t(anyClip ? rnd(0, 1 << bitDepth) : idx == 0 ? 1 << bitDepth : 1 << (bitDepth - 1 - 2 * idx));
    }
}

void checkAlf() {
  const AlfFunctions c = alfFunctionsFor(DspLevel::C);
  const AlfFunctions s = alfFunctionsFor(DspLevel::AVX2);
  if (c.filterLuma == s.filterLuma) return;
  std::printf("alf (%s):\n", s.isa);
  // the filtered area lies at (kMargin, kMargin) and beyond of a plane with 8 samples around it
  // (the kernels read 3 around the area)
  const int kMargin = 8, kMaxSide = 128;
  const ptrdiff_t ss = kMaxSide + 2 * kMargin + 8;
  const int rowsAlloc = kMaxSide + 2 * kMargin;
  std::vector<Pel> src(size_t(ss) * rowsAlloc), d0(src.size()), d1(src.size());
  int16_t coeff[25][12], clip[25][12];
  std::vector<AlfBlockClass> cls(size_t(kMaxSide / 4) * (kMaxSide / 4));
  long cases = 0, bad = 0;
  for (int it = 0; it < 4000; ++it) {
    const int bitDepth = it % 4 == 3 ? (it % 8 == 3 ? 8 : 12) : 10;
    fillPel(src, 0, (1 << bitDepth) - 1, it % 3);
    randomAlfFilters(bitDepth, coeff, clip);
    const int w = it % 2 ? 4 * rnd(1, kMaxSide / 4) : (it % 4 ? 128 : 4 * rnd(1, 8));
    const int h = it % 3 ? 4 * rnd(1, kMaxSide / 4) : 128;
    const int x0 = rnd(0, kMaxSide - w), y0 = rnd(0, kMaxSide - h);
    for (size_t i = 0; i < size_t(w / 4) * (h / 4); ++i) {
      cls[i].classIdx = uint8_t(rnd(0, 24));
      cls[i].transposeIdx = uint8_t(rnd(0, 3));
    }
    // the CTB's boundary (4 rows above its end), one anywhere in or near the area, or none
    const int vbKind = it % 5;
    const int vbRow = vbKind < 2 ? y0 + h - 4 : vbKind < 4 ? y0 + rnd(-4, h + 4) : kAlfNoVirtualBoundary;
    fillPel(d0, 0, (1 << bitDepth) - 1, 0);
    d1 = d0;
    const Pel* in = src.data() + kMargin * ss + kMargin;
    c.filterLuma(in, ss, d0.data() + kMargin * ss + kMargin, ss, x0, y0, w, h, vbRow, cls.data(), coeff, clip,
                 bitDepth);
    s.filterLuma(in, ss, d1.data() + kMargin * ss + kMargin, ss, x0, y0, w, h, vbRow, cls.data(), coeff, clip,
                 bitDepth);
    if (d0 != d1 && bad++ < 3)
      std::printf("    mismatch: bitDepth %d, %dx%d at (%d,%d), vbRow %d\n", bitDepth, w, h, x0, y0, vbRow);
    ++cases;
  }
  report("alfFilterLuma", s.isa, cases, bad);
  // statistics: random sample vectors up to the contract's bounds (sometimes at them), n even 2..64,
  // accumulated onto random starting matrices; every entry compared (untouched ones included)
  constexpr int N = kAlfStatVars;
  std::vector<int16_t> x(64 * N), t(64);
  std::vector<int64_t> e0(N * N), e1(N * N), p0(N), p1(N);
  cases = bad = 0;
  for (int it = 0; it < 2000; ++it) {
    const int n = 2 * rnd(1, 32);
    const int lim = it % 7 == 0 ? 4096 : (it % 2 ? 2046 : 64);
    for (auto& v : x) v = int16_t(it % 11 == 0 ? (rnd(0, 1) ? lim : -lim) : rnd(-lim, lim));
    for (auto& v : t) v = int16_t(it % 13 == 0 ? (rnd(0, 1) ? 4096 : -4096) : rnd(-1023, 1023));
    for (auto& v : e0) v = rnd(-1000000, 1000000);
    for (auto& v : p0) v = rnd(-1000000, 1000000);
    e1 = e0;
    p1 = p0;
    c.accumulateStats(x.data(), t.data(), n, e0.data(), p0.data());
    s.accumulateStats(x.data(), t.data(), n, e1.data(), p1.data());
    if ((e0 != e1 || p0 != p1) && bad++ < 3) std::printf("    mismatch: alfAccumulateStats n %d, |x| <= %d\n", n, lim);
    ++cases;
  }
  report("alfAccumulateStats", s.isa, cases, bad);
}

void benchAlf() {
  const AlfFunctions c = alfFunctionsFor(DspLevel::C);
  const AlfFunctions s = alfFunctionsFor(DspLevel::AVX2);
  if (c.filterLuma == s.filterLuma) return;
  std::printf("\nbenchmark alf (%s vs c), ns/call:\n", s.isa);
  const ptrdiff_t ss = 144;
  std::vector<Pel> src(size_t(ss) * 144), dst(src.size());
  fillPel(src, 0, 1023, 0);
  int16_t coeff[25][12], clip[25][12];
  randomAlfFilters(10, coeff, clip);
  std::vector<AlfBlockClass> cls(32 * 32);
  for (auto& b : cls) { b.classIdx = uint8_t(rnd(0, 24)); b.transposeIdx = uint8_t(rnd(0, 3)); }
  const Pel* in = src.data() + 8 * ss + 8;
  Pel* out = dst.data() + 8 * ss + 8;
  // a whole CTB with its virtual boundary, and the 32 x 112 corner CTB of a 416 x 240 picture
  for (const auto& sz : {std::pair<int, int>{128, 128}, std::pair<int, int>{32, 112}}) {
    const int w = sz.first, h = sz.second, vb = h == 128 ? 124 : kAlfNoVirtualBoundary;
    const double tc = nsPerCall([&] { c.filterLuma(in, ss, out, ss, 0, 0, w, h, vb, cls.data(), coeff, clip, 10); });
    const double ts = nsPerCall([&] { s.filterLuma(in, ss, out, ss, 0, 0, w, h, vb, cls.data(), coeff, clip, 10); });
    std::printf("  %-26s %10.1f %10.1f %7.2fx\n", ("alfFilterLuma " + std::to_string(w) + "x" + std::to_string(h)).c_str(),
                tc, ts, tc / ts);
  }
  // one 4x4 block's 16 samples (the encoder's call)
  constexpr int N = kAlfStatVars;
  std::vector<int16_t> x(16 * N), t(16);
  for (auto& v : x) v = int16_t(rnd(-200, 200));
  for (auto& v : t) v = int16_t(rnd(-50, 50));
  std::vector<int64_t> e(N * N), p(N);
  const double tc = nsPerCall([&] { c.accumulateStats(x.data(), t.data(), 16, e.data(), p.data()); });
  const double ts = nsPerCall([&] { s.accumulateStats(x.data(), t.data(), 16, e.data(), p.data()); });
  std::printf("  %-26s %10.1f %10.1f %7.2fx\n", "alfAccumulateStats 16", tc, ts, tc / ts);
}

}  // namespace
