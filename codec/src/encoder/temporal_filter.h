// Motion-compensated temporal pre-filter of source pictures (encoder only; the bitstream syntax
// is unchanged). In random access the pictures at POC multiples of 8 are coded at low QP and
// referenced by many others, so their source noise costs bits that the following pictures can
// not use. Before such a picture is coded, each of its 8x8 blocks is blended with the
// motion-compensated blocks of up to 4 preceding and 4 following source pictures; a neighbour's
// weight falls with the sample difference (bilateral), the block's motion-compensation error,
// its noise estimate and its temporal distance. This is the scheme of the CTC random-access
// anchor (JVET's GOP-based temporal filter, strengths 0.95 at POC % 8 == 0, 1.5 at % 16 == 0);
// our motion compensation uses the spec's interpolation filters (dsp/mc.h).
// PSNR is still measured against the unfiltered source (encoder.cpp).
#pragma once
#include <cstdio>
#include <vector>

#include "common/types.h"

namespace nnvvc {

struct TemporalFilterConfig {
  int baseQp = 32;          // the --qp value: sets the luma bilateral range; no filtering below 17
  int pastRefs = 4;         // neighbours used on each side (the CTC anchor uses 4 and 4)
  int futureRefs = 4;
};

// A neighbouring source picture: `offset` = its POC minus the filtered picture's POC (non-zero).
struct TemporalNeighbour {
  int offset = 0;
  const Picture* pic = nullptr;
};

// Filter strength for the picture at `poc`, 0 when it is not filtered (POC not a multiple of 8,
// or base QP below 17).
double temporalFilterStrength(int poc, int baseQp);

// One block's motion toward a neighbour: vector in 1/16 luma sample, the normalised
// motion-compensation error (used to weight the neighbour), and the noise estimate.
struct TfBlockMotion {
  int mvx = 0, mvy = 0;
  int error = 0;
};

// Hierarchical block motion estimation of `ref` against `cur` (same size; luma only): 16x16
// blocks on 4x and 2x subsampled and full-resolution pictures, then 8x8 blocks refined to 1/16
// sample. Returns one entry per 8x8 luma block, row-major, (width / 8) x (height / 8).
std::vector<TfBlockMotion> temporalFilterMotion(const Picture& cur, const Picture& ref);

// Filters `pic` (coded size, luma width/height multiples of 8) in place with the neighbours
// (each the same size; any order). No-op when `neighbours` is empty or strength <= 0.
// Deterministic.
void temporalFilterPicture(Picture& pic, const std::vector<TemporalNeighbour>& neighbours,
                           const TemporalFilterConfig& cfg, double strength);

// Encoder entry: filters the source picture `pic` (already read, POC `poc`) with the neighbours
// POC - pastRefs .. POC + futureRefs that exist in the input file (`numFileFrames` frames of
// `frameBytes` bytes, read on demand with readYuvFrame). Returns false on a read error.
bool temporalFilterSource(std::FILE* in, long long frameBytes, int numFileFrames, int width, int height,
                          int inputBitDepth, int poc, const TemporalFilterConfig& cfg, double strength, Picture& pic);

}  // namespace nnvvc
