// Adaptive loop filter (H.266 8.8.5): the ALF APS content (7.4.3.18 derived filters), the per-CTB
// choices of coding_tree_unit() and the picture process applied to the SAO output, shared by the
// encoder and the decoder. Luma (7x7 diamond, 25 classes), chroma (5x5 diamond, alternatives) and
// cross-component ALF (CC-ALF: a 7-tap filter of the unfiltered luma added to each chroma plane).
#pragma once
#include <cstdint>
#include <vector>

#include "common/types.h"
#include "dsp/alf.h"

namespace nnvvc {

constexpr int kAlfNumClasses = 25;
constexpr int kAlfLumaCoeffs = 12;
constexpr int kAlfChromaCoeffs = 6;
constexpr int kAlfNumFixedSets = 16;
constexpr int kAlfMaxApsIds = 8;       // aps_adaptation_parameter_set_id of ALF APSs: 0..7
constexpr int kAlfMaxChromaAlts = 8;
constexpr int kAlfCcCoeffs = 7;        // CC-ALF taps (3x4 diamond around the collocated luma sample)
constexpr int kAlfMaxCcFilters = 4;    // alf_cc_cb_filters_signalled_minus1 + 1 <= 4

// CcAlfApsCoeff from alf_cc_*_mapped_coeff_abs (0..7) and its sign: 0, or +-2^(abs - 1).
inline int ccAlfCoeffFromMapped(int mappedAbs, bool negative) {
  if (!mappedAbs) return 0;
  const int v = 1 << (mappedAbs - 1);
  return negative ? -v : v;
}

// AlfClip for clipping index 0..3 (8.8.5 / 7.4.3.18): 2^BitDepth, then 2^(BitDepth - 3),
// 2^(BitDepth - 5), 2^(BitDepth - 7).
inline int alfClipValue(int clipIdx, int bitDepth) { return clipIdx == 0 ? 1 << bitDepth : 1 << (bitDepth - 1 - 2 * clipIdx); }

// alf_data() of one ALF APS as coded.
struct AlfApsData {
  int apsId = 0;
  bool chromaPresent = false;      // aps_chroma_present_flag
  bool lumaSignalled = false;      // alf_luma_filter_signal_flag
  bool lumaClip = false;           // alf_luma_clip_flag
  int numLumaFilters = 1;          // alf_luma_num_filters_signalled_minus1 + 1
  uint8_t lumaDeltaIdx[kAlfNumClasses] = {};                     // alf_luma_coeff_delta_idx
  int16_t lumaCoeff[kAlfNumClasses][kAlfLumaCoeffs] = {};        // per signalled filter
  uint8_t lumaClipIdx[kAlfNumClasses][kAlfLumaCoeffs] = {};
  bool chromaSignalled = false;    // alf_chroma_filter_signal_flag
  bool chromaClip = false;
  int numChromaAlts = 1;           // alf_chroma_num_alt_filters_minus1 + 1
  int16_t chromaCoeff[kAlfMaxChromaAlts][kAlfChromaCoeffs] = {};
  uint8_t chromaClipIdx[kAlfMaxChromaAlts][kAlfChromaCoeffs] = {};
  // CC-ALF (index 0 Cb, 1 Cr; needs aps_chroma_present_flag): alf_cc_cb/cr_filter_signal_flag, the
  // number of filters and their coefficients (each 0 or +-1, 2, 4 .. 64)
  bool ccSignalled[2] = {false, false};
  int numCcFilters[2] = {1, 1};
  int16_t ccCoeff[2][kAlfMaxCcFilters][kAlfCcCoeffs] = {};
};

// The slice's ALF fields (sh_alf_*; no CC-ALF).
struct AlfSliceParams {
  bool enabled = false;            // sh_alf_enabled_flag
  int numApsLuma = 0;              // sh_num_alf_aps_ids_luma
  int apsIdLuma[kAlfMaxApsIds] = {};
  bool cb = false, cr = false;     // sh_alf_cb_enabled_flag / sh_alf_cr_enabled_flag
  int apsIdChroma = 0;
  bool cc[2] = {false, false};     // sh_alf_cc_cb_enabled_flag / sh_alf_cc_cr_enabled_flag
  int ccApsId[2] = {0, 0};         // sh_alf_cc_cb_aps_id / sh_alf_cc_cr_aps_id
};

// ALF of one CTB (coding_tree_unit() syntax elements, merged).
struct AlfCtuParams {
  bool luma = false;               // alf_ctb_flag[0]
  uint8_t lumaSet = 0;             // AlfCtbFiltSetIdxY: 0..15 fixed set, 16 + alf_luma_prev_filter_idx
  bool chroma[2] = {false, false}; // alf_ctb_flag[1], [2]
  uint8_t chromaAlt[2] = {0, 0};   // alf_ctb_filter_alt_idx
  uint8_t ccIdc[2] = {0, 0};       // alf_ctb_cc_cb_idc / alf_ctb_cc_cr_idc: 0 off, else filter idc - 1
};

// Coefficients and clipping values of the 25 classes for one luma filter set.
struct AlfClassFilters {
  int16_t coeff[kAlfNumClasses][kAlfLumaCoeffs];
  int16_t clip[kAlfNumClasses][kAlfLumaCoeffs];
};
void alfFixedFilters(int setIdx, int bitDepth, AlfClassFilters& out);
void alfApsLumaFilters(const AlfApsData& aps, int bitDepth, AlfClassFilters& out);

namespace recon {

// A plane copied with dsp::kAlfPad samples of edge replication on every side.
struct PaddedPlane {
  int width = 0, height = 0;
  ptrdiff_t stride = 0;
  std::vector<Pel> buf;
  void copyFrom(const Plane& p);
  const Pel* origin() const { return buf.data() + dsp::kAlfPad * stride + dsp::kAlfPad; }
};

// Row of the ALF virtual boundary of the CTB row starting at yCtb (applyAlfLineBufBoundary), in
// the component's samples (ctbSize and picHeight in that component too; vbOffset 4 luma, 2 chroma).
int alfVirtualBoundaryRow(int yCtb, int ctbSize, int picHeight, int vbOffset);

// Applies ALF to `pic` (its samples are the SAO output, the result replaces them). aps: the ALF
// APS table by id (entries the slice refers to must hold the needed filters); ctus: one entry
// per CTB in raster order. CC-ALF (slice.cc) adds its correction, computed from the SAO luma, to
// the chroma ALF output.
void applyAlf(Picture& pic, const AlfSliceParams& slice, const AlfApsData* const aps[kAlfMaxApsIds],
              const std::vector<AlfCtuParams>& ctus, int log2CtuSize, int bitDepth = kBitDepth);

// CC-ALF of one component (cIdx 1 / 2) over the chroma CTB area [x0, x0 + w) x [y0, y0 + h):
// chroma += Clip3(-2^(bd-1), 2^(bd-1) - 1, (sum_j coeff[j] * (L_j - L_0) + 64) >> 7), L the padded
// SAO-output luma (8.8.5.7). log2CtuSize: the luma CTB size (ALF virtual boundary 4 luma rows above
// each CTB's bottom).
void applyCcAlfCtb(const PaddedPlane& luma, Plane& chroma, int x0, int y0, int w, int h, const int16_t* coeff,
                   int log2CtuSize, int bitDepth = kBitDepth);

// CC-ALF of chroma plane cIdx (1 / 2) of `pic` over every CTB whose idc is set, when slice.cc names it;
// filters from aps[slice.ccApsId]; luma: the padded SAO-output luma.
void applyCcAlf(Picture& pic, int cIdx, const PaddedPlane& luma, const AlfSliceParams& slice,
                const AlfApsData* const aps[kAlfMaxApsIds], const std::vector<AlfCtuParams>& ctus, int log2CtuSize,
                int bitDepth = kBitDepth);

}  // namespace recon
}  // namespace nnvvc
