#include "cabac/cabac.h"

#include <cmath>

namespace nnvvc {

void ContextModel::init(int initValue, int shiftIdx, int sliceQp) {
  // 9.3.2.2
  const int slopeIdx = initValue >> 3, offsetIdx = initValue & 7;
  const int m = slopeIdx - 4, n = offsetIdx * 18 + 1;
  const int qp = sliceQp < 0 ? 0 : (sliceQp > 63 ? 63 : sliceQp);
  int pre = ((m * (qp - 16)) >> 1) + n;
  pre = pre < 1 ? 1 : (pre > 127 ? 127 : pre);
  s0 = uint16_t(pre << 3);
  s1 = uint16_t(pre << 7);
  shift0 = uint8_t((shiftIdx >> 2) + 2);
  shift1 = uint8_t((shiftIdx & 3) + 3 + shift0);
}

uint32_t kFracBitsOne[256];
namespace {
// Fills kFracBitsOne at program start (before main; nothing uses it during static initialisation).
struct FracBitTableInit {
  FracBitTableInit() {
    for (int i = 0; i < 256; ++i) kFracBitsOne[i] = uint32_t(std::lround(-std::log2((i + 0.5) / 256.0) * 32768.0));
  }
} fracBitTableInit;
}  // namespace

void ContextSet::init(int sliceQp, int initType) {
  for (int i = 0; i < kNumCtx; ++i) ctx[i].init(kCtxInitValue[initType][i], kCtxShiftIdx[i], sliceQp);
}

// ---------------------------------------------------------------- encoder
void ArithEncoder::start() {
  low_ = 0; range_ = 510; bitsLeft_ = 23; bufferedByte_ = 0xff; bufferedBytes_ = 0; out_.clear();
}

void ArithEncoder::writeOut() {
  const uint32_t leadByte = low_ >> (24 - bitsLeft_);
  bitsLeft_ += 8;
  low_ &= 0xffffffffu >> bitsLeft_;
  if (leadByte == 0xff) {
    ++bufferedBytes_;
  } else if (bufferedBytes_ > 0) {
    const unsigned carry = leadByte >> 8;
    putByte(bufferedByte_ + carry);
    bufferedByte_ = leadByte & 0xff;
    const unsigned fill = (0xff + carry) & 0xff;
    while (bufferedBytes_ > 1) { putByte(fill); --bufferedBytes_; }
  } else {
    bufferedBytes_ = 1;
    bufferedByte_ = leadByte;
  }
}

unsigned ArithEncoder::bin(ContextModel& c, unsigned b) {
  const unsigned lps = c.lpsRange(range_);
  const unsigned mps = c.mps();
  range_ -= lps;
  if (b != mps) {
    int numBits = 0;
    unsigned r = lps;
    while (r < 256) { r <<= 1; ++numBits; }
    low_ = (low_ + range_) << numBits;
    range_ = lps << numBits;
    bitsLeft_ -= numBits;
  } else if (range_ < 256) {
    low_ <<= 1; range_ <<= 1; --bitsLeft_;
  }
  c.update(b);
  if (bitsLeft_ < 12) writeOut();
  return b;
}

unsigned ArithEncoder::bypass(unsigned b) {
  low_ <<= 1;
  if (b) low_ += range_;
  --bitsLeft_;
  if (bitsLeft_ < 12) writeOut();
  return b;
}

unsigned ArithEncoder::bypassBits(unsigned v, int n) {
  for (int i = n - 1; i >= 0; --i) bypass((v >> i) & 1u);
  return v;
}

unsigned ArithEncoder::terminate(unsigned b) {
  range_ -= 2;
  if (b) {
    low_ += range_;
    low_ <<= 7; range_ = 2 << 7; bitsLeft_ -= 7;
  } else if (range_ < 256) {
    low_ <<= 1; range_ <<= 1; --bitsLeft_;
  }
  if (bitsLeft_ < 12) writeOut();
  return b;
}

void ArithEncoder::finish() {
  if ((low_ >> (32 - bitsLeft_)) != 0) {
    putByte(bufferedByte_ + 1);
    while (bufferedBytes_ > 1) { putByte(0x00); --bufferedBytes_; }
    low_ -= 1u << (32 - bitsLeft_);
  } else {
    if (bufferedBytes_ > 0) putByte(bufferedByte_);
    while (bufferedBytes_ > 1) { putByte(0xff); --bufferedBytes_; }
  }
  // Remaining 24 - bitsLeft bits of low (>> 8), written MSB first; a partial last byte is
  // kept in pendingBits by the caller through finishBits().
  int n = 24 - bitsLeft_;
  uint32_t v = low_ >> 8;
  // Emit whole bytes; leftover bits are left-aligned into a final byte with the rbsp stop bit
  // appended by the caller (see appendTrailingBits in the slice writer). To keep the interface
  // simple we store the leftover bit count in the last element's companion fields.
  pendingBits_ = 0; pendingCount_ = 0;
  while (n >= 8) { n -= 8; putByte((v >> n) & 0xff); }
  pendingBits_ = v & ((1u << n) - 1); pendingCount_ = n;
  bufferedBytes_ = 0;
}

// ---------------------------------------------------------------- decoder
void ArithDecoder::start(const uint8_t* data, size_t size) {
  data_ = data; size_ = size; pos_ = 0; bitPos_ = 0; overrun_ = false;
  range_ = 510;
  offset_ = 0;
  for (int i = 0; i < 9; ++i) offset_ = (offset_ << 1) | readBit();
}

unsigned ArithDecoder::bin(ContextModel& c, unsigned) {
  const unsigned lps = c.lpsRange(range_);
  unsigned b = c.mps();
  range_ -= lps;
  if (offset_ >= range_) {
    b = !b;
    offset_ -= range_;
    range_ = lps;
  }
  while (range_ < 256) { range_ <<= 1; offset_ = (offset_ << 1) | readBit(); }
  c.update(b);
  return b;
}

unsigned ArithDecoder::bypass(unsigned) {
  offset_ = (offset_ << 1) | readBit();
  if (offset_ >= range_) { offset_ -= range_; return 1; }
  return 0;
}

unsigned ArithDecoder::bypassBits(unsigned, int n) {
  unsigned v = 0;
  for (int i = 0; i < n; ++i) v = (v << 1) | bypass();
  return v;
}

unsigned ArithDecoder::terminate(unsigned) {
  range_ -= 2;
  if (offset_ >= range_) return 1;
  while (range_ < 256) { range_ <<= 1; offset_ = (offset_ << 1) | readBit(); }
  return 0;
}

}  // namespace nnvvc
