#include "decoder/dpb.h"

#include <algorithm>
#include <string>

namespace nnvvc {

DpbParams dpbParamsOf(const SpsInfo& sps) {
  DpbParams p;
  p.maxDecPicBuffering = sps.maxDecPicBufferingMinus1 + 1;
  p.maxNumReorder = sps.maxNumReorderPics;
  p.maxLatencyIncreasePlus1 = sps.maxLatencyIncreasePlus1;
  return p;
}

const DpbPicture* DecodedPictureBuffer::find(int poc) const {
  for (const auto& p : pics_)
    if (p->poc == poc) return p.get();
  return nullptr;
}

int DecodedPictureBuffer::numWaiting() const {
  int n = 0;
  for (const auto& p : pics_) n += p->neededForOutput ? 1 : 0;
  return n;
}

bool DecodedPictureBuffer::latencyExceeded(const DpbParams& params) const {
  if (params.maxLatencyIncreasePlus1 == 0) return false;
  // SpsMaxLatencyPictures (7.4.3.4)
  const int64_t maxLatency = int64_t(params.maxNumReorder) + params.maxLatencyIncreasePlus1 - 1;
  for (const auto& p : pics_)
    if (p->neededForOutput && p->latencyCount >= maxLatency) return true;
  return false;
}

void DecodedPictureBuffer::removeUnused() {
  pics_.erase(std::remove_if(pics_.begin(), pics_.end(),
                             [](const std::unique_ptr<DpbPicture>& p) { return !p->neededForOutput && !p->usedForReference; }),
              pics_.end());
}

bool DecodedPictureBuffer::bump(const OutputFn& out) {
  DpbPicture* best = nullptr;
  for (const auto& p : pics_)
    if (p->neededForOutput && (!best || p->poc < best->poc)) best = p.get();
  if (!best) return false;
  if (out) out(*best);
  best->neededForOutput = false;
  removeUnused();
  return true;
}

void DecodedPictureBuffer::flush(const OutputFn& out) {
  while (bump(out)) {}
  pics_.clear();
}

DpbPicture* DecodedPictureBuffer::startPicture(const SliceInfo& sh, bool irapNoOutputBeforeRecovery,
                                               const DpbParams& params, RefPicLists& refs, const OutputFn& out) {
  refs = RefPicLists{};
  if (irapNoOutputBeforeRecovery) {
    // 8.3.2: all reference pictures become unused; C.5.2.2: the prior pictures are output
    // (unless sh_no_output_of_prior_pics_flag) and the DPB is emptied.
    if (sh.noOutputOfPriorPics) pics_.clear();
    else flush(out);
  } else {
    // 8.3.2: RefPicList[i][j] by POC among the pictures used for reference
    std::vector<const DpbPicture*> inList;
    for (int l = 0; l < 2; ++l) {
      for (size_t j = 0; j < sh.rpl[l].size(); ++j) {
        DpbPicture* found = nullptr;
        for (const auto& p : pics_)
          if (p->usedForReference && p->poc == sh.rpl[l][j]) found = p.get();
        if (found) inList.push_back(found);
        if (int(j) < sh.numActive[l]) {
          if (!found)
            throw BitstreamError("reference picture with POC " + std::to_string(sh.rpl[l][j]) +
                                 " (list " + std::to_string(l) + ") is not in the DPB, for picture POC " +
                                 std::to_string(sh.poc));
          if (int(j) >= RefPicLists::kMaxRefs) throw BitstreamError("more than 4 active references");
          if (found->temporalId > sh.temporalId)
            throw BitstreamError("active reference POC " + std::to_string(found->poc) + " has a higher TemporalId than picture POC " +
                                 std::to_string(sh.poc));
          RefPic& r = refs.ref[l][j];
          r.pic = &found->pic;
          r.motion = &found->motion;
          r.poc = found->poc;
          refs.num[l] = int(j) + 1;
        }
      }
    }
    // 8.3.3: pictures in no entry of either list are no longer used for reference
    for (const auto& p : pics_)
      if (std::find(inList.begin(), inList.end(), p.get()) == inList.end()) p->usedForReference = false;
    // C.5.2.2: free what is neither referenced nor waiting, then bump as the DPB sizes require
    removeUnused();
    while (numWaiting() > params.maxNumReorder || latencyExceeded(params) ||
           int(pics_.size()) >= params.maxDecPicBuffering) {
      if (!bump(out)) break;
    }
  }
  for (const auto& p : pics_)
    if (p->poc == sh.poc)
      throw BitstreamError("two pictures with POC " + std::to_string(sh.poc) + " in the DPB");
  if (int(pics_.size()) >= kMaxPictures) throw BitstreamError("decoded picture buffer overflow");
  pics_.push_back(std::make_unique<DpbPicture>());
  DpbPicture* cur = pics_.back().get();
  cur->poc = sh.poc;
  cur->temporalId = sh.temporalId;
  cur->usedForReference = true;  // the current picture, once decoded, is a short-term reference
  return cur;
}

void DecodedPictureBuffer::finishPicture(DpbPicture* cur, bool output, const DpbParams& params, const OutputFn& out) {
  for (const auto& p : pics_)
    if (p.get() != cur && p->neededForOutput) ++p->latencyCount;
  cur->neededForOutput = output;
  cur->latencyCount = 0;
  while (numWaiting() > params.maxNumReorder || latencyExceeded(params)) {
    if (!bump(out)) break;
  }
}

}  // namespace nnvvc
