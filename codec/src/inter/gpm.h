// Geometric partitioning mode (H.266 8.5.7): the partition tables, the uni-prediction candidates of
// the two partitions from the regular merge list (8.5.4's parity rule), the blending weights
// (8.5.7.2) and the motion stored per 4x4 (8.5.7.3). Shared by the syntax (decoder / writer check),
// the reconstruction and the encoder's GPM search, so all derive the same weights and motion.
#pragma once
#include <cstdint>

#include "common/motion.h"

namespace nnvvc {
namespace inter {

constexpr int kGpmNumPartitions = 64;  // merge_gpm_partition_idx 0..63
constexpr int kGpmMinSize = 8, kGpmMaxSize = 64;

// angleIdx / distanceIdx of merge_gpm_partition_idx (Table 36) and disLut[] of 8.5.7.2 (Table 37).
extern const uint8_t kGpmAngleIdx[kGpmNumPartitions];
extern const uint8_t kGpmDistanceIdx[kGpmNumPartitions];
extern const int8_t kGpmDisLut[32];

// Sizes where merge_data() may code GPM (7.3.11.7): both sides 8..64, ratio below 8.
inline bool gpmSizeAllowed(int w, int h) {
  return w >= kGpmMinSize && h >= kGpmMinSize && w <= kGpmMaxSize && h <= kGpmMaxSize && w < 8 * h && h < 8 * w;
}

// The uni-prediction motion of merge candidate m for a GPM partition (8.5.4.x): list X = m & 1 when
// the candidate predicts from it, else the other list; the other list cleared.
MotionInfo gpmUniCandidate(const MotionInfo& cand, int m);

// merge_gpm_idx0 / merge_gpm_idx1 syntax values to the merge indices m, n of partitions A, B.
inline int gpmSecondIndex(int idx0, int idx1) { return idx1 + (idx1 >= idx0 ? 1 : 0); }

// The geometry of one partition mode for a w x h luma block (8.5.7.2 / 8.5.7.3, luma units):
// weightIdx(x, y) = (((x + offsetX) << 1) + 1) * dx + (((y + offsetY) << 1) + 1) * dy, partition A on the
// side where weightIdx > 0 unless partFlip is 0.
struct GpmGeometry {
  int offsetX = 0, offsetY = 0;
  int dx = 0, dy = 0;   // disLut[displacementX], disLut[displacementY]
  bool partFlip = false;
};
GpmGeometry gpmGeometry(int split, int w, int h);

// Blending weights wValue (0..8, weight of partition A) of component cIdx (0 luma, 1/2 chroma 4:2:0)
// for a w x h luma CU: cw x ch values (cw = w >> (cIdx ? 1 : 0)), row-major, stride cw.
void gpmWeights(int split, int w, int h, int cIdx, uint8_t* out);

// Motion storage of a GPM CU (8.5.7.3): per 4x4 subblock partition A's, B's, or in the blending band
// (|motionIdx| < 32) the bi combination of A and B when they use different lists, else B's.
// a, b: the uni motions of partitions A and B (gpmUniCandidate).
MotionInfo gpmStoredMotion(int sType, const MotionInfo& a, const MotionInfo& b);
// sType (0 A, 1 B, 2 blend) of the 4x4 subblock (xSb, ySb) of a w x h CU.
int gpmSubblockType(const GpmGeometry& g, int xSb, int ySb);
void storeGpmMotion(MotionField& field, int x, int y, int w, int h, int split, const MotionInfo& a,
                    const MotionInfo& b);

}  // namespace inter
}  // namespace nnvvc
