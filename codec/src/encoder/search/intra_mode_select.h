// Luma intra mode pre-selection: a cheap cost (SATD of the prediction error + sqrt(lambda) * estimated
// mode bits) over the 67 modes, coarse to fine (planar, DC and the 33 even angles, then the odd
// neighbours of the best angles), and the list of modes that get the full RD check: the best few by
// that cost plus MPM candidates (always included up to the preset's count).
#pragma once
#include <cstdint>

namespace nnvvc {
namespace search {

struct ModeSelectConfig {
  int numRd = 3;         // best modes (by cheap cost) that get full RD
  int numMpmRd = 2;      // how many of the MPM candidates (planar, mpm[0], mpm[1], ...) are added
  int numRefine = 3;     // best coarse angular modes whose neighbours are also evaluated
  int coarseStep = 2;    // 2: the 33 even angles first; 4: 17 angles (2, 6, ..., 66), then +-2
  // the extra candidates (MRL, MIP) join the RD list where their cheap cost beats the best regular mode's (true) or
  // the last of the numRd best (false)
  bool extraVsBest = false;
};

// costFn(mode) -> cheap cost (double) for modes 0..66. mpm: planar is mode 0, mpm[0..4] the
// candModeList entries. Writes at most numRd + numMpmRd distinct modes to out (best first, MPM
// additions after), returns the count. extraThreshold (optional): the cheap cost an MRL or MIP candidate has to beat (the
// best pick's or the last best-by-cost pick's, cfg.extraVsBest). bestCost (optional): the best pick's cheap cost.
template <class CostFn>
int selectIntraModes(CostFn&& costFn, const int mpm[5], const ModeSelectConfig& cfg, int out[16],
                     double* extraThreshold = nullptr, double* bestCost = nullptr) {
  double cost[67];
  bool done[67] = {};
  auto eval = [&](int m) {
    if (m < 0 || m > 66 || done[m]) return;
    done[m] = true;
    cost[m] = costFn(m);
  };
  eval(0);
  eval(1);
  const int step = cfg.coarseStep == 4 ? 4 : 2;
  for (int m = 2; m <= 66; m += step) eval(m);
  // refine around the best evaluated angular modes: +-step/2, then (step 4) +-1 around the new best
  const int numRefine = cfg.numRefine < 8 ? cfg.numRefine : 8;
  auto refine = [&](int delta) {
    int best[8];
    int nb = 0;
    for (int k = 0; k < numRefine; ++k) {
      int bm = -1;
      for (int m = 2; m <= 66; ++m) {
        if (!done[m]) continue;
        bool taken = false;
        for (int j = 0; j < nb; ++j) taken |= best[j] == m;
        if (!taken && (bm < 0 || cost[m] < cost[bm])) bm = m;
      }
      if (bm < 0) break;
      best[nb++] = bm;
    }
    for (int j = 0; j < nb; ++j) {
      eval(best[j] - delta);
      eval(best[j] + delta);
    }
  };
  if (step == 4) refine(2);
  refine(1);
  // best numRd among evaluated modes (ties -> lower mode, deterministic)
  int n = 0;
  const int numRd = cfg.numRd < 10 ? cfg.numRd : 10;
  for (int k = 0; k < numRd; ++k) {
    int bm = -1;
    for (int m = 0; m <= 66; ++m) {
      if (!done[m]) continue;
      bool taken = false;
      for (int j = 0; j < n; ++j) taken |= out[j] == m;
      if (!taken && (bm < 0 || cost[m] < cost[bm])) bm = m;
    }
    if (bm < 0) break;
    out[n++] = bm;
    if (extraThreshold && (n == 1 || !cfg.extraVsBest)) *extraThreshold = cost[bm];
    if (bestCost && n == 1) *bestCost = cost[bm];
  }
  // MPM candidates
  const int mpmAll[6] = {0, mpm[0], mpm[1], mpm[2], mpm[3], mpm[4]};
  int added = 0;
  for (int k = 0; k < 6 && added < cfg.numMpmRd; ++k) {
    const int m = mpmAll[k];
    bool taken = false;
    for (int j = 0; j < n; ++j) taken |= out[j] == m;
    if (!taken) out[n++] = m;
    ++added;
  }
  return n;
}

}  // namespace search
}  // namespace nnvvc
