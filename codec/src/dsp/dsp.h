// nnvvc DSP kernels: intra sample prediction, DCT-II transforms, (de)quantisation, distortion.
// Everything follows ITU-T H.266 (04/2022) clause numbers given in the .cpp files.
// Callers: recon, the encoder search.
//
// Cut by module, as dav1d cuts its dsp: each module (intra, transform, distortion here; mc,
// deblock, sao, dep_quant in their own headers) owns a function table with its init function
// (<module>FunctionsFor / <module>Functions), its plain C twins (dsp_internal.h), its x86 kernels
// per instruction set (x86/<module>_<isa>.cpp) and its checkasm part (tests/checkasm_<module>.cpp,
// one shared driver in tests/checkasm.cpp). The public entry points below dispatch through them.
//
// Threading: all functions are reentrant (no global mutable state besides the one-time
// function-table initialisation, which is thread-safe via a function-local static).
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/types.h"  // Pel, TCoeff, log2Int

namespace nnvvc {

namespace dsp {

// Instruction-set levels a table can be built for (tests/checkasm compare them with C).
enum class DspLevel { C = 0, SSE41 = 1, AVX2 = 2 };
// The level the process-wide tables use: the best the CPU supports, capped by env NNVVC_DSP=c or
// NNVVC_DSP=sse4.1 (e.g. to compare outputs or speed; results are identical at every level).
DspLevel dspLevelFromEnv();

// ---------------------------------------------------------------------------------------------
// Intra prediction (8.4.5.2). intraPredict: refIdx 0; intraPredictRefLine (MRL) and intraPredictIsp (ISP parts) below;
// MIP (dsp/mip.h) and CCLM (recon/cclm.h) elsewhere.
// ---------------------------------------------------------------------------------------------
constexpr int kIntraPlanar = 0;
constexpr int kIntraDC = 1;
constexpr int kIntraHor = 18;
constexpr int kIntraVer = 50;
constexpr int kMaxIntraBlock = 64;  // max TB side for intra (luma 64, chroma 32 in 4:2:0)

// Reference arrays for a W x H block: top[0] = p[-1][-1] (corner), top[1+i] = p[i][-1] for i in
// [0, 2W); left[0] = corner, left[1+j] = p[-1][j] for j in [0, 2H). Both arrays hold the corner
// at index 0 and must be kept consistent (top[0] == left[0]).
// availTop[1+i] / availLeft[1+j] (index 0 = corner, same layout as the sample arrays) are 0/1.
// Substitution (8.4.5.2.2) fills unavailable samples in place: search order is from p[-1][2H-1]
// upward to the corner then rightward to p[2W-1][-1]; none available -> 1 << (bitDepth-1).
// Afterwards top[0] == left[0].
void intraSubstituteRefs(Pel* top, const uint8_t* availTop, Pel* left, const uint8_t* availLeft,
                         int w, int h, int bitDepth);
// The same over nTop / nLeft samples after the corner (a reference line of MRL: 2W + refIdx, 2H + refIdx).
void intraSubstituteRefLine(Pel* top, const uint8_t* availTop, int nTop, Pel* left, const uint8_t* availLeft,
                            int nLeft, int bitDepth);

// Full spec intra sample prediction for predMode 0..66 (the final mode; for chroma pass the
// derived chroma mode, e.g. after the 4:2:2 mapping if ever used). Includes the [1 2 1] filter
// decision (8.4.5.2.3), wide-angle mapping (8.4.5.2.7) for non-square blocks, fC/fG choice
// (luma) / 2-tap linear (chroma) interpolation, and PDPC. cIdx 0 = luma, 1/2 = chroma.
// Reads top[0..2w], left[0..2h] only (never writes them). w, h in {2,...,64} (powers of two,
// aspect ratio <= 16). A 2-sample side occurs for chroma only: Nx2 (8x2 chroma of a 16x4
// single-tree CU, 16x2 of a 32x4 one or of a 32x4 local-dual-tree chroma CU); 2xN never occurs
// in 4:2:0 single tree (the mode-type constraint turns those splits into local dual trees). Such
// blocks get no PDPC (8.4.5.2.5 needs nTbW, nTbH >= 4) and, being chroma, no [1 2 1] smoothing.
// Out-of-contract arguments assert in debug builds and give a mid-grey block in release.
void intraPredict(int predMode, const Pel* top, const Pel* left, int w, int h, int cIdx,
                  int bitDepth, Pel* dst, ptrdiff_t dstStride);

// Intra prediction from the reference line refIdx = IntraLumaRefLineIdx 1 or 2 (multiple reference lines, luma;
// refIdx 0 is intraPredict). top[0] = p[-1-refIdx][-1-refIdx], top[1+i] = p[-refIdx+i][-1-refIdx] for
// i < 2W + refIdx; left[0] the same corner, left[1+j] = p[-1-refIdx][-refIdx+j] for j < 2H + refIdx. predMode is
// DC or angular (planar is never coded with a refIdx > 0). As 8.4.5.2 with refIdx > 0: no [1 2 1] smoothing, no
// PDPC, the fC (cubic) interpolation for every fractional angle, and iIdx / iFact from (y + 1 + refIdx).
// Out-of-contract arguments assert in debug builds and give a mid-grey block in release.
void intraPredictRefLine(int predMode, int refIdx, const Pel* top, const Pel* left, int w, int h, int bitDepth,
                         Pel* dst, ptrdiff_t dstStride);

// Wide-angle mapping (8.4.5.2.7): returns the mode actually used for prediction, in -14..80
// (modes 0/1 and square blocks are returned unchanged). Exposed for tests and the encoder.
int intraWideAngleMode(int predMode, int w, int h);

// Prediction of an ISP sub-partition (or, for vertical splits into 1- or 2-wide parts, of the 4-wide region they
// share) of w x h in a luma CU of cuW x cuH (8.4.5.2 with IntraSubPartitionsSplitType != ISP_NO_SPLIT): the
// wide-angle mapping follows the CU's shape, the references are never smoothed and fractional angles take the
// cubic filter fC; PDPC where both sides are at least 4. top / left hold refW = cuW + w and refH = cuH + h samples
// after the corner (top[0] = left[0] = p[-1][-1]).
void intraPredictIsp(int predMode, const Pel* top, const Pel* left, int w, int h, int cuW, int cuH, int bitDepth,
                     Pel* dst, ptrdiff_t dstStride);

// intraPredAngle for a (mapped) mode in -14..80, modes 2.. (8.4.5.2.12 table). 0 for 0/1.
int intraPredAngle(int mappedMode);

// Intra module table. Every pointer has a plain C++ twin (intraAngular_c, transpose_c) and is
// replaced by an x86 SIMD version when the CPU supports it.
//
// Angular intra prediction body (8.4.5.2.12) for a non-integer-slope mode, in the "vertical"
// orientation: for y < height, pos = (y + 1) * angle, iIdx = pos >> 5, iFact = pos & 31, x < width:
//   dst[y*stride + x] = Clip3(0, (1 << bitDepth) - 1, (sum_{i<4} f[i] * ref[x + iIdx + i] + 32) >> 6)
// with f = fC[iFact] (filterKind 0), fG[iFact] (1), or for chroma (2) the 2-tap linear filter
// written as {0, 2*(32-iFact), 2*iFact, 0} (identical to ((32-iFact)*a + iFact*b + 16) >> 5 for
// samples in range). ref is the extended main reference (valid from ref[-height]).
using IntraAngFn = void (*)(const Pel* ref, int angle, int width, int height, int filterKind,
                            int bitDepth, Pel* dst, ptrdiff_t stride);
// dst[x * ds + y] = src[y * ss + x] for x < w, y < h (w, h multiples of 2; SIMD versions fall
// back to C unless both are multiples of 4). Turns horizontal-mode predictions upright.
using TransposeFn = void (*)(const Pel* src, ptrdiff_t ss, int w, int h, Pel* dst, ptrdiff_t ds);
struct IntraFunctions {
  IntraAngFn intraAngular;
  TransposeFn transpose;
  const char* isa;  // "c", "sse4.1", "avx2" (highest level in use)
};
// Table for a given maximum level (clamped to what the CPU supports). For tests/checkasm.
IntraFunctions intraFunctionsFor(DspLevel maxLevel);
const IntraFunctions& intraFunctions();  // process-wide table (dspLevelFromEnv())

// ---------------------------------------------------------------------------------------------
// Transforms (8.7.4) — DCT-II, nTbW/nTbH in {2,4,8,16,32,64} (2: the spec's 2-point
// matrix {{64, 64}, {64, -64}} for thin chroma; the forward one needs log2(w) + bitDepth >= 10),
// and DST-VII / DCT-VIII per direction for sides 4..32 (trTypeHor / trTypeVer = 1 / 2: implicit MTS
// takes DST-VII for sides 4..16, explicit MTS both kernels by mts_idx).
// ---------------------------------------------------------------------------------------------
// Inverse transform per 8.7.4.1/8.7.4.2 (vertical 1-D first, clip to [-32768, 32767] after
// (e + 64) >> 7, then horizontal 1-D, then residual (r + (1 << (bdShift-1))) >> bdShift with
// bdShift = Max(20 - bitDepth, 0)). 64-point zero-out: only the top-left 32x32 of a 64 dimension
// is read (entries beyond are ignored, they must be zero in a conforming stream).
// coeff is row-major w*h (index y*w + x), already dequantised 'd'. Output residual to resid.
// Out-of-contract sizes assert in debug builds and give a zero residual in release.
// The kernel of each 1-D stage (trTypeHor / trTypeVer of 8.7.4.1; DST-VII and DCT-VIII only for
// sides 4..32).
enum class TrType : uint8_t { kDct2 = 0, kDst7 = 1, kDct8 = 2 };
void inverseTransform(const TCoeff* coeff, int w, int h, int bitDepth, Pel* resid,
                      ptrdiff_t residStride, TrType trHor = TrType::kDct2, TrType trVer = TrType::kDct2);

// Forward transform (encoder): same matrices, horizontal first with shift1 = log2(w)+bitDepth-9,
// then vertical with shift2 = log2(h)+6 (both rounded). Output row-major w*h; coefficients with
// x >= 32 or y >= 32 are set to zero (64-point zero-out), and x >= 16 / y >= 16 in a direction with a
// 32-point DST-VII / DCT-VIII. Intermediates and outputs are 16-bit
// (saturated); exact for residuals within +-((1 << bitDepth) - 1).
void forwardTransform(const Pel* resid, ptrdiff_t residStride, int w, int h, int bitDepth,
                      TCoeff* coeff, TrType trHor = TrType::kDct2, TrType trVer = TrType::kDct2);

// Transform module table (C twin pairStage_c, x86 versions when the CPU has them).
// One stage of a transform as a 16-bit pair matrix product (both transform directions and
// both stages use it; see transform.cpp). For r < rows, j < cols (cols a multiple of 4):
//   acc = sum_{p < kPairs} a[r*aStride + 2p] * b[p*bStride + 2j] + a[r*aStride + 2p + 1] * b[p*bStride + 2j + 1]
//   out[r*outStride + j] = Clip3(-32768, 32767, (acc + (1 << (shift-1))) >> shift)   (shift >= 1)
// i.e. a holds k-consecutive pairs per row, b holds for each k pair the two rows interleaved.
// 32-bit accumulation (callers guarantee |acc| < 2^31).
using PairStageFn = void (*)(const int16_t* a, ptrdiff_t aStride, const int16_t* b,
                             ptrdiff_t bStride, int rows, int kPairs, int cols, int shift,
                             int16_t* out, ptrdiff_t outStride);
struct TransformFunctions {
  PairStageFn pairStage;
  const char* isa;  // "c" or "avx2"
};
TransformFunctions transformFunctionsFor(DspLevel maxLevel);  // for tests/checkasm
const TransformFunctions& transformFunctions();               // process-wide table

// ---------------------------------------------------------------------------------------------
// Quantisation (8.7.3 scaling, flat m = 16, no dependent quantisation, no transform skip).
// ---------------------------------------------------------------------------------------------
// d = Clip3(-32768, 32767, (level * ls + bdOffset) >> bdShift), ls = (16 * levelScale[rect][qp%6])
// << (qp/6), bdShift = bitDepth + rect + (log2w+log2h)/2 - 5, rect = (log2w+log2h) odd.
// qp is Qp'Y / Qp'Cb / Qp'Cr (i.e. already including QpBdOffset), range 0..63+.
void dequant(const TCoeff* levels, int w, int h, int qp, int bitDepth, TCoeff* coeffOut);

// Transform skip (residual_ts_coding blocks; no dependent quantisation): the residual is the scaled level itself,
// r = Clip3(-32768, 32767, (level * levelScale[0][qp % 6] << (qp / 6) + 32) >> 6), as VTM-23.2 scales it (its
// rightShift IQUANT_SHIFT - qp / 6 and no transform shift). qp = Max(QpPrimeTsMin, Qp'). n samples.
void dequantTransformSkip(const TCoeff* levels, int n, int qp, Pel* residOut);
// The encoder's scalar quantiser for it: level = sign(r) * floor(|r| / step + offset1024 / 1024), step =
// levelScale << (qp / 6) / 64. Returns the number of non-zero levels.
int quantTransformSkip(const Pel* resid, int n, int qp, int offset1024, TCoeff* levelsOut);

// Plain dead-zone scalar quantiser (encoder), inverse of dequant():
// level = sign(c) * ((|c| * scale + offset) >> qBits), offset = 1/3 (intra) or 1/6 (inter) of
// a step. Levels are clipped to [-32768, 32767]. Returns the number of non-zero levels.
int quant(const TCoeff* coeff, int w, int h, int qp, int bitDepth, bool isIntra,
          TCoeff* levelsOut);

// Same with an explicit rounding offset in 1/1024 of a quantisation step (512 = round to
// nearest, 341 ~ 1/3, 171 ~ 1/6).
int quantWithOffset(const TCoeff* coeff, int w, int h, int qp, int bitDepth, int offset1024,
                    TCoeff* levelsOut);

// What RDOQ needs. For a block (w, h, qp, bitDepth):
//   scaled = |c| * scale                      (int64; the coefficient in units of 2^-qBits levels)
//   level  = (scaled + (1 << (qBits-1))) >> qBits   = nearest level (max level RDOQ tries)
//   the distortion (residual-sample-domain squared error, i.e. the SSE the choice adds after
//   inverse transform, by Parseval) of coding level L for that coefficient is
//   quantErrorSse(scaled, L, qs) = (scaled - (L << qBits))^2 * errScale.
struct QuantScale {
  int32_t scale;    // quantiser multiplier (~ 2^20 / levelScale[rect][qp%6])
  int qBits;        // right shift turning scaled into levels
  double errScale;  // (scaled-domain error)^2 -> residual-domain SSE
};
QuantScale quantScale(int qp, int w, int h, int bitDepth);
// For n coefficients: absScaled[i] = |coeff[i]| * scale, levelNearest[i] = round(absScaled/2^qBits)
// (unsigned, clipped to 32767). Returns the number of non-zero levelNearest.
int quantPrepare(const TCoeff* coeff, int n, const QuantScale& qs, int64_t* absScaled,
                 TCoeff* levelNearest);
inline double quantErrorSse(int64_t absScaled, int level, const QuantScale& qs) {
  const double e = double(absScaled - (int64_t(level) << qs.qBits));
  return e * e * qs.errScale;
}

// ---------------------------------------------------------------------------------------------
// Distortion (any w, h >= 1 unless stated; strides in samples). Inputs are samples or
// residuals whose pairwise differences fit in int16 (|a - b| <= 32767).
// ---------------------------------------------------------------------------------------------
uint64_t sse(const Pel* a, ptrdiff_t as, const Pel* b, ptrdiff_t bs, int w, int h);
uint64_t sad(const Pel* a, ptrdiff_t as, const Pel* b, ptrdiff_t bs, int w, int h);
// Sum of absolute Hadamard-transformed differences. w, h multiples of 4. Tiles 8x8 when both
// w and h are multiples of 8, else 4x4. Normalisation: 4x4 tiles (sum + 1) >> 1,
// 8x8 tiles (sum + 2) >> 2 (so SATD is comparable to SAD in magnitude).
uint64_t satd(const Pel* a, ptrdiff_t as, const Pel* b, ptrdiff_t bs, int w, int h);

// ---------------------------------------------------------------------------------------------
// Sample helpers (part of the distortion module: dist.cpp, x86/dist_*.cpp)
// ---------------------------------------------------------------------------------------------
// dst = Clip3(0, (1<<bitDepth)-1, pred + resid). dst may alias pred.
void addResidualClip(const Pel* pred, ptrdiff_t ps, const Pel* resid, ptrdiff_t rs, int w, int h,
                     int bitDepth, Pel* dst, ptrdiff_t ds);
// resid = org - pred
void subtract(const Pel* org, ptrdiff_t os, const Pel* pred, ptrdiff_t ps, int w, int h,
              Pel* resid, ptrdiff_t rs);
void copyBlock(const Pel* src, ptrdiff_t ss, int w, int h, Pel* dst, ptrdiff_t ds);

// Distortion module table (sse, sad, satd and the sample helpers addResidualClip / subtract; C
// twins *_c, x86 versions when the CPU has them).
using SseFn = uint64_t (*)(const Pel*, ptrdiff_t, const Pel*, ptrdiff_t, int, int);
using AddResidFn = void (*)(const Pel*, ptrdiff_t, const Pel*, ptrdiff_t, int, int, int, Pel*,
                            ptrdiff_t);
using SubFn = void (*)(const Pel*, ptrdiff_t, const Pel*, ptrdiff_t, int, int, Pel*, ptrdiff_t);
struct DistFunctions {
  SseFn sse;
  SseFn sad;
  SseFn satd;
  AddResidFn addResidualClip;
  SubFn subtract;
  const char* isa;  // "c", "sse4.1", "avx2" (highest level in use)
};
DistFunctions distFunctionsFor(DspLevel maxLevel);  // for tests/checkasm
const DistFunctions& distFunctions();               // process-wide table

}  // namespace dsp
}  // namespace nnvvc
