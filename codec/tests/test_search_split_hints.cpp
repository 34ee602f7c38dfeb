// Split-hints parser tests: valid files, node-query semantics, and clear errors for bad input.
#include <cstdio>
#include <sstream>
#include <string>

#include "encoder/search/split_hints.h"
#include "test_check.h"

using namespace nnvvc;
using namespace nnvvc::search;


static std::string parseStr(SplitHints& h, const std::string& text) {
  std::istringstream in(text);
  return h.parse(in, "t.hints");
}

static bool contains(const std::string& s, const std::string& sub) { return s.find(sub) != std::string::npos; }

TEST_CASE(parsesAndAnswersNodeQueries) {
  // 160x90 picture, grid 32 -> 5 x 3 cells
  const std::string good =
      "nnvvc-split-hints 1   # comment\n"
      "picture 160 90\n"
      "ctu 128\n"
      "grid 32\n"
      "frames 2\n"
      "\n"
      "frame 0\n"
      "2 2 3 3 *\n"
      "2 2 3 3:0 1-3:2:hv\n"
      "1 1 1 1 1:*:-\n"
      "frame 1\n"
      "* * * * *\n"
      "* * * * *\n"
      "0:3:hH 0 0 0 0\n";
  {
    SplitHints h;
    std::string e = parseStr(h, good);
    CHECK(e.empty(), "good file rejected: %s", e.c_str());
    CHECK(h.frames() == 2 && h.cols() == 5 && h.rows() == 3 && h.grid() == 32, "header fields");
    const SplitHintCell& c = h.cell(0, 4, 1);
    CHECK(c.qtLo == 1 && c.qtHi == 3 && c.mttMax == 2 && c.mttTypes == (kHintBtHor | kHintBtVer),
          "cell 1-3:2:hv -> %d %d %d %d", c.qtLo, c.qtHi, c.mttMax, c.mttTypes);
    CHECK(h.cell(0, 4, 2).mttTypes == 0 && h.cell(0, 4, 2).mttMax == 15, "cell 1:*:-");
    CHECK(h.cell(1, 0, 0).qtLo == 0 && h.cell(1, 0, 0).qtHi == 15, "'*' cell unconstrained");
    CHECK(h.checkCompatible(160, 90, 128, 2).empty(), "compatible");
    CHECK(contains(h.checkCompatible(176, 144, 128, 1), "160x90"), "size mismatch reported");
    CHECK(contains(h.checkCompatible(160, 90, 128, 3), "2 frame"), "frame count reported");

    // Node semantics, frame 0. CTU (0,0) covers cells cols 0..3, rows 0..2 (90 rows -> 3 cells).
    CHECK(h.allowQtSplit(0, 0, 0, 128, 128, 0), "root QT split allowed (cells want depth 1..3)");
    CHECK(!h.allowQtEnd(0, 0, 0, 128, 128, 0), "root cannot end QT (all cells want depth >= 1)");
    // 64x64 at (0,0): cells (0..1, 0..1) all depth 2 -> must split at depth 1
    CHECK(h.allowQtSplit(0, 0, 0, 64, 64, 1) && !h.allowQtEnd(0, 0, 0, 64, 64, 1), "64 node");
    // 32x32 at (0,0) depth 2: exact -> end allowed, split not
    CHECK(!h.allowQtSplit(0, 0, 0, 32, 32, 2) && h.allowQtEnd(0, 0, 0, 32, 32, 2), "32 node");
    // 64x64 at (64,0): cells depth 3 -> split at 2 allowed, end at 2 not
    CHECK(h.allowQtSplit(0, 64, 0, 32, 32, 2) && !h.allowQtEnd(0, 64, 0, 32, 32, 2), "deep cell");
    // MTT: cell (3,1) is 3:0 -> no MTT; cell (4,1) is 1-3:2:hv
    CHECK(!h.allowMtt(0, 96, 32, 32, 32, 0, SplitMode::kBtHor), "mtt depth 0 forbids MTT");
    CHECK(h.allowMtt(0, 128, 32, 32, 32, 1, SplitMode::kBtVer), "hv allows BT ver at depth 1");
    CHECK(!h.allowMtt(0, 128, 32, 32, 32, 2, SplitMode::kBtVer), "max MTT depth 2");
    CHECK(!h.allowMtt(0, 128, 32, 32, 32, 0, SplitMode::kTtHor), "hv forbids TT");
    CHECK(!h.allowMtt(0, 128, 64, 32, 32, 0, SplitMode::kBtHor), "'-' forbids all MTT");
    // positions beyond the picture clamp to the last cell
    CHECK(!h.allowMtt(0, 150, 120, 8, 8, 0, SplitMode::kBtHor), "clamped to cell (4,2)");
    CHECK(h.allowMtt(1, 0, 64, 16, 16, 2, SplitMode::kTtHor) &&
              !h.allowMtt(1, 0, 64, 16, 16, 0, SplitMode::kTtVer),
          "frame 1 row 2 cell 0:3:hH");
    // The two QT queries can never both be false
    for (int d = 0; d < 5; ++d)
      for (int y = 0; y < 96; y += 16)
        for (int x = 0; x < 160; x += 16)
          CHECK(h.allowQtSplit(0, x, y, 32, 32, d) || h.allowQtEnd(0, x, y, 32, 32, d),
                "no choice at %d,%d depth %d", x, y, d);
  }
}

// Errors name the line and the value
TEST_CASE(errorsNameLineAndValue) {
  struct Bad { const char* text; const char* expect; };
  const Bad bad[] = {
      {"", "t.hints:0: expected header"},
      {"nnvvc-split-hints 2\n", "unsupported split hints version '2'"},
      {"nnvvc-split-hints 1\npicture 160\n", "t.hints:2: 'picture' takes 2"},
      {"nnvvc-split-hints 1\npicture 160 x90\n", "bad picture value 'x90'"},
      {"nnvvc-split-hints 1\npicture 16 16\nctu 96\n", "bad ctu value '96'"},
      {"nnvvc-split-hints 1\npicture 16 16\nctu 128\ngrid 12\n", "bad grid value '12'"},
      {"nnvvc-split-hints 1\npicture 16 16\nctu 128\ngrid 8\nframes 1\nframe 1\n", "t.hints:6: expected 'frame 0'"},
      {"nnvvc-split-hints 1\npicture 16 16\nctu 128\ngrid 8\nframes 1\nframe 0\n1 1\n", "unexpected end of file in frame 0"},
      {"nnvvc-split-hints 1\npicture 16 16\nctu 128\ngrid 8\nframes 1\nframe 0\n1 1 1\n1 1\n", "t.hints:7: frame 0 row 0 has 3 cells, expected 2"},
      {"nnvvc-split-hints 1\npicture 16 16\nctu 128\ngrid 8\nframes 1\nframe 0\n1 7\n1 1\n", "t.hints:7: cell 1 ('7'): bad QT depth '7'"},
      {"nnvvc-split-hints 1\npicture 16 16\nctu 128\ngrid 8\nframes 1\nframe 0\n1 3-1\n1 1\n", "lo > hi"},
      {"nnvvc-split-hints 1\npicture 16 16\nctu 128\ngrid 8\nframes 1\nframe 0\n1 1:x\n1 1\n", "bad MTT depth 'x'"},
      {"nnvvc-split-hints 1\npicture 16 16\nctu 128\ngrid 8\nframes 1\nframe 0\n1 1:2:hq\n1 1\n", "bad MTT split type 'q'"},
      {"nnvvc-split-hints 1\npicture 16 16\nctu 128\ngrid 8\nframes 1\nframe 0\n1 1:2:hh\n1 1\n", "repeated"},
      {"nnvvc-split-hints 1\npicture 16 16\nctu 128\ngrid 8\nframes 1\nframe 0\n1 1:2:h:v\n1 1\n", "too many ':'"},
      {"nnvvc-split-hints 1\npicture 16 16\nctu 128\ngrid 8\nframes 1\nframe 0\n1 1\n1 1\nframe 1\n", "t.hints:9: unexpected content after the last frame"},
  };
  for (const Bad& b : bad) {
    SplitHints h;
    std::string e = parseStr(h, b.text);
    CHECK(contains(e, b.expect), "error for %s\n  got: '%s'\n  expected to contain: '%s'",
          b.text, e.c_str(), b.expect);
    CHECK(!h.loaded(), "failed parse left hints loaded");
  }
}

TEST_CASE(missingFile) {
  {
    SplitHints h;
    CHECK(contains(h.parseFile("/nonexistent/x.hints"), "cannot open"), "missing file");
  }
}

int main(int argc, char** argv) { return runTestCases(argc, argv); }
