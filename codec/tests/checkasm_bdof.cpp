// checkasm part for the bdof module (dsp/bdof.h, own table): the SIMD subblock process against
// its C twin on random subblocks (all sizes of the contract, bit depths 8 / 10 / 12, noise,
// smooth moving content, extremes), then a benchmark. #included by checkasm.cpp after its helpers.
#include <cmath>

#include "../src/dsp/bdof.h"
#include "../src/dsp/mc.h"

namespace {

// The two extended predictions ((w + 2) x (h + 2), stride ps) of one subblock in the biased
// intermediate format: kind 0 noise over the whole interpolation range, 1 a smooth texture and
// the same texture moved a little (the case BDOF is for), 2 extremes, 3 any int16.
void fillBdofPair(std::vector<int16_t>& p0, std::vector<int16_t>& p1, ptrdiff_t ps, int w, int h, int bitDepth,
                  int kind) {
  const int shift = 14 - bitDepth;
  const double fx = rnd(1, 40) / 100.0, fy = rnd(1, 40) / 100.0, dx = rnd(-8, 8) / 8.0, dy = rnd(-8, 8) / 8.0;
  const int maxV = (1 << bitDepth) - 1;
  for (int y = 0; y < h + 2; ++y)
    for (int x = 0; x < w + 2; ++x) {
      int16_t& a = p0[size_t(y * ps + x)];
      int16_t& b = p1[size_t(y * ps + x)];
      switch (kind) {
        case 0: a = int16_t(rnd(-25072, 25055)); b = int16_t(rnd(-25072, 25055)); break;
        case 1: {
          auto tex = [&](double u, double v) {
            return int((0.5 + 0.4 * std::sin(u * fx) * std::cos(v * fy)) * maxV) + rnd(-2, 2);
          };
          a = int16_t((tex(x + dx, y + dy) << shift) - kMcPrepBias);
          b = int16_t((tex(x - dx, y - dy) << shift) - kMcPrepBias);
          break;
        }
        case 2: a = int16_t(rnd(0, 1) ? 25055 : -25072); b = int16_t(rnd(0, 1) ? 25055 : -25072); break;
        default: a = int16_t(rnd(-32768, 32767)); b = int16_t(rnd(-32768, 32767)); break;
      }
    }
}

void checkBdof() {
  const BdofFunctions c = bdofFunctionsFor(DspLevel::C);
  const BdofFunctions s = bdofFunctionsFor(DspLevel::AVX2);
  if (c.subblock == s.subblock) return;
  std::printf("bdof (%s):\n", s.isa);
  const ptrdiff_t ds = 24;
  std::vector<Pel> d0(size_t(ds) * 18), d1(d0.size());
  long cases = 0, bad = 0;
  for (int it = 0; it < 20000; ++it) {
    const int w = it % 4 == 3 ? 4 * rnd(1, 4) : 8 << rnd(0, 1), h = it % 4 == 3 ? 4 * rnd(1, 4) : 8 << rnd(0, 1);
    const int bitDepth = it % 5 ? 10 : (it % 10 == 0 ? 8 : 12);
    // the recon layout (stride kBdofExtStride), a tight one (w + 2) or a wider one
    const ptrdiff_t ps = it % 3 == 0 ? kBdofExtStride : it % 3 == 1 ? w + 2 : w + 2 + rnd(1, 9);
    std::vector<int16_t> p0(size_t(ps) * (h + 2)), p1(p0.size());
    const int kind = it % 8 < 4 ? 1 : it % 8 < 6 ? 0 : it % 8 == 6 ? 2 : 3;
    fillBdofPair(p0, p1, ps, w, h, bitDepth, kind);
    std::fill(d0.begin(), d0.end(), Pel(-7));
    std::fill(d1.begin(), d1.end(), Pel(-7));
    c.subblock(d0.data() + ds + 1, ds, p0.data(), p1.data(), ps, w, h, bitDepth);
    s.subblock(d1.data() + ds + 1, ds, p0.data(), p1.data(), ps, w, h, bitDepth);
    ++cases;
    if (d0 != d1 && bad++ < 3)  // whole buffer: also catches writes outside the block
      std::printf("    %dx%d bd %d stride %d kind %d differs\n", w, h, bitDepth, int(ps), kind);
  }
  report("bdofSubblock", s.isa, cases, bad);
}

void benchBdof() {
  const BdofFunctions c = bdofFunctionsFor(DspLevel::C);
  const BdofFunctions s = bdofFunctionsFor(DspLevel::AVX2);
  if (c.subblock == s.subblock) return;
  std::printf("\nbenchmark bdof (%s vs c), ns/call:\n", s.isa);
  const ptrdiff_t ps = kBdofExtStride;
  std::vector<int16_t> p0(size_t(ps) * ps), p1(p0.size());
  std::vector<Pel> dst(16 * 16);
  for (const auto& sz : {std::pair<int, int>{16, 16}, std::pair<int, int>{8, 16}, std::pair<int, int>{16, 8}}) {
    const int w = sz.first, h = sz.second;
    fillBdofPair(p0, p1, ps, w, h, 10, 1);
    const double tc = nsPerCall([&] { c.subblock(dst.data(), 16, p0.data(), p1.data(), ps, w, h, 10); });
    const double ts = nsPerCall([&] { s.subblock(dst.data(), 16, p0.data(), p1.data(), ps, w, h, 10); });
    std::printf("  %-26s %10.1f %10.1f %7.2fx\n", ("bdofSubblock " + std::to_string(w) + "x" + std::to_string(h)).c_str(),
                tc, ts, tc / ts);
  }
}

}  // namespace
