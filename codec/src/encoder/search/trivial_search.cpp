// Trivial CTU search: fixed quad-tree down to 16x16 CUs (further only where the picture
// boundary forces it), luma mode = best SATD among a few candidates, chroma DM, plain
// quantisation. Exists so the whole chain works; the RD search replaces it.
#include <algorithm>
#include <cstring>
#include <memory>

#include "dsp/dsp.h"
#include "dsp/lfnst.h"
#include "dsp/mip.h"
#include "encoder/search/ctu_search.h"
#include "encoder/search/sign_hiding.h"
#include "encoder/search/trivial_search.h"
#include "recon/recon.h"
#include "syntax/ctu_syntax.h"

namespace nnvvc {

namespace {
// The residual of a w x h block of component cIdx at (x, y) against pred, transformed with kern (then LFNST lfnstIdx
// with the wide-angle-mapped mode lfnstAngleMode; lfnstInputsOnly: levels outside the LFNST inputs dropped) and
// plainly quantised at qpPrime, the sign-hiding parity adjusted where the slice uses it. Returns the non-zero count.
int quantizePlain(const CtuSearchContext& c, int cIdx, int x, int y, int w, int h, const Pel* pred,
                  const recon::TbKernels& kern, int lfnstIdx, int lfnstAngleMode, bool lfnstInputsOnly, int qpPrime,
                  TCoeff* levels) {
  const Plane& org = c.orig->planes[cIdx];
  alignas(32) Pel resid[64 * 64];
  alignas(32) TCoeff coeff[64 * 64];
  dsp::subtract(org.row(y) + x, org.stride, pred, w, w, h, resid, w);
  dsp::forwardTransform(resid, w, w, h, kBitDepth, coeff, kern.hor, kern.ver);
  if (lfnstIdx) dsp::lfnstForward(coeff, w, h, lfnstIdx, lfnstAngleMode);
  // (before quantisation, so that the sign-hiding parity below sees the final levels)
  if (lfnstInputsOnly && w >= 4 && h >= 4)
    for (int yy = 0; yy < h; ++yy)
      for (int xx = 0; xx < w; ++xx)
        if (!dsp::lfnstInputPos(xx, yy, w, h)) coeff[yy * w + xx] = 0;
  int nz = dsp::quant(coeff, w, h, qpPrime, kBitDepth, true, levels);
  if (nz && c.slice && c.slice->signHiding) {  // parity adjustment by distortion alone (no rate tables)
    search::RdoqParams p;
    p.log2W = log2Int(unsigned(w));
    p.log2H = log2Int(unsigned(h));
    p.isLuma = cIdx == 0;
    p.qs = dsp::quantScale(qpPrime, w, h, kBitDepth);
    p.signHiding = true;
    nz = search::signHidingAdjust(coeff, p, levels);
  }
  return nz;
}

// Predicts, transforms, plainly quantises and reconstructs one transform block (both fixed-decision
// searches below code their blocks this way).
// mtsIdx: the CU's mts_idx (luma). lfnstIdx / lfnstMode: the LFNST of this TB (0: none); lfnstInputsOnly: levels
// outside the LFNST inputs dropped (every TB of a CU with lfnst_idx > 0, also those it does not transform).
// transformSkip: the block in transform skip instead (the residual itself plainly quantised; no MTS / LFNST then).
void codeBlockPlainQuant(const CtuSearchContext& c, int cIdx, int x, int y, int w, int h, int mode, int qpPrime,
                         TransformUnit& tu, CtuCoding& out, int mtsIdx = 0, int lfnstIdx = 0, int lfnstMode = 0,
                         bool lfnstInputsOnly = false, int refIdx = 0, bool transformSkip = false) {
  Picture& rec = *c.recon;
  alignas(32) Pel pred[64 * 64];
  alignas(32) TCoeff levels[64 * 64];
  recon::predictBlock(rec, *c.cuMap, cIdx, x, y, w, h, mode, pred, w, refIdx);
  const bool implicitMts = c.slice && c.slice->implicitMts && !(cIdx == 0 && isMipPredMode(mode));
  const int tsQp = transformSkip ? recon::transformSkipQp(*c.slice, qpPrime) : -1;
  int nz;
  if (transformSkip) {
    alignas(32) Pel resid[32 * 32];
    const Plane& org = c.orig->planes[cIdx];
    dsp::subtract(org.row(y) + x, org.stride, pred, w, w, h, resid, w);
    nz = dsp::quantTransformSkip(resid, w * h, tsQp, 341, levels);
  } else {
    nz = quantizePlain(c, cIdx, x, y, w, h, pred, recon::tbKernels(implicitMts, cIdx, true, w, h, mtsIdx, lfnstIdx),
                       lfnstIdx, dsp::intraWideAngleMode(lfnstMode, w, h), lfnstInputsOnly, qpPrime, levels);
  }
  tu.cbf[cIdx] = nz > 0;
  tu.tsFlag[cIdx] = nz > 0 && transformSkip;
  tu.coeffOffset[cIdx] = -1;
  if (nz > 0) {
    tu.coeffOffset[cIdx] = out.allocCoeffs(w * h);
    std::memcpy(out.coeffs.data() + tu.coeffOffset[cIdx], levels, sizeof(TCoeff) * size_t(w * h));
  }
  recon::reconstructTb(rec, *c.cuMap, cIdx, x, y, w, h, mode,
                       nz > 0 ? out.coeffs.data() + tu.coeffOffset[cIdx] : nullptr, qpPrime,
                       c.slice && c.slice->depQuant, implicitMts, mtsIdx, lfnstIdx, lfnstMode, refIdx, tsQp);
}

// The same for ISP sub-partition t of a luma CU (recon::predictIspPart, the ISP kernels; LFNST inputs only where the
// CU has lfnst_idx > 0).
void codeIspPartPlainQuant(const CtuSearchContext& c, CodingUnit& cu, int t, CtuCoding& out) {
  Picture& rec = *c.recon;
  TransformUnit& tu = cu.tus[t];
  const int w = tu.w, h = tu.h;
  alignas(32) Pel pred[64 * 64];
  alignas(32) TCoeff levels[64 * 64];
  Pel* dst = rec.planes[0].row(tu.y) + tu.x;
  recon::predictIspPart(rec, *c.cuMap, cu, t, pred, w);
  int nz = quantizePlain(c, 0, tu.x, tu.y, w, h, pred, recon::ispKernels(c.slice->mtsEnabled, w, h, cu.lfnstIdx),
                         cu.lfnstIdx, dsp::intraWideAngleMode(cu.lumaMode, cu.w, cu.h), cu.lfnstIdx > 0,
                         c.slice->qpPrimeY, levels);
  // the last part's tu_y_coded_flag is inferred 1 when no part before it has a residual: give it one
  bool anyBefore = false;
  for (int k = 0; k < t; ++k) anyBefore |= cu.tus[k].cbf[0] != 0;
  if (!nz && t == cu.numTus - 1 && !anyBefore) {
    std::memset(levels, 0, sizeof(TCoeff) * size_t(w * h));
    levels[0] = 1;
    nz = 1;
  }
  tu.cbf[0] = nz > 0;
  tu.coeffOffset[0] = -1;
  dsp::copyBlock(pred, w, w, h, dst, rec.planes[0].stride);
  if (nz > 0) {
    tu.coeffOffset[0] = out.allocCoeffs(w * h);
    std::memcpy(out.coeffs.data() + tu.coeffOffset[0], levels, sizeof(TCoeff) * size_t(w * h));
    recon::addIspResidual(rec, cu, t, out.coeffs.data() + tu.coeffOffset[0], c.slice->qpPrimeY, c.slice->depQuant,
                          c.slice->mtsEnabled);
  }
}

// The two fixed-decision searches share the tree walk and the block coding; they differ only in
// which split a node takes and which modes a CU gets.
class FixedDecisionSearch : public CtuSearch {
 public:
  void searchCtu(const CtuSearchContext& c, CtuCoding& out) override {
    ctx_ = &c;
    out.clear();
    TreeNode root;
    root.x = c.ctuX; root.y = c.ctuY;
    root.w = root.h = 1 << c.part->log2CtuSize;
    if (c.slice->isIntra && c.part->dualTree) {  // per 64x64 area a luma tree, then a chroma tree
      visitDualTreeAreas(*c.part, root, [&](const TreeNode& n) {
        const size_t at = out.splits.size();
        node(n, out);
        return std::optional<SplitMode>(out.splits[at]);
      }, [&] { return !out.cus.empty() && out.cus.back().isp != 0; });
      return;
    }
    node(root, out);
  }

 protected:
  const CtuSearchContext* ctx_ = nullptr;
  // The split of node n (kNone = a CU); must be allowed, and not kNone when the boundary forces a split.
  virtual SplitMode pickSplit(const TreeNode& n, const AllowedSplits& a, bool boundary) = 0;
  // Luma mode and chroma mode index of a CU (treeType tells which of them matter).
  virtual void pickModes(CodingUnit& cu) = 0;

 private:
  void node(const TreeNode& n, CtuCoding& out) {
    const PartitionConfig& part = *ctx_->part;
    const SplitMode s = pickSplit(n, allowedSplits(part, n), mustSplit(part, n));
    out.splits.push_back(s);
    if (s == SplitMode::kNone) { leaf(n, n.treeType, out); return; }
    TreeType childTree = n.treeType;
    ModeType childMode = n.modeType;
    const int mtc = n.treeType == TreeType::kSingle ? modeTypeCondition(n, s, true) : 0;
    if (mtc == 1) { childTree = TreeType::kDualLuma; childMode = ModeType::kIntra; }
    TreeNode kids[4];
    const int nk = childNodes(part, n, s, childTree, childMode, kids);
    propagateCclmChroma(n, s, kids, nk);
    for (int i = 0; i < nk; ++i) node(kids[i], out);
    if (mtc == 1) leaf(n, TreeType::kDualChroma, out);
  }

  void leaf(const TreeNode& n, TreeType tt, CtuCoding& out) {
    CodingUnit cu;
    cu.x = int16_t(n.x); cu.y = int16_t(n.y); cu.w = int16_t(n.w); cu.h = int16_t(n.h);
    cu.treeType = tt; cu.qtDepth = uint8_t(n.qtDepth); cu.mttDepth = uint8_t(n.mttDepth);
    cu.qp = int8_t(ctx_->slice->qp);
    cu.cclmAllowed = n.cclmChroma != 0;
    tileTransformUnits(*ctx_->part, cu);
    pickModes(cu);
    int lumaForDm = cu.lumaMode;
    if (tt == TreeType::kDualChroma) {
      const CuInfo* ci = ctx_->cuMap->at(cu.x + cu.w / 2, cu.y + cu.h / 2);
      lumaForDm = ci ? ci->lumaMode : 0;
    }
    cu.chromaMode = uint8_t(deriveChromaMode(cu.chromaModeIdx, lumaForDm));
    const SliceParams& sp = *ctx_->slice;
    codeBlocks(cu, tt, out);
    if (cu.lfnstIdx) {
      // an lfnst_idx the levels leave uncoded (DC only, nothing): the blocks again without LFNST
      ResidualMtsFlags f;
      for (int t = 0; t < cu.numTus; ++t)
        for (int c = 0; c < 3; ++c) {
          const TransformUnit& tu = cu.tus[t];
          int ax, ay, aw, ah;
          if (c > 0 && !chromaTbArea(cu, t, ax, ay, aw, ah)) continue;
          if (tu.cbf[c] && tu.coeffOffset[c] >= 0)
            addResidualFlags(out.coeffs.data() + tu.coeffOffset[c], c ? aw / 2 : tu.w, c ? ah / 2 : tu.h, c, f);
        }
      if (!lfnstIdxCoded(&sp, cu, ctx_->part->log2MaxTb, f)) {
        cu.lfnstIdx = 0;
        codeBlocks(cu, tt, out);
      }
    }
    ctx_->cuMap->storeSyntax(cu);
    out.cus.push_back(cu);
  }

  // Transform skip for a TB (the stress search's random choice where the slice and the CU allow it)
  virtual bool pickTransformSkip() { return false; }
  bool transformSkipFor(const CodingUnit& cu, int cIdx, int w, int h) {
    if (!transformSkipAllowed(ctx_->slice, cu, cIdx, w, h) || cu.lfnstIdx || (cIdx == 0 && cu.mtsIdx)) return false;
    return pickTransformSkip();
  }

  void codeBlocks(CodingUnit& cu, TreeType tt, CtuCoding& out) {
    const SliceParams& sp = *ctx_->slice;
    const int lfnstY = cu.lfnstIdx, lfnstC = tt == TreeType::kDualChroma ? cu.lfnstIdx : 0;
    const int lfnstModeC = lfnstC ? recon::lfnstModeOf(cu, 1, *ctx_->cuMap) : 0;
    const bool inputsOnly = cu.lfnstIdx > 0;
    if (cu.isp) {  // the luma sub-partitions one after the other
      for (int t = 0; t < cu.numTus; ++t) codeIspPartPlainQuant(*ctx_, cu, t, out);
      ctx_->cuMap->markReconstructed(cu.x, cu.y, cu.w, cu.h, true, false);
    }
    for (int t = 0; t < cu.numTus; ++t) {
      TransformUnit& tu = cu.tus[t];
      if (tt != TreeType::kDualChroma && !cu.isp) {
        codeBlockPlainQuant(*ctx_, 0, tu.x, tu.y, tu.w, tu.h, cu.lumaPredMode(), sp.qpPrimeY, tu, out, cu.mtsIdx,
                            lfnstY, cu.lumaMode, inputsOnly, cu.mrlIdx, transformSkipFor(cu, 0, tu.w, tu.h));
        // an mts_idx the levels leave uncoded (DC only, nothing): the block again with DCT-II
        const ResidualMtsFlags mf =
            tu.cbf[0] ? residualMtsFlags(out.coeffs.data() + tu.coeffOffset[0], tu.w, tu.h) : ResidualMtsFlags{};
        if (cu.mtsIdx && !mtsIdxCoded(&sp, cu, mf)) {
          cu.mtsIdx = 0;
          codeBlockPlainQuant(*ctx_, 0, tu.x, tu.y, tu.w, tu.h, cu.lumaPredMode(), sp.qpPrimeY, tu, out, 0, 0, 0, false,
                              cu.mrlIdx);
        }
      }
      int ax, ay, aw, ah;  // the TU's chroma TBs (an ISP CU's with its last part)
      if (tt != TreeType::kDualLuma && chromaTbArea(cu, t, ax, ay, aw, ah)) {
        codeBlockPlainQuant(*ctx_, 1, ax / 2, ay / 2, aw / 2, ah / 2, cu.chromaMode, sp.qpPrimeCb, tu, out, 0,
                            lfnstC, lfnstModeC, inputsOnly, 0, transformSkipFor(cu, 1, aw / 2, ah / 2));
        codeBlockPlainQuant(*ctx_, 2, ax / 2, ay / 2, aw / 2, ah / 2, cu.chromaMode, sp.qpPrimeCr, tu, out, 0,
                            lfnstC, lfnstModeC, inputsOnly, 0, transformSkipFor(cu, 2, aw / 2, ah / 2));
      } else {
        tu.cbf[1] = tu.cbf[2] = 0;
        tu.coeffOffset[1] = tu.coeffOffset[2] = -1;
      }
    }
  }
};

// Fixed quad-tree down to 16x16 (boundary splits as forced), luma mode = best SATD of a few.
class TrivialSearch final : public FixedDecisionSearch {
  SplitMode pickSplit(const TreeNode& n, const AllowedSplits& a, bool boundary) override {
    const PartitionConfig& part = *ctx_->part;
    if (!boundary && !(n.w > 16 && a.qt)) return SplitMode::kNone;
    return a.qt ? SplitMode::kQt
                : (a.btHor && n.y + n.h > part.picHeight ? SplitMode::kBtHor
                                                         : (a.btVer ? SplitMode::kBtVer : SplitMode::kBtHor));
  }
  void pickModes(CodingUnit& cu) override {
    cu.chromaModeIdx = kChromaDm;
    if (cu.treeType == TreeType::kDualChroma) return;  // a chroma CU has no luma mode to choose
    static const int kCand[] = {0, 1, 18, 50, 2, 34, 66, 10, 26, 42, 58};
    const TransformUnit& t0 = cu.tus[0];
    uint64_t best = ~0ull;
    int bestMode = 0;
    alignas(32) Pel pred[64 * 64];
    const Plane& org = ctx_->orig->planes[0];
    for (int m : kCand) {
      recon::predictBlock(*ctx_->recon, *ctx_->cuMap, 0, t0.x, t0.y, t0.w, t0.h, m, pred, t0.w);
      const uint64_t cost = dsp::satd(org.row(t0.y) + t0.x, org.stride, pred, t0.w, t0.w, t0.h);
      if (cost < best) { best = cost; bestMode = m; }
    }
    cu.lumaMode = uint8_t(bestMode);
  }
};
}  // namespace

std::unique_ptr<CtuSearch> createTrivialSearch() { return std::make_unique<TrivialSearch>(); }

// Syntax-coverage search (preset "syntax-stress"): random but legal decisions — every allowed split
// incl. BT/TT and the local dual tree of the mode-type constraint, 128x128 and 64x64 CUs, all 67
// luma modes, all chroma modes — with plain quantisation. Deterministic (fixed-seed xorshift).
// Used to check the syntax and reconstruction against the VTM decoder; not meant for compression.
namespace {
class StressSearch final : public FixedDecisionSearch {
  uint64_t rng_ = 0x9E3779B97F4A7C15ull;
  unsigned next(unsigned n) {
    rng_ ^= rng_ << 13; rng_ ^= rng_ >> 7; rng_ ^= rng_ << 17;
    return unsigned(rng_ % n);
  }
  SplitMode pickSplit(const TreeNode& n, const AllowedSplits& a, bool boundary) override {
    SplitMode opts[6];
    int k = 0;
    if (a.qt) opts[k++] = SplitMode::kQt;
    if (a.btHor) opts[k++] = SplitMode::kBtHor;
    if (a.btVer) opts[k++] = SplitMode::kBtVer;
    if (a.ttHor) opts[k++] = SplitMode::kTtHor;
    if (a.ttVer) opts[k++] = SplitMode::kTtVer;
    const int area = n.w * n.h;
    const unsigned splitPct = area >= 64 * 64 ? 60 : (area >= 256 ? 70 : 50);
    if (k > 0 && (boundary || next(100) < splitPct)) return opts[next(unsigned(k))];
    return SplitMode::kNone;
  }
  // transform skip in half the TBs that may take it (only drawn where the slice allows it: other streams keep their
  // random sequence)
  bool pickTransformSkip() override { return next(2) == 0; }
  void pickModes(CodingUnit& cu) override {
    cu.lumaMode = uint8_t(next(4) == 0 ? next(2) : next(67));
    cu.chromaModeIdx = uint8_t(next(5));
    // dual tree: CCLM too where the chroma tree allows it (other streams keep their random sequence)
    if (ctx_->part->dualTree && ctx_->slice->isIntra && ctx_->slice->cclm && cu.cclmAllowed && next(3) == 0)
      cu.chromaModeIdx = uint8_t(kChromaCclm + next(3));
    // explicit MTS: a random mts_idx where the CU may code one (dropped again when its levels do not allow it)
    if (ctx_->slice->explicitMtsIntra && cu.treeType != TreeType::kDualChroma && cu.numTus == 1 &&
        std::max(cu.w, cu.h) <= 32)
      cu.mtsIdx = uint8_t(next(5));
    // LFNST: a random lfnst_idx where the CU may code one (dropped again when its levels do not allow it); mts_idx
    // then 0 (streams of slices without LFNST keep their random sequence)
    if (ctx_->slice->lfnst && std::max(cu.w, cu.h) <= (1 << ctx_->part->log2MaxTb) &&
        !(cu.treeType == TreeType::kDualChroma && std::min(cu.w, cu.h) < 8)) {
      cu.lfnstIdx = uint8_t(next(3));
      if (cu.lfnstIdx) cu.mtsIdx = 0;
    }
    // MRL: reference line 1 or 2 with one of the five non-planar MPMs, in a third of the luma CUs below their CTU's
    // first row (streams without MRL keep their random sequence)
    const PartitionConfig& part = *ctx_->part;
    if (ctx_->slice->mrl && cu.treeType != TreeType::kDualChroma && (cu.y & ((1 << part.log2CtuSize) - 1)) != 0 &&
        next(3) == 0) {
      int mpm[5];
      deriveMpmList(*ctx_->cuMap, cu.x, cu.y, cu.w, cu.h, part.log2CtuSize, mpm);
      cu.mrlIdx = uint8_t(1 + next(2));
      cu.lumaMode = uint8_t(mpm[next(5)]);
    }
    // MIP: a random mode and orientation in a quarter of the luma CUs (none with MRL; streams without MIP keep their
    // random sequence)
    if (ctx_->slice->mip && cu.treeType != TreeType::kDualChroma && next(4) == 0) {
      cu.mip = true;
      cu.mipTransposed = next(2) != 0;
      cu.mipMode = uint8_t(next(unsigned(dsp::mipNumModes(cu.w, cu.h))));
      cu.lumaMode = 0;
      cu.mrlIdx = 0;
    }
    // ISP: a random split in a third of the luma CUs that may use it (line 0, no MIP; mts_idx 0; lfnst_idx only with
    // sub-partitions of at least 4x4). Streams without ISP keep their random sequence.
    if (ctx_->slice->isp && cu.treeType != TreeType::kDualChroma && !cu.mip && cu.mrlIdx == 0 &&
        ispAllowed(cu.w, cu.h, part.log2MaxTb) && next(3) == 0) {
      cu.isp = uint8_t(1 + next(2));
      ispTransformUnits(cu);
      cu.mtsIdx = 0;
      if (std::min(cu.tus[0].w, cu.tus[0].h) < 4) cu.lfnstIdx = 0;
    }
  }
};
}  // namespace

std::unique_ptr<CtuSearch> createStressSearch() { return std::make_unique<StressSearch>(); }

}  // namespace nnvvc
