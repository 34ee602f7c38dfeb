// Inter decisions of the RD search (rd_search_impl.h): merge/skip candidates pre-selected by SATD,
// motion-searched AMVP candidates (motion_search.h), full RD with and without residual, and the
// intra/inter choice of a leaf CU in P/B slices.
#include "encoder/search/rd_search_impl.h"
#include "encoder/search/dq_trellis.h"

#include <algorithm>
#include <cstring>

namespace nnvvc {
namespace search {

double RdCtuSearch::searchLeaf(const TreeNode& node, ContextSet& cs, HmvpTable& hm, CtuCoding& frag, bool* zeroCbf) {
  if (!interSlice() || node.modeType == ModeType::kIntra || node.treeType != TreeType::kSingle)
    return searchLeafIntra(node, cs, hm, frag, zeroCbf);
  ++stats_.leavesEvaluated;
  const ContextSet entryCs = cs;
  const HmvpTable entryHm = hm;
  const size_t c0 = frag.cus.size(), k0 = frag.coeffs.size();
  const double jInter = evalInter(node, entryCs, entryHm);
  const bool tryIntra = preset_.intraInInter && !(preset_.intraSkipIfSkip && interBestCu_.skip);
  double jIntra = kInf;
  if (tryIntra && c_->slice->hierarchyLevel <= preset_.intraInInterMaxTid) {
    intraGate_ = preset_.intraInInterSatdRatio > 0 ? preset_.intraInInterSatdRatio * interBestSatd_ : kInf;
    jIntra = searchLeafIntra(node, cs, hm, frag, zeroCbf);
    intraGate_ = kInf;
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

double RdCtuSearch::evalInter(const TreeNode& node, const ContextSet& entry, const HmvpTable& entryHm) {
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
  interBestSatd_ = kInf;
  // merge candidates, pre-selected by SATD
  MotionInfo mlist[inter::kMaxMergeCand];
  const int nm = inter::buildMergeList(me, cu.x, cu.y, cu.w, cu.h, mlist);
  std::pair<double, int> ranked[inter::kMaxMergeCand];
  int nr = 0;
  for (int i = 0; i < nm; ++i) {
    bool dup = false;
    for (int j = 0; j < i && !dup; ++j) dup = mlist[j].samePrediction(mlist[i]);
    if (dup) continue;
    ranked[nr++] = {ms_.mergeCost(mlist[i], i, cu.x, cu.y, cu.w, cu.h), i};
  }
  for (int i = 1; i < nr; ++i)  // insertion sort (at most 6 entries)
    for (int j = i; j > 0 && ranked[j] < ranked[j - 1]; --j) std::swap(ranked[j], ranked[j - 1]);
  if (nr > 0) interBestSatd_ = ranked[0].first;
  // full RD of the k-th ranked merge candidate, as a regular merge CU or a CIIP CU
  auto tryMerge = [&](int k, bool ciip) {
    cu.merge = true;
    cu.mmvd = false;
    cu.ciip = ciip;
    cu.mergeIdx = uint8_t(ranked[k].second);
    cu.motion = mlist[ranked[k].second];
    cu.interDir = 0;
    cu.refIdx[0] = cu.refIdx[1] = -1;
    cu.mvd[0] = cu.mvd[1] = Mv();
    tryInterRd(cu, entry, entryHm, bestJ);
  };
  for (int k = 0; k < std::min(nr, preset_.numMergeRd); ++k) tryMerge(k, false);
  // subblock merge (affine) candidates
  if (c_->slice->maxNumSubblockMergeCand > 0 && cu.w >= 8 && cu.h >= 8) {
    MotionInfo tried[inter::kMaxMergeCand];
    const int nt = std::min(nr, preset_.numMergeRd);
    for (int k = 0; k < nt; ++k) tried[k] = mlist[ranked[k].second];
    evalAffineMerge(me, cu, entry, entryHm, bestJ, tried, nt, nr > 0 ? ranked[0].first : kInf);
  }
  // CIIP: the best merge candidates (by their plain SATD) blended with planar intra, full RD with a residual;
  // not where a skip CU already won (its prediction needs no help)
  // (--ciip on at a preset without CIIP: one candidate)
  if (c_->slice->ciip && !(interBestCu_.skip && bestJ < kInf) && cu.w < 128 && cu.h < 128 && cu.w * cu.h >= 64) {
    for (int k = 0; k < std::min(nr, std::max(1, preset_.numCiipRd)); ++k) tryMerge(k, true);
    cu.ciip = false;
  }
  // GPM: two merge candidates' uni-predictions blended along one of 64 partition lines
  if (c_->slice->gpm && preset_.numGpmRd > 0 && inter::gpmSizeAllowed(cu.w, cu.h)) {
    evalGpm(mlist, nm, nr > 0 ? ranked[0].first : kInf, cu, entry, entryHm, bestJ);
    cu.gpm = false;
  }
  // MMVD bases: merge candidates 0 and 1 before the 8x4 / 4x8 bi restriction (mmvdMotion applies it)
  MotionInfo mmvdBase[inter::kMaxMergeCand];
  const int nb = c_->slice->mmvd ? std::min(2, inter::buildMergeList(me, cu.x, cu.y, cu.w, cu.h, mmvdBase, false)) : 0;
  if (nb > 0) evalMmvd(mmvdBase, nb, cu, entry, entryHm, bestJ);
  cu.mmvd = false;
  // early skip detection: a skip merge candidate beat its own residual version, so the motion
  // is already well predicted; a motion search rarely wins there
  if (interBestCu_.skip && bestJ < kInf && c_->slice->hierarchyLevel <= preset_.skipStopsAmvpMaxTid) return bestJ;
  // motion search (AMVP)
  // (up to 3 candidates: the best uni of each list and a bi one, sorted; the first numAmvpRd go to RD)
  AmvpCandidate ac[3];
  const int nAll = ms_.search(me, cu.x, cu.y, cu.w, cu.h, ac, 3);
  const int na = std::min(nAll, preset_.numAmvpRd);
  if (nAll > 0) interBestSatd_ = std::min(interBestSatd_, ac[0].cost);
  for (int k = 0; k < na; ++k) {
    cu.merge = false;
    cu.skip = false;
    cu.mergeIdx = 0;
    cu.bcwIdx = 0;
    cu.motion = ac[k].mi;
    cu.interDir = ac[k].mi.interDir;
    for (int l = 0; l < 2; ++l) {
      cu.refIdx[l] = ac[k].mi.refIdx[l];
      cu.mvpIdx[l] = ac[k].mvpIdx[l];
      cu.mvd[l] = ac[k].mvd[l];
    }
    tryInterRd(cu, entry, entryHm, bestJ);
  }
  // BCW weights for the bi candidate (whether or not it was among the RD-checked ones)
  if (cu.w * cu.h >= 256 && inter::bcwMaxIdx(*c_->slice) > 0)
    evalBcw(me, ac, nAll, cu, entry, entryHm, bestJ);
  // affine AMVP from the best motion-searched candidate
  if (c_->slice->affine && preset_.affineAmvp && na > 0 && cu.w >= 16 && cu.h >= 16)
    evalAffineAmvp(me, ac[0], cu, entry, entryHm, bestJ);
  // SMVD: bi-prediction on the slice's symmetric reference pair with MvdL1 = -MvdL0 (one MVD coded, no
  // reference indices): the MVD searched around the motion-searched MVs on those references, then refined
  int symRef[2];
  // (the slice has SMVD where the SPS enables it: by the preset, or --smvd on)
  if (inter::symmetricRefIdx(*c_->slice, symRef) && cu.w + cu.h > 12) evalSmvd(me, symRef, ac, na, cu, entry, entryHm, bestJ);
  // the best motion-searched candidate's motion, when an MMVD candidate reaches it exactly: the
  // same prediction with (often) cheaper syntax, and a skip version
  if (nb > 0 && na > 0) {
    bool found = false;
    for (int b = 0; b < nb && !found; ++b)
      for (int d = 0; d < 8 && !found; ++d)
        for (int dir = 0; dir < 4 && !found; ++dir) {
          if (!mmvdBase[b].isInter()) continue;
          const MotionInfo mm = inter::mmvdMotion(*c_->slice, mmvdBase[b], d, dir, cu.w, cu.h);
          if (!mm.samePrediction(ac[0].mi)) continue;
          found = true;
          CodingUnit v = cu;
          v.merge = true; v.mmvd = true; v.skip = false;
          v.mmvdCand = uint8_t(b); v.mmvdDist = uint8_t(d); v.mmvdDir = uint8_t(dir); v.mergeIdx = uint8_t(b);
          v.motion = ac[0].mi;
          v.interDir = 0; v.refIdx[0] = v.refIdx[1] = -1; v.mvpIdx[0] = v.mvpIdx[1] = 0; v.mvd[0] = v.mvd[1] = Mv();
          v.amvr = 0;
          tryInterRd(v, entry, entryHm, bestJ);
        }
  }
  if (c_->slice->amvr && na > 0) evalAmvr(me, ac[0], cu, entry, entryHm, bestJ);
  if (c_->slice->sbt) evalSbt(entry, entryHm, bestJ);
  if (c_->slice->explicitMtsInter) evalInterMts(entry, entryHm, bestJ);
  return bestJ;
}

// AMVR: the best motion-searched candidate at half a sample (refined with the alternative half-sample filter:
// MotionSearch::halfSampleCandidate), and with its MVs rounded to one and to four samples, each with the predictors of
// its precision (cheaper MVDs where the motion is smooth), each to the full RD check. (A SATD gate against the
// quarter-sample candidate lost most of the gain for 2-3% of the time: BasketballPass 17 frames -0.03% at ratio 1.0,
// -0.16% at 1.1, against -0.34% without it.)
void RdCtuSearch::evalAmvr(const inter::MvPredEnv& me, const AmvpCandidate& best, CodingUnit& cu,
                           const ContextSet& entry, const HmvpTable& entryHm, double& bestJ) {
  for (const uint8_t prec : {kAmvrHalf, kAmvrInteger, kAmvrFour}) {
    CodingUnit v = cu;
    v.amvr = prec;
    if (prec == kAmvrHalf) {
      const AmvpCandidate hc = ms_.halfSampleCandidate(me, cu.x, cu.y, cu.w, cu.h, best);
      v.motion = hc.mi;
      for (int l = 0; l < 2; ++l) {
        v.mvpIdx[l] = hc.mvpIdx[l];
        v.mvd[l] = hc.mi.predFlag(l) ? hc.mvd[l] : Mv();
      }
    } else {
      const int sh = amvrShiftOf(prec);
      v.motion = best.mi;
      for (int l = 0; l < 2; ++l) {
        v.mvpIdx[l] = 0;
        v.mvd[l] = Mv();
        if (!v.motion.predFlag(l)) continue;
        Mv mvp[2];
        inter::buildAmvpList(me, cu.x, cu.y, cu.w, cu.h, l, v.motion.refIdx[l], mvp, sh);
        const Mv mv = inter::roundMv(v.motion.mv[l], sh, sh);
        int idx = 0;
        cheapestMvp(mvp, mv, sh, idx);
        v.mvpIdx[l] = uint8_t(idx);
        v.mvd[l] = Mv(mv.x - mvp[idx].x, mv.y - mvp[idx].y);
        v.motion.mv[l] = mv;
      }
    }
    v.interDir = v.motion.interDir;
    for (int l = 0; l < 2; ++l) v.refIdx[l] = v.motion.refIdx[l];
    if (v.mvd[0] == Mv() && v.mvd[1] == Mv()) continue;  // (all-zero MVDs cannot signal AMVR)
    tryInterRd(v, entry, entryHm, bestJ);
  }
}

void RdCtuSearch::keepInterCandidate(const CodingUnit& cu, double J, double& bestJ) {
  if (!(J < bestJ)) return;
  bestJ = J;
  interBestCu_ = cu;
  interBestFrag_ = interFrag_;
  for (int c = 0; c < 3; ++c) {
    const int sh = c ? 1 : 0;
    savePlane(c_->recon->planes[c], cu.x >> sh, cu.y >> sh, cu.w >> sh, cu.h >> sh, interRec_[c].data());
  }
}

void RdCtuSearch::evalInterMts(const ContextSet& entry, const HmvpTable& entryHm, double& bestJ) {
  CodingUnit cu = interBestCu_;
  if (!cu.rootCbf || cu.skip || cu.sbt || cu.w > 32 || cu.h > 32 || !cu.tus[0].cbf[0] || cu.tus[0].tsFlag[0]) return;
  const int w = cu.w, h = cu.h;
  const Pel* pd[3] = {interBestPred_[0].data(), interBestPred_[1].data(), interBestPred_[2].data()};
  const ptrdiff_t ps[3] = {w, w / 2, w / 2};
  const int last = preset_.numInterMts > 0 ? std::min(4, preset_.numInterMts) : 4;
  cu.tus[0].jointCbCr = 0;
  const TsScope ts(*this, &entry);  // chroma may skip its transform as in tryInterRd (luma: not with mts_idx)
  for (int m = 1; m <= last; ++m) {
    cu.mtsIdx = uint8_t(m);
    mtsIdx_ = m;
    bool any = false;
    const double D = codeInterResidual(cu, pd, ps, nullptr, &any);
    mtsIdx_ = 0;
    const TransformUnit& tu = cu.tus[0];
    if (!any || !tu.cbf[0]) continue;
    // levels that leave mts_idx uncoded (DC only, or beyond the 16 coefficients of a 32-point side) would be read as
    // DCT-II
    if (!mtsIdxCoded(c_->slice, cu, residualMtsFlags(interFrag_.coeffs.data() + tu.coeffOffset[0], w, h))) continue;
    const double J = D + rateCost(cu, interFrag_, entry, entryHm);
    keepInterCandidate(cu, J, bestJ);
  }
}

void RdCtuSearch::evalSbt(const ContextSet& entry, const HmvpTable& entryHm, double& bestJ) {
  CodingUnit cu = interBestCu_;
  const int maxTb = 1 << c_->part->log2MaxTb;
  if (!cu.rootCbf || cu.skip || cu.ciip || cu.sbt || cu.w > maxTb || cu.h > maxTb) return;
  const SbtAllowed allowed = sbtAllowed(cu.w, cu.h);
  if (!allowed.any()) return;
  const int x = cu.x, y = cu.y, w = cu.w, h = cu.h;
  // the best CU's prediction, kept by tryInterRd
  const Pel* pd[3] = {interBestPred_[0].data(), interBestPred_[1].data(), interBestPred_[2].data()};
  const ptrdiff_t ps[3] = {w, w / 2, w / 2};
  // residual energy (chroma weighted) of each quarter of the CU's columns and rows
  double colE[4] = {0, 0, 0, 0}, rowE[4] = {0, 0, 0, 0};
  for (int c = 0; c < 3; ++c) {
    const int sh = c ? 1 : 0, cw = w >> sh, ch = h >> sh;
    const Plane& org = c_->orig->planes[c];
    for (int q = 0; q < 4; ++q) {
      colE[q] += lam_.chromaWeight[c] * double(dsp::sse(org.row(y >> sh) + (x >> sh) + q * cw / 4, org.stride,
                                                        pd[c] + q * cw / 4, ps[c], cw / 4, ch));
      rowE[q] += lam_.chromaWeight[c] * double(dsp::sse(org.row((y >> sh) + q * ch / 4) + (x >> sh), org.stride,
                                                        pd[c] + q * ch / 4 * ps[c], ps[c], cw, ch / 4));
    }
  }
  // the allowed splits by the energy their TU without residual leaves uncoded (its distortion there)
  struct Option { double uncoded; bool quad, hor, pos; };
  Option opts[8];
  int n = 0;
  for (int hor = 0; hor < 2; ++hor)
    for (int quad = 0; quad < 2; ++quad) {
      if (!(hor ? (quad ? allowed.horQuad : allowed.horHalf) : (quad ? allowed.verQuad : allowed.verHalf))) continue;
      const double* e = hor ? rowE : colE;
      for (int pos = 0; pos < 2; ++pos) {
        // pos 0: the residual in the first half / quarter; pos 1: in the last
        double u = 0;
        for (int q = 0; q < 4; ++q) {
          const bool coded = quad ? (pos ? q == 3 : q == 0) : (pos ? q >= 2 : q < 2);
          if (!coded) u += e[q];
        }
        opts[n++] = Option{u, quad != 0, hor != 0, pos != 0};
      }
    }
  std::stable_sort(opts, opts + n, [](const Option& a, const Option& b) { return a.uncoded < b.uncoded; });
  const int numRd = std::min(n, std::max(1, preset_.numSbtRd));
  for (int k = 0; k < numRd; ++k) {
    if (opts[k].uncoded >= bestJ) break;  // its distortion alone loses
    cu.sbt = true;
    cu.sbtQuad = opts[k].quad;
    cu.sbtHor = opts[k].hor;
    cu.sbtPos = opts[k].pos;
    sbtTransformUnits(cu);
    for (int t = 0; t < 2; ++t) cu.tus[t].jointCbCr = 0;
    bool any = false;
    const double D = codeInterResidual(cu, pd, ps, nullptr, &any);
    if (!any) continue;  // an SBT CU codes a residual (luma cbf inferred 1 without chroma's)
    cu.rootCbf = true;
    cu.skip = false;
    const double J = D + rateCost(cu, interFrag_, entry, entryHm);
    keepInterCandidate(cu, J, bestJ);
  }
}

void RdCtuSearch::evalBcw(const inter::MvPredEnv& me, const AmvpCandidate* ac, int n, CodingUnit& cu,
                          const ContextSet& entry, const HmvpTable& entryHm, double& bestJ) {
  const AmvpCandidate* bi = nullptr;
  for (int k = 0; k < n && !bi; ++k)
    if (ac[k].mi.interDir == 3) bi = &ac[k];
  if (!bi) return;
  const int bcwMax = inter::bcwMaxIdx(*c_->slice);
  AmvpCandidate cand[kBcwNumWeights];
  int nc = 0;
  for (int idx = 1; idx <= bcwMax; ++idx) {
    const AmvpCandidate c = ms_.biWeighted(me, cu.x, cu.y, cu.w, cu.h, *bi, idx, bcwMax, preset_.bcwRefine);
    if (c.cost < bi->cost) cand[nc++] = c;
  }
  for (int i = 1; i < nc; ++i)  // insertion sort (at most 4 entries)
    for (int j = i; j > 0 && cand[j].cost < cand[j - 1].cost; --j) std::swap(cand[j], cand[j - 1]);
  constexpr int32_t kLim = (1 << 15) - 1;  // MVD range (quarter-sample units)
  for (int k = 0; k < std::min(nc, std::max(1, preset_.numBcwRd)); ++k) {
    const AmvpCandidate& c = cand[k];
    bool ok = true;
    for (int l = 0; l < 2; ++l) ok = ok && std::abs(c.mvd[l].x >> 2) <= kLim && std::abs(c.mvd[l].y >> 2) <= kLim;
    if (!ok) continue;
    CodingUnit v = cu;
    v.merge = false; v.skip = false; v.mmvd = false; v.ciip = false; v.gpm = false; v.smvd = false; v.affine = false;
    v.mergeIdx = 0;
    v.amvr = 0;
    v.motion = c.mi;
    v.interDir = 3;
    v.bcwIdx = c.mi.bcwIdx;
    for (int l = 0; l < 2; ++l) {
      v.refIdx[l] = c.mi.refIdx[l];
      v.mvpIdx[l] = c.mvpIdx[l];
      v.mvd[l] = c.mvd[l];
    }
    tryInterRd(v, entry, entryHm, bestJ);
  }
}

void RdCtuSearch::evalSmvd(const inter::MvPredEnv& me, const int symRef[2], const AmvpCandidate* ac, int na,
                           CodingUnit& cu, const ContextSet& entry, const HmvpTable& entryHm, double& bestJ) {
  Mv mvp[2][2];
  for (int l = 0; l < 2; ++l) inter::buildAmvpList(me, cu.x, cu.y, cu.w, cu.h, l, symRef[l], mvp[l]);
  auto motionOf = [&](const Mv& d, int i0, int i1) {
    MotionInfo mi;
    mi.interDir = 3;
    mi.refIdx[0] = int8_t(symRef[0]);
    mi.refIdx[1] = int8_t(symRef[1]);
    mi.mv[0] = Mv(inter::wrapMv18(mvp[0][i0].x + d.x), inter::wrapMv18(mvp[0][i0].y + d.y));
    mi.mv[1] = Mv(inter::wrapMv18(mvp[1][i1].x - d.x), inter::wrapMv18(mvp[1][i1].y - d.y));
    return mi;
  };
  auto cost = [&](const Mv& d, int i0, int i1) {
    // sym flag, bi direction, two mvp flags and the one MVD
    const double bits = 1.0 + 2.0 + 2.0 + double(mvdBitsEstimate(d));
    return ms_.predCost(motionOf(d, i0, i1), bits, cu.x, cu.y, cu.w, cu.h);
  };
  // starts: zero and the MVDs that reproduce a motion-searched MV on either symmetric reference, each with
  // every predictor pair; then a cross refinement at one, one half and one quarter sample. (A cheaper search
  // from the best candidate's predictor pair at half / quarter sample only gained nothing: the integer steps
  // find bi motion the regular bi search misses.)
  Mv starts[9];
  int ns = 0;
  starts[ns++] = Mv();
  for (int k = 0; k < na && ns <= 5; ++k) {
    if (ac[k].mi.predFlag(0) && ac[k].mi.refIdx[0] == symRef[0])
      for (int i = 0; i < 2; ++i) starts[ns++] = Mv(ac[k].mi.mv[0].x - mvp[0][i].x, ac[k].mi.mv[0].y - mvp[0][i].y);
    if (ac[k].mi.predFlag(1) && ac[k].mi.refIdx[1] == symRef[1])
      for (int i = 0; i < 2; ++i) starts[ns++] = Mv(mvp[1][i].x - ac[k].mi.mv[1].x, mvp[1][i].y - ac[k].mi.mv[1].y);
  }
  double best = kInf;
  Mv bd;
  int b0 = 0, b1 = 0;
  for (int i0 = 0; i0 < 2; ++i0)
    for (int i1 = 0; i1 < 2; ++i1) {
      if ((i0 && mvp[0][1] == mvp[0][0]) || (i1 && mvp[1][1] == mvp[1][0])) continue;
      for (int s = 0; s < ns; ++s) {
        const double c = cost(starts[s], i0, i1);
        if (c < best) { best = c; bd = starts[s]; b0 = i0; b1 = i1; }
      }
    }
  for (int step : {16, 8, 4})
    for (int it = 0; it < 8; ++it) {
      static const int dx[4] = {1, -1, 0, 0}, dy[4] = {0, 0, 1, -1};
      Mv nb = bd;
      for (int k = 0; k < 4; ++k) {
        const Mv d(bd.x + dx[k] * step, bd.y + dy[k] * step);
        const double c = cost(d, b0, b1);
        if (c < best) { best = c; nb = d; }
      }
      if (nb == bd) break;
      bd = nb;
    }
  // MVD range: -MvdL0 must be codable too
  constexpr int kLim = (1 << 15) - 1;
  if (std::abs(bd.x >> 2) > kLim || std::abs(bd.y >> 2) > kLim) return;
  CodingUnit v = cu;
  v.merge = false; v.skip = false; v.mmvd = false; v.ciip = false;
  v.mergeIdx = 0;
  v.smvd = true;
  v.interDir = 3;
  v.refIdx[0] = int8_t(symRef[0]);
  v.refIdx[1] = int8_t(symRef[1]);
  v.mvpIdx[0] = uint8_t(b0);
  v.mvpIdx[1] = uint8_t(b1);
  v.mvd[0] = bd;
  v.mvd[1] = Mv(-bd.x, -bd.y);
  v.amvr = 0;
  v.motion = motionOf(bd, b0, b1);
  tryInterRd(v, entry, entryHm, bestJ);
}

void RdCtuSearch::evalAffineMerge(const inter::MvPredEnv& me, CodingUnit& cu, const ContextSet& entry,
                                  const HmvpTable& entryHm, double& bestJ, const MotionInfo* triedMerge,
                                  int numTriedMerge, double bestMergeSatd) {
  AffineMotion list[inter::kMaxSubblockMergeCand];
  SbTmvpMotion sb;
  const int n = inter::buildSubblockMergeList(me, cu.x, cu.y, cu.w, cu.h, list, &sb);
  // what every subblock merge candidate sets: merge_subblock_idx idx, the CU-level motion mi
  auto setSubblockMerge = [&](int idx, const MotionInfo& mi) {
    cu.merge = true;
    cu.mmvd = false;
    cu.ciip = false;
    cu.gpm = false;
    cu.affine = true;
    cu.mergeIdx = uint8_t(idx);
    cu.motion = mi;
    cu.interDir = 0;
    cu.refIdx[0] = cu.refIdx[1] = -1;
    cu.mvd[0] = cu.mvd[1] = Mv();
  };
  if (sb.available) {
    // SbTMVP: full RD unless every subblock has one motion that a regular merge candidate already tried
    // (the same prediction but for DMVR / BDOF, at a higher rate)
    MotionInfo sub[inter::kMaxSbTmvpSubblocks];
    inter::sbTmvpSubblockMotion(*c_->slice, c_->part->log2CtuSize, cu.x, cu.y, cu.w, cu.h, sb, sub);
    const int ns = (cu.w / inter::kSbTmvpSubblock) * (cu.h / inter::kSbTmvpSubblock);
    bool uniform = true;
    for (int i = 1; i < ns && uniform; ++i) uniform = sub[i] == sub[0];
    bool tried = false;
    for (int k = 0; k < numTriedMerge && uniform && !tried; ++k) tried = triedMerge[k] == sub[0];
    // and only when its SATD cost is below sbTmvpSatdRatio x the best regular merge candidate's
    if (!tried && preset_.sbTmvpSatdRatio > 0 && bestMergeSatd < kInf)
      tried = ms_.sbTmvpCost(sub, 2.0, cu.x, cu.y, cu.w, cu.h) > preset_.sbTmvpSatdRatio * bestMergeSatd;
    if (!tried) {
      setSubblockMerge(0, sb.ctr);
      cu.sbTmvpMotion = sb;
      cu.aff = AffineMotion{};
      tryInterRd(cu, entry, entryHm, bestJ);
      cu.sbTmvpMotion = SbTmvpMotion{};
    }
  }
  if (!c_->slice->affine) {
    cu.affine = false;
    return;
  }
  std::pair<double, int> ranked[inter::kMaxSubblockMergeCand];
  int nr = 0;
  for (int i = sb.available ? 1 : 0; i < n; ++i) {
    bool dup = false;
    for (int j = sb.available ? 1 : 0; j < i && !dup; ++j) dup = list[j] == list[i];
    if (dup) continue;
    // merge flag, subblock flag, truncated-unary index
    ranked[nr++] = {ms_.affineCost(list[i], double(2 + std::min(i + 1, n - 1)), cu.x, cu.y, cu.w, cu.h), i};
  }
  for (int i = 1; i < nr; ++i)
    for (int j = i; j > 0 && ranked[j] < ranked[j - 1]; --j) std::swap(ranked[j], ranked[j - 1]);
  for (int k = 0; k < std::min(nr, std::max(1, preset_.numAffineMergeRd)); ++k) {
    const AffineMotion& am = list[ranked[k].second];
    setSubblockMerge(ranked[k].second, inter::affineCuMotion(am));
    cu.aff = am;
    tryInterRd(cu, entry, entryHm, bestJ);
  }
  cu.affine = false;
  cu.aff = AffineMotion{};
}

void RdCtuSearch::evalAffineAmvp(const inter::MvPredEnv& me, const AmvpCandidate& base, CodingUnit& cu,
                                 const ContextSet& entry, const HmvpTable& entryHm, double& bestJ) {
  const int x = cu.x, y = cu.y, w = cu.w, h = cu.h;
  const MotionInfo& mi = base.mi;
  auto q4 = [](const Mv& m) { return inter::roundMv(m, 2, 2); };
  constexpr int32_t kMvdLim = (1 << 15) - 1;
  for (int six = 0; six <= (c_->slice->affineSixParam && preset_.affineAmvpSixParam ? 1 : 0); ++six) {
    AffineMotion am;
    am.interDir = mi.interDir;
    am.sixParam = six != 0;
    const int ncp = am.numCp();
    uint8_t mvpIdx[2] = {0, 0};
    Mv mvd[2][3];
    bool ok = true;
    for (int l = 0; l < 2 && ok; ++l) {
      if (!mi.predFlag(l)) continue;
      am.refIdx[l] = mi.refIdx[l];
      Mv mvp[2][3];
      inter::buildAffineAmvpList(me, x, y, w, h, l, mi.refIdx[l], am.sixParam, mvp);
      // MVDs of control points cp with predictor k (cp 1, 2 coded relative to cp 0's MVD) and their bits
      auto mvdsOf = [&](const Mv* cp, int k, Mv* d) {
        uint32_t bits = uint32_t(k);
        for (int i = 0; i < ncp; ++i) {
          Mv v(cp[i].x - mvp[k][i].x, cp[i].y - mvp[k][i].y);
          if (i) v = Mv(v.x - d[0].x, v.y - d[0].y);
          d[i] = v;
          bits += mvdBitsEstimate(v);
        }
        return bits;
      };
      auto cost = [&](const Mv* cp, int* bestK) {
        uint32_t best = ~0u;
        for (int k = 0; k < 2; ++k) {
          Mv d[3];
          const uint32_t b = mvdsOf(cp, k, d);
          if (b < best) { best = b; if (bestK) *bestK = k; }
        }
        AffineMotion u;
        u.interDir = uint8_t(1 << l);
        u.refIdx[l] = mi.refIdx[l];
        u.sixParam = am.sixParam;
        for (int i = 0; i < 3; ++i) u.cp[l][i] = cp[i];
        return ms_.affineCost(u, double(best) + 3.0, x, y, w, h, preset_.affineSearchApprox);
      };
      // starts: the translational MV at every control point, each predictor, and (6-parameter) the 4-parameter
      // result continued to the bottom-left corner
      Mv starts[4][3];
      int ns = 0;
      const Mv t = q4(mi.mv[l]);
      starts[ns][0] = starts[ns][1] = starts[ns][2] = t;
      ++ns;
      for (int k = 0; k < 2; ++k) {
        for (int i = 0; i < 3; ++i) starts[ns][i] = mvp[k][i];
        if (!am.sixParam) starts[ns][2] = Mv();
        ++ns;
      }
      if (am.sixParam && cu.affine && cu.aff.predFlag(l)) {
        const Mv* c = cu.aff.cp[l];
        starts[ns][0] = c[0];
        starts[ns][1] = c[1];
        starts[ns][2] = q4(Mv(c[0].x - (c[1].y - c[0].y) * h / w, c[0].y + (c[1].x - c[0].x) * h / w));
        ++ns;
      }
      Mv cp[3];
      double bestC = std::numeric_limits<double>::infinity();
      for (int s = 0; s < ns; ++s) {
        const double c = cost(starts[s], nullptr);
        if (c < bestC) { bestC = c; for (int i = 0; i < 3; ++i) cp[i] = starts[s][i]; }
      }
      // coordinate descent over the control-point components, steps of 1, 1/2, 1/4 sample
      for (int step = preset_.affineSearchStartStep; step >= 4; step >>= 1)
        for (int it = 0; it < 4; ++it) {
          bool improved = false;
          for (int k = 0; k < 2 * ncp; ++k)
            for (int sgn = -1; sgn <= 1; sgn += 2) {
              Mv tr[3] = {cp[0], cp[1], cp[2]};
              int32_t& v = (k & 1) ? tr[k >> 1].y : tr[k >> 1].x;
              v += sgn * step;
              const double c = cost(tr, nullptr);
              if (c < bestC) { bestC = c; for (int i = 0; i < 3; ++i) cp[i] = tr[i]; improved = true; }
            }
          if (!improved) break;
        }
      int k = 0;
      cost(cp, &k);
      mvpIdx[l] = uint8_t(k);
      mvdsOf(cp, k, mvd[l]);
      for (int i = 0; i < ncp; ++i) {
        am.cp[l][i] = cp[i];
        if (std::abs(mvd[l][i].x >> 2) > kMvdLim || std::abs(mvd[l][i].y >> 2) > kMvdLim) ok = false;
      }
    }
    if (!ok) continue;
    CodingUnit v = cu;
    v.merge = false; v.skip = false; v.mmvd = false; v.ciip = false; v.gpm = false; v.smvd = false;
    v.mergeIdx = 0;
    v.affine = true;
    v.aff = am;
    v.interDir = mi.interDir;
    v.amvr = 0;
    for (int l = 0; l < 2; ++l) {
      v.refIdx[l] = am.refIdx[l];
      v.mvpIdx[l] = mvpIdx[l];
      v.mvd[l] = Mv();
      for (int i = 0; i < 3; ++i) v.affMvd[l][i] = (am.predFlag(l) && i < am.numCp()) ? mvd[l][i] : Mv();
    }
    v.motion = inter::affineCuMotion(am);
    tryInterRd(v, entry, entryHm, bestJ);
    // the 4-parameter result seeds the 6-parameter search
    cu.affine = true;
    cu.aff = am;
  }
  cu.affine = false;
  cu.aff = AffineMotion{};
}

void RdCtuSearch::evalMmvd(const MotionInfo* base, int nb, CodingUnit& cu, const ContextSet& entry,
                           const HmvpTable& entryHm, double& bestJ) {
  struct Cand { double cost; uint8_t b, d, dir; MotionInfo mi; };
  Cand best[4];
  const int keepN = std::clamp(preset_.numMmvdRd, 0, 4);
  int nBest = 0;
  auto offer = [&](const Cand& c) {  // keeps the keepN cheapest, sorted
    if (keepN == 0) return;
    int i;
    if (nBest < keepN) {
      i = nBest++;
    } else {
      i = keepN - 1;
      if (!(c.cost < best[i].cost)) return;
    }
    best[i] = c;
    for (; i > 0 && best[i].cost < best[i - 1].cost; --i) std::swap(best[i], best[i - 1]);
  };
  for (int b = 0; b < nb; ++b) {
    if (!base[b].isInter()) continue;
    for (int dir = 0; dir < 4; ++dir) {
      // walk the distances up while the cost falls (the SATD surface along one direction is
      // mostly unimodal); flag + cand flag + TR distance + 2 direction bins
      double prev = kInf;
      for (int d = 0; d < 8; ++d) {
        const MotionInfo mi = inter::mmvdMotion(*c_->slice, base[b], d, dir, cu.w, cu.h);
        const double bits = 2.0 + (nb > 1 ? 1.0 : 0.0) + double(std::min(d + 1, 7)) + 2.0;
        const double cost = ms_.predCost(mi, bits, cu.x, cu.y, cu.w, cu.h);
        if (cost >= prev) break;
        prev = cost;
        offer(Cand{cost, uint8_t(b), uint8_t(d), uint8_t(dir), mi});
      }
    }
  }
  for (int k = 0; k < nBest; ++k) {
    cu.merge = true;
    cu.mmvd = true;
    cu.mmvdCand = best[k].b;
    cu.mmvdDist = best[k].d;
    cu.mmvdDir = best[k].dir;
    cu.mergeIdx = best[k].b;
    cu.motion = best[k].mi;
    cu.interDir = 0;
    cu.refIdx[0] = cu.refIdx[1] = -1;
    cu.mvd[0] = cu.mvd[1] = Mv();
    tryInterRd(cu, entry, entryHm, bestJ);
  }
}

void RdCtuSearch::tryInterRd(CodingUnit& cu, const ContextSet& entry, const HmvpTable& entryHm, double& bestJ) {
  const int x = cu.x, y = cu.y, w = cu.w, h = cu.h;
  const TsScope ts(*this, &entry);
  Pel* pd[3] = {interPred_[0].data(), interPred_[1].data(), interPred_[2].data()};
  const ptrdiff_t ps[3] = {w, w / 2, w / 2};
  recon::predictInterCu(*c_->slice, c_->part->log2CtuSize, cu, pd, ps);
  if (cu.ciip) recon::applyCiip(*c_->recon, *c_->cuMap, x, y, w, h, pd, ps);
  // distortion of the prediction alone
  double dPred = 0;
  for (int c = 0; c < 3; ++c) {
    const int sh = c ? 1 : 0;
    const Plane& org = c_->orig->planes[c];
    dPred += lam_.chromaWeight[c] *
             double(dsp::sse(org.row(y >> sh) + (x >> sh), org.stride, pd[c], ps[c], w >> sh, h >> sh));
  }
  auto rate = [&](CodingUnit& u, CtuCoding& f) { return rateCost(u, f, entry, entryHm); };
  auto keep = [&](const CodingUnit& u, const CtuCoding& f, bool fromPred) {
    interBestCu_ = u;
    interBestFrag_ = f;
    for (int c = 0; c < 3; ++c) {
      const int sh = c ? 1 : 0;
      if (c_->slice->sbt) std::memcpy(interBestPred_[c].data(), pd[c], sizeof(Pel) * size_t((w >> sh) * (h >> sh)));
      if (fromPred) {
        std::memcpy(interRec_[c].data(), pd[c], sizeof(Pel) * size_t((w >> sh) * (h >> sh)));
      } else {
        savePlane(c_->recon->planes[c], x >> sh, y >> sh, w >> sh, h >> sh, interRec_[c].data());
      }
    }
  };
  // 1. no residual (not for CIIP: its merge CUs always code a residual)
  for (int t = 0; t < cu.numTus; ++t)
    for (int c = 0; c < 3; ++c) { cu.tus[t].cbf[c] = 0; cu.tus[t].coeffOffset[c] = -1; }
  cu.rootCbf = false;
  cu.skip = cu.merge;
  interFrag_.clear();
  if (!cu.ciip) {
    const double J = dPred + rate(cu, interFrag_);
    if (J < bestJ) { bestJ = J; keep(cu, interFrag_, true); }
  }
  // 2. with residual
  cu.skip = false;
  double dLuma = 0;
  bool any = false;
  const double dRes = codeInterResidual(cu, pd, ps, &dLuma, &any);
  if (!any) return;  // identical to the candidate without residual
  cu.rootCbf = true;
  const double J = dRes + rate(cu, interFrag_);
  if (J < bestJ) { bestJ = J; keep(cu, interFrag_, false); }
  // 3. joint Cb-Cr residual (TuCResMode 2, the only mode inter CUs have) where both chroma residuals are
  //    coded: one residual, the mean of Cb and CSign * Cr, for both
  const SliceParams& sl = *c_->slice;
  TransformUnit& tu = cu.tus[0];
  if (!sl.jointCbCr || !preset_.jointCbCr || cu.numTus != 1 || !tu.cbf[1] || !tu.cbf[2]) return;
  const int cw = w / 2, ch = h / 2, n = cw * ch, s = sl.jointCbCrSign;
  alignas(32) Pel res[2][32 * 32], target[32 * 32], rc[32 * 32], ro[32 * 32];
  alignas(32) TCoeff levels[32 * 32];
  for (int c = 1; c <= 2; ++c) {
    const Plane& org = c_->orig->planes[c];
    dsp::subtract(org.row(y / 2) + x / 2, org.stride, pd[c], ps[c], cw, ch, res[c - 1], cw);
  }
  for (int i = 0; i < n; ++i) {
    const int num = res[0][i] + s * res[1][i];
    target[i] = Pel(num >= 0 ? (num + 1) / 2 : -((-num + 1) / 2));
  }
  const int nz = quantizeResidual(1, cw, ch, target, sl.qpPrimeCbCr, false, tabCb_, 2.0, levels);
  if (!nz) return;
  reconstructResidual(1, cw, ch, levels, sl.qpPrimeCbCr, false, rc);
  recon::deriveJointChroma(rc, cw, ch, 2, s, ro);
  double dC = 0;
  for (int c = 1; c <= 2; ++c) {
    Plane& pl = c_->recon->planes[c];
    const Plane& org = c_->orig->planes[c];
    Pel* dst = pl.row(y / 2) + x / 2;
    dsp::addResidualClip(pd[c], ps[c], c == 1 ? rc : ro, cw, cw, ch, sl.bitDepth, dst, pl.stride);
    dC += lam_.chromaWeight[c] * double(dsp::sse(org.row(y / 2) + x / 2, org.stride, dst, pl.stride, cw, ch));
  }
  // luma as in 2. (its levels first in the fragment), chroma joint
  CtuCoding jf;
  if (tu.cbf[0]) {
    jf.coeffs.assign(interFrag_.coeffs.begin() + tu.coeffOffset[0], interFrag_.coeffs.begin() + tu.coeffOffset[0] + w * h);
    tu.coeffOffset[0] = 0;
  }
  tu.jointCbCr = 1;
  const uint8_t tsCb = tu.tsFlag[1];
  tu.tsFlag[1] = 0;  // the joint residual is transformed
  tu.coeffOffset[1] = jf.allocCoeffs(n);
  tu.coeffOffset[2] = -1;
  std::memcpy(&jf.coeffs[size_t(tu.coeffOffset[1])], levels, sizeof(TCoeff) * size_t(n));
  const double Jj = dLuma + dC + rate(cu, jf);
  if (Jj < bestJ) { bestJ = Jj; keep(cu, jf, false); }
  tu.jointCbCr = 0;
  tu.tsFlag[1] = tsCb;
}

double RdCtuSearch::codeInterResidual(CodingUnit& cu, const Pel* const pd[3], const ptrdiff_t ps[3], double* dLuma,
                                      bool* any) {
  interFrag_.clear();
  double D = 0;
  *any = false;
  const TsScope ts(*this, cu.sbt ? nullptr : tsCtx_);  // no transform skip in SBT CUs
  for (int t = 0; t < cu.numTus; ++t) {
    TransformUnit& tu = cu.tus[t];
    for (int c = 0; c < 3; ++c) {
      const int sh = c ? 1 : 0;
      const int bx = tu.x >> sh, by = tu.y >> sh, bw = tu.w >> sh, bh = tu.h >> sh;
      const Pel* pred = pd[c] + ptrdiff_t((by - (cu.y >> sh)) * ps[c] + (bx - (cu.x >> sh)));
      tu.cbf[c] = 0;
      tu.tsFlag[c] = 0;
      tu.coeffOffset[c] = -1;
      uint64_t d;
      int nz = 0;
      if (cu.sbt && t == cu.sbtZeroTu()) {  // the prediction alone
        const Plane& org = c_->orig->planes[c];
        Plane& rec = c_->recon->planes[c];
        dsp::copyBlock(pred, ps[c], bw, bh, rec.row(by) + bx, rec.stride);
        d = dsp::sse(org.row(by) + bx, org.stride, pred, ps[c], bw, bh);
      } else {
        if (c == 0 && cu.sbt) {
          sbtMts_ = recon::sbtMtsIdx(c_->slice->mtsEnabled, cu, 0, bw, bh);
          sbtZeroOut_ = recon::sbtZeroOut(c_->slice->mtsEnabled, cu, 0);
        }
        const ResidualBitTables& tb = c == 0 ? tabY_ : (c == 1 ? tabCb_ : tabCr_);
        d = codeTbInter(c, bx, by, bw, bh, pred, ps[c], tb, lv_, &nz);
        sbtMts_ = 0;
        sbtZeroOut_ = false;
      }
      D += lam_.chromaWeight[c] * double(d);
      if (c == 0 && dLuma) *dLuma += double(d);
      if (!nz) continue;
      *any = true;
      tu.cbf[c] = 1;
      tu.tsFlag[c] = tbTs_;
      tu.coeffOffset[c] = interFrag_.allocCoeffs(bw * bh);
      std::memcpy(&interFrag_.coeffs[size_t(tu.coeffOffset[c])], lv_, sizeof(TCoeff) * size_t(bw * bh));
    }
  }
  return D;
}

uint64_t RdCtuSearch::codeTbInter(int cIdx, int x, int y, int w, int h, const Pel* pred, ptrdiff_t predStride, const ResidualBitTables& tables, TCoeff* levels, int* nzOut) {
  return codeResidualTb(cIdx, x, y, w, h, pred, predStride, false, tables, levels, nzOut);
}

}  // namespace search
}  // namespace nnvvc
