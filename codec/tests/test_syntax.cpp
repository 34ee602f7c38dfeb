// Syntax writer/reader pairs: residual_coding for every block shape, MPM derivation, chroma mode
// derivation, split syntax and whole CTUs (random legal trees incl. BT/TT and local dual trees).
#include <cstdio>
#include <algorithm>
#include <cstring>
#include <vector>

#include "cabac/cabac.h"
#include "encoder/search/trivial_search.h"
#include "syntax/ctu_syntax.h"
#include "cabac_test_util.h"
#include "test_check.h"

using namespace nnvvc;

static uint64_t rng = 99;
static unsigned rnd(unsigned n) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return unsigned(rng % n); }


// After one block written (ce), parsed (cd) and estimated (cest / est): the three leave the contexts alike, and the
// estimate is close to the real size (within 5% + a few bits of flushing).
static void checkCodedAlike(const ContextSet& ce, const ContextSet& cd, const ContextSet& cest,
                            const std::vector<uint8_t>& bytes, const BitEstimator& est) {
  int diff = 0;
  for (int i = 0; i < kNumCtx; ++i) diff += ce[i].s0 != cd[i].s0 || ce[i].s1 != cd[i].s1 || ce[i].s0 != cest[i].s0;
  CHECK(diff == 0);
  const double real = double(bytes.size() * 8);
  CHECK(est.bits() < real * 1.05 + 24 && est.bits() > real * 0.95 - 24);
}

static void residualRoundTrip(int w, int h, int cIdx, int density, int maxLevel) {
  std::vector<TCoeff> lv(size_t(w * h), 0);
  const int zw = w > 32 ? 32 : w, zh = h > 32 ? 32 : h;
  for (int y = 0; y < zh; ++y)
    for (int x = 0; x < zw; ++x)
      if (int(rnd(100)) < density) {
        int a = 1 + int(rnd(unsigned(maxLevel)));
        if (rnd(10) == 0) a += int(rnd(5000));
        lv[size_t(y * w + x)] = rnd(2) ? a : -a;
      }
  if (density == 2 && w >= 32 && rnd(2)) std::fill(lv.begin(), lv.end(), 0), lv[0] = 3;  // DC only
  if (density == 20 && w <= 32 && h <= 32 && rnd(2))  // nothing beyond the top-left 16x16
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x)
        if (x >= 16 || y >= 16) lv[size_t(y * w + x)] = 0;
  if (std::all_of(lv.begin(), lv.end(), [](TCoeff v) { return v == 0; })) lv[0] = 1;
  ContextSet ce, cd, cest;
  ce.init(30, 0); cd.init(30, 0); cest.init(30, 0);
  ArithEncoder enc; enc.start();
  std::vector<TCoeff> copy = lv;
  CHECK(codeResidual(enc, ce, copy.data(), w, h, cIdx));
  BitEstimator est;
  CHECK(codeResidual(est, cest, copy.data(), w, h, cIdx));
  std::vector<uint8_t> bytes = finishBytes(enc);
  ArithDecoder dec; dec.start(bytes.data(), bytes.size());
  std::vector<TCoeff> out(size_t(w * h), 7);
  ResidualMtsFlags rf;  // what the reader derives for mts_idx (MtsDcOnly, MtsZeroOutSigCoeffFlag)
  CHECK(codeResidual(dec, cd, out.data(), w, h, cIdx, false, false, &rf));
  CHECK(out == lv);
  if (cIdx == 0) {
    const ResidualMtsFlags lf = residualMtsFlags(lv.data(), w, h);
    CHECK(rf.notDcOnly == lf.notDcOnly && rf.beyond16 == lf.beyond16);
  } else {
    CHECK(!rf.notDcOnly && !rf.beyond16);  // chroma leaves them alone
  }
  CHECK(dec.terminate() == 1);
  checkCodedAlike(ce, cd, cest, bytes, est);
}

// residual_ts_coding(): writer, estimator and reader agree (levels, context states, size). density 100 with large
// levels spends the RemCcbs budget inside the block (the rest in bypass abs_remainder + sign).
static void tsResidualRoundTrip(int w, int h, int density, int maxLevel) {
  std::vector<TCoeff> lv(size_t(w * h), 0);
  for (auto& v : lv)
    if (int(rnd(100)) < density) {
      int a = 1 + int(rnd(unsigned(maxLevel)));
      if (rnd(20) == 0) a += int(rnd(30000));
      v = rnd(2) ? a : -a;
    }
  if (std::all_of(lv.begin(), lv.end(), [](TCoeff v) { return v == 0; })) lv[size_t(rnd(unsigned(w * h)))] = -2;
  ContextSet ce, cd, cest;
  ce.init(30, 2); cd.init(30, 2); cest.init(30, 2);
  ArithEncoder enc; enc.start();
  std::vector<TCoeff> copy = lv;
  CHECK(codeResidualTs(enc, ce, copy.data(), w, h));
  CHECK(copy == lv);  // the writer leaves the levels alone
  BitEstimator est;
  CHECK(codeResidualTs(est, cest, copy.data(), w, h));
  std::vector<uint8_t> bytes = finishBytes(enc);
  ArithDecoder dec; dec.start(bytes.data(), bytes.size());
  std::vector<TCoeff> out(size_t(w * h), 7);
  CHECK(codeResidualTs(dec, cd, out.data(), w, h));
  CHECK(out == lv);
  CHECK(dec.terminate() == 1);
  checkCodedAlike(ce, cd, cest, bytes, est);
}

// Whole CTUs: random legal coding trees from the syntax-stress search on a synthetic picture, written and
// read back. explicitMts: the slice codes mts_idx (the stress search picks random ones). Returns the number
// of CUs read with mts_idx > 0.
static int ctuRoundTrip(bool explicitMts) {
  int mtsCus = 0;
  {
    const int W = 264, H = 136;  // boundary CTUs on both sides
    Picture orig, rec;
    orig.alloc(W, H); rec.alloc(W, H);
    for (int c = 0; c < 3; ++c)
      for (int y = 0; y < orig.planes[c].height; ++y)
        for (int x = 0; x < orig.planes[c].width; ++x) orig.planes[c].at(x, y) = Pel((x * 7 + y * 3 + c * 100 + int(rnd(64))) & 1023);
    PartitionConfig part; part.picWidth = W; part.picHeight = H;
    SliceParams sp; sp.qp = 27; sp.qpPrimeY = 39; sp.qpPrimeCb = sp.qpPrimeCr = 39;
    sp.explicitMtsIntra = explicitMts;
    CuMap encMap, decMap; encMap.init(W, H); decMap.init(W, H);
    ContextSet ce, cd; ce.init(27, 0); cd.init(27, 0);
    ArithEncoder enc; enc.start();
    auto search = createStressSearch();
    std::vector<CtuCoding> written;
    SyntaxEnv env{&part, &ce, &encMap, true};
    env.slice = &sp;
    for (int y = 0; y < H; y += 128)
      for (int x = 0; x < W; x += 128) {
        CtuSearchContext sc;
        sc.orig = &orig; sc.recon = &rec; sc.cuMap = &encMap; sc.ctx = &ce; sc.part = &part; sc.slice = &sp;
        sc.ctuX = x; sc.ctuY = y;
        CtuCoding cc; cc.ctuX = x; cc.ctuY = y;
        search->searchCtu(sc, cc);
        CHECK(codeCtu(enc, env, cc));
        written.push_back(cc);
      }
    std::vector<uint8_t> bytes = finishBytes(enc);
    ArithDecoder dec; dec.start(bytes.data(), bytes.size());
    SyntaxEnv denv{&part, &cd, &decMap, true};
    denv.slice = &sp;
    size_t k = 0;
    int dual = 0, mtt = 0;
    for (int y = 0; y < H; y += 128)
      for (int x = 0; x < W; x += 128, ++k) {
        CtuCoding cc; cc.ctuX = x; cc.ctuY = y;
        CHECK(codeCtu(dec, denv, cc));
        const CtuCoding& wr = written[k];
        CHECK(cc.splits == wr.splits);
        CHECK(cc.cus.size() == wr.cus.size());
        for (size_t i = 0; i < cc.cus.size() && i < wr.cus.size(); ++i) {
          const CodingUnit &a = cc.cus[i], &b = wr.cus[i];
          CHECK(a.x == b.x && a.y == b.y && a.w == b.w && a.h == b.h && a.treeType == b.treeType);
          if (a.treeType != TreeType::kDualChroma) CHECK(a.lumaMode == b.lumaMode);
          CHECK(a.mtsIdx == b.mtsIdx);
          mtsCus += a.mtsIdx > 0;
          if (a.treeType != TreeType::kDualLuma) CHECK(a.chromaModeIdx == b.chromaModeIdx && a.chromaMode == b.chromaMode);
          dual += a.treeType != TreeType::kSingle;
          mtt += a.mttDepth > 0;
          for (int t = 0; t < a.numTus; ++t)
            for (int c = 0; c < 3; ++c) {
              CHECK(a.tus[t].cbf[c] == b.tus[t].cbf[c]);
              if (a.tus[t].cbf[c]) {
                const int n = c ? (a.tus[t].w / 2) * (a.tus[t].h / 2) : a.tus[t].w * a.tus[t].h;
                CHECK(std::memcmp(cc.coeffs.data() + a.tus[t].coeffOffset[c], wr.coeffs.data() + b.tus[t].coeffOffset[c],
                                  sizeof(TCoeff) * size_t(n)) == 0);
              }
            }
        }
      }
    CHECK(dec.terminate() == 1);
    CHECK(dual > 0 && mtt > 0);  // the trees really exercised MTT and the local dual tree
    // writer rejects an illegal tree (a split that is not allowed)
    CtuCoding bad = written[0];
    bad.splits[0] = SplitMode::kTtHor;  // TT is not allowed at 128x128
    ContextSet c2; c2.init(27, 0);
    CuMap m2; m2.init(W, H);
    SyntaxEnv e2{&part, &c2, &m2, true};
    e2.slice = &sp;
    BitEstimator be;
    CHECK(!codeCtu(be, e2, bad));
  }
  return mtsCus;
}

int main() {
  // residual coding: all TB shapes used by 4:2:0 intra incl. 64-point zero-out and Nx2 chroma
  const int sizes[] = {4, 8, 16, 32, 64};
  for (int w : sizes)
    for (int h : sizes)
      for (int d : {2, 20, 70, 100}) {
        residualRoundTrip(w, h, 0, d, d > 50 ? 30 : 3);
        if (w <= 32 && h <= 32) residualRoundTrip(w, h, 1, d, 4);
      }
  for (int w : {8, 16, 32}) residualRoundTrip(w, 2, 1, 60, 10);
  // largest levels: the escape code's maximum prefix (17) and 15-bit suffix
  {
    for (int w : {4, 8, 32}) {
      std::vector<TCoeff> lv(size_t(w * w));
      for (size_t i = 0; i < lv.size(); ++i) lv[i] = (i % 3 == 0) ? 32767 : ((i % 3 == 1) ? -32768 + 1 : int(i % 7));
      ContextSet ce, cd; ce.init(0, 0); cd.init(0, 0);
      ArithEncoder enc; enc.start();
      CHECK(codeResidual(enc, ce, lv.data(), w, w, 0));
      std::vector<uint8_t> bytes = finishBytes(enc);
      ArithDecoder dec; dec.start(bytes.data(), bytes.size());
      std::vector<TCoeff> out(lv.size());
      CHECK(codeResidual(dec, cd, out.data(), w, w, 0));
      CHECK(out == lv);
    }
  }
  // transform-skip residuals: every TB shape up to 32x32 (2-sample chroma sides too)
  for (int w : {2, 4, 8, 16, 32})
    for (int h : {2, 4, 8, 16, 32})
      for (int d : {3, 30, 100}) tsResidualRoundTrip(w, h, d, d == 100 ? 40 : 4);
  // levels of neighbours at the mapping's edge cases (equal to, below and above the larger of left / above)
  for (int k = 0; k < 200; ++k) tsResidualRoundTrip(4, 4, 60, 3);
  {
    ContextSet c; c.init(30, 0);
    BitEstimator e;
    std::vector<TCoeff> z(16, 0);
    CHECK(!codeResidualTs(e, c, z.data(), 4, 4));
  }
  // writer refuses an all-zero block
  {
    ContextSet c; c.init(30, 0);
    BitEstimator e;
    std::vector<TCoeff> z(16, 0);
    CHECK(!codeResidual(e, c, z.data(), 4, 4, 0));
  }
  // MPM list (8.4.2)
  {
    CuMap map; map.init(64, 64);
    int mpm[5];
    deriveMpmList(map, 0, 0, 8, 8, 7, mpm);  // no neighbours: planar/planar
    CHECK(mpm[0] == 1 && mpm[1] == 50 && mpm[2] == 18 && mpm[3] == 46 && mpm[4] == 54);
    CodingUnit left; left.x = 0; left.y = 8; left.w = 8; left.h = 8; left.lumaMode = 30;
    map.storeSyntax(left);
    deriveMpmList(map, 8, 8, 8, 8, 7, mpm);  // A = 30, B unavailable (planar)
    CHECK(mpm[0] == 30 && mpm[1] == 29 && mpm[2] == 31 && mpm[3] == 28 && mpm[4] == 32);
    CodingUnit above; above.x = 8; above.y = 0; above.w = 8; above.h = 8; above.lumaMode = 31;
    map.storeSyntax(above);
    deriveMpmList(map, 8, 8, 8, 8, 7, mpm);  // A = 30, B = 31 (adjacent)
    CHECK(mpm[0] == 30 && mpm[1] == 31 && mpm[2] == 29 && mpm[3] == 32 && mpm[4] == 28);
    above.lumaMode = 2; map.storeSyntax(above);
    left.lumaMode = 66; map.storeSyntax(left);
    deriveMpmList(map, 8, 8, 8, 8, 7, mpm);  // max - min >= 62
    CHECK(mpm[0] == 66 && mpm[1] == 2 && mpm[2] == 3 && mpm[3] == 65 && mpm[4] == 4);
  }
  CHECK(deriveChromaMode(kChromaDm, 37) == 37);
  CHECK(deriveChromaMode(0, 0) == 66 && deriveChromaMode(1, 50) == 66 && deriveChromaMode(2, 50) == 18);
  CHECK(deriveChromaMode(3, 7) == 1);

  CHECK(ctuRoundTrip(false) == 0);
  // explicit MTS: mts_idx 1..4 in CUs whose residual allows it, read back as written
  const int mtsCus = ctuRoundTrip(true);
  std::printf("explicit MTS: %d CUs with mts_idx > 0 round-tripped\n", mtsCus);
  CHECK(mtsCus > 10);
  if (failures) { std::fprintf(stderr, "test_syntax: %d failure(s)\n", failures); return 1; }
  std::printf("test_syntax: all passed\n");
  return 0;
}
