// Shared by the codec tests that write CABAC payloads and parse them back.
#pragma once
#include <cstdint>
#include <vector>

#include "cabac/cabac.h"

namespace nnvvc {

// Terminates the arithmetic coder as a slice end does and returns its bytes with the stop bit
// and alignment, so an ArithDecoder can read them back.
inline std::vector<uint8_t> finishBytes(ArithEncoder& enc) {
  enc.terminate(1);
  enc.finish();
  std::vector<uint8_t> b = enc.bytes();
  b.push_back(uint8_t(((enc.pendingBits() << 1) | 1u) << (7 - enc.pendingCount())));
  return b;
}

}  // namespace nnvvc
