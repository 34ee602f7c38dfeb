// Sign data hiding: the residual syntax with hidden signs (writer / estimator / parser round trip,
// the derived sign, the rate model), the slice header / SPS flags, the encoder's parity adjustment
// (every hidden sign then agrees with its sub-block's parity, with at most one level per sub-block
// changed by +-1), and whole streams encoded with sign hiding decoded by our decoder (and VTM's when
// VTM_DECODER_APP is set).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "cabac/cabac.h"
#include "cabac/context_ids.h"
#include "common/types.h"
#include "decoder/decoder.h"
#include "dsp/dsp.h"
#include "encoder/encoder.h"
#include "encoder/search/rate_tables.h"
#include "encoder/search/rd_cost.h"
#include "encoder/search/rdoq.h"
#include "encoder/search/residual_rate.h"
#include "encoder/search/sign_hiding.h"
#include "syntax/ctu_syntax.h"
#include "syntax/param_sets.h"
#include "cabac_test_util.h"
#include "test_check.h"
#include "yuv_test_util.h"

using namespace nnvvc;
using namespace nnvvc::search;


// Sub-blocks of a TB that hide a sign (span of significant scan positions > 3).
static int hiddenSubBlocks(const std::vector<TCoeff>& lv, int log2W, int log2H) {
  const ScanInfo& si = scanInfo(log2W, log2H);
  int hidden = 0;
  for (int i = 0; i < si.numSb; ++i) {
    int first = -1, last = -1;
    for (int n = 0; n < si.sbSize; ++n)
      if (lv[si.rasterOfPos[i * si.sbSize + n]]) { if (first < 0) first = n; last = n; }
    hidden += first >= 0 && last - first > 3;
  }
  return hidden;
}

// Makes random levels consistent by giving each hiding sub-block's first coefficient the sign its
// parity says (the decoder's derivation).
static void fixSigns(std::vector<TCoeff>& lv, int log2W, int log2H) {
  const ScanInfo& si = scanInfo(log2W, log2H);
  for (int i = 0; i < si.numSb; ++i) {
    int first = -1, last = -1, sum = 0;
    for (int n = 0; n < si.sbSize; ++n) {
      const TCoeff v = lv[si.rasterOfPos[i * si.sbSize + n]];
      if (v) { if (first < 0) first = n; last = n; sum += std::abs(v); }
    }
    if (first < 0 || last - first <= 3) continue;
    TCoeff& f = lv[si.rasterOfPos[i * si.sbSize + first]];
    f = (sum & 1) ? -std::abs(f) : std::abs(f);
  }
}

static std::vector<TCoeff> randomLevels(std::mt19937& rng, int w, int h, int density, int maxLevel) {
  std::vector<TCoeff> lv(size_t(w * h), 0);
  for (int y = 0; y < std::min(h, 32); ++y)
    for (int x = 0; x < std::min(w, 32); ++x)
      if (int(rng() % 100) < density) {
        const int v = 1 + int(rng() % unsigned(maxLevel));
        lv[size_t(y * w + x)] = (rng() & 1) ? v : -v;
      }
  if (std::all_of(lv.begin(), lv.end(), [](TCoeff v) { return v == 0; })) lv[0] = 1;
  return lv;
}

// Writer -> parser with hidden signs for every TB shape; the estimator and the rate model save
// exactly one bypass bin per hiding sub-block; a block whose parity disagrees is refused.
TEST_CASE(syntaxRoundTrip) {
  std::mt19937 rng(5);
  const int sizes[][2] = {{4, 4}, {8, 8}, {16, 16}, {32, 32}, {64, 64}, {16, 4}, {4, 32}, {2, 8}, {8, 2},
                          {2, 2}, {64, 16}, {32, 2}};
  int hiddenTotal = 0, refused = 0;
  for (int iter = 0; iter < 480; ++iter) {
    const int w = sizes[iter % 12][0], h = sizes[iter % 12][1];
    const int log2W = log2Int(unsigned(w)), log2H = log2Int(unsigned(h));
    const int cIdx = (w < 4 || h < 4) ? 1 + (iter & 1) : (w > 32 || h > 32 ? 0 : iter % 3);
    const int density = 5 + int(rng() % 95);
    const int maxLevel = (iter % 5 == 0) ? 400 : 1 + int(rng() % 6);
    std::vector<TCoeff> lv = randomLevels(rng, w, h, density, maxLevel);
    fixSigns(lv, log2W, log2H);
    CHECK(signHidingConsistent(lv.data(), log2W, log2H));
    const int hidden = hiddenSubBlocks(lv, log2W, log2H);
    hiddenTotal += hidden;
    ContextSet ce, cd;
    ce.init(32, 0);
    cd.init(32, 0);
    ArithEncoder enc;
    enc.start();
    std::vector<TCoeff> copy = lv;
    CHECK(codeResidual(enc, ce, copy.data(), w, h, cIdx, false, true));
    const std::vector<uint8_t> bytes = finishBytes(enc);
    ArithDecoder dec;
    dec.start(bytes.data(), bytes.size());
    std::vector<TCoeff> back(size_t(w * h), 9);
    CHECK(codeResidual(dec, cd, back.data(), w, h, cIdx, false, true));
    CHECK(back == lv, "SDH round trip %dx%d c%d", w, h, cIdx);
    CHECK(dec.terminate() == 1);
    // frozen contexts: the estimate with and without hiding differs by one bin per hiding sub-block,
    // and the rate model agrees with the estimator
    ContextSet cs;
    cs.init(32, 0);
    for (int i = 0; i < kNumCtx; ++i) cs[i].shift0 = cs[i].shift1 = 15;
    ContextSet cs2 = cs;
    BitEstimator e1, e0;
    CHECK(codeResidual(e1, cs, copy.data(), w, h, cIdx, false, true));
    CHECK(codeResidual(e0, cs2, copy.data(), w, h, cIdx, false, false));
    CHECK(e0.fracBits() - e1.fracBits() == uint64_t(hidden) * kFbitsOne, "%dx%d: %d hidden", w, h, hidden);
    {
      ResidualBitTables t;
      fillResidualTables(cs, cIdx, t);
      CHECK(residualRateFbits(lv.data(), log2W, log2H, cIdx == 0, t, true) - t.cbf.bits[1] == e1.fracBits());
    }
    // dependent quantisation excludes sign hiding: every sign is coded
    ContextSet cq = cd, cq2 = cd;
    BitEstimator eq, eq0;
    CHECK(codeResidual(eq, cq, copy.data(), w, h, cIdx, true, true));
    CHECK(codeResidual(eq0, cq2, copy.data(), w, h, cIdx, true, false));
    CHECK(eq.fracBits() == eq0.fracBits());
    // a hiding sub-block with the wrong sign cannot be written
    if (hidden) {
      const ScanInfo& si = scanInfo(log2W, log2H);
      for (int i = 0; i < si.numSb; ++i) {
        int first = -1, last = -1;
        for (int n = 0; n < si.sbSize; ++n)
          if (lv[si.rasterOfPos[i * si.sbSize + n]]) { if (first < 0) first = n; last = n; }
        if (first >= 0 && last - first > 3) {
          std::vector<TCoeff> bad = lv;
          bad[si.rasterOfPos[i * si.sbSize + first]] *= -1;
          ContextSet cb;
          cb.init(32, 0);
          ArithEncoder eb;
          eb.start();
          CHECK(!codeResidual(eb, cb, bad.data(), w, h, cIdx, false, true));
          ++refused;
          break;
        }
      }
    }
  }
  CHECK(hiddenTotal > 100 && refused > 50, "%d hidden sub-blocks, %d refused", hiddenTotal, refused);
  std::printf("%d hidden signs round-tripped, %d wrong-parity blocks refused\n", hiddenTotal, refused);
}

// The sign the parser derives: hand-made 4x4 block, scan positions 0 (0,0), 1 (0,1), 2 (1,0),
// 3 (0,2), 4 (1,1), 5 (2,0); first significant at scan 0, last at scan 5 (span 5 > 3).
TEST_CASE(derivedSign) {
  for (int odd = 0; odd < 2; ++odd) {
    TCoeff lv[16] = {};
    lv[0] = odd ? -2 : 2;   // scan 0: the hidden sign
    lv[2] = 3 + odd;        // (2,0) scan 5
    lv[4] = -1;             // (0,1) scan 1; sum = 2 + 3 + odd + 1 -> parity = odd
    ContextSet ce, cd;
    ce.init(37, 0);
    cd.init(37, 0);
    ArithEncoder enc;
    enc.start();
    TCoeff copy[16];
    std::copy(lv, lv + 16, copy);
    CHECK(codeResidual(enc, ce, copy, 4, 4, 0, false, true));
    const std::vector<uint8_t> bytes = finishBytes(enc);
    ArithDecoder dec;
    dec.start(bytes.data(), bytes.size());
    TCoeff back[16];
    CHECK(codeResidual(dec, cd, back, 4, 4, 0, false, true));
    CHECK_EQ(back[0], odd ? -2 : 2);
    CHECK_EQ(back[2], 3 + odd);
    CHECK_EQ(back[4], -1);
  }
  // span exactly 3 (scan 0 .. 3): the sign is coded, any parity is fine
  TCoeff lv[16] = {};
  lv[0] = -2;
  lv[8] = 2;  // (0,2) scan 3; sum even, first negative
  CHECK(signHidingConsistent(lv, 2, 2));
  ContextSet ce;
  ce.init(37, 0);
  ArithEncoder enc;
  enc.start();
  CHECK(codeResidual(enc, ce, lv, 4, 4, 0, false, true));
}

// SPS flag and sh_sign_data_hiding_used_flag (present only without dependent quantisation).
TEST_CASE(parameterSets) {
  SpsInfo s;
  s.width = 176; s.height = 144; s.levelIdc = 32;
  s.part.picWidth = s.width; s.part.picHeight = s.height;
  buildChromaQpTable(s);
  PpsInfo pp;
  pp.width = s.width; pp.height = s.height; pp.initQp = 32;
  for (int dqSps = 0; dqSps < 2; ++dqSps)
    for (int sdhSps = 0; sdhSps < 2; ++sdhSps)
      for (int dq = 0; dq <= dqSps; ++dq)
        for (int sdh = 0; sdh <= (sdhSps && !dq ? 1 : 0); ++sdh) {
          SpsInfo a = s;
          a.depQuantEnabled = dqSps;
          a.signDataHidingEnabled = sdhSps;
          const SpsInfo b = parseSps(writeSps(a));
          CHECK(b.signDataHidingEnabled == bool(sdhSps) && b.depQuantEnabled == bool(dqSps));
          BitWriter bw;
          SliceInfo sh;
          sh.nalType = kNalIdrNLp;
          sh.sliceQp = 30;
          sh.depQuant = dq;
          sh.signHiding = sdh;
          writeSliceHeader(bw, a, pp, sh);
          BitReader br(bw.bytes().data(), bw.bytes().size());
          const SliceInfo r = parseSliceHeader(br, kNalIdrNLp, b, parsePps(writePps(pp)));
          CHECK(r.signHiding == bool(sdh) && r.depQuant == bool(dq) && br.bitsLeft() == 0);
        }
  // sign hiding together with dependent quantisation (or without the SPS flag) cannot be written
  for (int dq = 0; dq < 2; ++dq) {
    SpsInfo a = s;
    a.depQuantEnabled = true;
    a.signDataHidingEnabled = dq == 1;  // dq 0: no SPS flag; dq 1: SPS flag, but the slice uses DQ
    BitWriter bw;
    SliceInfo sh;
    sh.nalType = kNalIdrNLp;
    sh.depQuant = dq;
    sh.signHiding = true;
    bool threw = false;
    try { writeSliceHeader(bw, a, pp, sh); } catch (const std::exception&) { threw = true; }
    CHECK(threw);
  }
}

// The encoder's parity adjustment on real quantiser output (RDOQ, guarded RDOQ, plain; with and
// without rate tables): afterwards every hidden sign agrees with its parity, each sub-block differs
// from the input in at most one level by exactly 1, no sub-block is emptied, the last position never
// moves up, and the block round-trips through the writer and the parser.
TEST_CASE(parityAdjustment) {
  std::mt19937 rng(17);
  ContextSet cs;
  cs.init(32, 0);
  const int sizes[][2] = {{4, 4}, {8, 8}, {16, 16}, {32, 32}, {64, 64}, {32, 8}, {4, 16}, {2, 8}, {8, 2}, {16, 2}};
  int adjusted = 0, blocks = 0;
  for (int iter = 0; iter < 600; ++iter) {
    const int w = sizes[iter % 10][0], h = sizes[iter % 10][1];
    const int log2W = log2Int(unsigned(w)), log2H = log2Int(unsigned(h));
    const int cIdx = (w < 4 || h < 4) ? 1 + int(iter & 1) : int(iter % 3);
    ResidualBitTables t;
    fillResidualTables(cs, cIdx, t);
    std::vector<Pel> resid(size_t(w * h));
    std::uniform_int_distribution<int> amp(0, 500);
    const int a = amp(rng), b = 1 + amp(rng) / 6;
    std::uniform_int_distribution<int> noise(-b, b);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) resid[size_t(y * w + x)] = Pel((a * (x - 2 * y)) / (w + h) + noise(rng));
    std::vector<TCoeff> coeff(size_t(w * h)), lv(size_t(w * h)), before;
    dsp::forwardTransform(resid.data(), w, w, h, 10, coeff.data());
    const int qp = 22 + int(iter % 4) * 5 + 12;
    RdoqParams p;
    p.log2W = log2W;
    p.log2H = log2H;
    p.isLuma = cIdx == 0;
    p.lambda = lambdaFromQp(qp - 12, 10);
    p.qs = dsp::quantScale(qp, w, h, 10);
    p.tables = (iter % 7 == 6) ? nullptr : &t;
    p.signHiding = true;
    RdoqScratch scratch;
    std::vector<TCoeff> plain(size_t(w * h));
    const int mode = iter % 3;
    int nz;
    if (mode == 2 && p.tables) {
      nz = rdoQuantizeGuarded(coeff.data(), p, qp, 10, scratch, lv.data(), plain.data(), nullptr);
      CHECK(signHidingConsistent(lv.data(), log2W, log2H), "guarded RDOQ %dx%d", w, h);
    } else {
      nz = mode == 0 && p.tables ? rdoQuantize(coeff.data(), p, scratch, lv.data(), nullptr)
                                 : dsp::quant(coeff.data(), w, h, qp, 10, true, lv.data());
      before = lv;
      if (nz) nz = signHidingAdjust(coeff.data(), p, lv.data());
      CHECK(signHidingConsistent(lv.data(), log2W, log2H), "adjusted %dx%d mode %d", w, h, mode);
      // at most one +-1 change per sub-block, none emptied, the last position never moves up
      const ScanInfo& si = scanInfo(log2W, log2H);
      int lastBefore = -1, lastAfter = -1;
      for (int q = 0; q < si.numPos(); ++q) {
        if (before[si.rasterOfPos[q]]) lastBefore = q;
        if (lv[si.rasterOfPos[q]]) lastAfter = q;
      }
      CHECK(lastAfter <= lastBefore);
      bool changed = false;
      for (int i = 0; i < si.numSb; ++i) {
        int changes = 0, nzB = 0, nzA = 0;
        for (int n = 0; n < si.sbSize; ++n) {
          const int r = si.rasterOfPos[i * si.sbSize + n];
          nzB += before[r] != 0;
          nzA += lv[r] != 0;
          if (lv[r] != before[r]) {
            ++changes;
            CHECK(std::abs(lv[r] - before[r]) == 1 && (before[r] == 0 || (lv[r] == 0 || (lv[r] < 0) == (before[r] < 0))));
          }
        }
        CHECK(changes <= 1);
        CHECK(nzB == 0 || nzA > 0);
        changed |= changes > 0;
      }
      adjusted += changed;
      int count = 0;
      for (TCoeff v : lv) count += v != 0;
      CHECK_EQ(nz, count);
    }
    ++blocks;
    if (!nz) continue;
    ContextSet ce = cs, cd = cs;
    ArithEncoder enc;
    enc.start();
    std::vector<TCoeff> copy = lv, back(size_t(w * h));
    CHECK(codeResidual(enc, ce, copy.data(), w, h, cIdx, false, true));
    const std::vector<uint8_t> bytes = finishBytes(enc);
    ArithDecoder dec;
    dec.start(bytes.data(), bytes.size());
    CHECK(codeResidual(dec, cd, back.data(), w, h, cIdx, false, true));
    CHECK(back == lv);
    if (failures > 10) break;
  }
  CHECK(adjusted > 50, "%d of %d blocks adjusted", adjusted, blocks);
  std::printf("parity adjustment: %d of %d blocks changed\n", adjusted, blocks);
}

// Adversarial parities: every sub-block is made to disagree (first coefficient's sign flipped) on
// dense random coefficients; the adjustment must still fix all of them.
TEST_CASE(parityAdjustmentWorstCase) {
  std::mt19937 rng(23);
  for (int iter = 0; iter < 200; ++iter) {
    const int log2W = 2 + int(rng() % 4), log2H = 2 + int(rng() % 4);
    const int w = 1 << log2W, h = 1 << log2H;
    std::vector<TCoeff> coeff(size_t(w * h));
    for (TCoeff& c : coeff) c = int(rng() % 2001) - 1000;
    const int qp = 30 + int(rng() % 15);
    RdoqParams p;
    p.log2W = log2W;
    p.log2H = log2H;
    p.qs = dsp::quantScale(qp, w, h, 10);
    std::vector<TCoeff> lv(size_t(w * h));
    int nz = dsp::quant(coeff.data(), w, h, qp, 10, true, lv.data());
    // flip each sub-block's first significant level and its coefficient: the parity now disagrees
    // wherever it agreed (the adjustment sees the coefficient's sign on the level, as quantisers give)
    const ScanInfo& si = scanInfo(log2W, log2H);
    for (int i = 0; i < si.numSb; ++i)
      for (int n = 0; n < si.sbSize; ++n) {
        const int r = si.rasterOfPos[i * si.sbSize + n];
        if (lv[r]) { lv[r] = -lv[r]; coeff[r] = -coeff[r]; break; }
      }
    if (nz) nz = signHidingAdjust(coeff.data(), p, lv.data());
    CHECK(signHidingConsistent(lv.data(), log2W, log2H), "%dx%d qp %d", w, h, qp);
  }
}

// ---- whole streams ---------------------------------------------------------------------------------
// Encodes a small synthetic sequence with sign hiding for each search preset and configuration,
// decodes it with our decoder (MD5 SEI checked, output == recon) and with VTM's when available;
// sign hiding must change the stream (the flag is really used).
TEST_CASE(streamsDecode) {
  const int W = 96, H = 64, N = 3;
  const std::string dir = makeTestDir("sdh");
  {
    writeSyntheticYuv(dir + "/in.yuv", W, H, N,
                      [](int n, int c, int x, int y) { return x * (3 + c) + y * 5 + n * 7 + ((x / 5 + y / 3 + n) % 3) * 40 + (x * y) % 23; });
  }
  struct Run { const char* preset; const char* config; int qp; };
  const Run runs[] = {{"trivial", "ai", 27}, {"syntax-stress", "ai", 32}, {"medium", "ai", 22},
                      {"medium", "ra", 27}, {"fast", "ra", 37}};
  std::string err;
  for (const Run& r : runs) {
    for (int sdh = 1; sdh >= 0; --sdh) {
      EncoderOptions o;
      o.inputPath = dir + "/in.yuv"; o.width = W; o.height = H; o.qp = r.qp; o.preset = r.preset;
      o.config = r.config; o.signHiding = sdh;
      o.bitstreamPath = dir + (sdh ? "/s.266" : "/n.266"); o.reconPath = dir + "/s_rec.yuv";
      CHECK(runEncoder(o, err) == 0, "%s %s: %s", r.preset, r.config, err.c_str());
      if (!sdh) break;
      DecodeResult res;
      CHECK(decodeStream(readAll(o.bitstreamPath), dir + "/s_dec.yuv", res, err) == 0, "%s", err.c_str());
      CHECK(res.frames == N && res.md5Checked == N && res.md5Mismatches == 0);
      CHECK(readAll(o.reconPath) == readAll(dir + "/s_dec.yuv"), "%s %s", r.preset, r.config);
      const char* vtm = std::getenv("VTM_DECODER_APP");
      if (vtm && *vtm) {
        const std::string cmd = std::string(vtm) + " -b " + o.bitstreamPath + " -o " + dir + "/s_vtm.yuv -d 10 > " +
                                dir + "/vtm.log 2>&1";
        CHECK(std::system(cmd.c_str()) == 0);
        CHECK(readAll(dir + "/s_vtm.yuv") == readAll(o.reconPath), "VTM %s %s", r.preset, r.config);
      }
    }
    CHECK(readAll(dir + "/s.266") != readAll(dir + "/n.266"), "%s %s: sign hiding changed nothing", r.preset, r.config);
  }
  std::system(("rm -rf " + dir).c_str());
}

int main(int argc, char** argv) { return runTestCases(argc, argv); }
