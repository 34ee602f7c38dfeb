// CABAC context initialisation values (H.266 9.3.2.2 tables: initValue per initType and
// shiftIdx), in the order of context_ids.h. These are the standard's numbers.
#include "cabac/context_ids.h"

namespace nnvvc {
const uint8_t kCtxInitValue[3][kNumCtx] = {
  {
    19, 28, 38, 27, 29, 38, 20, 30, 31, 27,  6, 15, 25, 19, 37, 43, 42, 29, 27, 44,
    36, 45, 36, 45, 35, 35, 45, 13, 28, 34, 15, 12,  5,  7, 12, 21, 33, 28, 36, 18,
    31, 25, 15, 25, 19, 28, 14, 25, 20, 29, 30, 19, 37, 30, 38, 11, 38, 46, 54, 27,
    39, 39, 39, 44, 39, 39, 39, 18, 39, 39, 39, 27, 39, 39, 39,  0, 39, 39, 39, 25,
    27, 28, 37, 34, 53, 53, 46, 19, 46, 38, 39, 52, 39, 39, 39, 11, 39, 39, 39, 19,
    39, 39, 39, 33, 25, 18, 26, 34, 27, 25, 26, 19, 42, 35, 33, 19, 27, 35, 35, 34,
    42, 20, 43, 20, 33, 25, 26, 42, 19, 27, 26, 50, 35, 20, 43, 25, 25, 11, 27, 20,
    21, 33, 12, 28, 21, 22, 34, 28, 29, 29, 30, 36, 29, 45, 30, 23, 40, 33, 27, 28,
    21, 37, 36, 37, 45, 38, 46, 25,  1, 40, 25, 33, 11, 17, 25, 25, 18,  4, 17, 33,
    26, 19, 13, 33, 19, 20, 28, 22, 40,  9, 25, 18, 26, 35, 25, 26, 35, 28, 37, 13,
     5,  4, 21, 14,  4,  6, 14, 21, 11, 14,  7, 14,  5, 11, 21, 30, 22, 13, 42, 12,
     4,  3, 13,  5,  4,  6, 13, 11, 14,  6,  5,  3, 14, 22,  6,  4,  3,  6, 22, 29,
    20, 34, 12,  4,  3,
    // inter: skip(3) pred_mode(2) merge_flag merge_idx inter_pred_idc(6) ref_idx(2) mvp mvd_gt0 mvd_gt1 cu_coded
     0, 26, 28, 35, 35, 26, 34, 35, 35, 35, 35, 35, 35, 35, 35, 42, 14, 45,  6,
    // sao: merge, type_idx
    60, 13,
    // cclm: cclm_mode_flag, cclm_mode_idx
    59, 27,
    // amvr: amvr_flag, amvr_precision_idx bins 0 and 1
    35, 35, 34,
    // mmvd: mmvd_merge_flag, mmvd_cand_flag, mmvd_distance_idx
    35, 35, 35,
    // jccr: tu_joint_cbcr_residual_flag
    12, 21, 35,
    // ciip: regular_merge_flag
    35, 35,
    // smvd: sym_mvd_flag
    35,
    // gpm: ciip_flag (ciip_flag coded where both CIIP and GPM are possible)
    35,
    // mts: mts_idx bins 0..3
    29,  0, 28,  0,
    // affine: merge_subblock_flag, merge_subblock_idx
    35, 35, 35, 35,
    // affine: inter_affine_flag, cu_affine_type_flag
    35, 35, 35, 35,
    // bcw: bcw_idx
    35,
    // lfnst: lfnst_idx
    28, 52, 42,
    // sbt: cu_sbt_flag, cu_sbt_quad_flag, cu_sbt_horizontal_flag, cu_sbt_pos_flag
    35, 35,
    35,
    35, 35, 35,
    35,
    // mrl: intra_luma_ref_idx
    25, 60,
    // mip: intra_mip_flag
    33, 49, 50, 25,
    // isp: intra_subpartitions_mode_flag, intra_subpartitions_split_flag
    33, 43,
    // transform skip: transform_skip_flag, sb_coded_flag, sig, par, gtx(1..4), gt1, sign
    25,  9,
    18, 20, 38,
    25, 28, 38,
    11,
    10,  3,  3,  3,
    11,  5,  5, 14,
    12, 17, 46, 28, 25, 46,
  },
  {
    11, 35, 53, 12,  6, 30, 13, 15, 31, 20, 14, 23, 18, 19,  6, 43, 35, 37, 34, 52,
    43, 37, 21, 22, 25, 12, 36, 12, 20, 25, 23,  5, 20,  7, 25, 28, 25, 29, 45, 25,
    30, 25, 45, 17, 41, 42, 29, 25, 49, 43, 37, 33, 58, 51, 30, 19, 38, 38, 46, 34,
    54, 54, 39,  6, 39, 39, 39, 19, 39, 54, 39, 19, 39, 39, 39, 56, 39, 39, 39, 17,
    34, 35, 21, 41, 59, 60, 38, 35, 45, 53, 54, 44, 39, 39, 39, 34, 38, 62, 39, 26,
    39, 39, 39, 18, 17, 33, 18, 26, 42, 25, 33, 26, 42, 27, 25, 34, 42, 42, 35, 26,
    27, 42, 20, 20, 25, 25, 26, 11, 19, 27, 33, 42, 35, 35, 43,  0, 17, 26, 19, 35,
    21, 25, 34, 20, 28, 29, 33, 27, 28, 29, 22, 34, 28, 44, 37, 38,  0, 25, 19, 20,
    13, 14, 57, 44, 30, 30, 23, 17,  0,  1, 17, 25, 18,  0,  9, 25, 33, 34,  9, 25,
    18, 26, 20, 25, 18, 19, 27, 29, 17,  9, 25, 10, 18,  4, 17, 33, 19, 20, 29,  6,
    13, 12,  6,  6, 12, 14, 14, 13, 12, 29,  7,  6, 13, 36, 28, 14, 13,  5, 26, 12,
     4, 18,  5,  5, 12,  6,  6,  4,  6, 14,  5, 12, 14,  7, 13,  5, 13, 21, 14, 20,
    12, 34, 11,  4, 18,
    // inter: skip(3) pred_mode(2) merge_flag merge_idx inter_pred_idc(6) ref_idx(2) mvp mvd_gt0 mvd_gt1 cu_coded
    57, 59, 45, 40, 35, 21, 20,  7,  6,  5, 12,  4, 40, 20, 35, 34, 44, 43,  5,
    // sao: merge, type_idx
    60,  5,
    // cclm: cclm_mode_flag, cclm_mode_idx
    34, 27,
    // amvr: amvr_flag, amvr_precision_idx bins 0 and 1
    59, 60, 48,
    // mmvd: mmvd_merge_flag, mmvd_cand_flag, mmvd_distance_idx
    26, 43, 60,
    // jccr: tu_joint_cbcr_residual_flag
    27, 36, 45,
    // ciip: regular_merge_flag
    38,  7,
    // smvd: sym_mvd_flag
    28,
    // gpm: ciip_flag
    57,
    // mts: mts_idx bins 0..3
    45, 40, 27,  0,
    // affine: merge_subblock_flag, merge_subblock_idx
    48, 57, 44,  5,
    // affine: inter_affine_flag, cu_affine_type_flag
    12, 13, 14, 35,
    // bcw: bcw_idx
     4,
    // lfnst: lfnst_idx
    37, 45, 27,
    // sbt: cu_sbt_flag, cu_sbt_quad_flag, cu_sbt_horizontal_flag, cu_sbt_pos_flag
    56, 57,
    42,
    20, 43, 12,
    28,
    // mrl: intra_luma_ref_idx
    25, 58,
    // mip: intra_mip_flag
    41, 57, 58, 26,
    // isp: intra_subpartitions_mode_flag, intra_subpartitions_split_flag
    33, 36,
    // transform skip: transform_skip_flag, sb_coded_flag, sig, par, gtx(1..4), gt1, sign
    25,  9,
    18, 12, 29,
    40, 35, 44,
     3,
     2, 10,  3,  3,
    18, 11,  4, 28,
     5, 10, 53, 43, 25, 46,
  },
  {
    18, 27, 15, 18, 28, 45, 26,  7, 23, 26, 36, 38, 18, 34, 21, 43, 42, 37, 42, 44,
    28, 29, 28, 29, 25, 20, 44, 13,  6, 25, 15,  6,  5, 14, 25, 37,  9, 36, 45, 25,
    45, 25, 14, 17, 41, 49, 36,  1, 49, 50, 37, 48, 51, 58, 45, 26, 45, 53, 46, 49,
    54, 61, 39, 35, 39, 39, 39, 19, 54, 39, 39, 50, 39, 39, 39,  0, 39, 39, 39,  9,
    49, 50, 36, 48, 59, 59, 38, 34, 45, 38, 31, 58, 39, 39, 39, 34, 38, 54, 39, 41,
    39, 39, 39, 33, 40, 25, 41, 26, 42, 25, 33, 26, 34, 27, 25, 41, 42, 42, 35, 33,
    27, 35, 42, 43, 33, 25, 26, 34, 19, 27, 33, 42, 43, 35, 43,  0,  0, 33, 34, 35,
    21, 25, 34, 35, 28, 29, 40, 42, 43, 29, 30, 49, 36, 37, 45, 38,  0, 40, 34, 43,
    36, 37, 57, 52, 45, 38, 46, 25,  0,  0, 17, 25, 26,  0,  9, 25, 33, 19,  0, 25,
    33, 26, 20, 25, 33, 27, 35, 22, 25,  1, 25, 33, 26, 12, 25, 33, 27, 28, 37,  6,
     6, 12, 14,  6,  4, 14,  7,  6,  4, 29,  7,  6,  6, 12, 28,  7, 13, 13, 35, 19,
     5,  4,  5,  5, 20, 13, 13, 19, 21,  6, 12, 12, 14, 14,  5,  4, 12, 13,  7, 13,
    12, 41, 11,  5, 27,
    // inter: skip(3) pred_mode(2) merge_flag merge_idx inter_pred_idc(6) ref_idx(2) mvp mvd_gt0 mvd_gt1 cu_coded
    57, 60, 46, 40, 35,  6, 18, 14, 13,  5,  4,  3, 40,  5, 35, 34, 51, 36, 12,
    // sao: merge, type_idx
     2,  2,
    // cclm: cclm_mode_flag, cclm_mode_idx
    26, 27,
    // amvr: amvr_flag, amvr_precision_idx bins 0 and 1
    59, 38, 26,
    // mmvd: mmvd_merge_flag, mmvd_cand_flag, mmvd_distance_idx
    25, 43, 59,
    // jccr: tu_joint_cbcr_residual_flag
    42, 43, 52,
    // ciip: regular_merge_flag
    46, 15,
    // smvd: sym_mvd_flag
    28,
    // gpm: ciip_flag
    57,
    // mts: mts_idx bins 0..3
    45, 25, 27,  0,
    // affine: merge_subblock_flag, merge_subblock_idx
    25, 58, 45,  4,
    // affine: inter_affine_flag, cu_affine_type_flag
    19, 13,  6, 35,
    // bcw: bcw_idx
     5,
    // lfnst: lfnst_idx
    52, 37, 27,
    // sbt: cu_sbt_flag, cu_sbt_quad_flag, cu_sbt_horizontal_flag, cu_sbt_pos_flag
    41, 57,
    42,
    35, 51, 27,
    28,
    // mrl: intra_luma_ref_idx
    25, 59,
    // mip: intra_mip_flag
    56, 57, 50, 26,
    // isp: intra_subpartitions_mode_flag, intra_subpartitions_split_flag
    33, 43,
    // transform skip: transform_skip_flag, sb_coded_flag, sig, par, gtx(1..4), gt1, sign
    25, 17,
    18, 35, 45,
    25, 50, 37,
    11,
     3,  4,  4,  5,
    19, 11,  4,  6,
    35, 25, 46, 28, 33, 38,
  },
};
const uint8_t kCtxShiftIdx[kNumCtx] = {
    12, 13,  8,  8, 13, 12,  5,  9,  9,  0,  8,  8, 12, 12,  8,  9,  8,  9,  8,  5,
    12, 13, 12, 13,  1,  0,  6,  1,  5,  5,  5,  1,  8,  9,  5,  0,  2,  1,  0,  8,
     5,  5,  8, 12,  9,  9, 10,  9,  9,  9, 10,  8,  8,  8, 10,  9, 13,  8,  8,  8,
     8,  8,  5,  8,  0,  0,  0,  8,  8,  8,  8,  8,  0,  4,  4,  0,  0,  0,  0, 12,
    12,  9, 13,  4,  5,  8,  9,  8, 12, 12,  8,  4,  0,  0,  0,  8,  8,  8,  8,  4,
     0,  0,  0,  8,  9, 12, 13, 13, 13, 10, 13, 13, 13, 13, 13, 13, 13, 13, 13, 10,
    13, 13, 13, 13,  8, 12, 12, 12, 13, 13, 13, 13, 13, 13, 13,  9,  5, 10, 13, 13,
    10,  9, 10, 13, 13, 13,  9, 10, 10, 10, 13,  8,  9, 10, 10, 13,  8,  8,  9, 12,
    12, 10,  5,  9,  9,  9, 13,  1,  5,  9,  9,  9,  6,  5,  9, 10, 10,  9,  9,  9,
     9,  9,  9,  6,  8,  9,  9, 10,  1,  5,  8,  8,  9,  6,  6,  9,  8,  8,  9,  8,
     5,  4,  5,  4,  4,  5,  4,  1,  0,  4,  1,  0,  0,  0,  0,  1,  0,  0,  0,  5,
     4,  4,  8,  5,  8,  5,  5,  4,  5,  5,  4,  0,  5,  4,  1,  0,  0,  1,  4,  0,
     0,  0,  6,  5,  5,
    // inter
     5,  4,  8,  5,  1,  4,  4,  0,  0,  1,  4,  4,  0,  0,  4, 12,  9,  5,  4,
    // sao
     0,  4,
    // cclm
     4,  9,
    // amvr
     0,  4,  5,
    // mmvd
     4, 10,  0,
    // jccr
     1,  1,  0,
    // ciip
     5,  5,
    // smvd
     5,
    // gpm
     1,
    // mts
     8,  0,  9,  0,
    // affine
     4,  4,  4,  0,  4,  0,  0,  4,
    // bcw
     1,
    // lfnst
     9,  9, 10,
    // sbt
     1,  5, 10,  8,  4,  1, 13,
    // mrl
     5,  8,
    // mip
     9, 10,  9,  6,
    // isp
     9,  2,
    // transform skip
     1,  1,
     5,  8,  8,
    13, 13,  8,
     6,
     1,  1,  1,  1,
     4,  2,  1,  6,
     1,  4,  4,  5,  8,  8,
};
}  // namespace nnvvc
