#include "common/yuv_io.h"

#include <vector>

namespace nnvvc {

bool readYuvFrame(std::FILE* f, int width, int height, int bitDepth, Picture& pic) {
  const int bytesPerSample = bitDepth > 8 ? 2 : 1;
  for (int c = 0; c < 3; ++c) {
    const int s = c ? 1 : 0;
    const int w = width >> s, h = height >> s;
    Plane& p = pic.planes[c];
    std::vector<uint8_t> row(size_t(w) * size_t(bytesPerSample));
    for (int y = 0; y < h; ++y) {
      if (std::fread(row.data(), 1, row.size(), f) != row.size()) return false;
      Pel* d = p.row(y);
      for (int x = 0; x < w; ++x) {
        int v = bytesPerSample == 2 ? int(row[2 * x] | (row[2 * x + 1] << 8)) : int(row[x]);
        if (bitDepth == 8) v <<= 2;
        d[x] = Pel(clip3(0, 1023, v));
      }
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
