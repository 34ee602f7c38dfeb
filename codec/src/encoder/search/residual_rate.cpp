// Residual coding rate model (see residual_rate.h). Written from H.266 7.3.11.11 / 9.3.3.11 /
// 9.3.4.2.4-7; the context selection here must agree with the syntax writer's, but correctness of the
// bitstream never depends on it (only the quality of RD decisions does).
#include "encoder/search/residual_rate.h"

#include "common/types.h"

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <vector>

namespace nnvvc {
namespace search {
namespace {

struct ScanStore {
  ScanInfo info[7][7];
  std::vector<uint16_t> raster[7][7];
  std::vector<uint8_t> xs[7][7], ys[7][7];
  std::vector<uint16_t> sbx[7][7], sby[7][7];
};

// Up-right diagonal scan (6.5.3) of a blkW x blkH array: appends (x, y) pairs.
void diagScan(int blkW, int blkH, std::vector<std::pair<int, int>>& out) {
  out.clear();
  int x = 0, y = 0;
  const int total = blkW * blkH;
  while (int(out.size()) < total) {
    while (y >= 0) {
      if (x < blkW && y < blkH) out.emplace_back(x, y);
      --y;
      ++x;
    }
    y = x;
    x = 0;
  }
}

ScanStore* buildScans() {
  auto* s = new ScanStore();
  std::vector<std::pair<int, int>> sbOrder, inSb;
  for (int lw = 0; lw <= 6; ++lw) {
    for (int lh = 0; lh <= 6; ++lh) {
      if (!tbShapeCoded(lw, lh)) continue;
      ScanInfo& si = s->info[lw][lh];
      si.log2W = lw;
      si.log2H = lh;
      si.log2ZoW = std::min(lw, kMaxTbLog2Coded);
      si.log2ZoH = std::min(lh, kMaxTbLog2Coded);
      int sbW = std::min(si.log2ZoW, si.log2ZoH) < 2 ? 1 : 2;
      int sbH = sbW;
      if (si.log2ZoW + si.log2ZoH > 3) {
        if (si.log2ZoW < 2) {
          sbW = si.log2ZoW;
          sbH = 4 - sbW;
        } else if (si.log2ZoH < 2) {
          sbH = si.log2ZoH;
          sbW = 4 - sbH;
        }
      }
      si.log2SbW = sbW;
      si.log2SbH = sbH;
      si.sbSize = 1 << (sbW + sbH);
      si.numSb = 1 << (si.log2ZoW + si.log2ZoH - sbW - sbH);
      diagScan(1 << (si.log2ZoW - sbW), 1 << (si.log2ZoH - sbH), sbOrder);
      diagScan(1 << sbW, 1 << sbH, inSb);
      auto& r = s->raster[lw][lh];
      auto& xv = s->xs[lw][lh];
      auto& yv = s->ys[lw][lh];
      for (const auto& sb : sbOrder) {
        s->sbx[lw][lh].push_back(uint16_t(sb.first));
        s->sby[lw][lh].push_back(uint16_t(sb.second));
        for (const auto& p : inSb) {
          const int x = (sb.first << sbW) + p.first;
          const int y = (sb.second << sbH) + p.second;
          r.push_back(uint16_t((y << lw) + x));
          xv.push_back(uint8_t(x));
          yv.push_back(uint8_t(y));
        }
      }
      si.rasterOfPos = r.data();
      si.xOfPos = xv.data();
      si.yOfPos = yv.data();
      si.sbX = s->sbx[lw][lh].data();
      si.sbY = s->sby[lw][lh].data();
    }
  }
  return s;
}

const uint8_t kRiceFromSum[32] = {0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 2, 2,
                                  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3};
// last_sig_coeff prefix group of a coordinate (9.3.4.2.4 binarisation of LastSignificantCoeff)
const uint8_t kGroupIdx[32] = {0, 1, 2, 3, 4, 4, 5, 5, 6, 6, 6, 6, 7, 7, 7, 7,
                               8, 8, 8, 8, 8, 8, 8, 8, 9, 9, 9, 9, 9, 9, 9, 9};

}  // namespace

const ScanInfo& scanInfo(int log2W, int log2H) {
  static ScanStore* store = buildScans();
  return store->info[log2W][log2H];
}

int riceParamFromSum(int s) { return kRiceFromSum[std::min(std::max(s, 0), 31)]; }

int remainderBins(uint32_t v, int k) {
  constexpr uint32_t kCutoff = 5;
  constexpr int kMaxPrefixExt = 32 - 5 - 15;  // log2TransformRange 15
  if (v < (kCutoff << k)) return int(v >> k) + 1 + k;
  const uint32_t codeValue = (v >> k) - kCutoff;
  if (codeValue >= (1u << kMaxPrefixExt) - 1) return int(kCutoff) + kMaxPrefixExt + 15;
  int p = 0;
  while (codeValue > ((2u << p) - 2)) ++p;
  return int(kCutoff) + p + p + k + 1;
}

uint32_t lastPosCostFbits(int pos, int log2Size, int log2ZoSize, bool isLuma, bool isX,
                          const ResidualBitTables& t) {
  const BinCost* ctx = isX ? t.lastX : t.lastY;
  int offset, shift;
  if (isLuma) {
    static const uint8_t kOffsetY[7] = {0, 0, 0, 3, 6, 10, 15};  // 9.3.4.2.4 offsetY[log2TbSize - 1]
    offset = kOffsetY[log2Size];
    shift = (log2Size + 1) >> 2;
  } else {
    offset = 20;
    shift = std::min(std::max((1 << log2Size) >> 3, 0), 2);
  }
  const int group = kGroupIdx[pos];
  const int cMax = (log2ZoSize << 1) - 1;
  uint32_t bits = 0;
  for (int b = 0; b < group; ++b) bits += ctx[offset + (b >> shift)].bits[1];
  if (group < cMax) bits += ctx[offset + (group >> shift)].bits[0];
  if (group > 3) bits += uint32_t((group >> 1) - 1) * kFbitsOne;
  return bits;
}

uint64_t residualRateFbits(const int32_t* levels, int log2W, int log2H, bool isLuma,
                           const ResidualBitTables& t, bool signHiding, bool depQuant) {
  const ScanInfo& si = scanInfo(log2W, log2H);
  const int zoW = 1 << si.log2ZoW, zoH = 1 << si.log2ZoH;
  int last = -1;
  for (int p = si.numPos() - 1; p >= 0; --p) {
    if (levels[si.rasterOfPos[p]] != 0) {
      last = p;
      break;
    }
  }
  if (last < 0) return t.cbf.bits[0];
  uint64_t bits = t.cbf.bits[1];
  bits += lastPosCostFbits(si.xOfPos[last], log2W, si.log2ZoW, isLuma, true, t);
  bits += lastPosCostFbits(si.yOfPos[last], log2H, si.log2ZoH, isLuma, false, t);

  auto absAt = [&](int x, int y) -> int {
    return (x < zoW && y < zoH) ? std::abs(levels[(y << log2W) + x]) : 0;
  };
  int remBins = ((1 << (si.log2ZoW + si.log2ZoH)) * 7) >> 2;
  const int sbCols = zoW >> si.log2SbW, sbRows = zoH >> si.log2SbH;
  uint8_t sbFlag[64 * 64 / 4] = {};
  const int lastSb = last / si.sbSize;
  uint64_t bypassBins = 0;
  // dependent quantisation: QState walks the scan by each level's parity (7.3.11.11); it picks the
  // sig_coeff_flag context set (12 / 8 contexts per set) and dec_abs_level's ZeroPos
  static constexpr uint8_t kTrans[4][2] = {{0, 2}, {2, 0}, {1, 3}, {3, 1}};
  int qState = 0;
  for (int i = lastSb; i >= 0; --i) {
    const int xS = si.sbX[i], yS = si.sbY[i];
    const int base = i * si.sbSize;
    bool coded = true, inferDc = false;
    if (i < lastSb && i > 0) {
      coded = false;
      for (int n = 0; n < si.sbSize; ++n) coded |= levels[si.rasterOfPos[base + n]] != 0;
      int csbfCtx = 0;
      if (xS + 1 < sbCols) csbfCtx |= sbFlag[yS * sbCols + xS + 1];
      if (yS + 1 < sbRows) csbfCtx |= sbFlag[(yS + 1) * sbCols + xS];
      bits += t.sbCoded[csbfCtx].bits[coded ? 1 : 0];
      inferDc = true;
    }
    sbFlag[yS * sbCols + xS] = coded ? 1 : 0;
    if (!coded) continue;
    const int firstPosMode0 = (i == lastSb) ? last - base : si.sbSize - 1;
    int firstPosMode1 = firstPosMode0;
    for (int n = firstPosMode0; n >= 0 && remBins >= 4; --n) {
      const int pos = base + n;
      const int x = si.xOfPos[pos], y = si.yOfPos[pos];
      const int a = std::abs(levels[si.rasterOfPos[pos]]);
      // template (9.3.4.2.6/7): right, right+1, below, below+1, diagonal
      int sumPass1 = 0, numSig = 0;
      const int nb[5] = {absAt(x + 1, y), absAt(x + 2, y), absAt(x + 1, y + 1), absAt(x, y + 1),
                         absAt(x, y + 2)};
      for (int k = 0; k < 5; ++k) {
        sumPass1 += std::min(4 + (nb[k] & 1), nb[k]);
        numSig += nb[k] != 0;
      }
      const int d = x + y;
      if (pos != last && (n > 0 || !inferDc)) {
        int ctx = std::min((sumPass1 + 1) >> 1, 3);
        if (isLuma) ctx += d < 2 ? 8 : (d < 5 ? 4 : 0);
        else ctx += d < 2 ? 4 : 0;
        const BinCost* sigSet = depQuant && qState > 1 ? t.sigDq[qState - 2] : t.sig;
        bits += sigSet[ctx].bits[a != 0];
        --remBins;
        if (a) inferDc = false;
      }
      if (a) {
        int off = 0;
        if (pos != last) {
          off = std::min(sumPass1 - numSig, 4) + 1;
          if (isLuma) off += d == 0 ? 15 : (d < 3 ? 10 : (d < 10 ? 5 : 0));
          else off += d == 0 ? 5 : 0;
        }
        bits += t.gt1[off].bits[a > 1];
        --remBins;
        if (a > 1) {
          bits += t.par[off].bits[a & 1];
          bits += t.gt3[off].bits[a > 3];
          remBins -= 2;
        }
      }
      if (depQuant) qState = kTrans[qState][a & 1];
      firstPosMode1 = n - 1;
    }
    auto templSum = [&](int x, int y) {
      return absAt(x + 1, y) + absAt(x + 2, y) + absAt(x + 1, y + 1) + absAt(x, y + 1) + absAt(x, y + 2);
    };
    for (int n = firstPosMode0; n > firstPosMode1; --n) {
      const int pos = base + n;
      const int a = std::abs(levels[si.rasterOfPos[pos]]);
      if (a >= 4) {
        const int k = riceParamFromSum(templSum(si.xOfPos[pos], si.yOfPos[pos]) - 20);
        bypassBins += uint64_t(remainderBins(uint32_t(a - 4) >> 1, k));
      }
    }
    for (int n = firstPosMode1; n >= 0; --n) {
      const int pos = base + n;
      const int a = std::abs(levels[si.rasterOfPos[pos]]);
      const int k = riceParamFromSum(templSum(si.xOfPos[pos], si.yOfPos[pos]));
      const int zeroPos = (qState < 2 ? 1 : 2) << k;
      const uint32_t v = a == 0 ? uint32_t(zeroPos) : (a <= zeroPos ? uint32_t(a - 1) : uint32_t(a));
      bypassBins += uint64_t(remainderBins(v, k));
      if (depQuant) qState = kTrans[qState][a & 1];
    }
    int firstSig = -1, lastSig = -1;
    for (int n = 0; n < si.sbSize; ++n)
      if (levels[si.rasterOfPos[base + n]] != 0) {
        ++bypassBins;
        if (firstSig < 0) firstSig = n;
        lastSig = n;
      }
    if (signHiding && !depQuant && lastSig - firstSig > 3) --bypassBins;  // the first one's sign is hidden
  }
  return bits + bypassBins * kFbitsOne;
}

}  // namespace search
}  // namespace nnvvc
