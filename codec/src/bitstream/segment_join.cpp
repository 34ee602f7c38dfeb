#include "bitstream/segment_join.h"

#include "bitstream/bitstream.h"

namespace nnvvc {

namespace {

// One NAL unit as it lies in the stream: [begin, end) including its start code; payload from
// `header` (the two header bytes) on, emulation prevention bytes kept.
struct RawNal {
  size_t begin, header, end;
  NalType type;
};

bool splitRaw(const std::vector<uint8_t>& s, std::vector<RawNal>& out) {
  std::vector<std::pair<size_t, size_t>> starts;  // (start code begin, header)
  for (size_t i = 0; i + 2 < s.size(); ++i)
    if (s[i] == 0 && s[i + 1] == 0 && s[i + 2] == 1) {
      starts.push_back({i > 0 && s[i - 1] == 0 ? i - 1 : i, i + 3});
      i += 2;
    }
  if (starts.empty() || starts[0].first != 0) return false;  // not Annex-B, or bytes before the first NAL
  for (size_t k = 0; k < starts.size(); ++k) {
    const size_t end = k + 1 < starts.size() ? starts[k + 1].first : s.size();
    if (end < starts[k].second + 2) return false;
    out.push_back({starts[k].first, starts[k].second, end, NalType(s[starts[k].second + 1] >> 3)});
  }
  return true;
}

bool samePayload(const std::vector<uint8_t>& a, const RawNal& x, const std::vector<uint8_t>& b, const RawNal& y) {
  return x.end - x.header == y.end - y.header && std::equal(a.begin() + ptrdiff_t(x.header), a.begin() + ptrdiff_t(x.end),
                                                            b.begin() + ptrdiff_t(y.header));
}

bool isSuffix(NalType t) { return t == kNalSuffixSei || t == NalType(18) /* SUFFIX_APS */ || t == NalType(13) /* FD */; }

}  // namespace

bool joinSegments(const std::vector<std::vector<uint8_t>>& segments, std::vector<uint8_t>& out, std::string& err) {
  out.clear();
  if (segments.empty()) { err = "no segments to join"; return false; }
  std::vector<std::vector<RawNal>> nals(segments.size());
  for (size_t k = 0; k < segments.size(); ++k)
    if (!splitRaw(segments[k], nals[k]) || nals[k].empty()) {
      err = "segment " + std::to_string(k) + " is not an Annex-B bitstream";
      return false;
    }
  out = segments[0];
  for (size_t k = 1; k < segments.size(); ++k) {
    const std::vector<RawNal>& prev = nals[k - 1];
    const std::vector<RawNal>& cur = nals[k];
    // parameter sets: the same as the first segment's
    for (const RawNal& n : cur) {
      if (isVclNal(n.type)) break;
      if (n.type != kNalSps && n.type != kNalPps && n.type != kNalVps) continue;
      bool found = false;
      for (const RawNal& f : nals[0])
        if (f.type == n.type && samePayload(segments[0], f, segments[k], n)) { found = true; break; }
      if (!found) {
        err = "segment " + std::to_string(k) + ": its " + (n.type == kNalSps ? "SPS" : n.type == kNalPps ? "PPS" : "VPS") +
              " differs from the first segment's (encoded with other settings?)";
        return false;
      }
    }
    // the first picture: an IRAP slice equal to the last IRAP slice of the previous segment
    size_t first = 0;
    while (first < cur.size() && !isVclNal(cur[first].type)) ++first;
    if (first == cur.size() || !isIrapNal(cur[first].type)) {
      err = "segment " + std::to_string(k) + " does not start with an IRAP picture";
      return false;
    }
    // ... the previous segment's last IRAP picture (not its first: it must end on that picture), with
    // the same decoded picture hash (their slice headers differ: the earlier one keeps references
    // for its leading pictures)
    size_t firstVcl = prev.size(), lastIrap = prev.size();
    for (size_t i = 0; i < prev.size(); ++i) {
      if (isVclNal(prev[i].type) && firstVcl == prev.size()) firstVcl = i;
      if (isIrapNal(prev[i].type)) lastIrap = i;
    }
    const bool hashesMatch = lastIrap < prev.size() && lastIrap != firstVcl && lastIrap + 1 < prev.size() &&
                             first + 1 < cur.size() && prev[lastIrap + 1].type == kNalSuffixSei &&
                             cur[first + 1].type == kNalSuffixSei &&
                             samePayload(segments[k - 1], prev[lastIrap + 1], segments[k], cur[first + 1]);
    if (!hashesMatch) {
      err = "segment " + std::to_string(k) + " does not start with the picture segment " + std::to_string(k - 1) +
            " ends with (segments overlap by one frame, a CRA picture: each one's --first-frame is the previous "
            "one's last frame; its decoded picture hash SEI must match)";
      return false;
    }
    size_t from = first + 1;
    while (from < cur.size() && isSuffix(cur[from].type)) ++from;
    for (size_t i = from; i < cur.size(); ++i)
      out.insert(out.end(), segments[k].begin() + ptrdiff_t(cur[i].begin), segments[k].begin() + ptrdiff_t(cur[i].end));
  }
  return true;
}

}  // namespace nnvvc
