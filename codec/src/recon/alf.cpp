#include "recon/alf.h"

#include <algorithm>
#include <cstring>

namespace nnvvc {

void alfFixedFilters(int setIdx, int bitDepth, AlfClassFilters& out) {
  for (int c = 0; c < kAlfNumClasses; ++c) {
    const int8_t* f = kAlfFixedFilterCoeff[kAlfClassToFixedFilter[setIdx][c]];
    for (int j = 0; j < kAlfLumaCoeffs; ++j) {
      out.coeff[c][j] = f[j];
      out.clip[c][j] = int16_t(alfClipValue(0, bitDepth));
    }
  }
}

void alfApsLumaFilters(const AlfApsData& aps, int bitDepth, AlfClassFilters& out) {
  for (int c = 0; c < kAlfNumClasses; ++c) {
    const int f = aps.lumaDeltaIdx[c];
    for (int j = 0; j < kAlfLumaCoeffs; ++j) {
      out.coeff[c][j] = aps.lumaCoeff[f][j];
      out.clip[c][j] = int16_t(alfClipValue(aps.lumaClip ? aps.lumaClipIdx[f][j] : 0, bitDepth));
    }
  }
}

namespace recon {

void PaddedPlane::copyFrom(const Plane& p) {
  const int pad = dsp::kAlfPad;
  width = p.width; height = p.height;
  stride = p.width + 2 * pad;
  buf.resize(size_t(stride) * size_t(p.height + 2 * pad));
  for (int y = -pad; y < p.height + pad; ++y) {
    const Pel* s = p.row(std::clamp(y, 0, p.height - 1));
    Pel* d = buf.data() + ptrdiff_t(y + pad) * stride;
    for (int x = 0; x < pad; ++x) d[x] = s[0];
    std::memcpy(d + pad, s, sizeof(Pel) * size_t(p.width));
    for (int x = 0; x < pad; ++x) d[pad + p.width + x] = s[p.width - 1];
  }
}

int alfVirtualBoundaryRow(int yCtb, int ctbSize, int picHeight, int vbOffset) {
  // no line-buffer boundary when the CTB is the last row and too short to reach it
  if (yCtb + ctbSize >= picHeight && picHeight - yCtb <= ctbSize - vbOffset) return dsp::kAlfNoVirtualBoundary;
  return yCtb + ctbSize - vbOffset;
}

void applyCcAlfCtb(const PaddedPlane& luma, Plane& chroma, int x0, int y0, int w, int h, const int16_t* coeff,
                   int log2CtuSize, int bitDepth) {
  dsp::alfFilterCcC(luma.origin(), luma.stride, chroma.data.data(), chroma.stride, x0, y0, w, h, log2CtuSize, coeff,
                    bitDepth);
}

void applyCcAlf(Picture& pic, int cIdx, const PaddedPlane& luma, const AlfSliceParams& slice,
                const AlfApsData* const aps[kAlfMaxApsIds], const std::vector<AlfCtuParams>& ctus, int log2CtuSize,
                int bitDepth) {
  const int k = cIdx - 1;
  if (!slice.cc[k]) return;
  const AlfApsData& a = *aps[slice.ccApsId[k]];
  const int ctbC = (1 << log2CtuSize) / 2;
  const int widthInCtbs = (pic.width + 2 * ctbC - 1) / (2 * ctbC);
  Plane& pl = pic.planes[cIdx];
  for (size_t i = 0; i < ctus.size(); ++i) {
    const int idc = ctus[i].ccIdc[k];
    if (!idc || idc > a.numCcFilters[k]) continue;
    const int x0 = int(i % size_t(widthInCtbs)) * ctbC, y0 = int(i / size_t(widthInCtbs)) * ctbC;
    applyCcAlfCtb(luma, pl, x0, y0, std::min(ctbC, pl.width - x0), std::min(ctbC, pl.height - y0), a.ccCoeff[k][idc - 1],
                  log2CtuSize, bitDepth);
  }
}

void applyAlf(Picture& pic, const AlfSliceParams& slice, const AlfApsData* const aps[kAlfMaxApsIds],
              const std::vector<AlfCtuParams>& ctus, int log2CtuSize, int bitDepth) {
  if (!slice.enabled) return;
  const int ctb = 1 << log2CtuSize;
  const int widthInCtbs = (pic.width + ctb - 1) / ctb;
  const int heightInCtbs = (pic.height + ctb - 1) / ctb;
  PaddedPlane src;  // the luma before its ALF: the luma filter's and CC-ALF's input
  // luma
  std::vector<AlfClassFilters> sets(kAlfNumFixedSets + size_t(slice.numApsLuma));
  for (int s = 0; s < kAlfNumFixedSets; ++s) alfFixedFilters(s, bitDepth, sets[size_t(s)]);
  for (int i = 0; i < slice.numApsLuma; ++i) alfApsLumaFilters(*aps[slice.apsIdLuma[i]], bitDepth, sets[size_t(16 + i)]);
  src.copyFrom(pic.planes[0]);
  std::vector<dsp::AlfBlockClass> cls(size_t(ctb / 4) * size_t(ctb / 4));
  for (int ry = 0; ry < heightInCtbs; ++ry)
    for (int rx = 0; rx < widthInCtbs; ++rx) {
      const AlfCtuParams& p = ctus[size_t(ry) * size_t(widthInCtbs) + size_t(rx)];
      if (!p.luma) continue;
      const int x0 = rx * ctb, y0 = ry * ctb;
      const int w = std::min(ctb, pic.width - x0), h = std::min(ctb, pic.height - y0);
      const int vb = alfVirtualBoundaryRow(y0, ctb, pic.height, 4);
      dsp::alfClassifyC(src.origin(), src.stride, x0, y0, w, h, vb, bitDepth, cls.data());
      const AlfClassFilters& f = sets[p.lumaSet];
      dsp::alfFunctions().filterLuma(src.origin(), src.stride, pic.planes[0].data.data(), pic.planes[0].stride, x0,
                                     y0, w, h, vb, cls.data(), f.coeff, f.clip, bitDepth);
    }
  // chroma, then its CC-ALF correction (on the chroma ALF output, or the SAO output where that is off)
  const int ctbC = ctb / 2;
  PaddedPlane chromaSrc;
  for (int c = 1; c <= 2; ++c) {
    Plane& pl = pic.planes[c];
    if (c == 1 ? slice.cb : slice.cr) {
      const AlfApsData& a = *aps[slice.apsIdChroma];
      chromaSrc.copyFrom(pl);
      for (int ry = 0; ry < heightInCtbs; ++ry)
        for (int rx = 0; rx < widthInCtbs; ++rx) {
          const AlfCtuParams& p = ctus[size_t(ry) * size_t(widthInCtbs) + size_t(rx)];
          if (!p.chroma[c - 1]) continue;
          const int x0 = rx * ctbC, y0 = ry * ctbC;
          const int w = std::min(ctbC, pl.width - x0), h = std::min(ctbC, pl.height - y0);
          const int vb = alfVirtualBoundaryRow(y0, ctbC, pl.height, 2);
          const int alt = p.chromaAlt[c - 1];
          int16_t clip[kAlfChromaCoeffs];
          for (int j = 0; j < kAlfChromaCoeffs; ++j)
            clip[j] = int16_t(alfClipValue(a.chromaClip ? a.chromaClipIdx[alt][j] : 0, bitDepth));
          dsp::alfFilterChromaC(chromaSrc.origin(), chromaSrc.stride, pl.data.data(), pl.stride, x0, y0, w, h, vb,
                                a.chromaCoeff[alt], clip, bitDepth);
        }
    }
    applyCcAlf(pic, c, src, slice, aps, ctus, log2CtuSize, bitDepth);
  }
}

}  // namespace recon
}  // namespace nnvvc
