// Allowed-split rules of H.266 6.4.1 (QT), 6.4.2 (BT), 6.4.3 (TT), the picture-boundary implicit
// splits (7.3.9.4 split flag inference) and the mode-type constraint (modeTypeCondition).
// Used by the decoder's coding-tree parser and by the encoder search alike.
#pragma once
#include <optional>

#include "common/coding_structs.h"

namespace nnvvc {

// Partitioning limits (from the SPS; intra-slice luma values since single tree is used).
struct PartitionConfig {
  int picWidth = 0, picHeight = 0;  // coded luma size (multiples of 8)
  int log2CtuSize = kLog2CtuSize;
  int log2MinCb = kMinCbLog2;
  int log2MinQt = 3;       // MinQtSizeY (intra slice luma)
  int maxMttDepth = 3;     // MaxMttDepth (intra slice luma)
  int log2MaxBt = 5;       // MaxBtSizeY
  int log2MaxTt = 5;       // MaxTtSizeY
  int log2MaxTb = kMaxTbLog2;
  // sps_qtbtt_dual_tree_intra_flag: I slices code a luma and a chroma coding tree per 64x64 area.
  // The chroma tree's limits (intra slice chroma, in luma samples as the spec's MinQtSizeC etc.):
  bool dualTree = false;
  int log2MinQtC = 3;      // MinQtSizeC (8 luma = 4 chroma samples)
  int maxMttDepthC = 3;    // MaxMttDepth of the chroma tree
  int log2MaxBtC = 6;      // MaxBtSizeC
  int log2MaxTtC = 5;      // MaxTtSizeC
};

// State of a coding-tree node, as the spec's coding_tree() arguments.
struct TreeNode {
  int x = 0, y = 0, w = 0, h = 0;  // luma
  int qtDepth = 0;                 // cqtDepth
  int mttDepth = 0;
  int depthOffset = 0;             // implicit-BT depth allowance at picture boundaries
  int partIdx = 0;                 // index among the siblings of the parent MTT split
  SplitMode parentMtt = SplitMode::kNone;  // split of the parent when it was an MTT split
  TreeType treeType = TreeType::kSingle;
  ModeType modeType = ModeType::kAll;
  // Dual-tree chroma tree (CclmEnabled, 7.4.11.5 with a 128 CTU): 1 CCLM allowed for CUs below this
  // node as far as the chroma splits go, 0 not allowed, 2 undecided (child of a horizontal BT of the
  // 64x64 chroma node: allowed if this node is not split or split by a vertical BT).
  int8_t cclmChroma = 1;
};

struct AllowedSplits {
  bool qt = false, btHor = false, btVer = false, ttHor = false, ttVer = false;
  bool any() const { return qt || btHor || btVer || ttHor || ttVer; }
  bool allows(SplitMode s) const;
};

// allowSplitQt / allowSplitBtHor / ... for a node.
AllowedSplits allowedSplits(const PartitionConfig& cfg, const TreeNode& node);

// True when the node extends beyond the picture (split_cu_flag inferred to 1; the only legal
// choices are then the allowed splits, and `kNone` is not allowed).
bool mustSplit(const PartitionConfig& cfg, const TreeNode& node);

// Which split syntax elements are coded for this node (7.3.9.4), given the allowed splits.
struct SplitSyntaxPresence {
  bool splitCuFlag, splitQtFlag, mttVerticalFlag, mttBinaryFlag;
};

// Children of a node split by `split`, in decoding order, skipping children entirely outside the
// picture as the spec does. Returns the number of children written to out[] (at most 4).
// `childModeType`/`childTreeType` are applied to all children (see modeTypeCondition()).
int childNodes(const PartitionConfig& cfg, const TreeNode& node, SplitMode split,
               TreeType childTreeType, ModeType childModeType, TreeNode out[4]);

// modeTypeCondition of 7.3.9.4 for an I slice with single tree, 4:2:0: 0 or 1 (2 only occurs in
// P/B slices and is returned as 2 for completeness when isIntraSlice is false).
int modeTypeCondition(const TreeNode& node, SplitMode split, bool isIntraSlice);

// dual_tree_implicit_qt_split (7.3.11.3) of a CTU in a dual-tree I slice: the 64x64 (or smaller
// CTU) areas inside the picture, in decoding order, each the root of a luma and a chroma tree.
int dualTreeRoots(const PartitionConfig& cfg, const TreeNode& ctu, TreeNode out[4]);

// CclmEnabled in the chroma tree of a dual-tree I slice (7.4.11.5, as TreeNode::cclmChroma):
// the chroma root's value from the split of the luma tree's root of the same area (CCLM only
// when the luma 64x64 node is not split, and then not an ISP CU, or split by QT), and the children's values from the
// chroma split (QT, or a horizontal BT followed by a vertical BT or no split, keeps CCLM).
int8_t cclmChromaRoot(SplitMode lumaRootSplit, bool lumaRootIsp = false);
void propagateCclmChroma(const TreeNode& parent, SplitMode split, TreeNode* kids, int numKids);

// One CTU of a dual-tree I slice in decoding order: per 64x64 area (dualTreeRoots) visit(luma root), then
// visit(chroma root) with its cclmChroma from the split the luma visit reports (and, where the luma root is one CU,
// lumaRootIsp(): whether that CU uses ISP). visit(node) returns the split taken at `node`, or std::nullopt to stop
// (then false is returned). Shared by the syntax and the searches, so that all walk the areas alike.
template <class Visit, class RootIsp>
bool visitDualTreeAreas(const PartitionConfig& cfg, const TreeNode& ctu, Visit&& visit, RootIsp&& lumaRootIsp) {
  TreeNode q[4];
  const int n = dualTreeRoots(cfg, ctu, q);
  for (int i = 0; i < n; ++i) {
    TreeNode luma = q[i], chroma = q[i];
    luma.treeType = TreeType::kDualLuma;
    chroma.treeType = TreeType::kDualChroma;
    const std::optional<SplitMode> lumaSplit = visit(luma);
    if (!lumaSplit) return false;
    chroma.cclmChroma = cclmChromaRoot(*lumaSplit, *lumaSplit == SplitMode::kNone && lumaRootIsp());
    if (!visit(chroma)) return false;
  }
  return true;
}

// Transform-unit tiling of a CU (implicit split of CUs larger than the max TB size, 7.3.11.4).
// Fills cu.numTus and cu.tus[i].x/y/w/h (cbf/coeffs untouched).
void tileTransformUnits(const PartitionConfig& cfg, CodingUnit& cu);
// Whether two CUs have the same transform units (numTus and each TU's x / y / w / h): the writers' check of a CU's
// TUs against the layout its syntax implies.
bool sameTuLayout(const CodingUnit& a, const CodingUnit& b);

// SBT (7.3.11.4 transform_tree with cu_sbt_flag): which SBT splits a CU allows (7.3.11.5 allowSbtVerH / VerQ /
// HorH / HorQ; cu.w and cu.h at most MaxTbSizeY, checked by the caller with the prediction mode).
struct SbtAllowed {
  bool verHalf = false, verQuad = false, horHalf = false, horQuad = false;
  bool any() const { return verHalf || horHalf; }
};
SbtAllowed sbtAllowed(int cbWidth, int cbHeight);
// The two TUs of an SBT CU from cu.sbtQuad / sbtHor / sbtPos (SbtNumFourthsTb0 of 7.3.11.4): cu.numTus = 2,
// tus[0] left / top, tus[1] right / bottom (cbf / coeffs untouched).
void sbtTransformUnits(CodingUnit& cu);

// ISP (7.3.11.4 transform_tree with IntraSubPartitionsSplitType): whether a luma CU may use it (CU sides at most
// MaxTbSizeY, more than MinTbSizeY^2 = 16 samples), NumIntraSubPartitions (2 for 4x8 / 8x4, else 4), and the
// sub-partitions of cu.isp as the CU's TUs in decoding order (cu.numTus, tus[i].x/y/w/h; cbf / coeffs untouched).
inline bool ispAllowed(int cbWidth, int cbHeight, int log2MaxTb) {
  return cbWidth <= (1 << log2MaxTb) && cbHeight <= (1 << log2MaxTb) && cbWidth * cbHeight > 16;
}
inline int ispNumParts(int cbWidth, int cbHeight) {
  return (cbWidth == 4 && cbHeight == 8) || (cbWidth == 8 && cbHeight == 4) ? 2 : 4;
}
void ispTransformUnits(CodingUnit& cu);

}  // namespace nnvvc
