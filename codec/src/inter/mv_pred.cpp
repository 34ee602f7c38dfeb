// Motion vector prediction of H.266 8.5.2 for the tool set this encoder signals (TMVP; SbTMVP in
// inter/sbtmvp, Log2ParMrgLevel = 2, quarter-sample MVD precision). Written from the specification; where the
// text and the VTM-23.2 reference decoder could be read differently, the comments say which
// behaviour is followed (VTM decodes our streams, so its lists are the ones that must match).
#include "inter/mv_pred.h"

namespace nnvvc {
namespace inter {

namespace {

// Max HMVP entries the AMVP list looks at (8.5.2.8: Min(4, NumHmvpCand)).
constexpr int kMaxHmvpForAmvp = 4;

// Motion of the neighbouring 4x4 block that covers luma (x, y), or nullptr when it is not
// available (6.4.4): outside the picture, intra, or not yet coded (the motion field holds
// interDir 0 there, see MvPredEnv). With Log2ParMrgLevel = 2 every neighbour position lies in a
// different 4x4 merge estimation region than the CU's top-left sample, so no MER check remains.
const MotionInfo* neighbour(const MvPredEnv& env, int x, int y) {
  const MotionInfo* mi = env.motion->at(x, y);
  return (mi && mi->isInter()) ? mi : nullptr;
}

bool isBSlice(const SliceParams& slice) { return slice.sliceType == SliceType::kB; }

// Number of active reference indices of list l (0 when the slice has no lists).
int numActiveRefs(const SliceParams& slice, int l) {
  if (!slice.refs) return 0;
  return std::clamp(slice.refs->num[l], 0, RefPicLists::kMaxRefs);
}

// POC of RefPicList[l][refIdx]; false when refIdx is not an active index (a corrupt stream or
// a motion field that does not belong to this slice must not index out of the lists).
bool refPoc(const SliceParams& slice, int l, int refIdx, int& poc) {
  if (refIdx < 0 || refIdx >= numActiveRefs(slice, l)) return false;
  poc = slice.refs->ref[l][refIdx].poc;
  return true;
}

// Keep only what the slice type allows (P slices have no list 1) and the MotionInfo invariant
// "unused list: refIdx -1, mv (0,0)".
MotionInfo normalised(const MotionInfo& in, bool bSlice) {
  MotionInfo out;
  for (int l = 0; l < (bSlice ? 2 : 1); ++l)
    if (in.predFlag(l)) {
      out.mv[l] = in.mv[l];
      out.refIdx[l] = in.refIdx[l];
      out.interDir |= uint8_t(1 << l);
    }
  // BcwIdx is inherited with the motion of a bi candidate (8.5.2.3, 8.5.2.6), hpelIfIdx with any candidate
  if (out.interDir == 3) out.bcwIdx = in.bcwIdx;
  out.hpelIfIdx = out.interDir ? in.hpelIfIdx : 0;
  return out;
}

// 8.5.2.4: average of the first two merge candidates, per list. Both present: averaged MV with
// the 8.5.2.14 rounding (rightShift 1, i.e. towards zero) and p0's refIdx (even when p1 uses a
// different one); one present: copied; none: the list stays unused.
MotionInfo pairwiseAverage(const MotionInfo& p0, const MotionInfo& p1, bool bSlice) {
  MotionInfo avg;
  for (int l = 0; l < (bSlice ? 2 : 1); ++l) {
    const bool f0 = p0.predFlag(l), f1 = p1.predFlag(l);
    if (!f0 && !f1) continue;
    avg.interDir |= uint8_t(1 << l);
    if (f0 && f1) {
      avg.mv[l] = roundMv(Mv(p0.mv[l].x + p1.mv[l].x, p0.mv[l].y + p1.mv[l].y), 1, 0);
      avg.refIdx[l] = p0.refIdx[l];
    } else {
      const MotionInfo& src = f0 ? p0 : p1;
      avg.mv[l] = src.mv[l];
      avg.refIdx[l] = src.refIdx[l];
    }
  }
  // hpelIfIdx where the two sources agree (8.5.2.4); BcwIdx stays 0
  avg.hpelIfIdx = avg.interDir && p0.hpelIfIdx == p1.hpelIfIdx ? p0.hpelIfIdx : 0;
  return avg;
}

// One spatial AMVP predictor from the neighbour at (x, y) (8.5.2.10): its list-X motion when
// that refers to the target POC, else its list-Y motion when that does. VVC has no spatial MV
// scaling, so a neighbour referring to any other picture contributes nothing.
bool amvpFromNeighbour(const MvPredEnv& env, int x, int y, int listX, int targetPoc, Mv& mv) {
  const MotionInfo* nb = neighbour(env, x, y);
  if (!nb) return false;
  for (int pass = 0; pass < 2; ++pass) {
    const int l = pass == 0 ? listX : 1 - listX;
    int poc = 0;
    if (nb->predFlag(l) && refPoc(*env.slice, l, nb->refIdx[l], poc) && poc == targetPoc) {
      mv = nb->mv[l];
      return true;
    }
  }
  return false;
}

// ---- temporal MV prediction (8.5.2.11 / 8.5.2.12)

// Granularity at which the collocated picture's motion is read (the spec reads it at
// ((x >> 3) << 3, (y >> 3) << 3)).
constexpr int kColGridMask = ~7;
// CUs with at most this many luma samples (8x4, 4x8) get no temporal candidate (8.5.2.11).
constexpr int kMaxSamplesWithoutTmvp = 32;

// NoBackwardPredFlag (8.5.2.12): no active reference of the slice follows the current picture in
// output order (DiffPicOrderCnt(aPic, CurrPic) <= 0 for every aPic of both lists).
bool noBackwardPred(const SliceParams& slice) {
  for (int l = 0; l < 2; ++l)
    for (int i = 0; i < numActiveRefs(slice, l); ++i)
      if (slice.refs->ref[l][i].poc > slice.poc) return false;
  return true;
}

}  // namespace

int bcwMaxIdx(const SliceParams& slice) {
  if (!slice.bcw || !isBSlice(slice) || !slice.refs) return 0;
  return noBackwardPred(slice) ? kBcwNumWeights - 1 : 2;
}

bool symmetricRefIdx(const SliceParams& slice, int out[2]) {
  out[0] = out[1] = -1;
  if (!slice.smvd || !isBSlice(slice) || !slice.refs || noBackwardPred(slice)) return false;
  const int cur = slice.poc;
  // nearest reference on side `before` (POC < cur) or after (POC > cur) in list l
  auto nearest = [&](int l, bool before, int& poc) {
    int idx = -1;
    for (int i = 0; i < numActiveRefs(slice, l); ++i) {
      const RefPic& r = slice.refs->ref[l][i];
      if (r.longTerm || (before ? !(r.poc < cur) : !(r.poc > cur))) continue;
      if (idx < 0 || (before ? r.poc > poc : r.poc < poc)) { idx = i; poc = r.poc; }
    }
    return idx;
  };
  int p0 = cur, p1 = cur;
  int i0 = nearest(0, true, p0), i1 = nearest(1, false, p1);
  if (i0 < 0 || i1 < 0) {
    p0 = p1 = cur;
    i0 = nearest(0, false, p0);
    i1 = nearest(1, true, p1);
  }
  if (i0 < 0 || i1 < 0) return false;
  out[0] = i0;
  out[1] = i1;
  return true;
}

const RefPic* collocatedRef(const SliceParams& slice) {
  if (!slice.tmvp || !slice.refs) return nullptr;
  const int list = (isBSlice(slice) && !slice.colFromL0) ? 1 : 0;
  if (slice.colRefIdx < 0 || slice.colRefIdx >= numActiveRefs(slice, list)) return nullptr;
  const RefPic& col = slice.refs->ref[list][slice.colRefIdx];
  return col.motion ? &col : nullptr;
}

namespace {

// 8.5.2.12 for the collocated block covering (xCol, yCol) (already on the 8x8 grid) of `col`:
// the MV for RefPicList[listX][refIdx], scaled by the POC distances. sbFlag (SbTMVP): where a reference follows
// the current picture only the collocated block's list X counts.
bool collocatedMv(const SliceParams& slice, const RefPic& col, int xCol, int yCol, int listX, int refIdx, Mv& mv,
                  bool sbFlag = false) {
  const MotionInfo* colMi = col.motion->at(xCol, yCol);
  if (!colMi || !colMi->isInter()) return false;  // outside, or intra-coded collocated block
  // Which of the collocated block's lists: the only one it uses; with both, list X when no
  // reference follows the current picture, else list N = sh_collocated_from_l0_flag.
  int listCol;
  if (sbFlag && !noBackwardPred(slice)) {
    if (!colMi->predFlag(listX)) return false;
    listCol = listX;
  } else if (!colMi->predFlag(0)) listCol = 1;
  else if (!colMi->predFlag(1)) listCol = 0;
  else listCol = noBackwardPred(slice) ? listX : (slice.colFromL0 ? 1 : 0);
  const MotionFieldRefs& colRefs = col.motion->refs();
  const int refIdxCol = colMi->refIdx[listCol];
  if (refIdxCol < 0 || refIdxCol >= std::min(colRefs.num[listCol], MotionFieldRefs::kMaxRefs)) return false;
  const RefPic& target = slice.refs->ref[listX][refIdx];
  // A long-term reference on one side and a short-term one on the other: no prediction.
  if (target.longTerm != colRefs.refLongTerm[listCol][refIdxCol]) return false;
  const Mv mvCol(roundCollocatedMvComponent(colMi->mv[listCol].x), roundCollocatedMvComponent(colMi->mv[listCol].y));
  const int colPocDiff = colRefs.poc - colRefs.refPoc[listCol][refIdxCol];
  const int currPocDiff = slice.poc - target.poc;
  if (target.longTerm || colPocDiff == currPocDiff) {
    mv = clipMv(mvCol);
    return true;
  }
  if (colPocDiff == 0) return false;  // a picture never references itself; guards the division
  const int32_t scale = distScaleFactor(currPocDiff, colPocDiff);
  // Sign(p) * ((Abs(p) + 127) >> 8) for p = scale * mvCol: the 8.5.2.14 rounding by 8 bits
  mv = clipMv(roundMv(Mv(scale * mvCol.x, scale * mvCol.y), 8, 0));
  return true;
}

}  // namespace

MotionInfo mmvdMotion(const SliceParams& slice, const MotionInfo& base, int dist, int dir, int w, int h) {
  const int32_t off = (1 << dist) << 2;  // MmvdDistance << 2: 1/16 sample units
  const Mv offset = dir == 0 ? Mv(off, 0) : dir == 1 ? Mv(-off, 0) : dir == 2 ? Mv(0, off) : Mv(0, -off);
  Mv d[2] = {offset, offset};
  if (base.interDir == 3 && slice.refs) {
    const RefPic& r0 = slice.refs->ref[0][base.refIdx[0]];
    const RefPic& r1 = slice.refs->ref[1][base.refIdx[1]];
    const int diff0 = slice.poc - r0.poc, diff1 = slice.poc - r1.poc;
    if (diff0 != diff1) {
      // the list with the larger POC distance takes the offset, the other one follows it
      const bool l0Far = std::abs(diff0) >= std::abs(diff1);
      const int far = l0Far ? 0 : 1, near = 1 - far;
      const int diffFar = l0Far ? diff0 : diff1, diffNear = l0Far ? diff1 : diff0;
      if (!r0.longTerm && !r1.longTerm) {
        // Sign(p) * ((Abs(p) + 127) >> 8) of p = scale * offset, clipped to 16 bits
        const int32_t scale = distScaleFactor(diffNear, diffFar);
        const Mv s = roundMv(Mv(scale * offset.x, scale * offset.y), 8, 0);
        d[near] = Mv(std::clamp(s.x, -(1 << 15), (1 << 15) - 1), std::clamp(s.y, -(1 << 15), (1 << 15) - 1));
      } else {
        d[near] = diff0 * diff1 > 0 ? offset : Mv(-offset.x, -offset.y);
      }
      d[far] = offset;
    }
  }
  MotionInfo mi = base;
  for (int l = 0; l < 2; ++l)
    if (mi.predFlag(l)) mi.mv[l] = Mv(wrapMv18(mi.mv[l].x + d[l].x), wrapMv18(mi.mv[l].y + d[l].y));
  restrictBiOfSmallCu(mi, w, h);
  return mi;
}

int distScaleFactor(int currPocDiff, int colPocDiff) {
  const int td = std::clamp(colPocDiff, -128, 127);
  const int tb = std::clamp(currPocDiff, -128, 127);
  const int tx = (16384 + (std::abs(td) >> 1)) / td;
  return std::clamp((tb * tx + 32) >> 6, -4096, 4095);
}

int32_t roundCollocatedMvComponent(int32_t v) {
  const int32_t magnitude = v >= 0 ? v : -(v + 1);  // ~v for negative v: no overflow at INT_MIN
  int msb = 0;
  while ((magnitude >> msb) > 1) ++msb;  // Floor(Log2(magnitude)); magnitude < 64: msb <= 5
  const int shift = msb - 5;
  if (shift <= 0) return v;
  const int64_t rounded = (int64_t(v) + (int64_t(1) << (shift - 1))) >> shift;
  return int32_t(rounded * (int64_t(1) << shift));
}

bool temporalMv(const MvPredEnv& env, int x, int y, int w, int h, int listX, int refIdx, Mv& mv) {
  const SliceParams& slice = *env.slice;
  if (w * h <= kMaxSamplesWithoutTmvp || listX < 0 || listX > 1) return false;
  if (refIdx < 0 || refIdx >= numActiveRefs(slice, listX)) return false;
  const RefPic* col = collocatedRef(slice);
  if (!col) return false;
  // Bottom-right candidate: below-right of the CU, inside the picture and in the CU's CTU row
  // (so that only one CTU row of collocated motion is needed at a time).
  const int xBr = x + w, yBr = y + h;
  if ((y >> env.log2CtuSize) == (yBr >> env.log2CtuSize) && yBr < env.motion->picHeight() &&
      xBr < env.motion->picWidth() &&
      collocatedMv(slice, *col, xBr & kColGridMask, yBr & kColGridMask, listX, refIdx, mv))
    return true;
  // Centre candidate.
  const int xCtr = x + (w >> 1), yCtr = y + (h >> 1);
  return collocatedMv(slice, *col, xCtr & kColGridMask, yCtr & kColGridMask, listX, refIdx, mv);
}

bool amvpNeighbourMv(const MvPredEnv& env, int x, int y, int listX, int targetPoc, Mv& mv) {
  return amvpFromNeighbour(env, x, y, listX, targetPoc, mv);
}

bool collocatedMvAt(const SliceParams& slice, int x, int y, int listX, int refIdx, Mv& mv, bool sbFlag) {
  if (listX < 0 || listX > 1 || refIdx < 0 || refIdx >= numActiveRefs(slice, listX)) return false;
  const RefPic* col = collocatedRef(slice);
  return col && collocatedMv(slice, *col, x & kColGridMask, y & kColGridMask, listX, refIdx, mv, sbFlag);
}

Mv roundMv(const Mv& mv, int rightShift, int leftShift) {
  auto roundComponent = [&](int32_t v) -> int32_t {
    if (rightShift > 0) {
      const int32_t offset = int32_t(1) << (rightShift - 1);
      v = (v + offset - (v >= 0 ? 1 : 0)) >> rightShift;  // symmetric: halves round towards zero
    }
    return v * (int32_t(1) << leftShift);  // multiply: left-shifting a negative value is UB
  };
  return Mv(roundComponent(mv.x), roundComponent(mv.y));
}

Mv clipMv(const Mv& mv) {
  constexpr int32_t lo = -(1 << 17), hi = (1 << 17) - 1;
  return Mv(std::clamp(mv.x, lo, hi), std::clamp(mv.y, lo, hi));
}

int buildMergeList(const MvPredEnv& env, int x, int y, int w, int h, MotionInfo list[kMaxMergeCand],
                   bool restrictSmallBi) {
  const SliceParams& slice = *env.slice;
  const bool bSlice = isBSlice(slice);
  const int maxCand = std::clamp(slice.maxNumMergeCand, 1, kMaxMergeCand);
  for (int i = 0; i < kMaxMergeCand; ++i) list[i] = MotionInfo{};
  int cnt = 0;

  // ---- spatial candidates (8.5.2.3), in the order B1, A1, B0, A0, B2. Each pruning test uses
  // the neighbour's availability, not whether it made it into the list (as the spec words it
  // and VTM does it); the comparison covers interDir, refIdx and MVs of the used lists.
  const MotionInfo* b1 = neighbour(env, x + w - 1, y - 1);
  const MotionInfo* a1 = neighbour(env, x - 1, y + h - 1);
  const MotionInfo* b0 = neighbour(env, x + w, y - 1);
  const MotionInfo* a0 = neighbour(env, x - 1, y + h);
  const MotionInfo* b2 = neighbour(env, x - 1, y - 1);
  auto add = [&](const MotionInfo& mi) { list[cnt++] = normalised(mi, bSlice); };
  if (b1) add(*b1);
  if (cnt < maxCand && a1 && !(b1 && *b1 == *a1)) add(*a1);
  if (cnt < maxCand && b0 && !(b1 && *b1 == *b0)) add(*b0);
  if (cnt < maxCand && a0 && !(a1 && *a1 == *a0)) add(*a0);
  // B2 only when fewer than four spatial candidates were taken.
  if (cnt < maxCand && cnt < 4 && b2 && !(a1 && *a1 == *b2) && !(b1 && *b1 == *b2)) add(*b2);

  // ---- temporal candidate (8.5.2.11): refIdx 0 in each list the slice has, present when
  // either list finds a collocated MV.
  if (cnt < maxCand && slice.tmvp) {
    MotionInfo col;
    for (int l = 0; l < (bSlice ? 2 : 1); ++l) {
      Mv mv;
      if (temporalMv(env, x, y, w, h, l, 0, mv)) {
        col.mv[l] = mv;
        col.refIdx[l] = 0;
        col.interDir |= uint8_t(1 << l);
      }
    }
    if (col.isInter()) list[cnt++] = col;
  }

  // ---- history candidates (8.5.2.6): newest first, until MaxNumMergeCand - 1 entries. Only
  // the two newest entries are compared, and only with A1 and B1.
  if (env.hmvp && cnt < maxCand - 1) {
    const HmvpTable& table = *env.hmvp;
    const int num = std::clamp(table.num, 0, HmvpTable::kMax);
    for (int i = 0; i < num && cnt < maxCand - 1; ++i) {
      const MotionInfo& cand = table.cand[num - 1 - i];
      const bool sameMotion = i < 2 && ((a1 && *a1 == cand) || (b1 && *b1 == cand));
      if (!sameMotion) add(cand);
    }
  }

  // ---- pairwise average of the first two candidates (8.5.2.4).
  if (cnt > 1 && cnt < maxCand) {
    const MotionInfo avg = pairwiseAverage(list[0], list[1], bSlice);
    if (avg.isInter()) list[cnt++] = avg;
  }

  // ---- zero candidates (8.5.2.5): refIdx counts up through the indices usable in every list
  // the slice has, then stays 0.
  const int numRefIdx = bSlice ? std::min(numActiveRefs(slice, 0), numActiveRefs(slice, 1))
                               : numActiveRefs(slice, 0);
  for (int zeroIdx = 0; cnt < maxCand; ++zeroIdx) {
    MotionInfo zero;
    const int8_t refIdx = int8_t(zeroIdx < numRefIdx ? zeroIdx : 0);
    zero.refIdx[0] = refIdx;
    zero.interDir = 1;
    if (bSlice) {
      zero.refIdx[1] = refIdx;
      zero.interDir = 3;
    }
    list[cnt++] = zero;
  }

  // ---- 8x4 / 4x8: bi-prediction is not allowed (8.5.2.2). The spec converts the selected
  // candidate after the whole list is built (the pairwise average above still sees the bi
  // candidates), so converting every entry here gives the same result for any merge_idx.
  if (restrictSmallBi)
    for (int i = 0; i < cnt; ++i) restrictBiOfSmallCu(list[i], w, h);
  return cnt;
}

void buildAmvpList(const MvPredEnv& env, int x, int y, int w, int h, int listX, int refIdx, Mv out[2], int amvrShift) {
  out[0] = out[1] = Mv();
  const SliceParams& slice = *env.slice;
  if (listX < 0 || listX > 1) return;
  int targetPoc = 0;
  if (!refPoc(slice, listX, refIdx, targetPoc)) return;  // invalid refIdx: zero predictors

  Mv cand[2];
  int cnt = 0;
  // Spatial A: A0 then A1; spatial B: B0, B1, B2 (8.5.2.10). The first neighbour with a usable
  // reference wins within each group. The spec's isScaledFlag step (copy B into A when neither
  // A0 nor A1 is available) changes nothing without scaling: the list is [B] either way.
  Mv mvA, mvB;
  const bool availA = amvpFromNeighbour(env, x - 1, y + h, listX, targetPoc, mvA) ||
                      amvpFromNeighbour(env, x - 1, y + h - 1, listX, targetPoc, mvA);
  const bool availB = amvpFromNeighbour(env, x + w, y - 1, listX, targetPoc, mvB) ||
                      amvpFromNeighbour(env, x + w - 1, y - 1, listX, targetPoc, mvB) ||
                      amvpFromNeighbour(env, x - 1, y - 1, listX, targetPoc, mvB);
  // Round to the MVD precision before the A/B duplicate test (VTM and the spec both compare the
  // rounded predictors).
  if (availA) cand[cnt++] = roundMv(mvA, amvrShift, amvrShift);
  if (availB) {
    const Mv b = roundMv(mvB, amvrShift, amvrShift);
    if (cnt == 0 || cand[0] != b) cand[cnt++] = b;
  }

  // Temporal predictor: only while fewer than two distinct spatial predictors were found.
  if (cnt < 2 && slice.tmvp) {
    Mv col;
    if (temporalMv(env, x, y, w, h, listX, refIdx, col))
      cand[cnt++] = roundMv(col, amvrShift, amvrShift);
  }

  // History predictors: the OLDEST Min(4, NumHmvpCand) entries, oldest first (VTM reads its
  // table from index 0, where merge reads from the newest end; the spec indexes
  // HmvpCandList[hMvpIdx - 1] likewise). Each entry offers list X then list Y when that refers
  // to the target POC; no pruning against the spatial predictors.
  if (env.hmvp && cnt < 2) {
    const HmvpTable& table = *env.hmvp;
    const int num = std::min(std::clamp(table.num, 0, HmvpTable::kMax), kMaxHmvpForAmvp);
    for (int i = 0; i < num && cnt < 2; ++i) {
      const MotionInfo& entry = table.cand[i];
      for (int pass = 0; pass < 2 && cnt < 2; ++pass) {
        const int l = pass == 0 ? listX : 1 - listX;
        int poc = 0;
        if (entry.predFlag(l) && refPoc(slice, l, entry.refIdx[l], poc) && poc == targetPoc)
          cand[cnt++] = roundMv(entry.mv[l], amvrShift, amvrShift);
      }
    }
  }

  // Zero fill up to two predictors.
  for (int i = 0; i < cnt; ++i) out[i] = cand[i];
}

void updateHmvp(HmvpTable& table, const MotionInfo& mi) {
  int num = std::clamp(table.num, 0, HmvpTable::kMax);
  // An identical entry moves to the newest position; otherwise a full table drops its oldest.
  int removeAt = -1;
  for (int i = 0; i < num; ++i)
    if (table.cand[i] == mi) {
      removeAt = i;
      break;
    }
  if (removeAt < 0 && num == HmvpTable::kMax) removeAt = 0;
  if (removeAt >= 0) {
    for (int i = removeAt; i + 1 < num; ++i) table.cand[i] = table.cand[i + 1];
    --num;
  }
  table.cand[num++] = mi;
  table.num = num;
}

}  // namespace inter
}  // namespace nnvvc
