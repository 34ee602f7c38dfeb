// Joining random-access segments encoded apart (nnvvc-enc --first-frame) into one bitstream.
// Segment k + 1 starts on the CRA picture that ends segment k: the encoder codes that picture
// to the same reconstruction in both (same frame, POC, QP and APS id; nothing carried over an IRAP;
// checked by its decoded picture hash SEI), so the join keeps segment k whole and drops segment
// k + 1's first access unit (its parameter sets, the CRA's APS, slice and hash SEI). With nnvvc-enc
// the result is byte for byte the stream one encode of the whole range writes.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace nnvvc {

// Joins `segments` (Annex-B streams, in order). Returns false with `err` naming the segment and the
// reason when they do not fit together (different parameter sets, a segment that does not start
// with the IRAP picture its predecessor ends with, malformed input).
bool joinSegments(const std::vector<std::vector<uint8_t>>& segments, std::vector<uint8_t>& out, std::string& err);

}  // namespace nnvvc
