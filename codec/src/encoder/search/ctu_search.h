// The interface between the encoder driver (picture_encoder.cpp) and the encoder search.
// See INTERFACE.md next to this file.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "cabac/cabac.h"
#include "common/coding_structs.h"
#include "common/slice_params.h"
#include "partition/partition.h"

namespace nnvvc {

struct SearchConfig {
  std::string preset = "trivial";  // --preset
  std::string splitHintsPath;      // --split-hints (format defined by the search)
  std::string splitThreshold;      // --split-threshold: "t" or "tQtSplit,tQtEnd,tMtt", overrides a version 2 hints
                                   // file's thresholds ("" = the file's)
  int qp = 32;
  int frameRate = 30;
  bool allIntra = false;  // --config ai (the preset's all-intra variants apply)
  // Source luma size and number of frames to encode (0 = unknown): lets the search reject
  // --split-hints made for another picture size or with too few frames before encoding starts.
  int sourceWidth = 0, sourceHeight = 0, sourceFrames = 0;
};

// One quadtree node's RD costs as the search found them (--stats qt_nodes: the split predictor's cost-aware labels).
// Costs are (J - the node's best J) / lambda, i.e. bits; < 0: not tried. The QT split and the best MTT split are lower
// bounds where their *Lower flag is set (aborted once the partial cost reached the best so far).
// MTT depth 1 nodes (the halves and thirds of a QT leaf's MTT split) are recorded too, with mttDepth 1 (--stats
// mtt_nodes: the labels of the split direction at MTT depth 1); qt, mtt unset there. A quadtree node has w == h.
struct QtNodeCost {
  int x = 0, y = 0, w = 0, h = 0, qtDepth = 0, mttDepth = 0;
  float leaf = -1, qt = -1, mtt = -1;
  bool qtLower = false, mttLower = false;
  // the best horizontal (BT/TT hor) and vertical MTT split apart (the split direction's labels), likewise
  float mttHor = -1, mttVer = -1;
  bool mttHorLower = false, mttVerLower = false;
};

// Everything available when searching one CTU.
struct CtuSearchContext {
  const Picture* orig = nullptr;        // source at the coded size (10-bit, padded at edges)
  Picture* recon = nullptr;             // reconstruction: samples of earlier CTUs are final; the
                                        // search may write the current CTU area freely (it is
                                        // overwritten by the driver's canonical reconstruction)
  CuMap* cuMap = nullptr;               // syntax info + reconstruction marks of earlier CUs
  // P/B slices: motion of earlier CUs (areas not yet coded hold interDir 0, and the search must
  // leave them so) and the HMVP table at the start of this CTU (already reset for a new CTU row).
  MotionField* motion = nullptr;
  const HmvpTable* hmvp = nullptr;
  const ContextSet* ctx = nullptr;      // CABAC state at the start of this CTU (copy it to estimate)
  const PartitionConfig* part = nullptr;
  const SliceParams* slice = nullptr;
  int ctuX = 0, ctuY = 0;               // luma position of the CTU
  int frameIndex = 0;
  // --stats-qt-nodes: an RD search appends each luma quadtree node's costs here, and each MTT depth 1 node's
  // (nullptr: none wanted)
  std::vector<QtNodeCost>* qtNodes = nullptr;
};

class CtuSearch {
 public:
  virtual ~CtuSearch() = default;
  // Called once per picture before its first CTU.
  virtual void beginPicture(const Picture& /*orig*/, const SliceParams& /*slice*/, int /*frameIndex*/) {}
  // Decide the coding of one CTU: fill `out` (splits, CUs with modes, TUs with levels in
  // out.coeffs). out.ctuX/ctuY are preset. On return the driver clears the CTU's reconstruction
  // marks in cuMap, writes the CTU with the real CABAC encoder (which stores the CU syntax info
  // into cuMap) and reconstructs it with recon::reconstructCtu (marking it reconstructed).
  virtual void searchCtu(const CtuSearchContext& ctx, CtuCoding& out) = 0;
};

// Factory used by the driver, implemented in search_factory.cpp:
// "trivial" (fixed decisions), "syntax-stress" and the RD presets. Returns nullptr for an
// unknown preset name.
std::unique_ptr<CtuSearch> createCtuSearch(const SearchConfig& cfg);
// Names accepted by createCtuSearch, for --help.
std::string ctuSearchPresetNames();

}  // namespace nnvvc
