// Residual bin-cost tables from CABAC context states (see rate_tables.h).
#include "encoder/search/rate_tables.h"

#include "cabac/context_ids.h"

namespace nnvvc {
namespace search {

void fillResidualTables(const ContextSet& cs, int cIdx, ResidualBitTables& t) {
  auto bc = [&](int id) {
    BinCost b;
    b.bits[0] = cs[id].fracBits(0);
    b.bits[1] = cs[id].fracBits(1);
    return b;
  };
  const bool luma = cIdx == 0;
  for (int i = 0; i < (luma ? 12 : 8); ++i) t.sig[i] = bc((luma ? kCtxSigY : kCtxSigC) + i);
  for (int set = 1; set <= 2; ++set)
    for (int i = 0; i < (luma ? 12 : 8); ++i)
      t.sigDq[set - 1][i] = bc((luma ? kCtxSigY : kCtxSigC) + set * (luma ? 12 : 8) + i);
  for (int i = 0; i < (luma ? 21 : 11); ++i) {
    t.gt1[i] = bc((luma ? kCtxGt1Y : kCtxGt1C) + i);
    t.par[i] = bc((luma ? kCtxParY : kCtxParC) + i);
    t.gt3[i] = bc((luma ? kCtxGt3Y : kCtxGt3C) + i);
  }
  for (int i = 0; i < 20; ++i) {
    t.lastX[i] = bc(kCtxLastXY + i);
    t.lastY[i] = bc(kCtxLastYY + i);
  }
  for (int i = 0; i < 3; ++i) {
    t.lastX[20 + i] = bc(kCtxLastXC + i);
    t.lastY[20 + i] = bc(kCtxLastYC + i);
  }
  for (int i = 0; i < 2; ++i) t.sbCoded[i] = bc((luma ? kCtxCsbfY : kCtxCsbfC) + i);
  t.cbf = bc(luma ? kCtxCbfY : (cIdx == 1 ? kCtxCbfCb : kCtxCbfCr));
}

}  // namespace search
}  // namespace nnvvc
