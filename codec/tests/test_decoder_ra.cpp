// Random-access picture management of the decoder: POC derivation across LSB wraps, reference
// picture lists from the DPB, marking, output in POC order (bumping), RASL skipping at a CRA that
// starts the stream, missing references. A synthetic hierarchical GOP-8 sequence (IDR, CRA every
// 16, TRAIL/RASL in 4 temporal layers, explicit slice-header RPLs with inactive "keep" entries)
// drives the DPB alone and then whole streams coded with the trivial search (intra CUs in I or B
// slices), decoded by decodeStream. Set NNVVC_RA_TEST_STREAM=path to keep one stream (for VTM).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bitstream/bitstream.h"
#include "cabac/cabac.h"
#include "common/md5.h"
#include "decoder/decoder.h"
#include "decoder/dpb.h"
#include "encoder/search/ctu_search.h"
#include "recon/recon.h"
#include "syntax/ctu_syntax.h"
#include "syntax/param_sets.h"
#include "test_check.h"

using namespace nnvvc;

namespace {

struct PlanPic {
  int poc = 0;
  NalType nal = kNalTrail;
  int tid = 0;
  std::vector<int> rpl[2];
  int numActive[2] = {0, 0};
  bool intra = false;
};

// Coding order of a GOP-8 dyadic hierarchy over numFrames pictures (POC 0 = IDR, a CRA every
// intraPeriod); B pictures reference the nearest decoded pictures before/after them.
std::vector<PlanPic> makePlan(int numFrames, int intraPeriod) {
  static const int kOrder[8] = {8, 4, 2, 1, 3, 6, 5, 7};
  static const int kTid[8] = {0, 1, 2, 3, 3, 2, 3, 3};
  std::vector<PlanPic> plan;
  PlanPic idr; idr.poc = 0; idr.nal = kNalIdrNLp; idr.intra = true;
  plan.push_back(idr);
  for (int base = 0; base + 1 < numFrames; base += 8) {
    for (int k = 0; k < 8; ++k) {
      const int poc = base + kOrder[k];
      if (poc >= numFrames) continue;
      PlanPic p; p.poc = poc; p.tid = kTid[k];
      if (poc % intraPeriod == 0) { p.nal = kNalCra; p.intra = true; }
      plan.push_back(p);
    }
  }
  // leading pictures of a CRA are RASL; references: up to two nearest before / after
  int lastIrap = 0, prevIrap = 0;
  for (size_t i = 0; i < plan.size(); ++i) {
    PlanPic& p = plan[i];
    if (isIrapNal(p.nal)) { prevIrap = lastIrap; lastIrap = int(i); continue; }
    const bool leading = p.poc < plan[size_t(lastIrap)].poc;
    if (leading) p.nal = kNalRasl;
    const int firstRef = leading ? prevIrap : lastIrap;
    std::vector<int> before, after;
    for (int j = firstRef; j < int(i); ++j) {
      if (!leading && plan[size_t(j)].poc < plan[size_t(lastIrap)].poc) continue;  // trailing: not before the CRA
      if (plan[size_t(j)].tid > p.tid) continue;  // no reference from a higher sublayer
      (plan[size_t(j)].poc < p.poc ? before : after).push_back(plan[size_t(j)].poc);
    }
    std::sort(before.rbegin(), before.rend());
    std::sort(after.begin(), after.end());
    if (before.size() > 2) before.resize(2);
    if (after.size() > 2) after.resize(2);
    if (before.empty()) before = after;
    if (after.empty()) after = before;
    p.rpl[0] = before; p.rpl[1] = after;
    p.numActive[0] = int(before.size()); p.numActive[1] = int(after.size());
  }
  // inactive entries: earlier pictures that later pictures use must stay in the DPB
  for (size_t i = 0; i < plan.size(); ++i) {
    if (isIdrNal(plan[i].nal)) continue;
    for (size_t k = i + 1; k < plan.size(); ++k)
      for (int l = 0; l < 2; ++l)
        for (int r : plan[k].rpl[l]) {
          bool decodedBefore = false;
          for (size_t j = 0; j < i; ++j) decodedBefore |= plan[j].poc == r;
          const auto& e0 = plan[i].rpl[0];
          const auto& e1 = plan[i].rpl[1];
          if (decodedBefore && std::find(e0.begin(), e0.end(), r) == e0.end() &&
              std::find(e1.begin(), e1.end(), r) == e1.end())
            plan[i].rpl[0].push_back(r);
        }
    if (plan[i].intra) plan[i].numActive[0] = plan[i].numActive[1] = 0;
  }
  return plan;
}

// dpb_max_num_reorder_pics of a plan: pictures preceding one in decoding order and following it in output order.
int reorderOf(const std::vector<PlanPic>& plan) {
  int m = 0;
  for (size_t i = 0; i < plan.size(); ++i) {
    int n = 0;
    for (size_t j = 0; j < i; ++j) n += plan[j].poc > plan[i].poc;
    m = std::max(m, n);
  }
  return m;
}

// Runs the plan through the DPB alone; returns the output POCs.
std::vector<int> runDpb(const std::vector<PlanPic>& plan, const DpbParams& params, size_t* maxSize) {
  DecodedPictureBuffer dpb;
  std::vector<int> out;
  auto sink = [&](const DpbPicture& p) { out.push_back(p.poc); };
  for (const PlanPic& p : plan) {
    SliceInfo sh; sh.nalType = p.nal; sh.poc = p.poc; sh.temporalId = p.tid;
    for (int l = 0; l < 2; ++l) { sh.rpl[l] = p.rpl[l]; sh.numActive[l] = p.numActive[l]; }
    RefPicLists refs;
    DpbPicture* cur = dpb.startPicture(sh, isIdrNal(p.nal) || &p == &plan[0], params, refs, sink);
    for (int l = 0; l < 2; ++l) {
      CHECK(refs.num[l] == p.numActive[l]);
      for (int i = 0; i < refs.num[l]; ++i) CHECK(refs.ref[l][i].poc == p.rpl[l][size_t(i)] && refs.ref[l][i].pic);
    }
    if (maxSize) *maxSize = std::max(*maxSize, dpb.size());
    dpb.finishPicture(cur, true, params, sink);
  }
  dpb.flush(sink);
  return out;
}

void fillSource(Picture& pic, int poc) {
  for (int c = 0; c < 3; ++c) {
    Plane& pl = pic.planes[c];
    for (int y = 0; y < pl.height; ++y)
      for (int x = 0; x < pl.width; ++x)
        pl.at(x, y) = Pel(clip3(0, 1023, 512 + ((x * 37 + y * 11 + poc * 53 + c * 101) % 300) - 150));
  }
}

// Codes the plan as an Annex-B stream: intra CUs from the trivial search, in I slices or (for
// non-IRAP pictures when useB) in B slices whose reference lists point at earlier reconstructions.
std::vector<uint8_t> encodePlan(const std::vector<PlanPic>& plan, int w, int h, int log2MaxPocLsb, bool useB,
                                std::vector<size_t>* pictureStarts) {
  SpsInfo sps;
  sps.width = w; sps.height = h; sps.levelIdc = 32; sps.log2MaxPocLsb = log2MaxPocLsb;
  sps.part.picWidth = w; sps.part.picHeight = h;
  buildChromaQpTable(sps);
  configureRandomAccess(sps, 12, reorderOf(plan), 3);
  PpsInfo pps; pps.width = w; pps.height = h; pps.initQp = 32;
  std::vector<uint8_t> stream;
  appendAnnexB(stream, makeNalUnit(kNalSps, 0, writeSps(sps)));
  appendAnnexB(stream, makeNalUnit(kNalPps, 0, writePps(pps)));
  SearchConfig cfg; cfg.preset = "trivial"; cfg.qp = 32;
  std::unique_ptr<CtuSearch> search = createCtuSearch(cfg);
  std::map<int, std::unique_ptr<Picture>> recs;
  for (const PlanPic& p : plan) {
    if (pictureStarts) pictureStarts->push_back(stream.size());
    Picture orig; orig.alloc(w, h); fillSource(orig, p.poc);
    auto rec = std::make_unique<Picture>(); rec->alloc(w, h); rec->poc = p.poc;
    SliceParams slice;
    slice.qp = 32 + p.tid; slice.qpPrimeY = slice.qp + 12;
    slice.qpPrimeCb = slice.qpPrimeCr = sps.chromaQpTable[slice.qp + 12] + 12;
    const bool b = useB && !p.intra;
    slice.sliceType = b ? SliceType::kB : SliceType::kI;
    slice.isIntra = !b;
    slice.poc = p.poc; slice.temporalId = p.tid;
    RefPicLists refs;
    for (int l = 0; l < 2 && b; ++l) {
      refs.num[l] = p.numActive[l];
      for (int i = 0; i < p.numActive[l]; ++i) {
        refs.ref[l][i].pic = recs.at(p.rpl[l][size_t(i)]).get();
        refs.ref[l][i].poc = p.rpl[l][size_t(i)];
      }
    }
    slice.refs = b ? &refs : nullptr;
    CuMap cuMap; cuMap.init(w, h);
    MotionField motion; motion.init(w, h);
    HmvpTable hmvp;
    ContextSet ctxs; ctxs.init(slice.qp, b ? 2 : 0);
    ArithEncoder enc; enc.start();
    SyntaxEnv env;
    env.part = &sps.part; env.ctx = &ctxs; env.cuMap = &cuMap; env.isIntraSlice = !b;
    env.motion = &motion; env.hmvp = &hmvp; env.slice = &slice;
    search->beginPicture(orig, slice, p.poc);
    for (int cy = 0; cy < h; cy += 128)
      for (int cx = 0; cx < w; cx += 128) {
        if (cx == 0) hmvp.reset();
        CtuCoding cc; cc.ctuX = cx; cc.ctuY = cy;
        CtuSearchContext sc;
        sc.orig = &orig; sc.recon = rec.get(); sc.cuMap = &cuMap; sc.ctx = &ctxs; sc.part = &sps.part;
        sc.slice = &slice; sc.ctuX = cx; sc.ctuY = cy; sc.motion = &motion; sc.hmvp = &hmvp;
        search->searchCtu(sc, cc);
        cc.ctuX = cx; cc.ctuY = cy;
        cuMap.clearReconstructed(cx, cy, 128, 128);
        motion.set(cx, cy, 128, 128, MotionInfo{});
        CHECK(codeCtu(enc, env, cc));
        recon::reconstructCtu(*rec, cuMap, cc, slice);
      }
    enc.terminate(1);
    enc.finish();
    SliceInfo sh;
    sh.nalType = p.nal; sh.temporalId = p.tid; sh.poc = p.poc; sh.sliceType = slice.sliceType; sh.sliceQp = slice.qp;
    for (int l = 0; l < 2; ++l) { sh.rpl[l] = p.rpl[l]; sh.numActive[l] = b ? p.numActive[l] : 0; }
    BitWriter sw;
    writeSliceHeader(sw, sps, pps, sh);
    sw.appendBytes(enc.bytes());
    sw.u(enc.pendingBits(), enc.pendingCount());
    sw.trailingBits();
    appendAnnexB(stream, makeNalUnit(p.nal, p.tid, sw.bytes()));
    uint8_t md5[3][16];
    for (int c = 0; c < 3; ++c) planeMd5(rec->planes[c], rec->planes[c].width, rec->planes[c].height, md5[c]);
    appendAnnexB(stream, makeNalUnit(kNalSuffixSei, p.tid, writePictureHashSei(md5)));
    recs[p.poc] = std::move(rec);
  }
  return stream;
}

std::vector<int> sortedPocs(const std::vector<PlanPic>& plan, int from) {
  std::vector<int> v;
  for (const PlanPic& p : plan)
    if (p.poc >= from) v.push_back(p.poc);
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

TEST_CASE(planReorder) {
  const std::vector<PlanPic> plan = makePlan(41, 16);
  const int reorder = reorderOf(plan);
  CHECK(reorder == 3, "reorder %d", reorder);
}

// 1. DPB alone: output in POC order with the minimal reorder value, bounded size
TEST_CASE(dpbOutputOrder) {
  const std::vector<PlanPic> plan = makePlan(41, 16);
  const int reorder = reorderOf(plan);
  {
    DpbParams params; params.maxDecPicBuffering = 12; params.maxNumReorder = reorder;
    size_t maxSize = 0;
    const std::vector<int> out = runDpb(plan, params, &maxSize);
    CHECK(out == sortedPocs(plan, 0));
    CHECK(maxSize <= 8, "max DPB size %zu", maxSize);
    // with no reordering allowed pictures leave in decoding order
    params.maxNumReorder = 0;
    const std::vector<int> out0 = runDpb(plan, params, nullptr);
    CHECK(out0.size() == plan.size() && out0[1] == 8);
    // a latency limit also bumps (SpsMaxLatencyPictures = 3 + 1 - 1)
    params.maxNumReorder = reorder; params.maxLatencyIncreasePlus1 = 1;
    CHECK(runDpb(plan, params, nullptr).size() == plan.size());
    // a missing active reference is a clean error
    std::vector<PlanPic> holed = plan;
    holed.erase(holed.begin() + 2);  // POC 4, referenced by POC 2 / 6 / ...
    params.maxLatencyIncreasePlus1 = 0;
    bool threw = false;
    try { runDpb(holed, params, nullptr); } catch (const BitstreamError& e) { threw = std::string(e.what()).find("POC 4") != std::string::npos; }
    CHECK(threw);
    // a second picture with the same POC is rejected
    std::vector<PlanPic> dup = plan;
    dup[3].poc = 8;
    threw = false;
    try { runDpb(dup, params, nullptr); } catch (const BitstreamError&) { threw = true; }
    CHECK(threw);
  }
}

// 2. Whole streams: I slices, then B slices of intra CUs (reference lists built and checked);
//    log2MaxPocLsb 4 makes the POC LSBs wrap twice over 41 pictures.
static void checkWholeStream(int useB) {
  const std::vector<PlanPic> plan = makePlan(41, 16);
  {
    std::vector<size_t> starts;
    const std::vector<uint8_t> stream = encodePlan(plan, 32, 16, 4, useB != 0, &starts);
    if (useB)
      if (const char* keep = std::getenv("NNVVC_RA_TEST_STREAM")) {
        if (std::FILE* f = std::fopen(keep, "wb")) { std::fwrite(stream.data(), 1, stream.size(), f); std::fclose(f); }
      }
    DecodeResult res;
    std::string err;
    const int rc = decodeStream(stream, "", res, err);
    CHECK(rc == 0, "useB %d: %s", useB, err.c_str());
    CHECK(res.outputPocs == sortedPocs(plan, 0), "useB %d: output order", useB);
    CHECK(res.md5Checked == int(plan.size()) && res.md5Mismatches == 0 && res.decoded == int(plan.size()));
    // starting at the CRA of POC 16 (parameter sets kept): its RASL pictures 9..15 are skipped
    size_t craIdx = 0;
    while (plan[craIdx].poc != 16) ++craIdx;
    std::vector<uint8_t> cut(stream.begin(), stream.begin() + long(starts[0]));
    cut.insert(cut.end(), stream.begin() + long(starts[craIdx]), stream.end());
    DecodeResult res2;
    CHECK(decodeStream(cut, "", res2, err) == 0, "cut at CRA: %s", err.c_str());
    // (the CRA resets the POC MSB: POCs come out as 16 - 16 = 0 onwards with 4-bit LSBs)
    std::vector<int> want = sortedPocs(plan, 16);
    for (int& p : want) p -= 16;
    CHECK(res2.outputPocs == want, "cut at CRA: output");
    CHECK(res2.decoded == int(plan.size() - craIdx) - 7);
    // starting at a trailing picture is an error, not a crash
    std::vector<uint8_t> bad(stream.begin(), stream.begin() + long(starts[0]));
    bad.insert(bad.end(), stream.begin() + long(starts[2]), stream.end());
    DecodeResult res3;
    CHECK(decodeStream(bad, "", res3, err) == 1);
    if (useB) {
      // dropping a picture that others reference: "not in the DPB"
      std::vector<uint8_t> holed(stream.begin(), stream.begin() + long(starts[2]));
      holed.insert(holed.end(), stream.begin() + long(starts[3]), stream.end());
      DecodeResult res4;
      CHECK(decodeStream(holed, "", res4, err) == 1 && err.find("not in the DPB") != std::string::npos, "%s", err.c_str());
    }
  }
}

TEST_CASE(wholeStreamISlices) { checkWholeStream(0); }
TEST_CASE(wholeStreamBSlices) { checkWholeStream(1); }

int main(int argc, char** argv) { return runTestCases(argc, argv); }
