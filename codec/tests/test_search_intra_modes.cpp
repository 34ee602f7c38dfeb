// Intra mode pre-selection: coarse-to-fine evaluation finds odd-mode minima, the RD list holds the
// best modes first, MPM candidates are always added (up to the configured count), no duplicates,
// and the number of cheap evaluations stays far below 67.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "encoder/search/intra_mode_select.h"
#include "test_check.h"

using namespace nnvvc::search;


TEST_CASE(findsCostBowlMinimumWithFewEvaluations) {
  for (int target = 2; target <= 66; ++target) {
    int evals = 0;
    // smooth cost bowl around `target` (angular), planar/DC expensive
    auto cost = [&](int m) {
      ++evals;
      if (m < 2) return 1000.0 + m;
      return 10.0 * std::fabs(double(m - target)) + 1.0;
    };
    const int mpm[5] = {50, 18, 46, 54, 2};
    for (int step : {2, 4}) {
      evals = 0;
      ModeSelectConfig cfg{3, 2, 3, step};
      int out[16];
      const int n = selectIntraModes(cost, mpm, cfg, out);
      CHECK(out[0] == target, "step %d target %d: best mode %d", step, target, out[0]);
      CHECK(n <= cfg.numRd + cfg.numMpmRd, "too many modes %d", n);
      CHECK(evals <= (step == 2 ? 41 : 31), "step %d target %d: %d cheap evaluations", step, target, evals);
      std::set<int> s(out, out + n);
      CHECK(int(s.size()) == n, "duplicate modes");
      CHECK(s.count(0) == 1 && s.count(50) == 1, "MPM candidates planar and mpm[0] must be included");
      for (int i = 0; i < n; ++i) CHECK(out[i] >= 0 && out[i] <= 66, "mode out of range");
    }
  }
}

TEST_CASE(allMpmCandidatesDeterministic) {
  {
    // all six MPM candidates requested, numRd 1
    auto cost = [](int m) { return double((m * 37) % 67); };
    const int mpm[5] = {10, 20, 30, 40, 60};
    ModeSelectConfig cfg{1, 6, 2};
    int out[16], out2[16];
    const int n = selectIntraModes(cost, mpm, cfg, out);
    const int n2 = selectIntraModes(cost, mpm, cfg, out2);
    CHECK(n == n2 && std::equal(out, out + n, out2), "not deterministic");
    std::set<int> s(out, out + n);
    for (int m : {0, 10, 20, 30, 40, 60}) CHECK(s.count(m) == 1, "MPM %d missing", m);
    CHECK(out[0] == 0, "cheapest evaluated mode (planar, cost 0) first, got %d", out[0]);
  }
}

int main(int argc, char** argv) { return runTestCases(argc, argv); }
