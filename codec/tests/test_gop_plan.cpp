// Coding structure (encoder/gop_plan.h): coding order, picture types, QPs, reference lists and DPB sizes, and
// the constraints a decoder checks (references decoded before, nothing before the associated IRAP for
// trailing pictures, nothing before the previous IRAP for leading ones, as VTM's checkCRA enforces).
#include <algorithm>
#include <set>

#include "encoder/gop_plan.h"
#include "test_check.h"

using namespace nnvvc;

namespace {
GopPlan plan(const char* cfg, int frames, int qp, int ip, int gop = 32) {
  GopPlan p;
  const std::string err = planGop(cfg, frames, qp, ip, gop, p);
  CHECK(err.empty(), "%s", err.c_str());
  return p;
}

// Every rule the decoders check, for any plan.
void checkStructure(const GopPlan& p, int frames) {
  std::set<int> decoded, pocs;
  int lastIrap = -1, prevIrap = -1;
  for (const PlannedPicture& pic : p.pictures) {
    CHECK(pic.poc >= 0 && pic.poc < frames);
    CHECK(!pocs.count(pic.poc), "POC %d twice", pic.poc);
    pocs.insert(pic.poc);
    const bool irap = pic.nal == PlannedNal::kCra || pic.nal == PlannedNal::kIdr;
    CHECK(irap == pic.intra);
    // the IRAP a picture is associated with is the latest one before it in decoding order
    const int assoc = irap ? lastIrap : lastIrap;
    for (int l = 0; l < 2; ++l) {
      CHECK(pic.numActive[l] <= int(pic.rpl[l].size()));
      CHECK(pic.intra ? pic.numActive[l] == 0 : pic.numActive[l] >= 1);
      for (int r : pic.rpl[l]) {
        CHECK(decoded.count(r), "POC %d references POC %d that is not decoded yet", pic.poc, r);
        CHECK(r != pic.poc);
        // VTM checkCRA: a picture after the associated CRA in output order lists nothing before it
        if (assoc >= 0 && pic.poc > assoc) CHECK(r >= assoc, "POC %d lists POC %d before CRA %d", pic.poc, r, assoc);
        if (pic.nal == PlannedNal::kRasl) CHECK(r >= prevIrap, "RASL POC %d lists POC %d before IRAP %d", pic.poc, r, prevIrap);
      }
    }
    CHECK(pic.nal != PlannedNal::kRasl || pic.poc < lastIrap, "RASL POC %d does not precede its CRA", pic.poc);
    decoded.insert(pic.poc);
    if (irap) { prevIrap = lastIrap; lastIrap = pic.poc; }
  }
  CHECK_EQ(int(pocs.size()), frames);
  CHECK(p.maxDecPicBuffering >= p.maxNumReorder + 1);
}
}  // namespace

TEST_CASE(allIntraIsDisplayOrderIdr) {
  const GopPlan p = plan("ai", 5, 32, 1);
  CHECK_EQ(p.pictures.size(), 5);
  for (size_t i = 0; i < p.pictures.size(); ++i) {
    CHECK_EQ(p.pictures[i].poc, int(i));
    CHECK(p.pictures[i].nal == PlannedNal::kIdr && p.pictures[i].intra && p.pictures[i].qp == 32);
  }
}

TEST_CASE(randomAccessGop16CodingOrderAndQps) {
  const GopPlan p = plan("ra", 17, 32, 32, 16);
  const int order[17] = {0, 16, 8, 4, 2, 1, 3, 6, 5, 7, 12, 10, 9, 11, 14, 13, 15};
  CHECK_EQ(p.pictures.size(), 17);
  for (int i = 0; i < 17; ++i) CHECK_EQ(p.pictures[size_t(i)].poc, order[i]);
  // QPs: intra QP-3; POC 16: +1 (model 0); POC 8: +1 + floor(clip(0,3, 33*0.2061-4.8848+0.5)) = +1+2
  CHECK_EQ(p.pictures[0].qp, 29);
  CHECK_EQ(p.pictures[1].qp, 33);
  CHECK_EQ(p.pictures[2].qp, 35);
  CHECK_EQ(p.pictures[5].temporalId, 4);  // POC 1
  CHECK_EQ(p.pictures[1].rpl[0].front(), 0);
  CHECK_EQ(p.maxTemporalId, 4);
  CHECK_EQ(p.pictures[5].hierarchyLevel, 4);
  checkStructure(p, 17);
}

TEST_CASE(randomAccessGop32CodingOrderQpsAndReferences) {
  const GopPlan p = plan("ra", 33, 32, 64);  // intra period 64: POC 32 is a B picture
  const int order[33] = {0, 32, 16, 8, 4, 2, 1, 3, 6, 5, 7, 12, 10, 9, 11, 14, 13, 15,
                         24, 20, 18, 17, 19, 22, 21, 23, 28, 26, 25, 27, 30, 29, 31};
  CHECK_EQ(p.pictures.size(), 33);
  for (int i = 0; i < 33; ++i) CHECK_EQ(p.pictures[size_t(i)].poc, order[i]);
  CHECK_EQ(p.maxTemporalId, 5);
  // QPs (VTM-23.2's RA table): intra QP-3; POC 32: -1 (no model); POC 16: 0 + floor(clip(0,3,
  // 32*0.2265-4.9309+0.5)) = +2; POC 1: +6 + floor(clip(0,3, 38*0.2429-5.4429+0.5)) = +6+3
  CHECK_EQ(p.pictures[0].qp, 29);
  CHECK_EQ(p.pictures[1].qp, 31);
  CHECK_EQ(p.pictures[2].qp, 34);
  CHECK_EQ(p.pictures[6].poc, 1);
  CHECK_EQ(p.pictures[6].qp, 41);
  CHECK_EQ(p.pictures[6].temporalId, 5);
  CHECK_EQ(p.pictures[6].hierarchyLevel, 4);
  CHECK_EQ(p.pictures[2].hierarchyLevel, 0);  // POC 16: layer 1 of GOP 32 = layer 0 of GOP 16
  // POC 2 (layer 4): L0 = POC 0 (2 and 18 before it are outside the sequence), L1 = 4, 8, 16, 32
  const PlannedPicture& poc2 = p.pictures[5];
  CHECK_EQ(poc2.poc, 2);
  CHECK_EQ(poc2.numActive[0], 1);
  CHECK_EQ(poc2.rpl[0][0], 0);
  CHECK_EQ(poc2.numActive[1], 4);
  const int l1[4] = {4, 8, 16, 32};
  for (int k = 0; k < 4; ++k) CHECK_EQ(poc2.rpl[1][size_t(k)], l1[k]);
  checkStructure(p, 33);
  // intra period 64: POC 32 is a trailing B picture, POC 64 the next CRA
  const GopPlan q = plan("ra", 65, 32, 64);
  for (const PlannedPicture& pic : q.pictures)
    if (pic.poc == 64) CHECK(pic.intra);
  checkStructure(q, 65);
}

TEST_CASE(shortSequencesAndPartialGops) {
  for (int gop : {16, 32})
    for (int frames : {2, 3, 5, 10, 17, 20, 33, 40}) {
      const GopPlan p = plan("ra", frames, 27, 32, gop);
      checkStructure(p, frames);
    }
}

TEST_CASE(intraPeriods16To128) {
  for (int gop : {16, 32})
    for (int ip : {16, 32, 48, 64, 128}) {
      if (ip % gop) continue;
      for (int frames : {33, 49, 65, 101, 200}) {
        const GopPlan p = plan("ra", frames, 37, ip, gop);
        checkStructure(p, frames);
        int cras = 0;
        for (const PlannedPicture& pic : p.pictures) cras += pic.nal == PlannedNal::kCra;
        CHECK_EQ(cras, (frames - 1) / ip + 1);
      }
    }
}

TEST_CASE(dpbSizesCoverTheReferences) {
  for (int gop : {16, 32}) {
    const GopPlan p = plan("ra", 129, 32, 64, gop);
    CHECK(p.maxNumReorder >= (gop == 32 ? 5 : 4), "hierarchical GOP %d reorders its levels (got %d)", gop, p.maxNumReorder);
    CHECK(p.maxDecPicBuffering <= 16);
    for (const PlannedPicture& pic : p.pictures) {
      std::set<int> refs(pic.rpl[0].begin(), pic.rpl[0].end());
      refs.insert(pic.rpl[1].begin(), pic.rpl[1].end());
      CHECK(int(refs.size()) + 1 <= p.maxDecPicBuffering);
      CHECK(pic.numActive[0] <= 4 && pic.numActive[1] <= 4);
    }
    std::printf("GOP %d: max_dec_pic_buffering %d, max_num_reorder %d\n", gop, p.maxDecPicBuffering, p.maxNumReorder);
  }
}

TEST_CASE(badInputIsRefusedWithTheValue) {
  GopPlan p;
  CHECK(planGop("ra", 1, 32, 32, 32, p).find("at least 2 frames") != std::string::npos);
  CHECK(planGop("ra", 10, 32, 24, 16, p).find("24") != std::string::npos);
  CHECK(planGop("ra", 10, 32, 48, 32, p).find("48") != std::string::npos);
  CHECK(planGop("ra", 10, 32, 0, 32, p).find("0") != std::string::npos);
  CHECK(planGop("ra", 10, 32, -16, 16, p).find("-16") != std::string::npos);
  CHECK(planGop("ra", 10, 32, 32, 8, p).find("--gop-size 8") != std::string::npos);
  CHECK(planGop("xyz", 10, 32, 32, 32, p).find("xyz") != std::string::npos);
  CHECK(planGop("ai", 0, 32, 32, 32, p).find("no frames") != std::string::npos);
}

TEST_CASE(defaultIntraPeriodNearestSecond) {
  CHECK_EQ(defaultIntraPeriod(30, 16), 32);
  CHECK_EQ(defaultIntraPeriod(50, 16), 48);
  CHECK_EQ(defaultIntraPeriod(60, 16), 64);
  CHECK_EQ(defaultIntraPeriod(24, 16), 32);
  CHECK_EQ(defaultIntraPeriod(12, 16), 16);
  CHECK_EQ(defaultIntraPeriod(1, 16), 16);
  CHECK_EQ(defaultIntraPeriod(30), 32);
  CHECK_EQ(defaultIntraPeriod(24), 32);
  CHECK_EQ(defaultIntraPeriod(50), 64);
  CHECK_EQ(defaultIntraPeriod(60), 64);
  CHECK_EQ(defaultIntraPeriod(12), 32);
  CHECK_EQ(defaultIntraPeriod(120), 128);
}

int main(int argc, char** argv) { return runTestCases(argc, argv); }
