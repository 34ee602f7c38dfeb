// CABAC engine: encoder/decoder round trips with known context states, context initialisation,
// probability adaptation and the fractional-bit estimator.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "cabac/cabac.h"
#include "test_check.h"

using namespace nnvvc;


struct Op { int kind; int ctx; unsigned val; int n; };  // kind 0 ctx bin, 1 bypass, 2 bypass bits, 3 terminate(0)

static uint64_t rng = 12345;
static unsigned rnd(unsigned n) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return unsigned(rng % n); }

static void roundTrip(int qp, int initType, int count, int skewPct) {
  ContextSet encCtx, decCtx;
  encCtx.init(qp, initType);
  decCtx.init(qp, initType);
  std::vector<Op> ops;
  for (int i = 0; i < count; ++i) {
    Op o{};
    o.kind = int(rnd(10));
    o.kind = o.kind < 7 ? 0 : (o.kind < 8 ? 1 : (o.kind < 9 ? 2 : 3));
    o.ctx = int(rnd(kNumCtx));
    o.n = 1 + int(rnd(16));
    o.val = o.kind == 0 ? (rnd(100) < unsigned(skewPct) ? 1u : 0u) : (o.kind == 2 ? rnd(1u << o.n) : (o.kind == 1 ? rnd(2) : 0));
    ops.push_back(o);
  }
  ArithEncoder enc;
  enc.start();
  for (const Op& o : ops) {
    if (o.kind == 0) enc.bin(encCtx[o.ctx], o.val);
    else if (o.kind == 1) enc.bypass(o.val);
    else if (o.kind == 2) enc.bypassBits(o.val, o.n);
    else enc.terminate(0);
  }
  enc.terminate(1);
  enc.finish();
  std::vector<uint8_t> bytes = enc.bytes();
  // append pending bits + stop bit like the slice writer does
  uint32_t pend = (enc.pendingBits() << 1 | 1u) << (7 - enc.pendingCount());
  bytes.push_back(uint8_t(pend));
  ArithDecoder dec;
  dec.start(bytes.data(), bytes.size());
  int mism = 0;
  for (const Op& o : ops) {
    unsigned v = 0;
    if (o.kind == 0) v = dec.bin(decCtx[o.ctx]);
    else if (o.kind == 1) v = dec.bypass();
    else if (o.kind == 2) v = dec.bypassBits(0, o.n);
    else v = dec.terminate();
    if (v != o.val) ++mism;
  }
  CHECK(mism == 0);
  CHECK(dec.terminate() == 1);
  CHECK(!dec.overrun());
  int ctxDiff = 0;
  for (int i = 0; i < kNumCtx; ++i)
    if (encCtx[i].s0 != decCtx[i].s0 || encCtx[i].s1 != decCtx[i].s1) ++ctxDiff;
  CHECK(ctxDiff == 0);
}

// 9.3.2.2 initialisation: initValue 35 -> slopeIdx 4 (m = 0), offsetIdx 3 (n = 55): state 55
// at any QP; pStateIdx0 = 55 << 3, pStateIdx1 = 55 << 7.
TEST_CASE(contextInitialisation) {
  {
    ContextModel m;
    m.init(35, 0, 32);
    CHECK(m.s0 == 55 << 3 && m.s1 == 55 << 7);
    CHECK(m.shift0 == 2 && m.shift1 == 5);
    m.init(63, 13, 51);  // slopeIdx 7 (m = 3), offsetIdx 7 (n = 127): (3*35>>1)+127 -> clipped 127
    CHECK(m.s0 == 127 << 3 && m.s1 == 127 << 7);
    CHECK(m.shift0 == 5 && m.shift1 == 9);
    m.init(0, 4, 0);  // m = -4, n = 1: ((-4*-16)>>1)+1 = 33
    CHECK(m.s0 == 33 << 3);
  }
}

// adaptation: a run of ones drives the probability of one up and the MPS to 1
TEST_CASE(contextAdaptation) {
  {
    ContextModel m;
    m.init(35, 4, 32);
    const unsigned p0 = m.pState();
    for (int i = 0; i < 200; ++i) m.update(1);
    CHECK(m.pState() > p0 && m.mps() == 1 && m.pState() > 30000);
    CHECK(m.fracBits(1) < 2000 && m.fracBits(0) > 5 * 32768);
  }
}

TEST_CASE(encoderDecoderRoundTrips) {
  for (int t = 0; t < 3; ++t)
    for (int qp : {0, 22, 37, 51, 63}) roundTrip(qp, t, 20000, 20 + 30 * t);
  roundTrip(32, 0, 5, 50);
  roundTrip(32, 0, 200000, 95);
}

// estimator tracks the real coder within 2% on a long skewed sequence
TEST_CASE(estimatorTracksCoder) {
  {
    ContextSet a, b;
    a.init(32, 0); b.init(32, 0);
    ArithEncoder enc; enc.start();
    BitEstimator est;
    for (int i = 0; i < 100000; ++i) {
      const int c = int(rnd(40));
      const unsigned v = rnd(100) < unsigned(10 + c * 2) ? 1u : 0u;
      enc.bin(a[c], v);
      est.bin(b[c], v);
      if (i % 7 == 0) { enc.bypass(v); est.bypass(v); }
    }
    enc.terminate(1); enc.finish();
    const double real = double(enc.bytes().size() * 8 + size_t(enc.pendingCount()));
    std::printf("estimator %.1f bits, real %.0f bits\n", est.bits(), real);
    CHECK(std::fabs(est.bits() - real) < 0.02 * real);
  }
}

int main(int argc, char** argv) { return runTestCases(argc, argv); }
