// checkasm: every SIMD dsp function against its plain C++ twin on random and extreme inputs over
// many sizes, then a micro-benchmark (ns/call, speedup). Exits non-zero on any mismatch.
// Usage: checkasm [--no-bench] [--seed N]
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "../src/dsp/dsp.h"
#include "../src/dsp/dsp_internal.h"

using namespace nnvvc;
using namespace nnvvc::dsp;

namespace {

int g_fail = 0;
std::mt19937 g_rng(1234);

int rnd(int lo, int hi) { return lo + int(g_rng() % uint32_t(hi - lo + 1)); }

void fillPel(std::vector<Pel>& v, int lo, int hi, int mode) {
  for (auto& x : v) {
    switch (mode) {
      case 0: x = Pel(rnd(lo, hi)); break;                 // uniform
      case 1: x = Pel(rnd(0, 1) ? hi : lo); break;         // extremes only
      default: x = Pel(rnd(0, 7) ? (lo + hi) / 2 : hi); break;  // mostly flat with spikes
    }
  }
}

void report(const char* name, const char* isa, long cases, long bad) {
  std::printf("  %-18s %-7s %7ld cases  %s\n", name, isa, cases, bad ? "MISMATCH" : "ok");
  if (bad) ++g_fail;
}

const int kWidths[] = {1, 3, 4, 8, 12, 16, 24, 32, 48, 64, 128};
const int kHeights[] = {1, 2, 4, 8, 16, 32, 64, 128};

void checkDist(const DspFunctions& c, const DspFunctions& s, const char* isa) {
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

void checkAddSub(const DspFunctions& c, const DspFunctions& s, const char* isa) {
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

void checkTranspose(const DspFunctions& c, const DspFunctions& s, const char* isa) {
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

void checkIntraAngular(const DspFunctions& c, const DspFunctions& s, const char* isa) {
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

void checkMatStage(const DspFunctions& c, const DspFunctions& s, const char* isa) {
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
          inverseTransformWith(c, coeff.data(), w, h, bd, rc.data(), w);
          inverseTransformWith(s, coeff.data(), w, h, bd, rs.data(), w);
          fillPel(res, -(1 << bd) + 1, (1 << bd) - 1, it % 3);
          forwardTransformWith(c, res.data(), w, w, h, bd, fc.data());
          forwardTransformWith(s, res.data(), w, w, h, bd, fs.data());
          tcases += 2;
          tbad += !std::equal(rc.begin(), rc.begin() + w * h, rs.begin());
          tbad += !std::equal(fc.begin(), fc.begin() + w * h, fs.begin());
        }
  report("inv/fwd transform", isa, tcases, tbad);
}

// Thread CPU time, not wall time: the build machine is shared, and being descheduled must not
// count against a kernel.
double threadNs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) * 1e9 + double(ts.tv_nsec);
}

double nsPerCall(const std::function<void()>& fn) {
  // Calibrate to ~5 ms per measurement; best of 5.
  long iters = 1;
  for (;;) {
    const double t0 = threadNs();
    for (long i = 0; i < iters; ++i) fn();
    if (threadNs() - t0 > 2e6 || iters > (1L << 24)) break;
    iters *= 4;
  }
  double best = 1e30;
  for (int rep = 0; rep < 5; ++rep) {
    const double t0 = threadNs();
    for (long i = 0; i < iters; ++i) fn();
    best = std::min(best, (threadNs() - t0) / double(iters));
  }
  return best;
}

volatile uint64_t g_sink;

void bench(const DspFunctions& c, const DspFunctions& s, const char* isa) {
  std::printf("\nbenchmark (%s vs c), ns/call:\n", isa);
  std::printf("  %-22s %10s %10s %8s\n", "function", "c", isa, "speedup");
  const ptrdiff_t stride = 128;
  std::vector<Pel> a(stride * 64), b(stride * 64), d(stride * 64);
  fillPel(a, 0, 1023, 0);
  fillPel(b, 0, 1023, 0);
  auto line = [&](const std::string& name, const std::function<void()>& fc,
                  const std::function<void()>& fs) {
    const double tc = nsPerCall(fc), ts = nsPerCall(fs);
    std::printf("  %-22s %10.1f %10.1f %7.2fx\n", name.c_str(), tc, ts, tc / ts);
  };
  const int sizes[][2] = {{4, 4}, {8, 8}, {16, 16}, {32, 32}, {64, 64}, {16, 4}};
  for (auto& sz : sizes) {
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
  if (c.transpose != s.transpose)
    for (int sz : {4, 8, 16, 32, 64})
      line("transpose " + std::to_string(sz) + "x" + std::to_string(sz),
           [&] { c.transpose(a.data(), stride, sz, sz, d.data(), stride); },
           [&] { s.transpose(a.data(), stride, sz, sz, d.data(), stride); });
  if (c.intraAngular != s.intraAngular) {
    std::vector<Pel> ref(400);
    fillPel(ref, 0, 1023, 0);
    for (int sz : {4, 8, 16, 32, 64})
      line("intraAngular " + std::to_string(sz) + "x" + std::to_string(sz),
           [&] { c.intraAngular(ref.data() + 70, 13, sz, sz, 0, 10, d.data(), stride); },
           [&] { s.intraAngular(ref.data() + 70, 13, sz, sz, 0, 10, d.data(), stride); });
  }
  if (c.pairStage != s.pairStage) {
    std::vector<TCoeff> coeff(64 * 64);
    std::vector<Pel> r(64 * 64), res(64 * 64);
    for (auto& v : coeff) v = rnd(-500, 500);
    fillPel(res, -300, 300, 0);
    for (auto& sz : sizes) {
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

#include "checkasm_mc.cpp"  // mc module (own table): checkMc(), benchMc()
#include "checkasm_sao.cpp"  // SAO kernels (own table): checkSao(), benchSao()

int main(int argc, char** argv) {
  bool doBench = true;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--no-bench")) {
      doBench = false;
    } else if (!std::strcmp(argv[i], "--seed") && i + 1 < argc) {
      g_rng.seed(uint32_t(std::strtoul(argv[++i], nullptr, 10)));
    } else {
      std::fprintf(stderr, "checkasm: unknown argument '%s' (use --no-bench, --seed N)\n", argv[i]);
      return 2;
    }
  }
  const DspFunctions cTab = dspFunctionsFor(DspLevel::C);
  const DspFunctions levels[] = {dspFunctionsFor(DspLevel::SSE41), dspFunctionsFor(DspLevel::AVX2)};
  std::printf("checkasm: best isa on this CPU: %s\n", levels[1].isa);
  const char* seen = "c";
  for (const DspFunctions& s : levels) {
    if (!std::strcmp(s.isa, seen)) continue;  // CPU lacks this level (table equals the lower one)
    seen = s.isa;
    std::printf("%s:\n", s.isa);
    checkDist(cTab, s, s.isa);
    checkAddSub(cTab, s, s.isa);
    checkMatStage(cTab, s, s.isa);
    checkIntraAngular(cTab, s, s.isa);
    checkTranspose(cTab, s, s.isa);
  }
  checkMc();
  checkSao();
  if (g_fail) {
    std::printf("checkasm: FAIL (%d function(s) mismatch)\n", g_fail);
    return 1;
  }
  std::printf("checkasm: all SIMD functions match their C twins\n");
  if (doBench)
    for (const DspFunctions& s : levels)
      if (std::strcmp(s.isa, "c")) bench(cTab, s, s.isa);
  if (doBench) benchMc();
  if (doBench) benchSao();
  return 0;
}
