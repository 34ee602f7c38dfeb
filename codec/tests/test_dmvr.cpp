// Decoder-side motion vector refinement (recon/dmvr, dsp/dmvr): the bilinear kernel against a
// per-sample transcription, the refinement search on pictures whose answer is worked out by hand
// from the spec's rules (centre bias, 5x5 integer search, parametric sub-sample step, the
// significance and BDOF thresholds), the windowed motion compensation, predictInter's switch and
// the refined motion field TMVP reads.
#include <cstdlib>
#include <random>
#include <vector>

#include "common/coding_structs.h"
#include "common/motion.h"
#include "common/slice_params.h"
#include "dsp/dmvr.h"
#include "recon/dmvr.h"
#include "recon/inter_pred.h"
#include "test_check.h"

using namespace nnvvc;

namespace {

std::mt19937 g_rng(4321);
int rnd(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(g_rng); }

// A picture whose three planes hold fn(x, y) (chroma at its own coordinates).
template <typename F>
void makePicture(Picture& p, int w, int h, F fn) {
  p.alloc(w, h);
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < p.planes[c].height; ++y)
      for (int x = 0; x < p.planes[c].width; ++x) p.planes[c].at(x, y) = Pel(fn(x, y));
}

RefPicLists twoRefs(const Picture& a, const Picture& b) {
  RefPicLists refs;
  refs.num[0] = refs.num[1] = 1;
  refs.ref[0][0] = RefPic{&a, nullptr, 4, false};
  refs.ref[1][0] = RefPic{&b, nullptr, 12, false};
  return refs;
}

MotionInfo biZero() {
  MotionInfo mi;
  mi.interDir = 3; mi.refIdx[0] = 0; mi.refIdx[1] = 0;
  return mi;
}

}  // namespace

TEST_CASE(bilinear_vs_formula) {
  std::vector<Pel> src(40 * 40);
  for (Pel& v : src) v = Pel(rnd(0, 1023));
  for (int xf = 0; xf < 16; ++xf)
    for (int yf = 0; yf < 16; yf += 5) {
      const int w = 20, h = 12;
      std::vector<Pel> out(size_t(w * h));
      dsp::dmvrBilinear_c(out.data(), w, src.data(), 40, w, h, xf, yf);
      int bad = 0;
      for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
          auto s = [&](int dx, int dy) { return int(src[(y + dy) * 40 + x + dx]); };
          auto hor = [&](int dy) { return ((16 - xf) * s(0, dy) + xf * s(1, dy) + 8) >> 4; };
          int e;
          if (!xf && !yf) e = s(0, 0);
          else if (!yf) e = hor(0);
          else if (!xf) e = ((16 - yf) * s(0, 0) + yf * s(0, 1) + 8) >> 4;
          else e = ((16 - yf) * hor(0) + yf * hor(1) + 8) >> 4;
          bad += out[y * w + x] != e;
        }
      CHECK(bad == 0, "phase (%d, %d): %d samples differ", xf, yf, bad);
    }
}

TEST_CASE(sad_even_rows) {
  std::vector<Pel> a(16 * 16), b(16 * 16);
  for (size_t i = 0; i < a.size(); ++i) { a[i] = Pel(rnd(0, 1023)); b[i] = Pel(rnd(0, 1023)); }
  uint32_t e = 0;
  for (int y = 0; y < 16; y += 2)
    for (int x = 0; x < 16; ++x) e += uint32_t(std::abs(a[y * 16 + x] - b[y * 16 + x]));
  CHECK_EQ(dsp::dmvrSadEvenRows_c(a.data(), 16, b.data(), 16, 16, 16), e);
}

// L0 shows g one sample to the right, L1 one to the left of the current picture, with
// g(x, y) = 4x + 3y: the bilateral offset (1, 0) matches exactly (cost 0). Costs by hand
// (8 even rows x 16 columns = 128 samples): centre 128 * 8 = 1024, favoured to 768 (>= 256:
// significant); (2, 0): 1024; (1, -1) and (1, 1): 768 each. Parametric step in x: den = 768 +
// 1024 - 0, num = (768 - 1024) * 8 = -2048 -> -(2048 div 1792) = -1; in y: symmetric -> 0.
// So delta = (16 - 1, 0) = (15, 0); final cost 0 < 2 * 256: no BDOF on the subblock.
TEST_CASE(refine_ramp_by_hand) {
  Picture p0, p1;
  makePicture(p0, 96, 96, [](int x, int y) { return 100 + 4 * (x - 1) + 3 * y; });
  makePicture(p1, 96, 96, [](int x, int y) { return 100 + 4 * (x + 1) + 3 * y; });
  const RefPicLists refs = twoRefs(p0, p1);
  const MotionInfo mi = biZero();
  CHECK(recon::dmvrApplies(refs, mi, 8, 16, 16));
  recon::DmvrRefinement r;
  recon::dmvrRefine(refs, mi, 32, 32, 16, 16, true, r);
  CHECK_EQ(r.numX, 1); CHECK_EQ(r.numY, 1);
  CHECK_EQ(r.delta[0].x, 15);
  CHECK_EQ(r.delta[0].y, 0);
  CHECK(!r.bdof[0]);
  // a 32x16 CU: two subblocks, the same answer in each
  recon::dmvrRefine(refs, mi, 32, 32, 32, 16, true, r);
  CHECK_EQ(r.numX, 2); CHECK_EQ(r.numY, 1);
  CHECK_EQ(r.delta[1].x, 15);
  const MotionInfo rm = recon::dmvrRefinedMotion(mi, r, 1);
  CHECK_EQ(rm.mv[0].x, 15); CHECK_EQ(rm.mv[1].x, -15);
}

// A flat picture pair: centre cost 0 < 16 * 16, not significant: no search, no offset, no BDOF.
// A pair whose best offset lies on the search border (2 samples): integer only, no sub-sample step.
TEST_CASE(refine_flat_and_border) {
  Picture f0, f1;
  makePicture(f0, 64, 64, [](int, int) { return 500; });
  makePicture(f1, 64, 64, [](int, int) { return 500; });
  recon::DmvrRefinement r;
  recon::dmvrRefine(twoRefs(f0, f1), biZero(), 16, 16, 16, 16, true, r);
  CHECK(r.delta[0] == Mv());
  CHECK(!r.bdof[0]);
  Picture b0, b1;  // g shifted by 2 each way: offset (2, 0) matches exactly
  makePicture(b0, 96, 96, [](int x, int y) { return 100 + 4 * (x - 2) + 3 * y; });
  makePicture(b1, 96, 96, [](int x, int y) { return 100 + 4 * (x + 2) + 3 * y; });
  recon::dmvrRefine(twoRefs(b0, b1), biZero(), 32, 32, 16, 8, false, r);
  CHECK_EQ(r.delta[0].x, 32);
  CHECK_EQ(r.delta[0].y, 0);
}

// Whole-sample merge MVs and an integer refinement: the windowed prediction reads no sample
// beyond the unrefined block's window, so it equals plain bi-prediction at the refined MVs.
// Fractional merge MVs near the picture edge: still equal to plain prediction wherever the 8-tap
// support stays inside the window, and predictInter with the tools switch runs the same path.
TEST_CASE(prediction_windowed) {
  Picture p0, p1;
  std::vector<int> g(200 * 200);
  for (int& v : g) v = rnd(0, 1023);
  makePicture(p0, 128, 96, [&](int x, int y) { return g[(y + 20) * 200 + x + 20 - 2]; });
  makePicture(p1, 128, 96, [&](int x, int y) { return g[(y + 20) * 200 + x + 20 + 2]; });
  const RefPicLists refs = twoRefs(p0, p1);
  MotionInfo mi = biZero();
  mi.mv[0] = Mv(16 * 3, -16 * 2);  // whole-sample merge MVs, opposite
  mi.mv[1] = Mv(-16 * 3, 16 * 2);
  const int x = 48, y = 40, w = 32, h = 16;
  recon::DmvrRefinement r;
  recon::dmvrRefine(refs, mi, x, y, w, h, false, r);
  std::vector<Pel> a(size_t(w * h) * 2), b(size_t(w * h) * 2);
  Pel* da[3] = {a.data(), a.data() + w * h, a.data() + w * h + (w / 2) * (h / 2)};
  Pel* db[3] = {b.data(), b.data() + w * h, b.data() + w * h + (w / 2) * (h / 2)};
  const ptrdiff_t st[3] = {w, w / 2, w / 2};
  recon::predictDmvr(refs, mi, x, y, w, h, r, da, st);
  bool integer = true;
  for (int i = 0; i < r.numX * r.numY; ++i) integer &= (r.delta[i].x & 15) == 0 && (r.delta[i].y & 15) == 0;
  CHECK(integer, "random texture: the search should end on whole samples here");
  int bad = 0;
  for (int i = 0; i < r.numX * r.numY; ++i) {
    const int ox = (i % r.numX) * r.sbW, oy = (i / r.numX) * r.sbH;
    const MotionInfo rm = recon::dmvrRefinedMotion(mi, r, i);
    Pel* dp[3] = {db[0] + oy * w + ox, db[1] + (oy / 2) * (w / 2) + ox / 2, db[2] + (oy / 2) * (w / 2) + ox / 2};
    recon::predictInter(refs, rm, x + ox, y + oy, r.sbW, r.sbH, dp, st);  // plain, no tools
  }
  for (size_t i = 0; i < a.size(); ++i) bad += a[i] != b[i];
  CHECK(bad == 0, "%d samples differ from plain bi-prediction at the refined MVs", bad);
  // the true offset: L0 reads g at x + 1 + d, L1 at x - 1 - d (d = -1); rows y - 2 + d' and y + 2 - d' (d' = 2,
  // on the search border: no sub-sample step)
  CHECK_EQ(r.delta[0].x, -16);
  CHECK_EQ(r.delta[0].y, 32);
  // predictInter with DMVR on for a merge CU == refine + predictDmvr; off == plain at the merge MVs
  std::vector<Pel> c(a.size());
  Pel* dc[3] = {c.data(), c.data() + w * h, c.data() + w * h + (w / 2) * (h / 2)};
  SliceParams slice;
  slice.poc = 8; slice.dmvr = true; slice.bdof = false;
  recon::predictInter(refs, mi, x, y, w, h, dc, st, recon::interToolsOf(slice, true));
  CHECK(c == a);
  recon::predictInter(refs, mi, x, y, w, h, dc, st, recon::interToolsOf(slice, false));  // AMVP CU: no DMVR
  recon::predictInter(refs, mi, x, y, w, h, db, st);
  CHECK(c == b);
}

// The stored motion: merge CUs get their refined MVs per subblock, AMVP CUs keep theirs; nothing
// when the slice has no DMVR.
TEST_CASE(motion_field) {
  Picture p0, p1;
  makePicture(p0, 96, 96, [](int x, int y) { return 100 + 4 * (x - 1) + 3 * y; });
  makePicture(p1, 96, 96, [](int x, int y) { return 100 + 4 * (x + 1) + 3 * y; });
  const RefPicLists refs = twoRefs(p0, p1);
  std::vector<CtuCoding> ctus(1);
  CodingUnit merge, amvp;
  merge.x = 32; merge.y = 32; merge.w = 32; merge.h = 16; merge.predMode = PredMode::kInter; merge.merge = true;
  merge.motion = biZero();
  amvp = merge; amvp.y = 48; amvp.merge = false;
  ctus[0].cus = {merge, amvp};
  SliceParams slice;
  slice.poc = 8; slice.refs = &refs; slice.dmvr = false;
  MotionField mf;
  mf.init(96, 96);
  mf.set(32, 32, 32, 32, biZero());  // (away from the picture edge, where clamping bends the ramp)
  recon::applyDmvrToMotionField(ctus, slice, mf);
  CHECK_EQ(mf.at(52, 36)->mv[0].x, 0);
  slice.dmvr = true;
  recon::applyDmvrToMotionField(ctus, slice, mf);
  CHECK_EQ(mf.at(36, 36)->mv[0].x, 15);
  CHECK_EQ(mf.at(52, 44)->mv[1].x, -15);
  CHECK_EQ(mf.at(52, 52)->mv[0].x, 0);  // the AMVP CU
}

int main(int argc, char** argv) { return runTestCases(argc, argv); }
