// Inter sample prediction: the mc kernels (C twins and the active table) and
// recon::predictInter/predictInterComponent against a direct transcription of the spec formulas
// (H.266 8.5.6.3.2 luma, 8.5.6.3.3 chroma interpolation with clamped reference coordinates,
// 8.5.6.6.2 default weighted prediction). Sizes 4..128, random and extreme 10-bit content,
// motion vectors far outside the picture.
#include <algorithm>
#include <cstdio>
#include <random>
#include <vector>

#include "../src/common/motion.h"
#include "../src/dsp/mc.h"
#include "../src/recon/inter_pred.h"
#include "test_check.h"

using namespace nnvvc;

namespace {

std::mt19937 rng(7);
int rnd(int lo, int hi) { return lo + int(rng() % uint32_t(hi - lo + 1)); }

// ---- reference model, written from the spec text ------------------------------------------
// A plane with the spec's clamped sample access refPicLX[Clip3(0, w-1, x)][Clip3(0, h-1, y)].
struct RefPlane {
  int w, h;
  std::vector<int> s;
  int at(int x, int y) const {
    x = std::min(std::max(x, 0), w - 1);
    y = std::min(std::max(y, 0), h - 1);
    return s[size_t(y) * w + x];
  }
};

// predSampleLX for one sample, luma (8.5.6.3.2) or chroma (8.5.6.3.3). The spec's integer
// positions xInt_i = Clip3(0, picW - 1, xInt + i - N/2 + 1) are the clamp in RefPlane::at.
// altHpel: hpelIfIdx 1, Table 27's half-sample row [0, 3, 9, 20, 20, 9, 3, 0] (written out here, not taken from dsp/mc.h)
long specPredSample(const RefPlane& p, bool chroma, int xInt, int yInt, int xFrac, int yFrac,
                    int bitDepth, bool altHpel = false) {
  const int n = chroma ? 4 : 8;
  static const int kAltHalf[8] = {0, 3, 9, 20, 20, 9, 3, 0};
  auto f = [&](int frac, int i) -> long {
    if (!chroma && altHpel && frac == 8) return kAltHalf[i];
    return chroma ? dsp::kMcChromaFilter[frac][i] : dsp::kMcLumaFilter[frac][i];
  };
  const int shift1 = std::min(4, bitDepth - 8), shift2 = 6, shift3 = std::max(2, 14 - bitDepth);
  if (xFrac == 0 && yFrac == 0) return long(p.at(xInt, yInt)) << shift3;
  if (yFrac == 0) {
    long sum = 0;
    for (int i = 0; i < n; ++i) sum += f(xFrac, i) * p.at(xInt + i - n / 2 + 1, yInt);
    return sum >> shift1;
  }
  if (xFrac == 0) {
    long sum = 0;
    for (int i = 0; i < n; ++i) sum += f(yFrac, i) * p.at(xInt, yInt + i - n / 2 + 1);
    return sum >> shift1;
  }
  long temp[8];
  for (int m = 0; m < n; ++m) {
    long sum = 0;
    for (int i = 0; i < n; ++i) sum += f(xFrac, i) * p.at(xInt + i - n / 2 + 1, yInt + m - n / 2 + 1);
    temp[m] = sum >> shift1;
  }
  long sum = 0;
  for (int i = 0; i < n; ++i) sum += f(yFrac, i) * temp[i];
  return sum >> shift2;
}

int specUni(long pred, int bitDepth) {
  const int shift1 = 14 - bitDepth;
  const long v = (pred + (1L << (shift1 - 1))) >> shift1;
  return int(std::min<long>(std::max<long>(v, 0), (1 << bitDepth) - 1));
}
int specBi(long p0, long p1, int bitDepth) {
  const int shift2 = 15 - bitDepth;
  const long v = (p0 + p1 + (1L << (shift2 - 1))) >> shift2;
  return int(std::min<long>(std::max<long>(v, 0), (1 << bitDepth) - 1));
}

// Content: 0 uniform random, 1 only 0 / max, 2 a pattern following the sign of the filter taps
// (drives intermediates to their extremes), 3 flat max.
void fill(RefPlane& p, int mode, int bitDepth) {
  const int maxV = (1 << bitDepth) - 1;
  for (int y = 0; y < p.h; ++y)
    for (int x = 0; x < p.w; ++x) {
      int v;
      switch (mode) {
        case 0: v = rnd(0, maxV); break;
        case 1: v = rnd(0, 1) ? maxV : 0; break;
        case 2: {  // phase-8 luma taps are - + - + + - + -: sign pattern period 8 (offset 3/4)
          static const int sgn[8] = {0, 1, 0, 1, 1, 0, 1, 0};
          v = (sgn[x & 7] ^ sgn[y & 7]) ? maxV : 0;
          break;
        }
        default: v = maxV; break;
      }
      p.s[size_t(y) * p.w + x] = v;
    }
}

// ---- kernel test: C twin and active table vs the model, through a clamped window ---------
void testKernels(const dsp::McFunctions& f, const char* name) {
  const int sizesL[] = {4, 8, 12, 16, 24, 32, 64, 128};
  long cases = 0;
  int bad = 0;
  for (int bitDepth : {10, 8, 12})
    for (int kind = 0; kind < 3; ++kind)  // luma, luma with hpelIfIdx 1, chroma
      for (int it = 0; it < (bitDepth == 10 ? 160 : 40); ++it) {
        const bool chroma = kind == 2, alt = kind == 1;
        const int maxSide = chroma ? 64 : 128;
        int w = sizesL[rnd(0, 7)], h = sizesL[rnd(0, 7)];
        if (chroma) { w = std::max(2, w / 2); h = std::max(2, h / 2); }
        w = std::min(w, maxSide);
        h = std::min(h, maxSide);
        RefPlane p{rnd(8, 40) * 4, rnd(8, 40) * 4, {}};
        p.s.resize(size_t(p.w) * p.h);
        fill(p, it % 4, bitDepth);
        const int fracs = chroma ? 32 : 16;
        int xFrac = it % 3 == 0 ? 0 : rnd(0, fracs - 1), yFrac = it % 5 == 0 ? 0 : rnd(0, fracs - 1);
        if (alt && it % 2 == 0) {  // half-sample positions in one or both directions, where the filters differ
          if (it % 3) xFrac = 8;
          if (it % 5) yFrac = 8;
        }
        const int xInt = rnd(-w - 10, p.w + 10), yInt = rnd(-h - 10, p.h + 10);
        // Window with the filter support (N/2 - 1 before, N/2 after), clamped like the spec.
        const int n = chroma ? 4 : 8, before = n / 2 - 1;
        const int ww = w + n - 1, wh = h + n - 1;
        std::vector<Pel> win(size_t(ww) * wh);
        for (int r = 0; r < wh; ++r)
          for (int c = 0; c < ww; ++c) win[size_t(r) * ww + c] = Pel(p.at(xInt - before + c, yInt - before + r));
        const ptrdiff_t ds = w + 5;
        std::vector<int16_t> out(size_t(ds) * h + 8, int16_t(-1));
        (chroma ? f.interpChroma : alt ? f.interpLumaAltHpel : f.interpLuma)(
            out.data(), ds, win.data() + before * ww + before, ww, w, h, xFrac, yFrac, bitDepth);
        std::vector<int16_t> uniIn(size_t(w) * h);
        ++cases;
        bool ok = true;
        for (int y = 0; y < h && ok; ++y)
          for (int x = 0; x < w && ok; ++x) {
            const long spec = specPredSample(p, chroma, xInt + x, yInt + y, xFrac, yFrac, bitDepth, alt);
            const long got = long(out[size_t(y) * ds + x]) + dsp::kMcPrepBias;
            if (spec != got) {
              ok = false;
              std::printf("  %s %s bd%d %dx%d frac %d,%d at (%d,%d): spec %ld got %ld\n", name,
                          chroma ? "chroma" : alt ? "luma (hpelIfIdx 1)" : "luma", bitDepth, w, h, xFrac, yFrac, x, y, spec, got);
            }
          }
        for (int y = 0; y < h && ok; ++y)  // nothing written beyond the block
          for (int x = w; x < ds; ++x) ok = ok && out[size_t(y) * ds + x] == -1;
        bad += !ok;
      }
  CHECK(bad == 0, "%s: %d of %ld interpolation cases differ from the spec model", name, bad, cases);

  // Weighting on the extremes of the intermediate range and random values.
  bad = 0;
  for (int bitDepth : {8, 10, 12})
    for (int it = 0; it < 200; ++it) {
      const int w = 2 * rnd(1, 64), h = rnd(1, 16);
      std::vector<int16_t> a(size_t(w) * h), b(size_t(w) * h);
      for (size_t i = 0; i < a.size(); ++i) {
        const int mode = it % 3;
        a[i] = int16_t(mode == 0 ? rnd(-25072, 25055) : (rnd(0, 1) ? 25055 : -25072));
        b[i] = int16_t(mode == 2 ? rnd(-25072, 25055) : (rnd(0, 1) ? 25055 : -25072));
      }
      std::vector<Pel> uni(size_t(w) * h), bi(size_t(w) * h);
      f.weightUni(uni.data(), w, a.data(), w, w, h, bitDepth);
      f.weightBi(bi.data(), w, a.data(), w, b.data(), w, w, h, bitDepth);
      for (size_t i = 0; i < a.size(); ++i) {
        bad += uni[i] != specUni(long(a[i]) + dsp::kMcPrepBias, bitDepth);
        bad += bi[i] != specBi(long(a[i]) + dsp::kMcPrepBias, long(b[i]) + dsp::kMcPrepBias, bitDepth);
      }
    }
  CHECK(bad == 0, "%s: %d weighted samples differ from the spec model", name, bad);
}

// ---- recon test: predictInterComponent / predictInter vs the model -----------------------
TEST_CASE(recon) {
  const int picW = 136, picH = 72;  // coded sizes are multiples of 8
  Picture pics[2];
  RefPlane model[2][3];
  for (int r = 0; r < 2; ++r) {
    pics[r].alloc(picW, picH);
    for (int c = 0; c < 3; ++c) {
      Plane& pl = pics[r].planes[c];
      model[r][c] = RefPlane{pl.width, pl.height, std::vector<int>(size_t(pl.width) * pl.height)};
      fill(model[r][c], r == 0 ? 0 : 1, 10);
      for (int y = 0; y < pl.height; ++y)
        for (int x = 0; x < pl.width; ++x) pl.at(x, y) = Pel(model[r][c].at(x, y));
    }
  }
  RefPicLists refs;
  refs.num[0] = 2;
  refs.num[1] = 1;
  refs.ref[0][0].pic = &pics[0];
  refs.ref[0][1].pic = &pics[1];
  refs.ref[1][0].pic = &pics[1];

  const int sides[] = {4, 8, 16, 32, 64, 128};
  int bad = 0, cases = 0;
  for (int it = 0; it < 400; ++it) {
    const int w = sides[rnd(0, 5)], h = sides[rnd(0, 5)];
    if (w * h < 32) continue;  // no 4x4 inter blocks
    const int x = rnd(0, 17) * 8, y = rnd(0, 9) * 8;
    MotionInfo mi;
    mi.interDir = uint8_t(rnd(1, 3));
    for (int l = 0; l < 2; ++l) {
      if (!mi.predFlag(l)) continue;
      mi.refIdx[l] = int8_t(l == 0 ? rnd(0, 1) : 0);
      const int range = it % 4 == 0 ? 4000 : 200;  // some far outside the picture
      mi.mv[l] = Mv(rnd(-range, range), rnd(-range, range));
      if (it % 7 == 0) mi.mv[l] = Mv(mi.mv[l].x & ~15, mi.mv[l].y & ~15);  // integer positions
    }
    std::vector<Pel> out[3];
    Pel* dst[3];
    ptrdiff_t stride[3];
    for (int c = 0; c < 3; ++c) {
      stride[c] = (c ? w / 2 : w) + 3;
      out[c].assign(size_t(stride[c]) * (c ? h / 2 : h), Pel(-1));
      dst[c] = out[c].data();
    }
    recon::predictInter(refs, mi, x, y, w, h, dst, stride);
    ++cases;
    bool ok = true;
    for (int c = 0; c < 3 && ok; ++c) {
      const int cw = c ? w / 2 : w, ch = c ? h / 2 : h, cx = c ? x / 2 : x, cy = c ? y / 2 : y;
      const int fb = c ? 5 : 4;
      for (int j = 0; j < ch && ok; ++j)
        for (int i = 0; i < cw && ok; ++i) {
          long pred[2];
          int k = 0;
          for (int l = 0; l < 2; ++l) {
            if (!mi.predFlag(l)) continue;
            const RefPlane& p = model[refs.ref[l][mi.refIdx[l]].pic == &pics[0] ? 0 : 1][c];
            const Mv& mv = mi.mv[l];
            pred[k++] = specPredSample(p, c != 0, cx + i + (mv.x >> fb), cy + j + (mv.y >> fb),
                                       mv.x & ((1 << fb) - 1), mv.y & ((1 << fb) - 1), 10);
          }
          const int spec = k == 1 ? specUni(pred[0], 10) : specBi(pred[0], pred[1], 10);
          const int got = out[c][size_t(j) * stride[c] + i];
          if (spec != got) {
            ok = false;
            std::printf("  predictInter c%d %dx%d at (%d,%d) dir %d mv0 (%d,%d) mv1 (%d,%d) sample "
                        "(%d,%d): spec %d got %d\n", c, w, h, x, y, mi.interDir, mi.mv[0].x,
                        mi.mv[0].y, mi.mv[1].x, mi.mv[1].y, i, j, spec, got);
          }
        }
      for (int j = 0; j < ch && ok; ++j)
        for (int i = cw; i < stride[c]; ++i) ok = ok && out[c][size_t(j) * stride[c] + i] == -1;
    }
    bad += !ok;
  }
  CHECK(bad == 0, "predictInter: %d of %d blocks differ from the spec model", bad, cases);

  // A refIdx naming no picture must not crash (grey block).
  MotionInfo broken;
  broken.interDir = 1;
  broken.refIdx[0] = 3;
  std::vector<Pel> out(64, Pel(0));
  recon::predictInterComponent(refs, broken, 0, 0, 0, 8, 8, out.data(), 8);
  CHECK_EQ(out[0], 512);
}

}  // namespace

TEST_CASE(kernelsC) { testKernels(dsp::mcFunctionsFor(dsp::DspLevel::C), "c"); }

TEST_CASE(kernelsSimd) {
  const dsp::McFunctions best = dsp::mcFunctionsFor(dsp::DspLevel::AVX2);
  if (best.interpLuma != dsp::mcInterpLuma_c) testKernels(best, best.isa);
}

int main(int argc, char** argv) { return runTestCases(argc, argv); }
