// Coding structure of a sequence: which picture is coded when, as what (slice type, NAL unit
// type, temporal layer, QP) and with which references. Pure logic, no samples: the encoder's
// picture loop walks the plan, the SPS takes its DPB sizes from it, and tests check it.
//
// Random access ("ra"): hierarchical-B GOP of 32 pictures in 6 temporal layers (default) with the
// QP offsets, QP-offset model and active reference pictures of VTM-23.2's RA configuration (the
// same table as vtm/cfg/encoder_randomaccess_anchor.cfg), or the earlier CTC GOP of 16 pictures
// in 5 layers (two references per list); a CRA picture every intra period (a multiple of the GOP
// size); a sequence whose length is not a multiple of the GOP ends with a shorter GOP (pictures
// beyond the end are left out, references to them dropped).
// All-intra ("ai"): every picture an IDR picture, in display order.
#pragma once
#include <string>
#include <vector>

namespace nnvvc {

enum class PlannedNal { kIdr, kCra, kTrail, kRasl };

struct PlannedPicture {
  int poc = 0;
  bool intra = false;            // I slice
  PlannedNal nal = PlannedNal::kTrail;
  int temporalId = 0;
  // temporalId on the scale of a GOP of 16 (4 = the top layer, reference distance 1): temporalId -
  // (maxTemporalId - 4), so that GOP 32's layer 1 is level 0. The search's per-layer rules use it:
  // they depend on how close the references are, not on the layer's number.
  int hierarchyLevel = 0;
  int qp = 32;                   // slice QP
  int gopIndex = -1;             // row of the GOP table (-1: intra picture)
  // Reference picture lists: all entries as POCs; the first numActive[l] are the active ones,
  // the rest keep pictures that later pictures need in the decoded picture buffer.
  std::vector<int> rpl[2];
  int numActive[2] = {0, 0};
};

struct GopPlan {
  std::vector<PlannedPicture> pictures;  // in coding order
  int gopSize = 1;
  int maxTemporalId = 0;         // of the structure (4 for GOP 16, 5 for GOP 32), whatever the length
  int intraPeriod = 1;
  int maxDecPicBuffering = 1;    // DPB size in pictures (incl. the current one)
  int maxNumReorder = 0;         // pictures preceding in decoding order and following in output order
};

constexpr int kDefaultRaGopSize = 32;

// The intra period the common test conditions use: the multiple of the GOP size nearest to one
// second at `fps` (GOP 32: 32 at 24/25/30 fps, 64 at 50 and 60; GOP 16: 32, 48, 64); at least
// one GOP.
int defaultIntraPeriod(double fps, int gopSize = kDefaultRaGopSize);

// Plans `numFrames` pictures. config "ai" or "ra"; baseQp 0..63; for "ra" gopSize 16 or 32 and
// intraPeriod > 0 a multiple of it. Returns an empty string, or a message naming the bad value.
std::string planGop(const std::string& config, int numFrames, int baseQp, int intraPeriod, int gopSize, GopPlan& out);

}  // namespace nnvvc
