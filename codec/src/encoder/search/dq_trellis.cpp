// Dependent-quantisation trellis (see dq_trellis.h). Written from H.266 7.3.11.11 (QState,
// residual syntax), 8.7.3 (scaling with qP + 1) and 9.3.4.2.x (context selection).
#include "encoder/search/dq_trellis.h"
#include "encoder/search/dq_trellis_internal.h"

#include "common/types.h"

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "dsp/dep_quant.h"
#include "dsp/dsp.h"

namespace nnvvc {
namespace search {
namespace dq {

int remBinsOf(int64_t v, int k) {
  const int32_t* tab = remBinsTable();
  return v < 128 ? tab[k * 128 + int(v)] : remainderBins(uint32_t(v), k);
}

const int32_t* remBinsTable() {
  static const struct Table {
    int32_t bins[4 * 128];
    Table() {
      for (int k = 0; k < 4; ++k)
        for (int v = 0; v < 128; ++v) bins[k * 128 + v] = remainderBins(uint32_t(v), k);
    }
  } table;
  return table.bins;
}

namespace {

static_assert(dsp::kDepQuantStateTrans[0][0] == 0 && dsp::kDepQuantStateTrans[0][1] == 2 &&
                  dsp::kDepQuantStateTrans[1][0] == 2 && dsp::kDepQuantStateTrans[1][1] == 0 &&
                  dsp::kDepQuantStateTrans[2][0] == 1 && dsp::kDepQuantStateTrans[2][1] == 3 &&
                  dsp::kDepQuantStateTrans[3][0] == 3 && dsp::kDepQuantStateTrans[3][1] == 1,
              "the destination picks of the inner loops follow QStateTransTable");

// A level choice at one position: J of the path so far, |level|, context-coded bins it used.
struct Choice {
  double cost;
  int64_t level;
  int bins;
};

}  // namespace

// The plain C++ inner loop (the reference of the SIMD ones).
void subBlockPositions_c(SubBlockJob& job, States*& stRef, States*& nxRef) {
  // (the job's fields in locals: the stores below could alias them)
  const bool luma = job.luma, sigInferable = job.sigInferable;
  const int64_t halfStep = job.halfStep;
  const int qBits = job.qBits, base = job.base, firstN = job.firstN, maxBins = job.maxBins;
  const double binC = job.binC, errScale = job.errScale, startC = job.startC;
  const double(*lvlC)[6] = job.lvlC;
  const double(*sigC)[12][2] = job.sigC;
  const int64_t* absScaled = job.absScaled;
  const uint8_t *xOfPos = job.xOfPos, *yOfPos = job.yOfPos;
  const int8_t(*inNb)[5] = job.inNb;
  const uint32_t* outSum = job.outSum;
  const double *lastCX = job.lastCX, *lastCY = job.lastCY;
  Decision(*dec)[4] = job.dec;
  double preStart = job.preStart, sbZeroD = 0;
  States *st = stRef, *nx = nxRef;
  auto dist = [&](int64_t a, int64_t r) { return quantError(a, r, halfStep, errScale); };
  for (int n = firstN; n >= 0; --n) {
    const int pos = base + n;
    const int64_t a = absScaled[pos];
    const double d0 = dist(a, 0);
    const int x = xOfPos[pos], y = yOfPos[pos], dg = x + y;
    const int sigDiag = sigCtxDiag(luma, dg), offDiag = levelCtxDiag(luma, dg);
    // the two levels of each quantiser nearest to the coefficient (level 1 even for a tiny one: an
    // odd level steers the QState path, and a cheap sig_coeff_flag = 1 may pay), with their distortion
    const int64_t k0 = a >> qBits;               // Q0: largest k with 2k <= q
    const int64_t k1 = (a + halfStep) >> qBits;  // Q1: largest k with 2k - 1 <= q
    int64_t candK[2][2];
    double candD[2][2];
    int numC[2];
    for (int qz = 0; qz < 2; ++qz) {
      const int64_t kb = qz ? k1 : k0;
      int c = 0;
      if (kb > 0) candK[qz][c++] = std::min<int64_t>(kb, kMaxLevel);
      candK[qz][c++] = std::min<int64_t>(kb + 1, kMaxLevel);
      numC[qz] = c;
      for (int j = 0; j < c; ++j) candD[qz][j] = dist(a, qz ? 2 * candK[qz][j] - 1 : 2 * candK[qz][j]);
    }
    // Per source state the cheapest even level (zero first) and the cheapest odd level: the two lead
    // to different states (QStateTransTable), and each destination state has exactly two sources,
    // (state, parity) pairs, plus the path starting here for states 0 and 2. Selecting in the order
    // of one list over states 0..3 and the start (ties: the earlier) keeps the search's decisions
    // those of offering every level in turn, with fewer, mostly branch-free comparisons.
    Choice ev[5], od[5];  // [4]: the path starting here
    for (int q = 0; q < 4; ++q) {
      ev[q].cost = od[q].cost = kInf;
      if (st->cost[q] >= kInf) continue;
      const double cost = st->cost[q];
      const int origin = st->origin[q];
      uint32_t t5 = outSum[(origin >= 0 ? origin : 4) * 16 + n];
      for (int j = 0; j < 5; ++j) t5 += kTemplateTerm.v[st->cur[inNb[n][j]][q]];
      const int sum1 = int(t5 & 0xff), numSig = int((t5 >> 8) & 0xff), sumAbs = int(t5 >> 16);
      const bool inferred = n == 0 && origin >= 0 && sigInferable && !st->anySig[q];  // sig inferred 1
      const int qz = q > 1;
      const int nc = numC[qz];
      if (st->remBins[q] >= 4) {  // regular (context-coded) pass
        const double* sig = sigC[std::max(0, q - 1)][std::min((sum1 + 1) >> 1, 3) + sigDiag];
        const int off = std::min(sum1 - numSig, 4) + offDiag;
        const int rice = riceParamFromSum(sumAbs - 20);
        if (!inferred) ev[q] = Choice{cost + d0 + sig[0], 0, 1};
        const double sigOne = inferred ? 0.0 : sig[1];
        const int sigBin = inferred ? 0 : 1;
        for (int j = 0; j < nc; ++j) {
          const int64_t k = candK[qz][j];
          Choice& c = (k & 1) ? od[q] : ev[q];
          const double cj = cost + candD[qz][j] + (sigOne + levelCost(lvlC, binC, off, k, rice));
          if (cj < c.cost) c = Choice{cj, k, sigBin + (k > 1 ? 3 : 1)};
        }
      } else {  // dec_abs_level (9.3.3.11 with ZeroPos)
        const int rice = riceParamFromSum(sumAbs);
        const int64_t zeroPos = int64_t(qz ? 2 : 1) << rice;
        if (!inferred) ev[q] = Choice{cost + d0 + binC * double(remBinsOf(zeroPos, rice)), 0, 0};
        for (int j = 0; j < nc; ++j) {
          const int64_t k = candK[qz][j];
          const int64_t v = k <= zeroPos ? k - 1 : k;
          Choice& c = (k & 1) ? od[q] : ev[q];
          const double cj = cost + candD[qz][j] + binC * double(remBinsOf(v, rice) + 1);
          if (cj < c.cost) c = Choice{cj, k, 0};
        }
      }
    }
    // a path starting here: this is the last significant position, QState 0 (quantiser Q0)
    ev[4].cost = od[4].cost = kInf;
    if (a > halfStep) {
      const double lastC = startC + lastCX[x] + lastCY[y];
      for (int j = 0; j < numC[0]; ++j) {
        const int64_t k = candK[0][j];
        Choice& c = (k & 1) ? od[4] : ev[4];
        const double cj = preStart + candD[0][j] + (lastC + levelCost(lvlC, binC, 0, k, 0));
        if (cj < c.cost) c = Choice{cj, k, k > 1 ? 3 : 1};
      }
    }
    // destination <- sources (QStateTransTable: 0 -> {0, 2}, 1 -> {2, 0}, 2 -> {1, 3}, 3 -> {3, 1})
    double dCost[4];
    int dPrev[4], dBins[4];
    int64_t dLevel[4];
    auto take = [&](int ns, const Choice& c, int prev) {
      dCost[ns] = c.cost;
      dPrev[ns] = prev;
      dLevel[ns] = c.level;
      dBins[ns] = c.bins;
    };
    auto consider = [&](int ns, const Choice& c, int prev) {
      if (c.cost < dCost[ns]) take(ns, c, prev);
    };
    take(0, ev[0], 0); consider(0, od[1], 1); consider(0, ev[4], -1);
    take(2, od[0], 0); consider(2, ev[1], 1); consider(2, od[4], -1);
    take(1, ev[2], 2); consider(1, od[3], 3);
    take(3, od[2], 2); consider(3, ev[3], 3);
    for (int ns = 0; ns < 4; ++ns) {
      if (dCost[ns] >= kInf) {
        nx->cost[ns] = kInf;
        continue;
      }
      const int64_t k = dLevel[ns];
      const int p = dPrev[ns];
      if (p >= 0) {
        nx->remBins[ns] = st->remBins[p] - dBins[ns];
        nx->origin[ns] = st->origin[p];
        nx->anySig[ns] = st->anySig[p] | (k != 0);
        nx->codedMask[ns] = st->codedMask[p];
        for (int r = n + 1; r <= firstN; ++r) nx->cur[r][ns] = st->cur[r][p];  // (rows up to n: zero)
      } else {
        nx->remBins[ns] = maxBins - dBins[ns];
        nx->origin[ns] = -1;
        nx->anySig[ns] = 1;
        nx->codedMask[ns] = 0;
        for (int r = n + 1; r <= firstN; ++r) nx->cur[r][ns] = 0;
      }
      nx->cost[ns] = dCost[ns];
      nx->cur[n][ns] = uint8_t(std::min<int64_t>(k, 255));
      dec[pos][ns] = Decision{int32_t(k), int8_t(p)};
    }
    preStart += d0;
    sbZeroD += d0;
    std::swap(st, nx);
  }
  job.preStart = preStart;
  job.sbZeroD = sbZeroD;
  stRef = st;
  nxRef = nx;
}

SubBlockFn subBlockFunctionFor(dsp::DspLevel maxLevel, const char** isa) {
  SubBlockFn f = subBlockPositions_c;
  const char* name = "c";
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (maxLevel >= dsp::DspLevel::AVX2 && __builtin_cpu_supports("avx2")) {
    f = subBlockPositions_avx2;
    name = "avx2";
  }
#else
  (void)maxLevel;
#endif
  if (isa) *isa = name;
  return f;
}

namespace {

struct Scratch {
  int64_t absScaled[kMaxPos];
  // |levels| of the sub-blocks before the current one by scan position, per state: pool[arrOf[state]] (a
  // pool, so that a state continuing its own path keeps its array without copying)
  uint8_t pool[8][kMaxPos];
  Decision dec[kMaxPos][4];
  uint8_t sbZero[64][4];           // state at a sub-block's end took the all-zero sub-block
  uint32_t outSum[5][16];          // SubBlockJob::outSum
  States states[3];                // survivors before / after a position, and at the sub-block's start
};
thread_local Scratch tScratch;

// Template neighbours (9.3.4.2.6/7: (x+1,y) (x+2,y) (x+1,y+1) (x,y+1) (x,y+2) inside the coded
// region) of each scan position of a TB size: inside its sub-block as indices in the sub-block's scan
// (the same for every sub-block), outside it as scan positions (the path arrays are in scan order).
struct NbTables {
  int8_t inNb[16][5];  // padded with 16 (a neighbour that is always zero)
  int16_t outNb[kMaxPos][5];
  int8_t numOut[kMaxPos];
  int16_t sbIdxOf[64];  // sub-block scan index by sub-block raster index
};
const NbTables& nbTables(int log2W, int log2H) {
  static const std::vector<NbTables> all = [] {
    std::vector<NbTables> v(7 * 7);
    for (int lw = 0; lw <= 6; ++lw)
      for (int lh = 0; lh <= 6; ++lh) {
        if (!tbShapeCoded(lw, lh)) continue;
        const ScanInfo& si = scanInfo(lw, lh);
        NbTables& t = v[size_t(lw * 7 + lh)];
        const int zoW = 1 << si.log2ZoW, zoH = 1 << si.log2ZoH;
        const int sbW = 1 << si.log2SbW, sbH = 1 << si.log2SbH, sbCols = zoW >> si.log2SbW;
        for (int i = 0; i < si.numSb; ++i) t.sbIdxOf[si.sbY[i] * sbCols + si.sbX[i]] = int16_t(i);
        int inSbIdx[16];
        for (int n = 0; n < si.sbSize; ++n) inSbIdx[(si.yOfPos[n] << si.log2SbW) + si.xOfPos[n]] = n;
        static constexpr int kDx[5] = {1, 2, 1, 0, 0}, kDy[5] = {0, 0, 1, 1, 2};
        for (int n = 0; n < si.sbSize; ++n) {
          int num = 0;
          for (int j = 0; j < 5; ++j) {
            const int nx = si.xOfPos[n] + kDx[j], ny = si.yOfPos[n] + kDy[j];
            if (nx < sbW && ny < sbH) t.inNb[n][num++] = int8_t(inSbIdx[(ny << si.log2SbW) + nx]);
          }
          while (num < 5) t.inNb[n][num++] = 16;
        }
        std::vector<int16_t> posOf(size_t(zoW * zoH));
        for (int pos = 0; pos < si.numPos(); ++pos) posOf[size_t(si.yOfPos[pos] * zoW + si.xOfPos[pos])] = int16_t(pos);
        for (int pos = 0; pos < si.numPos(); ++pos) {
          const int x = si.xOfPos[pos], y = si.yOfPos[pos];
          t.numOut[pos] = 0;
          for (int j = 0; j < 5; ++j) {
            const int nx = x + kDx[j], ny = y + kDy[j];
            const bool inSb = (nx >> si.log2SbW) == (x >> si.log2SbW) && (ny >> si.log2SbH) == (y >> si.log2SbH);
            if (nx < zoW && ny < zoH && !inSb) t.outNb[pos][t.numOut[pos]++] = posOf[size_t(ny * zoW + nx)];
          }
        }
      }
    return v;
  }();
  return all[size_t(log2W * 7 + log2H)];
}

struct CostCache {
  ResidualBitTables tab;
  double lambda = -1;
  bool luma = true;
  double lvlC[21][6], sigC[3][12][2];
  double lastC[2][8][32];  // [x / y][log2 side 0..6, or 7 for a 32-sample side coding 16 (SBT)][coordinate]
  uint8_t lastValid[2] = {0, 0};  // bit log2 side: lastC filled
};
// One cache per channel type: the search alternates luma and chroma TBs (and Cb / Cr, whose tables differ only in
// the cbf and sb_coded_flag entries, which the trellis reads directly), so one entry would be rebuilt at nearly
// every call.
thread_local CostCache tCostCache[2];
// The part of the tables the cache is built from (all but sbCoded and cbf, the last members).
constexpr size_t kCachedTableBytes = offsetof(ResidualBitTables, sbCoded);
static_assert(offsetof(ResidualBitTables, cbf) > offsetof(ResidualBitTables, sbCoded) &&
                  offsetof(ResidualBitTables, cbf) + sizeof(BinCost) == sizeof(ResidualBitTables),
              "sbCoded and cbf are the last members of ResidualBitTables");

}  // namespace
}  // namespace dq

using namespace dq;

int dqQuantize(const TCoeff* coeff, const DqParams& p, TCoeff* levels, double* estCost) {
  static const SubBlockFn loop = subBlockFunctionFor(dsp::dspLevelFromEnv());
  return dqQuantizeWith(loop, coeff, p, levels, estCost);
}

int dq::dqQuantizeWith(SubBlockFn loop, const TCoeff* coeff, const DqParams& p, TCoeff* levels, double* estCost) {
  if (p.sbtZeroOut) {
    // SBT zero-out: quantise the coded region as a TB of its own (same scan, contexts and bin budget), with the
    // scale and last-position contexts of the whole TB
    const int zw = log2ZeroOutSide(p.log2W, p.log2H, true), zh = log2ZeroOutSide(p.log2H, p.log2W, true);
    DqParams q = p;
    q.sbtZeroOut = false;
    if (zw == std::min(p.log2W, 5) && zh == std::min(p.log2H, 5)) return dqQuantizeWith(loop, coeff, q, levels, estCost);
    const int W = 1 << p.log2W, H = 1 << p.log2H, cw = 1 << zw, ch = 1 << zh;
    alignas(32) TCoeff region[32 * 32], regionLevels[32 * 32];
    for (int y = 0; y < ch; ++y) std::memcpy(region + y * cw, coeff + y * W, sizeof(TCoeff) * size_t(cw));
    q.log2W = zw;
    q.log2H = zh;
    q.tbLog2W = p.log2W;
    q.tbLog2H = p.log2H;
    const int nz = dqQuantizeWith(loop, region, q, regionLevels, estCost);
    std::memset(levels, 0, sizeof(TCoeff) * size_t(W) * size_t(H));
    for (int y = 0; y < ch; ++y) std::memcpy(levels + y * W, regionLevels + y * cw, sizeof(TCoeff) * size_t(cw));
    if (estCost) {  // the coefficients outside the region are lost
      const dsp::QuantScale qs = dsp::quantScale(p.qp + 1, W, H, p.bitDepth);
      for (int y = 0; y < H; ++y)
        for (int x = y < ch ? cw : 0; x < W; ++x) {
          const double d = double(int64_t(std::abs(coeff[y * W + x])) * qs.scale);
          *estCost += d * d * qs.errScale;
        }
    }
    return nz;
  }
  const ResidualBitTables& t = *p.tables;
  const ScanInfo& si = scanInfo(p.log2W, p.log2H);
  const int W = 1 << p.log2W, H = 1 << p.log2H;
  std::memset(levels, 0, sizeof(TCoeff) * size_t(W) * size_t(H));
  // The decoder scales index k in quantiser Q0 to 2k, in Q1 to 2k - sgn(k), both in half steps of
  // the qP + 1 quantiser: work in those half steps.
  const int tbLog2W = p.tbLog2W ? p.tbLog2W : p.log2W, tbLog2H = p.tbLog2H ? p.tbLog2H : p.log2H;
  const dsp::QuantScale qs = dsp::quantScale(p.qp + 1, 1 << tbLog2W, 1 << tbLog2H, p.bitDepth);
  const int64_t halfStep = int64_t(1) << (qs.qBits - 1);
  const double lamBit = p.lambda / double(kFbitsOne);
  auto dist = [&](int64_t a, int64_t r) { return quantError(a, r, halfStep, qs.errScale); };
  Scratch& s = tScratch;
  const int numPos = si.numPos(), sbSize = si.sbSize;
  // last scan position that may hold the last significant level: a level 1 of Q0 (two half
  // steps) beats zero in distortion only above one half step
  int lastCand = numPos - 1;
  double tailD = 0;  // distortion of the positions after it (zero in every path; only for estCost)
  for (; lastCand >= 0; --lastCand) {
    const int64_t a = int64_t(std::abs(coeff[si.rasterOfPos[lastCand]])) * qs.scale;
    if (a > halfStep) break;
    if (estCost) tailD += dist(a, 0);
  }
  int64_t maxA = 0;
  for (int pos = 0; pos <= lastCand; ++pos) {
    s.absScaled[pos] = int64_t(std::abs(coeff[si.rasterOfPos[pos]])) * qs.scale;
    maxA = std::max(maxA, s.absScaled[pos]);
  }
  if (lastCand < 0) {
    if (estCost) *estCost = tailD + lamBit * t.cbf.bits[0];
    return 0;
  }
  const bool luma = p.isLuma;
  const int zoW = 1 << si.log2ZoW, zoH = 1 << si.log2ZoH;
  const int lastSb = lastCand / sbSize;
  const int sbCols = zoW >> si.log2SbW, sbRows = zoH >> si.log2SbH;
  const NbTables& nbt = nbTables(p.log2W, p.log2H);
  const int16_t* sbIdxOf = nbt.sbIdxOf;
  // lambda-weighted bin costs (J units), kept while the tables and lambda stay (the search quantises
  // many TBs with one snapshot): level bins (gt1 / par / gt3 and the sign) by ctxOffset for k = 1, 2,
  // 3, then 4 + ((k - 4) & 1) for k >= 4; sig_coeff_flag per QState context set; last position
  // prefix + suffix per coordinate and TB side
  CostCache& cc = tCostCache[luma ? 1 : 0];
  if (cc.lambda != p.lambda || cc.luma != luma || std::memcmp(&cc.tab, &t, kCachedTableBytes) != 0) {
    cc.lambda = p.lambda;
    cc.luma = luma;
    cc.tab = t;
    cc.lastValid[0] = cc.lastValid[1] = 0;
    for (int o = 0; o < (luma ? 21 : 11); ++o) {
      const uint32_t g1 = t.gt1[o].bits[1];
      const uint32_t bits[6] = {0,
                                t.gt1[o].bits[0] + kFbitsOne,
                                g1 + t.par[o].bits[0] + t.gt3[o].bits[0] + kFbitsOne,
                                g1 + t.par[o].bits[1] + t.gt3[o].bits[0] + kFbitsOne,
                                g1 + t.par[o].bits[0] + t.gt3[o].bits[1] + kFbitsOne,
                                g1 + t.par[o].bits[1] + t.gt3[o].bits[1] + kFbitsOne};
      for (int k = 0; k < 6; ++k) cc.lvlC[o][k] = lamBit * double(bits[k]);
    }
    const BinCost* sigSets[3] = {t.sig, t.sigDq[0], t.sigDq[1]};
    for (int set = 0; set < 3; ++set)
      for (int c = 0; c < (luma ? 12 : 8); ++c)
        for (int b = 0; b < 2; ++b) cc.sigC[set][c][b] = lamBit * double(sigSets[set][c].bits[b]);
  }
  int lastSlot[2];
  for (int d = 0; d < 2; ++d) {
    const int lg = d ? tbLog2H : tbLog2W, zo = std::min(d ? p.log2H : p.log2W, kMaxTbLog2Coded);
    const int slot = zo < std::min(lg, kMaxTbLog2Coded) ? 7 : lg;
    lastSlot[d] = slot;
    if ((cc.lastValid[d] >> slot) & 1) continue;
    for (int v = 0; v < (1 << zo); ++v)
      cc.lastC[d][slot][v] = lamBit * double(lastPosCostFbits(v, lg, zo, luma, d == 0, t));
    cc.lastValid[d] |= uint8_t(1 << slot);
  }
  auto csbfCtx = [&](uint64_t mask, int xS, int yS) {
    int c = 0;
    if (xS + 1 < sbCols) c |= int((mask >> sbIdxOf[yS * sbCols + xS + 1]) & 1);
    if (yS + 1 < sbRows) c |= int((mask >> sbIdxOf[(yS + 1) * sbCols + xS]) & 1);
    return c;
  };
  // a level at or above kMaxLevel makes the candidates depend on the cap: the reference loop handles those blocks
  if (((maxA + halfStep) >> qs.qBits) >= kMaxLevel - 1) loop = subBlockPositions_c;

  SubBlockJob job;
  job.absScaled = s.absScaled;
  job.xOfPos = si.xOfPos;
  job.yOfPos = si.yOfPos;
  job.luma = luma;
  job.qBits = qs.qBits;
  job.halfStep = halfStep;
  job.errScale = qs.errScale;
  job.inNb = nbt.inNb;
  job.outSum = &s.outSum[0][0];
  job.lvlC = cc.lvlC;
  job.sigC = cc.sigC;
  job.lastCX = cc.lastC[0][lastSlot[0]];
  job.lastCY = cc.lastC[1][lastSlot[1]];
  job.startC = lamBit * double(t.cbf.bits[1]);
  job.binC = lamBit * double(kFbitsOne);
  job.maxBins = ((1 << (si.log2ZoW + si.log2ZoH)) * 7) >> 2;
  job.preStart = 0;
  job.dec = s.dec;

  States& bufA = s.states[0];
  States& bufB = s.states[1];
  States& start = s.states[2];
  bufA = States{};
  bufB = States{};
  for (int q = 0; q < 4; ++q) bufA.cost[q] = bufB.cost[q] = kInf;
  States *st = &bufA, *nx = &bufB;  // survivors before / after the current position
  int arrOf[4] = {-1, -1, -1, -1};
  // template sums over the neighbours outside the current sub-block, per path array (by the state whose array it is
  // at the sub-block's start; row 4 zero): pass-1 sum, count of non-zero, sum of |level| (packed as templateTerm)
  std::memset(s.outSum[4], 0, sizeof(s.outSum[4]));
  for (int i = lastSb; i >= 0; --i) {
    const int xS = si.sbX[i], yS = si.sbY[i], base = i * sbSize;
    // the sub-blocks holding template neighbours outside this one: right, below, below right (a path's array is zero
    // in the sub-blocks it left uncoded, so their sums are zero)
    uint64_t nbSbMask = 0;
    if (xS + 1 < sbCols) nbSbMask |= uint64_t(1) << sbIdxOf[yS * sbCols + xS + 1];
    if (yS + 1 < sbRows) nbSbMask |= uint64_t(1) << sbIdxOf[(yS + 1) * sbCols + xS];
    if (xS + 1 < sbCols && yS + 1 < sbRows) nbSbMask |= uint64_t(1) << sbIdxOf[(yS + 1) * sbCols + xS + 1];
    start = *st;
    for (int q = 0; q < 4; ++q) {
      st->origin[q] = q;
      st->anySig[q] = 0;
      if (arrOf[q] < 0) continue;
      if (!(st->codedMask[q] & nbSbMask)) {
        std::memset(s.outSum[q], 0, sizeof(s.outSum[q]));
        continue;
      }
      const uint8_t* arr = s.pool[arrOf[q]];
      for (int n = 0; n < sbSize; ++n) {
        uint32_t t5 = 0;
        const int pos = base + n;
        for (int j = 0; j < nbt.numOut[pos]; ++j) t5 += kTemplateTerm.v[arr[nbt.outNb[pos][j]]];
        s.outSum[q][n] = t5;
      }
    }
    std::memset(st->cur, 0, sizeof(st->cur));
    job.base = base;
    job.firstN = i == lastSb ? lastCand - base : sbSize - 1;
    job.sigInferable = i > 0;
    job.sbZeroD = 0;
    loop(job, st, nx);
    // end of the sub-block: sb_coded_flag for paths that started in an earlier sub-block, or the
    // whole sub-block zeroed (from the same state at its start: an even run of zeros keeps it)
    int src[4], newArr[4];
    bool taken[8] = {};
    for (int q = 0; q < 4; ++q) {
      bool zeroed = false;
      if (i > 0) {
        if (st->cost[q] < kInf && st->origin[q] >= 0)
          st->cost[q] += lamBit * double(t.sbCoded[csbfCtx(st->codedMask[q], xS, yS)].bits[1]);
        if (start.cost[q] < kInf) {
          const double zc = start.cost[q] + job.sbZeroD + lamBit * double(t.sbCoded[csbfCtx(start.codedMask[q], xS, yS)].bits[0]);
          if (zc < st->cost[q]) {
            st->cost[q] = zc;
            st->remBins[q] = start.remBins[q];
            st->origin[q] = start.origin[q];
            st->anySig[q] = start.anySig[q];
            st->codedMask[q] = start.codedMask[q];
            for (int r = 0; r < 16; ++r) st->cur[r][q] = 0;
            zeroed = true;
          }
        }
      }
      s.sbZero[i][q] = uint8_t(zeroed);
      newArr[q] = src[q] = -1;
      if (st->cost[q] >= kInf) continue;
      src[q] = zeroed ? arrOf[q] : (st->origin[q] < 0 ? -1 : arrOf[st->origin[q]]);
      if (src[q] >= 0 && !taken[src[q]]) { newArr[q] = src[q]; taken[src[q]] = true; }
      if (!zeroed) st->codedMask[q] |= uint64_t(1) << i;
    }
    // states sharing a source (or starting fresh) get a copy in a free array; copies before updates
    for (int q = 0; q < 4; ++q) {
      if (st->cost[q] >= kInf || newArr[q] >= 0) continue;
      int f = 0;
      while (taken[f]) ++f;
      taken[f] = true;
      newArr[q] = f;
      // (only the sub-blocks from this one on: template neighbours lie to the right and below, later in the scan)
      if (src[q] >= 0) std::memcpy(s.pool[f] + base, s.pool[src[q]] + base, size_t(numPos - base));
      else std::memset(s.pool[f] + base, 0, size_t(numPos - base));
    }
    for (int q = 0; q < 4; ++q) {
      arrOf[q] = newArr[q];
      if (newArr[q] < 0) continue;
      uint8_t* dst = s.pool[newArr[q]];
      if (s.sbZero[i][q]) std::memset(dst + base, 0, size_t(sbSize));  // (the copies above left this sub-block as is)
      else for (int n = 0; n < sbSize; ++n) dst[base + n] = st->cur[n][q];
    }
  }
  int best = -1;
  double bestCost = job.preStart + lamBit * double(t.cbf.bits[0]);  // cbf = 0
  for (int q = 0; q < 4; ++q)
    if (st->cost[q] < bestCost) { bestCost = st->cost[q]; best = q; }
  if (estCost) *estCost = bestCost + tailD;
  if (best < 0) return 0;
  int nz = 0, cur = best;
  for (int i = 0; i <= lastSb; ++i) {
    if (s.sbZero[i][cur]) continue;
    bool started = false;
    for (int n = 0; n < sbSize && !started; ++n) {
      const int pos = i * sbSize + n;
      const Decision d = s.dec[pos][cur];
      if (d.level) {
        const int r = si.rasterOfPos[pos];
        levels[r] = coeff[r] < 0 ? -d.level : d.level;
        ++nz;
      }
      if (d.prev < 0) started = true;
      else cur = d.prev;
    }
    if (started) break;
  }
  return nz;
}

}  // namespace search
}  // namespace nnvvc
