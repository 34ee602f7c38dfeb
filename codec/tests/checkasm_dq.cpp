// checkasm part for the dependent-quantisation trellis (encoder/search/dq_trellis_internal.h): the whole trellis
// (dqQuantizeWith) run with the AVX2 inner loop against the plain C++ one on random transform blocks: every coded TB
// shape, luma and chroma, QPs, bit depths and lambdas from "everything zero" to "every coefficient coded" (which
// spends the context-coded bin budget: the dec_abs_level path), smooth, noisy, sparse and extreme coefficients (levels
// past the Rice tables, and at the level cap, which the C loop takes), and the SBT zero-out. Levels, their count and
// J must be identical (J bit for bit). #included by checkasm.cpp after its helpers.
#include "common/types.h"
#include "encoder/search/dq_trellis_internal.h"
#include "encoder/search/rate_tables.h"
#include "encoder/search/rd_cost.h"
#include "syntax/ctu_syntax.h"

namespace {

using nnvvc::search::DqParams;
using nnvvc::search::dq::SubBlockFn;

// Random coefficients of a w x h TB (row-major), in one of several styles.
void fillTbCoefficients(std::vector<TCoeff>& coeff, int w, int h, int bitDepth, int style) {
  const int maxPel = (1 << bitDepth) - 1;
  switch (style) {
    case 0:    // transformed smooth gradient + noise
    case 1: {  // transformed noise of a random amplitude
      std::vector<Pel> resid(size_t(w * h));
      const int amp = style == 0 ? rnd(0, 300) : 0, noise = rnd(0, style == 0 ? 40 : maxPel);
      for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
          resid[size_t(y * w + x)] = Pel(std::clamp(amp * (x - y) / (w + h) + rnd(-noise, noise), -maxPel, maxPel));
      if (w >= 2 && h >= 2 && w <= 64 && h <= 64 && (w >= 4 || bitDepth + nnvvc::log2Int(unsigned(w)) >= 10)) {
        nnvvc::dsp::forwardTransform(resid.data(), w, w, h, bitDepth, coeff.data());
        return;
      }
      for (size_t i = 0; i < coeff.size(); ++i) coeff[i] = resid[i] * 8;  // 1-sample sides: no 2-D transform here
      return;
    }
    case 2:  // sparse spikes
      for (auto& c : coeff) c = rnd(0, 9) ? 0 : rnd(-4000, 4000);
      return;
    case 3:  // extreme: near the 16-bit range (levels past the Rice tables and at the cap at low QPs)
      for (auto& c : coeff) c = rnd(0, 3) ? rnd(-32768, 32767) : (rnd(0, 1) ? 32767 : -32768);
      return;
    default:  // small values around the quantiser's decision points
      for (auto& c : coeff) c = rnd(-64, 64);
      return;
  }
}

// The C inner loop and the best SIMD one the CPU has (equal where it has none).
struct DqLoops {
  SubBlockFn c, s;
  const char* isa = "c";
  DqLoops() {
    c = nnvvc::search::dq::subBlockFunctionFor(DspLevel::C);
    s = nnvvc::search::dq::subBlockFunctionFor(DspLevel::AVX2, &isa);
  }
};

void checkDq() {
  const DqLoops loops;
  const SubBlockFn c = loops.c, s = loops.s;
  const char* isa = loops.isa;
  if (c == s) return;
  std::printf("dq trellis (%s):\n", isa);
  nnvvc::search::ResidualBitTables tables[2][3];
  for (int k = 0; k < 3; ++k) {
    nnvvc::ContextSet cs;
    cs.init(22 + 12 * k, k);  // slice QP and init type
    nnvvc::search::fillResidualTables(cs, 0, tables[0][k]);
    nnvvc::search::fillResidualTables(cs, 1, tables[1][k]);
  }
  const double lambdaScale[] = {0.0, 0.01, 0.3, 1.0, 1.0, 3.0, 100.0};
  long cases = 0, bad = 0, sbtCases = 0;
  std::vector<TCoeff> coeff(64 * 64), l0(64 * 64), l1(64 * 64);
  for (int it = 0; it < 20000; ++it) {
    const bool luma = rnd(0, 2) != 0;
    int lw, lh;
    do {
      lw = rnd(luma ? 0 : 1, luma ? 6 : 5);
      lh = rnd(luma ? 0 : 1, luma ? 6 : 5);
    } while (!nnvvc::tbShapeCoded(lw, lh));
    const int w = 1 << lw, h = 1 << lh, bitDepth = rnd(0, 1) ? 10 : 8;
    const int qp = rnd(0, 63);
    DqParams p;
    p.log2W = lw;
    p.log2H = lh;
    p.isLuma = luma;
    p.qp = qp + 6 * (bitDepth - 8);
    p.bitDepth = bitDepth;
    p.lambda = nnvvc::search::lambdaFromQp(qp, bitDepth) * lambdaScale[rnd(0, 6)] + 1e-3;
    p.tables = &tables[luma ? 0 : 1][rnd(0, 2)];
    // SBT's zero-out: a luma TB with a 32-sample side codes 16 of it
    p.sbtZeroOut = luma && (lw == 5 || lh == 5) && lw <= 5 && lh <= 5 && lw >= 2 && lh >= 2 && rnd(0, 3) == 0;
    sbtCases += p.sbtZeroOut;
    coeff.assign(size_t(w * h), 0);
    fillTbCoefficients(coeff, w, h, bitDepth, rnd(0, 4));
    double j0 = -1, j1 = -2;
    const int n0 = nnvvc::search::dq::dqQuantizeWith(c, coeff.data(), p, l0.data(), &j0);
    const int n1 = nnvvc::search::dq::dqQuantizeWith(s, coeff.data(), p, l1.data(), &j1);
    const bool mismatch = n0 != n1 || std::memcmp(l0.data(), l1.data(), sizeof(TCoeff) * size_t(w * h)) != 0 ||
                          std::memcmp(&j0, &j1, sizeof(double)) != 0;
    if (mismatch && bad < 3)
      std::printf("  mismatch: %s %dx%d qp %d bd %d lambda %g sbt %d: nz %d / %d, J %.17g / %.17g\n",
                  luma ? "luma" : "chroma", w, h, qp, bitDepth, p.lambda, int(p.sbtZeroOut), n0, n1, j0, j1);
    bad += mismatch;
    ++cases;
  }
  report("dqQuantize", isa, cases, bad);
  std::printf("  (%ld of them with the SBT zero-out)\n", sbtCases);
}

void benchDq() {
  const DqLoops loops;
  const SubBlockFn c = loops.c, s = loops.s;
  const char* isa = loops.isa;
  if (c == s) return;
  std::printf("\nbenchmark dq trellis (%s vs c), ns/call:\n", isa);
  nnvvc::ContextSet cs;
  cs.init(32, 2);
  nnvvc::search::ResidualBitTables tab;
  nnvvc::search::fillResidualTables(cs, 0, tab);
  std::vector<TCoeff> lv(64 * 64);
  for (int sz : {4, 8, 16, 32}) {
    // 32 transformed gradient + noise residuals per size (as bench-dq-trellis), timed together
    g_rng.seed(uint32_t(sz));
    std::vector<std::vector<TCoeff>> blocks(32, std::vector<TCoeff>(size_t(sz * sz)));
    for (auto& b : blocks) fillTbCoefficients(b, sz, sz, 10, 0);
    DqParams p;
    p.log2W = p.log2H = nnvvc::log2Int(unsigned(sz));
    p.qp = 27 + 12;
    p.lambda = nnvvc::search::lambdaFromQp(27, 10);
    p.tables = &tab;
    auto run = [&](SubBlockFn f) {
      for (const auto& b : blocks) g_sink += uint64_t(nnvvc::search::dq::dqQuantizeWith(f, b.data(), p, lv.data(), nullptr));
    };
    const double tc = nsPerCall([&] { run(c); }) / 32, ts = nsPerCall([&] { run(s); }) / 32;
    std::printf("  %-26s %10.1f %10.1f %7.2fx\n", ("dqQuantize " + std::to_string(sz) + "x" + std::to_string(sz)).c_str(), tc, ts, tc / ts);
  }
}

}  // namespace
