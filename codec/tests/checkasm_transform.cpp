// checkasm part for the transform module (dsp/dsp.h TransformFunctions, transform.cpp,
// x86/transform_avx2.cpp): the pair-matrix stage, then whole inverse/forward transforms through each table,
// then benchmarks. #included by checkasm.cpp after its shared helpers.

namespace {

void checkPairStage(const TransformFunctions& c, const TransformFunctions& s, const char* isa) {
  if (c.pairStage == s.pairStage) return;
  // One operand is 16-bit data (random or extreme), the other matrix-sized (|v| <= 91), as in
  // every transform stage; that keeps the 32-bit sums exact.
  std::vector<int16_t> a(64 * 128), b(32 * 160), oc(64 * 64), os(64 * 64);
  long cases = 0, bad = 0;
  for (int it = 0; it < 1000; ++it) {
    const int rows = rnd(1, 64), kPairs = rnd(1, 32);
    const int cols = rnd(0, 7) == 0 ? 2 : 4 * rnd(1, 16);  // 2: 2-point stages
    const int extreme = rnd(0, 2);
    const bool dataInA = rnd(0, 1);
    auto data = [&]() { return int16_t(extreme == 1 ? (rnd(0, 1) ? 32767 : -32768) : rnd(-32768, 32767)); };
    for (auto& v : a) v = dataInA ? data() : int16_t(rnd(-91, 91));
    for (auto& v : b) v = dataInA ? int16_t(rnd(-91, 91)) : data();
    const int shift = rnd(1, 14);
    const ptrdiff_t aStride = 2 * kPairs + rnd(0, 3) * 2, bStride = 2 * cols + rnd(0, 2) * 8;
    std::fill(oc.begin(), oc.end(), int16_t(-1));
    std::fill(os.begin(), os.end(), int16_t(-1));
    c.pairStage(a.data(), aStride, b.data(), bStride, rows, kPairs, cols, shift, oc.data(), 64);
    s.pairStage(a.data(), aStride, b.data(), bStride, rows, kPairs, cols, shift, os.data(), 64);
    ++cases;
    bad += oc != os;
  }
  report("pairStage", isa, cases, bad);

  // Whole transforms through each table.
  std::vector<TCoeff> coeff(64 * 64), fc(64 * 64), fs(64 * 64);
  std::vector<Pel> rc(64 * 64), rs(64 * 64), res(64 * 64);
  long tcases = 0, tbad = 0;
  for (int bd : {8, 10})
    for (int lw = bd >= 9 ? 1 : 2; lw <= 6; ++lw)  // 2-wide forward needs bitDepth >= 9
      for (int lh = 1; lh <= 6; ++lh)
        for (int it = 0; it < 6; ++it) {
          const int w = 1 << lw, h = 1 << lh;
          for (int i = 0; i < w * h; ++i)
            coeff[i] = it == 0 ? (rnd(0, 1) ? 32767 : -32768) : rnd(-2000, 2000);
          for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x)
              if (x >= 32 || y >= 32) coeff[y * w + x] = 0;
          // it 3: DST-VII in each direction whose side is 4..16 (implicit MTS); it 4, 5: the explicit-MTS
          // kernels (DST-VII / DCT-VIII) on sides 4..32 (32-point ones keep 16 coefficients)
          auto kind = [&](int n, int dir) {
            if (it < 3 || n < 4) return TrType::kDct2;
            if (it == 3) return n <= 16 ? TrType::kDst7 : TrType::kDct2;
            if (n > 32) return TrType::kDct2;
            return ((it + dir) & 1) ? TrType::kDct8 : TrType::kDst7;
          };
          const TrType th = kind(w, 0), tv = kind(h, 1);
          inverseTransformWith(c, coeff.data(), w, h, bd, rc.data(), w, th, tv);
          inverseTransformWith(s, coeff.data(), w, h, bd, rs.data(), w, th, tv);
          fillPel(res, -(1 << bd) + 1, (1 << bd) - 1, it % 3);
          forwardTransformWith(c, res.data(), w, w, h, bd, fc.data(), th, tv);
          forwardTransformWith(s, res.data(), w, w, h, bd, fs.data(), th, tv);
          tcases += 2;
          tbad += !std::equal(rc.begin(), rc.begin() + w * h, rs.begin());
          tbad += !std::equal(fc.begin(), fc.begin() + w * h, fs.begin());
        }
  report("inv/fwd transform", isa, tcases, tbad);
}

void checkTransformModule() {
  const TransformFunctions c = transformFunctionsFor(DspLevel::C);
  const char* seen = "c";
  for (DspLevel level : {DspLevel::SSE41, DspLevel::AVX2}) {
    const TransformFunctions s = transformFunctionsFor(level);
    if (!std::strcmp(s.isa, seen)) continue;  // the CPU lacks this level or the module has no kernel at it
    seen = s.isa;
    std::printf("transform (%s):\n", s.isa);
    checkPairStage(c, s, s.isa);
  }
}

void benchTransformModule() {
  const TransformFunctions c = transformFunctionsFor(DspLevel::C);
  auto line = [&](const std::string& name, const std::function<void()>& fc, const std::function<void()>& fs) {
    const double tc = nsPerCall(fc), ts = nsPerCall(fs);
    std::printf("  %-22s %10.1f %10.1f %7.2fx\n", name.c_str(), tc, ts, tc / ts);
  };
  const char* seen = "c";
  for (DspLevel level : {DspLevel::SSE41, DspLevel::AVX2}) {
    const TransformFunctions s = transformFunctionsFor(level);
    if (!std::strcmp(s.isa, seen)) continue;  // the CPU lacks this level or the module has no kernel at it
    seen = s.isa;
    std::printf("\nbenchmark transform (%s vs c), ns/call:\n", s.isa);
    std::printf("  %-22s %10s %10s %8s\n", "function", "c", s.isa, "speedup");
    std::vector<TCoeff> coeff(64 * 64);
    std::vector<Pel> r(64 * 64), res(64 * 64);
    for (auto& v : coeff) v = rnd(-500, 500);
    fillPel(res, -300, 300, 0);
    for (auto& sz : kBenchSizes) {
      const int w = sz[0], h = sz[1];
      const std::string tag = std::to_string(w) + "x" + std::to_string(h);
      line("inverseTransform " + tag,
           [&] { inverseTransformWith(c, coeff.data(), w, h, 10, r.data(), w); },
           [&] { inverseTransformWith(s, coeff.data(), w, h, 10, r.data(), w); });
      line("forwardTransform " + tag,
           [&] { forwardTransformWith(c, res.data(), w, w, h, 10, coeff.data()); },
           [&] { forwardTransformWith(s, res.data(), w, w, h, 10, coeff.data()); });
    }
  }
}

}  // namespace
