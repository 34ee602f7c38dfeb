// nnvvc-join: joins random-access segments encoded apart (nnvvc-enc --first-frame) into one bitstream.
//   nnvvc-join -o joined.266 seg0.266 seg1.266 ...
// Segment k + 1 must start at the frame segment k ends with (a CRA picture, coded identically in
// both); the result equals the bitstream of one encode of the whole range.
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "bitstream/segment_join.h"

static void usage(std::FILE* f) {
  std::fprintf(f,
               "nnvvc-join: joins random-access segments encoded by nnvvc-enc --first-frame into one bitstream\n"
               "usage: nnvvc-join -o joined.266 seg0.266 seg1.266 [...]\n"
               "  each segment after the first starts at the frame the previous one ends with (its\n"
               "  --first-frame is the previous segment's last frame, a multiple of the intra period)\n");
}

int main(int argc, char** argv) {
  std::string outPath;
  std::vector<std::string> inputs;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "-h" || a == "--help") { usage(stdout); return 0; }
    if (a == "-o" || a == "--output") {
      if (i + 1 >= argc) { std::fprintf(stderr, "nnvvc-join: option %s needs a value\n", a.c_str()); return 2; }
      outPath = argv[++i];
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "nnvvc-join: unknown option '%s'\n", a.c_str());
      usage(stderr);
      return 2;
    } else {
      inputs.push_back(a);
    }
  }
  if (outPath.empty() || inputs.empty()) { usage(stderr); return 2; }
  std::vector<std::vector<uint8_t>> segments;
  for (const std::string& p : inputs) {
    std::ifstream f(p, std::ios::binary);
    if (!f) { std::fprintf(stderr, "nnvvc-join: cannot open '%s'\n", p.c_str()); return 2; }
    segments.emplace_back(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  }
  std::vector<uint8_t> out;
  std::string err;
  if (!nnvvc::joinSegments(segments, out, err)) { std::fprintf(stderr, "nnvvc-join: %s\n", err.c_str()); return 2; }
  std::ofstream o(outPath, std::ios::binary);
  o.write(reinterpret_cast<const char*>(out.data()), std::streamsize(out.size()));
  if (!o) { std::fprintf(stderr, "nnvvc-join: write error on '%s'\n", outPath.c_str()); return 2; }
  std::fprintf(stderr, "joined %zu segments, %zu bytes\n", segments.size(), out.size());
  return 0;
}
