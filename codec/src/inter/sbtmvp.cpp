// SbTMVP (inter/sbtmvp.h), written from H.266 8.5.5.3 / 8.5.5.4. Where the text and the VTM-23.2 decoder could be
// read differently the comments say what is followed.
#include "inter/sbtmvp.h"

#include <algorithm>

namespace nnvvc {
namespace inter {
namespace {

constexpr int kColGridMask = ~7;  // collocated motion is read on the 8x8 grid

// The shifted position (xColCb / yColCb, xColSb / yColSb): clipped to the current CTU, 4 samples further to the
// right (so that one CTU column of collocated motion plus one 4-sample column suffices), and to the picture.
inline void colPosition(const MotionField& colField, int log2CtuSize, int xCu, int yCu, int px, int py, int& xCol,
                        int& yCol) {
  const int ctu = 1 << log2CtuSize;
  const int xCtb = (xCu >> log2CtuSize) << log2CtuSize, yCtb = (yCu >> log2CtuSize) << log2CtuSize;
  xCol = std::clamp(px, xCtb, std::min(colField.picWidth() - 1, xCtb + ctu + 3)) & kColGridMask;
  yCol = std::clamp(py, yCtb, std::min(colField.picHeight() - 1, yCtb + ctu - 1)) & kColGridMask;
}

// The collocated motion at (xCol, yCol) as an SbTMVP motion: per list (list 1 in B slices only) the scaled
// collocated MV for reference index 0. interDir 0 when neither list has one.
MotionInfo colMotion(const SliceParams& slice, int xCol, int yCol) {
  MotionInfo mi;
  const int nl = slice.sliceType == SliceType::kB ? 2 : 1;
  for (int l = 0; l < nl; ++l) {
    Mv mv;
    if (collocatedMvAt(slice, xCol, yCol, l, 0, mv, true)) {
      mi.mv[l] = mv;
      mi.refIdx[l] = 0;
      mi.interDir |= uint8_t(1 << l);
    }
  }
  return mi;
}

}  // namespace

bool sbTmvpCandidate(const MvPredEnv& env, int x, int y, int w, int h, SbTmvpMotion& out) {
  out = SbTmvpMotion{};
  const SliceParams& slice = *env.slice;
  if (!slice.sbTmvp || w < 8 || h < 8 || !slice.refs) return false;
  const RefPic* col = collocatedRef(slice);
  if (!col) return false;
  // tempMv: A1's list-0 MV when it refers to the collocated picture, else (B slices) its list-1 MV when that does
  Mv shift;
  if (const MotionInfo* a1 = env.motion->at(x - 1, y + h - 1); a1 && a1->isInter()) {
    auto refersToCol = [&](int l) {
      const int r = a1->refIdx[l];
      return a1->predFlag(l) && r >= 0 && r < std::min(slice.refs->num[l], RefPicLists::kMaxRefs) &&
             slice.refs->ref[l][r].poc == col->poc;
    };
    if (refersToCol(0)) shift = a1->mv[0];
    else if (slice.sliceType == SliceType::kB && refersToCol(1)) shift = a1->mv[1];
  }
  // in whole samples, rounded as 8.5.2.14 rounds (halves towards zero; VTM-23.2 likewise), not floored
  const Mv s = roundMv(shift, 4, 0);
  int xCol, yCol;
  colPosition(*col->motion, env.log2CtuSize, x, y, x + (w >> 1) + s.x, y + (h >> 1) + s.y, xCol, yCol);
  const MotionInfo ctr = colMotion(slice, xCol, yCol);
  if (!ctr.interDir) return false;  // intra or no usable motion at the centre: no SbTMVP candidate
  out.available = true;
  out.shift = shift;
  out.ctr = ctr;
  return true;
}

void sbTmvpSubblockMotion(const SliceParams& slice, int log2CtuSize, int x, int y, int w, int h,
                          const SbTmvpMotion& c, MotionInfo* out) {
  const RefPic* col = collocatedRef(slice);
  const Mv s = roundMv(c.shift, 4, 0);
  const int nx = w / kSbTmvpSubblock, ny = h / kSbTmvpSubblock;
  for (int j = 0; j < ny; ++j)
    for (int i = 0; i < nx; ++i) {
      MotionInfo& mi = out[j * nx + i];
      mi = c.ctr;
      if (!col) continue;
      int xCol, yCol;
      colPosition(*col->motion, log2CtuSize, x, y, x + i * kSbTmvpSubblock + kSbTmvpSubblock / 2 + s.x,
                  y + j * kSbTmvpSubblock + kSbTmvpSubblock / 2 + s.y, xCol, yCol);
      const MotionInfo m = colMotion(slice, xCol, yCol);
      if (m.interDir) mi = m;  // else the centre's motion (VTM-23.2: when no list is found)
    }
}

void storeSbTmvpMotion(MotionField& field, const SliceParams& slice, int log2CtuSize, const CodingUnit& cu) {
  MotionInfo sub[kMaxSbTmvpSubblocks];
  sbTmvpSubblockMotion(slice, log2CtuSize, cu.x, cu.y, cu.w, cu.h, cu.sbTmvpMotion, sub);
  const int nx = cu.w / kSbTmvpSubblock, ny = cu.h / kSbTmvpSubblock;
  for (int j = 0; j < ny; ++j)
    for (int i = 0; i < nx; ++i)
      field.set(cu.x + i * kSbTmvpSubblock, cu.y + j * kSbTmvpSubblock, kSbTmvpSubblock, kSbTmvpSubblock,
                sub[j * nx + i]);
}

}  // namespace inter
}  // namespace nnvvc
