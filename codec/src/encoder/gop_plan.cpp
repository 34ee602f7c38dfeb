#include "encoder/gop_plan.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace nnvvc {

namespace {

// One row of a RA GOP table (common test conditions): POC within the GOP, QP offset, QP-offset
// model (offset, scale), temporal layer, active references as POC deltas (reference POC = POC -
// delta) per list. Inactive entries are not listed: the plan keeps in the DPB whatever a later
// picture references (step 2 of planGop).
struct GopEntry {
  int pocOffset;
  int qpOffset;
  double modelOffset, modelScale;
  int temporalId;
  std::vector<int> refL0, refL1;
};
// GOP 16, 5 temporal layers: the CTC RA table of VTM's earlier configurations (two active
// references per list).
const std::vector<GopEntry> kRaGop16 = {
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
// GOP 32, 6 temporal layers: the table of VTM-23.2's encoder_randomaccess_vtm.cfg (its active
// references, up to 4 per list; the top picture at QP offset -1).
const std::vector<GopEntry> kRaGop32 = {
    {32, -1, 0.0, 0.0, 0, {32, 64}, {32}},
    {16, 0, -4.9309, 0.2265, 1, {16, 32, 48}, {-16}},
    {8, 1, -4.5, 0.19, 2, {8, 24, 16, 40}, {-8, -24}},
    {4, 3, -5.4095, 0.2571, 3, {4, 8, 20}, {-4, -12, -28}},
    {2, 5, -4.4895, 0.1947, 4, {2, 6, 18}, {-2, -6, -14, -30}},
    {1, 6, -5.4429, 0.2429, 5, {1}, {-1, -3}},
    {3, 6, -5.4429, 0.2429, 5, {1, 3}, {-1, -5}},
    {6, 5, -4.4895, 0.1947, 4, {2, 4, 6}, {-2, -10, -26}},
    {5, 6, -5.4429, 0.2429, 5, {1, 5}, {-1, -3}},
    {7, 6, -5.4429, 0.2429, 5, {1, 3}, {-1, -9}},
    {12, 3, -5.4095, 0.2571, 3, {4, 8, 12}, {-4, -20}},
    {10, 5, -4.4895, 0.1947, 4, {2, 4, 6, 10}, {-2, -6, -22}},
    {9, 6, -5.4429, 0.2429, 5, {1, 5}, {-1, -3}},
    {11, 6, -5.4429, 0.2429, 5, {1, 3}, {-1, -5}},
    {14, 5, -4.4895, 0.1947, 4, {2, 4, 6, 14}, {-2, -18}},
    {13, 6, -5.4429, 0.2429, 5, {1, 5}, {-1, -3}},
    {15, 6, -5.4429, 0.2429, 5, {1, 3}, {-1, -17}},
    {24, 1, -4.5, 0.19, 2, {8, 16, 24}, {-8}},
    {20, 3, -5.4095, 0.2571, 3, {4, 12, 20}, {-4, -12}},
    {18, 5, -4.4895, 0.1947, 4, {2, 10, 18}, {-2, -6, -14}},
    {17, 6, -5.4429, 0.2429, 5, {1, 9}, {-1, -3}},
    {19, 6, -5.4429, 0.2429, 5, {1, 3}, {-1, -5}},
    {22, 5, -4.4895, 0.1947, 4, {2, 6, 22}, {-2, -10, 4}},
    {21, 6, -5.4429, 0.2429, 5, {1, 5}, {-1, -3}},
    {23, 6, -5.4429, 0.2429, 5, {1, 3}, {-1, -9}},
    {28, 3, -5.4095, 0.2571, 3, {4, 8, 12, 28}, {-4}},
    {26, 5, -4.4895, 0.1947, 4, {2, 6, 10, 26}, {-2, -6}},
    {25, 6, -5.4429, 0.2429, 5, {1, 5}, {-1, -3}},
    {27, 6, -5.4429, 0.2429, 5, {1, 3}, {-1, -5}},
    {30, 5, -4.4895, 0.1947, 4, {2, 6, 14, 30}, {-2}},
    {29, 6, -5.4429, 0.2429, 5, {1, 5}, {-1, -3}},
    {31, 6, -5.4429, 0.2429, 5, {1, 3}, {-1}},
};
const std::vector<GopEntry>* raGopTable(int gopSize) {
  return gopSize == 16 ? &kRaGop16 : gopSize == 32 ? &kRaGop32 : nullptr;
}
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

int defaultIntraPeriod(double fps, int gopSize) {
  const int n = int(std::floor(fps / gopSize + 0.5));
  return std::max(1, n) * gopSize;
}

std::string planGop(const std::string& config, int numFrames, int baseQp, int intraPeriod, int gopSize, GopPlan& out) {
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
  const std::vector<GopEntry>* table = raGopTable(gopSize);
  if (!table) return "--gop-size " + std::to_string(gopSize) + ": expected 16 or 32";
  if (intraPeriod <= 0 || intraPeriod % gopSize != 0)
    return "--intra-period " + std::to_string(intraPeriod) + ": must be a positive multiple of the GOP size " +
           std::to_string(gopSize);
  if (numFrames < 2) return "--config ra needs at least 2 frames (got " + std::to_string(numFrames) + "); use --config ai";
  out.gopSize = gopSize;
  for (const GopEntry& e : *table) out.maxTemporalId = std::max(out.maxTemporalId, e.temporalId);
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
  for (int gopStart = 0; gopStart + 1 < numFrames; gopStart += gopSize) {
    for (int g = 0; g < gopSize; ++g) {
      const GopEntry& e = (*table)[size_t(g)];
      const int poc = gopStart + e.pocOffset;
      if (poc >= numFrames) continue;
      if (poc % intraPeriod == 0) { addIntra(poc); continue; }
      PlannedPicture p;
      p.poc = poc; p.intra = false; p.gopIndex = g; p.temporalId = e.temporalId;
      p.hierarchyLevel = e.temporalId - (out.maxTemporalId - 4);
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
