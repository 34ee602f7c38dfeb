// Bit-level writer/reader for RBSPs, emulation prevention, NAL unit headers and Annex-B byte
// streams (H.266 7.3.1, 7.4.2, Annex B).
#pragma once
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace nnvvc {

// Thrown by parsers on malformed input (the decoder turns it into a clean error exit).
struct BitstreamError : std::runtime_error {
  explicit BitstreamError(const std::string& m) : std::runtime_error(m) {}
};

class BitWriter {
 public:
  void u(uint32_t v, int n);           // n <= 32 bits, MSB first
  void flag(bool b) { u(b ? 1u : 0u, 1); }
  void ue(uint32_t v);
  void se(int32_t v);
  void trailingBits();                 // rbsp_trailing_bits: 1 then zeros to byte alignment
  void alignZero();                    // zero bits to byte alignment
  bool byteAligned() const { return nbits_ == 0; }
  void appendBytes(const std::vector<uint8_t>& b);  // requires byte alignment
  const std::vector<uint8_t>& bytes() const { return buf_; }  // complete bytes only
  std::vector<uint8_t>& bytesMutable() { return buf_; }
  uint64_t bitCount() const { return uint64_t(buf_.size()) * 8 + unsigned(nbits_); }

 private:
  std::vector<uint8_t> buf_;
  uint32_t cur_ = 0;
  int nbits_ = 0;
};

// Reader over an RBSP (emulation prevention already removed). Every read is bounds-checked and
// throws BitstreamError past the end.
class BitReader {
 public:
  BitReader(const uint8_t* d, size_t n) : d_(d), n_(n) {}
  uint32_t u(int n);
  bool flag() { return u(1) != 0; }
  uint32_t ue(uint32_t maxValue = 0xfffffffeu);  // throws when > maxValue
  int32_t se(int32_t minValue = -0x7fffffff, int32_t maxValue = 0x7fffffff);
  bool byteAligned() const { return (pos_ & 7) == 0; }
  size_t bytePos() const { return pos_ >> 3; }
  size_t bitsLeft() const { return n_ * 8 - pos_; }
  void skipToByteAlign() { pos_ = (pos_ + 7) & ~size_t(7); }
  void expectTrailingBits();  // rbsp_trailing_bits / byte_alignment(): 1 then zeros

 private:
  const uint8_t* d_;
  size_t n_, pos_ = 0;
};

// NAL unit types used (Table 5).
enum NalType : uint8_t {
  kNalTrail = 0, kNalStsa = 1, kNalRadl = 2, kNalRasl = 3, kNalIdrWRadl = 7, kNalIdrNLp = 8, kNalCra = 9,
  kNalGdr = 10, kNalVps = 14, kNalSps = 15, kNalPps = 16, kNalPh = 19, kNalAud = 20, kNalEos = 21, kNalEob = 22,
  kNalPrefixSei = 23, kNalSuffixSei = 24
};
inline bool isVclNal(NalType t) { return t <= 11; }  // 0..11: coded slices and reserved VCL types
inline bool isIdrNal(NalType t) { return t == kNalIdrWRadl || t == kNalIdrNLp; }
inline bool isIrapNal(NalType t) { return t >= kNalIdrWRadl && t <= kNalCra; }  // IDR_W_RADL..CRA (7..9)

// Build a NAL unit (2-byte header + RBSP with emulation prevention bytes). temporalId 0..6 goes
// into nuh_temporal_id_plus1 (TemporalId of the picture's sublayer; 0 for parameter sets and IRAPs).
std::vector<uint8_t> makeNalUnit(NalType type, int temporalId, const std::vector<uint8_t>& rbsp);
// Append a NAL unit to an Annex-B stream with a 4-byte start code.
void appendAnnexB(std::vector<uint8_t>& stream, const std::vector<uint8_t>& nal);

struct NalUnit {
  NalType type;
  int layerId, temporalId;
  std::vector<uint8_t> rbsp;  // payload after the header, emulation prevention removed
};
// Split an Annex-B byte stream into NAL units. Throws BitstreamError on malformed headers
// (forbidden bit, nuh_temporal_id_plus1 == 0, TemporalId != 0 on IRAP / parameter-set NAL units).
std::vector<NalUnit> parseAnnexB(const uint8_t* data, size_t size);

}  // namespace nnvvc
