#include "encoder/search/presets.h"

namespace nnvvc {
namespace search {

const char* searchPresetNames() { return "exhaustive|slow|medium|fast|faster"; }

bool presetByName(const std::string& name, SearchPreset& p) {
  p = SearchPreset{};
  p.name = name;
  // MMVD (SearchPreset::mmvd) at medium and the slower presets: `medium` BQTerrace 9 frames -1.01% BD-rate for
  // +10.6% CPU, BasketballPass 17 frames -0.46% for +22.5%; `slow` BasketballPass -0.49% for +17%
  if (name == "exhaustive") {
    p.mmvd = true;
    return true;
  }
  if (name == "slow") {
    p.modes = {5, 3, 3};
    p.mmvd = true;
    return true;
  }
  if (name == "medium") {
    p.maxMttDepth = 2;
    p.modes = {3, 2, 2};
    p.largeBlockRdReduce = 1;
    p.numChromaModes = 3;
    p.skipTtIfBtNoGain = true;
    // three merge candidates to full RD (BasketballPass 33 frames: -0.28% BD-rate for +2.2% time against two)
    p.numMergeRd = 3;
    p.numAmvpRd = 1;
    p.numCiipRd = 0;
    p.smvd = false;
    p.meRangeMax = 64;
    p.interSkipStopsSplit = false;
    p.intraInInterMaxTid = 2;
    p.skipStopsMttFromTid = 3;  // -25% time for +0.15% (BQTerrace) / +0.6% (BasketballPass) BD-rate, RA 9/17 frames
    // Early skip detection in the low temporal layers: -10.7% time for +0.63% (BQTerrace) / +0.45% (BasketballPass).
    // (In layers 3 and 4 it cost +2.65% on BQTerrace for -7.8%: there the motion search still pays.)
    p.skipStopsAmvpMaxTid = 2;
    p.mmvd = true;
    // RDOQ without the exact-J guard in P/B slices: -7.0% time for +0.20% / -0.06% (I slices keep it: all-intra
    // streams stay as they were)
    p.rdoqGuardInterSlices = false;
    return true;
  }
  if (name == "fast") {
    p.maxMttDepth = 1;
    p.tryTt = false;
    p.modes = {2, 1, 2, 4};
    p.largeBlockRdReduce = 1;
    p.numChromaModes = 2;
    p.skipSplitsIfLeafZeroCbf = true;
    p.rdoqGuard = false;
    p.numMergeRd = 1;
    p.numAmvpRd = 1;
    p.numCiipRd = 0;
    p.smvd = false;
    p.meRangeMax = 48;
    p.interSkipStopsSplit = true;
    p.intraInInterMaxTid = 2;
    return true;
  }
  if (name == "faster") {
    p.maxMttDepth = 1;
    p.tryTt = false;
    p.localDualTree = false;
    p.modes = {1, 1, 1, 4};
    p.numChromaModes = 1;
    p.skipSplitsIfLeafZeroCbf = true;
    p.minLeafLog2ForSplitSkip = 3;
    p.rdoqGuard = false;
    p.numMergeRd = 1;
    p.numAmvpRd = 1;
    p.numCiipRd = 0;
    p.smvd = false;
    p.meRangeMax = 32;
    p.meBi = false;
    p.interSkipStopsSplit = true;
    p.intraInInterMaxTid = 2;
    return true;
  }
  return false;
}

}  // namespace search
}  // namespace nnvvc
