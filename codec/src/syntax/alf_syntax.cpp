#include "syntax/alf_syntax.h"

#include <stdexcept>
#include <string>

#include "bitstream/bitstream.h"

namespace nnvvc {

namespace {
void requireArg(bool ok, const char* what) {
  if (!ok) throw std::invalid_argument(std::string("ALF APS: ") + what);
}
void require(bool ok, const char* what) {
  if (!ok) throw BitstreamError(std::string("ALF APS: ") + what);
}
int ceilLog2(int n) { int r = 0; while ((1 << r) < n) ++r; return r; }

// Initialisation values (9.3.2.2) per initType 0 (I), 1 (P), 2 (B) and shiftIdx.
const uint8_t kCtbFlagInit[3][9] = {{62, 39, 39, 54, 39, 39, 31, 39, 39},
                                    {13, 23, 46, 4, 61, 54, 19, 46, 54},
                                    {33, 52, 46, 25, 61, 54, 25, 61, 54}};
const uint8_t kCtbFlagShift[9] = {0, 0, 0, 4, 0, 0, 1, 0, 0};
const uint8_t kAltInit[3][2] = {{11, 11}, {20, 12}, {11, 26}};
// alf_ctb_cc_cb_idc (0..2) and alf_ctb_cc_cr_idc (3..5)
const uint8_t kCcIdcInit[3][6] = {{18, 30, 31, 18, 30, 31}, {18, 21, 38, 18, 21, 38}, {25, 35, 38, 25, 28, 38}};
const uint8_t kCcIdcShift[6] = {4, 1, 4, 4, 1, 4};
}  // namespace

std::vector<uint8_t> writeAlfAps(const AlfApsData& a) {
  requireArg(a.apsId >= 0 && a.apsId < kAlfMaxApsIds, "aps id");
  requireArg(a.lumaSignalled || (a.chromaPresent && (a.chromaSignalled || a.ccSignalled[0] || a.ccSignalled[1])),
             "no filter signalled");
  requireArg(a.chromaPresent || (!a.chromaSignalled && !a.ccSignalled[0] && !a.ccSignalled[1]),
             "chroma filter without aps_chroma_present_flag");
  BitWriter b;
  b.u(0, 3);                 // aps_params_type: ALF_APS
  b.u(uint32_t(a.apsId), 5);  // aps_adaptation_parameter_set_id
  b.flag(a.chromaPresent);   // aps_chroma_present_flag
  b.flag(a.lumaSignalled);   // alf_luma_filter_signal_flag
  if (a.chromaPresent) {
    b.flag(a.chromaSignalled);  // alf_chroma_filter_signal_flag
    b.flag(a.ccSignalled[0]);   // alf_cc_cb_filter_signal_flag
    b.flag(a.ccSignalled[1]);   // alf_cc_cr_filter_signal_flag
  }
  if (a.lumaSignalled) {
    requireArg(a.numLumaFilters >= 1 && a.numLumaFilters <= kAlfNumClasses, "number of luma filters");
    b.flag(a.lumaClip);                         // alf_luma_clip_flag
    b.ue(uint32_t(a.numLumaFilters - 1));       // alf_luma_num_filters_signalled_minus1
    if (a.numLumaFilters > 1) {
      const int len = ceilLog2(a.numLumaFilters);
      for (int c = 0; c < kAlfNumClasses; ++c) {
        requireArg(a.lumaDeltaIdx[c] < a.numLumaFilters, "alf_luma_coeff_delta_idx");
        b.u(a.lumaDeltaIdx[c], len);            // alf_luma_coeff_delta_idx
      }
    }
    for (int f = 0; f < a.numLumaFilters; ++f)
      for (int j = 0; j < kAlfLumaCoeffs; ++j) {
        const int v = a.lumaCoeff[f][j];
        requireArg(v >= -128 && v <= 127, "luma coefficient range");
        b.ue(uint32_t(v < 0 ? -v : v));         // alf_luma_coeff_abs
        if (v) b.flag(v < 0);                   // alf_luma_coeff_sign
      }
    if (a.lumaClip)
      for (int f = 0; f < a.numLumaFilters; ++f)
        for (int j = 0; j < kAlfLumaCoeffs; ++j) b.u(a.lumaClipIdx[f][j] & 3u, 2);  // alf_luma_clip_idx
  }
  if (a.chromaSignalled) {
    requireArg(a.numChromaAlts >= 1 && a.numChromaAlts <= kAlfMaxChromaAlts, "number of chroma filters");
    b.flag(a.chromaClip);                       // alf_chroma_clip_flag
    b.ue(uint32_t(a.numChromaAlts - 1));        // alf_chroma_num_alt_filters_minus1
    for (int k = 0; k < a.numChromaAlts; ++k) {
      for (int j = 0; j < kAlfChromaCoeffs; ++j) {
        const int v = a.chromaCoeff[k][j];
        requireArg(v >= -128 && v <= 127, "chroma coefficient range");
        b.ue(uint32_t(v < 0 ? -v : v));         // alf_chroma_coeff_abs
        if (v) b.flag(v < 0);                   // alf_chroma_coeff_sign
      }
      if (a.chromaClip)
        for (int j = 0; j < kAlfChromaCoeffs; ++j) b.u(a.chromaClipIdx[k][j] & 3u, 2);  // alf_chroma_clip_idx
    }
  }
  for (int k = 0; k < 2; ++k) {
    if (!a.ccSignalled[k]) continue;
    requireArg(a.numCcFilters[k] >= 1 && a.numCcFilters[k] <= kAlfMaxCcFilters, "number of CC-ALF filters");
    b.ue(uint32_t(a.numCcFilters[k] - 1));  // alf_cc_cb/cr_filters_signalled_minus1
    for (int f = 0; f < a.numCcFilters[k]; ++f)
      for (int j = 0; j < kAlfCcCoeffs; ++j) {
        const int v = a.ccCoeff[k][f][j], m = v < 0 ? -v : v;
        int mapped = 0;
        while (mapped < 7 && (1 << mapped) <= m) ++mapped;  // m = 2^(mapped - 1)
        requireArg(ccAlfCoeffFromMapped(mapped, v < 0) == v, "CC-ALF coefficient (0 or +-2^k, k <= 6)");
        b.u(uint32_t(mapped), 3);  // alf_cc_cb/cr_mapped_coeff_abs
        if (mapped) b.flag(v < 0);  // alf_cc_cb/cr_coeff_sign
      }
  }
  b.flag(false);  // aps_extension_flag
  b.trailingBits();
  return b.bytes();
}

bool parseAlfAps(const std::vector<uint8_t>& rbsp, AlfApsData& a) {
  BitReader r(rbsp.data(), rbsp.size());
  const uint32_t type = r.u(3);
  if (type != 0) return false;  // LMCS / scaling list APS: not ours
  a = AlfApsData{};
  a.apsId = int(r.u(5));
  require(a.apsId < kAlfMaxApsIds, "aps_adaptation_parameter_set_id above 7");
  a.chromaPresent = r.flag();
  a.lumaSignalled = r.flag();
  if (a.chromaPresent) {
    a.chromaSignalled = r.flag();
    a.ccSignalled[0] = r.flag();
    a.ccSignalled[1] = r.flag();
  }
  require(a.lumaSignalled || a.chromaSignalled || a.ccSignalled[0] || a.ccSignalled[1], "no filter signalled");
  if (a.lumaSignalled) {
    a.lumaClip = r.flag();
    a.numLumaFilters = int(r.ue(kAlfNumClasses - 1)) + 1;
    if (a.numLumaFilters > 1) {
      const int len = ceilLog2(a.numLumaFilters);
      for (int c = 0; c < kAlfNumClasses; ++c) {
        a.lumaDeltaIdx[c] = uint8_t(r.u(len));
        require(a.lumaDeltaIdx[c] < a.numLumaFilters, "alf_luma_coeff_delta_idx out of range");
      }
    }
    for (int f = 0; f < a.numLumaFilters; ++f)
      for (int j = 0; j < kAlfLumaCoeffs; ++j) {
        const int v = int(r.ue(128));
        const bool neg = v && r.flag();
        require(neg || v <= 127, "luma coefficient out of range");
        a.lumaCoeff[f][j] = int16_t(neg ? -v : v);
      }
    if (a.lumaClip)
      for (int f = 0; f < a.numLumaFilters; ++f)
        for (int j = 0; j < kAlfLumaCoeffs; ++j) a.lumaClipIdx[f][j] = uint8_t(r.u(2));
  }
  if (a.chromaSignalled) {
    a.chromaClip = r.flag();
    a.numChromaAlts = int(r.ue(kAlfMaxChromaAlts - 1)) + 1;
    for (int k = 0; k < a.numChromaAlts; ++k) {
      for (int j = 0; j < kAlfChromaCoeffs; ++j) {
        const int v = int(r.ue(128));
        const bool neg = v && r.flag();
        require(neg || v <= 127, "chroma coefficient out of range");
        a.chromaCoeff[k][j] = int16_t(neg ? -v : v);
      }
      if (a.chromaClip)
        for (int j = 0; j < kAlfChromaCoeffs; ++j) a.chromaClipIdx[k][j] = uint8_t(r.u(2));
    }
  }
  for (int k = 0; k < 2; ++k) {
    if (!a.ccSignalled[k]) continue;
    a.numCcFilters[k] = int(r.ue(kAlfMaxCcFilters - 1)) + 1;
    for (int f = 0; f < a.numCcFilters[k]; ++f)
      for (int j = 0; j < kAlfCcCoeffs; ++j) {
        const int mapped = int(r.u(3));
        const bool neg = mapped && r.flag();
        a.ccCoeff[k][f][j] = int16_t(ccAlfCoeffFromMapped(mapped, neg));
      }
  }
  // aps_extension_flag and any extension data: ignored
  return true;
}

void AlfContexts::init(int sliceQp, int initType) {
  for (int i = 0; i < 9; ++i) ctbFlag[i].init(kCtbFlagInit[initType][i], kCtbFlagShift[i], sliceQp);
  useAps.init(46, 0, sliceQp);
  for (int i = 0; i < 2; ++i) alt[i].init(kAltInit[initType][i], 0, sliceQp);
  for (int i = 0; i < 6; ++i) ccIdc[i].init(kCcIdcInit[initType][i], kCcIdcShift[i], sliceQp);
}

namespace {
// TB binarisation (9.3.3.4) in bypass bins.
template <class IO>
unsigned codeTruncatedBinary(IO& io, unsigned value, unsigned cMax) {
  const unsigned n = cMax + 1;
  int k = 0;
  while ((2u << k) <= n) ++k;  // k = Floor(Log2(n))
  const unsigned u = (1u << (k + 1)) - n;
  if (!IO::kReading) {
    if (value < u) io.bypassBits(value, k);
    else io.bypassBits(value + u, k + 1);
    return value;
  }
  unsigned v = k ? io.bypassBits(0, k) : 0;
  if (v >= u) v = ((v << 1) | io.bypass(0)) - u;
  return v;
}
}  // namespace

template <class IO>
bool codeAlfCtu(IO& io, AlfContexts& ctx, const AlfSyntaxEnv& env, std::vector<AlfCtuParams>& pic, int rx, int ry) {
  const size_t idx = size_t(ry) * size_t(env.widthInCtus) + size_t(rx);
  if (rx < 0 || ry < 0 || rx >= env.widthInCtus || idx >= pic.size()) return false;
  AlfCtuParams& p = pic[idx];
  const AlfSliceParams& s = env.slice;
  if (IO::kReading) p = AlfCtuParams{};
  if (!s.enabled) return IO::kReading || (!p.luma && !p.chroma[0] && !p.chroma[1] && !p.ccIdc[0] && !p.ccIdc[1]);
  // ctxInc: left / upper CTB (one slice, one tile: available when inside the picture) with the flag set
  const AlfCtuParams* left = rx > 0 ? &pic[idx - 1] : nullptr;
  const AlfCtuParams* up = ry > 0 ? &pic[idx - size_t(env.widthInCtus)] : nullptr;
  auto ctxOf = [&](int c) {
    auto flag = [c](const AlfCtuParams* n) { return n && (c == 0 ? n->luma : n->chroma[c - 1]) ? 1 : 0; };
    return 3 * c + flag(left) + flag(up);
  };
  p.luma = io.bin(ctx.ctbFlag[ctxOf(0)], p.luma ? 1u : 0u) != 0;  // alf_ctb_flag[0]
  if (p.luma) {
    if (!IO::kReading && p.lumaSet >= 16 + s.numApsLuma) return false;
    bool useAps = p.lumaSet >= 16;
    if (s.numApsLuma > 0) useAps = io.bin(ctx.useAps, useAps ? 1u : 0u) != 0;  // alf_use_aps_flag
    if (useAps) {
      unsigned prev = p.lumaSet >= 16 ? p.lumaSet - 16u : 0u;
      if (s.numApsLuma > 1) prev = codeTruncatedBinary(io, prev, unsigned(s.numApsLuma - 1));  // alf_luma_prev_filter_idx
      if (prev >= unsigned(s.numApsLuma)) return false;
      p.lumaSet = uint8_t(16 + prev);
    } else {
      p.lumaSet = uint8_t(codeTruncatedBinary(io, p.lumaSet, 15u));  // alf_luma_fixed_filter_idx
    }
  }
  for (int c = 1; c <= 2; ++c) {
    const bool on = c == 1 ? s.cb : s.cr;
    if (!on) {
      if (!IO::kReading && p.chroma[c - 1]) return false;
      continue;
    }
    p.chroma[c - 1] = io.bin(ctx.ctbFlag[ctxOf(c)], p.chroma[c - 1] ? 1u : 0u) != 0;  // alf_ctb_flag[c]
    if (p.chroma[c - 1] && env.numChromaAlts > 1) {
      // alf_ctb_filter_alt_idx: TR with cMax = alts - 1, every bin context-coded (ctxInc = component)
      if (!IO::kReading && p.chromaAlt[c - 1] >= env.numChromaAlts) return false;
      unsigned v = 0;
      while (v < unsigned(env.numChromaAlts - 1)) {
        if (!io.bin(ctx.alt[c - 1], v < p.chromaAlt[c - 1] ? 1u : 0u)) break;
        ++v;
      }
      p.chromaAlt[c - 1] = uint8_t(v);
    }
  }
  // alf_ctb_cc_cb_idc / alf_ctb_cc_cr_idc: TR with cMax = number of filters, first bin context-coded
  // (ctxInc: left / upper CTB with a non-zero idc, + 3 for Cr), the others bypass
  for (int k = 0; k < 2; ++k) {
    if (!s.cc[k]) {
      if (!IO::kReading && p.ccIdc[k]) return false;
      continue;
    }
    const int cMax = env.numCcFilters[k];
    if (!IO::kReading && p.ccIdc[k] > cMax) return false;
    const int inc = 3 * k + (left && left->ccIdc[k] ? 1 : 0) + (up && up->ccIdc[k] ? 1 : 0);
    unsigned v = io.bin(ctx.ccIdc[inc], p.ccIdc[k] ? 1u : 0u);
    if (v)
      while (v < unsigned(cMax) && io.bypass(v < p.ccIdc[k] ? 1u : 0u)) ++v;
    p.ccIdc[k] = uint8_t(v);
  }
  return true;
}

template bool codeAlfCtu<ArithEncoder>(ArithEncoder&, AlfContexts&, const AlfSyntaxEnv&, std::vector<AlfCtuParams>&,
                                       int, int);
template bool codeAlfCtu<BitEstimator>(BitEstimator&, AlfContexts&, const AlfSyntaxEnv&, std::vector<AlfCtuParams>&,
                                       int, int);
template bool codeAlfCtu<ArithDecoder>(ArithDecoder&, AlfContexts&, const AlfSyntaxEnv&, std::vector<AlfCtuParams>&,
                                       int, int);

}  // namespace nnvvc
