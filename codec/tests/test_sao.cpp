// SAO: sao() syntax round trip (write / estimate / parse), the CTB modification process against a
// per-sample model of H.266 8.8.4.2, the encoder decision (valid, never worse than off by its own
// measure, finds an obvious band offset), SPS / slice-header flags.
#include <cmath>
#include <cstring>
#include <vector>

#include "cabac/cabac.h"
#include "common/types.h"
#include "dsp/sao.h"
#include "encoder/sao_decision.h"
#include "recon/sao.h"
#include "syntax/param_sets.h"
#include "syntax/sao_syntax.h"
#include "cabac_test_util.h"
#include "test_check.h"

using namespace nnvvc;

static uint64_t rng = 12345;
static unsigned rnd(unsigned n) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return unsigned(rng % n); }

static SaoCompParams randomComp(int type, int eoClass) {
  SaoCompParams s;
  s.typeIdx = uint8_t(type);
  if (type == 1) {
    s.bandPos = uint8_t(rnd(32));
    for (int i = 0; i < 4; ++i) s.offsets[i] = int8_t(int(rnd(63)) - 31);
  } else if (type == 2) {
    s.eoClass = uint8_t(eoClass);
    for (int i = 0; i < 4; ++i) s.offsets[i] = int8_t(i < 2 ? int(rnd(32)) : -int(rnd(32)));
  }
  return s;
}

static std::vector<SaoCtuParams> randomParams(int wc, int hc, bool luma, bool chroma) {
  std::vector<SaoCtuParams> p(size_t(wc * hc));
  for (int ry = 0; ry < hc; ++ry)
    for (int rx = 0; rx < wc; ++rx) {
      SaoCtuParams& c = p[size_t(ry * wc + rx)];
      const unsigned m = rnd(4);
      if (m == 0 && rx > 0) { c = p[size_t(ry * wc + rx - 1)]; c.mergeLeft = true; c.mergeUp = false; continue; }
      if (m == 1 && ry > 0) { c = p[size_t((ry - 1) * wc + rx)]; c.mergeLeft = false; c.mergeUp = true; continue; }
      c = SaoCtuParams{};
      if (luma) c.comp[0] = randomComp(int(rnd(3)), int(rnd(4)));
      if (chroma) {
        const int t = int(rnd(3)), k = int(rnd(4));
        c.comp[1] = randomComp(t, k);
        c.comp[2] = randomComp(t, k);
      }
    }
  return p;
}


TEST_CASE(syntaxRoundTrip) {
  for (int it = 0; it < 60; ++it) {
    const int wc = 1 + int(rnd(5)), hc = 1 + int(rnd(4));
    const bool luma = rnd(4) != 0, chroma = rnd(4) != 0;
    SaoSyntaxEnv env;
    env.widthInCtus = wc; env.luma = luma; env.chroma = chroma;
    std::vector<SaoCtuParams> p = randomParams(wc, hc, luma, chroma);
    ContextSet ce, cb, cd;
    const int initType = int(rnd(3));
    ce.init(32, initType); cb.init(32, initType); cd.init(32, initType);
    ArithEncoder enc; enc.start();
    BitEstimator est;
    bool ok = true;
    for (int ry = 0; ry < hc; ++ry)
      for (int rx = 0; rx < wc; ++rx) {
        ok &= codeSao(enc, ce, env, p, rx, ry);
        ok &= codeSao(est, cb, env, p, rx, ry);
      }
    CHECK(ok, "writer rejected valid parameters (iteration %d)", it);
    const std::vector<uint8_t> bytes = finishBytes(enc);
    ArithDecoder dec; dec.start(bytes.data(), bytes.size());
    std::vector<SaoCtuParams> q(p.size());
    for (int ry = 0; ry < hc; ++ry)
      for (int rx = 0; rx < wc; ++rx) CHECK(codeSao(dec, cd, env, q, rx, ry));
    CHECK(dec.terminate() == 1 && !dec.overrun());
    for (size_t i = 0; i < p.size(); ++i) {
      CHECK(q[i].mergeLeft == p[i].mergeLeft && q[i].mergeUp == p[i].mergeUp, "ctu %zu", i);
      for (int c = 0; c < 3; ++c) CHECK(q[i].comp[c] == p[i].comp[c], "ctu %zu comp %d", i, c);
    }
    CHECK(std::memcmp(&ce, &cd, sizeof(ce)) == 0 && std::memcmp(&ce, &cb, sizeof(ce)) == 0);
    // estimate vs real size (within a few bits of the flush)
    CHECK(std::fabs(est.bits() - double(bytes.size() * 8)) < 40 + 0.02 * est.bits(), "est %.1f real %zu", est.bits(),
          bytes.size() * 8);
  }
  // the writer refuses inconsistent parameters
  SaoSyntaxEnv env; env.widthInCtus = 2; env.luma = true; env.chroma = true;
  std::vector<SaoCtuParams> p(2);
  ContextSet ctx; ctx.init(32, 0);
  BitEstimator est;
  p[0].comp[0] = randomComp(2, 1);
  p[0].comp[0].offsets[0] = -3;  // edge category 1 must be >= 0
  CHECK(!codeSao(est, ctx, env, p, 0, 0));
  p[0] = SaoCtuParams{};
  p[0].comp[1] = randomComp(1, 0); p[0].comp[2] = randomComp(2, 0);  // Cr type != Cb type
  CHECK(!codeSao(est, ctx, env, p, 0, 0));
  p[0] = SaoCtuParams{}; p[1] = SaoCtuParams{};
  p[1].mergeLeft = true; p[1].comp[0] = randomComp(1, 0);  // merge with different parameters
  CHECK(!codeSao(est, ctx, env, p, 1, 0));
  p[0].mergeUp = true;  // no CTB above
  CHECK(!codeSao(est, ctx, env, p, 0, 0));
  env.luma = false; p[0] = SaoCtuParams{}; p[0].comp[0] = randomComp(1, 0);  // luma off in the slice
  CHECK(!codeSao(est, ctx, env, p, 0, 0));
}

// 8.8.4.2 sample by sample from the spec text (the reference for the picture driver + kernels).
static void modelSao(const Plane& rec, Plane& out, const SaoCompParams& s, int x0, int y0, int w, int h) {
  static const int hPos[4][2] = {{-1, 1}, {0, 0}, {-1, 1}, {1, -1}}, vPos[4][2] = {{0, 0}, {-1, 1}, {-1, 1}, {-1, 1}};
  const int maxVal = (1 << kBitDepth) - 1;
  auto sign = [](int v) { return (v > 0) - (v < 0); };
  for (int y = y0; y < y0 + h && y < rec.height; ++y)
    for (int x = x0; x < x0 + w && x < rec.width; ++x) {
      int off = 0;
      const int c = rec.at(x, y);
      if (s.typeIdx == 2) {
        bool outside = false;
        for (int k = 0; k < 2; ++k) {
          const int xn = x + hPos[s.eoClass][k], yn = y + vPos[s.eoClass][k];
          outside |= xn < 0 || yn < 0 || xn >= rec.width || yn >= rec.height;
        }
        if (outside) continue;
        int e = 2 + sign(c - rec.at(x + hPos[s.eoClass][0], y + vPos[s.eoClass][0])) +
                sign(c - rec.at(x + hPos[s.eoClass][1], y + vPos[s.eoClass][1]));
        if (e <= 2) e = e == 2 ? 0 : e + 1;
        off = e ? s.offsets[e - 1] : 0;
      } else if (s.typeIdx == 1) {
        int bandTable[32] = {};
        for (int k = 0; k < 4; ++k) bandTable[(k + s.bandPos) & 31] = k + 1;
        const int b = bandTable[c >> (kBitDepth - 5)];
        off = b ? s.offsets[b - 1] : 0;
      }
      out.at(x, y) = Pel(clip3(0, maxVal, c + off));
    }
}

TEST_CASE(application) {
  const int sizes[][2] = {{200, 136}, {64, 64}, {72, 40}, {8, 8}};
  for (int it = 0; it < 24; ++it) {
    const int W = sizes[it % 4][0], H = sizes[it % 4][1];
    const int log2Ctu = 5 + int(rnd(3));  // 32..128
    const int ctu = 1 << log2Ctu, wc = (W + ctu - 1) / ctu, hc = (H + ctu - 1) / ctu;
    Picture pic; pic.alloc(W, H);
    for (int c = 0; c < 3; ++c)
      for (Pel& v : pic.planes[c].data) v = Pel(it % 3 == 0 ? (rnd(2) ? 1023 : 0) : 400 + int(rnd(200)) * (it % 2 ? 1 : 3));
    const bool luma = rnd(3) != 0, chroma = rnd(3) != 0;
    std::vector<SaoCtuParams> p = randomParams(wc, hc, true, true);
    Picture want = pic;
    for (int c = 0; c < 3; ++c) {
      if (!(c ? chroma : luma)) continue;
      const int l2 = c ? log2Ctu - 1 : log2Ctu;
      for (int ry = 0; ry < hc; ++ry)
        for (int rx = 0; rx < wc; ++rx)
          modelSao(pic.planes[c], want.planes[c], p[size_t(ry * wc + rx)].comp[c], rx << l2, ry << l2, 1 << l2, 1 << l2);
    }
    recon::applySao(pic, p, log2Ctu, luma, chroma);
    for (int c = 0; c < 3; ++c) CHECK(pic.planes[c].data == want.planes[c].data, "iteration %d comp %d", it, c);
  }
}

TEST_CASE(decision) {
  const int W = 136, H = 72;
  Picture orig, rec;
  orig.alloc(W, H); rec.alloc(W, H);
  for (int c = 0; c < 3; ++c)
    for (size_t i = 0; i < rec.planes[c].data.size(); ++i) {
      const int v = 300 + int(rnd(400));
      rec.planes[c].data[i] = Pel(v);
      // band 12..15 (384..511) too dark by 6 in luma; small noise elsewhere
      orig.planes[c].data[i] = Pel(v + ((c == 0 && v >= 384 && v < 512) ? 6 : int(rnd(3)) - 1));
    }
  SliceParams slice;
  slice.qp = 32; slice.qpPrimeY = 44; slice.qpPrimeCb = slice.qpPrimeCr = 43; slice.lambda = 0.57 * std::pow(2.0, 32 / 3.0);
  const SaoDecision d = decideSao(orig, rec, slice, 6, 0, true, true);
  CHECK(d.luma);
  CHECK(d.ctus.size() == 3u * 2u);
  CHECK(d.ctus[0].comp[0].typeIdx == 1 && d.ctus[0].comp[0].bandPos == 12, "type %d band %d", d.ctus[0].comp[0].typeIdx,
        d.ctus[0].comp[0].bandPos);
  // the parameters are writable and reduce the luma SSE
  SaoSyntaxEnv env; env.widthInCtus = 3; env.luma = d.luma; env.chroma = d.chroma;
  std::vector<SaoCtuParams> p = d.ctus;
  ContextSet ctx; ctx.init(32, 0);
  BitEstimator est;
  for (int ry = 0; ry < 2; ++ry)
    for (int rx = 0; rx < 3; ++rx) CHECK(codeSao(est, ctx, env, p, rx, ry));
  auto sse = [&](const Picture& a, int c) {
    int64_t s = 0;
    for (size_t i = 0; i < a.planes[c].data.size(); ++i) {
      const int e = a.planes[c].data[i] - orig.planes[c].data[i];
      s += e * e;
    }
    return s;
  };
  Picture after = rec;
  recon::applySao(after, d.ctus, 6, d.luma, d.chroma);
  CHECK(sse(after, 0) < sse(rec, 0) / 2, "%lld vs %lld", (long long)sse(after, 0), (long long)sse(rec, 0));
  // off is chosen when source == input
  const SaoDecision z = decideSao(rec, rec, slice, 6, 2, true, true);
  CHECK(!z.luma && !z.chroma);
}

TEST_CASE(headers) {
  SpsInfo s; s.width = 176; s.height = 144; s.part.picWidth = 176; s.part.picHeight = 144;
  buildChromaQpTable(s);
  s.saoEnabled = true;
  const SpsInfo r = parseSps(writeSps(s));
  CHECK(r.saoEnabled);
  PpsInfo pp; pp.width = 176; pp.height = 144;
  for (int m = 0; m < 4; ++m) {
    BitWriter bw;
    SliceInfo sh; sh.nalType = kNalIdrNLp; sh.sliceQp = 30; sh.saoLuma = m & 1; sh.saoChroma = (m >> 1) & 1;
    writeSliceHeader(bw, s, pp, sh);
    BitReader br(bw.bytes().data(), bw.bytes().size());
    const SliceInfo q = parseSliceHeader(br, kNalIdrNLp, r, pp);
    CHECK(q.saoLuma == sh.saoLuma && q.saoChroma == sh.saoChroma && q.sliceQp == 30 && br.bitsLeft() == 0);
  }
}

TEST_CASE(kernels) {
  // every dsp table (C and the best for this CPU) against the C twins
  const dsp::SaoFunctions c = dsp::saoFunctionsFor(dsp::DspLevel::C), s = dsp::saoFunctions();
  const ptrdiff_t stride = 160;
  std::vector<Pel> src(stride * 136), org(stride * 136), d0(stride * 136), d1(stride * 136);
  for (int it = 0; it < 200; ++it) {
    for (size_t i = 0; i < src.size(); ++i) {
      src[i] = Pel(it % 4 == 0 ? (rnd(2) ? 1023 : 0) : 500 + int(rnd(it % 4 == 1 ? 3 : 300)));
      org[i] = Pel(rnd(1024));
    }
    const int w = 1 + int(rnd(130)), h = 1 + int(rnd(130)), k = int(rnd(4));
    int8_t eo[5] = {int8_t(rnd(32)), int8_t(rnd(32)), 0, int8_t(-int(rnd(32))), int8_t(-int(rnd(32)))};
    d0 = src; d1 = src;
    const Pel* in = src.data() + stride + 1;
    c.edge(d0.data() + stride + 1, stride, in, stride, w, h, k, eo, 1023);
    s.edge(d1.data() + stride + 1, stride, in, stride, w, h, k, eo, 1023);
    CHECK(d0 == d1, "edge w %d h %d class %d", w, h, k);
    int64_t s0[5] = {}, n0[5] = {}, s1[5] = {}, n1[5] = {};
    c.statsEdge(org.data() + stride + 1, stride, in, stride, w, h, k, s0, n0);
    s.statsEdge(org.data() + stride + 1, stride, in, stride, w, h, k, s1, n1);
    CHECK(std::memcmp(s0, s1, sizeof s0) == 0 && std::memcmp(n0, n1, sizeof n0) == 0, "stats w %d h %d", w, h);
  }
}

int main(int argc, char** argv) { return runTestCases(argc, argv); }
