#include "bitstream/bitstream.h"

#include <stdexcept>

namespace nnvvc {

void BitWriter::u(uint32_t v, int n) {
  for (int i = n - 1; i >= 0; --i) {
    cur_ = (cur_ << 1) | ((v >> i) & 1u);
    if (++nbits_ == 8) { buf_.push_back(uint8_t(cur_)); cur_ = 0; nbits_ = 0; }
  }
}

void BitWriter::ue(uint32_t v) {
  const uint64_t x = uint64_t(v) + 1;
  int len = 0;
  while ((x >> (len + 1)) != 0) ++len;
  u(0, len);
  // x has len+1 significant bits
  for (int i = len; i >= 0; --i) u(uint32_t((x >> i) & 1u), 1);
}

void BitWriter::se(int32_t v) {
  ue(v > 0 ? uint32_t(2 * int64_t(v) - 1) : uint32_t(-2 * int64_t(v)));
}

void BitWriter::trailingBits() { u(1, 1); alignZero(); }
void BitWriter::alignZero() { while (nbits_ != 0) u(0, 1); }

void BitWriter::appendBytes(const std::vector<uint8_t>& b) {
  if (nbits_ != 0) throw std::logic_error("BitWriter::appendBytes needs byte alignment");
  buf_.insert(buf_.end(), b.begin(), b.end());
}

uint32_t BitReader::u(int n) {
  if (n == 0) return 0;
  if (size_t(n) > bitsLeft()) throw BitstreamError("unexpected end of NAL unit payload");
  uint32_t v = 0;
  for (int i = 0; i < n; ++i) {
    v = (v << 1) | ((d_[pos_ >> 3] >> (7 - (pos_ & 7))) & 1u);
    ++pos_;
  }
  return v;
}

uint32_t BitReader::ue(uint32_t maxValue) {
  int zeros = 0;
  while (u(1) == 0) {
    if (++zeros > 31) throw BitstreamError("Exp-Golomb code too long");
  }
  const uint64_t v = (uint64_t(1) << zeros) - 1 + u(zeros);
  if (v > maxValue) throw BitstreamError("Exp-Golomb value " + std::to_string(v) + " out of range");
  return uint32_t(v);
}

int32_t BitReader::se(int32_t minValue, int32_t maxValue) {
  const uint32_t k = ue();
  const int64_t v = (k & 1) ? int64_t((k + 1) / 2) : -int64_t(k / 2);
  if (v < minValue || v > maxValue) throw BitstreamError("signed Exp-Golomb value out of range");
  return int32_t(v);
}

void BitReader::expectTrailingBits() {
  if (u(1) != 1) throw BitstreamError("missing rbsp stop bit");
  while (!byteAligned()) if (u(1) != 0) throw BitstreamError("non-zero alignment bit");
}

std::vector<uint8_t> makeNalUnit(NalType type, int temporalId, const std::vector<uint8_t>& rbsp) {
  if (temporalId < 0 || temporalId > 6) throw std::invalid_argument("makeNalUnit: TemporalId out of range 0..6");
  std::vector<uint8_t> nal;
  nal.reserve(rbsp.size() + rbsp.size() / 64 + 4);
  // forbidden_zero_bit(1) nuh_reserved_zero_bit(1) nuh_layer_id(6) | nal_unit_type(5) tid_plus1(3)
  nal.push_back(0x00);
  nal.push_back(uint8_t((unsigned(type) << 3) | unsigned(temporalId + 1)));
  int zeros = 0;
  for (uint8_t b : rbsp) {
    if (zeros >= 2 && b <= 3) { nal.push_back(0x03); zeros = 0; }
    nal.push_back(b);
    zeros = (b == 0) ? zeros + 1 : 0;
  }
  return nal;
}

void appendAnnexB(std::vector<uint8_t>& stream, const std::vector<uint8_t>& nal) {
  static const uint8_t sc[4] = {0, 0, 0, 1};
  stream.insert(stream.end(), sc, sc + 4);
  stream.insert(stream.end(), nal.begin(), nal.end());
}

std::vector<NalUnit> parseAnnexB(const uint8_t* data, size_t size) {
  std::vector<NalUnit> out;
  size_t i = 0;
  // find first start code
  auto findStart = [&](size_t from) -> size_t {
    for (size_t k = from; k + 2 < size; ++k)
      if (data[k] == 0 && data[k + 1] == 0 && data[k + 2] == 1) return k;
    return size;
  };
  i = findStart(0);
  if (i == size) throw BitstreamError("no Annex-B start code found");
  while (i < size) {
    const size_t begin = i + 3;
    size_t next = findStart(begin);
    size_t end = next;
    while (end > begin && data[end - 1] == 0) --end;  // trailing_zero_8bits / zero_byte
    if (end - begin < 2) throw BitstreamError("NAL unit shorter than its header");
    const uint8_t h0 = data[begin], h1 = data[begin + 1];
    if (h0 & 0x80) throw BitstreamError("forbidden_zero_bit set");
    NalUnit nu;
    nu.layerId = h0 & 0x3f;
    nu.type = NalType(h1 >> 3);
    nu.temporalId = int(h1 & 7) - 1;
    if (nu.temporalId < 0) throw BitstreamError("nuh_temporal_id_plus1 is zero");
    // 7.4.2.2: IRAP pictures and SPS/PPS/VPS belong to sublayer 0
    if (nu.temporalId != 0 && (isIrapNal(nu.type) || nu.type == kNalVps || nu.type == kNalSps))
      throw BitstreamError("NAL unit type " + std::to_string(int(nu.type)) + " with TemporalId " +
                           std::to_string(nu.temporalId) + " (must be 0)");
    nu.rbsp.reserve(end - begin);
    int zeros = 0;
    for (size_t k = begin + 2; k < end; ++k) {
      const uint8_t b = data[k];
      if (zeros >= 2 && b == 3) { zeros = 0; continue; }
      nu.rbsp.push_back(b);
      zeros = (b == 0) ? zeros + 1 : 0;
    }
    out.push_back(std::move(nu));
    i = next;
  }
  return out;
}

}  // namespace nnvvc
