// The one place the fuzz targets touch the decoder library's API (so an API change means editing one file).
#pragma once
#include <cstddef>
#include <cstdint>

namespace nnvvc::fuzz {

// Decodes `size` arbitrary bytes as an Annex-B VVC stream, discarding the output pictures.
// Returns the number of pictures output, or -1 when the decoder rejected the stream with an error (that is fine:
// garbage in, error out). Anything else -- a crash, a sanitizer report, a hang, unbounded memory -- is a bug.
int decodeBuffer(const uint8_t* data, size_t size);

}  // namespace nnvvc::fuzz
