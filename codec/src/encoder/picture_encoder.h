// One picture: the CTU loop (search -> shared reconstruction), in-loop filtering (deblocking,
// SAO decision + SAO), then the slice data written CTU by CTU (sao() + coding tree), and the
// slice + picture-hash NAL units. The sequence driver (encoder.cpp) calls it
// once per picture in coding order with the picture's plan and reference lists.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "common/coding_structs.h"
#include "recon/alf.h"
#include "common/motion.h"
#include "encoder/gop_plan.h"
#include "encoder/search/ctu_search.h"
#include "syntax/param_sets.h"

namespace nnvvc {

// A decoded picture as the encoder keeps it for reference and output.
struct CodedPicture {
  Picture rec;          // final (in-loop filtered) reconstruction at the coded size
  MotionField motion;
  int poc = 0;
};

struct PictureResult {
  std::vector<uint8_t> nalBytes;     // Annex-B bytes: slice NAL unit + decoded picture hash SEI
  std::vector<CodingUnit> lumaCus;   // for --stats (filled when requested)
  std::vector<CodingUnit> chromaCus; // ... and the chroma-tree CUs of dual-tree I slices
  std::vector<QtNodeCost> qtNodes;   // ... and the search's luma quadtree node costs, where it records them
};

class PictureEncoder {
 public:
  PictureEncoder(const SpsInfo& sps, const PpsInfo& pps, CtuSearch& search) : sps_(sps), pps_(pps), search_(search) {}
  // Encodes `orig` as planned; refs = the active reference lists (empty for intra pictures).
  // `out` receives the reconstruction and motion. Returns false with `err` set on failure
  // (bad split hints: exit 2; internal inconsistency: exit 3, *internal = true).
  bool encode(const Picture& orig, const PlannedPicture& plan, const RefPicLists& refs, bool wantCus,
              CodedPicture& out, PictureResult& res, std::string& err, bool* internal);
  // ALF filters the chroma planes too (where the SPS enables ALF).
  void setAlfChroma(bool on) { alfChroma_ = on; }
  // New luma ALF filters may clip their taps' differences (alf_luma_clip_flag).
  void setAlfLumaClip(bool on) { alfLumaClip_ = on; }
  // Transform-skip blocks coded by residual_coding() (sh_ts_residual_coding_disabled_flag) in the slices that may say
  // so (SPS transform skip, neither DQ nor sign hiding).
  void setTsResidualCodingDisabled(bool on) { tsRrc_ = on; }
  // res.qtNodes gets the search's luma quadtree node costs (--stats-qt-nodes; with wantCus).
  void setRecordQtNodes(bool on) { recordQtNodes_ = on; }

 private:
  const SpsInfo& sps_;
  const PpsInfo& pps_;
  CtuSearch& search_;
  bool alfChroma_ = true;
  bool alfLumaClip_ = true;
  bool tsRrc_ = false;
  bool recordQtNodes_ = false;
  // The ALF APSs a decoder holds (by id) that later pictures may reuse.
  struct SentAlfAps { bool valid = false; int temporalId = 0; long order = 0; AlfApsData aps; };
  std::array<SentAlfAps, kAlfMaxApsIds> alfStore_{};
  long alfApsCount_ = 0;
};

// Slice parameters of a planned picture (QPs after the chroma mapping, lambda, slice type).
SliceParams sliceParamsFor(const SpsInfo& sps, const PlannedPicture& plan, const RefPicLists* refs,
                           int jointCbCrQpOffset = 0);

// ph_joint_cbcr_sign_flag for a picture: set (CSign -1) when the high-pass filtered Cb and Cr planes of
// the source are negatively correlated, so that the joint residual's derived component follows the sign
// the content has.
bool jointCbCrSignOf(const Picture& orig);

}  // namespace nnvvc
