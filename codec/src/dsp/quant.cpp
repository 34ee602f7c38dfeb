// Scaling (dequantisation), H.266 clause 8.7.3, flat scaling lists (m = 16), no dependent
// quantisation, no transform skip; plus the encoder's matching scalar quantiser.
#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdlib>

#include "dsp_internal.h"

namespace nnvvc {
namespace dsp {
namespace {

// levelScale[rectNonTsFlag][qP % 6] (8.7.3).
constexpr int kLevelScale[2][6] = {{40, 45, 51, 57, 64, 72}, {57, 64, 72, 80, 90, 102}};

constexpr int32_t kCoeffMin = -(1 << 15), kCoeffMax = (1 << 15) - 1;

}  // namespace

void dequant(const TCoeff* levels, int w, int h, int qp, int bitDepth, TCoeff* coeffOut) {
  assert(qp >= 0);
  const int lw = log2Int(w), lh = log2Int(h);
  const int rect = ((lw + lh) & 1) ? 1 : 0;  // rectNonTsFlag (no transform skip)
  const int bdShift = bitDepth + rect + ((lw + lh) >> 1) - 5;  // + sh_dep_quant_used_flag (0)
  const int64_t bdOffset = (int64_t(1) << bdShift) >> 1;
  const int64_t ls = int64_t(16 * kLevelScale[rect][qp % 6]) << (qp / 6);
  for (int i = 0; i < w * h; ++i) {
    if (levels[i] == 0) {
      coeffOut[i] = 0;
      continue;
    }
    const int64_t dnc = (int64_t(levels[i]) * ls + bdOffset) >> bdShift;
    coeffOut[i] = TCoeff(std::min<int64_t>(std::max<int64_t>(dnc, kCoeffMin), kCoeffMax));
  }
}

void dequantTransformSkip(const TCoeff* levels, int n, int qp, Pel* residOut) {
  assert(qp >= 0);
  const int64_t ls = int64_t(kLevelScale[0][qp % 6]) << (qp / 6);
  for (int i = 0; i < n; ++i) {
    const int64_t d = (int64_t(levels[i]) * ls + 32) >> 6;
    residOut[i] = Pel(std::min<int64_t>(std::max<int64_t>(d, kCoeffMin), kCoeffMax));
  }
}

int quantTransformSkip(const Pel* resid, int n, int qp, int offset1024, TCoeff* levelsOut) {
  // |r| * 64 / step in units of 1/1024 level: exact integer arithmetic (step = ls << qp / 6)
  const int64_t step = int64_t(kLevelScale[0][qp % 6]) << (qp / 6);
  int nz = 0;
  for (int i = 0; i < n; ++i) {
    const int64_t a = std::abs(int(resid[i]));
    int64_t level = (a * 64 * 1024 + int64_t(offset1024) * step) / (step * 1024);
    level = std::min<int64_t>(level, kCoeffMax);
    levelsOut[i] = TCoeff(resid[i] < 0 ? -level : level);
    nz += level != 0;
  }
  return nz;
}

QuantScale quantScale(int qp, int w, int h, int bitDepth) {
  const int lw = log2Int(w), lh = log2Int(h);
  const int rect = ((lw + lh) & 1) ? 1 : 0;
  const int bdShift = bitDepth + rect + ((lw + lh) >> 1) - 5;
  QuantScale qs;
  // Inverse of dequant: level = c * 2^bdShift / (16 * levelScale << qp/6)
  //                           = (c * round(2^20 / levelScale)) >> (24 + qp/6 - bdShift).
  const int ls = kLevelScale[rect][qp % 6];
  qs.scale = int32_t(((1 << 21) + ls) / (2 * ls));
  qs.qBits = 24 + qp / 6 - bdShift;
  assert(qs.qBits >= 1 && qs.qBits < 40);
  // Forward transform gain is 2^(15 - bitDepth) / sqrt(w*h) (see transform.cpp shifts), so a
  // coefficient error dc maps to dc^2 * w*h * 2^(2*bitDepth - 30) of residual SSE (Parseval).
  // dc = (scaled error) / scale.
  qs.errScale = double(w * h) * std::ldexp(1.0, 2 * bitDepth - 30) / (double(qs.scale) * qs.scale);
  return qs;
}

int quantWithOffset(const TCoeff* coeff, int w, int h, int qp, int bitDepth, int offset1024,
                    TCoeff* levelsOut) {
  const QuantScale qs = quantScale(qp, w, h, bitDepth);
  const int64_t offset = (int64_t(offset1024) << qs.qBits) >> 10;
  int nz = 0;
  for (int i = 0; i < w * h; ++i) {
    const int64_t a = int64_t(std::abs(coeff[i])) * qs.scale;
    int64_t level = (a + offset) >> qs.qBits;
    level = std::min<int64_t>(level, kCoeffMax);
    levelsOut[i] = TCoeff(coeff[i] < 0 ? -level : level);
    nz += level != 0;
  }
  return nz;
}

int quant(const TCoeff* coeff, int w, int h, int qp, int bitDepth, bool isIntra,
          TCoeff* levelsOut) {
  return quantWithOffset(coeff, w, h, qp, bitDepth, isIntra ? 341 : 171, levelsOut);
}

int quantPrepare(const TCoeff* coeff, int n, const QuantScale& qs, int64_t* absScaled,
                 TCoeff* levelNearest) {
  const int64_t half = int64_t(1) << (qs.qBits - 1);
  int nz = 0;
  for (int i = 0; i < n; ++i) {
    const int64_t a = int64_t(std::abs(coeff[i])) * qs.scale;
    absScaled[i] = a;
    const int64_t level = std::min<int64_t>((a + half) >> qs.qBits, kCoeffMax);
    levelNearest[i] = TCoeff(level);
    nz += level != 0;
  }
  return nz;
}

}  // namespace dsp
}  // namespace nnvvc
