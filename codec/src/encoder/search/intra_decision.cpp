// Intra decisions of the RD search (rd_search_impl.h): SATD pre-selection of luma modes, full RD
// of the candidates, chroma modes, the chroma CU of a local dual tree, intra transform blocks.
#include "encoder/search/rd_search_impl.h"
#include "encoder/search/dq_trellis.h"
#include "dsp/mip.h"
#include "syntax/ctu_syntax.h"

#include <algorithm>
#include <cstring>

namespace nnvvc {
namespace search {

uint64_t RdCtuSearch::codeTb(int cIdx, int x, int y, int w, int h, int mode, const ResidualBitTables& tables, TCoeff* levels, int* nzOut) {
  recon::predictBlock(*c_->recon, *c_->cuMap, cIdx, x, y, w, h, mode, pred_, w, cIdx == 0 ? refLine_ : 0);
  const uint64_t d = codeResidualTb(cIdx, x, y, w, h, pred_, w, true, tables, levels, nzOut);
  const int sh = cIdx ? 1 : 0;
  c_->cuMap->markReconstructed(x << sh, y << sh, w << sh, h << sh, cIdx == 0, cIdx != 0);
  return d;
}

uint32_t RdCtuSearch::modeBits(const ContextSet& cs, int mode, const int mpm[5]) const {
  if (mode == 0) return cs[kCtxMpmFlag].fracBits(1) + cs[kCtxNotPlanar + 1].fracBits(0);
  for (int i = 0; i < 5; ++i)
    if (mpm[i] == mode)
      return cs[kCtxMpmFlag].fracBits(1) + cs[kCtxNotPlanar + 1].fracBits(1) + uint32_t(std::min(i + 1, 4)) * kFbitsOne;
  int below = 1;  // planar
  for (int i = 0; i < 5; ++i) below += mpm[i] < mode;
  const int rem = mode - below;  // 0..60, truncated binary of 61 symbols: 3 short codes
  return cs[kCtxMpmFlag].fracBits(0) + (rem < 3 ? 5u : 6u) * kFbitsOne;
}

double RdCtuSearch::searchLeafIntra(const TreeNode& node, ContextSet& cs, HmvpTable& hm, CtuCoding& frag, bool* zeroCbf) {
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
  double extraThreshold = kInf, bestCheap = kInf;
  int nm = selectIntraModes(cheapCost, mpm, msc, modes, &extraThreshold, &bestCheap);
  // in P/B slices (searchLeaf): no intra RD where the best mode's cheap cost is far above the inter candidates'
  if (bestCheap > intraGate_) return kInf;
  fillResidualTables(entry, 0, tabY_);  // (the luma bin costs of the RD below)
  // candidates carry their reference line (MRL) in bits 8..: mode | refIdx << 8
  if (c_->slice->mrl && cu.numTus == 1 && (cu.y & ((1 << part.log2CtuSize) - 1)) != 0)
    nm = addMrlCandidates(cu, entry, mpm, extraThreshold, modes, nm);
  if (c_->slice->mip && cu.numTus == 1) nm = addMipCandidates(cu, entry, extraThreshold, modes, nm);

  // full RD over the luma candidates (chroma: DM without residual while deciding luma)
  double bestJ = kInf;
  uint64_t bestDY = 0;
  double modeJ[16];
  uint8_t modeCbf[16], modeMts[16];
  // With explicit MTS the modes are compared with DST-VII both ways (mts_idx 1) where implicit MTS would take it
  // (both sides 4..16), else DCT-II; tryExplicitMts then tries the other kernel pairs for the best modes.
  const bool explicitMts = c_->slice->explicitMtsIntra && cu.numTus == 1 && std::max(cu.w, cu.h) <= 32;
  const uint8_t firstMts = explicitMts && cu.w <= 16 && cu.h <= 16 ? 1 : 0;
  for (int k = 0; k < nm; ++k) {
    ++stats_.lumaModesRd;
    setLumaCandidate(cu, modes[k]);
    cu.mtsIdx = firstMts;
    uint64_t dY = 0;
    const double J = lumaRd(cu, entry, hm, dY);
    modeJ[k] = J;
    modeCbf[k] = cu.tus[0].cbf[0];
    modeMts[k] = cu.mtsIdx;
    keepBestLuma(cu, J, dY, bestJ, bestDY);
  }
  if (explicitMts && preset_.mtsModes > 0)
    tryExplicitMts(cu, entry, hm, modes, modeJ, modeCbf, modeMts, nm, bestJ, bestDY);
  if (c_->slice->lfnst && cu.treeType == TreeType::kDualLuma &&
      std::max(cu.w, cu.h) <= (1 << part.log2MaxTb))
    tryLfnst(cu, entry, hm, modes, modeJ, modeCbf, nm, bestJ, bestDY);
  if (c_->slice->isp && ispAllowed(cu.w, cu.h, part.log2MaxTb))
    tryIsp(cu, entry, hm, modes, modeJ, modeCbf, nm, bestJ, bestDY);
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

// MRL candidates of a luma CU below its CTU's first row: the five non-planar MPMs predicted from reference lines 1
// and 2, by SATD + sqrt(lambda) * mode bits (intra_luma_ref_idx and the MPM index; the regular modes' bits lack
// intra_luma_ref_idx's 0, added to their threshold). Those cheaper than the threshold (the last regular pick's cost:
// they would have made the regular list; or the best pick's, ModeSelectConfig::extraVsBest), at most preset_.numMrlRd
// of them (one where that is 0), join the RD list.
int RdCtuSearch::addMrlCandidates(const CodingUnit& cu, const ContextSet& entry, const int mpm[5], double threshold,
                                  int* modes, int nm) {
  const TransformUnit& t0 = cu.tus[0];
  const Plane& orgY = c_->orig->planes[0];
  const int bd = c_->slice->bitDepth;
  const double bitCost = lam_.sqrtLambda / double(kFbitsOne);
  threshold += bitCost * double(entry[kCtxMrlIdx].fracBits(0));
  struct Cand { double cost; int code; };
  Cand cand[10];
  int nc = 0;
  Pel top[2 * 64 + 3], left[2 * 64 + 3];
  for (int ref = 1; ref <= 2; ++ref) {
    recon::gatherReferences(*c_->recon, *c_->cuMap, 0, t0.x, t0.y, t0.w, t0.h, top, left, ref);
    const uint32_t refBits = entry[kCtxMrlIdx].fracBits(1) + entry[kCtxMrlIdx + 1].fracBits(ref > 1 ? 1 : 0);
    for (int i = 0; i < 5; ++i) {
      dsp::intraPredictRefLine(mpm[i], ref, top, left, t0.w, t0.h, bd, pred_, t0.w);
      const uint64_t satd = dsp::satd(orgY.row(t0.y) + t0.x, orgY.stride, pred_, t0.w, t0.w, t0.h);
      const double cost = double(satd) + bitCost * double(refBits + uint32_t(std::min(i + 1, 4)) * kFbitsOne);
      if (cost < threshold) cand[nc++] = Cand{cost, mpm[i] | (ref << 8)};
    }
  }
  std::stable_sort(cand, cand + nc, [](const Cand& a, const Cand& b) { return a.cost < b.cost; });
  const int take = std::min(nc, std::max(1, preset_.numMrlRd));
  for (int k = 0; k < take && nm < 16; ++k) modes[nm++] = cand[k].code;
  return nm;
}

// MIP candidates of a luma CU of one TU: every mode in both orientations (intra_mip_transposed_flag), first by the
// SATD of its reduced prediction against the original averaged to that size (the upsampling and a full-size SATD for
// each of up to 32 modes cost more than the rest of the mode decision), scaled to the block, + sqrt(lambda) * mode
// bits (intra_mip_flag, the transposed flag and the truncated binary mode; the regular modes' intra_mip_flag 0 goes to
// the threshold); the best numMipRd + 2 then by the SATD of their full prediction; those below the threshold, at
// most preset_.numMipRd (one where that is 0), join the RD list as their prediction modes (CodingUnit::predModeMip).
// Uses the line-0 references of refTop_ / refLeft_.
int RdCtuSearch::addMipCandidates(const CodingUnit& cu, const ContextSet& entry, double threshold, int* modes, int nm) {
  const TransformUnit& t0 = cu.tus[0];
  const Plane& orgY = c_->orig->planes[0];
  const int bd = c_->slice->bitDepth;
  const double bitCost = lam_.sqrtLambda / double(kFbitsOne);
  const int ctxInc = mipFlagCtxInc(*c_->cuMap, cu);
  threshold += bitCost * double(entry[kCtxMipFlag + ctxInc].fracBits(0));
  const int n = dsp::mipNumModes(t0.w, t0.h);
  // intra_mip_flag 1, intra_mip_transposed_flag and intra_mip_mode
  auto modeBits = [&](int m) {
    return entry[kCtxMipFlag + ctxInc].fracBits(1) + uint32_t(1 + mipModeBins(m, n)) * kFbitsOne;
  };
  const int ps = dsp::mipReducedSize(t0.w, t0.h), upH = t0.w / ps, upV = t0.h / ps;
  Pel orgRed[64], red[32][64];
  for (int i = 0; i < ps; ++i)
    for (int j = 0; j < ps; ++j) {
      int sum = 0;
      for (int y = 0; y < upV; ++y)
        for (int x = 0; x < upH; ++x) sum += orgY.row(t0.y + i * upV + y)[t0.x + j * upH + x];
      orgRed[i * ps + j] = Pel((sum + upH * upV / 2) / (upH * upV));
    }
  struct Cand { double cost; int code, slot; };
  Cand cand[32];
  int nc = 0;
  for (int tr = 0; tr <= 1; ++tr) {
    const dsp::MipInput in = dsp::mipPrepare(tr != 0, refTop_, refLeft_, t0.w, t0.h, bd);
    for (int m = 0; m < n; ++m) {
      dsp::mipReducedPredict(in, m, red[nc]);
      const uint64_t satd = dsp::satd(orgRed, ps, red[nc], ps, ps, ps) * uint64_t(upH * upV);
      cand[nc] = Cand{double(satd) + bitCost * double(modeBits(m)), kMipModeBase + 32 * tr + m, nc};
      ++nc;
    }
  }
  std::stable_sort(cand, cand + nc, [](const Cand& a, const Cand& b) { return a.cost < b.cost; });
  const int numRd = std::max(1, preset_.numMipRd);
  if (upH * upV > 1) {  // the best few again at full size
    const int numFull = std::min(nc, numRd + 2);
    for (int j = 0; j < numFull; ++j) {
      dsp::mipUpsample(red[cand[j].slot], refTop_, refLeft_, t0.w, t0.h, pred_, t0.w);
      const uint64_t satd = dsp::satd(orgY.row(t0.y) + t0.x, orgY.stride, pred_, t0.w, t0.w, t0.h);
      cand[j].cost = double(satd) + bitCost * double(modeBits((cand[j].code - kMipModeBase) & 31));
    }
    nc = numFull;
    std::stable_sort(cand, cand + nc, [](const Cand& a, const Cand& b) { return a.cost < b.cost; });
  }
  for (int j = 0; j < std::min(nc, numRd) && nm < 16; ++j)
    if (cand[j].cost < threshold) modes[nm++] = cand[j].code;
  return nm;
}

// A luma candidate of the RD list (searchLeafIntra's modes[]): mode | refIdx << 8, the mode a MIP prediction mode
// from kMipModeBase on.
void RdCtuSearch::setLumaCandidate(CodingUnit& cu, int code) {
  const int m = code & 0xff;
  cu.mrlIdx = uint8_t(code >> 8);
  cu.mip = isMipPredMode(m);
  cu.mipTransposed = cu.mip && m - kMipModeBase >= 32;
  cu.mipMode = uint8_t(cu.mip ? (m - kMipModeBase) & 31 : 0);
  cu.lumaMode = uint8_t(cu.mip ? 0 : m);
}

void RdCtuSearch::keepBestLuma(const CodingUnit& cu, double J, uint64_t dY, double& bestJ, uint64_t& bestDY) {
  if (!(J < bestJ)) return;
  bestJ = J;
  bestDY = dY;
  bestCu_ = cu;
  bestFrag_ = cuFrag_;
  savePlane(c_->recon->planes[0], cu.x, cu.y, cu.w, cu.h, bestRec_[0].data());
}

// The luma levels lv_ of TU tu (nz of them non-zero) into cuFrag_, and its cbfs (chroma: none while luma is decided).
void RdCtuSearch::keepLumaLevels(TransformUnit& tu, int nz) {
  tu.cbf[0] = nz ? 1 : 0;
  tu.tsFlag[0] = nz ? tbTs_ : 0;
  tu.coeffOffset[0] = -1;
  if (nz) {
    tu.coeffOffset[0] = cuFrag_.allocCoeffs(tu.w * tu.h);
    std::memcpy(&cuFrag_.coeffs[size_t(tu.coeffOffset[0])], lv_, sizeof(TCoeff) * size_t(tu.w * tu.h));
  }
  tu.cbf[1] = tu.cbf[2] = 0;
  tu.coeffOffset[1] = tu.coeffOffset[2] = -1;
}

// Luma of an intra CU with cu.lumaMode and cu.mtsIdx (chroma: DM without residual): every TU coded
// (levels into cuFrag_, reconstruction into the picture). Returns J; dY gets the luma SSE.
double RdCtuSearch::lumaRd(CodingUnit& cu, const ContextSet& entry, const HmvpTable& hm, uint64_t& dY) {
  c_->cuMap->clearReconstructed(cu.x, cu.y, cu.w, cu.h);
  cuFrag_.clear();
  cu.chromaModeIdx = kChromaDm;
  dY = 0;
  mtsIdx_ = cu.mtsIdx;
  refLine_ = cu.mrlIdx;
  mipCu_ = cu.mip;
  lfnstIdx_ = cu.lfnstIdx;
  lfnstMode_ = cu.lumaMode;
  const TsScope ts(*this, &entry);
  for (int t = 0; t < cu.numTus; ++t) {
    TransformUnit& tu = cu.tus[t];
    int nz = 0;
    dY += codeTb(0, tu.x, tu.y, tu.w, tu.h, cu.lumaPredMode(), tabY_, lv_, &nz);
    keepLumaLevels(tu, nz);
  }
  mtsIdx_ = 0;
  refLine_ = 0;
  mipCu_ = false;
  lfnstIdx_ = 0;
  if (cu.lfnstIdx) {
    // levels that leave lfnst_idx uncoded (none, or DC only): the decoder would take lfnst_idx 0
    const TransformUnit& tu = cu.tus[0];
    ResidualMtsFlags f;
    if (tu.cbf[0]) addResidualFlags(cuFrag_.coeffs.data() + tu.coeffOffset[0], tu.w, tu.h, 0, f);
    if (!f.lfnstNotDcOnly) return kInf;
  }
  if (cu.mtsIdx && cu.numTus == 1) {
    // levels that leave mts_idx uncoded: none (the reconstruction is the prediction whatever the kernels: the CU
    // is coded with mts_idx 0), or DC only (coded again with DCT-II)
    const TransformUnit& tu = cu.tus[0];
    if (!tu.cbf[0]) {
      cu.mtsIdx = 0;
    } else if (!residualMtsFlags(cuFrag_.coeffs.data() + tu.coeffOffset[0], tu.w, tu.h).notDcOnly) {
      cu.mtsIdx = 0;
      return lumaRd(cu, entry, hm, dY);
    }
  }
  return double(dY) + rateCost(cu, cuFrag_, entry, hm);
}

// Explicit MTS for the luma of an intra CU: the best modes of the mode RD (at most preset_.mtsModes, within
// preset_.mtsModeSlack of the best J, with a coded luma residual; coded there with modeMts: mts_idx 1 for CUs of
// sides 4..16, 0 otherwise) are screened by the sum of absolute transform coefficients of their residual (a rate
// proxy) under each kernel pair; the other pairs below preset_.mtsCostRatio x the sum of the one the mode RD
// used, cheapest first, at most preset_.mtsMaxRd of them, get a full luma RD.
void RdCtuSearch::tryExplicitMts(CodingUnit& cu, const ContextSet& entry, const HmvpTable& hm, const int* modes,
                                 const double* modeJ, const uint8_t* modeCbf, const uint8_t* modeMts, int nm,
                                 double& bestJ, uint64_t& bestDY) {
  int order[16];
  for (int k = 0; k < nm; ++k) order[k] = k;
  std::stable_sort(order, order + nm, [&](int a, int b) { return modeJ[a] < modeJ[b]; });
  const double bestDct2 = bestJ;
  const TransformUnit& tu = cu.tus[0];
  const Plane& org = c_->orig->planes[0];
  const int bd = c_->slice->bitDepth;
  for (int r = 0; r < std::min(nm, preset_.mtsModes); ++r) {
    const int k = order[r];
    if (!modeCbf[k] || modeJ[k] > bestDct2 * (1.0 + preset_.mtsModeSlack)) continue;
    setLumaCandidate(cu, modes[k]);
    // screening: sum of |coefficient| per kernel pair (mts_idx 0 = DCT-II)
    c_->cuMap->clearReconstructed(cu.x, cu.y, cu.w, cu.h);
    recon::predictBlock(*c_->recon, *c_->cuMap, 0, tu.x, tu.y, tu.w, tu.h, cu.lumaPredMode(), pred_, tu.w, cu.mrlIdx);
    dsp::subtract(org.row(tu.y) + tu.x, org.stride, pred_, tu.w, tu.w, tu.h, resid_, tu.w);
    uint64_t sum[5];
    for (int idx = 0; idx <= 4; ++idx) {
      const recon::TbKernels kern = recon::tbKernels(false, 0, true, tu.w, tu.h, idx);
      dsp::forwardTransform(resid_, tu.w, tu.w, tu.h, bd, coeff_, kern.hor, kern.ver);
      uint64_t a = 0;
      for (int i = 0; i < tu.w * tu.h; ++i) a += uint64_t(std::abs(coeff_[i]));
      sum[idx] = a;
    }
    int cand[4], nc = 0;
    const int used = modeMts[k];
    for (int idx = 0; idx <= 4; ++idx)
      if (idx != used && double(sum[idx]) < double(sum[used]) * preset_.mtsCostRatio) cand[nc++] = idx;
    std::stable_sort(cand, cand + nc, [&](int a, int b) { return sum[a] < sum[b]; });
    for (int c = 0; c < std::min(nc, preset_.mtsMaxRd); ++c) {
      cu.mtsIdx = uint8_t(cand[c]);
      uint64_t dY = 0;
      const double J = lumaRd(cu, entry, hm, dY);
      ++stats_.mtsTrials;
      keepBestLuma(cu, J, dY, bestJ, bestDY);
    }
  }
  cu.mtsIdx = 0;
}

void RdCtuSearch::tryIsp(CodingUnit& cu, const ContextSet& entry, const HmvpTable& hm, const int* modes,
                         const double* modeJ, const uint8_t* modeCbf, int nm, double& bestJ, uint64_t& bestDY) {
  int order[16];
  for (int k = 0; k < nm; ++k) order[k] = k;
  std::stable_sort(order, order + nm, [&](int a, int b) { return modeJ[a] < modeJ[b]; });
  int tried = 0;
  for (int r = 0; r < nm && tried < std::max(1, preset_.ispModes); ++r) {
    const int k = order[r];
    const int m = modes[k] & 0xff;
    if ((modes[k] >> 8) != 0 || isMipPredMode(m) || !modeCbf[k]) continue;  // line 0, no MIP; a mode that needs a residual
    ++tried;
    setLumaCandidate(cu, modes[k]);
    cu.mtsIdx = 0;
    cu.lfnstIdx = 0;
    // one split where the preset says so: vertical strips for the modes from the diagonal 34 up, horizontal ones for the
    // others (measured better than the other way round, presets.cpp), both for planar and DC
    const bool both = preset_.ispBothSplits || cu.lumaMode < 2;
    uint8_t bestSplit = 0;
    double bestSplitJ = kInf;
    for (uint8_t split = 1; split <= 2; ++split) {
      if (!both && split != (cu.lumaMode >= 34 ? 2 : 1)) continue;
      cu.isp = split;
      ispTransformUnits(cu);
      uint64_t dY = 0;
      const double J = ispLumaRd(cu, entry, hm, dY, bestJ);
      ++stats_.ispTrials;
      if (J < bestSplitJ) { bestSplitJ = J; bestSplit = split; }
      keepBestLuma(cu, J, dY, bestJ, bestDY);
    }
    // LFNST (SearchPreset::ispLfnst) on the better split, where its parts are 4x4 or more; in the luma tree only, as
    // tryLfnst (in a single tree the chroma residual, decided later, may leave lfnst_idx uncoded)
    if (preset_.ispLfnst && c_->slice->lfnst && cu.treeType == TreeType::kDualLuma && bestSplit && bestSplitJ < kInf) {
      cu.isp = bestSplit;
      ispTransformUnits(cu);
      if (std::min(cu.tus[0].w, cu.tus[0].h) >= 4)
        for (uint8_t idx = 1; idx <= 2; ++idx) {
          cu.lfnstIdx = idx;
          uint64_t dY = 0;
          const double J = ispLumaRd(cu, entry, hm, dY, bestJ);
          ++stats_.ispTrials;
          keepBestLuma(cu, J, dY, bestJ, bestDY);
        }
      cu.lfnstIdx = 0;
    }
  }
  cu.isp = 0;
  tileTransformUnits(*c_->part, cu);
}

double RdCtuSearch::ispLumaRd(CodingUnit& cu, const ContextSet& entry, const HmvpTable& hm, uint64_t& dY, double bound) {
  c_->cuMap->clearReconstructed(cu.x, cu.y, cu.w, cu.h);
  cuFrag_.clear();
  cu.chromaModeIdx = kChromaDm;
  dY = 0;
  ispCu_ = true;
  lfnstIdx_ = cu.lfnstIdx;
  lfnstMode_ = cu.lumaMode;
  lfnstAngleW_ = cu.w;
  lfnstAngleH_ = cu.h;
  bool any = false;
  double J = 0, rateSoFar = 0;
  for (int t = 0; t < cu.numTus; ++t) {
    TransformUnit& tu = cu.tus[t];
    recon::predictIspPart(*c_->recon, *c_->cuMap, cu, t, pred_, tu.w);
    int nz = 0;
    dY += codeResidualTb(0, tu.x, tu.y, tu.w, tu.h, pred_, tu.w, true, tabY_, lv_, &nz);
    keepLumaLevels(tu, nz);
    any |= nz != 0;
    // partial cost: the distortion so far and the residual bits of the parts so far (the contexts at the CU's start)
    rateSoFar += lam_.perFbit * double(residualRateFbits(lv_, log2Int(unsigned(tu.w)),
                                                         log2Int(unsigned(tu.h)), true, tabY_,
                                                         c_->slice->signHiding && !c_->slice->depQuant,
                                                         c_->slice->depQuant));
    if (double(dY) + rateSoFar >= bound) { J = kInf; break; }
  }
  ispCu_ = false;
  lfnstIdx_ = 0;
  lfnstAngleW_ = lfnstAngleH_ = 0;
  if (J == kInf || !any) return kInf;
  return double(dY) + rateCost(cu, cuFrag_, entry, hm);
}

void RdCtuSearch::tryLfnst(CodingUnit& cu, const ContextSet& entry, const HmvpTable& hm, const int* modes,
                           const double* modeJ, const uint8_t* modeCbf, int nm, double& bestJ, uint64_t& bestDY) {
  int order[16];
  for (int k = 0; k < nm; ++k) order[k] = k;
  std::stable_sort(order, order + nm, [&](int a, int b) { return modeJ[a] < modeJ[b]; });
  // (relative to the best mode's J of the mode RD: explicit MTS may have improved on it since)
  const double bestMode = nm > 0 ? modeJ[order[0]] : kInf;
  for (int r = 0; r < std::min(nm, std::max(1, preset_.lfnstModes)); ++r) {
    const int k = order[r];
    if (!modeCbf[k] || modeJ[k] > bestMode * (1.0 + preset_.mtsModeSlack)) continue;
    setLumaCandidate(cu, modes[k]);
    if (cu.mip && std::min(cu.w, cu.h) < 16) continue;  // no LFNST for MIP CUs below 16x16
    cu.mtsIdx = 0;
    for (uint8_t idx = 1; idx <= 2; ++idx) {
      cu.lfnstIdx = idx;
      uint64_t dY = 0;
      const double J = lumaRd(cu, entry, hm, dY);
      ++stats_.lfnstTrials;
      keepBestLuma(cu, J, dY, bestJ, bestDY);
    }
  }
  cu.lfnstIdx = 0;
}

double RdCtuSearch::searchChroma(CodingUnit& cu, const ContextSet& entry, const HmvpTable& hm, double dY, CtuCoding& lumaFrag) {
  const int lumaForDm = cu.treeType == TreeType::kDualChroma
                            ? c_->cuMap->at(cu.x + cu.w / 2, cu.y + cu.h / 2)->lumaMode
                            : cu.lumaMode;
  fillResidualTables(entry, 1, tabCb_);
  fillResidualTables(entry, 2, tabCr_);
  const TsScope ts(*this, &entry);
  // Candidates in order of usefulness; the preset takes the first N (with CCLM: N + 3 of the 8).
  static const uint8_t kOrder[5] = {kChromaDm, 0, 1, 2, 3};
  static const uint8_t kOrderCclm[8] = {kChromaDm, kChromaCclm, 0, kChromaCclm + 1, kChromaCclm + 2, 1, 2, 3};
  const bool cclm = c_->slice->cclm && cu.cclmAllowed;
  const uint8_t* order = cclm ? kOrderCclm : kOrder;
  const int numCand = cclm ? std::min(8, preset_.numChromaModes + 3) : std::min(5, preset_.numChromaModes);
  // distinct candidates, in order; with preset_.numChromaRd > 0 only DM and the (numChromaRd - 1) others of least
  // SATD (Cb + Cr, weighted as the distortion is, on the first TU) get the full RD check
  int candIdx[8], candMode[8];
  int nc = 0;
  for (int k = 0; k < numCand; ++k) {
    const int cm = deriveChromaMode(order[k], lumaForDm);
    bool dup = false;
    for (int j = 0; j < nc; ++j) dup |= candMode[j] == cm;
    if (dup) continue;
    candIdx[nc] = order[k];
    candMode[nc++] = cm;
  }
  bool keep[8];
  std::fill(keep, keep + 8, true);
  // the first chroma TB (ISP CUs: the whole CU's, with the last sub-partition)
  int ax = 0, ay = 0, aw = 0, ah = 0;
  chromaTbArea(cu, cu.isp ? cu.numTus - 1 : 0, ax, ay, aw, ah);
  const int pw = aw / 2, ph = ah / 2;
  if (preset_.numChromaRd > 0 && nc > preset_.numChromaRd && pw >= 4 && ph >= 4) {
    c_->cuMap->clearReconstructed(cu.x, cu.y, cu.w, cu.h);
    c_->cuMap->markReconstructed(cu.x, cu.y, cu.w, cu.h, true, false);  // luma is final
    std::pair<double, int> satd[8];
    for (int j = 0; j < nc; ++j) {
      double cost = 0;
      for (int c = 1; c <= 2; ++c) {
        const Plane& org = c_->orig->planes[c];
        recon::predictBlock(*c_->recon, *c_->cuMap, c, ax / 2, ay / 2, pw, ph, candMode[j], pred_, pw);
        cost += lam_.chromaWeight[c] * double(dsp::satd(org.row(ay / 2) + ax / 2, org.stride, pred_, pw, pw, ph));
      }
      satd[j] = {cost, j};
    }
    for (int i = 2; i < nc; ++i)  // insertion sort of the others (at most 7); DM (first) stays
      for (int j = i; j > 1 && satd[j] < satd[j - 1]; --j) std::swap(satd[j], satd[j - 1]);
    for (int j = preset_.numChromaRd; j < nc; ++j) keep[satd[j].second] = false;
  }
  double bestJ = kInf;
  const size_t lumaCoeffs = lumaFrag.coeffs.size();
  chromaBestFrag_.coeffs.clear();
  for (int k = 0; k < nc; ++k) {
    if (!keep[k]) continue;
    const int idx = candIdx[k];
    const int cm = candMode[k];
    c_->cuMap->clearReconstructed(cu.x, cu.y, cu.w, cu.h);
    c_->cuMap->markReconstructed(cu.x, cu.y, cu.w, cu.h, true, false);  // luma is final
    lumaFrag.coeffs.resize(lumaCoeffs);
    cu.chromaModeIdx = uint8_t(idx);
    cu.chromaMode = uint8_t(cm);
    double dC = 0;
    for (int t = 0; t < cu.numTus; ++t) {
      TransformUnit& tu = cu.tus[t];
      int tx, ty, tw, th;
      if (!chromaTbArea(cu, t, tx, ty, tw, th)) continue;
      for (int c = 1; c <= 2; ++c) {
        ResidualBitTables& tb = c == 1 ? tabCb_ : tabCr_;
        if (c == 2) {  // tu_cr_coded_flag's context follows tu_cb_coded_flag
          tb.cbf.bits[0] = entry[kCtxCbfCr + tu.cbf[1]].fracBits(0);
          tb.cbf.bits[1] = entry[kCtxCbfCr + tu.cbf[1]].fracBits(1);
        }
        int nz = 0;
        const uint64_t d = codeTb(c, tx / 2, ty / 2, tw / 2, th / 2, cm, tb, lv_, &nz);
        dC += double(d) * lam_.chromaWeight[c];
        tu.cbf[c] = nz ? 1 : 0;
        tu.tsFlag[c] = nz ? tbTs_ : 0;
        tu.coeffOffset[c] = -1;
        if (nz) {
          const int n = (tw / 2) * (th / 2);
          tu.coeffOffset[c] = lumaFrag.allocCoeffs(n);
          std::memcpy(&lumaFrag.coeffs[size_t(tu.coeffOffset[c])], lv_, sizeof(TCoeff) * size_t(n));
        }
      }
    }
    const double J = dY + dC + rateCost(cu, lumaFrag, entry, hm);
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
  if (c_->slice->jointCbCr && preset_.jointCbCr && cu.numTus == 1)
    bestJ = tryJointChroma(cu, entry, hm, dY, lumaFrag, lumaCoeffs, bestJ);
  return bestJ;
}

// Joint Cb-Cr residual (JCCR) for the chosen chroma mode of a one-TU CU: per TuCResMode the single residual
// that best fits both (mode 2: Cr = CSign * Cb, the mean; modes 1 / 3: the other at half amplitude, the
// least-squares fit), quantised with its error weighted for both components, reconstructed as the decoder
// derives it; kept when its J beats the separate residuals.
double RdCtuSearch::tryJointChroma(CodingUnit& cu, const ContextSet& entry, const HmvpTable& hm, double dY,
                                   CtuCoding& frag, size_t lumaCoeffs, double bestJ) {
  const SliceParams& sl = *c_->slice;
  TransformUnit& tu = cu.tus[0];
  const int x = tu.x / 2, y = tu.y / 2, w = tu.w / 2, h = tu.h / 2, n = w * h;
  const Plane* org[2] = {&c_->orig->planes[1], &c_->orig->planes[2]};
  alignas(32) Pel pred[2][32 * 32], res[2][32 * 32], target[32 * 32], rc[32 * 32], ro[32 * 32], rec[2][32 * 32];
  alignas(32) TCoeff levels[32 * 32];
  // predictions (the CU's chroma marks cleared: references only from outside it)
  c_->cuMap->clearReconstructed(cu.x, cu.y, cu.w, cu.h, false, true);
  for (int c = 0; c < 2; ++c) {
    recon::predictBlock(*c_->recon, *c_->cuMap, c + 1, x, y, w, h, cu.chromaMode, pred[c], w);
    dsp::subtract(org[c]->row(y) + x, org[c]->stride, pred[c], w, w, h, res[c], w);
  }
  c_->cuMap->markReconstructed(cu.x, cu.y, cu.w, cu.h, false, true);
  const int s = sl.jointCbCrSign;
  const CodingUnit regular = cu;
  bool improved = false;
  std::vector<TCoeff> bestCoeffs;
  CodingUnit bestCu;
  for (int mode : {2, 1, 3}) {
    for (int i = 0; i < n; ++i) {
      const int a = mode == 3 ? res[1][i] : res[0][i], b = s * (mode == 3 ? res[0][i] : res[1][i]);
      // mode 2: (a + b) / 2; modes 1 / 3: (4a + 2b) / 5, rounded to nearest
      const int num = mode == 2 ? a + b : 4 * a + 2 * b, den = mode == 2 ? 2 : 5;
      target[i] = Pel(num >= 0 ? (num + den / 2) / den : -((-num + den / 2) / den));
    }
    const int cIdx = mode == 3 ? 2 : 1;
    const int qp = mode == 2 ? sl.qpPrimeCbCr : (cIdx == 1 ? sl.qpPrimeCb : sl.qpPrimeCr);
    const int nz = quantizeResidual(cIdx, w, h, target, qp, true, cIdx == 1 ? tabCb_ : tabCr_,
                                    mode == 2 ? 2.0 : 1.25, levels);
    if (!nz) continue;
    reconstructResidual(cIdx, w, h, levels, qp, true, rc);
    recon::deriveJointChroma(rc, w, h, mode, s, ro);
    double dC = 0;
    for (int c = 0; c < 2; ++c) {
      const Pel* r = (c + 1 == cIdx) ? rc : ro;
      dsp::addResidualClip(pred[c], w, r, w, w, h, sl.bitDepth, rec[c], w);
      dC += double(dsp::sse(org[c]->row(y) + x, org[c]->stride, rec[c], w, w, h)) * lam_.chromaWeight[c + 1];
    }
    cu.tus[0].cbf[1] = uint8_t(mode != 3);
    cu.tus[0].cbf[2] = uint8_t(mode != 1);
    cu.tus[0].jointCbCr = 1;
    cu.tus[0].tsFlag[1] = cu.tus[0].tsFlag[2] = 0;  // the joint residual is transformed
    frag.coeffs.resize(lumaCoeffs);
    cu.tus[0].coeffOffset[cIdx] = frag.allocCoeffs(n);
    cu.tus[0].coeffOffset[3 - cIdx] = -1;
    std::memcpy(&frag.coeffs[size_t(cu.tus[0].coeffOffset[cIdx])], levels, sizeof(TCoeff) * size_t(n));
    const double J = dY + dC + rateCost(cu, frag, entry, hm);
    if (J < bestJ) {
      bestJ = J;
      improved = true;
      bestCu = cu;
      bestCoeffs = frag.coeffs;
      for (int c = 0; c < 2; ++c) {
        Plane& pl = c_->recon->planes[c + 1];
        dsp::copyBlock(rec[c], w, w, h, pl.row(y) + x, pl.stride);
      }
    }
    cu = regular;
  }
  if (improved) {
    cu = bestCu;
    frag.coeffs = bestCoeffs;
  } else {
    frag.coeffs = chromaBestFrag_.coeffs;
  }
  return bestJ;
}

double RdCtuSearch::searchChromaCu(const TreeNode& node, ContextSet& cs, HmvpTable& hm, CtuCoding& frag) {
  CodingUnit cu;
  cu.x = int16_t(node.x);
  cu.y = int16_t(node.y);
  cu.w = int16_t(node.w);
  cu.h = int16_t(node.h);
  cu.treeType = TreeType::kDualChroma;
  cu.qtDepth = uint8_t(node.qtDepth);
  cu.mttDepth = uint8_t(node.mttDepth);
  cu.cclmAllowed = node.cclmChroma != 0;
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

}  // namespace search
}  // namespace nnvvc
