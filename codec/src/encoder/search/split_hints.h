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
// Node semantics (a node covers a set of cells; cells beyond the picture use the nearest cell):
//   QT split of a node at cqtDepth q allowed   iff some covered cell has qtHi > q;
//   ending the QT at depth q (leaf or MTT)      iff every covered cell has qtLo <= q;
//     (these two can never both be false, so hints never leave a node without a choice);
//   MTT split of type t at mttDepth m allowed  iff some covered cell has mttMax > m and allows t.
// Hints only remove choices; the spec rules (SplitRules) are applied on top, and if hints and rules
// together leave nothing, the search ignores the hints at that node (the stream stays valid).
#pragma once
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
};

class SplitHints {
 public:
  // Parse a hints file. Returns "" on success, else a message naming the file:line and the value.
  std::string parseFile(const std::string& path);
  std::string parse(std::istream& in, const std::string& name);

  // Check the header against the encode (source size, CTU size, number of frames to be coded).
  std::string checkCompatible(int srcWidth, int srcHeight, int ctuSize, int numFrames) const;

  bool loaded() const { return frames_ > 0; }
  int width() const { return width_; }
  int height() const { return height_; }
  int grid() const { return grid_; }
  int frames() const { return frames_; }
  int cols() const { return cols_; }
  int rows() const { return rows_; }
  const SplitHintCell& cell(int frame, int col, int row) const {
    return cells_[(size_t(frame) * size_t(rows_) + size_t(row)) * size_t(cols_) + size_t(col)];
  }

  // Node queries (luma rectangle, clamped to the hint grid), see header comment for semantics.
  bool allowQtSplit(int frame, int x, int y, int w, int h, int qtDepth) const;
  bool allowQtEnd(int frame, int x, int y, int w, int h, int qtDepth) const;
  bool allowMtt(int frame, int x, int y, int w, int h, int mttDepth, SplitMode split) const;

 private:
  template <class F> void forCells(int frame, int x, int y, int w, int h, F&& f) const;
  int width_ = 0, height_ = 0, ctu_ = 0, grid_ = 0, frames_ = 0, cols_ = 0, rows_ = 0;
  std::vector<SplitHintCell> cells_;
};

// Parse one cell token; returns "" or an error description (without position).
std::string parseSplitHintToken(const std::string& tok, SplitHintCell& out);

}  // namespace search
}  // namespace nnvvc
