// Lagrangian cost utilities for the encoder search.
//
// Lambda (all-intra, one picture per GOP, as VTM's EncSlice::initializeLambda computes for an I slice
// with GOPSize 1 and no lambda modifiers, read for understanding):
//     lambda = 0.57 * 2^((QP + 6*(bitDepth-8) - 12) / 3)
// with D = SSE measured on bitDepth samples (full precision). E.g. 10-bit QP 32: 0.57 * 2^(32/3).
// Chroma: D_total = SSE_Y + w_C * (SSE_Cb + SSE_Cr) with w_C = 2^((QP_Y - QP_C) / 3) per chroma
// component (QP_C after the SPS chroma QP mapping and offsets), so a chroma decision alone uses
// lambda_C = lambda / w_C against unweighted chroma SSE (also what RDOQ uses for chroma TBs).
#pragma once
#include <cmath>
#include <cstdint>

#include "encoder/search/residual_rate.h"

namespace nnvvc {
namespace search {

inline double lambdaFromQp(int qp, int bitDepth) {
  return 0.57 * std::pow(2.0, double(qp + 6 * (bitDepth - 8) - 12) / 3.0);
}
inline double chromaDistWeight(int qpY, int qpC) { return std::pow(2.0, double(qpY - qpC) / 3.0); }

struct RdLambda {
  double lambda = 1.0;        // luma (and total) lambda
  double chromaWeight[3] = {1.0, 1.0, 1.0};  // [1], [2]: w_Cb, w_Cr
  double perFbit = 1.0 / kFbitsOne;          // lambda / kFbitsOne
  double sqrtLambda = 1.0;    // for SATD-based pre-selection (cost = SATD + sqrt(lambda)*bits)

  // qpY: slice QP; the weights use Qp' (any common offset cancels).
  void set(int qpY, int qpPrimeY, int qpPrimeCb, int qpPrimeCr, int bitDepth) {
    lambda = lambdaFromQp(qpY, bitDepth);
    chromaWeight[0] = 1.0;
    chromaWeight[1] = chromaDistWeight(qpPrimeY, qpPrimeCb);
    chromaWeight[2] = chromaDistWeight(qpPrimeY, qpPrimeCr);
    perFbit = lambda / double(kFbitsOne);
    sqrtLambda = std::sqrt(lambda);
  }
  double cost(double dist, uint64_t fbits) const { return dist + perFbit * double(fbits); }
  // lambda to use for one component alone against its unweighted SSE
  double componentLambda(int c) const { return lambda / chromaWeight[c]; }
};

}  // namespace search
}  // namespace nnvvc
