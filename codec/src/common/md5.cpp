#include "common/md5.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace nnvvc {
namespace {
const uint32_t K[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391};
const int R[64] = {7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9,  14, 20, 5, 9,
                   14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                   4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};
inline uint32_t rotl(uint32_t x, int c) { return (x << c) | (x >> (32 - c)); }
}  // namespace

Md5::Md5() { s_[0] = 0x67452301; s_[1] = 0xefcdab89; s_[2] = 0x98badcfe; s_[3] = 0x10325476; }

void Md5::block(const uint8_t* p) {
  uint32_t m[16];
  for (int i = 0; i < 16; ++i) m[i] = uint32_t(p[4 * i]) | uint32_t(p[4 * i + 1]) << 8 | uint32_t(p[4 * i + 2]) << 16 | uint32_t(p[4 * i + 3]) << 24;
  uint32_t a = s_[0], b = s_[1], c = s_[2], d = s_[3];
  for (int i = 0; i < 64; ++i) {
    uint32_t f; int g;
    if (i < 16) { f = (b & c) | (~b & d); g = i; }
    else if (i < 32) { f = (d & b) | (~d & c); g = (5 * i + 1) & 15; }
    else if (i < 48) { f = b ^ c ^ d; g = (3 * i + 5) & 15; }
    else { f = c ^ (b | ~d); g = (7 * i) & 15; }
    const uint32_t t = d; d = c; c = b;
    b = b + rotl(a + f + K[i] + m[g], R[i]);
    a = t;
  }
  s_[0] += a; s_[1] += b; s_[2] += c; s_[3] += d;
}

void Md5::update(const uint8_t* data, size_t n) {
  len_ += n;
  while (n > 0) {
    const size_t take = std::min<size_t>(64 - bufLen_, n);
    std::memcpy(buf_ + bufLen_, data, take);
    bufLen_ += take; data += take; n -= take;
    if (bufLen_ == 64) { block(buf_); bufLen_ = 0; }
  }
}

void Md5::final(uint8_t out[16]) {
  const uint64_t bits = len_ * 8;
  const uint8_t pad = 0x80;
  update(&pad, 1);
  const uint8_t z = 0;
  while (bufLen_ != 56) update(&z, 1);
  uint8_t l[8];
  for (int i = 0; i < 8; ++i) l[i] = uint8_t(bits >> (8 * i));
  update(l, 8);
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) out[4 * i + j] = uint8_t(s_[i] >> (8 * j));
}

void planeMd5(const Plane& p, int w, int h, uint8_t out[16]) {
  Md5 md;
  std::vector<uint8_t> row(size_t(w) * 2);
  for (int y = 0; y < h; ++y) {
    const Pel* r = p.row(y);
    for (int x = 0; x < w; ++x) { row[2 * x] = uint8_t(r[x] & 0xff); row[2 * x + 1] = uint8_t((uint16_t(r[x]) >> 8) & 0xff); }
    md.update(row.data(), row.size());
  }
  md.final(out);
}
}  // namespace nnvvc
