// Motion data shared by the syntax (merge/AMVP derivation), reconstruction (motion
// compensation), deblocking (boundary strength) and the encoder's inter search.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "common/types.h"

namespace nnvvc {

// Motion vector in 1/16 luma sample units (the spec's storage precision, 8.5.2).
struct Mv {
  int32_t x = 0, y = 0;
  Mv() = default;
  Mv(int32_t x_, int32_t y_) : x(x_), y(y_) {}
  bool operator==(const Mv& o) const { return x == o.x && y == o.y; }
  bool operator!=(const Mv& o) const { return !(*this == o); }
};

// Motion of one prediction block (affine CUs: of one 4x4 subblock; AffineMotion below for the CU).
//  interDir: 0 = not inter (intra / unavailable), 1 = L0 only, 2 = L1 only, 3 = bi.
//  refIdx[X] = -1 when list X is unused; mv[X] is then (0,0).
//  bcwIdx: BcwIdx of the CU (bi-prediction with CU-level weights, 8.5.6.6.2): bcw_idx of a bi AMVP CU,
//  inherited by merge candidates; 0 (equal weights) unless interDir is 3. operator== leaves it out: the
//  spec's candidate pruning (and VTM-23.2's) compares motion vectors and reference indices only.
//  hpelIfIdx: 1 where the luma half-sample positions take the alternative 6-tap filter (8.5.6.3.2): an AMVP CU
//  with half-sample AMVR, inherited by merge candidates (spatial, history, MMVD bases, CIIP; the pairwise
//  average keeps it where both its sources agree; temporal, zero and GPM candidates have 0). Not compared either.
struct MotionInfo {
  Mv mv[2];
  int8_t refIdx[2] = {-1, -1};
  uint8_t interDir = 0;
  uint8_t bcwIdx = 0;
  uint8_t hpelIfIdx = 0;
  bool isInter() const { return interDir != 0; }
  bool predFlag(int l) const { return (interDir >> l) & 1; }
  bool operator==(const MotionInfo& o) const {
    if (interDir != o.interDir) return false;
    for (int l = 0; l < 2; ++l)
      if (predFlag(l) && (refIdx[l] != o.refIdx[l] || mv[l] != o.mv[l])) return false;
    return true;
  }
  bool operator!=(const MotionInfo& o) const { return !(*this == o); }
  // The same samples (the encoder's duplicate checks): the same motion, BCW weights and half-sample filter.
  bool samePrediction(const MotionInfo& o) const { return *this == o && bcwIdx == o.bcwIdx && hpelIfIdx == o.hpelIfIdx; }
};

// BCW weights (8.5.6.6.2): bcwWLut[bcwIdx] = w1, the weight of list 1's prediction in eighths; list 0 gets
// 8 - w1. bcwIdx 0 is the default (equal) weighting. In B slices with a reference after the current picture
// (NoBackwardPredFlag 0) bcw_idx is at most 2, else at most 4.
constexpr int kBcwNumWeights = 5;
constexpr int8_t kBcwWeightL1[kBcwNumWeights] = {4, 5, 3, 10, -2};

// Affine motion of a CU (8.5.5): MotionModelIdc 1 (4-parameter: control points 0 and 1) or 2 (6-parameter:
// 0, 1 and 2), the reference indices / directions, and the control-point MVs cpMvLX[0..2] (1/16 sample) of the
// CU's top-left, top-right and bottom-left corners. A subblock merge candidate has the same form.
struct AffineMotion {
  uint8_t interDir = 0;
  int8_t refIdx[2] = {-1, -1};
  bool sixParam = false;  // MotionModelIdc 2
  uint8_t bcwIdx = 0;     // BcwIdx (as MotionInfo::bcwIdx; not compared by operator==)
  Mv cp[2][3];
  bool predFlag(int l) const { return (interDir >> l) & 1; }
  int numCp() const { return sixParam ? 3 : 2; }
  bool operator==(const AffineMotion& o) const {
    if (interDir != o.interDir || sixParam != o.sixParam) return false;
    for (int l = 0; l < 2; ++l) {
      if (!predFlag(l)) continue;
      if (refIdx[l] != o.refIdx[l]) return false;
      for (int i = 0; i < numCp(); ++i)
        if (cp[l][i] != o.cp[l][i]) return false;
    }
    return true;
  }
  bool operator!=(const AffineMotion& o) const { return !(*this == o); }
};
// The SbTMVP candidate of a CU (8.5.5.4, inter/sbtmvp.h): the motion shift tempMv (1/16 sample) and the default
// motion of its centre (reference index 0 per list, BcwIdx 0). The subblock motion follows from these and the
// collocated picture's motion field.
struct SbTmvpMotion {
  bool available = false;
  Mv shift;
  MotionInfo ctr;
  bool operator==(const SbTmvpMotion& o) const {
    return available == o.available && shift == o.shift && ctr == o.ctr;
  }
  bool operator!=(const SbTmvpMotion& o) const { return !(*this == o); }
};
// What a later CU's inherited affine candidate (8.5.5.5) reads of an affine neighbour: its position, size
// and control-point motion (stored per 4x4 unit of the CU, AffineMotion::interDir 0 for other CUs).
struct AffineCuRecord {
  int16_t x = 0, y = 0, w = 0, h = 0;
  AffineMotion am;
};

struct RefPicLists;

// What temporal MV prediction needs to know about the picture a motion field belongs to
// (8.5.2.12 scales a collocated MV by the POC distance between the collocated picture and the
// reference its block used): its POC and, per list, the POC and long-term marking of every
// active reference index of its slice. sliceQp: the encoder picks the collocated picture by it.
struct MotionFieldRefs {
  static constexpr int kMaxRefs = 4;  // = RefPicLists::kMaxRefs
  int poc = 0;
  int sliceQp = 0;
  int num[2] = {0, 0};
  int refPoc[2][kMaxRefs] = {};
  bool refLongTerm[2][kMaxRefs] = {};
};

// Per-picture motion at 4x4 luma granularity (MvLX / RefIdxLX / PredFlagLX arrays of the spec).
// Intra CUs store interDir 0. Kept with each reference picture for deblocking and TMVP (with
// refs(): the POCs its reference indices stand for).
class MotionField {
 public:
  void init(int picWidth, int picHeight) {
    w4_ = (picWidth + 3) >> 2; h4_ = (picHeight + 3) >> 2;
    picW_ = picWidth; picH_ = picHeight;
    mi_.assign(size_t(w4_) * size_t(h4_), MotionInfo{});
    aff_.clear();
    refs_ = MotionFieldRefs{};
  }
  // Records the picture's POC, slice QP and active reference lists (nullptr: intra picture).
  inline void setRefs(int poc, int sliceQp, const RefPicLists* lists);
  const MotionFieldRefs& refs() const { return refs_; }
  int picWidth() const { return picW_; }
  int picHeight() const { return picH_; }
  // Motion at luma sample (x, y); nullptr when outside the picture.
  const MotionInfo* at(int x, int y) const {
    if (x < 0 || y < 0 || x >= picW_ || y >= picH_) return nullptr;
    return &mi_[size_t(y >> 2) * size_t(w4_) + size_t(x >> 2)];
  }
  // Store `mi` for the luma rectangle (x, y, w, h) (clipped to the picture).
  void set(int x, int y, int w, int h, const MotionInfo& mi) {
    const int x1 = std::min(x + w, picW_), y1 = std::min(y + h, picH_);
    for (int yy = y; yy < y1; yy += 4)
      for (int xx = x; xx < x1; xx += 4) mi_[size_t(yy >> 2) * size_t(w4_) + size_t(xx >> 2)] = mi;
    if (!aff_.empty()) clearAffine(x, y, w, h);
  }
  // One 4x4 unit's motion (the subblock MVs of affine CUs), (x, y) inside the picture.
  void setUnit(int x, int y, const MotionInfo& mi) {
    if (x >= 0 && y >= 0 && x < picW_ && y < picH_) mi_[size_t(y >> 2) * size_t(w4_) + size_t(x >> 2)] = mi;
  }
  // The affine CU record covering luma (x, y), or nullptr (outside, or not an affine CU).
  const AffineCuRecord* affineAt(int x, int y) const {
    if (aff_.empty() || x < 0 || y < 0 || x >= picW_ || y >= picH_) return nullptr;
    const AffineCuRecord& r = aff_[size_t(y >> 2) * size_t(w4_) + size_t(x >> 2)];
    return r.am.interDir ? &r : nullptr;
  }
  // Records an affine CU over its area (after set()/setUnit() of its subblock motion).
  void setAffine(const AffineCuRecord& rec) {
    if (aff_.empty()) aff_.assign(size_t(w4_) * size_t(h4_), AffineCuRecord{});
    const int x1 = std::min(rec.x + rec.w, picW_), y1 = std::min(rec.y + rec.h, picH_);
    for (int yy = rec.y; yy < y1; yy += 4)
      for (int xx = rec.x; xx < x1; xx += 4) aff_[size_t(yy >> 2) * size_t(w4_) + size_t(xx >> 2)] = rec;
  }

 private:
  int w4_ = 0, h4_ = 0, picW_ = 0, picH_ = 0;
  std::vector<MotionInfo> mi_;
  std::vector<AffineCuRecord> aff_;  // empty until the first affine CU of the picture
  MotionFieldRefs refs_;
  void clearAffine(int x, int y, int w, int h) {
    const int x1 = std::min(x + w, picW_), y1 = std::min(y + h, picH_);
    for (int yy = std::max(y, 0); yy < y1; yy += 4)
      for (int xx = std::max(x, 0); xx < x1; xx += 4) aff_[size_t(yy >> 2) * size_t(w4_) + size_t(xx >> 2)].am.interDir = 0;
  }
};

// History-based MVP table (8.5.2.16): up to 5 entries, oldest first. Reset at the start of
// each CTU row (and slice); updated after every inter CU that is not coded in a way that
// excludes it (here: every inter CU). Plain value: the search snapshots/restores it.
struct HmvpTable {
  static constexpr int kMax = 5;
  MotionInfo cand[kMax];
  int num = 0;
  void reset() { num = 0; }
};

// One entry of a slice's reference picture list: the decoded reference picture and its POC.
struct RefPic {
  const Picture* pic = nullptr;          // reconstructed (and in-loop filtered) samples
  const MotionField* motion = nullptr;   // its motion field (for TMVP; may be null)
  int poc = 0;
  bool longTerm = false;
};

// The two active reference picture lists of a slice (RefPicList[0/1] limited to
// NumRefIdxActive[i] entries).
struct RefPicLists {
  static constexpr int kMaxRefs = 4;
  int num[2] = {0, 0};
  RefPic ref[2][kMaxRefs];
};
static_assert(MotionFieldRefs::kMaxRefs == RefPicLists::kMaxRefs, "one reference index limit");

inline void MotionField::setRefs(int poc, int sliceQp, const RefPicLists* lists) {
  refs_ = MotionFieldRefs{};
  refs_.poc = poc;
  refs_.sliceQp = sliceQp;
  if (!lists) return;
  for (int l = 0; l < 2; ++l) {
    refs_.num[l] = std::clamp(lists->num[l], 0, RefPicLists::kMaxRefs);
    for (int i = 0; i < refs_.num[l]; ++i) {
      refs_.refPoc[l][i] = lists->ref[l][i].poc;
      refs_.refLongTerm[l][i] = lists->ref[l][i].longTerm;
    }
  }
}

}  // namespace nnvvc
