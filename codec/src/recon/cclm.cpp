#include "recon/cclm.h"

#include <algorithm>
#include <cstdlib>
#include <utility>

namespace nnvvc {
namespace recon {

namespace {
int floorLog2(unsigned v) {
  int n = -1;
  while (v) { v >>= 1; ++n; }
  return n;
}
}  // namespace

CclmModel deriveCclmModel(const int* selLuma, const int* selChroma, int cnt, int bitDepth) {
  CclmModel m;
  if (cnt <= 0) { m.b = 1 << (bitDepth - 1); return m; }
  int ly[4], lc[4];
  if (cnt == 2) {  // two samples: use them as {s1, s0, s1, s0}
    ly[0] = ly[2] = selLuma[1]; ly[1] = ly[3] = selLuma[0];
    lc[0] = lc[2] = selChroma[1]; lc[1] = lc[3] = selChroma[0];
  } else {
    for (int i = 0; i < 4; ++i) { ly[i] = selLuma[i]; lc[i] = selChroma[i]; }
  }
  // Split the four samples into the two with the smallest and the two with the largest luma. The
  // comparison order fixes which chroma value a luma tie picks, so it follows the standard's.
  int minIdx[2] = {0, 2}, maxIdx[2] = {1, 3};
  if (ly[minIdx[0]] > ly[minIdx[1]]) std::swap(minIdx[0], minIdx[1]);
  if (ly[maxIdx[0]] > ly[maxIdx[1]]) std::swap(maxIdx[0], maxIdx[1]);
  if (ly[minIdx[0]] > ly[maxIdx[1]]) { std::swap(minIdx[0], maxIdx[0]); std::swap(minIdx[1], maxIdx[1]); }
  if (ly[minIdx[1]] > ly[maxIdx[0]]) std::swap(minIdx[1], maxIdx[0]);
  const int minY = (ly[minIdx[0]] + ly[minIdx[1]] + 1) >> 1;
  const int minC = (lc[minIdx[0]] + lc[minIdx[1]] + 1) >> 1;
  const int maxY = (ly[maxIdx[0]] + ly[maxIdx[1]] + 1) >> 1;
  const int maxC = (lc[maxIdx[0]] + lc[maxIdx[1]] + 1) >> 1;

  const int diff = maxY - minY;
  if (diff == 0) { m.a = 0; m.shift = 0; m.b = minC; return m; }
  // 1 / diff as a 4-bit significand (table from the standard) and an exponent
  static const int kDivSig[16] = {0, 7, 6, 5, 5, 4, 4, 3, 3, 2, 2, 1, 1, 1, 1, 0};
  const int diffC = maxC - minC;
  int x = floorLog2(unsigned(diff));
  const int normDiff = ((diff << 4) >> x) & 15;
  x += normDiff != 0 ? 1 : 0;
  const int y = diffC != 0 ? floorLog2(unsigned(std::abs(diffC))) + 1 : 0;
  const int round = y > 0 ? 1 << (y - 1) : 0;
  int a = (diffC * (kDivSig[normDiff] | 8) + round) >> y;
  int k = 3 + x - y;
  if (k < 1) {
    k = 1;
    a = a == 0 ? 0 : (a < 0 ? -15 : 15);
  }
  m.a = a;
  m.shift = k;
  m.b = minC - ((a * minY) >> k);
  return m;
}

void predictCclm(const Picture& pic, const CuMap& map, int cIdx, int x, int y, int w, int h, int mode,
                 int log2CtuSize, Pel* dst, ptrdiff_t dstStride) {
  const Plane& lum = pic.planes[0];
  const Plane& chr = pic.planes[cIdx];
  const int xL = x << 1, yL = y << 1;  // 4:2:0
  const int maxVal = (1 << kBitDepth) - 1;
  // Availability per 2x2 chroma unit (one 4x4 luma unit), as the chroma blocks decoded so far.
  auto avail = [&](int cx, int cy) {
    return cx >= 0 && cy >= 0 && cx < chr.width && cy < chr.height && map.chromaAvailable(cx << 1, cy << 1);
  };
  bool availT = y > 0, availL = x > 0;
  for (int i = 0; i < w && availT; i += 2) availT = avail(x + i, y - 1);
  for (int j = 0; j < h && availL; j += 2) availL = avail(x - 1, y + j);

  int numSampT = 0, numSampL = 0;
  if (mode == kIntraLtCclm) {
    numSampT = availT ? w : 0;
    numSampL = availL ? h : 0;
  } else if (mode == kIntraTCclm && availT) {
    int topRight = 0;  // available samples above-right, up to w, stopping at the first gap
    while (topRight < w && avail(x + w + topRight, y - 1)) topRight += 2;
    numSampT = w + std::min(topRight, h);
  } else if (mode == kIntraLCclm && availL) {
    int belowLeft = 0;
    while (belowLeft < h && avail(x - 1, y + h + belowLeft)) belowLeft += 2;
    numSampL = h + std::min(belowLeft, w);
  }

  if (numSampT == 0 && numSampL == 0) {
    const Pel mid = Pel(1 << (kBitDepth - 1));
    for (int j = 0; j < h; ++j) std::fill(dst + j * dstStride, dst + j * dstStride + w, mid);
    return;
  }

  // Luma sample left of column xx of a row, replaced by the column itself at the block's left edge
  // when the left neighbours are unavailable (pY[-1][y] = pY[0][y]).
  auto leftOf = [&](int i) { return (i == 0 && !availL) ? 0 : 1; };
  auto ds6 = [&](const Pel* r0, const Pel* r1, int xx, int lo) {
    return (2 * r0[xx] + r0[xx - lo] + r0[xx + 1] + 2 * r1[xx] + r1[xx - lo] + r1[xx + 1] + 4) >> 3;
  };

  int selY[4] = {0, 0, 0, 0}, selC[4] = {0, 0, 0, 0};
  int cnt = 0;
  const int is4T = numSampL == 0 ? 1 : 0, is4L = numSampT == 0 ? 1 : 0;
  if (numSampT > 0) {
    const int start = numSampT >> (2 + is4T);
    const int step = std::max(1, numSampT >> (1 + is4T));
    const int cntT = std::min(numSampT, (1 + is4T) << 1);
    // First luma row of a CTU: only the row just above is read (3-tap filter).
    const bool ctuTop = (yL & ((1 << log2CtuSize) - 1)) == 0;
    const Pel* r1 = lum.row(yL - 1);
    const Pel* r0 = ctuTop ? r1 : lum.row(yL - 2);
    const Pel* cRow = chr.row(y - 1);
    for (int k = 0, pos = start; k < cntT; ++k, pos += step) {
      const int xx = xL + 2 * pos, lo = leftOf(pos);
      selY[cnt] = ctuTop ? (2 * r1[xx] + r1[xx - lo] + r1[xx + 1] + 2) >> 2 : ds6(r0, r1, xx, lo);
      selC[cnt] = cRow[x + pos];
      ++cnt;
    }
  }
  if (numSampL > 0) {
    const int start = numSampL >> (2 + is4L);
    const int step = std::max(1, numSampL >> (1 + is4L));
    const int cntL = std::min(numSampL, (1 + is4L) << 1);
    for (int k = 0, pos = start; k < cntL; ++k, pos += step) {
      const Pel* r0 = lum.row(yL + 2 * pos);
      const Pel* r1 = lum.row(yL + 2 * pos + 1);
      selY[cnt] = ds6(r0, r1, xL - 2, 1);
      selC[cnt] = chr.at(x - 1, y + pos);
      ++cnt;
    }
  }
  const CclmModel m = deriveCclmModel(selY, selC, cnt, kBitDepth);

  for (int j = 0; j < h; ++j) {
    const Pel* r0 = lum.row(yL + 2 * j);
    const Pel* r1 = lum.row(yL + 2 * j + 1);
    Pel* d = dst + j * dstStride;
    for (int i = 0; i < w; ++i) {
      const int dsY = ds6(r0, r1, xL + 2 * i, leftOf(i));
      d[i] = Pel(std::min(maxVal, std::max(0, ((dsY * m.a) >> m.shift) + m.b)));
    }
  }
}

}  // namespace recon
}  // namespace nnvvc
