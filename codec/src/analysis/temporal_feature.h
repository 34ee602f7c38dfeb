// The temporal input of the CNN split predictor v3 (models/splitnet-v3.onnx, metadata temporal_feature "mc16"):
// per sample |luma - motion-compensated prediction from one or two source pictures|, what motion does not explain.
// The rule is models/make_dataset.py mc_temporal_feature, which the model was trained on, and
// src/models/temporal.ts mcTemporalFeature, sample for sample (test/models/temporal.test.ts compares the three):
//   - the picture is edge-replicated to a multiple of 16 and cut into 16x16 blocks;
//   - per block and reference, a full search of +-8 samples on the rounded 4x4 means (quarter resolution; SAD
//     scaled by 16), then +-2 full-resolution samples around it, cost SAD + 4 * (|mvx| + |mvy|) in full-resolution
//     units; the least cost wins, ties to the first position in raster order of (dy, dx); references are
//     edge-replicated beyond the picture;
//   - with two references the block's prediction is their rounded average ((P0 + P1 + 1) >> 1, tried first) or one
//     of them, whichever has the least SAD (ties to the first).
// Encoder-independent (source pictures only): the worker computes it once per job for every QP (nnvvc-feature).
#pragma once
#include <cstdint>
#include <vector>

#include "common/padded_plane.h"
#include "common/types.h"

namespace nnvvc::analysis {

constexpr int kMcFeatureBlock = 16;
constexpr int kMcFeatureRangeQ = 8;   // quarter-resolution search range
constexpr int kMcFeatureRefine = 2;   // full-resolution refinement range
constexpr int kMcFeatureLambda = 4;   // cost per sample of vector length

// A luma plane of `width` x `height` source samples (10-bit, row-major, no stride).
struct LumaView {
  const Pel* samples = nullptr;
  int width = 0, height = 0;
};

// Padded planes of one size: computing many pictures' features with one workspace allocates (and page-faults)
// its buffers once, which otherwise costs as much as the search itself on 1080p pictures.
struct McFeatureWorkspace {
  PaddedPlane cur, curQ, refFull, refQ, refM;
  std::vector<Pel> preds[3];
};

// The feature of `cur` against `refs` (0, 1 or 2 pictures of the same size) into `out` (width x height values,
// row-major; all zero without references). `ws` may be reused across calls of any size.
void mcTemporalFeature(const LumaView& cur, const std::vector<LumaView>& refs, std::vector<uint16_t>& out,
                       McFeatureWorkspace& ws);

}  // namespace nnvvc::analysis
