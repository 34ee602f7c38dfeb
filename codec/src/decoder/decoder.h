// Decoder: Annex-B -> NAL units -> parameter sets / slices -> POC, reference lists and DPB
// (decoder/dpb.h) -> CTU parsing + shared reconstruction + deblocking -> MD5 check -> output in
// POC order as 10-bit LE YUV (cropped to the conformance window).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace nnvvc {

struct DecodeResult {
  int frames = 0;                  // pictures output
  int decoded = 0;                 // pictures decoded (RASL pictures of a starting CRA are skipped)
  int md5Checked = 0, md5Mismatches = 0, md5Missing = 0;
  std::vector<int> outputPocs;     // POC of each output picture, in output order
};

// Decodes a whole Annex-B stream, writing output pictures to outPath (empty: no output).
// Returns 0 on success, non-zero with `error` set on a corrupt/unsupported stream or I/O error.
int decodeStream(const std::vector<uint8_t>& data, const std::string& outPath, DecodeResult& res,
                 std::string& error);

}  // namespace nnvvc
