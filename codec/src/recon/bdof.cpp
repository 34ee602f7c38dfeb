// Bi-directional optical flow: the CU-level condition and the subblock loop (H.266 8.5.6.1,
// 8.5.6.3.1 border samples); the sample process itself is dsp/bdof.
#include "recon/bdof.h"

#include "dsp/bdof.h"
#include "dsp/mc.h"
#include "recon/inter_pred.h"

namespace nnvvc {
namespace recon {
namespace {

const RefPic* usableRef(const RefPicLists& refs, const MotionInfo& mi, int l) {
  const int idx = mi.refIdx[l];
  if (!mi.predFlag(l) || idx < 0 || idx >= refs.num[l] || idx >= RefPicLists::kMaxRefs) return nullptr;
  const RefPic& r = refs.ref[l][idx];
  if (!r.pic || r.pic->planes[0].width <= 0 || r.pic->planes[0].data.empty()) return nullptr;
  return &r;
}

inline int clampInt(int v, int lo, int hi) { return v < lo ? lo : (v > hi ? hi : v); }

}  // namespace

// Fills the one-sample border of the (w + 2) x (h + 2) extended prediction `ext` (stride es,
// ext[0] = block position (-1, -1)) of a block at (x, y) with motion mv: integer reference
// samples at the block position + MV rounded to the nearest integer (xFrac >= 8 rounds up),
// coordinates clamped into the picture, scaled to the 14-bit intermediate (8.5.6.3.1 / 8.5.6.3.3).
void bdofFillBorder(const Plane& plane, const Mv& mv, int x, int y, int w, int h, int16_t* ext, ptrdiff_t es) {
  const int shift3 = 14 - kBitDepth > 2 ? 14 - kBitDepth : 2;
  const int x0 = x + (mv.x >> 4) + ((mv.x & 15) >> 3) - 1;  // reference x of extended column 0
  const int y0 = y + (mv.y >> 4) + ((mv.y & 15) >> 3) - 1;
  const int maxX = plane.width - 1, maxY = plane.height - 1;
  auto sample = [&](int xe, int ye) {
    const Pel v = plane.row(clampInt(y0 + ye, 0, maxY))[clampInt(x0 + xe, 0, maxX)];
    return int16_t((int(v) << shift3) - dsp::kMcPrepBias);
  };
  for (int xe = 0; xe < w + 2; ++xe) {
    ext[xe] = sample(xe, 0);
    ext[(h + 1) * es + xe] = sample(xe, h + 1);
  }
  for (int ye = 1; ye <= h; ++ye) {
    ext[ye * es] = sample(0, ye);
    ext[ye * es + w + 1] = sample(w + 1, ye);
  }
}

bool bdofApplies(const RefPicLists& refs, const MotionInfo& mi, int curPoc, int w, int h) {
  if (w < 8 || h < 8 || w * h < 128 || mi.bcwIdx != 0) return false;  // (BCW weights exclude BDOF and DMVR)
  const RefPic* r0 = usableRef(refs, mi, 0);
  const RefPic* r1 = usableRef(refs, mi, 1);
  if (!r0 || !r1 || r0->longTerm || r1->longTerm) return false;
  return curPoc - r0->poc == r1->poc - curPoc && r0->poc != curPoc;
}

void predictBdofLuma(const RefPicLists& refs, const MotionInfo& mi, int x, int y, int w, int h,
                     Pel* dst, ptrdiff_t ds) {
  constexpr int S = dsp::kBdofExtStride;
  const RefPic* r[2] = {usableRef(refs, mi, 0), usableRef(refs, mi, 1)};
  if (!r[0] || !r[1]) return;  // bdofApplies() was checked by the caller
  const int sbW = w < dsp::kBdofMaxSb ? w : dsp::kBdofMaxSb;
  const int sbH = h < dsp::kBdofMaxSb ? h : dsp::kBdofMaxSb;
  const dsp::BdofFunctions& f = dsp::bdofFunctions();
  alignas(32) int16_t ext[2][S * S];
  for (int ys = 0; ys < h; ys += sbH)
    for (int xs = 0; xs < w; xs += sbW) {
      for (int l = 0; l < 2; ++l) {
        const Plane& plane = r[l]->pic->planes[0];
        interpolateBlock(plane, mi.mv[l], 0, x + xs, y + ys, sbW, sbH, ext[l] + S + 1, S, mi.hpelIfIdx);
        bdofFillBorder(plane, mi.mv[l], x + xs, y + ys, sbW, sbH, ext[l], S);
      }
      f.subblock(dst + ys * ds + xs, ds, ext[0], ext[1], S, sbW, sbH, kBitDepth);
    }
}

}  // namespace recon
}  // namespace nnvvc
