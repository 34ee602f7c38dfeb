// RD encoder search (see rd_search.h).
//
// Recursion: searchNode() tries every permitted split of a coding-tree node (kNone = a leaf CU,
// QT, BT/TT hor/ver) in a fixed order; each candidate starts from the node's entry state (CABAC
// contexts copied by value, reconstruction marks of the node area cleared, coding fragment
// truncated), and its cost J = lambda * R(split syntax) + sum of children's J (or the leaf's J).
// The best candidate's state (contexts, reconstructed samples, CuMap syntax info, fragment) is
// restored at the end, so the parent continues from exactly what will be coded.
// A split candidate is abandoned as soon as its running J reaches the best J so far (lossless).
#include "encoder/search/rd_search_impl.h"
#include "encoder/search/dq_trellis.h"
#include "encoder/search/sign_hiding.h"
#include "dsp/lfnst.h"
#include "recon/recon.h"

#include <stdexcept>

namespace nnvvc {
namespace search {

void RdCtuSearch::beginPicture(const Picture& orig, const SliceParams& slice, int frameIndex) {
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
  hintLayer_ = slice.temporalId;
}

void RdCtuSearch::searchCtu(const CtuSearchContext& ctx, CtuCoding& out) {
  c_ = &ctx;
  const SliceParams& sl = *ctx.slice;
  // our own lambda (rd_cost.h); chroma weights from the Qp' differences
  lam_.set(sl.qp, sl.qpPrimeY, sl.qpPrimeCb, sl.qpPrimeCr, sl.bitDepth);
  if (sl.depQuant) {
    // Dependent quantisation has a different rate-distortion slope: lambda * 2^(0.25/3), and chroma
    // weighted up (2^(0.1/3) in inter slices, 2^(0.2/3) in intra slices) so that rate does not
    // drift from chroma to luma (the adjustments VTM's encoder makes).
    const double cw = std::pow(2.0, (sl.isIntra ? 0.2 : 0.1) / 3.0);
    lam_.lambda *= std::pow(2.0, 0.25 / 3.0);
    lam_.chromaWeight[1] *= cw;
    lam_.chromaWeight[2] *= cw;
    lam_.perFbit = lam_.lambda / double(kFbitsOne);
    lam_.sqrtLambda = std::sqrt(lam_.lambda);
  }
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
  if (sl.isIntra && ctx.part->dualTree) {
    // dual tree: per 64x64 area the luma tree (luma-only cost), then the chroma tree on that luma
    visitDualTreeAreas(*ctx.part, root, [&](const TreeNode& n) {
      const size_t at = out.splits.size();
      searchNode(n, cs, hm, out, 0);
      return std::optional<SplitMode>(out.splits[at]);
    }, [&] { return !out.cus.empty() && out.cus.back().isp != 0; });
    return;
  }
  searchNode(root, cs, hm, out, 0);
}

int RdCtuSearch::candidates(const TreeNode& node, SplitMode out[6]) const {
  // pass 0: hints + preset; pass 1: preset only; pass 2: rules only (never leave a node without choice)
  for (int pass = 0; pass < 3; ++pass) {
    const int n = candidatesOfPass(node, pass, out);
    if (n > 0) return n;
  }
  return 0;  // unreachable for a legal node: a node that must split always has an allowed split
}

int RdCtuSearch::appendFallbackSplits(const TreeNode& node, int rw, int rh, SplitMode cand[6], int nc) const {
  // the splits the thresholds removed: the preset's candidates that the hints' pass left out
  SplitMode all[6], pruned[6];
  int np = 0;
  const int na = candidatesOfPass(node, 1, all);
  for (int a = 0; a < na; ++a)
    if (all[a] != SplitMode::kNone && std::find(cand, cand + nc, all[a]) == cand + nc) pruned[np++] = all[a];
  const int w2 = rw / 2, h2 = rh / 2;
  if (np == 0 || w2 < 4 || h2 < 4) return nc;
  // luma distortion of the leaf just coded, per quadrant
  const Plane& org = c_->orig->planes[0];
  const Plane& rec = c_->recon->planes[0];
  double q[4];
  for (int k = 0; k < 4; ++k) {
    const int x = node.x + (k & 1) * w2, y = node.y + (k >> 1) * h2;
    q[k] = double(dsp::sse(org.row(y) + x, org.stride, rec.row(y) + x, rec.stride, w2, h2));
  }
  const double bar = hints_->thresholds(hintLayer_).fallbackBits * lam_.lambda;
  for (int i = 0; i < np; ++i) {  // cand and pruned are disjoint sets of the 6 modes: cand has room
    const SplitMode s = pruned[i];
    double uneven;
    if (s == SplitMode::kQt) uneven = *std::max_element(q, q + 4) - *std::min_element(q, q + 4);
    else if (s == SplitMode::kBtHor || s == SplitMode::kTtHor) uneven = std::abs(q[0] + q[1] - q[2] - q[3]);
    else uneven = std::abs(q[0] + q[2] - q[1] - q[3]);
    if (uneven >= bar) cand[nc++] = s;
  }
  return nc;
}

int RdCtuSearch::candidatesOfPass(const TreeNode& node, int pass, SplitMode out[6]) const {
  const PartitionConfig& part = *c_->part;
  const AllowedSplits al = allowedSplits(part, node);
  const bool must = mustSplit(part, node);
  const SplitMode order[5] = {SplitMode::kQt, SplitMode::kBtHor, SplitMode::kBtVer, SplitMode::kTtHor,
                              SplitMode::kTtVer};
  // the chroma tree of a dual-tree I slice only where the hints carry chroma digits
  const bool chromaTree = node.treeType == TreeType::kDualChroma;
  const bool useHints = hints_ && pass == 0 && (!chromaTree || hints_->hasChroma());
  const bool usePreset = pass < 2;
  int n = 0;
  const int fr = c_->frameIndex;
  const bool qtEndOk = !useHints || node.mttDepth > 0 ||
                       hints_->allowQtEnd(fr, node.x, node.y, node.w, node.h, node.qtDepth, hintLayer_, chromaTree);
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
      if (isQt ? !hints_->allowQtSplit(fr, node.x, node.y, node.w, node.h, node.qtDepth, hintLayer_, chromaTree)
               : (!qtEndOk ||
                  !hints_->allowMtt(fr, node.x, node.y, node.w, node.h, node.mttDepth, s, hintLayer_, chromaTree)))
        continue;
    }
    out[n++] = s;
  }
  return n;
}

double RdCtuSearch::searchNode(const TreeNode& node, ContextSet& cs, HmvpTable& hm, CtuCoding& frag, int level) {
  ++stats_.nodesVisited;
  const PartitionConfig& part = *c_->part;
  SplitMode cand[6];
  int nc = candidates(node, cand);
  const int rw = std::min(node.w, part.picWidth - node.x), rh = std::min(node.h, part.picHeight - node.y);
  const size_t s0 = frag.splits.size(), c0 = frag.cus.size(), k0 = frag.coeffs.size();
  const ContextSet entry = cs;
  const HmvpTable entryHm = hm;
  NodeScratch& S = scratch(level);
  double bestJ = kInf;
  int bestIdx = -1;
  double leafJ = kInf, btJ[2] = {kInf, kInf};
  bool leafZeroCbf = false, leafSkip = false;
  // --stats-qt-nodes: the QT split's and the best MTT split's cost per direction (0 horizontal, 1 vertical; a partial
  // one where aborted)
  const bool recordNode = c_->qtNodes && node.mttDepth <= 1 && node.treeType != TreeType::kDualChroma;
  double qtJ = kInf, dirJ[2] = {kInf, kInf}, dirLowerJ[2] = {kInf, kInf};
  bool qtAborted = false;
  for (int i = 0; i < nc; ++i) {
    const SplitMode s = cand[i];
    if (preset_.skipTtIfBtNoGain && (s == SplitMode::kTtHor || s == SplitMode::kTtVer) && leafJ < kInf) {
      const double bj = btJ[s == SplitMode::kTtHor ? 0 : 1];
      if (!(bj < leafJ)) continue;
    }
    // P/B slices: a leaf coded as a skip CU is rarely beaten by splitting it (early skip detection)
    if (leafSkip && s != SplitMode::kNone &&
        (preset_.interSkipStopsSplit || (s != SplitMode::kQt && c_->slice->hierarchyLevel >= preset_.skipStopsMttFromTid)))
      continue;
    if (preset_.skipSplitsIfLeafZeroCbf && s != SplitMode::kNone && leafZeroCbf &&
        node.w * node.h >= (1 << (2 * preset_.minLeafLog2ForSplitSkip)))
      continue;
    if (i > 0) {
      truncate(frag, s0, c0, k0);
      // only this tree's marks: the chroma tree of a dual-tree I slice keeps its luma reconstructed
      c_->cuMap->clearReconstructed(node.x, node.y, rw, rh, node.treeType != TreeType::kDualChroma,
                                    node.treeType != TreeType::kDualLuma);
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
    if (s == SplitMode::kNone) stats_.leafSamples += uint64_t(rw) * uint64_t(rh);
    if (s == SplitMode::kNone && node.treeType == TreeType::kDualChroma) {  // chroma-tree CU
      J += searchChromaCu(node, c, h, frag);
      const CodingUnit& cu = frag.cus.back();
      leafJ = J;
      leafZeroCbf = true;
      for (int t = 0; t < cu.numTus; ++t) leafZeroCbf &= !cu.tus[t].cbf[1] && !cu.tus[t].cbf[2];
    } else if (s == SplitMode::kNone) {
      bool zeroCbf = false;
      J += searchLeaf(node, c, h, frag, &zeroCbf);
      leafJ = J;
      leafZeroCbf = zeroCbf;
      leafSkip = !frag.cus.empty() && frag.cus.back().skip;
      // the splits the hints removed, tried after all where this leaf is uneven across them (SplitThresholds::fallbackBits)
      if (hints_ && hints_->thresholds(hintLayer_).fallbackBits > 0) nc = appendFallbackSplits(node, rw, rh, cand, nc);
    } else {
      const bool ldt = node.treeType == TreeType::kSingle && modeTypeCondition(node, s, true) == 1;
      TreeNode kids[4];
      const int nk = childNodes(part, node, s, ldt ? TreeType::kDualLuma : node.treeType,
                                ldt ? ModeType::kIntra : node.modeType, kids);
      propagateCclmChroma(node, s, kids, nk);
      for (int k = 0; k < nk && !aborted; ++k) {
        J += searchNode(kids[k], c, h, frag, level + 1);
        if (J >= bestJ) aborted = true;
      }
      if (!aborted && ldt) {
        J += searchChromaCu(node, c, h, frag);
        if (J >= bestJ) aborted = true;
      }
      if (aborted) ++stats_.splitsAborted;
      if (recordNode) {
        if (s == SplitMode::kQt) {
          qtJ = J, qtAborted = aborted;
        } else {
          const int dir = s == SplitMode::kBtVer || s == SplitMode::kTtVer;
          double& slot = aborted ? dirLowerJ[dir] : dirJ[dir];
          slot = std::min(slot, J);
        }
      }
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
  if (recordNode) {
    QtNodeCost r;
    r.x = node.x; r.y = node.y; r.w = node.w; r.h = node.h; r.qtDepth = node.qtDepth; r.mttDepth = node.mttDepth;
    const auto rel = [&](double j) { return j < kInf ? float((j - bestJ) / lam_.lambda) : -1.0f; };
    r.leaf = rel(leafJ);
    r.qt = rel(qtJ);
    r.qtLower = qtAborted;
    // a split's cost where one completed, else its best bound; the best MTT split is the better direction's
    const auto cost = [&](double j, double lowerJ, float& out, bool& lower) {
      out = rel(j < kInf ? j : lowerJ);
      lower = !(j < kInf) && lowerJ < kInf;
    };
    cost(dirJ[0], dirLowerJ[0], r.mttHor, r.mttHorLower);
    cost(dirJ[1], dirLowerJ[1], r.mttVer, r.mttVerLower);
    cost(std::min(dirJ[0], dirJ[1]), std::min(dirLowerJ[0], dirLowerJ[1]), r.mtt, r.mttLower);
    c_->qtNodes->push_back(r);
  }
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
      if (cu.treeType != TreeType::kDualChroma && cu.isInter()) {
        if (cu.gpm) inter::storeGpmMotion(*c_->motion, cu.x, cu.y, cu.w, cu.h, cu.gpmSplit, cu.motion, cu.motionB);
        else inter::storeCuMotion(*c_->motion, cu, cu.motion, *c_->slice, c_->part->log2CtuSize);
      }
  }
  // luma-only nodes (inside a local dual tree) leave chroma to the enclosing chroma CU
  c_->cuMap->markReconstructed(node.x, node.y, rw, rh, true, node.treeType != TreeType::kDualLuma);
  return bestJ;
}


// Residual of one TB against a given prediction: forward transform, quantisation (DQ trellis, RDOQ
// or plain; then the sign-hiding parity adjustment where the slice uses it), reconstruction into the
// picture exactly as recon does it. Returns the SSE of the reconstruction; levels get the row-major
// levels. Shared by the intra and inter decisions.
recon::TbKernels RdCtuSearch::kernelsFor(int cIdx, bool isIntra, int w, int h, int lfnst) const {
  const SliceParams& sl = *c_->slice;
  if (ispCu_ && cIdx == 0) return recon::ispKernels(sl.mtsEnabled, w, h, lfnst);
  const int mts = cIdx == 0 ? (sbtMts_ ? sbtMts_ : mtsIdx_) : 0;
  return recon::tbKernels(sl.implicitMts && !(cIdx == 0 && mipCu_), cIdx, isIntra, w, h, mts, lfnst);
}

int RdCtuSearch::quantizeResidual(int cIdx, int w, int h, const Pel* resid, int qp, bool isIntra,
                                  const ResidualBitTables& tables, double lambdaScale, TCoeff* levels) {
  const SliceParams& sl = *c_->slice;
  const int lfnst = cIdx == 0 ? lfnstIdx_ : 0;
  const recon::TbKernels kern = kernelsFor(cIdx, isIntra, w, h, lfnst);
  dsp::forwardTransform(resid, w, w, h, sl.bitDepth, coeff_, kern.hor, kern.ver);
  if (lfnst)
    dsp::lfnstForward(coeff_, w, h, lfnst,
                      dsp::intraWideAngleMode(lfnstMode_, lfnstAngleW_ ? lfnstAngleW_ : w, lfnstAngleH_ ? lfnstAngleH_ : h));
  const bool sbtZo = sbtZeroOut_ && cIdx == 0;
  if (sbtZo && !sl.depQuant) {  // SBT's zero-out: no quantiser makes a level of a zero coefficient (the trellis
                                // quantises the coded region itself, DqParams::sbtZeroOut)
    const int lw = log2Int(unsigned(w)), lh = log2Int(unsigned(h));
    const int zw = 1 << log2ZeroOutSide(lw, lh, true), zh = 1 << log2ZeroOutSide(lh, lw, true);
    for (int yy = 0; yy < h; ++yy)
      for (int xx = yy < zh ? zw : 0; xx < w; ++xx) coeff_[yy * w + xx] = 0;
  }
  const double lambda = lam_.componentLambda(cIdx) / lambdaScale;
  int nz;
  if (sl.depQuant) {  // dependent quantisation: the trellis replaces RDOQ (and the plain quantiser)
    DqParams dp;
    dp.log2W = log2Int(unsigned(w));
    dp.log2H = log2Int(unsigned(h));
    dp.isLuma = cIdx == 0;
    dp.lambda = lambda;
    dp.qp = qp;
    dp.bitDepth = sl.bitDepth;
    dp.tables = &tables;
    dp.sbtZeroOut = sbtZo;
    nz = dqQuantize(coeff_, dp, levels);
  } else {
    RdoqParams p;
    p.log2W = log2Int(unsigned(w));
    p.log2H = log2Int(unsigned(h));
    p.isLuma = cIdx == 0;
    p.lambda = lambda;
    p.qs = dsp::quantScale(qp, w, h, sl.bitDepth);
    p.tables = &tables;
    p.signHiding = sl.signHiding;
    if (preset_.useRdoq && preset_.rdoqGuard && (sl.isIntra || preset_.rdoqGuardInterSlices)) {
      nz = rdoQuantizeGuarded(coeff_, p, qp, sl.bitDepth, rdoq_, levels, plain_, nullptr);  // adjusts for SDH
    } else {
      nz = preset_.useRdoq ? rdoQuantize(coeff_, p, rdoq_, levels, nullptr)
                           : dsp::quant(coeff_, w, h, qp, sl.bitDepth, isIntra, levels);
      // sign data hiding: one level per disagreeing sub-block moves by +-1 (sign_hiding.h)
      if (nz && sl.signHiding) nz = signHidingAdjust(coeff_, p, levels);
    }
  }
  // (with LFNST every coefficient beyond its inputs is zero: no quantiser gives a level past the last coefficient
  // above half a step, nor does the sign-hiding adjustment, so the levels keep lfnst_idx codable)
  return nz;
}

void RdCtuSearch::reconstructResidual(int cIdx, int w, int h, const TCoeff* levels, int qp, bool isIntra, Pel* resid) {
  const SliceParams& sl = *c_->slice;
  const int lfnst = cIdx == 0 ? lfnstIdx_ : 0;
  const recon::TbKernels kern = kernelsFor(cIdx, isIntra, w, h, lfnst);
  recon::dequantTb(levels, w, h, qp, sl.depQuant, coeff_);
  if (lfnst) recon::inverseLfnst(coeff_, w, h, lfnst, lfnstMode_, lfnstAngleW_, lfnstAngleH_);
  dsp::inverseTransform(coeff_, w, h, sl.bitDepth, resid, w, kern.hor, kern.ver);
}

// Residual of one TB against a given prediction: forward transform, quantisation (DQ trellis, RDOQ
// or plain; then the sign-hiding parity adjustment where the slice uses it), reconstruction into the
// picture exactly as recon does it. Returns the SSE of the reconstruction; levels get the row-major
// levels. Shared by the intra and inter decisions.
uint64_t RdCtuSearch::codeResidualTb(int cIdx, int x, int y, int w, int h, const Pel* pred, ptrdiff_t predStride, bool isIntra, const ResidualBitTables& tables, TCoeff* levels, int* nzOut) {
  const SliceParams& sl = *c_->slice;
  const int qp = cIdx == 0 ? sl.qpPrimeY : (cIdx == 1 ? sl.qpPrimeCb : sl.qpPrimeCr);
  const Plane& org = c_->orig->planes[cIdx];
  Plane& rec = c_->recon->planes[cIdx];
  dsp::subtract(org.row(y) + x, org.stride, pred, predStride, w, h, resid_, w);
  int nz = quantizeResidual(cIdx, w, h, resid_, qp, isIntra, tables, 1.0, levels);
  Pel* dst = rec.row(y) + x;
  if (nz) {
    reconstructResidual(cIdx, w, h, levels, qp, isIntra, resid_);
    dsp::addResidualClip(pred, predStride, resid_, w, w, h, sl.bitDepth, dst, rec.stride);
  } else {
    dsp::copyBlock(pred, predStride, w, h, dst, rec.stride);
  }
  uint64_t d = dsp::sse(org.row(y) + x, org.stride, dst, rec.stride, w, h);
  tbTs_ = 0;
  if (tsAllowed(cIdx, w, h))
    tryTransformSkip(cIdx, w, h, org.row(y) + x, org.stride, pred, predStride, qp, isIntra, levels, nz, &d, dst,
                     rec.stride);
  *nzOut = nz;
  return d;
}

bool RdCtuSearch::tsAllowed(int cIdx, int w, int h) const {
  const SliceParams& sl = *c_->slice;
  if (!sl.transformSkip || !tsCtx_) return false;
  const int log2Max = preset_.tsLog2Max > 0 ? std::min(preset_.tsLog2Max, sl.log2MaxTs) : sl.log2MaxTs;
  if (std::max(w, h) > (1 << log2Max)) return false;
  if (sbtMts_ || sbtZeroOut_) return false;
  return cIdx != 0 || (!ispCu_ && !mtsIdx_ && !lfnstIdx_);
}

void RdCtuSearch::tryTransformSkip(int cIdx, int w, int h, const Pel* org, ptrdiff_t orgStride, const Pel* pred,
                                   ptrdiff_t predStride, int qp, bool isIntra, TCoeff* levels, int& nz, uint64_t* sse,
                                   Pel* dst, ptrdiff_t dstStride) {
  const SliceParams& sl = *c_->slice;
  const int n = w * h;
  alignas(32) Pel resid[32 * 32], res[32 * 32], rec[32 * 32];
  alignas(32) TCoeff tsLevels[32 * 32];
  dsp::subtract(org, orgStride, pred, predStride, w, h, resid, w);
  const int tsQp = recon::transformSkipQp(sl, qp);
  // the dead zone of the plain quantiser (a third of a step intra, a sixth inter)
  const int nzTs = dsp::quantTransformSkip(resid, n, tsQp, isIntra ? 341 : 171, tsLevels);
  if (!nzTs) return;
  dsp::dequantTransformSkip(tsLevels, n, tsQp, res);
  dsp::addResidualClip(pred, predStride, res, w, w, h, sl.bitDepth, rec, w);
  const uint64_t dTs = dsp::sse(org, orgStride, rec, w, w, h);
  // rates from the CU's entry contexts: transform_skip_flag and the residual syntax of each; the transformed levels'
  // first, so that a skipped block whose distortion alone costs more needs no estimate of its own
  const int flagCtx = kCtxTsFlag + (cIdx ? 1 : 0);
  const double perFbit = lam_.componentLambda(cIdx) / double(kFbitsOne);
  uint64_t bitsTr = 0;
  if (nz) {
    ContextSet c = *tsCtx_;
    BitEstimator e;
    e.bin(c[flagCtx], 0);
    codeResidual(e, c, levels, w, h, cIdx, sl.depQuant, sl.signHiding, nullptr, false);
    bitsTr = e.fracBits();
  }
  const double jTr = double(*sse) + perFbit * double(bitsTr);
  if (double(dTs) >= jTr) return;
  uint64_t bitsTs;
  {
    ContextSet c = *tsCtx_;
    BitEstimator e;
    e.bin(c[flagCtx], 1);
    if (sl.tsResidualCodingDisabled ? !codeResidual(e, c, tsLevels, w, h, cIdx) : !codeResidualTs(e, c, tsLevels, w, h))
      return;
    bitsTs = e.fracBits();
  }
  if (double(dTs) + perFbit * double(bitsTs) >= jTr) return;
  std::memcpy(levels, tsLevels, sizeof(TCoeff) * size_t(n));
  dsp::copyBlock(rec, w, w, h, dst, dstStride);
  nz = nzTs;
  *sse = dTs;
  tbTs_ = 1;
}

std::unique_ptr<CtuSearch> createRdSearch(const SearchPreset& preset, std::shared_ptr<const SplitHints> hints) {
  return std::unique_ptr<CtuSearch>(new RdCtuSearch(preset, std::move(hints)));
}

std::unique_ptr<CtuSearch> createRdSearch(const SearchConfig& cfg) {
  SearchPreset preset;
  if (!presetByName(cfg.preset, preset))
    throw std::invalid_argument("unknown preset '" + cfg.preset + "' (expected " + searchPresetNames() + ")");
  if (cfg.allIntra && preset.modesAllIntra.numRd > 0) preset.modes = preset.modesAllIntra;
  if (cfg.allIntra && preset.numChromaRdAllIntra > 0) preset.numChromaRd = preset.numChromaRdAllIntra;
  std::shared_ptr<SplitHints> hints;
  if (!cfg.splitHintsPath.empty()) {
    hints = std::make_shared<SplitHints>();
    const std::string err = hints->parseFile(cfg.splitHintsPath);
    if (!err.empty()) throw std::invalid_argument("--split-hints: " + err);
    if (!cfg.splitThreshold.empty()) {
      if (hints->version() != 2)
        throw std::invalid_argument("--split-threshold needs version 2 (probability) split hints; '" +
                                    cfg.splitHintsPath + "' is version " + std::to_string(hints->version()));
      std::vector<SplitThresholds> th;
      const std::string e2 = parseSplitThresholdLayers(cfg.splitThreshold, th);
      if (!e2.empty()) throw std::invalid_argument("--split-threshold '" + cfg.splitThreshold + "': " + e2);
      hints->setThresholds(th);
    }
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
