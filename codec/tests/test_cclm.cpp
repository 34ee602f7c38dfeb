// CCLM (H.266 8.4.5.2.13): the linear-model derivation against the standard's formulas, predictions
// of synthetic blocks (exact for a constant chroma/luma relation, neighbour availability, the T/L
// extensions, the CTU-top-row filter) and the cclm_mode_flag / cclm_mode_idx syntax round trip.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <vector>

#include "cabac/cabac.h"
#include "partition/partition.h"
#include "recon/cclm.h"
#include "recon/recon.h"
#include "syntax/ctu_syntax.h"
#include "test_check.h"

using namespace nnvvc;
using namespace nnvvc::recon;

static uint64_t rng = 777;
static unsigned rnd(unsigned n) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return unsigned(rng % n); }

// The standard's equations for a, k, b from four distinct luma values (min / max pairs = the two
// smallest / largest), written out independently of the comparison network.
static CclmModel referenceModel(const int* ly, const int* lc) {
  int idx[4] = {0, 1, 2, 3};
  std::sort(idx, idx + 4, [&](int p, int q) { return ly[p] < ly[q]; });
  const int minY = (ly[idx[0]] + ly[idx[1]] + 1) >> 1, minC = (lc[idx[0]] + lc[idx[1]] + 1) >> 1;
  const int maxY = (ly[idx[2]] + ly[idx[3]] + 1) >> 1, maxC = (lc[idx[2]] + lc[idx[3]] + 1) >> 1;
  static const int divSigTable[16] = {0, 7, 6, 5, 5, 4, 4, 3, 3, 2, 2, 1, 1, 1, 1, 0};
  CclmModel m;
  const int diff = maxY - minY;
  if (diff == 0) { m.b = minC; return m; }
  const int diffC = maxC - minC;
  int x = int(std::floor(std::log2(double(diff))));
  const int normDiff = ((diff << 4) >> x) & 15;
  x += normDiff != 0;
  const int y = std::abs(diffC) > 0 ? int(std::floor(std::log2(double(std::abs(diffC))))) + 1 : 0;
  int a = (diffC * (divSigTable[normDiff] | 8) + (y > 0 ? 1 << (y - 1) : 0)) >> y;
  const int k = (3 + x - y) < 1 ? 1 : 3 + x - y;
  if ((3 + x - y) < 1) a = (a > 0) - (a < 0) ? ((a > 0) ? 15 : -15) : 0;
  m.a = a; m.shift = k; m.b = minC - ((a * minY) >> k);
  return m;
}

// Picture with luma L(x, y) and chroma = f(downsampled luma); all of it marked reconstructed.
struct Scene {
  Picture pic;
  CuMap map;
  Scene(int w, int h) { pic.alloc(w, h); map.init(w, h); }
};

static int dsLuma(const Plane& l, int cx, int cy) {  // 6-tap, interior
  const int x = 2 * cx, y = 2 * cy;
  return (2 * l.at(x, y) + l.at(x - 1, y) + l.at(x + 1, y) + 2 * l.at(x, y + 1) + l.at(x - 1, y + 1) + l.at(x + 1, y + 1) + 4) >> 3;
}

int main() {
  // 1. model derivation: random distinct luma quadruples vs the written-out equations
  for (int it = 0; it < 20000; ++it) {
    int ly[4], lc[4];
    for (int i = 0; i < 4; ++i) {
      bool again;
      do {
        ly[i] = int(rnd(1024));
        again = false;
        for (int j = 0; j < i; ++j) again |= ly[j] == ly[i];
      } while (again);
      lc[i] = int(rnd(1024));
    }
    if (it % 3 == 0) {  // small luma ranges: steep slopes (still distinct)
      for (int i = 0; i < 4; ++i) ly[i] = 500 + (ly[i] & 3) * 4 + i;
    }
    const CclmModel got = deriveCclmModel(ly, lc, 4, 10), want = referenceModel(ly, lc);
    CHECK(got.a == want.a && got.shift == want.shift && got.b == want.b, "it %d: %d %d %d vs %d %d %d", it, got.a,
          got.shift, got.b, want.a, want.shift, want.b);
  }
  {  // two samples are used twice; equal luma gives a flat model at the chroma average
    const int ly[2] = {100, 300}, lc[2] = {200, 600};
    const CclmModel m = deriveCclmModel(ly, lc, 2, 10);
    CHECK(((100 * m.a) >> m.shift) + m.b == 200 && ((300 * m.a) >> m.shift) + m.b == 600);
    const int fy[4] = {50, 50, 50, 50}, fc[4] = {10, 20, 30, 41};
    const CclmModel f = deriveCclmModel(fy, fc, 4, 10);
    CHECK(f.a == 0 && f.b == 20);  // ties keep the min pair {0, 2}: (10 + 30 + 1) >> 1
  }

  // 2. prediction: chroma = (dsLuma >> 1) + 100 everywhere; CCLM reproduces it up to the model's
  // precision for every mode, and with neighbours on one side only.
  for (int variant = 0; variant < 3; ++variant) {
    Scene s(128, 128);
    Plane& L = s.pic.planes[0];
    for (int y = 0; y < 128; ++y)
      for (int x = 0; x < 128; ++x) L.at(x, y) = Pel(200 + ((x * 5 + y * 3) % 400) + int(rnd(3)));
    for (int c = 1; c <= 2; ++c)
      for (int y = 0; y < 64; ++y)
        for (int x = 0; x < 64; ++x)
          s.pic.planes[c].at(x, y) = Pel(x > 0 && y > 0 && x < 63 && y < 63 ? (dsLuma(L, x, y) >> 1) + 100 : 0);
    s.map.markReconstructed(0, 0, 128, 128, true, true);
    const int bx = 16, by = variant == 2 ? 0 : 16;  // variant 2: no top neighbours (picture edge)
    const int bw = 8, bh = variant == 1 ? 2 : 8;
    s.map.clearReconstructed(2 * bx, 2 * by, 2 * bw, 2 * bh);
    s.map.markReconstructed(2 * bx, 2 * by, 2 * bw, 2 * bh, true, false);  // luma of the block decoded
    for (int mode : {kIntraLtCclm, kIntraLCclm, kIntraTCclm}) {
      Pel pred[64];
      predictCclm(s.pic, s.map, 1, bx, by, bw, bh, mode, 7, pred, bw);
      int maxErr = 0;
      for (int j = 0; j < bh; ++j)
        for (int i = 0; i < bw; ++i) maxErr = std::max(maxErr, std::abs(pred[j * bw + i] - ((dsLuma(L, bx + i, by + j) >> 1) + 100)));
      if (variant == 2 && mode == kIntraTCclm) CHECK(maxErr > 0 || pred[0] == 512);  // no top: mid-grey
      else CHECK(maxErr <= 6, "variant %d mode %d err %d", variant, mode, maxErr);  // 4-bit divisor, extrapolation
      if (variant == 2 && mode == kIntraTCclm)
        for (int i = 0; i < bw * bh; ++i) CHECK(pred[i] == 512);
    }
  }
  {  // no neighbour at all (top-left block of the picture): 1 << (bitDepth - 1)
    Scene s(64, 64);
    s.map.markReconstructed(0, 0, 16, 16, true, false);
    Pel pred[64];
    for (int mode : {kIntraLtCclm, kIntraLCclm, kIntraTCclm}) {
      predictCclm(s.pic, s.map, 2, 0, 0, 8, 8, mode, 7, pred, 8);
      for (int i = 0; i < 64; ++i) CHECK(pred[i] == 512);
    }
  }
  {  // CTU top row: the row two above must not be read; T mode extension: only available samples
    Scene s(256, 256);
    Plane& L = s.pic.planes[0];
    for (int y = 0; y < 256; ++y)
      for (int x = 0; x < 256; ++x) L.at(x, y) = Pel(300 + x * 2);  // linear in x: downsampled = 300 + 4 * cx
    for (int c = 1; c <= 2; ++c)
      for (int y = 0; y < 128; ++y)
        for (int x = 0; x < 128; ++x) s.pic.planes[c].at(x, y) = Pel(100 + x);
    for (int x = 0; x < 256; ++x) L.at(x, 126) = 1023;  // row yL - 2 of a block at luma y 128: poison
    s.map.markReconstructed(0, 0, 256, 128, true, true);
    s.map.markReconstructed(0, 128, 64, 16, true, true);  // left neighbours of the block
    s.map.markReconstructed(64, 128, 16, 16, true, false);
    Pel pred[64];
    predictCclm(s.pic, s.map, 1, 32, 64, 8, 8, kIntraTCclm, 7, pred, 8);
    for (int j = 0; j < 8; ++j)
      for (int i = 0; i < 8; ++i) {
        const int want = 100 + 32 + i;
        CHECK(std::abs(pred[j * 8 + i] - want) <= 2, "(%d,%d) %d vs %d", i, j, pred[j * 8 + i], want);
      }
    predictCclm(s.pic, s.map, 1, 32, 64, 8, 8, kIntraLCclm, 7, pred, 8);  // left column only: flat
    for (int i = 1; i < 64; ++i) CHECK(pred[i] == pred[0]);
  }

  // 3. syntax: every chroma mode round-trips with CCLM enabled; CCLM modes are refused without it
  for (int single = 0; single < 2; ++single) {
    PartitionConfig part; part.picWidth = 64; part.picHeight = 64;
    SliceParams sp; sp.cclm = true;
    CuMap encMap, decMap; encMap.init(64, 64); decMap.init(64, 64);
    ContextSet ce, cd; ce.init(32, 0); cd.init(32, 0);
    SyntaxEnv env{&part, &ce, &encMap, true}; env.slice = &sp;
    SyntaxEnv denv{&part, &cd, &decMap, true}; denv.slice = &sp;
    ArithEncoder enc; enc.start();
    std::vector<CodingUnit> cus;
    CtuCoding owner;
    for (int k = 0; k < 16; ++k) {
      CodingUnit cu;
      cu.x = int16_t((k % 4) * 16); cu.y = int16_t((k / 4) * 16); cu.w = cu.h = 16;
      cu.treeType = single ? TreeType::kSingle : TreeType::kDualChroma;
      cu.lumaMode = uint8_t(rnd(67));
      cu.chromaModeIdx = uint8_t(k % 8);
      tileTransformUnits(part, cu);
      if (!single) { CodingUnit l = cu; l.treeType = TreeType::kDualLuma; encMap.storeSyntax(l); decMap.storeSyntax(l); }
      CHECK(codeCodingUnit(enc, env, cu, owner));
      cus.push_back(cu);
      if (cu.chromaModeIdx >= kChromaCclm) CHECK(cu.chromaMode == 81 + cu.chromaModeIdx - kChromaCclm);
    }
    enc.terminate(1); enc.finish();
    std::vector<uint8_t> bytes = enc.bytes();
    bytes.push_back(uint8_t(((enc.pendingBits() << 1) | 1u) << (7 - enc.pendingCount())));
    ArithDecoder dec; dec.start(bytes.data(), bytes.size());
    for (const CodingUnit& w : cus) {
      CodingUnit cu;
      cu.x = w.x; cu.y = w.y; cu.w = w.w; cu.h = w.h; cu.treeType = w.treeType;
      tileTransformUnits(part, cu);
      CtuCoding o;
      CHECK(codeCodingUnit(dec, denv, cu, o));
      CHECK(cu.chromaModeIdx == w.chromaModeIdx && cu.chromaMode == w.chromaMode);
    }
    CHECK(dec.terminate() == 1);
    // without CCLM a CCLM mode cannot be written
    SliceParams off;
    ContextSet c2; c2.init(32, 0);
    CuMap m2; m2.init(64, 64);
    SyntaxEnv e2{&part, &c2, &m2, true}; e2.slice = &off;
    CodingUnit cu; cu.w = cu.h = 16; cu.chromaModeIdx = kChromaCclm + 1;
    tileTransformUnits(part, cu);
    BitEstimator est;
    CHECK(!codeCodingUnit(est, e2, cu, owner));
  }
  std::printf(failures ? "test_cclm: %d failures\n" : "test_cclm: OK\n", failures);
  return failures ? 1 : 0;
}
