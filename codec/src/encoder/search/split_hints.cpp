// Split-hints file parser and node queries (format in split_hints.h and codec/README.md).
#include "encoder/search/split_hints.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace nnvvc {
namespace search {
namespace {

std::vector<std::string> tokenize(const std::string& line) {
  std::string s = line.substr(0, line.find('#'));
  std::istringstream ss(s);
  std::vector<std::string> out;
  std::string t;
  while (ss >> t) out.push_back(t);
  return out;
}

bool parseInt(const std::string& s, long lo, long hi, int& v) {
  if (s.empty() || s.size() > 9) return false;
  long r = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    r = r * 10 + (c - '0');
  }
  if (r < lo || r > hi) return false;
  v = int(r);
  return true;
}

// "a,b,,c" -> {"a", "b", "", "c"} (empty items kept: the parser names them)
std::vector<std::string> splitCommas(const std::string& list) {
  std::vector<std::string> parts;
  for (size_t a = 0;;) {
    const size_t c = list.find(',', a);
    parts.push_back(list.substr(a, c == std::string::npos ? std::string::npos : c - a));
    if (c == std::string::npos) break;
    a = c + 1;
  }
  return parts;
}

}  // namespace

std::string parseSplitHintToken(const std::string& tok, SplitHintCell& out) {
  out = SplitHintCell{};
  if (tok == "*") return "";
  std::vector<std::string> f;
  size_t start = 0;
  while (true) {
    size_t c = tok.find(':', start);
    f.push_back(tok.substr(start, c == std::string::npos ? std::string::npos : c - start));
    if (c == std::string::npos) break;
    start = c + 1;
  }
  if (f.size() > 3) return "too many ':' fields (expected QT[:M[:T]])";
  // QT depth or range
  const std::string& q = f[0];
  if (q == "*") {
    out.qtLo = 0;
    out.qtHi = 15;
  } else if (q.size() == 1 && q[0] >= '0' && q[0] <= '5') {
    out.qtLo = out.qtHi = uint8_t(q[0] - '0');
  } else if (q.size() == 3 && q[1] == '-' && q[0] >= '0' && q[0] <= '5' && q[2] >= '0' &&
             q[2] <= '5') {
    out.qtLo = uint8_t(q[0] - '0');
    out.qtHi = uint8_t(q[2] - '0');
    if (out.qtLo > out.qtHi) return "QT depth range '" + q + "' has lo > hi";
  } else {
    return "bad QT depth '" + q + "' (expected a digit 0..5, a range like 1-3, or '*')";
  }
  if (f.size() >= 2) {
    const std::string& m = f[1];
    if (m == "*") out.mttMax = 15;
    else if (m.size() == 1 && m[0] >= '0' && m[0] <= '9') out.mttMax = uint8_t(m[0] - '0');
    else return "bad MTT depth '" + m + "' (expected a digit 0..9 or '*')";
  }
  if (f.size() == 3) {
    const std::string& t = f[2];
    if (t == "*") out.mttTypes = kHintAllMtt;
    else if (t == "-") out.mttTypes = 0;
    else {
      if (t.empty()) return "empty MTT type field (use '-' for none)";
      uint8_t m = 0;
      for (char c : t) {
        uint8_t b = c == 'h' ? kHintBtHor : c == 'v' ? kHintBtVer : c == 'H' ? kHintTtHor
                  : c == 'V' ? kHintTtVer : 0;
        if (!b) return std::string("bad MTT split type '") + c + "' in '" + t + "' (letters hvHV, '*' or '-')";
        if (m & b) return std::string("MTT split type '") + c + "' repeated in '" + t + "'";
        m |= b;
      }
      out.mttTypes = m;
    }
  }
  return "";
}

std::string parseSplitHintProbToken(const std::string& tok, SplitHintCell& out) {
  out = SplitHintCell{};
  // luma part: 'p' + 7 or 9 digits; then optionally 'c' + 7 digits (the chroma tree)
  // ('c' is also a digit: the chroma part starts at a fixed place, after the 7 or 9 luma digits)
  const size_t cAt = (tok.size() == 16 && tok[8] == 'c') ? 8 : (tok.size() == 18 && tok[10] == 'c') ? 10 : std::string::npos;
  const std::string luma = tok.substr(0, cAt);
  if ((luma.size() != 8 && luma.size() != 10) || luma[0] != 'p' || (cAt != std::string::npos && tok.size() - cAt != 8))
    return "expected a probability token: 'p' and 7 base64url digits, or 9 with the split directions, optionally "
           "followed by 'c' and 7 digits for the chroma tree (version 2 hints)";
  const auto digits = [](const std::string& t, size_t from, int n, uint8_t* v) -> std::string {
    for (int i = 0; i < n; ++i) {
      const char c = t[from + size_t(i)];
      const int d = c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26
                  : c >= '0' && c <= '9' ? c - '0' + 52 : c == '-' ? 62 : c == '_' ? 63 : -1;
      if (d < 0) return std::string("bad base64url digit '") + c + "'";
      v[i] = uint8_t(d);
    }
    // the two tails: P(QT depth > q) q = 0..3, then P(MTT depth > m) m = 0..2
    for (int i = 1; i < 4; ++i)
      if (v[i] > v[i - 1]) return "QT probabilities must not increase with the depth (P(depth > q) is cumulative)";
    for (int i = 5; i < 7; ++i)
      if (v[i] > v[i - 1]) return "MTT probabilities must not increase with the depth (P(depth > m) is cumulative)";
    return "";
  };
  const int nd = int(luma.size()) - 1;
  uint8_t v[9];
  std::string err = digits(luma, 1, nd, v);
  if (!err.empty()) return err;
  for (int i = 0; i < 4; ++i) out.pQt[i] = v[i];
  for (int i = 0; i < 3; ++i) out.pMtt[i] = v[4 + i];
  if (nd == 9) {
    out.pVer[0] = v[7];
    out.pVer[1] = v[8];
  }
  if (cAt != std::string::npos) {
    uint8_t cv[7];
    err = digits(tok, cAt + 1, 7, cv);
    if (!err.empty()) return "chroma: " + err;
    out.chroma = true;
    for (int i = 0; i < 4; ++i) out.pQtC[i] = cv[i];
    for (int i = 0; i < 3; ++i) out.pMttC[i] = cv[4 + i];
  }
  return "";
}

std::string parseSplitThresholds(const std::vector<std::string>& values, SplitThresholds& out) {
  const size_t n = values.size();
  if (n != 1 && n != 3 && n != 4 && n != 5 && n != 8 && n != 10)
    return "expected one threshold, three (QT split, QT end, MTT), four (and the split direction), five (and the "
           "fallback in bits), eight (and the chroma tree's QT split, QT end, MTT) or ten (and the small nodes' QT "
           "split, MTT), found " +
           std::to_string(n);
  double v[10];
  for (size_t i = 0; i < n; ++i) {
    char* end = nullptr;
    v[i] = std::strtod(values[i].c_str(), &end);
    if (values[i].empty() || *end != '\0' || !std::isfinite(v[i])) return "'" + values[i] + "' is not a number";
    // with ten values a chroma or small-node threshold may be 0: the luma / general one
    const bool zeroOk = n == 10 && i >= 5;
    if ((i < 3 || i >= 5) && !((v[i] > 0 || (zeroOk && v[i] == 0)) && v[i] < 1))
      return "'" + values[i] + "' is not a number in " + (zeroOk ? "[0, 1)" : "(0, 1)");
  }
  if (n == 10 && (v[5] == 0 || v[6] == 0 || v[7] == 0) && (v[5] > 0 || v[6] > 0 || v[7] > 0))
    return "the chroma tree's thresholds '" + values[5] + "," + values[6] + "," + values[7] +
           "' are set in part: give all three in (0, 1) or all 0";
  // the direction threshold: above 0.5 both directions could be refused at one node (0: off)
  if (n >= 4 && !(v[3] >= 0 && v[3] <= 0.5))
    return "direction threshold '" + values[3] + "' is " + (v[3] > 0.5 ? "above 0.5" : "below 0");
  if (n >= 5 && !(v[4] >= 0 && v[4] <= 1000))
    return "fallback '" + values[4] + "' is not a number of bits in [0, 1000]";
  out = n == 1 ? SplitThresholds{v[0], v[0], v[0], 0.0, 0.0}
               : SplitThresholds{v[0], v[1], v[2], n >= 4 ? v[3] : 0.0, n >= 5 ? v[4] : 0.0};
  if (n >= 8) {
    out.chromaQtSplit = v[5];
    out.chromaQtEnd = v[6];
    out.chromaMtt = v[7];
  }
  if (n == 10) {
    out.smallQtSplit = v[8];
    out.smallMtt = v[9];
  }
  return "";
}

std::string parseSplitThresholds(const std::string& list, SplitThresholds& out) {
  return parseSplitThresholds(splitCommas(list), out);
}

std::string parseSplitThresholdLayers(const std::vector<std::string>& tokens, std::vector<SplitThresholds>& out) {
  // split the tokens at '|' (a token of its own or inside one: "32|0.2")
  std::vector<std::vector<std::string>> sets(1);
  for (const std::string& t : tokens)
    for (size_t a = 0;;) {
      const size_t b = t.find('|', a);
      const std::string part = t.substr(a, b == std::string::npos ? std::string::npos : b - a);
      if (!part.empty()) sets.back().push_back(part);
      if (b == std::string::npos) break;
      sets.emplace_back();
      a = b + 1;
    }
  if (int(sets.size()) > kMaxThresholdLayers)
    return std::to_string(sets.size()) + " threshold sets, at most " + std::to_string(kMaxThresholdLayers) +
           " (one per temporal layer)";
  std::vector<SplitThresholds> layers(sets.size());
  for (size_t k = 0; k < sets.size(); ++k) {
    const std::string err = parseSplitThresholds(sets[k], layers[k]);
    if (!err.empty()) return sets.size() > 1 ? "temporal layer " + std::to_string(k) + ": " + err : err;
  }
  out = std::move(layers);
  return "";
}

std::string parseSplitThresholdLayers(const std::string& list, std::vector<SplitThresholds>& out) {
  return parseSplitThresholdLayers(splitCommas(list), out);
}

std::string SplitHints::parseFile(const std::string& path) {
  std::ifstream f(path);
  if (!f) return "cannot open split hints file '" + path + "'";
  return parse(f, path);
}

std::string SplitHints::parse(std::istream& in, const std::string& name) {
  *this = SplitHints{};
  std::string line;
  int lineNo = 0;
  auto where = [&]() { return name + ":" + std::to_string(lineNo) + ": "; };
  // Next non-empty line's tokens; false at EOF. A line given back (`unread`) comes again: the stream need not
  // seek (the hints may come through a pipe).
  bool reread = false;
  std::vector<std::string> last;
  auto next = [&](std::vector<std::string>& toks) {
    if (reread) {
      reread = false;
      toks = last;
      return true;
    }
    while (std::getline(in, line)) {
      ++lineNo;
      toks = tokenize(line);
      if (!toks.empty()) {
        last = toks;
        return true;
      }
    }
    return false;
  };
  std::vector<std::string> t;
  if (!next(t) || t.size() != 2 || t[0] != "nnvvc-split-hints")
    return where() + "expected header 'nnvvc-split-hints 1' or 'nnvvc-split-hints 2'";
  if (t[1] != "1" && t[1] != "2")
    return where() + "unsupported split hints version '" + t[1] + "' (expected 1 or 2)";
  const int version = t[1][0] - '0';
  auto keyed = [&](const char* key, int nvals, long lo, long hi, int* vals) -> std::string {
    if (!next(t)) return where() + "unexpected end of file, expected '" + key + "'";
    if (t[0] != key) return where() + "expected '" + key + "', found '" + t[0] + "'";
    if (int(t.size()) != nvals + 1)
      return where() + "'" + key + "' takes " + std::to_string(nvals) + " value(s)";
    for (int i = 0; i < nvals; ++i)
      if (!parseInt(t[size_t(i) + 1], lo, hi, vals[i]))
        return where() + "bad " + key + " value '" + t[size_t(i) + 1] + "' (expected " +
               std::to_string(lo) + ".." + std::to_string(hi) + ")";
    return "";
  };
  int v[2];
  std::string e;
  if (!(e = keyed("picture", 2, 1, 16888, v)).empty()) return e;
  width_ = v[0];
  height_ = v[1];
  if (!(e = keyed("ctu", 1, 1, 1024, v)).empty()) return e;
  ctu_ = v[0];
  if (ctu_ != 32 && ctu_ != 64 && ctu_ != 128)
    return where() + "bad ctu value '" + std::to_string(ctu_) + "' (expected 32, 64 or 128)";
  if (!(e = keyed("grid", 1, 1, 1024, v)).empty()) return e;
  grid_ = v[0];
  if ((grid_ & (grid_ - 1)) != 0 || grid_ < 4 || grid_ > ctu_)
    return where() + "bad grid value '" + std::to_string(grid_) +
           "' (expected a power of two from 4 to the CTU size)";
  std::vector<SplitThresholds> thresholds(1);
  if (version == 2 && next(t)) {  // optional 'threshold t' / 'threshold tQtSplit tQtEnd tMtt' line ('|' per layer)
    if (t[0] == "threshold") {
      const std::string err = parseSplitThresholdLayers(std::vector<std::string>(t.begin() + 1, t.end()), thresholds);
      if (!err.empty()) return where() + "threshold: " + err;
    } else {
      reread = true;  // (the 'frames' line, read below)
    }
  }
  if (!(e = keyed("frames", 1, 1, 1000000, v)).empty()) return e;
  const int nFrames = v[0];
  cols_ = (width_ + grid_ - 1) / grid_;
  rows_ = (height_ + grid_ - 1) / grid_;
  if (uint64_t(cols_) * uint64_t(rows_) * uint64_t(nFrames) > (uint64_t(1) << 28))
    return where() + "hints too large (" + std::to_string(nFrames) + " frames of " +
           std::to_string(cols_) + "x" + std::to_string(rows_) + " cells)";
  cells_.resize(size_t(cols_) * size_t(rows_) * size_t(nFrames));
  for (int fr = 0; fr < nFrames; ++fr) {
    if (!next(t))
      return where() + "unexpected end of file: expected 'frame " + std::to_string(fr) + "' (" +
             std::to_string(nFrames) + " frames declared)";
    int fi = -1;
    if (t.size() != 2 || t[0] != "frame" || !parseInt(t[1], 0, 1000000, fi) || fi != fr)
      return where() + "expected 'frame " + std::to_string(fr) + "', found '" + line + "'";
    for (int r = 0; r < rows_; ++r) {
      if (!next(t))
        return where() + "unexpected end of file in frame " + std::to_string(fr) + ": expected " +
               std::to_string(rows_) + " rows of cells, got " + std::to_string(r);
      if (int(t.size()) != cols_)
        return where() + "frame " + std::to_string(fr) + " row " + std::to_string(r) + " has " +
               std::to_string(t.size()) + " cells, expected " + std::to_string(cols_) +
               " (ceil(" + std::to_string(width_) + "/" + std::to_string(grid_) + "))";
      for (int c = 0; c < cols_; ++c) {
        SplitHintCell cell;
        std::string err = version == 2 ? parseSplitHintProbToken(t[size_t(c)], cell)
                                       : parseSplitHintToken(t[size_t(c)], cell);
        if (!err.empty())
          return where() + "cell " + std::to_string(c) + " ('" + t[size_t(c)] + "'): " + err;
        cells_[(size_t(fr) * size_t(rows_) + size_t(r)) * size_t(cols_) + size_t(c)] = cell;
        hasChroma_ |= cell.chroma;
      }
    }
  }
  if (next(t)) return where() + "unexpected content after the last frame: '" + t[0] + "'";
  frames_ = nFrames;
  version_ = version;
  thresholds_ = thresholds;
  return "";
}

std::string SplitHints::checkCompatible(int srcWidth, int srcHeight, int ctuSize, int numFrames) const {
  if (srcWidth != width_ || srcHeight != height_)
    return "split hints are for a " + std::to_string(width_) + "x" + std::to_string(height_) +
           " picture but the input is " + std::to_string(srcWidth) + "x" + std::to_string(srcHeight);
  if (ctuSize != ctu_)
    return "split hints are for CTU size " + std::to_string(ctu_) + " but the encoder uses " +
           std::to_string(ctuSize);
  if (numFrames > frames_)
    return "split hints hold " + std::to_string(frames_) + " frame(s) but " +
           std::to_string(numFrames) + " will be encoded";
  return "";
}

template <class F>
void SplitHints::forCells(int frame, int x, int y, int w, int h, F&& f) const {
  const int c0 = std::min(std::max(x / grid_, 0), cols_ - 1);
  const int r0 = std::min(std::max(y / grid_, 0), rows_ - 1);
  const int c1 = std::min(std::max((x + w - 1) / grid_, 0), cols_ - 1);
  const int r1 = std::min(std::max((y + h - 1) / grid_, 0), rows_ - 1);
  for (int r = r0; r <= r1; ++r)
    for (int c = c0; c <= c1; ++c)
      if (!f(cell(frame, c, r))) return;
}

template <class G>
double SplitHints::nodeProbability(int frame, int x, int y, int w, int h, G&& get) const {
  // quadrants where the node spans at least two cells each way, else the node (or its halves) as a whole
  const int qw = w >= 2 * grid_ ? w / 2 : w, qh = h >= 2 * grid_ ? h / 2 : h;
  double bestMean = 0;
  for (int yy = y; yy < y + h; yy += qh)
    for (int xx = x; xx < x + w; xx += qw) {
      int sum = 0, n = 0;
      forCells(frame, xx, yy, qw, qh, [&](const SplitHintCell& c) {
        sum += get(c);
        ++n;
        return true;
      });
      const double mean = n ? double(sum) / n : 0;
      if (mean > bestMean) bestMean = mean;
    }
  return bestMean / 63.0;
}

namespace {
// Version 2 decides a node of the chroma tree (a dual-tree I slice's) as one of the luma tree, on the cells' chroma
// digits and the set's chroma thresholds (the luma ones where it has none). A cell without chroma digits counts as
// `missing`, chosen so that it leaves the chroma tree free there; a version 1 file has none.
int treeTail(bool chroma, const SplitHintCell& c, uint8_t luma, uint8_t chromaTail, int missing) {
  return !chroma ? luma : c.chroma ? chromaTail : missing;
}
// The threshold of a node of w x h: the chroma tree's (where the set has one), else the small nodes' (a luma node whose
// longer side is at most kSmallNode, where the set has them), else the general one.
double nodeThreshold(bool chroma, int w, int h, double chromaT, double smallT, double t) {
  if (chroma) return chromaT > 0 ? chromaT : t;
  return smallT > 0 && std::max(w, h) <= kSmallNode ? smallT : t;
}
}  // namespace

bool SplitHints::allowQtSplit(int frame, int x, int y, int w, int h, int qtDepth, int temporalId, bool chroma) const {
  if (version_ == 2 || chroma) {
    // no QT split deeper than depth 3 is predicted: refused in the luma tree, left to the rules in the chroma tree
    if (qtDepth >= 4) return chroma;
    const SplitThresholds& th = thresholds(temporalId);
    return nodeProbability(frame, x, y, w, h, [&](const SplitHintCell& c) {
             return treeTail(chroma, c, c.pQt[qtDepth], c.pQtC[qtDepth], 63);
           }) >= nodeThreshold(chroma, w, h, th.chromaQtSplit, th.smallQtSplit, th.qtSplit);
  }
  bool any = false;
  forCells(frame, x, y, w, h, [&](const SplitHintCell& c) {
    any = c.qtHi > qtDepth;
    return !any;
  });
  return any;
}

bool SplitHints::allowQtEnd(int frame, int x, int y, int w, int h, int qtDepth, int temporalId, bool chroma) const {
  if (version_ == 2 || chroma) {
    const SplitThresholds& th = thresholds(temporalId);
    return qtDepth >= 4 || 1.0 - nodeProbability(frame, x, y, w, h, [&](const SplitHintCell& c) {
                                   return treeTail(chroma, c, c.pQt[qtDepth], c.pQtC[qtDepth], 0);
                                 }) >= nodeThreshold(chroma, w, h, th.chromaQtEnd, 0.0, th.qtEnd);
  }
  bool all = true;
  forCells(frame, x, y, w, h, [&](const SplitHintCell& c) {
    all = c.qtLo <= qtDepth;
    return all;
  });
  return all;
}

bool SplitHints::allowMtt(int frame, int x, int y, int w, int h, int mttDepth, SplitMode split, int temporalId,
                          bool chroma) const {
  const SplitThresholds& th = thresholds(temporalId);
  uint8_t bit = split == SplitMode::kBtHor ? kHintBtHor : split == SplitMode::kBtVer ? kHintBtVer
              : split == SplitMode::kTtHor ? kHintTtHor : split == SplitMode::kTtVer ? kHintTtVer : 0;
  if (!bit) return false;
  if (version_ == 2 || chroma) {
    if (mttDepth >= 3) return chroma;  // as the QT split beyond the predicted depths
    if (nodeProbability(frame, x, y, w, h, [&](const SplitHintCell& c) {
          return treeTail(chroma, c, c.pMtt[mttDepth], c.pMttC[mttDepth], 63);
        }) < nodeThreshold(chroma, w, h, th.chromaMtt, th.smallMtt, th.mtt))
      return false;
    // (the chroma tree has no direction digits)
    if (chroma || th.dir <= 0 || mttDepth >= 2 || (mttDepth == 1 && w == h)) return true;
    // the split's direction: the mean over the node of the cells' digit (a node splits one way as a whole). At MTT
    // depth 0 the digit is P(vertical); at MTT depth 1 P(across): that the split divides the node's longer side (a
    // part of a square QT leaf's BT / TT split is wide after a horizontal split, tall after a vertical one, and its
    // own split mostly goes the other way), which the shape turns into a direction.
    int sum = 0, n = 0;
    forCells(frame, x, y, w, h, [&](const SplitHintCell& c) {
      if (c.pVer[mttDepth] <= 63) sum += c.pVer[mttDepth], ++n;
      return true;
    });
    if (!n) return true;
    const double p = double(sum) / (63.0 * n);
    const bool vertical = split == SplitMode::kBtVer || split == SplitMode::kTtVer;
    const bool first = mttDepth == 0 ? vertical : vertical == (w > h);  // vertical / across
    return (first ? p : 1.0 - p) >= th.dir;
  }
  bool any = false;
  forCells(frame, x, y, w, h, [&](const SplitHintCell& c) {
    any = c.mttMax > mttDepth && (c.mttTypes & bit);
    return !any;
  });
  return any;
}

}  // namespace search
}  // namespace nnvvc
