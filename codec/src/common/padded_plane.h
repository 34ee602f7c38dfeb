// A luma-sized plane with `margin` edge-replicated samples on every side, so that motion-compensated reads (block
// matching, interpolation) need no clamping. Shared by the temporal pre-filter (encoder/temporal_filter.cpp) and the
// split predictor's temporal feature (analysis/temporal_feature.cpp).
#pragma once
#include <algorithm>
#include <cstddef>
#include <vector>

#include "common/types.h"

namespace nnvvc {

struct PaddedPlane {
  int width = 0, height = 0, margin = 0;
  ptrdiff_t stride = 0;
  std::vector<Pel> buf;
  const Pel* at(int x, int y) const { return buf.data() + (ptrdiff_t(y) + margin) * stride + x + margin; }
  Pel* at(int x, int y) { return buf.data() + (ptrdiff_t(y) + margin) * stride + x + margin; }

  // Sizes the plane; the samples are left as they were (a reused plane keeps its buffer: no allocation, no zeroing).
  void alloc(int w, int h, int m) {
    width = w; height = h; margin = m;
    stride = w + 2 * m;
    buf.resize(size_t(stride) * size_t(h + 2 * m));
  }
  // Fills the margins from the interior's edge samples.
  void extendBorders() {
    for (int y = 0; y < height; ++y) {
      Pel* row = at(0, y);
      std::fill(row - margin, row, row[0]);
      std::fill(row + width, row + width + margin, row[width - 1]);
    }
    const Pel* top = at(-margin, 0);
    const Pel* bottom = at(-margin, height - 1);
    for (int y = 1; y <= margin; ++y) {
      std::copy(top, top + stride, at(-margin, -y));
      std::copy(bottom, bottom + stride, at(-margin, height - 1 + y));
    }
  }
  // The plane = `src` (w x h samples, `srcStride` apart) edge-replicated to pw x ph (>= w x h) and `m` more on every side.
  void assign(const Pel* src, ptrdiff_t srcStride, int w, int h, int pw, int ph, int m) {
    alloc(pw, ph, m);
    for (int y = 0; y < ph; ++y) {
      const Pel* s = src + ptrdiff_t(std::min(y, h - 1)) * srcStride;
      Pel* d = at(0, y);
      std::copy(s, s + w, d);
      std::fill(d + w, d + pw, s[w - 1]);
    }
    extendBorders();
  }
};

}  // namespace nnvvc
