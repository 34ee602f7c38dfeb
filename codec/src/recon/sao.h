// Sample adaptive offset (H.266 8.8.4): the per-CTB parameters (7.4.9.3 derived values) and the
// picture process applied after deblocking, shared by the encoder and the decoder.
#pragma once
#include <cstdint>
#include <vector>

#include "common/types.h"

namespace nnvvc {

// SAO of one component of one CTB.
struct SaoCompParams {
  uint8_t typeIdx = 0;     // SaoTypeIdx: 0 not applied, 1 band offset, 2 edge offset
  uint8_t bandPos = 0;     // sao_band_position (band offset)
  uint8_t eoClass = 0;     // SaoEoClass (edge offset): 0 hor, 1 ver, 2 135 deg, 3 45 deg
  int8_t offsets[4] = {};  // SaoOffsetVal[1..4]: band offset of bands bandPos + i (mod 32), or
                           // edge offset of edgeIdx i + 1 (i 0, 1 >= 0; i 2, 3 <= 0)
  bool operator==(const SaoCompParams& o) const;
  bool operator!=(const SaoCompParams& o) const { return !(*this == o); }
};

// SAO of one CTB: the merge flags as coded and the resulting parameters of every component
// (a merged CTB holds a copy of its left / upper neighbour's parameters).
struct SaoCtuParams {
  bool mergeLeft = false, mergeUp = false;
  SaoCompParams comp[3];
};

// Largest |SaoOffsetVal| for a bit depth: (1 << (Min(bitDepth, 10) - 5)) - 1 (log2OffsetScale 0).
inline int saoMaxOffset(int bitDepth) { return (1 << ((bitDepth < 10 ? bitDepth : 10) - 5)) - 1; }

namespace recon {

// Applies SAO to `pic` (the deblocked picture; its samples are the process input, the result
// replaces them). params: one entry per CTB in raster order (ceil(width / ctb) per row);
// luma / chroma: sh_sao_luma_used_flag / sh_sao_chroma_used_flag. Neighbours outside the
// picture leave edge-offset samples unmodified (one slice, one tile per picture).
void applySao(Picture& pic, const std::vector<SaoCtuParams>& params, int log2CtuSize, bool luma, bool chroma,
              int bitDepth = kBitDepth);

// The sample area of CTB (rx, ry) in component c, and for edge offset of class eoClass the part
// whose neighbours are inside the picture (x0 <= x < x1, y0 <= y < y1 in component samples).
struct SaoArea { int x0, y0, x1, y1; };
SaoArea saoCtbArea(const Plane& plane, int rx, int ry, int log2CtbSize);
SaoArea saoEdgeArea(const Plane& plane, const SaoArea& ctb, int eoClass);

}  // namespace recon
}  // namespace nnvvc
