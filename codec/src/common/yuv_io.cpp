#include "common/yuv_io.h"

#include <vector>

namespace nnvvc {

namespace {

// One row of `w` file samples into 10-bit samples (8-bit << 2; 10-bit little-endian, clipped to 0..1023).
bool readRow(std::FILE* f, int w, int bitDepth, std::vector<uint8_t>& row, Pel* d) {
  const int bytesPerSample = bitDepth > 8 ? 2 : 1;
  row.resize(size_t(w) * size_t(bytesPerSample));
  if (std::fread(row.data(), 1, row.size(), f) != row.size()) return false;
  for (int x = 0; x < w; ++x) {
    int v = bytesPerSample == 2 ? int(row[2 * x] | (row[2 * x + 1] << 8)) : int(row[x]);
    if (bitDepth == 8) v <<= 2;
    d[x] = Pel(clip3(0, 1023, v));
  }
  return true;
}

}  // namespace

bool readYuvLuma(std::FILE* f, int width, int height, int bitDepth, Pel* dst) {
  std::vector<uint8_t> row;
  for (int y = 0; y < height; ++y)
    if (!readRow(f, width, bitDepth, row, dst + ptrdiff_t(y) * width)) return false;
  return true;
}

bool readYuvFrame(std::FILE* f, int width, int height, int bitDepth, Picture& pic) {
  std::vector<uint8_t> row;
  for (int c = 0; c < 3; ++c) {
    const int s = c ? 1 : 0;
    const int w = width >> s, h = height >> s;
    Plane& p = pic.planes[c];
    for (int y = 0; y < h; ++y) {
      Pel* d = p.row(y);
      if (!readRow(f, w, bitDepth, row, d)) return false;
      for (int x = w; x < p.width; ++x) d[x] = d[w - 1];  // pad right by replication
    }
    for (int y = h; y < p.height; ++y)
      for (int x = 0; x < p.width; ++x) p.at(x, y) = p.at(x, h - 1);  // pad bottom
  }
  return true;
}

bool writeYuvFrame(std::FILE* f, const Picture& pic, int x0, int y0, int width, int height) {
  for (int c = 0; c < 3; ++c) {
    const int s = c ? 1 : 0;
    const int w = width >> s, h = height >> s, cx = x0 >> s, cy = y0 >> s;
    std::vector<uint8_t> row(size_t(w) * 2);
    for (int y = 0; y < h; ++y) {
      const Pel* r = pic.planes[c].row(cy + y) + cx;
      for (int x = 0; x < w; ++x) {
        row[2 * x] = uint8_t(r[x] & 0xff);
        row[2 * x + 1] = uint8_t(uint16_t(r[x]) >> 8);
      }
      if (std::fwrite(row.data(), 1, row.size(), f) != row.size()) return false;
    }
  }
  return true;
}

}  // namespace nnvvc
