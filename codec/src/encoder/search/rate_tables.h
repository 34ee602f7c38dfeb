// Snapshot of the residual-coding bin costs from the live CABAC contexts (for RDOQ).
#pragma once
#include "cabac/cabac.h"
#include "encoder/search/residual_rate.h"

namespace nnvvc {
namespace search {

// Fill t from the context states in cs for component cIdx (0 luma, 1 Cb, 2 Cr). The cbf entry is
// the TU's coded flag in its first context (Cr: the tu_cb_coded_flag = 0 context; callers patch it).
void fillResidualTables(const ContextSet& cs, int cIdx, ResidualBitTables& t);

}  // namespace search
}  // namespace nnvvc
