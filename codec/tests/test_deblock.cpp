// Deblocking (8.8.3): Table 8-18 scaling, luma/chroma kernels on hand-made lines with values
// worked out from the spec's formulas, boundary strength rules, and the picture driver (edge
// grid, implicit 64x64 TU edges, CTU-row restriction, vertical-before-horizontal order).
#include <cstdio>
#include <vector>

#include "dsp/deblock.h"
#include "recon/deblock.h"
#include "test_check.h"

using namespace nnvvc;
using namespace nnvvc::dsp;

// A 1-D line of 16 samples across a vertical edge at index 8 (p0 = s[7], q0 = s[8]), repeated on
// 4 rows (stride 16).
struct Rows {
  Pel s[4 * 16];
  void set(const int (&v)[16]) { for (int r = 0; r < 4; ++r) for (int i = 0; i < 16; ++i) s[r * 16 + i] = Pel(v[i]); }
  Pel* q0() { return s + 8; }
  int at(int row, int i) const { return s[row * 16 + i]; }
};

TEST_CASE(tables) {
  CHECK_EQ(deblockTc(37, 2, 0, 10), 21);    // tC'[39]
  CHECK_EQ(deblockTc(37, 1, 0, 10), 17);    // tC'[37]
  CHECK_EQ(deblockTc(37, 1, 0, 8), (17 + 2) >> 2);
  CHECK_EQ(deblockTc(37, 1, 1, 12), 21 * 4);
  CHECK_EQ(deblockTc(70, 2, 3, 10), 395);   // clipped to 65
  CHECK_EQ(deblockTc(-5, 2, 0, 10), 0);
  CHECK_EQ(deblockBeta(37, 0, 10), 36 * 4);
  CHECK_EQ(deblockBeta(37, -2, 8), 28);
  CHECK_EQ(deblockBeta(70, 0, 10), 88 * 4);
  CHECK_EQ(deblockBeta(15, 0, 10), 0);
}

TEST_CASE(lumaStrong) {
  Rows r;
  const int v[16] = {500, 500, 500, 500, 500, 500, 500, 500, 520, 520, 520, 520, 520, 520, 520, 520};
  r.set(v);
  // tc 21 (qp 37, bS 2), beta 136 (any beta > 0 works here); flat sides -> strong filter (both sides 3).
  const int dec = lumaEdge_c(r.q0(), 1, 16, 21, 136, 3, 3, 1023);
  CHECK_EQ(dec, kDbStrong);
  for (int row = 0; row < 4; ++row) {
    CHECK_EQ(r.at(row, 5), 503); CHECK_EQ(r.at(row, 6), 505); CHECK_EQ(r.at(row, 7), 508);
    CHECK_EQ(r.at(row, 8), 513); CHECK_EQ(r.at(row, 9), 515); CHECK_EQ(r.at(row, 10), 518);
    CHECK_EQ(r.at(row, 4), 500); CHECK_EQ(r.at(row, 11), 520);
  }
}

TEST_CASE(lumaLong) {
  Rows r;
  const int v[16] = {500, 500, 500, 500, 500, 500, 500, 500, 520, 520, 520, 520, 520, 520, 520, 520};
  r.set(v);
  const int dec = lumaEdge_c(r.q0(), 1, 16, 21, 136, 7, 7, 1023);
  CHECK_EQ(dec, kDbLong);
  // refMiddle = (2*(500+520) + 6*500 + 6*520 + 8) >> 4 = 510, refP 500, refQ 520.
  const int f[7] = {59, 50, 41, 32, 23, 14, 5};
  for (int i = 0; i < 7; ++i) {
    CHECK_EQ(r.at(2, 7 - i), (510 * f[i] + 500 * (64 - f[i]) + 32) >> 6);
    CHECK_EQ(r.at(2, 8 + i), (510 * f[i] + 520 * (64 - f[i]) + 32) >> 6);
  }
  CHECK_EQ(r.at(2, 0), 500);
  CHECK_EQ(r.at(2, 15), 520);
  // 7 against 3 (P large only): refMiddle = (2p0 + 3q0 + 3q1 + 2q2 + p1..p6 + 8) >> 4.
  r.set(v);
  CHECK_EQ(lumaEdge_c(r.q0(), 1, 16, 21, 136, 7, 3, 1023), kDbLong);
  const int rm = (2 * 500 + 3 * 520 + 3 * 520 + 2 * 520 + 6 * 500 + 8) >> 4;
  CHECK_EQ(r.at(1, 7), (rm * 59 + 500 * 5 + 32) >> 6);
  CHECK_EQ(r.at(1, 8), (rm * 53 + ((520 + 520 + 1) >> 1) * 11 + 32) >> 6);
  CHECK_EQ(r.at(1, 11), 520);  // q3 untouched with a 3-sample Q side
}

TEST_CASE(lumaWeak) {
  Rows r;
  const int v[16] = {500, 500, 500, 500, 500, 500, 500, 500, 540, 540, 540, 540, 540, 540, 540, 540};
  r.set(v);
  // qp 32, bS 1: tc 10, beta 104; |p0 - q0| = 40 >= (5*tc+1)>>1 -> not strong; weak with p1/q1.
  CHECK_EQ(lumaEdge_c(r.q0(), 1, 16, 10, 104, 3, 3, 1023), kDbWeak);
  for (int row = 0; row < 4; ++row) {
    CHECK_EQ(r.at(row, 6), 505); CHECK_EQ(r.at(row, 7), 510);
    CHECK_EQ(r.at(row, 8), 530); CHECK_EQ(r.at(row, 9), 535);
    CHECK_EQ(r.at(row, 5), 500); CHECK_EQ(r.at(row, 10), 540);
  }
  // maxFilterLength 1 (a side <= 4): only p0/q0.
  r.set(v);
  CHECK_EQ(lumaEdge_c(r.q0(), 1, 16, 10, 104, 1, 1, 1023), kDbWeak);
  CHECK_EQ(r.at(0, 6), 500); CHECK_EQ(r.at(0, 7), 510); CHECK_EQ(r.at(0, 8), 530); CHECK_EQ(r.at(0, 9), 540);
  // Textured sides: d >= beta -> untouched.
  const int t[16] = {100, 400, 100, 400, 100, 400, 100, 400, 540, 200, 540, 200, 540, 200, 540, 200};
  r.set(t);
  CHECK_EQ(lumaEdge_c(r.q0(), 1, 16, 10, 104, 3, 3, 1023), kDbNone);
  CHECK_EQ(r.at(3, 7), 400);
  // |delta| >= 10 tc: a real edge is kept.
  const int e[16] = {100, 100, 100, 100, 100, 100, 100, 100, 900, 900, 900, 900, 900, 900, 900, 900};
  r.set(e);
  CHECK_EQ(lumaEdge_c(r.q0(), 1, 16, 10, 1000, 3, 3, 1023), kDbWeak);
  CHECK_EQ(r.at(0, 7), 100); CHECK_EQ(r.at(0, 8), 900);
  // Horizontal edge addressing (across = stride) gives the same result as the vertical one.
  Pel col[16 * 4];
  for (int i = 0; i < 16; ++i) for (int k = 0; k < 4; ++k) col[i * 4 + k] = Pel(v[i]);
  CHECK_EQ(lumaEdge_c(col + 8 * 4, 4, 1, 10, 104, 3, 3, 1023), kDbWeak);
  CHECK_EQ(col[6 * 4 + 2], 505); CHECK_EQ(col[9 * 4 + 1], 535);
}

TEST_CASE(chroma) {
  Rows r;
  const int v[16] = {500, 500, 500, 500, 500, 500, 500, 500, 520, 520, 520, 520, 520, 520, 520, 520};
  // Not large: normal filter delta = Clip3(-tc, tc, (4(q0-p0) + p1 - q1 + 4) >> 3) = 8 (tc 21).
  r.set(v);
  CHECK_EQ(chromaEdge_c(r.q0(), 1, 16, 2, 21, 136, false, false, 1023), kDbWeak);
  CHECK_EQ(r.at(0, 7), 508); CHECK_EQ(r.at(0, 8), 512); CHECK_EQ(r.at(1, 6), 500);
  CHECK_EQ(r.at(2, 7), 500);  // only numLines = 2 lines
  // Large, flat: strong chroma filter on p2..q2.
  r.set(v);
  CHECK_EQ(chromaEdge_c(r.q0(), 1, 16, 2, 21, 136, true, false, 1023), kDbStrong);
  CHECK_EQ(r.at(0, 5), (3 * 500 + 2 * 500 + 500 + 500 + 520 + 4) >> 3);
  CHECK_EQ(r.at(0, 6), (2 * 500 + 500 + 2 * 500 + 500 + 520 + 520 + 4) >> 3);
  CHECK_EQ(r.at(0, 7), (500 + 500 + 500 + 2 * 500 + 520 + 520 + 520 + 4) >> 3);
  CHECK_EQ(r.at(1, 8), (500 + 500 + 500 + 2 * 520 + 520 + 520 + 520 + 4) >> 3);
  CHECK_EQ(r.at(1, 9), (500 + 500 + 520 + 2 * 520 + 520 + 2 * 520 + 4) >> 3);
  CHECK_EQ(r.at(1, 10), (500 + 520 + 520 + 2 * 520 + 3 * 520 + 4) >> 3);
  // CTU-row boundary: P side only p0 changes, from p0/p1.
  r.set(v);
  CHECK_EQ(chromaEdge_c(r.q0(), 1, 16, 2, 21, 136, true, true, 1023), kDbStrong);
  CHECK_EQ(r.at(0, 6), 500);
  CHECK_EQ(r.at(0, 7), (3 * 500 + 2 * 500 + 520 + 520 + 520 + 4) >> 3);
  CHECK_EQ(r.at(0, 8), (2 * 500 + 500 + 2 * 520 + 520 + 520 + 520 + 4) >> 3);
  // Large but textured (d >= beta): still the normal filter.
  const int t[16] = {100, 400, 100, 400, 100, 400, 100, 400, 540, 200, 540, 200, 540, 200, 540, 200};
  r.set(t);
  CHECK_EQ(chromaEdge_c(r.q0(), 1, 16, 2, 3, 40, true, false, 1023), kDbWeak);
  CHECK_EQ(r.at(0, 7), 403);  // delta = Clip3(-3, 3, (4*140 + 100 - 200 + 4) >> 3) = 3
  CHECK_EQ(r.at(0, 6), 100);
}

TEST_CASE(boundaryStrength) {
  Picture picA, picB;
  RefPicLists refs;
  refs.num[0] = 2; refs.num[1] = 2;
  refs.ref[0][0].pic = &picA; refs.ref[0][0].poc = 8;
  refs.ref[0][1].pic = &picB; refs.ref[0][1].poc = 4;
  refs.ref[1][0].pic = &picB; refs.ref[1][0].poc = 4;
  refs.ref[1][1].pic = &picA; refs.ref[1][1].poc = 8;
  auto uni = [](int l, int idx, int x, int y) {
    MotionInfo m; m.interDir = uint8_t(1 << l); m.refIdx[l] = int8_t(idx); m.mv[l] = Mv(x, y); return m;
  };
  auto bi = [](int i0, Mv a, int i1, Mv b) {
    MotionInfo m; m.interDir = 3; m.refIdx[0] = int8_t(i0); m.refIdx[1] = int8_t(i1); m.mv[0] = a; m.mv[1] = b; return m;
  };
  using recon::motionBoundaryStrength;
  using recon::lumaBoundaryStrength;
  CHECK_EQ(motionBoundaryStrength(uni(0, 0, 4, 4), uni(0, 0, 11, -3), &refs), 0);   // diff 7
  CHECK_EQ(motionBoundaryStrength(uni(0, 0, 4, 4), uni(0, 0, 12, 4), &refs), 1);    // diff 8
  CHECK_EQ(motionBoundaryStrength(uni(0, 0, 4, 4), uni(0, 0, 4, -4), &refs), 1);
  CHECK_EQ(motionBoundaryStrength(uni(0, 0, 0, 0), uni(0, 1, 0, 0), &refs), 1);     // other picture
  CHECK_EQ(motionBoundaryStrength(uni(0, 0, 0, 0), uni(1, 1, 3, 0), &refs), 0);     // same picture via L1
  CHECK_EQ(motionBoundaryStrength(uni(0, 1, 0, 0), uni(1, 0, 0, 0), &refs), 0);
  CHECK_EQ(motionBoundaryStrength(uni(0, 0, 0, 0), bi(0, Mv(), 0, Mv()), &refs), 1); // 1 vs 2 MVs
  // Bi with two different pictures, lists swapped on one side.
  CHECK_EQ(motionBoundaryStrength(bi(0, Mv(10, 0), 0, Mv(-20, 0)), bi(1, Mv(-20, 4), 1, Mv(10, 7)), &refs), 0);
  CHECK_EQ(motionBoundaryStrength(bi(0, Mv(10, 0), 0, Mv(-20, 0)), bi(1, Mv(-20, 8), 1, Mv(10, 0)), &refs), 1);
  // Bi, both MVs to the same picture on both sides: break only if both pairings break.
  CHECK_EQ(motionBoundaryStrength(bi(0, Mv(0, 0), 1, Mv(40, 0)), bi(0, Mv(40, 0), 1, Mv(0, 0)), &refs), 0);
  CHECK_EQ(motionBoundaryStrength(bi(0, Mv(0, 0), 1, Mv(40, 0)), bi(0, Mv(40, 0), 1, Mv(8, 0)), &refs), 1);
  // Missing pic pointers: POC decides.
  RefPicLists noPics = refs;
  for (auto& l : noPics.ref) for (auto& e : l) e.pic = nullptr;
  CHECK_EQ(motionBoundaryStrength(uni(0, 0, 0, 0), uni(1, 1, 0, 0), &noPics), 0);
  CHECK_EQ(motionBoundaryStrength(uni(0, 0, 0, 0), uni(1, 0, 0, 0), &noPics), 1);
  const MotionInfo a = uni(0, 0, 0, 0), b = uni(0, 1, 0, 0);
  CHECK_EQ(lumaBoundaryStrength(true, false, false, false, false, a, a, &refs), 2);
  CHECK_EQ(lumaBoundaryStrength(false, false, false, true, false, a, a, &refs), 1);
  CHECK_EQ(lumaBoundaryStrength(false, false, false, false, true, a, b, &refs), 0);  // TU edge in a CU
  CHECK_EQ(lumaBoundaryStrength(false, false, false, false, false, a, b, &refs), 1);
  CHECK_EQ(lumaBoundaryStrength(false, false, false, false, false, a, a, &refs), 0);
}

// Picture-level checks with a traced run.
static CodingUnit makeCu(int x, int y, int w, int h, bool inter, int qp = 32) {
  CodingUnit cu;
  cu.x = int16_t(x); cu.y = int16_t(y); cu.w = int16_t(w); cu.h = int16_t(h);
  cu.qp = int8_t(qp);
  cu.predMode = inter ? PredMode::kInter : PredMode::kIntra;
  if (inter) { cu.interDir = 1; cu.refIdx[0] = 0; cu.motion.interDir = 1; cu.motion.refIdx[0] = 0; }
  // TU tiling as the partitioner does it (64x64 max).
  const int tw = w < 64 ? w : 64, th = h < 64 ? h : 64;
  cu.numTus = 0;
  for (int ty = y; ty < y + h; ty += th)
    for (int tx = x; tx < x + w; tx += tw) {
      TransformUnit& tu = cu.tus[cu.numTus++];
      tu.x = int16_t(tx); tu.y = int16_t(ty); tu.w = int16_t(tw); tu.h = int16_t(th);
    }
  return cu;
}

static void fillPlanes(Picture& pic, int seed) {
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < pic.planes[c].height; ++y)
      for (int x = 0; x < pic.planes[c].width; ++x)
        pic.planes[c].at(x, y) = Pel(400 + ((x / 8 + y / 8 + seed) % 3) * 9 + ((x * 7 + y * 3) % 5));
}

TEST_CASE(picture) {
  SliceParams slice;
  MotionField mf;
  recon::DeblockParams p;
  std::vector<recon::DeblockTraceEntry> trace;
  p.trace = &trace;
  // 1) 128x256: two 128x128 intra CUs: implicit TU edges at 64, CTU row edge at y = 128.
  {
    Picture pic; pic.alloc(128, 256); fillPlanes(pic, 0);
    std::vector<CtuCoding> ctus(2);
    ctus[0].cus.push_back(makeCu(0, 0, 128, 128, false));
    ctus[1].ctuY = 128; ctus[1].cus.push_back(makeCu(0, 128, 128, 128, false));
    const Picture before = pic;
    recon::deblockPicture(pic, ctus, mf, slice, p);
    int vY = 0, hY128 = 0, hY64 = 0, chromaV = 0, other = 0;
    for (const auto& e : trace) {
      if (e.comp == 0 && e.vertical) { ++vY; CHECK(e.x == 64 && e.bS == 2 && e.maxLenP == 7 && e.maxLenQ == 7); }
      else if (e.comp == 0 && e.y == 128) { ++hY128; CHECK(e.maxLenP == 3 && e.maxLenQ == 7); }
      else if (e.comp == 0 && (e.y == 64 || e.y == 192)) { ++hY64; CHECK(e.maxLenP == 7); }
      else if (e.comp && e.vertical) { ++chromaV; CHECK(e.x == 32 && e.maxLenP == 3 && e.bS == 2); }
      else if (e.comp == 0) ++other;
    }
    CHECK_EQ(vY, 256 / 4); CHECK_EQ(hY128, 32); CHECK_EQ(hY64, 64); CHECK_EQ(chromaV, 2 * 64); CHECK_EQ(other, 0);
    // Picture boundaries untouched; sample far from edges untouched.
    CHECK_EQ(pic.planes[0].at(0, 10), before.planes[0].at(0, 10));
    CHECK_EQ(pic.planes[0].at(20, 20), before.planes[0].at(20, 20));
  }
  // 2) 64x32 picture: inter CUs: a 16x16 pair with the same motion and no residual -> bS 0;
  //    a 32x32 with cbf next to a 32x32 without -> bS 1 only there; 4-wide CU edges get length 1.
  {
    trace.clear();
    Picture pic; pic.alloc(64, 32); fillPlanes(pic, 1);
    std::vector<CtuCoding> ctus(1);
    auto& cus = ctus[0].cus;
    cus.push_back(makeCu(0, 0, 16, 16, true));
    cus.push_back(makeCu(16, 0, 16, 16, true));
    cus.push_back(makeCu(0, 16, 4, 16, true));
    cus.back().motion.mv[0] = Mv(64, 0);
    cus.push_back(makeCu(4, 16, 28, 16, true));  // not a legal size, fine for the edge logic
    cus.push_back(makeCu(32, 0, 32, 32, true));
    cus.back().rootCbf = true; cus.back().tus[0].cbf[0] = 1;
    Picture refPic;
    RefPicLists refs; refs.num[0] = 1; refs.ref[0][0].pic = &refPic;
    slice.refs = &refs;
    slice.isIntra = false; slice.sliceType = SliceType::kP;
    recon::deblockPicture(pic, ctus, mf, slice, p);
    bool sawX16 = false, sawX32 = false, sawX4 = false;
    for (const auto& e : trace) {
      if (e.comp) { CHECK(false, "unexpected chroma edge at %d,%d", e.x, e.y); continue; }
      if (e.vertical && e.x == 16) sawX16 = true;
      if (e.vertical && e.x == 32) { sawX32 = true; CHECK(e.bS == 1 && e.maxLenP == 3 && e.maxLenQ == 7); }
      if (e.vertical && e.x == 4) { sawX4 = true; CHECK(e.bS == 1 && e.maxLenP == 1 && e.maxLenQ == 1); }
    }
    CHECK(!sawX16); CHECK(sawX32); CHECK(sawX4);
    slice.refs = nullptr;
  }
  // 3) Order: vertical edges of the whole picture first, then horizontal, on the filtered samples.
  {
    trace.clear();
    p.trace = nullptr;
    Picture pic; pic.alloc(32, 32); fillPlanes(pic, 2);
    std::vector<CtuCoding> ctus(1);
    for (int y = 0; y < 32; y += 16)
      for (int x = 0; x < 32; x += 16) ctus[0].cus.push_back(makeCu(x, y, 16, 16, false, 37));
    Picture ref = pic;
    recon::deblockPicture(pic, ctus, mf, slice, p);
    // Manual: luma vertical edge x=16 (all rows), then horizontal y=16 (all columns), 16x16 -> 3/3.
    const int tc = deblockTc(37, 2, 0, 10), beta = deblockBeta(37, 0, 10);
    Plane& Y = ref.planes[0];
    for (int y = 0; y < 32; y += 4) lumaEdge_c(Y.row(y) + 16, 1, Y.stride, tc, beta, 3, 3, 1023);
    for (int x = 0; x < 32; x += 4) lumaEdge_c(Y.row(16) + x, Y.stride, 1, tc, beta, 3, 3, 1023);
    for (int c = 1; c < 3; ++c) {  // chroma 8x8 blocks: edges at chroma 8, large (8 >= 8)
      Plane& C = ref.planes[c];
      for (int y = 0; y < 16; y += 2) chromaEdge_c(C.row(y) + 8, 1, C.stride, 2, tc, beta, true, false, 1023);
      for (int x = 0; x < 16; x += 2) chromaEdge_c(C.row(8) + x, C.stride, 1, 2, tc, beta, true, false, 1023);
    }
    bool same = true;
    for (int c = 0; c < 3; ++c) same = same && pic.planes[c].data == ref.planes[c].data;
    CHECK(same, "picture deblocking differs from the manual edge order");
    // Disabled: nothing changes.
    Picture off = ref;
    recon::DeblockParams dis; dis.enabled = false;
    recon::deblockPicture(off, ctus, mf, slice, dis);
    CHECK(off.planes[0].data == ref.planes[0].data);
  }
}

int main(int argc, char** argv) { return runTestCases(argc, argv); }
