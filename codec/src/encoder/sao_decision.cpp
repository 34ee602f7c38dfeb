#include "encoder/sao_decision.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "cabac/cabac.h"
#include "dsp/sao.h"
#include "encoder/search/rd_cost.h"
#include "syntax/sao_syntax.h"

namespace nnvvc {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Statistics of one component of one CTB: diff = source - deblocked.
struct CompStats {
  int64_t eoSum[4][5], eoCount[4][5];  // [class][raw edge index 0..4]
  int64_t boSum[32], boCount[32];
};

void gatherStats(const Plane& org, const Plane& rec, const recon::SaoArea& ctb, CompStats& s) {
  std::memset(&s, 0, sizeof(s));
  const dsp::SaoFunctions& f = dsp::saoFunctions();
  f.statsBand(org.row(ctb.y0) + ctb.x0, org.stride, rec.row(ctb.y0) + ctb.x0, rec.stride, ctb.x1 - ctb.x0,
              ctb.y1 - ctb.y0, kBitDepth - 5, s.boSum, s.boCount);
  for (int k = 0; k < 4; ++k) {
    const recon::SaoArea a = recon::saoEdgeArea(rec, ctb, k);
    if (a.x1 <= a.x0 || a.y1 <= a.y0) continue;
    f.statsEdge(org.row(a.y0) + a.x0, org.stride, rec.row(a.y0) + a.x0, rec.stride, a.x1 - a.x0, a.y1 - a.y0, k,
                s.eoSum[k], s.eoCount[k]);
  }
}

// SSE change of adding offset o to `count` samples whose differences sum to `sum`.
inline double deltaDist(int64_t sum, int64_t count, int o) {
  return double(count) * double(o) * double(o) - 2.0 * double(o) * double(sum);
}

// raw edge index of SaoOffsetVal[i + 1]
constexpr int kEoCategory[4] = {0, 1, 3, 4};

// SSE change of parameters s on the statistics (no clipping).
double paramDist(const SaoCompParams& s, const CompStats& st) {
  double d = 0;
  if (s.typeIdx == 1)
    for (int k = 0; k < 4; ++k) {
      const int b = (s.bandPos + k) & 31;
      d += deltaDist(st.boSum[b], st.boCount[b], s.offsets[k]);
    }
  else if (s.typeIdx == 2)
    for (int k = 0; k < 4; ++k)
      d += deltaDist(st.eoSum[s.eoClass][kEoCategory[k]], st.eoCount[s.eoClass][kEoCategory[k]], s.offsets[k]);
  return d;
}

struct Chooser {
  double lambda;    // per bit
  int maxOffset;

  double absBits(int a) const { return a < maxOffset ? a + 1 : maxOffset; }
  // best offset in [lo, hi] for (sum, count) with weight w on the distortion; returns the cost
  // w * dD + lambda * bits (bits: abs + sign when withSign and nonzero)
  int bestOffset(int64_t sum, int64_t count, int lo, int hi, double w, bool withSign, double& cost) const {
    int start = 0;
    if (count > 0) {
      const double m = double(sum) / double(count);
      start = int(std::lround(m));
      start = start < lo ? lo : (start > hi ? hi : start);
    }
    int best = 0;
    cost = lambda * absBits(0);
    const int step = start > 0 ? -1 : 1;
    for (int o = start; o != 0; o += step) {
      const int a = o < 0 ? -o : o;
      const double j = w * deltaDist(sum, count, o) + lambda * (absBits(a) + (withSign ? 1 : 0));
      if (j < cost) { cost = j; best = o; }
    }
    return best;
  }

  // Best edge offset of class k for one component: offsets and cost (without type / class bits).
  double edge(const CompStats& st, int k, double w, SaoCompParams& out) const {
    out.typeIdx = 2; out.eoClass = uint8_t(k);
    double total = 0;
    for (int i = 0; i < 4; ++i) {
      double c;
      const int cat = kEoCategory[i];
      out.offsets[i] = int8_t(i < 2 ? bestOffset(st.eoSum[k][cat], st.eoCount[k][cat], 0, maxOffset, w, false, c)
                                    : bestOffset(st.eoSum[k][cat], st.eoCount[k][cat], -maxOffset, 0, w, false, c));
      total += c;
    }
    return total;
  }

  // Best band offset for one component: 4 consecutive bands (mod 32), cost incl. band position bits.
  double band(const CompStats& st, double w, SaoCompParams& out) const {
    double cost[32];
    int off[32];
    for (int b = 0; b < 32; ++b) off[b] = bestOffset(st.boSum[b], st.boCount[b], -maxOffset, maxOffset, w, true, cost[b]);
    double best = kInf;
    int bestPos = 0;
    for (int p = 0; p < 32; ++p) {
      const double j = cost[p] + cost[(p + 1) & 31] + cost[(p + 2) & 31] + cost[(p + 3) & 31];
      if (j < best) { best = j; bestPos = p; }
    }
    out.typeIdx = 1; out.bandPos = uint8_t(bestPos);
    for (int k = 0; k < 4; ++k) out.offsets[k] = int8_t(off[(bestPos + k) & 31]);
    return best + lambda * 5;
  }
};

}  // namespace

SaoDecision decideSao(const Picture& orig, const Picture& rec, const SliceParams& slice, int log2CtuSize,
                      int ctxInitType, bool enableLuma, bool enableChroma) {
  SaoDecision d;
  const int ctu = 1 << log2CtuSize;
  const int widthInCtus = (rec.width + ctu - 1) / ctu, heightInCtus = (rec.height + ctu - 1) / ctu;
  d.ctus.assign(size_t(widthInCtus) * size_t(heightInCtus), SaoCtuParams{});
  if (!enableLuma && !enableChroma) return d;
  search::RdLambda rl;
  rl.set(slice.qp, slice.qpPrimeY, slice.qpPrimeCb, slice.qpPrimeCr, kBitDepth);
  const double lambda = slice.lambda > 0 ? slice.lambda : rl.lambda;
  const double w[3] = {1.0, rl.chromaWeight[1], rl.chromaWeight[2]};
  const Chooser ch{lambda, saoMaxOffset(kBitDepth)};
  ContextSet ctx;
  ctx.init(slice.qp, ctxInitType);
  SaoSyntaxEnv env;
  env.widthInCtus = widthInCtus; env.luma = enableLuma; env.chroma = enableChroma;
  const bool enabled[3] = {enableLuma, enableChroma, enableChroma};
  auto bitsOf = [&](const ContextModel& m, unsigned b) { return double(m.fracBits(b)) / 32768.0; };

  CompStats st[3];
  for (int ry = 0; ry < heightInCtus; ++ry)
    for (int rx = 0; rx < widthInCtus; ++rx) {
      for (int c = 0; c < 3; ++c)
        if (enabled[c])
          gatherStats(orig.planes[c], rec.planes[c], recon::saoCtbArea(rec.planes[c], rx, ry, c ? log2CtuSize - 1 : log2CtuSize),
                      st[c]);
      const ContextModel& typeCtx = ctx[kCtxSaoTypeIdx];
      const double typeOff = lambda * bitsOf(typeCtx, 0), typeOn = lambda * (bitsOf(typeCtx, 1) + 1);
      SaoCtuParams best;  // new parameters
      double jNew = 0;
      if (enableLuma) {
        double j = typeOff;
        SaoCompParams cand;
        const double jb = ch.band(st[0], w[0], cand) + typeOn;
        if (jb < j) { j = jb; best.comp[0] = cand; }
        for (int k = 0; k < 4; ++k) {
          const double je = ch.edge(st[0], k, w[0], cand) + typeOn + 2 * lambda;
          if (je < j) { j = je; best.comp[0] = cand; }
        }
        jNew += j;
      }
      if (enableChroma) {
        double j = typeOff;
        SaoCompParams cb, cr;
        const double jb = ch.band(st[1], w[1], cb) + ch.band(st[2], w[2], cr) + typeOn;
        if (jb < j) { j = jb; best.comp[1] = cb; best.comp[2] = cr; }
        for (int k = 0; k < 4; ++k) {
          const double je = ch.edge(st[1], k, w[1], cb) + ch.edge(st[2], k, w[2], cr) + typeOn + 2 * lambda;
          if (je < j) { j = je; best.comp[1] = cb; best.comp[2] = cr; }
        }
        jNew += j;
      }
      // merge candidates: the final parameters of the left / upper CTB on this CTB's statistics
      const ContextModel& mergeCtx = ctx[kCtxSaoMerge];
      const size_t idx = size_t(ry) * size_t(widthInCtus) + size_t(rx);
      double flagBits = 0;
      SaoCtuParams chosen = best;
      double jBest = kInf;
      auto mergeCost = [&](const SaoCtuParams& n) {
        double j = 0;
        for (int c = 0; c < 3; ++c)
          if (enabled[c]) j += w[c] * paramDist(n.comp[c], st[c]);
        return j;
      };
      if (rx > 0) {
        const double j = mergeCost(d.ctus[idx - 1]) + lambda * bitsOf(mergeCtx, 1);
        if (j < jBest) { jBest = j; chosen = d.ctus[idx - 1]; chosen.mergeLeft = true; chosen.mergeUp = false; }
        flagBits += bitsOf(mergeCtx, 0);
      }
      if (ry > 0) {
        const double j = mergeCost(d.ctus[idx - widthInCtus]) + lambda * (flagBits + bitsOf(mergeCtx, 1));
        if (j < jBest) { jBest = j; chosen = d.ctus[idx - widthInCtus]; chosen.mergeLeft = false; chosen.mergeUp = true; }
        flagBits += bitsOf(mergeCtx, 0);
      }
      // new parameters (recomputed with the distortion of the final offsets: same values)
      if (jNew + lambda * flagBits <= jBest) chosen = best;
      d.ctus[idx] = chosen;
      BitEstimator est;  // adapt the contexts as the writer will
      codeSao(est, ctx, env, d.ctus, rx, ry);
    }
  for (const SaoCtuParams& p : d.ctus) {
    d.luma |= p.comp[0].typeIdx != 0;
    d.chroma |= p.comp[1].typeIdx != 0 || p.comp[2].typeIdx != 0;
  }
  if (!d.luma && !d.chroma)
    for (SaoCtuParams& p : d.ctus) p.mergeLeft = p.mergeUp = false;
  return d;
}

}  // namespace nnvvc
