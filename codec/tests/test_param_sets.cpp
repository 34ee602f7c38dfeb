// Parameter sets, slice header and picture hash SEI: writer/parser round trips, chroma QP
// mapping table, level derivation, NAL/Annex-B framing with emulation prevention.
#include <cstdio>
#include <cstring>

#include "bitstream/bitstream.h"
#include "common/md5.h"
#include "syntax/param_sets.h"
#include "test_check.h"

using namespace nnvvc;


int main() {
  // SPS round trip with a conformance window (160x90 coded as 160x96)
  SpsInfo s;
  s.width = 160; s.height = 96; s.confBottom = 6; s.levelIdc = levelForPicture(160, 96, 50);
  s.part.picWidth = 160; s.part.picHeight = 96;
  buildChromaQpTable(s);
  const SpsInfo p = parseSps(writeSps(s));
  CHECK(p.width == 160 && p.height == 96 && p.confBottom == 6 && p.confRight == 0 && p.levelIdc == s.levelIdc);
  CHECK(p.part.log2CtuSize == 7 && p.part.log2MinCb == 2 && p.part.log2MinQt == 3 && p.part.maxMttDepth == 3 &&
        p.part.log2MaxBt == 5 && p.part.log2MaxTt == 5 && p.part.log2MaxTb == 6);
  CHECK(std::memcmp(p.chromaQpTable, s.chromaQpTable, sizeof(s.chromaQpTable)) == 0);
  // chroma QP table (7.4.3.4) through the pivot points 17->17, 22->23, 34->35, 42->39
  auto cq = [&](int q) { return s.chromaQpTable[q + 12]; };
  CHECK(cq(17) == 17 && cq(22) == 23 && cq(34) == 35 && cq(42) == 39);
  CHECK(cq(-12) == -12 && cq(0) == 0 && cq(63) == 60 && cq(43) == 40);
  for (int q = -11; q <= 63; ++q) CHECK(cq(q) >= cq(q - 1) && cq(q) - cq(q - 1) <= 2);
  // levels (A.4.1): QCIF@30 -> 2.0, 416x240@50 -> 2.1, 1080p@50 -> 4.1, 1080p@60 -> 4.1, 4K@60 -> 5.1
  CHECK(levelForPicture(176, 144, 30) == 32);
  CHECK(levelForPicture(416, 240, 50) == 35);
  CHECK(levelForPicture(1920, 1080, 30) == 64);
  CHECK(levelForPicture(1920, 1080, 60) == 67);
  CHECK(levelForPicture(3840, 2160, 60) == 83);
  // PPS
  PpsInfo pp; pp.width = 160; pp.height = 96; pp.initQp = 37;
  const PpsInfo pq = parsePps(writePps(pp));
  CHECK(pq.width == 160 && pq.height == 96 && pq.initQp == 37);
  // slice header
  {
    BitWriter bw;
    SliceInfo sh; sh.nalType = kNalIdrNLp; sh.pocLsb = 0; sh.sliceQp = 41;
    writeSliceHeader(bw, s, pp, sh);
    CHECK(bw.byteAligned());
    BitReader br(bw.bytes().data(), bw.bytes().size());
    const SliceInfo r = parseSliceHeader(br, kNalIdrNLp, p, pq);
    CHECK(r.sliceQp == 41 && br.bitsLeft() == 0);
  }
  // SEI
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
  // MD5 known answer: md5("abc") = 900150983cd24fb0d6963f7d28e17f72
  {
    Md5 m; m.update(reinterpret_cast<const uint8_t*>("abc"), 3);
    uint8_t d[16]; m.final(d);
    const uint8_t want[16] = {0x90, 0x01, 0x50, 0x98, 0x3c, 0xd2, 0x4f, 0xb0, 0xd6, 0x96, 0x3f, 0x7d, 0x28, 0xe1, 0x7f, 0x72};
    CHECK(std::memcmp(d, want, 16) == 0);
  }
  // Exp-Golomb and emulation prevention round trip
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
  // malformed input is reported, not crashed on
  {
    bool threw = false;
    try { std::vector<uint8_t> junk = {0x12, 0x34}; parseSps(junk); } catch (const BitstreamError&) { threw = true; }
    CHECK(threw);
    threw = false;
    try { const uint8_t d[] = {1, 2, 3, 4}; parseAnnexB(d, 4); } catch (const BitstreamError&) { threw = true; }
    CHECK(threw);
  }
  if (failures) { std::fprintf(stderr, "test_param_sets: %d failure(s)\n", failures); return 1; }
  std::printf("test_param_sets: all passed\n");
  return 0;
}
