// The RD encoder search: partition search over the allowed splits by J = D + lambda * R,
// intra luma mode search (SATD pre-selection, then full RD), chroma mode RD, RDOQ; constrained by
// presets and optional split hints. Plugs into the driver through CtuSearch (ctu_search.h).
#pragma once
#include <memory>
#include <string>

#include "encoder/search/ctu_search.h"
#include "encoder/search/presets.h"
#include "encoder/search/split_hints.h"

namespace nnvvc {
namespace search {

// Counters for statistics / tests (deterministic).
struct SearchStats {
  uint64_t nodesVisited = 0, leavesEvaluated = 0, lumaModesRd = 0, splitsAborted = 0;
  // luma samples of every leaf (CU) the search evaluated, over the picture's area: where the search's work goes, and
  // what split hints save of it, without timing noise (--stats "search")
  uint64_t leafSamples = 0;
  uint64_t mtsTrials = 0;  // explicit-MTS luma RD trials (mts_idx 1..4)
  uint64_t lfnstTrials = 0;  // LFNST luma RD trials (lfnst_idx 1, 2)
  uint64_t ispTrials = 0;    // ISP luma RD trials (one per split)
};

// Creates the RD search. Throws std::invalid_argument with a clear message when the preset is
// unknown or the split hints file cannot be parsed.
std::unique_ptr<CtuSearch> createRdSearch(const SearchConfig& cfg);
// Same with already parsed hints (nullptr = none); used by tests.
std::unique_ptr<CtuSearch> createRdSearch(const SearchPreset& preset,
                                          std::shared_ptr<const SplitHints> hints);
// Statistics of a search created by createRdSearch (nullptr if `s` is not one).
const SearchStats* rdSearchStats(const CtuSearch* s);

}  // namespace search
}  // namespace nnvvc
