// checkasm part for the mc module (dsp/mc.h, its own function table): every SIMD mc kernel
// against its C twin on random and extreme input, then benchmarks. #included by checkasm.cpp
// after its helpers (rnd, fillPel, report, nsPerCall, g_sink); not a test of its own.
#include "../src/dsp/mc.h"

namespace {

void checkMc() {
  const McFunctions c = mcFunctionsFor(DspLevel::C);
  const McFunctions s = mcFunctionsFor(DspLevel::AVX2);
  if (c.interpLuma == s.interpLuma) return;
  std::printf("mc (%s):\n", s.isa);
  const ptrdiff_t ss = 160, ds = 136;
  std::vector<Pel> src(ss * 144);
  std::vector<int16_t> oc(ds * 130), os(ds * 130);
  for (int kind = 0; kind < 3; ++kind) {  // luma, luma with hpelIfIdx 1, chroma
    const bool chroma = kind == 2, alt = kind == 1;
    const McInterpFn cf = chroma ? c.interpChroma : alt ? c.interpLumaAltHpel : c.interpLuma;
    const McInterpFn sf = chroma ? s.interpChroma : alt ? s.interpLumaAltHpel : s.interpLuma;
    const int maxSide = chroma ? 64 : 128, fracs = chroma ? 32 : 16;
    long cases = 0, bad = 0;
    for (int it = 0; it < 4000; ++it) {
      // Mostly the sizes that occur (luma multiples of 4, chroma of 2), some of any size.
      int w, h;
      if (it % 8 == 7) {
        w = rnd(1, maxSide);
        h = rnd(1, maxSide);
      } else {
        const int unit = chroma ? 2 : 4;
        w = unit * rnd(1, maxSide / unit);
        h = unit * rnd(1, maxSide / unit);
        if (it % 4 == 0) {  // power-of-two CU shapes
          w = std::min(maxSide, unit << rnd(0, chroma ? 5 : 5));
          h = std::min(maxSide, unit << rnd(0, chroma ? 5 : 5));
        }
      }
      const int bd = it % 5 ? 10 : (it % 10 == 0 ? 8 : 12);
      fillPel(src, 0, (1 << bd) - 1, it % 3);
      int xFrac = rnd(0, 3) ? rnd(0, fracs - 1) : 0, yFrac = rnd(0, 3) ? rnd(0, fracs - 1) : 0;
      if (alt && it % 2) {  // the half-sample positions, where the alternative filter applies
        if (rnd(0, 3)) xFrac = 8;
        if (rnd(0, 3)) yFrac = 8;
      }
      const Pel* p = src.data() + 4 * ss + 4 + rnd(0, 3);
      std::fill(oc.begin(), oc.end(), int16_t(-7));
      std::fill(os.begin(), os.end(), int16_t(-7));
      cf(oc.data() + 1, ds, p, ss, w, h, xFrac, yFrac, bd);
      sf(os.data() + 1, ds, p, ss, w, h, xFrac, yFrac, bd);
      ++cases;
      if (oc != os) {  // whole buffer: also catches writes outside the block
        if (bad < 3)
          std::printf("    %s %dx%d frac %d,%d bd %d differs\n", chroma ? "chroma" : "luma", w, h,
                      xFrac, yFrac, bd);
        ++bad;
      }
    }
    report(chroma ? "mcInterpChroma" : alt ? "mcInterpLumaAltHpel" : "mcInterpLuma", s.isa, cases, bad);
  }
  // Weighting: intermediates over their whole range (|v| <= 25072) and beyond (full int16).
  std::vector<int16_t> a(ds * 130), b(ds * 130);
  std::vector<Pel> dc(ds * 130), dsv(ds * 130);
  long cases = 0, badUni = 0, badBi = 0, badBcw = 0;
  for (int it = 0; it < 3000; ++it) {
    const int w = rnd(0, 7) ? 2 * rnd(1, 64) : rnd(1, 128), h = rnd(1, 128);
    const int bd = it % 5 ? 10 : (it % 10 == 0 ? 8 : 12);
    const int mode = it % 3;
    const int lim = it % 7 == 0 ? 32767 : 25072;
    for (auto& v : a) v = int16_t(mode == 1 ? (rnd(0, 1) ? lim : -lim - (lim == 32767)) : rnd(-lim, lim));
    for (auto& v : b) v = int16_t(mode == 1 ? (rnd(0, 1) ? lim : -lim - (lim == 32767)) : rnd(-lim, lim));
    ++cases;
    std::fill(dc.begin(), dc.end(), Pel(-7));
    std::fill(dsv.begin(), dsv.end(), Pel(-7));
    c.weightUni(dc.data() + 2, ds, a.data() + 1, ds, w, h, bd);
    s.weightUni(dsv.data() + 2, ds, a.data() + 1, ds, w, h, bd);
    badUni += dc != dsv;
    std::fill(dc.begin(), dc.end(), Pel(-7));
    std::fill(dsv.begin(), dsv.end(), Pel(-7));
    c.weightBi(dc.data() + 3, ds, a.data() + 1, ds, b.data(), ds, w, h, bd);
    s.weightBi(dsv.data() + 3, ds, a.data() + 1, ds, b.data(), ds, w, h, bd);
    badBi += dc != dsv;
    static const int kW1[4] = {5, 3, 10, -2};
    const int w1 = kW1[it & 3];
    std::fill(dc.begin(), dc.end(), Pel(-7));
    std::fill(dsv.begin(), dsv.end(), Pel(-7));
    c.weightBcw(dc.data() + 1, ds, a.data() + 2, ds, b.data() + 1, ds, w, h, w1, bd);
    s.weightBcw(dsv.data() + 1, ds, a.data() + 2, ds, b.data() + 1, ds, w, h, w1, bd);
    badBcw += dc != dsv;
  }
  report("mcWeightUni", s.isa, cases, badUni);
  report("mcWeightBi", s.isa, cases, badBi);
  report("mcWeightBcw", s.isa, cases, badBcw);
}

void benchMc() {
  const McFunctions c = mcFunctionsFor(DspLevel::C);
  const McFunctions s = mcFunctionsFor(DspLevel::AVX2);
  if (c.interpLuma == s.interpLuma) return;
  std::printf("\nbenchmark mc (%s vs c), ns/call:\n", s.isa);
  std::printf("  %-26s %10s %10s %8s\n", "function", "c", s.isa, "speedup");
  const ptrdiff_t ss = 160, ds = 128;
  std::vector<Pel> src(ss * 144), dst(ds * 128);
  std::vector<int16_t> t0(ds * 128), t1(ds * 128);
  fillPel(src, 0, 1023, 0);
  for (auto& v : t0) v = int16_t(rnd(-8192, 8000));
  for (auto& v : t1) v = int16_t(rnd(-8192, 8000));
  const Pel* p = src.data() + 4 * ss + 4;
  auto line = [&](const std::string& name, const std::function<void()>& fc,
                  const std::function<void()>& fs) {
    const double tc = nsPerCall(fc), ts = nsPerCall(fs);
    std::printf("  %-26s %10.1f %10.1f %7.2fx\n", name.c_str(), tc, ts, tc / ts);
  };
  struct Case {
    const char* name;
    int xFrac, yFrac;
  };
  const Case kLuma[] = {{"copy", 0, 0}, {"h", 5, 0}, {"v", 0, 11}, {"hv", 8, 3}};
  const Case kChroma[] = {{"copy", 0, 0}, {"h", 9, 0}, {"v", 0, 22}, {"hv", 16, 5}};
  for (int sz : {8, 16, 32, 64, 128})
    for (const Case& k : kLuma) {
      const std::string tag = std::string("luma ") + k.name + " " + std::to_string(sz) + "x" + std::to_string(sz);
      line(tag, [&] { c.interpLuma(t0.data(), sz, p, ss, sz, sz, k.xFrac, k.yFrac, 10); },
           [&] { s.interpLuma(t0.data(), sz, p, ss, sz, sz, k.xFrac, k.yFrac, 10); });
    }
  line("luma hv 8x4", [&] { c.interpLuma(t0.data(), 8, p, ss, 8, 4, 8, 3, 10); },
       [&] { s.interpLuma(t0.data(), 8, p, ss, 8, 4, 8, 3, 10); });
  for (int sz : {4, 8, 16, 32, 64})
    for (const Case& k : kChroma) {
      const std::string tag = std::string("chroma ") + k.name + " " + std::to_string(sz) + "x" + std::to_string(sz);
      line(tag, [&] { c.interpChroma(t0.data(), sz, p, ss, sz, sz, k.xFrac, k.yFrac, 10); },
           [&] { s.interpChroma(t0.data(), sz, p, ss, sz, sz, k.xFrac, k.yFrac, 10); });
    }
  line("chroma hv 4x2", [&] { c.interpChroma(t0.data(), 4, p, ss, 4, 2, 16, 5, 10); },
       [&] { s.interpChroma(t0.data(), 4, p, ss, 4, 2, 16, 5, 10); });
  for (int sz : {8, 16, 32, 64, 128}) {
    const std::string tag = std::to_string(sz) + "x" + std::to_string(sz);
    line("weightUni " + tag, [&] { c.weightUni(dst.data(), ds, t0.data(), sz, sz, sz, 10); },
         [&] { s.weightUni(dst.data(), ds, t0.data(), sz, sz, sz, 10); });
    line("weightBi " + tag,
         [&] { c.weightBi(dst.data(), ds, t0.data(), sz, t1.data(), sz, sz, sz, 10); },
         [&] { s.weightBi(dst.data(), ds, t0.data(), sz, t1.data(), sz, sz, sz, 10); });
    line("weightBcw " + tag,
         [&] { c.weightBcw(dst.data(), ds, t0.data(), sz, t1.data(), sz, sz, sz, 5, 10); },
         [&] { s.weightBcw(dst.data(), ds, t0.data(), sz, t1.data(), sz, sz, sz, 5, 10); });
  }
}

}  // namespace
