// Motion vector prediction (inter/mv_pred): merge list order and pruning, HMVP use and update,
// pairwise average rounding, zero candidates, AMVP with cross-list same-POC references,
// picture-boundary availability and the 8x4 bi -> uni conversion, temporal MV prediction
// (collocated positions, 8x8 reads, list choice, POC scaling, place in both lists), on
// hand-built motion fields; the TMVP slice header syntax round trip; SbTMVP (motion shift, its rounding, the
// collocated positions and their clipping, the subblock list rule, the centre's default motion).
#include <cstdio>
#include <cstdlib>

#include "inter/mv_pred.h"
#include "inter/sbtmvp.h"
#include "syntax/param_sets.h"
#include "test_check.h"

using namespace nnvvc;
using namespace nnvvc::inter;

namespace {

MotionInfo uni(int list, int refIdx, int mvx, int mvy) {
  MotionInfo mi;
  mi.interDir = uint8_t(1 << list);
  mi.refIdx[list] = int8_t(refIdx);
  mi.mv[list] = Mv(mvx, mvy);
  return mi;
}

MotionInfo bi(int r0, int x0, int y0, int r1, int x1, int y1) {
  MotionInfo mi;
  mi.interDir = 3;
  mi.refIdx[0] = int8_t(r0);
  mi.refIdx[1] = int8_t(r1);
  mi.mv[0] = Mv(x0, y0);
  mi.mv[1] = Mv(x1, y1);
  return mi;
}

// A 64x64 picture (POC 8) with reference lists L0 = {POC 0, POC 16}, L1 = {POC 16, POC 0}
// unless a test changes them.
struct Fixture {
  MotionField field;
  HmvpTable hmvp;
  RefPicLists refs;
  SliceParams slice;
  MvPredEnv env;
  explicit Fixture(SliceType type = SliceType::kB, int numL0 = 2, int numL1 = 2, int picW = 64, int picH = 64) {
    field.init(picW, picH);
    refs.num[0] = numL0;
    refs.num[1] = type == SliceType::kB ? numL1 : 0;
    const int pocL0[4] = {0, 16, 4, 12}, pocL1[4] = {16, 0, 12, 4};
    for (int i = 0; i < 4; ++i) {
      refs.ref[0][i].poc = pocL0[i];
      refs.ref[1][i].poc = pocL1[i];
    }
    slice.sliceType = type;
    slice.isIntra = false;
    slice.poc = 8;
    slice.maxNumMergeCand = 6;
    slice.refs = &refs;
    env.motion = &field;
    env.hmvp = &hmvp;
    env.slice = &slice;
  }
  // Sets the 4x4 block covering (x, y).
  void put(int x, int y, const MotionInfo& mi) { field.set(x & ~3, y & ~3, 4, 4, mi); }
};

bool same(const MotionInfo& a, const MotionInfo& b) { return a == b; }

// The candidate order B1, A1, B0, A0 and B2's exclusion once four spatial candidates exist.
TEST_CASE(spatialOrder) {
  Fixture f;
  const int x = 16, y = 16, w = 16, h = 8;
  const MotionInfo mB1 = uni(0, 0, 1, 1), mA1 = uni(0, 0, 2, 2), mB0 = uni(1, 0, 3, 3),
                   mA0 = bi(0, 4, 4, 1, 5, 5), mB2 = uni(0, 1, 6, 6);
  f.put(x + w - 1, y - 1, mB1);
  f.put(x - 1, y + h - 1, mA1);
  f.put(x + w, y - 1, mB0);
  f.put(x - 1, y + h, mA0);
  f.put(x - 1, y - 1, mB2);
  MotionInfo list[kMaxMergeCand];
  CHECK_EQ(buildMergeList(f.env, x, y, w, h, list), 6);
  CHECK(same(list[0], mB1));
  CHECK(same(list[1], mA1));
  CHECK(same(list[2], mB0));
  CHECK(same(list[3], mA0));
  // B2 skipped (4 spatial): next is the pairwise average of B1 (1,1) and A1 (2,2) in L0:
  // sum 3 -> 1 (rounded towards zero), refIdx of candidate 0.
  CHECK(same(list[4], uni(0, 0, 1, 1)), "pairwise");
  CHECK(same(list[5], bi(0, 0, 0, 0, 0, 0)), "zero candidate refIdx 0");

  // Without A0, B2 enters after B0.
  f.put(x - 1, y + h, MotionInfo{});
  buildMergeList(f.env, x, y, w, h, list);
  CHECK(same(list[3], mB2), "B2 when fewer than 4");
}

// Pruning pairs: A1-B1, B0-B1, A0-A1, B2-A1, B2-B1; comparisons use neighbour availability even
// when the compared neighbour was itself pruned; no other pairs are compared.
TEST_CASE(spatialPruning) {
  const int x = 16, y = 16, w = 8, h = 8;
  {
    Fixture f;
    const MotionInfo m = uni(0, 0, 7, -7);
    f.put(x + w - 1, y - 1, m);  // B1
    f.put(x - 1, y + h - 1, m);  // A1 == B1 -> pruned
    f.put(x + w, y - 1, m);      // B0 == B1 -> pruned
    f.put(x - 1, y + h, m);      // A0 == A1 (available, though pruned) -> pruned
    f.put(x - 1, y - 1, m);      // B2 == A1 -> pruned
    MotionInfo list[kMaxMergeCand];
    buildMergeList(f.env, x, y, w, h, list);
    CHECK(same(list[0], m));
    // Only one real candidate: no pairwise (needs 2), zero candidates follow.
    CHECK(same(list[1], bi(0, 0, 0, 0, 0, 0)));
    CHECK(same(list[2], bi(1, 0, 0, 1, 0, 0)));
    CHECK(same(list[3], bi(0, 0, 0, 0, 0, 0)));
  }
  {
    // A0 == B1 but A0 is only compared with A1: kept. B0 == A1: B0 only compared with B1: kept.
    Fixture f;
    const MotionInfo p = uni(0, 0, 1, 0), q = uni(0, 0, 2, 0);
    f.put(x + w - 1, y - 1, p);  // B1
    f.put(x - 1, y + h - 1, q);  // A1
    f.put(x + w, y - 1, q);      // B0 (== A1)
    f.put(x - 1, y + h, p);      // A0 (== B1)
    MotionInfo list[kMaxMergeCand];
    buildMergeList(f.env, x, y, w, h, list);
    CHECK(same(list[0], p) && same(list[1], q) && same(list[2], q) && same(list[3], p), "non-compared pairs kept");
  }
  {
    // Same MVs but different refIdx or interDir are different candidates.
    Fixture f;
    f.put(x + w - 1, y - 1, uni(0, 0, 5, 5));
    f.put(x - 1, y + h - 1, uni(0, 1, 5, 5));
    f.put(x - 1, y - 1, bi(0, 5, 5, 0, 0, 0));
    MotionInfo list[kMaxMergeCand];
    buildMergeList(f.env, x, y, w, h, list);
    CHECK(same(list[0], uni(0, 0, 5, 5)) && same(list[1], uni(0, 1, 5, 5)) && same(list[2], bi(0, 5, 5, 0, 0, 0)));
  }
}

// HMVP in merge: newest first, the two newest compared with A1 and B1 only, stop at
// MaxNumMergeCand - 1, then pairwise.
TEST_CASE(mergeHmvp) {
  const int x = 32, y = 32, w = 8, h = 8;
  Fixture f;
  const MotionInfo mB1 = uni(0, 0, 10, 0), mA1 = uni(0, 0, 20, 0);
  f.put(x + w - 1, y - 1, mB1);
  f.put(x - 1, y + h - 1, mA1);
  // Table oldest -> newest: H0..H4. H4 (newest) == A1 -> pruned; H3 new; H2 == B1 but third
  // newest -> not compared, kept; H1 kept -> list full at 5; H0 unused.
  const MotionInfo h0 = uni(1, 0, 0, 1), h1 = uni(1, 1, 0, 2), h2 = mB1, h3 = bi(0, -3, -5, 1, 7, 9), h4 = mA1;
  for (const MotionInfo& m : {h0, h1, h2, h3, h4}) updateHmvp(f.hmvp, m);
  CHECK_EQ(f.hmvp.num, 5);
  MotionInfo list[kMaxMergeCand];
  buildMergeList(f.env, x, y, w, h, list);
  CHECK(same(list[0], mB1));
  CHECK(same(list[1], mA1));
  CHECK(same(list[2], h3), "newest pruned vs A1, next taken");
  CHECK(same(list[3], h2), "third newest not compared");
  CHECK(same(list[4], h1), "stop at MaxNumMergeCand-1");
  // Pairwise of B1 (10,0) and A1 (20,0): (15, 0).
  CHECK(same(list[5], uni(0, 0, 15, 0)));

  // Second-newest is also compared (with B1 here).
  Fixture g;
  g.put(x + w - 1, y - 1, mB1);
  g.put(x - 1, y + h - 1, mA1);
  for (const MotionInfo& m : {h0, mB1, h3}) updateHmvp(g.hmvp, m);
  buildMergeList(g.env, x, y, w, h, list);
  CHECK(same(list[2], h3));
  CHECK(same(list[3], h0), "second newest == B1 pruned");
  CHECK(same(list[4], uni(0, 0, 15, 0)), "pairwise after HMVP");

  // No spatial neighbours: HMVP candidates fill up to 5, the newest first.
  Fixture e;
  for (int i = 0; i < 5; ++i) updateHmvp(e.hmvp, uni(0, 0, i, 0));
  buildMergeList(e.env, x, y, w, h, list);
  for (int i = 0; i < 5; ++i) CHECK(same(list[i], uni(0, 0, 4 - i, 0)), "i=%d", i);
  CHECK(same(list[5], uni(0, 0, 3, 0)), "pairwise (4+3)/2 -> 3");
}

// 8.5.2.4 rounding of the averaged MVs (towards zero on halves, negative values included) and
// the per-list rules.
TEST_CASE(pairwise) {
  const int x = 16, y = 16, w = 8, h = 8;
  struct Case { int a, b, avg; };
  const Case cases[] = {{-3, 0, -1}, {-1, 0, 0}, {-5, -4, -4}, {3, 0, 1}, {1, 0, 0}, {-7, 2, -2}, {-2, 0, -1}, {9, -4, 2}};
  for (const Case& c : cases) {
    Fixture f;
    f.put(x + w - 1, y - 1, uni(0, 1, c.a, c.b));
    f.put(x - 1, y + h - 1, uni(0, 0, c.b, c.a));
    MotionInfo list[kMaxMergeCand];
    buildMergeList(f.env, x, y, w, h, list);
    CHECK_EQ(list[2].mv[0].x, c.avg);
    CHECK_EQ(list[2].mv[0].y, c.avg);
    CHECK_EQ(list[2].refIdx[0], 1);  // refIdx of candidate 0 even though candidate 1 uses 0
    CHECK_EQ(list[2].interDir, 1);
  }
  {
    // Candidate 0 has L0 only, candidate 1 has L1 only: the average takes each list as is.
    Fixture f;
    f.put(x + w - 1, y - 1, uni(0, 1, -9, 3));
    f.put(x - 1, y + h - 1, uni(1, 0, 4, -4));
    MotionInfo list[kMaxMergeCand];
    buildMergeList(f.env, x, y, w, h, list);
    CHECK(same(list[2], bi(1, -9, 3, 0, 4, -4)));
  }
  {
    // Bi + L1-only: L0 copied from candidate 0, L1 averaged.
    Fixture f;
    f.put(x + w - 1, y - 1, bi(0, 8, 8, 1, -3, -3));
    f.put(x - 1, y + h - 1, uni(1, 0, -4, 0));
    MotionInfo list[kMaxMergeCand];
    buildMergeList(f.env, x, y, w, h, list);
    CHECK(same(list[2], bi(0, 8, 8, 1, -3, -1)), "(-7)/2 -> -3, (-3)/2 -> -1");
  }
}

TEST_CASE(zeroCandidates) {
  MotionInfo list[kMaxMergeCand];
  {
    Fixture f(SliceType::kB, 1, 1);
    CHECK_EQ(buildMergeList(f.env, 0, 0, 16, 16, list), 6);
    for (int i = 0; i < 6; ++i) CHECK(same(list[i], bi(0, 0, 0, 0, 0, 0)), "1 ref, i=%d", i);
  }
  {
    Fixture f(SliceType::kB, 2, 2);
    buildMergeList(f.env, 0, 0, 16, 16, list);
    CHECK(same(list[0], bi(0, 0, 0, 0, 0, 0)));
    CHECK(same(list[1], bi(1, 0, 0, 1, 0, 0)));
    for (int i = 2; i < 6; ++i) CHECK(same(list[i], bi(0, 0, 0, 0, 0, 0)), "2 refs, i=%d", i);
  }
  {
    // numRefIdx = min over both lists for B.
    Fixture f(SliceType::kB, 3, 2);
    buildMergeList(f.env, 0, 0, 16, 16, list);
    CHECK_EQ(list[1].refIdx[0], 1);
    CHECK_EQ(list[2].refIdx[0], 0);
  }
  {
    Fixture f(SliceType::kP, 3, 0);
    buildMergeList(f.env, 0, 0, 16, 16, list);
    for (int i = 0; i < 6; ++i) {
      CHECK_EQ(list[i].interDir, 1);
      CHECK_EQ(list[i].refIdx[0], i < 3 ? i : 0);
      CHECK_EQ(list[i].refIdx[1], -1);
    }
  }
  {
    // Zero candidates continue counting from where earlier candidates left off: the index
    // counts zero candidates only.
    Fixture f(SliceType::kB, 2, 2);
    f.put(15, 31, uni(0, 0, 4, 4));  // A1 of (16,16,16,16)
    buildMergeList(f.env, 16, 16, 16, 16, list);
    CHECK(same(list[0], uni(0, 0, 4, 4)));
    CHECK(same(list[1], bi(0, 0, 0, 0, 0, 0)));
    CHECK(same(list[2], bi(1, 0, 0, 1, 0, 0)));
  }
}

// Availability: outside the picture or intra / uncoded (interDir 0) neighbours are skipped.
TEST_CASE(boundary) {
  MotionInfo list[kMaxMergeCand];
  {
    // CU at the top-right corner of the picture: B0 would be outside (x = 64).
    Fixture f;
    f.put(47, 20, uni(0, 0, 1, 1));  // A1 of (48,16,16,8) -> (47, 23)
    buildMergeList(f.env, 48, 16, 16, 8, list);
    CHECK(same(list[0], uni(0, 0, 1, 1)));
    CHECK(same(list[1], bi(0, 0, 0, 0, 0, 0)));
    // A CU at the picture's bottom-left: A0 below the picture, A1 at x = -1 unavailable.
    Fixture g;
    g.put(15, 47, uni(0, 0, 9, 9));  // B1 of (0,48,16,16)
    g.put(16, 47, uni(0, 0, 8, 8));  // B0
    buildMergeList(g.env, 0, 48, 16, 16, list);
    CHECK(same(list[0], uni(0, 0, 9, 9)) && same(list[1], uni(0, 0, 8, 8)));
  }
  {
    // Picture width not a multiple of the CU: B0 just right of the picture edge (x = 60).
    Fixture f(SliceType::kB, 2, 2, 60, 64);
    f.put(59, 15, uni(0, 0, 3, 3));  // B1 of (52,16,8,8)... -> (59, 15)
    buildMergeList(f.env, 52, 16, 8, 8, list);
    CHECK(same(list[0], uni(0, 0, 3, 3)));
    Mv amvp[2];
    buildAmvpList(f.env, 52, 16, 8, 8, 0, 0, amvp);
    CHECK(amvp[0] == Mv(4, 4), "rounded (3,3) -> (4,4)");
  }
  {
    // Intra neighbours (interDir 0) are unavailable.
    Fixture f;
    f.put(23, 15, MotionInfo{});
    buildMergeList(f.env, 16, 16, 8, 8, list);
    CHECK(same(list[0], bi(0, 0, 0, 0, 0, 0)));
  }
}

TEST_CASE(bi8x4BecomesUni) {
  const int x = 16, y = 16;
  for (int shape = 0; shape < 2; ++shape) {
    const int w = shape ? 4 : 8, h = shape ? 8 : 4;
    Fixture f;
    const MotionInfo b = bi(1, 5, 6, 0, -7, -8), c = bi(0, 1, 1, 1, 3, 3);
    f.put(x + w - 1, y - 1, b);
    f.put(x - 1, y + h - 1, c);
    MotionInfo list[kMaxMergeCand];
    buildMergeList(f.env, x, y, w, h, list);
    CHECK(same(list[0], uni(0, 1, 5, 6)));
    CHECK(same(list[1], uni(0, 0, 1, 1)));
    // Pairwise computed from the bi candidates, then converted: L0 (3, 3) (6/2, 7/2 -> 3).
    CHECK(same(list[2], uni(0, 1, 3, 3)));
    for (int i = 0; i < 6; ++i) {
      CHECK(list[i].interDir != 3);
      CHECK(list[i].refIdx[1] == -1 && list[i].mv[1] == Mv());
    }
    // 8x8 keeps bi (its B1 is the same 4x4 block as the 8x4's).
    if (shape == 0) {
      buildMergeList(f.env, x, y, 8, 8, list);
      CHECK(same(list[0], b));
    }
  }
}

// MMVD (8.5.2.7): offsets 2^dist quarter samples in four directions; a bi candidate moves the list
// with the larger POC distance by the offset and the other by the scaled offset; equal POCs move both
// alike; 8x4 / 4x8 drop list 1 after the offsets.
TEST_CASE(mmvdOffsets) {
  Fixture f;  // POC 8; L0 = {0, 16}, L1 = {16, 0}
  const MotionInfo u = uni(0, 0, 10, -20);
  CHECK(same(mmvdMotion(f.slice, u, 0, 0, 16, 16), uni(0, 0, 14, -20)));   // +1/4 sample in x (4 sixteenths)
  CHECK(same(mmvdMotion(f.slice, u, 2, 1, 16, 16), uni(0, 0, -6, -20)));   // -1 sample in x
  CHECK(same(mmvdMotion(f.slice, u, 7, 2, 16, 16), uni(0, 0, 10, 492)));   // +32 samples in y
  CHECK(same(mmvdMotion(f.slice, u, 3, 3, 16, 16), uni(0, 0, 10, -52)));   // -2 samples in y
  // bi, L0 ref POC 0 (distance 8), L1 ref POC 16 (distance -8): same distance, opposite sides -> mirrored
  const MotionInfo b = bi(0, 0, 0, 0, 0, 0);
  CHECK(same(mmvdMotion(f.slice, b, 1, 0, 16, 16), bi(0, 8, 0, 0, -8, 0)));
  // bi with both references POC 0 (L0[0], L1[1]): equal POC differences -> the same offset
  const MotionInfo s = bi(0, 0, 0, 1, 0, 0);
  CHECK(same(mmvdMotion(f.slice, s, 1, 2, 16, 16), bi(0, 0, 8, 1, 0, 8)));
  // L0 POC 4 (distance 4, refIdx 2), L1 POC 16 (distance -8): L1 takes the offset, L0 half of it mirrored
  f.refs.num[0] = 4;
  const MotionInfo h = bi(2, 0, 0, 0, 0, 0);
  CHECK(same(mmvdMotion(f.slice, h, 2, 0, 16, 16), bi(2, -8, 0, 0, 16, 0)));
  // 8x4: bi offsets first, then list 0 alone
  CHECK(same(mmvdMotion(f.slice, h, 2, 0, 8, 4), uni(0, 2, -8, 0)));
}

// AMVP: same-POC references in either list, A/B groups, rounding, dedupe, HMVP, zero fill.
TEST_CASE(amvp) {
  const int x = 16, y = 16, w = 8, h = 8;
  Mv out[2];
  {
    // Target L0 refIdx 0 = POC 0. A1 refers to L1 refIdx 1 = POC 0 -> usable. B1 refers to
    // L0 refIdx 1 = POC 16 and L1 refIdx 0 = POC 16 -> not usable; B2 L0 refIdx 0 -> usable.
    Fixture f;
    f.put(x - 1, y + h - 1, uni(1, 1, 9, -9));
    f.put(x + w - 1, y - 1, bi(1, 100, 100, 0, 200, 200));
    f.put(x - 1, y - 1, uni(0, 0, -6, 2));
    buildAmvpList(f.env, x, y, w, h, 0, 0, out);
    CHECK(out[0] == Mv(8, -8), "(9,-9) rounded to quarter: (8,-8)");  // 9 -> (9+2-1)>>2=2 -> 8; -9 -> (-9+2)>>2=-2 -> -8
    CHECK(out[1] == Mv(-4, 0), "(-6,2) -> (-4,0)");
    // Target L1 refIdx 0 = POC 16: B1's L1 (200,200) first (list X before list Y).
    buildAmvpList(f.env, x, y, w, h, 1, 0, out);
    CHECK(out[0] == Mv(200, 200));
    CHECK(out[1] == Mv(0, 0));
    // Target L0 refIdx 1 = POC 16: B1's L0 (100,100) comes first.
    buildAmvpList(f.env, x, y, w, h, 0, 1, out);
    CHECK(out[0] == Mv(100, 100));
  }
  {
    // A0 has priority over A1; B0 over B1 over B2.
    Fixture f;
    f.put(x - 1, y + h, uni(0, 0, 40, 0));      // A0
    f.put(x - 1, y + h - 1, uni(0, 0, 44, 0));  // A1
    f.put(x + w, y - 1, uni(0, 0, 48, 0));      // B0
    f.put(x + w - 1, y - 1, uni(0, 0, 52, 0));  // B1
    buildAmvpList(f.env, x, y, w, h, 0, 0, out);
    CHECK(out[0] == Mv(40, 0) && out[1] == Mv(48, 0));
    // A0 unusable (other POC): A1 taken.
    f.put(x - 1, y + h, uni(0, 1, 40, 0));
    buildAmvpList(f.env, x, y, w, h, 0, 0, out);
    CHECK(out[0] == Mv(44, 0));
  }
  {
    // A and B equal after rounding -> one, then HMVP (oldest first), no pruning vs spatial.
    Fixture f;
    f.put(x - 1, y + h - 1, uni(0, 0, 17, 0));  // -> 16
    f.put(x + w - 1, y - 1, uni(0, 0, 15, 0));  // -> 16
    updateHmvp(f.hmvp, uni(0, 1, 77, 0));        // oldest: POC 16, unusable for POC 0
    updateHmvp(f.hmvp, uni(1, 1, 33, 0));        // L1 refIdx 1 = POC 0 -> usable, -> 32
    updateHmvp(f.hmvp, uni(0, 0, 66, 0));        // newest: usable but comes later
    buildAmvpList(f.env, x, y, w, h, 0, 0, out);
    CHECK(out[0] == Mv(16, 0));
    CHECK(out[1] == Mv(32, 0), "HMVP oldest-first");
    // Spatial duplicate of an HMVP MV is not pruned.
    Fixture g;
    g.put(x - 1, y + h - 1, uni(0, 0, 16, 0));
    updateHmvp(g.hmvp, uni(0, 0, 16, 0));
    buildAmvpList(g.env, x, y, w, h, 0, 0, out);
    CHECK(out[0] == Mv(16, 0) && out[1] == Mv(16, 0));
    // HMVP only: a bi entry can supply both predictors (list X then list Y).
    Fixture e;
    e.refs.ref[1][0].poc = 0;  // L1[0] also POC 0 (as in low delay)
    updateHmvp(e.hmvp, bi(0, 4, 4, 0, 8, 8));
    buildAmvpList(e.env, x, y, w, h, 0, 0, out);
    CHECK(out[0] == Mv(4, 4) && out[1] == Mv(8, 8));
  }
  {
    // Only the 4 oldest HMVP entries are examined.
    Fixture f;
    for (int i = 0; i < 4; ++i) updateHmvp(f.hmvp, uni(0, 1, 4 * i, 0));  // POC 16: unusable
    updateHmvp(f.hmvp, uni(0, 0, 400, 0));  // fifth (newest) usable but not examined
    buildAmvpList(f.env, x, y, w, h, 0, 0, out);
    CHECK(out[0] == Mv(0, 0) && out[1] == Mv(0, 0));
  }
  {
    // Invalid refIdx: zero predictors, no crash.
    Fixture f;
    buildAmvpList(f.env, x, y, w, h, 0, 3, out);
    CHECK(out[0] == Mv() && out[1] == Mv());
  }
}

TEST_CASE(hmvpUpdate) {
  HmvpTable t;
  for (int i = 0; i < 5; ++i) updateHmvp(t, uni(0, 0, i, 0));
  CHECK_EQ(t.num, 5);
  // Identical entry moves to the newest position, the table does not grow.
  updateHmvp(t, uni(0, 0, 1, 0));
  CHECK_EQ(t.num, 5);
  const int expect1[5] = {0, 2, 3, 4, 1};
  for (int i = 0; i < 5; ++i) CHECK_EQ(t.cand[i].mv[0].x, expect1[i]);
  // New entry on a full table drops the oldest.
  updateHmvp(t, uni(0, 0, 9, 0));
  const int expect2[5] = {2, 3, 4, 1, 9};
  for (int i = 0; i < 5; ++i) CHECK_EQ(t.cand[i].mv[0].x, expect2[i]);
  // Not full: an identical entry is still removed first.
  HmvpTable s;
  updateHmvp(s, uni(0, 0, 1, 0));
  updateHmvp(s, uni(0, 0, 2, 0));
  updateHmvp(s, uni(0, 0, 1, 0));
  CHECK_EQ(s.num, 2);
  CHECK_EQ(s.cand[0].mv[0].x, 2);
  CHECK_EQ(s.cand[1].mv[0].x, 1);
  // Different refIdx / list -> different entry.
  updateHmvp(s, uni(0, 1, 2, 0));
  updateHmvp(s, uni(1, 0, 2, 0));
  CHECK_EQ(s.num, 4);
}

TEST_CASE(roundClip) {
  CHECK(roundMv(Mv(-3, 3), 1, 0) == Mv(-1, 1));
  CHECK(roundMv(Mv(-2, 2), 2, 2) == Mv(0, 0));   // halves towards zero
  CHECK(roundMv(Mv(-6, 6), 2, 2) == Mv(-4, 4));  // -1.5 -> -1, 1.5 -> 1
  CHECK(roundMv(Mv(-7, 7), 2, 2) == Mv(-8, 8));
  CHECK(roundMv(Mv(-5, 5), 0, 2) == Mv(-20, 20));
  CHECK(clipMv(Mv(1 << 17, -(1 << 17) - 5)) == Mv((1 << 17) - 1, -(1 << 17)));
  CHECK(clipMv(Mv(-100, 100)) == Mv(-100, 100));
}

// P slice: list 1 never appears.
TEST_CASE(pSlice) {
  Fixture f(SliceType::kP, 2, 0);
  f.put(15, 15, uni(0, 1, 5, 5));  // B2 of (16,16,8,8)
  f.put(23, 15, uni(0, 0, -5, 5));  // B1
  MotionInfo list[kMaxMergeCand];
  buildMergeList(f.env, 16, 16, 8, 8, list);
  CHECK(same(list[0], uni(0, 0, -5, 5)));
  CHECK(same(list[1], uni(0, 1, 5, 5)));
  CHECK(same(list[2], uni(0, 0, 0, 5)), "pairwise L0 only");
  CHECK(same(list[3], uni(0, 0, 0, 0)));
  CHECK(same(list[4], uni(0, 1, 0, 0)));
}


// ---- temporal MV prediction

// Fixture with TMVP: the collocated picture is POC 16 (= L1[0] = L0[1] of the POC-8 picture),
// whose own slice referred to L0 = {POC 0}, L1 = {POC 32}.
struct TmvpFixture : Fixture {
  MotionField col;
  RefPicLists colLists;
  explicit TmvpFixture(SliceType type = SliceType::kB, int picW = 256, int picH = 256)
      : Fixture(type, 2, 2, picW, picH) {
    col.init(picW, picH);
    colLists.num[0] = colLists.num[1] = 1;
    colLists.ref[0][0].poc = 0;
    colLists.ref[1][0].poc = 32;
    col.setRefs(16, 30, &colLists);
    for (int l = 0; l < 2; ++l)
      for (int i = 0; i < 4; ++i)
        if (refs.ref[l][i].poc == 16) refs.ref[l][i].motion = &col;
    slice.tmvp = true;
    slice.colFromL0 = false;  // RefPicList[1][0]
    slice.colRefIdx = 0;
    if (type == SliceType::kP) { slice.colFromL0 = true; slice.colRefIdx = 1; }  // L0[1] = POC 16
  }
  void putCol(int x, int y, int w, int h, const MotionInfo& mi) { col.set(x, y, w, h, mi); }
};

TEST_CASE(tmvpArithmetic) {
  CHECK_EQ(distScaleFactor(8, 16), 128);     // half the distance
  CHECK_EQ(distScaleFactor(-8, 16), -128);   // (-8192 + 32) >> 6 = -128 (floor)
  CHECK_EQ(distScaleFactor(16, 16), 256);    // 1.0
  CHECK_EQ(distScaleFactor(24, -16), -384);  // tx = 16392 / -16 = -1024 (truncated)
  CHECK_EQ(distScaleFactor(127, 1), 4095);   // clipped
  CHECK_EQ(distScaleFactor(500, 1), 4095);   // POC distances clipped to [-128, 127] first
  CHECK_EQ(distScaleFactor(-500, 1), -4096);
  CHECK_EQ(distScaleFactor(1, 300), distScaleFactor(1, 127));
  // Collocated MVs keep 6 significant bits.
  CHECK_EQ(roundCollocatedMvComponent(63), 63);
  CHECK_EQ(roundCollocatedMvComponent(-64), -64);
  CHECK_EQ(roundCollocatedMvComponent(64), 64);
  CHECK_EQ(roundCollocatedMvComponent(65), 66);    // step 2, halves up
  CHECK_EQ(roundCollocatedMvComponent(-65), -64);
  CHECK_EQ(roundCollocatedMvComponent(-66), -66);
  CHECK_EQ(roundCollocatedMvComponent(127), 128);
  CHECK_EQ(roundCollocatedMvComponent(1000), 1008);  // step 16: 62.5 -> 63
  CHECK_EQ(roundCollocatedMvComponent(131071), 131072);  // the caller clips to 18 bits
  for (int v = -5000; v <= 5000; ++v) {
    const int r = roundCollocatedMvComponent(v);
    if (std::abs(r - v) * 64 > std::abs(v) + 64) { CHECK(false, "v %d -> %d too far", v, r); break; }
  }
}

// Bottom-right then centre, the 8x8 read grid, the CTU row / picture limits, the size limit.
TEST_CASE(tmvpPositions) {
  Mv mv;
  {
    TmvpFixture f;
    // CU (16,16,16,16): bottom-right (32,32); motion stored only in the 4x4 at (32,32).
    f.putCol(32, 32, 4, 4, uni(0, 0, 64, -32));  // refers to POC 0: colPocDiff 16
    CHECK(temporalMv(f.env, 16, 16, 16, 16, 0, 0, mv) && mv == Mv(32, -16), "L0 POC 0: half");
    CHECK(temporalMv(f.env, 16, 16, 16, 16, 1, 0, mv) && mv == Mv(-32, 16), "L1 POC 16: minus half");
    // A bottom-right 4x4 that is not the 8x8 block's top-left is never read: the centre (24,24)
    // is used instead.
    f.putCol(32, 32, 4, 4, MotionInfo{});
    f.putCol(36, 36, 4, 4, uni(0, 0, 64, 64));
    CHECK(!temporalMv(f.env, 16, 16, 16, 16, 0, 0, mv), "nothing at (32,32) or (24,24)");
    f.putCol(24, 24, 4, 4, uni(0, 0, 32, 0));
    CHECK(temporalMv(f.env, 16, 16, 16, 16, 0, 0, mv) && mv == Mv(16, 0), "centre");
    // An intra bottom-right block falls back to the centre as well (intra = interDir 0).
    // An 8x8 CU (64 samples) gets a temporal MV; 8x4 / 4x8 (32) never do.
    f.putCol(24, 24, 4, 4, MotionInfo{});        // bottom-right of (16,16,8,8): intra
    f.putCol(16, 16, 4, 4, uni(0, 0, -64, 0));  // centre of (16,16,8,8) is (20,20) -> read (16,16)
    CHECK(temporalMv(f.env, 16, 16, 8, 8, 0, 0, mv) && mv == Mv(-32, 0), "8x8 centre on the 8x8 grid");
    CHECK(!temporalMv(f.env, 16, 16, 8, 4, 0, 0, mv) && !temporalMv(f.env, 16, 16, 4, 8, 0, 0, mv), "8x4/4x8");
  }
  {
    // Bottom-right in the next CTU row (y + h = 128): centre used.
    TmvpFixture f;
    f.putCol(64, 128, 8, 8, uni(0, 0, 160, 0));
    f.putCol(56, 120, 8, 8, uni(0, 0, 16, 0));
    CHECK(temporalMv(f.env, 48, 112, 16, 16, 0, 0, mv) && mv == Mv(8, 0), "CTU row limit -> centre");
    // Same CTU row (y + h = 120): bottom-right used.
    f.putCol(64, 120, 8, 8, uni(0, 0, 160, 0));
    f.putCol(56, 112, 8, 8, uni(0, 0, 16, 0));
    CHECK(temporalMv(f.env, 48, 104, 16, 16, 0, 0, mv) && mv == Mv(80, 0), "bottom-right in the row");
  }
  {
    // Right / bottom picture edge: centre used.
    TmvpFixture f(SliceType::kB, 64, 48);
    f.putCol(56, 40, 8, 8, uni(0, 0, 32, 0));   // centre of (48,32,16,16)
    CHECK(temporalMv(f.env, 48, 32, 16, 16, 0, 0, mv) && mv == Mv(16, 0), "right/bottom edge");
    f.putCol(32, 40, 8, 8, uni(0, 0, 8, 0));    // centre of (24,32,16,16) is (32,40)
    CHECK(temporalMv(f.env, 24, 32, 16, 16, 0, 0, mv) && mv == Mv(4, 0), "bottom edge");
  }
  {
    // TMVP off, bad collocated index, collocated picture without a motion field: nothing.
    TmvpFixture f;
    f.putCol(0, 0, 256, 256, uni(0, 0, 64, 0));
    f.slice.tmvp = false;
    CHECK(!temporalMv(f.env, 16, 16, 16, 16, 0, 0, mv));
    f.slice.tmvp = true;
    f.slice.colRefIdx = 2;
    CHECK(!temporalMv(f.env, 16, 16, 16, 16, 0, 0, mv));
    f.slice.colRefIdx = 1;  // L1[1] = POC 0: no motion field attached
    CHECK(!temporalMv(f.env, 16, 16, 16, 16, 0, 0, mv));
    f.slice.colRefIdx = 0;
    CHECK(temporalMv(f.env, 16, 16, 16, 16, 0, 0, mv));
    CHECK(!temporalMv(f.env, 16, 16, 16, 16, 0, 5, mv), "invalid target refIdx");
  }
}

// Which list of a bi collocated block, scaling vs copy, long-term mismatch.
TEST_CASE(tmvpListChoice) {
  Mv mv;
  const MotionInfo colBi = bi(0, 64, 0, 0, 0, 96);  // L0 -> POC 0 (diff 16), L1 -> POC 32 (diff -16)
  {
    // References after the current picture (POC 16 > 8): list N = sh_collocated_from_l0_flag.
    TmvpFixture f;
    f.putCol(0, 0, 256, 256, colBi);
    // colFromL0 = 0 -> N = 0: the L0 MV for both target lists.
    CHECK(temporalMv(f.env, 16, 16, 16, 16, 0, 0, mv) && mv == Mv(32, 0));
    CHECK(temporalMv(f.env, 16, 16, 16, 16, 1, 0, mv) && mv == Mv(-32, 0));
    // colFromL0 = 1 (collocated = L0[1], the same picture) -> N = 1: the L1 MV, diff -16.
    f.slice.colFromL0 = true;
    f.slice.colRefIdx = 1;
    CHECK(temporalMv(f.env, 16, 16, 16, 16, 0, 0, mv) && mv == Mv(0, -48));  // 8 / -16: -128
    CHECK(temporalMv(f.env, 16, 16, 16, 16, 1, 0, mv) && mv == Mv(0, 48));
    // A uni collocated block uses its one list whatever the flag says.
    f.putCol(0, 0, 256, 256, uni(0, 0, 64, 0));
    CHECK(temporalMv(f.env, 16, 16, 16, 16, 1, 0, mv) && mv == Mv(-32, 0));
  }
  {
    // No reference after the current picture (POC 40): list X of the collocated block.
    TmvpFixture f;
    f.slice.poc = 40;
    f.putCol(0, 0, 256, 256, colBi);
    CHECK(temporalMv(f.env, 16, 16, 16, 16, 0, 0, mv) && mv == Mv(160, 0), "L0: 40/16 -> 640");
    CHECK(temporalMv(f.env, 16, 16, 16, 16, 1, 0, mv) && mv == Mv(0, -144), "L1: 24/-16 -> -384");
  }
  {
    // Equal POC distances: copied (after the 6-bit rounding), not scaled.
    TmvpFixture f;
    f.slice.poc = 32;  // target L0[1] = POC 16: diff 16 = the collocated L0 diff
    f.putCol(0, 0, 256, 256, uni(0, 0, 1000, -65));
    CHECK(temporalMv(f.env, 16, 16, 16, 16, 0, 1, mv) && mv == Mv(1008, -64));
    // Long-term target with a short-term collocated reference: unavailable.
    f.refs.ref[0][1].longTerm = true;
    CHECK(!temporalMv(f.env, 16, 16, 16, 16, 0, 1, mv));
  }
}

// The temporal candidate's place in the merge list (after spatial, before HMVP) and in AMVP
// (only with fewer than two spatial predictors; rounded to quarter samples).
TEST_CASE(tmvpInLists) {
  const int x = 16, y = 16, w = 16, h = 16;
  MotionInfo list[kMaxMergeCand];
  {
    TmvpFixture f;
    f.putCol(32, 32, 8, 8, uni(0, 0, 64, -32));
    buildMergeList(f.env, x, y, w, h, list);
    CHECK(same(list[0], bi(0, 32, -16, 0, -32, 16)), "temporal bi with refIdx 0/0");
    const MotionInfo b1 = uni(0, 1, 4, 4);
    f.put(x + w - 1, y - 1, b1);
    updateHmvp(f.hmvp, uni(1, 1, 8, 8));
    buildMergeList(f.env, x, y, w, h, list);
    CHECK(same(list[0], b1) && same(list[1], bi(0, 32, -16, 0, -32, 16)) && same(list[2], uni(1, 1, 8, 8)),
          "spatial, temporal, HMVP");
    // Collocated block with only L1 motion pointing to POC 32 (diff -16): target L0 POC 0 (diff 8)
    // and L1 POC 16 (diff -8) both scale from it.
    f.putCol(32, 32, 8, 8, uni(1, 0, 0, 64));
    buildMergeList(f.env, x, y, w, h, list);
    CHECK(same(list[1], bi(0, 0, -32, 0, 0, 32)));
    // 8x4 CU (no spatial neighbour there): no temporal candidate, the HMVP entry comes first.
    buildMergeList(f.env, x, y, 8, 4, list);
    CHECK(same(list[0], uni(1, 1, 8, 8)), "8x4: no temporal candidate");
  }
  {
    // P slice: L0 only.
    TmvpFixture f(SliceType::kP);
    f.putCol(32, 32, 8, 8, bi(0, 64, 0, 0, 0, 96));
    buildMergeList(f.env, x, y, w, h, list);
    CHECK(same(list[0], uni(0, 0, 0, -48)), "P: list 1 of the collocated block (N = 1), L0 only");
  }
  {
    Mv out[2];
    TmvpFixture f;
    f.putCol(32, 32, 8, 8, uni(0, 0, 70, 6));  // half: (35, 3) -> quarter grid (36, 4)
    buildAmvpList(f.env, x, y, w, h, 0, 0, out);
    CHECK(out[0] == Mv(36, 4) && out[1] == Mv(0, 0), "temporal first without spatial");
    f.put(x - 1, y + h - 1, uni(0, 0, 8, 8));  // A1
    updateHmvp(f.hmvp, uni(0, 0, 40, 40));
    buildAmvpList(f.env, x, y, w, h, 0, 0, out);
    CHECK(out[0] == Mv(8, 8) && out[1] == Mv(36, 4), "temporal before HMVP");
    f.put(x + w - 1, y - 1, uni(0, 0, 8, 8));  // B1 == A1: deduped, temporal still added
    buildAmvpList(f.env, x, y, w, h, 0, 0, out);
    CHECK(out[0] == Mv(8, 8) && out[1] == Mv(36, 4));
    f.put(x + w - 1, y - 1, uni(0, 0, 12, 8));  // two distinct spatial: no temporal
    buildAmvpList(f.env, x, y, w, h, 0, 0, out);
    CHECK(out[0] == Mv(8, 8) && out[1] == Mv(12, 8));
  }
}

// SPS / picture header / slice header syntax of TMVP survives a write-parse round trip.
TEST_CASE(tmvpSyntax) {
  SpsInfo sps;
  sps.width = 64; sps.height = 64;
  sps.part.picWidth = 64; sps.part.picHeight = 64;
  configureRandomAccess(sps, 5, 4);
  buildChromaQpTable(sps);
  sps.temporalMvpEnabled = true;
  const SpsInfo sps2 = parseSps(writeSps(sps));
  CHECK(sps2.temporalMvpEnabled);
  PpsInfo pps;
  pps.width = pps.height = 64;
  struct Case { bool fromL0; int refIdx; int active0, active1; };
  const Case cases[] = {{false, 0, 2, 2}, {true, 1, 2, 2}, {false, 1, 1, 2}, {true, 0, 1, 1}};
  for (const Case& c : cases) {
    SliceInfo sh;
    sh.nalType = kNalTrail;
    sh.poc = 8;
    sh.sliceType = SliceType::kB;
    sh.sliceQp = 30;
    sh.rpl[0] = {0, 16};
    sh.rpl[1] = {16, 0};
    sh.numActive[0] = c.active0; sh.numActive[1] = c.active1;
    sh.temporalMvp = true;
    sh.collocatedFromL0 = c.fromL0;
    sh.collocatedRefIdx = c.refIdx;
    BitWriter bw;
    writeSliceHeader(bw, sps2, pps, sh);
    BitReader br(bw.bytes().data(), bw.bytes().size());
    const SliceInfo got = parseSliceHeader(br, kNalTrail, sps2, pps);
    CHECK(got.temporalMvp && got.collocatedFromL0 == c.fromL0 && got.collocatedRefIdx == c.refIdx,
          "fromL0 %d refIdx %d", int(c.fromL0), c.refIdx);
    CHECK_EQ(got.sliceQp, 30);
  }
}

}  // namespace

// SbTMVP (8.5.5.4): the collocated picture is POC 16 (L1[0]); references follow the current picture (POC 8), so a
// collocated block contributes to list X only through its own list X.
TEST_CASE(sbTmvp) {
  SbTmvpMotion c;
  {
    // no A1: no shift; centre (40, 40) of the CU (32, 32, 16, 16)
    TmvpFixture f;
    f.slice.sbTmvp = true;
    f.putCol(40, 40, 8, 8, uni(0, 0, 64, 0));                // L0 -> POC 0: scaled by 8 / 16
    CHECK(sbTmvpCandidate(f.env, 32, 32, 16, 16, c));
    CHECK(c.shift == Mv() && same(c.ctr, uni(0, 0, 32, 0)), "centre: list 0 only (the block has no list 1)");
    f.putCol(32, 32, 8, 8, MotionInfo{});                    // intra: the subblock takes the centre's motion
    f.putCol(40, 32, 8, 8, uni(0, 0, -32, 16));
    f.putCol(32, 40, 8, 8, bi(0, 16, 0, 0, 0, 64));         // L1 -> POC 32: (16 - 32) vs (8 - 16), half
    MotionInfo sub[4];
    sbTmvpSubblockMotion(f.slice, 7, 32, 32, 16, 16, c, sub);
    CHECK(same(sub[0], uni(0, 0, 32, 0)) && same(sub[1], uni(0, 0, -16, 8)), "subblocks 0, 1");
    CHECK(same(sub[2], bi(0, 8, 0, 0, 0, 32)) && same(sub[3], uni(0, 0, 32, 0)), "subblocks 2, 3");
    // an intra centre: no candidate; nor without the SPS / PH flags, nor below 8x8
    f.putCol(40, 40, 8, 8, MotionInfo{});
    CHECK(!sbTmvpCandidate(f.env, 32, 32, 16, 16, c));
    f.putCol(40, 40, 8, 8, uni(0, 0, 64, 0));
    CHECK(!sbTmvpCandidate(f.env, 32, 32, 8, 4, c));
    f.slice.sbTmvp = false;
    CHECK(!sbTmvpCandidate(f.env, 32, 32, 16, 16, c));
  }
  {
    // A1's list-1 MV refers to the collocated picture: the shift (0, 57/16) rounds to 4 samples (halves towards zero;
    // the floor, 3, would read the block above)
    TmvpFixture f;
    f.slice.sbTmvp = true;
    f.put(31, 47, uni(1, 0, 0, 57));                         // A1 of (32, 40, 16, 8); L1[0] = POC 16
    f.putCol(40, 40, 8, 8, uni(0, 0, 64, 0));
    f.putCol(40, 48, 8, 8, uni(0, 0, 0, 64));
    CHECK(sbTmvpCandidate(f.env, 32, 40, 16, 8, c));
    CHECK(c.shift == Mv(0, 57) && same(c.ctr, uni(0, 0, 0, 32)), "centre (40, 44) + (0, 4) reads (40, 48)");
    // A1's list-0 MV refers to POC 0, not the collocated picture: no shift
    f.put(31, 47, uni(0, 0, 0, 57));
    CHECK(sbTmvpCandidate(f.env, 32, 40, 16, 8, c) && c.shift == Mv() && same(c.ctr, uni(0, 0, 32, 0)));
  }
  {
    // the shifted centre is clipped to the CTU plus 3 columns: (120 + 20, 8) -> (131, 8) -> the 8x8 block at (128, 8)
    TmvpFixture f;
    f.slice.sbTmvp = true;
    f.put(111, 15, uni(1, 0, 20 * 16, 0));
    f.putCol(128, 8, 8, 8, uni(0, 0, 16, 0));
    f.putCol(136, 8, 8, 8, uni(0, 0, 48, 0));
    CHECK(sbTmvpCandidate(f.env, 112, 0, 16, 16, c) && same(c.ctr, uni(0, 0, 8, 0)), "clipped to x 131");
  }
}

int main(int argc, char** argv) { return runTestCases(argc, argv); }

// BCW (8.5.2.3 / 8.5.2.6 / 8.5.2.4 / 8.5.2.2): a bi spatial or history candidate brings its BcwIdx; the pairwise
// average, temporal and zero candidates have 0; 8x4 / 4x8 CUs drop it with list 1; candidate pruning ignores it
// (two neighbours with the same motion and different weights are one candidate); the HMVP update keeps the newer
// entry's weights; bcw_idx's cMax follows NoBackwardPredFlag.
TEST_CASE(bcwInheritance) {
  const int x = 16, y = 16, w = 16, h = 16;
  {
    Fixture f;
    MotionInfo b1 = bi(0, 4, 4, 1, 8, 8), a1 = bi(1, 2, 2, 0, 6, 6);
    b1.bcwIdx = 2;
    a1.bcwIdx = 1;
    f.put(x + w - 1, y - 1, b1);
    f.put(x - 1, y + h - 1, a1);
    MotionInfo list[kMaxMergeCand];
    CHECK_EQ(buildMergeList(f.env, x, y, w, h, list), 6);
    CHECK_EQ(list[0].bcwIdx, 2);
    CHECK_EQ(list[1].bcwIdx, 1);
    CHECK(same(list[2], bi(0, 3, 3, 1, 7, 7)), "pairwise");
    CHECK(list[2].bcwIdx == 0, "pairwise average: default weights");
    for (int i = 3; i < 6; ++i) CHECK(list[i].bcwIdx == 0, "zero candidates");
    // 8x4: list 1 dropped, and the weights with it
    buildMergeList(f.env, x, y, 8, 4, list);
    CHECK_EQ(list[0].interDir, 1);
    CHECK_EQ(list[0].bcwIdx, 0);
  }
  {
    // A1 has B1's motion with other weights: pruned (same motion), B1's weights stay
    Fixture f;
    MotionInfo b1 = bi(0, 4, 4, 1, 8, 8), a1 = b1;
    b1.bcwIdx = 1;
    a1.bcwIdx = 2;
    f.put(x + w - 1, y - 1, b1);
    f.put(x - 1, y + h - 1, a1);
    MotionInfo list[kMaxMergeCand];
    buildMergeList(f.env, x, y, w, h, list);
    CHECK(list[0].bcwIdx == 1);
    CHECK(!(list[1] == b1), "A1 pruned against B1 although its weights differ");
  }
  {
    // history: the update replaces an entry of equal motion by the newer one, weights included
    Fixture f;
    MotionInfo h0 = bi(0, 12, 0, 0, -12, 0), h1 = h0;
    h0.bcwIdx = 1;
    h1.bcwIdx = 2;
    updateHmvp(f.hmvp, h0);
    updateHmvp(f.hmvp, h1);
    CHECK_EQ(f.hmvp.num, 1);
    CHECK_EQ(f.hmvp.cand[0].bcwIdx, 2);
    MotionInfo list[kMaxMergeCand];
    buildMergeList(f.env, x, y, w, h, list);
    CHECK(same(list[0], h1));
    CHECK(list[0].bcwIdx == 2, "history candidate keeps its weights");
  }
  {
    Fixture f;
    CHECK(bcwMaxIdx(f.slice) == 0, "no BCW in the slice");
    f.slice.bcw = true;
    CHECK(bcwMaxIdx(f.slice) == 2, "a reference after the current picture: weights 4, 5, 3");
    f.refs.ref[1][0].poc = 6;  // every reference before POC 8
    f.refs.ref[0][1].poc = 2;
    CHECK(bcwMaxIdx(f.slice) == 4, "NoBackwardPredFlag 1: all five weights");
    f.slice.sliceType = SliceType::kP;
    CHECK(bcwMaxIdx(f.slice) == 0, "P slice");
  }
}
