// Split hints: an external constraint (e.g. written by a CNN split predictor) on which partition
// splits the encoder search may try. Text format, documented in codec/README.md ("Split hints"):
//
//   nnvvc-split-hints 1
//   picture <width> <height>        # source (uncropped input) luma size
//   ctu 128
//   grid <g>                        # cell size in luma samples: 4, 8, 16, 32, 64 or 128
//   frames <n>
//   frame 0
//   <ceil(height/g) rows of ceil(width/g) cell tokens>
//   frame 1 ...
//
// Cell token: QT[:M[:T]] or '*'
//   QT  QT depth of the CU covering the cell: a digit d, or a range lo-hi (digits 0..5)
//       (0 = 128x128 leaf, 1 = 64, 2 = 32, 3 = 16, 4 = 8 ...), or '*' for any.
//   M   maximum MTT depth below the QT leaf (digit 0..9, '*' = any).
//   T   allowed MTT split types, letters from "hvHV" (h = BT horizontal, v = BT vertical,
//       H = TT horizontal, V = TT vertical), '*' = all, '-' = none.
// A '*' token alone = no constraint. '#' starts a comment; blank lines are ignored.
//
// Version 2 (probabilities, for per-node decisions with a confidence): an optional header line
// 'threshold <t>' or 'threshold <tQtSplit> <tQtEnd> <tMtt>' (each 0 < t < 1, default 0.1) before
// 'frames', and every cell token 'p' followed by 7 base64url digits (A-Z a-z 0-9 - _ = 0..63,
// probability = digit / 63): P(QT depth > q) for q = 0..3, then P(MTT depth > m) for m = 0..2, the
// cumulative tails of the predicted distributions; optionally 2 more digits: P(the MTT split at MTT depth
// m = 0, 1 is vertical) (BT/TT vertical against horizontal, given that the area splits there); optionally then 'c' and
// 7 more digits: the same two tails for the chroma coding tree of a dual-tree I slice (QT depth in luma terms: 1 = a
// 64x64 luma area's chroma, 4 = 4x4 chroma samples), which is otherwise searched without hints. A node's probability of a deeper split is the largest
// of its quadrants' means (a node splits when any part of it must; the mean within a quadrant smooths
// single cells). Node semantics:
//   QT split allowed iff P(QT depth > q) >= tQtSplit; ending the QT at q iff 1 - P(QT depth > q) >= tQtEnd;
//   MTT split at mttDepth m iff P(MTT depth > m) >= tMtt (and the QT may end there);
//   with a direction threshold tDir (a 4th threshold value, <= 0.5) and direction digits, at mttDepth 0 and 1 a
//   vertical split also needs the node's mean P(vertical) >= tDir, a horizontal one 1 - that >= tDir.
//   with a fallback (a 5th value, in bits; SplitThresholds::fallbackBits) the search tries a removed split after all
//   where the leaf CU it coded has a luma distortion uneven across that split by at least fallback x lambda.
//   The chroma tree's nodes decide alike on the chroma digits, with the 6th-8th values as their QT split, QT end and
//   MTT thresholds (default: the luma ones), never by direction or fallback.
// (with tQtSplit + tQtEnd <= 1 one of QT split / QT end always remains.) The encoder's --split-threshold
// overrides the file's thresholds, so one prediction serves several operating points.
// Per temporal layer: several threshold sets separated by '|' ('threshold 0.12 0.3 0.12 | 0.2 0.3 0.2', or
// --split-threshold 0.12,0.3,0.12|0.2,0.3,0.2): set k applies to the pictures of TemporalId k, the last set to every
// higher layer as well. Pictures of the upper layers are referenced by few others or none, so a partition error there
// costs less of the sequence's quality, and their search can be pruned harder.
//
// Node semantics (a node covers a set of cells; cells beyond the picture use the nearest cell):
//   QT split of a node at cqtDepth q allowed   iff some covered cell has qtHi > q;
//   ending the QT at depth q (leaf or MTT)      iff every covered cell has qtLo <= q;
//     (these two can never both be false, so hints never leave a node without a choice);
//   MTT split of type t at mttDepth m allowed  iff some covered cell has mttMax > m and allows t.
// Hints only remove choices; the spec rules (SplitRules) are applied on top, and if hints and rules
// together leave nothing, the search ignores the hints at that node (the stream stays valid).
#pragma once
#include <algorithm>
#include <cstdint>
#include <istream>
#include <string>
#include <vector>

#include "common/coding_structs.h"

namespace nnvvc {
namespace search {

enum SplitTypeBits : uint8_t {
  kHintBtHor = 1, kHintBtVer = 2, kHintTtHor = 4, kHintTtVer = 8, kHintAllMtt = 15
};

struct SplitHintCell {
  uint8_t qtLo = 0, qtHi = 15;  // allowed range of the CU's QT depth
  uint8_t mttMax = 15;          // max MTT depth
  uint8_t mttTypes = kHintAllMtt;
  // version 2: cumulative probabilities in 63ths, P(QT depth > q) q = 0..3, P(MTT depth > m) m = 0..2
  uint8_t pQt[4] = {63, 63, 63, 63};
  uint8_t pMtt[3] = {63, 63, 63};
  // optional: P(the MTT split at MTT depth m = 0, 1 of the cell's area is vertical) in 63ths; 255 = not given
  uint8_t pVer[2] = {255, 255};
  // optional: the chroma tree's P(QT depth > q), P(MTT depth > m) in 63ths (chroma = false: not given)
  bool chroma = false;
  uint8_t pQtC[4] = {63, 63, 63, 63};
  uint8_t pMttC[3] = {63, 63, 63};
};

// Per-node decision thresholds of version 2 hints (probabilities a split / the QT's end needs to be tried).
struct SplitThresholds {
  double qtSplit = 0.1, qtEnd = 0.1, mtt = 0.1;
  double dir = 0.0;  // split direction (0 = off): BT/TT of a direction tried iff its probability >= dir (<= 0.5)
  // Fallback (0 = off): after a leaf CU, the splits these thresholds removed are tried where the leaf's luma
  // distortion differs between the split's parts by at least this many bits' worth (lambda x bits): the predictor
  // missed an edge or a motion boundary there. Quadrants for QT, halves for BT / TT of each direction.
  double fallbackBits = 0.0;
  // The chroma tree's QT split, QT end and MTT thresholds (chroma digits; <= 0: the luma ones above).
  double chromaQtSplit = 0.0, chromaQtEnd = 0.0, chromaMtt = 0.0;
  // The luma tree's QT split and MTT thresholds at small nodes, whose longer side is at most kSmallNode samples
  // (<= 0: qtSplit / mtt). A small CU's search costs more time than its area suggests (intra mode candidates,
  // context and syntax work per CU), so a harder set there saves more time for the loss than a harder set everywhere.
  double smallQtSplit = 0.0, smallMtt = 0.0;
};
constexpr int kSmallNode = 16;

// "t" (all three) or "tQtSplit,tQtEnd,tMtt[,tDir[,fallbackBits[,cQtSplit,cQtEnd,cMtt[,sQtSplit,sMtt]]]]", each
// 0 < t < 1 (0 <= tDir <= 0.5, 0 = off; 0 <= fallbackBits <= 1000, 0 = off; the chroma tree's three in (0, 1), or
// with ten values in [0, 1), 0 = the luma ones; the small nodes' two in [0, 1), 0 = tQtSplit / tMtt), as file tokens
// or a comma list; "" on success, else what is wrong.
std::string parseSplitThresholds(const std::vector<std::string>& values, SplitThresholds& out);
std::string parseSplitThresholds(const std::string& commaList, SplitThresholds& out);
// One set or several per temporal layer, separated by '|' (a token of its own or within one): "" on success.
constexpr int kMaxThresholdLayers = 7;  // TemporalId 0..6
std::string parseSplitThresholdLayers(const std::vector<std::string>& tokens, std::vector<SplitThresholds>& out);
std::string parseSplitThresholdLayers(const std::string& list, std::vector<SplitThresholds>& out);

class SplitHints {
 public:
  // Parse a hints file. Returns "" on success, else a message naming the file:line and the value.
  std::string parseFile(const std::string& path);
  std::string parse(std::istream& in, const std::string& name);

  // Check the header against the encode (source size, CTU size, number of frames to be coded).
  std::string checkCompatible(int srcWidth, int srcHeight, int ctuSize, int numFrames) const;

  bool loaded() const { return frames_ > 0; }
  bool hasChroma() const { return hasChroma_; }  // some cell carries chroma-tree digits (version 2)
  int version() const { return version_; }
  // Version 2 decision thresholds of a picture of `temporalId` (the file's, or 0.1 each; the last set for the layers
  // above those given); setThresholds overrides them (one set for all layers, or one per layer).
  const SplitThresholds& thresholds(int temporalId = 0) const {
    return thresholds_[size_t(std::min(std::max(temporalId, 0), int(thresholds_.size()) - 1))];
  }
  int thresholdLayers() const { return int(thresholds_.size()); }
  void setThresholds(const SplitThresholds& t) { thresholds_.assign(1, t); }
  void setThresholds(const std::vector<SplitThresholds>& layers) {
    if (!layers.empty()) thresholds_ = layers;
  }
  int width() const { return width_; }
  int height() const { return height_; }
  int grid() const { return grid_; }
  int frames() const { return frames_; }
  int cols() const { return cols_; }
  int rows() const { return rows_; }
  const SplitHintCell& cell(int frame, int col, int row) const {
    return cells_[(size_t(frame) * size_t(rows_) + size_t(row)) * size_t(cols_) + size_t(col)];
  }

  // Node queries (luma rectangle, clamped to the hint grid), see header comment for semantics; version 2 decides
  // with the thresholds of the picture's temporal layer.
  // chroma: a node of a dual-tree I slice's chroma tree (luma coordinates), decided on the chroma digits (cells
  // without them allow everything).
  bool allowQtSplit(int frame, int x, int y, int w, int h, int qtDepth, int temporalId = 0, bool chroma = false) const;
  bool allowQtEnd(int frame, int x, int y, int w, int h, int qtDepth, int temporalId = 0, bool chroma = false) const;
  bool allowMtt(int frame, int x, int y, int w, int h, int mttDepth, SplitMode split, int temporalId = 0,
                bool chroma = false) const;

 private:
  template <class F> void forCells(int frame, int x, int y, int w, int h, F&& f) const;
  // Version 2: the largest quadrant mean of a per-cell probability (63ths), as a probability.
  template <class G> double nodeProbability(int frame, int x, int y, int w, int h, G&& get) const;
  int version_ = 1;
  bool hasChroma_ = false;
  std::vector<SplitThresholds> thresholds_ = std::vector<SplitThresholds>(1);
  int width_ = 0, height_ = 0, ctu_ = 0, grid_ = 0, frames_ = 0, cols_ = 0, rows_ = 0;
  std::vector<SplitHintCell> cells_;
};

// Parse one cell token; returns "" or an error description (without position).
std::string parseSplitHintToken(const std::string& tok, SplitHintCell& out);
// Parse one version 2 probability token ('p' + 7 base64url digits, cumulative probabilities non-increasing).
std::string parseSplitHintProbToken(const std::string& tok, SplitHintCell& out);

}  // namespace search
}  // namespace nnvvc
