// The RDOQ rate model (residual_rate.h) must agree with the real residual writer: with context
// models frozen (no adaptation) and random, distinct states, residualRateFbits() equals the
// BitEstimator's count for codeResidual() exactly, for random level blocks of every TB size, luma
// and chroma. (Any disagreement in a context index, binarisation or the bin budget shows up.)
#include <cstdio>
#include <random>
#include <vector>

#include "cabac/cabac.h"
#include "cabac/context_ids.h"
#include "common/types.h"
#include "encoder/search/rate_tables.h"
#include "encoder/search/residual_rate.h"
#include "syntax/ctu_syntax.h"
#include "test_check.h"

using namespace nnvvc;
using namespace nnvvc::search;


TEST_CASE(modelEqualsResidualWriter) {
  std::mt19937 rng(2024);
  int blocks = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    ContextSet cs;
    cs.init(32, 0);
    for (int i = 0; i < kNumCtx; ++i) {
      cs[i].s0 = uint16_t(rng() % 1024);
      cs[i].s1 = uint16_t(rng() % 16384);
      cs[i].shift0 = cs[i].shift1 = 15;  // update() leaves the state unchanged
    }
    const int log2W = 2 + int(rng() % 5), log2H = 2 + int(rng() % 5);
    const int w = 1 << log2W, h = 1 << log2H;
    const int cIdx = (log2W <= 5 && log2H <= 5) ? int(rng() % 3) : 0;
    std::vector<TCoeff> lv(size_t(w * h), 0);
    // sparse to dense, small to large levels; only the coded (zero-out) region
    const int density = 1 + int(rng() % 100);
    const int maxLevel = (rng() % 4 == 0) ? 3000 : (1 + int(rng() % 12));
    for (int y = 0; y < std::min(h, 32); ++y)
      for (int x = 0; x < std::min(w, 32); ++x)
        if (int(rng() % 100) < density) {
          int v = 1 + int(rng() % unsigned(maxLevel));
          lv[size_t(y * w + x)] = (rng() & 1) ? v : -v;
        }
    bool any = false;
    for (TCoeff v : lv) any |= v != 0;
    if (!any) lv[0] = 1;
    ResidualBitTables t;
    fillResidualTables(cs, cIdx, t);
    // plain and dependent quantisation (QState-dependent sig context sets and ZeroPos)
    for (const bool dq : {false, true}) {
      const uint64_t model = residualRateFbits(lv.data(), log2W, log2H, cIdx == 0, t, false, dq) - t.cbf.bits[1];
      BitEstimator est;
      std::vector<TCoeff> copy = lv;
      const bool ok = codeResidual(est, cs, copy.data(), w, h, cIdx, dq);
      CHECK(ok, "codeResidual rejected a %dx%d block", w, h);
      CHECK(model == est.fracBits(), "%dx%d c%d dq %d density %d max %d: model %llu != writer %llu", w, h, cIdx,
            int(dq), density, maxLevel, (unsigned long long)model, (unsigned long long)est.fracBits());
    }
    ++blocks;
    if (failures > 10) break;
  }
  std::printf("rate model checked on %d blocks\n", blocks);
}

int main(int argc, char** argv) { return runTestCases(argc, argv); }
