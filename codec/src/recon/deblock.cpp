// Deblocking filter driver (H.266 8.8.3): per-4x4 maps of transform blocks, then the vertical
// and horizontal passes over the picture. Sample kernels are in dsp/deblock.cpp.
#include "recon/deblock.h"

#include <algorithm>
#include <climits>
#include <cstdlib>

#include "dsp/deblock.h"

namespace nnvvc {
namespace recon {
namespace {

constexpr int kMaxTb = 1 << kMaxTbLog2;  // implicit TU split of larger CUs

// What the edge derivation needs about the transform block covering one 4x4 luma unit.
// Units with tuId 0 are not covered by any CU (bad input): no edge touches them.
struct LumaUnit {
  uint32_t tuId = 0;
  uint32_t cuIdx = 0;          // into the flat CU list (motion, predEdge)
  uint8_t tuW = 0, tuH = 0;    // luma TB size
  uint8_t cbf = 0;             // tu_y_coded_flag
  uint8_t intra = 0;
  uint8_t affine = 0;          // the CU has subblock motion (bS from the motion field, subblock edges)
  int8_t qp = 0;               // QpY of the CU
};
// Same for chroma (the CU owning the chroma of the unit: a single-tree CU or the chroma CU of
// a local dual tree), sizes in chroma samples.
struct ChromaUnit {
  uint32_t tuId = 0;
  uint8_t tuW = 0, tuH = 0;
  uint8_t cbf = 0;             // bit 0 Cb, bit 1 Cr
  uint8_t intra = 0;
  int8_t qp = 0;
  uint8_t jointQp = 0;         // TU with TuCResMode 2: its chroma QP is Qp'CbCr
};

// Identity of a reference picture for the "same reference picture" comparisons.
struct RefKey {
  const Picture* pic = nullptr;
  int poc = 0;
  bool used = false;
};
bool operator==(const RefKey& a, const RefKey& b) {
  if (a.used != b.used) return false;
  if (!a.used) return true;
  if (a.pic && b.pic) return a.pic == b.pic;
  return a.poc == b.poc;
}
bool operator!=(const RefKey& a, const RefKey& b) { return !(a == b); }

RefKey refKey(const MotionInfo& m, int l, const RefPicLists* refs) {
  RefKey k;
  if (!m.predFlag(l)) return k;
  k.used = true;
  const int idx = m.refIdx[l];
  if (refs && idx >= 0 && idx < refs->num[l] && idx < RefPicLists::kMaxRefs) {
    k.pic = refs->ref[l][idx].pic;
    k.poc = refs->ref[l][idx].poc;
  } else {
    k.poc = INT_MIN + 16 * l + (idx & 15);  // unknown entry: equal only to itself
  }
  return k;
}

bool mvBreak(const Mv& a, const Mv& b) { return std::abs(a.x - b.x) >= 8 || std::abs(a.y - b.y) >= 8; }

// Per-picture maps, kept per thread between pictures: re-touching fresh pages for every 1080p
// picture cost more than the filtering itself.
struct DeblockMaps {
  std::vector<const CodingUnit*> cus;
  std::vector<LumaUnit> luma;
  std::vector<ChromaUnit> chroma;
};

class Deblocker {
 public:
  Deblocker(Picture& pic, const SliceParams& slice, const DeblockParams& p, DeblockMaps& maps,
            const MotionField* motion)
      : pic_(pic), slice_(slice), p_(p), motion_(motion), f_(dsp::deblockFunctions()), cus_(maps.cus),
        luma_(maps.luma), chroma_(maps.chroma) {
    w4_ = pic.width >> 2;
    h4_ = pic.height >> 2;
    cus_.clear();
    luma_.assign(size_t(w4_) * size_t(h4_), LumaUnit{});
    chroma_.assign(size_t(w4_) * size_t(h4_), ChromaUnit{});
    bitDepth_ = slice.bitDepth;
    maxVal_ = (1 << bitDepth_) - 1;
    qpBdOffset_ = 6 * (bitDepth_ - 8);
  }

  void addCu(const CodingUnit& cu) {
    const uint32_t cuIdx = uint32_t(cus_.size());
    cus_.push_back(&cu);
    const bool hasLuma = cu.treeType != TreeType::kDualChroma;
    const bool hasChroma = cu.treeType != TreeType::kDualLuma;
    // A chroma CU of a local dual tree is always intra (MODE_TYPE_INTRA).
    const bool intra = !cu.isInter() || cu.treeType != TreeType::kSingle || cu.ciip;  // CIIP: bS 2 as VTM-23.2
    const bool residual = !cu.isInter() || (cu.rootCbf && !cu.skip);
    // transform blocks: the max-TB tiling, or an SBT CU's two TUs (its transform edge is a TU edge like any)
    int tileW = cu.w < kMaxTb ? cu.w : kMaxTb, tileH = cu.h < kMaxTb ? cu.h : kMaxTb;
    if (tileW <= 0 || tileH <= 0) return;
    // (ISP: the luma sub-partitions; the chroma TBs are the whole CU's, below)
    const int numTiles = cu.sbt ? 2 : cu.isp ? cu.numTus : (cu.w / tileW) * (cu.h / tileH);
    for (int tile = 0; tile < numTiles; ++tile) {
      int tx, ty, tw, th;
      if (cu.sbt || cu.isp) {
        tx = cu.tus[tile].x; ty = cu.tus[tile].y; tw = cu.tus[tile].w; th = cu.tus[tile].h;
      } else {
        const int cols = cu.w / tileW;
        tx = cu.x + (tile % cols) * tileW; ty = cu.y + (tile / cols) * tileH; tw = tileW; th = tileH;
      }
      uint8_t cbf[3] = {0, 0, 0};
      uint8_t jointQp = 0;
      if (residual)
        for (int t = 0; t < cu.numTus && t < 4; ++t)
          if (cu.tus[t].x == tx && cu.tus[t].y == ty) {
            for (int c = 0; c < 3; ++c) cbf[c] = cu.tus[t].cbf[c] ? 1 : 0;
            jointQp = cu.tus[t].cResMode() == 2 ? 1 : 0;
          }
      const uint32_t id = ++tuCount_;
      const int x0 = tx >> 2, y0 = ty >> 2;
      const int x1 = std::min((tx + tw) >> 2, w4_), y1 = std::min((ty + th) >> 2, h4_);
      for (int y = std::max(y0, 0); y < y1; ++y)
        for (int x = std::max(x0, 0); x < x1; ++x) {
          const size_t i = size_t(y) * size_t(w4_) + size_t(x);
          if (hasLuma) {
            LumaUnit& u = luma_[i];
            u.tuId = id;
            u.cuIdx = cuIdx;
            u.tuW = uint8_t(tw);
            u.tuH = uint8_t(th);
            u.cbf = cbf[0];
            u.intra = intra;
            u.affine = cu.isInter() && cu.affine;
            u.qp = cu.qp;
          }
        }
      if (hasChroma && !cu.isp) setChromaUnits(tx, ty, tw, th, id, uint8_t(cbf[1] | (cbf[2] << 1)), jointQp, intra, cu.qp);
    }
    if (cu.isp && hasChroma) {  // one chroma TB per component over the CU, its cbfs with the last sub-partition
      const TransformUnit& last = cu.tus[cu.numTus - 1];
      setChromaUnits(cu.x, cu.y, cu.w, cu.h, ++tuCount_, uint8_t((last.cbf[1] ? 1 : 0) | ((last.cbf[2] ? 1 : 0) << 1)),
                     last.cResMode() == 2 ? 1 : 0, intra, cu.qp);
    }
  }

  // The chroma units of one chroma TB over the luma rectangle (tx, ty, tw, th).
  void setChromaUnits(int tx, int ty, int tw, int th, uint32_t id, uint8_t cbfMask, uint8_t jointQp, bool intra,
                      int8_t qp) {
    for (int y = std::max(ty >> 2, 0); y < std::min((ty + th) >> 2, h4_); ++y)
      for (int x = std::max(tx >> 2, 0); x < std::min((tx + tw) >> 2, w4_); ++x) {
        ChromaUnit& u = chroma_[size_t(y) * size_t(w4_) + size_t(x)];
        u.tuId = id;
        u.tuW = uint8_t(tw >> 1);
        u.tuH = uint8_t(th >> 1);
        u.cbf = cbfMask;
        u.intra = intra;
        u.qp = qp;
        u.jointQp = jointQp;
      }
  }

  void filter(bool vertical) {
    lumaPass(vertical);
    chromaPass(vertical);
  }

 private:
  // The motion of the prediction block containing luma sample (x, y) of CU cuIdx: the CU's motion, or for
  // GPM CUs the stored motion of that 4x4 (8.5.7.3), for affine CUs its subblock motion, from the motion field.
  const MotionInfo& motionAt(uint32_t cuIdx, int x, int y) const {
    const CodingUnit& cu = *cus_[cuIdx];
    if ((cu.gpm || cu.affine) && cu.isInter() && motion_) {
      const MotionInfo* mi = motion_->at(x, y);
      if (mi) return *mi;
    }
    return cu.motion;
  }
  const LumaUnit& lu(int x4, int y4) const { return luma_[size_t(y4) * size_t(w4_) + size_t(x4)]; }
  const ChromaUnit& cu4(int x4, int y4) const { return chroma_[size_t(y4) * size_t(w4_) + size_t(x4)]; }

  void record(bool vertical, int comp, int x, int y, int bS, int lenP, int lenQ, int qp, int tc,
              int beta, int decision) {
    if (!p_.trace) return;
    DeblockTraceEntry e;
    e.vertical = vertical;
    e.comp = uint8_t(comp);
    e.x = int16_t(x);
    e.y = int16_t(y);
    e.bS = uint8_t(bS);
    e.maxLenP = uint8_t(lenP);
    e.maxLenQ = uint8_t(lenQ);
    e.qp = int8_t(qp);
    e.tc = int16_t(tc);
    e.beta = int16_t(beta);
    e.decision = uint8_t(decision);
    p_.trace->push_back(e);
  }

  // Luma edges: every 4x4 unit boundary between two different transform blocks.
  void lumaPass(bool vertical) {
    Plane& pl = pic_.planes[0];
    const ptrdiff_t across = vertical ? 1 : pl.stride, along = vertical ? pl.stride : 1;
    for (int y4 = vertical ? 0 : 1; y4 < h4_; ++y4)
      for (int x4 = vertical ? 1 : 0; x4 < w4_; ++x4) {
        const LumaUnit& q = lu(x4, y4);
        const LumaUnit& p = vertical ? lu(x4 - 1, y4) : lu(x4, y4 - 1);
        if (!p.tuId || !q.tuId) continue;
        const bool sameCu = p.cuIdx == q.cuIdx;
        // affine CUs: prediction subblock edges every 8 samples inside the CU (8.8.3.3); offset of this
        // edge from the Q CU's left / top edge
        const CodingUnit& cuQ = *cus_[q.cuIdx];
        const int off = vertical ? (x4 << 2) - cuQ.x : (y4 << 2) - cuQ.y;
        const int cuSize = vertical ? cuQ.w : cuQ.h;
        const bool subblockEdge = q.affine && sameCu && off > 0 && (off & 7) == 0;
        const bool transformEdge = p.tuId != q.tuId;
        if (!transformEdge && !subblockEdge) continue;
        const int xq = x4 << 2, yq = y4 << 2, xp = vertical ? xq - 4 : xq, yp = vertical ? yq : yq - 4;
        int bS;
        if (p.affine || q.affine) {
          // motion of the 4x4 units on both sides (subblock MVs) where a side is affine
          const MotionInfo& mP = motionAt(p.cuIdx, xp, yp);
          const MotionInfo& mQ = motionAt(q.cuIdx, xq, yq);
          if (p.intra || q.intra) bS = 2;
          else if (transformEdge && (p.cbf || q.cbf)) bS = 1;
          else if (sameCu && !subblockEdge) bS = 0;
          else bS = motionBoundaryStrength(mP, mQ, slice_.refs);
        } else {
          bS = lumaBoundaryStrength(p.intra, q.intra, p.cbf, q.cbf, sameCu, motionAt(p.cuIdx, xp, yp),
                                    motionAt(q.cuIdx, xq, yq), slice_.refs);
        }
        if (!bS) continue;
        const int sizeP = vertical ? p.tuW : p.tuH, sizeQ = vertical ? q.tuW : q.tuH;
        int lenP = 1, lenQ = 1;
        if (sizeP > 4 && sizeQ > 4) {
          lenP = sizeP >= 32 ? 7 : 3;
          lenQ = sizeQ >= 32 ? 7 : 3;
        }
        if (q.affine && sameCu && !transformEdge) {
          // inside an affine CU (VTM-23.2's maxFilterLength of coding subblocks): 1 at 4 samples from a transform
          // edge or the CU's far edge (SBT's TU edges, which need not lie on the 8-sample grid), 2 at 8 samples from
          // one (or from the CU's first edge), else 3
          const int base = vertical ? x4 : y4;
          auto tbEdgeAt = [&](int d) {
            const int b = base + d;
            if (b <= 0 || (vertical ? b >= w4_ : b >= h4_)) return false;
            const LumaUnit& a = vertical ? lu(b, y4) : lu(x4, b);
            const LumaUnit& bb = vertical ? lu(b - 1, y4) : lu(x4, b - 1);
            return a.tuId != bb.tuId;
          };
          if (off + 4 >= cuSize || tbEdgeAt(-1) || tbEdgeAt(1)) lenP = lenQ = 1;
          else if (off == 8 || off + 8 >= cuSize || tbEdgeAt(-2) || tbEdgeAt(2)) lenP = lenQ = 2;
          else lenP = lenQ = 3;
        } else if (q.affine && transformEdge) {
          lenQ = std::min(lenQ, 5);
          if (sameCu) lenP = std::min(lenP, 5);
        }
        if (p.affine && lenP > 5) lenP = 5;
        // Horizontal CTU-row edges: the P side reads/writes at most 4 rows (line buffer).
        if (!vertical && ((y4 << 2) & (kCtuSize - 1)) == 0 && lenP > 3) lenP = 3;
        const int qp = (p.qp + q.qp + 1) >> 1;
        const int beta = dsp::deblockBeta(qp, p_.betaOffsetDiv2[0], bitDepth_);
        const int tc = dsp::deblockTc(qp, bS, p_.tcOffsetDiv2[0], bitDepth_);
        Pel* src = pl.row(y4 << 2) + (x4 << 2);
        const int decision = f_.lumaEdge(src, across, along, tc, beta, lenP, lenQ, maxVal_);
        record(vertical, 0, x4 << 2, y4 << 2, bS, lenP, lenQ, qp, tc, beta, decision);
      }
  }

  // Qp'C of a side (8.7.1 with zero PPS/slice/CU chroma offsets).
  int chromaQpPrime(int qpY, bool joint = false) const {
    const int qpi = clip3(-qpBdOffset_, 63, qpY);
    const int mapped = p_.chromaQpTable && qpi >= -12 ? p_.chromaQpTable[qpi + 12] : qpi;
    return clip3(-qpBdOffset_, 63, mapped + (joint ? p_.jointCbCrQpOffset : 0)) + qpBdOffset_;
  }

  // Chroma edges: 8x8 chroma grid (16 luma samples), segments of 2 chroma lines per 4x4 luma
  // unit along the edge.
  void chromaPass(bool vertical) {
    const ptrdiff_t stride = pic_.planes[1].stride;
    const ptrdiff_t across = vertical ? 1 : stride, along = vertical ? stride : 1;
    for (int y4 = vertical ? 0 : 4; y4 < h4_; y4 += vertical ? 1 : 4)
      for (int x4 = vertical ? 4 : 0; x4 < w4_; x4 += vertical ? 4 : 1) {
        const ChromaUnit& q = cu4(x4, y4);
        const ChromaUnit& p = vertical ? cu4(x4 - 1, y4) : cu4(x4, y4 - 1);
        if (p.tuId == q.tuId || !p.tuId || !q.tuId) continue;
        const int sizeP = vertical ? p.tuW : p.tuH, sizeQ = vertical ? q.tuW : q.tuH;
        const bool large = sizeP >= 8 && sizeQ >= 8;
        const bool ctbBoundary = !vertical && ((y4 << 2) & (kCtuSize - 1)) == 0;
        for (int c = 1; c <= 2; ++c) {
          int bS = 0;
          if (p.intra || q.intra) bS = 2;
          else if (((p.cbf | q.cbf) >> (c - 1)) & 1) bS = 1;
          if (!(bS == 2 || (large && bS == 1))) continue;
          const int qp = ((chromaQpPrime(p.qp, p.jointQp) + chromaQpPrime(q.qp, q.jointQp) + 1) >> 1) - qpBdOffset_;
          const int tc = dsp::deblockTc(qp, bS, p_.tcOffsetDiv2[c], bitDepth_);
          const int beta = dsp::deblockBeta(qp, p_.betaOffsetDiv2[c], bitDepth_);
          Plane& pl = pic_.planes[c];
          Pel* src = pl.row(y4 << 1) + (x4 << 1);
          const int decision = f_.chromaEdge(src, across, along, 2, tc, beta, large, ctbBoundary, maxVal_);
          record(vertical, c, x4 << 1, y4 << 1, bS, large ? 3 : 1, large ? 3 : 1, qp, tc, beta,
                 decision);
        }
      }
  }

  Picture& pic_;
  const SliceParams& slice_;
  const DeblockParams& p_;
  const MotionField* motion_;  // the picture's motion field (unrefined by DMVR): GPM / affine CUs' motion per 4x4
  const dsp::DeblockFunctions& f_;
  int w4_ = 0, h4_ = 0, bitDepth_ = kBitDepth, maxVal_ = 1023, qpBdOffset_ = 12;
  uint32_t tuCount_ = 0;
  std::vector<const CodingUnit*>& cus_;
  std::vector<LumaUnit>& luma_;
  std::vector<ChromaUnit>& chroma_;
};

}  // namespace

int motionBoundaryStrength(const MotionInfo& mP, const MotionInfo& mQ, const RefPicLists* refs) {
  const RefKey p0 = refKey(mP, 0, refs), p1 = refKey(mP, 1, refs);
  const RefKey q0 = refKey(mQ, 0, refs), q1 = refKey(mQ, 1, refs);
  // Different reference pictures or a different number of MVs (an unused list counts as "no
  // picture", so uni vs bi never matches).
  if (!((p0 == q0 && p1 == q1) || (p0 == q1 && p1 == q0))) return 1;
  const Mv zero;
  const Mv& mvP0 = p0.used ? mP.mv[0] : zero;
  const Mv& mvP1 = p1.used ? mP.mv[1] : zero;
  const Mv& mvQ0 = q0.used ? mQ.mv[0] : zero;
  const Mv& mvQ1 = q1.used ? mQ.mv[1] : zero;
  if (p0 != p1) {
    // Two different pictures: compare the MVs referring to the same picture.
    if (p0 == q0) return (mvBreak(mvP0, mvQ0) || mvBreak(mvP1, mvQ1)) ? 1 : 0;
    return (mvBreak(mvP0, mvQ1) || mvBreak(mvP1, mvQ0)) ? 1 : 0;
  }
  // Both MVs of each side refer to the same picture: a break only when both pairings break.
  return ((mvBreak(mvP0, mvQ0) || mvBreak(mvP1, mvQ1)) &&
          (mvBreak(mvP0, mvQ1) || mvBreak(mvP1, mvQ0))) ? 1 : 0;
}

int lumaBoundaryStrength(bool intraP, bool intraQ, bool cbfP, bool cbfQ, bool sameCu,
                         const MotionInfo& mP, const MotionInfo& mQ, const RefPicLists* refs) {
  if (intraP || intraQ) return 2;
  if (cbfP || cbfQ) return 1;
  if (sameCu) return 0;  // transform edge inside one CU: one motion, nothing to compare
  return motionBoundaryStrength(mP, mQ, refs);
}

void deblockPicture(Picture& pic, const std::vector<CtuCoding>& ctus, const MotionField& motion,
                    const SliceParams& slice, const DeblockParams& p) {
  if (!p.enabled || pic.width < 8 || pic.height < 8) return;
  thread_local DeblockMaps maps;
  Deblocker d(pic, slice, p, maps, motion.picWidth() > 0 ? &motion : nullptr);
  for (const CtuCoding& ctu : ctus)
    for (const CodingUnit& cu : ctu.cus) d.addCu(cu);
  d.filter(true);
  d.filter(false);
}

}  // namespace recon
}  // namespace nnvvc
