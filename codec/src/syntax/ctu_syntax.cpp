#include "syntax/ctu_syntax.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <type_traits>

#include "dsp/lfnst.h"
#include "dsp/mip.h"
#include "inter/affine.h"
#include "inter/gpm.h"
#include "inter/mv_pred.h"
#include "inter/sbtmvp.h"

namespace nnvvc {

// The rate estimator codes what the structures say without re-deriving or checking motion.
template <class IO> constexpr bool kEstimating = std::is_same<IO, BitEstimator>::value;

// ------------------------------------------------------------------ scans (6.5.3 up-right diagonal)
namespace {
struct ScanPos { uint8_t x, y; };
struct DiagScans {
  // scans[log2w][log2h] for grids up to 16x16 (CG grids up to 8x8, 4x4 inside a CG)
  ScanPos* tab[5][5];
  uint16_t* inv[5][5];  // inverse: raster position y * W + x -> scan index
  std::vector<ScanPos> store;
  std::vector<uint16_t> invStore;
  DiagScans() {
    size_t total = 0;
    for (int a = 0; a < 5; ++a) for (int b = 0; b < 5; ++b) total += size_t(1) << (a + b);
    store.resize(total);
    size_t off = 0;
    for (int a = 0; a < 5; ++a)
      for (int b = 0; b < 5; ++b) {
        const int W = 1 << a, H = 1 << b;
        ScanPos* s = &store[off];
        tab[a][b] = s;
        off += size_t(W) * size_t(H);
        int i = 0, x = 0, y = 0;
        while (i < W * H) {
          while (y >= 0) {
            if (x < W && y < H) { s[i].x = uint8_t(x); s[i].y = uint8_t(y); ++i; }
            --y; ++x;
          }
          y = x; x = 0;
        }
      }
    invStore.resize(total);
    off = 0;
    for (int a = 0; a < 5; ++a)
      for (int b = 0; b < 5; ++b) {
        const int W = 1 << a, n = W << b;
        inv[a][b] = &invStore[off];
        for (int i = 0; i < n; ++i) inv[a][b][tab[a][b][i].y * W + tab[a][b][i].x] = uint16_t(i);
        off += size_t(n);
      }
  }
};
const DiagScans& scans() { static const DiagScans s; return s; }

const uint8_t kRiceTable[32] = {0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 2, 2,
                                2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3};
const uint8_t kLastPrefixCtxOffsetLuma[7] = {0, 0, 0, 3, 6, 10, 15};

inline int lastPrefixOf(int p) {
  if (p < 4) return p;
  const int k = log2Int(unsigned(p));
  return 2 * k + ((p >> (k - 1)) & 1);
}
inline int lastMinInGroup(int prefix) {
  if (prefix < 4) return prefix;
  return (1 << ((prefix >> 1) - 1)) * (2 + (prefix & 1));
}

// Sub-block size of residual_coding() and residual_ts_coding() (7.3.11.11 / 7.3.11.12): 4x4, or 2x2 / 8x2 / 2x8 /
// 16x1 / 1x16 shapes for thin blocks.
inline void subBlockShape(int log2W, int log2H, int& log2SbW, int& log2SbH) {
  log2SbW = std::min(log2W, log2H) < 2 ? 1 : 2;
  log2SbH = log2SbW;
  if (log2W + log2H > 3) {
    if (log2W < 2) { log2SbW = log2W; log2SbH = 4 - log2SbW; }
    else if (log2H < 2) { log2SbH = log2H; log2SbW = 4 - log2SbH; }
  }
}

// abs_remainder / dec_abs_level binarisation (9.3.3.11; cutoff 5, log2TransformRange 15).
constexpr int kRemCutoff = 5;
constexpr int kMaxLog2TrRange = 15;
template <class IO>
unsigned codeRemAbs(IO& io, unsigned value, int rice) {
  const unsigned maxPrefix = 32 - kMaxLog2TrRange;  // 17
  if (IO::kReading) {
    unsigned prefix = 0;
    unsigned b = 0;
    do { ++prefix; b = io.bypass(0); } while (b && prefix < maxPrefix);
    prefix -= 1 - b;
    unsigned length = unsigned(rice), offset;
    if (prefix < unsigned(kRemCutoff)) {
      offset = prefix << rice;
    } else {
      offset = ((1u << (prefix - kRemCutoff)) + kRemCutoff - 1) << rice;
      length += (prefix == maxPrefix ? unsigned(kMaxLog2TrRange - rice) : prefix - kRemCutoff);
    }
    return offset + io.bypassBits(0, int(length));
  }
  const unsigned q = value >> rice;
  if (q < unsigned(kRemCutoff)) {
    for (unsigned i = 0; i < q; ++i) io.bypass(1);
    io.bypass(0);
    io.bypassBits(value & ((1u << rice) - 1), rice);
    return value;
  }
  // escape: prefix p >= cutoff with e = p - cutoff, value range starts at ((1<<e)+4) << rice
  unsigned e = 0;
  while (e < maxPrefix - kRemCutoff && value >= (((1u << (e + 1)) + kRemCutoff - 1) << rice)) ++e;
  const unsigned prefix = e + kRemCutoff;
  const unsigned offset = ((1u << e) + kRemCutoff - 1) << rice;
  for (unsigned i = 0; i < prefix; ++i) io.bypass(1);
  unsigned length = unsigned(rice);
  if (prefix < maxPrefix) { io.bypass(0); length += e; }
  else length += unsigned(kMaxLog2TrRange - rice);
  io.bypassBits(value - offset, int(length));
  return value;
}
}  // namespace

// ------------------------------------------------------------------ residual_ts_coding (7.3.11.12)
namespace {
// The level mapping of a transform-skip block (7.3.11.12 / 9.3.4.2.x, no BDPCM): a level coded in the first pass is
// sent relative to predCoeff = Max(|left|, |above|): predCoeff itself as 1, smaller values one up.
inline unsigned tsMapLevel(unsigned a, unsigned pred) {
  if (a == 0 || pred == 0) return a;
  return a == pred ? 1 : (a < pred ? a + 1 : a);
}
inline unsigned tsUnmapLevel(unsigned m, unsigned pred) {
  if (m == 0 || pred == 0) return m;
  return m == 1 ? pred : (m <= pred ? m - 1 : m);
}
}  // namespace

template <class IO>
bool codeResidualTs(IO& io, ContextSet& ctx, TCoeff* lv, int w, int h) {
  const int log2W = log2Int(unsigned(w)), log2H = log2Int(unsigned(h));
  int log2SbW, log2SbH;
  subBlockShape(log2W, log2H, log2SbW, log2SbH);
  const int numSbCoeff = 1 << (log2SbW + log2SbH);
  const int log2CgW = log2W - log2SbW, log2CgH = log2H - log2SbH;
  const int cgW = 1 << log2CgW;
  const int lastSubBlock = (1 << (log2CgW + log2CgH)) - 1;
  const ScanPos* cgScan = scans().tab[log2CgW][log2CgH];
  const ScanPos* inScan = scans().tab[log2SbW][log2SbH];
  const int n = w * h;
  // absv: |level| (reader: what is known so far: the first pass's value, then the final one); sgn: -1 / 0 / +1
  int32_t absv[32 * 32];
  int8_t sgn[32 * 32];
  if (IO::kReading) {
    std::memset(lv, 0, sizeof(TCoeff) * size_t(n));
    std::memset(absv, 0, sizeof(int32_t) * size_t(n));
    std::memset(sgn, 0, size_t(n));
  } else {
    bool any = false;
    for (int i = 0; i < n; ++i) {
      absv[i] = std::abs(lv[i]);
      sgn[i] = int8_t(lv[i] > 0 ? 1 : (lv[i] < 0 ? -1 : 0));
      any |= lv[i] != 0;
    }
    if (!any) return false;  // a coded block holds a level (the last sub-block and position are inferred)
  }
  int remCcbs = (n * 7) >> 2;
  bool inferSbCbf = true;
  uint8_t sbCoded[64];
  std::memset(sbCoded, 0, sizeof(sbCoded));
  for (int i = 0; i <= lastSubBlock; ++i) {
    const int xS = cgScan[i].x, yS = cgScan[i].y;
    const int x0 = xS << log2SbW, y0 = yS << log2SbH;
    int posOf[16];
    for (int k = 0; k < numSbCoeff; ++k) posOf[k] = (y0 + inScan[k].y) * w + x0 + inScan[k].x;
    bool coded = true;
    if (i != lastSubBlock || !inferSbCbf) {
      bool any = false;
      if (!IO::kReading)
        for (int k = 0; k < numSbCoeff && !any; ++k) any = absv[posOf[k]] != 0;
      const int inc = (xS > 0 ? sbCoded[yS * cgW + xS - 1] : 0) + (yS > 0 ? sbCoded[(yS - 1) * cgW + xS] : 0);
      coded = io.bin(ctx[kCtxTsSbCoded + inc], any ? 1u : 0u) != 0;
    }
    if (coded && i < lastSubBlock) inferSbCbf = false;
    sbCoded[yS * cgW + xS] = coded ? 1 : 0;
    if (!coded) continue;
    // neighbours of position p: left and above (earlier in the scan: final, or the first pass's value)
    auto left = [&](int k) { return inScan[k].x + x0 > 0 ? posOf[k] - 1 : -1; };
    auto above = [&](int k) { return inScan[k].y + y0 > 0 ? posOf[k] - w : -1; };
    auto nzAt = [&](int q) { return q >= 0 && absv[q] != 0 ? 1 : 0; };
    auto predAt = [&](int k) {
      const int l = left(k), a = above(k);
      return unsigned(std::max(l >= 0 ? absv[l] : 0, a >= 0 ? absv[a] : 0));
    };
    unsigned coded1[16];  // the coded (mapped) value so far per scan position
    std::memset(coded1, 0, sizeof(coded1));
    unsigned mapped[16];  // writer: the value the passes code
    std::memset(mapped, 0, sizeof(mapped));
    // first pass: sig_coeff_flag, coeff_sign_flag, abs_level_gtx_flag[0], par_level_flag
    bool inferSig = true;
    int lastPass1 = -1;
    for (int k = 0; k < numSbCoeff && remCcbs >= 4; ++k) {
      const int p = posOf[k];
      const int l = left(k), a = above(k);
      const int numNz = nzAt(l) + nzAt(a);
      unsigned sig;
      if (k != numSbCoeff - 1 || !inferSig) {
        sig = io.bin(ctx[kCtxTsSig + numNz], IO::kReading ? 0u : (absv[p] != 0 ? 1u : 0u));
        --remCcbs;
        if (sig) inferSig = false;
      } else {
        sig = 1;
        if (!IO::kReading && absv[p] == 0) return false;
      }
      if (sig) {
        const unsigned m = IO::kReading ? 0u : tsMapLevel(unsigned(absv[p]), predAt(k));
        mapped[k] = m;
        const int sl = l >= 0 ? sgn[l] : 0, sa = a >= 0 ? sgn[a] : 0;
        const int signCtx = ((sl == 0 && sa == 0) || sl * sa < 0) ? 0 : (sl >= 0 && sa >= 0 ? 1 : 2);
        const unsigned s = io.bin(ctx[kCtxTsSign + signCtx], IO::kReading ? 0u : (sgn[p] < 0 ? 1u : 0u));
        const unsigned g1 = io.bin(ctx[kCtxTsGt1 + numNz], m > 1 ? 1u : 0u);
        remCcbs -= 2;
        unsigned par = 0;
        if (g1) {
          par = io.bin(ctx[kCtxTsPar], (m - 2) & 1u);
          --remCcbs;
        }
        coded1[k] = 1 + par + g1;
        if (IO::kReading) {
          sgn[p] = int8_t(s ? -1 : 1);
          absv[p] = int32_t(coded1[k]);
        }
      }
      lastPass1 = k;
    }
    // second pass: abs_level_gtx_flag[1..4] (each +2)
    int lastPass2 = -1;
    for (int k = 0; k < numSbCoeff && remCcbs >= 4; ++k) {
      if (coded1[k] >= 2) {
        for (int j = 1; j < 5; ++j) {
          const unsigned f = io.bin(ctx[kCtxTsGtx + j - 1], mapped[k] >= coded1[k] + 2 ? 1u : 0u);
          --remCcbs;
          coded1[k] += 2 * f;
          if (!f) break;
        }
      }
      lastPass2 = k;
    }
    // third pass: abs_remainder (Rice parameter 1), the level mapping undone, bypass signs of what the first pass
    // did not reach
    for (int k = 0; k < numSbCoeff; ++k) {
      const int p = posOf[k];
      const bool inPass1 = k <= lastPass1;
      const bool rem = k <= lastPass2 ? coded1[k] >= 10 : (inPass1 ? coded1[k] >= 2 : true);
      unsigned val = coded1[k];
      if (rem) {
        unsigned r = 0;
        if (!IO::kReading) r = inPass1 ? (mapped[k] - coded1[k]) >> 1 : unsigned(absv[p]);
        r = codeRemAbs(io, r, 1);
        val = inPass1 ? coded1[k] + 2 * r : r;
      }
      if (IO::kReading) {
        val = std::min(val, 32768u);
        absv[p] = int32_t(inPass1 ? tsUnmapLevel(val, predAt(k)) : val);
        absv[p] = std::min(absv[p], 32768);
      }
      if (!inPass1 && absv[p] != 0) {
        const unsigned s = io.bypass(IO::kReading ? 0u : (sgn[p] < 0 ? 1u : 0u));
        if (IO::kReading) sgn[p] = int8_t(s ? -1 : 1);
      }
    }
  }
  if (IO::kReading)
    for (int i = 0; i < n; ++i) lv[i] = sgn[i] < 0 ? -std::min(absv[i], 32768) : std::min(absv[i], 32767);
  return true;
}

// ------------------------------------------------------------------ residual_coding (7.3.11.11)
void addResidualFlags(const TCoeff* lv, int w, int h, int cIdx, ResidualMtsFlags& f) {
  // a coded sub-block always holds a non-zero level (the writer's sb_coded_flag), and the last
  // position is the last non-zero level in scan order: it is the DC one iff nothing else is non-zero
  const bool lfnstTb = w >= 4 && h >= 4;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      if (!lv[y * w + x]) continue;
      if (cIdx == 0 && (x || y)) f.notDcOnly = true;
      if (cIdx == 0 && (x >= 16 || y >= 16)) f.beyond16 = true;
      if (lfnstTb && (x || y)) f.lfnstNotDcOnly = true;
      if (lfnstTb && !dsp::lfnstInputPos(x, y, w, h)) f.lfnstBeyond = true;
    }
}

ResidualMtsFlags residualMtsFlags(const TCoeff* lv, int w, int h) {
  ResidualMtsFlags f;
  addResidualFlags(lv, w, h, 0, f);
  return f;
}

bool mtsIdxCoded(const SliceParams* slice, const CodingUnit& cu, const ResidualMtsFlags& f) {
  if (!slice || !(cu.isInter() ? slice->explicitMtsInter && !cu.sbt : slice->explicitMtsIntra)) return false;
  return cu.treeType != TreeType::kDualChroma && !cu.isp && std::max(cu.w, cu.h) <= 32 && cu.numTus == 1 &&
         cu.lfnstIdx == 0 && f.notDcOnly && !f.beyond16 && !f.lumaTs;
}

bool transformSkipAllowed(const SliceParams* slice, const CodingUnit& cu, int cIdx, int w, int h) {
  return slice && slice->transformSkip && std::max(w, h) <= (1 << slice->log2MaxTs) && !cu.sbt && !(cIdx == 0 && cu.isp);
}

void mipModeCode(int numModes, int& k, unsigned& u) {
  k = 0;
  while ((2 << k) <= numModes) ++k;  // floor(log2(numModes))
  u = (2u << k) - unsigned(numModes);
}

int mipModeBins(int mode, int numModes) {
  int k;
  unsigned u;
  mipModeCode(numModes, k, u);
  return unsigned(mode) < u ? k : k + 1;
}

int mipFlagCtxInc(const CuMap& map, const CodingUnit& cu) {
  if (cu.w > 2 * cu.h || cu.h > 2 * cu.w) return 3;
  const CuInfo* L = map.at(cu.x - 1, cu.y);
  const CuInfo* A = map.at(cu.x, cu.y - 1);
  return (L && L->mip) + (A && A->mip);
}

bool lfnstIdxCoded(const SliceParams* slice, const CodingUnit& cu, int log2MaxTb, const ResidualMtsFlags& f) {
  if (!slice || !slice->lfnst || cu.isInter()) return false;
  if (std::max(cu.w, cu.h) > (1 << log2MaxTb)) return false;
  if (cu.treeType == TreeType::kDualChroma && std::min(cu.w, cu.h) < 8) return false;  // chroma sides below 4
  if (cu.mip && std::min(cu.w, cu.h) < 16) return false;  // MIP CUs take LFNST from 16x16 on
  if (f.transformSkip) return false;  // a TB of the CU with a residual in transform skip
  // ISP: sub-partitions of at least 4x4 (lfnstWidth / lfnstHeight), whatever LfnstDcOnly
  if (cu.isp) return std::min(cu.tus[0].w, cu.tus[0].h) >= 4 && !f.lfnstBeyond;
  return f.lfnstNotDcOnly && !f.lfnstBeyond;
}

template <class IO>
bool codeResidual(IO& io, ContextSet& ctx, TCoeff* lv, int w, int h, int cIdx, bool depQuant, bool signHiding,
                  ResidualMtsFlags* mtsFlags, bool sbtZeroOut) {
  const bool luma = cIdx == 0;
  const int log2W = log2Int(unsigned(w)), log2H = log2Int(unsigned(h));
  const bool zoLuma = sbtZeroOut && luma;
  const int log2ZoW = log2ZeroOutSide(log2W, log2H, zoLuma), log2ZoH = log2ZeroOutSide(log2H, log2W, zoLuma);
  if (!IO::kReading && (log2ZoW < log2W || log2ZoH < log2H))  // nothing may lie outside the coded region
    for (int y = 0; y < h; ++y)
      for (int x = (y < (1 << log2ZoH) ? 1 << log2ZoW : 0); x < w; ++x)
        if (lv[y * w + x]) return false;
  int log2SbW, log2SbH;
  subBlockShape(log2W, log2H, log2SbW, log2SbH);
  const int numSb = 1 << (log2SbW + log2SbH);
  const int log2CgW = log2ZoW - log2SbW, log2CgH = log2ZoH - log2SbH;
  const int cgW = 1 << log2CgW, cgH = 1 << log2CgH;  // sub-block grid
  const ScanPos* cgScan = scans().tab[log2CgW][log2CgH];
  const ScanPos* inScan = scans().tab[log2SbW][log2SbH];
  const int numCg = cgW * cgH;

  // |level| of the zero-out region in a buffer padded by 2 zero columns/rows, so the 5-sample
  // template (x+1,y) (x+2,y) (x,y+1) (x,y+2) (x+1,y+1) needs no bounds checks (samples beyond the
  // region are zero in a conforming block anyway). Writer: final values. Reader: the values known
  // so far (pass-1 sums, then final) — the template only covers positions coded earlier.
  const int zoW = 1 << log2ZoW, zoH = 1 << log2ZoH;
  const int S = zoW + 2;
  int32_t ab[34 * 34];
  // Last significant position (writer: highest scan index with a non-zero level), found in the raster pass that
  // fills ab: each non-zero level's scan index from the inverse scans of the sub-block grid and the sub-block.
  int lastX = 0, lastY = 0, lastCg = 0, lastPosInCg = 0;
  if (!IO::kReading) {
    const uint16_t* invCg = scans().inv[log2CgW][log2CgH];
    const uint16_t* invIn = scans().inv[log2SbW][log2SbH];
    const int maskX = (1 << log2SbW) - 1, maskY = (1 << log2SbH) - 1;
    int found = -1;
    for (int y = 0; y < zoH; ++y) {
      int32_t* a = ab + y * S;
      const TCoeff* l = lv + y * w;
      bool any = false;
      for (int x = 0; x < zoW; ++x) {
        a[x] = std::abs(l[x]);
        any |= a[x] != 0;
      }
      a[zoW] = a[zoW + 1] = 0;
      if (!any) continue;
      const int rowCg = (y >> log2SbH) * cgW, rowIn = (y & maskY) << log2SbW;
      for (int x = 0; x < zoW; ++x) {
        if (!a[x]) continue;
        const int idx = invCg[rowCg + (x >> log2SbW)] * numSb + invIn[rowIn + (x & maskX)];
        if (idx > found) { found = idx; lastX = x; lastY = y; }
      }
    }
    std::memset(ab + zoH * S, 0, sizeof(int32_t) * size_t(2 * S));
    if (found < 0) return false;
  }
  // last_sig_coeff_x/y_prefix (TR, context coded), then the suffixes (FL bypass)
  int prefX, prefY;
  {
    const int offX = luma ? kLastPrefixCtxOffsetLuma[log2W] : 0, shX = luma ? (log2W + 1) >> 2 : std::min(2, std::max(0, w >> 3));
    const int offY = luma ? kLastPrefixCtxOffsetLuma[log2H] : 0, shY = luma ? (log2H + 1) >> 2 : std::min(2, std::max(0, h >> 3));
    const int baseX = luma ? kCtxLastXY : kCtxLastXC, baseY = luma ? kCtxLastYY : kCtxLastYC;
    const int cMaxX = (log2ZoW << 1) - 1, cMaxY = (log2ZoH << 1) - 1;
    const int wantX = lastPrefixOf(lastX), wantY = lastPrefixOf(lastY);
    prefX = 0;
    while (prefX < cMaxX) { if (!io.bin(ctx[baseX + offX + (prefX >> shX)], prefX < wantX)) break; ++prefX; }
    prefY = 0;
    while (prefY < cMaxY) { if (!io.bin(ctx[baseY + offY + (prefY >> shY)], prefY < wantY)) break; ++prefY; }
    if (prefX > 3) {
      const int nb = (prefX >> 1) - 1;
      const unsigned suf = io.bypassBits(unsigned(lastX - lastMinInGroup(prefX)), nb);
      lastX = lastMinInGroup(prefX) + int(suf);
    } else lastX = prefX;
    if (prefY > 3) {
      const int nb = (prefY >> 1) - 1;
      const unsigned suf = io.bypassBits(unsigned(lastY - lastMinInGroup(prefY)), nb);
      lastY = lastMinInGroup(prefY) + int(suf);
    } else lastY = prefY;
  }
  if (lastX >= (1 << log2ZoW) || lastY >= (1 << log2ZoH)) return false;
  // scan index of the last position
  {
    const int xs = lastX >> log2SbW, ys = lastY >> log2SbH;
    const int xi = lastX & ((1 << log2SbW) - 1), yi = lastY & ((1 << log2SbH) - 1);
    lastCg = -1;
    for (int i = 0; i < numCg; ++i) if (cgScan[i].x == xs && cgScan[i].y == ys) { lastCg = i; break; }
    for (int n = 0; n < numSb; ++n) if (inScan[n].x == xi && inScan[n].y == yi) { lastPosInCg = n; break; }
    if (lastCg < 0) return false;
  }
  if (IO::kReading) std::memset(lv, 0, sizeof(TCoeff) * size_t(w) * size_t(h));
  if (mtsFlags && luma && (lastCg > 0 || lastPosInCg > 0)) mtsFlags->notDcOnly = true;  // MtsDcOnly = 0
  if (mtsFlags && w >= 4 && h >= 4) {  // LFNST: last scan position (16 per sub-block here)
    const int scanPosLast = lastCg * numSb + lastPosInCg;
    if (scanPosLast >= 1) mtsFlags->lfnstNotDcOnly = true;  // LfnstDcOnly = 0
    if (scanPosLast >= dsp::lfnstNumInputs(w, h))
      mtsFlags->lfnstBeyond = true;  // LfnstZeroOutSigCoeffFlag = 0
  }

  uint8_t cgCoded[256];
  std::memset(cgCoded, 0, sizeof(cgCoded));
  int remBins = ((1 << (log2ZoW + log2ZoH)) * 7) >> 2;
  const int sigBase = luma ? kCtxSigY : kCtxSigC;
  const int gt1Base = luma ? kCtxGt1Y : kCtxGt1C, parBase = luma ? kCtxParY : kCtxParC;
  const int gt3Base = luma ? kCtxGt3Y : kCtxGt3C, csbfBase = luma ? kCtxCsbfY : kCtxCsbfC;
  if (IO::kReading) std::memset(ab, 0, sizeof(int32_t) * size_t(S) * size_t(zoH + 2));
  // Dependent quantisation: QState (0..3) walks the scan from the last position by the parity of each
  // level (QStateTransTable); it picks the sig_coeff_flag context set and dec_abs_level's ZeroPos.
  // Without dependent quantisation it stays 0.
  static constexpr uint8_t kQStateTrans[4][2] = {{0, 2}, {2, 0}, {1, 3}, {3, 1}};
  int qState = 0;
  const int sigSetSize = luma ? 12 : 8;
  int abOff[16], lvOff[16], diag[16];
  for (int n = 0; n < numSb; ++n) {
    abOff[n] = inScan[n].y * S + inScan[n].x;
    lvOff[n] = inScan[n].y * w + inScan[n].x;
    diag[n] = inScan[n].x + inScan[n].y;
  }

  for (int i = lastCg; i >= 0; --i) {
    const int xS = cgScan[i].x, yS = cgScan[i].y;
    const int x0 = xS << log2SbW, y0 = yS << log2SbH;
    int32_t* abCg = ab + y0 * S + x0;
    TCoeff* lvCg = lv + y0 * w + x0;
    // sb_coded_flag
    bool coded = true;
    bool inferDc = false;
    if (i < lastCg && i > 0) {
      bool any = false;
      if (!IO::kReading)
        for (int n = 0; n < numSb && !any; ++n) any = abCg[abOff[n]] != 0;
      const int right = (xS + 1 < cgW) ? cgCoded[yS * 16 + xS + 1] : 0;
      const int below = (yS + 1 < cgH) ? cgCoded[(yS + 1) * 16 + xS] : 0;
      coded = io.bin(ctx[csbfBase + ((right | below) ? 1 : 0)], any ? 1u : 0u) != 0;
      inferDc = true;
    }
    cgCoded[yS * 16 + xS] = coded ? 1 : 0;
    if (!coded) continue;
    if (mtsFlags && luma && (xS > 3 || yS > 3)) mtsFlags->beyond16 = true;  // MtsZeroOutSigCoeffFlag = 0

    const int firstPos = (i == lastCg) ? lastPosInCg : numSb - 1;
    int passLevel[16];  // pass-1 value per scan position
    uint8_t gt3[16];
    std::memset(gt3, 0, sizeof(gt3));
    int n = firstPos;
    int firstPosMode1 = firstPos;  // positions > firstPosMode1 handled in pass 1
    bool anySig = false;
    for (; n >= 0 && remBins >= 4; --n) {
      int32_t* p = abCg + abOff[n];
      const bool isLast = (i == lastCg && n == lastPosInCg);
      const int a = IO::kReading ? 0 : *p;
      // template over already-coded neighbours (pass-1 style values min(4 + (v & 1), v))
      const int v1 = p[1], v2 = p[2], v3 = p[S + 1], v4 = p[S], v5 = p[2 * S];
      const int sum1 = std::min(4 + (v1 & 1), v1) + std::min(4 + (v2 & 1), v2) + std::min(4 + (v3 & 1), v3) +
                       std::min(4 + (v4 & 1), v4) + std::min(4 + (v5 & 1), v5);
      const int numPos = (v1 != 0) + (v2 != 0) + (v3 != 0) + (v4 != 0) + (v5 != 0);
      const int d = x0 + y0 + diag[n];
      unsigned sig;
      if (isLast) {
        sig = 1;
      } else if (n == 0 && inferDc && !anySig) {
        sig = 1;
      } else {
        int ctxInc = std::min((sum1 + 1) >> 1, 3);
        ctxInc += luma ? (d < 2 ? 8 : (d < 5 ? 4 : 0)) : (d < 2 ? 4 : 0);
        ctxInc += sigSetSize * std::max(0, qState - 1);
        sig = io.bin(ctx[sigBase + ctxInc], a != 0 ? 1u : 0u);
        --remBins;
      }
      int p1 = 0;
      if (sig) {
        anySig = true;
        int off = 0;
        if (!isLast) {
          off = std::min(sum1 - numPos, 4) + 1;
          off += luma ? (d == 0 ? 15 : (d < 3 ? 10 : (d < 10 ? 5 : 0))) : (d == 0 ? 5 : 0);
        }
        const unsigned g1 = io.bin(ctx[gt1Base + off], a > 1 ? 1u : 0u);
        --remBins;
        unsigned par = 0, g3 = 0;
        if (g1) {
          par = io.bin(ctx[parBase + off], unsigned((a - 2) & 1));
          g3 = io.bin(ctx[gt3Base + off], a > 3 ? 1u : 0u);
          remBins -= 2;
        }
        p1 = 1 + int(par) + int(g1) + 2 * int(g3);
        gt3[n] = uint8_t(g3);
      }
      passLevel[n] = p1;
      if (IO::kReading) *p = p1;
      if (depQuant) qState = kQStateTrans[qState][p1 & 1];  // p1 has the parity of the final level
      firstPosMode1 = n - 1;
    }
    // pass 2: abs_remainder for gt3 positions (baseLevel 4); template neighbours are final
    for (int m = firstPos; m > firstPosMode1; --m) {
      if (!gt3[m]) continue;
      int32_t* p = abCg + abOff[m];
      const int sum = p[1] + p[2] + p[S + 1] + p[S] + p[2 * S];
      const int rice = kRiceTable[std::max(0, std::min(31, sum - 5 * 4))];
      const unsigned rem = codeRemAbs(io, IO::kReading ? 0u : unsigned((*p - passLevel[m]) >> 1), rice);
      if (IO::kReading) *p = std::min(passLevel[m] + 2 * int(rem), 32768);
    }
    // pass 3: dec_abs_level for the remaining positions (baseLevel 0)
    for (int m = firstPosMode1; m >= 0; --m) {
      int32_t* p = abCg + abOff[m];
      const int sum = p[1] + p[2] + p[S + 1] + p[S] + p[2 * S];
      const int rice = kRiceTable[std::min(31, sum)];
      const unsigned pos0 = (qState < 2 ? 1u : 2u) << rice;  // ZeroPos
      unsigned val = 0;
      if (!IO::kReading) {
        const unsigned a = unsigned(*p);
        val = a == 0 ? pos0 : (a <= pos0 ? a - 1 : a);
      }
      val = codeRemAbs(io, val, rice);
      if (IO::kReading) {
        const unsigned a = val == pos0 ? 0 : (val < pos0 ? val + 1 : val);
        *p = int(std::min(a, 32768u));
      }
      if (depQuant) qState = kQStateTrans[qState][*p & 1];
    }
    // Sign data hiding (sh_sign_data_hiding_used_flag, never with dependent quantisation): when the
    // sub-block's last and first significant scan positions are more than 3 apart, the sign of the
    // first one (lowest frequency, coded last) is not sent; it is negative iff the sum of the
    // sub-block's absolute levels is odd. Every level is final here (both directions).
    int firstSig = -1, lastSig = -1, sumAbs = 0;
    for (int m = firstPos; m >= 0; --m) {
      const int a = abCg[abOff[m]];
      if (a == 0) continue;
      if (lastSig < 0) lastSig = m;
      firstSig = m;
      sumAbs += a;
    }
    const bool signHidden = signHiding && !depQuant && lastSig - firstSig > 3;
    if (signHidden && !IO::kReading && !kEstimating<IO>) {
      // the writer cannot code a sign that disagrees with the parity (the encoder adjusts levels)
      if ((lvCg[lvOff[firstSig]] < 0) != ((sumAbs & 1) != 0)) return false;
    }
    // signs, in decreasing scan order
    for (int m = firstPos; m >= 0; --m) {
      const int a = abCg[abOff[m]];
      if (a == 0) continue;
      TCoeff& c = lvCg[lvOff[m]];
      unsigned sgn;
      if (signHidden && m == firstSig) sgn = unsigned(sumAbs & 1);
      else sgn = io.bypass(c < 0 ? 1u : 0u);
      if (IO::kReading) c = sgn ? -std::min(a, 32768) : std::min(a, 32767);
    }
  }
  return true;
}

// ------------------------------------------------------------------ intra modes
void deriveMpmList(const CuMap& map, int x, int y, int w, int h, int log2CtuSize, int mpm[5]) {
  // 8.4.2: A = left (x-1, y+h-1), B = above (x+w-1, y-1); above outside the CTU row -> planar
  const CuInfo* A = map.at(x - 1, y + h - 1);
  const CuInfo* B = map.at(x + w - 1, y - 1);
  int a = A ? A->lumaMode : 0;
  int b = B ? B->lumaMode : 0;
  if (y - 1 < ((y >> log2CtuSize) << log2CtuSize)) b = 0;
  if (a == b && a > 1) {
    mpm[0] = a;
    mpm[1] = 2 + ((a + 61) % 64);
    mpm[2] = 2 + ((a - 1) % 64);
    mpm[3] = 2 + ((a + 60) % 64);
    mpm[4] = 2 + (a % 64);
  } else if (a != b && (a > 1 || b > 1)) {
    const int mn = std::min(a, b), mx = std::max(a, b);
    if (a > 1 && b > 1) {
      mpm[0] = a; mpm[1] = b;
      const int diff = mx - mn;
      if (diff == 1) {
        mpm[2] = 2 + ((mn + 61) % 64); mpm[3] = 2 + ((mx - 1) % 64); mpm[4] = 2 + ((mn + 60) % 64);
      } else if (diff >= 62) {
        mpm[2] = 2 + ((mn - 1) % 64); mpm[3] = 2 + ((mx + 61) % 64); mpm[4] = 2 + (mn % 64);
      } else if (diff == 2) {
        mpm[2] = 2 + ((mn - 1) % 64); mpm[3] = 2 + ((mn + 61) % 64); mpm[4] = 2 + ((mx - 1) % 64);
      } else {
        mpm[2] = 2 + ((mn + 61) % 64); mpm[3] = 2 + ((mn - 1) % 64); mpm[4] = 2 + ((mx + 61) % 64);
      }
    } else {
      mpm[0] = mx;
      mpm[1] = 2 + ((mx + 61) % 64);
      mpm[2] = 2 + ((mx - 1) % 64);
      mpm[3] = 2 + ((mx + 60) % 64);
      mpm[4] = 2 + (mx % 64);
    }
  } else {
    mpm[0] = 1; mpm[1] = 50; mpm[2] = 18; mpm[3] = 46; mpm[4] = 54;
  }
}

int deriveChromaMode(int idx, int lumaMode) {
  static const int kList[4] = {0, 50, 18, 1};
  if (idx == kChromaDm) return lumaMode;
  if (idx >= kChromaCclm) return 81 + ((idx - kChromaCclm) % 3);  // INTRA_LT/L/T_CCLM
  const int m = kList[idx & 3];
  return m == lumaMode ? 66 : m;
}

// ------------------------------------------------------------------ split syntax (7.3.9.4)
template <class IO>
bool codeSplit(IO& io, SyntaxEnv& env, const TreeNode& n, SplitMode& split) {
  const PartitionConfig& cfg = *env.part;
  ContextSet& ctx = *env.ctx;
  const AllowedSplits a = allowedSplits(cfg, n);
  const bool anyMtt = a.btHor || a.btVer || a.ttHor || a.ttVer;
  const bool boundary = mustSplit(cfg, n);
  if (!IO::kReading) {
    if (split == SplitMode::kNone ? boundary : !a.allows(split)) return false;
  }
  const CuInfo* L = env.cuMap->at(n.x - 1, n.y);
  const CuInfo* A = env.cuMap->at(n.x, n.y - 1);
  // neighbours in the same tree: the chroma tree of a dual-tree I slice reads the chroma CU info
  const bool cTree = n.treeType == TreeType::kDualChroma;
  const int lH = L ? (cTree ? L->log2HC : L->log2H) : 0, aW = A ? (cTree ? A->log2WC : A->log2W) : 0;
  const int lQt = L ? (cTree ? L->qtDepthC : L->qtDepth) : 0, aQt = A ? (cTree ? A->qtDepthC : A->qtDepth) : 0;
  unsigned splitCu;
  if ((anyMtt || a.qt) && !boundary) {
    int inc = 0;
    if (L && (1 << lH) < n.h) ++inc;
    if (A && (1 << aW) < n.w) ++inc;
    int numSplit = (a.qt ? 2 : 0) + a.btHor + a.btVer + a.ttHor + a.ttVer;
    if (numSplit > 0) --numSplit;
    inc += 3 * (numSplit >> 1);
    splitCu = io.bin(ctx[kCtxSplitCu + inc], split != SplitMode::kNone ? 1u : 0u);
  } else {
    splitCu = boundary ? 1 : 0;
  }
  if (!splitCu) { split = SplitMode::kNone; return true; }
  if (!a.any()) return false;
  unsigned qt;
  if (a.qt && anyMtt) {
    int inc = 0;
    if (L && lQt > n.qtDepth) ++inc;
    if (A && aQt > n.qtDepth) ++inc;
    if (n.qtDepth >= 2) inc += 3;
    qt = io.bin(ctx[kCtxSplitQt + inc], split == SplitMode::kQt ? 1u : 0u);
  } else {
    qt = a.qt ? 1 : 0;
  }
  if (qt) { split = SplitMode::kQt; return true; }
  const bool hor = a.btHor || a.ttHor, ver = a.btVer || a.ttVer;
  unsigned vert;
  if (hor && ver) {
    const int numHor = a.btHor + a.ttHor, numVer = a.btVer + a.ttVer;
    int inc;
    if (numVer == numHor) {
      if (!L || !A) inc = 0;
      else {
        const int depA = n.w >> aW, depL = n.h >> lH;
        inc = depA == depL ? 0 : (depA < depL ? 1 : 2);
      }
    } else {
      inc = numVer < numHor ? 3 : 4;
    }
    vert = io.bin(ctx[kCtxMttVertical + inc], (split == SplitMode::kBtVer || split == SplitMode::kTtVer) ? 1u : 0u);
  } else {
    vert = ver ? 1 : 0;
  }
  unsigned binary;
  if (vert ? (a.btVer && a.ttVer) : (a.btHor && a.ttHor)) {
    binary = io.bin(ctx[kCtxMttBinary + 2 * int(vert) + (n.mttDepth <= 1 ? 1 : 0)],
                    (split == SplitMode::kBtVer || split == SplitMode::kBtHor) ? 1u : 0u);
  } else {
    binary = vert ? (a.btVer ? 1 : 0) : (a.btHor ? 1 : 0);
  }
  split = vert ? (binary ? SplitMode::kBtVer : SplitMode::kTtVer) : (binary ? SplitMode::kBtHor : SplitMode::kTtHor);
  return a.allows(split);
}

// ------------------------------------------------------------------ transform units (7.3.11.10)
namespace {
// Transform tree of a CU: the TUs of the implicit split of CUs larger than the max TB size
// (cu.tus from tileTransformUnits), or the two TUs of an SBT CU (sbtTransformUnits), each with its cbfs and
// residuals. Inter CUs (cu_coded_flag 1): tu_y_coded_flag is only coded when a chroma cbf is set or the CU has
// several TUs (SBT's two excepted), and is inferred 1 otherwise; the TU of an SBT CU without residual codes
// nothing (7.3.11.10).
template <class IO>
bool codeTransformUnits(IO& io, SyntaxEnv& env, CodingUnit& cu, CtuCoding& owner, bool hasLuma, bool hasChroma,
                        bool inter, ResidualMtsFlags* mtsFlags = nullptr) {
  ContextSet& ctx = *env.ctx;
  for (int t = 0; t < cu.numTus; ++t) {
    TransformUnit& tu = cu.tus[t];
    if (cu.sbt && t == cu.sbtZeroTu()) {
      for (int c = 0; c < 3; ++c) {
        if (IO::kReading) { tu.cbf[c] = 0; tu.coeffOffset[c] = -1; }
        else if (tu.cbf[c]) return false;
      }
      if (!IO::kReading && tu.jointCbCr) return false;
      tu.jointCbCr = 0;
      continue;
    }
    // the TU's chroma TBs: its own area, or an ISP CU's whole chroma with the last sub-partition
    int cx = 0, cy = 0, cw = 0, ch = 0;
    const bool tuChroma = hasChroma && chromaTbArea(cu, t, cx, cy, cw, ch);
    if (tuChroma) {
      tu.cbf[1] = uint8_t(io.bin(ctx[kCtxCbfCb], tu.cbf[1]));
      tu.cbf[2] = uint8_t(io.bin(ctx[kCtxCbfCr + tu.cbf[1]], tu.cbf[2]));
    } else {
      for (int c = 1; c <= 2; ++c) {
        if (!IO::kReading && tu.cbf[c]) return false;
        tu.cbf[c] = 0;
      }
    }
    if (hasLuma) {
      if (inter && (cu.numTus == 1 || cu.sbt) && !tu.cbf[1] && !tu.cbf[2]) {
        if (!IO::kReading && !tu.cbf[0]) return false;  // inferred 1: luma must have levels
        tu.cbf[0] = 1;
      } else if (cu.isp) {
        // ISP: ctxInc 2 + the previous sub-partition's tu_y_coded_flag; the last one's is inferred 1 when all
        // before it are 0
        bool anyBefore = false;
        for (int k = 0; k < t; ++k) anyBefore |= cu.tus[k].cbf[0] != 0;
        if (t == cu.numTus - 1 && !anyBefore) {
          if (!IO::kReading && !tu.cbf[0]) return false;
          tu.cbf[0] = 1;
        } else {
          const int prev = t > 0 ? cu.tus[t - 1].cbf[0] : 0;
          tu.cbf[0] = uint8_t(io.bin(ctx[kCtxCbfY + 2 + prev], tu.cbf[0]));
        }
      } else {
        tu.cbf[0] = uint8_t(io.bin(ctx[kCtxCbfY], tu.cbf[0]));
      }
    }
    // tu_joint_cbcr_residual_flag: intra CUs with a chroma cbf, inter CUs with both
    if (tuChroma && env.slice && env.slice->jointCbCr &&
        (inter ? (tu.cbf[1] && tu.cbf[2]) : (tu.cbf[1] || tu.cbf[2]))) {
      tu.jointCbCr = uint8_t(io.bin(ctx[kCtxJointCbCr + 2 * tu.cbf[1] + tu.cbf[2] - 1], tu.jointCbCr));
    } else {
      if (!IO::kReading && tu.jointCbCr) return false;
      tu.jointCbCr = 0;
    }
    for (int c = 0; c < 3; ++c) {
      if ((c == 0 && !hasLuma) || (c > 0 && !tuChroma)) continue;
      if (!tu.cbf[c] || (c == 2 && tu.cbf[1] && tu.jointCbCr)) {  // TuCResMode 2: Cr is derived from Cb
        if (IO::kReading) tu.coeffOffset[c] = -1;
        continue;
      }
      const int bw = c ? cw / 2 : tu.w, bh = c ? ch / 2 : tu.h;
      if (IO::kReading) tu.coeffOffset[c] = owner.allocCoeffs(bw * bh);
      if (tu.coeffOffset[c] < 0 || size_t(tu.coeffOffset[c]) + size_t(bw * bh) > owner.coeffs.size()) return false;
      // transform_skip_flag (TBs of at most MaxTsSize a side; not in SBT CUs nor the luma of ISP CUs; no BDPCM)
      const SliceParams* sl = env.slice;
      if (transformSkipAllowed(sl, cu, c, bw, bh)) {
        tu.tsFlag[c] = uint8_t(io.bin(ctx[kCtxTsFlag + (c ? 1 : 0)], tu.tsFlag[c] ? 1u : 0u));
      } else {
        if (!IO::kReading && tu.tsFlag[c]) return false;
        tu.tsFlag[c] = 0;
      }
      TCoeff* levels = owner.coeffs.data() + tu.coeffOffset[c];
      if (tu.tsFlag[c]) {
        if (mtsFlags) {  // lfnst_idx, and for luma mts_idx, are then not coded
          mtsFlags->transformSkip = true;
          if (c == 0) mtsFlags->lumaTs = true;
        }
        const bool ok = sl->tsResidualCodingDisabled ? codeResidual(io, ctx, levels, bw, bh, c, false, false, nullptr)
                                                     : codeResidualTs(io, ctx, levels, bw, bh);
        if (!ok) return false;
        continue;
      }
      if (!codeResidual(io, ctx, levels, bw, bh, c, sl && sl->depQuant, sl && sl->signHiding, mtsFlags,
                        cu.sbt && sl && sl->mtsEnabled && c == 0))
        return false;
    }
  }
  return true;
}
}  // namespace

// ------------------------------------------------------------------ mts_idx (7.3.11.5)
namespace {
// mts_idx (after lfnst_idx, only where it is 0): TR cMax 4, bin b context-coded with ctxInc b.
// 1 -> DST-VII / DST-VII, 2 -> DCT-VIII / DST-VII, 3 -> DST-VII / DCT-VIII, 4 -> DCT-VIII / DCT-VIII
// (trTypeHor / trTypeVer, recon::tbKernels); 0 where it is not coded (mtsIdxCoded).
template <class IO>
bool codeMtsIdx(IO& io, ContextSet& ctx, const SliceParams* slice, CodingUnit& cu, const ResidualMtsFlags& mf) {
  if (mtsIdxCoded(slice, cu, mf)) {
    if (!IO::kReading && cu.mtsIdx > 4) return false;
    int idx = 0;
    while (idx < 4 && io.bin(ctx[kCtxMtsIdx + idx], idx < cu.mtsIdx ? 1u : 0u)) ++idx;
    cu.mtsIdx = uint8_t(idx);
  } else {
    if (!IO::kReading && cu.mtsIdx) return false;
    cu.mtsIdx = 0;
  }
  return true;
}
}  // namespace

// ------------------------------------------------------------------ SBT (7.3.11.5)
namespace {
// cu_sbt_flag, cu_sbt_quad_flag, cu_sbt_horizontal_flag, cu_sbt_pos_flag of an inter CU with cu_coded_flag 1;
// the reader sets the two SBT TUs, the writer checks the CU's TUs are those.
template <class IO>
bool codeSbtMode(IO& io, SyntaxEnv& env, CodingUnit& cu) {
  const int maxTb = 1 << env.part->log2MaxTb;
  const SbtAllowed a = sbtAllowed(cu.w, cu.h);
  if (!env.slice || !env.slice->sbt || cu.ciip || cu.w > maxTb || cu.h > maxTb || !a.any()) {
    if (!IO::kReading && cu.sbt) return false;
    cu.sbt = false;
    return true;
  }
  ContextSet& ctx = *env.ctx;
  cu.sbt = io.bin(ctx[kCtxSbtFlag + (cu.w * cu.h <= 256 ? 1 : 0)], cu.sbt ? 1u : 0u) != 0;
  if (!cu.sbt) return true;
  if (a.verQuad || a.horQuad) {
    cu.sbtQuad = io.bin(ctx[kCtxSbtQuad], cu.sbtQuad ? 1u : 0u) != 0;
  } else {
    if (!IO::kReading && cu.sbtQuad) return false;
    cu.sbtQuad = false;
  }
  if (cu.sbtQuad ? (a.verQuad && a.horQuad) : (a.verHalf && a.horHalf)) {
    cu.sbtHor = io.bin(ctx[kCtxSbtHor + (cu.w == cu.h ? 0 : (cu.w < cu.h ? 1 : 2))], cu.sbtHor ? 1u : 0u) != 0;
  } else {
    const bool inferred = cu.sbtQuad ? a.horQuad : a.horHalf;
    if (!IO::kReading && cu.sbtHor != inferred) return false;
    cu.sbtHor = inferred;
  }
  cu.sbtPos = io.bin(ctx[kCtxSbtPos], cu.sbtPos ? 1u : 0u) != 0;
  CodingUnit tiles = cu;
  sbtTransformUnits(tiles);
  if (IO::kReading) {
    for (int t = 0; t < 2; ++t) cu.tus[t] = tiles.tus[t];
    cu.numTus = 2;
    return true;
  }
  return sameTuLayout(cu, tiles);
}
}  // namespace

// ------------------------------------------------------------------ inter prediction data
namespace {
// lMvd range of 7.4.11.8 (quarter-sample units before the AmvrShift of 2)
constexpr int32_t kMvdMin = -(1 << 15), kMvdMax = (1 << 15) - 1;
// (MVD units: amvrShiftOf(cu.amvr), common/coding_structs.h)

// abs_mvd_minus2: EG1 (9.3.3.6), all bins bypass. A conforming value is at most 2^15 - 2, i.e.
// a prefix of at most 14 ones; longer prefixes are rejected as corrupt.
template <class IO>
bool codeEg1(IO& io, unsigned& value) {
  int k = 1;
  if (IO::kReading) {
    unsigned v = 0;
    while (io.bypass(0)) {
      v += 1u << k;
      if (++k > 15) return false;
    }
    value = v + io.bypassBits(0, k);
    return true;
  }
  unsigned v = value;
  while (v >= (1u << k)) { io.bypass(1); v -= 1u << k; ++k; }
  io.bypass(0);
  io.bypassBits(v, k);
  return true;
}

// mvd_coding (7.3.11.8): one MVD in quarter-sample units.
template <class IO>
bool codeMvd(IO& io, ContextSet& ctx, int32_t comp[2]) {
  unsigned gt0[2], gt1[2] = {0, 0};
  for (int c = 0; c < 2; ++c) gt0[c] = io.bin(ctx[kCtxMvdGt0], comp[c] != 0 ? 1u : 0u);
  for (int c = 0; c < 2; ++c)
    if (gt0[c]) gt1[c] = io.bin(ctx[kCtxMvdGt1], std::abs(comp[c]) > 1 ? 1u : 0u);
  for (int c = 0; c < 2; ++c) {
    if (!gt0[c]) { comp[c] = 0; continue; }
    unsigned absVal = 1;
    if (gt1[c]) {
      unsigned minus2 = IO::kReading ? 0u : unsigned(std::abs(comp[c]) - 2);
      if (!codeEg1(io, minus2)) return false;
      absVal = minus2 + 2;
    }
    const unsigned negative = io.bypass(comp[c] < 0 ? 1u : 0u);
    if (IO::kReading) {
      if (absVal > (negative ? unsigned(-kMvdMin) : unsigned(kMvdMax))) return false;
      comp[c] = negative ? -int32_t(absVal) : int32_t(absVal);
    }
  }
  return true;
}

// MvLX / RefIdxLX / PredFlagLX of an inter CU from its syntax (merge list entry, or AMVP
// predictor + MVD per list). Unused lists are normalised to refIdx -1, mv (0, 0).
bool deriveInterMotion(const SyntaxEnv& env, const CodingUnit& cu, MotionInfo& out, MotionInfo* outB) {
  const inter::MvPredEnv pe{env.motion, env.hmvp, env.slice, env.part->log2CtuSize};
  out = MotionInfo{};
  if (cu.merge && cu.gpm) {  // GPM: partition A's uni motion in out, B's in *outB
    MotionInfo list[inter::kMaxMergeCand];
    const int n = inter::buildMergeList(pe, cu.x, cu.y, cu.w, cu.h, list);
    if (cu.gpmIdx[0] >= n || cu.gpmIdx[1] >= n || !list[cu.gpmIdx[0]].isInter() || !list[cu.gpmIdx[1]].isInter())
      return false;
    out = inter::gpmUniCandidate(list[cu.gpmIdx[0]], cu.gpmIdx[0]);
    if (outB) *outB = inter::gpmUniCandidate(list[cu.gpmIdx[1]], cu.gpmIdx[1]);
    return true;
  } else if (cu.merge && cu.mmvd) {
    MotionInfo list[inter::kMaxMergeCand];
    const int n = inter::buildMergeList(pe, cu.x, cu.y, cu.w, cu.h, list, false);
    if (cu.mmvdCand >= n || !list[cu.mmvdCand].isInter()) return false;
    out = inter::mmvdMotion(*env.slice, list[cu.mmvdCand], cu.mmvdDist, cu.mmvdDir, cu.w, cu.h);
  } else if (cu.merge) {
    MotionInfo list[inter::kMaxMergeCand];
    const int n = inter::buildMergeList(pe, cu.x, cu.y, cu.w, cu.h, list);
    if (cu.mergeIdx >= n || !list[cu.mergeIdx].isInter()) return false;
    out = list[cu.mergeIdx];
  } else {
    out.interDir = cu.interDir;
    out.bcwIdx = cu.interDir == 3 ? cu.bcwIdx : 0;
    out.hpelIfIdx = cu.amvr == kAmvrHalf ? 1 : 0;  // (7.4.12.5: AmvrShift 3)
    for (int l = 0; l < 2; ++l) {
      if (!out.predFlag(l)) continue;
      Mv mvp[2];
      inter::buildAmvpList(pe, cu.x, cu.y, cu.w, cu.h, l, cu.refIdx[l], mvp, amvrShiftOf(cu.amvr));
      const Mv& p = mvp[cu.mvpIdx[l] & 1];
      out.refIdx[l] = cu.refIdx[l];
      out.mv[l] = Mv(inter::wrapMv18(p.x + cu.mvd[l].x), inter::wrapMv18(p.y + cu.mvd[l].y));
    }
  }
  for (int l = 0; l < 2; ++l)
    if (!out.predFlag(l)) { out.refIdx[l] = -1; out.mv[l] = Mv(); }
  return true;
}

// The GPM part of merge_data (7.3.11.7) after regular_merge_flag 0 and ciip_flag 0: merge_gpm_partition_idx (6
// bypass bins), merge_gpm_idx0 (TR cMax MaxNumGpmMergeCand - 1) and merge_gpm_idx1 (TR cMax MaxNumGpmMergeCand - 2,
// when that is > 0), each with its first bin in merge_idx's context (as VTM-23.2), the rest bypass.
// Truncated unary with cMax (9.3.3.3 with cRiceParam 0), the first bin in context `first`, the others bypass
// (merge_idx, merge_gpm_idx0/1, merge_subblock_idx, mmvd_distance_idx, bcw_idx). Nothing is coded when cMax <= 0.
template <class IO, class Ctx>
int codeTruncUnary(IO& io, Ctx& first, int value, int cMax) {
  if (cMax <= 0 || !io.bin(first, value > 0 ? 1u : 0u)) return 0;
  int v = 1;
  while (v < cMax && io.bypass(v < value ? 1u : 0u)) ++v;
  return v;
}

template <class IO>
bool codeGpmData(IO& io, ContextSet& ctx, const SliceParams& sl, CodingUnit& cu) {
  const int nG = sl.maxNumGpmMergeCand;
  if (nG < 2 || nG > sl.maxNumMergeCand) return false;
  if (!IO::kReading && (cu.gpmSplit >= inter::kGpmNumPartitions || cu.gpmIdx[0] >= nG || cu.gpmIdx[1] >= nG ||
                        cu.gpmIdx[0] == cu.gpmIdx[1]))
    return false;
  const unsigned split = io.bypassBits(cu.gpmSplit, 6);
  const int m = codeTruncUnary(io, ctx[kCtxMergeIdx], cu.gpmIdx[0], nG - 1);
  const int n1 = codeTruncUnary(io, ctx[kCtxMergeIdx], cu.gpmIdx[1] - (cu.gpmIdx[1] > cu.gpmIdx[0] ? 1 : 0), nG - 2);
  cu.gpmSplit = uint8_t(split);
  cu.gpmIdx[0] = uint8_t(m);
  cu.gpmIdx[1] = uint8_t(inter::gpmSecondIndex(m, n1));
  cu.mergeIdx = 0;
  cu.mmvdCand = cu.mmvdDist = cu.mmvdDir = 0;
  return true;
}

// ctxInc of merge_subblock_flag and inter_affine_flag: the left and above CUs that are affine (Table 132)
int affineNeighbours(const SyntaxEnv& env, const CodingUnit& cu) {
  const CuInfo* L = env.cuMap->at(cu.x - 1, cu.y);
  const CuInfo* A = env.cuMap->at(cu.x, cu.y - 1);
  return (L && L->affine) + (A && A->affine);
}

// Prediction data of an inter CU after cu_skip_flag / pred_mode_flag: general_merge_flag,
// merge_data (regular merge only: merge_idx), or inter_pred_idc, ref_idx_lX, mvd_coding and
// mvp_lX_flag (7.3.11.5, 7.3.11.7).
template <class IO>
bool codeInterPrediction(IO& io, SyntaxEnv& env, CodingUnit& cu) {
  ContextSet& ctx = *env.ctx;
  const SliceParams& sl = *env.slice;
  const unsigned merge = cu.skip ? 1u : io.bin(ctx[kCtxMergeFlag], cu.merge ? 1u : 0u);
  cu.merge = merge != 0;
  if (!IO::kReading && cu.sbTmvp() && !(cu.merge && cu.affine)) return false;  // SbTMVP: a subblock merge candidate
  if (!cu.merge) { cu.mmvd = false; cu.ciip = false; cu.gpm = false; if (IO::kReading) cu.affine = false; }
  if (IO::kReading) cu.sbTmvpMotion = SbTmvpMotion{};  // set with the candidate (codeInterCu)
  if (cu.merge) {
    // merge_subblock_flag (merge CUs of 8x8 and more where MaxNumSubblockMergeCand > 0), then merge_subblock_idx
    // (TR cMax MaxNumSubblockMergeCand - 1, first bin context coded) instead of the rest of merge_data
    const bool subblockPossible = sl.maxNumSubblockMergeCand > 0 && cu.w >= 8 && cu.h >= 8;
    if (!IO::kReading && cu.affine && !subblockPossible) return false;
    unsigned subblock = 0;
    if (subblockPossible) {
      subblock = io.bin(ctx[kCtxSubblockMerge + affineNeighbours(env, cu)], cu.affine ? 1u : 0u);
    }
    cu.affine = subblock != 0;
    if (cu.affine) {
      const int cMaxSb = std::min(sl.maxNumSubblockMergeCand, inter::kMaxSubblockMergeCand) - 1;
      if (!IO::kReading && (cu.mergeIdx > cMaxSb || cu.mmvd || cu.ciip || cu.gpm || cu.smvd)) return false;
      cu.mergeIdx = uint8_t(codeTruncUnary(io, ctx[kCtxSubblockMergeIdx], cu.mergeIdx, cMaxSb));
      cu.mmvd = cu.ciip = cu.gpm = cu.smvd = false;
      cu.mmvdCand = cu.mmvdDist = cu.mmvdDir = 0;
      cu.interDir = 0;
      cu.refIdx[0] = cu.refIdx[1] = -1;
      cu.mvpIdx[0] = cu.mvpIdx[1] = 0;
      cu.mvd[0] = cu.mvd[1] = Mv();
      cu.amvr = 0;
      cu.bcwIdx = 0;  // (BcwIdx comes with the candidate: motion.bcwIdx)
      return true;
    }
    // the rest of merge_data (merge_subblock_flag 0): regular_merge_flag where CIIP (SPS flag, not skip, 64+
    // samples, both sides below 128) or GPM (SPS flag, B slice, both sides 8..64, ratio below 8) is possible,
    // inferred 1 otherwise. 0: ciip_flag where both are possible (else inferred: 1 where only CIIP is), then CIIP with a
    // merge_idx or GPM (codeGpmData). Regular: mmvd_merge_flag when the SPS enables MMVD, then
    // either mmvd_cand_flag, mmvd_distance_idx (TR cMax 7, first bin context coded) and
    // mmvd_direction_idx (2 bypass bins), or merge_idx (TR cMax MaxNumMergeCand - 1, first bin context coded).
    if (sl.maxNumMergeCand < 1 || sl.maxNumMergeCand > inter::kMaxMergeCand) return false;
    const int cMax = sl.maxNumMergeCand - 1;
    const bool ciipPossible = sl.ciip && !cu.skip && cu.w < 128 && cu.h < 128 && cu.w * cu.h >= 64;
    const bool gpmPossible = sl.gpm && sl.sliceType == SliceType::kB && sl.maxNumGpmMergeCand >= 2 &&
                             inter::gpmSizeAllowed(cu.w, cu.h);
    if (!IO::kReading && cu.ciip && (!ciipPossible || cu.mmvd || cu.gpm)) return false;
    if (!IO::kReading && cu.gpm && (!gpmPossible || cu.mmvd)) return false;
    const unsigned regular = (ciipPossible || gpmPossible)
                                 ? io.bin(ctx[kCtxRegularMerge + (cu.skip ? 0 : 1)], (cu.ciip || cu.gpm) ? 0u : 1u)
                                 : 1u;
    unsigned ciip = 0;
    if (!regular) {
      if (ciipPossible && gpmPossible) ciip = io.bin(ctx[kCtxCiipFlag], cu.ciip ? 1u : 0u);
      else ciip = ciipPossible ? 1u : 0u;
    }
    cu.ciip = !regular && ciip;
    cu.gpm = !regular && !ciip;
    if (cu.gpm && !codeGpmData(io, ctx, sl, cu)) return false;
    if (!IO::kReading && cu.mmvd && !sl.mmvd) return false;
    const unsigned mmvd = (regular && sl.mmvd) ? io.bin(ctx[kCtxMmvdFlag], cu.mmvd ? 1u : 0u) : 0u;
    cu.mmvd = mmvd != 0;
    if (cu.mmvd) {
      if (!IO::kReading && (cu.mmvdCand > (cMax > 0 ? 1 : 0) || cu.mmvdDist > 7 || cu.mmvdDir > 3)) return false;
      const unsigned cand = cMax > 0 ? io.bin(ctx[kCtxMmvdCand], cu.mmvdCand) : 0u;
      const int dist = codeTruncUnary(io, ctx[kCtxMmvdDist], cu.mmvdDist, 7);
      const unsigned d0 = io.bypass((cu.mmvdDir >> 1) & 1u);
      const unsigned d1 = io.bypass(cu.mmvdDir & 1u);
      cu.mmvdCand = uint8_t(cand);
      cu.mmvdDist = uint8_t(dist);
      cu.mmvdDir = uint8_t((d0 << 1) | d1);
      cu.mergeIdx = cu.mmvdCand;  // merge_idx is inferred equal to mmvd_cand_flag
    } else if (!cu.gpm) {
      if (!IO::kReading && cu.mergeIdx > cMax) return false;
      cu.mergeIdx = uint8_t(codeTruncUnary(io, ctx[kCtxMergeIdx], cu.mergeIdx, cMax));
      cu.mmvdCand = cu.mmvdDist = cu.mmvdDir = 0;
    }
    cu.interDir = 0;
    cu.refIdx[0] = cu.refIdx[1] = -1;
    cu.mvpIdx[0] = cu.mvpIdx[1] = 0;
    cu.mvd[0] = cu.mvd[1] = Mv();
    cu.amvr = 0;
    cu.bcwIdx = 0;
    if (!IO::kReading && cu.smvd) return false;
    cu.smvd = false;
    return true;
  }
  // inter_pred_idc (9.3.3.7 binarisation; 8x4 / 4x8 CUs cannot be bi-predicted)
  const bool smallCu = cu.w + cu.h == 12;
  if (sl.sliceType == SliceType::kB) {
    if (!IO::kReading && (cu.interDir < 1 || cu.interDir > (smallCu ? 2 : 3))) return false;
    unsigned dir = 0;
    if (!smallCu) {
      const int inc = 7 - ((1 + log2Int(unsigned(cu.w)) + log2Int(unsigned(cu.h))) >> 1);
      if (io.bin(ctx[kCtxInterDir + inc], cu.interDir == 3 ? 1u : 0u)) dir = 3;
    }
    if (!dir) dir = io.bin(ctx[kCtxInterDir + 5], cu.interDir == 2 ? 1u : 0u) ? 2 : 1;
    cu.interDir = uint8_t(dir);
  } else {
    if (!IO::kReading && cu.interDir != 1) return false;
    cu.interDir = 1;
  }
  // inter_affine_flag (SPS affine, 16x16 and more), cu_affine_type_flag (SPS 6-parameter affine)
  const bool affinePossible = sl.affine && cu.w >= 16 && cu.h >= 16;
  if (!IO::kReading && cu.affine && (!affinePossible || (cu.aff.sixParam && !sl.affineSixParam))) return false;
  unsigned affine = 0;
  if (affinePossible) {
    affine = io.bin(ctx[kCtxAffineFlag + affineNeighbours(env, cu)], cu.affine ? 1u : 0u);
  }
  cu.affine = affine != 0;
  if (cu.affine) cu.aff.sixParam = sl.affineSixParam && io.bin(ctx[kCtxAffineType], cu.aff.sixParam ? 1u : 0u);
  // sym_mvd_flag: bi CUs where the slice has a symmetric reference pair
  int symRef[2] = {-1, -1};
  const bool symPossible = sl.smvd && cu.interDir == 3 && !cu.affine && inter::symmetricRefIdx(sl, symRef);
  if (!IO::kReading && cu.smvd && !symPossible) return false;
  cu.smvd = symPossible && io.bin(ctx[kCtxSymMvd], cu.smvd ? 1u : 0u);
  // the MVDs are coded in units of the AMVR precision, which is coded after them
  if (!IO::kReading && (cu.amvr >= kAmvrNumPrecisions || (cu.amvr && !sl.amvr))) return false;
  const int shift = IO::kReading ? 0 : amvrShiftOf(cu.amvr);
  int32_t coded[2][2] = {{0, 0}, {0, 0}};
  for (int l = 0; l < 2; ++l) {
    if (!((cu.interDir >> l) & 1)) {
      cu.refIdx[l] = -1; cu.mvpIdx[l] = 0; cu.mvd[l] = Mv();
      continue;
    }
    if (cu.smvd) {  // reference indices RefIdxSymLX, list 1's MVD the negated list 0 one; mvp flags coded
      if (!IO::kReading && cu.refIdx[l] != symRef[l]) return false;
      cu.refIdx[l] = int8_t(symRef[l]);
      if (l == 0) {
        int32_t* q = coded[0];
        if (!IO::kReading) {
          const Mv& d = cu.mvd[0];
          const int32_t mask = (1 << shift) - 1;
          if ((d.x & mask) || (d.y & mask) || cu.mvd[1].x != -d.x || cu.mvd[1].y != -d.y) return false;
          q[0] = d.x / (1 << shift); q[1] = d.y / (1 << shift);
        }
        if (!codeMvd(io, ctx, q)) return false;
        // -MvdL0 must be a legal MVD too (7.4.11.8)
        if (q[0] <= kMvdMin || q[0] > kMvdMax || q[1] <= kMvdMin || q[1] > kMvdMax) return false;
      } else {
        coded[1][0] = -coded[0][0];
        coded[1][1] = -coded[0][1];
      }
      if (!IO::kReading && cu.mvpIdx[l] > 1) return false;
      cu.mvpIdx[l] = uint8_t(io.bin(ctx[kCtxMvpIdx], cu.mvpIdx[l]));
      continue;
    }
    // ref_idx_lX: TR with cMax NumRefIdxActive - 1, bins 0 and 1 context coded, then bypass
    const int numRef = sl.refs ? sl.refs->num[l] : 0;
    if (numRef < 1 || numRef > RefPicLists::kMaxRefs) return false;
    if (!IO::kReading && (cu.refIdx[l] < 0 || cu.refIdx[l] >= numRef)) return false;
    int ref = 0;
    while (ref < numRef - 1) {
      const unsigned more = ref < cu.refIdx[l] ? 1u : 0u;
      if (!(ref < 2 ? io.bin(ctx[kCtxRefIdx + ref], more) : io.bypass(more))) break;
      ++ref;
    }
    cu.refIdx[l] = int8_t(ref);
    if (cu.affine) {  // one mvd_coding per control point, quarter-sample units (no affine AMVR)
      for (int i = 0; i < 3; ++i) {
        if (i >= cu.aff.numCp()) { cu.affMvd[l][i] = Mv(); continue; }
        int32_t qa[2] = {0, 0};
        if (!IO::kReading) {
          const Mv& d = cu.affMvd[l][i];
          if ((d.x & 3) || (d.y & 3)) return false;
          qa[0] = d.x / 4; qa[1] = d.y / 4;
          if (qa[0] < kMvdMin || qa[0] > kMvdMax || qa[1] < kMvdMin || qa[1] > kMvdMax) return false;
        }
        if (!codeMvd(io, ctx, qa)) return false;
        if (IO::kReading) cu.affMvd[l][i] = Mv(qa[0] * 4, qa[1] * 4);
      }
      if (!IO::kReading && cu.mvpIdx[l] > 1) return false;
      cu.mvpIdx[l] = uint8_t(io.bin(ctx[kCtxMvpIdx], cu.mvpIdx[l]));
      continue;
    }
    // mvd_coding (ph_mvd_l1_zero_flag = 0: the L1 MVD is always coded), MvdLX = lMvd << AmvrShift
    int32_t* q = coded[l];
    if (!IO::kReading) {
      const Mv& d = cu.mvd[l];
      const int32_t mask = (1 << shift) - 1;
      if ((d.x & mask) || (d.y & mask)) return false;
      q[0] = d.x / (1 << shift); q[1] = d.y / (1 << shift);
      if (q[0] < kMvdMin || q[0] > kMvdMax || q[1] < kMvdMin || q[1] > kMvdMax) return false;
    }
    if (!codeMvd(io, ctx, q)) return false;
    if (!IO::kReading && cu.mvpIdx[l] > 1) return false;
    cu.mvpIdx[l] = uint8_t(io.bin(ctx[kCtxMvpIdx], cu.mvpIdx[l]));
  }
  // amvr_flag, amvr_precision_idx (7.3.11.5): only when some MVD is not zero; AmvrShift 2 otherwise
  const bool anyMvd = coded[0][0] || coded[0][1] || coded[1][0] || coded[1][1];  // (0 in affine CUs: no affine AMVR)
  if (!IO::kReading && cu.amvr && !anyMvd) return false;
  unsigned amvr = 0;
  if (sl.amvr && anyMvd && io.bin(ctx[kCtxAmvrFlag], cu.amvr ? 1u : 0u)) {
    // amvr_precision_idx, TR cMax 2: 0 half sample, 1 one sample, 2 four samples
    if (!io.bin(ctx[kCtxAmvrPrec], cu.amvr == kAmvrHalf ? 0u : 1u))
      amvr = kAmvrHalf;
    else
      amvr = io.bin(ctx[kCtxAmvrPrec + 1], cu.amvr == kAmvrFour ? 1u : 0u) ? kAmvrFour : kAmvrInteger;
  }
  cu.amvr = uint8_t(amvr);
  // bcw_idx (7.3.11.5): bi CUs of 256 or more samples where the slice has BCW (no explicit weighted
  // prediction here); TR with cMax bcwMaxIdx (9.3.3), the first bin context coded, the others bypass
  const int bcwMax = cu.interDir == 3 && cu.w * cu.h >= 256 ? inter::bcwMaxIdx(sl) : 0;
  if (!IO::kReading && cu.bcwIdx > bcwMax) return false;
  cu.bcwIdx = uint8_t(codeTruncUnary(io, ctx[kCtxBcwIdx], cu.bcwIdx, bcwMax));
  if (IO::kReading)
    for (int l = 0; l < 2; ++l)
      if ((cu.interDir >> l) & 1) cu.mvd[l] = Mv(coded[l][0] * (1 << amvrShiftOf(cu.amvr)), coded[l][1] * (1 << amvrShiftOf(cu.amvr)));
  return true;
}
}  // namespace

// ------------------------------------------------------------------ coding unit (7.3.11.5)
template <class IO>
bool codeCodingUnit(IO& io, SyntaxEnv& env, CodingUnit& cu, CtuCoding& owner, ModeType modeType) {
  ContextSet& ctx = *env.ctx;
  const bool hasLuma = cu.treeType != TreeType::kDualChroma;
  const bool hasChroma = cu.treeType != TreeType::kDualLuma;
  const bool is4x4 = cu.w == 4 && cu.h == 4;
  if (cu.treeType != TreeType::kSingle) modeType = ModeType::kIntra;  // local dual tree

  // cu_skip_flag, pred_mode_flag (no IBC, no palette) and their inference (7.4.12.2)
  if (IO::kReading) {
    cu.predMode = PredMode::kIntra; cu.skip = false; cu.merge = false; cu.mmvd = false; cu.ciip = false; cu.smvd = false;
    cu.affine = false;
    cu.sbTmvpMotion = SbTmvpMotion{};
    cu.gpm = false;
  }
  if (!env.isIntraSlice && hasLuma) {
    if (!env.slice) return false;
    if (!IO::kReading && cu.skip && !cu.isInter()) return false;
    unsigned skip = 0;
    if (!is4x4 && modeType != ModeType::kIntra) {
      const CuInfo* L = env.cuMap->at(cu.x - 1, cu.y);
      const CuInfo* A = env.cuMap->at(cu.x, cu.y - 1);
      const int inc = (L && L->skip) + (A && A->skip);
      skip = io.bin(ctx[kCtxSkipFlag + inc], cu.skip ? 1u : 0u);
    } else if (!IO::kReading && cu.skip) {
      return false;
    }
    cu.skip = skip != 0;
    PredMode mode;
    if (!skip && !is4x4 && modeType == ModeType::kAll) {
      const CuInfo* L = env.cuMap->at(cu.x - 1, cu.y);
      const CuInfo* A = env.cuMap->at(cu.x, cu.y - 1);
      const int inc = ((L && L->intra) || (A && A->intra)) ? 1 : 0;
      mode = io.bin(ctx[kCtxPredMode + inc], cu.isInter() ? 0u : 1u) ? PredMode::kIntra : PredMode::kInter;
    } else {
      mode = (skip || (!is4x4 && modeType == ModeType::kInter)) ? PredMode::kInter : PredMode::kIntra;
      if (!IO::kReading && cu.predMode != mode) return false;
    }
    cu.predMode = mode;
  } else if (!IO::kReading && (cu.isInter() || cu.skip)) {
    return false;  // I slice or chroma CU of a local dual tree: intra only
  }

  if (cu.isInter()) {
    // Only single-tree CUs reach here (dual-tree CUs are MODE_TYPE_INTRA).
    // no LFNST for inter CUs; mts_idx (explicit inter MTS) follows the transform tree
    if (!IO::kReading && cu.lfnstIdx) return false;
    if (IO::kReading) cu.mtsIdx = 0;
    cu.lfnstIdx = 0;
    if (!codeInterPrediction(io, env, cu)) return false;
    MotionInfo mi = cu.motion, miB = cu.motionB;
    if (!kEstimating<IO>) {  // the rate estimate skips the (costly) list derivation
      if (!env.motion || !env.hmvp) return false;
      const MotionInfo given = cu.motion;
      if (cu.affine && cu.merge) {
        // subblock merge: the candidate's control-point motion (8.5.5.2)
        const inter::MvPredEnv pe{env.motion, env.hmvp, env.slice, env.part->log2CtuSize};
        AffineMotion list[inter::kMaxSubblockMergeCand];
        SbTmvpMotion sb;
        const int n = inter::buildSubblockMergeList(pe, cu.x, cu.y, cu.w, cu.h, list, &sb);
        if (cu.mergeIdx >= n) return false;
        const bool isSbTmvp = sb.available && cu.mergeIdx == 0;
        if (IO::kReading) {
          cu.sbTmvpMotion = isSbTmvp ? sb : SbTmvpMotion{};
          cu.aff = isSbTmvp ? AffineMotion{} : list[cu.mergeIdx];
        } else if (cu.sbTmvp() != isSbTmvp || (isSbTmvp && cu.sbTmvpMotion != sb) ||
                   (!isSbTmvp && (cu.aff != list[cu.mergeIdx] || cu.aff.bcwIdx != list[cu.mergeIdx].bcwIdx))) {
          return false;
        }
        // an SbTMVP CU's CU-level motion is its centre's (BcwIdx 0)
        mi = isSbTmvp ? sb.ctr : inter::affineCuMotion(cu.aff);
      } else if (cu.affine) {
        // affine AMVP: predictor + MVD per control point (cp 1 and 2 add cp 0's MVD), wrapped to 18 bits
        const inter::MvPredEnv pe{env.motion, env.hmvp, env.slice, env.part->log2CtuSize};
        AffineMotion am;
        am.sixParam = cu.aff.sixParam;
        am.interDir = cu.interDir;
        am.bcwIdx = cu.interDir == 3 ? cu.bcwIdx : 0;
        for (int l = 0; l < 2; ++l) {
          if (!am.predFlag(l)) continue;
          am.refIdx[l] = cu.refIdx[l];
          Mv mvp[2][3];
          inter::buildAffineAmvpList(pe, cu.x, cu.y, cu.w, cu.h, l, cu.refIdx[l], am.sixParam, mvp);
          for (int i = 0; i < am.numCp(); ++i) {
            const Mv& p = mvp[cu.mvpIdx[l] & 1][i];
            const Mv d0 = i ? cu.affMvd[l][0] : Mv();
            am.cp[l][i] = Mv(inter::wrapMv18(p.x + cu.affMvd[l][i].x + d0.x), inter::wrapMv18(p.y + cu.affMvd[l][i].y + d0.y));
          }
        }
        if (IO::kReading) cu.aff = am;
        else if (cu.aff != am || cu.aff.bcwIdx != am.bcwIdx) return false;
        mi = inter::affineCuMotion(cu.aff);
      } else if (!deriveInterMotion(env, cu, mi, &miB)) {
        return false;
      }
      if (IO::kReading) { cu.motion = mi; cu.motionB = cu.gpm ? miB : MotionInfo{}; }
      else if (mi != given || mi.bcwIdx != given.bcwIdx || mi.hpelIfIdx != given.hpelIfIdx ||
               (cu.gpm && miB != cu.motionB))
        return false;  // encoder search and syntax disagree
    }
    // the writer stores the derived motion (unused lists normalised), exactly what the reader stores; GPM CUs
    // store the per-4x4 motion of 8.5.7.3 and leave the HMVP table alone (8.5.2.16 runs for other CUs only)
    env.cuMap->storeSyntax(cu);
    if (cu.gpm) {
      if (env.motion) inter::storeGpmMotion(*env.motion, cu.x, cu.y, cu.w, cu.h, cu.gpmSplit, mi, miB);
    } else {
      // affine CUs store their subblock motion and control points, and do not enter the HMVP table (8.5.5.1;
      // VTM-23.2 likewise)
      if (env.motion) inter::storeCuMotion(*env.motion, cu, mi, *env.slice, env.part->log2CtuSize);
      if (env.hmvp && !cu.affine) inter::updateHmvp(*env.hmvp, mi);
    }
    // cu_coded_flag: coded unless merge (inferred 0 for skip, 1 for merge)
    unsigned rootCbf;
    if (cu.merge) rootCbf = cu.skip ? 0u : 1u;
    else rootCbf = io.bin(ctx[kCtxRootCbf], cu.rootCbf ? 1u : 0u);
    cu.rootCbf = rootCbf != 0;
    if (!rootCbf) {
      if (!IO::kReading && (cu.sbt || cu.mtsIdx)) return false;
      for (int t = 0; t < cu.numTus; ++t)
        for (int c = 0; c < 3; ++c) {
          TransformUnit& tu = cu.tus[t];
          if (IO::kReading) { tu.cbf[c] = 0; tu.coeffOffset[c] = -1; }
          else if (tu.cbf[c]) return false;
        }
      return true;
    }
    if (!codeSbtMode(io, env, cu)) return false;
    ResidualMtsFlags mf;
    if (!codeTransformUnits(io, env, cu, owner, true, true, true, &mf)) return false;
    return codeMtsIdx(io, ctx, env.slice, cu, mf);
  }

  // intra_mip_flag (7.3.11.5): ctxInc the left and above CUs with MIP, 3 for blocks more than 2:1 (Table 132); then
  // intra_mip_transposed_flag (bypass) and intra_mip_mode (truncated binary, cMax numModes - 1). No MRL / MPMs follow.
  if (hasLuma && env.slice && env.slice->mip) {
    cu.mip = io.bin(ctx[kCtxMipFlag + mipFlagCtxInc(*env.cuMap, cu)], cu.mip ? 1u : 0u) != 0;
  } else if (IO::kReading) {
    cu.mip = false;
  } else if (cu.mip) {
    return false;
  }
  if (hasLuma && cu.mip) {
    const int n = dsp::mipNumModes(cu.w, cu.h);
    if (!IO::kReading && (cu.mipMode >= n || cu.lumaMode != 0 || cu.mrlIdx)) return false;
    cu.mipTransposed = io.bypass(cu.mipTransposed ? 1u : 0u) != 0;
    int k;
    unsigned u;
    mipModeCode(n, k, u);
    unsigned v = cu.mipMode;
    if (IO::kReading) {
      v = io.bypassBits(0, k);
      if (v >= u) v = ((v << 1) | io.bypass(0)) - u;
      if (v >= unsigned(n)) return false;
    } else if (v < u) {
      io.bypassBits(v, k);
    } else {
      io.bypassBits(v + u, k + 1);
    }
    cu.mipMode = uint8_t(v);
    cu.lumaMode = 0;
    cu.mrlIdx = 0;
  }
  if (hasLuma && !cu.mip) {
    int mpm[5];
    deriveMpmList(*env.cuMap, cu.x, cu.y, cu.w, cu.h, env.part->log2CtuSize, mpm);
    int mpmIdx = -1;
    if (!IO::kReading) {
      if (cu.lumaMode > 66) return false;
      for (int i = 0; i < 5; ++i) if (mpm[i] == cu.lumaMode) mpmIdx = i;
    }
    // intra_luma_ref_idx (MRL): TR cMax 2, bins with ctxInc 0 and 1, below the CTU's first sample row only. A
    // reference line above 0 infers intra_luma_mpm_flag and intra_luma_not_planar_flag to 1.
    const bool mrlCoded = env.slice && env.slice->mrl && (cu.y & ((1 << env.part->log2CtuSize) - 1)) != 0;
    if (!IO::kReading && cu.mrlIdx && (!mrlCoded || cu.mrlIdx > 2 || mpmIdx < 0)) return false;
    unsigned mrlIdx = 0;
    if (mrlCoded) {
      mrlIdx = io.bin(ctx[kCtxMrlIdx], cu.mrlIdx > 0 ? 1u : 0u);
      if (mrlIdx) mrlIdx += io.bin(ctx[kCtxMrlIdx + 1], cu.mrlIdx > 1 ? 1u : 0u);
    }
    cu.mrlIdx = uint8_t(mrlIdx);
    // intra_subpartitions_mode_flag, intra_subpartitions_split_flag (0 horizontal, 1 vertical): reference line 0,
    // CUs of at most the max TB size and more than 16 samples; the sub-partitions become the CU's TUs
    if (env.slice && env.slice->isp && mrlIdx == 0 && ispAllowed(cu.w, cu.h, env.part->log2MaxTb)) {
      if (!IO::kReading && cu.isp > 2) return false;
      unsigned v = io.bin(ctx[kCtxIspMode], cu.isp ? 1u : 0u);
      if (v) v += io.bin(ctx[kCtxIspMode + 1], cu.ispVer() ? 1u : 0u);
      if (IO::kReading) {
        cu.isp = uint8_t(v);
        if (cu.isp) ispTransformUnits(cu);
      } else {
        CodingUnit tiles = cu;
        ispTransformUnits(tiles);
        if (cu.isp && !sameTuLayout(cu, tiles)) return false;
      }
    } else {
      if (!IO::kReading && cu.isp) return false;
      cu.isp = 0;
    }
    const unsigned mpmFlag = mrlIdx ? 1u : io.bin(ctx[kCtxMpmFlag], (cu.lumaMode == 0 || mpmIdx >= 0) ? 1u : 0u);
    if (mpmFlag) {
      // ctxInc: 0 in ISP CUs, 1 otherwise
      const unsigned notPlanar = mrlIdx ? 1u : io.bin(ctx[kCtxNotPlanar + (cu.isp ? 0 : 1)], cu.lumaMode != 0 ? 1u : 0u);
      if (notPlanar) {
        int idx = 0;
        while (idx < 4) { if (!io.bypass(idx < mpmIdx ? 1u : 0u)) break; ++idx; }
        cu.lumaMode = uint8_t(mpm[idx]);
      } else {
        cu.lumaMode = 0;
      }
    } else {
      int sorted[5];
      std::memcpy(sorted, mpm, sizeof(sorted));
      std::sort(sorted, sorted + 5);
      unsigned rem = 0;
      if (!IO::kReading) {
        int below = 0;
        for (int i = 0; i < 5; ++i) below += sorted[i] < cu.lumaMode;
        rem = unsigned(cu.lumaMode - 1 - below);
      }
      // truncated binary, cMax 60 (61 symbols): k = 5, u = 3
      if (IO::kReading) {
        unsigned v = io.bypassBits(0, 5);
        if (v >= 3) v = ((v << 1) | io.bypass(0)) - 3;
        rem = v;
        if (rem > 60) return false;
        int mode = int(rem) + 1;
        for (int i = 0; i < 5; ++i) if (mode >= sorted[i]) ++mode;
        cu.lumaMode = uint8_t(mode);
      } else {
        if (rem < 3) io.bypassBits(rem, 5);
        else io.bypassBits(rem + 3, 6);
      }
    }
  }
  if (hasChroma) {
    // cclm_mode_flag / cclm_mode_idx (TR, cMax 2: first bin context-coded) come first when CCLM is
    // enabled; intra_chroma_pred_mode only without CCLM
    const bool cclmEnabled = env.slice && env.slice->cclm && cu.cclmAllowed;
    if (!IO::kReading && (cu.chromaModeIdx > kChromaCclm + 2 || (!cclmEnabled && cu.chromaModeIdx >= kChromaCclm)))
      return false;
    unsigned cclm = 0;
    if (cclmEnabled) cclm = io.bin(ctx[kCtxCclmFlag], cu.chromaModeIdx >= kChromaCclm ? 1u : 0u);
    if (cclm) {
      const unsigned idx = cu.chromaModeIdx >= kChromaCclm ? unsigned(cu.chromaModeIdx - kChromaCclm) : 0u;
      unsigned v = io.bin(ctx[kCtxCclmIdx], idx > 0 ? 1u : 0u);
      if (v) v += io.bypass(idx > 1 ? 1u : 0u);
      cu.chromaModeIdx = uint8_t(kChromaCclm + v);
    } else if (io.bin(ctx[kCtxChromaMode], cu.chromaModeIdx != kChromaDm ? 1u : 0u)) {
      if (!IO::kReading && cu.chromaModeIdx > 3) return false;
      cu.chromaModeIdx = uint8_t(io.bypassBits(cu.chromaModeIdx, 2));
    } else {
      cu.chromaModeIdx = kChromaDm;
    }
    int lumaForDm = cu.lumaMode;
    if (cu.treeType == TreeType::kDualChroma) {
      const CuInfo* c = env.cuMap->at(cu.x + cu.w / 2, cu.y + cu.h / 2);
      lumaForDm = c ? c->lumaMode : 0;
    }
    cu.chromaMode = uint8_t(deriveChromaMode(cu.chromaModeIdx, lumaForDm));
  }
  env.cuMap->storeSyntax(cu);  // chroma-tree CUs too: the split contexts of later chroma-tree nodes
  if (hasLuma && env.motion) env.motion->set(cu.x, cu.y, cu.w, cu.h, MotionInfo{});
  ResidualMtsFlags mf;
  if (!codeTransformUnits(io, env, cu, owner, hasLuma, hasChroma, false, &mf)) return false;
  // lfnst_idx (after the transform tree): TR cMax 2, bin 0 in context 0 (single tree) or 1 (dual / local dual
  // tree), bin 1 in context 2
  if (lfnstIdxCoded(env.slice, cu, env.part->log2MaxTb, mf)) {
    if (!IO::kReading && cu.lfnstIdx > 2) return false;
    unsigned v = io.bin(ctx[kCtxLfnstIdx + (cu.treeType != TreeType::kSingle ? 1 : 0)], cu.lfnstIdx > 0 ? 1u : 0u);
    if (v) v += io.bin(ctx[kCtxLfnstIdx + 2], cu.lfnstIdx > 1 ? 1u : 0u);
    cu.lfnstIdx = uint8_t(v);
  } else {
    if (!IO::kReading && cu.lfnstIdx) return false;
    cu.lfnstIdx = 0;
  }
  if (hasLuma) return codeMtsIdx(io, ctx, env.slice, cu, mf);
  if (!IO::kReading && cu.mtsIdx) return false;
  cu.mtsIdx = 0;
  return true;
}

// ------------------------------------------------------------------ coding tree
namespace {
template <class IO>
struct TreeCoder {
  IO& io;
  SyntaxEnv& env;
  CtuCoding& ctu;
  size_t splitIdx = 0, cuIdx = 0;

  bool leaf(const TreeNode& n, TreeType tt) {
    CodingUnit tmp;
    tmp.x = int16_t(n.x); tmp.y = int16_t(n.y); tmp.w = int16_t(n.w); tmp.h = int16_t(n.h);
    tmp.treeType = tt; tmp.qtDepth = uint8_t(n.qtDepth); tmp.mttDepth = uint8_t(n.mttDepth);
    tmp.cclmAllowed = n.cclmChroma != 0;
    tileTransformUnits(*env.part, tmp);
    if (IO::kReading) {
      ctu.cus.push_back(tmp);
      CodingUnit& cu = ctu.cus.back();
      cu.qp = 0;
      if (!codeCodingUnit(io, env, cu, ctu, n.modeType)) return false;
    } else {
      if (cuIdx >= ctu.cus.size()) return false;
      CodingUnit& cu = ctu.cus[cuIdx];
      if (cu.x != tmp.x || cu.y != tmp.y || cu.w != tmp.w || cu.h != tmp.h || cu.treeType != tt ||
          (!cu.sbt && !cu.isp && !sameTuLayout(cu, tmp)))  // (SBT's and ISP's TUs: checked with their syntax)
        return false;
      cu.qtDepth = tmp.qtDepth; cu.mttDepth = tmp.mttDepth;
      if (!cu.cclmAllowed && tmp.cclmAllowed) return false;  // the search decided under a stricter rule
      cu.cclmAllowed = tmp.cclmAllowed;
      if (!codeCodingUnit(io, env, cu, ctu, n.modeType)) return false;
    }
    ++cuIdx;
    return true;
  }

  bool node(const TreeNode& n) {
    SplitMode split = SplitMode::kNone;
    if (!IO::kReading) {
      if (splitIdx >= ctu.splits.size()) return false;
      split = ctu.splits[splitIdx];
    }
    ++splitIdx;
    if (!codeSplit(io, env, n, split)) return false;
    if (IO::kReading) {
      if (ctu.splits.size() > 4096) return false;
      ctu.splits.push_back(split);
    }
    if (split == SplitMode::kNone) return leaf(n, n.treeType);
    TreeType childTree = n.treeType;
    ModeType childMode = n.modeType;
    const int mtc = (n.treeType == TreeType::kSingle) ? modeTypeCondition(n, split, env.isIntraSlice) : 0;
    bool intraOnly = mtc == 1;
    if (mtc == 2) {
      // non_inter_flag (P/B slices): 1 = local dual tree of intra CUs as for mtc 1, 0 = every CU
      // of the subtree is inter (MODE_TYPE_INTER). The writer reads it off the first CU below.
      const CuInfo* L = env.cuMap->at(n.x - 1, n.y);
      const CuInfo* A = env.cuMap->at(n.x, n.y - 1);
      const int inc = ((L && L->intra) || (A && A->intra)) ? 1 : 0;
      unsigned nonInter = 0;
      if (!IO::kReading) {
        if (cuIdx >= ctu.cus.size()) return false;
        nonInter = ctu.cus[cuIdx].treeType == TreeType::kDualLuma ? 1u : 0u;
      }
      intraOnly = io.bin(env.ctx->ctx[kCtxModeCons + inc], nonInter) != 0;
      if (!intraOnly) childMode = ModeType::kInter;
    }
    if (intraOnly) { childTree = TreeType::kDualLuma; childMode = ModeType::kIntra; }
    TreeNode kids[4];
    const int k = childNodes(*env.part, n, split, childTree, childMode, kids);
    propagateCclmChroma(n, split, kids, k);
    for (int i = 0; i < k; ++i)
      if (!node(kids[i])) return false;
    if (intraOnly) {
      TreeNode c = n;
      c.treeType = TreeType::kDualChroma;
      return leaf(c, TreeType::kDualChroma);
    }
    return true;
  }
};
}  // namespace

template <class IO>
bool codeCtu(IO& io, SyntaxEnv& env, CtuCoding& ctu) {
  if (IO::kReading) { ctu.splits.clear(); ctu.cus.clear(); ctu.coeffs.clear(); }
  // HMVP table reset at the first CTU of each CTU row (one tile per picture, 7.3.11.1)
  if (env.hmvp && ctu.ctuX == 0) env.hmvp->reset();
  TreeCoder<IO> tc{io, env, ctu};
  TreeNode root;
  root.x = ctu.ctuX; root.y = ctu.ctuY;
  root.w = root.h = 1 << env.part->log2CtuSize;
  if (env.isIntraSlice && env.part->dualTree) {
    // dual_tree_implicit_qt_split (7.3.11.3): 64x64 areas, each a luma then a chroma coding tree
    const bool ok = visitDualTreeAreas(*env.part, root, [&](const TreeNode& n) -> std::optional<SplitMode> {
      const size_t at = tc.splitIdx;
      if (!tc.node(n)) return std::nullopt;
      return ctu.splits[at];
    }, [&] { return tc.cuIdx > 0 && ctu.cus[tc.cuIdx - 1].isp != 0; });
    if (!ok) return false;
  } else if (!tc.node(root)) {
    return false;
  }
  if (!IO::kReading && (tc.splitIdx != ctu.splits.size() || tc.cuIdx != ctu.cus.size())) return false;
  return true;
}

#define NNVVC_INSTANTIATE(IO)                                                                 \
  template bool codeCtu<IO>(IO&, SyntaxEnv&, CtuCoding&);                                     \
  template bool codeSplit<IO>(IO&, SyntaxEnv&, const TreeNode&, SplitMode&);                  \
  template bool codeCodingUnit<IO>(IO&, SyntaxEnv&, CodingUnit&, CtuCoding&, ModeType);       \
  template bool codeResidual<IO>(IO&, ContextSet&, TCoeff*, int, int, int, bool, bool, ResidualMtsFlags*, bool); \
  template bool codeResidualTs<IO>(IO&, ContextSet&, TCoeff*, int, int);
NNVVC_INSTANTIATE(ArithEncoder)
NNVVC_INSTANTIATE(BitEstimator)
NNVVC_INSTANTIATE(ArithDecoder)

}  // namespace nnvvc
