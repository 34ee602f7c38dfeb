// recon/: reconstructTb / reconstructCu against a reconstruction computed here from the dsp calls (reference
// samples gathered with our own availability rule, substitution, intra prediction, scaling, inverse transform,
// add and clip written out), availability marking, and an inter CU = predictInter + residual. Deblocking and
// SAO have their own tests (test_deblock, test_sao).
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <vector>

#include "common/coding_structs.h"
#include "common/slice_params.h"
#include "dsp/dep_quant.h"
#include "dsp/dsp.h"
#include "recon/inter_pred.h"
#include "partition/partition.h"
#include "recon/recon.h"
#include "test_check.h"

using namespace nnvvc;

namespace {
constexpr int kPicW = 64, kPicH = 64;
constexpr int kMaxPel = (1 << kBitDepth) - 1;

uint32_t nextRandom(uint32_t& s) {
  s = s * 1664525u + 1013904223u;
  return s >> 8;
}

// A picture of smooth content plus noise, so every prediction mode gives a different block.
Picture makePicture(uint32_t seed) {
  Picture p;
  p.alloc(kPicW, kPicH);
  for (int c = 0; c < 3; ++c) {
    Plane& pl = p.planes[c];
    for (int y = 0; y < pl.height; ++y)
      for (int x = 0; x < pl.width; ++x)
        pl.at(x, y) = Pel(clip3(0, kMaxPel, 300 + 9 * x + 5 * y + 40 * c + int(nextRandom(seed) % 97)));
  }
  return p;
}

// The part of the picture that counts as reconstructed before the block under test: every row above
// y = 16 (luma), and the columns left of x = 16 down to y = 32 — so the blocks at (16, 16) have an available
// top-right, a partly available bottom-left, and substitution to do.
bool inReconstructedArea(int xLuma, int yLuma) { return yLuma < 16 || (xLuma < 16 && yLuma < 32); }

void markArea(CuMap& map) {
  map.init(kPicW, kPicH);
  map.markReconstructed(0, 0, kPicW, 16, true, true);
  map.markReconstructed(0, 16, 16, 16, true, true);
}

// Reference samples of a w x h block of component c at (x, y), from our own availability rule.
void referencesByHand(const Picture& pic, int c, int x, int y, int w, int h, Pel* top, Pel* left) {
  const Plane& pl = pic.planes[c];
  const int s = c ? 1 : 0;
  auto avail = [&](int px, int py) {
    return px >= 0 && py >= 0 && px < pl.width && py < pl.height && inReconstructedArea(px << s, py << s);
  };
  uint8_t availTop[2 * 64 + 1], availLeft[2 * 64 + 1];
  availTop[0] = availLeft[0] = avail(x - 1, y - 1);
  top[0] = left[0] = availTop[0] ? pl.at(x - 1, y - 1) : 0;
  for (int i = 0; i < 2 * w; ++i) {
    availTop[1 + i] = avail(x + i, y - 1);
    top[1 + i] = availTop[1 + i] ? pl.at(x + i, y - 1) : 0;
  }
  for (int j = 0; j < 2 * h; ++j) {
    availLeft[1 + j] = avail(x - 1, y + j);
    left[1 + j] = availLeft[1 + j] ? pl.at(x - 1, y + j) : 0;
  }
  dsp::intraSubstituteRefs(top, availTop, left, availLeft, w, h, kBitDepth);
}

// Residual of a block from its levels: scaling (flat or dependent) then the inverse DCT-II.
std::vector<Pel> residualByHand(const TCoeff* levels, int w, int h, int qpPrime, bool depQuant) {
  std::vector<TCoeff> coeff(size_t(w * h));
  if (depQuant) dsp::dequantDependent(levels, w, h, qpPrime, kBitDepth, coeff.data());
  else dsp::dequant(levels, w, h, qpPrime, kBitDepth, coeff.data());
  std::vector<Pel> resid(size_t(w * h));
  dsp::inverseTransform(coeff.data(), w, h, kBitDepth, resid.data(), w);
  return resid;
}

// Writes prediction (+ residual, clipped) of a block into plane pl at (x, y).
void addByHand(Plane& pl, int x, int y, int w, int h, const Pel* pred, ptrdiff_t ps, const Pel* resid) {
  for (int j = 0; j < h; ++j)
    for (int i = 0; i < w; ++i)
      pl.at(x + i, y + j) = Pel(clip3(0, kMaxPel, int(pred[j * ps + i]) + (resid ? int(resid[j * w + i]) : 0)));
}

// Intra reconstruction of one block computed by hand into `pic`.
void intraByHand(Picture& pic, int c, int x, int y, int w, int h, int mode, const TCoeff* levels, int qpPrime,
                 bool depQuant) {
  Pel top[2 * 64 + 1], left[2 * 64 + 1];
  referencesByHand(pic, c, x, y, w, h, top, left);
  std::vector<Pel> pred(size_t(w * h));
  dsp::intraPredict(mode, top, left, w, h, c, kBitDepth, pred.data(), w);
  std::vector<Pel> resid;
  if (levels) resid = residualByHand(levels, w, h, qpPrime, depQuant);
  addByHand(pic.planes[c], x, y, w, h, pred.data(), w, levels ? resid.data() : nullptr);
}

// Levels with a few low-frequency values (large enough to move samples, small enough not to clip all).
std::vector<TCoeff> makeLevels(int w, int h, uint32_t seed) {
  std::vector<TCoeff> l(size_t(w * h), 0);
  for (int j = 0; j < std::min(h, 4); ++j)
    for (int i = 0; i < std::min(w, 4); ++i) l[size_t(j * w + i)] = TCoeff(int(nextRandom(seed) % 13) - 6);
  l[0] = 9;
  return l;
}

bool planesEqual(const Picture& a, const Picture& b, int c) { return a.planes[c].data == b.planes[c].data; }

// First differing sample of component c (for the failure note), or -1.
long firstDifference(const Picture& a, const Picture& b, int c) {
  const std::vector<Pel>& x = a.planes[c].data;
  const std::vector<Pel>& y = b.planes[c].data;
  for (size_t k = 0; k < x.size(); ++k)
    if (x[k] != y[k]) return long(k);
  return -1;
}
}  // namespace

TEST_CASE(intraTbEqualsPredictionPlusResidual) {
  const int modes[] = {0, 1, 2, 10, 18, 34, 50, 58, 66};
  const struct { int c, x, y, w, h; } blocks[] = {
      {0, 16, 16, 16, 16}, {0, 16, 16, 16, 8}, {0, 16, 16, 8, 16}, {0, 16, 16, 4, 4},
      {0, 0, 16, 16, 16},  // left picture edge: nothing to the left
      {1, 8, 8, 8, 8},     {2, 8, 8, 8, 4},  {1, 8, 8, 16, 8}};
  for (const auto& b : blocks)
    for (int mode : modes)
      for (int variant = 0; variant < 3; ++variant) {  // 0: cbf 0, 1: flat scaling, 2: dependent quantisation
        Picture pic = makePicture(7), expected = pic;
        CuMap map;
        markArea(map);
        const std::vector<TCoeff> levels = makeLevels(b.w, b.h, uint32_t(mode * 31 + b.w));
        const TCoeff* lv = variant ? levels.data() : nullptr;
        const int qpPrime = b.c ? 45 : 44;
        recon::reconstructTb(pic, map, b.c, b.x, b.y, b.w, b.h, mode, lv, qpPrime, variant == 2);
        intraByHand(expected, b.c, b.x, b.y, b.w, b.h, mode, lv, qpPrime, variant == 2);
        for (int c = 0; c < 3; ++c)
          CHECK(planesEqual(pic, expected, c), "c%d block %dx%d at (%d,%d) comp %d mode %d variant %d: sample %ld",
                c, b.w, b.h, b.x, b.y, b.c, mode, variant, firstDifference(pic, expected, c));
      }
}

TEST_CASE(gatherReferencesMatchesAvailabilityRule) {
  const Picture pic = makePicture(3);
  CuMap map;
  markArea(map);
  const struct { int c, x, y, w, h; } blocks[] = {
      {0, 16, 16, 16, 16}, {0, 48, 16, 16, 16}, {0, 16, 0, 8, 8}, {0, 0, 0, 4, 4}, {1, 8, 8, 8, 8}, {2, 24, 4, 8, 4}};
  for (const auto& b : blocks) {
    Pel top[129], left[129], topHand[129], leftHand[129];
    recon::gatherReferences(pic, map, b.c, b.x, b.y, b.w, b.h, top, left);
    referencesByHand(pic, b.c, b.x, b.y, b.w, b.h, topHand, leftHand);
    CHECK(std::memcmp(top, topHand, sizeof(Pel) * size_t(2 * b.w + 1)) == 0, "top refs c%d (%d,%d)", b.c, b.x, b.y);
    CHECK(std::memcmp(left, leftHand, sizeof(Pel) * size_t(2 * b.h + 1)) == 0, "left refs c%d (%d,%d)", b.c, b.x, b.y);
  }
  // nothing reconstructed: every reference is 1 << (bitDepth - 1)
  CuMap empty;
  empty.init(kPicW, kPicH);
  Pel top[129], left[129];
  recon::gatherReferences(pic, empty, 0, 16, 16, 16, 16, top, left);
  for (int i = 0; i <= 32; ++i) CHECK_EQ(top[i], 1 << (kBitDepth - 1));
  for (int j = 0; j <= 32; ++j) CHECK_EQ(left[j], 1 << (kBitDepth - 1));
}

// ISP (8.4.5.1 with IntraSubPartitionsSplitType): a part's references are refW = nCbW + nTbW and refH = nCbH + nTbH long,
// inside the CU only the parts before it count, and vertical strips narrower than 4 share the prediction of their
// 4-wide region. recon::predictIspPart against references gathered and substituted here by that rule.
static void ispRefsByHand(const Picture& pic, int x, int y, int refW, int refH,
                          const std::function<bool(int, int)>& avail, Pel* top, Pel* left) {
  const Plane& pl = pic.planes[0];
  uint8_t availTop[2 * 64 + 3], availLeft[2 * 64 + 3];
  auto sample = [&](int px, int py) { return avail(px, py) ? pl.at(px, py) : Pel(0); };
  availTop[0] = availLeft[0] = avail(x - 1, y - 1);
  top[0] = left[0] = sample(x - 1, y - 1);
  for (int i = 0; i < refW; ++i) { availTop[1 + i] = avail(x + i, y - 1); top[1 + i] = sample(x + i, y - 1); }
  for (int j = 0; j < refH; ++j) { availLeft[1 + j] = avail(x - 1, y + j); left[1 + j] = sample(x - 1, y + j); }
  dsp::intraSubstituteRefLine(top, availTop, refW, left, availLeft, refH, kBitDepth);
}

TEST_CASE(ispPartPredictionFollowsItsReferenceRules) {
  for (int mode : {0, 1, 2, 10, 18, 34, 50, 58, 66}) {
    // horizontal split of a 16x16 CU at (16, 16): 16x4 parts; part 1 after part 0 was reconstructed (here: kept as
    // the picture's samples, which count as its reconstruction)
    Picture pic = makePicture(13);
    CuMap map;
    markArea(map);
    CodingUnit cu;
    cu.x = 16; cu.y = 16; cu.w = 16; cu.h = 16;
    cu.lumaMode = uint8_t(mode);
    cu.isp = 1;
    ispTransformUnits(cu);
    CHECK(cu.numTus == 4 && cu.tus[1].y == 20 && cu.tus[1].h == 4);
    for (int t = 0; t < 2; ++t) {
      const TransformUnit& tu = cu.tus[t];
      auto avail = [&](int px, int py) {
        if (px < 0 || py < 0 || px >= kPicW || py >= kPicH) return false;
        if (px >= 16 && px < 32 && py >= 16 && py < 32) return py < tu.y;  // the parts before this one
        return inReconstructedArea(px, py);
      };
      Pel top[2 * 64 + 3], left[2 * 64 + 3], expect[16 * 4], got[16 * 4];
      ispRefsByHand(pic, tu.x, tu.y, 16 + 16, 16 + 4, avail, top, left);
      dsp::intraPredictIsp(mode, top, left, 16, 4, 16, 16, kBitDepth, expect, 16);
      recon::predictIspPart(pic, map, cu, t, got, 16);
      CHECK(std::memcmp(expect, got, sizeof(got)) == 0, "ISP horizontal part %d mode %d", t, mode);
    }
    // vertical split of a 4x16 CU at (16, 16): four 1x16 strips, each a column of the one 4x16 region prediction
    CodingUnit v = cu;
    v.w = 4;
    v.isp = 2;
    ispTransformUnits(v);
    CHECK(v.numTus == 4 && v.tus[3].x == 19 && v.tus[3].w == 1);
    auto availV = [&](int px, int py) {
      if (px < 0 || py < 0 || px >= kPicW || py >= kPicH) return false;
      if (px >= 16 && px < 20 && py >= 16 && py < 32) return false;  // the region is the CU's first
      return inReconstructedArea(px, py);
    };
    Pel top[2 * 64 + 3], left[2 * 64 + 3], region[4 * 16], strip[16];
    ispRefsByHand(pic, 16, 16, 4 + 4, 16 + 16, availV, top, left);
    dsp::intraPredictIsp(mode, top, left, 4, 16, 4, 16, kBitDepth, region, 4);
    for (int t = 0; t < 4; ++t) {
      recon::predictIspPart(pic, map, v, t, strip, 1);
      for (int yy = 0; yy < 16; ++yy) CHECK_EQ(strip[yy], region[yy * 4 + t]);
    }
  }
}

TEST_CASE(reconstructTbMarksAvailability) {
  Picture pic = makePicture(5);
  CuMap map;
  map.init(kPicW, kPicH);
  recon::reconstructTb(pic, map, 0, 16, 8, 16, 8, 1, nullptr, 44);
  for (int y = 0; y < kPicH; y += 4)
    for (int x = 0; x < kPicW; x += 4) {
      const bool inside = x >= 16 && x < 32 && y >= 8 && y < 16;
      CHECK_EQ(map.lumaAvailable(x, y), inside);
      CHECK(!map.chromaAvailable(x, y), "luma TB marked chroma at (%d,%d)", x, y);
    }
  // a chroma TB at chroma (4, 8) of 8x4 covers luma (8..24, 16..24)
  recon::reconstructTb(pic, map, 1, 4, 8, 8, 4, 1, nullptr, 44);
  for (int y = 0; y < kPicH; y += 4)
    for (int x = 0; x < kPicW; x += 4) {
      const bool inside = x >= 8 && x < 24 && y >= 16 && y < 24;
      CHECK_EQ(map.chromaAvailable(x, y), inside);
    }
  CHECK(!map.lumaAvailable(-1, 8) && !map.lumaAvailable(64, 8), "outside the picture is never available");
  map.clearReconstructed(0, 0, kPicW, kPicH);
  CHECK(!map.lumaAvailable(16, 8) && !map.chromaAvailable(8, 16));
}

TEST_CASE(intraCuReconstructsLumaThenChroma) {
  // A 16x16 single-tree CU at (16, 16) with residual in Y and Cr, and a 64x64 CU at the picture's origin with
  // nothing reconstructed before it.
  for (int which = 0; which < 2; ++which) {
    Picture pic = makePicture(11), expected = pic;
    CuMap map;
    markArea(map);
    CtuCoding owner;
    CodingUnit cu;
    cu.lumaMode = 50;
    cu.chromaMode = 18;
    SliceParams slice;
    slice.qpPrimeY = 44;
    slice.qpPrimeCb = 45;
    slice.qpPrimeCr = 46;
    if (which == 0) {
      cu.x = 16, cu.y = 16, cu.w = 16, cu.h = 16;
      cu.numTus = 1;
      cu.tus[0].x = 16, cu.tus[0].y = 16, cu.tus[0].w = 16, cu.tus[0].h = 16;
    } else {
      cu.x = 0, cu.y = 0, cu.w = 64, cu.h = 64;
      cu.numTus = 1;
      cu.tus[0].x = 0, cu.tus[0].y = 0, cu.tus[0].w = 64, cu.tus[0].h = 64;
      map.init(kPicW, kPicH);
      cu.lumaMode = 1;
      cu.chromaMode = 0;
    }
    for (int t = 0; t < cu.numTus; ++t) {
      TransformUnit& tu = cu.tus[t];
      const bool cbf[3] = {true, false, true};
      for (int c = 0; c < 3; ++c) {
        if (!cbf[c]) continue;
        const int w = c ? tu.w / 2 : tu.w, h = c ? tu.h / 2 : tu.h;
        tu.cbf[c] = 1;
        tu.coeffOffset[c] = owner.allocCoeffs(w * h);
        const std::vector<TCoeff> l = makeLevels(w, h, uint32_t(17 * c + t + 1));
        std::copy(l.begin(), l.end(), owner.coeffs.begin() + tu.coeffOffset[c]);
      }
    }
    recon::reconstructCu(pic, map, cu, owner, slice);
    if (which == 0) {
      for (int c = 0; c < 3; ++c) {
        const TransformUnit& tu = cu.tus[0];
        const int s = c ? 1 : 0;
        const TCoeff* lv = tu.cbf[c] ? owner.coeffs.data() + tu.coeffOffset[c] : nullptr;
        const int qp[3] = {slice.qpPrimeY, slice.qpPrimeCb, slice.qpPrimeCr};
        intraByHand(expected, c, tu.x >> s, tu.y >> s, tu.w >> s, tu.h >> s, c ? cu.chromaMode : cu.lumaMode, lv,
                    qp[c], false);
      }
    } else {
      // nothing reconstructed before: every reference is substituted by 1 << (bitDepth - 1)
      for (int c = 0; c < 3; ++c) {
        const TransformUnit& tu = cu.tus[0];
        const int s = c ? 1 : 0, w = tu.w >> s, h = tu.h >> s;
        Pel top[129], left[129];
        for (int i = 0; i < 129; ++i) top[i] = left[i] = Pel(1 << (kBitDepth - 1));
        std::vector<Pel> pred(size_t(w * h));
        dsp::intraPredict(c ? cu.chromaMode : cu.lumaMode, top, left, w, h, c, kBitDepth, pred.data(), w);
        const int qp[3] = {slice.qpPrimeY, slice.qpPrimeCb, slice.qpPrimeCr};
        std::vector<Pel> resid;
        if (tu.cbf[c]) resid = residualByHand(owner.coeffs.data() + tu.coeffOffset[c], w, h, qp[c], false);
        addByHand(expected.planes[c], 0, 0, w, h, pred.data(), w, tu.cbf[c] ? resid.data() : nullptr);
      }
    }
    for (int c = 0; c < 3; ++c)
      CHECK(planesEqual(pic, expected, c), "CU %d component %d: sample %ld", which, c, firstDifference(pic, expected, c));
    CHECK(map.lumaAvailable(cu.x, cu.y) && map.chromaAvailable(cu.x + cu.w - 4, cu.y + cu.h - 4));
  }
}

TEST_CASE(interCuEqualsPredictInterPlusResidual) {
  const Picture ref0 = makePicture(21), ref1 = makePicture(22);
  RefPicLists refs;
  refs.num[0] = 1;
  refs.num[1] = 1;
  refs.ref[0][0].pic = &ref0;
  refs.ref[0][0].poc = 0;
  refs.ref[1][0].pic = &ref1;
  refs.ref[1][0].poc = 4;
  struct Case { int interDir; Mv mv0, mv1; bool residual; };
  const Case cases[] = {
      {1, Mv(37, -21), Mv(), true},        // uni-prediction, fractional luma and chroma positions
      {1, Mv(-400, 300), Mv(), false},     // far outside the picture: padded reference, no residual
      {2, Mv(), Mv(16, 32), true},         // list 1 only, integer MV
      {3, Mv(5, 9), Mv(-13, 2), true},     // bi-prediction (default weighted average)
  };
  for (const Case& k : cases) {
    SliceParams slice;
    slice.sliceType = SliceType::kB;
    slice.isIntra = false;
    slice.poc = 2;
    slice.refs = &refs;
    slice.qpPrimeY = 44;
    slice.qpPrimeCb = 45;
    slice.qpPrimeCr = 45;
    Picture pic = makePicture(9), expected = pic;
    CuMap map;
    map.init(kPicW, kPicH);
    CtuCoding owner;
    CodingUnit cu;
    cu.predMode = PredMode::kInter;
    cu.x = 16, cu.y = 32, cu.w = 32, cu.h = 16;
    cu.interDir = uint8_t(k.interDir);
    cu.motion.interDir = uint8_t(k.interDir);
    if (k.interDir & 1) cu.motion.refIdx[0] = 0, cu.motion.mv[0] = k.mv0;
    if (k.interDir & 2) cu.motion.refIdx[1] = 0, cu.motion.mv[1] = k.mv1;
    cu.numTus = 1;
    cu.tus[0].x = cu.x, cu.tus[0].y = cu.y, cu.tus[0].w = cu.w, cu.tus[0].h = cu.h;
    cu.rootCbf = k.residual;
    if (k.residual) {
      for (int c : {0, 2}) {
        const int w = c ? cu.w / 2 : cu.w, h = c ? cu.h / 2 : cu.h;
        cu.tus[0].cbf[c] = 1;
        cu.tus[0].coeffOffset[c] = owner.allocCoeffs(w * h);
        const std::vector<TCoeff> l = makeLevels(w, h, uint32_t(c + 100));
        std::copy(l.begin(), l.end(), owner.coeffs.begin() + cu.tus[0].coeffOffset[c]);
      }
    }
    recon::reconstructCu(pic, map, cu, owner, slice);

    std::vector<Pel> pred[3];
    Pel* dst[3];
    ptrdiff_t stride[3];
    for (int c = 0; c < 3; ++c) {
      const int w = c ? cu.w / 2 : cu.w, h = c ? cu.h / 2 : cu.h;
      pred[c].assign(size_t(w * h), 0);
      dst[c] = pred[c].data();
      stride[c] = w;
    }
    recon::predictInter(refs, cu.motion, cu.x, cu.y, cu.w, cu.h, dst, stride, recon::interToolsOf(slice, cu.merge));
    const int qp[3] = {slice.qpPrimeY, slice.qpPrimeCb, slice.qpPrimeCr};
    for (int c = 0; c < 3; ++c) {
      const int s = c ? 1 : 0, w = cu.w >> s, h = cu.h >> s;
      std::vector<Pel> resid;
      if (cu.tus[0].cbf[c]) resid = residualByHand(owner.coeffs.data() + cu.tus[0].coeffOffset[c], w, h, qp[c], false);
      addByHand(expected.planes[c], cu.x >> s, cu.y >> s, w, h, pred[c].data(), w,
                cu.tus[0].cbf[c] ? resid.data() : nullptr);
      CHECK(planesEqual(pic, expected, c), "interDir %d residual %d component %d: sample %ld", k.interDir,
            int(k.residual), c, firstDifference(pic, expected, c));
    }
    for (int y = 0; y < kPicH; y += 4)
      for (int x = 0; x < kPicW; x += 4) {
        const bool inside = x >= cu.x && x < cu.x + cu.w && y >= cu.y && y < cu.y + cu.h;
        CHECK(map.lumaAvailable(x, y) == inside && map.chromaAvailable(x, y) == inside, "marks at (%d,%d)", x, y);
      }
  }
}

int main(int argc, char** argv) { return runTestCases(argc, argv); }
