#include "encoder/search/ctu_fragment.h"

#include <cstring>

namespace nnvvc {
namespace search {

void savePlane(const Plane& p, int x, int y, int w, int h, Pel* buf) {
  for (int j = 0; j < h; ++j) std::memcpy(buf + size_t(j) * size_t(w), p.row(y + j) + x, sizeof(Pel) * size_t(w));
}
void loadPlane(Plane& p, int x, int y, int w, int h, const Pel* buf) {
  for (int j = 0; j < h; ++j) std::memcpy(p.row(y + j) + x, buf + size_t(j) * size_t(w), sizeof(Pel) * size_t(w));
}

void appendFragment(CtuCoding& dst, const CtuCoding& src) {
  const int32_t base = int32_t(dst.coeffs.size());
  dst.splits.insert(dst.splits.end(), src.splits.begin(), src.splits.end());
  dst.coeffs.insert(dst.coeffs.end(), src.coeffs.begin(), src.coeffs.end());
  for (CodingUnit cu : src.cus) {
    for (int t = 0; t < cu.numTus; ++t)
      for (int c = 0; c < 3; ++c)
        if (cu.tus[t].coeffOffset[c] >= 0) cu.tus[t].coeffOffset[c] += base;
    dst.cus.push_back(cu);
  }
}
void copyTail(const CtuCoding& src, size_t s0, size_t c0, size_t k0, CtuCoding& dst) {
  dst.splits.assign(src.splits.begin() + ptrdiff_t(s0), src.splits.end());
  dst.coeffs.assign(src.coeffs.begin() + ptrdiff_t(k0), src.coeffs.end());
  dst.cus.assign(src.cus.begin() + ptrdiff_t(c0), src.cus.end());
  for (CodingUnit& cu : dst.cus)
    for (int t = 0; t < cu.numTus; ++t)
      for (int c = 0; c < 3; ++c)
        if (cu.tus[t].coeffOffset[c] >= 0) cu.tus[t].coeffOffset[c] -= int32_t(k0);
}
void appendCu(CtuCoding& dst, CodingUnit cu, const CtuCoding& src) {
  const int32_t base = int32_t(dst.coeffs.size());
  dst.coeffs.insert(dst.coeffs.end(), src.coeffs.begin(), src.coeffs.end());
  for (int t = 0; t < cu.numTus; ++t)
    for (int c = 0; c < 3; ++c)
      if (cu.tus[t].coeffOffset[c] >= 0) cu.tus[t].coeffOffset[c] += base;
  dst.cus.push_back(cu);
}
void truncate(CtuCoding& f, size_t s0, size_t c0, size_t k0) {
  f.splits.resize(s0);
  f.cus.resize(c0);
  f.coeffs.resize(k0);
}

}  // namespace search
}  // namespace nnvvc
