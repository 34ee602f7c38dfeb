// Encoder driver: frame loop, input conversion to 10 bit, parameter sets, CTU loop (search ->
// CABAC writing -> shared reconstruction), picture hash SEI, recon output and statistics.
#pragma once
#include <string>

namespace nnvvc {

struct EncoderOptions {
  std::string inputPath, bitstreamPath, reconPath, statsPath, splitHintsPath;
  std::string preset = "medium";  // RD search (see --help for the others)
  std::string config = "ai";
  int width = 0, height = 0;
  double fps = 30.0;
  int frames = 0;          // 0 = all frames in the file
  int inputBitDepth = 8;
  int qp = 32;
};

// Runs the whole encode. Returns 0 on success; otherwise fills `error` with a one-line message.
int runEncoder(const EncoderOptions& opt, std::string& error);

}  // namespace nnvvc
