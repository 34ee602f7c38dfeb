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

// The kernel of a TB: 8x8 (48 outputs) or 4x4 (16), the candidate of the mode's set as a row-major 16 x nOut
// matrix (row i: input i), nz inputs used, outputs transposed for modes above 34.
struct Kernel {
  bool kernel8;
  int nOut, nz;
  bool transpose;
  const int8_t* m;
  Kernel(int w, int h, int lfnstIdx, int mappedMode)
      : kernel8(w >= 8 && h >= 8), nOut(kernel8 ? 48 : 16), nz(lfnstNumInputs(w, h)), transpose(mappedMode > 34) {
    const int set = lfnstSetIdx(mappedMode), cand = lfnstIdx - 1;
    m = kernel8 ? &kLfnst8x8[set][cand][0][0] : &kLfnst4x4[set][cand][0][0];
  }
};
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
  const Kernel k(w, h, lfnstIdx, mappedMode);
  int32_t u[16];
  for (int i = 0; i < k.nz; ++i) u[i] = coeff[kScanY[i] * w + kScanX[i]];
  for (int j = 0; j < k.nOut; ++j) {
    int32_t s = 0;
    for (int i = 0; i < k.nz; ++i) s += u[i] * k.m[i * k.nOut + j];
    int x, y;
    outputPos(k.kernel8, j, k.transpose, x, y);
    coeff[y * w + x] = std::clamp((s + 64) >> 7, -32768, 32767);
  }
}

void lfnstForward(TCoeff* coeff, int w, int h, int lfnstIdx, int mappedMode) {
  const Kernel k(w, h, lfnstIdx, mappedMode);
  int32_t in[48];
  for (int j = 0; j < k.nOut; ++j) {
    int x, y;
    outputPos(k.kernel8, j, k.transpose, x, y);
    in[j] = coeff[y * w + x];
  }
  std::memset(coeff, 0, sizeof(TCoeff) * size_t(w) * size_t(h));
  for (int i = 0; i < k.nz; ++i) {
    int64_t s = 0;
    for (int j = 0; j < k.nOut; ++j) s += int64_t(in[j]) * k.m[i * k.nOut + j];
    coeff[kScanY[i] * w + kScanX[i]] = TCoeff((s + 64) >> 7);
  }
}

}  // namespace dsp
}  // namespace nnvvc
