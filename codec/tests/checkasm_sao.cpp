// checkasm part for the SAO kernels (dsp/sao.h, own table): SIMD edge offset and edge statistics
// against their C twins, then benchmarks. #included by checkasm.cpp after its helpers.
#include "../src/dsp/sao.h"

namespace {

void checkSao() {
  const SaoFunctions c = saoFunctionsFor(DspLevel::C);
  const SaoFunctions s = saoFunctionsFor(DspLevel::AVX2);
  if (c.edge == s.edge) return;
  std::printf("sao (%s):\n", s.isa);
  const ptrdiff_t ss = 160;
  std::vector<Pel> src(ss * 136), org(ss * 136), d0(ss * 136), d1(ss * 136);
  long cases = 0, badEdge = 0, badStats = 0;
  for (int it = 0; it < 3000; ++it) {
    fillPel(src, 0, 1023, it % 3);
    fillPel(org, 0, 1023, 0);
    const int w = it % 4 ? 8 * rnd(1, 16) : rnd(1, 128), h = rnd(1, 128), k = rnd(0, 3);
    const int8_t off[5] = {int8_t(rnd(0, 31)), int8_t(rnd(0, 31)), 0, int8_t(-rnd(0, 31)), int8_t(-rnd(0, 31))};
    d0 = src; d1 = src;
    const Pel* in = src.data() + ss + 1;
    c.edge(d0.data() + ss + 1, ss, in, ss, w, h, k, off, 1023);
    s.edge(d1.data() + ss + 1, ss, in, ss, w, h, k, off, 1023);
    badEdge += d0 != d1;
    int64_t s0[5] = {}, n0[5] = {}, s1[5] = {}, n1[5] = {};
    c.statsEdge(org.data() + ss + 1, ss, in, ss, w, h, k, s0, n0);
    s.statsEdge(org.data() + ss + 1, ss, in, ss, w, h, k, s1, n1);
    badStats += std::memcmp(s0, s1, sizeof s0) != 0 || std::memcmp(n0, n1, sizeof n0) != 0;
    ++cases;
  }
  report("saoEdge", s.isa, cases, badEdge);
  report("saoStatsEdge", s.isa, cases, badStats);
}

void benchSao() {
  const SaoFunctions c = saoFunctionsFor(DspLevel::C);
  const SaoFunctions s = saoFunctionsFor(DspLevel::AVX2);
  if (c.edge == s.edge) return;
  std::printf("\nbenchmark sao (%s vs c), ns/call:\n", s.isa);
  const ptrdiff_t ss = 160;
  std::vector<Pel> src(ss * 136), org(ss * 136), dst(ss * 136);
  fillPel(src, 0, 1023, 0);
  fillPel(org, 0, 1023, 0);
  const int8_t off[5] = {3, 1, 0, -1, -3};
  int64_t sum[5], cnt[5];
  for (int sz : {32, 64, 128}) {
    const double tc = nsPerCall([&] { c.edge(dst.data() + ss + 1, ss, src.data() + ss + 1, ss, sz, sz, 2, off, 1023); });
    const double ts = nsPerCall([&] { s.edge(dst.data() + ss + 1, ss, src.data() + ss + 1, ss, sz, sz, 2, off, 1023); });
    std::printf("  %-26s %10.1f %10.1f %7.2fx\n", ("saoEdge " + std::to_string(sz)).c_str(), tc, ts, tc / ts);
    const double sc = nsPerCall([&] { c.statsEdge(org.data() + ss + 1, ss, src.data() + ss + 1, ss, sz, sz, 2, sum, cnt); });
    const double sv = nsPerCall([&] { s.statsEdge(org.data() + ss + 1, ss, src.data() + ss + 1, ss, sz, sz, 2, sum, cnt); });
    std::printf("  %-26s %10.1f %10.1f %7.2fx\n", ("saoStatsEdge " + std::to_string(sz)).c_str(), sc, sv, sc / sv);
  }
}

}  // namespace
