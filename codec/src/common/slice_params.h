// Slice-level coding parameters shared by the syntax, reconstruction, the decoder and the
// encoder search (kept here so that nothing below the encoder includes an encoder header).
#pragma once
#include "common/motion.h"
#include "common/types.h"

namespace nnvvc {

enum class SliceType : uint8_t { kB = 0, kP = 1, kI = 2 };  // sh_slice_type values

struct SliceParams {
  int qp = 32;                 // SliceQpY
  int qpPrimeY = 44;           // Qp'Y  = qp + 12 (QpBdOffset for 10 bit) — pass to dsp::quant/dequant
  int qpPrimeCb = 44, qpPrimeCr = 44;  // Qp'Cb / Qp'Cr after the SPS chroma QP mapping table
  bool isIntra = true;         // sliceType == kI
  SliceType sliceType = SliceType::kI;
  double lambda = 0.0;         // suggested RD lambda for SSE distortion on 10-bit samples
  int bitDepth = kBitDepth;
  int poc = 0;                 // PicOrderCntVal of the current picture
  int temporalId = 0;
  int hierarchyLevel = 0;      // temporalId on the GOP-16 scale (gop_plan.h): what the search's per-layer rules read
  int maxNumMergeCand = 6;     // MaxNumMergeCand (SPS)
  const RefPicLists* refs = nullptr;  // active reference lists (nullptr / empty for I slices)
  // Temporal MV prediction (ph_temporal_mvp_enabled_flag) and the collocated picture:
  // RefPicList[colFromL0 ? 0 : 1][colRefIdx] (sh_collocated_from_l0_flag / sh_collocated_ref_idx;
  // P slices: list 0). Its refs->ref[..].motion must be set, with MotionField::refs() filled.
  bool tmvp = false;
  bool colFromL0 = true;
  int colRefIdx = 0;
  bool amvr = false;           // sps_amvr_enabled_flag: amvr_flag / amvr_precision_idx coded in AMVP CUs
  bool bdof = false;           // sps_bdof_enabled_flag && !ph_bdof_disabled_flag (bi-directional optical flow)
  bool bcw = false;            // sps_bcw_enabled_flag (B slices): bcw_idx in bi AMVP CUs of 256+ samples (CU weights)
  bool ciip = false;           // sps_ciip_enabled_flag: regular_merge_flag in non-skip merge CUs of 64+ samples
  bool smvd = false;           // sps_smvd_enabled_flag (B slices): sym_mvd_flag in bi AMVP CUs (inter::symmetricRefIdx)
  // sps_gpm_enabled_flag (B slices): geometric partitioning merge CUs; MaxNumGpmMergeCand (>= 2 when gpm)
  bool gpm = false;
  int maxNumGpmMergeCand = 0;
  // Affine (sps_affine_enabled_flag): merge_subblock_flag in merge CUs of 8x8 and more; MaxNumSubblockMergeCand
  // (5 - sps_five_minus_max_num_subblock_merge_cand with affine, else sbTmvp); affineSixParam: sps_6param_affine_enabled_flag
  bool affine = false;
  bool affineSixParam = false;
  bool prof = false;           // sps_affine_prof_enabled_flag (no PH control): PROF in affine CUs (recon::predictAffine)
  // SbTMVP (sps_sbtmvp_enabled_flag && ph_temporal_mvp_enabled_flag): the first subblock merge candidate; without
  // affine MaxNumSubblockMergeCand is then 1
  bool sbTmvp = false;
  int maxNumSubblockMergeCand = 0;
  bool mmvd = false;           // sps_mmvd_enabled_flag: merge with MV differences (mmvd_merge_flag in merge CUs)
  bool dmvr = false;           // sps_dmvr_enabled_flag (no PH control): decoder-side MV refinement of bi-merge CUs
  bool depQuant = false;       // sh_dep_quant_used_flag: dependent quantisation (residual syntax + scaling)
  bool signHiding = false;     // sh_sign_data_hiding_used_flag (never with depQuant): hidden sign per sub-block
  // Transform skip (sps_transform_skip_enabled_flag): transform_skip_flag in TBs of at most 2^log2MaxTs a side
  // (no ISP luma, no SBT); such blocks are scaled at Max(QpPrimeTsMin, Qp') without dependent quantisation and
  // coded by residual_ts_coding(), or residual_coding() where tsResidualCodingDisabled
  // (sh_ts_residual_coding_disabled_flag)
  bool transformSkip = false;
  int log2MaxTs = 5;
  int qpPrimeTsMin = 4;
  bool tsResidualCodingDisabled = false;
  bool implicitMts = false;    // implicitMtsEnabled for intra CUs (sps_mts_enabled_flag without explicit intra MTS):
                               // DST-VII for intra luma TBs (recon::tbKernels)
  bool explicitMtsIntra = false;  // sps_explicit_mts_intra_enabled_flag: mts_idx in intra CUs (CodingUnit::mtsIdx)
  bool explicitMtsInter = false;  // sps_explicit_mts_inter_enabled_flag (P/B slices): mts_idx in inter CUs (not SBT)
  bool cclm = false;
  bool lfnst = false;
  bool sbt = false;            // sps_sbt_enabled_flag (P/B slices): cu_sbt_flag in inter CUs (CodingUnit::sbt)
  bool mip = false;            // sps_mip_enabled_flag: intra_mip_flag in intra CUs (CodingUnit::mip)
  bool isp = false;            // sps_isp_enabled_flag: intra_subpartitions_mode_flag in intra CUs (CodingUnit::isp)
  bool mrl = false;            // sps_mrl_enabled_flag: intra_luma_ref_idx in intra CUs (CodingUnit::mrlIdx)
  bool mtsEnabled = false;     // sps_mts_enabled_flag: SBT's luma TBs take DST-VII / DCT-VIII (recon::sbtMtsIdx)          // sps_lfnst_enabled_flag: lfnst_idx in intra CUs (CodingUnit::lfnstIdx)
  // Joint Cb-Cr residuals (sps_joint_cbcr_enabled_flag): CSign of ph_joint_cbcr_sign_flag (-1 / +1) and
  // Qp'CbCr (the chroma QP table at QpY + pps_joint_cbcr_qp_offset_value), the QP of TuCResMode 2.
  bool jointCbCr = false;
  int jointCbCrSign = 1;
  int qpPrimeCbCr = 44;           // CclmEnabled (sps_cclm_enabled_flag; no dual-tree I slices): cclm_mode_flag coded
};

}  // namespace nnvvc
