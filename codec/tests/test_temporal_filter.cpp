// Temporal pre-filter (encoder/temporal_filter): strength schedule, motion estimation of a shifted
// picture, static scenes unchanged, noise reduced, deterministic output.
#include <cmath>
#include <cstdint>
#include <vector>

#include "encoder/temporal_filter.h"
#include "test_check.h"

using namespace nnvvc;

namespace {

uint32_t rngState = 12345;
int rnd(int n) {  // deterministic LCG, 0..n-1
  rngState = rngState * 1664525u + 1013904223u;
  return int((rngState >> 8) % uint32_t(n));
}

// A smooth textured scene seen through a window displaced by (dx, dy) whole samples.
int scene(int x, int y) {
  return 512 + int(200 * std::sin(x * 0.21) * std::cos(y * 0.17) + 90 * std::sin((x + 2 * y) * 0.07));
}

Picture makePicture(int w, int h, int dx, int dy, int noiseAmp) {
  Picture p;
  p.alloc(w, h);
  for (int c = 0; c < 3; ++c) {
    Plane& pl = p.planes[c];
    const int s = c ? 2 : 1;
    for (int y = 0; y < pl.height; ++y)
      for (int x = 0; x < pl.width; ++x) {
        int v = c ? scene(x * s + dx + 7 * c, y * s + dy) / 2 + 256 : scene(x + dx, y + dy);
        if (noiseAmp) v += rnd(2 * noiseAmp + 1) - noiseAmp;
        pl.at(x, y) = Pel(clip3(0, 1023, v));
      }
  }
  return p;
}

double planeMse(const Plane& a, const Plane& b) {
  double s = 0;
  for (int y = 0; y < a.height; ++y)
    for (int x = 0; x < a.width; ++x) {
      const double d = a.at(x, y) - b.at(x, y);
      s += d * d;
    }
  return s / (double(a.width) * a.height);
}

bool samePicture(const Picture& a, const Picture& b) {
  for (int c = 0; c < 3; ++c)
    if (a.planes[c].data != b.planes[c].data) return false;
  return true;
}

std::vector<TemporalNeighbour> neighboursOf(const std::vector<Picture>& pics, const std::vector<int>& offsets) {
  std::vector<TemporalNeighbour> n;
  for (size_t i = 0; i < pics.size(); ++i) n.push_back(TemporalNeighbour{offsets[i], &pics[i]});
  return n;
}

}  // namespace

constexpr int W = 128, H = 96;
static TemporalFilterConfig testConfig() {
  TemporalFilterConfig cfg;
  cfg.baseQp = 32;
  return cfg;
}

// schedule: POC multiples of 8 (1.5 at multiples of 16), none below QP 17
TEST_CASE(strengthSchedule) {
  CHECK(temporalFilterStrength(0, 32) == 1.5);
  CHECK(temporalFilterStrength(16, 32) == 1.5);
  CHECK(temporalFilterStrength(8, 32) == 0.95);
  CHECK(temporalFilterStrength(24, 22) == 0.95);
  CHECK(temporalFilterStrength(4, 32) == 0.0);
  CHECK(temporalFilterStrength(13, 37) == 0.0);
  CHECK(temporalFilterStrength(16, 16) == 0.0);
}

// motion estimation finds a whole-sample shift (interior blocks) with a small error
TEST_CASE(motionFindsWholeSampleShift) {
  {
    const Picture cur = makePicture(W, H, 0, 0, 0);
    const Picture ref = makePicture(W, H, 5, -3, 0);  // ref(x) = scene(x + 5): cur(x) = ref(x - 5)
    const std::vector<TfBlockMotion> mv = temporalFilterMotion(cur, ref);
    CHECK_EQ(mv.size(), size_t((W / 8) * (H / 8)));
    int exact = 0, interior = 0;
    for (int by = 2; by < H / 8 - 2; ++by)
      for (int bx = 2; bx < W / 8 - 2; ++bx) {
        const TfBlockMotion& m = mv[size_t(by * (W / 8) + bx)];
        ++interior;
        if (m.mvx == -5 * 16 && m.mvy == 3 * 16) ++exact;
        CHECK(m.error < 50, "block %d,%d error %d", bx, by, m.error);
      }
    CHECK(exact == interior, "%d of %d interior blocks found the shift", exact, interior);
  }
}

// a static, noiseless scene stays unchanged
TEST_CASE(staticSceneUnchanged) {
  const TemporalFilterConfig cfg = testConfig();
  {
    Picture cur = makePicture(W, H, 0, 0, 0);
    const Picture before = cur;
    std::vector<Picture> refs;
    for (int i = 0; i < 4; ++i) refs.push_back(makePicture(W, H, 0, 0, 0));
    temporalFilterPicture(cur, neighboursOf(refs, {-2, -1, 1, 2}), cfg, 1.5);
    CHECK(samePicture(cur, before));
  }
}

// noise is reduced: independent noise on each picture of a static scene
TEST_CASE(staticNoiseReduced) {
  const TemporalFilterConfig cfg = testConfig();
  {
    const Picture clean = makePicture(W, H, 0, 0, 0);
    Picture cur = makePicture(W, H, 0, 0, 12);
    std::vector<Picture> refs;
    for (int i = 0; i < 8; ++i) refs.push_back(makePicture(W, H, 0, 0, 12));
    const double before = planeMse(cur.planes[0], clean.planes[0]);
    temporalFilterPicture(cur, neighboursOf(refs, {-4, -3, -2, -1, 1, 2, 3, 4}), cfg, 1.5);
    const double after = planeMse(cur.planes[0], clean.planes[0]);
    std::printf("static noisy scene: luma MSE %.2f -> %.2f\n", before, after);
    CHECK(after < 0.6 * before, "MSE %.2f -> %.2f", before, after);
    const double cb0 = planeMse(makePicture(W, H, 0, 0, 12).planes[1], clean.planes[1]);
    CHECK(planeMse(cur.planes[1], clean.planes[1]) < cb0);
  }
}

// moving scene: the neighbours are motion compensated, so noise is reduced and the picture
// is not blurred toward the displaced content
TEST_CASE(movingSceneCompensated) {
  const TemporalFilterConfig cfg = testConfig();
  {
    const Picture clean = makePicture(W, H, 0, 0, 0);
    Picture cur = makePicture(W, H, 0, 0, 10);
    std::vector<Picture> refs;
    const std::vector<int> offsets = {-2, -1, 1, 2};
    for (int o : offsets) refs.push_back(makePicture(W, H, 3 * o, -2 * o, 10));
    const double before = planeMse(cur.planes[0], clean.planes[0]);
    Picture again = cur;
    temporalFilterPicture(cur, neighboursOf(refs, offsets), cfg, 1.5);
    const double after = planeMse(cur.planes[0], clean.planes[0]);
    std::printf("moving noisy scene: luma MSE %.2f -> %.2f\n", before, after);
    CHECK(after < 0.75 * before, "MSE %.2f -> %.2f", before, after);
    // deterministic
    temporalFilterPicture(again, neighboursOf(refs, offsets), cfg, 1.5);
    CHECK(samePicture(cur, again));
  }
}

// no neighbours or no strength: untouched
TEST_CASE(noNeighboursOrStrengthUntouched) {
  const TemporalFilterConfig cfg = testConfig();
  {
    Picture cur = makePicture(W, H, 0, 0, 10);
    const Picture before = cur;
    temporalFilterPicture(cur, {}, cfg, 1.5);
    CHECK(samePicture(cur, before));
    std::vector<Picture> refs{makePicture(W, H, 4, 0, 10)};
    temporalFilterPicture(cur, neighboursOf(refs, {1}), cfg, 0.0);
    CHECK(samePicture(cur, before));
  }

}

int main(int argc, char** argv) { return runTestCases(argc, argv); }
