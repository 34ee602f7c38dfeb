// checkasm part for the dmvr module (dsp/dmvr.h, own table): the SIMD bilinear interpolation and
// even-row SAD against their C twins on random blocks (the search block sizes 12 / 20 and any
// other width of the contract, every phase pair, 10-bit noise, extremes and flat areas), then a
// benchmark. #included by checkasm.cpp after its helpers.
#include "../src/dsp/dmvr.h"

namespace {

void checkDmvr() {
  const DmvrFunctions c = dmvrFunctionsFor(DspLevel::C);
  const DmvrFunctions s = dmvrFunctionsFor(DspLevel::AVX2);
  if (c.bilinear == s.bilinear) return;
  std::printf("dmvr (%s):\n", s.isa);
  const ptrdiff_t ss = 140, ds = 136;
  std::vector<Pel> src(size_t(ss) * 140), d0(size_t(ds) * 134), d1(d0.size());
  long cases = 0, bad = 0;
  for (int it = 0; it < 6000; ++it) {
    const int w = it % 3 == 0 ? (rnd(0, 1) ? 20 : 12) : rnd(1, 132);
    const int h = it % 3 == 0 ? (rnd(0, 1) ? 20 : 12) : rnd(1, 132);
    const int xf = it % 4 == 0 ? 0 : rnd(0, 15), yf = it % 5 == 0 ? 0 : rnd(0, 15);
    fillPel(src, 0, 1023, it % 3);
    std::fill(d0.begin(), d0.end(), Pel(-7));
    std::fill(d1.begin(), d1.end(), Pel(-7));
    c.bilinear(d0.data() + 1, ds, src.data() + 2, ss, w, h, xf, yf);
    s.bilinear(d1.data() + 1, ds, src.data() + 2, ss, w, h, xf, yf);
    ++cases;
    if (d0 != d1 && bad++ < 3)  // whole buffer: also catches writes outside the block
      std::printf("    bilinear %dx%d phases (%d, %d) differs\n", w, h, xf, yf);
  }
  report("dmvrBilinear", s.isa, cases, bad);
  cases = bad = 0;
  std::vector<Pel> a(size_t(ss) * 140), b(a.size());
  for (int it = 0; it < 6000; ++it) {
    const int w = it % 3 == 0 ? (rnd(0, 1) ? 16 : 8) : rnd(1, 132);
    const int h = it % 3 == 0 ? (rnd(0, 1) ? 16 : 8) : rnd(1, 132);
    fillPel(a, 0, 1023, it % 3);
    fillPel(b, 0, 1023, (it / 3) % 3);
    const ptrdiff_t as = rnd(w, 140), bs = rnd(w, 140);
    const uint32_t r0 = c.sadEvenRows(a.data(), as, b.data(), bs, w, std::min(h, 139));
    const uint32_t r1 = s.sadEvenRows(a.data(), as, b.data(), bs, w, std::min(h, 139));
    ++cases;
    if (r0 != r1 && bad++ < 3) std::printf("    sadEvenRows %dx%d: %u vs %u\n", w, h, r0, r1);
  }
  report("dmvrSadEvenRows", s.isa, cases, bad);
}

void benchDmvr() {
  const DmvrFunctions c = dmvrFunctionsFor(DspLevel::C);
  const DmvrFunctions s = dmvrFunctionsFor(DspLevel::AVX2);
  if (c.bilinear == s.bilinear) return;
  std::printf("\nbenchmark dmvr (%s vs c), ns/call:\n", s.isa);
  std::vector<Pel> src(size_t(32) * 32), dst(src.size()), b(src.size());
  fillPel(src, 0, 1023, 0);
  fillPel(b, 0, 1023, 0);
  for (const int w : {20, 12}) {
    const double tc = nsPerCall([&] { c.bilinear(dst.data(), 32, src.data(), 32, w, w, 5, 11); });
    const double ts = nsPerCall([&] { s.bilinear(dst.data(), 32, src.data(), 32, w, w, 5, 11); });
    std::printf("  %-26s %10.1f %10.1f %7.2fx\n", ("dmvrBilinear " + std::to_string(w) + "x" + std::to_string(w)).c_str(),
                tc, ts, tc / ts);
  }
  for (const int w : {16, 8}) {
    const double tc = nsPerCall([&] { g_sink = c.sadEvenRows(src.data(), 32, b.data(), 32, w, w); });
    const double ts = nsPerCall([&] { g_sink = s.sadEvenRows(src.data(), 32, b.data(), 32, w, w); });
    std::printf("  %-26s %10.1f %10.1f %7.2fx\n", ("dmvrSadEvenRows " + std::to_string(w) + "x" + std::to_string(w)).c_str(),
                tc, ts, tc / ts);
  }
}

}  // namespace
