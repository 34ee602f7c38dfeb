// RDOQ for regular residual coding (see rdoq.h for the decisions made).
#include "encoder/search/rdoq.h"
#include "encoder/search/sign_hiding.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace nnvvc {
namespace search {
namespace {

struct Templ {
  int sumPass1, numSig, sumAbs;
};

inline Templ templateAt(const int32_t* a, int log2W, int zoW, int zoH, int x, int y) {
  Templ t{0, 0, 0};
  auto add = [&](int xx, int yy) {
    if (xx < zoW && yy < zoH) {
      const int v = a[(yy << log2W) + xx];
      t.sumAbs += v;
      t.sumPass1 += std::min(4 + (v & 1), v);
      t.numSig += v != 0;
    }
  };
  add(x + 1, y);
  add(x + 2, y);
  add(x + 1, y + 1);
  add(x, y + 1);
  add(x, y + 2);
  return t;
}

}  // namespace

int rdoQuantize(const TCoeff* coeff, const RdoqParams& p, RdoqScratch& s, TCoeff* levels,
                double* estCost) {
  const ScanInfo& si = scanInfo(p.log2W, p.log2H);
  const ResidualBitTables& t = *p.tables;
  const int W = 1 << p.log2W, H = 1 << p.log2H;
  const int zoW = 1 << si.log2ZoW, zoH = 1 << si.log2ZoH;
  const double lf = p.lambda / double(kFbitsOne);  // cost per fbit
  const bool luma = p.isLuma;

  std::memset(levels, 0, sizeof(TCoeff) * size_t(W * H));
  dsp::quantPrepare(coeff, W * H, p.qs, s.absScaled, s.nearest);

  // Start from the last position of the rounded quantiser.
  int lastCand = -1;
  for (int q = si.numPos() - 1; q >= 0; --q) {
    if (s.nearest[si.rasterOfPos[q]] != 0) {
      lastCand = q;
      break;
    }
  }
  double uncodedTotal = 0;
  for (int q = 0; q < si.numPos(); ++q) {
    s.costUncoded[q] = dsp::quantErrorSse(s.absScaled[si.rasterOfPos[q]], 0, p.qs);
    uncodedTotal += s.costUncoded[q];
  }
  const double zeroTuCost = uncodedTotal + lf * t.cbf.bits[0];
  if (lastCand < 0) {
    if (estCost) *estCost = zeroTuCost;
    return 0;
  }

  for (int q = 0; q < si.numPos(); ++q) s.absLevel[si.rasterOfPos[q]] = 0;
  const int lastSb = lastCand / si.sbSize;
  const int sbCols = zoW >> si.log2SbW, sbRows = zoH >> si.log2SbH;
  uint8_t sbFlag[256] = {};
  int remBins = ((1 << (si.log2ZoW + si.log2ZoH)) * 7) >> 2;
  const uint32_t signBits = kFbitsOne;

  for (int i = lastSb; i >= 0; --i) {
    const int base = i * si.sbSize;
    const int top = (i == lastSb) ? lastCand - base : si.sbSize - 1;
    const int remBinsAtStart = remBins;
    double sumCoded = 0, sumUncoded = 0;
    bool anyNz = false;
    for (int n = si.sbSize - 1; n > top; --n) {  // above the last candidate: uncoded
      s.costCoded[base + n] = s.costUncoded[base + n];
      s.costSig[base + n] = 0;
    }
    for (int n = top; n >= 0; --n) {
      const int pos = base + n;
      const int r = si.rasterOfPos[pos];
      const int x = si.xOfPos[pos], y = si.yOfPos[pos];
      const int lmax = s.nearest[r];
      const bool isLast = pos == lastCand;
      const Templ tp = templateAt(s.absLevel, p.log2W, zoW, zoH, x, y);
      const int d = x + y;
      int bestLevel = 0;
      double bestCost, bestSig = 0;
      const double d0 = s.costUncoded[pos];
      if (remBins >= 4) {
        int sigCtx = std::min((tp.sumPass1 + 1) >> 1, 3);
        sigCtx += luma ? (d < 2 ? 8 : (d < 5 ? 4 : 0)) : (d < 2 ? 4 : 0);
        int off = 0;
        if (!isLast) {
          off = std::min(tp.sumPass1 - tp.numSig, 4) + 1;
          off += luma ? (d == 0 ? 15 : (d < 3 ? 10 : (d < 10 ? 5 : 0))) : (d == 0 ? 5 : 0);
        }
        const int rice = riceParamFromSum(tp.sumAbs - 20);
        const double sig1 = isLast ? 0.0 : lf * t.sig[sigCtx].bits[1];
        bestCost = isLast ? 1e300 : d0 + lf * t.sig[sigCtx].bits[0];
        bestSig = isLast ? 0.0 : lf * t.sig[sigCtx].bits[0];
        const int lmin = std::max(1, lmax - 1);
        for (int l = lmax; l >= lmin; --l) {
          uint64_t fb = signBits + t.gt1[off].bits[l > 1];
          if (l > 1) {
            fb += t.par[off].bits[l & 1] + t.gt3[off].bits[l > 3];
            if (l > 3) fb += uint64_t(remainderBins(uint32_t(l - 4) >> 1, rice)) * kFbitsOne;
          }
          const double c = dsp::quantErrorSse(s.absScaled[r], l, p.qs) + sig1 + lf * double(fb);
          if (c < bestCost) {
            bestCost = c;
            bestLevel = l;
            bestSig = sig1;
          }
        }
        remBins -= (isLast ? 0 : 1) + (bestLevel > 0 ? 1 : 0) + (bestLevel > 1 ? 2 : 0);
      } else {
        // dec_abs_level mode: bypass bins only
        const int rice = riceParamFromSum(tp.sumAbs);
        const int zeroPos = 1 << rice;
        auto binsFor = [&](int l) -> uint64_t {
          const uint32_t v = l == 0 ? uint32_t(zeroPos) : (l <= zeroPos ? uint32_t(l - 1) : uint32_t(l));
          return uint64_t(remainderBins(v, rice)) + (l ? 1 : 0);
        };
        bestCost = isLast ? 1e300 : d0 + lf * double(binsFor(0) * kFbitsOne);
        const int lmin = std::max(1, lmax - 1);
        for (int l = lmax; l >= lmin; --l) {
          const double c = dsp::quantErrorSse(s.absScaled[r], l, p.qs) + lf * double(binsFor(l) * kFbitsOne);
          if (c < bestCost) {
            bestCost = c;
            bestLevel = l;
          }
        }
        bestSig = 0;
      }
      s.absLevel[r] = bestLevel;
      s.costCoded[pos] = bestCost;
      s.costSig[pos] = bestSig;
      sumCoded += bestCost;
      sumUncoded += d0;
      anyNz |= bestLevel != 0;
    }
    for (int n = si.sbSize - 1; n > top; --n) sumUncoded += s.costUncoded[base + n];
    s.sbUncodedCost[i] = sumUncoded;
    const int xS = si.sbX[i], yS = si.sbY[i];
    if (i < lastSb && i > 0) {
      int csbfCtx = 0;
      if (xS + 1 < sbCols) csbfCtx |= sbFlag[yS * sbCols + xS + 1];
      if (yS + 1 < sbRows) csbfCtx |= sbFlag[(yS + 1) * sbCols + xS];
      const double codedCost = sumCoded + lf * t.sbCoded[csbfCtx].bits[1];
      const double zeroCost = sumUncoded + lf * t.sbCoded[csbfCtx].bits[0];
      if (!anyNz || zeroCost <= codedCost) {
        for (int n = 0; n < si.sbSize; ++n) {
          s.absLevel[si.rasterOfPos[base + n]] = 0;
          s.costCoded[base + n] = s.costUncoded[base + n];
          s.costSig[base + n] = 0;
        }
        remBins = remBinsAtStart;
        s.sbKept[i] = 0;
        s.sbCost[i] = zeroCost;
      } else {
        s.sbKept[i] = 1;
        s.sbCost[i] = codedCost;
      }
    } else {
      s.sbKept[i] = 1;
      s.sbCost[i] = sumCoded;
    }
    sbFlag[yS * sbCols + xS] = s.sbKept[i];
  }

  // Last position: cost(last = q) = lambda*(cbf1 + last(q)) + [sub-block L of q: coded up to q minus
  // its sig bin, uncoded above q] + chosen costs of sub-blocks below L + uncoded above L.
  double bestTotal = zeroTuCost;
  int bestLast = -1;
  double belowPrefix[65];
  belowPrefix[0] = 0;
  for (int i = 0; i <= lastSb; ++i) belowPrefix[i + 1] = belowPrefix[i] + s.sbCost[i];
  double aboveUncoded = 0;
  for (int q = (lastSb + 1) * si.sbSize; q < si.numPos(); ++q) aboveUncoded += s.costUncoded[q];
  for (int L = lastSb; L >= 0; --L) {
    const int base = L * si.sbSize;
    const double below = belowPrefix[L];
    // flag cost that sub-block L carried as a non-last sub-block is not paid when it is the last
    if (s.sbKept[L]) {
      double inSb = 0;  // running: coded costs of positions <= q in this sub-block
      for (int n = 0; n < si.sbSize; ++n) inSb += s.costCoded[base + n];
      double aboveInSb = 0;
      for (int n = si.sbSize - 1; n >= 0; --n) {
        const int pos = base + n;
        const int r = si.rasterOfPos[pos];
        if (s.absLevel[r] != 0) {
          const uint32_t lastBits =
              lastPosCostFbits(si.xOfPos[pos], p.log2W, si.log2ZoW, luma, true, t) +
              lastPosCostFbits(si.yOfPos[pos], p.log2H, si.log2ZoH, luma, false, t);
          const double total = lf * double(t.cbf.bits[1] + lastBits) + inSb - s.costSig[pos] +
                               aboveInSb + below + aboveUncoded;
          if (total < bestTotal) {
            bestTotal = total;
            bestLast = pos;
          }
        }
        inSb -= s.costCoded[pos];
        aboveInSb += s.costUncoded[pos];
      }
    }
    aboveUncoded += s.sbUncodedCost[L];
  }

  int nz = 0;
  if (bestLast >= 0) {
    for (int q = 0; q <= bestLast; ++q) {
      const int r = si.rasterOfPos[q];
      const int a = s.absLevel[r];
      if (a) {
        levels[r] = coeff[r] < 0 ? -a : a;
        ++nz;
      }
    }
  }
  if (estCost) *estCost = bestTotal;
  return nz;
}

double levelsRdCost(const TCoeff* coeff, const TCoeff* levels, const RdoqParams& p) {
  const int W = 1 << p.log2W, H = 1 << p.log2H;
  double dist = 0;
  for (int i = 0; i < W * H; ++i) {
    const int64_t absScaled = int64_t(std::abs(coeff[i])) * p.qs.scale;
    int l = std::abs(levels[i]);
    if (levels[i] != 0 && ((levels[i] < 0) != (coeff[i] < 0))) {
      // opposite sign: error is |c| + l*step
      const double e = double(absScaled + (int64_t(l) << p.qs.qBits));
      dist += e * e * p.qs.errScale;
      continue;
    }
    dist += dsp::quantErrorSse(absScaled, l, p.qs);
  }
  const uint64_t rate = residualRateFbits(levels, p.log2W, p.log2H, p.isLuma, *p.tables, p.signHiding);
  return dist + p.lambda * double(rate) / double(kFbitsOne);
}

int rdoQuantizeGuarded(const TCoeff* coeff, const RdoqParams& p, int qp, int bitDepth,
                       RdoqScratch& s, TCoeff* levels, TCoeff* plainScratch, double* cost) {
  const int W = 1 << p.log2W, H = 1 << p.log2H;
  int nz = rdoQuantize(coeff, p, s, levels, nullptr);
  int nzPlain = dsp::quant(coeff, W, H, qp, bitDepth, true, plainScratch);
  if (std::memcmp(levels, plainScratch, sizeof(TCoeff) * size_t(W * H)) == 0) {  // nothing to choose
    if (p.signHiding && nz) nz = signHidingAdjust(coeff, p, levels);
    if (cost) *cost = levelsRdCost(coeff, levels, p);
    return nz;
  }
  if (p.signHiding && nz) nz = signHidingAdjust(coeff, p, levels);
  const double jRdoq = levelsRdCost(coeff, levels, p);
  double jPlain = levelsRdCost(coeff, plainScratch, p);
  if (p.signHiding && nzPlain && jPlain < jRdoq) {
    // jPlain (hidden signs free, parities not yet fixed) is what the plain levels would cost if the
    // parity adjustment were free; it rarely is, so only a plain candidate that is competitive
    // before its adjustment gets adjusted and re-rated
    nzPlain = signHidingAdjust(coeff, p, plainScratch);
    jPlain = levelsRdCost(coeff, plainScratch, p);
  }
  if (jPlain < jRdoq) {
    std::memcpy(levels, plainScratch, sizeof(TCoeff) * size_t(W * H));
    if (cost) *cost = jPlain;
    return nzPlain;
  }
  if (cost) *cost = jRdoq;
  return nz;
}

}  // namespace search
}  // namespace nnvvc
