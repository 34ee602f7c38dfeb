// Scaling with dependent quantisation (H.266 8.7.3 with sh_dep_quant_used_flag = 1, and the
// QState walk of 7.3.11.11): two scalar quantisers Q0 (even multiples of the half step) and Q1
// (odd multiples, and zero), selected per coefficient by a 4-state machine driven by the parity
// of the previous level in coding (reverse diagonal scan) order. Flat scaling lists, no
// transform skip. C only (one pass over at most 32x32 coded positions).
#pragma once
#include <cstdint>

#include "common/types.h"

namespace nnvvc {
namespace dsp {

// QStateTransTable[QState][level & 1] (7.3.11.11).
constexpr uint8_t kDepQuantStateTrans[4][2] = {{0, 2}, {2, 0}, {1, 3}, {3, 1}};

// Coefficient scan of a w x h TB as residual_coding() visits it: the up-right diagonal scan of
// its sub-blocks (4x4, or 2x2 / 2x8 / 8x2 / 1x16 / 16x1 for thin blocks), each scanned diagonally,
// over the coded (zero-out) region min(w, 32) x min(h, 32). rasterOfPos[i] = y * w + x of scan
// position i. Tables are built once (thread-safe static initialisation).
struct CoeffScan {
  int numPos = 0;
  const uint16_t* rasterOfPos = nullptr;
};
const CoeffScan& coeffScan(int log2W, int log2H);

// levels: row-major w*h quantisation indices as coded (signed); coeffOut: the scaled transform
// coefficients d[x][y] (row-major): for each level k in reverse scan order from the last
// non-zero one, (2|k| - (QState > 1)) * sign(k) scaled with qP + 1 and bdShift + 1, then QState
// advances by |k| & 1. qp = Qp' (>= 0).
// (SBT's zero-out of 32-sample sides needs no scan of its own here: outside the coded region whole sub-blocks
// are zero, and an even run of zeros maps every QState to itself.)
void dequantDependent(const TCoeff* levels, int w, int h, int qp, int bitDepth, TCoeff* coeffOut);

}  // namespace dsp
}  // namespace nnvvc
