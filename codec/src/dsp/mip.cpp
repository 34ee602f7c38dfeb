// MIP (see mip.h), written from H.266 8.4.5.2.2: boundary reduction, matrix multiplication, transposition and the
// horizontal-then-vertical linear upsampling.
#include "dsp/mip.h"

#include <algorithm>

namespace nnvvc {
namespace dsp {
namespace {

int log2Of(int v) {
  int l = 0;
  while ((1 << l) < v) ++l;
  return l;
}

// Averages of n / outSize consecutive samples (8.4.5.2.3), or a copy where no reduction is needed.
void reduceBoundary(const Pel* src, int n, int outSize, int* out) {
  if (outSize >= n) {
    for (int i = 0; i < outSize; ++i) out[i] = src[i];
    return;
  }
  const int factor = n / outSize, lg = log2Of(factor);
  for (int i = 0; i < outSize; ++i) {
    int sum = 0;
    for (int k = 0; k < factor; ++k) sum += src[i * factor + k];
    out[i] = (sum + (1 << (lg - 1))) >> lg;
  }
}

}  // namespace

int mipSizeId(int w, int h) {
  if (w == 4 && h == 4) return 0;
  if (w == 4 || h == 4 || (w == 8 && h == 8)) return 1;
  return 2;
}

int mipNumModes(int w, int h) {
  static constexpr int kModes[3] = {16, 8, 6};
  return kModes[mipSizeId(w, h)];
}

void mipPredict(int mode, bool transposed, const Pel* top, const Pel* left, int w, int h, int bitDepth, Pel* dst,
                ptrdiff_t stride) {
  const int sizeId = mipSizeId(w, h);
  const int boundarySize = sizeId == 0 ? 2 : 4, predSize = sizeId <= 1 ? 4 : 8;
  int redT[4], redL[4];
  reduceBoundary(top + 1, w, boundarySize, redT);
  reduceBoundary(left + 1, h, boundarySize, redL);
  int pTemp[8];
  for (int i = 0; i < boundarySize; ++i) {
    pTemp[i] = transposed ? redL[i] : redT[i];
    pTemp[boundarySize + i] = transposed ? redT[i] : redL[i];
  }
  // the matrix input p[] (sizeId 2 drops the first sample, which every other input is taken relative to)
  int p[8], inSize;
  if (sizeId == 2) {
    inSize = 2 * boundarySize - 1;
    for (int i = 0; i < inSize; ++i) p[i] = pTemp[i + 1] - pTemp[0];
  } else {
    inSize = 2 * boundarySize;
    p[0] = (1 << (bitDepth - 1)) - pTemp[0];
    for (int i = 1; i < inSize; ++i) p[i] = pTemp[i] - pTemp[0];
  }
  int sumP = 0;
  for (int i = 0; i < inSize; ++i) sumP += p[i];
  const int oW = 32 - 32 * sumP;
  const uint8_t* weights = sizeId == 0 ? &kMipWeights4x4[mode][0][0]
                           : sizeId == 1 ? &kMipWeights8x8[mode][0][0]
                                         : &kMipWeights16x16[mode][0][0];
  const int maxVal = (1 << bitDepth) - 1;
  int red[64];  // the reduced prediction, predSize x predSize, in the block's orientation
  for (int j = 0; j < predSize * predSize; ++j) {
    int acc = oW;
    for (int i = 0; i < inSize; ++i) acc += int(weights[j * inSize + i]) * p[i];
    const int v = std::min(std::max((acc >> 6) + pTemp[0], 0), maxVal);
    const int x = j % predSize, y = j / predSize;
    red[transposed ? x * predSize + y : j] = v;
  }
  const int upH = w / predSize, upV = h / predSize;
  if (upH == 1 && upV == 1) {
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) dst[y * stride + x] = Pel(red[y * predSize + x]);
    return;
  }
  // horizontal: the reduced rows into rows (r + 1) * upV - 1, interpolated from the left neighbour of that row
  const int lgH = log2Of(upH), lgV = log2Of(upV);
  for (int r = 0; r < predSize; ++r) {
    const int yd = (r + 1) * upV - 1;
    Pel* row = dst + yd * stride;
    if (upH == 1) {
      for (int c = 0; c < predSize; ++c) row[c] = Pel(red[r * predSize + c]);
      continue;
    }
    int before = left[1 + yd];
    for (int c = 0; c < predSize; ++c) {
      const int behind = red[r * predSize + c];
      for (int k = 1; k <= upH; ++k)
        row[c * upH + k - 1] = Pel(((upH - k) * before + k * behind + (1 << (lgH - 1))) >> lgH);
      before = behind;
    }
  }
  if (upV == 1) return;
  // vertical: every column from the top neighbour through the rows written above
  for (int x = 0; x < w; ++x) {
    int before = top[1 + x];
    for (int r = 0; r < predSize; ++r) {
      const int behind = dst[((r + 1) * upV - 1) * stride + x];
      for (int k = 1; k <= upV; ++k)
        dst[(r * upV + k - 1) * stride + x] = Pel(((upV - k) * before + k * behind + (1 << (lgV - 1))) >> lgV);
      before = behind;
    }
  }
}

}  // namespace dsp
}  // namespace nnvvc
