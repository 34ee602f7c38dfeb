#include "dsp/lfnst.h"

#include <algorithm>
#include <cstring>

namespace nnvvc {
namespace dsp {

namespace {
// up-right diagonal scan of a 4x4 group: (x, y) of scan positions 0..15
constexpr uint8_t kScanX[16] = {0, 0, 1, 0, 1, 2, 0, 1, 2, 3, 1, 2, 3, 2, 3, 3};
constexpr uint8_t kScanY[16] = {0, 1, 0, 2, 1, 0, 3, 2, 1, 0, 3, 2, 1, 3, 2, 3};

// Position (x, y) of LFNST output k: rows of 4 (4x4 kernel) or, for the 8x8 kernel, rows 0..3 of 8 then rows 4..7
// of 4; transposed: x and y swapped.
inline void outputPos(bool kernel8, int k, bool transpose, int& x, int& y) {
  if (!kernel8) { x = k & 3; y = k >> 2; }
  else if (k < 32) { x = k & 7; y = k >> 3; }
  else { x = (k - 32) & 3; y = 4 + ((k - 32) >> 2); }
  if (transpose) std::swap(x, y);
}
}  // namespace

int lfnstSetIdx(int m) {
  if (m < 0) return 1;
  if (m <= 1) return 0;
  if (m <= 12) return 1;
  if (m <= 23) return 2;
  if (m <= 44) return 3;
  if (m <= 55) return 2;
  return 1;
}

void lfnstInverse(TCoeff* coeff, int w, int h, int lfnstIdx, int mappedMode) {
  const bool kernel8 = w >= 8 && h >= 8;
  const int nOut = kernel8 ? 48 : 16, nz = lfnstNumInputs(w, h);
  const int set = lfnstSetIdx(mappedMode), cand = lfnstIdx - 1;
  const bool transpose = mappedMode > 34;
  int32_t u[16];
  for (int i = 0; i < nz; ++i) u[i] = coeff[kScanY[i] * w + kScanX[i]];
  for (int j = 0; j < nOut; ++j) {
    int32_t s = 0;
    if (kernel8)
      for (int i = 0; i < nz; ++i) s += u[i] * kLfnst8x8[set][cand][i][j];
    else
      for (int i = 0; i < nz; ++i) s += u[i] * kLfnst4x4[set][cand][i][j];
    int x, y;
    outputPos(kernel8, j, transpose, x, y);
    coeff[y * w + x] = std::clamp((s + 64) >> 7, -32768, 32767);
  }
}

void lfnstForward(TCoeff* coeff, int w, int h, int lfnstIdx, int mappedMode) {
  const bool kernel8 = w >= 8 && h >= 8;
  const int nOut = kernel8 ? 48 : 16, nz = lfnstNumInputs(w, h);
  const int set = lfnstSetIdx(mappedMode), cand = lfnstIdx - 1;
  const bool transpose = mappedMode > 34;
  int32_t in[48];
  for (int k = 0; k < nOut; ++k) {
    int x, y;
    outputPos(kernel8, k, transpose, x, y);
    in[k] = coeff[y * w + x];
  }
  std::memset(coeff, 0, sizeof(TCoeff) * size_t(w) * size_t(h));
  for (int i = 0; i < nz; ++i) {
    int64_t s = 0;
    if (kernel8)
      for (int k = 0; k < nOut; ++k) s += int64_t(in[k]) * kLfnst8x8[set][cand][i][k];
    else
      for (int k = 0; k < nOut; ++k) s += int64_t(in[k]) * kLfnst4x4[set][cand][i][k];
    coeff[kScanY[i] * w + kScanX[i]] = TCoeff((s + 64) >> 7);
  }
}

}  // namespace dsp
}  // namespace nnvvc
