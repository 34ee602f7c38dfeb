// AVX2 inner loop of the dependent-quantisation trellis: the four QStates in the four lanes of a register (costs as
// doubles in a __m256d, integer fields in a __m128i). The twin of subBlockPositions_c (dq_trellis.cpp), with the
// same decisions and the same floating-point operations in the same order, so identical levels and J
// (tests/checkasm_dq.cpp); compiled with -mavx2 and called only where the CPU has it.
#include <immintrin.h>

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "encoder/search/dq_trellis_internal.h"

namespace nnvvc {
namespace search {
namespace dq {

namespace {

// Per lane a or b by an int32 lane mask (all ones: b).
inline __m128i select32(__m128i a, __m128i b, __m128i mask) { return _mm_blendv_epi8(a, b, mask); }
inline __m256d selectPd(__m256d a, __m256d b, __m256d mask) { return _mm256_blendv_pd(a, b, mask); }
// An int32 lane mask widened to the four 64-bit lanes of a __m256d.
inline __m256d widenMask(__m128i m) { return _mm256_castsi256_pd(_mm256_cvtepi32_epi64(m)); }
// The int32 lanes of v permuted by idx (lane i takes v[idx[i] & 3]).
inline __m128i permute32(__m128i v, __m128i idx) {
  return _mm_castps_si128(_mm_permutevar_ps(_mm_castsi128_ps(v), idx));
}

// base[idx[i]] per lane: four loads beat vgatherdpd on the Xeons measured (the gathers were a fifth of the loop)
inline __m256d load4(const double* base, __m128i idx) {
  const int i0 = _mm_cvtsi128_si32(idx), i1 = _mm_extract_epi32(idx, 1), i2 = _mm_extract_epi32(idx, 2),
            i3 = _mm_extract_epi32(idx, 3);
  const __m128d lo = _mm_loadh_pd(_mm_load_sd(base + i0), base + i1);
  const __m128d hi = _mm_loadh_pd(_mm_load_sd(base + i2), base + i3);
  return _mm256_insertf128_pd(_mm256_castpd128_pd256(lo), hi, 1);
}

}  // namespace

void subBlockPositions_avx2(SubBlockJob& job, States*& stRef, States*& nxRef) {
  const bool luma = job.luma, sigInferable = job.sigInferable;
  const int64_t halfStep = job.halfStep;
  const int qBits = job.qBits, base = job.base, firstN = job.firstN, maxBins = job.maxBins;
  const double binC = job.binC, errScale = job.errScale, startC = job.startC;
  const double* lvlFlat = &job.lvlC[0][0];  // [off][6]
  const double* sigFlat = &job.sigC[0][0][0];  // [set][12][2]
  const int32_t* remTab = remBinsTable();     // [rice][128]
  const int64_t* absScaled = job.absScaled;
  const uint8_t *xOfPos = job.xOfPos, *yOfPos = job.yOfPos;
  const int8_t(*inNb)[5] = job.inNb;
  const int* outSum = reinterpret_cast<const int*>(job.outSum);
  const double *lastCX = job.lastCX, *lastCY = job.lastCY;
  Decision(*dec)[4] = job.dec;
  double preStart = job.preStart, sbZeroD = 0;
  States *st = stRef, *nx = nxRef;
  auto dist = [&](int64_t a, int64_t r) { return quantError(a, r, halfStep, errScale); };

  const __m256d vInf = _mm256_set1_pd(kInf);
  const __m128i vZero = _mm_setzero_si128();
  const __m128i vOne = _mm_set1_epi32(1);
  const __m128i vFour = _mm_set1_epi32(4);
  const __m128i vFF = _mm_set1_epi32(0xff);
  const __m128i sigSetBase = _mm_setr_epi32(0, 0, 24, 48);  // context set of QState 0-1, 2, 3 (x 12 x 2 doubles)
  // byte shuffle of the cur rows: per 4-byte row, byte i <- byte prev[i] of the same row
  const __m256i rowOffsets = _mm256_setr_epi8(0, 0, 0, 0, 4, 4, 4, 4, 8, 8, 8, 8, 12, 12, 12, 12,
                                              0, 0, 0, 0, 4, 4, 4, 4, 8, 8, 8, 8, 12, 12, 12, 12);

  for (int n = firstN; n >= 0; --n) {
    const int pos = base + n;
    const int64_t a = absScaled[pos];
    const double d0 = dist(a, 0);
    const int x = xOfPos[pos], y = yOfPos[pos], dg = x + y;
    const int sigDiag = sigCtxDiag(luma, dg), offDiag = levelCtxDiag(luma, dg);
    // candidates per quantiser (the C loop's candK / candD): below kMaxLevel here (dqQuantize checks), so kb and
    // kb + 1, of opposite parity; kb = 0 leaves only the odd level 1
    int64_t evK[2], odK[2];
    double evD[2], odD[2];
    bool hasEv[2];
    for (int qz = 0; qz < 2; ++qz) {
      const int64_t kb = qz ? (a + halfStep) >> qBits : a >> qBits;
      const int64_t e = (kb & 1) ? kb + 1 : kb, o = (kb & 1) ? kb : kb + 1;
      hasEv[qz] = kb > 0;
      evK[qz] = e;
      odK[qz] = o;
      evD[qz] = hasEv[qz] ? dist(a, qz ? 2 * e - 1 : 2 * e) : 0.0;
      odD[qz] = dist(a, qz ? 2 * o - 1 : 2 * o);
    }

    // ---- the four source states ----
    const __m256d cost = _mm256_load_pd(st->cost);
    const __m256d valid = _mm256_cmp_pd(cost, vInf, _CMP_LT_OQ);
    const __m128i origin = _mm_load_si128(reinterpret_cast<const __m128i*>(st->origin));
    const __m128i remBins = _mm_load_si128(reinterpret_cast<const __m128i*>(st->remBins));
    const __m128i anySig = _mm_load_si128(reinterpret_cast<const __m128i*>(st->anySig));
    // template: the packed sums outside the sub-block (by origin; -1 -> the zero row 4) plus the five neighbours
    const __m128i outRow = _mm_blendv_epi8(origin, vFour, _mm_cmplt_epi32(origin, vZero));
    __m128i t5 = _mm_i32gather_epi32(outSum, _mm_add_epi32(_mm_slli_epi32(outRow, 4), _mm_set1_epi32(n)), 4);
    for (int j = 0; j < 5; ++j) {
      uint32_t row;
      std::memcpy(&row, st->cur[inNb[n][j]], 4);
      const __m128i v = _mm_cvtepu8_epi32(_mm_cvtsi32_si128(int(row)));
      const __m128i pass1 = _mm_min_epi32(v, _mm_add_epi32(vFour, _mm_and_si128(v, vOne)));
      const __m128i term = _mm_or_si128(_mm_or_si128(pass1, _mm_slli_epi32(_mm_min_epi32(v, vOne), 8)), _mm_slli_epi32(v, 16));
      t5 = _mm_add_epi32(t5, term);
    }
    const __m128i sum1 = _mm_and_si128(t5, vFF);
    const __m128i numSig = _mm_and_si128(_mm_srli_epi32(t5, 8), vFF);
    const __m128i sumAbs = _mm_srli_epi32(t5, 16);
    // sig_coeff_flag inferred 1: index 0 of a sub-block after the first, on a path from an earlier sub-block with no
    // level in this one
    __m128i inferred = vZero;
    if (n == 0 && sigInferable)
      inferred = _mm_andnot_si128(_mm_cmplt_epi32(origin, vZero), _mm_cmpeq_epi32(anySig, vZero));
    const __m256d inferredPd = widenMask(inferred);

    // ---- regular (context-coded) pass for every lane; dec_abs_level lanes are patched below ----
    const __m128i sigCtx = _mm_add_epi32(_mm_min_epi32(_mm_srli_epi32(_mm_add_epi32(sum1, vOne), 1), _mm_set1_epi32(3)),
                                         _mm_set1_epi32(sigDiag));
    const __m128i sigIdx = _mm_add_epi32(sigSetBase, _mm_slli_epi32(sigCtx, 1));
    const __m256d sig0 = load4(sigFlat, sigIdx);
    const __m256d sig1 = load4(sigFlat + 1, sigIdx);
    const __m128i off = _mm_add_epi32(_mm_min_epi32(_mm_sub_epi32(sum1, numSig), vFour), _mm_set1_epi32(offDiag));
    const __m128i riceSum = _mm_min_epi32(_mm_max_epi32(_mm_sub_epi32(sumAbs, _mm_set1_epi32(20)), vZero), _mm_set1_epi32(31));
    const __m128i rice = _mm_sub_epi32(
        _mm_sub_epi32(_mm_setzero_si128(), _mm_cmpgt_epi32(riceSum, _mm_set1_epi32(6))),
        _mm_add_epi32(_mm_cmpgt_epi32(riceSum, _mm_set1_epi32(13)), _mm_cmpgt_epi32(riceSum, _mm_set1_epi32(27))));
    const __m128i off6 = _mm_mullo_epi32(off, _mm_set1_epi32(6));
    // level bins of a candidate per quantiser (lanes 0-1: Q0, 2-3: Q1)
    auto levelCostVec = [&](const int64_t k[2]) __attribute__((always_inline)) -> __m256d {
      const int kk0 = k[0] < 4 ? int(k[0]) : 4 + int((k[0] - 4) & 1), kk1 = k[1] < 4 ? int(k[1]) : 4 + int((k[1] - 4) & 1);
      const __m128i idx = _mm_add_epi32(off6, _mm_setr_epi32(kk0, kk0, kk1, kk1));
      __m256d lvl = load4(lvlFlat, idx);
      if (k[0] >= 4 || k[1] >= 4) {
        const int64_t v0 = k[0] >= 4 ? (k[0] - 4) >> 1 : 0, v1 = k[1] >= 4 ? (k[1] - 4) >> 1 : 0;
        __m128i rb;
        if (v0 < 128 && v1 < 128) {
          rb = _mm_i32gather_epi32(remTab, _mm_add_epi32(_mm_slli_epi32(rice, 7), _mm_setr_epi32(int(v0), int(v0), int(v1), int(v1))), 4);
        } else {
          alignas(16) int32_t r[4], rb4[4];
          _mm_store_si128(reinterpret_cast<__m128i*>(r), rice);
          for (int l = 0; l < 4; ++l) rb4[l] = remBinsOf(l < 2 ? v0 : v1, r[l]);
          rb = _mm_load_si128(reinterpret_cast<const __m128i*>(rb4));
        }
        const __m256d withRem = _mm256_add_pd(lvl, _mm256_mul_pd(_mm256_set1_pd(binC), _mm256_cvtepi32_pd(rb)));
        const __m128i big = _mm_setr_epi32(-(k[0] >= 4), -(k[0] >= 4), -(k[1] >= 4), -(k[1] >= 4));
        lvl = selectPd(lvl, withRem, widenMask(big));
      }
      return lvl;
    };
    const __m256d sigOne = _mm256_andnot_pd(inferredPd, sig1);   // inferred: 0.0
    const __m128i sigBin = _mm_andnot_si128(inferred, vOne);      // inferred: 0
    const __m256d evDv = _mm256_setr_pd(evD[0], evD[0], evD[1], evD[1]);
    const __m256d odDv = _mm256_setr_pd(odD[0], odD[0], odD[1], odD[1]);
    const __m256d lvlE = levelCostVec(evK), lvlO = levelCostVec(odK);
    const __m256d cE = _mm256_add_pd(_mm256_add_pd(cost, evDv), _mm256_add_pd(sigOne, lvlE));
    const __m256d cO = _mm256_add_pd(_mm256_add_pd(cost, odDv), _mm256_add_pd(sigOne, lvlO));
    const __m256d z = _mm256_add_pd(_mm256_add_pd(cost, _mm256_set1_pd(d0)), sig0);
    const __m128i evKv = _mm_setr_epi32(int(evK[0]), int(evK[0]), int(evK[1]), int(evK[1]));
    const __m128i odKv = _mm_setr_epi32(int(odK[0]), int(odK[0]), int(odK[1]), int(odK[1]));
    const __m128i hasEvMask = _mm_setr_epi32(-int(hasEv[0]), -int(hasEv[0]), -int(hasEv[1]), -int(hasEv[1]));
    // even choice: zero first (none where inferred), the even candidate where it exists and is strictly cheaper
    const __m256d zOrInf = selectPd(z, vInf, inferredPd);
    const __m256d takeE = _mm256_and_pd(widenMask(hasEvMask), _mm256_cmp_pd(cE, zOrInf, _CMP_LT_OQ));
    __m256d evC = selectPd(zOrInf, cE, takeE);
    const __m128i takeE32 = _mm256_cvtpd_epi32(_mm256_and_pd(takeE, _mm256_set1_pd(-1.0)));  // -1 / 0 per lane
    // context-coded bins of a candidate level k: sig_coeff_flag (unless inferred), gt1, and par + gt3 from 2 on
    auto candBins = [&](__m128i k) {
      return _mm_add_epi32(sigBin, _mm_blendv_epi8(vOne, _mm_set1_epi32(3), _mm_cmpgt_epi32(k, vOne)));
    };
    __m128i evL = _mm_and_si128(takeE32, evKv);
    __m128i evB = select32(vOne, candBins(evKv), takeE32);
    __m256d odC = cO;
    __m128i odL = odKv;
    __m128i odB = candBins(odKv);
    // lanes without a path: no choice
    evC = selectPd(vInf, evC, valid);
    odC = selectPd(vInf, odC, valid);
    // dec_abs_level lanes (bin budget spent): as the C loop, one lane at a time
    const __m128i decAbs = _mm_cmplt_epi32(remBins, vFour);
    const int decAbsLanes = _mm_movemask_ps(_mm_castsi128_ps(decAbs)) & _mm256_movemask_pd(valid);
    if (decAbsLanes) {
      alignas(32) double ec[4], oc[4], cs[4];
      alignas(16) int32_t el[4], eb[4], ol[4], ob[4], sa[4], inf[4];
      _mm256_store_pd(ec, evC);
      _mm256_store_pd(oc, odC);
      _mm256_store_pd(cs, cost);
      _mm_store_si128(reinterpret_cast<__m128i*>(el), evL);
      _mm_store_si128(reinterpret_cast<__m128i*>(eb), evB);
      _mm_store_si128(reinterpret_cast<__m128i*>(ol), odL);
      _mm_store_si128(reinterpret_cast<__m128i*>(ob), odB);
      _mm_store_si128(reinterpret_cast<__m128i*>(sa), sumAbs);
      _mm_store_si128(reinterpret_cast<__m128i*>(inf), inferred);
      for (int q = 0; q < 4; ++q) {
        if (!((decAbsLanes >> q) & 1)) continue;
        const int qz = q > 1;
        const int r = riceParamFromSum(sa[q]);
        const int64_t zeroPos = int64_t(qz ? 2 : 1) << r;
        ec[q] = oc[q] = kInf;
        if (!inf[q]) { ec[q] = cs[q] + d0 + binC * double(remBinsOf(zeroPos, r)); el[q] = 0; eb[q] = 0; }
        // candidates in the C loop's order (kb, then kb + 1): each parity has one
        const int64_t kb = qz ? (a + halfStep) >> qBits : a >> qBits;
        for (int j = 0; j < 2; ++j) {
          const int64_t k = j ? kb + 1 : kb;
          if (k <= 0) continue;
          const bool odd = k & 1;
          const int64_t v = k <= zeroPos ? k - 1 : k;
          const double cj = cs[q] + (odd ? odD[qz] : evD[qz]) + binC * double(remBinsOf(v, r) + 1);
          if (odd) {
            if (cj < oc[q]) { oc[q] = cj; ol[q] = int32_t(k); ob[q] = 0; }
          } else if (cj < ec[q]) {
            ec[q] = cj; el[q] = int32_t(k); eb[q] = 0;
          }
        }
      }
      evC = _mm256_load_pd(ec);
      odC = _mm256_load_pd(oc);
      evL = _mm_load_si128(reinterpret_cast<const __m128i*>(el));
      evB = _mm_load_si128(reinterpret_cast<const __m128i*>(eb));
      odL = _mm_load_si128(reinterpret_cast<const __m128i*>(ol));
      odB = _mm_load_si128(reinterpret_cast<const __m128i*>(ob));
    }

    // ---- a path starting here (last significant position, QState 0): scalar, as the C loop ----
    double startEv = kInf, startOd = kInf;
    int64_t startEvK = 0, startOdK = 0;
    if (a > halfStep) {
      const double lastC = startC + lastCX[x] + lastCY[y];
      if (hasEv[0]) startEv = preStart + evD[0] + (lastC + levelCost(job.lvlC, binC, 0, evK[0], 0));
      startOd = preStart + odD[0] + (lastC + levelCost(job.lvlC, binC, 0, odK[0], 0));
      startEvK = evK[0];
      startOdK = odK[0];
    }

    // ---- destinations (QStateTransTable): 0 <- ev0, od1, start even; 1 <- ev2, od3; 2 <- od0, ev1, start odd;
    // 3 <- od2, ev3; the earlier source wins ties ----
    const __m256d aC = _mm256_blend_pd(_mm256_permute4x64_pd(evC, 0x88), _mm256_permute4x64_pd(odC, 0x88), 0xC);
    const __m256d bC = _mm256_blend_pd(_mm256_permute4x64_pd(odC, 0xDD), _mm256_permute4x64_pd(evC, 0xDD), 0xC);
    const __m128i aL = _mm_blend_epi32(_mm_shuffle_epi32(evL, 0x88), _mm_shuffle_epi32(odL, 0x88), 0xC);
    const __m128i bL = _mm_blend_epi32(_mm_shuffle_epi32(odL, 0xDD), _mm_shuffle_epi32(evL, 0xDD), 0xC);
    const __m128i aB = _mm_blend_epi32(_mm_shuffle_epi32(evB, 0x88), _mm_shuffle_epi32(odB, 0x88), 0xC);
    const __m128i bB = _mm_blend_epi32(_mm_shuffle_epi32(odB, 0xDD), _mm_shuffle_epi32(evB, 0xDD), 0xC);
    const __m256d takeB = _mm256_cmp_pd(bC, aC, _CMP_LT_OQ);
    const __m128i takeB32 = _mm256_cvtpd_epi32(_mm256_and_pd(takeB, _mm256_set1_pd(-1.0)));
    __m256d dC = selectPd(aC, bC, takeB);
    __m128i dL = select32(aL, bL, takeB32);
    __m128i dB = select32(aB, bB, takeB32);
    __m128i dP = select32(_mm_setr_epi32(0, 2, 0, 2), _mm_setr_epi32(1, 3, 1, 3), takeB32);
    if (a > halfStep) {
      const __m256d sC = _mm256_setr_pd(startEv, kInf, startOd, kInf);
      const __m256d takeS = _mm256_cmp_pd(sC, dC, _CMP_LT_OQ);
      if (_mm256_movemask_pd(takeS)) {
        const __m128i takeS32 = _mm256_cvtpd_epi32(_mm256_and_pd(takeS, _mm256_set1_pd(-1.0)));
        dC = selectPd(dC, sC, takeS);
        dL = select32(dL, _mm_setr_epi32(int(startEvK), 0, int(startOdK), 0), takeS32);
        const __m128i sBins = _mm_setr_epi32(startEvK > 1 ? 3 : 1, 0, startOdK > 1 ? 3 : 1, 0);
        dB = select32(dB, sBins, takeS32);
        dP = select32(dP, _mm_set1_epi32(-1), takeS32);
      }
    }

    // ---- the new survivors ----
    const __m256d newValid = _mm256_cmp_pd(dC, vInf, _CMP_LT_OQ);
    _mm256_store_pd(nx->cost, selectPd(vInf, dC, newValid));
    const __m128i fresh = _mm_cmplt_epi32(dP, vZero);
    const __m128i pIdx = _mm_and_si128(dP, _mm_set1_epi32(3));
    _mm_store_si128(reinterpret_cast<__m128i*>(nx->remBins),
                    _mm_sub_epi32(select32(permute32(remBins, pIdx), _mm_set1_epi32(maxBins), fresh), dB));
    _mm_store_si128(reinterpret_cast<__m128i*>(nx->origin), _mm_or_si128(permute32(origin, pIdx), fresh));
    const __m128i nonZero = _mm_andnot_si128(_mm_cmpeq_epi32(dL, vZero), vOne);
    _mm_store_si128(reinterpret_cast<__m128i*>(nx->anySig),
                    select32(_mm_or_si128(permute32(anySig, pIdx), nonZero), vOne, fresh));
    {
      const __m256i mask = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(st->codedMask));
      const __m256i p2 = _mm256_cvtepi32_epi64(pIdx);
      const __m256i idx = _mm256_or_si256(_mm256_slli_epi64(p2, 1), _mm256_slli_epi64(_mm256_add_epi64(_mm256_slli_epi64(p2, 1), _mm256_set1_epi64x(1)), 32));
      const __m256i perm = _mm256_permutevar8x32_epi32(mask, idx);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(nx->codedMask),
                          _mm256_andnot_si256(_mm256_cvtepi32_epi64(fresh), perm));
    }
    {
      // cur rows 0..15 (64 bytes): byte i of each row from byte prev[i] of the same row; fresh lanes get 0 (a
      // control byte with its top bit set)
      const __m128i lowBytes = _mm_setr_epi8(0, 4, 8, 12, 0, 4, 8, 12, 0, 4, 8, 12, 0, 4, 8, 12);
      const __m256i src = _mm256_add_epi8(_mm256_broadcastsi128_si256(_mm_shuffle_epi8(pIdx, lowBytes)), rowOffsets);
      const __m256i zeroed = _mm256_broadcastsi128_si256(_mm_shuffle_epi8(fresh, lowBytes));
      const __m256i ctl = _mm256_or_si256(src, zeroed);
      const __m256i r0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(&st->cur[0][0]));
      const __m256i r1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(&st->cur[8][0]));
      // row n gets min(level, 255) per lane, inserted in the registers: a separate 4-byte store into the rows just
      // stored would make the next position's 32-byte loads miss store forwarding
      const __m128i lv8 = _mm_packus_epi16(_mm_packus_epi32(dL, dL), vZero);
      const __m256i rowN = _mm256_broadcastd_epi32(lv8);
      const __m256i dwordIdx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
      const __m256i atN = _mm256_cmpeq_epi32(dwordIdx, _mm256_set1_epi32(n & 7));
      const __m256i s0 = _mm256_shuffle_epi8(r0, ctl), s1 = _mm256_shuffle_epi8(r1, ctl);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(&nx->cur[0][0]), n < 8 ? _mm256_blendv_epi8(s0, rowN, atN) : s0);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(&nx->cur[8][0]), n < 8 ? s1 : _mm256_blendv_epi8(s1, rowN, atN));
    }
    {
      // decisions {level, prev} of the four destinations (prev's byte: the low byte of the int32)
      const __m128i lo = _mm_unpacklo_epi32(dL, dP), hi = _mm_unpackhi_epi32(dL, dP);
      static_assert(sizeof(Decision) == 8 && offsetof(Decision, prev) == 4, "Decision is {int32 level, int8 prev}");
      _mm_storeu_si128(reinterpret_cast<__m128i*>(&dec[pos][0]), lo);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(&dec[pos][2]), hi);
    }
    preStart += d0;
    sbZeroD += d0;
    std::swap(st, nx);
  }
  job.preStart = preStart;
  job.sbZeroD = sbZeroD;
  stRef = st;
  nxRef = nx;
}

}  // namespace dq
}  // namespace search
}  // namespace nnvvc
