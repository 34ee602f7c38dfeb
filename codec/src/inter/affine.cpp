// Affine motion of H.266 8.5.5 (inter/affine.h; SbTMVP in inter/sbtmvp). Where the text and the VTM-23.2 decoder could
// be read differently the comments say what is followed.
#include "inter/affine.h"

#include "inter/sbtmvp.h"

#include <algorithm>

namespace nnvvc {
namespace inter {
namespace {

constexpr int kShift = 7;  // the affine models' extra precision (MAX_CU_DEPTH)

inline int32_t clip18(int32_t v) { return std::clamp(v, -(1 << 17), (1 << 17) - 1); }
inline Mv clipMv18(const Mv& m) { return Mv(clip18(m.x), clip18(m.y)); }
// 8.5.2.14 rounding by 7 bits (halves towards zero), then the 18-bit clip
inline Mv roundModel(int64_t x, int64_t y) {
  const Mv r = roundMv(Mv(int32_t(x), int32_t(y)), kShift, 0);
  return clipMv18(r);
}

const MotionInfo* interNeighbour(const MvPredEnv& env, int x, int y) {
  const MotionInfo* mi = env.motion->at(x, y);
  return (mi && mi->isInter()) ? mi : nullptr;
}

// An affine neighbour at (x, y): its record, or nullptr.
const AffineCuRecord* affineNeighbour(const MvPredEnv& env, int x, int y) {
  if (!interNeighbour(env, x, y)) return nullptr;
  return env.motion->affineAt(x, y);
}

// 8.5.5.5: the control-point MVs for the current CU (x, y, w, h) of list l from the affine neighbour nb. At the
// top CTU boundary (the neighbour ends on the CTU row above the CU) its bottom subblock MVs act as a 4-parameter
// model at its bottom edge (only one MV row of the CTU row above is needed).
void inheritCp(const MvPredEnv& env, const AffineCuRecord& nb, int l, int x, int y, int w, int h, bool sixParam,
               Mv out[3]) {
  int xNb = nb.x, yNb = nb.y;
  const int nbW = nb.w, nbH = nb.h;
  Mv lt = nb.am.cp[l][0], rt = nb.am.cp[l][1], lb = nb.am.cp[l][2];
  bool nbSix = nb.am.sixParam;
  const int ctuSize = 1 << env.log2CtuSize;
  if ((yNb + nbH) % ctuSize == 0 && yNb + nbH == y) {
    const MotionInfo* bl = env.motion->at(xNb, yNb + nbH - 1);
    const MotionInfo* br = env.motion->at(xNb + nbW - 1, yNb + nbH - 1);
    lt = bl ? bl->mv[l] : Mv();
    rt = br ? br->mv[l] : Mv();
    yNb += nbH;
    nbSix = false;
  }
  const int lw = log2Int(unsigned(nbW)), lh = log2Int(unsigned(nbH));
  const int64_t dHorX = int64_t(rt.x - lt.x) * (1 << (kShift - lw));
  const int64_t dHorY = int64_t(rt.y - lt.y) * (1 << (kShift - lw));
  int64_t dVerX, dVerY;
  if (nbSix) {
    dVerX = int64_t(lb.x - lt.x) * (1 << (kShift - lh));
    dVerY = int64_t(lb.y - lt.y) * (1 << (kShift - lh));
  } else {
    dVerX = -dHorY;
    dVerY = dHorX;
  }
  const int64_t bx = int64_t(lt.x) * (1 << kShift), by = int64_t(lt.y) * (1 << kShift);
  auto at = [&](int px, int py) {
    const int64_t dx = px - xNb, dy = py - yNb;
    return roundModel(bx + dHorX * dx + dVerX * dy, by + dHorY * dx + dVerY * dy);
  };
  out[0] = at(x, y);
  out[1] = at(x + w, y);
  out[2] = sixParam ? at(x, y + h) : Mv();
}

AffineMotion inheritedCandidate(const MvPredEnv& env, const AffineCuRecord& nb, int x, int y, int w, int h) {
  AffineMotion c;
  c.sixParam = nb.am.sixParam;
  c.interDir = nb.am.interDir;
  const bool bSlice = env.slice->sliceType == SliceType::kB;
  if (!bSlice) c.interDir &= 1;
  for (int l = 0; l < 2; ++l) {
    if (!c.predFlag(l)) continue;
    c.refIdx[l] = nb.am.refIdx[l];
    inheritCp(env, nb, l, x, y, w, h, c.sixParam, c.cp[l]);
  }
  // the neighbour CU's BcwIdx (VTM-23.2 takes it without looking at the direction; it is 0 unless bi)
  if (c.interDir == 3) c.bcwIdx = nb.am.bcwIdx;
  return c;
}

// 8.5.5.6: one constructed candidate from the corners idx[0..n) (0 LT, 1 RT, 2 LB, 3 RB) of `corner`; false
// when a corner is missing or no list has the same reference index at all of them.
bool constructedCandidate(const MotionInfo corner[4], const bool avail[4], int model, int log2W, int log2H,
                          AffineMotion& out) {
  static const int kCorners[6][3] = {{0, 1, 2}, {0, 1, 3}, {0, 2, 3}, {1, 2, 3}, {0, 1, -1}, {0, 2, -1}};
  const int n = model < 4 ? 3 : 2;
  const int* idx = kCorners[model];
  for (int i = 0; i < n; ++i)
    if (!avail[idx[i]]) return false;
  AffineMotion c;
  c.sixParam = n == 3;
  for (int l = 0; l < 2; ++l) {
    bool ok = true;
    for (int i = 0; i < n && ok; ++i)
      ok = corner[idx[i]].predFlag(l) && corner[idx[i]].refIdx[l] == corner[idx[0]].refIdx[l];
    if (!ok) continue;
    c.interDir |= uint8_t(1 << l);
    c.refIdx[l] = corner[idx[0]].refIdx[l];
    Mv m[4];
    for (int i = 0; i < n; ++i) m[idx[i]] = corner[idx[i]].mv[l];
    switch (model) {
      case 1: m[2] = clipMv18(Mv(m[3].x + m[0].x - m[1].x, m[3].y + m[0].y - m[1].y)); break;
      case 2: m[1] = clipMv18(Mv(m[3].x + m[0].x - m[2].x, m[3].y + m[0].y - m[2].y)); break;
      case 3: m[0] = clipMv18(Mv(m[1].x + m[2].x - m[3].x, m[1].y + m[2].y - m[3].y)); break;
      case 5: {
        const int shiftHtoW = kShift + log2W - log2H;
        const int64_t vx = int64_t(m[0].x) * (1 << kShift) + int64_t(m[2].y - m[0].y) * (int64_t(1) << shiftHtoW);
        const int64_t vy = int64_t(m[0].y) * (1 << kShift) - int64_t(m[2].x - m[0].x) * (int64_t(1) << shiftHtoW);
        m[1] = roundModel(vx, vy);
        break;
      }
      default: break;
    }
    c.cp[l][0] = m[0];
    c.cp[l][1] = m[1];
    c.cp[l][2] = n == 3 ? m[2] : Mv();
  }
  if (!c.interDir) return false;
  // a bi candidate takes the BcwIdx of the CU at its first corner: LT, or RT for the {RT, LB, RB} model
  // (VTM-23.2's neighBcw[0] / [1], read from the CU whose motion the corner took)
  if (c.interDir == 3) c.bcwIdx = corner[model == 3 ? 1 : 0].bcwIdx;
  out = c;
  return true;
}

}  // namespace

int buildSubblockMergeList(const MvPredEnv& env, int x, int y, int w, int h, AffineMotion list[kMaxSubblockMergeCand],
                           SbTmvpMotion* sbTmvp) {
  const SliceParams& slice = *env.slice;
  const int maxCand = std::clamp(slice.maxNumSubblockMergeCand, 0, kMaxSubblockMergeCand);
  for (int i = 0; i < kMaxSubblockMergeCand; ++i) list[i] = AffineMotion{};
  if (sbTmvp) *sbTmvp = SbTmvpMotion{};
  const bool bSlice = slice.sliceType == SliceType::kB;
  int cnt = 0;
  if (maxCand == 0) return 0;
  // ---- SbTMVP first (8.5.5.2); list[0] then holds only its centre's directions and reference indices
  SbTmvpMotion sb;
  if (sbTmvpCandidate(env, x, y, w, h, sb)) {
    list[cnt].interDir = sb.ctr.interDir;
    for (int l = 0; l < 2; ++l) list[cnt].refIdx[l] = sb.ctr.refIdx[l];
    ++cnt;
    if (sbTmvp) *sbTmvp = sb;
  }
  // ---- inherited: the first affine neighbour of A0, A1, then of B0, B1, B2 (no pruning)
  if (slice.affine && cnt < maxCand) {
    const AffineCuRecord* a = affineNeighbour(env, x - 1, y + h);
    if (!a) a = affineNeighbour(env, x - 1, y + h - 1);
    if (a) list[cnt++] = inheritedCandidate(env, *a, x, y, w, h);
  }
  if (slice.affine && cnt < maxCand) {
    const AffineCuRecord* b = affineNeighbour(env, x + w, y - 1);
    if (!b) b = affineNeighbour(env, x + w - 1, y - 1);
    if (!b) b = affineNeighbour(env, x - 1, y - 1);
    if (b) list[cnt++] = inheritedCandidate(env, *b, x, y, w, h);
  }
  // ---- constructed: corner motion LT (B2, B3, A2), RT (B1, B0), LB (A1, A0), RB (temporal, bottom-right)
  if (slice.affine && cnt < maxCand) {
    MotionInfo corner[4];
    bool avail[4] = {false, false, false, false};
    auto first = [&](int k, std::initializer_list<std::pair<int, int>> pos) {
      for (const auto& p : pos)
        if (const MotionInfo* mi = interNeighbour(env, p.first, p.second)) {
          corner[k] = *mi;
          avail[k] = true;
          return;
        }
    };
    first(0, {{x - 1, y - 1}, {x, y - 1}, {x - 1, y}});
    first(1, {{x + w - 1, y - 1}, {x + w, y - 1}});
    first(2, {{x - 1, y + h - 1}, {x - 1, y + h}});
    if (slice.tmvp) {
      const int xBr = x + w, yBr = y + h;
      const int ctuMask = (1 << env.log2CtuSize) - 1;
      // inside the picture and in the CU's CTU row (VTM: (y + h - 4) mod CTU + 4 < CTU size)
      if (xBr < env.motion->picWidth() && yBr < env.motion->picHeight() && (((yBr - 4) & ctuMask) + 4) <= ctuMask) {
        MotionInfo rb;
        for (int l = 0; l < (bSlice ? 2 : 1); ++l) {
          Mv mv;
          if (collocatedMvAt(slice, xBr, yBr, l, 0, mv)) {
            rb.mv[l] = mv;
            rb.refIdx[l] = 0;
            rb.interDir |= uint8_t(1 << l);
          }
        }
        if (rb.interDir) { corner[3] = rb; avail[3] = true; }
      }
    }
    const int lw = log2Int(unsigned(w)), lh = log2Int(unsigned(h));
    for (int model = slice.affineSixParam ? 0 : 4; model < 6 && cnt < maxCand; ++model) {
      AffineMotion c;
      if (constructedCandidate(corner, avail, model, lw, lh, c)) {
        if (!bSlice) { c.interDir &= 1; if (!c.interDir) continue; }
        list[cnt++] = c;
      }
    }
  }
  // ---- zero candidates: 4-parameter, reference index 0, bi in B slices
  while (cnt < maxCand) {
    AffineMotion z;
    z.interDir = bSlice ? 3 : 1;
    z.refIdx[0] = 0;
    if (bSlice) z.refIdx[1] = 0;
    list[cnt++] = z;
  }
  return cnt;
}

void buildAffineAmvpList(const MvPredEnv& env, int x, int y, int w, int h, int listX, int refIdx, bool sixParam,
                         Mv out[2][3]) {
  for (int k = 0; k < 2; ++k)
    for (int i = 0; i < 3; ++i) out[k][i] = Mv();
  const SliceParams& slice = *env.slice;
  if (!slice.refs || listX < 0 || listX > 1 || refIdx < 0 || refIdx >= std::min(slice.refs->num[listX], RefPicLists::kMaxRefs))
    return;
  const int targetPoc = slice.refs->ref[listX][refIdx].poc;
  auto refersTo = [&](const AffineMotion& am, int l) {
    const int r = am.refIdx[l];
    return am.predFlag(l) && r >= 0 && r < std::min(slice.refs->num[l], RefPicLists::kMaxRefs) &&
           slice.refs->ref[l][r].poc == targetPoc;
  };
  auto q = [](const Mv& m) { return roundMv(m, 2, 2); };
  int cnt = 0;
  // inherited (no scaling: a neighbour list referring to the target picture)
  auto inherit = [&](int px, int py) {
    const AffineCuRecord* nb = affineNeighbour(env, px, py);
    if (!nb) return false;
    for (int pass = 0; pass < 2; ++pass) {
      const int l = pass == 0 ? listX : 1 - listX;
      if (!refersTo(nb->am, l)) continue;
      Mv cp[3];
      inheritCp(env, *nb, l, x, y, w, h, sixParam, cp);
      for (int i = 0; i < 3; ++i) out[cnt][i] = q(cp[i]);
      if (!sixParam) out[cnt][2] = Mv();
      ++cnt;
      return true;
    }
    return false;
  };
  if (!inherit(x - 1, y + h)) inherit(x - 1, y + h - 1);
  if (!inherit(x + w, y - 1) && !inherit(x + w - 1, y - 1)) inherit(x - 1, y - 1);
  if (cnt >= 2) return;
  // constructed: LT from B2, B3, A2; RT from B1, B0; LB from A1, A0 (MVs referring to the target picture)
  Mv corner[3];
  bool avail[3];
  avail[0] = amvpNeighbourMv(env, x - 1, y - 1, listX, targetPoc, corner[0]) ||
             amvpNeighbourMv(env, x, y - 1, listX, targetPoc, corner[0]) ||
             amvpNeighbourMv(env, x - 1, y, listX, targetPoc, corner[0]);
  avail[1] = amvpNeighbourMv(env, x + w - 1, y - 1, listX, targetPoc, corner[1]) ||
             amvpNeighbourMv(env, x + w, y - 1, listX, targetPoc, corner[1]);
  avail[2] = amvpNeighbourMv(env, x - 1, y + h - 1, listX, targetPoc, corner[2]) ||
             amvpNeighbourMv(env, x - 1, y + h, listX, targetPoc, corner[2]);
  for (int i = 0; i < 3; ++i) corner[i] = avail[i] ? q(corner[i]) : Mv();
  if ((avail[0] && avail[1] && avail[2]) || (avail[0] && avail[1] && !sixParam)) {
    for (int i = 0; i < 3; ++i) out[cnt][i] = corner[i];
    if (!sixParam) out[cnt][2] = Mv();
    ++cnt;
  }
  if (cnt >= 2) return;
  // one corner MV for all control points: LB, RT, LT
  for (int i = 2; i >= 0 && cnt < 2; --i)
    if (avail[i]) {
      for (int k = 0; k < 3; ++k) out[cnt][k] = corner[i];
      if (!sixParam) out[cnt][2] = Mv();
      ++cnt;
    }
  if (cnt < 2 && slice.tmvp) {
    Mv col;
    if (temporalMv(env, x, y, w, h, listX, refIdx, col)) {
      for (int k = 0; k < 3; ++k) out[cnt][k] = q(col);
      if (!sixParam) out[cnt][2] = Mv();
      ++cnt;
    }
  }
}

AffineModel affineModel(const AffineMotion& am, int l, int w, int h) {
  AffineModel m;
  const Mv& lt = am.cp[l][0];
  const Mv& rt = am.cp[l][1];
  const Mv& lb = am.cp[l][2];
  const int lw = log2Int(unsigned(w)), lh = log2Int(unsigned(h));
  m.dHorX = (rt.x - lt.x) * (1 << (kShift - lw));
  m.dHorY = (rt.y - lt.y) * (1 << (kShift - lw));
  if (am.sixParam) {
    m.dVerX = (lb.x - lt.x) * (1 << (kShift - lh));
    m.dVerY = (lb.y - lt.y) * (1 << (kShift - lh));
  } else {
    m.dVerX = -m.dHorY;
    m.dVerY = m.dHorX;
  }
  m.baseX = lt.x * (1 << kShift);
  m.baseY = lt.y * (1 << kShift);
  return m;
}

bool affineFallback(const AffineModel& m, int interDir) {
  // reference block of one 4x4 subblock in 1/2048 sample: the spread of its corners' MVs plus the block
  const int64_t a = m.dHorX, b = m.dHorY, c = m.dVerX, d = m.dVerY;
  const int64_t s4 = 4 << 11;
  constexpr int kTaps = 6;
  if (interDir == 3) {
    const int64_t w = std::max(std::max<int64_t>(0, 4 * a + s4), std::max(4 * c, 4 * a + 4 * c + s4)) -
                      std::min(std::min<int64_t>(0, 4 * a + s4), std::min(4 * c, 4 * a + 4 * c + s4));
    const int64_t h = std::max(std::max<int64_t>(0, 4 * b), std::max(4 * d + s4, 4 * b + 4 * d + s4)) -
                      std::min(std::min<int64_t>(0, 4 * b), std::min(4 * d + s4, 4 * b + 4 * d + s4));
    const int64_t bw = (w >> 11) + kTaps + 3, bh = (h >> 11) + kTaps + 3;
    return bw * bh > (kTaps + 9) * (kTaps + 9);
  }
  int64_t w = std::max<int64_t>(0, 4 * a + s4) - std::min<int64_t>(0, 4 * a + s4);
  int64_t h = std::max<int64_t>(0, 4 * b) - std::min<int64_t>(0, 4 * b);
  if (((w >> 11) + kTaps + 3) * ((h >> 11) + kTaps + 3) > (kTaps + 9) * (kTaps + 5)) return true;
  w = std::max<int64_t>(0, 4 * c) - std::min<int64_t>(0, 4 * c);
  h = std::max<int64_t>(0, 4 * d + s4) - std::min<int64_t>(0, 4 * d + s4);
  return ((w >> 11) + kTaps + 3) * ((h >> 11) + kTaps + 3) > (kTaps + 5) * (kTaps + 9);
}

void affineSubblockMvs(const AffineMotion& am, int l, int w, int h, Mv* out) {
  const AffineModel m = affineModel(am, l, w, h);
  const bool fallback = affineFallback(m, am.interDir);
  const int nx = w / kAffineSubblock, ny = h / kAffineSubblock;
  for (int j = 0; j < ny; ++j)
    for (int i = 0; i < nx; ++i) {
      const int px = fallback ? w >> 1 : i * kAffineSubblock + kAffineSubblock / 2;
      const int py = fallback ? h >> 1 : j * kAffineSubblock + kAffineSubblock / 2;
      out[j * nx + i] = roundModel(int64_t(m.baseX) + int64_t(m.dHorX) * px + int64_t(m.dVerX) * py,
                                   int64_t(m.baseY) + int64_t(m.dHorY) * px + int64_t(m.dVerY) * py);
    }
}

MotionInfo affineCuMotion(const AffineMotion& am) {
  MotionInfo mi;
  mi.interDir = am.interDir;
  mi.bcwIdx = am.interDir == 3 ? am.bcwIdx : 0;
  for (int l = 0; l < 2; ++l)
    if (am.predFlag(l)) {
      mi.refIdx[l] = am.refIdx[l];
      mi.mv[l] = am.cp[l][0];
    }
  return mi;
}

void storeCuMotion(MotionField& field, const CodingUnit& cu, const MotionInfo& mi, const SliceParams& slice,
                   int log2CtuSize) {
  if (cu.affine && cu.sbTmvp()) {
    storeSbTmvpMotion(field, slice, log2CtuSize, cu);
    return;
  }
  if (!cu.affine) {
    field.set(cu.x, cu.y, cu.w, cu.h, mi);
    return;
  }
  const int nx = cu.w / kAffineSubblock, ny = cu.h / kAffineSubblock;
  Mv mvs[2][32 * 32];
  for (int l = 0; l < 2; ++l)
    if (cu.aff.predFlag(l)) affineSubblockMvs(cu.aff, l, cu.w, cu.h, mvs[l]);
  for (int j = 0; j < ny; ++j)
    for (int i = 0; i < nx; ++i) {
      MotionInfo s;
      s.interDir = cu.aff.interDir;
      s.bcwIdx = s.interDir == 3 ? cu.aff.bcwIdx : 0;
      for (int l = 0; l < 2; ++l)
        if (cu.aff.predFlag(l)) {
          s.refIdx[l] = cu.aff.refIdx[l];
          s.mv[l] = mvs[l][j * nx + i];
        }
      field.setUnit(cu.x + i * kAffineSubblock, cu.y + j * kAffineSubblock, s);
    }
  AffineCuRecord rec;
  rec.x = cu.x; rec.y = cu.y; rec.w = cu.w; rec.h = cu.h;
  rec.am = cu.aff;
  field.setAffine(rec);
}

}  // namespace inter
}  // namespace nnvvc
