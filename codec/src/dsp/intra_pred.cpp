// Intra sample prediction, H.266 clause 8.4.5.2 (reference lines 0..2, ISP sub-partitions; MIP and CCLM are elsewhere,
// no BDPCM).
#include <algorithm>
#include <cassert>
#include <cstdlib>

#include "dsp_internal.h"

namespace nnvvc {
namespace dsp {
namespace {

inline Pel clip1(int v, int bitDepth) {
  return Pel(std::min(std::max(v, 0), (1 << bitDepth) - 1));
}

// intraPredAngle, table in 8.4.5.2.12, indexed by predModeIntra + 14 (modes -14..80).
constexpr int kIntraPredAngle[95] = {
    512, 341, 256, 171, 128, 102, 86, 73, 64, 57, 51, 45, 39, 35,  // -14..-1
    0,   0,                                                           // 0, 1 (unused)
    32,  29,  26,  23,  20,  18,  16, 14, 12, 10, 8,  6,  4,  3,  2, 1,  // 2..17
    0,   -1,  -2,  -3,  -4,  -6,  -8, -10, -12, -14, -16, -18, -20, -23, -26, -29,  // 18..33
    -32, -29, -26, -23, -20, -18, -16, -14, -12, -10, -8, -6, -4, -3, -2, -1,  // 34..49
    0,   1,   2,   3,   4,   6,   8,  10, 12, 14, 16, 18, 20, 23, 26, 29,  // 50..65
    32,  35,  39,  45,  51,  57,  64, 73, 86, 102, 128, 171, 256, 341, 512  // 66..80
};

// invAngle = Round(512 * 32 / intraPredAngle) (8.4.5.2.12), for |angle| > 0.
int invAngleOf(int absAngle) { return (2 * 512 * 32 + absAngle) / (2 * absAngle); }

// intraHorVerDistThres[nTbS], nTbS = (log2W + log2H) >> 1 (8.4.5.2.12).
int horVerDistThres(int nTbS) {
  static constexpr int kThres[7] = {24, 24, 24, 14, 2, 0, 0};
  return kThres[std::min(nTbS, 6)];
}

// [1 2 1] filtering of the neighbouring samples (8.4.5.2.3) — the last sample of each side and
// the corner use their own rules.
void filterRefs(const Pel* top, const Pel* left, int w, int h, Pel* fTop, Pel* fLeft) {
  const int corner = (left[1] + 2 * top[0] + top[1] + 2) >> 2;
  fTop[0] = fLeft[0] = Pel(corner);
  for (int i = 1; i < 2 * w; ++i) fTop[i] = Pel((top[i - 1] + 2 * top[i] + top[i + 1] + 2) >> 2);
  fTop[2 * w] = top[2 * w];
  for (int j = 1; j < 2 * h; ++j)
    fLeft[j] = Pel((left[j - 1] + 2 * left[j] + left[j + 1] + 2) >> 2);
  fLeft[2 * h] = left[2 * h];
}

// 8.4.5.2.11 planar.
void predPlanar(const Pel* top, const Pel* left, int w, int h, Pel* dst, ptrdiff_t stride) {
  const int lw = log2Int(w), lh = log2Int(h);
  const int topRight = top[1 + w], bottomLeft = left[1 + h];
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const int predV = ((h - 1 - y) * top[1 + x] + (y + 1) * bottomLeft) << lw;
      const int predH = ((w - 1 - x) * left[1 + y] + (x + 1) * topRight) << lh;
      dst[y * stride + x] = Pel((predV + predH + w * h) >> (lw + lh + 1));
    }
}

// 8.4.5.2.12 DC: square blocks average both sides; otherwise the longer side only.
void predDC(const Pel* top, const Pel* left, int w, int h, Pel* dst, ptrdiff_t stride) {
  int sum = 0, dcVal;
  if (w == h) {
    for (int i = 0; i < w; ++i) sum += top[1 + i] + left[1 + i];
    dcVal = (sum + w) >> (log2Int(w) + 1);
  } else if (w > h) {
    for (int i = 0; i < w; ++i) sum += top[1 + i];
    dcVal = (sum + (w >> 1)) >> log2Int(w);
  } else {
    for (int j = 0; j < h; ++j) sum += left[1 + j];
    dcVal = (sum + (h >> 1)) >> log2Int(h);
  }
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) dst[y * stride + x] = Pel(dcVal);
}

// PDPC for planar / DC (8.4.5.2.15 with refL = p[-1][y], refT = p[x][-1]).
void pdpcPlanarDC(const Pel* top, const Pel* left, int w, int h, Pel* dst, ptrdiff_t stride) {
  const int nScale = (log2Int(w) + log2Int(h) - 2) >> 2;
  // wL = 32 >> ((x << 1) >> nScale) is 0 from x = 3 << nScale on (same for wT / y), where the
  // formula returns the prediction unchanged; only the non-zero-weight band is visited.
  const int band = 3 << nScale;
  for (int y = 0; y < h; ++y) {
    const int shiftT = (y << 1) >> nScale;
    const int wT = shiftT > 31 ? 0 : 32 >> shiftT;
    const int xEnd = wT ? w : std::min(w, band);
    for (int x = 0; x < xEnd; ++x) {
      const int shiftL = (x << 1) >> nScale;
      const int wL = shiftL > 31 ? 0 : 32 >> shiftL;
      const int p = dst[y * stride + x];
      dst[y * stride + x] =
          Pel((left[1 + y] * wL + top[1 + x] * wT + (64 - wL - wT) * p + 32) >> 6);
    }
  }
}

// Angular prediction (8.4.5.2.12) incl. its PDPC part, written for the "vertical" orientation:
// refMainIn is the side the prediction comes from (top for modes >= 34), refSideIn the other.
// For horizontal modes the caller passes swapped references and sizes and transposes the result.
// mode is the wide-angle-mapped predModeIntra.
void predAngularOriented(int mode, bool isVer, const Pel* refMainIn, const Pel* refSideIn,
                         int width, int height, int cIdx, int bitDepth, bool fgFilter,
                         bool applyPdpcSize, Pel* dst, ptrdiff_t stride, int mainLen = 0) {
  // mainLen: the main side's samples after the corner (refW / refH of 8.4.5.2.12): 2 * width, or for an ISP
  // sub-partition the CU's side plus the block's (nCbW + nTbW)
  if (mainLen <= 0) mainLen = 2 * width;
  const int angle = kIntraPredAngle[mode + 14];
  // refBuf holds ref[-height .. 2*width + 4]; index offset = kOff.
  constexpr int kOff = 2 * kMaxIntraBlock + 8;
  Pel refBuf[kOff + 4 * kMaxIntraBlock + 16];
  Pel* ref = refBuf + kOff;
  if (angle < 0) {
    // Main side: ref[x] = p[-1+x][-1] for x = 0..width+1 (needs width+1 <= 2*width).
    for (int x = 0; x <= width + 1; ++x) ref[x] = refMainIn[x];
    // Extend to the left with projected side samples (8.4.5.2.12 step 1).
    const int invAngle = invAngleOf(-angle);
    for (int x = -height; x <= -1; ++x)
      ref[x] = refSideIn[std::min((-x * invAngle + 256) >> 9, height)];
  } else {
    for (int x = 0; x <= mainLen; ++x) ref[x] = refMainIn[x];
    // Replicate the last sample: ref[refW + 1] (spec) and what the 4-tap reads of the last rows reach (the angle of
    // an ISP sub-partition follows the CU's shape, so its rows may reach beyond refW)
    const int reach = std::max(mainLen, ((height * std::abs(angle)) >> 5) + width) + 4;
    assert(reach < 4 * kMaxIntraBlock + 16);
    for (int x = mainLen + 1; x <= reach; ++x) ref[x] = refMainIn[mainLen];
  }

  if ((std::abs(angle) & 31) == 0) {  // integer slope: plain copies
    for (int y = 0; y < height; ++y) {
      const int iIdx = ((y + 1) * angle) >> 5;
      for (int x = 0; x < width; ++x) dst[y * stride + x] = ref[x + iIdx + 1];
    }
  } else {
    intraFunctions().intraAngular(ref, angle, width, height, cIdx != 0 ? 2 : (fgFilter ? 1 : 0),
                                bitDepth, dst, stride);
  }

  if (!applyPdpcSize) return;
  const int modeDist = isVer ? mode - kIntraVer : kIntraHor - mode;  // > 0: beyond hor/ver
  if (modeDist == 0) {
    // Pure horizontal / vertical: gradient PDPC, wL = 32 >> ((x << 1) >> nScale).
    const int nScale = (log2Int(width) + log2Int(height) - 2) >> 2;
    const int corner = refSideIn[0];
    for (int y = 0; y < height; ++y) {
      Pel* row = dst + y * stride;
      const int grad = refSideIn[1 + y] - corner;
      for (int x = 0; x < std::min(3 << nScale, width); ++x) {
        const int wL = 32 >> ((x << 1) >> nScale);
        row[x] = clip1(row[x] + ((wL * grad + 32) >> 6), bitDepth);
      }
    }
  } else if (modeDist > 0) {
    const int invAngle = invAngleOf(angle);
    const int nScale = std::min(2, log2Int(height) - log2Int(3 * invAngle - 2) + 8);
    if (nScale < 0) return;
    for (int y = 0; y < height; ++y) {
      Pel* row = dst + y * stride;
      for (int x = 0; x < std::min(3 << nScale, width); ++x) {
        const int dY = ((x + 1) * invAngle + 256) >> 9;
        const int refL = refSideIn[1 + y + dY];
        const int wL = 32 >> ((x << 1) >> nScale);
        row[x] = Pel((refL * wL + (64 - wL) * row[x] + 32) >> 6);
      }
    }
  }
}

// Angular prediction from reference line refIdx > 0 (8.4.5.2.12), "vertical" orientation as predAngularOriented:
// refMainIn[0] is the line's corner, refMainIn[1 + refIdx + x] = the sample above column x. The spec's rows use
// iIdx = ((y + 1 + refIdx) * angle >> 5) + refIdx: that is row y + refIdx of a block refIdx rows taller read from
// ref + refIdx, so the angular kernel runs on height + refIdx rows and the first refIdx are dropped.
void predAngularRefLine(int mode, const Pel* refMainIn, const Pel* refSideIn, int width, int height, int refIdx,
                        int bitDepth, Pel* dst, ptrdiff_t stride) {
  const int angle = kIntraPredAngle[mode + 14];
  constexpr int kOff = 2 * kMaxIntraBlock + 8;
  // ref[-height .. 2 * width + refIdx + (refIdx << 4) + 6]: the right extension below reaches 2w + 3 + 16 * 2 + 4
  Pel refBuf[kOff + 2 * kMaxIntraBlock + 3 + 16 * 2 + 8];
  Pel* ref = refBuf + kOff;
  if (angle < 0) {
    for (int x = 0; x <= width + 1 + refIdx; ++x) ref[x] = refMainIn[x];
    const int invAngle = invAngleOf(-angle);
    for (int x = -height; x <= -1; ++x) ref[x] = refSideIn[std::min((-x * invAngle + 256) >> 9, height)];
  } else {
    const int refLen = 2 * width;
    for (int x = 0; x <= refLen + refIdx; ++x) ref[x] = refMainIn[x];
    // replicate the last sample: (refIdx << log2(width / height)) + 2 samples (8.4.5.2.12), and a few more for the
    // kernel's zero-weight taps
    const int s = std::max(0, log2Int(width) - log2Int(height));
    for (int z = 1; z <= (refIdx << s) + 6; ++z) ref[refLen + refIdx + z] = refMainIn[refLen + refIdx];
  }
  const Pel* r = ref + refIdx;
  if ((std::abs(angle) & 31) == 0) {  // integer slope: plain copies
    for (int y = 0; y < height; ++y) {
      const int iIdx = ((y + 1 + refIdx) * angle) >> 5;
      for (int x = 0; x < width; ++x) dst[y * stride + x] = r[x + iIdx + 1];
    }
    return;
  }
  Pel tmp[(kMaxIntraBlock + 2) * kMaxIntraBlock];
  intraFunctions().intraAngular(r, angle, width, height + refIdx, 0, bitDepth, tmp, width);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) dst[y * stride + x] = tmp[(y + refIdx) * width + x];
}

}  // namespace

void intraAngular_c(const Pel* ref, int angle, int width, int height, int filterKind, int bitDepth,
                    Pel* dst, ptrdiff_t stride) {
  for (int y = 0; y < height; ++y) {
    const int pos = (y + 1) * angle;
    const int iIdx = pos >> 5;  // arithmetic shift = floor, as in the spec
    int16_t f[4];
    intraFilterTaps(filterKind, pos & 31, f);
    const Pel* r = ref + iIdx;
    Pel* row = dst + y * stride;
    for (int x = 0; x < width; ++x) {
      const int v = f[0] * r[x] + f[1] * r[x + 1] + f[2] * r[x + 2] + f[3] * r[x + 3];
      row[x] = clip1((v + 32) >> 6, bitDepth);
    }
  }
}

void transpose_c(const Pel* src, ptrdiff_t ss, int w, int h, Pel* dst, ptrdiff_t ds) {
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) dst[x * ds + y] = src[y * ss + x];
}

// ---- function table -------------------------------------------------------------------------

IntraFunctions intraFunctionsFor(DspLevel maxLevel) {
  IntraFunctions f;
  f.intraAngular = intraAngular_c;
  f.transpose = transpose_c;
  f.isa = "c";
#ifdef NNVVC_DSP_X86
  __builtin_cpu_init();
  if (maxLevel >= DspLevel::SSE41 && __builtin_cpu_supports("sse4.1")) {
    f.transpose = transpose_sse41;
    f.isa = "sse4.1";
  }
  if (maxLevel >= DspLevel::AVX2 && __builtin_cpu_supports("avx2")) {
    f.intraAngular = intraAngular_avx2;
    f.isa = "avx2";
  }
#else
  (void)maxLevel;
#endif
  return f;
}

const IntraFunctions& intraFunctions() {
  static const IntraFunctions table = intraFunctionsFor(dspLevelFromEnv());
  return table;
}

int intraPredAngle(int mappedMode) {
  if (mappedMode < -14 || mappedMode > 80 || mappedMode == 0 || mappedMode == 1) return 0;
  return kIntraPredAngle[mappedMode + 14];
}

// 8.4.5.2.7 wide angle intra prediction mode mapping.
int intraWideAngleMode(int predMode, int w, int h) {
  if (predMode < 2 || predMode > 66 || w == h) return predMode;
  const int whRatio = std::abs(log2Int(w) - log2Int(h));
  if (w > h && predMode < (whRatio > 1 ? 8 + 2 * whRatio : 8)) return predMode + 65;
  if (h > w && predMode > (whRatio > 1 ? 60 - 2 * whRatio : 60)) return predMode - 67;
  return predMode;
}

// 8.4.5.2.2 substitution of unavailable reference samples.
void intraSubstituteRefs(Pel* top, const uint8_t* availTop, Pel* left, const uint8_t* availLeft,
                         int w, int h, int bitDepth) {
  intraSubstituteRefLine(top, availTop, 2 * w, left, availLeft, 2 * h, bitDepth);
}

void intraSubstituteRefLine(Pel* top, const uint8_t* availTop, int nTop, Pel* left, const uint8_t* availLeft,
                            int nLeft, int bitDepth) {
  // Walk order: left[nLeft] .. left[1] (bottom up), the corner (left[0] = top[0]), then top[1] .. top[nTop].
  auto availAt = [&](int i) -> bool {
    return i <= nLeft ? availLeft[nLeft - i] != 0 : availTop[i - nLeft] != 0;
  };
  auto sample = [&](int i) -> Pel& { return i <= nLeft ? left[nLeft - i] : top[i - nLeft]; };
  const int n = nLeft + 1 + nTop;
  int firstAvail = -1;
  for (int i = 0; i < n; ++i)
    if (availAt(i)) {
      firstAvail = i;
      break;
    }
  if (firstAvail < 0) {
    const Pel v = Pel(1 << (bitDepth - 1));
    for (int i = 0; i < n; ++i) sample(i) = v;
    top[0] = left[0];
    return;
  }
  if (firstAvail > 0) sample(0) = sample(firstAvail);
  for (int i = 1; i < n; ++i)
    if (!availAt(i)) sample(i) = sample(i - 1);
  top[0] = left[0];
}

void intraPredictRefLine(int predMode, int refIdx, const Pel* top, const Pel* left, int w, int h, int bitDepth,
                         Pel* dst, ptrdiff_t dstStride) {
  if (refIdx == 0) {
    intraPredict(predMode, top, left, w, h, 0, bitDepth, dst, dstStride);
    return;
  }
  const bool valid = w >= 4 && h >= 4 && w <= kMaxIntraBlock && h <= kMaxIntraBlock && (w & (w - 1)) == 0 &&
                     (h & (h - 1)) == 0 && predMode >= 1 && predMode <= 66 && refIdx >= 1 && refIdx <= 2;
  assert(valid);
  if (!valid) {
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) dst[y * dstStride + x] = Pel(1 << (bitDepth - 1));
    return;
  }
  if (predMode == kIntraDC) {  // the line's samples above and left of the block (8.4.5.2.11 with refIdx)
    predDC(top + refIdx, left + refIdx, w, h, dst, dstStride);
    return;
  }
  const int mode = intraWideAngleMode(predMode, w, h);
  if (mode >= 34) {
    predAngularRefLine(mode, top, left, w, h, refIdx, bitDepth, dst, dstStride);
  } else {
    Pel tmp[kMaxIntraBlock * kMaxIntraBlock];
    predAngularRefLine(mode, left, top, h, w, refIdx, bitDepth, tmp, h);
    intraFunctions().transpose(tmp, h, h, w, dst, dstStride);
  }
}

void intraPredictIsp(int predMode, const Pel* top, const Pel* left, int w, int h, int cuW, int cuH, int bitDepth,
                     Pel* dst, ptrdiff_t dstStride) {
  const bool valid = w >= 4 && h >= 1 && w <= kMaxIntraBlock && h <= kMaxIntraBlock && (w & (w - 1)) == 0 &&
                     (h & (h - 1)) == 0 && predMode >= 0 && predMode <= 66 && cuW >= w && cuH >= h;
  assert(valid);
  if (!valid) {
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) dst[y * dstStride + x] = Pel(1 << (bitDepth - 1));
    return;
  }
  const int mode = intraWideAngleMode(predMode, cuW, cuH);
  const bool pdpcSize = w >= 4 && h >= 4;
  if (mode == kIntraPlanar || mode == kIntraDC) {
    if (mode == kIntraPlanar) predPlanar(top, left, w, h, dst, dstStride);
    else predDC(top, left, w, h, dst, dstStride);
    if (pdpcSize) pdpcPlanarDC(top, left, w, h, dst, dstStride);
    return;
  }
  if (mode >= 34) {
    predAngularOriented(mode, true, top, left, w, h, 0, bitDepth, false, pdpcSize, dst, dstStride, cuW + w);
  } else {
    Pel tmp[kMaxIntraBlock * kMaxIntraBlock];
    predAngularOriented(mode, false, left, top, h, w, 0, bitDepth, false, pdpcSize, tmp, h, cuH + h);
    intraFunctions().transpose(tmp, h, h, w, dst, dstStride);
  }
}

void intraPredict(int predMode, const Pel* top, const Pel* left, int w, int h, int cIdx,
                  int bitDepth, Pel* dst, ptrdiff_t dstStride) {
  // 2-sample sides occur for chroma (e.g. 8x2 chroma of a 16x4 single-tree CU).
  const bool validSize = w >= 2 && h >= 2 && w <= kMaxIntraBlock && h <= kMaxIntraBlock &&
                         (w & (w - 1)) == 0 && (h & (h - 1)) == 0;
  assert(validSize && predMode >= 0 && predMode <= 66);
  if (!validSize || predMode < 0 || predMode > 66) {
    // Out of contract (never produced by a valid parse): deterministic mid-grey, no UB.
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) dst[y * dstStride + x] = Pel(1 << (bitDepth - 1));
    return;
  }
  const int mode = intraWideAngleMode(predMode, w, h);
  const int nTbS = (log2Int(w) + log2Int(h)) >> 1;

  // refFilterFlag (8.4.5.2.1) and filterFlag of 8.4.5.2.3 ([1 2 1] smoothing).
  bool refFilterFlag = false;
  switch (mode) {
    case 0: case -14: case -12: case -10: case -6: case 2: case 34: case 66:
    case 72: case 76: case 78: case 80:
      refFilterFlag = true;
      break;
    default:
      break;
  }
  const bool smoothRefs = refFilterFlag && w * h > 32 && cIdx == 0;
  Pel fTop[2 * kMaxIntraBlock + 1], fLeft[2 * kMaxIntraBlock + 1];
  if (smoothRefs) {
    filterRefs(top, left, w, h, fTop, fLeft);
    top = fTop;
    left = fLeft;
  }
  // PDPC is applied only for blocks of at least 4x4 (8.4.5.2.5: nTbW >= 4 and nTbH >= 4) —
  // not for thin chroma blocks (Nx2).
  const bool pdpcSize = w >= 4 && h >= 4;

  if (mode == kIntraPlanar || mode == kIntraDC) {
    if (mode == kIntraPlanar)
      predPlanar(top, left, w, h, dst, dstStride);
    else
      predDC(top, left, w, h, dst, dstStride);
    if (pdpcSize) pdpcPlanarDC(top, left, w, h, dst, dstStride);
    return;
  }

  // Interpolation filter choice (8.4.5.2.12): fG when not refFilterFlag and the mode is far
  // enough from horizontal/vertical for this block size; luma only.
  bool fg = false;
  if (cIdx == 0 && !refFilterFlag) {
    const int minDistVerHor = std::min(std::abs(mode - 50), std::abs(mode - 18));
    fg = minDistVerHor > horVerDistThres(nTbS);
  }

  const bool isVer = mode >= 34;
  if (isVer) {
    predAngularOriented(mode, true, top, left, w, h, cIdx, bitDepth, fg, pdpcSize, dst,
                        dstStride);
  } else {
    Pel tmp[kMaxIntraBlock * kMaxIntraBlock];
    predAngularOriented(mode, false, left, top, h, w, cIdx, bitDepth, fg, pdpcSize, tmp, h);
    intraFunctions().transpose(tmp, h, h, w, dst, dstStride);
  }
}

}  // namespace dsp
}  // namespace nnvvc
