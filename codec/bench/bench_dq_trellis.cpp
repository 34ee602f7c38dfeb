// Speed of the dependent-quantisation trellis (search::dqQuantize) on fixed pseudo-random blocks: transformed
// residuals of smooth gradients plus noise, luma and chroma, 4x4..32x32 and the 64x64 zero-out, QP 22..37.
// Prints thread-CPU ns per TB (best of 5 rounds) per size, the total, and a checksum of every level and J, so
// that a speed change to the trellis can be shown to leave its decisions untouched (same checksum).
// Usage: bench-dq-trellis [--rounds N]
#include <time.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include "common/types.h"
#include "dsp/dsp.h"
#include "encoder/search/dq_trellis.h"
#include "encoder/search/rd_cost.h"
#include "encoder/search/rate_tables.h"
#include "syntax/ctu_syntax.h"

using namespace nnvvc;
using namespace nnvvc::search;

namespace {

double threadSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

struct Block {
  int w, h, qp, cIdx;
  std::vector<TCoeff> coeff;
};

}  // namespace

int main(int argc, char** argv) {
  int rounds = 5;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--rounds") && i + 1 < argc) {
      rounds = std::atoi(argv[++i]);
      if (rounds < 1) { std::fprintf(stderr, "bench-dq-trellis: invalid value '%s' for --rounds\n", argv[i]); return 2; }
    } else {
      std::fprintf(stderr, "usage: bench-dq-trellis [--rounds N]\n");
      return 2;
    }
  }
  ContextSet cs;
  cs.init(32, 2);
  ResidualBitTables tab[2];
  fillResidualTables(cs, 0, tab[0]);
  fillResidualTables(cs, 1, tab[1]);
  const int sizes[][3] = {{4, 4, 0}, {8, 8, 0}, {16, 16, 0}, {32, 32, 0}, {64, 64, 0}, {16, 4, 0}, {8, 32, 0},
                          {4, 4, 1}, {8, 8, 1}, {16, 16, 1}, {32, 32, 1}};
  const int numSizes = int(sizeof(sizes) / sizeof(sizes[0]));
  std::mt19937 rng(2026);
  std::vector<std::vector<Block>> blocks(static_cast<size_t>(numSizes));
  const int perSize = 64;
  for (int s = 0; s < numSizes; ++s)
    for (int k = 0; k < perSize; ++k) {
      Block b{sizes[s][0], sizes[s][1], 22 + 5 * (k % 4), sizes[s][2], {}};
      std::vector<Pel> resid(size_t(b.w * b.h));
      const int amp = int(rng() % 300), noise = 1 + int(rng() % 40);
      for (int y = 0; y < b.h; ++y)
        for (int x = 0; x < b.w; ++x)
          resid[size_t(y * b.w + x)] = Pel(amp * (x - y) / (b.w + b.h) + int(rng() % unsigned(2 * noise + 1)) - noise);
      b.coeff.resize(resid.size());
      dsp::forwardTransform(resid.data(), b.w, b.w, b.h, 10, b.coeff.data());
      blocks[size_t(s)].push_back(std::move(b));
    }
  uint64_t checksum = 1469598103934665603ull;
  auto mix = [&](uint64_t v) { checksum = (checksum ^ v) * 1099511628211ull; };
  double total = 0;
  std::printf("| TB | ns per TB (best of %d) |\n|---|---|\n", rounds);
  std::vector<TCoeff> lv(64 * 64);
  for (int s = 0; s < numSizes; ++s) {
    double best = 1e30;
    for (int r = 0; r < rounds; ++r) {
      const double t0 = threadSeconds();
      for (const Block& b : blocks[size_t(s)]) {
        DqParams p;
        p.log2W = log2Int(unsigned(b.w));
        p.log2H = log2Int(unsigned(b.h));
        p.isLuma = b.cIdx == 0;
        p.lambda = lambdaFromQp(b.qp, 10);
        p.qp = b.qp + 12;
        p.tables = &tab[b.cIdx ? 1 : 0];
        double J = 0;
        const int nz = dqQuantize(b.coeff.data(), p, lv.data(), &J);
        if (r == 0) {
          mix(uint64_t(nz));
          uint64_t jb;
          std::memcpy(&jb, &J, sizeof(jb));
          mix(jb);
          for (int i = 0; i < b.w * b.h; ++i) mix(uint64_t(uint32_t(lv[size_t(i)])));
        }
      }
      best = std::min(best, threadSeconds() - t0);
    }
    total += best;
    std::printf("| %s %dx%d | %.0f |\n", sizes[s][2] ? "chroma" : "luma", sizes[s][0], sizes[s][1], 1e9 * best / perSize);
  }
  std::printf("total %.3f ms for %d TBs; checksum %016llx\n", 1e3 * total, numSizes * perSize,
              (unsigned long long)checksum);
  return 0;
}
