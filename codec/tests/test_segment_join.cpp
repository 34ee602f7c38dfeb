// Segments: nnvvc-enc --first-frame encodes of consecutive intra periods, joined by joinSegments,
// give byte for byte the stream of one encode of the whole range; segments that do not fit
// together (order, overlap, settings) are refused with a message naming the segment.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "bitstream/segment_join.h"
#include "encoder/encoder.h"
#include "test_check.h"
#include "yuv_test_util.h"

using namespace nnvvc;

static const int W = 64, H = 48, N = 35;

static const std::string& workDir() {
  static const std::string dir = [] {
    const std::string d = makeTestDir("join");
    // a textured picture panning right and down, so that inter prediction and the pre-filter have work
    writeSyntheticYuv(d + "/in.yuv", W, H, N, [](int n, int c, int x, int y) {
      const int X = x + n * (c ? 1 : 2), Y = y + n;
      return X * (3 + c) + Y * 2 + ((X / 7 + Y / 5) % 2) * 70 + (X * Y % 13);
    });
    return d;
  }();
  return dir;
}

static int encode(int first, int frames, int qp, const std::string& name, std::string& err) {
  EncoderOptions o;
  o.inputPath = workDir() + "/in.yuv"; o.width = W; o.height = H; o.qp = qp; o.preset = "faster";
  o.config = "ra"; o.gopSize = 16; o.intraPeriod = 16; o.firstFrame = first; o.frames = frames;
  o.bitstreamPath = workDir() + "/" + name;
  return runEncoder(o, err);
}

TEST_CASE(joinedEqualsWholeEncode) {
  std::string err;
  CHECK(encode(0, 35, 32, "whole.266", err) == 0, "%s", err.c_str());
  // frames 0..16, 16..32, 32..34: each segment starts on the CRA the previous one ends with
  CHECK(encode(0, 17, 32, "s0.266", err) == 0, "%s", err.c_str());
  CHECK(encode(16, 17, 32, "s1.266", err) == 0, "%s", err.c_str());
  CHECK(encode(32, 3, 32, "s2.266", err) == 0, "%s", err.c_str());
  const std::string& d = workDir();
  std::vector<uint8_t> joined;
  CHECK(joinSegments({readAll(d + "/s0.266"), readAll(d + "/s1.266"), readAll(d + "/s2.266")}, joined, err), "%s", err.c_str());
  const std::vector<uint8_t> whole = readAll(d + "/whole.266");
  CHECK(!whole.empty());
  CHECK(joined == whole, "joined %zu bytes, whole encode %zu bytes", joined.size(), whole.size());
}

TEST_CASE(badSegmentsRefused) {
  std::string err;
  const std::string& d = workDir();
  std::vector<uint8_t> out;
  const auto s0 = readAll(d + "/s0.266"), s1 = readAll(d + "/s1.266"), s2 = readAll(d + "/s2.266");
  CHECK(!joinSegments({s1, s0}, out, err));
  CHECK(err.find("segment 1") != std::string::npos, "%s", err.c_str());
  CHECK(!joinSegments({s0, s2}, out, err), "a gap between segments");
  // frames 0..15 end before the CRA at 16: nothing overlaps
  CHECK(encode(0, 16, 32, "short.266", err) == 0, "%s", err.c_str());
  CHECK(!joinSegments({readAll(d + "/short.266"), s1}, out, err));
  // other settings: the PPS (init QP) differs
  CHECK(encode(16, 17, 37, "qp37.266", err) == 0, "%s", err.c_str());
  CHECK(!joinSegments({s0, readAll(d + "/qp37.266")}, out, err));
  CHECK(err.find("PPS") != std::string::npos, "%s", err.c_str());
  CHECK(!joinSegments({s0, std::vector<uint8_t>{1, 2, 3}}, out, err));
  CHECK(!joinSegments({}, out, err));
  // --first-frame must be a multiple of the intra period in ra, and inside the input
  CHECK(encode(8, 5, 32, "bad.266", err) == 2);
  CHECK(err.find("--first-frame 8") != std::string::npos, "%s", err.c_str());
  CHECK(encode(48, 1, 32, "bad.266", err) == 2);
  CHECK(err.find("--first-frame 48") != std::string::npos, "%s", err.c_str());
  CHECK(encode(32, 5, 32, "bad.266", err) == 2, "only 3 frames from 32");
}

int main(int argc, char** argv) {
  const int rc = runTestCases(argc, argv);
  std::system(("rm -rf " + workDir()).c_str());
  return rc;
}
