// Dependent-quantisation trellis (see dq_trellis.h). Written from H.266 7.3.11.11 (QState,
// residual syntax), 8.7.3 (scaling with qP + 1) and 9.3.4.2.x (context selection).
#include "encoder/search/dq_trellis.h"

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
namespace {

constexpr double kInf = 1e300;
constexpr int kMaxPos = 32 * 32;

// Best path ending in one QState at the current scan position.
struct PathState {
  double cost = kInf;
  int32_t remBins = 0;      // context-coded bin budget left (remBinsPass1)
  int8_t origin = -1;       // state at the start of the current sub-block; -1: path started in it
  uint8_t anySig = 0;       // a non-zero level in the current sub-block
  uint64_t codedMask = 0;   // sb_coded_flag of the sub-blocks passed, bit = sub-block scan index
  uint8_t cur[17] = {};     // |level| (capped at 255) in the current sub-block, by scan index;
                            // cur[16] stays 0 (the template's padding neighbour)
};

static_assert(dsp::kDepQuantStateTrans[0][0] == 0 && dsp::kDepQuantStateTrans[0][1] == 2 &&
                  dsp::kDepQuantStateTrans[1][0] == 2 && dsp::kDepQuantStateTrans[1][1] == 0 &&
                  dsp::kDepQuantStateTrans[2][0] == 1 && dsp::kDepQuantStateTrans[2][1] == 3 &&
                  dsp::kDepQuantStateTrans[3][0] == 3 && dsp::kDepQuantStateTrans[3][1] == 1,
              "the destination picks in dqQuantize follow QStateTransTable");

// A level choice at one position: J of the path so far, |level|, context-coded bins it used.
struct Choice {
  double cost;
  int64_t level;
  int bins;
};

struct Decision {
  int32_t level;
  int8_t prev;  // state before this position; -1: the path starts here (last significant position)
};

struct Scratch {
  int64_t absScaled[kMaxPos];
  // |levels| of the sub-blocks before the current one, per state: pool[arrOf[state]] (a pool, so
  // that a state continuing its own path keeps its array without copying)
  uint8_t pool[8][kMaxPos];
  Decision dec[kMaxPos][4];
  uint8_t sbZero[64][4];           // state at a sub-block's end took the all-zero sub-block
};
thread_local Scratch tScratch;

// Template neighbours (9.3.4.2.6/7: (x+1,y) (x+2,y) (x+1,y+1) (x,y+1) (x,y+2) inside the coded
// region) of each scan position of a TB size: inside its sub-block as indices in the sub-block's scan
// (the same for every sub-block), outside it as raster indices (stride: coded width).
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
        for (int pos = 0; pos < si.numPos(); ++pos) {
          const int x = si.xOfPos[pos], y = si.yOfPos[pos];
          t.numOut[pos] = 0;
          for (int j = 0; j < 5; ++j) {
            const int nx = x + kDx[j], ny = y + kDy[j];
            const bool inSb = (nx >> si.log2SbW) == (x >> si.log2SbW) && (ny >> si.log2SbH) == (y >> si.log2SbH);
            if (nx < zoW && ny < zoH && !inSb) t.outNb[pos][t.numOut[pos]++] = int16_t(ny * zoW + nx);
          }
        }
      }
    return v;
  }();
  return all[size_t(log2W * 7 + log2H)];
}

// One template neighbour's terms of 9.3.4.2.6/7 for |level| v (capped at 255), packed so that the five
// neighbours sum in one add each: min(4 + (v & 1), v) in bits 0-7 (sum <= 25), v != 0 in bits 8-15 (<= 5),
// v in bits 16-31 (<= 1275).
struct TemplateTerms {
  uint32_t v[256];
  constexpr TemplateTerms() : v() {
    for (int k = 0; k < 256; ++k)
      v[k] = uint32_t(k < 4 + (k & 1) ? k : 4 + (k & 1)) | (uint32_t(k != 0) << 8) | (uint32_t(k) << 16);
  }
};
constexpr TemplateTerms kTemplateTerm;

// cRiceParam from the clipped template sum (9.3.3.11, Table 128) and the bypass length of
// abs_remainder / dec_abs_level values below 128 per Rice parameter (remainderBins beyond)
constexpr uint8_t kRice[32] = {0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 2, 2,
                               2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3};
inline int riceOf(int sum) { return kRice[std::min(std::max(sum, 0), 31)]; }
struct RemTable {
  uint8_t bins[4][128];
  RemTable() {
    for (int k = 0; k < 4; ++k)
      for (int v = 0; v < 128; ++v) bins[k][v] = uint8_t(remainderBins(uint32_t(v), k));
  }
};
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

inline int remBinsOf(int64_t v, int k) {
  static const RemTable tab;
  return v < 128 ? tab.bins[k][v] : remainderBins(uint32_t(v), k);
}

}  // namespace

int dqQuantize(const TCoeff* coeff, const DqParams& p, TCoeff* levels, double* estCost) {
  if (p.sbtZeroOut) {
    // SBT zero-out: quantise the coded region as a TB of its own (same scan, contexts and bin budget), with the
    // scale and last-position contexts of the whole TB
    const int zw = log2ZeroOutSide(p.log2W, p.log2H, true), zh = log2ZeroOutSide(p.log2H, p.log2W, true);
    DqParams q = p;
    q.sbtZeroOut = false;
    if (zw == std::min(p.log2W, 5) && zh == std::min(p.log2H, 5)) return dqQuantize(coeff, q, levels, estCost);
    const int W = 1 << p.log2W, H = 1 << p.log2H, cw = 1 << zw, ch = 1 << zh;
    alignas(32) TCoeff region[32 * 32], regionLevels[32 * 32];
    for (int y = 0; y < ch; ++y) std::memcpy(region + y * cw, coeff + y * W, sizeof(TCoeff) * size_t(cw));
    q.log2W = zw;
    q.log2H = zh;
    q.tbLog2W = p.log2W;
    q.tbLog2H = p.log2H;
    const int nz = dqQuantize(region, q, regionLevels, estCost);
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
  auto dist = [&](int64_t a, int64_t r) {
    const double d = double(a - r * halfStep);
    return d * d * qs.errScale;
  };
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
  for (int pos = 0; pos <= lastCand; ++pos)
    s.absScaled[pos] = int64_t(std::abs(coeff[si.rasterOfPos[pos]])) * qs.scale;
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
  const int8_t(*inNb)[5] = nbt.inNb;
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
  const double binC = lamBit * double(kFbitsOne);  // one bypass bin
  const double(*lvlC)[6] = cc.lvlC;
  const double(*sigC)[12][2] = cc.sigC;
  const double* lastCX = cc.lastC[0][lastSlot[0]];
  const double* lastCY = cc.lastC[1][lastSlot[1]];
  auto levelCost = [&](int off, int64_t k, int rice) -> double {
    if (k < 4) return lvlC[off][k];
    return lvlC[off][4 + ((k - 4) & 1)] + binC * double(remBinsOf((k - 4) >> 1, rice));
  };
  auto csbfCtx = [&](uint64_t mask, int xS, int yS) {
    int c = 0;
    if (xS + 1 < sbCols) c |= int((mask >> sbIdxOf[yS * sbCols + xS + 1]) & 1);
    if (yS + 1 < sbRows) c |= int((mask >> sbIdxOf[(yS + 1) * sbCols + xS]) & 1);
    return c;
  };
  const int maxBins = ((1 << (si.log2ZoW + si.log2ZoH)) * 7) >> 2;

  PathState bufA[4], bufB[4], start[4];
  PathState *st = bufA, *nx = bufB;  // survivors before / after the current position
  double preStart = 0;  // distortion of the zeros after the current position (no path started yet)
  int arrOf[4] = {-1, -1, -1, -1};
  const double startC = lamBit * double(t.cbf.bits[1]);
  // template sums over the neighbours outside the current sub-block, per path array (by the state
  // whose array it is at the sub-block's start): pass-1 sum, count of non-zero, sum of |level|
  // (packed as kTemplateTerm)
  uint32_t outSum[4][16];
  for (int i = lastSb; i >= 0; --i) {
    const int xS = si.sbX[i], yS = si.sbY[i], base = i * sbSize;
    for (int q = 0; q < 4; ++q) {
      start[q] = st[q];
      st[q].origin = int8_t(q);
      st[q].anySig = 0;
      std::memset(st[q].cur, 0, sizeof(st[q].cur));
      if (arrOf[q] < 0) continue;
      const uint8_t* arr = s.pool[arrOf[q]];
      for (int n = 0; n < sbSize; ++n) {
        uint32_t t5 = 0;
        const int pos = base + n;
        for (int j = 0; j < nbt.numOut[pos]; ++j) t5 += kTemplateTerm.v[arr[nbt.outNb[pos][j]]];
        outSum[q][n] = t5;
      }
    }
    double sbZeroD = 0;
    const int firstN = i == lastSb ? lastCand - base : sbSize - 1;
    for (int n = firstN; n >= 0; --n) {
      const int pos = base + n;
      const int64_t a = s.absScaled[pos];
      const double d0 = dist(a, 0);
      const int x = si.xOfPos[pos], y = si.yOfPos[pos], dg = x + y;
      const int sigDiag = luma ? (dg < 2 ? 8 : (dg < 5 ? 4 : 0)) : (dg < 2 ? 4 : 0);
      const int offDiag = 1 + (luma ? (dg == 0 ? 15 : (dg < 3 ? 10 : (dg < 10 ? 5 : 0))) : (dg == 0 ? 5 : 0));
      // the two levels of each quantiser nearest to the coefficient (level 1 even for a tiny one: an
      // odd level steers the QState path, and a cheap sig_coeff_flag = 1 may pay), with their distortion
      const int64_t k0 = a >> qs.qBits;               // Q0: largest k with 2k <= q
      const int64_t k1 = (a + halfStep) >> qs.qBits;  // Q1: largest k with 2k - 1 <= q
      int64_t candK[2][2];
      double candD[2][2];
      int numC[2];
      for (int qz = 0; qz < 2; ++qz) {
        const int64_t kb = qz ? k1 : k0;
        int c = 0;
        if (kb > 0) candK[qz][c++] = std::min<int64_t>(kb, 32767);
        candK[qz][c++] = std::min<int64_t>(kb + 1, 32767);
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
        const PathState& ps = st[q];
        if (ps.cost >= kInf) continue;
        uint32_t t5 = ps.origin >= 0 ? outSum[ps.origin][n] : 0;
        for (int j = 0; j < 5; ++j) t5 += kTemplateTerm.v[ps.cur[inNb[n][j]]];
        const int sum1 = int(t5 & 0xff), numSig = int((t5 >> 8) & 0xff), sumAbs = int(t5 >> 16);
        const bool inferred = n == 0 && ps.origin >= 0 && i > 0 && !ps.anySig;  // sig inferred 1
        const int qz = q > 1;
        const int nc = numC[qz];
        if (ps.remBins >= 4) {  // regular (context-coded) pass
          const double* sig = sigC[std::max(0, q - 1)][std::min((sum1 + 1) >> 1, 3) + sigDiag];
          const int off = std::min(sum1 - numSig, 4) + offDiag;
          const int rice = riceOf(sumAbs - 20);
          if (!inferred) ev[q] = Choice{ps.cost + d0 + sig[0], 0, 1};
          const double sigOne = inferred ? 0.0 : sig[1];
          const int sigBin = inferred ? 0 : 1;
          for (int j = 0; j < nc; ++j) {
            const int64_t k = candK[qz][j];
            Choice& c = (k & 1) ? od[q] : ev[q];
            const double cost = ps.cost + candD[qz][j] + (sigOne + levelCost(off, k, rice));
            if (cost < c.cost) c = Choice{cost, k, sigBin + (k > 1 ? 3 : 1)};
          }
        } else {  // dec_abs_level (9.3.3.11 with ZeroPos)
          const int rice = riceOf(sumAbs);
          const int64_t zeroPos = int64_t(qz ? 2 : 1) << rice;
          if (!inferred) ev[q] = Choice{ps.cost + d0 + binC * double(remBinsOf(zeroPos, rice)), 0, 0};
          for (int j = 0; j < nc; ++j) {
            const int64_t k = candK[qz][j];
            const int64_t v = k <= zeroPos ? k - 1 : k;
            Choice& c = (k & 1) ? od[q] : ev[q];
            const double cost = ps.cost + candD[qz][j] + binC * double(remBinsOf(v, rice) + 1);
            if (cost < c.cost) c = Choice{cost, k, 0};
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
          const double cost = preStart + candD[0][j] + (lastC + levelCost(0, k, 0));
          if (cost < c.cost) c = Choice{cost, k, k > 1 ? 3 : 1};
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
        PathState& ps = nx[ns];
        if (dCost[ns] >= kInf) {
          ps.cost = kInf;
          continue;
        }
        const int64_t k = dLevel[ns];
        if (dPrev[ns] >= 0) {
          ps = st[dPrev[ns]];
          ps.remBins -= dBins[ns];
          ps.anySig |= k != 0;
        } else {
          ps = PathState{};
          ps.origin = -1;
          ps.remBins = maxBins - dBins[ns];
          ps.anySig = 1;
        }
        ps.cost = dCost[ns];
        ps.cur[n] = uint8_t(std::min<int64_t>(k, 255));
        s.dec[pos][ns] = Decision{int32_t(k), int8_t(dPrev[ns])};
      }
      preStart += d0;
      sbZeroD += d0;
      std::swap(st, nx);
    }
    // end of the sub-block: sb_coded_flag for paths that started in an earlier sub-block, or the
    // whole sub-block zeroed (from the same state at its start: an even run of zeros keeps it)
    int src[4], newArr[4];
    bool taken[8] = {};
    for (int q = 0; q < 4; ++q) {
      PathState& ps = st[q];
      bool zeroed = false;
      if (i > 0) {
        if (ps.cost < kInf && ps.origin >= 0)
          ps.cost += lamBit * double(t.sbCoded[csbfCtx(ps.codedMask, xS, yS)].bits[1]);
        if (start[q].cost < kInf) {
          const double zc = start[q].cost + sbZeroD + lamBit * double(t.sbCoded[csbfCtx(start[q].codedMask, xS, yS)].bits[0]);
          if (zc < ps.cost) {
            ps = start[q];
            ps.cost = zc;
            zeroed = true;
          }
        }
      }
      s.sbZero[i][q] = uint8_t(zeroed);
      newArr[q] = src[q] = -1;
      if (ps.cost >= kInf) continue;
      src[q] = zeroed ? arrOf[q] : (ps.origin < 0 ? -1 : arrOf[ps.origin]);
      if (src[q] >= 0 && !taken[src[q]]) { newArr[q] = src[q]; taken[src[q]] = true; }
      if (!zeroed) ps.codedMask |= uint64_t(1) << i;
      else std::memset(ps.cur, 0, sizeof(ps.cur));
    }
    // states sharing a source (or starting fresh) get a copy in a free array; copies before updates
    for (int q = 0; q < 4; ++q) {
      if (st[q].cost >= kInf || newArr[q] >= 0) continue;
      int f = 0;
      while (taken[f]) ++f;
      taken[f] = true;
      newArr[q] = f;
      if (src[q] >= 0) std::memcpy(s.pool[f], s.pool[src[q]], size_t(zoW) * size_t(zoH));
      else std::memset(s.pool[f], 0, size_t(zoW) * size_t(zoH));
    }
    for (int q = 0; q < 4; ++q) {
      arrOf[q] = newArr[q];
      if (newArr[q] < 0 || s.sbZero[i][q]) continue;
      uint8_t* dst = s.pool[newArr[q]];
      for (int n = 0; n < sbSize; ++n) dst[si.yOfPos[base + n] * zoW + si.xOfPos[base + n]] = st[q].cur[n];
    }
  }
  int best = -1;
  double bestCost = preStart + lamBit * double(t.cbf.bits[0]);  // cbf = 0
  for (int q = 0; q < 4; ++q)
    if (st[q].cost < bestCost) { bestCost = st[q].cost; best = q; }
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
