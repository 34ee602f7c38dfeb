// Rate model of VVC residual_coding() (H.266 7.3.11.11, contexts 9.3.4.2.4-9.3.4.2.7, binarisation
// 9.3.3.11) for the encoder search: RDOQ decisions and exact TU rate estimates.
//
// Rates are "fractional bits" (fbits): 1 bit == kFbitsOne. The per-context bin costs are snapshotted
// from the live CABAC context states at the start of a TU (ResidualBitTables), so a TU's estimate does
// not follow the context adaptation inside the TU (same approximation every RDO encoder makes).
// Optional dependent quantisation (residualRateFbits; dq_trellis has its own incremental model) or
// sign hiding, no transform skip, no extended precision (log2TransformRange 15),
// no persistent Rice adaptation.
#pragma once
#include <cstdint>

namespace nnvvc {
namespace search {

constexpr uint32_t kFbitsOne = 32768;  // 1.0 bit
constexpr int kMaxTbLog2Coded = 5;     // 64-point zero-out: coded region is at most 32x32

// Bin costs [bin 0, bin 1] per context, indexed by the ctxInc *within one channel type* as noted.
struct BinCost { uint32_t bits[2]; };

struct ResidualBitTables {
  // sig_coeff_flag, QState-set 0 only: luma ctxInc 0..11, chroma (ctxInc - 36) 0..7
  BinCost sig[12];
  // sig_coeff_flag context sets 1 and 2 (dependent quantisation, QState 2 and 3), same indexing
  BinCost sigDq[2][12];
  // abs_level_gtx_flag[n][0] / par_level_flag / abs_level_gtx_flag[n][1], by the ctxOffset of
  // 9.3.4.2.7: luma 0..20, chroma 0..10 (chroma: spec ctxInc - 21)
  BinCost gt1[21], par[21], gt3[21];
  // last_sig_coeff_{x,y}_prefix by spec ctxInc (luma 0..19, chroma 20..22)
  BinCost lastX[23], lastY[23];
  // sb_coded_flag: local ctxInc 0/1 (chroma: spec ctxInc - 2)
  BinCost sbCoded[2];
  // The TU's coded-block flag (tu_cbf_luma / cb / cr in its current context): [0] = not coded.
  BinCost cbf;
};

// Geometry of a TU's coefficient scan (diagonal 4x4-style sub-blocks inside the zero-out region).
struct ScanInfo {
  int log2W = 0, log2H = 0;      // full TB
  int log2ZoW = 0, log2ZoH = 0;  // coded (zero-out) region
  int log2SbW = 0, log2SbH = 0;  // sub-block
  int numSb = 0, sbSize = 0;     // sub-blocks in the coded region, coefficients per sub-block
  // scan position (sb * sbSize + n) -> raster index y*W + x in the full TB, and its x / y
  const uint16_t* rasterOfPos = nullptr;
  const uint8_t* xOfPos = nullptr;
  const uint8_t* yOfPos = nullptr;
  const uint16_t* sbX = nullptr;  // sub-block index -> sub-block column / row (in sub-blocks)
  const uint16_t* sbY = nullptr;
  int numPos() const { return numSb * sbSize; }
};
// Tables are built once (thread-safe static init) for log2W, log2H in [1, 6].
const ScanInfo& scanInfo(int log2W, int log2H);

// Exact rate (fbits) of residual_coding() for the given levels (row-major W*H, zeros outside the
// zero-out region), including the sign bypass bins, plus the cbf bin. All-zero levels -> cbf[0].
// isLuma selects the luma / chroma context derivations. signHiding: sh_sign_data_hiding_used_flag
// (the hidden sign of a sub-block whose significant positions span more than 3 scan positions
// costs nothing; the levels are assumed to agree with the parity rule). depQuant
// (sh_dep_quant_used_flag): QState-dependent sig_coeff_flag context sets and dec_abs_level ZeroPos
// (sign hiding then never applies).
uint64_t residualRateFbits(const int32_t* levels, int log2W, int log2H, bool isLuma,
                           const ResidualBitTables& t, bool signHiding = false, bool depQuant = false);

// --- pieces shared with RDOQ ---------------------------------------------------------------
// Bypass length in bins of abs_remainder / dec_abs_level value 'v' with Rice parameter k
// (9.3.3.11: TR prefix with cutoff 5, then limited EGk; log2TransformRange 15).
int remainderBins(uint32_t v, int k);
// cRiceParam from the template sum (9.3.3.11, Table 128): locSumAbs clipped to [0, 31].
int riceParamFromSum(int locSumAbsClipped);
// Last position prefix/suffix cost (fbits) for coordinate 'pos' in a TB side of log2Size (full)
// whose coded region is log2ZoSize; 'isX' picks the x or y tables.
uint32_t lastPosCostFbits(int pos, int log2Size, int log2ZoSize, bool isLuma, bool isX,
                          const ResidualBitTables& t);

}  // namespace search
}  // namespace nnvvc
