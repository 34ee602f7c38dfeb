// nnvvc DSP module "lfnst": the low-frequency non-separable transform (H.266 8.7.4.2 / 8.7.4.3) between the
// primary transform and (de)quantisation of intra TBs whose CU has lfnst_idx 1 or 2. Plain C: at most 16 x 48
// multiply-adds per TB, a small share of a TB's work beside the primary transform (no SIMD twin, so no checkasm part).
//
// Kernel choice: lfnstTrSetIdx from the wide-angle-mapped intra mode (lfnstSetIdx), candidate lfnst_idx - 1; the
// 4x4 kernel (16 outputs) for TBs with a side of 4, the 8x8 kernel (48 outputs: the top-left 8x8 but its bottom-right
// 4x4) otherwise; 8 input coefficients for 4x4 and 8x8 TBs, 16 for the others (the first scan positions of the
// up-right diagonal scan of the top-left 4x4 group); outputs transposed for modes above 34.
#pragma once

#include <cstdint>

#include "common/types.h"

namespace nnvvc {
namespace dsp {

extern const int8_t kLfnst4x4[4][2][16][16];
extern const int8_t kLfnst8x8[4][2][16][48];

// lfnstTrSetIdx (8.7.4.1 table) of a wide-angle-mapped mode -14..80.
int lfnstSetIdx(int mappedMode);
// Number of LFNST input coefficients of a w x h TB (w, h >= 4): 8 for 4x4 and 8x8, else 16. Levels beyond this
// many scan positions must be zero in a CU with lfnst_idx > 0 (LfnstZeroOutSigCoeffFlag).
inline int lfnstNumInputs(int w, int h) { return (w == 4 && h == 4) || (w == 8 && h == 8) ? 8 : 16; }
// Whether position (x, y) of a w x h TB is one of those inputs (its scan position in the top-left 4x4 group's
// up-right diagonal scan below lfnstNumInputs).
inline bool lfnstInputPos(int x, int y, int w, int h) {
  static constexpr uint8_t kDiagPos[4][4] = {{0, 2, 5, 9}, {1, 4, 8, 12}, {3, 7, 11, 14}, {6, 10, 13, 15}};  // [y][x]
  return x < 4 && y < 4 && kDiagPos[y][x] < lfnstNumInputs(w, h);
}
// Inverse LFNST in place on the scaled coefficients of a w x h TB (w, h >= 4, row-major, stride w): the first
// lfnstNumInputs scan positions in, the 16 / 48 low-frequency positions out, each clipped to 16 bits.
void lfnstInverse(TCoeff* coeff, int w, int h, int lfnstIdx, int mappedMode);
// Forward LFNST in place on a TB's primary transform coefficients: the 16 / 48 low-frequency positions in,
// lfnstNumInputs outputs at the first scan positions, every other coefficient of the TB set to 0.
void lfnstForward(TCoeff* coeff, int w, int h, int lfnstIdx, int mappedMode);

}  // namespace dsp
}  // namespace nnvvc
