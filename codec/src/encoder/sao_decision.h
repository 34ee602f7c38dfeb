// Encoder SAO decision (per CTU and component, after deblocking): statistics of the deblocked
// picture against the source (per band and per edge class / category: sum of differences and
// count), offsets chosen per category by D + lambda * R, then per CTU the best of off / band
// offset / edge offset (4 classes) per component (Cb and Cr share type and class) against
// merge-left / merge-up, with the rate of the sao() syntax from the CABAC contexts as they evolve
// over the CTUs (D = SSE_Y + w_C * SSE_C, as in the CU search).
#pragma once
#include <vector>

#include "common/slice_params.h"
#include "common/types.h"
#include "recon/sao.h"

namespace nnvvc {

struct SaoDecision {
  std::vector<SaoCtuParams> ctus;  // raster order
  bool luma = false, chroma = false;  // sh_sao_luma_used_flag / sh_sao_chroma_used_flag to signal
};

// orig and deblocked at the coded size. enableLuma / enableChroma: channels SAO may use; a
// channel no CTU uses is switched off in the result (so its slice flag can be 0).
// ctxInitType: the slice's CABAC initType (I 0, P 1, B 2).
SaoDecision decideSao(const Picture& orig, const Picture& deblocked, const SliceParams& slice, int log2CtuSize,
                      int ctxInitType, bool enableLuma, bool enableChroma);

}  // namespace nnvvc
