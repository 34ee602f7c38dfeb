// checkasm: every SIMD dsp function (and the encoder's SIMD trellis loop) against its plain C++ twin on random and extreme inputs over
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

const int kBenchSizes[][2] = {{4, 4}, {8, 8}, {16, 16}, {32, 32}, {64, 64}, {16, 4}};

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

}  // namespace

// One part per dsp module, each with its own table: checkXxx() compares every SIMD level with C,
// benchXxx() times them.
#include "checkasm_dist.cpp"       // distortion and sample helpers: checkDistModule(), benchDistModule()
#include "checkasm_transform.cpp"  // transform stages and whole transforms: checkTransformModule(), ...
#include "checkasm_intra.cpp"      // intra angular filter and transpose: checkIntraModule(), ...
#include "checkasm_mc.cpp"  // mc module (own table): checkMc(), benchMc()
#include "checkasm_sao.cpp"  // SAO kernels (own table): checkSao(), benchSao()
#include "checkasm_alf.cpp"  // ALF luma filter (own table): checkAlf(), benchAlf()
#include "checkasm_bdof.cpp"  // BDOF subblock process (own table): checkBdof(), benchBdof()
#include "checkasm_dmvr.cpp"  // DMVR bilinear and even-row SAD (own table): checkDmvr(), benchDmvr()
#include "checkasm_gpm.cpp"  // GPM blend (own table): checkGpm(), benchGpm()
#include "checkasm_dq.cpp"  // the encoder's DQ trellis inner loop (own selector): checkDq(), benchDq()

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
  std::printf("checkasm: best isa on this CPU: %s\n", distFunctionsFor(DspLevel::AVX2).isa);
  checkDistModule();
  checkTransformModule();
  checkIntraModule();
  checkMc();
  checkSao();
  checkAlf();
  checkBdof();
  checkDmvr();
  checkGpm();
  checkDq();
  if (g_fail) {
    std::printf("checkasm: FAIL (%d function(s) mismatch)\n", g_fail);
    return 1;
  }
  std::printf("checkasm: all SIMD functions match their C twins\n");
  if (doBench) benchDistModule();
  if (doBench) benchTransformModule();
  if (doBench) benchIntraModule();
  if (doBench) benchMc();
  if (doBench) benchSao();
  if (doBench) benchAlf();
  if (doBench) benchBdof();
  if (doBench) benchDmvr();
  if (doBench) benchGpm();
  if (doBench) benchDq();
  return 0;
}
