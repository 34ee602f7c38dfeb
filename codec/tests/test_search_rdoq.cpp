// RDOQ tests: on random blocks and random context states, RDOQ's levels never cost more (J = D +
// lambda * R with the exact residual rate model) than the plain quantiser's, and are deterministic.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "common/types.h"
#include "dsp/dsp.h"
#include "encoder/search/rd_cost.h"
#include "encoder/search/rdoq.h"
#include "encoder/search/residual_rate.h"
#include "test_check.h"

using namespace nnvvc;
using namespace nnvvc::search;


// Bin costs of a context with probability p of a 1 (fbits).
static BinCost binCost(double p1) {
  BinCost b;
  b.bits[1] = uint32_t(-std::log2(p1) * kFbitsOne + 0.5);
  b.bits[0] = uint32_t(-std::log2(1.0 - p1) * kFbitsOne + 0.5);
  return b;
}

static void randomTables(std::mt19937& rng, ResidualBitTables& t) {
  std::uniform_real_distribution<double> u(0.03, 0.97);
  for (auto& b : t.sig) b = binCost(u(rng));
  for (auto& b : t.gt1) b = binCost(u(rng));
  for (auto& b : t.par) b = binCost(u(rng));
  for (auto& b : t.gt3) b = binCost(u(rng));
  for (auto& b : t.lastX) b = binCost(u(rng));
  for (auto& b : t.lastY) b = binCost(u(rng));
  for (auto& b : t.sbCoded) b = binCost(u(rng));
  t.cbf = binCost(u(rng));
}

// Residual-like block: smooth + noise, at a random amplitude, then the real forward transform.
static void randomCoeffs(std::mt19937& rng, int w, int h, std::vector<TCoeff>& coeff) {
  std::vector<Pel> resid(size_t(w * h));
  std::uniform_int_distribution<int> amp(1, 300);
  const int a = amp(rng), b = amp(rng) / 4;
  std::uniform_int_distribution<int> noise(-b, b);
  const double gx = std::uniform_real_distribution<double>(-1, 1)(rng);
  const double gy = std::uniform_real_distribution<double>(-1, 1)(rng);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      resid[size_t(y * w + x)] = Pel(std::lround(a * (gx * x / w + gy * y / h)) + noise(rng));
  coeff.resize(size_t(w * h));
  dsp::forwardTransform(resid.data(), w, w, h, 10, coeff.data());
}

TEST_CASE(rdoqVersusPlainQuantisation) {
  std::mt19937 rng(12345);
  static RdoqScratch scratch;
  int total = 0, strictlyBetter = 0, coreWorse = 0;
  double sumPlain = 0, sumRdoq = 0;
  const int sizes[][2] = {{4, 4}, {8, 8}, {16, 16}, {32, 32}, {4, 8}, {8, 4}, {16, 4}, {4, 32},
                          {32, 8}, {64, 64}, {64, 16}, {8, 64}, {2, 8}, {8, 2}, {2, 16}};
  for (int iter = 0; iter < 1500; ++iter) {
    const int* sz = sizes[iter % (sizeof(sizes) / sizeof(sizes[0]))];
    const int w = sz[0], h = sz[1];
    if (w < 4 || h < 4) continue;  // forward transform supports 4..64 only; 2xN checked below
    ResidualBitTables t;
    randomTables(rng, t);
    const bool luma = (iter & 1) == 0;
    const int qp = 12 + int(rng() % 40);  // Qp' (incl. QpBdOffset 12)
    std::vector<TCoeff> coeff;
    randomCoeffs(rng, w, h, coeff);
    RdoqParams p;
    p.log2W = log2Int(unsigned(w));
    p.log2H = log2Int(unsigned(h));
    p.isLuma = luma;
    p.lambda = lambdaFromQp(qp - 12, 10) * (luma ? 1.0 : 0.8);
    p.qs = dsp::quantScale(qp, w, h, 10);
    p.tables = &t;
    std::vector<TCoeff> plain(size_t(w * h)), rdoq(size_t(w * h)), rdoq2(size_t(w * h));
    dsp::quant(coeff.data(), w, h, qp, 10, true, plain.data());
    double est = 0;
    rdoQuantize(coeff.data(), p, scratch, rdoq.data(), &est);
    rdoQuantize(coeff.data(), p, scratch, rdoq2.data(), nullptr);
    CHECK(rdoq == rdoq2, "RDOQ not deterministic for %dx%d", w, h);
    // zero-out region and sign checks
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        const TCoeff l = rdoq[size_t(y * w + x)], c = coeff[size_t(y * w + x)];
        if (x >= 32 || y >= 32) CHECK(l == 0, "level outside zero-out region");
        CHECK(l == 0 || (l < 0) == (c < 0), "level sign differs from coefficient");
      }
    const double jPlain = levelsRdCost(coeff.data(), plain.data(), p);
    const double jRdoq = levelsRdCost(coeff.data(), rdoq.data(), p);
    std::vector<TCoeff> guarded(size_t(w * h)), tmp(size_t(w * h));
    double jGuarded = 0;
    rdoQuantizeGuarded(coeff.data(), p, qp, 10, scratch, guarded.data(), tmp.data(), &jGuarded);
    CHECK(std::fabs(jGuarded - levelsRdCost(coeff.data(), guarded.data(), p)) < 1e-6 * (1 + jGuarded),
          "guarded cost does not match its levels");
    ++total;
    sumPlain += jPlain;
    sumRdoq += jRdoq;
    if (jRdoq < jPlain * (1 - 1e-9)) ++strictlyBetter;
    if (jRdoq > jPlain * (1 + 1e-9) + 1e-6) ++coreWorse;
    // The guarded RDOQ (what the encoder uses) never costs more than plain quantisation.
    CHECK(jGuarded <= jPlain * (1 + 1e-9) + 1e-6, "%dx%d %s qp %d: J(rdoq)=%.1f > J(plain)=%.1f",
          w, h, luma ? "luma" : "chroma", qp, jGuarded, jPlain);
  }
  std::printf("rdoq: %d blocks, core RDOQ better on %d, worse on %d; sum J plain %.0f rdoq %.0f (%.2f%%)\n",
              total, strictlyBetter, coreWorse, sumPlain, sumRdoq, 100.0 * (sumRdoq - sumPlain) / sumPlain);
  // The greedy core alone must be a clear net win and rarely lose (random, often extreme contexts).
  CHECK(coreWorse * 20 < total, "core RDOQ worse than plain on %d of %d blocks", coreWorse, total);
  CHECK(sumRdoq < 0.95 * sumPlain, "core RDOQ saves less than 5%% of J in total");
  CHECK(strictlyBetter > total / 4, "RDOQ improved too few blocks (%d of %d)", strictlyBetter, total);
}

// Rate model sanity: a single DC level costs cbf1 + last(0,0) + gt1(0) + sign.
TEST_CASE(dcOnlyRate) {
  std::mt19937 rng(54321);
  {
    ResidualBitTables t;
    randomTables(rng, t);
    std::vector<int32_t> lv(16, 0);
    lv[0] = 1;
    const uint64_t r = residualRateFbits(lv.data(), 2, 2, true, t);
    const uint64_t expect = t.cbf.bits[1] + t.lastX[0].bits[0] + t.lastY[0].bits[0] +
                            t.gt1[0].bits[0] + kFbitsOne;
    CHECK(r == expect, "DC-only rate %llu != %llu", (unsigned long long)r, (unsigned long long)expect);
    lv[0] = 0;
    CHECK(residualRateFbits(lv.data(), 2, 2, true, t) == t.cbf.bits[0], "zero block rate");
  }
}

// remainder binarisation lengths (9.3.3.11): TR prefix with cutoff 5, EGk escape
TEST_CASE(remainderBinarisation) {
  CHECK(remainderBins(0, 0) == 1, "rem(0,0)");
  CHECK(remainderBins(4, 0) == 5, "rem(4,0)");
  CHECK(remainderBins(5, 0) == 6, "rem(5,0) = 5 ones + separator");
  CHECK(remainderBins(9, 1) == 6, "rem(9,1)");
}

// scan: 8x8 first sub-block is the top-left 4x4 in up-right diagonal order
TEST_CASE(scanOrder) {
  {
    const ScanInfo& si = scanInfo(3, 3);
    CHECK(si.numSb == 4 && si.sbSize == 16, "8x8 sub-blocks");
    CHECK(si.rasterOfPos[0] == 0 && si.rasterOfPos[1] == 8 && si.rasterOfPos[2] == 1,
          "diag scan start");
    CHECK(si.sbX[1] == 0 && si.sbY[1] == 1, "second sub-block is below the first");
    const ScanInfo& s2 = scanInfo(1, 3);
    CHECK(s2.log2SbW == 1 && s2.log2SbH == 3 && s2.numSb == 1, "2x8 uses one 2x8 sub-block");
  }
}

int main(int argc, char** argv) { return runTestCases(argc, argv); }
