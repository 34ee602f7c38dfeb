// Encoder ALF decision (luma) on the SAO output: per CTB and class the auto-correlation of the
// filter taps' (symmetric, transposed) sample differences and their cross-correlation with the
// source error; per class the normal equations solved, classes merged greedily into fewer filters
// (cost = filtered error + lambda * coefficient bits), coefficients quantised and refined in
// integers; then per CTB on / off by D + lambda * R, the statistics re-gathered over the CTBs that
// keep ALF; each CTB may also take the best of the 16 fixed filter sets. The picture uses the APS,
// the fixed sets only, or no ALF, whichever costs least.
#pragma once
#include <vector>

#include "common/types.h"
#include "recon/alf.h"

namespace nnvvc {

struct AlfDecision {
  bool enabled = false;            // the picture uses ALF (sh_alf_enabled_flag)
  AlfApsData aps;                  // luma filters (apsId as requested), to send when slice.numApsLuma is 1
  AlfSliceParams slice;            // sh_alf_*: one luma APS (apsId) or none (fixed filter sets only), no chroma
  std::vector<AlfCtuParams> ctus;  // raster order
};

// orig and rec (SAO output) at the coded size; lambda for 10-bit SSE.
AlfDecision decideAlf(const Picture& orig, const Picture& rec, double lambda, int log2CtuSize, int apsId,
                      int bitDepth = kBitDepth);

}  // namespace nnvvc
