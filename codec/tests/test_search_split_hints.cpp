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
      {"nnvvc-split-hints 9\n", "unsupported split hints version '9'"},
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

// base64url digit of a probability in 63ths
static char b64(int v) {
  return "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[v];
}

TEST_CASE(version2ProbabilitiesAndNodeDecisions) {
  // 32x16 picture, grid 8 -> 4 x 2 cells. Cell tokens: P(QT > 0..3) then P(MTT > 0..2), in 63ths.
  auto tok = [](int q0, int q1, int q2, int q3, int m0, int m1, int m2) {
    return std::string("p") + b64(q0) + b64(q1) + b64(q2) + b64(q3) + b64(m0) + b64(m1) + b64(m2);
  };
  // left half (cols 0, 1): QT deeper than 2 unlikely (P(QT > 2) = 3/63), MTT likely (P(MTT > 0) = 50/63);
  // right half: one cell (col 3, row 0) wants a 16x16 QT leaf (P(QT > 2) = 60/63), MTT unlikely
  const std::string a = tok(63, 63, 3, 0, 50, 20, 0), b = tok(63, 63, 6, 0, 2, 0, 0), c = tok(63, 63, 60, 9, 2, 0, 0);
  const std::string text = "nnvvc-split-hints 2\npicture 32 16\nctu 128\ngrid 8\nthreshold 0.2 0.3 0.25\nframes 1\nframe 0\n" +
                           a + " " + a + " " + b + " " + c + "\n" + a + " " + a + " " + b + " " + b + "\n";
  SplitHints h;
  std::string e = parseStr(h, text);
  CHECK(e.empty(), "version 2 file rejected: %s", e.c_str());
  CHECK(h.version() == 2, "version %d", h.version());
  CHECK(h.thresholds().qtSplit == 0.2 && h.thresholds().qtEnd == 0.3 && h.thresholds().mtt == 0.25, "thresholds");
  CHECK(h.cell(0, 3, 0).pQt[2] == 60 && h.cell(0, 3, 0).pQt[3] == 9 && h.cell(0, 0, 0).pMtt[0] == 50, "cell values");
  // the 32x16 area at QT depth 2 (a 32x32 node clipped to the picture): quadrant means of P(QT > 2):
  // left quadrants 3/63, right-top (cols 2-3, row 0) (6 + 60) / 2 = 33/63 = 0.52 -> split allowed (>= 0.2),
  // end allowed iff 1 - 0.52 >= 0.3
  CHECK(h.allowQtSplit(0, 0, 0, 32, 32, 2), "QT split: the largest quadrant mean 0.52 >= 0.2");
  CHECK(h.allowQtEnd(0, 0, 0, 32, 32, 2), "QT end: 0.48 >= 0.3");
  // the right 16x16 alone (cols 2-3, rows 0-1): quadrants are single cells, the largest 60/63 -> no QT end
  CHECK(!h.allowQtEnd(0, 16, 0, 16, 16, 3 - 1), "QT end refused where one 8x8 cell is 95%% sure of a split");
  // left 16x16 (cols 0-1): P(QT > 2) = 3/63 < 0.2: no QT split; MTT at depth 0: 50/63 >= 0.25; at 1: 20/63 >= 0.25
  CHECK(!h.allowQtSplit(0, 0, 0, 16, 16, 2), "QT split refused at 3/63");
  CHECK(h.allowMtt(0, 0, 0, 16, 16, 0, SplitMode::kBtHor) && h.allowMtt(0, 0, 0, 16, 16, 1, SplitMode::kTtVer),
        "MTT allowed at 50/63 and 20/63");
  CHECK(!h.allowMtt(0, 0, 0, 16, 16, 2, SplitMode::kBtVer), "MTT refused at 0/63");
  CHECK(!h.allowMtt(0, 16, 0, 16, 16, 0, SplitMode::kBtVer), "MTT refused at 2/63");
  // an override (--split-threshold) changes the decisions of the same file
  h.setThresholds(SplitThresholds{0.6, 0.6, 0.9});
  CHECK(!h.allowQtSplit(0, 0, 0, 32, 32, 2) && !h.allowMtt(0, 0, 0, 16, 16, 0, SplitMode::kBtHor), "override");

  // per temporal layer ('|'): set k for TemporalId k, the last one for the layers above
  SplitHints hl;
  e = parseStr(hl, "nnvvc-split-hints 2\npicture 32 16\nctu 128\ngrid 8\nthreshold 0.2 0.3 0.25 | 0.6 0.3 0.9|0.2 0.3 0.25 0 40\n"
                   "frames 1\nframe 0\n" + a + " " + a + " " + b + " " + c + "\n" + a + " " + a + " " + b + " " + b + "\n");
  CHECK(e.empty() && hl.thresholdLayers() == 3, "three layer sets: %s", e.c_str());
  CHECK(hl.allowQtSplit(0, 0, 0, 32, 32, 2, 0) && !hl.allowQtSplit(0, 0, 0, 32, 32, 2, 1), "layer 1's QT threshold 0.6");
  CHECK(hl.allowMtt(0, 0, 0, 16, 16, 0, SplitMode::kBtHor, 0) && !hl.allowMtt(0, 0, 0, 16, 16, 0, SplitMode::kBtHor, 1),
        "layer 1's MTT threshold 0.9");
  CHECK(hl.thresholds(2).fallbackBits == 40 && hl.thresholds(5).fallbackBits == 40 && hl.thresholds(0).fallbackBits == 0,
        "the last set serves the layers above");
  CHECK(hl.allowQtSplit(0, 0, 0, 32, 32, 2, 6), "layer 6 takes the last set");
  std::vector<SplitThresholds> layers;
  CHECK(parseSplitThresholdLayers(std::string("0.1,0.2,0.3|0.4,0.5,0.6"), layers).empty() && layers.size() == 2 &&
        layers[1].qtEnd == 0.5, "comma list with '|'");
  CHECK(parseSplitThresholdLayers(std::string("0.3"), layers).empty() && layers.size() == 1 && layers[0].mtt == 0.3,
        "one set");
  CHECK(contains(parseSplitThresholdLayers(std::string("0.1,0.2,0.3|0.4,1.5,0.6"), layers),
                 "temporal layer 1: '1.5' is not a number in (0, 1)"), "a bad layer set is named");
  CHECK(contains(parseSplitThresholdLayers(std::string("0.1|0.1|0.1|0.1|0.1|0.1|0.1|0.1"), layers), "at most 7"),
        "eight sets refused");
  CHECK(contains(parseSplitThresholdLayers(std::string("0.1|"), layers), "found 0"), "an empty set refused");
  h.setThresholds(layers);  // --split-threshold's override, here one set for every layer
  CHECK(h.thresholdLayers() == 1 && h.thresholds(3).mtt == 0.3, "override with one set");

  // one threshold for all three; no threshold line = 0.1
  SplitHints h1;
  e = parseStr(h1, "nnvvc-split-hints 2\npicture 8 8\nctu 128\ngrid 8\nthreshold 0.15\nframes 1\nframe 0\n" + a + "\n");
  CHECK(e.empty() && h1.thresholds().qtSplit == 0.15 && h1.thresholds().mtt == 0.15, "single threshold: %s", e.c_str());
  e = parseStr(h1, "nnvvc-split-hints 2\npicture 8 8\nctu 128\ngrid 8\nframes 1\nframe 0\n" + a + "\n");
  CHECK(e.empty() && h1.thresholds().qtEnd == 0.1, "default threshold: %s", e.c_str());

  // errors name the line and the value
  const std::string hdr = "nnvvc-split-hints 2\npicture 8 8\nctu 128\ngrid 8\n";
  struct Bad { std::string text, expect; } bad[] = {
      {hdr + "threshold 1.5\nframes 1\nframe 0\n" + a + "\n", "'1.5' is not a number in (0, 1)"},
      {hdr + "threshold 0.1 0.2\nframes 1\nframe 0\n" + a + "\n", "one threshold, three"},
      {hdr + "threshold 0.1 0.2 0.3 0.6\nframes 1\nframe 0\n" + a + "\n", "direction threshold '0.6' is above 0.5"},
      {hdr + "frames 1\nframe 0\n" + a + "A\n", "expected a probability token"},
      {hdr + "frames 1\nframe 0\n2:1\n", "expected a probability token"},
      {hdr + "frames 1\nframe 0\npAAAAAA!\n", "bad base64url digit '!'"},
      {hdr + "frames 1\nframe 0\npAB_AAAA\n", "must not increase"},
      {hdr + "frames 1\nframe 0\np____ABC\n", "MTT probabilities must not increase"},
      {"nnvvc-split-hints 3\n", "unsupported split hints version '3'"},
  };
  for (const Bad& x : bad) {
    SplitHints hb;
    const std::string err = parseStr(hb, x.text);
    CHECK(contains(err, x.expect), "expected '%s' in '%s'", x.expect.c_str(), err.c_str());
  }
  SplitThresholds th;
  CHECK(parseSplitThresholds(std::vector<std::string>{"0.1", "0.2", "0.3"}, th).empty() && th.qtEnd == 0.2, "three values");
  CHECK(contains(parseSplitThresholds(std::vector<std::string>{"0"}, th), "not a number in (0, 1)"), "0 refused");
  CHECK(parseSplitThresholds(std::string("0.3,0.2,0.1"), th).empty() && th.qtSplit == 0.3 && th.mtt == 0.1, "comma list");
  CHECK(contains(parseSplitThresholds(std::string("0.3,,0.1"), th), "'' is not a number"), "empty item refused");
}

TEST_CASE(version2SplitDirections) {
  // 16x8 picture, grid 8 -> 2 x 1 cells, MTT likely everywhere. Tokens with 2 more digits: P(vertical) at MTT
  // depth 0, P(across the node's longer side) at MTT depth 1. Left cell: 60/63 and 10/63; right cell: 50/63 and 30/63.
  auto tok = [](int v0, int v1) { return std::string("p____") + b64(60) + b64(50) + b64(40) + b64(v0) + b64(v1); };
  const std::string text = "nnvvc-split-hints 2\npicture 16 8\nctu 128\ngrid 8\nthreshold 0.1 0.1 0.1 0.3\nframes 1\nframe 0\n" +
                           tok(60, 10) + " " + tok(50, 30) + "\n";
  SplitHints h;
  std::string e = parseStr(h, text);
  CHECK(e.empty(), "direction digits rejected: %s", e.c_str());
  CHECK(h.thresholds().dir == 0.3 && h.cell(0, 0, 0).pVer[0] == 60 && h.cell(0, 1, 0).pVer[1] == 30, "values");
  // the 16x8 node at MTT depth 0: mean P(vertical) (60 + 50) / 126 = 0.87: horizontal 0.13 < 0.3 refused
  CHECK(h.allowMtt(0, 0, 0, 16, 8, 0, SplitMode::kBtVer) && h.allowMtt(0, 0, 0, 16, 8, 0, SplitMode::kTtVer), "vertical");
  CHECK(!h.allowMtt(0, 0, 0, 16, 8, 0, SplitMode::kBtHor) && !h.allowMtt(0, 0, 0, 16, 8, 0, SplitMode::kTtHor), "horizontal");
  // MTT depth 1 in the left cell: P(across) 10/63 = 0.16 -> only along the longer side: horizontal in a wide node,
  // vertical in a tall one; the 16x4 node over both cells (40/126 = 0.32) both; a square node has no direction
  CHECK(!h.allowMtt(0, 0, 0, 8, 4, 1, SplitMode::kBtVer) && !h.allowMtt(0, 0, 0, 8, 4, 1, SplitMode::kTtVer) &&
        h.allowMtt(0, 0, 0, 8, 4, 1, SplitMode::kBtHor), "depth 1, wide");
  CHECK(!h.allowMtt(0, 0, 0, 4, 8, 1, SplitMode::kBtHor) && h.allowMtt(0, 0, 0, 4, 8, 1, SplitMode::kBtVer), "depth 1, tall");
  CHECK(h.allowMtt(0, 0, 0, 16, 4, 1, SplitMode::kBtVer) && h.allowMtt(0, 0, 0, 16, 4, 1, SplitMode::kBtHor), "both");
  CHECK(h.allowMtt(0, 0, 0, 8, 8, 1, SplitMode::kBtVer) && h.allowMtt(0, 0, 0, 8, 8, 1, SplitMode::kBtHor), "square");
  // MTT depth 2 has no direction: the MTT probability alone decides
  CHECK(h.allowMtt(0, 0, 0, 8, 8, 2, SplitMode::kBtVer) && h.allowMtt(0, 0, 0, 8, 8, 2, SplitMode::kBtHor), "depth 2");
  // without a direction threshold (three values) the directions are not used
  h.setThresholds(SplitThresholds{0.1, 0.1, 0.1});
  CHECK(h.allowMtt(0, 0, 0, 16, 8, 0, SplitMode::kBtHor), "direction threshold off");
  // files without direction digits: the direction threshold changes nothing
  SplitHints h7;
  e = parseStr(h7, "nnvvc-split-hints 2\npicture 8 8\nctu 128\ngrid 8\nthreshold 0.1 0.1 0.1 0.5\nframes 1\nframe 0\np____yxo\n");
  CHECK(e.empty() && h7.allowMtt(0, 0, 0, 8, 8, 0, SplitMode::kBtHor) && h7.allowMtt(0, 0, 0, 8, 8, 0, SplitMode::kBtVer),
        "no digits: %s", e.c_str());
  SplitThresholds th;
  CHECK(parseSplitThresholds(std::string("0.1,0.2,0.3,0.4"), th).empty() && th.dir == 0.4 && th.mtt == 0.3, "four");
  CHECK(parseSplitThresholds(std::string("0.2"), th).empty() && th.dir == 0.0, "one value: direction off");
}

TEST_CASE(fallbackThreshold) {
  SplitThresholds th;
  CHECK(parseSplitThresholds(std::string("0.1,0.2,0.3,0.2,32"), th).empty() && th.dir == 0.2 && th.fallbackBits == 32,
        "five values");
  CHECK(parseSplitThresholds(std::string("0.1,0.2,0.3,0,16"), th).empty() && th.dir == 0.0 && th.fallbackBits == 16,
        "direction off, fallback on");
  CHECK(parseSplitThresholds(std::string("0.1,0.2,0.3,0.2"), th).empty() && th.fallbackBits == 0, "four: fallback off");
  CHECK(contains(parseSplitThresholds(std::string("0.1,0.2,0.3,0.2,-1"), th), "fallback '-1' is not a number of bits"),
        "negative fallback refused");
  CHECK(contains(parseSplitThresholds(std::string("0.1,0.2,0.3,0.2,5000"), th), "fallback '5000'"), "huge refused");
  CHECK(contains(parseSplitThresholds(std::string("0.1,0.2,0.3,-0.1"), th), "direction threshold '-0.1' is below 0"),
        "negative direction refused");
  CHECK(contains(parseSplitThresholds(std::string("0.1,0.2,0.3,0.2,32,1"), th), "found 6"), "six values refused");
  CHECK(contains(parseSplitThresholds(std::string("0.1,0.2,0.3,0.2,x"), th), "'x' is not a number"), "text refused");
  // the file's threshold line takes the fifth value too
  SplitHints h;
  const std::string e = parseStr(h, "nnvvc-split-hints 2\npicture 8 8\nctu 128\ngrid 8\nthreshold 0.1 0.2 0.3 0.2 24\n"
                                    "frames 1\nframe 0\np____yxo\n");
  CHECK(e.empty() && h.thresholds().fallbackBits == 24, "file fallback: %s", e.c_str());
}

TEST_CASE(chromaTreeDigits) {
  // 16x8 picture, 2 cells. Left: luma tokens only (no chroma digits); right: 'c' and 7 chroma digits, with 'c' also
  // among the luma digits (it is a base64url digit: the chroma part is found by its place, not by the letter).
  const std::string lumaTok = std::string("p") + b64(63) + b64(60) + b64(40) + b64(10) + b64(50) + b64(28) + b64(2);
  const std::string right = std::string("p") + b64(63) + "cc" + b64(10) + b64(50) + b64(28) + b64(2) + "c" + b64(63) +
                            b64(60) + b64(3) + b64(0) + b64(50) + b64(2) + b64(0);
  const std::string text = "nnvvc-split-hints 2\npicture 16 8\nctu 128\ngrid 8\nthreshold 0.1 0.3 0.1 0 0 0.2 0.4 0.2\n"
                           "frames 1\nframe 0\n" + lumaTok + " " + right + "\n";
  SplitHints h;
  std::string e = parseStr(h, text);
  CHECK(e.empty(), "chroma digits rejected: %s", e.c_str());
  CHECK(h.hasChroma() && !h.cell(0, 0, 0).chroma && h.cell(0, 1, 0).chroma, "which cells carry chroma digits");
  CHECK(h.cell(0, 1, 0).pQt[1] == 28 && h.cell(0, 1, 0).pQtC[1] == 60 && h.cell(0, 1, 0).pMttC[0] == 50, "values");
  CHECK(h.thresholds().chromaQtSplit == 0.2 && h.thresholds().chromaQtEnd == 0.4 && h.thresholds().chromaMtt == 0.2,
        "the chroma thresholds, values 6-8");
  // the right cell alone (8x8 at x 8): chroma QT depth 2 -> 3: 3/63 < 0.2 refused, luma 10/63 >= 0.1 allowed
  CHECK(!h.allowQtSplit(0, 8, 0, 8, 8, 2, 0, true) && h.allowQtSplit(0, 8, 0, 8, 8, 2, 0, false), "QT split per tree");
  // chroma QT end at depth 1: 1 - 60/63 < 0.4 refused; luma at depth 1 (1 - 0.44 >= 0.3) allowed
  CHECK(!h.allowQtEnd(0, 8, 0, 8, 8, 1, 0, true) && h.allowQtEnd(0, 8, 0, 8, 8, 1, 0, false), "QT end per tree");
  CHECK(h.allowMtt(0, 8, 0, 8, 8, 0, SplitMode::kBtHor, 0, true) && !h.allowMtt(0, 8, 0, 8, 8, 1, SplitMode::kBtHor, 0, true),
        "chroma MTT: 50/63 allowed, 2/63 refused");
  // the left cell has no chroma digits: the chroma tree is free there (split and end both allowed)
  CHECK(h.allowQtSplit(0, 0, 0, 8, 8, 2, 0, true) && h.allowQtEnd(0, 0, 0, 8, 8, 1, 0, true) &&
        h.allowMtt(0, 0, 0, 8, 8, 2, SplitMode::kTtVer, 0, true), "no digits: no constraint");
  // without a chroma set the chroma tree takes the luma thresholds
  h.setThresholds(SplitThresholds{0.1, 0.3, 0.1});
  CHECK(h.allowQtSplit(0, 8, 0, 8, 8, 1, 0, true) && !h.allowQtSplit(0, 8, 0, 8, 8, 2, 0, true), "luma thresholds");
  // errors name what is wrong
  SplitHints bad;
  e = parseStr(bad, "nnvvc-split-hints 2\npicture 8 8\nctu 128\ngrid 8\nframes 1\nframe 0\n" + lumaTok + "cAAAA\n");
  CHECK(contains(e, "optionally followed by 'c' and 7 digits"), "short chroma part: %s", e.c_str());
  e = parseStr(bad, "nnvvc-split-hints 2\npicture 8 8\nctu 128\ngrid 8\nframes 1\nframe 0\n" + lumaTok + "cAB_AAAA\n");
  CHECK(contains(e, "chroma: QT probabilities must not increase"), "chroma tails must fall: %s", e.c_str());
  SplitThresholds th;
  CHECK(parseSplitThresholds(std::string("0.1,0.2,0.3,0.2,32,0.05,0.01,0.05"), th).empty() && th.chromaQtSplit == 0.05 &&
        th.chromaQtEnd == 0.01 && th.fallbackBits == 32, "eight values");
  CHECK(contains(parseSplitThresholds(std::string("0.1,0.2,0.3,0.2,32,0.05,1.5,0.05"), th), "'1.5' is not a number in (0, 1)"),
        "a chroma threshold out of range refused");
  CHECK(contains(parseSplitThresholds(std::string("0.1,0.2,0.3,0.2,32,0.05,0.1"), th), "found 7"), "seven values refused");
}

TEST_CASE(smallNodeThresholds) {
  // 32x16 picture, 4 cells in a row, every cell P(QT depth > 2) = 20/63 and P(MTT depth > 0) = 20/63 (0.32)
  const std::string tok = std::string("p") + b64(63) + b64(63) + b64(20) + b64(0) + b64(20) + b64(0) + b64(0);
  std::string row = tok + " " + tok + " " + tok + " " + tok;
  SplitHints h;
  std::string e = parseStr(h, "nnvvc-split-hints 2\npicture 32 16\nctu 128\ngrid 8\nthreshold 0.3 0.3 0.3 0 0 0 0 0 0.4 0.4\n"
                              "frames 1\nframe 0\n" + row + "\n" + row + "\n");
  CHECK(e.empty(), "ten values in the file: %s", e.c_str());
  CHECK(h.thresholds().smallQtSplit == 0.4 && h.thresholds().smallMtt == 0.4 && h.thresholds().chromaQtSplit == 0,
        "values 9-10; the chroma set 0 (the luma one)");
  // 0.32 passes 0.3 but not the small nodes' 0.4: a 32x16 node (longer side 32) may split, a 16x16 or 16x8 one not
  CHECK(h.allowMtt(0, 0, 0, 32, 16, 0, SplitMode::kBtVer, 0, false), "large node: the general MTT threshold");
  CHECK(!h.allowMtt(0, 0, 0, 16, 16, 0, SplitMode::kBtVer, 0, false) && !h.allowMtt(0, 0, 0, 16, 8, 0, SplitMode::kBtVer, 0, false),
        "small nodes: the small MTT threshold");
  CHECK(!h.allowQtSplit(0, 0, 0, 16, 16, 2, 0, false), "small node: the small QT split threshold");
  // the chroma tree keeps its own (here the luma general) thresholds at every size
  CHECK(h.allowMtt(0, 0, 0, 16, 16, 0, SplitMode::kBtVer, 0, true), "chroma tree: not the small nodes' thresholds");
  // 0 leaves the general thresholds at small nodes
  h.setThresholds(SplitThresholds{0.3, 0.3, 0.3});
  CHECK(h.allowMtt(0, 0, 0, 16, 16, 0, SplitMode::kBtVer, 0, false) && h.allowQtSplit(0, 0, 0, 16, 16, 2, 0, false),
        "no small-node set: the general thresholds");
  SplitThresholds th;
  CHECK(parseSplitThresholds(std::string("0.15,0.35,0.15,0.2,0,0.05,0.05,0.05,0.2,0.25"), th).empty() &&
        th.smallQtSplit == 0.2 && th.smallMtt == 0.25 && th.chromaMtt == 0.05, "ten values");
  CHECK(contains(parseSplitThresholds(std::string("0.15,0.35,0.15,0.2,0,0.05,0.05,0.05,1.2,0.25"), th),
                 "'1.2' is not a number in [0, 1)"), "a small-node threshold out of range refused");
  CHECK(contains(parseSplitThresholds(std::string("0.15,0.35,0.15,0.2,0,0,0.05,0.05"), th), "'0' is not a number in (0, 1)"),
        "with eight values a chroma threshold of 0 is refused");
  CHECK(contains(parseSplitThresholds(std::string("0.15,0.35,0.15,0.2,0,0,0.05,0.05,0.2,0.2"), th), "set in part"),
        "a chroma set in part refused");
  CHECK(contains(parseSplitThresholds(std::string("0.15,0.35,0.15,0.2,0,0.05,0.05,0.05,0.2"), th), "found 9"),
        "nine values refused");
}

TEST_CASE(missingFile) {
  {
    SplitHints h;
    CHECK(contains(h.parseFile("/nonexistent/x.hints"), "cannot open"), "missing file");
  }
}

int main(int argc, char** argv) { return runTestCases(argc, argv); }
