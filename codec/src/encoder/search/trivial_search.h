// Fixed-decision CTU search (preset "trivial").
#pragma once
#include <memory>

#include "encoder/search/ctu_search.h"

namespace nnvvc {
std::unique_ptr<CtuSearch> createTrivialSearch();
// Random legal decisions for syntax coverage tests (preset "syntax-stress").
std::unique_ptr<CtuSearch> createStressSearch();
}
