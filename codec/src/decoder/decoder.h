// Decoder: Annex-B -> NAL units -> parameter sets / slices -> CTU parsing + shared reconstruction
// -> MD5 check -> 10-bit LE YUV output (cropped to the conformance window).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace nnvvc {

struct DecodeResult {
  int frames = 0;
  int md5Checked = 0, md5Mismatches = 0, md5Missing = 0;
};

// Decodes a whole Annex-B stream, writing output pictures to outPath (empty: no output).
// Returns 0 on success, non-zero with `error` set on a corrupt/unsupported stream or I/O error.
int decodeStream(const std::vector<uint8_t>& data, const std::string& outPath, DecodeResult& res,
                 std::string& error);

}  // namespace nnvvc
