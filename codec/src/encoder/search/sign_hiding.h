// Sign data hiding, encoder side (H.266 7.3.11.11 signHidden, sh_sign_data_hiding_used_flag).
//
// In a sub-block whose last and first significant scan positions are more than 3 apart, the sign of
// the first significant coefficient (lowest frequency, coded last) is not sent: the decoder takes it
// as negative iff the sub-block's sum of |level| is odd. After quantisation (RDOQ or plain), every
// such sub-block whose parity disagrees with that sign gets one level changed by +-1 where it costs
// least: J = change of the coefficient's quantisation error (from the unquantised coefficient) +
// lambda * change of an approximate rate (the coefficient's own bins with the contexts / Rice
// parameter the residual coder will use given the other levels; a new last position costs its
// last_sig_coeff bins). Sub-blocks are visited in coding order (last to first).
//
// Changes that would break the scheme are never made: the first significant coefficient is not
// lowered to 0 (the hidden sign would move), a new first significant coefficient (a zero below the
// first one raised to 1) must carry the sign the parity then gives, and no position above the TB's
// last significant position is raised (the last position only ever moves down, when its level 1
// is lowered). A sub-block therefore never becomes all zero; one whose span falls to 3 or less no
// longer hides its sign, which the coder then simply sends.
#pragma once
#include "encoder/search/rdoq.h"

namespace nnvvc {
namespace search {

// Adjusts levels (row-major W*H, signed, the quantisation of coeff with p.qs) in place so that every
// hidden sign agrees with its sub-block's parity. p.tables may be null (plain-quantisation callers
// without context states): then the choice is by distortion alone. Returns the number of non-zero
// levels after the adjustment.
int signHidingAdjust(const TCoeff* coeff, const RdoqParams& p, TCoeff* levels);

// True when every sub-block of levels that hides a sign (span > 3) has the parity its first
// significant coefficient's sign requires, i.e. the residual writer accepts the block.
bool signHidingConsistent(const TCoeff* levels, int log2W, int log2H);

}  // namespace search
}  // namespace nnvvc
