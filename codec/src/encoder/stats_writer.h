// --stats JSON writer (format in codec/README.md, "Stats JSON").
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/coding_structs.h"
#include "encoder/gop_plan.h"
#include "encoder/search/ctu_search.h"
#include "encoder/search/rd_search.h"

namespace nnvvc {

struct FrameStats {
  int poc = 0, codingIndex = 0;
  const char* sliceType = "I";
  int temporalId = 0, qp = 0;
  uint64_t bits = 0;
  double psnr[3] = {0, 0, 0};
  double seconds = 0;
  std::vector<CodingUnit> cus;  // luma CUs (chroma-only CUs left out)
  std::vector<CodingUnit> chromaCus;  // the chroma tree's CUs of a dual-tree I slice (luma coordinates)
  std::vector<QtNodeCost> qtNodes;  // the search's luma quadtree node costs (RD presets)
};

struct StreamStats {
  int width = 0, height = 0;
  double fps = 0;
  int qp = 0;
  std::string preset, config;
  int intraPeriod = 0, gopSize = 1;
  uint64_t totalBits = 0;
  std::vector<FrameStats> frames;  // in output (POC) order
  bool qtNodes = false;  // write each frame's qt_nodes (--stats-qt-nodes)
  std::optional<search::SearchStats> search;  // the RD search's counters over the stream (RD presets; "search")
};

// Writes the JSON file; returns false when it cannot be created.
bool writeStatsJson(const std::string& path, const StreamStats& s);

}  // namespace nnvvc
