// Inter coding-unit syntax (P/B slices): random legal coding trees with skip / merge / AMVP
// (uni and bi) / intra CUs, local dual trees and MODE_TYPE_INTER subtrees (non_inter_flag), written
// with the ArithEncoder, parsed back with the ArithDecoder (identical CUs, motion fields and HMVP
// tables), rate estimate vs the real size, writer consistency checks and corrupt-stream safety.
#include <cstdio>
#include <cstring>
#include <vector>

#include "cabac/cabac.h"
#include "inter/affine.h"
#include "inter/gpm.h"
#include "inter/mv_pred.h"
#include "partition/partition.h"
#include "syntax/ctu_syntax.h"
#include "cabac_test_util.h"
#include "test_check.h"

using namespace nnvvc;

static uint64_t rng = 12345;
static unsigned rnd(unsigned n) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return unsigned(rng % n); }


namespace {

struct Stats { int skip = 0, merge = 0, amvpUni = 0, amvpBi = 0, noResid = 0, resid = 0, intra = 0, dual = 0,
               interMode = 0, bigInter4Tu = 0, smallInter = 0, bigMvd = 0, amvr = 0, amvrHalf = 0, hpelMerge = 0, affine = 0, affineAmvp = 0,
               gpm = 0, gpmSkip = 0, bcw = 0, bcwHigh = 0, bcwMerge = 0, sbt = 0, sbtZeroOut = 0, sbtQuad = 0,
               sbtHor = 0, sbtPos = 0, sbtChromaOnly = 0; };

// Random legal CTU generator. Walks the coding tree as the syntax does and derives each inter
// CU's motion with its own motion field and HMVP table (what an encoder search does).
struct Generator {
  const PartitionConfig& part;
  const SliceParams& slice;
  MotionField mf;
  HmvpTable hmvp;
  CtuCoding* ctu = nullptr;
  Stats st;
  int splitBias = 3;  // larger: more splits
  bool forceBigInter = false;

  Generator(const PartitionConfig& p, const SliceParams& s) : part(p), slice(s) { mf.init(p.picWidth, p.picHeight); }

  inter::MvPredEnv pe() const { return inter::MvPredEnv{&mf, &hmvp, &slice, part.log2CtuSize}; }

  void run(CtuCoding& c) {
    ctu = &c;
    if (c.ctuX == 0) hmvp.reset();
    TreeNode root;
    root.x = c.ctuX; root.y = c.ctuY; root.w = root.h = 1 << part.log2CtuSize;
    node(root);
  }

  void node(const TreeNode& n) {
    const AllowedSplits a = allowedSplits(part, n);
    const bool must = mustSplit(part, n);
    SplitMode opts[6];
    int k = 0;
    const SplitMode all[5] = {SplitMode::kQt, SplitMode::kBtHor, SplitMode::kBtVer, SplitMode::kTtHor, SplitMode::kTtVer};
    for (SplitMode s : all) if (a.allows(s)) opts[k++] = s;
    SplitMode split = SplitMode::kNone;
    const bool big = n.w == 128 && n.h == 128;
    if (k > 0 && (must || (!(big && forceBigInter) && int(rnd(10)) < splitBias + (n.w * n.h >= 4096 ? 4 : 0))))
      split = opts[rnd(unsigned(k))];
    ctu->splits.push_back(split);
    if (split == SplitMode::kNone) { leaf(n, n.treeType); return; }
    const int mtc = n.treeType == TreeType::kSingle ? modeTypeCondition(n, split, slice.isIntra) : 0;
    const bool intraOnly = mtc == 1 || (mtc == 2 && rnd(2));
    TreeType childTree = n.treeType;
    ModeType childMode = n.modeType;
    if (mtc == 2 && !intraOnly) { childMode = ModeType::kInter; ++st.interMode; }
    if (intraOnly) { childTree = TreeType::kDualLuma; childMode = ModeType::kIntra; ++st.dual; }
    TreeNode kids[4];
    const int nk = childNodes(part, n, split, childTree, childMode, kids);
    for (int i = 0; i < nk; ++i) node(kids[i]);
    if (intraOnly) {
      TreeNode c = n;
      c.treeType = TreeType::kDualChroma;
      leaf(c, TreeType::kDualChroma);
    }
  }

  void residual(CodingUnit& cu, bool luma, bool chroma, bool forceLumaIfNoChroma) {
    for (int t = 0; t < cu.numTus; ++t) {
      TransformUnit& tu = cu.tus[t];
      const bool sbtZero = cu.sbt && t == cu.sbtZeroTu();
      for (int c = 0; c < 3; ++c) {
        tu.cbf[c] = 0; tu.coeffOffset[c] = -1;
        if ((c == 0 && !luma) || (c > 0 && !chroma) || sbtZero) continue;
        tu.cbf[c] = rnd(3) == 0 ? 1 : 0;
      }
      if (forceLumaIfNoChroma && (cu.numTus == 1 || (cu.sbt && !sbtZero)) && !tu.cbf[1] && !tu.cbf[2]) tu.cbf[0] = 1;
      if (cu.sbt && !sbtZero && !tu.cbf[0]) ++st.sbtChromaOnly;
      for (int c = 0; c < 3; ++c) {
        if (!tu.cbf[c]) continue;
        const int bw = c ? tu.w / 2 : tu.w, bh = c ? tu.h / 2 : tu.h;
        tu.coeffOffset[c] = ctu->allocCoeffs(bw * bh);
        TCoeff* p = ctu->coeffs.data() + tu.coeffOffset[c];
        // the coded region (SBT's luma zero-out of 32-sample sides where the SPS enables MTS)
        const bool sbtZo = cu.sbt && slice.mtsEnabled && c == 0;
        const int lw = log2Int(unsigned(bw)), lh = log2Int(unsigned(bh));
        const int zw = 1 << log2ZeroOutSide(lw, lh, sbtZo), zh = 1 << log2ZeroOutSide(lh, lw, sbtZo);
        if (zw < std::min(bw, 32) || zh < std::min(bh, 32)) ++st.sbtZeroOut;
        const int cnt = 1 + int(rnd(6));
        for (int i = 0; i < cnt; ++i) {
          const int v = 1 + int(rnd(rnd(4) == 0 ? 200 : 3));
          p[int(rnd(unsigned(zh))) * bw + int(rnd(unsigned(zw)))] = rnd(2) ? v : -v;
        }
      }
    }
  }

  int32_t randomMvdQuarter() {
    switch (rnd(8)) {
      case 0: return 0;
      case 1: ++st.bigMvd; return rnd(2) ? (1 << 15) - 1 : -(1 << 15);
      case 2: return int32_t(rnd(40000)) - 20000;
      default: return int32_t(rnd(17)) - 8;
    }
  }

  void leaf(const TreeNode& n, TreeType tt) {
    CodingUnit cu;
    cu.x = int16_t(n.x); cu.y = int16_t(n.y); cu.w = int16_t(n.w); cu.h = int16_t(n.h);
    cu.treeType = tt; cu.qtDepth = uint8_t(n.qtDepth); cu.mttDepth = uint8_t(n.mttDepth);
    tileTransformUnits(part, cu);
    const bool canInter = !slice.isIntra && tt == TreeType::kSingle && !(n.w == 4 && n.h == 4) &&
                          n.modeType != ModeType::kIntra;
    const bool inter = canInter && (n.modeType == ModeType::kInter || forceBigInter || rnd(5) != 0);
    if (inter) {
      cu.predMode = PredMode::kInter;
      const bool isB = slice.sliceType == SliceType::kB;
      const unsigned kind = (forceBigInter && n.w == 128 && n.h == 128) ? 2 : rnd(3);  // skip, merge, AMVP
      if (kind < 2) {
        cu.skip = kind == 0; cu.merge = true;
        cu.affine = slice.maxNumSubblockMergeCand > 0 && cu.w >= 8 && cu.h >= 8 && rnd(3) == 0;
        if (cu.affine) {  // subblock merge (the list's control-point motion)
          cu.mergeIdx = uint8_t(rnd(unsigned(slice.maxNumSubblockMergeCand)));
          AffineMotion alist[inter::kMaxSubblockMergeCand];
          inter::buildSubblockMergeList(pe(), cu.x, cu.y, cu.w, cu.h, alist);
          cu.aff = alist[cu.mergeIdx];
          cu.motion = inter::affineCuMotion(cu.aff);
          ++st.affine;
        } else {
          cu.mergeIdx = uint8_t(rnd(unsigned(slice.maxNumMergeCand)));
          MotionInfo list[inter::kMaxMergeCand];
          inter::buildMergeList(pe(), cu.x, cu.y, cu.w, cu.h, list);
          cu.motion = list[cu.mergeIdx];
          for (int l = 0; l < 2; ++l) if (!cu.motion.predFlag(l)) { cu.motion.refIdx[l] = -1; cu.motion.mv[l] = Mv(); }
          if (slice.gpm && inter::gpmSizeAllowed(cu.w, cu.h) && rnd(2)) {  // GPM (skip or with a residual)
            const int nG = slice.maxNumGpmMergeCand;
            cu.gpm = true;
            cu.mergeIdx = 0;
            cu.gpmSplit = uint8_t(rnd(64));
            cu.gpmIdx[0] = uint8_t(rnd(unsigned(nG)));
            cu.gpmIdx[1] = uint8_t(inter::gpmSecondIndex(cu.gpmIdx[0], int(rnd(unsigned(nG - 1)))));
            cu.motion = inter::gpmUniCandidate(list[cu.gpmIdx[0]], cu.gpmIdx[0]);
            cu.motionB = inter::gpmUniCandidate(list[cu.gpmIdx[1]], cu.gpmIdx[1]);
            ++st.gpm;
            if (cu.skip) ++st.gpmSkip;
          }
        }
        for (int l = 0; l < 2; ++l) if (!cu.motion.predFlag(l)) { cu.motion.refIdx[l] = -1; cu.motion.mv[l] = Mv(); }
        if (cu.motion.bcwIdx) ++st.bcwMerge;  // weights inherited from a candidate
        if (cu.motion.hpelIfIdx) ++st.hpelMerge;  // the half-sample filter inherited likewise
        if (cu.skip) ++st.skip; else ++st.merge;
      } else {
        const bool small = cu.w + cu.h == 12;
        cu.interDir = uint8_t(isB ? 1 + rnd(small ? 2 : 3) : 1);
        cu.motion = MotionInfo{};
        cu.motion.interDir = cu.interDir;
        // AMVR (slices with it): MVDs and predictors at 1/4, 1, 4 or 1/2 samples (the last with hpelIfIdx 1);
        // only with a non-zero MVD
        cu.amvr = slice.amvr ? uint8_t(rnd(kAmvrNumPrecisions)) : 0;
        const int sh = amvrShiftOf(cu.amvr);
        bool anyMvd = false;
        for (int l = 0; l < 2; ++l) {
          if (!((cu.interDir >> l) & 1)) continue;
          cu.mvd[l] = Mv(randomMvdQuarter() * (1 << sh), randomMvdQuarter() * (1 << sh));
          anyMvd |= cu.mvd[l] != Mv();
        }
        if (!anyMvd) cu.amvr = 0;
        if (cu.amvr) ++st.amvr;
        if (cu.amvr == kAmvrHalf) ++st.amvrHalf;
        cu.motion.hpelIfIdx = cu.amvr == kAmvrHalf ? 1 : 0;
        for (int l = 0; l < 2; ++l) {
          if (!((cu.interDir >> l) & 1)) continue;
          cu.refIdx[l] = int8_t(rnd(unsigned(slice.refs->num[l])));
          cu.mvpIdx[l] = uint8_t(rnd(2));
          Mv mvp[2];
          inter::buildAmvpList(pe(), cu.x, cu.y, cu.w, cu.h, l, cu.refIdx[l], mvp, amvrShiftOf(cu.amvr));
          auto wrap = [](int32_t v) { const uint32_t u = uint32_t(v) & 0x3FFFFu; return u >= 0x20000u ? int32_t(u) - 0x40000 : int32_t(u); };
          cu.motion.refIdx[l] = cu.refIdx[l];
          cu.motion.mv[l] = Mv(wrap(mvp[cu.mvpIdx[l]].x + cu.mvd[l].x), wrap(mvp[cu.mvpIdx[l]].y + cu.mvd[l].y));
        }
        if (slice.affine && cu.w >= 16 && cu.h >= 16 && rnd(3) == 0) {  // affine AMVP
          cu.affine = true;
          cu.amvr = 0;
          cu.motion.hpelIfIdx = 0;
          cu.aff = AffineMotion{};
          cu.aff.sixParam = slice.affineSixParam && rnd(2);
          cu.aff.interDir = cu.interDir;
          for (int l = 0; l < 2; ++l) {
            if (!((cu.interDir >> l) & 1)) continue;
            cu.aff.refIdx[l] = cu.refIdx[l];
            cu.mvd[l] = Mv();
            Mv mvp[2][3];
            inter::buildAffineAmvpList(pe(), cu.x, cu.y, cu.w, cu.h, l, cu.refIdx[l], cu.aff.sixParam, mvp);
            for (int i = 0; i < 3; ++i) cu.affMvd[l][i] = i < cu.aff.numCp() ? Mv(randomMvdQuarter() * 4, (int(rnd(9)) - 4) * 4) : Mv();
            for (int i = 0; i < cu.aff.numCp(); ++i) {
              const Mv& m = mvp[cu.mvpIdx[l]][i];
              const Mv d0 = i ? cu.affMvd[l][0] : Mv();
              cu.aff.cp[l][i] = Mv(inter::wrapMv18(m.x + cu.affMvd[l][i].x + d0.x), inter::wrapMv18(m.y + cu.affMvd[l][i].y + d0.y));
            }
          }
          cu.motion = inter::affineCuMotion(cu.aff);
          ++st.affineAmvp;
        }
        // bcw_idx: bi CUs of 256+ samples in slices with BCW (affine AMVP too)
        const int bcwMax = cu.interDir == 3 && cu.w * cu.h >= 256 ? inter::bcwMaxIdx(slice) : 0;
        cu.bcwIdx = bcwMax ? uint8_t(rnd(unsigned(bcwMax + 1))) : 0;
        cu.motion.bcwIdx = cu.bcwIdx;
        cu.aff.bcwIdx = cu.affine ? cu.bcwIdx : 0;
        if (cu.bcwIdx) ++st.bcw;
        if (cu.bcwIdx > 2) ++st.bcwHigh;
        if (cu.interDir == 3) ++st.amvpBi; else ++st.amvpUni;
        cu.rootCbf = (forceBigInter && n.w == 128) || rnd(2);
      }
      if (cu.w + cu.h == 12) ++st.smallInter;
      const bool hasResid = cu.merge ? !cu.skip : cu.rootCbf;
      // SBT: half of the CUs with a residual that may use it, a random allowed split
      const SbtAllowed sa = sbtAllowed(cu.w, cu.h);
      if (hasResid && slice.sbt && cu.w <= 64 && cu.h <= 64 && sa.any() && rnd(2)) {
        cu.sbt = true;
        cu.sbtQuad = (sa.verQuad || sa.horQuad) && rnd(2);
        const bool ver = cu.sbtQuad ? sa.verQuad : sa.verHalf, hor = cu.sbtQuad ? sa.horQuad : sa.horHalf;
        cu.sbtHor = ver && hor ? rnd(2) != 0 : hor;
        cu.sbtPos = rnd(2);
        sbtTransformUnits(cu);
        ++st.sbt;
        st.sbtQuad += cu.sbtQuad;
        st.sbtHor += cu.sbtHor;
        st.sbtPos += cu.sbtPos;
      }
      if (hasResid) {
        residual(cu, true, true, true);
        ++st.resid;
        if (cu.numTus == 4) {
          bool any = false;
          for (int t = 0; t < 4; ++t) any = any || cu.tus[t].cbf[0];
          if (any) ++st.bigInter4Tu;
        }
      } else {
        ++st.noResid;
      }
      if (cu.gpm) {  // per-4x4 motion, no HMVP update
        inter::storeGpmMotion(mf, cu.x, cu.y, cu.w, cu.h, cu.gpmSplit, cu.motion, cu.motionB);
      } else {  // affine CUs: subblock motion + control points, no HMVP update either
        inter::storeCuMotion(mf, cu, cu.motion, slice, part.log2CtuSize);
        if (!cu.affine) inter::updateHmvp(hmvp, cu.motion);
      }
    } else {
      cu.predMode = PredMode::kIntra;
      cu.lumaMode = uint8_t(rnd(67));
      cu.chromaModeIdx = uint8_t(rnd(5));
      residual(cu, tt != TreeType::kDualChroma, tt != TreeType::kDualLuma, false);
      if (tt != TreeType::kDualChroma) mf.set(cu.x, cu.y, cu.w, cu.h, MotionInfo{});
      ++st.intra;
    }
    ctu->cus.push_back(cu);
  }
};

bool sameCu(const CodingUnit& a, const CodingUnit& b, const CtuCoding& ca, const CtuCoding& cb) {
  if (a.x != b.x || a.y != b.y || a.w != b.w || a.h != b.h || a.treeType != b.treeType) return false;
  if (a.treeType != TreeType::kDualChroma && a.predMode != b.predMode) return false;
  if (a.isInter()) {
    if (a.skip != b.skip || a.merge != b.merge || !a.motion.samePrediction(b.motion)) return false;
    if (a.merge && a.mergeIdx != b.mergeIdx) return false;
    if (a.affine != b.affine || (a.affine && (a.aff != b.aff || a.aff.bcwIdx != b.aff.bcwIdx))) return false;
    if (a.gpm != b.gpm) return false;
    if (a.gpm && (a.gpmSplit != b.gpmSplit || a.gpmIdx[0] != b.gpmIdx[0] || a.gpmIdx[1] != b.gpmIdx[1] ||
                  a.motionB != b.motionB))
      return false;
    if (!a.merge) {
      if (a.interDir != b.interDir || a.rootCbf != b.rootCbf || a.amvr != b.amvr || a.bcwIdx != b.bcwIdx) return false;
      if (a.affine)
        for (int l = 0; l < 2; ++l)
          for (int i = 0; i < a.aff.numCp(); ++i)
            if (((a.interDir >> l) & 1) && a.affMvd[l][i] != b.affMvd[l][i]) return false;
      for (int l = 0; l < 2; ++l)
        if (((a.interDir >> l) & 1) && (a.refIdx[l] != b.refIdx[l] || a.mvpIdx[l] != b.mvpIdx[l] || a.mvd[l] != b.mvd[l]))
          return false;
    }
  } else {
    if (a.treeType != TreeType::kDualChroma && a.lumaMode != b.lumaMode) return false;
    if (a.treeType != TreeType::kDualLuma && a.chromaModeIdx != b.chromaModeIdx) return false;
  }
  if (a.sbt != b.sbt || (a.sbt && (a.sbtQuad != b.sbtQuad || a.sbtHor != b.sbtHor || a.sbtPos != b.sbtPos)))
    return false;
  if (a.numTus != b.numTus) return false;
  for (int t = 0; t < a.numTus; ++t) {
    if (a.tus[t].x != b.tus[t].x || a.tus[t].y != b.tus[t].y || a.tus[t].w != b.tus[t].w || a.tus[t].h != b.tus[t].h)
      return false;
    for (int c = 0; c < 3; ++c) {
      if (a.tus[t].cbf[c] != b.tus[t].cbf[c]) return false;
      if (a.tus[t].cbf[c]) {
        const int n = c ? (a.tus[t].w / 2) * (a.tus[t].h / 2) : a.tus[t].w * a.tus[t].h;
        if (std::memcmp(ca.coeffs.data() + a.tus[t].coeffOffset[c], cb.coeffs.data() + b.tus[t].coeffOffset[c],
                        sizeof(TCoeff) * size_t(n)) != 0)
          return false;
      }
    }
  }
  return true;
}

bool sameMotion(const MotionField& a, const MotionField& b) {
  for (int y = 0; y < a.picHeight(); y += 4)
    for (int x = 0; x < a.picWidth(); x += 4)
      if (*a.at(x, y) != *b.at(x, y) || a.at(x, y)->interDir != b.at(x, y)->interDir) return false;
  for (int y = 0; y < a.picHeight(); y += 4)
    for (int x = 0; x < a.picWidth(); x += 4) {
      const AffineCuRecord *ra = a.affineAt(x, y), *rb = b.affineAt(x, y);
      if (!ra != !rb) return false;
      if (ra && (ra->x != rb->x || ra->y != rb->y || ra->w != rb->w || ra->h != rb->h || ra->am != rb->am)) return false;
    }
  return true;
}

bool sameHmvp(const HmvpTable& a, const HmvpTable& b) {
  if (a.num != b.num) return false;
  for (int i = 0; i < a.num; ++i) if (a.cand[i] != b.cand[i]) return false;
  return true;
}

struct SliceSetup {
  PartitionConfig part;
  RefPicLists refs;
  SliceParams slice;
};

// One picture of random CTUs: write, estimate, parse, compare. Returns the stats.
// gpmCand > 0: B slices with GPM (MaxNumGpmMergeCand gpmCand) and CIIP enabled (ciip_flag coded where both are
// possible; the generator makes no CIIP CUs, so every such ciip_flag is 0).
Stats roundTrip(int W, int H, SliceType type, int log2MaxBt, int splitBias, bool forceBigInterFirst, int numRef0,
                int numRef1, int numSubblockCand = 0, int gpmCand = 0, int bcwMode = 0, int sbtMode = 0) {
  SliceSetup p;
  p.part.picWidth = W; p.part.picHeight = H; p.part.log2MaxBt = log2MaxBt;
  p.refs.num[0] = numRef0; p.refs.num[1] = type == SliceType::kB ? numRef1 : 0;
  for (int l = 0; l < 2; ++l)
    for (int i = 0; i < RefPicLists::kMaxRefs; ++i)
      p.refs.ref[l][i].poc = l ? (bcwMode == 2 ? 5 - 2 * i : 8 + 2 * i) : 4 - 2 * i;  // bcwMode 2: no backward reference
  p.slice.bcw = bcwMode > 0;  // BCW: bcw_idx cMax 2, or 4 without a backward reference
  p.slice.sbt = sbtMode > 0;  // SBT, with (2) or without (1) sps_mts_enabled_flag (the zero-out of 32-sample sides)
  p.slice.mtsEnabled = sbtMode == 2;
  p.slice.isIntra = false; p.slice.sliceType = type; p.slice.poc = 6; p.slice.refs = &p.refs;
  p.slice.maxNumMergeCand = 6; p.slice.qp = 30;
  p.slice.amvr = type == SliceType::kB;  // B pictures with AMVR, P pictures without
  p.slice.affine = numSubblockCand > 0;  // affine merge (subblock merge candidates) where asked
  p.slice.affineSixParam = numSubblockCand & 1;
  p.slice.maxNumSubblockMergeCand = numSubblockCand;
  p.slice.gpm = gpmCand > 0 && type == SliceType::kB;
  p.slice.ciip = p.slice.gpm;
  p.slice.maxNumGpmMergeCand = p.slice.gpm ? gpmCand : 0;
  const int initType = type == SliceType::kB ? 2 : 1;

  Generator gen(p.part, p.slice);
  gen.splitBias = splitBias;
  std::vector<CtuCoding> ctus;
  for (int y = 0; y < H; y += 128)
    for (int x = 0; x < W; x += 128) {
      CtuCoding c; c.ctuX = x; c.ctuY = y;
      gen.forceBigInter = forceBigInterFirst && x == 0 && y == 0;
      gen.run(c);
      ctus.push_back(c);
    }

  // write (real coder) and estimate (BitEstimator with no motion field / HMVP: it must not need them)
  CuMap encMap, estMap; encMap.init(W, H); estMap.init(W, H);
  MotionField encMf; encMf.init(W, H);
  HmvpTable encHmvp;
  ContextSet ce, cest; ce.init(30, initType); cest.init(30, initType);
  SyntaxEnv env{&p.part, &ce, &encMap, false, &encMf, &encHmvp, &p.slice};
  SyntaxEnv eenv{&p.part, &cest, &estMap, false, nullptr, nullptr, &p.slice};
  ArithEncoder enc; enc.start();
  BitEstimator est;
  for (CtuCoding& c : ctus) {
    CHECK(codeCtu(enc, env, c));
    CHECK(codeCtu(est, eenv, c));
  }
  std::vector<uint8_t> bytes = finishBytes(enc);
  CHECK(sameMotion(encMf, gen.mf));
  CHECK(sameHmvp(encHmvp, gen.hmvp));

  // parse
  CuMap decMap; decMap.init(W, H);
  MotionField decMf; decMf.init(W, H);
  HmvpTable decHmvp;
  ContextSet cd; cd.init(30, initType);
  SyntaxEnv denv{&p.part, &cd, &decMap, false, &decMf, &decHmvp, &p.slice};
  ArithDecoder dec; dec.start(bytes.data(), bytes.size());
  for (const CtuCoding& w : ctus) {
    CtuCoding r; r.ctuX = w.ctuX; r.ctuY = w.ctuY;
    CHECK(codeCtu(dec, denv, r));
    CHECK(r.splits == w.splits);
    CHECK(r.cus.size() == w.cus.size());
    for (size_t i = 0; i < r.cus.size() && i < w.cus.size(); ++i) CHECK(sameCu(r.cus[i], w.cus[i], r, w));
  }
  CHECK(dec.terminate() == 1);
  CHECK(!dec.overrun());
  CHECK(sameMotion(decMf, encMf));
  CHECK(sameHmvp(decHmvp, encHmvp));
  int diff = 0;
  for (int i = 0; i < kNumCtx; ++i) diff += ce[i].s0 != cd[i].s0 || ce[i].s1 != cd[i].s1 || ce[i].s0 != cest[i].s0 || ce[i].s1 != cest[i].s1;
  CHECK(diff == 0);
  const double real = double(bytes.size() * 8);
  if (!(est.bits() < real * 1.02 + 32 && est.bits() > real * 0.98 - 32))
    std::fprintf(stderr, "estimate %.1f bits vs real %.0f\n", est.bits(), real);
  CHECK(est.bits() < real * 1.02 + 32 && est.bits() > real * 0.98 - 32);

  // corrupt streams end cleanly (any result, no crash / hang)
  for (int trial = 0; trial < 6; ++trial) {
    std::vector<uint8_t> bad = bytes;
    for (int i = 0; i < 4; ++i) bad[rnd(unsigned(bad.size()))] ^= uint8_t(1u << rnd(8));
    if (trial == 5) bad.resize(bad.size() / 3 + 1);
    CuMap m; m.init(W, H);
    MotionField mf; mf.init(W, H);
    HmvpTable hm;
    ContextSet cc; cc.init(30, initType);
    SyntaxEnv e{&p.part, &cc, &m, false, &mf, &hm, &p.slice};
    ArithDecoder d; d.start(bad.data(), bad.size());
    for (int y = 0; y < H; y += 128)
      for (int x = 0; x < W; x += 128) {
        CtuCoding r; r.ctuX = x; r.ctuY = y;
        if (!codeCtu(d, e, r)) { y = H; break; }
      }
  }
  return gen.st;
}

}  // namespace

int main() {
  Stats total;
  auto add = [&](const Stats& s) {
    total.skip += s.skip; total.merge += s.merge; total.amvpUni += s.amvpUni; total.amvpBi += s.amvpBi;
    total.noResid += s.noResid; total.resid += s.resid; total.intra += s.intra; total.dual += s.dual;
    total.interMode += s.interMode; total.bigInter4Tu += s.bigInter4Tu; total.smallInter += s.smallInter;
    total.bigMvd += s.bigMvd; total.amvr += s.amvr; total.amvrHalf += s.amvrHalf; total.hpelMerge += s.hpelMerge; total.affine += s.affine; total.affineAmvp += s.affineAmvp;
    total.gpm += s.gpm; total.gpmSkip += s.gpmSkip;
    total.bcw += s.bcw; total.bcwHigh += s.bcwHigh; total.bcwMerge += s.bcwMerge;
    total.sbt += s.sbt; total.sbtZeroOut += s.sbtZeroOut; total.sbtQuad += s.sbtQuad; total.sbtHor += s.sbtHor;
    total.sbtPos += s.sbtPos; total.sbtChromaOnly += s.sbtChromaOnly;
  };
  // B and P slices, boundary CTUs on both sides, one or several reference pictures, small and
  // large MaxBtSize (128x64 / 64x128 inter CUs with 2 TUs), first CTU one 128x128 AMVP CU with 4 TUs
  for (int seed = 0; seed < 6; ++seed) {
    add(roundTrip(264, 136, SliceType::kB, 5, 6, true, 2, 3));
    add(roundTrip(256, 128, SliceType::kB, 7, 4, seed & 1, 1, 1));
    add(roundTrip(136, 264, SliceType::kP, 5, 6, true, 4, 0));
    add(roundTrip(128, 128, SliceType::kP, 7, 7, false, 1, 0));
    // affine merge: 5 candidates (6-parameter constructed ones too), 1 or 2 (4-parameter only)
    add(roundTrip(264, 136, SliceType::kB, 5, 6, false, 2, 3, 5));
    add(roundTrip(136, 264, SliceType::kP, 7, 5, false, 2, 0, 2));
    add(roundTrip(256, 256, SliceType::kB, 7, 5, false, 1, 1, 1));
    // GPM (with CIIP's ciip_flag) at MaxNumGpmMergeCand 6, 3 and 2 (merge_gpm_idx1 then not coded)
    add(roundTrip(264, 136, SliceType::kB, 5, 6, false, 2, 3, 0, seed % 3 == 0 ? 6 : seed % 3 == 1 ? 3 : 2));
    add(roundTrip(256, 128, SliceType::kB, 6, 5, false, 1, 2, 0, 6));
    // affine merge / AMVP and GPM (with CIIP's ciip_flag) together: merge_subblock_flag first, then the rest
    add(roundTrip(264, 136, SliceType::kB, 5, 6, false, 2, 3, 5, 6));
    add(roundTrip(256, 128, SliceType::kB, 6, 5, false, 1, 2, 2, 3));
    // BCW (bcw_idx cMax 2 and, with no backward reference, 4) with affine merge / AMVP and GPM: weights of AMVP CUs
    // inherited by merge and subblock merge candidates
    add(roundTrip(264, 136, SliceType::kB, 5, 6, false, 2, 3, 5, 6, 1));
    add(roundTrip(256, 128, SliceType::kB, 6, 5, false, 2, 2, 0, 0, 2));
    // SBT with and without MTS (the 16-coefficient zero-out), with GPM (and CIIP's flag), affine and BCW
    add(roundTrip(264, 136, SliceType::kB, 5, 6, false, 2, 3, 5, 6, 1, 2));
    add(roundTrip(256, 128, SliceType::kP, 6, 4, false, 2, 0, 0, 0, 0, 1));
    add(roundTrip(256, 256, SliceType::kB, 7, 3, false, 1, 1, 0, 0, 0, 2));
  }
  std::printf("cases: skip %d merge %d amvp-uni %d amvp-bi %d no-resid %d resid %d intra %d local-dual %d "
              "inter-subtree %d 128x128-4TU %d 8x4/4x8 %d big-mvd %d amvr %d (half %d, inherited by %d merge CUs) affine %d affine-amvp %d\n",
              total.skip, total.merge, total.amvpUni, total.amvpBi, total.noResid, total.resid, total.intra, total.dual,
              total.interMode, total.bigInter4Tu, total.smallInter, total.bigMvd, total.amvr, total.amvrHalf, total.hpelMerge, total.affine, total.affineAmvp);
  CHECK(total.skip > 0 && total.merge > 0 && total.amvpUni > 0 && total.amvpBi > 0 && total.noResid > 0 &&
        total.resid > 0 && total.intra > 0 && total.dual > 0 && total.interMode > 0 && total.bigInter4Tu > 0 &&
        total.smallInter > 0 && total.bigMvd > 0 && total.amvr > 0 && total.amvrHalf > 0 && total.hpelMerge > 0 && total.affine > 0 && total.affineAmvp > 0);
  std::printf("BCW AMVP CUs %d (bcw_idx > 2: %d), merge CUs with inherited weights %d\n", total.bcw, total.bcwHigh,
              total.bcwMerge);
  CHECK(total.bcw > 20 && total.bcwHigh > 0 && total.bcwMerge > 0);
  std::printf("SBT CUs %d (quad %d, horizontal %d, pos 1 %d, chroma residual only %d), luma TBs with SBT's zero-out %d\n",
              total.sbt, total.sbtQuad, total.sbtHor, total.sbtPos, total.sbtChromaOnly, total.sbtZeroOut);
  CHECK(total.sbt > 50 && total.sbtQuad > 0 && total.sbtHor > 0 && total.sbtPos > 0 && total.sbtQuad < total.sbt &&
        total.sbtHor < total.sbt && total.sbtPos < total.sbt && total.sbtChromaOnly > 0 && total.sbtZeroOut > 0);
  std::printf("GPM CUs %d (skip %d)\n", total.gpm, total.gpmSkip);
  CHECK(total.gpm > 20 && total.gpmSkip > 0 && total.gpm > total.gpmSkip);

  // Writer consistency checks on one hand-made 128x128 CTU (single CU) of a B slice.
  {
    PartitionConfig part; part.picWidth = 128; part.picHeight = 128;
    RefPicLists refs; refs.num[0] = 2; refs.num[1] = 1;
    SliceParams sl; sl.isIntra = false; sl.sliceType = SliceType::kB; sl.refs = &refs; sl.maxNumMergeCand = 6;
    auto tryWrite = [&](const CtuCoding& c) {
      CuMap m; m.init(128, 128);
      MotionField mf; mf.init(128, 128);
      HmvpTable hm;
      ContextSet cs; cs.init(30, 2);
      SyntaxEnv e{&part, &cs, &m, false, &mf, &hm, &sl};
      ArithEncoder enc; enc.start();
      CtuCoding copy = c;
      return codeCtu(enc, e, copy);
    };
    CtuCoding c; c.splits.push_back(SplitMode::kNone);
    CodingUnit cu; cu.x = 0; cu.y = 0; cu.w = 128; cu.h = 128;
    tileTransformUnits(part, cu);
    cu.predMode = PredMode::kInter; cu.interDir = 1; cu.refIdx[0] = 1; cu.mvpIdx[0] = 0; cu.mvd[0] = Mv(8, -12);
    Mv mvp[2];
    HmvpTable empty;
    MotionField mf0; mf0.init(128, 128);
    inter::buildAmvpList(inter::MvPredEnv{&mf0, &empty, &sl, 7}, 0, 0, 128, 128, 0, 1, mvp);
    cu.motion.interDir = 1; cu.motion.refIdx[0] = 1; cu.motion.mv[0] = Mv(mvp[0].x + 8, mvp[0].y - 12);
    c.cus.push_back(cu);
    CHECK(tryWrite(c));
    CtuCoding b = c; b.cus[0].motion.mv[0].x += 4;        CHECK(!tryWrite(b));  // motion drift
    b = c; b.cus[0].mvd[0].x += 2; b.cus[0].motion.mv[0].x += 2; CHECK(!tryWrite(b));  // not quarter-sample
    b = c; b.cus[0].refIdx[0] = 2; CHECK(!tryWrite(b));       // refIdx >= NumRefIdxActive
    b = c; b.cus[0].tus[2].cbf[0] = 1; CHECK(!tryWrite(b));   // cbf without cu_coded_flag
    b = c; b.cus[0].skip = true; b.cus[0].merge = true; b.cus[0].mergeIdx = 6; CHECK(!tryWrite(b));  // mergeIdx >= 6
    b = c; b.cus[0].predMode = PredMode::kIntra; b.cus[0].skip = true; CHECK(!tryWrite(b));  // skip on intra
    // merge (not skip) single-TU CU (64x64 picture: forced QT, one 64x64 CU): with both chroma
    // cbfs 0, tu_y_coded_flag is inferred 1, so luma levels are required
    part.picWidth = part.picHeight = 64;
    CtuCoding m; m.splits = {SplitMode::kQt, SplitMode::kNone};
    CodingUnit mc; mc.x = 0; mc.y = 0; mc.w = 64; mc.h = 64; mc.qtDepth = 1;
    tileTransformUnits(part, mc);
    mc.predMode = PredMode::kInter; mc.merge = true; mc.mergeIdx = 3;
    MotionInfo list[inter::kMaxMergeCand];
    MotionField mf64; mf64.init(64, 64);
    inter::buildMergeList(inter::MvPredEnv{&mf64, &empty, &sl, 7}, 0, 0, 64, 64, list);
    mc.motion = list[3];
    m.cus.push_back(mc);
    CHECK(!tryWrite(m));
    m.cus[0].tus[0].cbf[1] = 1;
    m.cus[0].tus[0].coeffOffset[1] = m.allocCoeffs(32 * 32);
    m.coeffs[size_t(m.cus[0].tus[0].coeffOffset[1]) + 5] = -3;
    CHECK(tryWrite(m));
    m.cus[0].skip = true; CHECK(!tryWrite(m));  // skip with residual
    m.cus[0].tus[0].cbf[1] = 0; CHECK(tryWrite(m));
  }
  if (failures) { std::fprintf(stderr, "test_syntax_inter: %d failure(s)\n", failures); return 1; }
  std::printf("test_syntax_inter: all passed\n");
  return 0;
}
