// ALF: APS alf_data() round trip, CTU syntax round trip (write / estimate / parse), the luma
// filter against a per-sample model of H.266 8.8.5.2 (clamped positions, Table 45 virtual boundary
// offsets, clipping), classification basics, tables, the encoder decision (valid, filters help),
// SPS / slice-header fields.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "bitstream/bitstream.h"
#include "cabac/cabac.h"
#include "dsp/alf.h"
#include "encoder/alf_decision.h"
#include "recon/alf.h"
#include "syntax/alf_syntax.h"
#include "syntax/param_sets.h"
#include "test_check.h"

using namespace nnvvc;

static uint64_t rng = 987654321;
static unsigned rnd(unsigned n) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return unsigned(rng % n); }

static void testTables() {
  const int expect0[12] = {0, 0, 2, -3, 1, -4, 1, 7, -1, 1, -1, 5};
  for (int j = 0; j < 12; ++j) CHECK_EQ(kAlfFixedFilterCoeff[0][j], expect0[j]);
  CHECK_EQ(kAlfClassToFixedFilter[15][24], 55);
  CHECK_EQ(alfClipValue(0, 10), 1024);
  CHECK_EQ(alfClipValue(1, 10), 128);
  CHECK_EQ(alfClipValue(2, 10), 32);
  CHECK_EQ(alfClipValue(3, 10), 8);
}

static void testApsRoundTrip() {
  for (int t = 0; t < 50; ++t) {
    AlfApsData a;
    a.apsId = int(rnd(8));
    a.chromaPresent = rnd(2);
    a.lumaSignalled = !a.chromaPresent || rnd(2);
    a.chromaSignalled = a.chromaPresent && (!a.lumaSignalled || rnd(2));
    a.lumaClip = rnd(2);
    a.numLumaFilters = 1 + int(rnd(25));
    for (int c = 0; c < 25; ++c) a.lumaDeltaIdx[c] = a.numLumaFilters > 1 ? uint8_t(rnd(unsigned(a.numLumaFilters))) : 0;
    for (int f = 0; f < a.numLumaFilters; ++f)
      for (int j = 0; j < 12; ++j) {
        a.lumaCoeff[f][j] = int16_t(int(rnd(256)) - 128);
        if (a.lumaClip) a.lumaClipIdx[f][j] = uint8_t(rnd(4));
      }
    a.chromaClip = rnd(2);
    a.numChromaAlts = 1 + int(rnd(8));
    for (int k = 0; k < a.numChromaAlts; ++k)
      for (int j = 0; j < 6; ++j) {
        a.chromaCoeff[k][j] = int16_t(int(rnd(256)) - 128);
        if (a.chromaClip) a.chromaClipIdx[k][j] = uint8_t(rnd(4));
      }
    if (!a.lumaSignalled) { a.numLumaFilters = 1; a.lumaClip = false; std::fill(&a.lumaCoeff[0][0], &a.lumaCoeff[0][0] + 300, int16_t(0)); std::fill(&a.lumaClipIdx[0][0], &a.lumaClipIdx[0][0] + 300, uint8_t(0)); std::fill(a.lumaDeltaIdx, a.lumaDeltaIdx + 25, uint8_t(0)); }
    if (!a.chromaSignalled) { a.numChromaAlts = 1; a.chromaClip = false; std::fill(&a.chromaCoeff[0][0], &a.chromaCoeff[0][0] + 48, int16_t(0)); std::fill(&a.chromaClipIdx[0][0], &a.chromaClipIdx[0][0] + 48, uint8_t(0)); }
    for (int k = 0; k < 2; ++k) {  // CC-ALF filters (coefficients 0 or +-2^(m - 1))
      a.ccSignalled[k] = a.chromaPresent && rnd(2);
      if (!a.ccSignalled[k]) continue;
      a.numCcFilters[k] = 1 + int(rnd(4));
      for (int f = 0; f < a.numCcFilters[k]; ++f)
        for (int j = 0; j < kAlfCcCoeffs; ++j) a.ccCoeff[k][f][j] = int16_t(ccAlfCoeffFromMapped(int(rnd(8)), rnd(2)));
    }
    if (t % 7 == 6 && a.chromaPresent) {  // CC-only APS (allowed: some filter is signalled)
      a.lumaSignalled = a.chromaSignalled = false; a.numLumaFilters = 1; a.numChromaAlts = 1; a.lumaClip = a.chromaClip = false;
      std::fill(&a.lumaCoeff[0][0], &a.lumaCoeff[0][0] + 300, int16_t(0)); std::fill(&a.lumaClipIdx[0][0], &a.lumaClipIdx[0][0] + 300, uint8_t(0)); std::fill(a.lumaDeltaIdx, a.lumaDeltaIdx + 25, uint8_t(0));
      std::fill(&a.chromaCoeff[0][0], &a.chromaCoeff[0][0] + 48, int16_t(0)); std::fill(&a.chromaClipIdx[0][0], &a.chromaClipIdx[0][0] + 48, uint8_t(0));
      a.ccSignalled[0] = true;
      a.numCcFilters[0] = 2;
      std::fill(&a.ccCoeff[0][0][0], &a.ccCoeff[0][0][0] + kAlfMaxCcFilters * kAlfCcCoeffs, int16_t(0));
      a.ccCoeff[0][1][3] = -64;
    }
    const std::vector<uint8_t> rbsp = writeAlfAps(a);
    AlfApsData b;
    CHECK(parseAlfAps(rbsp, b));
    CHECK(std::memcmp(&a, &b, sizeof a) == 0, "APS round trip, case %d", t);
  }
  // truncated APS: clean error
  AlfApsData a;
  a.lumaSignalled = true;
  a.numLumaFilters = 3;
  std::vector<uint8_t> rbsp = writeAlfAps(a);
  rbsp.resize(2);
  bool threw = false;
  try { AlfApsData b; parseAlfAps(rbsp, b); } catch (const BitstreamError&) { threw = true; }
  CHECK(threw);
}

static void testCtuSyntaxRoundTrip() {
  for (int t = 0; t < 20; ++t) {
    const int wc = 1 + int(rnd(5)), hc = 1 + int(rnd(4));
    AlfSyntaxEnv env;
    env.widthInCtus = wc;
    env.slice.enabled = true;
    env.slice.numApsLuma = int(rnd(8));
    env.slice.cb = rnd(2);
    env.slice.cr = rnd(2);
    env.numChromaAlts = 1 + int(rnd(4));
    for (int k = 0; k < 2; ++k) { env.slice.cc[k] = rnd(2); env.numCcFilters[k] = 1 + int(rnd(4)); }
    std::vector<AlfCtuParams> p(size_t(wc * hc));
    for (AlfCtuParams& c : p) {
      c.luma = rnd(2);
      if (c.luma) c.lumaSet = uint8_t(rnd(unsigned(16 + env.slice.numApsLuma)));
      for (int k = 0; k < 2; ++k)
        if ((k == 0 ? env.slice.cb : env.slice.cr) && rnd(2)) {
          c.chroma[k] = true;
          c.chromaAlt[k] = uint8_t(rnd(unsigned(env.numChromaAlts)));
        }
      for (int k = 0; k < 2; ++k)
        if (env.slice.cc[k]) c.ccIdc[k] = uint8_t(rnd(unsigned(env.numCcFilters[k] + 1)));
    }
    const int qp = 22 + int(rnd(20)), initType = int(rnd(3));
    ArithEncoder enc;
    enc.start();
    AlfContexts ctx;
    ctx.init(qp, initType);
    BitEstimator est;
    AlfContexts ctxEst;
    ctxEst.init(qp, initType);
    for (int ry = 0; ry < hc; ++ry)
      for (int rx = 0; rx < wc; ++rx) {
        CHECK(codeAlfCtu(enc, ctx, env, p, rx, ry));
        CHECK(codeAlfCtu(est, ctxEst, env, p, rx, ry));
      }
    enc.terminate(1);
    enc.finish();
    std::vector<uint8_t> bytes = enc.bytes();
    bytes.push_back(uint8_t(((enc.pendingBits() << 1) | 1u) << (7 - enc.pendingCount())));
    ArithDecoder dec;
    dec.start(bytes.data(), bytes.size());
    AlfContexts dctx;
    dctx.init(qp, initType);
    std::vector<AlfCtuParams> q(p.size());
    for (int ry = 0; ry < hc; ++ry)
      for (int rx = 0; rx < wc; ++rx) CHECK(codeAlfCtu(dec, dctx, env, q, rx, ry));
    CHECK(dec.terminate() == 1 && !dec.overrun());
    for (size_t i = 0; i < p.size(); ++i) {
      CHECK(p[i].luma == q[i].luma && (!p[i].luma || p[i].lumaSet == q[i].lumaSet), "ctu %zu case %d", i, t);
      for (int k = 0; k < 2; ++k)
        CHECK(p[i].chroma[k] == q[i].chroma[k] && (!p[i].chroma[k] || p[i].chromaAlt[k] == q[i].chromaAlt[k]));
      for (int k = 0; k < 2; ++k) CHECK(p[i].ccIdc[k] == q[i].ccIdc[k], "cc idc ctu %zu case %d", i, t);
    }
  }
}

// Per-sample model of the luma filter (8.8.5.2) at (x, y) of a CTB of size ctb at (xCtb, yCtb).
static int modelFilter(const Plane& rec, int xCtb, int yCtb, int ctb, bool vb, int x, int y, const int16_t* f,
                       const int16_t* c, int t) {
  auto at = [&](int dx, int dy) {
    return int(rec.at(std::clamp(x + dx, 0, rec.width - 1), std::clamp(y + dy, 0, rec.height - 1)));
  };
  const int yy = y - yCtb;
  int r1 = 1, r2 = 2, r3 = 3;
  if (vb) {
    if (yy == ctb - 5 || yy == ctb - 4) r1 = r2 = r3 = 0;
    else if (yy == ctb - 6 || yy == ctb - 3) r1 = r2 = r3 = 1;
    else if (yy == ctb - 7 || yy == ctb - 2) { r1 = 1; r2 = r3 = 2; }
  }
  const uint8_t* m = dsp::kAlfTransposeMap[t];
  const int cur = at(0, 0);
  auto cl = [&](int k, int a, int b) {
    const int cc = c[m[k]];
    return f[m[k]] * (std::clamp(a - cur, -cc, cc) + std::clamp(b - cur, -cc, cc));
  };
  int sum = cl(0, at(0, r3), at(0, -r3)) + cl(1, at(1, r2), at(-1, -r2)) + cl(2, at(0, r2), at(0, -r2)) +
            cl(3, at(-1, r2), at(1, -r2)) + cl(4, at(2, r1), at(-2, -r1)) + cl(5, at(1, r1), at(-1, -r1)) +
            cl(6, at(0, r1), at(0, -r1)) + cl(7, at(-1, r1), at(1, -r1)) + cl(8, at(-2, r1), at(2, -r1)) +
            cl(9, at(3, 0), at(-3, 0)) + cl(10, at(2, 0), at(-2, 0)) + cl(11, at(1, 0), at(-1, 0));
  const int shift = vb && (yy == ctb - 5 || yy == ctb - 4) ? 10 : 7;
  return std::clamp(cur + ((sum + (1 << (shift - 1))) >> shift), 0, 1023);
}

static void testLumaFilterModel() {
  Plane rec;
  rec.alloc(136, 256);  // two CTB rows of 128, a 8-wide second CTB column
  for (Pel& v : rec.data) v = Pel(rnd(1024));
  recon::PaddedPlane pad;
  pad.copyFrom(rec);
  AlfClassFilters filt;
  for (int k = 0; k < 25; ++k)
    for (int j = 0; j < 12; ++j) { filt.coeff[k][j] = int16_t(int(rnd(256)) - 128); filt.clip[k][j] = int16_t(alfClipValue(int(rnd(4)), 10)); }
  Plane out = rec;
  int bad = 0;
  for (int yCtb = 0; yCtb < 256; yCtb += 128)
    for (int xCtb = 0; xCtb < 136; xCtb += 128) {
      const int w = std::min(128, 136 - xCtb), h = 128;
      const int vbRow = recon::alfVirtualBoundaryRow(yCtb, 128, 256, 4);
      CHECK_EQ(vbRow, yCtb + 124);
      std::vector<dsp::AlfBlockClass> cls(size_t(w / 4) * size_t(h / 4));
      for (auto& c : cls) { c.classIdx = uint8_t(rnd(25)); c.transposeIdx = uint8_t(rnd(4)); }
      dsp::alfFilterLumaC(pad.origin(), pad.stride, out.data.data(), out.stride, xCtb, yCtb, w, h, vbRow, cls.data(),
                          filt.coeff, filt.clip, 10);
      for (int y = yCtb; y < yCtb + h; ++y)
        for (int x = xCtb; x < xCtb + w; ++x) {
          const dsp::AlfBlockClass& c = cls[size_t((y - yCtb) / 4) * size_t(w / 4) + size_t((x - xCtb) / 4)];
          const int m = modelFilter(rec, xCtb, yCtb, 128, true, x, y, filt.coeff[c.classIdx], filt.clip[c.classIdx],
                                    c.transposeIdx);
          if (m != out.at(x, y) && bad++ < 5) CHECK(false, "filter at (%d,%d): %d vs model %d", x, y, out.at(x, y), m);
        }
    }
  CHECK_EQ(bad, 0);
  // the last CTB row without a virtual boundary when it ends within 4 rows of it
  CHECK_EQ(recon::alfVirtualBoundaryRow(128, 128, 248, 4), dsp::kAlfNoVirtualBoundary);
  CHECK_EQ(recon::alfVirtualBoundaryRow(128, 128, 256, 4), 252);
  CHECK_EQ(recon::alfVirtualBoundaryRow(0, 64, 120, 2), 62);
}

static void testClassification() {
  Plane p;
  p.alloc(64, 64);
  for (Pel& v : p.data) v = 512;
  recon::PaddedPlane pad;
  pad.copyFrom(p);
  std::vector<dsp::AlfBlockClass> cls(16 * 16);
  dsp::alfClassifyC(pad.origin(), pad.stride, 0, 0, 64, 64, dsp::kAlfNoVirtualBoundary, 10, cls.data());
  for (auto& c : cls) CHECK(c.classIdx == 0 && c.transposeIdx == 3);  // no direction wins: dir1 3, dir2 2
  // vertical stripes (strong horizontal gradients): a directional class with activity
  for (int y = 0; y < 64; ++y)
    for (int x = 0; x < 64; ++x) p.at(x, y) = Pel((x & 1) ? 800 : 200);
  pad.copyFrom(p);
  dsp::alfClassifyC(pad.origin(), pad.stride, 0, 0, 64, 64, dsp::kAlfNoVirtualBoundary, 10, cls.data());
  for (auto& c : cls) CHECK(c.classIdx >= 15 && c.classIdx < 25, "class %d", c.classIdx);
}

// Luma SSE between two pictures.
static double lumaSse(const Picture& a, const Picture& b) {
  double e = 0;
  for (size_t i = 0; i < a.planes[0].data.size(); ++i) {
    const double d = a.planes[0].data[i] - b.planes[0].data[i];
    e += d * d;
  }
  return e;
}

// Luma SSE against org after applying decision d (APS in slot apsId) to rec.
static double lumaSseAfterAlf(const Picture& org, const Picture& rec, const AlfDecision& d, int apsId) {
  Picture f = rec;
  const AlfApsData* table[8] = {};
  table[apsId] = &d.aps;
  recon::applyAlf(f, d.slice, table, d.ctus, 7);
  return lumaSse(org, f);
}

static void testDecision() {
  // a smooth source and a noisy "reconstruction": ALF must help and stay consistent
  Picture org, rec;
  org.alloc(256, 136);
  rec.alloc(256, 136);
  for (int y = 0; y < 136; ++y)
    for (int x = 0; x < 256; ++x) {
      org.planes[0].at(x, y) = Pel(400 + ((x * 3 + y * 2) % 200));
      rec.planes[0].at(x, y) = Pel(std::clamp(int(org.planes[0].at(x, y)) + int(rnd(41)) - 20, 0, 1023));
    }
  const AlfDecision d = decideAlf(org, rec, 20.0, 7, 5);
  CHECK(d.enabled);
  CHECK(d.ctus.size() == 4);
  if (d.slice.numApsLuma) {
    CHECK_EQ(d.slice.apsIdLuma[0], 5);
    CHECK_EQ(d.aps.apsId, 5);
  }
  const double e0 = lumaSse(org, rec), e1 = lumaSseAfterAlf(org, rec, d, 5);
  CHECK(e1 < e0 * 0.9, "ALF SSE %.0f vs %.0f", e1, e0);
}

static void testLumaClipDecision() {
  // mild noise on a smooth source plus sparse large spikes: a linear filter that smooths the noise
  // spreads the spikes into their neighbours, clipped differences do not, so the encoder must pick
  // clipping (alf_luma_clip_flag with some index > 0) and filter better than without it
  Picture org, rec;
  org.alloc(256, 136);
  rec.alloc(256, 136);
  for (int y = 0; y < 136; ++y)
    for (int x = 0; x < 256; ++x) {
      org.planes[0].at(x, y) = Pel(400 + ((x * 3 + y * 2) % 200));
      const int spike = rnd(40) == 0 ? (rnd(2) ? 300 : -300) : 0;
      rec.planes[0].at(x, y) = Pel(std::clamp(int(org.planes[0].at(x, y)) + int(rnd(21)) - 10 + spike, 0, 1023));
    }
  const AlfDecision clip = decideAlf(org, rec, 20.0, 7, 2, false, {}, true);
  const AlfDecision plain = decideAlf(org, rec, 20.0, 7, 2, false, {}, false);
  CHECK(clip.sendAps && clip.aps.lumaSignalled && clip.aps.lumaClip);
  CHECK(!plain.aps.lumaClip);
  int maxIdx = 0;
  for (int f = 0; f < clip.aps.numLumaFilters; ++f)
    for (int j = 0; j < kAlfLumaCoeffs; ++j) maxIdx = std::max(maxIdx, int(clip.aps.lumaClipIdx[f][j]));
  CHECK(maxIdx > 0);
  // the clipping indices survive writing and parsing
  AlfApsData parsed;
  CHECK(parseAlfAps(writeAlfAps(clip.aps), parsed));
  CHECK(parsed.lumaClip);
  for (int f = 0; f < clip.aps.numLumaFilters; ++f)
    for (int j = 0; j < kAlfLumaCoeffs; ++j) CHECK_EQ(parsed.lumaClipIdx[f][j], clip.aps.lumaClipIdx[f][j]);
  const double eClip = lumaSseAfterAlf(org, rec, clip, 2), ePlain = lumaSseAfterAlf(org, rec, plain, 2);
  CHECK(eClip < ePlain * 0.97, "SSE with clipping %.0f, without %.0f", eClip, ePlain);
}

static void testChromaDecision() {
  // noisy chroma planes (luma exact): the chroma filters must be chosen, signalled in the APS
  // (without luma filters) and lower the chroma SSE; --alf-chroma off leaves them alone
  Picture org, rec;
  org.alloc(256, 136);
  rec.alloc(256, 136);
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < org.planes[c].height; ++y)
      for (int x = 0; x < org.planes[c].width; ++x) {
        org.planes[c].at(x, y) = Pel(300 + ((x * 5 + y * 3 + 40 * c) % 300));
        rec.planes[c].at(x, y) = c == 0 ? org.planes[c].at(x, y)
                                        : Pel(std::clamp(int(org.planes[c].at(x, y)) + int(rnd(41)) - 20, 0, 1023));
      }
  const AlfDecision d = decideAlf(org, rec, 20.0, 7, 3);
  CHECK(d.enabled && d.sendAps);
  CHECK(d.slice.cb && d.slice.cr);
  CHECK_EQ(d.slice.apsIdChroma, 3);
  CHECK(d.aps.chromaPresent && d.aps.chromaSignalled);
  CHECK_EQ(d.aps.numChromaAlts, 2);
  CHECK(!d.aps.lumaSignalled);
  CHECK_EQ(d.slice.numApsLuma, 0);
  // the APS survives writing and parsing
  AlfApsData parsed;
  CHECK(parseAlfAps(writeAlfAps(d.aps), parsed));
  CHECK_EQ(parsed.numChromaAlts, 2);
  for (int k = 0; k < 2; ++k)
    for (int j = 0; j < kAlfChromaCoeffs; ++j) CHECK_EQ(parsed.chromaCoeff[k][j], d.aps.chromaCoeff[k][j]);
  Picture f = rec;
  const AlfApsData* table[8] = {};
  table[3] = &d.aps;
  recon::applyAlf(f, d.slice, table, d.ctus, 7);
  for (int c = 1; c <= 2; ++c) {
    double e0 = 0, e1 = 0;
    for (size_t i = 0; i < org.planes[c].data.size(); ++i) {
      const double a = org.planes[c].data[i] - rec.planes[c].data[i], b = org.planes[c].data[i] - f.planes[c].data[i];
      e0 += a * a; e1 += b * b;
    }
    CHECK(e1 < e0 * 0.9, "chroma %d ALF SSE %.0f vs %.0f", c, e1, e0);
  }
  CHECK(f.planes[0].data == rec.planes[0].data);
  const AlfDecision off = decideAlf(org, rec, 20.0, 7, 3, false);
  CHECK(!off.slice.cb && !off.slice.cr && !off.aps.chromaSignalled);
}

// CC-ALF against a per-sample transcription of 8.8.5.7 (4:2:0): luma positions clamped into the
// picture, the virtual-boundary rule on the luma row 2y (relative to its CTB: row CtbSize - 6 uses
// row +1 for +2; row CtbSize - 4 uses its own row for -1, +1, +2), (sum + 64) >> 7 clipped to
// [-512, 511], added and clipped.
static void testCcAlfFilterModel() {
  const int W = 200, H = 264;  // luma; a partial CTB at the right and the bottom (CTB 128)
  Plane luma;
  luma.alloc(W, H);
  for (Pel& v : luma.data) v = Pel(rnd(1024));
  Plane chroma;
  chroma.alloc(W / 2, H / 2);
  for (Pel& v : chroma.data) v = Pel(rnd(1024));
  const Plane before = chroma;
  recon::PaddedPlane pad;
  pad.copyFrom(luma);
  int16_t f[kAlfCcCoeffs];
  for (int j = 0; j < kAlfCcCoeffs; ++j) f[j] = int16_t(ccAlfCoeffFromMapped(int(rnd(8)), rnd(2)));
  f[2] = 64;  // large enough that the clipping of the correction is reached
  for (int ry = 0; ry * 128 < H; ++ry)
    for (int rx = 0; rx * 128 < W; ++rx) {
      const int x0 = rx * 64, y0 = ry * 64;
      recon::applyCcAlfCtb(pad, chroma, x0, y0, std::min(64, W / 2 - x0), std::min(64, H / 2 - y0), f, 7);
    }
  int bad = 0;
  for (int y = 0; y < H / 2; ++y)
    for (int x = 0; x < W / 2; ++x) {
      const int xl = 2 * x, yl = 2 * y, pos = yl % 128;
      int yM1 = yl - 1, yP1 = yl + 1, yP2 = yl + 2;
      if (pos == 122) yP2 = yl + 1;
      if (pos == 124) yM1 = yP1 = yP2 = yl;
      auto L = [&](int xx, int yy) { return int(luma.at(std::clamp(xx, 0, W - 1), std::clamp(yy, 0, H - 1))); };
      const int c = L(xl, yl);
      int sum = f[0] * (L(xl, yM1) - c) + f[1] * (L(xl - 1, yl) - c) + f[2] * (L(xl + 1, yl) - c) +
                f[3] * (L(xl - 1, yP1) - c) + f[4] * (L(xl, yP1) - c) + f[5] * (L(xl + 1, yP1) - c) +
                f[6] * (L(xl, yP2) - c);
      sum = std::clamp((sum + 64) >> 7, -512, 511);
      const int e = std::clamp(before.at(x, y) + sum, 0, 1023);
      bad += chroma.at(x, y) != e;
    }
  CHECK(bad == 0, "%d CC-ALF samples differ from the model", bad);
}

// The CC-ALF decision on a picture whose chroma error is a luma high-pass: it enables CC-ALF for
// both components, every coefficient is a legal value, the idcs name existing filters, and the
// chroma SSE falls.
static void testCcAlfDecision() {
  const int W = 256, H = 128;
  Picture org, rec;
  org.alloc(W, H);
  rec.alloc(W, H);
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) rec.planes[0].at(x, y) = Pel(512 + ((x * 37 + y * 11) % 97) * 3 + int(rnd(40)));
  org.planes[0] = rec.planes[0];
  for (int c = 1; c <= 2; ++c)
    for (int y = 0; y < H / 2; ++y)
      for (int x = 0; x < W / 2; ++x) {
        const int l = rec.planes[0].at(2 * x, 2 * y), r = rec.planes[0].at(std::min(2 * x + 1, W - 1), 2 * y);
        const Pel base = Pel(400 + int(rnd(8)));
        rec.planes[c].at(x, y) = base;
        org.planes[c].at(x, y) = Pel(std::clamp(base + (c == 1 ? 1 : -1) * (r - l) / 4, 0, 1023));
      }
  recon::PaddedPlane pad;
  pad.copyFrom(rec.planes[0]);
  AlfDecision dec;
  dec.aps.apsId = 5;
  CHECK(decideCcAlf(org, pad, rec, 30.0, 7, dec));
  CHECK(dec.enabled && dec.sendAps && dec.aps.chromaPresent);
  for (int k = 0; k < 2; ++k) {
    CHECK(dec.slice.cc[k] && dec.aps.ccSignalled[k] && dec.slice.ccApsId[k] == 5, "component %d", k);
    for (int f = 0; f < dec.aps.numCcFilters[k]; ++f)
      for (int j = 0; j < kAlfCcCoeffs; ++j) {
        const int v = dec.aps.ccCoeff[k][f][j], m = std::abs(v);
        CHECK(m == 0 || (m <= 64 && (m & (m - 1)) == 0));
      }
    double e0 = 0, e1 = 0;
    Plane p = rec.planes[1 + k];
    for (size_t i = 0; i < dec.ctus.size(); ++i) {
      const int idc = dec.ctus[i].ccIdc[k];
      CHECK(idc <= dec.aps.numCcFilters[k]);
      if (idc) recon::applyCcAlfCtb(pad, p, int(i % 2) * 64, int(i / 2) * 64, 64, 64, dec.aps.ccCoeff[k][idc - 1], 7);
    }
    for (int y = 0; y < H / 2; ++y)
      for (int x = 0; x < W / 2; ++x) {
        const double a = org.planes[1 + k].at(x, y) - rec.planes[1 + k].at(x, y), b = org.planes[1 + k].at(x, y) - p.at(x, y);
        e0 += a * a; e1 += b * b;
      }
    CHECK(e1 < e0 * 0.7, "component %d: CC-ALF SSE %.0f vs %.0f", k, e1, e0);
  }
  // a picture whose chroma needs nothing: no CC-ALF
  Picture same = rec;
  AlfDecision none;
  CHECK(!decideCcAlf(same, pad, rec, 30.0, 7, none) && !none.slice.cc[0] && !none.slice.cc[1] && !none.sendAps);
}

static void testSliceHeader() {
  SpsInfo sps;
  sps.width = 256; sps.height = 128;
  sps.part.picWidth = 256; sps.part.picHeight = 128;
  sps.alfEnabled = true;
  buildChromaQpTable(sps);
  const SpsInfo sps2 = parseSps(writeSps(sps));
  CHECK(sps2.alfEnabled);
  PpsInfo pps;
  pps.width = 256; pps.height = 128;
  SliceInfo sh;
  sh.alf.enabled = true;
  sh.alf.numApsLuma = 2;
  sh.alf.apsIdLuma[0] = 3; sh.alf.apsIdLuma[1] = 6;
  sh.alf.cb = true;
  sh.alf.apsIdChroma = 1;
  BitWriter bw;
  writeSliceHeader(bw, sps2, pps, sh);
  BitReader br(bw.bytes().data(), bw.bytes().size());
  const SliceInfo r = parseSliceHeader(br, sh.nalType, sps2, pps);
  CHECK(r.alf.enabled && r.alf.numApsLuma == 2 && r.alf.apsIdLuma[0] == 3 && r.alf.apsIdLuma[1] == 6);
  CHECK(r.alf.cb && !r.alf.cr && r.alf.apsIdChroma == 1);
  // CC-ALF fields follow when the SPS enables it
  SpsInfo spsCc = sps2;
  spsCc.ccalfEnabled = true;
  const SpsInfo spsCc2 = parseSps(writeSps(spsCc));
  CHECK(spsCc2.ccalfEnabled && !sps2.ccalfEnabled);
  sh.alf.cc[1] = true;
  sh.alf.ccApsId[1] = 4;
  BitWriter bw2;
  writeSliceHeader(bw2, spsCc2, pps, sh);
  BitReader br2(bw2.bytes().data(), bw2.bytes().size());
  const SliceInfo r2 = parseSliceHeader(br2, sh.nalType, spsCc2, pps);
  CHECK(!r2.alf.cc[0] && r2.alf.cc[1] && r2.alf.ccApsId[1] == 4 && r2.alf.apsIdChroma == 1);
  bool threw = false;  // CC-ALF in a slice of an SPS without it
  try { BitWriter bw3; writeSliceHeader(bw3, sps2, pps, sh); } catch (const std::invalid_argument&) { threw = true; }
  CHECK(threw);
}

int main() {
  testTables();
  testApsRoundTrip();
  testCtuSyntaxRoundTrip();
  testLumaFilterModel();
  testClassification();
  testDecision();
  testChromaDecision();
  testLumaClipDecision();
  testCcAlfFilterModel();
  testCcAlfDecision();
  testSliceHeader();
  std::printf("%s (%d failures)\n", failures ? "FAILED" : "ok", failures);
  return failures ? 1 : 0;
}
