#include "syntax/param_sets.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace nnvvc {

namespace {
void require(bool ok, const char* what) {
  if (!ok) throw BitstreamError(std::string("unsupported or invalid stream: ") + what);
}
void requireArg(bool ok, const char* what) {
  if (!ok) throw std::invalid_argument(std::string("writeSliceHeader: ") + what);
}
}  // namespace

void configureRandomAccess(SpsInfo& sps, int maxDecPicBuffering, int maxNumReorder, int maxSublayersMinus1) {
  sps.interEnabled = true;
  sps.maxSublayersMinus1 = maxSublayersMinus1;
  sps.maxDecPicBufferingMinus1 = maxDecPicBuffering - 1;
  sps.maxNumReorderPics = maxNumReorder;
  sps.maxLatencyIncreasePlus1 = 0;
  sps.maxNumMergeCand = 6;
}

void applyPocMsb(SliceInfo& sh, int pocMsb) {
  sh.poc += pocMsb;
  for (auto& list : sh.rpl)
    for (int& p : list) p += pocMsb;
}

int derivePoc(int pocLsb, int log2MaxPocLsb, bool msbReset, int prevTid0Poc) {
  if (msbReset) return pocLsb;
  const int maxLsb = 1 << log2MaxPocLsb;
  const int prevLsb = prevTid0Poc & (maxLsb - 1);
  const int prevMsb = prevTid0Poc - prevLsb;
  int msb = prevMsb;
  if (pocLsb < prevLsb && prevLsb - pocLsb >= maxLsb / 2) msb = prevMsb + maxLsb;
  else if (pocLsb > prevLsb && pocLsb - prevLsb > maxLsb / 2) msb = prevMsb - maxLsb;
  return msb + pocLsb;
}

void buildChromaQpTable(SpsInfo& sps) {
  const int off = 12;  // QpBdOffset for 10 bit
  int* t = sps.chromaQpTable;  // t[qPi + off]
  const int n = int(sps.qpInDelta.size());
  std::vector<int> in(size_t(n) + 1), out(size_t(n) + 1);
  in[0] = out[0] = sps.qpTableStart;
  for (int j = 0; j < n; ++j) { in[j + 1] = in[j] + sps.qpInDelta[j]; out[j + 1] = out[j] + sps.qpOutDelta[j]; }
  t[in[0] + off] = out[0];
  for (int k = in[0] - 1; k >= -off; --k) t[k + off] = clip3(-off, 63, t[k + 1 + off] - 1);
  for (int j = 0; j < n; ++j) {
    const int sh = sps.qpInDelta[j] >> 1;  // (delta_qp_in_val_minus1 + 1) >> 1
    for (int k = in[j] + 1, m = 1; k <= in[j + 1]; ++k, ++m)
      t[k + off] = t[in[j] + off] + ((out[j + 1] - out[j]) * m + sh) / sps.qpInDelta[j];
  }
  for (int k = in[n] + 1; k <= 63; ++k) t[k + off] = clip3(-off, 63, t[k - 1 + off] + 1);
}

int levelForPicture(int width, int height, double fps) {
  struct L { int idc; int64_t maxPs; double maxSr; };
  static const L kLevels[] = {
      {16, 36864, 552960.0},        {32, 122880, 3686400.0},       {35, 245760, 7372800.0},
      {48, 552960, 16588800.0},     {51, 983040, 33177600.0},      {64, 2228224, 66846720.0},
      {67, 2228224, 133693440.0},   {80, 8912896, 267386880.0},    {83, 8912896, 534773760.0},
      {86, 8912896, 1069547520.0},  {96, 35651584, 1069547520.0},  {99, 35651584, 2139095040.0},
      {102, 35651584, 4278190080.0}};
  const int64_t ps = int64_t(width) * height;
  for (const L& l : kLevels) {
    const double maxDim = std::sqrt(double(l.maxPs) * 8.0);
    if (ps <= l.maxPs && width <= maxDim && height <= maxDim && double(ps) * fps <= l.maxSr) return l.idc;
  }
  return 255;  // level 15.5: no limits
}

std::vector<uint8_t> writeSps(const SpsInfo& s) {
  BitWriter b;
  b.u(0, 4);   // sps_seq_parameter_set_id
  b.u(0, 4);   // sps_video_parameter_set_id
  b.u(uint32_t(s.maxSublayersMinus1), 3);
  b.u(1, 2);   // sps_chroma_format_idc = 4:2:0
  b.u(uint32_t(s.part.log2CtuSize - 5), 2);
  b.flag(true);  // sps_ptl_dpb_hrd_params_present_flag
  // profile_tier_level(1, 0)
  b.u(1, 7);     // general_profile_idc: Main 10
  b.flag(false); // general_tier_flag
  b.u(uint32_t(s.levelIdc), 8);
  b.flag(true);  // ptl_frame_only_constraint_flag
  b.flag(false); // ptl_multilayer_enabled_flag
  b.flag(false); // gci_present_flag
  b.alignZero(); // gci_alignment_zero_bit
  for (int i = s.maxSublayersMinus1 - 1; i >= 0; --i) b.flag(false);  // ptl_sublayer_level_present_flag[i]
  b.alignZero(); // ptl_reserved_zero_bit
  b.u(0, 8);     // ptl_num_sub_profiles
  b.flag(false); // sps_gdr_enabled_flag
  b.flag(false); // sps_ref_pic_resampling_enabled_flag
  b.ue(uint32_t(s.width));
  b.ue(uint32_t(s.height));
  const bool conf = s.confLeft || s.confRight || s.confTop || s.confBottom;
  b.flag(conf);
  if (conf) {
    b.ue(uint32_t(s.confLeft / 2)); b.ue(uint32_t(s.confRight / 2));
    b.ue(uint32_t(s.confTop / 2)); b.ue(uint32_t(s.confBottom / 2));
  }
  b.flag(false);  // sps_subpic_info_present_flag
  b.ue(uint32_t(s.bitDepth - 8));
  b.flag(false);  // sps_entropy_coding_sync_enabled_flag
  b.flag(false);  // sps_entry_point_offsets_present_flag
  b.u(uint32_t(s.log2MaxPocLsb - 4), 4);
  b.flag(false);  // sps_poc_msb_cycle_flag
  b.u(0, 2);      // sps_num_extra_ph_bytes
  b.u(0, 2);      // sps_num_extra_sh_bytes
  if (s.maxSublayersMinus1 > 0) b.flag(false);  // sps_sublayer_dpb_params_flag: highest sublayer only
  // dpb_parameters(sps_max_sublayers_minus1, 0)
  b.ue(uint32_t(s.maxDecPicBufferingMinus1));
  b.ue(uint32_t(s.maxNumReorderPics));
  b.ue(uint32_t(s.maxLatencyIncreasePlus1));
  b.ue(uint32_t(s.part.log2MinCb - 2));
  b.flag(false);  // sps_partition_constraints_override_enabled_flag
  b.ue(uint32_t(s.part.log2MinQt - s.part.log2MinCb));
  b.ue(uint32_t(s.part.maxMttDepth));
  if (s.part.maxMttDepth) {
    b.ue(uint32_t(s.part.log2MaxBt - s.part.log2MinQt));
    b.ue(uint32_t(s.part.log2MaxTt - s.part.log2MinQt));
  }
  b.flag(s.part.dualTree);  // sps_qtbtt_dual_tree_intra_flag
  if (s.part.dualTree) {  // intra slice chroma tree limits (luma units)
    b.ue(uint32_t(s.part.log2MinQtC - s.part.log2MinCb));
    b.ue(uint32_t(s.part.maxMttDepthC));
    if (s.part.maxMttDepthC) {
      b.ue(uint32_t(s.part.log2MaxBtC - s.part.log2MinQtC));
      b.ue(uint32_t(s.part.log2MaxTtC - s.part.log2MinQtC));
    }
  }
  // inter slices (unused in stage 1, same limits)
  b.ue(uint32_t(s.part.log2MinQt - s.part.log2MinCb));
  b.ue(uint32_t(s.part.maxMttDepth));
  if (s.part.maxMttDepth) {
    b.ue(uint32_t(s.part.log2MaxBt - s.part.log2MinQt));
    b.ue(uint32_t(s.part.log2MaxTt - s.part.log2MinQt));
  }
  if (s.part.log2CtuSize > 5) b.flag(s.part.log2MaxTb == 6);  // sps_max_luma_transform_size_64_flag
  b.flag(s.transformSkipEnabled);  // sps_transform_skip_enabled_flag
  if (s.transformSkipEnabled) {
    requireArg(s.log2MaxTsSize >= 2 && s.log2MaxTsSize <= 5, "log2 of the transform-skip maximum size (2..5)");
    b.ue(uint32_t(s.log2MaxTsSize - 2));  // sps_log2_transform_skip_max_size_minus2
    b.flag(false);  // sps_bdpcm_enabled_flag
  }
  b.flag(s.mtsEnabled);  // sps_mts_enabled_flag
  if (s.mtsEnabled) {
    b.flag(s.explicitMtsIntra);  // sps_explicit_mts_intra_enabled_flag (0: implicit MTS, DST-VII for small intra luma TBs)
    b.flag(s.explicitMtsInter);  // sps_explicit_mts_inter_enabled_flag
  }
  b.flag(s.lfnstEnabled);  // sps_lfnst_enabled_flag
  b.flag(s.jointCbCrEnabled);  // sps_joint_cbcr_enabled_flag
  b.flag(true);   // sps_same_qp_table_for_chroma_flag
  b.se(s.qpTableStart - 26);
  b.ue(uint32_t(s.qpInDelta.size() - 1));
  for (size_t j = 0; j < s.qpInDelta.size(); ++j) {
    const uint32_t inMinus1 = uint32_t(s.qpInDelta[j] - 1);
    b.ue(inMinus1);
    b.ue(inMinus1 ^ uint32_t(s.qpOutDelta[j]));  // delta_qp_diff_val
  }
  b.flag(s.saoEnabled);  // sps_sao_enabled_flag
  b.flag(s.alfEnabled);  // sps_alf_enabled_flag
  if (s.alfEnabled) b.flag(s.ccalfEnabled);  // sps_ccalf_enabled_flag (ChromaArrayType 1)
  b.flag(false);  // sps_lmcs_enabled_flag
  b.flag(false);  // sps_weighted_pred_flag
  b.flag(false);  // sps_weighted_bipred_flag
  b.flag(false);  // sps_long_term_ref_pics_flag
  b.flag(false);  // sps_idr_rpl_present_flag
  b.flag(true);   // sps_rpl1_same_as_rpl0_flag
  b.ue(0);        // sps_num_ref_pic_lists[0]
  b.flag(false);  // sps_ref_wraparound_enabled_flag
  b.flag(s.temporalMvpEnabled);  // sps_temporal_mvp_enabled_flag
  if (s.temporalMvpEnabled) b.flag(s.sbTmvpEnabled);  // sps_sbtmvp_enabled_flag
  b.flag(s.amvrEnabled);  // sps_amvr_enabled_flag
  b.flag(s.bdofEnabled);  // sps_bdof_enabled_flag
  if (s.bdofEnabled) b.flag(false);  // sps_bdof_control_present_in_ph_flag
  b.flag(s.smvdEnabled);  // sps_smvd_enabled_flag
  b.flag(s.dmvrEnabled);  // sps_dmvr_enabled_flag
  if (s.dmvrEnabled) b.flag(false);  // sps_dmvr_control_present_in_ph_flag
  b.flag(s.mmvdEnabled);  // sps_mmvd_enabled_flag
  if (s.mmvdEnabled) b.flag(false);  // sps_mmvd_fullpel_only_enabled_flag (no ph_mmvd_fullpel_only_flag)
  const int mergeCand = s.interEnabled ? s.maxNumMergeCand : 1;  // all-intra streams: 1
  b.ue(uint32_t(6 - mergeCand));  // sps_six_minus_max_num_merge_cand
  b.flag(s.interEnabled && s.sbtEnabled);  // sps_sbt_enabled_flag
  b.flag(s.affineEnabled);  // sps_affine_enabled_flag
  if (s.affineEnabled) {
    b.ue(uint32_t(5 - s.maxNumSubblockMergeCand));  // sps_five_minus_max_num_subblock_merge_cand
    b.flag(s.affineSixParam);  // sps_6param_affine_enabled_flag
    if (s.amvrEnabled) b.flag(false);  // sps_affine_amvr_enabled_flag
    b.flag(s.affineProf);  // sps_affine_prof_enabled_flag
    if (s.affineProf) b.flag(false);  // sps_prof_control_present_in_ph_flag (PROF in every picture)
  }
  b.flag(s.interEnabled && s.bcwEnabled);  // sps_bcw_enabled_flag
  b.flag(s.ciipEnabled);  // sps_ciip_enabled_flag
  if (mergeCand >= 2) {
    const bool gpm = s.interEnabled && s.gpmEnabled;
    b.flag(gpm);  // sps_gpm_enabled_flag
    if (gpm && mergeCand >= 3) {
      const int numGpm = std::clamp(s.maxNumGpmMergeCand, 2, mergeCand);
      b.ue(uint32_t(mergeCand - numGpm));  // sps_max_num_merge_cand_minus_max_num_gpm_cand
    }
  }
  b.ue(0);        // sps_log2_parallel_merge_level_minus2
  b.flag(s.ispEnabled);  // sps_isp_enabled_flag
  b.flag(s.mrlEnabled);  // sps_mrl_enabled_flag
  b.flag(s.mipEnabled);  // sps_mip_enabled_flag
  b.flag(s.cclmEnabled);  // sps_cclm_enabled_flag
  b.flag(false);  // sps_chroma_horizontal_collocated_flag
  b.flag(false);  // sps_chroma_vertical_collocated_flag
  b.flag(false);  // sps_palette_enabled_flag
  if (s.transformSkipEnabled) {
    requireArg(s.minQpPrimeTs >= 0 && s.minQpPrimeTs <= 8, "sps_min_qp_prime_ts (0..8)");
    b.ue(uint32_t(s.minQpPrimeTs));  // sps_min_qp_prime_ts
  }
  b.flag(false);  // sps_ibc_enabled_flag
  b.flag(false);  // sps_ladf_enabled_flag
  b.flag(false);  // sps_explicit_scaling_list_enabled_flag
  b.flag(s.depQuantEnabled);  // sps_dep_quant_enabled_flag
  b.flag(s.signDataHidingEnabled);  // sps_sign_data_hiding_enabled_flag
  b.flag(false);  // sps_virtual_boundaries_enabled_flag
  b.flag(false);  // sps_timing_hrd_params_present_flag
  b.flag(false);  // sps_field_seq_flag
  b.flag(false);  // sps_vui_parameters_present_flag
  b.flag(false);  // sps_extension_present_flag
  b.trailingBits();
  return b.bytes();
}

SpsInfo parseSps(const std::vector<uint8_t>& rbsp) {
  BitReader r(rbsp.data(), rbsp.size());
  SpsInfo s;
  require(r.u(4) == 0, "sps_seq_parameter_set_id != 0");
  require(r.u(4) == 0, "VPS referenced");
  s.maxSublayersMinus1 = int(r.u(3));
  require(s.maxSublayersMinus1 <= 6, "sps_max_sublayers_minus1 = 7");
  require(r.u(2) == 1, "chroma format other than 4:2:0");
  s.part.log2CtuSize = int(r.u(2)) + 5;
  require(r.flag(), "no profile_tier_level");
  const uint32_t profile = r.u(7);
  require(profile == 1 || profile == 65 || profile == 33, "profile is not Main 10");
  r.u(1);
  s.levelIdc = int(r.u(8));
  r.u(1);
  require(!r.flag(), "multilayer");
  if (r.flag()) {
    // general constraint info present: skip its fixed-size part is not needed for our streams
    throw BitstreamError("unsupported or invalid stream: general constraint info present");
  }
  while (!r.byteAligned()) r.u(1);  // gci_alignment_zero_bit
  bool sublayerLevelPresent[8] = {};
  for (int i = s.maxSublayersMinus1 - 1; i >= 0; --i) sublayerLevelPresent[i] = r.flag();
  while (!r.byteAligned()) r.u(1);  // ptl_reserved_zero_bit
  for (int i = s.maxSublayersMinus1 - 1; i >= 0; --i)
    if (sublayerLevelPresent[i]) r.u(8);  // sublayer_level_idc[i]: not needed for decoding
  const uint32_t nsub = r.u(8);
  for (uint32_t i = 0; i < nsub; ++i) r.u(32);
  require(!r.flag(), "GDR enabled");
  require(!r.flag(), "reference picture resampling");
  require(s.part.log2CtuSize <= 7, "CTU size above 128");
  s.width = int(r.ue(8192));
  s.height = int(r.ue(8192));
  require(s.width >= 8 && s.height >= 8 && s.width % 8 == 0 && s.height % 8 == 0 &&
              int64_t(s.width) * s.height <= int64_t(8192) * 4320, "picture size");
  if (r.flag()) {
    s.confLeft = int(r.ue(4096)) * 2; s.confRight = int(r.ue(4096)) * 2;
    s.confTop = int(r.ue(4096)) * 2; s.confBottom = int(r.ue(4096)) * 2;
    require(s.confLeft + s.confRight < s.width && s.confTop + s.confBottom < s.height, "conformance window");
  }
  require(!r.flag(), "subpictures");
  s.bitDepth = int(r.ue(8)) + 8;
  require(s.bitDepth == 10, "bit depth other than 10");
  require(!r.flag(), "entropy coding sync");
  require(!r.flag(), "entry points");
  s.log2MaxPocLsb = int(r.u(4)) + 4;
  require(!r.flag(), "POC MSB cycle");
  require(r.u(2) == 0, "extra PH bytes");
  require(r.u(2) == 0, "extra SH bytes");
  {
    // dpb_parameters: keep the values of the highest sublayer (the one we decode, HighestTid)
    const bool perSublayer = s.maxSublayersMinus1 > 0 && r.flag();
    for (int i = perSublayer ? 0 : s.maxSublayersMinus1; i <= s.maxSublayersMinus1; ++i) {
      s.maxDecPicBufferingMinus1 = int(r.ue(15));
      s.maxNumReorderPics = int(r.ue(15));
      s.maxLatencyIncreasePlus1 = int(r.ue(0x7ffffffe));
      require(s.maxNumReorderPics <= s.maxDecPicBufferingMinus1, "dpb_max_num_reorder_pics above the DPB size");
    }
  }
  s.part.log2MinCb = int(r.ue(4)) + 2;
  require(s.part.log2MinCb <= s.part.log2CtuSize && s.part.log2MinCb <= 6 &&
              s.width % (1 << s.part.log2MinCb) == 0 && s.height % (1 << s.part.log2MinCb) == 0, "min CB size");
  require(!r.flag(), "partition constraints override");
  s.part.log2MinQt = s.part.log2MinCb + int(r.ue(4));
  s.part.maxMttDepth = int(r.ue(8));
  s.part.log2MaxBt = s.part.log2MaxTt = s.part.log2MinQt;
  if (s.part.maxMttDepth) { s.part.log2MaxBt += int(r.ue(4)); s.part.log2MaxTt += int(r.ue(4)); }
  require(s.part.log2MinQt <= s.part.log2CtuSize && s.part.log2MaxBt <= s.part.log2CtuSize &&
              s.part.log2MaxTt <= s.part.log2CtuSize, "partition limits");
  s.part.dualTree = r.flag();  // sps_qtbtt_dual_tree_intra_flag
  if (s.part.dualTree) {
    s.part.log2MinQtC = s.part.log2MinCb + int(r.ue(4));
    s.part.maxMttDepthC = int(r.ue(8));
    s.part.log2MaxBtC = s.part.log2MaxTtC = s.part.log2MinQtC;
    if (s.part.maxMttDepthC) { s.part.log2MaxBtC += int(r.ue(4)); s.part.log2MaxTtC += int(r.ue(4)); }
    const int lim = std::min(6, s.part.log2CtuSize);
    require(s.part.log2MinQtC <= lim && s.part.log2MaxBtC <= lim && s.part.log2MaxTtC <= lim, "chroma tree partition limits");
  }
  r.ue(8); { const uint32_t d = r.ue(8); if (d) { r.ue(8); r.ue(8); } }
  s.part.log2MaxTb = 5;
  if (s.part.log2CtuSize > 5) s.part.log2MaxTb = r.flag() ? 6 : 5;
  s.transformSkipEnabled = r.flag();  // sps_transform_skip_enabled_flag
  if (s.transformSkipEnabled) {
    s.log2MaxTsSize = int(r.ue(3)) + 2;  // sps_log2_transform_skip_max_size_minus2
    require(!r.flag(), "BDPCM");  // sps_bdpcm_enabled_flag
  }
  s.mtsEnabled = r.flag();  // sps_mts_enabled_flag
  if (s.mtsEnabled) {
    s.explicitMtsIntra = r.flag();  // sps_explicit_mts_intra_enabled_flag
    s.explicitMtsInter = r.flag();  // sps_explicit_mts_inter_enabled_flag
  }
  s.lfnstEnabled = r.flag();  // sps_lfnst_enabled_flag
  s.jointCbCrEnabled = r.flag();  // sps_joint_cbcr_enabled_flag
  require(r.flag(), "separate chroma QP tables");
  s.qpTableStart = r.se(-38, 63) + 26;
  const uint32_t npts = r.ue(63) + 1;
  s.qpInDelta.clear(); s.qpOutDelta.clear();
  for (uint32_t j = 0; j < npts; ++j) {
    const uint32_t inMinus1 = r.ue(127);
    const uint32_t diff = r.ue(255);
    s.qpInDelta.push_back(int(inMinus1) + 1);
    s.qpOutDelta.push_back(int(inMinus1 ^ diff));
  }
  {
    int in = s.qpTableStart;
    for (int d : s.qpInDelta) in += d;
    require(in <= 63 && s.qpTableStart >= -12, "chroma QP table range");
  }
  s.saoEnabled = r.flag();
  s.alfEnabled = r.flag();
  if (s.alfEnabled) s.ccalfEnabled = r.flag();  // sps_ccalf_enabled_flag
  require(!r.flag(), "LMCS");
  require(!r.flag(), "weighted prediction"); require(!r.flag(), "weighted bi-prediction");
  require(!r.flag(), "long-term references");
  require(!r.flag(), "IDR RPL");
  const bool same = r.flag();
  require(r.ue() == 0, "SPS reference picture lists");
  if (!same) require(r.ue() == 0, "SPS reference picture lists");
  require(!r.flag(), "wraparound");
  s.temporalMvpEnabled = r.flag();  // sps_temporal_mvp_enabled_flag
  s.sbTmvpEnabled = s.temporalMvpEnabled && r.flag();  // sps_sbtmvp_enabled_flag
  s.amvrEnabled = r.flag();  // sps_amvr_enabled_flag
  s.bdofEnabled = r.flag();  // sps_bdof_enabled_flag
  if (s.bdofEnabled) require(!r.flag(), "BDOF control in the picture header");
  s.smvdEnabled = r.flag();  // sps_smvd_enabled_flag
  s.dmvrEnabled = r.flag();  // sps_dmvr_enabled_flag
  if (s.dmvrEnabled) require(!r.flag(), "DMVR control in the picture header");
  s.mmvdEnabled = r.flag();  // sps_mmvd_enabled_flag
  if (s.mmvdEnabled) require(!r.flag(), "full-sample-only MMVD");
  s.maxNumMergeCand = 6 - int(r.ue(5));
  s.sbtEnabled = r.flag();  // sps_sbt_enabled_flag
  s.affineEnabled = r.flag();  // sps_affine_enabled_flag
  if (s.affineEnabled) {
    s.maxNumSubblockMergeCand = 5 - int(r.ue(s.sbTmvpEnabled ? 4 : 5));  // (at least the SbTMVP candidate's 1)
    s.affineSixParam = r.flag();
    if (s.amvrEnabled) require(!r.flag(), "affine AMVR");
    s.affineProf = r.flag();  // sps_affine_prof_enabled_flag
    if (s.affineProf) require(!r.flag(), "PROF control in the picture header");
  }
  s.bcwEnabled = r.flag();  // sps_bcw_enabled_flag
  s.ciipEnabled = r.flag();  // sps_ciip_enabled_flag
  s.gpmEnabled = false;
  s.maxNumGpmMergeCand = 0;
  if (s.maxNumMergeCand >= 2) {
    s.gpmEnabled = r.flag();  // sps_gpm_enabled_flag
    if (s.gpmEnabled)
      s.maxNumGpmMergeCand = s.maxNumMergeCand >= 3 ? s.maxNumMergeCand - int(r.ue(uint32_t(s.maxNumMergeCand - 2))) : 2;
  }
  r.ue(8);  // parallel merge level
  s.ispEnabled = r.flag();  // sps_isp_enabled_flag
  s.mrlEnabled = r.flag();  // sps_mrl_enabled_flag
  s.mipEnabled = r.flag();  // sps_mip_enabled_flag
  s.cclmEnabled = r.flag();  // sps_cclm_enabled_flag
  r.flag();  // sps_chroma_horizontal_collocated_flag
  const bool verticalCollocated = r.flag();  // sps_chroma_vertical_collocated_flag
  require(!(s.cclmEnabled && verticalCollocated), "CCLM with the vertically collocated (5-tap) luma filter");
  require(!r.flag(), "palette");
  if (s.transformSkipEnabled) s.minQpPrimeTs = int(r.ue(8));  // sps_min_qp_prime_ts
  require(!r.flag(), "IBC");
  require(!r.flag(), "LADF");
  require(!r.flag(), "scaling lists");
  s.depQuantEnabled = r.flag();  // sps_dep_quant_enabled_flag
  s.signDataHidingEnabled = r.flag();  // sps_sign_data_hiding_enabled_flag
  require(!r.flag(), "virtual boundaries");
  require(!r.flag(), "HRD parameters");
  r.flag();  // field_seq
  require(!r.flag(), "VUI");
  require(!r.flag(), "SPS extensions");
  s.part.picWidth = s.width; s.part.picHeight = s.height;
  s.interEnabled = s.maxNumMergeCand > 1 || s.maxSublayersMinus1 > 0;
  buildChromaQpTable(s);
  return s;
}

std::vector<uint8_t> writePps(const PpsInfo& p) {
  BitWriter b;
  b.u(0, 6);  // pps_pic_parameter_set_id
  b.u(0, 4);  // pps_seq_parameter_set_id
  b.flag(false);  // pps_mixed_nalu_types_in_pic_flag
  b.ue(uint32_t(p.width));
  b.ue(uint32_t(p.height));
  b.flag(false);  // pps_conformance_window_flag (inferred from the SPS)
  b.flag(false);  // pps_scaling_window_explicit_signalling_flag
  b.flag(false);  // pps_output_flag_present_flag
  b.flag(true);   // pps_no_pic_partition_flag
  b.flag(false);  // pps_subpic_id_mapping_present_flag
  b.flag(false);  // pps_cabac_init_present_flag
  b.ue(uint32_t(p.numRefIdxDefaultActive[0] - 1));  // pps_num_ref_idx_default_active_minus1[0]
  b.ue(uint32_t(p.numRefIdxDefaultActive[1] - 1));
  b.flag(false);  // pps_rpl1_idx_present_flag
  b.flag(false);  // pps_weighted_pred_flag
  b.flag(false);  // pps_weighted_bipred_flag
  b.flag(false);  // pps_ref_wraparound_enabled_flag
  b.se(p.initQp - 26);
  b.flag(false);  // pps_cu_qp_delta_enabled_flag
  const bool chromaTools = p.jointCbCrQpOffset != 0;
  b.flag(chromaTools);  // pps_chroma_tool_offsets_present_flag
  if (chromaTools) {
    requireArg(p.jointCbCrQpOffset >= -12 && p.jointCbCrQpOffset <= 12, "joint Cb-Cr QP offset in -12..12");
    b.se(0);        // pps_cb_qp_offset
    b.se(0);        // pps_cr_qp_offset
    b.flag(true);   // pps_joint_cbcr_qp_offset_present_flag
    b.se(p.jointCbCrQpOffset);  // pps_joint_cbcr_qp_offset_value
    b.flag(false);  // pps_slice_chroma_qp_offsets_present_flag
    b.flag(false);  // pps_cu_chroma_qp_offset_list_enabled_flag
  }
  b.flag(true);   // pps_deblocking_filter_control_present_flag
  b.flag(false);  // pps_deblocking_filter_override_enabled_flag
  b.flag(!p.deblockingEnabled);  // pps_deblocking_filter_disabled_flag
  if (p.deblockingEnabled) {
    requireArg(p.betaOffsetDiv2 >= -12 && p.betaOffsetDiv2 <= 12, "deblocking beta offset in -12..12");
    requireArg(p.tcOffsetDiv2 >= -12 && p.tcOffsetDiv2 <= 12, "deblocking tC offset in -12..12");
    b.se(p.betaOffsetDiv2);  // pps_luma_beta_offset_div2
    b.se(p.tcOffsetDiv2);    // pps_luma_tc_offset_div2 (no chroma tool offsets: chroma offsets inferred equal)
    if (chromaTools)
      for (int c = 0; c < 2; ++c) {  // pps_cb/cr_beta_offset_div2, pps_cb/cr_tc_offset_div2: as luma
        b.se(p.betaOffsetDiv2);
        b.se(p.tcOffsetDiv2);
      }
  }
  b.flag(false);  // pps_picture_header_extension_present_flag
  b.flag(false);  // pps_slice_header_extension_present_flag
  b.flag(false);  // pps_extension_flag
  b.trailingBits();
  return b.bytes();
}

PpsInfo parsePps(const std::vector<uint8_t>& rbsp) {
  BitReader r(rbsp.data(), rbsp.size());
  PpsInfo p;
  require(r.u(6) == 0, "pps_pic_parameter_set_id != 0");
  require(r.u(4) == 0, "pps_seq_parameter_set_id != 0");
  require(!r.flag(), "mixed NAL unit types");
  p.width = int(r.ue(8192));
  p.height = int(r.ue(8192));
  require(!r.flag(), "PPS conformance window");
  require(!r.flag(), "scaling window");
  require(!r.flag(), "output flag");
  require(r.flag(), "picture partitioning (tiles/slices)");
  require(!r.flag(), "subpicture id mapping");
  require(!r.flag(), "cabac_init_present");
  for (int l = 0; l < 2; ++l) {
    p.numRefIdxDefaultActive[l] = int(r.ue(14)) + 1;
    require(p.numRefIdxDefaultActive[l] <= RefPicLists::kMaxRefs, "more than 4 default active references");
  }
  require(!r.flag(), "rpl1 idx");
  require(!r.flag(), "weighted prediction");
  require(!r.flag(), "weighted bi-prediction");
  require(!r.flag(), "wraparound");
  p.initQp = r.se(-38, 37) + 26;
  require(!r.flag(), "CU QP delta");
  const bool chromaTools = r.flag();  // pps_chroma_tool_offsets_present_flag
  if (chromaTools) {
    require(r.se(-12, 12) == 0, "pps_cb_qp_offset");
    require(r.se(-12, 12) == 0, "pps_cr_qp_offset");
    if (r.flag()) p.jointCbCrQpOffset = r.se(-12, 12);  // pps_joint_cbcr_qp_offset_present_flag / value
    require(!r.flag(), "slice chroma QP offsets");
    require(!r.flag(), "CU chroma QP offsets");
  }
  const bool dbfCtrl = r.flag();
  p.deblockingEnabled = true;  // pps_deblocking_filter_disabled_flag inferred 0 without control
  if (dbfCtrl) {
    require(!r.flag(), "deblocking override");
    p.deblockingEnabled = !r.flag();
    if (p.deblockingEnabled) {
      p.betaOffsetDiv2 = r.se(-12, 12);  // pps_luma_beta_offset_div2 (chroma: inferred equal)
      p.tcOffsetDiv2 = r.se(-12, 12);    // pps_luma_tc_offset_div2
      if (chromaTools)
        for (int c = 0; c < 2; ++c) {
          require(r.se(-12, 12) == p.betaOffsetDiv2, "chroma deblocking beta offset other than luma's");
          require(r.se(-12, 12) == p.tcOffsetDiv2, "chroma deblocking tC offset other than luma's");
        }
    }
  }
  require(!r.flag(), "PH extension");
  require(!r.flag(), "SH extension");
  require(!r.flag(), "PPS extension");
  return p;
}

namespace {
// Lists a slice of this type uses: 0 for I, 1 for P, 2 for B.
int numListsOf(SliceType t) { return t == SliceType::kB ? 2 : t == SliceType::kP ? 1 : 0; }

bool isSupportedSliceNal(NalType t) {
  return t == kNalTrail || t == kNalStsa || t == kNalRadl || t == kNalRasl || isIrapNal(t);
}

// sh_num_ref_idx_active_override_flag is present (7.3.7.1)
bool activeOverridePresent(SliceType t, size_t entries0, size_t entries1) {
  return (t != SliceType::kI && entries0 > 1) || (t == SliceType::kB && entries1 > 1);
}
}  // namespace

// sh_alf_enabled_flag and what follows it (7.3.7.1; ChromaArrayType 1).
static void writeAlfSliceFields(BitWriter& b, const AlfSliceParams& a, bool ccalf) {
  b.flag(a.enabled);  // sh_alf_enabled_flag
  if (!a.enabled) return;
  requireArg(a.numApsLuma >= 0 && a.numApsLuma <= 7, "sh_num_alf_aps_ids_luma");
  b.u(uint32_t(a.numApsLuma), 3);  // sh_num_alf_aps_ids_luma
  for (int i = 0; i < a.numApsLuma; ++i) {
    requireArg(a.apsIdLuma[i] >= 0 && a.apsIdLuma[i] < kAlfMaxApsIds, "sh_alf_aps_id_luma");
    b.u(uint32_t(a.apsIdLuma[i]), 3);  // sh_alf_aps_id_luma[i]
  }
  b.flag(a.cb);  // sh_alf_cb_enabled_flag
  b.flag(a.cr);  // sh_alf_cr_enabled_flag
  if (a.cb || a.cr) {
    requireArg(a.apsIdChroma >= 0 && a.apsIdChroma < kAlfMaxApsIds, "sh_alf_aps_id_chroma");
    b.u(uint32_t(a.apsIdChroma), 3);  // sh_alf_aps_id_chroma
  }
  requireArg(ccalf || (!a.cc[0] && !a.cc[1]), "CC-ALF used without sps_ccalf_enabled_flag");
  if (!ccalf) return;
  for (int k = 0; k < 2; ++k) {
    b.flag(a.cc[k]);  // sh_alf_cc_cb_enabled_flag / sh_alf_cc_cr_enabled_flag
    if (a.cc[k]) {
      requireArg(a.ccApsId[k] >= 0 && a.ccApsId[k] < kAlfMaxApsIds, "sh_alf_cc_cb/cr_aps_id");
      b.u(uint32_t(a.ccApsId[k]), 3);  // sh_alf_cc_cb_aps_id / sh_alf_cc_cr_aps_id
    }
  }
}

static void parseAlfSliceFields(BitReader& r, AlfSliceParams& a, bool ccalf) {
  a = AlfSliceParams{};
  a.enabled = r.flag();
  if (!a.enabled) return;
  a.numApsLuma = int(r.u(3));
  for (int i = 0; i < a.numApsLuma; ++i) a.apsIdLuma[i] = int(r.u(3));
  a.cb = r.flag();
  a.cr = r.flag();
  if (a.cb || a.cr) a.apsIdChroma = int(r.u(3));
  if (!ccalf) return;
  for (int k = 0; k < 2; ++k) {
    a.cc[k] = r.flag();
    if (a.cc[k]) a.ccApsId[k] = int(r.u(3));
  }
}

void writeSliceHeader(BitWriter& b, const SpsInfo& sps, const PpsInfo& pps, const SliceInfo& sh) {
  requireArg(isSupportedSliceNal(sh.nalType), "unsupported NAL unit type");
  const bool irap = isIrapNal(sh.nalType);
  const bool inter = sh.sliceType != SliceType::kI;
  const int numLists = numListsOf(sh.sliceType);
  requireArg(!irap || !inter, "IRAP pictures have I slices only");
  requireArg(!inter || sps.interEnabled, "P/B slice with an SPS without inter slices");
  requireArg(!isIdrNal(sh.nalType) || (sh.rpl[0].empty() && sh.rpl[1].empty()),
             "IDR pictures have no reference picture lists");
  for (int l = 0; l < 2; ++l) {
    requireArg(int(sh.rpl[l].size()) <= kMaxRefEntries, "too many reference list entries");
    requireArg(sh.numActive[l] >= (l < numLists ? 1 : 0) && sh.numActive[l] <= (l < numLists ? RefPicLists::kMaxRefs : 0) &&
                   sh.numActive[l] <= int(sh.rpl[l].size()),
               "numActive does not fit the slice type / list");
  }
  b.flag(true);   // sh_picture_header_in_slice_header_flag
  // picture_header_structure()
  b.flag(irap);   // ph_gdr_or_irap_pic_flag
  b.flag(false);  // ph_non_ref_pic_flag
  if (irap) b.flag(false);  // ph_gdr_pic_flag
  b.flag(inter);  // ph_inter_slice_allowed_flag (one slice per picture)
  if (inter) b.flag(false);  // ph_intra_slice_allowed_flag
  b.ue(0);        // ph_pic_parameter_set_id
  b.u(uint32_t(sh.poc) & ((1u << sps.log2MaxPocLsb) - 1), sps.log2MaxPocLsb);  // ph_pic_order_cnt_lsb
  // (no ALF/LMCS/scaling lists/virtual boundaries/partition override/QP delta/SAO/deblocking
  // fields; RPLs are in the slice header, no fpel MMVD / BDOF / DMVR / PROF / WP controls)
  requireArg(!sh.temporalMvp || (inter && sps.temporalMvpEnabled), "TMVP without an SPS / inter slice allowing it");
  if (inter && sps.temporalMvpEnabled) b.flag(sh.temporalMvp);  // ph_temporal_mvp_enabled_flag
  if (inter) b.flag(false);  // ph_mvd_l1_zero_flag
  if (sps.jointCbCrEnabled) b.flag(sh.jointCbCrSign);  // ph_joint_cbcr_sign_flag
  // slice header proper
  if (inter) b.ue(uint32_t(sh.sliceType));  // sh_slice_type
  if (irap) b.flag(sh.noOutputOfPriorPics);  // sh_no_output_of_prior_pics_flag
  requireArg(!sh.alf.enabled || sps.alfEnabled, "ALF used without sps_alf_enabled_flag");
  if (sps.alfEnabled) writeAlfSliceFields(b, sh.alf, sps.ccalfEnabled);  // pps_alf_info_in_ph_flag is 0
  if (!isIdrNal(sh.nalType)) {
    // ref_pic_lists(): sps_num_ref_pic_lists = 0, so rpl_sps_flag is absent and each list is an
    // explicit ref_pic_list_struct(i, 0) of short-term entries, each coded relative to the previous
    // entry (the first one relative to the current picture)
    for (int l = 0; l < 2; ++l) {
      b.ue(uint32_t(sh.rpl[l].size()));  // num_ref_entries
      int prev = sh.poc;
      for (int ref : sh.rpl[l]) {
        const int delta = ref - prev;
        requireArg(delta != 0 && delta >= -32768 && delta <= 32768,
                   "reference POC equal to the previous entry / the current picture, or too far");
        b.ue(uint32_t(std::abs(delta) - 1));  // abs_delta_poc_st (AbsDeltaPocSt - 1 without WP)
        b.flag(delta < 0);                     // strp_entry_sign_flag
        prev = ref;
      }
    }
  }
  const size_t n0 = sh.rpl[0].size(), n1 = sh.rpl[1].size();
  if (activeOverridePresent(sh.sliceType, n0, n1)) {
    bool isDefault = true;
    for (int l = 0; l < numLists; ++l)
      isDefault &= sh.numActive[l] == std::min(int(sh.rpl[l].size()), pps.numRefIdxDefaultActive[l]);
    b.flag(!isDefault);  // sh_num_ref_idx_active_override_flag
    if (!isDefault) {
      for (int l = 0; l < numLists; ++l) {
        if (sh.rpl[l].size() > 1) b.ue(uint32_t(sh.numActive[l] - 1));  // sh_num_ref_idx_active_minus1
        else requireArg(sh.numActive[l] == 1, "numActive");
      }
    }
  } else {
    for (int l = 0; l < numLists; ++l)
      requireArg(sh.numActive[l] == std::min(int(sh.rpl[l].size()), pps.numRefIdxDefaultActive[l]), "numActive");
  }
  // (no cabac_init_flag) the collocated picture (pps_rpl_info_in_ph_flag = 0: here); no weighted prediction
  if (sh.temporalMvp) {
    const bool fromL0 = sh.sliceType != SliceType::kB || sh.collocatedFromL0;
    requireArg(fromL0 == sh.collocatedFromL0, "P slices take the collocated picture from list 0");
    if (sh.sliceType == SliceType::kB) b.flag(sh.collocatedFromL0);  // sh_collocated_from_l0_flag
    const int numColList = sh.numActive[fromL0 ? 0 : 1];
    requireArg(sh.collocatedRefIdx >= 0 && sh.collocatedRefIdx < numColList, "collocated_ref_idx");
    if (numColList > 1) b.ue(uint32_t(sh.collocatedRefIdx));  // sh_collocated_ref_idx
  }
  b.se(sh.sliceQp - pps.initQp);  // sh_qp_delta
  if (sps.saoEnabled) {  // pps_sao_info_in_ph_flag is 0 (no picture partitioning): SAO flags here
    b.flag(sh.saoLuma);    // sh_sao_luma_used_flag
    b.flag(sh.saoChroma);  // sh_sao_chroma_used_flag
  }
  // (no deblocking override) then sh_dep_quant_used_flag, sh_sign_data_hiding_used_flag (present
  // when the SPS enables sign hiding and the slice does not use dependent quantisation) and
  // sh_ts_residual_coding_disabled_flag (transform skip with neither)
  if (sps.depQuantEnabled) b.flag(sh.depQuant);  // sh_dep_quant_used_flag
  else requireArg(!sh.depQuant, "dependent quantisation used without sps_dep_quant_enabled_flag");
  if (sps.signDataHidingEnabled && !sh.depQuant) b.flag(sh.signHiding);  // sh_sign_data_hiding_used_flag
  else requireArg(!sh.signHiding, "sign hiding used without sps_sign_data_hiding_enabled_flag or with dependent quantisation");
  if (sps.transformSkipEnabled && !sh.depQuant && !sh.signHiding) b.flag(sh.tsResidualCodingDisabled);
  else requireArg(!sh.tsResidualCodingDisabled, "sh_ts_residual_coding_disabled_flag where it is not coded");
  // byte_alignment()
  b.u(1, 1);
  b.alignZero();
}

SliceInfo parseSliceHeader(BitReader& r, NalType nalType, const SpsInfo& sps, const PpsInfo& pps) {
  SliceInfo sh;
  sh.nalType = nalType;
  require(isSupportedSliceNal(nalType), "slice NAL unit type");
  const bool irap = isIrapNal(nalType);
  require(r.flag(), "picture header NAL unit (only PH in slice header supported)");
  const bool irapFlag = r.flag();
  require(irapFlag == irap, "ph_gdr_or_irap_pic_flag does not match the NAL unit type");
  r.flag();  // ph_non_ref_pic_flag
  if (irapFlag) require(!r.flag(), "GDR picture");
  const bool interAllowed = r.flag();
  const bool intraAllowed = interAllowed ? r.flag() : true;
  require(r.ue(63) == 0, "ph_pic_parameter_set_id != 0");
  sh.pocLsb = int(r.u(sps.log2MaxPocLsb));
  sh.poc = sh.pocLsb;
  const bool phTemporalMvp = interAllowed && sps.temporalMvpEnabled && r.flag();  // ph_temporal_mvp_enabled_flag
  if (interAllowed) require(!r.flag(), "ph_mvd_l1_zero_flag");
  if (sps.jointCbCrEnabled) sh.jointCbCrSign = r.flag();  // ph_joint_cbcr_sign_flag
  sh.sliceType = SliceType::kI;
  if (interAllowed) {
    const uint32_t t = r.ue(2);
    sh.sliceType = SliceType(t);
  }
  require(sh.sliceType != SliceType::kI || intraAllowed, "I slice in a picture without intra slices");
  require(!irap || sh.sliceType == SliceType::kI, "P/B slice in an IRAP picture");
  if (irap) sh.noOutputOfPriorPics = r.flag();
  if (sps.alfEnabled) parseAlfSliceFields(r, sh.alf, sps.ccalfEnabled);  // pps_alf_info_in_ph_flag is 0
  if (!isIdrNal(nalType)) {
    for (int l = 0; l < 2; ++l) {
      const uint32_t n = r.ue(uint32_t(kMaxRefEntries));
      int prev = sh.poc;
      for (uint32_t j = 0; j < n; ++j) {
        const int absDelta = int(r.ue(32767)) + 1;
        const int ref = r.flag() ? prev - absDelta : prev + absDelta;
        require(ref != sh.poc, "reference list entry is the current picture");
        sh.rpl[l].push_back(ref);
        prev = ref;
      }
    }
  }
  const int numLists = numListsOf(sh.sliceType);
  const size_t n0 = sh.rpl[0].size(), n1 = sh.rpl[1].size();
  const bool override = activeOverridePresent(sh.sliceType, n0, n1) && r.flag();
  for (int l = 0; l < numLists; ++l) {
    if (override) sh.numActive[l] = sh.rpl[l].size() > 1 ? int(r.ue(14)) + 1 : 1;
    else sh.numActive[l] = std::min(int(sh.rpl[l].size()), pps.numRefIdxDefaultActive[l]);
    require(sh.numActive[l] >= 1, "P/B slice with an empty reference picture list");
    require(sh.numActive[l] <= int(sh.rpl[l].size()), "more active references than list entries");
    require(sh.numActive[l] <= RefPicLists::kMaxRefs, "more than 4 active references");
  }
  // the collocated picture (pps_rpl_info_in_ph_flag = 0: in the slice header); I slices have none
  sh.temporalMvp = phTemporalMvp && sh.sliceType != SliceType::kI;
  if (sh.temporalMvp) {
    sh.collocatedFromL0 = sh.sliceType == SliceType::kB ? r.flag() : true;  // sh_collocated_from_l0_flag
    const int numColList = sh.numActive[sh.collocatedFromL0 ? 0 : 1];
    sh.collocatedRefIdx = numColList > 1 ? int(r.ue(uint32_t(numColList - 1))) : 0;  // sh_collocated_ref_idx
  }
  sh.sliceQp = pps.initQp + r.se(-64, 64);
  require(sh.sliceQp >= -12 && sh.sliceQp <= 63, "slice QP");
  if (sps.saoEnabled) {
    sh.saoLuma = r.flag();    // sh_sao_luma_used_flag
    sh.saoChroma = r.flag();  // sh_sao_chroma_used_flag
  }
  if (sps.depQuantEnabled) sh.depQuant = r.flag();  // sh_dep_quant_used_flag
  if (sps.signDataHidingEnabled && !sh.depQuant) sh.signHiding = r.flag();  // sh_sign_data_hiding_used_flag
  if (sps.transformSkipEnabled && !sh.depQuant && !sh.signHiding)
    sh.tsResidualCodingDisabled = r.flag();  // sh_ts_residual_coding_disabled_flag
  r.expectTrailingBits();  // byte_alignment(): one bit then zeros
  return sh;
}

std::vector<uint8_t> writePictureHashSei(const uint8_t md5[3][16]) {
  BitWriter b;
  b.u(132, 8);           // payloadType: decoded picture hash
  b.u(2 + 3 * 16, 8);    // payloadSize
  b.u(0, 8);             // dph_sei_hash_type = MD5
  b.u(0, 1);             // dph_sei_single_component_flag
  b.u(0, 7);             // dph_sei_reserved_zero_7bits
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < 16; ++i) b.u(md5[c][i], 8);
  b.trailingBits();
  return b.bytes();
}

SeiHashParse parsePictureHashSeiChecked(const std::vector<uint8_t>& rbsp, uint8_t md5[3][16]) {
  size_t pos = 0;
  const size_t n = rbsp.size();
  // Every sei_message must be complete: a payload running past the NAL unit means the NAL unit
  // was cut (e.g. a truncated file), which is reported rather than taken as "no hash".
  while (pos < n && !(pos + 1 == n && rbsp[pos] == 0x80)) {
    uint32_t type = 0, size = 0;
    while (pos < n && rbsp[pos] == 0xff) { type += 255; ++pos; }
    if (pos >= n) return SeiHashParse::kMalformed;
    type += rbsp[pos++];
    while (pos < n && rbsp[pos] == 0xff) { size += 255; ++pos; }
    if (pos >= n) return SeiHashParse::kMalformed;
    size += rbsp[pos++];
    if (size > n - pos) return SeiHashParse::kMalformed;
    if (type == 132 && size >= 1) {
      if (rbsp[pos] != 0) return SeiHashParse::kNoHash;  // CRC / checksum: not checked
      if (size < 2) return SeiHashParse::kMalformed;
      const bool single = (rbsp[pos + 1] & 0x80) != 0;
      const size_t need = 2 + (single ? 16 : 48);
      if (size < need) return SeiHashParse::kMalformed;
      for (int c = 0; c < (single ? 1 : 3); ++c)
        for (int i = 0; i < 16; ++i) md5[c][i] = rbsp[pos + 2 + size_t(c) * 16 + size_t(i)];
      return single ? SeiHashParse::kNoHash : SeiHashParse::kMd5;
    }
    pos += size;
  }
  return SeiHashParse::kNoHash;
}

bool parsePictureHashSei(const std::vector<uint8_t>& rbsp, uint8_t md5[3][16]) {
  return parsePictureHashSeiChecked(rbsp, md5) == SeiHashParse::kMd5;
}

}  // namespace nnvvc
