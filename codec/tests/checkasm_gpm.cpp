// checkasm part for the gpm module (dsp/gpm.h, own table): the SIMD blend against its C twin on random blocks
// (the widths and heights GPM produces, luma 8..64 and chroma 4..32, bit depths 8 / 10 / 12, predictions over
// the whole intermediate range and extremes, weights 0..8 and spec masks), then a benchmark. #included by
// checkasm.cpp after its helpers.
#include "../src/dsp/gpm.h"
#include "../src/inter/gpm.h"

namespace {

void checkGpm() {
  const GpmFunctions c = gpmFunctionsFor(DspLevel::C);
  const GpmFunctions s = gpmFunctionsFor(DspLevel::AVX2);
  if (c.blend == s.blend) return;
  std::printf("gpm (%s):\n", s.isa);
  const ptrdiff_t ds = 72;
  std::vector<Pel> d0(size_t(ds) * 66), d1(d0.size());
  long cases = 0, bad = 0;
  static const int kSides[7] = {4, 8, 16, 32, 64, 12, 24};
  for (int it = 0; it < 8000; ++it) {
    const int w = kSides[rnd(0, it % 5 == 4 ? 6 : 4)], h = kSides[rnd(0, 4)];
    const int bitDepth = it % 5 ? 10 : (it % 10 == 0 ? 8 : 12);
    const ptrdiff_t ps = it % 2 ? w : w + rnd(1, 9), wsd = it % 3 ? w : w + rnd(1, 7);
    std::vector<int16_t> a(size_t(ps) * h), b(a.size());
    std::vector<uint8_t> wt(size_t(wsd) * h);
    const int kind = it % 4;
    for (size_t i = 0; i < a.size(); ++i) {
      a[i] = int16_t(kind == 3 ? (rnd(0, 1) ? 25055 : -25072) : rnd(-25072, 25055));
      b[i] = int16_t(kind == 3 ? (rnd(0, 1) ? 25055 : -25072) : rnd(-25072, 25055));
    }
    if (kind == 1 && w >= 8 && h >= 8 && w <= 64 && h <= 64) {  // a spec mask
      std::vector<uint8_t> m(size_t(w * h));
      inter::gpmWeights(rnd(0, 63), w, h, 0, m.data());
      for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) wt[size_t(y * wsd + x)] = m[size_t(y * w + x)];
    } else {
      for (uint8_t& v : wt) v = uint8_t(rnd(0, 8));
    }
    std::fill(d0.begin(), d0.end(), Pel(-7));
    std::fill(d1.begin(), d1.end(), Pel(-7));
    c.blend(d0.data() + ds + 1, ds, a.data(), b.data(), ps, wt.data(), wsd, w, h, bitDepth);
    s.blend(d1.data() + ds + 1, ds, a.data(), b.data(), ps, wt.data(), wsd, w, h, bitDepth);
    ++cases;
    if (d0 != d1 && bad++ < 3)  // whole buffer: also catches writes outside the block
      std::printf("    %dx%d bd %d kind %d differs\n", w, h, bitDepth, kind);
  }
  report("gpmBlend", s.isa, cases, bad);
}

void benchGpm() {
  const GpmFunctions c = gpmFunctionsFor(DspLevel::C);
  const GpmFunctions s = gpmFunctionsFor(DspLevel::AVX2);
  if (c.blend == s.blend) return;
  std::printf("\nbenchmark gpm (%s vs c), ns/call:\n", s.isa);
  std::vector<int16_t> a(64 * 64), b(a.size());
  std::vector<uint8_t> wt(a.size());
  std::vector<Pel> dst(a.size());
  for (size_t i = 0; i < a.size(); ++i) { a[i] = int16_t(rnd(-8000, 8000)); b[i] = int16_t(rnd(-8000, 8000)); }
  for (const auto& sz : {std::pair<int, int>{64, 64}, std::pair<int, int>{16, 16}, std::pair<int, int>{8, 8}}) {
    const int w = sz.first, h = sz.second;
    inter::gpmWeights(20, w, h, 0, wt.data());
    const double tc = nsPerCall([&] { c.blend(dst.data(), w, a.data(), b.data(), w, wt.data(), w, w, h, 10); });
    const double ts = nsPerCall([&] { s.blend(dst.data(), w, a.data(), b.data(), w, wt.data(), w, w, h, 10); });
    std::printf("  %-26s %10.1f %10.1f %7.2fx\n", ("gpmBlend " + std::to_string(w) + "x" + std::to_string(h)).c_str(),
                tc, ts, tc / ts);
  }
}

}  // namespace
