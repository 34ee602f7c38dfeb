// Allowed-split rules (6.4.1-6.4.3), picture-boundary handling, mode-type condition and TU tiling
// with the signalled configuration (CTU 128, MinCb 4, MinQt 8, MaxMtt 3, MaxBt/Tt 32, MaxTb 64).
#include <cstdio>

#include "partition/partition.h"
#include "test_check.h"

using namespace nnvvc;


static TreeNode mk(int x, int y, int w, int h, int qt = 0, int mtt = 0) {
  TreeNode n; n.x = x; n.y = y; n.w = w; n.h = h; n.qtDepth = qt; n.mttDepth = mtt; return n;
}

static PartitionConfig config416x240() { PartitionConfig c; c.picWidth = 416; c.picHeight = 240; return c; }

TEST_CASE(allowedSplitsInside) {
  const PartitionConfig c = config416x240();
  // 128x128 inside: only QT (BT/TT exceed MaxBt/MaxTt 32)
  AllowedSplits a = allowedSplits(c, mk(0, 0, 128, 128));
  CHECK(a.qt && !a.btHor && !a.btVer && !a.ttHor && !a.ttVer);
  CHECK(!mustSplit(c, mk(0, 0, 128, 128)));
  // 32x32: everything
  a = allowedSplits(c, mk(0, 0, 32, 32, 2));
  CHECK(a.qt && a.btHor && a.btVer && a.ttHor && a.ttVer);
  // after an MTT split no QT; MTT depth limit 3
  a = allowedSplits(c, mk(0, 0, 32, 16, 2, 1));
  CHECK(!a.qt && a.btHor && a.btVer);
  a = allowedSplits(c, mk(0, 0, 16, 16, 2, 3));
  CHECK(!a.qt && !a.btHor && !a.btVer && !a.ttHor && !a.ttVer);
  // MinQt 8: no QT of 8x8; BT of 8x8 into 4x8 allowed; TT of 8 wide not (needs > 2*MinCb)
  a = allowedSplits(c, mk(0, 0, 8, 8, 4));
  CHECK(!a.qt && a.btHor && a.btVer && !a.ttHor && !a.ttVer);
  // TT middle part cannot be split again in the same direction by BT
  TreeNode mid = mk(8, 0, 16, 32, 2, 1); mid.partIdx = 1; mid.parentMtt = SplitMode::kTtVer;
  a = allowedSplits(c, mid);
  CHECK(!a.btVer && a.btHor);
}

TEST_CASE(pictureBoundarySplits) {
  const PartitionConfig c = config416x240();
  AllowedSplits a;
  // bottom boundary (240 = 128 + 112): CTU at y=128 must split; only QT (size > MaxBt)
  TreeNode b = mk(0, 128, 128, 128);
  CHECK(mustSplit(c, b));
  a = allowedSplits(c, b);
  CHECK(a.qt && !a.btHor && !a.btVer && !a.ttHor && !a.ttVer);
  // 32x32 crossing the bottom boundary (y 224..255 > 240): QT or BT_HOR, never vertical / TT
  b = mk(0, 224, 32, 32, 2);
  CHECK(mustSplit(c, b));
  a = allowedSplits(c, b);
  CHECK(a.qt && a.btHor && !a.btVer && !a.ttHor && !a.ttVer);
  // children outside the picture are skipped
  TreeNode kids[4];
  int k = childNodes(c, b, SplitMode::kBtHor, TreeType::kSingle, ModeType::kAll, kids);
  CHECK(k == 1 && kids[0].h == 16 && kids[0].depthOffset == 1);
  k = childNodes(c, mk(384, 128, 128, 128), SplitMode::kQt, TreeType::kSingle, ModeType::kAll, kids);
  CHECK(k == 2 && kids[0].x == 384 && kids[1].x == 384 && kids[1].y == 192 && kids[0].qtDepth == 1);  // right column (x 448) is outside
}

// mode-type condition (I slice, 4:2:0): splits creating chroma blocks below 4x4 / 2xN
TEST_CASE(modeTypeConstraint) {
  CHECK(modeTypeCondition(mk(0, 0, 8, 8), SplitMode::kQt, true) == 1);
  CHECK(modeTypeCondition(mk(0, 0, 8, 8), SplitMode::kBtVer, true) == 1);
  CHECK(modeTypeCondition(mk(0, 0, 8, 4), SplitMode::kBtVer, true) == 1);
  CHECK(modeTypeCondition(mk(0, 0, 16, 8), SplitMode::kTtVer, true) == 1);
  CHECK(modeTypeCondition(mk(0, 0, 8, 16), SplitMode::kBtVer, true) == 1);
  CHECK(modeTypeCondition(mk(0, 0, 16, 16), SplitMode::kTtVer, true) == 1);
  CHECK(modeTypeCondition(mk(0, 0, 16, 16), SplitMode::kQt, true) == 0);
  CHECK(modeTypeCondition(mk(0, 0, 16, 8), SplitMode::kBtHor, true) == 0);
  CHECK(modeTypeCondition(mk(0, 0, 8, 16), SplitMode::kBtVer, false) == 2);
}

// TU tiling of CUs above the 64x64 max TB, in decoding order
TEST_CASE(transformUnitTiling) {
  const PartitionConfig c = config416x240();
  CodingUnit cu; cu.x = 0; cu.y = 0; cu.w = 128; cu.h = 128;
  tileTransformUnits(c, cu);
  CHECK(cu.numTus == 4 && cu.tus[1].x == 64 && cu.tus[1].y == 0 && cu.tus[2].x == 0 && cu.tus[2].y == 64 && cu.tus[3].w == 64);
  cu.w = 64; cu.h = 128; tileTransformUnits(c, cu);
  CHECK(cu.numTus == 2 && cu.tus[1].y == 64 && cu.tus[1].h == 64);
  cu.w = 32; cu.h = 16; tileTransformUnits(c, cu);
  CHECK(cu.numTus == 1 && cu.tus[0].w == 32 && cu.tus[0].h == 16);
}

int main(int argc, char** argv) { return runTestCases(argc, argv); }
