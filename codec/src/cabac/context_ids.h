// Context index layout of the CABAC context container (one flat array of ContextModel).
// Generated layout; the init values (spec 9.3.2.2 tables, initType 0 = I, 1 = P, 2 = B) and
// shiftIdx values are in context_tables.cpp.
#pragma once
#include <cstdint>

namespace nnvvc {
enum CtxId : uint16_t {
  kCtxSplitCu = 0,  // 9: split_cu_flag
  kCtxSplitQt = 9,  // 6: split_qt_flag
  kCtxMttVertical = 15,  // 5: mtt_split_cu_vertical_flag
  kCtxMttBinary = 20,  // 4: mtt_split_cu_binary_flag
  kCtxModeCons = 24,  // 2: non_inter_flag
  kCtxMpmFlag = 26,  // 1: intra_luma_mpm_flag
  kCtxNotPlanar = 27,  // 2: intra_luma_not_planar_flag
  kCtxChromaMode = 29,  // 1: intra_chroma_pred_mode (first bin)
  kCtxCbfY = 30,  // 4: tu_y_coded_flag
  kCtxCbfCb = 34,  // 2: tu_cb_coded_flag
  kCtxCbfCr = 36,  // 3: tu_cr_coded_flag
  kCtxCsbfY = 39,  // 2: sb_coded_flag luma
  kCtxCsbfC = 41,  // 2: sb_coded_flag chroma
  kCtxSigY = 43,  // 36: sig_coeff_flag luma (3 sets of 12 by QState)
  kCtxSigC = 79,  // 24: sig_coeff_flag chroma (3 sets of 8)
  kCtxParY = 103,  // 21: par_level_flag luma
  kCtxParC = 124,  // 11: par_level_flag chroma
  kCtxGt1Y = 135,  // 21: abs_level_gtx_flag[0] luma
  kCtxGt1C = 156,  // 11: abs_level_gtx_flag[0] chroma
  kCtxGt3Y = 167,  // 21: abs_level_gtx_flag[1] luma
  kCtxGt3C = 188,  // 11: abs_level_gtx_flag[1] chroma
  kCtxLastXY = 199,  // 20: last_sig_coeff_x_prefix luma
  kCtxLastXC = 219,  // 3: last_sig_coeff_x_prefix chroma
  kCtxLastYY = 222,  // 20: last_sig_coeff_y_prefix luma
  kCtxLastYC = 242,  // 3: last_sig_coeff_y_prefix chroma
  // ---- inter (P/B slices); initType 0 values are the spec's (unused: no IBC)
  kCtxSkipFlag = 245,  // 3: cu_skip_flag (ctxInc = left skip + above skip)
  kCtxPredMode = 248,  // 2: pred_mode_flag (ctxInc = left or above intra)
  kCtxMergeFlag = 250,  // 1: general_merge_flag
  kCtxMergeIdx = 251,  // 1: merge_idx (first bin; the rest is bypass)
  kCtxInterDir = 252,  // 6: inter_pred_idc (0..4 by CU size for bin 0, 5 for bin 1 / 8x4 & 4x8)
  kCtxRefIdx = 258,  // 2: ref_idx_l0 / ref_idx_l1 (bins 0 and 1; the rest is bypass)
  kCtxMvpIdx = 260,  // 1: mvp_l0_flag / mvp_l1_flag
  kCtxMvdGt0 = 261,  // 1: abs_mvd_greater0_flag
  kCtxMvdGt1 = 262,  // 1: abs_mvd_greater1_flag
  kCtxRootCbf = 263,  // 1: cu_coded_flag
  // ---- SAO (7.3.11.3)
  kCtxSaoMerge = 264,  // 1: sao_merge_left_flag / sao_merge_up_flag
  kCtxSaoTypeIdx = 265,  // 1: sao_type_idx_luma / sao_type_idx_chroma (first bin)
  // ---- CCLM (7.3.11.5)
  kCtxCclmFlag = 266,  // 1: cclm_mode_flag
  kCtxCclmIdx = 267,  // 1: cclm_mode_idx (first bin; the second is bypass)
  // ---- AMVR (7.3.11.5)
  kCtxAmvrFlag = 268,  // 1: amvr_flag (translational CUs)
  kCtxAmvrPrec = 269,  // 2: amvr_precision_idx bin 0 (half-sample or not), bin 1 (one or four samples)
  // ---- MMVD (7.3.11.7)
  kCtxMmvdFlag = 271,  // 1: mmvd_merge_flag
  kCtxMmvdCand = 272,  // 1: mmvd_cand_flag
  kCtxMmvdDist = 273,  // 1: mmvd_distance_idx (first bin; the rest is bypass)
  // ---- JCCR (7.3.11.10)
  kCtxJointCbCr = 274,  // 3: tu_joint_cbcr_residual_flag (ctxInc 2 * tu_cb_coded_flag + tu_cr_coded_flag - 1)
  // ---- CIIP (7.3.11.7)
  kCtxRegularMerge = 277,  // 2: regular_merge_flag (ctxInc cu_skip_flag ? 0 : 1)
  // ---- SMVD (7.3.11.5)
  kCtxSymMvd = 279,  // 1: sym_mvd_flag
  // ---- GPM (7.3.11.7); merge_gpm_idx0 / merge_gpm_idx1 share merge_idx's context (as VTM-23.2)
  kCtxCiipFlag = 280,  // 1: ciip_flag
  // ---- explicit MTS (7.3.11.5)
  kCtxMtsIdx = 281,  // 4: mts_idx (bins 0..3, ctxInc = binIdx)
  // ---- affine (7.3.11.5 / 7.3.11.7)
  kCtxSubblockMerge = 285,  // 3: merge_subblock_flag (ctxInc = left affine + above affine)
  kCtxSubblockMergeIdx = 288,  // 1: merge_subblock_idx (first bin; the rest is bypass)
  kCtxAffineFlag = 289,  // 3: inter_affine_flag (ctxInc = left affine + above affine)
  kCtxAffineType = 292,  // 1: cu_affine_type_flag
  // ---- BCW (7.3.11.5)
  kCtxBcwIdx = 293,  // 1: bcw_idx (first bin; the rest is bypass)
  // ---- LFNST (7.3.11.5)
  kCtxLfnstIdx = 294,  // 3: lfnst_idx bin 0 (ctxInc: 0 single tree, 1 dual / local dual tree), bin 1 (ctxInc 2)
  // ---- SBT (7.3.11.5)
  kCtxSbtFlag = 297,  // 2: cu_sbt_flag (ctxInc: cbWidth * cbHeight <= 256)
  kCtxSbtQuad = 299,  // 1: cu_sbt_quad_flag
  kCtxSbtHor = 300,   // 3: cu_sbt_horizontal_flag (ctxInc: 0 square, 1 taller than wide, 2 wider than tall)
  kCtxSbtPos = 303,   // 1: cu_sbt_pos_flag
  // ---- MRL (7.3.11.5)
  kCtxMrlIdx = 304,   // 2: intra_luma_ref_idx (bin 0 ctxInc 0, bin 1 ctxInc 1)
  // ---- MIP (7.3.11.5)
  kCtxMipFlag = 306,  // 4: intra_mip_flag (ctxInc: left + above MIP CUs, 3 for blocks more than 2:1)
  // ---- ISP (7.3.11.5)
  kCtxIspMode = 310,  // 2: intra_subpartitions_mode_flag (ctxInc 0), intra_subpartitions_split_flag (ctxInc 1)
  // ---- transform skip (7.3.11.10, residual_ts_coding 7.3.11.12)
  kCtxTsFlag = 312,     // 2: transform_skip_flag (ctxInc 0 luma, 1 chroma)
  kCtxTsSbCoded = 314,  // 3: sb_coded_flag of residual_ts_coding (ctxInc: coded left + above sub-blocks)
  kCtxTsSig = 317,      // 3: sig_coeff_flag (ctxInc: non-zero left + above levels)
  kCtxTsPar = 320,      // 1: par_level_flag
  kCtxTsGtx = 321,      // 4: abs_level_gtx_flag[n][j], j = 1..4 (ctxInc 4 + j in the spec's numbering)
  kCtxTsGt1 = 325,      // 4: abs_level_gtx_flag[n][0] (ctxInc: non-zero left + above levels; 3 with BDPCM)
  kCtxTsSign = 329,     // 6: coeff_sign_flag (ctxInc from the left / above signs; + 3 with BDPCM)
  kNumCtx = 335
};
extern const uint8_t kCtxInitValue[3][kNumCtx];
extern const uint8_t kCtxShiftIdx[kNumCtx];
}  // namespace nnvvc
