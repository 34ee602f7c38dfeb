// Maps --preset names to CTU search implementations .
//   exhaustive | slow | medium | fast | faster : the RD search (rd_search.h, presets.h)
//   trivial                                     : fixed decisions (testing the chain)
//   syntax-stress                               : random legal decisions (syntax coverage tests)
#include <stdexcept>

#include "encoder/search/ctu_search.h"
#include "encoder/search/presets.h"
#include "encoder/search/rd_search.h"
#include "encoder/search/trivial_search.h"

namespace nnvvc {

// Returns nullptr for an unknown preset. Throws std::invalid_argument (message names the file,
// line and value) when the --split-hints file cannot be read or parsed.
std::unique_ptr<CtuSearch> createCtuSearch(const SearchConfig& cfg) {
  if (cfg.preset == "syntax-stress") {  // random legal decisions, for syntax-coverage tests only
    if (!cfg.splitHintsPath.empty())
      throw std::invalid_argument("--split-hints is not supported by preset 'syntax-stress'");
    return createStressSearch();
  }
  if (cfg.preset == "trivial") {
    if (!cfg.splitHintsPath.empty())
      throw std::invalid_argument("--split-hints is not supported by preset 'trivial'");
    return createTrivialSearch();
  }
  search::SearchPreset p;
  if (!search::presetByName(cfg.preset, p)) return nullptr;
  return search::createRdSearch(cfg);
}

std::string ctuSearchPresetNames() { return std::string(search::searchPresetNames()) + "|trivial"; }

}  // namespace nnvvc
