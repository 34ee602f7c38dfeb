// Dependent-quantisation trellis (see dq_trellis.h). Written from H.266 7.3.11.11 (QState,
// residual syntax), 8.7.3 (scaling with qP + 1) and 9.3.4.2.x (context selection).
#include "encoder/search/dq_trellis.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "dsp/dep_quant.h"
#include "dsp/dsp.h"

namespace nnvvc {
namespace search {
namespace {

constexpr double kInf = 1e300;
constexpr int kMaxPos = 32 * 32;
constexpr int kInSb = 1024;  // neighbour code offset: code >= kInSb -> index in the current sub-block

// Best path ending in one QState at the current scan position.
struct PathState {
  double cost = kInf;
  int32_t remBins = 0;      // context-coded bin budget left (remBinsPass1)
  int8_t origin = -1;       // state at the start of the current sub-block; -1: path started in it
  uint8_t anySig = 0;       // a non-zero level in the current sub-block
  uint64_t codedMask = 0;   // sb_coded_flag of the sub-blocks passed, bit = sub-block scan index
  uint8_t cur[16] = {};     // |level| (capped at 255) in the current sub-block, by scan index
};

struct Decision {
  int32_t level;
  int8_t prev;  // state before this position; -1: the path starts here (last significant position)
};

struct Scratch {
  int64_t absScaled[kMaxPos];
  int16_t nb[kMaxPos][5];          // template neighbours: -1 none, < kInSb raster in the coded
                                   // region (stride zoW), else kInSb + index in the sub-block
  // |levels| of the sub-blocks before the current one, per state: pool[arrOf[state]] (a pool, so
  // that a state continuing its own path keeps its array without copying)
  uint8_t pool[8][kMaxPos];
  Decision dec[kMaxPos][4];
  uint8_t sbZero[64][4];           // state at a sub-block's end took the all-zero sub-block
};
thread_local Scratch tScratch;
const uint8_t kZeros[kMaxPos] = {};

}  // namespace

int dqQuantize(const TCoeff* coeff, const DqParams& p, TCoeff* levels, double* estCost) {
  const ResidualBitTables& t = *p.tables;
  const ScanInfo& si = scanInfo(p.log2W, p.log2H);
  const int W = 1 << p.log2W, H = 1 << p.log2H;
  std::memset(levels, 0, sizeof(TCoeff) * size_t(W) * size_t(H));
  // The decoder scales index k in quantiser Q0 to 2k, in Q1 to 2k - sgn(k), both in half steps of
  // the qP + 1 quantiser: work in those half steps.
  const dsp::QuantScale qs = dsp::quantScale(p.qp + 1, W, H, p.bitDepth);
  const int64_t halfStep = int64_t(1) << (qs.qBits - 1);
  const double lamBit = p.lambda / double(kFbitsOne);
  auto dist = [&](int64_t a, int64_t r) {
    const double d = double(a - r * halfStep);
    return d * d * qs.errScale;
  };
  Scratch& s = tScratch;
  const int numPos = si.numPos(), sbSize = si.sbSize;
  int lastCand = -1;  // last scan position where a non-zero level can beat zero
  for (int pos = 0; pos < numPos; ++pos) {
    const int64_t a = int64_t(std::abs(coeff[si.rasterOfPos[pos]])) * qs.scale;
    s.absScaled[pos] = a;
    if (2 * a >= halfStep) lastCand = pos;
  }
  if (lastCand < 0) {
    if (estCost) {
      double d = 0;
      for (int pos = 0; pos < numPos; ++pos) d += dist(s.absScaled[pos], 0);
      *estCost = d + lamBit * t.cbf.bits[0];
    }
    return 0;
  }
  const bool luma = p.isLuma;
  const int zoW = 1 << si.log2ZoW, zoH = 1 << si.log2ZoH;
  const int lastSb = lastCand / sbSize;
  const int sbCols = zoW >> si.log2SbW, sbRows = zoH >> si.log2SbH;
  int sbIdxOf[64];
  for (int i = 0; i < si.numSb; ++i) sbIdxOf[si.sbY[i] * sbCols + si.sbX[i]] = i;
  int inSbIdx[16];
  for (int n = 0; n < sbSize; ++n) inSbIdx[(si.yOfPos[n] << si.log2SbW) + si.xOfPos[n]] = n;
  const int mW = (1 << si.log2SbW) - 1, mH = (1 << si.log2SbH) - 1;
  static constexpr int kTplDx[5] = {1, 2, 1, 0, 0}, kTplDy[5] = {0, 0, 1, 1, 2};
  for (int pos = 0; pos < (lastSb + 1) * sbSize; ++pos) {
    const int x = si.xOfPos[pos], y = si.yOfPos[pos];
    for (int j = 0; j < 5; ++j) {
      const int nx = x + kTplDx[j], ny = y + kTplDy[j];
      int16_t code = -1;
      if (nx < zoW && ny < zoH) {
        if ((nx >> si.log2SbW) == (x >> si.log2SbW) && (ny >> si.log2SbH) == (y >> si.log2SbH))
          code = int16_t(kInSb + inSbIdx[((ny & mH) << si.log2SbW) + (nx & mW)]);
        else
          code = int16_t(ny * zoW + nx);
      }
      s.nb[pos][j] = code;
    }
  }
  auto csbfCtx = [&](uint64_t mask, int xS, int yS) {
    int c = 0;
    if (xS + 1 < sbCols) c |= int((mask >> sbIdxOf[yS * sbCols + xS + 1]) & 1);
    if (yS + 1 < sbRows) c |= int((mask >> sbIdxOf[(yS + 1) * sbCols + xS]) & 1);
    return c;
  };
  const BinCost* sigTabs[3] = {t.sig, t.sigDq[0], t.sigDq[1]};
  const int maxBins = ((1 << (si.log2ZoW + si.log2ZoH)) * 7) >> 2;
  // rate (fbits) of |level| k in the regular (context-coded) pass
  auto regularBits = [&](int64_t k, bool sigCoded, const BinCost* sigTab, int sigCtx, int off, int sumAbs,
                         int& bins) -> uint64_t {
    uint64_t bits = 0;
    bins = 0;
    if (sigCoded) { bits += sigTab[sigCtx].bits[k != 0]; bins = 1; }
    if (k == 0) return bits;
    bits += t.gt1[off].bits[k > 1];
    ++bins;
    if (k > 1) {
      bits += t.par[off].bits[(k - 2) & 1] + t.gt3[off].bits[k > 3];
      bins += 2;
      if (k > 3) bits += uint64_t(remainderBins(uint32_t((k - 4) >> 1), riceParamFromSum(sumAbs - 20))) * kFbitsOne;
    }
    return bits + kFbitsOne;  // sign
  };

  PathState st[4], nx[4], start[4];
  double preStart = 0;  // distortion of the zeros after the current position (no path started yet)
  int arrOf[4] = {-1, -1, -1, -1};
  const uint64_t startBitsBase = t.cbf.bits[1];
  for (int i = lastSb; i >= 0; --i) {
    const int xS = si.sbX[i], yS = si.sbY[i], base = i * sbSize;
    for (int q = 0; q < 4; ++q) {
      start[q] = st[q];
      st[q].origin = int8_t(q);
      st[q].anySig = 0;
      std::memset(st[q].cur, 0, sizeof(st[q].cur));
    }
    double sbZeroD = 0;
    const int firstN = i == lastSb ? lastCand - base : sbSize - 1;
    for (int n = firstN; n >= 0; --n) {
      const int pos = base + n;
      const int64_t a = s.absScaled[pos];
      const double d0 = dist(a, 0);
      const int x = si.xOfPos[pos], y = si.yOfPos[pos], dg = x + y;
      const bool tiny = 2 * a < halfStep;
      const int64_t k0 = a >> qs.qBits;               // Q0: largest k with 2k <= q
      const int64_t k1 = (a + halfStep) >> qs.qBits;  // Q1: largest k with 2k - 1 <= q
      for (int q = 0; q < 4; ++q) nx[q].cost = kInf;
      for (int q = 0; q < 4; ++q) {
        const PathState& ps = st[q];
        if (ps.cost >= kInf) continue;
        const uint8_t* fullArr = ps.origin < 0 ? kZeros : s.pool[arrOf[ps.origin]];
        int sum1 = 0, numSig = 0, sumAbs = 0;
        for (int j = 0; j < 5; ++j) {
          const int c = s.nb[pos][j];
          if (c < 0) continue;
          const int v = c >= kInSb ? ps.cur[c - kInSb] : fullArr[c];
          sum1 += std::min(4 + (v & 1), v);
          numSig += v != 0;
          sumAbs += v;
        }
        const bool regular = ps.remBins >= 4;
        const bool inferred = n == 0 && ps.origin >= 0 && i > 0 && !ps.anySig;  // sig inferred 1
        const int sigCtx = std::min((sum1 + 1) >> 1, 3) + (luma ? (dg < 2 ? 8 : (dg < 5 ? 4 : 0)) : (dg < 2 ? 4 : 0));
        const int off = std::min(sum1 - numSig, 4) + 1 + (luma ? (dg == 0 ? 15 : (dg < 3 ? 10 : (dg < 10 ? 5 : 0))) : (dg == 0 ? 5 : 0));
        const bool useQ1 = q > 1;
        int64_t cands[3];
        int nc = 0;
        if (!inferred) cands[nc++] = 0;
        if (!tiny) {
          const int64_t kb = useQ1 ? k1 : k0;
          if (kb > 0) cands[nc++] = kb;
          cands[nc++] = kb + 1;
        } else if (inferred) {
          cands[nc++] = 1;
        }
        for (int c = 0; c < nc; ++c) {
          const int64_t k = std::min<int64_t>(cands[c], 32767);
          int bins = 0;
          uint64_t bits;
          if (regular) {
            bits = regularBits(k, !inferred, sigTabs[std::max(0, q - 1)], sigCtx, off, sumAbs, bins);
          } else {  // dec_abs_level (9.3.3.11 with ZeroPos)
            const int rice = riceParamFromSum(sumAbs);
            const int64_t zeroPos = int64_t(q < 2 ? 1 : 2) << rice;
            const int64_t v = k == 0 ? zeroPos : (k <= zeroPos ? k - 1 : k);
            bits = uint64_t(remainderBins(uint32_t(v), rice)) * kFbitsOne + (k ? kFbitsOne : 0);
          }
          const int64_t r = k == 0 ? 0 : (useQ1 ? 2 * k - 1 : 2 * k);
          const double cost = ps.cost + dist(a, r) + lamBit * double(bits);
          const int ns = dsp::kDepQuantStateTrans[q][k & 1];
          if (cost < nx[ns].cost) {
            nx[ns] = ps;
            nx[ns].cost = cost;
            nx[ns].remBins = ps.remBins - (regular ? bins : 0);
            nx[ns].cur[n] = uint8_t(std::min<int64_t>(k, 255));
            nx[ns].anySig |= k != 0;
            s.dec[pos][ns] = Decision{int32_t(k), int8_t(q)};
          }
        }
      }
      // a path starting here: this is the last significant position, QState 0 (quantiser Q0)
      if (!tiny) {
        const uint64_t lastBits = startBitsBase + lastPosCostFbits(x, p.log2W, si.log2ZoW, luma, true, t) +
                                  lastPosCostFbits(y, p.log2H, si.log2ZoH, luma, false, t);
        for (int64_t k = std::max<int64_t>(k0, 1); k <= k0 + 1; ++k) {
          const int64_t kk = std::min<int64_t>(k, 32767);
          int bins = 0;
          const uint64_t bits = lastBits + regularBits(kk, false, t.sig, 0, 0, 0, bins);
          const double cost = preStart + dist(a, 2 * kk) + lamBit * double(bits);
          const int ns = dsp::kDepQuantStateTrans[0][kk & 1];
          if (cost < nx[ns].cost) {
            PathState& ps = nx[ns];
            ps = PathState{};
            ps.cost = cost;
            ps.remBins = maxBins - bins;
            ps.origin = -1;
            ps.anySig = 1;
            ps.cur[n] = uint8_t(std::min<int64_t>(kk, 255));
            s.dec[pos][ns] = Decision{int32_t(kk), -1};
          }
        }
      }
      preStart += d0;
      sbZeroD += d0;
      for (int q = 0; q < 4; ++q) st[q] = nx[q];
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
  if (estCost) *estCost = bestCost;
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
