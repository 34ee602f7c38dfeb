// Basic sample/picture types shared by every codec module.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace nnvvc {
using Pel = int16_t;     // samples (10-bit) and residuals
using TCoeff = int32_t;  // transform coefficients / levels

constexpr int kBitDepth = 10;       // internal bit depth (Main 10)
constexpr int kLog2CtuSize = 7;     // 128x128 CTUs
constexpr int kCtuSize = 1 << kLog2CtuSize;
constexpr int kMinCbLog2 = 2;       // 4x4 minimum luma coding block
constexpr int kMaxTbLog2 = 6;       // 64x64 max luma transform block

enum ComponentId : int { kCompY = 0, kCompCb = 1, kCompCr = 2 };

// One plane of samples; stride in samples. Chroma planes of a 4:2:0 picture are half size.
struct Plane {
  int width = 0, height = 0;
  ptrdiff_t stride = 0;
  std::vector<Pel> data;
  void alloc(int w, int h) {
    width = w; height = h; stride = w;
    data.assign(size_t(w) * size_t(h), Pel(0));
  }
  Pel* row(int y) { return data.data() + ptrdiff_t(y) * stride; }
  const Pel* row(int y) const { return data.data() + ptrdiff_t(y) * stride; }
  Pel& at(int x, int y) { return data[size_t(y) * size_t(stride) + size_t(x)]; }
  Pel at(int x, int y) const { return data[size_t(y) * size_t(stride) + size_t(x)]; }
};

// A 4:2:0 picture at the coded size (luma width/height are multiples of 8; the conformance
// window crops the output to the source size).
struct Picture {
  Plane planes[3];
  int width = 0, height = 0;  // coded luma size
  int poc = 0;
  void alloc(int w, int h) {
    width = w; height = h;
    planes[0].alloc(w, h);
    planes[1].alloc(w / 2, h / 2);
    planes[2].alloc(w / 2, h / 2);
  }
};

inline int log2Int(unsigned v) { int r = -1; while (v) { v >>= 1; ++r; } return r; }
// log2ZoTbWidth / log2ZoTbHeight of 7.3.11.11, the coded region of a TB side: 32 for 64-sample sides, and 16 for
// a 32-sample side of an SBT CU's luma TB under sps_mts_enabled_flag (sbtMtsLuma) whose other side is below 64.
inline int log2ZeroOutSide(int log2Side, int log2Other, bool sbtMtsLuma) {
  return (sbtMtsLuma && log2Side == 5 && log2Other < 6) ? 4 : (log2Side < 5 ? log2Side : 5);
}
// Transform-block shapes with a residual_coding(): sides 2..64, and the 1xN / Nx1 (N = 16..64) of ISP sub-partitions.
constexpr bool tbShapeCoded(int log2W, int log2H) {
  return log2W >= 0 && log2H >= 0 && log2W <= 6 && log2H <= 6 &&
         ((log2W >= 1 && log2H >= 1) || log2W + log2H >= 4);
}
template <class T> inline T clip3(T lo, T hi, T v) { return v < lo ? lo : (v > hi ? hi : v); }
}  // namespace nnvvc
