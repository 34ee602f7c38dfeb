// Trellis quantiser for dependent quantisation (H.266 8.7.3 / 7.3.11.11 with
// sh_dep_quant_used_flag = 1): a Viterbi search over the 4 QState values along the reverse
// diagonal scan. Each state keeps its best path; a level k taken in state s costs
// D(k, quantiser of s) + lambda * R(k | s's path) and leads to QStateTransTable[s][k & 1].
// The rate follows the residual coder's context selection on each survivor path (sig set by
// QState, gt1/par/gt3 offsets and Rice parameters from the path's template, the context-coded
// bin budget, dec_abs_level's ZeroPos), with bin costs from the ResidualBitTables snapshot.
// Candidates per coefficient and state: 0 and the two levels of the state's quantiser nearest to
// the coefficient, so level 1 for every coefficient (a cheap odd level steers the QState path of
// the coefficients after it). Also decided in the trellis: the last significant position (a path
// may start from state 0 at any coefficient above one half step), sb_coded_flag (each state may
// zero a whole sub-block: an even number of zeros maps every state to itself) and cbf = 0.
// Survivors carry their own templates and bin budgets, so the search is exact per path but not
// globally (plain DQ quantisation wins in about 0.5% of random blocks, test_dep_quant).
// Output levels are the coded quantisation indices (signed); dsp::dequantDependent scales them.
// Sign data hiding never applies with dependent quantisation (the slice header leaves it out), so
// every sign is coded and no parity adjustment follows the trellis.
#pragma once
#include <cstdint>

#include "common/types.h"
#include "encoder/search/residual_rate.h"

namespace nnvvc {
namespace search {

struct DqParams {
  int log2W = 2, log2H = 2;
  bool isLuma = true;
  double lambda = 1.0;  // for this component's unweighted SSE
  int qp = 44;          // Qp' of the component (the trellis scales with qp + 1 as the decoder does)
  int bitDepth = 10;
  const ResidualBitTables* tables = nullptr;  // sig contexts of all three QState sets required
  // the luma TB of an SBT CU under sps_mts_enabled_flag: a 32-sample side codes only 16 (log2ZeroOutSide); the
  // trellis then runs on the coded region, whose scan drives the QStates
  bool sbtZeroOut = false;
  // (internal: the TB the coded region belongs to, for the quantiser scale and the last-position contexts; 0 = this)
  int tbLog2W = 0, tbLog2H = 0;
};

// coeff: row-major forward-transform output (W*H). levels: row-major signed indices (zeros
// outside the coded region). Returns the number of non-zero levels; *estCost (optional) gets
// the trellis' J (residual-domain SSE over the coded region + lambda * bits, cbf included), the
// exact J of the returned levels under the snapshot contexts (residualRateFbits with depQuant).
int dqQuantize(const TCoeff* coeff, const DqParams& p, TCoeff* levels, double* estCost = nullptr);

}  // namespace search
}  // namespace nnvvc
