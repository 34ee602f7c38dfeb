// SAO CTB modification process (H.266 8.8.4.2) over a picture.
#include "recon/sao.h"

#include <algorithm>
#include <cstring>

#include "dsp/sao.h"

namespace nnvvc {

bool SaoCompParams::operator==(const SaoCompParams& o) const {
  if (typeIdx != o.typeIdx) return false;
  if (typeIdx == 0) return true;
  if (typeIdx == 1 && bandPos != o.bandPos) return false;
  if (typeIdx == 2 && eoClass != o.eoClass) return false;
  return std::memcmp(offsets, o.offsets, sizeof(offsets)) == 0;
}

namespace recon {

SaoArea saoCtbArea(const Plane& plane, int rx, int ry, int log2CtbSize) {
  SaoArea a;
  a.x0 = rx << log2CtbSize;
  a.y0 = ry << log2CtbSize;
  a.x1 = std::min(plane.width, a.x0 + (1 << log2CtbSize));
  a.y1 = std::min(plane.height, a.y0 + (1 << log2CtbSize));
  return a;
}

SaoArea saoEdgeArea(const Plane& plane, const SaoArea& ctb, int eoClass) {
  SaoArea a = ctb;
  if (dsp::kSaoEoHPos[eoClass][0] != 0) {  // looks left and right
    a.x0 = std::max(a.x0, 1);
    a.x1 = std::min(a.x1, plane.width - 1);
  }
  if (dsp::kSaoEoVPos[eoClass][0] != 0) {  // looks up and down
    a.y0 = std::max(a.y0, 1);
    a.y1 = std::min(a.y1, plane.height - 1);
  }
  return a;
}

void applySao(Picture& pic, const std::vector<SaoCtuParams>& params, int log2CtuSize, bool luma, bool chroma,
              int bitDepth) {
  if (!luma && !chroma) return;
  const dsp::SaoFunctions& f = dsp::saoFunctions();
  const int ctu = 1 << log2CtuSize;
  const int widthInCtus = (pic.width + ctu - 1) / ctu, heightInCtus = (pic.height + ctu - 1) / ctu;
  const int maxVal = (1 << bitDepth) - 1;
  for (int c = 0; c < 3; ++c) {
    if (!(c == 0 ? luma : chroma)) continue;
    Plane& dst = pic.planes[c];
    bool any = false;
    for (const SaoCtuParams& p : params) any |= p.comp[c].typeIdx != 0;
    if (!any) continue;
    const Plane src = dst;  // deblocked samples: the input of every CTB's process
    const int log2Ctb = c ? log2CtuSize - 1 : log2CtuSize;
    for (int ry = 0; ry < heightInCtus; ++ry)
      for (int rx = 0; rx < widthInCtus; ++rx) {
        const SaoCompParams& s = params[size_t(ry) * size_t(widthInCtus) + size_t(rx)].comp[c];
        if (s.typeIdx == 0) continue;
        const SaoArea ctb = saoCtbArea(dst, rx, ry, log2Ctb);
        if (s.typeIdx == 1) {
          int8_t bandOffset[32] = {};
          for (int k = 0; k < 4; ++k) bandOffset[(s.bandPos + k) & 31] = s.offsets[k];
          f.band(dst.row(ctb.y0) + ctb.x0, dst.stride, src.row(ctb.y0) + ctb.x0, src.stride, ctb.x1 - ctb.x0,
                 ctb.y1 - ctb.y0, bandOffset, bitDepth - 5, maxVal);
        } else {
          const SaoArea a = saoEdgeArea(dst, ctb, s.eoClass);
          if (a.x1 <= a.x0 || a.y1 <= a.y0) continue;
          // raw edge index 0..4 -> SaoOffsetVal (8.8.4.2: 0 -> 1, 1 -> 2, 2 -> 0, 3, 4 unchanged)
          const int8_t offset[5] = {s.offsets[0], s.offsets[1], 0, s.offsets[2], s.offsets[3]};
          f.edge(dst.row(a.y0) + a.x0, dst.stride, src.row(a.y0) + a.x0, src.stride, a.x1 - a.x0, a.y1 - a.y0,
                 s.eoClass, offset, maxVal);
        }
      }
  }
}

}  // namespace recon
}  // namespace nnvvc
