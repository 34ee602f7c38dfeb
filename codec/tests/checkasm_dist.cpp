// checkasm part for the distortion module (dsp/dsp.h DistFunctions, dist.cpp, x86/dist_*.cpp): sse, sad,
// satd, addResidualClip and subtract against their C twins, then benchmarks. #included by checkasm.cpp
// after its shared helpers.

namespace {

void checkDist(const DistFunctions& c, const DistFunctions& s, const char* isa) {
  const ptrdiff_t stride = 144;
  std::vector<Pel> a(stride * 128), b(stride * 128);
  struct Fn {
    const char* name;
    SseFn cf, sf;
    bool needMult4;
  } fns[] = {{"sse", c.sse, s.sse, false}, {"sad", c.sad, s.sad, false},
             {"satd", c.satd, s.satd, true}};
  for (const Fn& f : fns) {
    if (f.cf == f.sf) continue;
    long cases = 0, bad = 0;
    for (int mode = 0; mode < 3; ++mode)
      for (int range = 0; range < 2; ++range) {
        // 10-bit samples, or residual-like values with |a - b| <= 32767
        const int lo = range ? -16384 : 0, hi = range ? 16383 : 1023;
        for (int w : kWidths)
          for (int h : kHeights) {
            if (f.needMult4 && ((w & 3) || (h & 3))) continue;
            fillPel(a, lo, hi, mode);
            fillPel(b, lo, hi, mode);
            const int oa = rnd(0, 7), ob = rnd(0, 7);  // unaligned starts
            const uint64_t rc = f.cf(a.data() + oa, stride, b.data() + ob, stride, w, h);
            const uint64_t rs = f.sf(a.data() + oa, stride, b.data() + ob, stride, w, h);
            ++cases;
            if (rc != rs) {
              if (bad < 3)
                std::printf("    %s %dx%d mode %d: c %llu simd %llu\n", f.name, w, h, mode,
                            (unsigned long long)rc, (unsigned long long)rs);
              ++bad;
            }
          }
      }
    report(f.name, isa, cases, bad);
  }
}

void checkAddSub(const DistFunctions& c, const DistFunctions& s, const char* isa) {
  const ptrdiff_t stride = 144;
  std::vector<Pel> p(stride * 128), r(stride * 128), dc(stride * 128), ds(stride * 128);
  if (c.addResidualClip != s.addResidualClip) {
    long cases = 0, bad = 0;
    for (int bd : {8, 10, 12})
      for (int mode = 0; mode < 3; ++mode)
        for (int w : kWidths)
          for (int h : kHeights) {
            fillPel(p, 0, (1 << bd) - 1, mode);
            fillPel(r, mode == 1 ? -32768 : -(1 << bd), mode == 1 ? 32767 : (1 << bd), mode);
            std::fill(dc.begin(), dc.end(), Pel(-7));
            std::fill(ds.begin(), ds.end(), Pel(-7));
            c.addResidualClip(p.data() + 1, stride, r.data() + 3, stride, w, h, bd, dc.data() + 5,
                              stride);
            s.addResidualClip(p.data() + 1, stride, r.data() + 3, stride, w, h, bd, ds.data() + 5,
                              stride);
            ++cases;
            bad += dc != ds;  // whole buffer: also catches writes outside the block
          }
    report("addResidualClip", isa, cases, bad);
  }
  if (c.subtract != s.subtract) {
    long cases = 0, bad = 0;
    for (int mode = 0; mode < 3; ++mode)
      for (int w : kWidths)
        for (int h : kHeights) {
          fillPel(p, -32768, 32767, mode);
          fillPel(r, -32768, 32767, mode);
          std::fill(dc.begin(), dc.end(), Pel(-7));
          std::fill(ds.begin(), ds.end(), Pel(-7));
          c.subtract(p.data() + 2, stride, r.data(), stride, w, h, dc.data() + 1, stride);
          s.subtract(p.data() + 2, stride, r.data(), stride, w, h, ds.data() + 1, stride);
          ++cases;
          bad += dc != ds;
        }
    report("subtract", isa, cases, bad);
  }
}

void checkDistModule() {
  const DistFunctions c = distFunctionsFor(DspLevel::C);
  const char* seen = "c";
  for (DspLevel level : {DspLevel::SSE41, DspLevel::AVX2}) {
    const DistFunctions s = distFunctionsFor(level);
    if (!std::strcmp(s.isa, seen)) continue;  // the CPU lacks this level or the module has no kernel at it
    seen = s.isa;
    std::printf("dist (%s):\n", s.isa);
    checkDist(c, s, s.isa);
    checkAddSub(c, s, s.isa);
  }
}

void benchDistModule() {
  const DistFunctions c = distFunctionsFor(DspLevel::C);
  const ptrdiff_t stride = 128;
  std::vector<Pel> a(stride * 64), b(stride * 64), d(stride * 64);
  fillPel(a, 0, 1023, 0);
  fillPel(b, 0, 1023, 0);
  auto line = [&](const std::string& name, const std::function<void()>& fc, const std::function<void()>& fs) {
    const double tc = nsPerCall(fc), ts = nsPerCall(fs);
    std::printf("  %-22s %10.1f %10.1f %7.2fx\n", name.c_str(), tc, ts, tc / ts);
  };
  const char* seen = "c";
  for (DspLevel level : {DspLevel::SSE41, DspLevel::AVX2}) {
    const DistFunctions s = distFunctionsFor(level);
    if (!std::strcmp(s.isa, seen)) continue;  // the CPU lacks this level or the module has no kernel at it
    seen = s.isa;
    std::printf("\nbenchmark dist (%s vs c), ns/call:\n", s.isa);
    std::printf("  %-22s %10s %10s %8s\n", "function", "c", s.isa, "speedup");
    for (auto& sz : kBenchSizes) {
      const int w = sz[0], h = sz[1];
      const std::string tag = std::to_string(w) + "x" + std::to_string(h);
      if (c.sse != s.sse)
        line("sse " + tag, [&] { g_sink = c.sse(a.data(), stride, b.data(), stride, w, h); },
             [&] { g_sink = s.sse(a.data(), stride, b.data(), stride, w, h); });
      if (c.sad != s.sad)
        line("sad " + tag, [&] { g_sink = c.sad(a.data(), stride, b.data(), stride, w, h); },
             [&] { g_sink = s.sad(a.data(), stride, b.data(), stride, w, h); });
      if (c.satd != s.satd)
        line("satd " + tag, [&] { g_sink = c.satd(a.data(), stride, b.data(), stride, w, h); },
             [&] { g_sink = s.satd(a.data(), stride, b.data(), stride, w, h); });
      if (c.addResidualClip != s.addResidualClip)
        line("addResidualClip " + tag,
             [&] { c.addResidualClip(a.data(), stride, b.data(), stride, w, h, 10, d.data(), stride); },
             [&] { s.addResidualClip(a.data(), stride, b.data(), stride, w, h, 10, d.data(), stride); });
      if (c.subtract != s.subtract)
        line("subtract " + tag,
             [&] { c.subtract(a.data(), stride, b.data(), stride, w, h, d.data(), stride); },
             [&] { s.subtract(a.data(), stride, b.data(), stride, w, h, d.data(), stride); });
    }
  }
}

}  // namespace
