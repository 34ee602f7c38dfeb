// Sign data hiding: parity adjustment of quantised levels (see sign_hiding.h).
#include "encoder/search/sign_hiding.h"

#include <algorithm>
#include <cstdlib>
#include <limits>

namespace nnvvc {
namespace search {
namespace {

constexpr int kSbhThreshold = 3;  // signHidden when lastSigScanPosSb - firstSigScanPosSb > 3

// First / last significant position of sub-block i (positions within the sub-block), sum of |level|.
struct SbSpan {
  int first = -1, last = -1, sumAbs = 0;
};
SbSpan spanOf(const int* a, int sbSize) {
  SbSpan s;
  for (int n = 0; n < sbSize; ++n) {
    if (!a[n]) continue;
    if (s.first < 0) s.first = n;
    s.last = n;
    s.sumAbs += a[n];
  }
  return s;
}

// The context-coded bin budget (remBinsPass1, 7.3.11.11) through one sub-block, its positions
// top..0 with levels a[]: regular[n] tells whether position n is coded in pass 1. Returns the budget
// left. (An inferred DC sig_coeff_flag is counted as coded: rare, and only a rate estimate.)
int passOneModes(const int* a, int top, bool startsWithLast, int remBins, bool* regular) {
  for (int n = top; n >= 0; --n) {
    regular[n] = remBins >= 4;
    if (!regular[n]) continue;
    remBins -= (startsWithLast && n == top ? 0 : 1) + (a[n] ? 1 : 0) + (a[n] > 1 ? 2 : 0);
  }
  return remBins;
}

// Rate model of one position for the parity decision (see sign_hiding.h): the context-coded
// bins (sig / gt1 / par / gt3) and Rice-coded remainder of a level at scan position pos, in
// regular (pass 1) or bypass (dec_abs_level) mode, plus its sign bin, with the contexts the
// neighbouring levels give now. asLast: pos is the TB's last position (no sig bin, ctxOffset 0).
class PosRate {
 public:
  PosRate(const TCoeff* levels, const ScanInfo& si, bool luma, const ResidualBitTables& t, int pos, bool regular,
          bool asLast)
      : t_(t), regular_(regular), asLast_(asLast) {
    const int zoW = 1 << si.log2ZoW, zoH = 1 << si.log2ZoH;
    const int x = si.xOfPos[pos], y = si.yOfPos[pos];
    const TCoeff* p = levels + (y << si.log2W) + x;
    const int W = 1 << si.log2W;
    // template: (x+1, y) (x+2, y) (x+1, y+1) (x, y+1) (x, y+2), zero outside the coded region
    const int nb[5] = {x + 1 < zoW ? std::abs(p[1]) : 0, x + 2 < zoW ? std::abs(p[2]) : 0,
                       (x + 1 < zoW && y + 1 < zoH) ? std::abs(p[W + 1]) : 0, y + 1 < zoH ? std::abs(p[W]) : 0,
                       y + 2 < zoH ? std::abs(p[2 * W]) : 0};
    int sumPass1 = 0, numSig = 0, sumAbs = 0;
    for (int v : nb) {
      sumPass1 += std::min(4 + (v & 1), v);
      numSig += v != 0;
      sumAbs += v;
    }
    const int d = x + y;
    if (!regular) {
      rice_ = riceParamFromSum(sumAbs);
      return;
    }
    rice_ = riceParamFromSum(sumAbs - 20);
    sigCtx_ = std::min((sumPass1 + 1) >> 1, 3) + (luma ? (d < 2 ? 8 : (d < 5 ? 4 : 0)) : (d < 2 ? 4 : 0));
    off_ = 0;
    if (!asLast) {
      off_ = std::min(sumPass1 - numSig, 4) + 1;
      off_ += luma ? (d == 0 ? 15 : (d < 3 ? 10 : (d < 10 ? 5 : 0))) : (d == 0 ? 5 : 0);
    }
  }

  uint64_t operator()(int a) const { return rate(a, asLast_); }
  // the same position rated as (not) the TB's last one, contexts unchanged otherwise
  uint64_t rate(int a, bool asLast) const {
    const uint64_t sign = a ? kFbitsOne : 0;
    if (!regular_) {
      const int zeroPos = 1 << rice_;
      const uint32_t v = a == 0 ? uint32_t(zeroPos) : (a <= zeroPos ? uint32_t(a - 1) : uint32_t(a));
      return uint64_t(remainderBins(v, rice_)) * kFbitsOne + sign;
    }
    uint64_t bits = asLast ? 0 : t_.sig[sigCtx_].bits[a != 0];
    if (a) {
      const int off = asLast ? 0 : off_;
      bits += t_.gt1[off].bits[a > 1];
      if (a > 1) {
        bits += t_.par[off].bits[a & 1] + t_.gt3[off].bits[a > 3];
        if (a > 3) bits += uint64_t(remainderBins(uint32_t(a - 4) >> 1, rice_)) * kFbitsOne;
      }
    }
    return bits + sign;
  }

 private:
  const ResidualBitTables& t_;
  bool regular_, asLast_;
  int rice_ = 0, sigCtx_ = 0, off_ = 0;
};

}  // namespace

int signHidingAdjust(const TCoeff* coeff, const RdoqParams& p, TCoeff* levels) {
  const ScanInfo& si = scanInfo(p.log2W, p.log2H);
  int last = -1;
  for (int q = si.numPos() - 1; q >= 0; --q)
    if (levels[si.rasterOfPos[q]] != 0) { last = q; break; }
  if (last < 0) return 0;
  const int lastSb = last / si.sbSize;
  const double lf = p.lambda / double(kFbitsOne);
  const dsp::QuantScale& qs = p.qs;
  int remBins = ((1 << (si.log2ZoW + si.log2ZoH)) * 7) >> 2;
  int nz = 0;
  int a[16];
  bool regular[16];
  for (int i = lastSb; i >= 0; --i) {
    const int base = i * si.sbSize;
    const uint16_t* rast = si.rasterOfPos + base;
    const bool isLastSb = i == lastSb;
    SbSpan sp;
    int numNz = 0, numGt1 = 0;
    for (int n = 0; n < si.sbSize; ++n) {
      const int v = std::abs(levels[rast[n]]);
      a[n] = v;
      if (!v) continue;
      if (sp.first < 0) sp.first = n;
      sp.last = n;
      sp.sumAbs += v;
      ++numNz;
      numGt1 += v > 1;
    }
    if (sp.first < 0) continue;  // not coded (or sub-block 0 with nothing in it: nothing follows)
    const int top = isLastSb ? sp.last : si.sbSize - 1;
    const bool firstNeg = levels[rast[sp.first]] < 0;
    if (sp.last - sp.first > kSbhThreshold && ((sp.sumAbs & 1) != 0) != firstNeg) {
      passOneModes(a, top, isLastSb, remBins, regular);
      auto dist = [&](int r, int level) {
        const int64_t sc = int64_t(std::abs(coeff[r])) * qs.scale;
        const double e = double((coeff[r] < 0 ? -sc : sc) - (int64_t(level) << qs.qBits));
        return e * e * qs.errScale;
      };
      double bestCost = std::numeric_limits<double>::infinity();
      int bestN = -1, bestLevel = 0;
      for (int n = top; n >= 0; --n) {
        const int pos = base + n;
        const int r = rast[n];
        const int l = levels[r];
        const int an = a[n];
        const bool isLastPos = isLastSb && n == sp.last;
        const bool canUp = an < 32767 && (an != 0 || n > sp.first || ((coeff[r] < 0) == firstNeg));
        // -1: never the first significant coefficient down to 0 (the hidden sign would move)
        const bool canDown = an > 0 && !(n == sp.first && an == 1);
        if (!canUp && !canDown) continue;
        const double d0 = dist(r, l);
        double rUp = 0, rDown = 0;
        if (p.tables) {
          const PosRate pr(levels, si, p.isLuma, *p.tables, pos, regular[n], isLastPos);
          const double r0 = double(pr(an));
          rUp = lf * (double(pr(an + 1)) - r0);
          if (canDown && isLastPos && an == 1) {
            // the TB's last position moves down to the previous significant one (same sub-block):
            // its own bins go, so do the sig flags (0) between, and the new last loses its sig flag
            const ResidualBitTables& t = *p.tables;
            int nl = n - 1;
            while (a[nl] == 0) --nl;
            double dr = -r0;
            for (int q = nl + 1; q < n; ++q) dr -= double(PosRate(levels, si, p.isLuma, t, base + q, regular[q], false)(0));
            const PosRate prl(levels, si, p.isLuma, t, base + nl, regular[nl], false);
            dr += double(prl.rate(a[nl], true)) - double(prl.rate(a[nl], false));
            const int np = base + nl;
            dr += double(lastPosCostFbits(si.xOfPos[np], p.log2W, si.log2ZoW, p.isLuma, true, t) +
                         lastPosCostFbits(si.yOfPos[np], p.log2H, si.log2ZoH, p.isLuma, false, t));
            dr -= double(lastPosCostFbits(si.xOfPos[pos], p.log2W, si.log2ZoW, p.isLuma, true, t) +
                         lastPosCostFbits(si.yOfPos[pos], p.log2H, si.log2ZoH, p.isLuma, false, t));
            rDown = lf * dr;
          } else if (canDown) {
            rDown = lf * (double(pr(an - 1)) - r0);
          }
        }
        if (canUp) {
          // a zero below the first significant position becomes the first one: the parity then
          // matches the old first's sign, so it must have that sign (canUp checks)
          const int up = an ? l + (l < 0 ? -1 : 1) : (coeff[r] < 0 ? -1 : 1);
          const double c = dist(r, up) - d0 + rUp;
          if (c < bestCost) { bestCost = c; bestN = n; bestLevel = up; }
        }
        if (canDown) {
          const int down = l + (l < 0 ? 1 : -1);
          const double c = dist(r, down) - d0 + rDown;
          if (c < bestCost) { bestCost = c; bestN = n; bestLevel = down; }
        }
      }
      // there is always a candidate: the last significant level of the sub-block can go up
      if (bestN >= 0) {
        const int old = a[bestN];
        levels[rast[bestN]] = bestLevel;
        a[bestN] = std::abs(bestLevel);
        sp = spanOf(a, si.sbSize);
        numNz += (a[bestN] != 0) - (old != 0);
        numGt1 += (a[bestN] > 1) - (old > 1);
      }
    }
    nz += numNz;
    // budget left after this sub-block (no walk needed when it cannot run out inside it)
    const int top2 = isLastSb ? sp.last : si.sbSize - 1;
    if (remBins >= 4 * (top2 + 1) + 4) remBins -= top2 + 1 - (isLastSb ? 1 : 0) + numNz + 2 * numGt1;
    else if (remBins >= 4) remBins = passOneModes(a, top2, isLastSb, remBins, regular);
  }
  return nz;
}

bool signHidingConsistent(const TCoeff* levels, int log2W, int log2H) {
  const ScanInfo& si = scanInfo(log2W, log2H);
  int a[16];
  for (int i = 0; i < si.numSb; ++i) {
    const uint16_t* rast = si.rasterOfPos + i * si.sbSize;
    for (int n = 0; n < si.sbSize; ++n) a[n] = std::abs(levels[rast[n]]);
    const SbSpan sp = spanOf(a, si.sbSize);
    if (sp.first < 0 || sp.last - sp.first <= kSbhThreshold) continue;
    if ((levels[rast[sp.first]] < 0) != ((sp.sumAbs & 1) != 0)) return false;
  }
  return true;
}

}  // namespace search
}  // namespace nnvvc
