// nnvvc-feature: the CNN split predictor's temporal input for B pictures (analysis/temporal_feature.h), computed
// from the source file for every listed picture in one run, so the worker pays for it once per job (for all its
// QPs) in compiled code rather than in JavaScript.
//   nnvvc-feature -i in.yuv -s WxH [--input-bitdepth 8|10] -o out.u16 POC:REF[,REF] ...
// out.u16 holds one W x H plane per listed picture, in the order given: 16-bit little-endian, 10-bit units.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "analysis/temporal_feature.h"
#include "common/types.h"
#include "common/yuv_io.h"

using nnvvc::Pel;

namespace {

void usage(std::FILE* f) {
  std::fprintf(f,
               "nnvvc-feature: the split predictor's temporal feature (|luma - motion-compensated prediction|, the\n"
               "input of models/splitnet-v3.onnx for B pictures) of listed pictures of a raw YUV 4:2:0 file\n"
               "usage: nnvvc-feature -i in.yuv -s WxH [--input-bitdepth 8|10] -o out.u16 POC:REF[,REF] ...\n"
               "  POC:REF[,REF]  a picture (input frame index) and the one or two frames it is compared with\n"
               "  -o FILE        one WxH plane per picture, in the order given, 16-bit little-endian (10-bit units);\n"
               "                 '-' writes to stdout\n");
}

struct Request {
  int poc = 0;
  std::vector<int> refs;
};

bool parseInt(const std::string& s, int& v) {
  if (s.empty()) return false;
  char* end = nullptr;
  errno = 0;
  const long x = std::strtol(s.c_str(), &end, 10);
  if (errno || *end || x < 0 || x > (1 << 30)) return false;
  v = int(x);
  return true;
}

bool parseRequest(const std::string& a, Request& r) {
  const size_t colon = a.find(':');
  if (colon == std::string::npos || !parseInt(a.substr(0, colon), r.poc)) return false;
  std::string rest = a.substr(colon + 1);
  while (true) {
    const size_t comma = rest.find(',');
    int ref = 0;
    if (!parseInt(rest.substr(0, comma), ref) || ref == r.poc) return false;
    r.refs.push_back(ref);
    if (comma == std::string::npos) break;
    rest = rest.substr(comma + 1);
  }
  return r.refs.size() <= 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string input, output;
  int width = 0, height = 0, bitDepth = 8;
  std::vector<Request> requests;
  auto value = [&](int& i) -> const char* {
    if (i + 1 >= argc) { std::fprintf(stderr, "nnvvc-feature: option %s needs a value\n", argv[i]); std::exit(2); }
    return argv[++i];
  };
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "-h" || a == "--help") { usage(stdout); return 0; }
    if (a == "-i" || a == "--input") input = value(i);
    else if (a == "-o" || a == "--output") output = value(i);
    else if (a == "-s" || a == "--size") {
      const std::string s = value(i);
      const size_t x = s.find('x');
      if (x == std::string::npos || !parseInt(s.substr(0, x), width) || !parseInt(s.substr(x + 1), height) || width < 2 ||
          height < 2 || width % 2 || height % 2) {
        std::fprintf(stderr, "nnvvc-feature: bad size '%s' (expected WxH, even, at least 2x2)\n", s.c_str());
        return 2;
      }
    } else if (a == "--input-bitdepth") {
      const std::string s = value(i);
      if (s != "8" && s != "10") { std::fprintf(stderr, "nnvvc-feature: bad --input-bitdepth '%s' (8 or 10)\n", s.c_str()); return 2; }
      bitDepth = std::atoi(s.c_str());
    } else if (a.size() > 1 && a[0] == '-') {
      std::fprintf(stderr, "nnvvc-feature: unknown option '%s'\n", a.c_str());
      usage(stderr);
      return 2;
    } else {
      Request r;
      if (!parseRequest(a, r)) {
        std::fprintf(stderr, "nnvvc-feature: bad picture '%s' (expected POC:REF or POC:REF,REF, frame indices, references other than the picture)\n", a.c_str());
        return 2;
      }
      requests.push_back(r);
    }
  }
  if (input.empty() || output.empty() || width == 0) { usage(stderr); return 2; }
  std::FILE* in = std::fopen(input.c_str(), "rb");
  if (!in) { std::fprintf(stderr, "nnvvc-feature: cannot open '%s': %s\n", input.c_str(), std::strerror(errno)); return 1; }
  const long long frameBytes = (long long)(width * height + 2 * (width / 2) * (height / 2)) * (bitDepth > 8 ? 2 : 1);
  // frames stay read until the last request that uses them (references lie close to their pictures)
  std::map<int, size_t> lastUse;
  for (size_t k = 0; k < requests.size(); ++k) {
    lastUse[requests[k].poc] = k;
    for (int r : requests[k].refs) lastUse[r] = k;
  }
  // luma planes only (the chroma is not used), recycled through `spare`: fresh 1080p buffers cost page faults
  std::map<int, std::vector<Pel>> frames;
  std::vector<std::vector<Pel>> spare;
  auto frame = [&](int poc) -> const Pel* {
    auto it = frames.find(poc);
    if (it != frames.end()) return it->second.data();
    std::vector<Pel> y;
    if (!spare.empty()) { y = std::move(spare.back()); spare.pop_back(); }
    y.resize(size_t(width) * size_t(height));
    if (fseeko(in, off_t(poc) * off_t(frameBytes), SEEK_SET) != 0 || !nnvvc::readYuvLuma(in, width, height, bitDepth, y.data())) {
      std::fprintf(stderr, "nnvvc-feature: frame %d is beyond the end of '%s' (%lld bytes a frame)\n", poc, input.c_str(), frameBytes);
      return nullptr;
    }
    return frames.emplace(poc, std::move(y)).first->second.data();
  };
  std::FILE* out = output == "-" ? stdout : std::fopen(output.c_str(), "wb");
  if (!out) { std::fprintf(stderr, "nnvvc-feature: cannot write '%s': %s\n", output.c_str(), std::strerror(errno)); return 1; }
  std::vector<uint8_t> bytes(size_t(width) * size_t(height) * 2);
  nnvvc::analysis::McFeatureWorkspace ws;
  std::vector<uint16_t> f;
  for (size_t k = 0; k < requests.size(); ++k) {
    const Pel* cur = frame(requests[k].poc);
    if (!cur) return 1;
    std::vector<nnvvc::analysis::LumaView> refs;
    for (int r : requests[k].refs) {
      const Pel* p = frame(r);
      if (!p) return 1;
      refs.push_back({p, width, height});
    }
    nnvvc::analysis::mcTemporalFeature({cur, width, height}, refs, f, ws);
    for (size_t i = 0; i < f.size(); ++i) { bytes[2 * i] = uint8_t(f[i] & 255); bytes[2 * i + 1] = uint8_t(f[i] >> 8); }
    if (std::fwrite(bytes.data(), 1, bytes.size(), out) != bytes.size()) {
      std::fprintf(stderr, "nnvvc-feature: write error on '%s'\n", output.c_str());
      return 1;
    }
    for (auto it = frames.begin(); it != frames.end();) {
      if (lastUse[it->first] > k) { ++it; continue; }
      spare.push_back(std::move(it->second));
      it = frames.erase(it);
    }
  }
  if (out != stdout && std::fclose(out) != 0) { std::fprintf(stderr, "nnvvc-feature: write error on '%s'\n", output.c_str()); return 1; }
  std::fclose(in);
  return 0;
}
