// RD search tests on a synthetic picture, emulating the driver (search, then the real CABAC writer
// and the canonical reconstruction):
//  - every CTU decision is accepted by the syntax writer (codeCtu returns true);
//  - the search's own reconstruction equals the canonical one (its state handling is exact);
//  - no split outside the spec rules, the preset limits or the split hints is ever chosen;
//  - same input -> same decisions (fresh search instances);
//  - the free RD search beats one constrained by hints to QT depth 0 in J.
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <sstream>
#include <vector>

#include "cabac/cabac.h"
#include "encoder/search/ctu_search.h"
#include "encoder/search/presets.h"
#include "encoder/search/rd_search.h"
#include "encoder/search/split_hints.h"
#include "partition/partition.h"
#include "recon/recon.h"
#include "syntax/ctu_syntax.h"
#include "test_check.h"

using namespace nnvvc;
using namespace nnvvc::search;


static void makePicture(Picture& p, int w, int h, unsigned seed) {
  p.alloc(w, h);
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> noise(-6, 6);
  for (int c = 0; c < 3; ++c) {
    Plane& pl = p.planes[c];
    for (int y = 0; y < pl.height; ++y)
      for (int x = 0; x < pl.width; ++x) {
        const int s = c ? 2 : 1;
        const int X = x * s, Y = y * s;
        int v = 300 + (c ? 100 * c : 0) + int(120 * std::sin(X * 0.07) + 80 * std::cos(Y * 0.11));
        if ((X - 70) * (X - 70) + (Y - 50) * (Y - 50) < 900) v += 250;  // disc: sharp edges
        if (X > 140 && ((X + Y) / 9) % 2) v -= 150;                      // diagonal stripes
        v += noise(rng);
        pl.at(x, y) = Pel(std::min(1023, std::max(0, v)));
      }
  }
}

struct EncodeResult {
  std::vector<CtuCoding> ctus;
  uint64_t fracBits = 0;
  double sseY = 0, sseC = 0;
  bool ok = true;
};

// Check one CTU's split list against rules, preset and hints.
struct TreeChecker {
  const PartitionConfig& part;
  const SearchPreset& preset;
  const SplitHints* hints;
  int frame;
  const CtuCoding& ctu;
  size_t idx = 0;
  int violations = 0;
  int* hintViolations = nullptr;  // where given, hint violations are counted here (silently) instead

  bool hintOk(const TreeNode& n, SplitMode s) const {
    if (!hints) return true;
    const bool qtEnd = n.mttDepth > 0 || hints->allowQtEnd(frame, n.x, n.y, n.w, n.h, n.qtDepth);
    if (s == SplitMode::kNone) return qtEnd;
    if (s == SplitMode::kQt) return hints->allowQtSplit(frame, n.x, n.y, n.w, n.h, n.qtDepth);
    return qtEnd && hints->allowMtt(frame, n.x, n.y, n.w, n.h, n.mttDepth, s);
  }
  void node(const TreeNode& n) {
    if (idx >= ctu.splits.size()) { ++violations; return; }
    const SplitMode s = ctu.splits[idx++];
    const AllowedSplits al = allowedSplits(part, n);
    const bool must = mustSplit(part, n);
    if (s == SplitMode::kNone ? must : !al.allows(s)) {
      std::printf("  rule violation at %d,%d %dx%d\n", n.x, n.y, n.w, n.h);
      ++violations;
      return;
    }
    // hints: only binding when some legal option satisfies them
    const SplitMode all[6] = {SplitMode::kNone, SplitMode::kQt, SplitMode::kBtHor, SplitMode::kBtVer,
                              SplitMode::kTtHor, SplitMode::kTtVer};
    bool someHintOk = false;
    for (SplitMode o : all)
      if ((o == SplitMode::kNone ? !must : al.allows(o)) && hintOk(n, o)) someHintOk = true;
    if (someHintOk && !hintOk(n, s)) {
      if (hintViolations) {
        ++*hintViolations;
      } else {
        std::printf("  hint violation at %d,%d %dx%d split %d\n", n.x, n.y, n.w, n.h, int(s));
        ++violations;
      }
    }
    const bool isMtt = s != SplitMode::kNone && s != SplitMode::kQt;
    if (!must && isMtt) {
      if (n.mttDepth >= preset.maxMttDepth) { std::printf("  preset MTT depth violated\n"); ++violations; }
      const bool tt = s == SplitMode::kTtHor || s == SplitMode::kTtVer;
      if (tt && !preset.tryTt) { std::printf("  preset TT violated\n"); ++violations; }
    }
    if (s == SplitMode::kNone) return;
    const int mtc = n.treeType == TreeType::kSingle ? modeTypeCondition(n, s, true) : 0;
    TreeNode kids[4];
    const int k = childNodes(part, n, s, mtc == 1 ? TreeType::kDualLuma : n.treeType,
                             mtc == 1 ? ModeType::kIntra : n.modeType, kids);
    for (int i = 0; i < k; ++i) node(kids[i]);
  }
};

static EncodeResult encodePicture(const Picture& orig, const SearchPreset& preset,
                                  std::shared_ptr<const SplitHints> hints, int qp,
                                  int* violations, int* hintViolations = nullptr) {
  EncodeResult r;
  const int W = orig.width, H = orig.height;
  PartitionConfig part;
  part.picWidth = W;
  part.picHeight = H;
  SliceParams sl;
  sl.qp = qp;
  sl.qpPrimeY = sl.qpPrimeCb = sl.qpPrimeCr = qp + 12;
  ContextSet cs;
  cs.init(qp, 0);
  CuMap map;
  map.init(W, H);
  Picture rec;
  rec.alloc(W, H);
  std::unique_ptr<CtuSearch> search = createRdSearch(preset, hints);
  search->beginPicture(orig, sl, 0);
  ArithEncoder enc;
  enc.start();
  BitEstimator est;
  std::vector<Pel> mine[3];
  for (int cy = 0; cy < H; cy += kCtuSize)
    for (int cx = 0; cx < W; cx += kCtuSize) {
      CtuSearchContext ctx;
      ctx.orig = &orig;
      ctx.recon = &rec;
      ctx.cuMap = &map;
      ctx.ctx = &cs;
      ctx.part = &part;
      ctx.slice = &sl;
      ctx.ctuX = cx;
      ctx.ctuY = cy;
      CtuCoding ctu;
      ctu.ctuX = cx;
      ctu.ctuY = cy;
      search->searchCtu(ctx, ctu);
      const int cw = std::min(kCtuSize, W - cx), ch = std::min(kCtuSize, H - cy);
      for (int c = 0; c < 3; ++c) {
        const int s = c ? 1 : 0;
        mine[c].resize(size_t(cw >> s) * size_t(ch >> s));
        for (int y = 0; y < (ch >> s); ++y)
          std::memcpy(&mine[c][size_t(y) * size_t(cw >> s)], rec.planes[c].row((cy >> s) + y) + (cx >> s),
                      sizeof(Pel) * size_t(cw >> s));
      }
      if (violations) {
        TreeChecker tc{part, preset, hints.get(), 0, ctu};
        tc.hintViolations = hintViolations;
        TreeNode root;
        root.x = cx;
        root.y = cy;
        root.w = root.h = kCtuSize;
        tc.node(root);
        if (tc.idx != ctu.splits.size()) ++tc.violations;
        *violations += tc.violations;
      }
      // driver emulation: real writer, canonical reconstruction
      map.clearReconstructed(cx, cy, kCtuSize, kCtuSize);
      SyntaxEnv env;
      env.part = &part;
      env.ctx = &cs;
      env.cuMap = &map;
      ContextSet csEst = cs;
      SyntaxEnv envEst = env;
      envEst.ctx = &csEst;
      CtuCoding copy = ctu;
      codeCtu(est, envEst, copy);
      if (!codeCtu(enc, env, ctu)) {
        std::printf("  codeCtu rejected CTU %d,%d\n", cx, cy);
        r.ok = false;
      }
      recon::reconstructCtu(rec, map, ctu, sl);
      for (int c = 0; c < 3; ++c) {
        const int s = c ? 1 : 0;
        bool same = true;
        for (int y = 0; y < (ch >> s) && same; ++y)
          same = std::memcmp(&mine[c][size_t(y) * size_t(cw >> s)], rec.planes[c].row((cy >> s) + y) + (cx >> s),
                             sizeof(Pel) * size_t(cw >> s)) == 0;
        if (!same) {
          std::printf("  search recon != canonical recon, CTU %d,%d comp %d\n", cx, cy, c);
          r.ok = false;
        }
      }
      r.ctus.push_back(ctu);
    }
  r.fracBits = est.fracBits();
  for (int c = 0; c < 3; ++c) {
    double s = 0;
    const Plane& a = orig.planes[c];
    const Plane& b = rec.planes[c];
    for (int y = 0; y < a.height; ++y)
      for (int x = 0; x < a.width; ++x) {
        const double d = double(a.at(x, y) - b.at(x, y));
        s += d * d;
      }
    (c ? r.sseC : r.sseY) += s;
  }
  return r;
}

static bool sameCoding(const std::vector<CtuCoding>& a, const std::vector<CtuCoding>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].splits != b[i].splits || a[i].coeffs != b[i].coeffs || a[i].cus.size() != b[i].cus.size()) return false;
    for (size_t k = 0; k < a[i].cus.size(); ++k) {
      const CodingUnit &p = a[i].cus[k], &q = b[i].cus[k];
      if (p.x != q.x || p.y != q.y || p.w != q.w || p.h != q.h || p.lumaMode != q.lumaMode ||
          p.chromaModeIdx != q.chromaModeIdx || p.treeType != q.treeType)
        return false;
    }
  }
  return true;
}

// The test picture and its encodings with the faster, fast and medium presets: made (and checked) once, by the
// first case that asks, and reused by the later cases.
struct PresetRuns {
  Picture orig;
  EncodeResult results[3];
};
static const int qp = 32;

static const PresetRuns& presetRuns() {
  static const PresetRuns runs = [] {
    PresetRuns r;
    Picture& orig = r.orig;
    EncodeResult* results = r.results;
    makePicture(orig, 200, 136, 7);  // 2x2 CTUs, right and bottom CTUs cut by the picture boundary
    // 1) presets: valid, exact recon, rules/preset respected
    const char* presets[] = {"faster", "fast", "medium"};
    for (int i = 0; i < 3; ++i) {
      SearchPreset p;
      CHECK(presetByName(presets[i], p), "preset %s", presets[i]);
      int viol = 0;
      results[i] = encodePicture(orig, p, nullptr, qp, &viol);
      CHECK(results[i].ok, "preset %s: invalid CTU or recon mismatch", presets[i]);
      CHECK(viol == 0, "preset %s: %d split violations", presets[i], viol);
      const double lambda = 0.57 * std::pow(2.0, (qp - 12) / 3.0) * 16.0;
      std::printf("preset %-7s bits %.0f  sseY %.0f sseC %.0f  J %.0f\n", presets[i], results[i].fracBits / 32768.0,
                  results[i].sseY, results[i].sseC, results[i].sseY + results[i].sseC + lambda * results[i].fracBits / 32768.0);
    }
    return r;
  }();
  return runs;
}

TEST_CASE(presetsValidExactAndWithinRules) {
  presetRuns();
  {
    SearchPreset p;
    CHECK(!presetByName("bogus", p), "unknown preset accepted");
  }
}

// 2) determinism
TEST_CASE(deterministic) {
  const Picture& orig = presetRuns().orig;
  const EncodeResult* results = presetRuns().results;
  {
    SearchPreset p;
    presetByName("fast", p);
    EncodeResult again = encodePicture(orig, p, nullptr, qp, nullptr);
    CHECK(sameCoding(again.ctus, results[1].ctus), "fast preset not deterministic");
  }
}

// 3) split hints are obeyed: a hint map with mixed constraints
TEST_CASE(splitHintsObeyed) {
  const Picture& orig = presetRuns().orig;
  const EncodeResult* results = presetRuns().results;
  {
    std::ostringstream hs;
    hs << "nnvvc-split-hints 1\npicture 200 136\nctu 128\ngrid 16\nframes 1\nframe 0\n";
    const int cols = (200 + 15) / 16, rows = (136 + 15) / 16;
    const char* toks[] = {"2:1:h", "3", "1-2:2:vV", "2:0", "*", "3:1:-", "2-3:2:hv", "1:3:*"};
    for (int r = 0; r < rows; ++r) {
      for (int c = 0; c < cols; ++c) hs << (c ? " " : "") << toks[((r / 2) * 3 + (c / 2)) % 8];
      hs << "\n";
    }
    auto hints = std::make_shared<SplitHints>();
    std::istringstream in(hs.str());
    const std::string err = hints->parse(in, "test");
    CHECK(err.empty(), "hints parse: %s", err.c_str());
    SearchPreset p;
    presetByName("medium", p);
    int viol = 0;
    EncodeResult hr = encodePicture(orig, p, hints, qp, &viol);
    CHECK(hr.ok, "hinted encode invalid");
    CHECK(viol == 0, "hinted encode: %d violations", viol);
    CHECK(!sameCoding(hr.ctus, results[2].ctus), "hints had no effect");
    // a hint file forcing QT depth 0 everywhere: only forced boundary splits, no MTT
    std::ostringstream h0;
    h0 << "nnvvc-split-hints 1\npicture 200 136\nctu 128\ngrid 128\nframes 1\nframe 0\n0:0 0:0\n0:0 0:0\n";
    auto hints0 = std::make_shared<SplitHints>();
    std::istringstream in0(h0.str());
    CHECK(hints0->parse(in0, "h0").empty(), "h0 parse");
    viol = 0;
    EncodeResult r0 = encodePicture(orig, p, hints0, qp, &viol);
    CHECK(r0.ok && viol == 0, "QT-0 hints: ok %d violations %d", int(r0.ok), viol);
    size_t nCus = 0;
    for (auto& c : r0.ctus) nCus += c.cus.size();
    size_t nCusFree = 0;
    for (auto& c : results[2].ctus) nCusFree += c.cus.size();
    std::printf("CUs: free %zu, QT-depth-0 hints %zu\n", nCusFree, nCus);
    CHECK(nCus < nCusFree, "QT-0 hints should give fewer CUs");
    // The free RD search must beat the constrained one in J (it can choose the same tree).
    const double lambda = 0.57 * std::pow(2.0, (qp - 12) / 3.0) * 16.0;
    const double jFree = results[2].sseY + results[2].sseC + lambda * results[2].fracBits / 32768.0;
    const double jCons = r0.sseY + r0.sseC + lambda * r0.fracBits / 32768.0;
    CHECK(jFree < jCons, "free search J %.0f not below constrained J %.0f", jFree, jCons);
  }  {
    // version 2 (probabilities): a varied map decided per node at two thresholds. Every chosen split is one the
    // node decisions allow (the checker asks the same queries), and stricter thresholds leave fewer CUs.
    std::ostringstream hs;
    hs << "nnvvc-split-hints 2\npicture 200 136\nctu 128\ngrid 8\nthreshold 0.1\nframes 1\nframe 0\n";
    const char* b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    uint32_t seed = 12345;
    auto rnd = [&](int n) { seed = seed * 1103515245u + 12345u; return int((seed >> 16) % uint32_t(n)); };
    for (int r = 0; r < 17; ++r) {
      for (int c = 0; c < 25; ++c) {
        // cumulative tails: P(QT > 0) high, then falling at a random depth; MTT likewise
        int q[4], m[3];
        const int knee = 1 + ((r / 4 + c / 4) % 3);
        for (int d = 0; d < 4; ++d) q[d] = d < knee ? 63 - rnd(8) : rnd(20) / (d - knee + 1);
        for (int d = 1; d < 4; ++d) q[d] = std::min(q[d], q[d - 1]);
        m[0] = rnd(64);
        m[1] = std::min(m[0], rnd(40));
        m[2] = std::min(m[1], rnd(10));
        hs << (c ? " " : "") << 'p' << b64[q[0]] << b64[q[1]] << b64[q[2]] << b64[q[3]] << b64[m[0]] << b64[m[1]] << b64[m[2]];
      }
      hs << "\n";
    }
    size_t prevCus = SIZE_MAX;
    for (double t : {0.1, 0.4}) {
      auto hints = std::make_shared<SplitHints>();
      std::istringstream in(hs.str());
      const std::string err = hints->parse(in, "v2");
      CHECK(err.empty(), "v2 hints parse: %s", err.c_str());
      hints->setThresholds(SplitThresholds{t, t, t});
      SearchPreset p;
      presetByName("medium", p);
      int viol = 0;
      EncodeResult hr = encodePicture(orig, p, hints, qp, &viol);
      CHECK(hr.ok && viol == 0, "v2 hints, threshold %.1f: ok %d violations %d", t, int(hr.ok), viol);
      CHECK(!sameCoding(hr.ctus, results[2].ctus), "v2 hints had no effect");
      size_t nCus = 0;
      for (auto& c : hr.ctus) nCus += c.cus.size();
      std::printf("CUs with v2 hints at threshold %.1f: %zu\n", t, nCus);
      CHECK(nCus < prevCus, "a stricter threshold should leave fewer CUs (%zu, before %zu)", nCus, prevCus);
      prevCus = nCus;
    }
    // the fallback: a bar no leaf reaches changes nothing; a bar every uneven leaf reaches brings back removed splits
    // (the checker, which asks the hints' queries, then finds splits outside them) and stays within the rules
    auto encodeWith = [&](double fallbackBits, int* viol, int* hintViol) {
      auto hints = std::make_shared<SplitHints>();
      std::istringstream in(hs.str());
      CHECK(hints->parse(in, "v2").empty(), "v2 hints parse");
      hints->setThresholds(SplitThresholds{0.4, 0.4, 0.4, 0.0, fallbackBits});
      SearchPreset p;
      presetByName("medium", p);
      *viol = *hintViol = 0;
      return encodePicture(orig, p, hints, qp, viol, hintViol);
    };
    int vOff, vNever, vOften, hOff, hNever, hOften;
    const EncodeResult off = encodeWith(0.0, &vOff, &hOff), never = encodeWith(1000.0, &vNever, &hNever),
                       often = encodeWith(0.01, &vOften, &hOften);
    CHECK(off.ok && never.ok && often.ok, "fallback encodes valid");
    CHECK(vOff == 0 && vNever == 0 && vOften == 0, "rule / preset violations %d, %d, %d", vOff, vNever, vOften);
    CHECK(hOff == 0 && hNever == 0, "without a reached bar the hints hold (%d, %d hint violations)", hOff, hNever);
    CHECK(sameCoding(off.ctus, never.ctus), "a fallback no leaf reaches changed the coding");
    CHECK(hOften > 0 && !sameCoding(off.ctus, often.ctus), "a low bar brought back no split (%d)", hOften);
    const double lambda = 0.57 * std::pow(2.0, (qp - 12) / 3.0) * 16.0;
    const double jOff = off.sseY + off.sseC + lambda * off.fracBits / 32768.0;
    const double jOften = often.sseY + often.sseC + lambda * often.fracBits / 32768.0;
    std::printf("fallback at 0.4: J without %.0f, with a low bar %.0f (%d splits outside the hints)\n", jOff, jOften, hOften);
    CHECK(jOften < jOff, "more splits searched should not cost J (%.0f against %.0f)", jOften, jOff);
  }
}

int main(int argc, char** argv) { return runTestCases(argc, argv); }
