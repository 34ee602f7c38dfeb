// Dependent-quantisation scaling (see dep_quant.h). Written from H.266 7.3.11.11 / 8.7.3.
#include "dsp/dep_quant.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <vector>

#include "dsp/dsp_internal.h"

namespace nnvvc {
namespace dsp {
namespace {

constexpr int kLevelScale[2][6] = {{40, 45, 51, 57, 64, 72}, {57, 64, 72, 80, 90, 102}};
constexpr int32_t kCoeffMin = -(1 << 15), kCoeffMax = (1 << 15) - 1;

// Up-right diagonal scan (6.5.3) of a blkW x blkH array as (x, y) pairs.
void diagonalScan(int blkW, int blkH, std::vector<std::pair<int, int>>& out) {
  out.clear();
  for (int line = 0; int(out.size()) < blkW * blkH; ++line)
    for (int y = line, x = 0; y >= 0; --y, ++x)
      if (x < blkW && y < blkH) out.emplace_back(x, y);
}

struct ScanTables {
  CoeffScan scan[7][7];
  std::vector<uint16_t> raster[7][7];
  ScanTables() {
    std::vector<std::pair<int, int>> sbOrder, inSb;
    for (int lw = 0; lw <= 6; ++lw)
      for (int lh = 0; lh <= 6; ++lh) {
        if (!tbShapeCoded(lw, lh)) continue;
        const int zw = std::min(lw, 5), zh = std::min(lh, 5);
        int sbW = std::min(lw, lh) < 2 ? 1 : 2, sbH = sbW;  // sub-block shape as residual_coding()
        if (lw + lh > 3) {
          if (lw < 2) { sbW = lw; sbH = 4 - sbW; }
          else if (lh < 2) { sbH = lh; sbW = 4 - sbH; }
        }
        diagonalScan(1 << (zw - sbW), 1 << (zh - sbH), sbOrder);
        diagonalScan(1 << sbW, 1 << sbH, inSb);
        std::vector<uint16_t>& r = raster[lw][lh];
        for (const auto& sb : sbOrder)
          for (const auto& p : inSb)
            r.push_back(uint16_t((((sb.second << sbH) + p.second) << lw) + (sb.first << sbW) + p.first));
        scan[lw][lh].numPos = int(r.size());
        scan[lw][lh].rasterOfPos = r.data();
      }
  }
};

}  // namespace

const CoeffScan& coeffScan(int log2W, int log2H) {
  static const ScanTables tables;
  assert(tbShapeCoded(log2W, log2H));
  return tables.scan[log2W][log2H];
}

void dequantDependent(const TCoeff* levels, int w, int h, int qp, int bitDepth, TCoeff* coeffOut) {
  assert(qp >= 0);
  const int lw = log2Int(w), lh = log2Int(h);
  const int rect = ((lw + lh) & 1) ? 1 : 0;
  const int bdShift = bitDepth + rect + ((lw + lh) >> 1) - 5 + 1;  // + sh_dep_quant_used_flag
  const int64_t bdOffset = (int64_t(1) << bdShift) >> 1;
  const int qpDq = qp + 1;
  const int64_t ls = int64_t(16 * kLevelScale[rect][qpDq % 6]) << (qpDq / 6);
  std::memset(coeffOut, 0, sizeof(TCoeff) * size_t(w) * size_t(h));
  const CoeffScan& sc = coeffScan(lw, lh);
  int last = sc.numPos - 1;
  while (last >= 0 && levels[sc.rasterOfPos[last]] == 0) --last;
  int state = 0;
  for (int i = last; i >= 0; --i) {
    const int r = sc.rasterOfPos[i];
    const TCoeff k = levels[r];
    if (k == 0) { state = kDepQuantStateTrans[state][0]; continue; }
    const int64_t a = std::abs(int64_t(k));
    const int64_t idx = 2 * a - (state > 1 ? 1 : 0);
    const int64_t dnc = ((k < 0 ? -idx : idx) * ls + bdOffset) >> bdShift;
    coeffOut[r] = TCoeff(std::min<int64_t>(std::max<int64_t>(dnc, kCoeffMin), kCoeffMax));
    state = kDepQuantStateTrans[state][a & 1];
  }
}

}  // namespace dsp
}  // namespace nnvvc
