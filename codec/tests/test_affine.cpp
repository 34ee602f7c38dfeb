// Affine motion (inter/affine): subblock MVs of 4- and 6-parameter models against hand-computed values of
// 8.5.5.9 (rounding of halves towards zero, the bandwidth fallback to the centre MV), the 4:2:0 chroma MV
// average, the subblock merge candidate list (zero fill, an inherited candidate, a constructed LT+LB one, the
// top-CTU-row rule) and the motion storage of an affine CU (4x4 subblock MVs and its control-point record).
#include "inter/affine.h"
#include "test_check.h"

using namespace nnvvc;
using namespace nnvvc::inter;

namespace {

AffineMotion uniAffine(Mv cp0, Mv cp1, Mv cp2 = Mv(), bool six = false, int refIdx = 0) {
  AffineMotion am;
  am.interDir = 1;
  am.refIdx[0] = int8_t(refIdx);
  am.sixParam = six;
  am.cp[0][0] = cp0;
  am.cp[0][1] = cp1;
  am.cp[0][2] = cp2;
  return am;
}

// B slice POC 8, L0 = {0, 16}, L1 = {16, 0}, CTU 128, picture 256x256.
struct Fixture {
  MotionField field;
  HmvpTable hmvp;
  RefPicLists refs;
  SliceParams slice;
  MvPredEnv env;
  explicit Fixture(bool six = true) {
    field.init(256, 256);
    refs.num[0] = refs.num[1] = 2;
    refs.ref[0][0].poc = 0; refs.ref[0][1].poc = 16;
    refs.ref[1][0].poc = 16; refs.ref[1][1].poc = 0;
    slice.sliceType = SliceType::kB;
    slice.isIntra = false;
    slice.poc = 8;
    slice.refs = &refs;
    slice.affine = true;
    slice.affineSixParam = six;
    slice.maxNumSubblockMergeCand = 5;
    env = MvPredEnv{&field, &hmvp, &slice, 7};
  }
  void storeAffine(int x, int y, int w, int h, const AffineMotion& am) {
    CodingUnit cu;
    cu.x = int16_t(x); cu.y = int16_t(y); cu.w = int16_t(w); cu.h = int16_t(h);
    cu.predMode = PredMode::kInter;
    cu.affine = true;
    cu.aff = am;
    cu.motion = affineCuMotion(am);
    storeCuMotion(field, cu, cu.motion, slice, 7);
  }
};

}  // namespace

// 4-parameter model on a 16x8 CU: cp1 - cp0 = (64, 0) over 16 samples is 4 (1/16 sample) per sample
// horizontally and, rotated, vertically: subblock (i, j) centre (4i + 2, 4j + 2) -> (16i + 8, 16j + 8).
TEST_CASE(subblockMvs4Param) {
  Mv mv[8];
  affineSubblockMvs(uniAffine(Mv(0, 0), Mv(64, 0)), 0, 16, 8, mv);
  CHECK(mv[0] == Mv(8, 8));
  CHECK(mv[3] == Mv(56, 8));
  CHECK(mv[4] == Mv(8, 24));
  CHECK(mv[7] == Mv(56, 24));
  // cp1 - cp0 = (3, 0): dHorX = 3 << 3 = 24, MVs 24 * (2, 6, 10, 14) / 128 = 0.375, 1.125, 1.875, 2.625 ->
  // 0, 1, 2, 3 (8.5.2.14: (v + 63) >> 7 for v >= 0); negated gradient gives -0, -1, -2, -3 (halves and
  // fractions towards zero symmetrically); mv.y of the 4-parameter model follows dVerY = dHorX
  affineSubblockMvs(uniAffine(Mv(0, 0), Mv(3, 0)), 0, 16, 8, mv);
  CHECK(mv[0] == Mv(0, 0) && mv[1] == Mv(1, 0) && mv[2] == Mv(2, 0) && mv[3] == Mv(3, 0));
  CHECK(mv[4] == Mv(0, 1) && mv[7] == Mv(3, 1));
  affineSubblockMvs(uniAffine(Mv(0, 0), Mv(-3, 0)), 0, 16, 8, mv);
  CHECK(mv[0] == Mv(0, 0) && mv[1] == Mv(-1, 0) && mv[2] == Mv(-2, 0) && mv[3] == Mv(-3, 0));
  // base MV carried: cp0 = (-20, 36)
  affineSubblockMvs(uniAffine(Mv(-20, 36), Mv(-20, 36)), 0, 16, 8, mv);
  for (int i = 0; i < 8; ++i) CHECK(mv[i] == Mv(-20, 36));
}

// 6-parameter model on 8x8: cp2 - cp0 = (0, 32) over 8 rows: 4 per sample vertically, nothing horizontally.
TEST_CASE(subblockMvs6Param) {
  Mv mv[4];
  affineSubblockMvs(uniAffine(Mv(0, 0), Mv(0, 0), Mv(0, 32), true), 0, 8, 8, mv);
  CHECK(mv[0] == Mv(0, 8) && mv[1] == Mv(0, 8) && mv[2] == Mv(0, 24) && mv[3] == Mv(0, 24));
  // the same corner MVs as a 4-parameter model ignore cp2
  affineSubblockMvs(uniAffine(Mv(0, 0), Mv(0, 0), Mv(0, 32), false), 0, 8, 8, mv);
  CHECK(mv[0] == Mv(0, 0) && mv[3] == Mv(0, 0));
}

// fallbackModeTriggered: a zoom of 8 samples per sample on an 8x8 bi CU needs a far larger reference area than
// 15 x 15: every subblock takes the centre (4, 4) MV, 16384 * 4 / 128 = 512 in both components.
TEST_CASE(fallback) {
  AffineMotion am = uniAffine(Mv(0, 0), Mv(1024, 0));
  am.interDir = 3;
  am.refIdx[1] = 0;
  am.cp[1][0] = Mv(0, 0);
  am.cp[1][1] = Mv(1024, 0);
  const AffineModel m = affineModel(am, 0, 8, 8);
  CHECK_EQ(m.dHorX, 16384);
  CHECK(affineFallback(m, 3));
  Mv mv[4];
  affineSubblockMvs(am, 0, 8, 8, mv);
  for (int i = 0; i < 4; ++i) CHECK(mv[i] == Mv(512, 512));
  // a small gradient stays per subblock, uni and bi
  const AffineModel small = affineModel(uniAffine(Mv(0, 0), Mv(64, 0)), 0, 16, 16);
  CHECK(!affineFallback(small, 1));
  CHECK(!affineFallback(small, 3));
  // uni: the reference block of a row of subblocks, ((4 * dHorX + 8192) >> 11) + 9 columns by 9 rows (no
  // vertical change), may not exceed 15 * 11 = 165 samples: 19 columns, from dHorX = 3072, do
  AffineModel u;
  u.dHorX = 3071;
  CHECK(!affineFallback(u, 1));
  u.dHorX = 3072;
  CHECK(affineFallback(u, 1));
}

// 4:2:0 chroma subblock MV: the mean of luma subblocks (i, j) and (i + 1, j + 1), rounded towards zero.
TEST_CASE(chromaMv) {
  const Mv luma[4] = {Mv(1, -1), Mv(100, 100), Mv(100, 100), Mv(2, -2)};
  CHECK(affineChromaMv(luma, 2, 0, 0) == Mv(1, -1));  // (3, -3) / 2 -> (1, -1)
  const Mv luma2[4] = {Mv(5, -7), Mv(0, 0), Mv(0, 0), Mv(6, -8)};
  CHECK(affineChromaMv(luma2, 2, 0, 0) == Mv(5, -7));  // (11, -15) / 2 -> 5.5, -7.5 -> (5, -7)
}

// No neighbours: five zero candidates, 4-parameter, bi with reference index 0 (B slice).
TEST_CASE(zeroCandidates) {
  Fixture f;
  AffineMotion list[kMaxSubblockMergeCand];
  CHECK_EQ(buildSubblockMergeList(f.env, 32, 32, 16, 16, list), 5);
  for (int i = 0; i < 5; ++i) {
    CHECK(list[i].interDir == 3 && list[i].refIdx[0] == 0 && list[i].refIdx[1] == 0 && !list[i].sixParam);
    CHECK(list[i].cp[0][0] == Mv() && list[i].cp[1][1] == Mv());
  }
  f.slice.maxNumSubblockMergeCand = 2;
  CHECK_EQ(buildSubblockMergeList(f.env, 32, 32, 16, 16, list), 2);
}

// A 4-parameter affine CU (0, 16, 16x16) left of the current CU (16, 16, 16x16): inherited candidate from A1
// (its model continued to the current corners: (64, 0) and (128, 0)), then a constructed LT + LB candidate from
// the neighbour's subblock MVs (LT from A2 = (15, 16): subblock (3, 0) = (56, 8); LB from A1 = (15, 31):
// subblock (3, 3) = (56, 56); cp1 = cp0 + rotated (LB - LT) * w / h = (56 + 48, 8)), then zero candidates.
TEST_CASE(inheritedAndConstructed) {
  Fixture f;
  f.storeAffine(0, 16, 16, 16, uniAffine(Mv(0, 0), Mv(64, 0)));
  const MotionInfo* sb = f.field.at(15, 16);
  CHECK(sb && sb->mv[0] == Mv(56, 8));
  CHECK(f.field.affineAt(15, 31) && f.field.affineAt(15, 31)->x == 0 && !f.field.affineAt(16, 16));
  AffineMotion list[kMaxSubblockMergeCand];
  CHECK_EQ(buildSubblockMergeList(f.env, 16, 16, 16, 16, list), 5);
  CHECK(list[0].interDir == 1 && list[0].refIdx[0] == 0 && !list[0].sixParam);
  CHECK(list[0].cp[0][0] == Mv(64, 0) && list[0].cp[0][1] == Mv(128, 0));
  CHECK(list[1].interDir == 1 && !list[1].sixParam);
  CHECK(list[1].cp[0][0] == Mv(56, 8) && list[1].cp[0][1] == Mv(104, 8));
  CHECK(list[2].interDir == 3 && list[2].cp[0][0] == Mv());
  // a 6-parameter neighbour gives a 6-parameter inherited candidate (cp2 continued to the bottom-left corner)
  Fixture g;
  g.storeAffine(0, 16, 16, 16, uniAffine(Mv(0, 0), Mv(0, 0), Mv(0, 64), true));
  buildSubblockMergeList(g.env, 16, 16, 16, 16, list);
  CHECK(list[0].sixParam && list[0].cp[0][0] == Mv(0, 0) && list[0].cp[0][2] == Mv(0, 64));
}

// Above neighbour in the CTU row above (its bottom on the CTU boundary the current CU starts at): its bottom
// subblock MVs act as a 4-parameter model on its bottom edge. Neighbour (16, 112, 16x16), 6-parameter, zoom in y
// only (cp2 - cp0 = (0, 64)): bottom subblocks (row 3) both (0, 56) -> the inherited candidate is a pure
// translation (0, 56), though the 6-parameter model would continue to (0, 64).
TEST_CASE(ctuRowAbove) {
  Fixture f;
  f.storeAffine(16, 112, 16, 16, uniAffine(Mv(0, 0), Mv(0, 0), Mv(0, 64), true));
  AffineMotion list[kMaxSubblockMergeCand];
  buildSubblockMergeList(f.env, 16, 128, 16, 16, list);  // B1 = (31, 127)
  CHECK(list[0].sixParam);
  CHECK(list[0].cp[0][0] == Mv(0, 56) && list[0].cp[0][1] == Mv(0, 56) && list[0].cp[0][2] == Mv(0, 56));
  // inside the same CTU row the neighbour's own model continues: cp0 of (16, 128) from (16, 112) = (0, 64)
  Fixture g;
  g.storeAffine(16, 96, 16, 16, uniAffine(Mv(0, 0), Mv(0, 0), Mv(0, 64), true));
  buildSubblockMergeList(g.env, 16, 112, 16, 16, list);
  CHECK(list[0].cp[0][0] == Mv(0, 64) && list[0].cp[0][2] == Mv(0, 128));
}

// Storage: a later non-affine CU over the area removes the record; the subblock MVs stay per 4x4.
TEST_CASE(storage) {
  Fixture f;
  f.storeAffine(32, 32, 16, 8, uniAffine(Mv(0, 0), Mv(64, 0)));
  CHECK(f.field.at(44, 36)->mv[0] == Mv(56, 24));
  CHECK(f.field.affineAt(44, 36) && f.field.affineAt(44, 36)->w == 16 && f.field.affineAt(44, 36)->h == 8);
  MotionInfo t;
  t.interDir = 1; t.refIdx[0] = 0; t.mv[0] = Mv(4, 4);
  f.field.set(32, 32, 16, 8, t);
  CHECK(!f.field.affineAt(44, 36) && f.field.at(44, 36)->mv[0] == Mv(4, 4));
}

int main(int argc, char** argv) { return runTestCases(argc, argv); }
