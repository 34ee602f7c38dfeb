// Parameter sets, slice header and picture hash SEI: writer/parser round trips, chroma QP
// mapping table, level derivation, NAL/Annex-B framing with emulation prevention.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

#include "bitstream/bitstream.h"
#include "common/md5.h"
#include "syntax/param_sets.h"
#include "test_check.h"

using namespace nnvvc;


// The 160x90 (coded 160x96) SPS and PPS most cases start from, and their random-access versions.
static SpsInfo baseSps() {
  SpsInfo s;
  s.width = 160; s.height = 96; s.confBottom = 6; s.levelIdc = levelForPicture(160, 96, 50);
  s.part.picWidth = 160; s.part.picHeight = 96;
  buildChromaQpTable(s);
  return s;
}
static PpsInfo basePps() { PpsInfo pp; pp.width = 160; pp.height = 96; pp.initQp = 37; return pp; }
static SpsInfo raSps() {
  SpsInfo ra = baseSps();
  configureRandomAccess(ra, 6, 5);
  ra.log2MaxPocLsb = 8;
  return ra;
}
static PpsInfo raPps() { PpsInfo rp = basePps(); rp.deblockingEnabled = true; return rp; }

// SPS round trip with a conformance window (160x90 coded as 160x96)
TEST_CASE(spsRoundTrip) {
  SpsInfo s;
  s.width = 160; s.height = 96; s.confBottom = 6; s.levelIdc = levelForPicture(160, 96, 50);
  s.part.picWidth = 160; s.part.picHeight = 96;
  buildChromaQpTable(s);
  const SpsInfo p = parseSps(writeSps(s));
  CHECK(p.width == 160 && p.height == 96 && p.confBottom == 6 && p.confRight == 0 && p.levelIdc == s.levelIdc);
  CHECK(p.part.log2CtuSize == 7 && p.part.log2MinCb == 2 && p.part.log2MinQt == 3 && p.part.maxMttDepth == 3 &&
        p.part.log2MaxBt == 5 && p.part.log2MaxTt == 5 && p.part.log2MaxTb == 6);
  CHECK(std::memcmp(p.chromaQpTable, s.chromaQpTable, sizeof(s.chromaQpTable)) == 0);
}

// chroma QP table (7.4.3.4) through the pivot points 17->17, 22->23, 34->35, 42->39
TEST_CASE(chromaQpTable) {
  const SpsInfo s = baseSps();
  auto cq = [&](int q) { return s.chromaQpTable[q + 12]; };
  CHECK(cq(17) == 17 && cq(22) == 23 && cq(34) == 35 && cq(42) == 39);
  CHECK(cq(-12) == -12 && cq(0) == 0 && cq(63) == 60 && cq(43) == 40);
  for (int q = -11; q <= 63; ++q) CHECK(cq(q) >= cq(q - 1) && cq(q) - cq(q - 1) <= 2);
  // --chroma-qp-shift 2: outputs from 22 up lowered by 2; the SPS carries the table and the parser rebuilds it
  SpsInfo t = baseSps();
  t.qpOutDelta = {4, 12, 4};
  buildChromaQpTable(t);
  auto ct = [&](int q) { return t.chromaQpTable[q + 12]; };
  CHECK(ct(17) == 17 && ct(22) == 21 && ct(34) == 33 && ct(42) == 37 && ct(10) == 10);
  const SpsInfo p = parseSps(writeSps(t));
  CHECK(std::equal(p.chromaQpTable, p.chromaQpTable + 76, t.chromaQpTable) && writeSps(p) == writeSps(t));
  CHECK(writeSps(t) != writeSps(s));
}

// levels (A.4.1): QCIF@30 -> 2.0, 416x240@50 -> 2.1, 1080p@50 -> 4.1, 1080p@60 -> 4.1, 4K@60 -> 5.1
TEST_CASE(levels) {
  CHECK(levelForPicture(176, 144, 30) == 32);
  CHECK(levelForPicture(416, 240, 50) == 35);
  CHECK(levelForPicture(1920, 1080, 30) == 64);
  CHECK(levelForPicture(1920, 1080, 60) == 67);
  CHECK(levelForPicture(3840, 2160, 60) == 83);
}

// PPS
TEST_CASE(ppsRoundTrip) {
  PpsInfo pp; pp.width = 160; pp.height = 96; pp.initQp = 37;
  const PpsInfo pq = parsePps(writePps(pp));
  CHECK(pq.width == 160 && pq.height == 96 && pq.initQp == 37);
}

// slice header
TEST_CASE(sliceHeaderIdr) {
  const SpsInfo s = baseSps();
  const PpsInfo pp = basePps();
  const SpsInfo p = parseSps(writeSps(s));
  const PpsInfo pq = parsePps(writePps(pp));
  {
    BitWriter bw;
    SliceInfo sh; sh.nalType = kNalIdrNLp; sh.pocLsb = 0; sh.sliceQp = 41;
    writeSliceHeader(bw, s, pp, sh);
    CHECK(bw.byteAligned());
    BitReader br(bw.bytes().data(), bw.bytes().size());
    const SliceInfo r = parseSliceHeader(br, kNalIdrNLp, p, pq);
    CHECK(r.sliceQp == 41 && br.bitsLeft() == 0);
  }
}

// transform skip: sps_transform_skip_enabled_flag, its maximum size and sps_min_qp_prime_ts; the slice header's
// sh_ts_residual_coding_disabled_flag where neither DQ nor sign hiding is used (absent, and refused, otherwise)
TEST_CASE(transformSkipFields) {
  SpsInfo s = baseSps();
  s.transformSkipEnabled = true;
  s.log2MaxTsSize = 3;
  s.minQpPrimeTs = 2;
  const SpsInfo p = parseSps(writeSps(s));
  CHECK(p.transformSkipEnabled && p.log2MaxTsSize == 3 && p.minQpPrimeTs == 2 && writeSps(p) == writeSps(s));
  CHECK(!parseSps(writeSps(baseSps())).transformSkipEnabled);
  const PpsInfo pp = basePps();
  for (const bool disabled : {false, true}) {
    BitWriter bw;
    SliceInfo sh; sh.nalType = kNalIdrNLp; sh.sliceQp = 30; sh.tsResidualCodingDisabled = disabled;
    writeSliceHeader(bw, s, pp, sh);
    BitReader br(bw.bytes().data(), bw.bytes().size());
    const SliceInfo r = parseSliceHeader(br, kNalIdrNLp, p, parsePps(writePps(pp)));
    CHECK(r.tsResidualCodingDisabled == disabled && br.bitsLeft() == 0);
  }
  SpsInfo dq = s;
  dq.depQuantEnabled = true;
  SliceInfo sh; sh.nalType = kNalIdrNLp; sh.depQuant = true; sh.tsResidualCodingDisabled = true;
  BitWriter bw;
  bool threw = false;
  try { writeSliceHeader(bw, dq, pp, sh); } catch (const std::invalid_argument&) { threw = true; }
  CHECK(threw);
  s.log2MaxTsSize = 6;
  threw = false;
  try { writeSps(s); } catch (const std::invalid_argument&) { threw = true; }
  CHECK(threw);
}

// All-intra bytes are frozen (AI conformance results depend on them): SPS/PPS/slice header of
// 176x144 and 176x152 (conformance window) streams as written before random access existed,
// plus sps_cclm_enabled_flag = 1 (CCLM on by default since it was made VTM-exact) and
// sps_sign_data_hiding_enabled_flag = 1 with sh_sign_data_hiding_used_flag = 1 (sign data hiding on by
// default wherever dependent quantisation is off: one more SPS bit, one more slice header bit).
TEST_CASE(allIntraBytesFrozen) {
  {
    auto hex = [](const std::vector<uint8_t>& b) {
      std::string h; char t[3];
      for (uint8_t x : b) { std::snprintf(t, sizeof t, "%02x", x); h += t; }
      return h;
    };
    const char* want[2][3] = {
        {"000d02208000005880911880f2236446e109b2b18204100600c1101040", "00002c404889809288", "c4002b"},
        {"000d0220800000588099f29880f2236446e109b2b18204100600c1101040", "00002c404c898058a2", "c401c0"}};
    for (int conf = 0; conf < 2; ++conf) {
      SpsInfo a; a.width = 176; a.height = conf ? 152 : 144; a.confBottom = conf ? 8 : 0; a.levelIdc = 32;
      a.part.picWidth = a.width; a.part.picHeight = a.height; buildChromaQpTable(a); a.cclmEnabled = true;
      a.signDataHidingEnabled = true;
      PpsInfo b; b.width = a.width; b.height = a.height; b.initQp = 22 + conf * 15;
      BitWriter bw; SliceInfo sh; sh.nalType = kNalIdrNLp; sh.sliceQp = 27 + conf * 10; sh.signHiding = true;
      writeSliceHeader(bw, a, b, sh);
      CHECK(hex(writeSps(a)) == want[conf][0]);
      CHECK(hex(writePps(b)) == want[conf][1]);
      CHECK(hex(bw.bytes()) == want[conf][2]);
      const SpsInfo back = parseSps(writeSps(a));
      CHECK(!back.interEnabled && back.maxSublayersMinus1 == 0 && back.maxNumMergeCand == 1 && back.cclmEnabled &&
            back.signDataHidingEnabled && !back.depQuantEnabled);
      CHECK(!parsePps(writePps(b)).deblockingEnabled);
    }
  }
}

// Random-access SPS: 5 sublayers, DPB sizes, MaxNumMergeCand 6 (+ sps_gpm_enabled_flag)
TEST_CASE(randomAccessSps) {
  const SpsInfo s = baseSps();
  SpsInfo ra = s;
  configureRandomAccess(ra, 6, 5);
  ra.log2MaxPocLsb = 8;
  {
    const SpsInfo q = parseSps(writeSps(ra));
    CHECK(q.interEnabled && q.maxSublayersMinus1 == 4 && q.maxDecPicBufferingMinus1 == 5 && q.maxNumReorderPics == 5);
    CHECK(q.maxNumMergeCand == 6 && q.maxLatencyIncreasePlus1 == 0 && q.log2MaxPocLsb == 8);
    CHECK(q.width == 160 && q.height == 96 && q.confBottom == 6 && q.levelIdc == s.levelIdc && q.part.log2MaxTb == 6);
    CHECK(writeSps(q) == writeSps(ra));
    SpsInfo r2 = ra; r2.maxSublayersMinus1 = 1; r2.maxLatencyIncreasePlus1 = 3;
    const SpsInfo q2 = parseSps(writeSps(r2));
    CHECK(q2.maxSublayersMinus1 == 1 && q2.maxLatencyIncreasePlus1 == 3 && writeSps(q2) == writeSps(r2));
    // implicit MTS: sps_mts_enabled_flag plus the two explicit flags (0) make the SPS two bits longer
    SpsInfo r3 = ra; r3.mtsEnabled = true;
    const SpsInfo q3 = parseSps(writeSps(r3));
    CHECK(q3.mtsEnabled && !q.mtsEnabled && writeSps(q3) == writeSps(r3) && writeSps(q3) != writeSps(ra));
    // explicit MTS for inter CUs: sps_explicit_mts_inter_enabled_flag after the intra one
    SpsInfo r3i = r3; r3i.explicitMtsInter = true;
    const SpsInfo q3i = parseSps(writeSps(r3i));
    CHECK(q3i.explicitMtsInter && !q3.explicitMtsInter && writeSps(q3i) == writeSps(r3i) && writeSps(q3i) != writeSps(r3));
    // DMVR: sps_dmvr_enabled_flag plus sps_dmvr_control_present_in_ph_flag (0)
    SpsInfo r4 = ra; r4.dmvrEnabled = true;
    const SpsInfo q4 = parseSps(writeSps(r4));
    CHECK(q4.dmvrEnabled && !q.dmvrEnabled && writeSps(q4) == writeSps(r4) && writeSps(q4) != writeSps(ra));
    // GPM: sps_gpm_enabled_flag, then sps_max_num_merge_cand_minus_max_num_gpm_cand (MaxNumMergeCand >= 3)
    CHECK(!q.gpmEnabled);
    SpsInfo r5 = ra; r5.gpmEnabled = true; r5.maxNumGpmMergeCand = 6;
    const SpsInfo q5 = parseSps(writeSps(r5));
    CHECK(q5.gpmEnabled && q5.maxNumGpmMergeCand == 6 && writeSps(q5) == writeSps(r5) && writeSps(q5) != writeSps(ra));
    SpsInfo r6 = r5; r6.maxNumGpmMergeCand = 3;
    const SpsInfo q6 = parseSps(writeSps(r6));
    CHECK(q6.gpmEnabled && q6.maxNumGpmMergeCand == 3 && writeSps(q6) == writeSps(r6));
    SpsInfo r7 = r5; r7.maxNumMergeCand = 2;  // MaxNumGpmMergeCand 2, nothing more coded
    const SpsInfo q7 = parseSps(writeSps(r7));
    CHECK(q7.gpmEnabled && q7.maxNumMergeCand == 2 && q7.maxNumGpmMergeCand == 2 && writeSps(q7) == writeSps(r7));
    // all-intra SPS (MaxNumMergeCand 1): no GPM flag at all, whatever the field says
    SpsInfo ai = s; ai.gpmEnabled = true;
    CHECK(writeSps(ai) == writeSps(s) && !parseSps(writeSps(ai)).gpmEnabled);
    // SbTMVP: sps_sbtmvp_enabled_flag only after sps_temporal_mvp_enabled_flag 1; with affine MaxNumSubblockMergeCand
    // then at least 1 (sps_five_minus_max_num_subblock_merge_cand at most 4)
    SpsInfo r8 = ra; r8.temporalMvpEnabled = true; r8.sbTmvpEnabled = true;
    SpsInfo r8off = r8; r8off.sbTmvpEnabled = false;
    const SpsInfo q8 = parseSps(writeSps(r8));
    CHECK(q8.temporalMvpEnabled && q8.sbTmvpEnabled && writeSps(q8) == writeSps(r8) && writeSps(r8) != writeSps(r8off));
    SpsInfo r9 = ra; r9.temporalMvpEnabled = false; r9.sbTmvpEnabled = true;  // no TMVP: no SbTMVP flag
    CHECK(!parseSps(writeSps(r9)).sbTmvpEnabled);
    // PROF: sps_affine_prof_enabled_flag, then sps_prof_control_present_in_ph_flag (0), only with affine
    SpsInfo r10 = r8; r10.affineEnabled = true; r10.affineProf = true;
    SpsInfo r10off = r10; r10off.affineProf = false;
    const SpsInfo q10 = parseSps(writeSps(r10));
    CHECK(q10.affineEnabled && q10.affineProf && q10.sbTmvpEnabled && q10.maxNumSubblockMergeCand == 5);
    CHECK(writeSps(q10) == writeSps(r10) && writeSps(r10) != writeSps(r10off) && !parseSps(writeSps(r10off)).affineProf);
  }
}

// PPS with deblocking (offsets 0) and default active references
TEST_CASE(ppsDeblockingAndActiveRefs) {
  const PpsInfo pp = basePps();
  PpsInfo rp = pp;
  rp.deblockingEnabled = true;
  {
    const PpsInfo q = parsePps(writePps(rp));
    CHECK(q.deblockingEnabled && q.initQp == 37 && q.numRefIdxDefaultActive[0] == 1 && q.numRefIdxDefaultActive[1] == 1);
    PpsInfo r2 = rp; r2.numRefIdxDefaultActive[0] = 2; r2.numRefIdxDefaultActive[1] = 3;
    const PpsInfo q2 = parsePps(writePps(r2));
    CHECK(q2.numRefIdxDefaultActive[0] == 2 && q2.numRefIdxDefaultActive[1] == 3);
  }
}

// Slice headers of random-access pictures: write, parse, restore the POC MSB, compare.
TEST_CASE(randomAccessSliceHeaders) {
  const SpsInfo ra = raSps();
  const PpsInfo rp = raPps();
  {
    auto roundTrip = [&](const SliceInfo& sh, int pocMsb, const PpsInfo& ppsIn) {
      BitWriter bw;
      writeSliceHeader(bw, ra, ppsIn, sh);
      CHECK(bw.byteAligned());
      BitReader br(bw.bytes().data(), bw.bytes().size());
      SliceInfo r = parseSliceHeader(br, sh.nalType, ra, ppsIn);
      CHECK(br.bitsLeft() == 0);
      CHECK(r.pocLsb == (sh.poc & 255));
      applyPocMsb(r, pocMsb);
      CHECK(r.poc == sh.poc && r.sliceType == sh.sliceType && r.sliceQp == sh.sliceQp);
      CHECK(r.noOutputOfPriorPics == sh.noOutputOfPriorPics);
      for (int l = 0; l < 2; ++l) CHECK(r.rpl[l] == sh.rpl[l] && r.numActive[l] == sh.numActive[l]);
      return bw.bytes().size();
    };
    SliceInfo idr; idr.nalType = kNalIdrNLp; idr.poc = 0; idr.sliceQp = 33;
    roundTrip(idr, 0, rp);
    SliceInfo idr2 = idr; idr2.nalType = kNalIdrWRadl; idr2.poc = 3; idr2.noOutputOfPriorPics = true;
    roundTrip(idr2, 0, rp);
    // CRA (I slice) keeping earlier pictures for its leading pictures: entries, none active
    SliceInfo cra; cra.nalType = kNalCra; cra.poc = 288; cra.sliceQp = 30;
    cra.rpl[0] = {256, 272}; cra.rpl[1] = {272};
    roundTrip(cra, 256, rp);
    // B slice: negative and positive deltas, extra inactive entries, override of the active counts
    SliceInfo b; b.nalType = kNalTrail; b.temporalId = 2; b.poc = 300; b.sliceType = SliceType::kB; b.sliceQp = 40;
    b.rpl[0] = {296, 288, 304, 240}; b.numActive[0] = 2;
    b.rpl[1] = {304, 296, 320}; b.numActive[1] = 3;
    roundTrip(b, 256, rp);
    // B slice with one entry per list (default active counts, no override flag)
    SliceInfo b1 = b; b1.nalType = kNalRasl; b1.poc = 510; b1.rpl[0] = {508}; b1.rpl[1] = {512}; b1.numActive[0] = b1.numActive[1] = 1;
    roundTrip(b1, 256, rp);
    // the same with an active count equal to the PPS default (2): no override needed
    PpsInfo rp2 = rp; rp2.numRefIdxDefaultActive[0] = rp2.numRefIdxDefaultActive[1] = 2;
    SliceInfo b2 = b; b2.numActive[1] = 2;
    const size_t withDefault = roundTrip(b2, 256, rp2);
    CHECK(withDefault <= roundTrip(b2, 256, rp));  // override costs bits with the PPS default 1
    // P slice: list 1 entries kept, none active
    SliceInfo ps = b; ps.sliceType = SliceType::kP; ps.rpl[1] = {304}; ps.numActive[0] = 1; ps.numActive[1] = 0;
    roundTrip(ps, 256, rp);
    // an I slice in a trailing picture
    SliceInfo it = b; it.sliceType = SliceType::kI; it.numActive[0] = it.numActive[1] = 0;
    roundTrip(it, 256, rp);
    // what the writer refuses
    auto refuses = [&](const SliceInfo& sh) {
      BitWriter bw;
      try { writeSliceHeader(bw, ra, rp, sh); } catch (const std::invalid_argument&) { return true; }
      return false;
    };
    SliceInfo bad = b; bad.rpl[0] = {296, 296}; CHECK(refuses(bad));                  // repeated entry
    bad = b; bad.rpl[0] = {300}; bad.numActive[0] = 1; CHECK(refuses(bad));           // the current picture
    bad = b; bad.numActive[1] = 0; CHECK(refuses(bad));                                // B without list 1
    bad = b; bad.numActive[0] = 5; CHECK(refuses(bad));                                // more than the entries
    bad = cra; bad.sliceType = SliceType::kB; CHECK(refuses(bad));                     // inter IRAP
    bad = idr; bad.rpl[0] = {1}; CHECK(refuses(bad));                                  // IDR with a list
    // the parser rejects a truncated header cleanly
    BitWriter bw; writeSliceHeader(bw, ra, rp, b);
    for (size_t cut = 0; cut < bw.bytes().size(); ++cut) {
      bool threw = false;
      try {
        BitReader br(bw.bytes().data(), cut);
        parseSliceHeader(br, kNalTrail, ra, rp);
      } catch (const BitstreamError&) { threw = true; }
      CHECK(threw);
    }
    // a slice header parsed as an IRAP NAL unit type mismatches ph_gdr_or_irap_pic_flag
    bool threw = false;
    try { BitReader br(bw.bytes().data(), bw.bytes().size()); parseSliceHeader(br, kNalCra, ra, rp); }
    catch (const BitstreamError&) { threw = true; }
    CHECK(threw);
  }
}

// POC derivation (8.3.1) with MaxPicOrderCntLsb 256: MSB steps across the wrap both ways
TEST_CASE(pocDerivation) {
  {
    CHECK(derivePoc(5, 8, true, 1000) == 5);
    CHECK(derivePoc(16, 8, false, 0) == 16);
    CHECK(derivePoc(0, 8, false, 240) == 256);        // 240 -> 256 wraps the LSB
    CHECK(derivePoc(250, 8, false, 256) == 250);      // leading picture before the wrap
    CHECK(derivePoc(4, 8, false, 1020) == 1028);
    CHECK(derivePoc(255, 8, false, 1028) == 1023);
    CHECK(derivePoc(127, 8, false, 0) == 127 && derivePoc(129, 8, false, 0) == -127);
    // a long GOP-16 sequence: every TemporalId-0 picture moves 16 on, leading ones lie 1..15 behind
    int prevTid0 = 0;
    for (int base = 16; base < 5000; base += 16) {
      CHECK(derivePoc(base & 255, 8, false, prevTid0) == base);
      prevTid0 = base;
      for (int d = 15; d >= 1; --d) CHECK(derivePoc((base - d) & 255, 8, false, prevTid0) == base - d);
    }
  }
}

// NAL header: nuh_temporal_id_plus1 round trip; IRAP / SPS NAL units must have TemporalId 0
TEST_CASE(nalHeaderTemporalId) {
  {
    std::vector<uint8_t> st;
    appendAnnexB(st, makeNalUnit(kNalTrail, 3, {0x80}));
    appendAnnexB(st, makeNalUnit(kNalRasl, 4, {0x80}));
    appendAnnexB(st, makeNalUnit(kNalCra, 0, {0x80}));
    const std::vector<NalUnit> n = parseAnnexB(st.data(), st.size());
    CHECK(n.size() == 3 && n[0].temporalId == 3 && n[0].type == kNalTrail && n[1].temporalId == 4 &&
          n[1].type == kNalRasl && n[2].type == kNalCra && n[2].temporalId == 0);
    std::vector<uint8_t> bad;
    appendAnnexB(bad, makeNalUnit(kNalCra, 2, {0x80}));
    bool threw = false;
    try { parseAnnexB(bad.data(), bad.size()); } catch (const BitstreamError&) { threw = true; }
    CHECK(threw);
    CHECK(isIrapNal(kNalCra) && isIrapNal(kNalIdrNLp) && !isIrapNal(kNalRasl) && isIdrNal(kNalIdrWRadl) && !isIdrNal(kNalCra));
  }
}

// SEI
TEST_CASE(seiPictureHash) {
  {
    uint8_t md5[3][16], back[3][16];
    for (int c = 0; c < 3; ++c) for (int i = 0; i < 16; ++i) md5[c][i] = uint8_t(c * 16 + i * 7);
    CHECK(parsePictureHashSei(writePictureHashSei(md5), back));
    CHECK(std::memcmp(md5, back, sizeof(md5)) == 0);
    // A cut SEI (truncated file) is malformed, not merely "no hash"; a non-MD5 hash is no hash.
    std::vector<uint8_t> sei = writePictureHashSei(md5);
    CHECK(parsePictureHashSeiChecked(sei, back) == SeiHashParse::kMd5);
    for (size_t cut = 1; cut + 1 < sei.size(); ++cut) {
      const std::vector<uint8_t> part(sei.begin(), sei.begin() + long(cut));
      CHECK(parsePictureHashSeiChecked(part, back) == SeiHashParse::kMalformed);
    }
    const std::vector<uint8_t> crc = {132, 3, 1, 0x12, 0x34, 0x80};  // hash_type 1 (CRC)
    CHECK(parsePictureHashSeiChecked(crc, back) == SeiHashParse::kNoHash);
  }
}

// MD5 known answer: md5("abc") = 900150983cd24fb0d6963f7d28e17f72
TEST_CASE(md5KnownAnswer) {
  {
    Md5 m; m.update(reinterpret_cast<const uint8_t*>("abc"), 3);
    uint8_t d[16]; m.final(d);
    const uint8_t want[16] = {0x90, 0x01, 0x50, 0x98, 0x3c, 0xd2, 0x4f, 0xb0, 0xd6, 0x96, 0x3f, 0x7d, 0x28, 0xe1, 0x7f, 0x72};
    CHECK(std::memcmp(d, want, 16) == 0);
  }
}

// Exp-Golomb and emulation prevention round trip
TEST_CASE(expGolombAndEmulationPrevention) {
  {
    BitWriter bw;
    for (uint32_t v : {0u, 1u, 2u, 7u, 8u, 1000u, 65535u}) bw.ue(v);
    for (int v : {0, 1, -1, 5, -300}) bw.se(v);
    bw.u(0, 32); bw.u(3, 8); bw.u(0, 16); bw.u(1, 8);  // zero runs that need 0x03 insertion
    bw.trailingBits();
    std::vector<uint8_t> stream;
    appendAnnexB(stream, makeNalUnit(kNalPps, 0, bw.bytes()));
    appendAnnexB(stream, makeNalUnit(kNalSuffixSei, 0, bw.bytes()));
    const std::vector<NalUnit> nals = parseAnnexB(stream.data(), stream.size());
    CHECK(nals.size() == 2 && nals[0].type == kNalPps && nals[1].type == kNalSuffixSei);
    CHECK(nals[0].rbsp == bw.bytes());
    int zeroRun = 0, maxRun = 0;
    for (uint8_t b : stream) { zeroRun = b ? 0 : zeroRun + 1; if (zeroRun > maxRun) maxRun = zeroRun; }
    CHECK(maxRun <= 3);  // only the start codes
    BitReader br(nals[0].rbsp.data(), nals[0].rbsp.size());
    for (uint32_t v : {0u, 1u, 2u, 7u, 8u, 1000u, 65535u}) CHECK(br.ue() == v);
    for (int v : {0, 1, -1, 5, -300}) CHECK(br.se() == v);
  }
}

// malformed input is reported, not crashed on
TEST_CASE(malformedInputReported) {
  {
    bool threw = false;
    try { std::vector<uint8_t> junk = {0x12, 0x34}; parseSps(junk); } catch (const BitstreamError&) { threw = true; }
    CHECK(threw);
    threw = false;
    try { const uint8_t d[] = {1, 2, 3, 4}; parseAnnexB(d, 4); } catch (const BitstreamError&) { threw = true; }
    CHECK(threw);
  }
}

int main(int argc, char** argv) { return runTestCases(argc, argv); }
