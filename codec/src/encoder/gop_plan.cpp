#include "encoder/gop_plan.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace nnvvc {

namespace {

// One row of the RA GOP table (common test conditions, GOP 16): POC within the GOP, QP offset,
// QP-offset model (offset, scale), temporal layer, active references as POC deltas
// (reference POC = POC - delta), two per list.
struct GopEntry {
  int pocOffset;
  int qpOffset;
  double modelOffset, modelScale;
  int temporalId;
  int refL0[2];
  int refL1[2];
};
constexpr int kRaGopSize = 16;
const GopEntry kRaGop16[kRaGopSize] = {
    {16, 1, 0.0, 0.0, 0, {16, 32}, {16, 32}},
    {8, 1, -4.8848, 0.2061, 1, {8, 16}, {-8, 8}},
    {4, 4, -5.7476, 0.2286, 2, {4, 12}, {-4, -12}},
    {2, 5, -5.90, 0.2333, 3, {2, 10}, {-2, -6}},
    {1, 6, -7.1444, 0.3, 4, {1, -1}, {-1, -3}},
    {3, 6, -7.1444, 0.3, 4, {1, 3}, {-1, -5}},
    {6, 5, -5.90, 0.2333, 3, {2, 6}, {-2, -10}},
    {5, 6, -7.1444, 0.3, 4, {1, 5}, {-1, -3}},
    {7, 6, -7.1444, 0.3, 4, {1, 3}, {-1, -9}},
    {12, 4, -5.7476, 0.2286, 2, {4, 12}, {-4, 4}},
    {10, 5, -5.90, 0.2333, 3, {2, 10}, {-2, -6}},
    {9, 6, -7.1444, 0.3, 4, {1, 9}, {-1, -3}},
    {11, 6, -7.1444, 0.3, 4, {1, 3}, {-1, -5}},
    {14, 5, -5.90, 0.2333, 3, {2, 6}, {-2, 2}},
    {13, 6, -7.1444, 0.3, 4, {1, 5}, {-1, -3}},
    {15, 6, -7.1444, 0.3, 4, {1, 3}, {-1, 1}},
};
constexpr int kIntraQpOffset = -3;

int clipQp(int qp) { return std::max(0, std::min(63, qp)); }

// QP of a GOP picture: base + offset, then the QP-offset model's extra 0..3 (as the CTC RA
// configuration applies it: floor(clip(0, 3, qp * scale + offset + 0.5))).
int gopPictureQp(int baseQp, const GopEntry& e) {
  int qp = baseQp + e.qpOffset;
  const double d = double(qp) * e.modelScale + e.modelOffset + 0.5;
  qp += int(std::floor(std::max(0.0, std::min(3.0, d))));
  return clipQp(qp);
}

}  // namespace

int defaultIntraPeriod(double fps) {
  const int n = int(std::floor(fps / 16.0 + 0.5));
  return std::max(1, n) * 16;
}

std::string planGop(const std::string& config, int numFrames, int baseQp, int intraPeriod, GopPlan& out) {
  out = GopPlan{};
  if (numFrames <= 0) return "no frames to encode";
  if (config == "ai") {
    for (int poc = 0; poc < numFrames; ++poc) {
      PlannedPicture p;
      p.poc = poc; p.intra = true; p.nal = PlannedNal::kIdr; p.qp = clipQp(baseQp);
      out.pictures.push_back(p);
    }
    return "";
  }
  if (config != "ra") return "--config " + config + ": expected ai or ra";
  if (intraPeriod <= 0 || intraPeriod % kRaGopSize != 0)
    return "--intra-period " + std::to_string(intraPeriod) + ": must be a positive multiple of the GOP size " +
           std::to_string(kRaGopSize);
  if (numFrames < 2) return "--config ra needs at least 2 frames (got " + std::to_string(numFrames) + "); use --config ai";
  out.gopSize = kRaGopSize;
  out.intraPeriod = intraPeriod;

  // 1. coding order, picture types, QPs and the active references
  std::set<int> coded;   // POCs coded so far
  int lastIrapPoc = 0;   // POC of the latest IRAP in decoding order
  int prevIrapPoc = 0;   // ... and of the one before it
  auto addIntra = [&](int poc) {
    PlannedPicture p;
    p.poc = poc; p.intra = true; p.nal = PlannedNal::kCra; p.qp = clipQp(baseQp + kIntraQpOffset);
    out.pictures.push_back(p);
    coded.insert(poc);
    prevIrapPoc = lastIrapPoc;
    lastIrapPoc = poc;
  };
  addIntra(0);
  for (int gopStart = 0; gopStart + 1 < numFrames; gopStart += kRaGopSize) {
    for (int g = 0; g < kRaGopSize; ++g) {
      const GopEntry& e = kRaGop16[g];
      const int poc = gopStart + e.pocOffset;
      if (poc >= numFrames) continue;
      if (poc % intraPeriod == 0) { addIntra(poc); continue; }
      PlannedPicture p;
      p.poc = poc; p.intra = false; p.gopIndex = g; p.temporalId = e.temporalId;
      p.qp = gopPictureQp(baseQp, e);
      // leading pictures of the latest CRA (after it in decoding order, before it in output
      // order) are RASL; trailing pictures must not reference anything before the CRA
      const bool leading = poc < lastIrapPoc;
      p.nal = leading ? PlannedNal::kRasl : PlannedNal::kTrail;
      for (int l = 0; l < 2; ++l) {
        for (int d : (l == 0 ? e.refL0 : e.refL1)) {
          const int ref = poc - d;
          if (!coded.count(ref)) continue;
          if (!leading && ref < lastIrapPoc) continue;
          // leading pictures may reach back to the previous IRAP, not beyond it (the CRA that
          // keeps their references in the DPB must not list pictures before that IRAP)
          if (leading && ref < prevIrapPoc) continue;
          if (std::find(p.rpl[l].begin(), p.rpl[l].end(), ref) == p.rpl[l].end()) p.rpl[l].push_back(ref);
        }
      }
      // a list left empty (short last GOP, first GOP) borrows the other list's references
      if (p.rpl[0].empty()) p.rpl[0] = p.rpl[1];
      if (p.rpl[1].empty()) p.rpl[1] = p.rpl[0];
      p.numActive[0] = int(p.rpl[0].size());
      p.numActive[1] = int(p.rpl[1].size());
      out.pictures.push_back(p);
      coded.insert(poc);
    }
  }

  // 2. keep in the DPB (as inactive entries of L0) every already coded picture that a later
  //    picture references; everything else is dropped when the current picture is decoded
  const size_t n = out.pictures.size();
  int maxDpb = 1;
  for (size_t i = 0; i < n; ++i) {
    PlannedPicture& p = out.pictures[i];
    std::set<int> before;  // POCs coded before picture i
    for (size_t k = 0; k < i; ++k) before.insert(out.pictures[k].poc);
    std::set<int> keep;
    for (size_t j = i + 1; j < n; ++j)
      for (int l = 0; l < 2; ++l)
        for (int r : out.pictures[j].rpl[l])
          if (before.count(r)) keep.insert(r);
    for (int r : keep)
      if (std::find(p.rpl[0].begin(), p.rpl[0].end(), r) == p.rpl[0].end() &&
          std::find(p.rpl[1].begin(), p.rpl[1].end(), r) == p.rpl[1].end())
        p.rpl[0].push_back(r);
    std::set<int> inDpb(p.rpl[0].begin(), p.rpl[0].end());
    inDpb.insert(p.rpl[1].begin(), p.rpl[1].end());
    maxDpb = std::max(maxDpb, int(inDpb.size()) + 1);
  }
  out.maxDecPicBuffering = maxDpb;
  // 3. reorder: pictures that precede in decoding order and follow in output order
  int reorder = 0;
  for (size_t i = 0; i < n; ++i) {
    int c = 0;
    for (size_t k = 0; k < i; ++k) c += out.pictures[k].poc > out.pictures[i].poc;
    reorder = std::max(reorder, c);
  }
  out.maxNumReorder = reorder;
  out.maxDecPicBuffering = std::max(out.maxDecPicBuffering, out.maxNumReorder + 1);
  return "";
}

}  // namespace nnvvc
