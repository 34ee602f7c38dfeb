// MD5 (RFC 1321), used for the decoded picture hash SEI.
#pragma once
#include <cstddef>
#include <cstdint>

#include "common/types.h"

namespace nnvvc {
class Md5 {
 public:
  Md5();
  void update(const uint8_t* data, size_t n);
  void final(uint8_t out[16]);

 private:
  void block(const uint8_t* p);
  uint32_t s_[4];
  uint64_t len_ = 0;
  uint8_t buf_[64];
  size_t bufLen_ = 0;
};
// MD5 of a plane's w x h samples as the picture hash SEI defines them for bit depth > 8:
// each sample as 2 bytes little-endian.
void planeMd5(const Plane& p, int w, int h, uint8_t out[16]);
}  // namespace nnvvc
