#include "partition/partition.h"

namespace nnvvc {

bool AllowedSplits::allows(SplitMode s) const {
  switch (s) {
    case SplitMode::kQt: return qt;
    case SplitMode::kBtHor: return btHor;
    case SplitMode::kBtVer: return btVer;
    case SplitMode::kTtHor: return ttHor;
    case SplitMode::kTtVer: return ttVer;
    default: return false;
  }
}

bool mustSplit(const PartitionConfig& cfg, const TreeNode& n) {
  return n.x + n.w > cfg.picWidth || n.y + n.h > cfg.picHeight;
}

// 6.4.2 allowed binary split
static bool allowBt(const PartitionConfig& cfg, const TreeNode& n, bool vertical) {
  const bool chromaTree = n.treeType == TreeType::kDualChroma;
  const bool cTree = chromaTree && cfg.dualTree;  // the chroma tree of a dual-tree I slice
  const int minBt = 1 << cfg.log2MinCb, maxBt = 1 << (cTree ? cfg.log2MaxBtC : cfg.log2MaxBt);
  const int maxTb = 1 << cfg.log2MaxTb;
  const int minQt = 1 << (cTree ? cfg.log2MinQtC : cfg.log2MinQt);
  const int cbSize = vertical ? n.w : n.h;
  if (cbSize <= minBt) return false;
  if (n.w > maxBt || n.h > maxBt) return false;
  if (n.mttDepth >= (cTree ? cfg.maxMttDepthC : cfg.maxMttDepth) + n.depthOffset) return false;
  if (chromaTree && (n.w / 2) * (n.h / 2) <= 16) return false;
  if (chromaTree && (n.w / 2) == 4 && vertical) return false;
  if (chromaTree && n.modeType == ModeType::kIntra) return false;
  if (n.modeType == ModeType::kInter && n.w * n.h == 32) return false;  // no 4x4 inter CUs
  const bool outR = n.x + n.w > cfg.picWidth, outB = n.y + n.h > cfg.picHeight;
  if (vertical && outB) return false;
  if (vertical && n.h > maxTb && outR) return false;
  if (!vertical && n.w > maxTb && outB) return false;
  if (outR && outB && n.w > minQt) return false;
  if (!vertical && outR && !outB) return false;
  if (n.mttDepth > 0 && n.partIdx == 1 &&
      n.parentMtt == (vertical ? SplitMode::kTtVer : SplitMode::kTtHor))
    return false;
  if (vertical && n.w <= maxTb && n.h > maxTb) return false;
  if (!vertical && n.w > maxTb && n.h <= maxTb) return false;
  return true;
}

// 6.4.3 allowed ternary split
static bool allowTt(const PartitionConfig& cfg, const TreeNode& n, bool vertical) {
  const bool chromaTree = n.treeType == TreeType::kDualChroma;
  const bool cTree = chromaTree && cfg.dualTree;
  const int minTt = 1 << cfg.log2MinCb, maxTt = 1 << (cTree ? cfg.log2MaxTtC : cfg.log2MaxTt);
  const int maxTb = 1 << cfg.log2MaxTb;
  const int cbSize = vertical ? n.w : n.h;
  const int lim = maxTb < maxTt ? maxTb : maxTt;
  if (cbSize <= 2 * minTt) return false;
  if (n.w > lim || n.h > lim) return false;
  if (n.mttDepth >= (cTree ? cfg.maxMttDepthC : cfg.maxMttDepth) + n.depthOffset) return false;
  if (n.x + n.w > cfg.picWidth || n.y + n.h > cfg.picHeight) return false;
  if (chromaTree && (n.w / 2) * (n.h / 2) <= 32) return false;
  if (chromaTree && (n.w / 2) == 8 && vertical) return false;
  if (chromaTree && n.modeType == ModeType::kIntra) return false;
  if (n.modeType == ModeType::kInter && n.w * n.h == 64) return false;  // no 4x4 inter CUs
  return true;
}

// 6.4.1 allowed quad split (square nodes only occur before any MTT split)
static bool allowQt(const PartitionConfig& cfg, const TreeNode& n) {
  const int minQt = 1 << cfg.log2MinQt;
  const int cbSize = n.w;
  const bool chromaTree = n.treeType == TreeType::kDualChroma;
  if (!chromaTree && cbSize <= minQt) return false;
  if (chromaTree && cfg.dualTree && cbSize <= (1 << cfg.log2MinQtC)) return false;  // MinQtSizeC (4:2:0)
  if (n.mttDepth != 0) return false;
  if (chromaTree && cbSize / 2 <= 4) return false;
  if (chromaTree && n.modeType == ModeType::kIntra) return false;
  return true;
}

AllowedSplits allowedSplits(const PartitionConfig& cfg, const TreeNode& n) {
  AllowedSplits a;
  a.qt = allowQt(cfg, n);
  a.btHor = allowBt(cfg, n, false);
  a.btVer = allowBt(cfg, n, true);
  a.ttHor = allowTt(cfg, n, false);
  a.ttVer = allowTt(cfg, n, true);
  return a;
}

int modeTypeCondition(const TreeNode& n, SplitMode split, bool isIntraSlice) {
  if (n.modeType != ModeType::kAll) return 0;
  const int area = n.w * n.h;
  const bool bt = split == SplitMode::kBtHor || split == SplitMode::kBtVer;
  const bool tt = split == SplitMode::kTtHor || split == SplitMode::kTtVer;
  if ((area == 64 && (split == SplitMode::kQt || tt)) || (area == 32 && bt)) return 1;
  if ((area == 64 && bt) || (area == 128 && tt) || (n.w == 8 && split == SplitMode::kBtVer) ||
      (n.w == 16 && split == SplitMode::kTtVer))
    return isIntraSlice ? 1 : 2;
  return 0;
}

int childNodes(const PartitionConfig& cfg, const TreeNode& n, SplitMode split, TreeType childTreeType,
               ModeType childModeType, TreeNode out[4]) {
  int cnt = 0;
  auto add = [&](int x, int y, int w, int h, int qtD, int mttD, int depthOffset, int partIdx,
                 SplitMode parentMtt) {
    TreeNode c;
    c.x = x; c.y = y; c.w = w; c.h = h;
    c.qtDepth = qtD; c.mttDepth = mttD; c.depthOffset = depthOffset; c.partIdx = partIdx;
    c.parentMtt = parentMtt; c.treeType = childTreeType; c.modeType = childModeType;
    out[cnt++] = c;
  };
  switch (split) {
    case SplitMode::kQt: {
      const int hw = n.w / 2, hh = n.h / 2;
      for (int i = 0; i < 4; ++i) {
        const int x = n.x + (i & 1) * hw, y = n.y + (i >> 1) * hh;
        if (x < cfg.picWidth && y < cfg.picHeight) add(x, y, hw, hh, n.qtDepth + 1, 0, 0, i, SplitMode::kNone);
      }
      break;
    }
    case SplitMode::kBtVer: {
      const int off = n.depthOffset + ((n.x + n.w > cfg.picWidth) ? 1 : 0);
      add(n.x, n.y, n.w / 2, n.h, n.qtDepth, n.mttDepth + 1, off, 0, split);
      if (n.x + n.w / 2 < cfg.picWidth) add(n.x + n.w / 2, n.y, n.w / 2, n.h, n.qtDepth, n.mttDepth + 1, off, 1, split);
      break;
    }
    case SplitMode::kBtHor: {
      const int off = n.depthOffset + ((n.y + n.h > cfg.picHeight) ? 1 : 0);
      add(n.x, n.y, n.w, n.h / 2, n.qtDepth, n.mttDepth + 1, off, 0, split);
      if (n.y + n.h / 2 < cfg.picHeight) add(n.x, n.y + n.h / 2, n.w, n.h / 2, n.qtDepth, n.mttDepth + 1, off, 1, split);
      break;
    }
    case SplitMode::kTtVer: {
      const int q = n.w / 4;
      add(n.x, n.y, q, n.h, n.qtDepth, n.mttDepth + 1, n.depthOffset, 0, split);
      add(n.x + q, n.y, 2 * q, n.h, n.qtDepth, n.mttDepth + 1, n.depthOffset, 1, split);
      add(n.x + 3 * q, n.y, q, n.h, n.qtDepth, n.mttDepth + 1, n.depthOffset, 2, split);
      break;
    }
    case SplitMode::kTtHor: {
      const int q = n.h / 4;
      add(n.x, n.y, n.w, q, n.qtDepth, n.mttDepth + 1, n.depthOffset, 0, split);
      add(n.x, n.y + q, n.w, 2 * q, n.qtDepth, n.mttDepth + 1, n.depthOffset, 1, split);
      add(n.x, n.y + 3 * q, n.w, q, n.qtDepth, n.mttDepth + 1, n.depthOffset, 2, split);
      break;
    }
    default: break;
  }
  return cnt;
}

int dualTreeRoots(const PartitionConfig& cfg, const TreeNode& ctu, TreeNode out[4]) {
  if (ctu.w <= 64) { out[0] = ctu; return 1; }
  int n = 0;
  const int h = ctu.w / 2;
  for (int i = 0; i < 4; ++i) {
    const int x = ctu.x + (i & 1) * h, y = ctu.y + (i >> 1) * h;
    if (x >= cfg.picWidth || y >= cfg.picHeight) continue;
    TreeNode q = ctu;
    q.x = x; q.y = y; q.w = q.h = h;
    q.qtDepth = ctu.qtDepth + 1;
    out[n++] = q;
  }
  return n;
}

// cclmChroma values: 3 = chroma root with CCLM possible, 2 = child of the root's horizontal BT,
// 1 = allowed below, 0 = not allowed.
int8_t cclmChromaRoot(SplitMode lumaRootSplit, bool lumaRootIsp) {
  return ((lumaRootSplit == SplitMode::kNone && !lumaRootIsp) || lumaRootSplit == SplitMode::kQt) ? 3 : 0;
}

void propagateCclmChroma(const TreeNode& parent, SplitMode split, TreeNode* kids, int numKids) {
  int8_t v = parent.cclmChroma;
  if (v == 3) v = split == SplitMode::kQt ? 1 : (split == SplitMode::kBtHor ? 2 : 0);
  else if (v == 2) v = split == SplitMode::kBtVer ? 1 : 0;
  for (int i = 0; i < numKids; ++i) kids[i].cclmChroma = v;
}

void tileTransformUnits(const PartitionConfig& cfg, CodingUnit& cu) {
  const int maxTb = 1 << cfg.log2MaxTb;
  const int tw = cu.w > maxTb ? maxTb : cu.w, th = cu.h > maxTb ? maxTb : cu.h;
  int n = 0;
  // 7.3.11.4 transform_tree: split horizontally first unless wider than tall; the resulting
  // order for 128x128 / 128x64 / 64x128 is raster order of the 64x64 tiles.
  for (int y = 0; y < cu.h; y += th)
    for (int x = 0; x < cu.w; x += tw) {
      TransformUnit& t = cu.tus[n++];
      t.x = int16_t(cu.x + x); t.y = int16_t(cu.y + y); t.w = int16_t(tw); t.h = int16_t(th);
    }
  cu.numTus = uint8_t(n);
}

bool sameTuLayout(const CodingUnit& a, const CodingUnit& b) {
  if (a.numTus != b.numTus) return false;
  for (int t = 0; t < a.numTus; ++t)
    if (a.tus[t].x != b.tus[t].x || a.tus[t].y != b.tus[t].y || a.tus[t].w != b.tus[t].w || a.tus[t].h != b.tus[t].h)
      return false;
  return true;
}

SbtAllowed sbtAllowed(int cbWidth, int cbHeight) {
  SbtAllowed a;
  a.verHalf = cbWidth >= 8;
  a.verQuad = cbWidth >= 16;
  a.horHalf = cbHeight >= 8;
  a.horQuad = cbHeight >= 16;
  return a;
}

void sbtTransformUnits(CodingUnit& cu) {
  // SbtNumFourthsTb0: the first TU's share of the split side in quarters
  const int fourths0 = cu.sbtQuad ? (cu.sbtPos ? 3 : 1) : 2;
  TransformUnit& a = cu.tus[0];
  TransformUnit& b = cu.tus[1];
  a.x = b.x = cu.x;
  a.y = b.y = cu.y;
  if (!cu.sbtHor) {
    const int w0 = cu.w * fourths0 / 4;
    a.w = int16_t(w0); a.h = cu.h;
    b.x = int16_t(cu.x + w0); b.w = int16_t(cu.w - w0); b.h = cu.h;
  } else {
    const int h0 = cu.h * fourths0 / 4;
    a.w = cu.w; a.h = int16_t(h0);
    b.y = int16_t(cu.y + h0); b.w = cu.w; b.h = int16_t(cu.h - h0);
  }
  cu.numTus = 2;
}

void ispTransformUnits(CodingUnit& cu) {
  const int n = ispNumParts(cu.w, cu.h);
  for (int i = 0; i < n; ++i) {
    TransformUnit& t = cu.tus[i];
    if (cu.ispVer()) {
      t.w = int16_t(cu.w / n); t.h = cu.h; t.x = int16_t(cu.x + i * t.w); t.y = cu.y;
    } else {
      t.w = cu.w; t.h = int16_t(cu.h / n); t.x = cu.x; t.y = int16_t(cu.y + i * t.h);
    }
  }
  cu.numTus = uint8_t(n);
}

}  // namespace nnvvc
