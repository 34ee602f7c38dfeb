#include "encoder/alf_decision.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace nnvvc {

namespace {

constexpr int kN = kAlfLumaCoeffs;
constexpr int kTri = kN * (kN + 1) / 2;  // upper triangle of the 12x12 auto-correlation

// Statistics of one class (or a group of classes): E[x x^T] (upper triangle) and E[x t], with
// x the tap sums (in units of a coefficient step of 1/128) and t = source - SAO output.
struct AlfStats {
  double r[kTri] = {};
  double p[kN] = {};
  void add(const AlfStats& o) {
    for (int i = 0; i < kTri; ++i) r[i] += o.r[i];
    for (int i = 0; i < kN; ++i) p[i] += o.p[i];
  }
  double at(int i, int j) const {
    if (i > j) std::swap(i, j);
    return r[i * kN - i * (i - 1) / 2 + (j - i)];
  }
};

// Solves R f = p (regularised Gaussian elimination); f real coefficients (1.0 = one sample).
void solve(const AlfStats& s, double f[kN]) {
  double a[kN][kN + 1];
  double trace = 0;
  for (int i = 0; i < kN; ++i) trace += s.at(i, i);
  for (int i = 0; i < kN; ++i) {
    for (int j = 0; j < kN; ++j) a[i][j] = s.at(i, j);
    a[i][i] += 1e-6 * trace / kN + 1e-9;
    a[i][kN] = s.p[i];
  }
  for (int c = 0; c < kN; ++c) {
    int piv = c;
    for (int r = c + 1; r < kN; ++r)
      if (std::fabs(a[r][c]) > std::fabs(a[piv][c])) piv = r;
    if (std::fabs(a[piv][c]) < 1e-12) { for (int i = 0; i < kN; ++i) f[i] = 0; return; }
    if (piv != c) for (int j = 0; j <= kN; ++j) std::swap(a[c][j], a[piv][j]);
    for (int r = c + 1; r < kN; ++r) {
      const double m = a[r][c] / a[c][c];
      for (int j = c; j <= kN; ++j) a[r][j] -= m * a[c][j];
    }
  }
  for (int i = kN - 1; i >= 0; --i) {
    double v = a[i][kN];
    for (int j = i + 1; j < kN; ++j) v -= a[i][j] * f[j];
    f[i] = v / a[i][i];
  }
}

// SSE reduction of real coefficients f: 2 f.p - f^T R f.
double gainOf(const AlfStats& s, const double f[kN]) {
  double g = 0;
  for (int i = 0; i < kN; ++i) {
    g += 2 * f[i] * s.p[i];
    for (int j = 0; j < kN; ++j) g -= f[i] * f[j] * s.at(i, j);
  }
  return g;
}
double optimalGain(const AlfStats& s) {
  double f[kN];
  solve(s, f);
  return gainOf(s, f);
}

int ueBits(int v) { int n = 0; while ((v + 1) >> (n + 1)) ++n; return 2 * n + 1; }
int coeffBits(const int16_t c[kN]) {
  int b = 0;
  for (int j = 0; j < kN; ++j) b += ueBits(std::abs(c[j])) + (c[j] != 0);
  return b;
}

// Integer coefficients for a group: rounded solution, then +-1 steps while D + lambda * R improves.
double quantise(const AlfStats& s, double lambda, int16_t c[kN]) {
  double f[kN];
  solve(s, f);
  double cf[kN];
  for (int j = 0; j < kN; ++j) {
    c[j] = int16_t(std::clamp(int(std::lround(f[j] * 128)), -128, 127));
    cf[j] = c[j] / 128.0;
  }
  auto cost = [&](const double* x, const int16_t* ci) { return -gainOf(s, x) + lambda * coeffBits(ci); };
  double best = cost(cf, c);
  for (int pass = 0; pass < 4; ++pass) {
    bool improved = false;
    for (int j = 0; j < kN; ++j)
      for (int d = -1; d <= 1; d += 2) {
        const int v = c[j] + d;
        if (v < -128 || v > 127) continue;
        const int16_t old = c[j];
        c[j] = int16_t(v); cf[j] = v / 128.0;
        const double k = cost(cf, c);
        if (k < best) { best = k; improved = true; }
        else { c[j] = old; cf[j] = old / 128.0; }
      }
    if (!improved) break;
  }
  return best;  // -gain + lambda * coefficient bits
}

int ceilLog2(int n) { int r = 0; while ((1 << r) < n) ++r; return r; }

struct CtbStats {
  AlfStats cls[kAlfNumClasses];
};

// Gathers the statistics of CTB area [x0, x0 + w) x [y0, y0 + h).
void gatherCtb(const recon::PaddedPlane& src, const Plane& org, int x0, int y0, int w, int h, int vbRow,
               const dsp::AlfBlockClass* cls, CtbStats& out) {
  const ptrdiff_t st = src.stride;
  for (int y = y0; y < y0 + h; ++y) {
    const int reach = y < vbRow ? vbRow - 1 - y : y - vbRow;
    const ptrdiff_t r1 = std::min(1, reach) * st, r2 = std::min(2, reach) * st, r3 = std::min(3, reach) * st;
    const double scale = reach == 0 ? 1.0 / 8 : 1.0;  // the filter's shift is 3 larger there
    const Pel* s = src.origin() + ptrdiff_t(y) * st;
    const Pel* o = org.row(y);
    for (int x = x0; x < x0 + w; ++x) {
      const dsp::AlfBlockClass bc = cls[((y - y0) >> 2) * (w >> 2) + ((x - x0) >> 2)];
      const uint8_t* map = dsp::kAlfTransposeMap[bc.transposeIdx];
      const Pel* p = s + x;
      const int cur = p[0];
      const int pos[kN] = {p[r3] + p[-r3], p[r2 + 1] + p[-r2 - 1], p[r2] + p[-r2], p[r2 - 1] + p[-r2 + 1],
                           p[r1 + 2] + p[-r1 - 2], p[r1 + 1] + p[-r1 - 1], p[r1] + p[-r1], p[r1 - 1] + p[-r1 + 1],
                           p[r1 - 2] + p[-r1 + 2], p[3] + p[-3], p[2] + p[-2], p[1] + p[-1]};
      double xk[kN];
      for (int j = 0; j < kN; ++j) xk[map[j]] = (pos[j] - 2 * cur) * scale;
      const double t = o[x] - cur;
      AlfStats& a = out.cls[bc.classIdx];
      int k = 0;
      for (int i = 0; i < kN; ++i) {
        const double xi = xk[i];
        a.p[i] += xi * t;
        for (int j = i; j < kN; ++j) a.r[k++] += xi * xk[j];
      }
    }
  }
}

// Chooses the class -> filter grouping and integer filters from the summed class statistics.
// Returns the estimated cost (-gain + lambda * APS bits).
double deriveFilters(const AlfStats cls[kAlfNumClasses], double lambda, AlfApsData& aps) {
  // greedy merging: start with one group per class, merge the pair that loses the least gain
  std::vector<std::vector<int>> groups(kAlfNumClasses);
  std::vector<AlfStats> gs(kAlfNumClasses);
  std::vector<double> gg(kAlfNumClasses);
  for (int c = 0; c < kAlfNumClasses; ++c) { groups[size_t(c)] = {c}; gs[size_t(c)] = cls[c]; gg[size_t(c)] = optimalGain(cls[c]); }
  double bestCost = 1e300;
  AlfApsData best = aps;
  while (true) {
    // evaluate this grouping with integer filters
    const int n = int(groups.size());
    AlfApsData cand = aps;
    cand.lumaSignalled = true;
    cand.lumaClip = false;
    cand.numLumaFilters = n;
    double cost = lambda * (ueBits(n - 1) + 1 + (n > 1 ? kAlfNumClasses * ceilLog2(n) : 0));
    for (int g = 0; g < n; ++g) {
      cost += quantise(gs[size_t(g)], lambda, cand.lumaCoeff[g]);
      for (int c : groups[size_t(g)]) cand.lumaDeltaIdx[c] = uint8_t(g);
    }
    if (cost < bestCost) { bestCost = cost; best = cand; }
    if (n == 1) break;
    int bi = 0, bj = 1;
    double bestLoss = 1e300;
    AlfStats merged;
    for (int i = 0; i < n; ++i)
      for (int j = i + 1; j < n; ++j) {
        AlfStats m = gs[size_t(i)];
        m.add(gs[size_t(j)]);
        const double loss = gg[size_t(i)] + gg[size_t(j)] - optimalGain(m);
        if (loss < bestLoss) { bestLoss = loss; bi = i; bj = j; merged = m; }
      }
    groups[size_t(bi)].insert(groups[size_t(bi)].end(), groups[size_t(bj)].begin(), groups[size_t(bj)].end());
    gs[size_t(bi)] = merged;
    gg[size_t(bi)] = optimalGain(merged);
    groups.erase(groups.begin() + bj);
    gs.erase(gs.begin() + bj);
    gg.erase(gg.begin() + bj);
  }
  // classes keep the order of their first appearance (any mapping is allowed)
  aps = best;
  return bestCost;
}

double sse(const Plane& a, const Plane& b, int x0, int y0, int w, int h) {
  double s = 0;
  for (int y = y0; y < y0 + h; ++y) {
    const Pel* pa = a.row(y);
    const Pel* pb = b.row(y);
    int64_t r = 0;
    for (int x = x0; x < x0 + w; ++x) { const int d = pa[x] - pb[x]; r += d * d; }
    s += double(r);
  }
  return s;
}

}  // namespace

AlfDecision decideAlf(const Picture& orig, const Picture& rec, double lambda, int log2CtuSize, int apsId,
                      int bitDepth) {
  AlfDecision dec;
  const int ctb = 1 << log2CtuSize;
  const Plane& recY = rec.planes[0];
  const Plane& orgY = orig.planes[0];
  const int wCtbs = (recY.width + ctb - 1) / ctb, hCtbs = (recY.height + ctb - 1) / ctb;
  const size_t numCtbs = size_t(wCtbs) * size_t(hCtbs);
  dec.ctus.assign(numCtbs, AlfCtuParams{});
  recon::PaddedPlane src;
  src.copyFrom(recY);
  struct CtbInfo { int x0, y0, w, h, vb; std::vector<dsp::AlfBlockClass> cls; };
  std::vector<CtbInfo> info(numCtbs);
  std::vector<CtbStats> stats(numCtbs);
  for (int ry = 0; ry < hCtbs; ++ry)
    for (int rx = 0; rx < wCtbs; ++rx) {
      CtbInfo& ci = info[size_t(ry) * size_t(wCtbs) + size_t(rx)];
      ci.x0 = rx * ctb; ci.y0 = ry * ctb;
      ci.w = std::min(ctb, recY.width - ci.x0); ci.h = std::min(ctb, recY.height - ci.y0);
      ci.vb = recon::alfVirtualBoundaryRow(ci.y0, ctb, recY.height, 4);
      ci.cls.resize(size_t(ci.w / 4) * size_t(ci.h / 4));
      dsp::alfClassifyC(src.origin(), src.stride, ci.x0, ci.y0, ci.w, ci.h, ci.vb, bitDepth, ci.cls.data());
      gatherCtb(src, orgY, ci.x0, ci.y0, ci.w, ci.h, ci.vb, ci.cls.data(), stats[size_t(ry) * size_t(wCtbs) + size_t(rx)]);
    }
  std::vector<double> dOff(numCtbs), dAps(numCtbs), dFixed(numCtbs, 1e300);
  std::vector<uint8_t> bestFixed(numCtbs, 0);
  Plane filtered = recY;
  for (size_t i = 0; i < numCtbs; ++i) dOff[i] = sse(recY, orgY, info[i].x0, info[i].y0, info[i].w, info[i].h);
  // the 16 fixed filter sets: no APS needed, 4 bypass bits per CTB
  for (int set = 0; set < kAlfNumFixedSets; ++set) {
    AlfClassFilters f;
    alfFixedFilters(set, bitDepth, f);
    for (size_t i = 0; i < numCtbs; ++i) {
      const CtbInfo& ci = info[i];
      dsp::alfFunctions().filterLuma(src.origin(), src.stride, filtered.data.data(), filtered.stride, ci.x0, ci.y0,
                                     ci.w, ci.h, ci.vb, ci.cls.data(), f.coeff, f.clip, bitDepth);
      const double d = sse(filtered, orgY, ci.x0, ci.y0, ci.w, ci.h);
      if (d < dFixed[i]) { dFixed[i] = d; bestFixed[i] = uint8_t(set); }
    }
  }
  // CTB choice costs (bits of alf_ctb_flag, alf_use_aps_flag, alf_luma_fixed_filter_idx, roughly:
  // the contexts adapt to the picture's mix)
  const double bitsOff = 0.8, bitsAps = 1.3, bitsFixedWithAps = 1.3 + 4, bitsFixedOnly = 1.0 + 4;
  enum Choice : uint8_t { kOff, kFixed, kAps };
  std::vector<uint8_t> choice(numCtbs, kAps);
  AlfApsData aps;
  aps.apsId = apsId;
  for (int iter = 0; iter < 3; ++iter) {
    AlfStats sum[kAlfNumClasses];
    bool any = false;
    for (size_t i = 0; i < numCtbs; ++i)
      if (choice[i] == kAps) { any = true; for (int c = 0; c < kAlfNumClasses; ++c) sum[c].add(stats[i].cls[c]); }
    if (!any) break;
    aps = AlfApsData{};
    aps.apsId = apsId;
    deriveFilters(sum, lambda, aps);
    AlfClassFilters f;
    alfApsLumaFilters(aps, bitDepth, f);
    bool changed = false;
    for (size_t i = 0; i < numCtbs; ++i) {
      const CtbInfo& ci = info[i];
      dsp::alfFunctions().filterLuma(src.origin(), src.stride, filtered.data.data(), filtered.stride, ci.x0, ci.y0,
                                     ci.w, ci.h, ci.vb, ci.cls.data(), f.coeff, f.clip, bitDepth);
      dAps[i] = sse(filtered, orgY, ci.x0, ci.y0, ci.w, ci.h);
      const double jOff = dOff[i] + lambda * bitsOff, jFix = dFixed[i] + lambda * bitsFixedWithAps,
                   jAps = dAps[i] + lambda * bitsAps;
      const uint8_t want = jAps <= jOff && jAps <= jFix ? kAps : (jFix < jOff ? kFixed : kOff);
      changed |= want != choice[i];
      choice[i] = want;
    }
    if (!changed) break;
  }
  // the picture: with the APS (its NAL unit: start code, header and filters; the slice header's
  // APS id), with the fixed sets only, or no ALF
  int filterBits = 0;
  for (int g = 0; g < aps.numLumaFilters; ++g) filterBits += coeffBits(aps.lumaCoeff[g]);
  const double apsBits = 48 + 12 + 3 + filterBits + (aps.numLumaFilters > 1 ? 25 * ceilLog2(aps.numLumaFilters) : 0);
  double jWithAps = lambda * (apsBits + 4), jFixedOnly = lambda * 4, jNone = 0;
  int numAps = 0, numFixedWithAps = 0, numFixedOnly = 0;
  for (size_t i = 0; i < numCtbs; ++i) {
    jNone += dOff[i];
    jWithAps += choice[i] == kAps ? dAps[i] + lambda * bitsAps
                : choice[i] == kFixed ? dFixed[i] + lambda * bitsFixedWithAps : dOff[i] + lambda * bitsOff;
    numAps += choice[i] == kAps;
    numFixedWithAps += choice[i] == kFixed;
    const double jf = dFixed[i] + lambda * bitsFixedOnly, jo = dOff[i] + lambda * bitsOff;
    jFixedOnly += std::min(jf, jo);
    numFixedOnly += jf < jo;
  }
  const bool useAps = numAps > 0 && aps.lumaSignalled && jWithAps < jFixedOnly && jWithAps < jNone;
  const bool useFixed = !useAps && numFixedOnly > 0 && jFixedOnly < jNone;
  if (!useAps && !useFixed) return dec;
  dec.enabled = true;
  dec.slice.enabled = true;
  if (useAps) {
    dec.aps = aps;
    dec.slice.numApsLuma = 1;
    dec.slice.apsIdLuma[0] = apsId;
  }
  for (size_t i = 0; i < numCtbs; ++i) {
    AlfCtuParams& p = dec.ctus[i];
    if (useAps) {
      p.luma = choice[i] != kOff;
      p.lumaSet = choice[i] == kAps ? 16 : bestFixed[i];
    } else {
      p.luma = dFixed[i] + lambda * bitsFixedOnly < dOff[i] + lambda * bitsOff;
      p.lumaSet = bestFixed[i];
    }
  }
  return dec;
}

}  // namespace nnvvc
