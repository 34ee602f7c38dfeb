// CABAC engine (H.266 9.3): context models with the dual-window probability update, the
// arithmetic decoder (9.3.4.3), the matching arithmetic encoder, and a fractional-bit estimator.
//
// The syntax code (syntax/ctu_syntax.h) is templated on a "bin coder" with this interface:
//   static constexpr bool kReading;               // true for the decoder
//   unsigned bin(ContextModel& c, unsigned b);    // context-coded bin; returns the bin value
//   unsigned bypass(unsigned b);                  // equiprobable bin
//   unsigned bypassBits(unsigned v, int n);       // n (<= 32) bypass bins, MSB first
//   unsigned terminate(unsigned b);               // end_of_slice_one_bit etc.
// Writers (ArithEncoder, BitEstimator) return the value they were given; the reader
// (ArithDecoder) ignores the argument and returns the decoded value.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "cabac/context_ids.h"

namespace nnvvc {

// One context variable: pStateIdx0 (10-bit window, fast) and pStateIdx1 (14-bit, slow).
struct ContextModel {
  uint16_t s0 = 512u << 0;  // pStateIdx0 in [0, 1023]
  uint16_t s1 = 8192;       // pStateIdx1 in [0, 16383]
  uint8_t shift0 = 4, shift1 = 7;

  void init(int initValue, int shiftIdx, int sliceQp);
  // 15-bit probability that the bin is 1 (spec pState = pStateIdx1 + 16 * pStateIdx0).
  unsigned pState() const { return unsigned(s1) + 16u * unsigned(s0); }
  void update(unsigned bin) {
    s0 = uint16_t(s0 - (s0 >> shift0) + ((1023u * bin) >> shift0));
    s1 = uint16_t(s1 - (s1 >> shift1) + ((16383u * bin) >> shift1));
  }
  // Range of the LPS for the current range (9.3.4.3.2), and the MPS value.
  unsigned mps() const { return pState() >> 14; }
  unsigned lpsRange(unsigned range) const {
    const unsigned p = pState();
    const unsigned q = mps() ? 32767u - p : p;
    return (((range >> 5) * (q >> 9)) >> 1) + 4;
  }
  // Estimated cost of coding `bin` with this context, in 1/32768 bit units.
  inline uint32_t fracBits(unsigned bin) const;
};

// -log2(p) * 32768 for the probability of a one quantised to 8 bits (index pState >> 7).
extern uint32_t kFracBitsOne[256];
inline uint32_t ContextModel::fracBits(unsigned bin) const {
  const unsigned idx = pState() >> 7;
  return bin ? kFracBitsOne[idx] : kFracBitsOne[255 - idx];
}

// All context variables of a slice. Plain copyable value: the encoder search snapshots and
// restores it freely.
struct ContextSet {
  ContextModel ctx[kNumCtx];
  // 9.3.2.2: initType 0 for I slices (1/2 for P/B, with cabac_init_flag swapping).
  void init(int sliceQp, int initType);
  ContextModel& operator[](int i) { return ctx[i]; }
  const ContextModel& operator[](int i) const { return ctx[i]; }
};

// Arithmetic encoder writing the slice data bytes (no emulation prevention: that is applied when
// the NAL unit is assembled).
class ArithEncoder {
 public:
  static constexpr bool kReading = false;
  void start();
  unsigned bin(ContextModel& c, unsigned b);
  unsigned bypass(unsigned b);
  unsigned bypassBits(unsigned v, int n);
  unsigned terminate(unsigned b);
  // Flush after the final terminate(1); then the caller appends rbsp trailing bits.
  void finish();
  // Whole bytes written so far; after finish() the final 0..7 bits are in pendingBits() /
  // pendingCount() (MSB-first, to be followed by the rbsp stop bit and alignment).
  const std::vector<uint8_t>& bytes() const { return out_; }
  uint32_t pendingBits() const { return pendingBits_; }
  int pendingCount() const { return pendingCount_; }
  // Number of bits written so far (approximate before finish(); exact count for statistics).
  uint64_t bitsWritten() const { return uint64_t(out_.size()) * 8 + uint64_t(bufferedBytes_) * 8 + uint64_t(23 - bitsLeft_); }

 private:
  void writeOut();
  void putByte(unsigned b) { out_.push_back(uint8_t(b)); }
  uint32_t low_ = 0, range_ = 510;
  int bitsLeft_ = 23;
  unsigned bufferedByte_ = 0xff;
  int bufferedBytes_ = 0;
  std::vector<uint8_t> out_;
  uint32_t pendingBits_ = 0;
  int pendingCount_ = 0;
};

// Rate estimator with the same interface: accumulates fractional bits and updates the
// contexts exactly as the encoder would (so a search working on a ContextSet copy sees the
// adapted states).
class BitEstimator {
 public:
  static constexpr bool kReading = false;
  unsigned bin(ContextModel& c, unsigned b) { bits_ += c.fracBits(b); c.update(b); return b; }
  unsigned bypass(unsigned b) { bits_ += 32768; return b; }
  unsigned bypassBits(unsigned v, int n) { bits_ += uint64_t(n) * 32768u; return v; }
  unsigned terminate(unsigned b) { bits_ += b ? 7u * 32768u : 0u; return b; }
  uint64_t fracBits() const { return bits_; }  // 1 bit = 32768
  double bits() const { return double(bits_) / 32768.0; }
  void reset() { bits_ = 0; }

 private:
  uint64_t bits_ = 0;
};

// Arithmetic decoder over a byte range (slice data after the slice header). Reading past the end
// yields zero bits and sets overrun(): callers treat that as a corrupt stream.
class ArithDecoder {
 public:
  static constexpr bool kReading = true;
  void start(const uint8_t* data, size_t size);
  unsigned bin(ContextModel& c, unsigned ignored = 0);
  unsigned bypass(unsigned ignored = 0);
  unsigned bypassBits(unsigned ignored, int n);
  unsigned terminate(unsigned ignored = 0);
  bool overrun() const { return overrun_; }

 private:
  unsigned readBit() {
    if (pos_ >= size_) { overrun_ = pos_ > size_ + 4 ? true : overrun_; ++bitPos_; if (bitPos_ == 8) { bitPos_ = 0; ++pos_; } return 0; }
    unsigned b = (data_[pos_] >> (7 - bitPos_)) & 1u;
    if (++bitPos_ == 8) { bitPos_ = 0; ++pos_; }
    return b;
  }
  const uint8_t* data_ = nullptr;
  size_t size_ = 0, pos_ = 0;
  int bitPos_ = 0;
  uint32_t range_ = 510, offset_ = 0;
  bool overrun_ = false;
};

}  // namespace nnvvc
