// Deblocking sample filters (H.266 8.8.3.6): the tC'/beta' tables (Table 8-18), the luma and
// chroma decision + filter kernels for one edge segment, and their small function table.
// Edge derivation, boundary strength and the picture driver live in recon/deblock.h.
//
// Sample addressing: `src` points at q0 of the segment's first line; `across` is the step from
// p0 to q0 (1 for a vertical edge, the plane stride for a horizontal one); `along` is the step to
// the next line of the segment. p_i = src[-(i + 1) * across], q_i = src[i * across].
#pragma once
#include <cstddef>
#include <cstdint>

#include "common/types.h"

namespace nnvvc {
namespace dsp {

// Table 8-18: beta' for Q = 0..63 and tC' for Q = 0..65 (values for bit depth 10).
extern const uint8_t kDeblockBetaTable[64];
extern const uint16_t kDeblockTcTable[66];

// beta = beta'[Clip3(0, 63, qp + 2 * betaOffsetDiv2)] * (1 << (bitDepth - 8)).
int deblockBeta(int qp, int betaOffsetDiv2, int bitDepth);
// tC from tC'[Clip3(0, 65, qp + 2 * (bS - 1) + 2 * tcOffsetDiv2)]:
// bitDepth < 10 ? (tC' + (1 << (9 - bitDepth))) >> (10 - bitDepth) : tC' << (bitDepth - 10).
int deblockTc(int qp, int bS, int tcOffsetDiv2, int bitDepth);

// What a kernel did to a segment (returned for tests and traces).
enum DeblockDecision : int { kDbNone = 0, kDbWeak = 1, kDbStrong = 2, kDbLong = 3 };

// Luma, one 4-line segment (decisions on lines 0 and 3). maxLenP/maxLenQ: maxFilterLength of
// each side in {1, 3, 5, 7}; 1 = only p0/q0 may change (a side <= 4 samples), > 3 = that side
// may use the long filter. The caller applies the CTU-row rule (P side <= 3 at horizontal CTU
// boundaries). maxVal = (1 << bitDepth) - 1. Returns the decision taken.
using LumaEdgeFn = int (*)(Pel* src, ptrdiff_t across, ptrdiff_t along, int tc, int beta,
                           int maxLenP, int maxLenQ, int maxVal);
// Chroma, one segment of numLines lines (2 for 4:2:0) whose bS already passed (bS == 2, or
// bS == 1 with largeBoundary). largeBoundary: both chroma transform blocks >= 8 across the edge
// (maxFilterLengthCbCr 3): decisions on lines 0 and 1 pick the strong filter or the normal one;
// otherwise the normal (p0/q0) filter. ctbBoundary: horizontal edge on a CTU row boundary (P side
// limited to p0, p1 read). Returns kDbWeak or kDbStrong.
using ChromaEdgeFn = int (*)(Pel* src, ptrdiff_t across, ptrdiff_t along, int numLines, int tc,
                             int beta, bool largeBoundary, bool ctbBoundary, int maxVal);

struct DeblockFunctions {
  LumaEdgeFn lumaEdge;
  ChromaEdgeFn chromaEdge;
  const char* isa;
};
// Plain C++ table and the best one for this CPU (today both are C; SIMD twins plug in here).
const DeblockFunctions& deblockFunctionsC();
const DeblockFunctions& deblockFunctions();

int lumaEdge_c(Pel* src, ptrdiff_t across, ptrdiff_t along, int tc, int beta, int maxLenP,
               int maxLenQ, int maxVal);
int chromaEdge_c(Pel* src, ptrdiff_t across, ptrdiff_t along, int numLines, int tc, int beta,
                 bool largeBoundary, bool ctbBoundary, int maxVal);

}  // namespace dsp
}  // namespace nnvvc
