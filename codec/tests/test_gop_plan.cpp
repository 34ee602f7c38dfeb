// Coding structure (encoder/gop_plan.h): coding order, picture types, QPs, reference lists and DPB sizes, and
// the constraints a decoder checks (references decoded before, nothing before the associated IRAP for
// trailing pictures, nothing before the previous IRAP for leading ones, as VTM's checkCRA enforces).
#include <algorithm>
#include <set>

#include "encoder/gop_plan.h"
#include "test_check.h"

using namespace nnvvc;

namespace {
GopPlan plan(const char* cfg, int frames, int qp, int ip) {
  GopPlan p;
  const std::string err = planGop(cfg, frames, qp, ip, p);
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
  const GopPlan p = plan("ra", 17, 32, 32);
  const int order[17] = {0, 16, 8, 4, 2, 1, 3, 6, 5, 7, 12, 10, 9, 11, 14, 13, 15};
  CHECK_EQ(p.pictures.size(), 17);
  for (int i = 0; i < 17; ++i) CHECK_EQ(p.pictures[size_t(i)].poc, order[i]);
  // QPs: intra QP-3; POC 16: +1 (model 0); POC 8: +1 + floor(clip(0,3, 33*0.2061-4.8848+0.5)) = +1+2
  CHECK_EQ(p.pictures[0].qp, 29);
  CHECK_EQ(p.pictures[1].qp, 33);
  CHECK_EQ(p.pictures[2].qp, 35);
  CHECK_EQ(p.pictures[5].temporalId, 4);  // POC 1
  CHECK_EQ(p.pictures[1].rpl[0].front(), 0);
  checkStructure(p, 17);
}

TEST_CASE(shortSequencesAndPartialGops) {
  for (int frames : {2, 3, 5, 10, 17, 20, 33, 40}) {
    const GopPlan p = plan("ra", frames, 27, 32);
    checkStructure(p, frames);
  }
}

TEST_CASE(intraPeriods16To64) {
  for (int ip : {16, 32, 48, 64})
    for (int frames : {33, 49, 65, 101}) {
      const GopPlan p = plan("ra", frames, 37, ip);
      checkStructure(p, frames);
      int cras = 0;
      for (const PlannedPicture& pic : p.pictures) cras += pic.nal == PlannedNal::kCra;
      CHECK_EQ(cras, (frames - 1) / ip + 1);
    }
}

TEST_CASE(dpbSizesCoverTheReferences) {
  const GopPlan p = plan("ra", 33, 32, 32);
  CHECK(p.maxNumReorder >= 4, "hierarchical GOP 16 reorders 4 levels (got %d)", p.maxNumReorder);
  CHECK(p.maxDecPicBuffering <= 16);
  for (const PlannedPicture& pic : p.pictures) {
    std::set<int> refs(pic.rpl[0].begin(), pic.rpl[0].end());
    refs.insert(pic.rpl[1].begin(), pic.rpl[1].end());
    CHECK(int(refs.size()) + 1 <= p.maxDecPicBuffering);
  }
}

TEST_CASE(badInputIsRefusedWithTheValue) {
  GopPlan p;
  CHECK(planGop("ra", 1, 32, 32, p).find("at least 2 frames") != std::string::npos);
  CHECK(planGop("ra", 10, 32, 24, p).find("24") != std::string::npos);
  CHECK(planGop("ra", 10, 32, 0, p).find("0") != std::string::npos);
  CHECK(planGop("ra", 10, 32, -16, p).find("-16") != std::string::npos);
  CHECK(planGop("xyz", 10, 32, 32, p).find("xyz") != std::string::npos);
  CHECK(planGop("ai", 0, 32, 32, p).find("no frames") != std::string::npos);
}

TEST_CASE(defaultIntraPeriodNearestSecond) {
  CHECK_EQ(defaultIntraPeriod(30), 32);
  CHECK_EQ(defaultIntraPeriod(50), 48);
  CHECK_EQ(defaultIntraPeriod(60), 64);
  CHECK_EQ(defaultIntraPeriod(24), 32);
  CHECK_EQ(defaultIntraPeriod(12), 16);
  CHECK_EQ(defaultIntraPeriod(1), 16);
}

int main(int argc, char** argv) { return runTestCases(argc, argv); }
