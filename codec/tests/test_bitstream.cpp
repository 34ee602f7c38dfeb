// bitstream/: BitWriter/BitReader round trips (fixed-length, ue(v)/se(v) up to their extremes, trailing bits),
// emulation prevention (inserted by makeNalUnit, removed by parseAnnexB, including a 0x000003 at a NAL unit's end),
// NAL unit header fields (type, layer, TemporalId), Annex-B splitting (3- and 4-byte start codes, leading garbage,
// trailing zero bytes) and the clean BitstreamError on malformed input.
#include <cstdint>
#include <string>
#include <vector>

#include "bitstream/bitstream.h"
#include "test_check.h"

using namespace nnvvc;

namespace {
using Bytes = std::vector<uint8_t>;

// True when f() throws BitstreamError (any other exception or none is a failure).
template <class F> bool throwsBitstreamError(F&& f) {
  try {
    f();
  } catch (const BitstreamError&) {
    return true;
  } catch (...) {
    return false;
  }
  return false;
}

Bytes annexB(std::initializer_list<Bytes> nals) {
  Bytes s;
  for (const Bytes& n : nals) appendAnnexB(s, n);
  return s;
}
}  // namespace

TEST_CASE(fixedLengthRoundTrip) {
  BitWriter w;
  w.u(0x5, 3);
  w.flag(true);
  w.u(0xffffffffu, 32);
  w.u(0, 0);  // zero-length write is a no-op
  w.u(0x12345678u, 32);
  w.u(0x2a, 7);
  CHECK_EQ(w.bitCount(), 3 + 1 + 32 + 32 + 7);
  CHECK(!w.byteAligned());
  w.trailingBits();
  CHECK(w.byteAligned());
  CHECK_EQ(w.bitCount() % 8, 0);
  const Bytes b = w.bytes();
  BitReader r(b.data(), b.size());
  CHECK_EQ(r.u(3), 0x5);
  CHECK(r.flag());
  CHECK_EQ(r.u(32), 0xffffffffu);
  CHECK_EQ(r.u(0), 0);
  CHECK_EQ(r.u(32), 0x12345678u);
  CHECK_EQ(r.u(7), 0x2a);
  r.expectTrailingBits();
  CHECK(r.byteAligned());
  CHECK_EQ(r.bitsLeft(), 0);
}

TEST_CASE(msbFirstBitOrder) {
  BitWriter w;
  w.u(1, 1);
  w.u(0, 6);
  w.u(1, 1);
  w.u(0xa5, 8);
  CHECK_EQ(w.bytes().size(), 2);
  CHECK_EQ(w.bytes()[0], 0x81);
  CHECK_EQ(w.bytes()[1], 0xa5);
}

TEST_CASE(expGolombCodeWords) {
  // 9.2: ue(v) code words 1, 010, 011, 00100 ...; se(v) k -> (-1)^(k+1) * Ceil(k / 2)
  BitWriter w;
  w.ue(0);
  w.ue(1);
  w.ue(2);
  w.ue(3);
  CHECK_EQ(w.bitCount(), 1 + 3 + 3 + 5);
  w.alignZero();
  CHECK_EQ(w.bytes()[0], 0xa6);  // 1 010 011 0
  CHECK_EQ(w.bytes()[1], 0x40);  // 0100 0000
  BitWriter s;
  s.se(0);   // ue 0: 1
  s.se(1);   // ue 1: 010
  s.se(-1);  // ue 2: 011
  s.se(2);   // ue 3: 00100
  s.alignZero();
  CHECK_EQ(s.bytes()[0], 0xa6);
  CHECK_EQ(s.bytes()[1], 0x40);
}

TEST_CASE(expGolombExtremesRoundTrip) {
  const uint32_t ues[] = {0, 1, 2, 254, 255, 256, 65535, 0x7fffffffu, 0xfffffffdu, 0xfffffffeu};
  const int32_t ses[] = {0, 1, -1, 2, -2, 1000, -1000, 0x7fffffff, -0x7fffffff};
  BitWriter w;
  for (uint32_t v : ues) w.ue(v);
  for (int32_t v : ses) w.se(v);
  w.trailingBits();
  const Bytes b = w.bytes();
  BitReader r(b.data(), b.size());
  for (uint32_t v : ues) CHECK_EQ(r.ue(), v);
  for (int32_t v : ses) CHECK_EQ(r.se(), v);
  r.expectTrailingBits();
  CHECK_EQ(r.bitsLeft(), 0);
  // the longest code word: 2^32 - 2 takes 31 leading zeros, 63 bits in all
  BitWriter longest;
  longest.ue(0xfffffffeu);
  CHECK_EQ(longest.bitCount(), 63);
}

TEST_CASE(expGolombRangeErrors) {
  BitWriter w;
  w.ue(9);
  w.se(-5);
  w.se(5);
  w.trailingBits();
  const Bytes b = w.bytes();
  {
    BitReader r(b.data(), b.size());
    CHECK(throwsBitstreamError([&] { r.ue(8); }), "ue above maxValue");
  }
  {
    BitReader r(b.data(), b.size());
    CHECK_EQ(r.ue(9), 9);
    CHECK(throwsBitstreamError([&] { r.se(-4, 4); }), "se below minValue");
  }
  {
    BitReader r(b.data(), b.size());
    r.ue();
    CHECK_EQ(r.se(-5, 5), -5);
    CHECK(throwsBitstreamError([&] { r.se(-5, 4); }), "se above maxValue");
  }
  // 32 leading zeros: longer than any legal code word
  const Bytes zeros = {0, 0, 0, 0, 0x80, 0};
  BitReader rz(zeros.data(), zeros.size());
  CHECK(throwsBitstreamError([&] { rz.ue(); }), "Exp-Golomb code too long");
  // a code word cut by the end of the payload
  const Bytes cut = {0x00, 0x01};  // 15 zeros then 1, 15 suffix bits missing
  BitReader rc(cut.data(), cut.size());
  CHECK(throwsBitstreamError([&] { rc.ue(); }), "truncated code word");
}

TEST_CASE(readerBoundsAndTrailingBits) {
  const Bytes b = {0xab};
  BitReader r(b.data(), b.size());
  CHECK_EQ(r.u(4), 0xa);
  CHECK_EQ(r.bitsLeft(), 4);
  CHECK(throwsBitstreamError([&] { r.u(5); }), "read past the end");
  CHECK_EQ(r.u(4), 0xb);
  CHECK(throwsBitstreamError([&] { r.flag(); }), "flag past the end");
  BitReader empty(nullptr, 0);
  CHECK(throwsBitstreamError([&] { empty.u(1); }));
  CHECK_EQ(empty.u(0), 0);
  const Bytes noStop = {0x40};  // 0 1 000000: first bit is not the stop bit
  BitReader r1(noStop.data(), noStop.size());
  CHECK(throwsBitstreamError([&] { r1.expectTrailingBits(); }), "missing stop bit");
  const Bytes dirty = {0x81};  // stop bit then a non-zero alignment bit
  BitReader r2(dirty.data(), dirty.size());
  CHECK(throwsBitstreamError([&] { r2.expectTrailingBits(); }), "non-zero alignment bit");
  const Bytes midByte = {0xa0};  // 1 0 | 1 00000: after 2 bits, the stop bit then zeros
  BitReader r3(midByte.data(), midByte.size());
  CHECK_EQ(r3.u(2), 2);
  r3.expectTrailingBits();
  CHECK_EQ(r3.bitsLeft(), 0);
  BitReader r4(b.data(), b.size());
  r4.u(3);
  r4.skipToByteAlign();
  CHECK(r4.byteAligned());
  CHECK_EQ(r4.bytePos(), 1);
}

TEST_CASE(writerAppendBytesNeedsAlignment) {
  BitWriter w;
  w.u(0xcd, 8);
  w.appendBytes({1, 2, 3});
  CHECK_EQ(w.bytes().size(), 4);
  CHECK_EQ(w.bytes()[3], 3);
  w.flag(true);
  bool threw = false;
  try {
    w.appendBytes({4});
  } catch (const std::logic_error&) {
    threw = true;
  }
  CHECK(threw, "appendBytes off byte alignment must throw");
}

TEST_CASE(emulationPreventionInsert) {
  // 7.4.2: 0x000000..0x000003 inside the payload get a 0x03 after the two zeros
  const Bytes rbsp = {0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x02, 0x00, 0x00, 0x03, 0x00, 0x00, 0x04, 0x80};
  const Bytes nal = makeNalUnit(kNalSps, 0, rbsp);
  const Bytes expected = {0x00, uint8_t((kNalSps << 3) | 1),
                          0x00, 0x00, 0x03, 0x00, 0x00, 0x03, 0x00, 0x01, 0x00, 0x00, 0x03, 0x02,
                          0x00, 0x00, 0x03, 0x03, 0x00, 0x00, 0x04, 0x80};
  CHECK_EQ(nal.size(), expected.size());
  CHECK(nal == expected);
  // no three-byte pattern 0x0000xx with xx <= 3 remains in the NAL unit
  for (size_t k = 2; k + 0 < nal.size(); ++k)
    CHECK(!(nal[k - 2] == 0 && nal[k - 1] == 0 && nal[k] <= 2), "start-code emulation at byte %zu", k);
}

TEST_CASE(emulationPreventionRoundTrip) {
  const Bytes payloads[] = {
      {0x80},
      {0x00, 0x00, 0x01, 0x80},
      {0x00, 0x00, 0x03, 0x80},
      {0x12, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80},
      {0x00, 0x00, 0x03},              // 0x000003 at the RBSP's end: escaped to 00 00 03 03
      {0x7f, 0x00, 0x00, 0x03, 0x03},  // two 03 bytes after two zeros
  };
  for (const Bytes& rbsp : payloads) {
    const Bytes stream = annexB({makeNalUnit(kNalPps, 0, rbsp)});
    const std::vector<NalUnit> nals = parseAnnexB(stream.data(), stream.size());
    CHECK_EQ(nals.size(), 1);
    if (nals.size() == 1) CHECK(nals[0].rbsp == rbsp, "payload of %zu bytes changed", rbsp.size());
  }
  // the escaped form of an RBSP ending in 00 00 03
  const Bytes nal = makeNalUnit(kNalPps, 0, {0x00, 0x00, 0x03});
  CHECK(nal == Bytes({0x00, uint8_t(kNalPps << 3 | 1), 0x00, 0x00, 0x03, 0x03}));
}

TEST_CASE(emulationPreventionRemovalAtNalEnd) {
  // a NAL unit whose last three bytes are 00 00 03: the 03 is an emulation prevention byte (7.4.2: appended
  // when the RBSP ends in a cabac_zero_word 0x0000) and is removed, the two zeros stay
  const Bytes stream = {0x00, 0x00, 0x01, 0x00, uint8_t(kNalPps << 3 | 1), 0x80, 0x00, 0x00, 0x03,
                        0x00, 0x00, 0x01, 0x00, uint8_t(kNalPh << 3 | 1), 0x44};
  const std::vector<NalUnit> nals = parseAnnexB(stream.data(), stream.size());
  CHECK_EQ(nals.size(), 2);
  if (nals.size() == 2) {
    CHECK(nals[0].rbsp == Bytes({0x80, 0x00, 0x00}));
    CHECK(nals[1].rbsp == Bytes({0x44}));
  }
  // 00 00 03 followed by a byte > 3 inside the payload: still an emulation prevention byte
  const Bytes s2 = {0x00, 0x00, 0x01, 0x00, uint8_t(kNalPps << 3 | 1), 0x00, 0x00, 0x03, 0x00, 0x80};
  const std::vector<NalUnit> n2 = parseAnnexB(s2.data(), s2.size());
  CHECK_EQ(n2.size(), 1);
  if (n2.size() == 1) CHECK(n2[0].rbsp == Bytes({0x00, 0x00, 0x00, 0x80}));
}

TEST_CASE(nalHeaderFields) {
  const Bytes nal = makeNalUnit(kNalTrail, 3, {0x80});
  CHECK_EQ(nal[0], 0x00);                   // forbidden_zero_bit, nuh_reserved_zero_bit, nuh_layer_id 0
  CHECK_EQ(nal[1], (kNalTrail << 3) | 4);   // nal_unit_type, nuh_temporal_id_plus1 = 4
  const struct { NalType type; int tid; } cases[] = {
      {kNalTrail, 0}, {kNalTrail, 6}, {kNalStsa, 2}, {kNalRadl, 1}, {kNalRasl, 5}, {kNalIdrWRadl, 0},
      {kNalIdrNLp, 0}, {kNalCra, 0}, {kNalVps, 0}, {kNalSps, 0}, {kNalPps, 0}, {kNalPps, 2}, {kNalPh, 4},
      {kNalAud, 0}, {kNalPrefixSei, 1}, {kNalSuffixSei, 6}, {kNalEos, 0}, {kNalEob, 0}};
  Bytes stream;
  for (const auto& c : cases) appendAnnexB(stream, makeNalUnit(c.type, c.tid, {0x80}));
  const std::vector<NalUnit> nals = parseAnnexB(stream.data(), stream.size());
  CHECK_EQ(nals.size(), sizeof(cases) / sizeof(cases[0]));
  for (size_t i = 0; i < nals.size() && i < sizeof(cases) / sizeof(cases[0]); ++i) {
    CHECK_EQ(nals[i].type, cases[i].type);
    CHECK_EQ(nals[i].temporalId, cases[i].tid);
    CHECK_EQ(nals[i].layerId, 0);
    CHECK(nals[i].rbsp == Bytes({0x80}));
  }
  // nuh_layer_id is read from the low six bits of the first byte
  const Bytes layered = {0x00, 0x00, 0x01, 0x05, uint8_t(kNalTrail << 3 | 1), 0x80};
  const std::vector<NalUnit> l = parseAnnexB(layered.data(), layered.size());
  CHECK_EQ(l.size(), 1);
  if (!l.empty()) CHECK_EQ(l[0].layerId, 5);
  // TemporalId outside 0..6 is refused by the writer
  bool threw = false;
  try {
    makeNalUnit(kNalTrail, 7, {0x80});
  } catch (const std::invalid_argument&) {
    threw = true;
  }
  CHECK(threw, "TemporalId 7");
}

TEST_CASE(nalTypeClasses) {
  CHECK(isVclNal(kNalTrail) && isVclNal(kNalCra) && isVclNal(kNalGdr) && isVclNal(NalType(11)));
  CHECK(!isVclNal(kNalVps) && !isVclNal(kNalSps) && !isVclNal(kNalPh) && !isVclNal(kNalPrefixSei));
  CHECK(isIdrNal(kNalIdrWRadl) && isIdrNal(kNalIdrNLp) && !isIdrNal(kNalCra));
  CHECK(isIrapNal(kNalIdrWRadl) && isIrapNal(kNalIdrNLp) && isIrapNal(kNalCra));
  CHECK(!isIrapNal(kNalGdr) && !isIrapNal(kNalRasl) && !isIrapNal(kNalTrail));
}

TEST_CASE(annexBStartCodesAndGarbage) {
  const uint8_t hSps = uint8_t(kNalSps << 3 | 1), hPps = uint8_t(kNalPps << 3 | 1), hPh = uint8_t(kNalPh << 3 | 2);
  // leading garbage, a 4-byte start code, a 3-byte one, trailing_zero_8bits, another 4-byte one
  const Bytes stream = {0xde, 0xad, 0x42, 0x00, 0x00, 0x00, 0x01, 0x00, hSps, 0x11, 0x80,
                        0x00, 0x00, 0x01, 0x00, hPps, 0x22, 0x80, 0x00, 0x00, 0x00,
                        0x00, 0x00, 0x00, 0x01, 0x00, hPh, 0x33};
  const std::vector<NalUnit> nals = parseAnnexB(stream.data(), stream.size());
  CHECK_EQ(nals.size(), 3);
  if (nals.size() == 3) {
    CHECK_EQ(nals[0].type, kNalSps);
    CHECK(nals[0].rbsp == Bytes({0x11, 0x80}));
    CHECK_EQ(nals[1].type, kNalPps);
    CHECK(nals[1].rbsp == Bytes({0x22, 0x80}), "trailing zero bytes belong to no NAL unit");
    CHECK_EQ(nals[2].type, kNalPh);
    CHECK_EQ(nals[2].temporalId, 1);
    CHECK(nals[2].rbsp == Bytes({0x33}));
  }
  // writer side: appendAnnexB uses a 4-byte start code
  Bytes s;
  appendAnnexB(s, {0x00, hSps, 0x80});
  CHECK(s == Bytes({0x00, 0x00, 0x00, 0x01, 0x00, hSps, 0x80}));
  // a header-only NAL unit has an empty payload
  const Bytes headerOnly = {0x00, 0x00, 0x01, 0x00, uint8_t(kNalEos << 3 | 1)};
  const std::vector<NalUnit> h = parseAnnexB(headerOnly.data(), headerOnly.size());
  CHECK_EQ(h.size(), 1);
  if (!h.empty()) CHECK(h[0].rbsp.empty() && h[0].type == kNalEos);
}

TEST_CASE(annexBCleanErrors) {
  auto parses = [](const Bytes& s) { return !throwsBitstreamError([&] { parseAnnexB(s.data(), s.size()); }); };
  CHECK(!parses({}), "empty stream");
  CHECK(!parses({0xff, 0xfe, 0x00, 0x01, 0x02}), "no start code");
  CHECK(!parses({0x00, 0x00}), "two zero bytes only");
  CHECK(!parses({0x00, 0x00, 0x01}), "start code with nothing after it");
  CHECK(!parses({0x00, 0x00, 0x01, 0x00}), "one header byte");
  CHECK(!parses({0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, uint8_t(kNalPps << 3 | 1)}), "empty NAL unit");
  CHECK(!parses({0x00, 0x00, 0x01, 0x80, uint8_t(kNalPps << 3 | 1), 0x80}), "forbidden_zero_bit");
  CHECK(!parses({0x00, 0x00, 0x01, 0x00, uint8_t(kNalTrail << 3 | 0), 0x80}), "nuh_temporal_id_plus1 0");
  // 7.4.2.2: IRAP, VPS and SPS NAL units have TemporalId 0
  CHECK(!parses({0x00, 0x00, 0x01, 0x00, uint8_t(kNalCra << 3 | 2), 0x80}), "CRA with TemporalId 1");
  CHECK(!parses({0x00, 0x00, 0x01, 0x00, uint8_t(kNalIdrNLp << 3 | 3), 0x80}), "IDR with TemporalId 2");
  CHECK(!parses({0x00, 0x00, 0x01, 0x00, uint8_t(kNalSps << 3 | 2), 0x80}), "SPS with TemporalId 1");
  CHECK(!parses({0x00, 0x00, 0x01, 0x00, uint8_t(kNalVps << 3 | 7), 0x80}), "VPS with TemporalId 6");
  CHECK(parses({0x00, 0x00, 0x01, 0x00, uint8_t(kNalTrail << 3 | 7), 0x80}), "TRAIL with TemporalId 6");
  // every prefix of a valid stream ends in a result or a BitstreamError, never in anything else
  Bytes valid = annexB({makeNalUnit(kNalSps, 0, {0x00, 0x00, 0x01, 0x80}), makeNalUnit(kNalPps, 0, {0x80})});
  for (size_t n = 0; n <= valid.size(); ++n) {
    bool clean = true;
    try {
      parseAnnexB(valid.data(), n);
    } catch (const BitstreamError&) {
    } catch (...) {
      clean = false;
    }
    CHECK(clean, "prefix of %zu bytes", n);
  }
}

int main(int argc, char** argv) { return runTestCases(argc, argv); }
