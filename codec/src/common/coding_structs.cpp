#include "common/coding_structs.h"

#include <algorithm>

namespace nnvvc {

template <class F>
static void forUnits(int picW, int picH, int w4, std::vector<CuInfo>& info, int x, int y, int w, int h,
                     F&& f) {
  const int x0 = std::max(0, x), y0 = std::max(0, y);
  const int x1 = std::min(picW, x + w), y1 = std::min(picH, y + h);
  for (int yy = y0 & ~3; yy < y1; yy += 4)
    for (int xx = x0 & ~3; xx < x1; xx += 4) f(info[size_t(yy >> 2) * size_t(w4) + size_t(xx >> 2)]);
}

void CuMap::storeSyntax(const CodingUnit& cu) {
  const uint8_t lw = uint8_t(log2Int(unsigned(cu.w))), lh = uint8_t(log2Int(unsigned(cu.h)));
  if (cu.treeType == TreeType::kDualChroma) {
    forUnits(picW_, picH_, w4_, info_, cu.x, cu.y, cu.w, cu.h, [&](CuInfo& c) {
      c.qtDepthC = cu.qtDepth; c.log2WC = lw; c.log2HC = lh;
    });
    return;
  }
  const bool inter = cu.isInter();
  const uint8_t lumaMode = inter || cu.mip ? 0 : cu.lumaMode;
  const uint8_t mip = !inter && cu.mip ? 1 : 0;
  const uint8_t skip = (inter && cu.skip) ? 1 : 0;
  const uint8_t affine = (inter && cu.affine) ? 1 : 0;
  forUnits(picW_, picH_, w4_, info_, cu.x, cu.y, cu.w, cu.h, [&](CuInfo& c) {
    c.lumaMode = lumaMode; c.qtDepth = cu.qtDepth; c.log2W = lw; c.log2H = lh;
    c.skip = skip; c.intra = inter ? 0 : 1; c.affine = affine; c.mip = mip;
  });
}

void CuMap::markReconstructed(int x, int y, int w, int h, bool luma, bool chroma) {
  forUnits(picW_, picH_, w4_, info_, x, y, w, h, [&](CuInfo& c) {
    if (luma) c.coded = 1;
    if (chroma) c.chromaCoded = 1;
  });
}

void CuMap::clearReconstructed(int x, int y, int w, int h, bool luma, bool chroma) {
  forUnits(picW_, picH_, w4_, info_, x, y, w, h, [&](CuInfo& c) {
    if (luma) c.coded = 0;
    if (chroma) c.chromaCoded = 0;
  });
}

}  // namespace nnvvc
