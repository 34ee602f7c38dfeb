// Cross-component linear model intra prediction of chroma (H.266 8.4.5.2.13: INTRA_LT_CCLM,
// INTRA_L_CCLM, INTRA_T_CCLM), 4:2:0 with sps_chroma_vertical_collocated_flag = 0 (the 6-tap
// luma downsampling filter), 10-bit.
#pragma once
#include <cstddef>

#include "common/coding_structs.h"

namespace nnvvc {
namespace recon {

constexpr int kIntraLtCclm = 81, kIntraLCclm = 82, kIntraTCclm = 83;
inline bool isCclmMode(int mode) { return mode >= kIntraLtCclm && mode <= kIntraTCclm; }

// Linear model predC = ((dsY * a) >> shift) + b, clipped.
struct CclmModel {
  int a = 0, shift = 0, b = 0;
};

// Model from the selected neighbour pairs (downsampled luma, chroma), cnt = 2 or 4 (2: the pair is
// duplicated), in selection order (top samples first, then left). Min/max groups of two and the
// division by the luma range through the 16-entry significand table.
CclmModel deriveCclmModel(const int* selLuma, const int* selChroma, int cnt, int bitDepth);

// Prediction of the w x h block of chroma component cIdx at chroma position (x, y) with mode 81..83
// from the reconstructed (pre-deblocking) luma of the co-located area and the neighbouring luma and
// chroma samples marked available in map. log2CtuSize: in the first luma row of a CTU only one
// luma row above is read.
void predictCclm(const Picture& pic, const CuMap& map, int cIdx, int x, int y, int w, int h, int mode,
                 int log2CtuSize, Pel* dst, ptrdiff_t dstStride);

}  // namespace recon
}  // namespace nnvvc
