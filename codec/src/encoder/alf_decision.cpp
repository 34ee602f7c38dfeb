#include "encoder/alf_decision.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace nnvvc {

namespace {

constexpr int kN = kAlfLumaCoeffs;

// Statistics of one class (or a group of classes, or one chroma component): E[x x^T] (upper
// triangle) and E[x t], with x the N tap sums (in units of a coefficient step of 1/128) and
// t = source - SAO output. N = 12 (luma 7x7 diamond) or 6 (chroma 5x5 diamond).
template <int N>
struct AlfStatsN {
  static constexpr int kTri = N * (N + 1) / 2;
  double r[kTri] = {};
  double p[N] = {};
  void add(const AlfStatsN& o) {
    for (int i = 0; i < kTri; ++i) r[i] += o.r[i];
    for (int i = 0; i < N; ++i) p[i] += o.p[i];
  }
  double at(int i, int j) const {
    if (i > j) std::swap(i, j);
    return r[i * N - i * (i - 1) / 2 + (j - i)];
  }
  // one sample: taps x, target t
  void accumulate(const double* x, double t) {
    int k = 0;
    for (int i = 0; i < N; ++i) {
      const double xi = x[i];
      p[i] += xi * t;
      for (int j = i; j < N; ++j) r[k++] += xi * x[j];
    }
  }
};
using AlfStats = AlfStatsN<kN>;
using AlfChromaStats = AlfStatsN<kAlfChromaCoeffs>;

// Solves R f = p (regularised Gaussian elimination); f real coefficients (1.0 = one sample).
template <int N>
void solve(const AlfStatsN<N>& s, double f[N]) {
  double a[N][N + 1];
  double trace = 0;
  for (int i = 0; i < N; ++i) trace += s.at(i, i);
  for (int i = 0; i < N; ++i) {
    for (int j = 0; j < N; ++j) a[i][j] = s.at(i, j);
    a[i][i] += 1e-6 * trace / N + 1e-9;
    a[i][N] = s.p[i];
  }
  for (int c = 0; c < N; ++c) {
    int piv = c;
    for (int r = c + 1; r < N; ++r)
      if (std::fabs(a[r][c]) > std::fabs(a[piv][c])) piv = r;
    if (std::fabs(a[piv][c]) < 1e-12) { for (int i = 0; i < N; ++i) f[i] = 0; return; }
    if (piv != c) for (int j = 0; j <= N; ++j) std::swap(a[c][j], a[piv][j]);
    for (int r = c + 1; r < N; ++r) {
      const double m = a[r][c] / a[c][c];
      for (int j = c; j <= N; ++j) a[r][j] -= m * a[c][j];
    }
  }
  for (int i = N - 1; i >= 0; --i) {
    double v = a[i][N];
    for (int j = i + 1; j < N; ++j) v -= a[i][j] * f[j];
    f[i] = v / a[i][i];
  }
}

// SSE reduction of real coefficients f: 2 f.p - f^T R f.
template <int N>
double gainOf(const AlfStatsN<N>& s, const double f[N]) {
  double g = 0;
  for (int i = 0; i < N; ++i) {
    g += 2 * f[i] * s.p[i];
    for (int j = 0; j < N; ++j) g -= f[i] * f[j] * s.at(i, j);
  }
  return g;
}
// The gain of the solution of R f = p is f.p (2 f.p - f^T R f with R f = p).
double optimalGain(const AlfStats& s) {
  double f[kN];
  solve(s, f);
  double g = 0;
  for (int i = 0; i < kN; ++i) g += f[i] * s.p[i];
  return g;
}

int ueBits(int v) { int n = 0; while ((v + 1) >> (n + 1)) ++n; return 2 * n + 1; }
template <int N>
int coeffBits(const int16_t c[N]) {
  int b = 0;
  for (int j = 0; j < N; ++j) b += ueBits(std::abs(c[j])) + (c[j] != 0);
  return b;
}

// Integer coefficients for a group: rounded solution, then +-1 steps while D + lambda * R improves.
template <int N>
double quantise(const AlfStatsN<N>& s, double lambda, int16_t c[N]) {
  double f[N];
  solve(s, f);
  double cf[N];
  for (int j = 0; j < N; ++j) {
    c[j] = int16_t(std::clamp(int(std::lround(f[j] * 128)), -128, 127));
    cf[j] = c[j] / 128.0;
  }
  // the gain's change for a step d of coefficient j is 2d (p_j - (R cf)_j) - d^2 R_jj: R cf kept up to date,
  // so each trial costs O(1) (and each accepted step O(N)) instead of a whole quadratic form
  double rf[N];
  for (int i = 0; i < N; ++i) {
    rf[i] = 0;
    for (int j = 0; j < N; ++j) rf[i] += s.at(i, j) * cf[j];
  }
  auto bitsOf = [](int v) { return ueBits(std::abs(v)) + (v != 0); };
  double best = -gainOf(s, cf) + lambda * coeffBits<N>(c);
  for (int pass = 0; pass < 4; ++pass) {
    bool improved = false;
    for (int j = 0; j < N; ++j)
      for (int d = -1; d <= 1; d += 2) {
        const int v = c[j] + d;
        if (v < -128 || v > 127) continue;
        const double step = d / 128.0;
        const double dGain = 2 * step * (s.p[j] - rf[j]) - step * step * s.at(j, j);
        const double k = best - dGain + lambda * (bitsOf(v) - bitsOf(c[j]));
        if (k < best) {
          best = k;
          improved = true;
          c[j] = int16_t(v);
          cf[j] = v / 128.0;
          for (int i = 0; i < N; ++i) rf[i] += s.at(i, j) * step;
        }
      }
    if (!improved) break;
  }
  return best;  // -gain + lambda * coefficient bits
}

int ceilLog2(int n) { int r = 0; while ((1 << r) < n) ++r; return r; }

// Luma statistics with clipping: variable clipIdx * 12 + k is coefficient k's tap sum with both
// differences clipped to AlfClip[clipIdx] (clipIdx 0: no clipping at 10 bits), so the statistics of
// any per-coefficient choice of clipping indices are a 12 x 12 sub-system (subStats).
using AlfClipStats = AlfStatsN<dsp::kAlfStatVars>;

struct CtbStats {
  AlfClipStats cls[kAlfNumClasses];
};

// The 12-coefficient statistics of the filter with clipping indices clip[k] (nullptr: none).
AlfStats subStats(const AlfClipStats& s, const uint8_t* clip) {
  AlfStats o;
  int v[kN];
  for (int i = 0; i < kN; ++i) v[i] = (clip ? clip[i] : 0) * kN + i;
  int k = 0;
  for (int i = 0; i < kN; ++i) {
    o.p[i] = s.p[v[i]];
    for (int j = i; j < kN; ++j) o.r[k++] = s.at(v[i], v[j]);
  }
  return o;
}

// Gathers the statistics of CTB area [x0, x0 + w) x [y0, y0 + h): per sample the 12 taps' clipped
// difference sums for the four clipping indices against t = source - SAO output, bucketed by class
// and accumulated by the dsp kernel in runs of 64 (its bound |x| <= 4096 holds up to 10-bit samples,
// our internal bit depth). The two rows by the virtual boundary (filtered with a shift 3 larger) are
// left out.
void gatherCtb(const recon::PaddedPlane& src, const Plane& org, int x0, int y0, int w, int h, int vbRow,
               const dsp::AlfBlockClass* cls, int bitDepth, CtbStats& out) {
  constexpr int V = dsp::kAlfStatVars, kRun = 64;
  thread_local std::vector<int16_t> xs[kAlfNumClasses], ts[kAlfNumClasses];
  for (int c = 0; c < kAlfNumClasses; ++c) { xs[c].clear(); ts[c].clear(); }
  int clipVal[4];
  for (int c = 0; c < 4; ++c) clipVal[c] = alfClipValue(c, bitDepth);
  const ptrdiff_t st = src.stride;
  for (int y = y0; y < y0 + h; ++y) {
    const int reach = y < vbRow ? vbRow - 1 - y : y - vbRow;
    if (reach == 0) continue;
    const ptrdiff_t r1 = std::min(1, reach) * st, r2 = std::min(2, reach) * st, r3 = std::min(3, reach) * st;
    const ptrdiff_t off[kN] = {r3, r2 + 1, r2, r2 - 1, r1 + 2, r1 + 1, r1, r1 - 1, r1 - 2, 3, 2, 1};
    const Pel* s = src.origin() + ptrdiff_t(y) * st;
    const Pel* o = org.row(y);
    for (int x = x0; x < x0 + w; ++x) {
      const dsp::AlfBlockClass bc = cls[((y - y0) >> 2) * (w >> 2) + ((x - x0) >> 2)];
      const uint8_t* map = dsp::kAlfTransposeMap[bc.transposeIdx];
      const Pel* p = s + x;
      const int cur = p[0];
      std::vector<int16_t>& bx = xs[bc.classIdx];
      const size_t at = bx.size();
      bx.resize(at + V);
      int16_t* v = bx.data() + at;
      // coefficient k's two differences (transposed), padded to 16 so that the clipping loop below
      // has a trip count the compiler vectorises
      int16_t d1[16] = {}, d2[16] = {}, sums[16];
      for (int j = 0; j < kN; ++j) {
        d1[map[j]] = int16_t(p[off[j]] - cur);
        d2[map[j]] = int16_t(p[-off[j]] - cur);
      }
      for (int c = 0; c < 4; ++c) {
        const int16_t cv = int16_t(clipVal[c]), ncv = int16_t(-clipVal[c]);
        for (int k = 0; k < 16; ++k) {
          const int16_t a = d1[k] < ncv ? ncv : (d1[k] > cv ? cv : d1[k]);
          const int16_t b = d2[k] < ncv ? ncv : (d2[k] > cv ? cv : d2[k]);
          sums[k] = int16_t(a + b);
        }
        std::memcpy(v + c * kN, sums, sizeof(int16_t) * kN);
      }
      ts[bc.classIdx].push_back(int16_t(o[x] - cur));
    }
  }
  thread_local std::vector<int64_t> e(size_t(V) * V);
  int64_t pv[V];
  for (int c = 0; c < kAlfNumClasses; ++c) {
    int n = int(ts[c].size());
    if (!n) continue;
    if (n & 1) { xs[c].resize(xs[c].size() + V, 0); ts[c].push_back(0); ++n; }  // a zero sample adds nothing
    std::fill(e.begin(), e.end(), 0);
    std::fill(pv, pv + V, 0);
    for (int i = 0; i < n; i += kRun)
      dsp::alfFunctions().accumulateStats(xs[c].data() + ptrdiff_t(i) * V, ts[c].data() + i, std::min(kRun, n - i),
                                          e.data(), pv);
    AlfClipStats& sc = out.cls[c];
    int k = 0;
    for (int i = 0; i < V; ++i) {
      sc.p[i] += double(pv[i]);
      for (int j = i; j < V; ++j) sc.r[k++] += double(e[size_t(i) * V + size_t(j)]);
    }
  }
}

// Statistics of the chroma CTB area [x0, x0 + w) x [y0, y0 + h) for the 5x5 diamond (tap order of
// dsp::alfFilterChromaC).
void gatherChromaCtb(const recon::PaddedPlane& src, const Plane& org, int x0, int y0, int w, int h, int vbRow,
                     AlfChromaStats& out) {
  const ptrdiff_t st = src.stride;
  for (int y = y0; y < y0 + h; ++y) {
    const int reach = y < vbRow ? vbRow - 1 - y : y - vbRow;
    const ptrdiff_t r1 = std::min(1, reach) * st, r2 = std::min(2, reach) * st;
    const double scale = reach == 0 ? 1.0 / 8 : 1.0;
    const Pel* s = src.origin() + ptrdiff_t(y) * st;
    const Pel* o = org.row(y);
    for (int x = x0; x < x0 + w; ++x) {
      const Pel* p = s + x;
      const int cur = p[0];
      const int pos[kAlfChromaCoeffs] = {p[r2] + p[-r2], p[r1 + 1] + p[-r1 - 1], p[r1] + p[-r1],
                                         p[r1 - 1] + p[-r1 + 1], p[2] + p[-2], p[1] + p[-1]};
      double xk[kAlfChromaCoeffs];
      for (int j = 0; j < kAlfChromaCoeffs; ++j) xk[j] = (pos[j] - 2 * cur) * scale;
      out.accumulate(xk, double(o[x] - cur));
    }
  }
}

// The SSE of an area of `samples` samples after a filter whose real-valued gain from the area's statistics is
// `gain`: the SSE unfiltered less the gain, plus 1/12 per sample for the rounding of the filter's output to whole
// samples, which the gain does not see (luma and chroma decisions; cheaper than filtering with each candidate).
double filteredSseEstimate(double sseUnfiltered, double gain, int samples) { return sseUnfiltered - gain + samples / 12.0; }

// gainOf(subStats(s, clip), f) without the copy: 2 f.p - f^T R f over the variables of the clipping indices.
double clippedGain(const AlfClipStats& s, const double f[kN], const uint8_t clip[kN]) {
  int v[kN];
  for (int k = 0; k < kN; ++k) v[k] = clip[k] * kN + k;
  double g = 0;
  for (int i = 0; i < kN; ++i) {
    if (f[i] == 0) continue;
    double q = f[i] * s.at(v[i], v[i]);
    for (int j = i + 1; j < kN; ++j) q += 2 * f[j] * s.at(v[i], v[j]);
    g += f[i] * (2 * s.p[v[i]] - q);
  }
  return g;
}

// Clipping indices for a filter from its statistics: from no clipping, one index at a time moved
// by +-1 while the real-valued solution's error falls (a few passes).
void searchClipIdx(const AlfClipStats& s, uint8_t clip[kN]) {
  std::fill(clip, clip + kN, uint8_t(0));
  double best = -optimalGain(subStats(s, clip));
  for (int pass = 0; pass < 3; ++pass) {
    bool improved = false;
    for (int k = 0; k < kN; ++k)
      for (int d = -1; d <= 1; d += 2) {
        const int v = clip[k] + d;
        if (v < 0 || v > 3) continue;
        const uint8_t old = clip[k];
        clip[k] = uint8_t(v);
        const double c = -optimalGain(subStats(s, clip));
        if (c < best - 1e-9 * std::fabs(best)) { best = c; improved = true; }
        else clip[k] = old;
      }
    if (!improved) break;
  }
}

// Chooses the class -> filter grouping and integer filters from the summed class statistics:
// greedy merging on the unclipped statistics, every grouping costed with integer filters; the
// groupings that cost least are then tried with clipping indices per filter (alf_luma_clip_flag,
// 2 bits per coefficient). Returns the estimated cost (-gain + lambda * APS bits).
double deriveFilters(const AlfClipStats cls[kAlfNumClasses], double lambda, bool tryClip, AlfApsData& aps) {
  // greedy merging: start with one group per class, merge the pair that loses the least gain
  std::vector<std::vector<int>> groups(kAlfNumClasses);
  std::vector<AlfStats> gs(kAlfNumClasses);
  std::vector<double> gg(kAlfNumClasses);
  for (int c = 0; c < kAlfNumClasses; ++c) {
    groups[size_t(c)] = {c};
    gs[size_t(c)] = subStats(cls[c], nullptr);
    gg[size_t(c)] = optimalGain(gs[size_t(c)]);
  }
  // merged gain of every pair of groups (symmetric); after a merge only the new group's pairs change
  std::vector<std::vector<double>> pairGain(kAlfNumClasses, std::vector<double>(kAlfNumClasses, 0));
  for (int i = 0; i < kAlfNumClasses; ++i)
    for (int j = i + 1; j < kAlfNumClasses; ++j) {
      AlfStats m = gs[size_t(i)];
      m.add(gs[size_t(j)]);
      pairGain[size_t(i)][size_t(j)] = pairGain[size_t(j)][size_t(i)] = optimalGain(m);
    }
  struct Grouping { double cost; std::vector<std::vector<int>> groups; };
  std::vector<Grouping> tried;
  double bestCost = 1e300;
  AlfApsData best = aps;
  auto headerBits = [](int n) { return ueBits(n - 1) + 1 + (n > 1 ? kAlfNumClasses * ceilLog2(n) : 0); };
  while (true) {
    // evaluate this grouping with integer filters
    const int n = int(groups.size());
    AlfApsData cand = aps;
    cand.lumaSignalled = true;
    cand.lumaClip = false;
    cand.numLumaFilters = n;
    double cost = lambda * headerBits(n);
    for (int g = 0; g < n; ++g) {
      cost += quantise<kN>(gs[size_t(g)], lambda, cand.lumaCoeff[g]);
      for (int c : groups[size_t(g)]) cand.lumaDeltaIdx[c] = uint8_t(g);
    }
    tried.push_back({cost, groups});
    if (cost < bestCost) { bestCost = cost; best = cand; }
    if (n == 1) break;
    int bi = 0, bj = 1;
    double bestLoss = 1e300;
    for (int i = 0; i < n; ++i)
      for (int j = i + 1; j < n; ++j) {
        const double loss = gg[size_t(i)] + gg[size_t(j)] - pairGain[size_t(i)][size_t(j)];
        if (loss < bestLoss) { bestLoss = loss; bi = i; bj = j; }
      }
    groups[size_t(bi)].insert(groups[size_t(bi)].end(), groups[size_t(bj)].begin(), groups[size_t(bj)].end());
    gs[size_t(bi)].add(gs[size_t(bj)]);
    gg[size_t(bi)] = pairGain[size_t(bi)][size_t(bj)];
    groups.erase(groups.begin() + bj);
    gs.erase(gs.begin() + bj);
    gg.erase(gg.begin() + bj);
    pairGain.erase(pairGain.begin() + bj);
    for (auto& row : pairGain) row.erase(row.begin() + bj);
    for (int j = 0; j < n - 1; ++j) {
      if (j == bi) continue;
      AlfStats m = gs[size_t(bi)];
      m.add(gs[size_t(j)]);
      pairGain[size_t(bi)][size_t(j)] = pairGain[size_t(j)][size_t(bi)] = optimalGain(m);
    }
  }
  if (tryClip) {
    // the three cheapest groupings again with clipping (a clipped filter's gain only grows, its bits by 24)
    std::sort(tried.begin(), tried.end(), [](const Grouping& a, const Grouping& b) { return a.cost < b.cost; });
    for (size_t t = 0; t < std::min<size_t>(3, tried.size()); ++t) {
      const auto& grp = tried[t].groups;
      const int n = int(grp.size());
      AlfApsData cand = aps;
      cand.lumaSignalled = true;
      cand.lumaClip = true;
      cand.numLumaFilters = n;
      double cost = lambda * (headerBits(n) + 2 * kN * n);
      for (int g = 0; g < n; ++g) {
        AlfClipStats sum;
        for (int c : grp[size_t(g)]) { sum.add(cls[c]); cand.lumaDeltaIdx[c] = uint8_t(g); }
        searchClipIdx(sum, cand.lumaClipIdx[g]);
        cost += quantise<kN>(subStats(sum, cand.lumaClipIdx[g]), lambda, cand.lumaCoeff[g]);
      }
      if (cost < bestCost) { bestCost = cost; best = cand; }
    }
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

// Chroma ALF: per component one filter (an alternative of the APS: Cb 0, Cr the last) derived
// from the CTBs that keep it on, CTB on / off by D + lambda * R, iterated; a component is used
// when its cost with the filter's bits beats leaving it unfiltered. Fills dec.aps's chroma part,
// dec.slice.cb / cr / apsIdChroma and the CTBs' chroma flags; returns whether any is used.
bool decideAlfChroma(const Picture& orig, const Picture& rec, double lambda, int log2CtuSize,
                     AlfDecision& dec) {
  const int ctbC = (1 << log2CtuSize) / 2;
  const int wCtbs = (rec.planes[0].width + 2 * ctbC - 1) / (2 * ctbC);
  const int hCtbs = (rec.planes[0].height + 2 * ctbC - 1) / (2 * ctbC);
  const size_t numCtbs = size_t(wCtbs) * size_t(hCtbs);
  const double bitsOff = 0.6, bitsOn = 1.2;  // alf_ctb_flag (context-coded, adapts to the picture)
  struct Result { bool used = false; int16_t coeff[kAlfChromaCoeffs] = {}; std::vector<uint8_t> on; };
  Result res[2];
  for (int c = 1; c <= 2; ++c) {
    const Plane& pl = rec.planes[c];
    const Plane& org = orig.planes[c];
    recon::PaddedPlane src;
    src.copyFrom(pl);
    struct Area { int x0, y0, w, h, vb; };
    std::vector<Area> area(numCtbs);
    std::vector<AlfChromaStats> stats(numCtbs);
    std::vector<double> dOff(numCtbs), dOn(numCtbs);
    for (int ry = 0; ry < hCtbs; ++ry)
      for (int rx = 0; rx < wCtbs; ++rx) {
        const size_t i = size_t(ry) * size_t(wCtbs) + size_t(rx);
        Area& a = area[i];
        a.x0 = rx * ctbC; a.y0 = ry * ctbC;
        a.w = std::min(ctbC, pl.width - a.x0); a.h = std::min(ctbC, pl.height - a.y0);
        a.vb = recon::alfVirtualBoundaryRow(a.y0, ctbC, pl.height, 2);
        gatherChromaCtb(src, org, a.x0, a.y0, a.w, a.h, a.vb, stats[i]);
        dOff[i] = sse(pl, org, a.x0, a.y0, a.w, a.h);
      }
    std::vector<uint8_t> on(numCtbs, 1);
    Result& r = res[c - 1];
    double bestJ = 0;  // cost with the component off, relative
    for (int iter = 0; iter < 3; ++iter) {
      AlfChromaStats sum;
      bool any = false;
      for (size_t i = 0; i < numCtbs; ++i)
        if (on[i]) { any = true; sum.add(stats[i]); }
      if (!any) break;
      int16_t coeff[kAlfChromaCoeffs];
      quantise<kAlfChromaCoeffs>(sum, lambda, coeff);
      double j = lambda * (coeffBits<kAlfChromaCoeffs>(coeff) + 4);
      bool changed = false;
      double f[kAlfChromaCoeffs];
      for (int k = 0; k < kAlfChromaCoeffs; ++k) f[k] = coeff[k] / 128.0;
      for (size_t i = 0; i < numCtbs; ++i) {
        dOn[i] = filteredSseEstimate(dOff[i], gainOf<kAlfChromaCoeffs>(stats[i], f), area[i].w * area[i].h);
        const bool want = dOn[i] + lambda * bitsOn < dOff[i] + lambda * bitsOff;
        changed |= want != bool(on[i]);
        on[i] = want;
        j += want ? dOn[i] + lambda * bitsOn - dOff[i] : lambda * bitsOff;
      }
      if (j < bestJ) {
        bestJ = j;
        r.used = true;
        std::copy(coeff, coeff + kAlfChromaCoeffs, r.coeff);
        r.on = on;
      }
      if (!changed) break;
    }
    if (r.used && std::find(r.on.begin(), r.on.end(), 1) == r.on.end()) r.used = false;
  }
  const int numAlts = int(res[0].used) + int(res[1].used);
  if (numAlts == 0) return false;
  AlfApsData& aps = dec.aps;
  aps.chromaPresent = true;
  aps.chromaSignalled = true;
  aps.chromaClip = false;
  aps.numChromaAlts = numAlts;
  int alt = 0;
  for (int c = 0; c < 2; ++c) {
    if (!res[c].used) continue;
    std::copy(res[c].coeff, res[c].coeff + kAlfChromaCoeffs, aps.chromaCoeff[alt]);
    (c == 0 ? dec.slice.cb : dec.slice.cr) = true;
    for (size_t i = 0; i < numCtbs; ++i) {
      dec.ctus[i].chroma[c] = res[c].on[i] != 0;
      dec.ctus[i].chromaAlt[c] = uint8_t(alt);
    }
    ++alt;
  }
  dec.slice.apsIdChroma = aps.apsId;
  return true;
}

using AlfCcStats = AlfStatsN<kAlfCcCoeffs>;

// CC-ALF statistics of the chroma CTB area [x0, x0 + w) x [y0, y0 + h): the 7 luma differences of
// dsp::alfFilterCcC (virtual-boundary rule included) in coefficient units (1/128) against
// t = source - current chroma; sse: the current chroma's SSE.
void gatherCcCtb(const recon::PaddedPlane& lum, const Plane& cur, const Plane& org, int x0, int y0, int w, int h,
                 int log2CtuSize, AlfCcStats& out, double& sse) {
  const ptrdiff_t ls = lum.stride;
  sse = 0;
  for (int y = y0; y < y0 + h; ++y) {
    const int yL = 2 * y;
    const auto [up, dn, dn2] = dsp::ccAlfRowOffsets(yL, log2CtuSize, ls);
    const Pel* l = lum.origin() + ptrdiff_t(yL) * ls;
    const Pel* c = cur.row(y);
    const Pel* o = org.row(y);
    for (int x = x0; x < x0 + w; ++x) {
      const Pel* p = l + 2 * x;
      const int v = p[0];
      const double k = 1.0 / 128;
      const double xs[kAlfCcCoeffs] = {(p[up] - v) * k,     (p[-1] - v) * k, (p[1] - v) * k, (p[dn - 1] - v) * k,
                                       (p[dn] - v) * k,     (p[dn + 1] - v) * k, (p[dn2] - v) * k};
      const double t = double(o[x] - c[x]);
      out.accumulate(xs, t);
      sse += t * t;
    }
  }
}

// The allowed CC-ALF coefficient closest to minimising the quadratic cost of `s`, per coefficient in
// turn (two passes), from the real solution f.
void quantiseCc(const AlfCcStats& s, const double f[kAlfCcCoeffs], int16_t out[kAlfCcCoeffs]) {
  static const int kValues[15] = {0, 1, -1, 2, -2, 4, -4, 8, -8, 16, -16, 32, -32, 64, -64};
  double q[kAlfCcCoeffs];
  for (int j = 0; j < kAlfCcCoeffs; ++j) {
    int best = 0;
    for (int v : kValues)
      if (std::fabs(f[j] - v) < std::fabs(f[j] - best)) best = v;
    q[j] = best;
  }
  for (int pass = 0; pass < 2; ++pass)
    for (int j = 0; j < kAlfCcCoeffs; ++j) {
      double bestCost = -gainOf(s, q), bestV = q[j];
      for (int v : kValues) {
        q[j] = v;
        const double c = -gainOf(s, q);
        if (c < bestCost) { bestCost = c; bestV = v; }
      }
      q[j] = bestV;
    }
  for (int j = 0; j < kAlfCcCoeffs; ++j) out[j] = int16_t(q[j]);
}

}  // namespace

bool decideCcAlf(const Picture& orig, const recon::PaddedPlane& lumaSao, const Picture& rec, double lambda,
                 int log2CtuSize, AlfDecision& dec) {
  const int ctb = 1 << log2CtuSize, ctbC = ctb / 2;
  const int wCtbs = (rec.planes[0].width + ctb - 1) / ctb, hCtbs = (rec.planes[0].height + ctb - 1) / ctb;
  const size_t numCtbs = size_t(wCtbs) * size_t(hCtbs);
  if (dec.ctus.size() != numCtbs) dec.ctus.assign(numCtbs, AlfCtuParams{});
  const double bitsOff = 0.5, bitsOn = 1.5;  // alf_ctb_cc_*_idc (context-coded first bin)
  bool any = false;
  for (int k = 0; k < 2; ++k) {
    const Plane& cur = rec.planes[1 + k];
    const Plane& org = orig.planes[1 + k];
    std::vector<AlfCcStats> st(numCtbs);
    std::vector<double> sseOff(numCtbs);
    for (int ry = 0; ry < hCtbs; ++ry)
      for (int rx = 0; rx < wCtbs; ++rx) {
        const size_t i = size_t(ry) * size_t(wCtbs) + size_t(rx);
        const int x0 = rx * ctbC, y0 = ry * ctbC;
        gatherCcCtb(lumaSao, cur, org, x0, y0, std::min(ctbC, cur.width - x0), std::min(ctbC, cur.height - y0),
                    log2CtuSize, st[i], sseOff[i]);
      }
    // 1 .. 4 filters: CTBs assigned to the filter (or off) that costs least, filters re-derived from
    // their CTBs, iterated; each further filter starts from the CTBs the others serve worst
    auto idcBits = [&](int idc, int n) {
      return idc == 0 ? bitsOff : bitsOn + double(idc - 1) + (idc < n ? 1.0 : 0.0);
    };
    std::vector<int> assign(numCtbs, 0), bestAssign;
    int16_t bestCoeff[kAlfMaxCcFilters][kAlfCcCoeffs] = {};
    int bestN = 0;
    double bestJ = 0;  // against CC-ALF off
    for (int n = 1; n <= kAlfMaxCcFilters; ++n) {
      if (n > 1) {
        if (bestN != n - 1) break;  // the previous count did not pay: stop adding filters
        // seed: the half of the served CTBs with the smallest gain per sample go to the new filter
        std::vector<std::pair<double, size_t>> served;
        for (size_t i = 0; i < numCtbs; ++i)
          if (bestAssign[i] > 0) {
            double qd[kAlfCcCoeffs];
            for (int j = 0; j < kAlfCcCoeffs; ++j) qd[j] = bestCoeff[bestAssign[i] - 1][j];
            served.push_back({gainOf(st[i], qd) / std::max(1.0, sseOff[i]), i});
          }
        if (served.size() < 2) break;
        std::sort(served.begin(), served.end());
        assign = bestAssign;
        for (size_t k2 = 0; k2 < served.size() / 2; ++k2) assign[served[k2].second] = n;
      } else {
        std::fill(assign.begin(), assign.end(), 1);
      }
      int16_t coeff[kAlfMaxCcFilters][kAlfCcCoeffs] = {};
      for (int iter = 0; iter < 4; ++iter) {
        bool usable[kAlfMaxCcFilters] = {};
        for (int fi = 0; fi < n; ++fi) {
          AlfCcStats sum;
          bool have = false;
          for (size_t i = 0; i < numCtbs; ++i)
            if (assign[i] == fi + 1) { sum.add(st[i]); have = true; }
          if (!have) continue;
          double f[kAlfCcCoeffs];
          solve<kAlfCcCoeffs>(sum, f);
          quantiseCc(sum, f, coeff[fi]);
          for (int j = 0; j < kAlfCcCoeffs; ++j) usable[fi] |= coeff[fi][j] != 0;
        }
        // filter bits: alf_cc_*_filters_signalled_minus1 (about 1), sh_alf_cc_*_aps_id (3), 3 + sign per coefficient
        double J = lambda * (1 + 3);
        for (int fi = 0; fi < n; ++fi)
          for (int j = 0; j < kAlfCcCoeffs; ++j) J += lambda * (3 + (coeff[fi][j] ? 1 : 0));
        bool changed = false, anyOn = false;
        for (size_t i = 0; i < numCtbs; ++i) {
          int bestIdc = 0;
          double bestC = lambda * idcBits(0, n);
          for (int fi = 0; fi < n; ++fi) {
            if (!usable[fi]) continue;
            double qd[kAlfCcCoeffs];
            for (int j = 0; j < kAlfCcCoeffs; ++j) qd[j] = coeff[fi][j];
            const double c = -gainOf(st[i], qd) + lambda * idcBits(fi + 1, n);
            if (c < bestC) { bestC = c; bestIdc = fi + 1; }
          }
          changed |= bestIdc != assign[i];
          assign[i] = bestIdc;
          anyOn |= bestIdc != 0;
          J += bestC;  // off CTBs pay their idc bins too (with the component off, nothing is coded per CTB)
        }
        if (anyOn && J < bestJ) {
          bestJ = J;
          bestN = n;
          bestAssign = assign;
          std::copy(&coeff[0][0], &coeff[0][0] + kAlfMaxCcFilters * kAlfCcCoeffs, &bestCoeff[0][0]);
        }
        if (!changed) break;
      }
    }
    if (!bestN) continue;
    // drop filters no CTB uses (renumbering the idcs)
    int remap[kAlfMaxCcFilters + 1] = {0};
    int used = 0;
    for (int fi = 1; fi <= bestN; ++fi)
      if (std::find(bestAssign.begin(), bestAssign.end(), fi) != bestAssign.end()) remap[fi] = ++used;
    if (!used) continue;
    any = true;
    dec.aps.chromaPresent = true;
    dec.aps.ccSignalled[k] = true;
    dec.aps.numCcFilters[k] = used;
    for (int fi = 1; fi <= bestN; ++fi)
      if (remap[fi]) std::copy(bestCoeff[fi - 1], bestCoeff[fi - 1] + kAlfCcCoeffs, dec.aps.ccCoeff[k][remap[fi] - 1]);
    dec.slice.cc[k] = true;
    dec.slice.ccApsId[k] = dec.aps.apsId;
    for (size_t i = 0; i < numCtbs; ++i) dec.ctus[i].ccIdc[k] = uint8_t(remap[bestAssign[i]]);
  }
  if (any) dec.enabled = dec.slice.enabled = dec.sendAps = true;
  return any;
}

AlfDecision decideAlf(const Picture& orig, const Picture& rec, double lambda, int log2CtuSize, int apsId,
                      bool chroma, const std::vector<const AlfApsData*>& reusable, bool lumaClip, int bitDepth) {
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
      gatherCtb(src, orgY, ci.x0, ci.y0, ci.w, ci.h, ci.vb, ci.cls.data(), bitDepth,
                stats[size_t(ry) * size_t(wCtbs) + size_t(rx)]);
    }
  std::vector<double> dOff(numCtbs), dAps(numCtbs), dFixed(numCtbs, 1e300);
  std::vector<uint8_t> bestFixed(numCtbs, 0);
  for (size_t i = 0; i < numCtbs; ++i) dOff[i] = sse(recY, orgY, info[i].x0, info[i].y0, info[i].w, info[i].h);
  // The SSE of every CTB filtered with one luma filter set (the fixed sets, new filters, a reused APS),
  // estimated from the CTB's statistics (filteredSseEstimate, the classes' gains with the set's coefficients
  // f = coeff / 128 and clipping indices). Filtering the picture with each of the 20-odd candidate sets cost
  // more than the statistics themselves; the estimate leaves out the rows by the virtual boundary and the
  // clipping to the sample range.
  auto filteredSse = [&](const AlfClassFilters& f, std::vector<double>& d) {
    d.resize(numCtbs);
    int clipValue[4];
    for (int c = 0; c < 4; ++c) clipValue[c] = alfClipValue(c, bitDepth);
    uint8_t subClip[kAlfNumClasses][kN];
    double coeff[kAlfNumClasses][kN];
    for (int c = 0; c < kAlfNumClasses; ++c)
      for (int k = 0; k < kN; ++k) {
        subClip[c][k] = 0;  // the index of the set's clipping value (0: none)
        for (int idx = 1; idx < 4; ++idx)
          if (f.clip[c][k] == clipValue[idx]) subClip[c][k] = uint8_t(idx);
        coeff[c][k] = f.coeff[c][k] / 128.0;
      }
    for (size_t i = 0; i < numCtbs; ++i) {
      double gain = 0;
      for (int c = 0; c < kAlfNumClasses; ++c) gain += clippedGain(stats[i].cls[c], coeff[c], subClip[c]);
      d[i] = filteredSseEstimate(dOff[i], gain, info[i].w * info[i].h);
    }
  };
  // the 16 fixed filter sets: no APS needed, 4 bypass bits per CTB
  std::vector<double> d;
  for (int set = 0; set < kAlfNumFixedSets; ++set) {
    AlfClassFilters f;
    alfFixedFilters(set, bitDepth, f);
    filteredSse(f, d);
    for (size_t i = 0; i < numCtbs; ++i)
      if (d[i] < dFixed[i]) { dFixed[i] = d[i]; bestFixed[i] = uint8_t(set); }
  }
  // CTB choice costs (bits of alf_ctb_flag, alf_use_aps_flag, alf_luma_fixed_filter_idx, roughly:
  // the contexts adapt to the picture's mix)
  const double bitsOff = 0.8, bitsAps = 1.3, bitsFixedWithAps = 1.3 + 4, bitsFixedOnly = 1.0 + 4;
  enum Choice : uint8_t { kOff, kFixed, kAps };
  // a CTB's choice when its APS filters give SSE dA, and that choice's cost
  auto chooseCtb = [&](size_t i, double dA, double* cost) -> uint8_t {
    const double jA = dA + lambda * bitsAps, jF = dFixed[i] + lambda * bitsFixedWithAps, jO = dOff[i] + lambda * bitsOff;
    *cost = std::min(jA, std::min(jF, jO));
    return jA <= jO && jA <= jF ? kAps : (jF < jO ? kFixed : kOff);
  };
  std::vector<uint8_t> choice(numCtbs, kAps);
  AlfApsData aps;
  aps.apsId = apsId;
  for (int iter = 0; iter < 3; ++iter) {
    std::vector<AlfClipStats> sum(kAlfNumClasses);
    bool any = false;
    for (size_t i = 0; i < numCtbs; ++i)
      if (choice[i] == kAps) { any = true; for (int c = 0; c < kAlfNumClasses; ++c) sum[c].add(stats[i].cls[c]); }
    if (!any) break;
    aps = AlfApsData{};
    aps.apsId = apsId;
    deriveFilters(sum.data(), lambda, lumaClip, aps);
    AlfClassFilters f;
    alfApsLumaFilters(aps, bitDepth, f);
    bool changed = false;
    filteredSse(f, dAps);
    for (size_t i = 0; i < numCtbs; ++i) {
      double cost;
      const uint8_t want = chooseCtb(i, dAps[i], &cost);
      changed |= want != choice[i];
      choice[i] = want;
    }
    if (!changed) break;
  }
  // the picture: with the APS (its NAL unit: start code, header and filters; the slice header's
  // APS id), with the fixed sets only, or no ALF
  int filterBits = 0;
  for (int g = 0; g < aps.numLumaFilters; ++g) filterBits += coeffBits<kN>(aps.lumaCoeff[g]);
  const double apsBits = 48 + 12 + 3 + filterBits + (aps.numLumaFilters > 1 ? 25 * ceilLog2(aps.numLumaFilters) : 0) +
                         (aps.lumaClip ? 2 * kN * aps.numLumaFilters : 0);
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
  bool useAps = numAps > 0 && aps.lumaSignalled && jWithAps < jFixedOnly && jWithAps < jNone;
  // an APS sent by an earlier picture: no filter bits, only the slice header's id
  const AlfApsData* reuse = nullptr;
  std::vector<uint8_t> reuseChoice;
  double jReuse = 1e300;
  for (const AlfApsData* cand : reusable) {
    if (!cand->lumaSignalled) continue;
    AlfClassFilters f;
    alfApsLumaFilters(*cand, bitDepth, f);
    double j = lambda * 4;
    std::vector<uint8_t> ch(numCtbs);
    filteredSse(f, d);
    for (size_t i = 0; i < numCtbs; ++i) {
      double cost;
      ch[i] = chooseCtb(i, d[i], &cost);
      j += cost;
    }
    if (j < jReuse) { jReuse = j; reuse = cand; reuseChoice = std::move(ch); }
  }
  const bool useReuse = reuse && jReuse < jNone && jReuse < jFixedOnly && (!useAps || jReuse < jWithAps);
  if (useReuse) { useAps = false; choice = reuseChoice; }
  const bool useFixed = !useAps && !useReuse && numFixedOnly > 0 && jFixedOnly < jNone;
  dec.aps = AlfApsData{};
  // a new APS must not replace the one this picture reuses
  dec.aps.apsId = useReuse && reuse->apsId == apsId ? (apsId + 1) % kAlfMaxApsIds : apsId;
  if (useAps) {
    dec.aps = aps;
    dec.slice.numApsLuma = 1;
    dec.slice.apsIdLuma[0] = apsId;
  } else if (useReuse) {
    dec.slice.numApsLuma = 1;
    dec.slice.apsIdLuma[0] = reuse->apsId;
  }
  for (size_t i = 0; i < numCtbs; ++i) {
    AlfCtuParams& p = dec.ctus[i];
    if (useAps || useReuse) {
      p.luma = choice[i] != kOff;
      p.lumaSet = choice[i] == kAps ? 16 : bestFixed[i];
    } else if (useFixed) {
      p.luma = dFixed[i] + lambda * bitsFixedOnly < dOff[i] + lambda * bitsOff;
      p.lumaSet = bestFixed[i];
    }
  }
  const bool useChroma = chroma && decideAlfChroma(orig, rec, lambda, log2CtuSize, dec);
  dec.enabled = dec.slice.enabled = useAps || useReuse || useFixed || useChroma;
  dec.sendAps = useAps || useChroma;
  return dec;
}

}  // namespace nnvvc
