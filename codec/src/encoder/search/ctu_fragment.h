// CTU coding fragments: the pieces of a CtuCoding (splits, CUs, coefficient pool) that the RD
// search builds per candidate and splices together, and sample-rectangle save/restore helpers.
#pragma once
#include <cstddef>

#include "common/coding_structs.h"

namespace nnvvc {
namespace search {

// Copy a component rectangle between a picture plane and a packed buffer.
void savePlane(const Plane& p, int x, int y, int w, int h, Pel* buf);
void loadPlane(Plane& p, int x, int y, int w, int h, const Pel* buf);
// Append fragment `src` (coefficient offsets relative to src.coeffs) to `dst`.
void appendFragment(CtuCoding& dst, const CtuCoding& src);
// Copy the tail of `src` from the given sizes into `dst` (offsets rebased to dst).
void copyTail(const CtuCoding& src, size_t s0, size_t c0, size_t k0, CtuCoding& dst);
// Append one CU whose coefficient offsets point into src.coeffs (which holds only this CU's levels).
void appendCu(CtuCoding& dst, CodingUnit cu, const CtuCoding& src);
// Cut a fragment back to the given sizes.
void truncate(CtuCoding& f, size_t s0, size_t c0, size_t k0);

}  // namespace search
}  // namespace nnvvc
