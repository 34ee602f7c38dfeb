// Coding structure of a sequence: which picture is coded when, as what (slice type, NAL unit
// type, temporal layer, QP) and with which references. Pure logic, no samples: the encoder's
// picture loop walks the plan, the SPS takes its DPB sizes from it, and tests check it.
//
// Random access ("ra"): hierarchical-B GOP of 16 pictures in 5 temporal layers with the QP
// offsets, QP-offset model and reference pictures of the common test conditions' RA
// configuration (the same table as vtm/cfg/encoder_randomaccess_anchor.cfg), a CRA picture every
// intra period (a multiple of 16); a sequence whose length is not a multiple of 16 ends with a
// shorter GOP (pictures beyond the end are left out, references to them dropped).
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
  int intraPeriod = 1;
  int maxDecPicBuffering = 1;    // DPB size in pictures (incl. the current one)
  int maxNumReorder = 0;         // pictures preceding in decoding order and following in output order
};

// The intra period the common test conditions use: the multiple of 16 nearest to one second
// at `fps` (32 at 30 fps, 48 at 50, 64 at 60); at least 16.
int defaultIntraPeriod(double fps);

// Plans `numFrames` pictures. config "ai" or "ra"; baseQp 0..63; intraPeriod > 0 and a multiple
// of 16 for "ra". Returns an empty string, or a message naming the bad value.
std::string planGop(const std::string& config, int numFrames, int baseQp, int intraPeriod, GopPlan& out);

}  // namespace nnvvc
