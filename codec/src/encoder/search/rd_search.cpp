// RD encoder search (see rd_search.h).
//
// Recursion: searchNode() tries every permitted split of a coding-tree node (kNone = a leaf CU,
// QT, BT/TT hor/ver) in a fixed order; each candidate starts from the node's entry state (CABAC
// contexts copied by value, reconstruction marks of the node area cleared, coding fragment
// truncated), and its cost J = lambda * R(split syntax) + sum of children's J (or the leaf's J).
// The best candidate's state (contexts, reconstructed samples, CuMap syntax info, fragment) is
// restored at the end, so the parent continues from exactly what will be coded.
// A split candidate is abandoned as soon as its running J reaches the best J so far (lossless).
#include "encoder/search/rd_search.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <vector>

#include "cabac/cabac.h"
#include "dsp/dsp.h"
#include "encoder/search/ctu_fragment.h"
#include "encoder/search/intra_mode_select.h"
#include "encoder/search/motion_search.h"
#include "inter/mv_pred.h"
#include "recon/inter_pred.h"
#include "encoder/search/rd_cost.h"
#include "encoder/search/rate_tables.h"
#include "encoder/search/rdoq.h"
#include "recon/recon.h"
#include "syntax/ctu_syntax.h"

namespace nnvvc {
namespace search {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

struct NodeScratch {
  CtuCoding best;
  ContextSet bestCtx;
  HmvpTable bestHmvp;
  std::vector<Pel> rec[3];
  NodeScratch() {
    rec[0].resize(size_t(kCtuSize) * kCtuSize);
    rec[1].resize(size_t(kCtuSize / 2) * (kCtuSize / 2));
    rec[2].resize(size_t(kCtuSize / 2) * (kCtuSize / 2));
  }
};

class RdCtuSearch final : public CtuSearch {
 public:
  RdCtuSearch(const SearchPreset& p, std::shared_ptr<const SplitHints> h) : preset_(p), hints_(std::move(h)) {
    for (auto& b : bestRec_) b.resize(size_t(kCtuSize) * kCtuSize);
    for (auto& b : interRec_) b.resize(size_t(kCtuSize) * kCtuSize);
    for (auto& b : interPred_) b.resize(size_t(kCtuSize) * kCtuSize);
  }

  void beginPicture(const Picture& orig, const SliceParams& slice, int frameIndex) override {
    if (hints_) {
      // hints describe the source size; the coded size is it rounded up to a multiple of 8
      const bool sizeOk = ((hints_->width() + 7) & ~7) == orig.width && ((hints_->height() + 7) & ~7) == orig.height;
      if (!sizeOk)
        throw std::invalid_argument("split hints are for a " + std::to_string(hints_->width()) + "x" +
                                    std::to_string(hints_->height()) + " picture, the coded picture is " +
                                    std::to_string(orig.width) + "x" + std::to_string(orig.height));
      if (frameIndex >= hints_->frames())
        throw std::invalid_argument("split hints hold " + std::to_string(hints_->frames()) +
                                    " frame(s), frame " + std::to_string(frameIndex) + " is being encoded");
    }
    (void)slice;
  }

  void searchCtu(const CtuSearchContext& ctx, CtuCoding& out) override {
    c_ = &ctx;
    const SliceParams& sl = *ctx.slice;
    // our own lambda (rd_cost.h); chroma weights from the Qp' differences
    lam_.set(sl.qp, sl.qpPrimeY, sl.qpPrimeCb, sl.qpPrimeCr, sl.bitDepth);
    out.splits.clear();
    out.cus.clear();
    out.coeffs.clear();
    ContextSet cs = *ctx.ctx;
    HmvpTable hm;
    if (ctx.hmvp) hm = *ctx.hmvp;
    if (!sl.isIntra) {
      MotionSearchConfig mc;
      mc.rangeMax = preset_.meRangeMax;
      mc.fractional = preset_.meFractional;
      mc.bi = preset_.meBi;
      ms_.set(ctx.orig, ctx.slice, lam_.sqrtLambda, mc);
    }
    TreeNode root;
    root.x = ctx.ctuX;
    root.y = ctx.ctuY;
    root.w = root.h = 1 << ctx.part->log2CtuSize;
    searchNode(root, cs, hm, out, 0);
  }

  const SearchStats& stats() const { return stats_; }

 private:
  // hm: the HMVP state the syntax call starts from (it is updated by inter CUs); pass a scratch
  // copy when only estimating.
  SyntaxEnv env(ContextSet* cs, HmvpTable* hm) const {
    SyntaxEnv e;
    e.part = c_->part;
    e.ctx = cs;
    e.cuMap = c_->cuMap;
    e.isIntraSlice = c_->slice->isIntra;
    e.motion = c_->motion;
    e.hmvp = hm;
    e.slice = c_->slice;
    return e;
  }
  bool interSlice() const { return !c_->slice->isIntra; }
  void clearMotion(int x, int y, int w, int h) {
    if (c_->motion) c_->motion->set(x, y, w, h, MotionInfo{});
  }
  NodeScratch& scratch(int level) {
    while (int(nodeScratch_.size()) <= level) nodeScratch_.emplace_back(new NodeScratch());
    return *nodeScratch_[size_t(level)];
  }

  // ---- candidate splits of a node -------------------------------------------------------------
  int candidates(const TreeNode& node, SplitMode out[6]) const {
    const PartitionConfig& part = *c_->part;
    const AllowedSplits al = allowedSplits(part, node);
    const bool must = mustSplit(part, node);
    const SplitMode order[5] = {SplitMode::kQt, SplitMode::kBtHor, SplitMode::kBtVer, SplitMode::kTtHor,
                                SplitMode::kTtVer};
    // pass 0: hints + preset; pass 1: preset only; pass 2: rules only (never leave a node without choice)
    for (int pass = 0; pass < 3; ++pass) {
      const bool useHints = hints_ && pass == 0;
      const bool usePreset = pass < 2;
      int n = 0;
      const int fr = c_->frameIndex;
      const bool qtEndOk = !useHints || node.mttDepth > 0 ||
                           hints_->allowQtEnd(fr, node.x, node.y, node.w, node.h, node.qtDepth);
      if (!must && qtEndOk) out[n++] = SplitMode::kNone;
      for (SplitMode s : order) {
        if (!al.allows(s)) continue;
        const bool isQt = s == SplitMode::kQt;
        const bool isTt = s == SplitMode::kTtHor || s == SplitMode::kTtVer;
        if (usePreset && !must && !isQt) {
          if (node.mttDepth >= preset_.maxMttDepth) continue;
          if (isTt ? !preset_.tryTt : !preset_.tryBt) continue;
        }
        const bool ldt = node.treeType == TreeType::kSingle && modeTypeCondition(node, s, true) == 1;
        if (usePreset && !preset_.localDualTree && ldt) continue;
        // P/B slices: splits under the mode-type constraint (local dual tree / non_inter_flag)
        // are not used by this encoder
        if (interSlice() && modeTypeCondition(node, s, false) != 0) continue;
        if (useHints) {
          if (isQt ? !hints_->allowQtSplit(fr, node.x, node.y, node.w, node.h, node.qtDepth)
                   : (!qtEndOk || !hints_->allowMtt(fr, node.x, node.y, node.w, node.h, node.mttDepth, s)))
            continue;
        }
        out[n++] = s;
      }
      if (n > 0) return n;
    }
    return 0;  // unreachable for a legal node: a node that must split always has an allowed split
  }

  // ---- one node ------------------------------------------------------------------------------
  double searchNode(const TreeNode& node, ContextSet& cs, HmvpTable& hm, CtuCoding& frag, int level) {
    ++stats_.nodesVisited;
    const PartitionConfig& part = *c_->part;
    SplitMode cand[6];
    const int nc = candidates(node, cand);
    const int rw = std::min(node.w, part.picWidth - node.x), rh = std::min(node.h, part.picHeight - node.y);
    const size_t s0 = frag.splits.size(), c0 = frag.cus.size(), k0 = frag.coeffs.size();
    const ContextSet entry = cs;
    const HmvpTable entryHm = hm;
    NodeScratch& S = scratch(level);
    double bestJ = kInf;
    int bestIdx = -1;
    double leafJ = kInf, btJ[2] = {kInf, kInf};
    bool leafZeroCbf = false;
    for (int i = 0; i < nc; ++i) {
      const SplitMode s = cand[i];
      if (preset_.skipTtIfBtNoGain && (s == SplitMode::kTtHor || s == SplitMode::kTtVer) && leafJ < kInf) {
        const double bj = btJ[s == SplitMode::kTtHor ? 0 : 1];
        if (!(bj < leafJ)) continue;
      }
      if (preset_.skipSplitsIfLeafZeroCbf && s != SplitMode::kNone && leafZeroCbf &&
          node.w * node.h >= (1 << (2 * preset_.minLeafLog2ForSplitSkip)))
        continue;
      if (i > 0) {
        truncate(frag, s0, c0, k0);
        c_->cuMap->clearReconstructed(node.x, node.y, rw, rh);
        clearMotion(node.x, node.y, rw, rh);
      }
      ContextSet c = entry;
      HmvpTable h = entryHm;
      HmvpTable hScratch = entryHm;
      SyntaxEnv e = env(&c, &hScratch);
      BitEstimator est;
      SplitMode sm = s;
      codeSplit(est, e, node, sm);
      double J = lam_.perFbit * double(est.fracBits());
      frag.splits.push_back(s);
      bool aborted = false;
      if (s == SplitMode::kNone) {
        bool zeroCbf = false;
        J += searchLeaf(node, c, h, frag, &zeroCbf);
        leafJ = J;
        leafZeroCbf = zeroCbf;
      } else {
        const bool ldt = node.treeType == TreeType::kSingle && modeTypeCondition(node, s, true) == 1;
        TreeNode kids[4];
        const int nk = childNodes(part, node, s, ldt ? TreeType::kDualLuma : node.treeType,
                                  ldt ? ModeType::kIntra : node.modeType, kids);
        for (int k = 0; k < nk && !aborted; ++k) {
          J += searchNode(kids[k], c, h, frag, level + 1);
          if (J >= bestJ) aborted = true;
        }
        if (!aborted && ldt) {
          J += searchChromaCu(node, c, h, frag);
          if (J >= bestJ) aborted = true;
        }
        if (aborted) ++stats_.splitsAborted;
        if (!aborted && s == SplitMode::kBtHor) btJ[0] = J;
        if (!aborted && s == SplitMode::kBtVer) btJ[1] = J;
      }
      if (!aborted && J < bestJ) {
        bestJ = J;
        bestIdx = i;
        copyTail(frag, s0, c0, k0, S.best);
        S.bestCtx = c;
        S.bestHmvp = h;
        savePlane(c_->recon->planes[0], node.x, node.y, rw, rh, S.rec[0].data());
        savePlane(c_->recon->planes[1], node.x / 2, node.y / 2, rw / 2, rh / 2, S.rec[1].data());
        savePlane(c_->recon->planes[2], node.x / 2, node.y / 2, rw / 2, rh / 2, S.rec[2].data());
      }
    }
    // restore the winner
    truncate(frag, s0, c0, k0);
    if (bestIdx < 0) return kInf;  // cannot happen for a legal tree
    appendFragment(frag, S.best);
    cs = S.bestCtx;
    hm = S.bestHmvp;
    loadPlane(c_->recon->planes[0], node.x, node.y, rw, rh, S.rec[0].data());
    loadPlane(c_->recon->planes[1], node.x / 2, node.y / 2, rw / 2, rh / 2, S.rec[1].data());
    loadPlane(c_->recon->planes[2], node.x / 2, node.y / 2, rw / 2, rh / 2, S.rec[2].data());
    for (const CodingUnit& cu : S.best.cus) c_->cuMap->storeSyntax(cu);
    if (c_->motion) {
      clearMotion(node.x, node.y, rw, rh);
      for (const CodingUnit& cu : S.best.cus)
        if (cu.treeType != TreeType::kDualChroma && cu.isInter()) c_->motion->set(cu.x, cu.y, cu.w, cu.h, cu.motion);
    }
    // luma-only nodes (inside a local dual tree) leave chroma to the enclosing chroma CU
    c_->cuMap->markReconstructed(node.x, node.y, rw, rh, true, node.treeType != TreeType::kDualLuma);
    return bestJ;
  }

  // ---- transform blocks ----------------------------------------------------------------------
  // Predict, transform, quantise (RDOQ) and reconstruct one TB of component cIdx at component
  // position (x, y). Returns the SSE of the reconstruction; levels get the (row-major) levels.
  uint64_t codeTb(int cIdx, int x, int y, int w, int h, int mode, const ResidualBitTables& tables,
                  TCoeff* levels, int* nzOut) {
    const SliceParams& sl = *c_->slice;
    const int qp = cIdx == 0 ? sl.qpPrimeY : (cIdx == 1 ? sl.qpPrimeCb : sl.qpPrimeCr);
    const Plane& org = c_->orig->planes[cIdx];
    Plane& rec = c_->recon->planes[cIdx];
    recon::predictBlock(*c_->recon, *c_->cuMap, cIdx, x, y, w, h, mode, pred_, w);
    dsp::subtract(org.row(y) + x, org.stride, pred_, w, w, h, resid_, w);
    dsp::forwardTransform(resid_, w, w, h, sl.bitDepth, coeff_);
    int nz;
    if (preset_.useRdoq) {
      RdoqParams p;
      p.log2W = log2Int(unsigned(w));
      p.log2H = log2Int(unsigned(h));
      p.isLuma = cIdx == 0;
      p.lambda = lam_.componentLambda(cIdx);
      p.qs = dsp::quantScale(qp, w, h, sl.bitDepth);
      p.tables = &tables;
      nz = preset_.rdoqGuard ? rdoQuantizeGuarded(coeff_, p, qp, sl.bitDepth, rdoq_, levels, plain_, nullptr)
                             : rdoQuantize(coeff_, p, rdoq_, levels, nullptr);
    } else {
      nz = dsp::quant(coeff_, w, h, qp, sl.bitDepth, true, levels);
    }
    // reconstruction exactly as recon::reconstructTb does it, reusing the prediction above
    Pel* dst = rec.row(y) + x;
    if (nz) {
      dsp::dequant(levels, w, h, qp, sl.bitDepth, coeff_);
      dsp::inverseTransform(coeff_, w, h, sl.bitDepth, resid_, w);
      dsp::addResidualClip(pred_, w, resid_, w, w, h, sl.bitDepth, dst, rec.stride);
    } else {
      dsp::copyBlock(pred_, w, w, h, dst, rec.stride);
    }
    const int sh = cIdx ? 1 : 0;
    c_->cuMap->markReconstructed(x << sh, y << sh, w << sh, h << sh, cIdx == 0, cIdx != 0);
    *nzOut = nz;
    return dsp::sse(org.row(y) + x, org.stride, rec.row(y) + x, rec.stride, w, h);
  }

  // Estimated luma mode bits (fbits) for SATD pre-selection (MPM coding, 7.3.11.5 / 9.3.3).
  uint32_t modeBits(const ContextSet& cs, int mode, const int mpm[5]) const {
    if (mode == 0) return cs[kCtxMpmFlag].fracBits(1) + cs[kCtxNotPlanar + 1].fracBits(0);
    for (int i = 0; i < 5; ++i)
      if (mpm[i] == mode)
        return cs[kCtxMpmFlag].fracBits(1) + cs[kCtxNotPlanar + 1].fracBits(1) + uint32_t(std::min(i + 1, 4)) * kFbitsOne;
    int below = 1;  // planar
    for (int i = 0; i < 5; ++i) below += mpm[i] < mode;
    const int rem = mode - below;  // 0..60, truncated binary of 61 symbols: 3 short codes
    return cs[kCtxMpmFlag].fracBits(0) + (rem < 3 ? 5u : 6u) * kFbitsOne;
  }

  // ---- leaf CU -------------------------------------------------------------------------------
  double searchLeaf(const TreeNode& node, ContextSet& cs, HmvpTable& hm, CtuCoding& frag, bool* zeroCbf) {
    if (!interSlice() || node.modeType == ModeType::kIntra || node.treeType != TreeType::kSingle)
      return searchLeafIntra(node, cs, hm, frag, zeroCbf);
    ++stats_.leavesEvaluated;
    const ContextSet entryCs = cs;
    const HmvpTable entryHm = hm;
    const size_t c0 = frag.cus.size(), k0 = frag.coeffs.size();
    const double jInter = evalInter(node, entryCs, entryHm);
    const bool tryIntra = preset_.intraInInter && !(preset_.intraSkipIfSkip && interBestCu_.skip);
    double jIntra = kInf;
    if (tryIntra) {
      jIntra = searchLeafIntra(node, cs, hm, frag, zeroCbf);
      if (jIntra < jInter) return jIntra;
      frag.cus.resize(c0);
      frag.coeffs.resize(k0);
      cs = entryCs;
      hm = entryHm;
    }
    // commit the inter CU
    CodingUnit cu = interBestCu_;
    const int x = cu.x, y = cu.y, w = cu.w, h = cu.h;
    loadPlane(c_->recon->planes[0], x, y, w, h, interRec_[0].data());
    loadPlane(c_->recon->planes[1], x / 2, y / 2, w / 2, h / 2, interRec_[1].data());
    loadPlane(c_->recon->planes[2], x / 2, y / 2, w / 2, h / 2, interRec_[2].data());
    {
      SyntaxEnv e = env(&cs, &hm);
      BitEstimator est;
      codeCodingUnit(est, e, cu, interBestFrag_);
    }
    appendCu(frag, cu, interBestFrag_);
    c_->cuMap->markReconstructed(x, y, w, h, true, true);
    *zeroCbf = !cu.rootCbf;
    return jInter;
  }

  // ---- inter CU --------------------------------------------------------------------------------
  // Evaluates merge/skip candidates and motion-searched AMVP candidates by full RD; leaves the
  // best in interBestCu_ / interBestFrag_ / interRec_ and returns its J. Leaves the CU area of the
  // picture and the contexts/HMVP as they were (the caller commits).
  double evalInter(const TreeNode& node, const ContextSet& entry, const HmvpTable& entryHm) {
    CodingUnit cu;
    cu.x = int16_t(node.x);
    cu.y = int16_t(node.y);
    cu.w = int16_t(node.w);
    cu.h = int16_t(node.h);
    cu.treeType = TreeType::kSingle;
    cu.qtDepth = uint8_t(node.qtDepth);
    cu.mttDepth = uint8_t(node.mttDepth);
    cu.qp = int8_t(c_->slice->qp);
    cu.predMode = PredMode::kInter;
    tileTransformUnits(*c_->part, cu);
    fillResidualTables(entry, 0, tabY_);
    fillResidualTables(entry, 1, tabCb_);
    fillResidualTables(entry, 2, tabCr_);
    inter::MvPredEnv me;
    me.motion = c_->motion;
    me.hmvp = &entryHm;
    me.slice = c_->slice;
    me.log2CtuSize = c_->part->log2CtuSize;
    double bestJ = kInf;
    // merge candidates, pre-selected by SATD
    MotionInfo mlist[inter::kMaxMergeCand];
    const int nm = inter::buildMergeList(me, cu.x, cu.y, cu.w, cu.h, mlist);
    std::pair<double, int> ranked[inter::kMaxMergeCand];
    int nr = 0;
    for (int i = 0; i < nm; ++i) {
      bool dup = false;
      for (int j = 0; j < i && !dup; ++j) dup = mlist[j] == mlist[i];
      if (dup) continue;
      ranked[nr++] = {ms_.mergeCost(mlist[i], i, cu.x, cu.y, cu.w, cu.h), i};
    }
    std::sort(ranked, ranked + nr);
    for (int k = 0; k < std::min(nr, preset_.numMergeRd); ++k) {
      cu.merge = true;
      cu.mergeIdx = uint8_t(ranked[k].second);
      cu.motion = mlist[ranked[k].second];
      cu.interDir = 0;
      cu.refIdx[0] = cu.refIdx[1] = -1;
      cu.mvd[0] = cu.mvd[1] = Mv();
      tryInterRd(cu, entry, entryHm, bestJ);
    }
    // motion search (AMVP)
    AmvpCandidate ac[4];
    const int na = ms_.search(me, cu.x, cu.y, cu.w, cu.h, ac, std::min(4, preset_.numAmvpRd));
    for (int k = 0; k < na; ++k) {
      cu.merge = false;
      cu.skip = false;
      cu.mergeIdx = 0;
      cu.motion = ac[k].mi;
      cu.interDir = ac[k].mi.interDir;
      for (int l = 0; l < 2; ++l) {
        cu.refIdx[l] = ac[k].mi.refIdx[l];
        cu.mvpIdx[l] = ac[k].mvpIdx[l];
        cu.mvd[l] = ac[k].mvd[l];
      }
      tryInterRd(cu, entry, entryHm, bestJ);
    }
    return bestJ;
  }

  // Full RD of one inter candidate (motion fixed): without residual (skip for merge, cu_coded_flag
  // 0 for AMVP) and with the RDOQ'd residual. Updates the best (interBest*) when cheaper.
  void tryInterRd(CodingUnit& cu, const ContextSet& entry, const HmvpTable& entryHm, double& bestJ) {
    const int x = cu.x, y = cu.y, w = cu.w, h = cu.h;
    Pel* pd[3] = {interPred_[0].data(), interPred_[1].data(), interPred_[2].data()};
    const ptrdiff_t ps[3] = {w, w / 2, w / 2};
    recon::predictInter(*c_->slice->refs, cu.motion, x, y, w, h, pd, ps);
    // distortion of the prediction alone
    double dPred = 0;
    for (int c = 0; c < 3; ++c) {
      const int sh = c ? 1 : 0;
      const Plane& org = c_->orig->planes[c];
      dPred += lam_.chromaWeight[c] *
               double(dsp::sse(org.row(y >> sh) + (x >> sh), org.stride, pd[c], ps[c], w >> sh, h >> sh));
    }
    auto rate = [&](CodingUnit& u, CtuCoding& f) {
      ContextSet c = entry;
      HmvpTable hmc = entryHm;
      SyntaxEnv e = env(&c, &hmc);
      BitEstimator est;
      if (!codeCodingUnit(est, e, u, f)) return kInf;
      return lam_.perFbit * double(est.fracBits());
    };
    auto keep = [&](const CodingUnit& u, const CtuCoding& f, bool fromPred) {
      interBestCu_ = u;
      interBestFrag_ = f;
      for (int c = 0; c < 3; ++c) {
        const int sh = c ? 1 : 0;
        if (fromPred) {
          std::memcpy(interRec_[c].data(), pd[c], sizeof(Pel) * size_t((w >> sh) * (h >> sh)));
        } else {
          savePlane(c_->recon->planes[c], x >> sh, y >> sh, w >> sh, h >> sh, interRec_[c].data());
        }
      }
    };
    // 1. no residual
    for (int t = 0; t < cu.numTus; ++t)
      for (int c = 0; c < 3; ++c) { cu.tus[t].cbf[c] = 0; cu.tus[t].coeffOffset[c] = -1; }
    cu.rootCbf = false;
    cu.skip = cu.merge;
    interFrag_.clear();
    {
      const double J = dPred + rate(cu, interFrag_);
      if (J < bestJ) { bestJ = J; keep(cu, interFrag_, true); }
    }
    // 2. with residual
    cu.skip = false;
    interFrag_.clear();
    double dRes = 0;
    bool any = false;
    for (int t = 0; t < cu.numTus; ++t) {
      TransformUnit& tu = cu.tus[t];
      for (int c = 0; c < 3; ++c) {
        const int sh = c ? 1 : 0;
        const int bx = tu.x >> sh, by = tu.y >> sh, bw = tu.w >> sh, bh = tu.h >> sh;
        const Pel* pred = pd[c] + ptrdiff_t((by - (y >> sh)) * ps[c] + (bx - (x >> sh)));
        int nz = 0;
        const ResidualBitTables& tb = c == 0 ? tabY_ : (c == 1 ? tabCb_ : tabCr_);
        const uint64_t d = codeTbInter(c, bx, by, bw, bh, pred, ps[c], tb, lv_, &nz);
        dRes += lam_.chromaWeight[c] * double(d);
        tu.cbf[c] = nz ? 1 : 0;
        tu.coeffOffset[c] = -1;
        if (nz) {
          any = true;
          tu.coeffOffset[c] = interFrag_.allocCoeffs(bw * bh);
          std::memcpy(&interFrag_.coeffs[size_t(tu.coeffOffset[c])], lv_, sizeof(TCoeff) * size_t(bw * bh));
        }
      }
    }
    if (!any) return;  // identical to the candidate without residual
    cu.rootCbf = true;
    const double J = dRes + rate(cu, interFrag_);
    if (J < bestJ) { bestJ = J; keep(cu, interFrag_, false); }
  }

  // Residual of one inter TB against a given prediction: transform, RDOQ, reconstruction into
  // the picture. Returns the SSE of the reconstruction.
  uint64_t codeTbInter(int cIdx, int x, int y, int w, int h, const Pel* pred, ptrdiff_t predStride,
                       const ResidualBitTables& tables, TCoeff* levels, int* nzOut) {
    const SliceParams& sl = *c_->slice;
    const int qp = cIdx == 0 ? sl.qpPrimeY : (cIdx == 1 ? sl.qpPrimeCb : sl.qpPrimeCr);
    const Plane& org = c_->orig->planes[cIdx];
    Plane& rec = c_->recon->planes[cIdx];
    dsp::subtract(org.row(y) + x, org.stride, pred, predStride, w, h, resid_, w);
    dsp::forwardTransform(resid_, w, w, h, sl.bitDepth, coeff_);
    int nz;
    if (preset_.useRdoq) {
      RdoqParams p;
      p.log2W = log2Int(unsigned(w));
      p.log2H = log2Int(unsigned(h));
      p.isLuma = cIdx == 0;
      p.lambda = lam_.componentLambda(cIdx);
      p.qs = dsp::quantScale(qp, w, h, sl.bitDepth);
      p.tables = &tables;
      nz = preset_.rdoqGuard ? rdoQuantizeGuarded(coeff_, p, qp, sl.bitDepth, rdoq_, levels, plain_, nullptr)
                             : rdoQuantize(coeff_, p, rdoq_, levels, nullptr);
    } else {
      nz = dsp::quant(coeff_, w, h, qp, sl.bitDepth, false, levels);
    }
    Pel* dst = rec.row(y) + x;
    if (nz) {
      dsp::dequant(levels, w, h, qp, sl.bitDepth, coeff_);
      dsp::inverseTransform(coeff_, w, h, sl.bitDepth, resid_, w);
      dsp::addResidualClip(pred, predStride, resid_, w, w, h, sl.bitDepth, dst, rec.stride);
    } else {
      dsp::copyBlock(pred, predStride, w, h, dst, rec.stride);
    }
    *nzOut = nz;
    return dsp::sse(org.row(y) + x, org.stride, dst, rec.stride, w, h);
  }

  double searchLeafIntra(const TreeNode& node, ContextSet& cs, HmvpTable& hm, CtuCoding& frag, bool* zeroCbf) {
    ++stats_.leavesEvaluated;
    const PartitionConfig& part = *c_->part;
    CodingUnit cu;
    cu.x = int16_t(node.x);
    cu.y = int16_t(node.y);
    cu.w = int16_t(node.w);
    cu.h = int16_t(node.h);
    cu.treeType = node.treeType;
    cu.qtDepth = uint8_t(node.qtDepth);
    cu.mttDepth = uint8_t(node.mttDepth);
    cu.qp = int8_t(c_->slice->qp);
    tileTransformUnits(part, cu);
    const bool doChroma = node.treeType == TreeType::kSingle;
    const ContextSet entry = cs;
    fillResidualTables(entry, 0, tabY_);

    // SATD pre-selection on the first TU
    int mpm[5];
    deriveMpmList(*c_->cuMap, cu.x, cu.y, cu.w, cu.h, part.log2CtuSize, mpm);
    const TransformUnit& t0 = cu.tus[0];
    const Plane& orgY = c_->orig->planes[0];
    // references gathered once for all modes (the marks of the CU area are clear at this point)
    recon::gatherReferences(*c_->recon, *c_->cuMap, 0, t0.x, t0.y, t0.w, t0.h, refTop_, refLeft_);
    auto cheapCost = [&](int m) {
      dsp::intraPredict(m, refTop_, refLeft_, t0.w, t0.h, 0, c_->slice->bitDepth, pred_, t0.w);
      const uint64_t satd = dsp::satd(orgY.row(t0.y) + t0.x, orgY.stride, pred_, t0.w, t0.w, t0.h);
      return double(satd) + lam_.sqrtLambda * double(modeBits(entry, m, mpm)) / double(kFbitsOne);
    };
    int modes[16];
    ModeSelectConfig msc = preset_.modes;
    if (cu.w * cu.h >= 32 * 32) msc.numRd = std::max(1, msc.numRd - preset_.largeBlockRdReduce);
    const int nm = selectIntraModes(cheapCost, mpm, msc, modes);

    // full RD over the luma candidates (chroma: DM without residual while deciding luma)
    double bestJ = kInf;
    uint64_t bestDY = 0;
    for (int k = 0; k < nm; ++k) {
      ++stats_.lumaModesRd;
      c_->cuMap->clearReconstructed(cu.x, cu.y, cu.w, cu.h);
      cuFrag_.clear();
      cu.lumaMode = uint8_t(modes[k]);
      cu.chromaModeIdx = kChromaDm;
      uint64_t dY = 0;
      for (int t = 0; t < cu.numTus; ++t) {
        TransformUnit& tu = cu.tus[t];
        int nz = 0;
        dY += codeTb(0, tu.x, tu.y, tu.w, tu.h, cu.lumaMode, tabY_, lv_, &nz);
        tu.cbf[0] = nz ? 1 : 0;
        tu.coeffOffset[0] = -1;
        if (nz) {
          tu.coeffOffset[0] = cuFrag_.allocCoeffs(tu.w * tu.h);
          std::memcpy(&cuFrag_.coeffs[size_t(tu.coeffOffset[0])], lv_, sizeof(TCoeff) * size_t(tu.w * tu.h));
        }
        tu.cbf[1] = tu.cbf[2] = 0;
        tu.coeffOffset[1] = tu.coeffOffset[2] = -1;
      }
      ContextSet c = entry;
      HmvpTable hs = hm;
      SyntaxEnv e = env(&c, &hs);
      BitEstimator est;
      codeCodingUnit(est, e, cu, cuFrag_);
      const double J = double(dY) + lam_.perFbit * double(est.fracBits());
      if (J < bestJ) {
        bestJ = J;
        bestDY = dY;
        bestCu_ = cu;
        bestFrag_ = cuFrag_;
        savePlane(c_->recon->planes[0], cu.x, cu.y, cu.w, cu.h, bestRec_[0].data());
      }
    }
    cu = bestCu_;
    loadPlane(c_->recon->planes[0], cu.x, cu.y, cu.w, cu.h, bestRec_[0].data());
    c_->cuMap->clearReconstructed(cu.x, cu.y, cu.w, cu.h);
    c_->cuMap->markReconstructed(cu.x, cu.y, cu.w, cu.h, true, false);

    if (doChroma) bestJ = searchChroma(cu, entry, hm, double(bestDY), bestFrag_);
    // commit: append the CU, advance the contexts (also stores the CU syntax info in the map)
    {
      SyntaxEnv e = env(&cs, &hm);
      BitEstimator est;
      CtuCoding& f = bestFrag_;
      codeCodingUnit(est, e, cu, f);
    }
    bool anyCbf = false;
    for (int t = 0; t < cu.numTus; ++t) anyCbf |= cu.tus[t].cbf[0] || cu.tus[t].cbf[1] || cu.tus[t].cbf[2];
    *zeroCbf = !anyCbf;
    appendCu(frag, cu, bestFrag_);
    c_->cuMap->markReconstructed(cu.x, cu.y, cu.w, cu.h, true, doChroma);
    return bestJ;
  }

  // Chroma mode RD for `cu` (luma already decided: its levels in lumaFrag, luma SSE dY). Leaves
  // the best chroma in cu / lumaFrag (levels appended) / the picture. Returns the CU's total J.
  double searchChroma(CodingUnit& cu, const ContextSet& entry, const HmvpTable& hm, double dY, CtuCoding& lumaFrag) {
    const int lumaForDm = cu.treeType == TreeType::kDualChroma
                              ? c_->cuMap->at(cu.x + cu.w / 2, cu.y + cu.h / 2)->lumaMode
                              : cu.lumaMode;
    fillResidualTables(entry, 1, tabCb_);
    fillResidualTables(entry, 2, tabCr_);
    const uint8_t order[5] = {kChromaDm, 0, 1, 2, 3};
    int tried[5];
    int nTried = 0;
    double bestJ = kInf;
    const size_t lumaCoeffs = lumaFrag.coeffs.size();
    chromaBestFrag_.coeffs.clear();
    for (int k = 0; k < preset_.numChromaModes && k < 5; ++k) {
      const int idx = order[k];
      const int cm = deriveChromaMode(idx, lumaForDm);
      bool dup = false;
      for (int j = 0; j < nTried; ++j) dup |= tried[j] == cm;
      if (dup) continue;
      tried[nTried++] = cm;
      c_->cuMap->clearReconstructed(cu.x, cu.y, cu.w, cu.h);
      c_->cuMap->markReconstructed(cu.x, cu.y, cu.w, cu.h, true, false);  // luma is final
      lumaFrag.coeffs.resize(lumaCoeffs);
      cu.chromaModeIdx = uint8_t(idx);
      cu.chromaMode = uint8_t(cm);
      double dC = 0;
      for (int t = 0; t < cu.numTus; ++t) {
        TransformUnit& tu = cu.tus[t];
        for (int c = 1; c <= 2; ++c) {
          ResidualBitTables& tb = c == 1 ? tabCb_ : tabCr_;
          if (c == 2) {  // tu_cr_coded_flag's context follows tu_cb_coded_flag
            tb.cbf.bits[0] = entry[kCtxCbfCr + tu.cbf[1]].fracBits(0);
            tb.cbf.bits[1] = entry[kCtxCbfCr + tu.cbf[1]].fracBits(1);
          }
          int nz = 0;
          const uint64_t d = codeTb(c, tu.x / 2, tu.y / 2, tu.w / 2, tu.h / 2, cm, tb, lv_, &nz);
          dC += double(d) * lam_.chromaWeight[c];
          tu.cbf[c] = nz ? 1 : 0;
          tu.coeffOffset[c] = -1;
          if (nz) {
            const int n = (tu.w / 2) * (tu.h / 2);
            tu.coeffOffset[c] = lumaFrag.allocCoeffs(n);
            std::memcpy(&lumaFrag.coeffs[size_t(tu.coeffOffset[c])], lv_, sizeof(TCoeff) * size_t(n));
          }
        }
      }
      ContextSet c = entry;
      HmvpTable hs = hm;
      SyntaxEnv e = env(&c, &hs);
      BitEstimator est;
      codeCodingUnit(est, e, cu, lumaFrag);
      const double J = dY + dC + lam_.perFbit * double(est.fracBits());
      if (J < bestJ) {
        bestJ = J;
        chromaBestCu_ = cu;
        chromaBestFrag_.coeffs = lumaFrag.coeffs;
        savePlane(c_->recon->planes[1], cu.x / 2, cu.y / 2, cu.w / 2, cu.h / 2, bestRec_[1].data());
        savePlane(c_->recon->planes[2], cu.x / 2, cu.y / 2, cu.w / 2, cu.h / 2, bestRec_[2].data());
      }
    }
    cu = chromaBestCu_;
    lumaFrag.coeffs = chromaBestFrag_.coeffs;
    loadPlane(c_->recon->planes[1], cu.x / 2, cu.y / 2, cu.w / 2, cu.h / 2, bestRec_[1].data());
    loadPlane(c_->recon->planes[2], cu.x / 2, cu.y / 2, cu.w / 2, cu.h / 2, bestRec_[2].data());
    return bestJ;
  }

  // The chroma CU of a local dual tree node (after its luma CUs).
  double searchChromaCu(const TreeNode& node, ContextSet& cs, HmvpTable& hm, CtuCoding& frag) {
    CodingUnit cu;
    cu.x = int16_t(node.x);
    cu.y = int16_t(node.y);
    cu.w = int16_t(node.w);
    cu.h = int16_t(node.h);
    cu.treeType = TreeType::kDualChroma;
    cu.qtDepth = uint8_t(node.qtDepth);
    cu.mttDepth = uint8_t(node.mttDepth);
    cu.qp = int8_t(c_->slice->qp);
    tileTransformUnits(*c_->part, cu);
    for (int t = 0; t < cu.numTus; ++t) {
      cu.tus[t].cbf[0] = 0;
      cu.tus[t].coeffOffset[0] = -1;
    }
    const ContextSet entry = cs;
    dualFrag_.clear();
    const double J = searchChroma(cu, entry, hm, 0.0, dualFrag_);
    {
      SyntaxEnv e = env(&cs, &hm);
      BitEstimator est;
      codeCodingUnit(est, e, cu, dualFrag_);
    }
    appendCu(frag, cu, dualFrag_);
    c_->cuMap->markReconstructed(cu.x, cu.y, cu.w, cu.h, true, true);
    return J;
  }

  SearchPreset preset_;
  std::shared_ptr<const SplitHints> hints_;
  const CtuSearchContext* c_ = nullptr;
  RdLambda lam_;
  SearchStats stats_;
  std::vector<std::unique_ptr<NodeScratch>> nodeScratch_;
  ResidualBitTables tabY_, tabCb_, tabCr_;
  CtuCoding cuFrag_, bestFrag_, chromaBestFrag_, dualFrag_;
  CodingUnit bestCu_, chromaBestCu_;
  std::vector<Pel> bestRec_[3];
  // inter decision state
  MotionSearch ms_;
  CodingUnit interBestCu_;
  CtuCoding interFrag_, interBestFrag_;
  std::vector<Pel> interRec_[3], interPred_[3];
  RdoqScratch rdoq_;
  alignas(32) Pel pred_[64 * 64];
  Pel refTop_[2 * 64 + 1], refLeft_[2 * 64 + 1];
  alignas(32) Pel resid_[64 * 64];
  alignas(32) TCoeff coeff_[64 * 64];
  alignas(32) TCoeff lv_[64 * 64];
  alignas(32) TCoeff plain_[64 * 64];
};

}  // namespace

std::unique_ptr<CtuSearch> createRdSearch(const SearchPreset& preset, std::shared_ptr<const SplitHints> hints) {
  return std::unique_ptr<CtuSearch>(new RdCtuSearch(preset, std::move(hints)));
}

std::unique_ptr<CtuSearch> createRdSearch(const SearchConfig& cfg) {
  SearchPreset preset;
  if (!presetByName(cfg.preset, preset))
    throw std::invalid_argument("unknown preset '" + cfg.preset + "' (expected " + searchPresetNames() + ")");
  std::shared_ptr<SplitHints> hints;
  if (!cfg.splitHintsPath.empty()) {
    hints = std::make_shared<SplitHints>();
    const std::string err = hints->parseFile(cfg.splitHintsPath);
    if (!err.empty()) throw std::invalid_argument("--split-hints: " + err);
    if (cfg.sourceWidth > 0 && (hints->width() != cfg.sourceWidth || hints->height() != cfg.sourceHeight))
      throw std::invalid_argument("--split-hints '" + cfg.splitHintsPath + "' describes a " +
                                  std::to_string(hints->width()) + "x" + std::to_string(hints->height()) +
                                  " picture, the input is " + std::to_string(cfg.sourceWidth) + "x" +
                                  std::to_string(cfg.sourceHeight));
    if (cfg.sourceFrames > hints->frames())
      throw std::invalid_argument("--split-hints '" + cfg.splitHintsPath + "' holds " +
                                  std::to_string(hints->frames()) + " frame(s), " +
                                  std::to_string(cfg.sourceFrames) + " are to be encoded");
  }
  return createRdSearch(preset, std::move(hints));
}

const SearchStats* rdSearchStats(const CtuSearch* s) {
  const auto* r = dynamic_cast<const RdCtuSearch*>(s);
  return r ? &r->stats() : nullptr;
}

}  // namespace search
}  // namespace nnvvc
