// Decoded picture buffer of the decoder: reference picture list construction and marking
// (8.3.2, 8.3.3) and output in POC order by "bumping" (C.5.2). Pure picture management, no
// sample processing, so tests can drive it with synthetic POC sequences.
#pragma once
#include <functional>
#include <memory>
#include <vector>

#include "common/motion.h"
#include "common/types.h"
#include "syntax/param_sets.h"

namespace nnvvc {

struct DpbPicture {
  Picture pic;            // final (in-loop filtered) samples at the coded size
  MotionField motion;
  int poc = 0;
  int temporalId = 0;
  int cropX = 0, cropY = 0, cropW = 0, cropH = 0;  // output window (conformance window of its SPS)
  bool usedForReference = false;   // "used for short-term reference"
  bool neededForOutput = false;
  int latencyCount = 0;            // PicLatencyCount
};

// DPB sizes of the highest sublayer (dpb_parameters of the SPS).
struct DpbParams {
  int maxDecPicBuffering = 1;      // dpb_max_dec_pic_buffering_minus1 + 1 (incl. the current picture)
  int maxNumReorder = 0;           // dpb_max_num_reorder_pics
  int maxLatencyIncreasePlus1 = 0; // dpb_max_latency_increase_plus1 (0: no latency limit)
};
DpbParams dpbParamsOf(const SpsInfo& sps);

class DecodedPictureBuffer {
 public:
  using OutputFn = std::function<void(const DpbPicture&)>;
  // Hard limit on stored pictures (MaxDpbSize is at most 16 incl. the current one): a stream
  // needing more is rejected instead of growing memory without bound.
  static constexpr int kMaxPictures = 16;

  // Starts decoding the picture described by `sh` (poc and rpl[] already full POCs):
  //  - IRAP with NoOutputBeforeRecoveryFlag (msbReset): every stored picture is output in POC
  //    order (or discarded when sh.noOutputOfPriorPics) and the DPB is emptied;
  //  - otherwise RefPicList[0/1] are built from the stored reference pictures by POC (a missing
  //    active entry is a BitstreamError; a missing inactive one is ignored), every picture not in
  //    any entry is marked unused for reference, and pictures are output ("bumped") while more
  //    than maxNumReorder wait for output, the latency limit is hit or the DPB is full.
  // Returns the new picture (marked used for reference, not yet needed for output; the caller
  // allocates and decodes it); `refs` gets the active entries.
  DpbPicture* startPicture(const SliceInfo& sh, bool irapNoOutputBeforeRecovery, const DpbParams& params,
                           RefPicLists& refs, const OutputFn& out);
  // C.5.2.3 after the picture is decoded: it waits for output (when `output`), then pictures are
  // bumped while more than maxNumReorder wait or the latency limit is hit.
  void finishPicture(DpbPicture* cur, bool output, const DpbParams& params, const OutputFn& out);
  // End of the stream / end of sequence: outputs every waiting picture in POC order and empties.
  void flush(const OutputFn& out);

  size_t size() const { return pics_.size(); }
  const DpbPicture* find(int poc) const;

 private:
  bool bump(const OutputFn& out);  // outputs the smallest POC waiting; false when none waits
  void removeUnused();             // drops pictures neither waiting for output nor referenced
  int numWaiting() const;
  bool latencyExceeded(const DpbParams& params) const;
  std::vector<std::unique_ptr<DpbPicture>> pics_;
};

}  // namespace nnvvc
