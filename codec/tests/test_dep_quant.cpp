// Dependent quantisation: the scaling state machine (dsp::dequantDependent), the DQ residual syntax
// (QState-dependent sig contexts and ZeroPos) round trip, and the trellis quantiser's output
// (reconstruction within the quantiser's reach, never worse than cbf = 0, deterministic).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "cabac/cabac.h"
#include "common/types.h"
#include "dsp/dep_quant.h"
#include "dsp/dsp.h"
#include "encoder/search/dq_trellis.h"
#include "encoder/search/rd_cost.h"
#include "encoder/search/rate_tables.h"
#include "syntax/ctu_syntax.h"
#include "cabac_test_util.h"
#include "test_check.h"

using namespace nnvvc;
using namespace nnvvc::search;


// Hand-worked 4x4 example: scan positions 0 (0,0), 1 (0,1), 2 (1,0).
TEST_CASE(stateMachine) {
  const int qp = 37;
  TCoeff lv[16] = {}, out[16], ref[16];
  lv[0] = 1;       // scan 0
  lv[4] = -2;      // (0,1): scan 1
  lv[1] = 1;       // (1,0): scan 2 = last
  dsp::dequantDependent(lv, 4, 4, qp, 10, out);
  // scan 2: QState 0, index 2*1 = 2 -> same as level 1 with qP + 1 (no DQ); QState -> 2
  TCoeff one[16] = {}; one[0] = 1;
  dsp::dequant(one, 4, 4, qp + 1, 10, ref);
  CHECK_EQ(out[1], ref[0]);
  // scan 1: QState 2 (Q1), index -(2*2 - 1) = -3; QState -> 1.  scan 0: QState 1 (Q0), index 2.
  const int bdShift = 10 + 0 + 2 - 5 + 1;
  const int64_t ls = int64_t(16 * 51) << ((qp + 1) / 6);  // levelScale[0][38 % 6 = 2] = 51
  CHECK_EQ(out[4], (int64_t(-3) * ls + (int64_t(1) << (bdShift - 1))) >> bdShift);
  CHECK_EQ(out[0], ref[0]);
  for (int i : {2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}) CHECK_EQ(out[i], 0);
  // an all-even run keeps the state: zeros between do not matter
  TCoeff lv2[16] = {};
  lv2[2] = 2;  // (2,0) scan 5: QState 0, even -> stays 0
  lv2[0] = 1;  // scan 0 still QState 0 (zeros keep 0)
  dsp::dequantDependent(lv2, 4, 4, qp, 10, out);
  CHECK_EQ(out[0], ref[0]);
}

TEST_CASE(syntaxRoundTrip) {
  std::mt19937 rng(7);
  const int sizes[][2] = {{4, 4}, {8, 8}, {16, 4}, {32, 32}, {64, 64}, {2, 8}, {8, 2}, {2, 2}, {64, 16}};
  for (int iter = 0; iter < 60; ++iter) {
    const int w = sizes[iter % 9][0], h = sizes[iter % 9][1];
    const int cIdx = (w < 4 || h < 4) ? 1 : (iter % 3 == 0 ? 2 : 0);
    std::vector<TCoeff> lv(size_t(w * h), 0), back(size_t(w * h), 0);
    const int zw = std::min(w, 32), zh = std::min(h, 32);
    std::uniform_int_distribution<int> dens(0, 99), mag(1, (iter % 4) ? 3 : 40);
    const int density = 5 + (iter * 13) % 90;
    for (int y = 0; y < zh; ++y)
      for (int x = 0; x < zw; ++x)
        if (dens(rng) < density) lv[size_t(y * w + x)] = mag(rng) * ((dens(rng) & 1) ? -1 : 1);
    lv[0] = lv[0] ? lv[0] : 1;
    ContextSet ce, cd;
    ce.init(32, 2);
    cd.init(32, 2);
    ArithEncoder enc;
    enc.start();
    CHECK(codeResidual(enc, ce, lv.data(), w, h, cIdx, true));
    std::vector<uint8_t> bytes = finishBytes(enc);
    ArithDecoder dec;
    dec.start(bytes.data(), bytes.size());
    CHECK(codeResidual(dec, cd, back.data(), w, h, cIdx, true));
    bool same = true;
    for (size_t i = 0; i < lv.size(); ++i) same &= lv[i] == back[i];
    CHECK(same, "DQ residual round trip %dx%d c%d", w, h, cIdx);
    // the DQ syntax differs from the plain one (context sets / ZeroPos) but decodes the same way
    ContextSet cp;
    cp.init(32, 2);
    BitEstimator est;
    CHECK(codeResidual(est, cp, lv.data(), w, h, cIdx, false));
  }
}

// The DQ reconstruction of levels lv lies within 1.5 steps of the qP + 1 quantiser of every coefficient of the
// coded zw x zh region.
static void checkWithinReach(const std::vector<TCoeff>& coeff, const std::vector<TCoeff>& lv, int w, int h, int zw,
                             int zh, int qp) {
  std::vector<TCoeff> rec(size_t(w * h));
  dsp::dequantDependent(lv.data(), w, h, qp, 10, rec.data());
  const dsp::QuantScale qs = dsp::quantScale(qp + 1, w, h, 10);
  const double step = std::ldexp(1.0, qs.qBits) / qs.scale;
  for (int y = 0; y < zh; ++y)
    for (int x = 0; x < zw; ++x) {
      const double e = std::fabs(double(rec[size_t(y * w + x)]) - double(coeff[size_t(y * w + x)]));
      CHECK(e <= 1.5 * step + 2, "recon error %f step %f at %d,%d (%dx%d)", e, step, x, y, w, h);
    }
}

TEST_CASE(trellis) {
  std::mt19937 rng(11);
  ContextSet cs;
  cs.init(32, 2);
  const int sizes[][2] = {{4, 4}, {8, 8}, {16, 16}, {32, 32}, {64, 64}, {32, 8}, {4, 16}, {2, 8}, {8, 2}, {2, 2}};
  for (int iter = 0; iter < 80; ++iter) {
    const int w = sizes[iter % 10][0], h = sizes[iter % 10][1];
    const int cIdx = (w < 4 || h < 4) ? 1 : 0;
    ResidualBitTables t;
    fillResidualTables(cs, cIdx, t);
    std::vector<Pel> resid(size_t(w * h));
    std::uniform_int_distribution<int> amp(0, 400);
    const int a = amp(rng), b = 1 + amp(rng) / 8;
    std::uniform_int_distribution<int> noise(-b, b);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) resid[size_t(y * w + x)] = Pel((a * (x - y)) / (w + h) + noise(rng));
    std::vector<TCoeff> coeff(size_t(w * h)), lv(size_t(w * h)), lv2(size_t(w * h));
    dsp::forwardTransform(resid.data(), w, w, h, 10, coeff.data());
    const int qp = 22 + (iter % 4) * 5 + 12;
    const double lambda = lambdaFromQp(qp - 12, 10);
    DqParams p;
    p.log2W = log2Int(unsigned(w));
    p.log2H = log2Int(unsigned(h));
    p.isLuma = cIdx == 0;
    p.lambda = lambda;
    p.qp = qp;
    p.tables = &t;
    double J = 0, J2 = 0;
    const int nz = dqQuantize(coeff.data(), p, lv.data(), &J);
    const int nz2 = dqQuantize(coeff.data(), p, lv2.data(), &J2);
    CHECK(nz == nz2 && J == J2 && lv == lv2, "deterministic");
    int count = 0;
    for (TCoeff v : lv) count += v != 0;
    CHECK_EQ(count, nz);
    // no level outside the coded 32x32 region
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x)
        if (x >= 32 || y >= 32) CHECK_EQ(lv[size_t(y * w + x)], 0);
    // J never above the cbf = 0 alternative (coded-region distortion + cbf bit)
    const dsp::QuantScale qs = dsp::quantScale(qp + 1, w, h, 10);
    double dZero = 0;
    const int zw = std::min(w, 32), zh = std::min(h, 32);
    for (int y = 0; y < zh; ++y)
      for (int x = 0; x < zw; ++x) {
        const double s = double(std::abs(coeff[size_t(y * w + x)])) * qs.scale;
        dZero += s * s * qs.errScale;
      }
    CHECK(J <= dZero + lambda * t.cbf.bits[0] / kFbitsOne + 1e-6, "J %f vs zero %f", J, dZero);
    if (!nz) continue;
    checkWithinReach(coeff, lv, w, h, zw, zh, qp);
    // the levels code with the DQ syntax and parse back
    ContextSet ce = cs, cd = cs;
    ArithEncoder enc;
    enc.start();
    CHECK(codeResidual(enc, ce, lv.data(), w, h, cIdx, true));
    std::vector<uint8_t> bytes = finishBytes(enc);
    ArithDecoder dec;
    dec.start(bytes.data(), bytes.size());
    std::vector<TCoeff> back(size_t(w * h));
    CHECK(codeResidual(dec, cd, back.data(), w, h, cIdx, true));
    CHECK(back == lv);
  }
}


// SBT's zero-out (DqParams::sbtZeroOut): a luma TB with a 32-sample side whose other side is below 64 codes only 16
// of that side. The trellis keeps its levels inside that region, the levels code and parse back with the zero-out
// syntax, and the dequantisation (whose walk over the whole TB's scan meets only whole zero sub-blocks outside the
// region: even runs of zeros, which keep every QState) reconstructs every coefficient of the region within the
// quantiser's reach.
TEST_CASE(trellisSbtZeroOut) {
  std::mt19937 rng(23);
  ContextSet cs;
  cs.init(32, 2);
  ResidualBitTables t;
  fillResidualTables(cs, 0, t);
  const int sizes[][2] = {{32, 8}, {32, 16}, {32, 32}, {16, 32}, {8, 32}, {32, 4}, {4, 32}, {64, 32}, {16, 16}};
  int regionSmaller = 0;
  for (int iter = 0; iter < 72; ++iter) {
    const int w = sizes[iter % 9][0], h = sizes[iter % 9][1];
    const int lw = log2Int(unsigned(w)), lh = log2Int(unsigned(h));
    const int zw = 1 << log2ZeroOutSide(lw, lh, true), zh = 1 << log2ZeroOutSide(lh, lw, true);
    regionSmaller += zw < std::min(w, 32) || zh < std::min(h, 32);
    std::vector<TCoeff> coeff(size_t(w * h)), lv(size_t(w * h));
    std::uniform_int_distribution<int> mag(0, 600 + 80 * (iter % 7));
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) coeff[size_t(y * w + x)] = (mag(rng) * 4) / (1 + (x + y) / 4) * ((x ^ y) & 1 ? -1 : 1);
    const int qp = 22 + (iter % 4) * 5 + 12;
    DqParams p;
    p.log2W = lw;
    p.log2H = lh;
    p.lambda = lambdaFromQp(qp - 12, 10);
    p.qp = qp;
    p.tables = &t;
    p.sbtZeroOut = true;
    double J = 0;
    const int nz = dqQuantize(coeff.data(), p, lv.data(), &J);
    int count = 0;
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        count += lv[size_t(y * w + x)] != 0;
        if (x >= zw || y >= zh) CHECK_EQ(lv[size_t(y * w + x)], 0);
      }
    CHECK_EQ(count, nz);
    const dsp::QuantScale qs = dsp::quantScale(qp + 1, w, h, 10);
    double dZero = 0;
    for (int y = 0; y < std::min(h, 32); ++y)
      for (int x = 0; x < std::min(w, 32); ++x) {
        const double v = double(std::abs(coeff[size_t(y * w + x)])) * qs.scale;
        dZero += v * v * qs.errScale;
      }
    CHECK(J <= dZero + p.lambda * t.cbf.bits[0] / kFbitsOne + 1e-6, "J %f vs zero %f", J, dZero);
    if (!nz) continue;
    ContextSet ce = cs, cd = cs;
    ArithEncoder enc;
    enc.start();
    CHECK(codeResidual(enc, ce, lv.data(), w, h, 0, true, false, nullptr, true));
    std::vector<uint8_t> bytes = finishBytes(enc);
    ArithDecoder dec;
    dec.start(bytes.data(), bytes.size());
    std::vector<TCoeff> back(size_t(w * h));
    CHECK(codeResidual(dec, cd, back.data(), w, h, 0, true, false, nullptr, true));
    CHECK(back == lv);
    checkWithinReach(coeff, lv, w, h, zw, zh, qp);
  }
  std::printf("SBT zero-out: %d of 72 blocks with a smaller coded region\n", regionSmaller);
  CHECK(regionSmaller >= 40);
}


namespace {

// J of given levels as the trellis models it: SSE in the transform domain (half steps of the qP + 1
// quantiser, the QState walk picking Q0 / Q1) + lambda * residualRateFbits (exact residual_coding()
// bins with the context states of the tables, dependent quantisation on, cbf included).
double modelJ(const TCoeff* coeff, const TCoeff* lv, const DqParams& p) {
  const ScanInfo& si = scanInfo(p.log2W, p.log2H);
  const dsp::QuantScale qs = dsp::quantScale(p.qp + 1, 1 << p.log2W, 1 << p.log2H, p.bitDepth);
  const double half = std::ldexp(1.0, qs.qBits - 1);
  int last = si.numPos() - 1;
  while (last >= 0 && lv[si.rasterOfPos[last]] == 0) --last;
  double d = 0;
  int state = 0;
  for (int pos = si.numPos() - 1; pos >= 0; --pos) {
    const int r = si.rasterOfPos[pos];
    const double a = double(std::abs(coeff[r])) * qs.scale;
    const int k = std::abs(lv[r]);
    const double rec = k ? double(2 * k - (state > 1 ? 1 : 0)) * half : 0.0;
    d += (a - rec) * (a - rec) * qs.errScale;
    if (pos <= last) state = dsp::kDepQuantStateTrans[state][k & 1];
  }
  const uint64_t bits = residualRateFbits(lv, p.log2W, p.log2H, p.isLuma, *p.tables, false, true);
  return d + p.lambda * double(bits) / kFbitsOne;
}

// Plain dependent quantisation: along the scan, each coefficient takes the level of its QState's
// quantiser nearest to it (no rate term).
void plainDq(const TCoeff* coeff, const DqParams& p, TCoeff* lv) {
  const ScanInfo& si = scanInfo(p.log2W, p.log2H);
  const int n = 1 << (p.log2W + p.log2H);
  std::fill(lv, lv + n, 0);
  const dsp::QuantScale qs = dsp::quantScale(p.qp + 1, 1 << p.log2W, 1 << p.log2H, p.bitDepth);
  const double half = std::ldexp(1.0, qs.qBits - 1);
  int state = 0;
  bool started = false;
  for (int pos = si.numPos() - 1; pos >= 0; --pos) {
    const int r = si.rasterOfPos[pos];
    const double u = double(std::abs(coeff[r])) * qs.scale / half;  // in half steps
    int k;
    if (state < 2) k = int(std::floor(u / 2 + 0.5));
    else k = u < 0.5 ? 0 : int(std::floor((u + 1) / 2 + 0.5)) ;
    if (state >= 2 && k > 0 && std::fabs(u - (2 * k - 1)) > std::fabs(u)) k = 0;
    if (!started && state == 0 && k == 0) continue;
    started = true;
    lv[r] = coeff[r] < 0 ? -k : k;
    state = dsp::kDepQuantStateTrans[state][k & 1];
  }
}

}  // namespace

// The trellis' own J is the exact J of its levels (residual_coding()'s bins with the snapshot
// contexts; residualRateFbits equals the writer, test_search_rate_model), no single level moved by
// +-1 (which also moves the QState path after it) lowers it, and plain DQ quantisation beats it
// only rarely and narrowly (contexts adapted away from their initial states by coded blocks).
TEST_CASE(trellisExactCost) {
  std::mt19937 rng(5);
  const int sizes[][2] = {{4, 4}, {8, 8}, {16, 16}, {32, 32}, {8, 4}, {4, 16}, {16, 8}, {2, 8}, {8, 2}, {2, 2}, {64, 16}};
  int worsePlain = 0, worseMove = 0, mismatch = 0, total = 0, moves = 0;
  double worstPlain = 0;
  for (int iter = 0; iter < 400; ++iter) {
    const int w = sizes[iter % 11][0], h = sizes[iter % 11][1];
    const int cIdx = (w < 4 || h < 4) ? 1 : (iter % 5 == 0 ? 2 : 0);
    ContextSet cs;
    cs.init(22 + iter % 20, iter % 3);
    // adapt the contexts away from their initial states with a few coded random blocks
    for (int k = 0; k < iter % 4; ++k) {
      std::vector<TCoeff> junk(size_t(w * h), 0);
      std::uniform_int_distribution<int> dj(0, 9);
      for (int y = 0; y < std::min(h, 32); ++y)
        for (int x = 0; x < std::min(w, 32); ++x) junk[size_t(y * w + x)] = dj(rng) < 3 ? dj(rng) - 4 : 0;
      junk[0] = 1;
      BitEstimator e;
      codeResidual(e, cs, junk.data(), w, h, cIdx, true);
    }
    ResidualBitTables t;
    fillResidualTables(cs, cIdx, t);
    std::vector<Pel> resid(size_t(w * h));
    std::uniform_int_distribution<int> amp(0, 300);
    const int a = amp(rng), b = 1 + amp(rng) / 6;
    std::uniform_int_distribution<int> noise(-b, b);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) resid[size_t(y * w + x)] = Pel((a * (x - y)) / (w + h) + noise(rng));
    std::vector<TCoeff> coeff(size_t(w * h)), lv(size_t(w * h)), alt(size_t(w * h));
    dsp::forwardTransform(resid.data(), w, w, h, 10, coeff.data());
    const int qp = 22 + (iter % 4) * 5 + 12;
    DqParams p;
    p.log2W = log2Int(unsigned(w));
    p.log2H = log2Int(unsigned(h));
    p.isLuma = cIdx == 0;
    p.lambda = lambdaFromQp(qp - 12, 10) * (cIdx ? 0.8 : 1.0);
    p.qp = qp;
    p.tables = &t;
    double J = 0;
    dqQuantize(coeff.data(), p, lv.data(), &J);
    const double Jm = modelJ(coeff.data(), lv.data(), p);
    ++total;
    if (std::fabs(J - Jm) > 1e-6 * std::max(1.0, Jm)) {
      ++mismatch;
      if (mismatch < 6) std::printf("mismatch %dx%d c%d qp %d: trellis J %.3f model J %.3f\n", w, h, cIdx, qp, J, Jm);
    }
    plainDq(coeff.data(), p, alt.data());
    const double Jp = modelJ(coeff.data(), alt.data(), p);
    if (Jp < Jm - 1e-6 * Jm) {
      ++worsePlain;
      worstPlain = std::max(worstPlain, (Jm - Jp) / Jm);
    }
    const ScanInfo& si = scanInfo(p.log2W, p.log2H);
    for (int pos = 0; pos < si.numPos(); ++pos) {
      const int r = si.rasterOfPos[pos];
      for (int dlt : {-1, 1}) {
        alt = lv;
        const int k = std::abs(lv[r]) + dlt;
        if (k < 0) continue;
        alt[r] = coeff[r] < 0 ? -k : k;
        ++moves;
        const double Ja = modelJ(coeff.data(), alt.data(), p);
        if (Ja < Jm - 1e-9 * Jm) {
          ++worseMove;
          CHECK(false, "%dx%d c%d qp %d: level %d -> %d at scan %d lowers J %.2f -> %.2f", w, h, cIdx, qp,
                std::abs(lv[r]), k, pos, Jm, Ja);
        }
      }
    }
  }
  std::printf("blocks %d: model mismatch %d, plain DQ better %d (worst by %.2f%% of J), single +-1 moves better %d of %d\n",
              total, mismatch, worsePlain, 100 * worstPlain, worseMove, moves);
  CHECK_EQ(mismatch, 0);
  CHECK_EQ(worseMove, 0);
  // The survivor of each QState carries its own context template and bin budget, so the Viterbi
  // search is not exact where paths merge: plain DQ may win rarely and narrowly.
  CHECK(worsePlain * 100 <= total, "plain DQ better in %d of %d blocks", worsePlain, total);
  CHECK(worstPlain < 0.02, "plain DQ better by %.2f%% of J", 100 * worstPlain);
}

int main(int argc, char** argv) { return runTestCases(argc, argv); }
