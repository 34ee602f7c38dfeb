// Deblocking sample kernels (H.266 8.8.3.6.2 .. 8.8.3.6.10): luma decisions for one 4-line
// segment (normal, strong and long filters), chroma decisions and filters, Table 8-18.
#include "dsp/deblock.h"

#include <cstdlib>

namespace nnvvc {
namespace dsp {

const uint8_t kDeblockBetaTable[64] = {
    0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  6,  7,  8,  9,  10, 11,
    12, 13, 14, 15, 16, 17, 18, 20, 22, 24, 26, 28, 30, 32, 34, 36, 38, 40, 42, 44, 46, 48,
    50, 52, 54, 56, 58, 60, 62, 64, 66, 68, 70, 72, 74, 76, 78, 80, 82, 84, 86, 88};

const uint16_t kDeblockTcTable[66] = {
    0,  0,  0,  0,  0,  0,  0,  0,  0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   3,   4,   4,   4,
    4,  5,  5,  5,  5,  7,  7,  8,  9,   10,  10,  11,  13,  14,  15,  17,  19,  21,  24,  25,  29,  33,
    36, 41, 45, 51, 57, 64, 71, 80, 89, 100, 112, 125, 141, 157, 177, 198, 222, 250, 280, 314, 352, 395};

namespace {
inline int clampInt(int lo, int hi, int v) { return v < lo ? lo : (v > hi ? hi : v); }
}  // namespace

int deblockBeta(int qp, int betaOffsetDiv2, int bitDepth) {
  return kDeblockBetaTable[clampInt(0, 63, qp + 2 * betaOffsetDiv2)] * (1 << (bitDepth - 8));
}

int deblockTc(int qp, int bS, int tcOffsetDiv2, int bitDepth) {
  const int t = kDeblockTcTable[clampInt(0, 65, qp + 2 * (bS - 1) + 2 * tcOffsetDiv2)];
  return bitDepth < 10 ? (t + (1 << (9 - bitDepth))) >> (10 - bitDepth) : t * (1 << (bitDepth - 10));
}

namespace {

// One line of samples across the edge: p(i) / q(i) read, setP / setQ write.
struct Line {
  Pel* s;
  ptrdiff_t a;
  int p(int i) const { return s[-(i + 1) * a]; }
  int q(int i) const { return s[i * a]; }
  void setP(int i, int v) const { s[-(i + 1) * a] = Pel(v); }
  void setQ(int i, int v) const { s[i * a] = Pel(v); }
};

// Second differences dp / dq (8.8.3.6.2), at offset k samples away from the edge (k = 0 near,
// k = 3 for the extra term of a large side).
inline int secondDiffP(const Line& l, int k) { return std::abs(l.p(k + 2) - 2 * l.p(k + 1) + l.p(k)); }
inline int secondDiffQ(const Line& l, int k) { return std::abs(l.q(k + 2) - 2 * l.q(k + 1) + l.q(k)); }

// Strong/long filter decision for one line (8.8.3.6.4 dSam). d2 = 2 * dpq of the line.
// lenP/lenQ > 3: that side is large (extra flatness terms reaching p7/q7, or p5/q5 for 5).
bool strongDecision(const Line& l, int d2, int beta, int tc, int lenP, int lenQ) {
  int sp = std::abs(l.p(3) - l.p(0));
  int sq = std::abs(l.q(3) - l.q(0));
  const bool largeP = lenP > 3, largeQ = lenQ > 3;
  if (largeP || largeQ) {
    if (largeP) {
      int pEnd;
      if (lenP == 7) {
        sp += std::abs(l.p(4) - l.p(5) - l.p(6) + l.p(7));
        pEnd = l.p(7);
      } else {
        pEnd = l.p(5);
      }
      sp = (sp + std::abs(l.p(3) - pEnd) + 1) >> 1;
    }
    if (largeQ) {
      int qEnd;
      if (lenQ == 7) {
        sq += std::abs(l.q(4) - l.q(5) - l.q(6) + l.q(7));
        qEnd = l.q(7);
      } else {
        qEnd = l.q(5);
      }
      sq = (sq + std::abs(qEnd - l.q(3)) + 1) >> 1;
    }
    return sp + sq < ((beta * 3) >> 5) && d2 < (beta >> 4) &&
           std::abs(l.p(0) - l.q(0)) < ((tc * 5 + 1) >> 1);
  }
  return sp + sq < (beta >> 3) && d2 < (beta >> 2) && std::abs(l.p(0) - l.q(0)) < ((tc * 5 + 1) >> 1);
}

// Long luma filter (8.8.3.6.7) with side lengths lenP, lenQ in {3, 5, 7}, at least one > 3.
void longFilterLine(const Line& l, int tc, int lenP, int lenQ) {
  static const int kF3[3] = {53, 32, 11}, kF5[5] = {58, 45, 32, 19, 6},
                   kF7[7] = {59, 50, 41, 32, 23, 14, 5};
  static const int kT3[3] = {6, 4, 2}, kT5[5] = {6, 5, 4, 3, 2}, kT7[7] = {6, 5, 4, 3, 2, 1, 1};
  int p[8], q[8];
  for (int i = 0; i < 8; ++i) {
    p[i] = (i <= lenP) ? l.p(i) : 0;
    q[i] = (i <= lenQ) ? l.q(i) : 0;
  }
  int refMiddle;
  if (lenP == lenQ) {
    if (lenP == 5)
      refMiddle = (2 * (p[0] + q[0] + p[1] + q[1] + p[2] + q[2]) + p[3] + q[3] + p[4] + q[4] + 8) >> 4;
    else
      refMiddle = (2 * (p[0] + q[0]) + p[1] + q[1] + p[2] + q[2] + p[3] + q[3] + p[4] + q[4] + p[5] +
                   q[5] + p[6] + q[6] + 8) >> 4;
  } else if ((lenP == 7 && lenQ == 5) || (lenP == 5 && lenQ == 7)) {
    refMiddle = (2 * (p[0] + q[0] + p[1] + q[1]) + p[2] + q[2] + p[3] + q[3] + p[4] + q[4] + p[5] +
                 q[5] + 8) >> 4;
  } else if (lenP == 7 || lenQ == 7) {  // 7 against 3: L = the long side, S = the short side
    const int* L = lenP == 7 ? p : q;
    const int* S = lenP == 7 ? q : p;
    refMiddle = (2 * (L[0] + S[0]) + S[0] + 2 * (S[1] + S[2]) + L[1] + S[1] + L[2] + L[3] + L[4] +
                 L[5] + L[6] + 8) >> 4;
  } else {  // 5 against 3
    refMiddle = (p[0] + q[0] + p[1] + q[1] + p[2] + q[2] + p[3] + q[3] + 4) >> 3;
  }
  const int refP = (p[lenP - 1] + p[lenP] + 1) >> 1;
  const int refQ = (q[lenQ - 1] + q[lenQ] + 1) >> 1;
  const int* fP = lenP == 7 ? kF7 : (lenP == 5 ? kF5 : kF3);
  const int* fQ = lenQ == 7 ? kF7 : (lenQ == 5 ? kF5 : kF3);
  const int* tP = lenP == 7 ? kT7 : (lenP == 5 ? kT5 : kT3);
  const int* tQ = lenQ == 7 ? kT7 : (lenQ == 5 ? kT5 : kT3);
  for (int i = 0; i < lenP; ++i) {
    const int c = (tc * tP[i]) >> 1;
    l.setP(i, clampInt(p[i] - c, p[i] + c, (refMiddle * fP[i] + refP * (64 - fP[i]) + 32) >> 6));
  }
  for (int i = 0; i < lenQ; ++i) {
    const int c = (tc * tQ[i]) >> 1;
    l.setQ(i, clampInt(q[i] - c, q[i] + c, (refMiddle * fQ[i] + refQ * (64 - fQ[i]) + 32) >> 6));
  }
}

// Strong short luma filter (8.8.3.6.6, dE == 2): three samples each side.
void strongFilterLine(const Line& l, int tc) {
  const int p0 = l.p(0), p1 = l.p(1), p2 = l.p(2), p3 = l.p(3);
  const int q0 = l.q(0), q1 = l.q(1), q2 = l.q(2), q3 = l.q(3);
  l.setP(0, clampInt(p0 - 3 * tc, p0 + 3 * tc, (p2 + 2 * p1 + 2 * p0 + 2 * q0 + q1 + 4) >> 3));
  l.setQ(0, clampInt(q0 - 3 * tc, q0 + 3 * tc, (p1 + 2 * p0 + 2 * q0 + 2 * q1 + q2 + 4) >> 3));
  l.setP(1, clampInt(p1 - 2 * tc, p1 + 2 * tc, (p2 + p1 + p0 + q0 + 2) >> 2));
  l.setQ(1, clampInt(q1 - 2 * tc, q1 + 2 * tc, (p0 + q0 + q1 + q2 + 2) >> 2));
  l.setP(2, clampInt(p2 - tc, p2 + tc, (2 * p3 + 3 * p2 + p1 + p0 + q0 + 4) >> 3));
  l.setQ(2, clampInt(q2 - tc, q2 + tc, (p0 + q0 + q1 + 3 * q2 + 2 * q3 + 4) >> 3));
}

// Normal (weak) luma filter (8.8.3.6.6, dE == 1): p0/q0, and p1/q1 when dEp/dEq.
void weakFilterLine(const Line& l, int tc, bool filterP1, bool filterQ1, int maxVal) {
  const int p0 = l.p(0), p1 = l.p(1), q0 = l.q(0), q1 = l.q(1);
  int delta = (9 * (q0 - p0) - 3 * (q1 - p1) + 8) >> 4;
  if (std::abs(delta) >= tc * 10) return;
  delta = clampInt(-tc, tc, delta);
  l.setP(0, clampInt(0, maxVal, p0 + delta));
  l.setQ(0, clampInt(0, maxVal, q0 - delta));
  const int tc2 = tc >> 1;
  if (filterP1) {
    const int dp = clampInt(-tc2, tc2, (((l.p(2) + p0 + 1) >> 1) - p1 + delta) >> 1);
    l.setP(1, clampInt(0, maxVal, p1 + dp));
  }
  if (filterQ1) {
    const int dq = clampInt(-tc2, tc2, (((l.q(2) + q0 + 1) >> 1) - q1 - delta) >> 1);
    l.setQ(1, clampInt(0, maxVal, q1 + dq));
  }
}

}  // namespace

int lumaEdge_c(Pel* src, ptrdiff_t across, ptrdiff_t along, int tc, int beta, int maxLenP,
               int maxLenQ, int maxVal) {
  const Line l0{src, across}, l3{src + 3 * along, across};
  const int dp0 = secondDiffP(l0, 0), dq0 = secondDiffQ(l0, 0);
  const int dp3 = secondDiffP(l3, 0), dq3 = secondDiffQ(l3, 0);
  const bool largeP = maxLenP > 3, largeQ = maxLenQ > 3;
  if (largeP || largeQ) {
    // 8.8.3.6.2: averaged second differences over the large side(s).
    const int dp0L = largeP ? (dp0 + secondDiffP(l0, 3) + 1) >> 1 : dp0;
    const int dp3L = largeP ? (dp3 + secondDiffP(l3, 3) + 1) >> 1 : dp3;
    const int dq0L = largeQ ? (dq0 + secondDiffQ(l0, 3) + 1) >> 1 : dq0;
    const int dq3L = largeQ ? (dq3 + secondDiffQ(l3, 3) + 1) >> 1 : dq3;
    const int d0L = dp0L + dq0L, d3L = dp3L + dq3L;
    if (d0L + d3L < beta) {
      const int lenP = largeP ? maxLenP : 3, lenQ = largeQ ? maxLenQ : 3;
      if (strongDecision(l0, 2 * d0L, beta, tc, lenP, lenQ) &&
          strongDecision(l3, 2 * d3L, beta, tc, lenP, lenQ)) {
        for (int k = 0; k < 4; ++k) longFilterLine(Line{src + k * along, across}, tc, lenP, lenQ);
        return kDbLong;
      }
    }
  }
  const int d0 = dp0 + dq0, d3 = dp3 + dq3;
  if (d0 + d3 >= beta) return kDbNone;
  const bool longer1 = maxLenP > 1 && maxLenQ > 1;
  const bool longer2 = maxLenP > 2 && maxLenQ > 2;
  const int sideThreshold = (beta + (beta >> 1)) >> 3;
  const bool filterP1 = longer1 && dp0 + dp3 < sideThreshold;
  const bool filterQ1 = longer1 && dq0 + dq3 < sideThreshold;
  const bool strong = longer2 && strongDecision(l0, 2 * d0, beta, tc, 3, 3) &&
                      strongDecision(l3, 2 * d3, beta, tc, 3, 3);
  for (int k = 0; k < 4; ++k) {
    const Line l{src + k * along, across};
    if (strong) strongFilterLine(l, tc);
    else weakFilterLine(l, tc, filterP1, filterQ1, maxVal);
  }
  return strong ? kDbStrong : kDbWeak;
}

int chromaEdge_c(Pel* src, ptrdiff_t across, ptrdiff_t along, int numLines, int tc, int beta,
                 bool largeBoundary, bool ctbBoundary, int maxVal) {
  bool strong = false;
  if (largeBoundary) {
    // 8.8.3.6.3: decisions on lines 0 and 1 (for 4:2:0 the 2-line segment's own lines). At a CTU
    // row boundary the P side is read as p0/p1 only (line buffer), so dp = |p0 - p1|.
    const Line l0{src, across}, l1{src + along, across};
    auto dp = [&](const Line& l) {
      return ctbBoundary ? std::abs(l.p(0) - l.p(1)) : secondDiffP(l, 0);
    };
    const int d0 = dp(l0) + secondDiffQ(l0, 0), d1 = dp(l1) + secondDiffQ(l1, 0);
    if (d0 + d1 < beta) {
      auto strongOk = [&](const Line& l, int d2) {
        const int sp = ctbBoundary ? std::abs(l.p(1) - l.p(0)) : std::abs(l.p(3) - l.p(0));
        const int sq = std::abs(l.q(3) - l.q(0));
        return sp + sq < (beta >> 3) && d2 < (beta >> 2) &&
               std::abs(l.p(0) - l.q(0)) < ((tc * 5 + 1) >> 1);
      };
      strong = strongOk(l0, 2 * d0) && strongOk(l1, 2 * d1);
    }
  }
  for (int k = 0; k < numLines; ++k) {
    const Line l{src + k * along, across};
    const int p0 = l.p(0), p1 = l.p(1), q0 = l.q(0), q1 = l.q(1), q2 = l.q(2), q3 = l.q(3);
    if (strong) {
      if (ctbBoundary) {
        l.setP(0, clampInt(p0 - tc, p0 + tc, (3 * p1 + 2 * p0 + q0 + q1 + q2 + 4) >> 3));
        l.setQ(0, clampInt(q0 - tc, q0 + tc, (2 * p1 + p0 + 2 * q0 + q1 + q2 + q3 + 4) >> 3));
      } else {
        const int p2 = l.p(2), p3 = l.p(3);
        l.setP(2, clampInt(p2 - tc, p2 + tc, (3 * p3 + 2 * p2 + p1 + p0 + q0 + 4) >> 3));
        l.setP(1, clampInt(p1 - tc, p1 + tc, (2 * p3 + p2 + 2 * p1 + p0 + q0 + q1 + 4) >> 3));
        l.setP(0, clampInt(p0 - tc, p0 + tc, (p3 + p2 + p1 + 2 * p0 + q0 + q1 + q2 + 4) >> 3));
        l.setQ(0, clampInt(q0 - tc, q0 + tc, (p2 + p1 + p0 + 2 * q0 + q1 + q2 + q3 + 4) >> 3));
      }
      l.setQ(1, clampInt(q1 - tc, q1 + tc, (p1 + p0 + q0 + 2 * q1 + q2 + 2 * q3 + 4) >> 3));
      l.setQ(2, clampInt(q2 - tc, q2 + tc, (p0 + q0 + q1 + 2 * q2 + 3 * q3 + 4) >> 3));
    } else {
      const int delta = clampInt(-tc, tc, (4 * (q0 - p0) + p1 - q1 + 4) >> 3);
      l.setP(0, clampInt(0, maxVal, p0 + delta));
      l.setQ(0, clampInt(0, maxVal, q0 - delta));
    }
  }
  return strong ? kDbStrong : kDbWeak;
}

const DeblockFunctions& deblockFunctionsC() {
  static const DeblockFunctions table{lumaEdge_c, chromaEdge_c, "c"};
  return table;
}

const DeblockFunctions& deblockFunctions() { return deblockFunctionsC(); }

}  // namespace dsp
}  // namespace nnvvc
