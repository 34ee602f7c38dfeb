// Rate-distortion optimised quantisation for VVC regular residual coding (no dependent quantisation;
// with sign hiding, callers pass its output through the parity adjustment of sign_hiding.h).
// Produces ordinary levels: the residual writer codes whatever comes out (with sign hiding: once
// adjusted), so correctness never depends on RDOQ, only efficiency.
//
// Decisions (all by J = D + lambda * R, D = residual-domain SSE via dsp::quantErrorSse, R from the
// context-state snapshot in ResidualBitTables):
//   1. per coefficient, in reverse scan order: level in {nearest, nearest-1, 0} (0 not at the last position),
//      rated with the sig / gt1 / par / gt3 contexts and Rice parameter the coder will use given the
//      levels already decided (templates only look at later scan positions), and the
//      context-coded-bin budget (remBinsPass1) switching to dec_abs_level;
//   2. per sub-block (not first, not last): keep or zero the whole sub-block (sb_coded_flag);
//   3. last significant position: every non-zero position is tried as the last one;
//   4. the whole TU against cbf = 0.
#pragma once
#include <cstdint>

#include "dsp/dsp.h"
#include "encoder/search/residual_rate.h"

namespace nnvvc {
namespace search {

struct RdoqParams {
  int log2W = 2, log2H = 2;
  bool isLuma = true;
  double lambda = 1.0;  // for this component's unweighted SSE (chroma: lambda / chroma weight)
  dsp::QuantScale qs{};
  const ResidualBitTables* tables = nullptr;
  // sh_sign_data_hiding_used_flag: levelsRdCost rates hidden signs as free, and
  // rdoQuantizeGuarded applies the parity adjustment (sign_hiding.h) to RDOQ's levels and to the
  // plain quantiser's when those are competitive before adjusting. rdoQuantize itself ignores it
  // (its callers adjust its output).
  bool signHiding = false;
};

// Scratch for one call (sized for a 64x64 TB); keep one per search instance, no heap in the hot path.
struct RdoqScratch {
  int64_t absScaled[64 * 64];
  int32_t nearest[64 * 64];
  int32_t absLevel[64 * 64];     // decided |level|, raster
  double costCoded[32 * 32];     // per scan position: D + lambda*R of the chosen level (R incl. sig)
  double costUncoded[32 * 32];   // per scan position: D of level 0
  double costSig[32 * 32];       // per scan position: lambda * sig bin part of costCoded
  double sbCost[64];             // per sub-block: chosen cost incl. its sb_coded_flag (if coded)
  double sbUncodedCost[64];      // per sub-block: sum of costUncoded (no flag)
  uint8_t sbKept[64];
};

// Quantises coeff (row-major W*H forward-transform output) into levels (row-major, signed).
// Returns the number of non-zero levels; *estCost (optional) receives the RDOQ's own J estimate.
int rdoQuantize(const TCoeff* coeff, const RdoqParams& p, RdoqScratch& s, TCoeff* levels,
                double* estCost = nullptr);

// J of a given level choice: coefficient-domain D (dsp::quantErrorSse) + lambda * exact rate
// (residualRateFbits). Used by tests and as a final guard between candidates.
double levelsRdCost(const TCoeff* coeff, const TCoeff* levels, const RdoqParams& p);

// RDOQ with a final guard: RDOQ's per-coefficient decisions are greedy (a level changes the contexts
// of later coefficients), so the result is compared by levelsRdCost with the plain quantiser's
// (intra rounding offset, qp given) and the cheaper is kept. Returns the number of non-zero levels;
// *cost receives its J. plainScratch must hold W*H entries.
int rdoQuantizeGuarded(const TCoeff* coeff, const RdoqParams& p, int qp, int bitDepth,
                       RdoqScratch& s, TCoeff* levels, TCoeff* plainScratch, double* cost);

}  // namespace search
}  // namespace nnvvc
