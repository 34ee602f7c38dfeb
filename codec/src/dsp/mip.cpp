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

int mipReducedSize(int w, int h) { return mipSizeId(w, h) <= 1 ? 4 : 8; }

MipInput mipPrepare(bool transposed, const Pel* top, const Pel* left, int w, int h, int bitDepth) {
  MipInput in;
  in.sizeId = mipSizeId(w, h);
  in.transposed = transposed;
  const int boundarySize = in.sizeId == 0 ? 2 : 4;
  in.predSize = in.sizeId <= 1 ? 4 : 8;
  int redT[4], redL[4];
  reduceBoundary(top + 1, w, boundarySize, redT);
  reduceBoundary(left + 1, h, boundarySize, redL);
  int pTemp[8];
  for (int i = 0; i < boundarySize; ++i) {
    pTemp[i] = transposed ? redL[i] : redT[i];
    pTemp[boundarySize + i] = transposed ? redT[i] : redL[i];
  }
  // the matrix input p[] (sizeId 2 drops the first sample, which every other input is taken relative to)
  if (in.sizeId == 2) {
    in.inSize = 2 * boundarySize - 1;
    for (int i = 0; i < in.inSize; ++i) in.p[i] = pTemp[i + 1] - pTemp[0];
  } else {
    in.inSize = 2 * boundarySize;
    in.p[0] = (1 << (bitDepth - 1)) - pTemp[0];
    for (int i = 1; i < in.inSize; ++i) in.p[i] = pTemp[i] - pTemp[0];
  }
  int sumP = 0;
  for (int i = 0; i < in.inSize; ++i) sumP += in.p[i];
  in.oW = 32 - 32 * sumP;
  in.base = pTemp[0];
  in.maxVal = (1 << bitDepth) - 1;
  return in;
}

namespace {
// The weights by input: [mode][i][output j], so that each input adds a contiguous row of products to every output (a
// loop the compiler vectorises).
template <int kModes, int kOut, int kIn>
struct InputMajorWeights {
  int16_t w[kModes][kIn][kOut];
  explicit InputMajorWeights(const uint8_t (*src)[kOut][kIn]) {
    for (int m = 0; m < kModes; ++m)
      for (int j = 0; j < kOut; ++j)
        for (int i = 0; i < kIn; ++i) w[m][i][j] = int16_t(src[m][j][i]);
  }
};

template <int kInSize, int kPredSize, class Weights>
void mipMatrix(const MipInput& in, const Weights& wt, int mode, Pel* red) {
  constexpr int kOut = kPredSize * kPredSize;
  int acc[kOut];
  for (int j = 0; j < kOut; ++j) acc[j] = in.oW;
  for (int i = 0; i < kInSize; ++i) {
    const int16_t* row = wt.w[mode][i];
    const int p = in.p[i];
    for (int j = 0; j < kOut; ++j) acc[j] += row[j] * p;
  }
  for (int j = 0; j < kOut; ++j) {
    const int v = std::min(std::max((acc[j] >> 6) + in.base, 0), in.maxVal);
    const int x = j % kPredSize, y = j / kPredSize;
    red[in.transposed ? x * kPredSize + y : j] = Pel(v);
  }
}
}  // namespace

void mipReducedPredict(const MipInput& in, int mode, Pel* red) {
  static const InputMajorWeights<16, 16, 4> w0(kMipWeights4x4);
  static const InputMajorWeights<8, 16, 8> w1(kMipWeights8x8);
  static const InputMajorWeights<6, 64, 7> w2(kMipWeights16x16);
  if (in.sizeId == 0) mipMatrix<4, 4>(in, w0, mode, red);
  else if (in.sizeId == 1) mipMatrix<8, 4>(in, w1, mode, red);
  else mipMatrix<7, 8>(in, w2, mode, red);
}

void mipReducedPredict(int mode, bool transposed, const Pel* top, const Pel* left, int w, int h, int bitDepth,
                       Pel* red) {
  mipReducedPredict(mipPrepare(transposed, top, left, w, h, bitDepth), mode, red);
}

void mipUpsample(const Pel* red, const Pel* top, const Pel* left, int w, int h, Pel* dst, ptrdiff_t stride) {
  const int predSize = mipReducedSize(w, h);
  const int upH = w / predSize, upV = h / predSize;
  // horizontal: the reduced rows into rows (r + 1) * upV - 1, interpolated from the left neighbour of that row
  const int lgH = log2Of(upH), lgV = log2Of(upV);
  for (int r = 0; r < predSize; ++r) {
    const int yd = (r + 1) * upV - 1;
    Pel* row = dst + yd * stride;
    if (upH == 1) {
      for (int c = 0; c < predSize; ++c) row[c] = red[r * predSize + c];
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
  // vertical, row by row: the rows between the row above (the top neighbours first) and the next row written above
  const Pel* above = top + 1;
  for (int r = 0; r < predSize; ++r) {
    const Pel* below = dst + ((r + 1) * upV - 1) * stride;
    for (int k = 1; k < upV; ++k) {
      Pel* row = dst + (r * upV + k - 1) * stride;
      for (int x = 0; x < w; ++x) row[x] = Pel(((upV - k) * above[x] + k * below[x] + (1 << (lgV - 1))) >> lgV);
    }
    above = below;
  }
}

void mipPredict(int mode, bool transposed, const Pel* top, const Pel* left, int w, int h, int bitDepth, Pel* dst,
                ptrdiff_t stride) {
  Pel red[64];
  mipReducedPredict(mode, transposed, top, left, w, h, bitDepth, red);
  mipUpsample(red, top, left, w, h, dst, stride);
}

}  // namespace dsp
}  // namespace nnvvc
