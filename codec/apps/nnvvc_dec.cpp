// nnvvc-dec: decoder CLI. Checks the MD5 picture hash SEI; non-zero exit on mismatch or on a
// corrupt/unsupported stream.
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "decoder/decoder.h"

using namespace nnvvc;

static void usage(std::FILE* f) {
  std::fprintf(f,
      "nnvvc-dec: H.266/VVC decoder for nnvvc streams (Main 10 subset: all-intra and random access)\n"
      "usage: nnvvc-dec -b in.266 [-o out.yuv]\n"
      "  -b, --bitstream FILE   input Annex-B bitstream\n"
      "  -o, --output FILE      decoded pictures in output (POC) order, 10-bit little-endian YUV 4:2:0\n"
      "                         (cropped to the conformance window)\n"
      "  -h, --help             this help\n"
      "Exit status: 0 ok, 1 corrupt/unsupported stream or MD5 mismatch, 2 usage/I-O error.\n");
}

int main(int argc, char** argv) {
  std::string in, out;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "-h" || a == "--help") { usage(stdout); return 0; }
    if ((a == "-b" || a == "--bitstream" || a == "-o" || a == "--output") && i + 1 >= argc) {
      std::fprintf(stderr, "nnvvc-dec: option %s needs a value\n", a.c_str());
      return 2;
    }
    if (a == "-b" || a == "--bitstream") in = argv[++i];
    else if (a == "-o" || a == "--output") out = argv[++i];
    else { std::fprintf(stderr, "nnvvc-dec: unknown option '%s' (see --help)\n", a.c_str()); return 2; }
  }
  if (in.empty()) { std::fprintf(stderr, "nnvvc-dec: missing -b input bitstream (see --help)\n"); return 2; }
  std::ifstream f(in, std::ios::binary);
  if (!f) { std::fprintf(stderr, "nnvvc-dec: cannot open '%s'\n", in.c_str()); return 2; }
  f.seekg(0, std::ios::end);
  const std::streamoff size = f.tellg();
  if (size > (std::streamoff(1) << 31)) { std::fprintf(stderr, "nnvvc-dec: input larger than 2 GiB\n"); return 2; }
  f.seekg(0);
  std::vector<uint8_t> data(static_cast<size_t>(size));
  if (size > 0) f.read(reinterpret_cast<char*>(data.data()), size);
  DecodeResult res;
  std::string err;
  const int rc = decodeStream(data, out, res, err);
  std::fprintf(stderr, "nnvvc-dec: %d picture(s) decoded, %d output, MD5 checked %d, mismatches %d, missing %d\n",
               res.decoded, res.frames, res.md5Checked, res.md5Mismatches, res.md5Missing);
  if (rc != 0) std::fprintf(stderr, "nnvvc-dec: error: %s\n", err.c_str());
  return rc;
}
