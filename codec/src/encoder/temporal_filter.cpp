#include "encoder/temporal_filter.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>

#include "common/yuv_io.h"
#include "dsp/dsp.h"
#include "dsp/mc.h"
#include "common/padded_plane.h"

namespace nnvvc {

namespace {

constexpr int kMargin = 96;        // luma padding around every plane used by the search / compensation
constexpr int kSearchBlock = 16;   // block size of the three coarse search levels
constexpr int kFilterBlock = 8;    // luma block size of the final motion field and of the filter
constexpr int kMvUnit = 16;        // vectors are kept in 1/16 sample of the level's resolution
constexpr int kSseStrip = 4;       // rows summed between the checks against the best cost so far

PaddedPlane padPlane(const Plane& src, int margin) {
  PaddedPlane p;
  p.assign(src.data.data(), src.stride, src.width, src.height, src.width, src.height, margin);
  return p;
}

// 2:1 subsampling by the rounded mean of each 2x2 quad.
PaddedPlane halve(const PaddedPlane& in) {
  PaddedPlane out;
  out.alloc(in.width / 2, in.height / 2, kMargin);
  for (int y = 0; y < out.height; ++y) {
    const Pel* a = in.at(0, 2 * y);
    const Pel* b = in.at(0, 2 * y + 1);
    Pel* d = out.at(0, y);
    for (int x = 0; x < out.width; ++x)
      d[x] = Pel((a[2 * x] + a[2 * x + 1] + b[2 * x] + b[2 * x + 1] + 2) >> 2);
  }
  out.extendBorders();
  return out;
}

struct Candidate {
  int mvx = 0, mvy = 0;
  uint64_t sse = std::numeric_limits<uint64_t>::max();
};

// One resolution level of the search: a block grid over `cur` with its best vectors toward `ref`.
struct MotionLevel {
  int cols = 0, rows = 0, blockSize = 0;
  std::vector<Candidate> field;
  const Candidate& get(int bx, int by) const { return field[size_t(by) * size_t(cols) + size_t(bx)]; }
};

class BlockMatcher {
 public:
  BlockMatcher(const PaddedPlane& cur, const PaddedPlane& ref)
      : cur_(cur), ref_(ref), dsp_(dsp::distFunctions()), mc_(dsp::mcFunctions()) {}

  // Whether the vector keeps the block (and the interpolation taps) inside the padded reference.
  bool reachable(int x, int y, int bs, int mvx, int mvy) const {
    const int ix = x + (mvx >> 4), iy = y + (mvy >> 4);
    const int lim = ref_.margin - 4;
    return ix >= -lim && iy >= -lim && ix + bs <= ref_.width + lim && iy + bs <= ref_.height + lim;
  }

  // SSE between the block of `cur` at (x, y) and the reference displaced by (mvx, mvy) / 16
  // (fractional positions interpolated with the spec's luma filter, rounded to samples). Summed in
  // strips of 4 rows, it stops once it reaches `bound`: a vector that cannot beat the best one so
  // far is rejected early (most of a search grid), and the vectors chosen are the same.
  uint64_t cost(int x, int y, int bs, int mvx, int mvy, uint64_t bound = std::numeric_limits<uint64_t>::max()) {
    if (!reachable(x, y, bs, mvx, mvy)) return std::numeric_limits<uint64_t>::max();
    const Pel* src = ref_.at(x + (mvx >> 4), y + (mvy >> 4));
    if (((mvx | mvy) & 15) == 0) return boundedSse(x, y, src, ref_.stride, bs, bound);
    mc_.interpLuma(tmp16_, kSearchBlock, src, ref_.stride, bs, bs, mvx & 15, mvy & 15, kBitDepth);
    mc_.weightUni(tmpPel_, kSearchBlock, tmp16_, kSearchBlock, bs, bs, kBitDepth);
    return boundedSse(x, y, tmpPel_, kSearchBlock, bs, bound);
  }

  // tryVector only takes a cost below the best one's, so a sum stopped at that bound changes nothing.
  void tryVector(int x, int y, int bs, int mvx, int mvy, Candidate& best) {
    const uint64_t c = cost(x, y, bs, mvx, mvy, best.sse);
    if (c < best.sse) best = Candidate{mvx, mvy, c};
  }

  // Every vector of a (2 * range + 1)^2 grid with spacing `step` (1/16 units) around `center`.
  void searchGrid(int x, int y, int bs, Candidate center, int range, int step, Candidate& best) {
    for (int dy = -range; dy <= range; ++dy)
      for (int dx = -range; dx <= range; ++dx) tryVector(x, y, bs, center.mvx + dx * step, center.mvy + dy * step, best);
  }

  // SSE of the bs x bs block of `cur` at (x, y) against `pred`, stopped at the first strip of
  // kSseStrip rows where the sum reaches `bound` (then only known to be >= bound).
  uint64_t boundedSse(int x, int y0, const Pel* pred, ptrdiff_t predStride, int bs, uint64_t bound) const {
    const Pel* c = cur_.at(x, y0);
    uint64_t sum = 0;
    for (int y = 0; y < bs; y += kSseStrip) {
      sum += dsp_.sse(c + ptrdiff_t(y) * cur_.stride, cur_.stride, pred + ptrdiff_t(y) * predStride, predStride, bs, kSseStrip);
      if (sum >= bound) break;
    }
    return sum;
  }

  // Searches one level. `coarse` (null on the coarsest level) is the level below in resolution
  // or block size; `coarseScale` maps this level's sample positions to it (2: half resolution,
  // 1: same resolution with 16x16 blocks) and scales its vectors. `subSample` adds the 1/4 and
  // 1/16 sample refinement (final level).
  MotionLevel search(int bs, const MotionLevel* coarse, int coarseScale, int range, bool subSample) {
    MotionLevel lv;
    lv.blockSize = bs;
    lv.cols = cur_.width / bs;
    lv.rows = cur_.height / bs;
    lv.field.resize(size_t(lv.cols) * size_t(lv.rows));
    for (int by = 0; by < lv.rows; ++by) {
      for (int bx = 0; bx < lv.cols; ++bx) {
        const int x = bx * bs, y = by * bs;
        Candidate best;
        if (coarse) {
          // predictors: the coarse vectors of the co-located block and its 8 neighbours, and zero
          const int cx = x / (coarseScale * coarse->blockSize), cy = y / (coarseScale * coarse->blockSize);
          for (int ny = cy - 1; ny <= cy + 1; ++ny)
            for (int nx = cx - 1; nx <= cx + 1; ++nx) {
              if (nx < 0 || ny < 0 || nx >= coarse->cols || ny >= coarse->rows) continue;
              const Candidate& c = coarse->get(nx, ny);
              tryVector(x, y, bs, c.mvx * coarseScale, c.mvy * coarseScale, best);
            }
          tryVector(x, y, bs, 0, 0, best);
        }
        // integer search around the best predictor (around zero on the coarsest level)
        if (range > 0) {
          Candidate center = best;
          center.mvx = (center.mvx >> 4) * kMvUnit;
          center.mvy = (center.mvy >> 4) * kMvUnit;
          if (!coarse) center.mvx = center.mvy = 0;
          searchGrid(x, y, bs, center, range, kMvUnit, best);
        }
        if (subSample) {
          // 1/2, 1/4, 1/8, 1/16 sample: the 8 neighbours of the best vector at each step (a third
          // of the cost of an exhaustive +-3/4 sample grid, which found nearly the same vectors)
          for (int step = kMvUnit / 2; step >= 1; step /= 2) searchGrid(x, y, bs, best, 1, step, best);
        }
        // the vectors just found for the blocks above and to the left
        if (by > 0) { const Candidate& c = lv.get(bx, by - 1); tryVector(x, y, bs, c.mvx, c.mvy, best); }
        if (bx > 0) { const Candidate& c = lv.get(bx - 1, by); tryVector(x, y, bs, c.mvx, c.mvy, best); }
        if (best.sse == std::numeric_limits<uint64_t>::max()) best = Candidate{0, 0, cost(x, y, bs, 0, 0)};
        lv.field[size_t(by) * size_t(lv.cols) + size_t(bx)] = best;
      }
    }
    return lv;
  }

 private:
  const PaddedPlane& cur_;
  const PaddedPlane& ref_;
  const dsp::DistFunctions& dsp_;
  const dsp::McFunctions& mc_;
  int16_t tmp16_[kSearchBlock * kSearchBlock];
  Pel tmpPel_[kSearchBlock * kSearchBlock];
};

// Motion error normalised by the block's activity: a textured block tolerates a larger SSE.
int normalisedError(const PaddedPlane& cur, int x, int y, int bs, uint64_t sse) {
  int64_t sum = 0;
  for (int j = 0; j < bs; ++j)
    for (int i = 0; i < bs; ++i) sum += cur.at(x, y + j)[i];
  const double mean = double(sum) / double(bs * bs);
  double spread = 0;  // sum of squared deviations from the mean
  for (int j = 0; j < bs; ++j)
    for (int i = 0; i < bs; ++i) {
      const double d = cur.at(x, y + j)[i] - mean;
      spread += d * d;
    }
  const double e = double(sse);
  const int64_t perSample = int64_t(sse) / (bs * bs);
  return int(20.0 * ((e + 5.0) / (spread + 5.0)) + double(perSample / 50));
}

std::vector<TfBlockMotion> estimateMotion(const PaddedPlane& cur, const PaddedPlane& cur2, const PaddedPlane& cur4,
                                          const PaddedPlane& ref) {
  const PaddedPlane ref2 = halve(ref);
  const PaddedPlane ref4 = halve(ref2);
  BlockMatcher m4(cur4, ref4), m2(cur2, ref2), m1(cur, ref);
  const MotionLevel l4 = m4.search(kSearchBlock, nullptr, 0, 8, false);
  const MotionLevel l2 = m2.search(kSearchBlock, &l4, 2, 5, false);
  const MotionLevel l1 = m1.search(kSearchBlock, &l2, 2, 5, false);
  const MotionLevel fine = m1.search(kFilterBlock, &l1, 1, 0, true);
  std::vector<TfBlockMotion> out(fine.field.size());
  for (int by = 0; by < fine.rows; ++by)
    for (int bx = 0; bx < fine.cols; ++bx) {
      const Candidate& c = fine.get(bx, by);
      TfBlockMotion& o = out[size_t(by) * size_t(fine.cols) + size_t(bx)];
      o.mvx = c.mvx; o.mvy = c.mvy;
      o.error = normalisedError(cur, bx * kFilterBlock, by * kFilterBlock, kFilterBlock, c.sse);
    }
  return out;
}

// The neighbour's plane moved by the block vectors (luma 8x8 blocks, chroma 4x4 blocks; vectors
// in 1/16 luma = 1/32 chroma sample), with the spec's interpolation filters.
Plane compensate(const PaddedPlane& ref, const std::vector<TfBlockMotion>& motion, int cols, bool chroma) {
  const dsp::McFunctions& mc = dsp::mcFunctions();
  const int bs = chroma ? kFilterBlock / 2 : kFilterBlock;
  Plane out;
  out.alloc(ref.width, ref.height);
  int16_t tmp[kFilterBlock * kFilterBlock];
  for (int y = 0; y + bs <= ref.height; y += bs)
    for (int x = 0; x + bs <= ref.width; x += bs) {
      const TfBlockMotion& mv = motion[size_t(y / bs) * size_t(cols) + size_t(x / bs)];
      if (chroma) {
        const Pel* src = ref.at(x + (mv.mvx >> 5), y + (mv.mvy >> 5));
        mc.interpChroma(tmp, bs, src, ref.stride, bs, bs, mv.mvx & 31, mv.mvy & 31, kBitDepth);
      } else {
        const Pel* src = ref.at(x + (mv.mvx >> 4), y + (mv.mvy >> 4));
        mc.interpLuma(tmp, bs, src, ref.stride, bs, bs, mv.mvx & 15, mv.mvy & 15, kBitDepth);
      }
      mc.weightUni(out.row(y) + x, out.stride, tmp, bs, bs, bs, kBitDepth);
    }
  return out;
}

// Noise estimate of a block's compensation difference: high when the difference is spatially
// uncorrelated (noise), low when it has structure (a misaligned edge).
int blockNoise(const Plane& org, const Plane& mc, int x0, int y0, int bw, int bh) {
  double energy = 0, gradient = 0;
  auto diffAt = [&](int x, int y) { return int(org.at(x, y)) - int(mc.at(x, y)); };
  for (int y = y0; y < y0 + bh; ++y)
    for (int x = x0; x < x0 + bw; ++x) {
      const int d = diffAt(x, y);
      energy += double(d) * d;
      if (x + 1 < x0 + bw) { const int g = diffAt(x + 1, y) - d; gradient += double(g) * g; }
      if (y + 1 < y0 + bh) { const int g = diffAt(x, y + 1) - d; gradient += double(g) * g; }
    }
  const int samples = bw * bh, pairs = 2 * samples - bw - bh;
  return int(std::lround((15.0 * pairs / samples * energy + 5.0) / (gradient + 5.0)));
}

}  // namespace

double temporalFilterStrength(int poc, int baseQp) {
  if (baseQp < 17 || poc < 0) return 0.0;
  if (poc % 16 == 0) return 1.5;
  if (poc % 8 == 0) return 0.95;
  return 0.0;
}

std::vector<TfBlockMotion> temporalFilterMotion(const Picture& cur, const Picture& ref) {
  const PaddedPlane c1 = padPlane(cur.planes[0], kMargin);
  const PaddedPlane c2 = halve(c1), c4 = halve(c2);
  return estimateMotion(c1, c2, c4, padPlane(ref.planes[0], kMargin));
}

void temporalFilterPicture(Picture& pic, const std::vector<TemporalNeighbour>& neighbours,
                           const TemporalFilterConfig& cfg, double strength) {
  if (neighbours.empty() || strength <= 0) return;
  const int cols = pic.width / kFilterBlock, rows = pic.height / kFilterBlock;
  const size_t numRefs = neighbours.size();

  // motion of every neighbour, and the neighbour compensated toward the current picture
  const PaddedPlane c1 = padPlane(pic.planes[0], kMargin);
  const PaddedPlane c2 = halve(c1), c4 = halve(c2);
  std::vector<std::vector<TfBlockMotion>> motion(numRefs);
  std::vector<Picture> compensated(numRefs);
  for (size_t i = 0; i < numRefs; ++i) {
    const Picture& ref = *neighbours[i].pic;
    const PaddedPlane r1 = padPlane(ref.planes[0], kMargin);
    motion[i] = estimateMotion(c1, c2, c4, r1);
    compensated[i].width = pic.width; compensated[i].height = pic.height;
    compensated[i].planes[0] = compensate(r1, motion[i], cols, false);
    for (int c = 1; c < 3; ++c)
      compensated[i].planes[c] = compensate(padPlane(ref.planes[c], kMargin / 2 + 8), motion[i], cols, true);
  }

  // Neighbour weight by temporal distance 1..4 (further neighbours are less alike).
  static constexpr double kDistanceWeight[4] = {0.85, 0.57, 0.41, 0.33};
  const int maxVal = (1 << kBitDepth) - 1;
  std::vector<double> weightBase(numRefs);
  std::vector<int> noise(numRefs), lutIndex(numRefs);
  for (int c = 0; c < 3; ++c) {
    const bool chroma = c > 0;
    const Plane& org = pic.planes[c];
    Plane out = org;
    // Bilateral range: luma widens with the QP (coarser quantisation hides more smoothing).
    const double qpDist = double(cfg.baseQp) - 10.0;
    const double sigmaSq = std::max(1.0, chroma ? 900.0 : 9.0 * qpDist * qpDist);
    const double scale = strength * (chroma ? 0.55 : 0.4);
    // exp(-d^2 / (2 * s * sigma^2)) for the three range scales s = 1, 0.8, 0.64 (noisy and/or
    // poorly matched blocks get a narrower range)
    static constexpr double kRangeScale[3] = {1.0, 0.8, 0.64};
    std::vector<double> rangeLut[3];
    for (int k = 0; k < 3; ++k) {
      rangeLut[k].resize(size_t(maxVal) + 1);
      for (int d = 0; d <= maxVal; ++d) rangeLut[k][size_t(d)] = std::exp(-double(d) * d / (2.0 * kRangeScale[k] * sigmaSq));
    }
    const int bw = chroma ? kFilterBlock / 2 : kFilterBlock, bh = bw;
    for (int by = 0; by < rows; ++by)
      for (int bx = 0; bx < cols; ++bx) {
        const size_t blk = size_t(by) * size_t(cols) + size_t(bx);
        const int x0 = bx * bw, y0 = by * bh;
        int minError = std::numeric_limits<int>::max();
        for (size_t i = 0; i < numRefs; ++i) minError = std::min(minError, motion[i][blk].error);
        for (size_t i = 0; i < numRefs; ++i) {
          const int error = motion[i][blk].error;
          noise[i] = blockNoise(org, compensated[i].planes[c], x0, y0, bw, bh);
          const bool noisy = noise[i] >= 25;
          double w = kDistanceWeight[std::min(3, std::abs(neighbours[i].offset) - 1)];
          w *= noisy ? 0.6 : 1.0;
          w *= error < 50 ? 1.2 : (error > 100 ? 0.6 : 1.0);
          w *= (double(minError) + 1.0) / (double(error) + 1.0);
          weightBase[i] = scale * w;
          lutIndex[i] = int(noisy) + int(error >= 50);
        }
        for (int y = y0; y < y0 + bh; ++y)
          for (int x = x0; x < x0 + bw; ++x) {
            const int o = org.at(x, y);
            double num = o, den = 1.0;
            for (size_t i = 0; i < numRefs; ++i) {
              const int r = compensated[i].planes[c].at(x, y);
              const double w = weightBase[i] * rangeLut[lutIndex[i]][size_t(std::abs(r - o))];
              num += w * r;
              den += w;
            }
            out.at(x, y) = Pel(clip3(0, maxVal, int(num / den + 0.5)));
          }
      }
    pic.planes[c] = std::move(out);
  }
}

bool temporalFilterSource(std::FILE* in, long long frameBytes, int numFileFrames, int width, int height,
                          int inputBitDepth, int poc, const TemporalFilterConfig& cfg, double strength, Picture& pic) {
  if (strength <= 0) return true;
  const int first = std::max(0, poc - cfg.pastRefs), last = std::min(numFileFrames - 1, poc + cfg.futureRefs);
  std::vector<Picture> frames;
  std::vector<int> offsets;
  frames.reserve(size_t(std::max(0, last - first + 1)));
  for (int p = first; p <= last; ++p) {
    if (p == poc) continue;
    frames.emplace_back();
    frames.back().alloc(pic.width, pic.height);
    if (std::fseek(in, long(p * frameBytes), SEEK_SET) != 0 || !readYuvFrame(in, width, height, inputBitDepth, frames.back()))
      return false;
    offsets.push_back(p - poc);
  }
  std::vector<TemporalNeighbour> neighbours(frames.size());
  for (size_t i = 0; i < frames.size(); ++i) neighbours[i] = TemporalNeighbour{offsets[i], &frames[i]};
  temporalFilterPicture(pic, neighbours, cfg, strength);
  return true;
}

}  // namespace nnvvc
