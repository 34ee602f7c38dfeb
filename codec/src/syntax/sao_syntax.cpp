#include "syntax/sao_syntax.h"

namespace nnvvc {

namespace {
// TR binarisation with cRiceParam 0 in bypass bins: value ones, then a zero unless value == cMax.
template <class IO>
unsigned codeUnaryBypass(IO& io, unsigned value, unsigned cMax) {
  unsigned v = 0;
  while (v < cMax) {
    if (!io.bypass(v < value ? 1u : 0u)) break;
    ++v;
  }
  return v;
}

bool validComp(const SaoCompParams& s, int maxOffset) {
  if (s.typeIdx > 2) return false;
  if (s.typeIdx == 0) return true;
  for (int i = 0; i < 4; ++i)
    if (s.offsets[i] < -maxOffset || s.offsets[i] > maxOffset) return false;
  if (s.typeIdx == 1) return s.bandPos < 32;
  return s.eoClass < 4 && s.offsets[0] >= 0 && s.offsets[1] >= 0 && s.offsets[2] <= 0 && s.offsets[3] <= 0;
}
}  // namespace

template <class IO>
bool codeSao(IO& io, ContextSet& ctx, const SaoSyntaxEnv& env, std::vector<SaoCtuParams>& pic, int rx, int ry) {
  const size_t idx = size_t(ry) * size_t(env.widthInCtus) + size_t(rx);
  if (rx < 0 || ry < 0 || rx >= env.widthInCtus || idx >= pic.size()) return false;
  SaoCtuParams& p = pic[idx];
  const int maxOffset = saoMaxOffset(env.bitDepth);
  if (IO::kReading) p = SaoCtuParams{};
  // one slice and one tile per picture: the left / upper CTB is in the same slice and tile
  // whenever it is in the picture
  unsigned mergeLeft = 0, mergeUp = 0;
  if (rx > 0) mergeLeft = io.bin(ctx[kCtxSaoMerge], p.mergeLeft ? 1u : 0u);
  if (ry > 0 && !mergeLeft) mergeUp = io.bin(ctx[kCtxSaoMerge], p.mergeUp ? 1u : 0u);
  if (!IO::kReading && ((p.mergeLeft && !mergeLeft) || (p.mergeUp && !mergeUp && !mergeLeft))) return false;
  if (mergeLeft || mergeUp) {
    const SaoCtuParams& src = mergeLeft ? pic[idx - 1] : pic[idx - size_t(env.widthInCtus)];
    if (IO::kReading) {
      for (int c = 0; c < 3; ++c) p.comp[c] = src.comp[c];
    } else {
      for (int c = 0; c < 3; ++c)
        if (p.comp[c] != src.comp[c]) return false;
    }
    p.mergeLeft = mergeLeft != 0;
    p.mergeUp = mergeUp != 0;
    return true;
  }
  p.mergeLeft = p.mergeUp = false;
  for (int c = 0; c < 3; ++c) {
    SaoCompParams& s = p.comp[c];
    const bool used = c == 0 ? env.luma : env.chroma;
    if (!used) {
      if (!IO::kReading && s.typeIdx != 0) return false;
      continue;
    }
    if (!IO::kReading) {
      if (!validComp(s, maxOffset)) return false;
      if (c == 2 && (s.typeIdx != p.comp[1].typeIdx || (s.typeIdx == 2 && s.eoClass != p.comp[1].eoClass)))
        return false;
    }
    if (c < 2) {
      // sao_type_idx_luma / sao_type_idx_chroma: TR cMax 2: 0 -> "0", 1 -> "10", 2 -> "11"
      unsigned t = io.bin(ctx[kCtxSaoTypeIdx], s.typeIdx != 0 ? 1u : 0u);
      if (t) t += io.bypass(s.typeIdx == 2 ? 1u : 0u);
      s.typeIdx = uint8_t(t);
    } else {
      s.typeIdx = p.comp[1].typeIdx;  // Cr follows Cb
    }
    if (s.typeIdx == 0) continue;
    unsigned absVal[4];
    for (int i = 0; i < 4; ++i)
      absVal[i] = codeUnaryBypass(io, unsigned(s.offsets[i] < 0 ? -s.offsets[i] : s.offsets[i]), unsigned(maxOffset));
    if (s.typeIdx == 1) {
      for (int i = 0; i < 4; ++i) {
        unsigned neg = 0;
        if (absVal[i]) neg = io.bypass(s.offsets[i] < 0 ? 1u : 0u);
        if (IO::kReading) s.offsets[i] = int8_t(neg ? -int(absVal[i]) : int(absVal[i]));
      }
      s.bandPos = uint8_t(io.bypassBits(s.bandPos, 5));
    } else {
      if (IO::kReading)
        for (int i = 0; i < 4; ++i) s.offsets[i] = int8_t(i < 2 ? int(absVal[i]) : -int(absVal[i]));
      if (c < 2) s.eoClass = uint8_t(io.bypassBits(s.eoClass, 2));
      else s.eoClass = p.comp[1].eoClass;
    }
  }
  return true;
}

template bool codeSao<ArithEncoder>(ArithEncoder&, ContextSet&, const SaoSyntaxEnv&, std::vector<SaoCtuParams>&, int,
                                    int);
template bool codeSao<BitEstimator>(BitEstimator&, ContextSet&, const SaoSyntaxEnv&, std::vector<SaoCtuParams>&, int,
                                    int);
template bool codeSao<ArithDecoder>(ArithDecoder&, ContextSet&, const SaoSyntaxEnv&, std::vector<SaoCtuParams>&, int,
                                    int);

}  // namespace nnvvc
