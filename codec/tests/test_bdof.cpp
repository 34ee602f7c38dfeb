// Bi-directional optical flow (recon/bdof, dsp/bdof): the CU condition (8.5.6.1) and the luma
// prediction against a direct transcription of the spec text (8.5.6.3.1 border samples, 8.5.6.5
// with unbiased 14-bit values, Clip3 window positions and the split sGxGy product), written
// independently of the kernel's layout; plus predictInter's switch.
#include <cstdlib>
#include <random>
#include <vector>

#include "common/motion.h"
#include "dsp/bdof.h"
#include "dsp/mc.h"
#include "recon/bdof.h"
#include "recon/inter_pred.h"
#include "test_check.h"

using namespace nnvvc;

namespace {

std::mt19937 g_rng(1234);
int rnd(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(g_rng); }
int clip3(int lo, int hi, int v) { return v < lo ? lo : (v > hi ? hi : v); }
int sign(int v) { return v > 0 ? 1 : (v < 0 ? -1 : 0); }
int floorLog2(int v) { int n = -1; while (v) { v >>= 1; ++n; } return n; }

void fillPicture(Picture& p, int w, int h, int kind) {
  p.alloc(w, h);
  for (int c = 0; c < 3; ++c) {
    Plane& pl = p.planes[c];
    for (int y = 0; y < pl.height; ++y)
      for (int x = 0; x < pl.width; ++x) {
        int v;
        if (kind == 0) v = rnd(0, 1023);                                          // noise
        else if (kind == 1) v = 512 + ((x * 7 + y * 3) % 200) + rnd(-20, 20);     // ramps
        else v = ((x / 3 + y / 5) & 1) ? 1023 : 0;                                // extreme edges
        pl.at(x, y) = Pel(clip3(0, 1023, v));
      }
  }
}

// predSamplesLX of one subblock (sbW + 2) x (sbH + 2), unbiased 14-bit: interior from the mc
// interpolation (tested against its own model in test_dsp_mc), border per 8.5.6.3.1.
std::vector<int> specExtended(const Plane& ref, Mv mv, int xSb, int ySb, int sbW, int sbH) {
  std::vector<int> out(size_t(sbW + 2) * (sbH + 2));
  std::vector<int16_t> mid(size_t(sbW) * sbH);
  recon::interpolateBlock(ref, mv, 0, xSb, ySb, sbW, sbH, mid.data(), sbW);
  const int xIntBase = xSb + (mv.x >> 4), yIntBase = ySb + (mv.y >> 4);
  const int xFrac = mv.x & 15, yFrac = mv.y & 15;
  for (int yL = 0; yL < sbH + 2; ++yL)
    for (int xL = 0; xL < sbW + 2; ++xL) {
      int v;
      if (xL == 0 || yL == 0 || xL == sbW + 1 || yL == sbH + 1) {
        const int xInt = xIntBase + xL - 1 + (xFrac >> 3), yInt = yIntBase + yL - 1 + (yFrac >> 3);
        v = ref.at(clip3(0, ref.width - 1, xInt), clip3(0, ref.height - 1, yInt)) << 4;  // shift3 = 4
      } else {
        v = mid[(yL - 1) * sbW + (xL - 1)] + dsp::kMcPrepBias;
      }
      out[yL * (sbW + 2) + xL] = v;
    }
  return out;
}

// 8.5.6.5 for one subblock, 10-bit: shift1 6, shift2 4, shift3 1, shift4 5, mvRefineThres 16.
void specBdof(const std::vector<int>& L0, const std::vector<int>& L1, int nW, int nH, Pel* dst, ptrdiff_t ds) {
  const int W = nW + 2;
  auto P0 = [&](int x, int y) { return L0[y * W + x]; };
  auto P1 = [&](int x, int y) { return L1[y * W + x]; };
  const int thres = 1 << 4;
  for (int yIdx = 0; yIdx < (nH >> 2); ++yIdx)
    for (int xIdx = 0; xIdx < (nW >> 2); ++xIdx) {
      const int xSb = (xIdx << 2) + 1, ySb = (yIdx << 2) + 1;
      int sGx2 = 0, sGy2 = 0, sGxGy = 0, sGxdI = 0, sGydI = 0;
      for (int i = -1; i <= 4; ++i)
        for (int j = -1; j <= 4; ++j) {
          const int hx = clip3(1, nW, xSb + i), vy = clip3(1, nH, ySb + j);
          const int gH0 = (P0(hx + 1, vy) >> 6) - (P0(hx - 1, vy) >> 6);
          const int gV0 = (P0(hx, vy + 1) >> 6) - (P0(hx, vy - 1) >> 6);
          const int gH1 = (P1(hx + 1, vy) >> 6) - (P1(hx - 1, vy) >> 6);
          const int gV1 = (P1(hx, vy + 1) >> 6) - (P1(hx, vy - 1) >> 6);
          const int diff = (P0(hx, vy) >> 4) - (P1(hx, vy) >> 4);
          const int tH = (gH0 + gH1) >> 1, tV = (gV0 + gV1) >> 1;
          sGx2 += std::abs(tH);
          sGy2 += std::abs(tV);
          sGxGy += sign(tV) * tH;
          sGxdI += -sign(tH) * diff;
          sGydI += -sign(tV) * diff;
        }
      const int vx = sGx2 > 0 ? clip3(-thres + 1, thres - 1, (sGxdI * 4) >> floorLog2(sGx2)) : 0;
      const int sGxGym = sGxGy >> 12, sGxGys = sGxGy & ((1 << 12) - 1);
      // The spec's ">> 1" of the product: an arithmetic shift (floor), not a division.
      const int prod = ((vx * sGxGym) * (1 << 12) + vx * sGxGys) >> 1;
      const int vyS = sGy2 > 0 ? clip3(-thres + 1, thres - 1, ((sGydI * 4) - prod) >> floorLog2(sGy2)) : 0;
      for (int x = xSb - 1; x < xSb + 3; ++x)
        for (int y = ySb - 1; y < ySb + 3; ++y) {
          const int gH0 = (P0(x + 2, y + 1) >> 6) - (P0(x, y + 1) >> 6);
          const int gH1 = (P1(x + 2, y + 1) >> 6) - (P1(x, y + 1) >> 6);
          const int gV0 = (P0(x + 1, y + 2) >> 6) - (P0(x + 1, y) >> 6);
          const int gV1 = (P1(x + 1, y + 2) >> 6) - (P1(x + 1, y) >> 6);
          const int off = vx * (gH0 - gH1) + vyS * (gV0 - gV1);
          dst[y * ds + x] = Pel(clip3(0, 1023, (P0(x + 1, y + 1) + 16 + P1(x + 1, y + 1) + off) >> 5));
        }
    }
}

TEST_CASE(condition) {
  Picture a, b;
  fillPicture(a, 64, 64, 0);
  fillPicture(b, 64, 64, 0);
  RefPicLists refs;
  refs.num[0] = 2; refs.num[1] = 1;
  refs.ref[0][0] = RefPic{&a, nullptr, 4, false};
  refs.ref[0][1] = RefPic{&a, nullptr, 2, false};
  refs.ref[1][0] = RefPic{&b, nullptr, 12, false};
  MotionInfo mi;
  mi.interDir = 3; mi.refIdx[0] = 0; mi.refIdx[1] = 0;
  CHECK(recon::bdofApplies(refs, mi, 8, 16, 8));             // 8 - 4 == 12 - 8
  CHECK(recon::bdofApplies(refs, mi, 8, 8, 16));
  CHECK(!recon::bdofApplies(refs, mi, 8, 8, 8));             // area < 128
  CHECK(!recon::bdofApplies(refs, mi, 8, 4, 32));            // width < 8
  CHECK(!recon::bdofApplies(refs, mi, 8, 32, 4));
  CHECK(!recon::bdofApplies(refs, mi, 7, 16, 16));           // unequal distances
  mi.refIdx[0] = 1;
  CHECK(!recon::bdofApplies(refs, mi, 8, 16, 16));           // 8 - 2 != 12 - 8
  CHECK(recon::bdofApplies(refs, mi, 7, 16, 16));            // 7 - 2 == 12 - 7
  refs.ref[1][0].longTerm = true;
  CHECK(!recon::bdofApplies(refs, mi, 7, 16, 16));           // long-term reference
  refs.ref[1][0].longTerm = false;
  // Both references on the same side (L0 after, L1 before is fine when symmetric).
  refs.ref[0][0].poc = 12; refs.ref[1][0].poc = 4; mi.refIdx[0] = 0;
  CHECK(recon::bdofApplies(refs, mi, 8, 16, 16));
  refs.ref[1][0].poc = 16;
  CHECK(!recon::bdofApplies(refs, mi, 8, 16, 16));           // 12 and 16 both after 8
  mi.interDir = 1; mi.refIdx[1] = -1;
  CHECK(!recon::bdofApplies(refs, mi, 8, 16, 16));           // uni-prediction
  mi.interDir = 3; mi.refIdx[1] = 3;
  CHECK(!recon::bdofApplies(refs, mi, 8, 16, 16));           // refIdx beyond the list
}

TEST_CASE(prediction_vs_spec) {
  const int picW = 96, picH = 64;
  int bad = 0, cases = 0;
  for (int it = 0; it < 300; ++it) {
    Picture a, b;
    fillPicture(a, picW, picH, it % 3);
    fillPicture(b, picW, picH, (it / 3) % 3);
    RefPicLists refs;
    refs.num[0] = refs.num[1] = 1;
    refs.ref[0][0] = RefPic{&a, nullptr, 0, false};
    refs.ref[1][0] = RefPic{&b, nullptr, 16, false};
    const int sides[] = {8, 16, 32, 64};
    const int w = sides[rnd(0, 3)], h = sides[rnd(0, 3)];
    if (w * h < 128) continue;
    const int x = rnd(0, (picW - w) / 8) * 8, y = rnd(0, (picH - h) / 8) * 8;
    MotionInfo mi;
    mi.interDir = 3; mi.refIdx[0] = 0; mi.refIdx[1] = 0;
    for (int l = 0; l < 2; ++l) {
      const int range = it % 5 == 0 ? 1500 : 64;  // some far outside the picture (clamping)
      mi.mv[l] = Mv(rnd(-range, range), rnd(-range, range));
      if (it % 7 == 0) mi.mv[l] = Mv(mi.mv[l].x & ~15, mi.mv[l].y & ~15);
      if (it % 11 == 0) mi.mv[l] = Mv((mi.mv[l].x & ~15) | 8, (mi.mv[l].y & ~15) | 7);  // rounding edge
    }
    CHECK(recon::bdofApplies(refs, mi, 8, w, h));
    std::vector<Pel> got(size_t(w) * h, Pel(-1)), want(size_t(w) * h, Pel(-2));
    recon::predictBdofLuma(refs, mi, x, y, w, h, got.data(), w);
    const int sbW = w < 16 ? w : 16, sbH = h < 16 ? h : 16;
    for (int ys = 0; ys < h; ys += sbH)
      for (int xs = 0; xs < w; xs += sbW) {
        const auto L0 = specExtended(a.planes[0], mi.mv[0], x + xs, y + ys, sbW, sbH);
        const auto L1 = specExtended(b.planes[0], mi.mv[1], x + xs, y + ys, sbW, sbH);
        specBdof(L0, L1, sbW, sbH, want.data() + ys * w + xs, w);
      }
    ++cases;
    if (got != want) {
      if (bad < 3) std::printf("  %dx%d at (%d,%d) mv (%d,%d) (%d,%d) differs\n", w, h, x, y, mi.mv[0].x,
                               mi.mv[0].y, mi.mv[1].x, mi.mv[1].y);
      ++bad;
    }
  }
  CHECK(bad == 0, "%d of %d blocks differ from the spec transcription", bad, cases);
  CHECK(cases > 100);
}

TEST_CASE(predict_inter_switch) {
  // Same picture in both lists at symmetric POCs, same MV: BDOF sees dI = 0, so vx = vy = 0 and
  // the result equals the plain bi-average; a different second reference changes luma only.
  Picture a, b;
  fillPicture(a, 64, 64, 1);
  fillPicture(b, 64, 64, 0);
  RefPicLists refs;
  refs.num[0] = refs.num[1] = 1;
  refs.ref[0][0] = RefPic{&a, nullptr, 0, false};
  refs.ref[1][0] = RefPic{&a, nullptr, 16, false};
  MotionInfo mi;
  mi.interDir = 3; mi.refIdx[0] = 0; mi.refIdx[1] = 0;
  mi.mv[0] = mi.mv[1] = Mv(37, -21);
  const int w = 32, h = 16;
  std::vector<Pel> p[2][3];
  Pel* dst[2][3];
  const ptrdiff_t st[3] = {w, w / 2, w / 2};
  for (int k = 0; k < 2; ++k)
    for (int c = 0; c < 3; ++c) { p[k][c].assign(size_t(w) * h, 0); dst[k][c] = p[k][c].data(); }
  recon::InterPredTools on{true, 8};
  recon::predictInter(refs, mi, 8, 8, w, h, dst[0], st, on);
  recon::predictInter(refs, mi, 8, 8, w, h, dst[1], st);
  for (int c = 0; c < 3; ++c) CHECK(p[0][c] == p[1][c], "identical lists: component %d", c);
  refs.ref[1][0].pic = &b;
  mi.mv[1] = Mv(-5, 3);
  recon::predictInter(refs, mi, 8, 8, w, h, dst[0], st, on);
  recon::predictInter(refs, mi, 8, 8, w, h, dst[1], st);
  CHECK(p[0][0] != p[1][0], "BDOF changes luma");
  CHECK(p[0][1] == p[1][1] && p[0][2] == p[1][2], "chroma untouched");
  recon::InterPredTools asym{true, 9};  // 9 - 0 != 16 - 9: no BDOF
  recon::predictInter(refs, mi, 8, 8, w, h, dst[0], st, asym);
  CHECK(p[0][0] == p[1][0], "asymmetric POCs: plain bi-prediction");
}

}  // namespace

int main(int argc, char** argv) { return runTestCases(argc, argv); }
