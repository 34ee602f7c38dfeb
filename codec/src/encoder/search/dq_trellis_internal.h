// Internals of the dependent-quantisation trellis (dq_trellis.h) shared by its two inner loops: the plain C++ one
// (dq_trellis.cpp, the reference) and the x86 AVX2 one (x86/dq_trellis_avx2.cpp). The survivors are kept as a
// structure of arrays with one lane per QState, so that one SIMD register holds a field of all four; the inner loop
// runs the positions of one sub-block, the code around it (sub-block starts and ends, the traceback) is shared.
// Both loops make the same decisions and the same floating-point operations in the same order: their levels and J
// are identical (tests/checkasm_dq.cpp).
#pragma once
#include <cstdint>

#include "common/types.h"
#include "dsp/dsp.h"
#include "encoder/search/dq_trellis.h"
#include "encoder/search/residual_rate.h"

namespace nnvvc {
namespace search {
namespace dq {

constexpr double kInf = 1e300;
constexpr int kMaxPos = 32 * 32;
constexpr int kMaxLevel = 32767;  // levels are capped here (the inner loops take candidates below it only)

// The best path ending in each QState at the current scan position (lane q: QState q).
struct alignas(32) States {
  double cost[4];         // J so far; kInf: no path ends in this state (the other fields are then stale)
  int32_t remBins[4];     // context-coded bin budget left (remBinsPass1)
  int32_t origin[4];      // state at the start of the current sub-block; -1: the path started in it
  int32_t anySig[4];      // a non-zero level in the current sub-block
  uint64_t codedMask[4];  // sb_coded_flag of the sub-blocks passed, bit = sub-block scan index
  uint8_t cur[17][4];     // |level| (capped at 255) in the current sub-block by scan index, lane = state; row 16
                          // stays 0 (the template's padding neighbour)
};

struct Decision {
  int32_t level;
  int8_t prev;  // state before this position; -1: the path starts here (last significant position)
};

// One sub-block's positions firstN..0 (reverse scan order) and all they read.
struct SubBlockJob {
  const int64_t* absScaled;  // |coefficient| * quantiser scale, by scan position
  const uint8_t* xOfPos;
  const uint8_t* yOfPos;
  int base = 0, firstN = 0;  // scan position of the sub-block's index 0; its first index to visit
  bool sigInferable = false;  // not the first sub-block (DC's): index 0 of a path with no level yet infers sig = 1
  bool luma = true;
  int qBits = 0;
  int64_t halfStep = 0;
  double errScale = 0;
  const int8_t (*inNb)[5] = nullptr;  // template neighbours inside the sub-block (16: the zero row)
  const uint32_t* outSum = nullptr;   // [5][16] packed template sums outside the sub-block by origin state (row 4:
                                      // zero, for paths started in the sub-block), see TemplateTerms
  const double (*lvlC)[6] = nullptr;  // lambda-weighted level bins by ctxOffset (dq_trellis.cpp)
  const double (*sigC)[12][2] = nullptr;  // sig_coeff_flag by context set (QState 0-1, 2, 3) and context
  const double* lastCX = nullptr;     // last position cost by coordinate
  const double* lastCY = nullptr;
  double startC = 0;  // cbf = 1
  double binC = 0;    // one bypass bin
  int maxBins = 0;
  double preStart = 0;  // in / out: distortion of the zeros after the current position (no path started yet)
  double sbZeroD = 0;   // out: distortion of the sub-block's visited positions all zero
  Decision (*dec)[4] = nullptr;  // out: by scan position and destination state
};

// Runs the job's positions; st holds the survivors before them and after (the two buffers swap per position).
using SubBlockFn = void (*)(SubBlockJob& job, States*& st, States*& nx);
void subBlockPositions_c(SubBlockJob& job, States*& st, States*& nx);
#if defined(__x86_64__) || defined(__i386__)
void subBlockPositions_avx2(SubBlockJob& job, States*& st, States*& nx);
#endif
// dqQuantize (dq_trellis.h) with a given inner loop (dqQuantize: the one of dsp::dspLevelFromEnv()); for checkasm.
int dqQuantizeWith(SubBlockFn loop, const TCoeff* coeff, const DqParams& p, TCoeff* levels, double* estCost);
// The inner loop for an instruction-set level (clamped to what the CPU has; "c" or "avx2" in *isa).
SubBlockFn subBlockFunctionFor(dsp::DspLevel maxLevel, const char** isa = nullptr);

// One template neighbour's terms of 9.3.4.2.6/7 for |level| v (capped at 255), packed so that the five neighbours
// sum in one add each: min(4 + (v & 1), v) in bits 0-7 (sum <= 25), v != 0 in bits 8-15 (<= 5), v in bits 16-31
// (<= 1275).
inline constexpr uint32_t templateTerm(int v) {
  return uint32_t(v < 4 + (v & 1) ? v : 4 + (v & 1)) | (uint32_t(v != 0) << 8) | (uint32_t(v) << 16);
}
// ... as a table by v (the scalar code's lookups)
struct TemplateTermTable {
  uint32_t v[256];
  constexpr TemplateTermTable() : v() {
    for (int k = 0; k < 256; ++k) v[k] = templateTerm(k);
  }
};
inline constexpr TemplateTermTable kTemplateTerm{};
// Squared error of |coefficient| a (scaled, SubBlockJob::absScaled) reconstructed as r half steps, in the unweighted SSE
// units lambda is for.
inline double quantError(int64_t a, int64_t r, int64_t halfStep, double errScale) {
  const double d = double(a - r * halfStep);
  return d * d * errScale;
}
// sig_coeff_flag's context offset and the gt1 / par / gt3 ctxOffset's diagonal part at diagonal d = x + y (9.3.4.2.6/7)
inline int sigCtxDiag(bool luma, int d) { return luma ? (d < 2 ? 8 : (d < 5 ? 4 : 0)) : (d < 2 ? 4 : 0); }
inline int levelCtxDiag(bool luma, int d) {
  return 1 + (luma ? (d == 0 ? 15 : (d < 3 ? 10 : (d < 10 ? 5 : 0))) : (d == 0 ? 5 : 0));
}
// Bypass bins of abs_remainder / dec_abs_level value v with Rice parameter k (remainderBins, a table below 128).
int remBinsOf(int64_t v, int k);
// Lambda-weighted bins of level k >= 1 at ctxOffset off (lvlC, SubBlockJob) with Rice parameter rice: the gt1 / par /
// gt3 bins and the sign, then abs_remainder's bypass bins (binC each) from 4 on.
inline double levelCost(const double (*lvlC)[6], double binC, int off, int64_t k, int rice) {
  if (k < 4) return lvlC[off][k];
  return lvlC[off][4 + ((k - 4) & 1)] + binC * double(remBinsOf((k - 4) >> 1, rice));
}
// That table as 32-bit entries, [k][v] for v < 128 (for SIMD gathers).
const int32_t* remBinsTable();

}  // namespace dq
}  // namespace search
}  // namespace nnvvc
