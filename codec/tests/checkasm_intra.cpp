// checkasm part for the intra module (dsp/dsp.h IntraFunctions, intra_pred.cpp, x86/intra_*.cpp): the
// angular filter body and the transpose against their C twins, then benchmarks. #included by checkasm.cpp
// after its shared helpers.

namespace {

void checkIntraAngular(const IntraFunctions& c, const IntraFunctions& s, const char* isa) {
  if (c.intraAngular == s.intraAngular) return;
  const int kOff = 70;
  std::vector<Pel> ref(kOff + 1200), dc(64 * 72), ds(64 * 72);
  static const int kAngles[] = {1, 2, 3, 4, 6, 8, 10, 12, 14, 16, 18, 20, 23, 26, 29,
                                35, 39, 45, 51, 57, 73, 86, 102, 171, 341};
  long cases = 0, bad = 0;
  for (int it = 0; it < 3000; ++it) {
    const int width = 2 << rnd(0, 5), height = 2 << rnd(0, 5);  // 2: thin chroma
    const int a = kAngles[rnd(0, 24)];
    const int angle = (a <= 29 && rnd(0, 1)) ? -a : a;  // negative angles only within -32..0
    const int bd = rnd(0, 2) ? 10 : rnd(8, 12);
    const int mode = rnd(0, 3);
    fillPel(ref, mode == 1 ? -32768 : 0, mode == 1 ? 32767 : (1 << bd) - 1, rnd(0, 2));
    const int kind = rnd(0, 2);
    std::fill(dc.begin(), dc.end(), Pel(-3));
    std::fill(ds.begin(), ds.end(), Pel(-3));
    c.intraAngular(ref.data() + kOff, angle, width, height, kind, bd, dc.data() + 1, 72);
    s.intraAngular(ref.data() + kOff, angle, width, height, kind, bd, ds.data() + 1, 72);
    ++cases;
    bad += dc != ds;
  }
  report("intraAngular", isa, cases, bad);
}

void checkTranspose(const IntraFunctions& c, const IntraFunctions& s, const char* isa) {
  if (c.transpose == s.transpose) return;
  std::vector<Pel> src(80 * 72), dc(80 * 72), ds(80 * 72);
  long cases = 0, bad = 0;
  for (int w = 2; w <= 64; w += (w < 4 ? 2 : 4))  // 2: thin chroma blocks (C fallback)
    for (int h = 2; h <= 64; h += (h < 4 ? 2 : 4)) {
      fillPel(src, -32768, 32767, 0);
      std::fill(dc.begin(), dc.end(), Pel(-9));
      std::fill(ds.begin(), ds.end(), Pel(-9));
      c.transpose(src.data() + 3, 72, w, h, dc.data() + 1, 72);
      s.transpose(src.data() + 3, 72, w, h, ds.data() + 1, 72);
      ++cases;
      bad += dc != ds;
    }
  report("transpose", isa, cases, bad);
}

void checkIntraModule() {
  const IntraFunctions c = intraFunctionsFor(DspLevel::C);
  const char* seen = "c";
  for (DspLevel level : {DspLevel::SSE41, DspLevel::AVX2}) {
    const IntraFunctions s = intraFunctionsFor(level);
    if (!std::strcmp(s.isa, seen)) continue;  // the CPU lacks this level or the module has no kernel at it
    seen = s.isa;
    std::printf("intra (%s):\n", s.isa);
    checkIntraAngular(c, s, s.isa);
    checkTranspose(c, s, s.isa);
  }
}

void benchIntraModule() {
  const IntraFunctions c = intraFunctionsFor(DspLevel::C);
  const ptrdiff_t stride = 128;
  std::vector<Pel> a(stride * 64), d(stride * 64), ref(400);
  fillPel(a, 0, 1023, 0);
  fillPel(ref, 0, 1023, 0);
  auto line = [&](const std::string& name, const std::function<void()>& fc, const std::function<void()>& fs) {
    const double tc = nsPerCall(fc), ts = nsPerCall(fs);
    std::printf("  %-22s %10.1f %10.1f %7.2fx\n", name.c_str(), tc, ts, tc / ts);
  };
  const char* seen = "c";
  for (DspLevel level : {DspLevel::SSE41, DspLevel::AVX2}) {
    const IntraFunctions s = intraFunctionsFor(level);
    if (!std::strcmp(s.isa, seen)) continue;  // the CPU lacks this level or the module has no kernel at it
    seen = s.isa;
    std::printf("\nbenchmark intra (%s vs c), ns/call:\n", s.isa);
    std::printf("  %-22s %10s %10s %8s\n", "function", "c", s.isa, "speedup");
    if (c.transpose != s.transpose)
      for (int sz : {4, 8, 16, 32, 64})
        line("transpose " + std::to_string(sz) + "x" + std::to_string(sz),
             [&] { c.transpose(a.data(), stride, sz, sz, d.data(), stride); },
             [&] { s.transpose(a.data(), stride, sz, sz, d.data(), stride); });
    if (c.intraAngular != s.intraAngular)
      for (int sz : {4, 8, 16, 32, 64})
        line("intraAngular " + std::to_string(sz) + "x" + std::to_string(sz),
             [&] { c.intraAngular(ref.data() + 70, 13, sz, sz, 0, 10, d.data(), stride); },
             [&] { s.intraAngular(ref.data() + 70, 13, sz, sz, 0, 10, d.data(), stride); });
  }
}

}  // namespace
