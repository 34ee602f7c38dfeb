// sao() syntax of a CTU (H.266 7.3.11.3, 9.3 binarisations): sao_merge_left/up_flag (one context),
// sao_type_idx (TR cMax 2, first bin context-coded), sao_offset_abs (TR cMax
// (1 << (Min(bitDepth, 10) - 5)) - 1, bypass), sao_offset_sign_flag, sao_band_position (FL 5) and
// sao_eo_class (FL 2), bypass. Templated like ctu_syntax.h (ArithEncoder / BitEstimator / ArithDecoder).
// The slice loops call it at the start of each CTU, before codeCtu, when sh_sao_luma_used_flag or
// sh_sao_chroma_used_flag is 1.
#pragma once
#include <vector>

#include "cabac/cabac.h"
#include "recon/sao.h"

namespace nnvvc {

struct SaoSyntaxEnv {
  int widthInCtus = 0;
  bool luma = false, chroma = false;  // sh_sao_luma_used_flag, sh_sao_chroma_used_flag
  int bitDepth = kBitDepth;
};

// sao(rx, ry) of CTB rx + ry * widthInCtus of `pic` (one entry per CTB in raster order; entries of
// earlier CTBs must be final: merges copy them). Writing: the entry must be consistent (a merge
// flag set only with parameters equal to that neighbour's, components of a disabled channel
// off, Cr sharing Cb's type and class, offsets in range with the edge-offset signs); reading:
// the entry is filled (merges resolved). Returns false on an inconsistent entry when writing.
template <class IO>
bool codeSao(IO& io, ContextSet& ctx, const SaoSyntaxEnv& env, std::vector<SaoCtuParams>& pic, int rx, int ry);

}  // namespace nnvvc
