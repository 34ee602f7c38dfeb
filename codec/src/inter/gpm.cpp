// Geometric partitioning mode: tables, candidates, weights and motion storage (see gpm.h).
#include "inter/gpm.h"

#include <algorithm>
#include <cstdlib>

namespace nnvvc {
namespace inter {

// Table 36 (merge_gpm_partition_idx -> angleIdx, distanceIdx)
const uint8_t kGpmAngleIdx[kGpmNumPartitions] = {
    0,  0,  2,  2,  2,  2,  3,  3,  3,  3,  4,  4,  4,  4,  5,  5,  5,  5,  8,  8,  11, 11,
    11, 11, 12, 12, 12, 12, 13, 13, 13, 13, 14, 14, 14, 14, 16, 16, 18, 18, 18, 19, 19, 19,
    20, 20, 20, 21, 21, 21, 24, 24, 27, 27, 27, 28, 28, 28, 29, 29, 29, 30, 30, 30};
const uint8_t kGpmDistanceIdx[kGpmNumPartitions] = {
    1, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 1, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3,
    0, 1, 2, 3, 1, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3};
// Table 37 (disLut[idx], idx = 0..31)
const int8_t kGpmDisLut[32] = {8,  8,  8,  8,  4,  4,  2,  1,  0,  -1, -2, -4, -4, -8, -8, -8,
                               -8, -8, -8, -8, -4, -4, -2, -1, 0,  1,  2,  4,  4,  8,  8,  8};

MotionInfo gpmUniCandidate(const MotionInfo& cand, int m) {
  int X = m & 1;
  if (!cand.predFlag(X)) X = 1 - X;
  MotionInfo u;
  if (!cand.predFlag(X)) return u;  // not inter (cannot happen for a full merge list)
  u.interDir = uint8_t(1 << X);
  u.refIdx[X] = cand.refIdx[X];
  u.mv[X] = cand.mv[X];
  return u;
}

GpmGeometry gpmGeometry(int split, int w, int h) {
  GpmGeometry g;
  const int angleIdx = kGpmAngleIdx[split & 63], distanceIdx = kGpmDistanceIdx[split & 63];
  g.dx = kGpmDisLut[angleIdx];
  g.dy = kGpmDisLut[(angleIdx + 8) % 32];
  g.partFlip = !(angleIdx >= 13 && angleIdx <= 27);
  const bool shiftHor0 = angleIdx % 16 == 8 || (angleIdx % 16 != 0 && h >= w);
  g.offsetX = (-w) >> 1;
  g.offsetY = (-h) >> 1;
  if (shiftHor0)
    g.offsetY += angleIdx < 16 ? (distanceIdx * h) >> 3 : -((distanceIdx * h) >> 3);
  else
    g.offsetX += angleIdx < 16 ? (distanceIdx * w) >> 3 : -((distanceIdx * w) >> 3);
  return g;
}

void gpmWeights(int split, int w, int h, int cIdx, uint8_t* out) {
  const GpmGeometry g = gpmGeometry(split, w, h);
  const int sh = cIdx ? 1 : 0, cw = w >> sh, ch = h >> sh;
  for (int y = 0; y < ch; ++y) {
    const int yPart = (((y << sh) + g.offsetY) * 2 + 1) * g.dy;
    for (int x = 0; x < cw; ++x) {
      const int weightIdx = (((x << sh) + g.offsetX) * 2 + 1) * g.dx + yPart;
      const int weightIdxL = g.partFlip ? 32 + weightIdx : 32 - weightIdx;
      out[y * cw + x] = uint8_t(std::clamp((weightIdxL + 4) >> 3, 0, 8));
    }
  }
}

int gpmSubblockType(const GpmGeometry& g, int xSb, int ySb) {
  const int motionIdx = (((xSb * 4 + g.offsetX) * 2) + 5) * g.dx + (((ySb * 4 + g.offsetY) * 2) + 5) * g.dy;
  const int isFlip = g.partFlip ? 0 : 1;
  return std::abs(motionIdx) < 32 ? 2 : (motionIdx <= 0 ? 1 - isFlip : isFlip);
}

MotionInfo gpmStoredMotion(int sType, const MotionInfo& a, const MotionInfo& b) {
  if (sType == 0) return a;
  if (sType == 1 || a.interDir == b.interDir) return b;
  // blending band, the partitions on different lists: bi-prediction from both
  MotionInfo mi;
  mi.interDir = 3;
  const MotionInfo& l0 = a.predFlag(0) ? a : b;
  const MotionInfo& l1 = a.predFlag(1) ? a : b;
  mi.refIdx[0] = l0.refIdx[0];
  mi.mv[0] = l0.mv[0];
  mi.refIdx[1] = l1.refIdx[1];
  mi.mv[1] = l1.mv[1];
  return mi;
}

void storeGpmMotion(MotionField& field, int x, int y, int w, int h, int split, const MotionInfo& a,
                    const MotionInfo& b) {
  const GpmGeometry g = gpmGeometry(split, w, h);
  const MotionInfo stored[3] = {a, b, gpmStoredMotion(2, a, b)};
  for (int ys = 0; ys < (h >> 2); ++ys)
    for (int xs = 0; xs < (w >> 2); ++xs)
      field.set(x + 4 * xs, y + 4 * ys, 4, 4, stored[gpmSubblockType(g, xs, ys)]);
}

}  // namespace inter
}  // namespace nnvvc
