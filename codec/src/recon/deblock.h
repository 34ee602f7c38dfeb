// Deblocking filter (H.266 8.8.3) for a whole picture, bit-exact with VTM-23.2 for our tool set
// (ISP parts as transform blocks; no palette/BDPCM/LADF, one slice, one tile, 4:2:0; subblock edges of affine and SbTMVP CUs every 8 samples).
//  - Edges: transform-block and coding-block edges on the 4x4 luma grid (incl. the implicit
//    64x64 TU split of 128-wide/high CUs); chroma edges on the 8x8 chroma grid; picture
//    boundaries are not filtered. All vertical edges of the picture first, then the horizontal
//    edges on the result.
//  - bS: intra 2; luma: a side with a coded luma TB 1, else (coding-block edge) different
//    reference pictures / number of MVs / an MV difference >= 8 (1/16 sample) 1, else 0.
//    Chroma: intra 2, a side with a coded TB of that component 1, else 0.
//  - maxFilterLength: luma 1 when a side's TB is <= 4 across the edge, else 7 (TB >= 32) or 3
//    per side, P side <= 3 on horizontal CTU-row edges; chroma "large" when both chroma TBs are
//    >= 8 across the edge.
//  - Filter segments: 4 luma lines, 2 chroma lines (bS of the luma 4x4 unit they belong to).
#pragma once
#include <cstdint>
#include <vector>

#include "common/coding_structs.h"
#include "common/motion.h"
#include "common/slice_params.h"

namespace nnvvc {
namespace recon {

// One filtered (bS > 0) edge segment, recorded when DeblockParams::trace is set: for diffing
// against VTM when a stream mismatches.
struct DeblockTraceEntry {
  uint8_t vertical;      // 1 = vertical edge (first pass), 0 = horizontal
  uint8_t comp;          // 0 Y, 1 Cb, 2 Cr
  int16_t x, y;          // component sample position of q0 on the segment's first line
  uint8_t bS;
  uint8_t maxLenP, maxLenQ;  // luma maxFilterLength (chroma: 3/3 large boundary, else 1/1)
  int8_t qp;             // QpY average (luma) or the QpC used (chroma)
  int16_t tc, beta;
  uint8_t decision;      // dsp::DeblockDecision
};

struct DeblockParams {
  bool enabled = true;                   // !slice_deblocking_filter_disabled_flag
  int betaOffsetDiv2[3] = {0, 0, 0};     // Y, Cb, Cr (slice_*_beta_offset_div2)
  int tcOffsetDiv2[3] = {0, 0, 0};       // Y, Cb, Cr (slice_*_tc_offset_div2)
  // SPS ChromaQpTable, index qPi + 12 for qPi in [-12, 63] (SpsInfo::chromaQpTable; Cb and Cr
  // share it). nullptr = identity mapping. PPS/slice chroma QP offsets are 0 in our streams.
  const int* chromaQpTable = nullptr;
  // pps_joint_cbcr_qp_offset_value: a side in a TU with TuCResMode 2 filters with Qp'CbCr (both chroma
  // components), as VTM-23.2 derives the chroma edge QP from each side's chroma QP.
  int jointCbCrQpOffset = 0;
  std::vector<DeblockTraceEntry>* trace = nullptr;  // optional: filled with every bS > 0 segment

  // A picture's parameters from its PPS offsets: no slice override, and chroma offsets inferred equal to
  // luma (pps_chroma_tool_offsets_present_flag 0). Shared by the encoder's reconstruction and the decoder.
  static DeblockParams fromPps(int betaOffsetDiv2, int tcOffsetDiv2, const int* chromaQpTable,
                               int jointCbCrQpOffset = 0) {
    DeblockParams p;
    p.jointCbCrQpOffset = jointCbCrQpOffset;
    for (int c = 0; c < 3; ++c) {
      p.betaOffsetDiv2[c] = betaOffsetDiv2;
      p.tcOffsetDiv2[c] = tcOffsetDiv2;
    }
    p.chromaQpTable = chromaQpTable;
    return p;
  }
};

// Deblocks `pic` (the coded-size reconstruction) in place. `ctus` = all CTUs of the picture.
// Motion for bS is taken per CU (cu.motion), except for GPM and affine CUs, whose motion varies per 4x4: it is
// read from `motion` (the picture's field as the syntax stored it, before DMVR's refinement; affine CUs' subblock
// MVs). Affine CUs also have prediction edges every 8 samples inside (maxFilterLength 2 or 3, 5 at their transform
// edges). Reference pictures are compared by identity
// (slice.refs->ref[l][i].pic; by POC when a pic pointer is missing).
void deblockPicture(Picture& pic, const std::vector<CtuCoding>& ctus, const MotionField& motion,
                    const SliceParams& slice, const DeblockParams& p);

// Luma bS of an edge between two inter (or intra) blocks, exposed for tests:
// 2 if either is intra; 1 if either has a coded luma TB; 0 for an edge inside one CU
// (sameCu, a transform edge only); else the motion rule of 8.8.3.5.
int lumaBoundaryStrength(bool intraP, bool intraQ, bool cbfP, bool cbfQ, bool sameCu,
                         const MotionInfo& mP, const MotionInfo& mQ, const RefPicLists* refs);
// The motion part alone: 1 if the two blocks use different reference pictures or numbers of
// MVs, or a pair of corresponding MVs differs by >= 8 (1/16 sample) in x or y.
int motionBoundaryStrength(const MotionInfo& mP, const MotionInfo& mQ, const RefPicLists* refs);

}  // namespace recon
}  // namespace nnvvc
