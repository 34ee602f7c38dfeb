// Encoder ALF decision on the SAO output. Luma: per CTB and class the auto-correlation of the
// filter taps' (symmetric, transposed) sample differences, clipped at each of the four clipping
// values, and their cross-correlation with the source error; per class the normal equations solved, classes merged greedily into fewer filters
// (cost = filtered error + lambda * coefficient bits), coefficients quantised and refined in
// integers; then per CTB on / off by D + lambda * R, the statistics re-gathered over the CTBs that
// keep ALF; each CTB may also take the best of the 16 fixed filter sets. The picture uses new
// filters (its own APS), an APS sent earlier, the fixed sets only, or no ALF, whichever costs least.
// Chroma: per component one 5x5 filter from the CTBs that keep it (decideAlfChroma), CTB on / off.
#pragma once
#include <vector>

#include "common/types.h"
#include "recon/alf.h"

namespace nnvvc {

struct AlfDecision {
  bool enabled = false;            // the picture uses ALF (sh_alf_enabled_flag)
  bool sendAps = false;            // the picture sends `aps` (before its slice)
  AlfApsData aps;                  // luma and / or chroma filters (apsId as requested)
  AlfSliceParams slice;            // sh_alf_*: one luma APS (apsId) or none (fixed filter sets only), chroma
                                   // from the same APS
  std::vector<AlfCtuParams> ctus;  // raster order
};

// orig and rec (SAO output) at the coded size; lambda for 10-bit SSE. apsId: the id of a new APS
// (another one when the picture reuses an APS of that id); chroma: also filter Cb and Cr;
// reusable: APSs sent earlier that this picture may refer to instead of sending filters (luma);
// lumaClip: new luma filters may use clipping (alf_luma_clip_flag) where it pays.
AlfDecision decideAlf(const Picture& orig, const Picture& rec, double lambda, int log2CtuSize, int apsId,
                      bool chroma = true, const std::vector<const AlfApsData*>& reusable = {},
                      bool lumaClip = true, int bitDepth = kBitDepth);

// CC-ALF (after decideAlf and the ALF it decided was applied): lumaSao the padded luma before ALF,
// rec's chroma the chroma ALF output. Per component one filter derived from the CTBs that keep it
// (iterated), CTB on / off by estimated SSE gain against lambda * bits; a component is used when the
// total beats its filter's bits. Fills dec's slice.cc / ccApsId, aps CC filters (the picture then
// sends its APS, CC-only if need be) and ctus[].ccIdc; returns whether any component uses it.
bool decideCcAlf(const Picture& orig, const recon::PaddedPlane& lumaSao, const Picture& rec, double lambda,
                 int log2CtuSize, AlfDecision& dec);

}  // namespace nnvvc
