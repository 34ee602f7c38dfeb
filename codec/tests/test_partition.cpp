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

// The chroma tree of a dual-tree I slice: its own limits (MinQtSizeC 8, MaxBtSizeC 64, MaxTtSizeC
// 32 in luma units; MaxMttDepthC), the 4:2:0 chroma-size rules, the 64x64 roots of a 128 CTU and
// the CclmEnabled propagation along the chroma splits.
TEST_CASE(dualTreeChromaRules) {
  PartitionConfig c = config416x240();
  c.dualTree = true;
  c.maxMttDepthC = 2;
  auto chroma = [](TreeNode n) { n.treeType = TreeType::kDualChroma; return n; };
  // 64x64 chroma root: QT and BT (MaxBtSizeC 64), no TT (MaxTtSizeC 32)
  AllowedSplits a = allowedSplits(c, chroma(mk(0, 0, 64, 64, 1)));
  CHECK(a.qt && a.btHor && a.btVer && !a.ttHor && !a.ttVer);
  // the luma tree at 64x64 keeps the luma limits (MaxBt 32): QT only
  TreeNode l = mk(0, 0, 64, 64, 1); l.treeType = TreeType::kDualLuma;
  a = allowedSplits(c, l);
  CHECK(a.qt && !a.btHor && !a.btVer);
  // 16x16 chroma node (8x8 chroma): QT (16 > MinQtSizeC 8), BT, horizontal TT (chroma area 64 > 32) but
  // no vertical TT (8 chroma columns)
  a = allowedSplits(c, chroma(mk(0, 0, 16, 16, 3)));
  CHECK(a.qt && a.btHor && a.btVer && a.ttHor && !a.ttVer);
  // 8x8 chroma node (4x4 chroma): nothing (QT <= MinQtSizeC, BT area <= 16)
  a = allowedSplits(c, chroma(mk(0, 0, 8, 8, 4)));
  CHECK(!a.any());
  // MaxMttDepthC 2: a chroma node at MTT depth 2 cannot split by BT/TT; the luma tree (MaxMtt 3) can
  a = allowedSplits(c, chroma(mk(0, 0, 32, 16, 2, 2)));
  CHECK(!a.btHor && !a.btVer && !a.ttHor && !a.ttVer);
  TreeNode l2 = mk(0, 0, 32, 16, 2, 2); l2.treeType = TreeType::kDualLuma;
  CHECK(allowedSplits(c, l2).btHor);
  // roots: the 128 CTU at (384, 128) of 416x240 has two 64x64 areas inside (x 384, y 128 and 192)
  TreeNode q[4];
  CHECK(dualTreeRoots(c, mk(384, 128, 128, 128), q) == 2);
  CHECK(q[0].x == 384 && q[0].y == 128 && q[1].y == 192 && q[0].w == 64 && q[0].qtDepth == 1);
  // CclmEnabled: luma root split by BT -> not allowed at all; chroma QT -> allowed below; chroma BT_HOR
  // then BT_VER -> allowed, then TT -> not
  CHECK(cclmChromaRoot(SplitMode::kBtHor) == 0 && cclmChromaRoot(SplitMode::kQt) != 0 &&
        cclmChromaRoot(SplitMode::kNone) != 0 && cclmChromaRoot(SplitMode::kNone, true) == 0);
  TreeNode root = chroma(mk(0, 0, 64, 64, 1));
  root.cclmChroma = cclmChromaRoot(SplitMode::kQt);
  TreeNode kids[4];
  int k = childNodes(c, root, SplitMode::kQt, TreeType::kDualChroma, ModeType::kAll, kids);
  propagateCclmChroma(root, SplitMode::kQt, kids, k);
  CHECK(k == 4 && kids[3].cclmChroma == 1);
  k = childNodes(c, root, SplitMode::kBtHor, TreeType::kDualChroma, ModeType::kAll, kids);
  propagateCclmChroma(root, SplitMode::kBtHor, kids, k);
  CHECK(kids[0].cclmChroma == 2);  // leaf allowed; depends on its own split otherwise
  TreeNode g[4];
  int kg = childNodes(c, kids[0], SplitMode::kBtVer, TreeType::kDualChroma, ModeType::kAll, g);
  propagateCclmChroma(kids[0], SplitMode::kBtVer, g, kg);
  CHECK(kg == 2 && g[0].cclmChroma == 1);
  kg = childNodes(c, kids[0], SplitMode::kBtHor, TreeType::kDualChroma, ModeType::kAll, g);
  propagateCclmChroma(kids[0], SplitMode::kBtHor, g, kg);
  CHECK(g[0].cclmChroma == 0);
  k = childNodes(c, root, SplitMode::kBtVer, TreeType::kDualChroma, ModeType::kAll, kids);
  propagateCclmChroma(root, SplitMode::kBtVer, kids, k);
  CHECK(kids[0].cclmChroma == 0);
}

int main(int argc, char** argv) { return runTestCases(argc, argv); }
