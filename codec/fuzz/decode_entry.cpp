// Adapter from the fuzz targets to the decoder library (codec/src/decoder/decoder.h).
// Exceptions are deliberately not caught: nnvvc-dec does not catch them either, so one escaping the decoder on
// bad input is a crash of the CLI and must be reported by the fuzzer.
#include "decode_entry.h"

#include <string>
#include <vector>

#include "decoder/decoder.h"

namespace nnvvc::fuzz {

int decodeBuffer(const uint8_t* data, size_t size) {
  std::vector<uint8_t> stream(data, data + size);
  DecodeResult res;
  std::string error;
  const int rc = decodeStream(stream, std::string(), res, error);
  return rc == 0 ? res.frames : -1;
}

}  // namespace nnvvc::fuzz
