// ALF syntax: the adaptation parameter set with alf_data() (7.3.2.6 / 7.3.2.18, writer + parser)
// and the ALF part of coding_tree_unit() (7.3.11.2: alf_ctb_flag, alf_use_aps_flag,
// alf_luma_prev_filter_idx, alf_luma_fixed_filter_idx, alf_ctb_filter_alt_idx, alf_ctb_cc_cb/cr_idc), templated like
// ctu_syntax.h. The slice loops call codeAlfCtu after sao() and before the coding tree.
// The ALF contexts are kept apart from the main ContextSet (own initialisation, same rules).
#pragma once
#include <cstdint>
#include <vector>

#include "cabac/cabac.h"
#include "recon/alf.h"

namespace nnvvc {

// PREFIX_APS_NUT
constexpr int kNalPrefixApsType = 17;

// ALF APS RBSP (aps_params_type 0). The writer throws std::invalid_argument on data it cannot
// code; the parser throws BitstreamError. parseAlfAps returns false for APS types other than ALF
// (LMCS / scaling lists: ignored).
std::vector<uint8_t> writeAlfAps(const AlfApsData& aps);
bool parseAlfAps(const std::vector<uint8_t>& rbsp, AlfApsData& aps);

// Contexts of alf_ctb_flag (9: 3 per component), alf_use_aps_flag (1), alf_ctb_filter_alt_idx (2).
struct AlfContexts {
  ContextModel ctbFlag[9];
  ContextModel useAps;
  ContextModel alt[2];
  ContextModel ccIdc[6];  // alf_ctb_cc_cb_idc (3), alf_ctb_cc_cr_idc (3)
  void init(int sliceQp, int initType);
};

struct AlfSyntaxEnv {
  int widthInCtus = 0;
  AlfSliceParams slice;
  int numChromaAlts = 1;  // alf_chroma_num_alt_filters_minus1 + 1 of the slice's chroma APS
  int numCcFilters[2] = {1, 1};  // CC-ALF filters of the APSs sh_alf_cc_cb/cr_aps_id name
};

// The ALF syntax of CTB (rx, ry); pic: one entry per CTB (raster), earlier entries final (the
// ctb flag contexts read the left / upper CTB). Writing: the entry must fit the slice (returns
// false otherwise); reading: the entry is filled.
template <class IO>
bool codeAlfCtu(IO& io, AlfContexts& ctx, const AlfSyntaxEnv& env, std::vector<AlfCtuParams>& pic, int rx, int ry);

}  // namespace nnvvc
