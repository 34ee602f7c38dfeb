// Scalar helpers for the ISA-flagged x86 files (-mavx2 / -msse4.1). Internal linkage on purpose:
// no std:: templates or shared inline functions here, so the linker can never pick an AVX/SSE4.1-
// compiled COMDAT copy of a helper for baseline code. Include only from files under x86/.
#pragma once
#include "../dsp_internal.h"

namespace nnvvc {
namespace dsp {
namespace {
inline Pel clipPel(int v, int maxV) { return Pel(v < 0 ? 0 : (v > maxV ? maxV : v)); }
inline int absInt(int v) { return v < 0 ? -v : v; }
}  // namespace
}  // namespace dsp
}  // namespace nnvvc
