#include "syntax/param_sets.h"

#include <cmath>
#include <string>

namespace nnvvc {

namespace {
void require(bool ok, const char* what) {
  if (!ok) throw BitstreamError(std::string("unsupported or invalid stream: ") + what);
}
}  // namespace

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
  b.u(0, 3);   // sps_max_sublayers_minus1
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
  // dpb_parameters(0, 0)
  b.ue(0);  // dpb_max_dec_pic_buffering_minus1
  b.ue(0);  // dpb_max_num_reorder_pics
  b.ue(0);  // dpb_max_latency_increase_plus1
  b.ue(uint32_t(s.part.log2MinCb - 2));
  b.flag(false);  // sps_partition_constraints_override_enabled_flag
  b.ue(uint32_t(s.part.log2MinQt - s.part.log2MinCb));
  b.ue(uint32_t(s.part.maxMttDepth));
  if (s.part.maxMttDepth) {
    b.ue(uint32_t(s.part.log2MaxBt - s.part.log2MinQt));
    b.ue(uint32_t(s.part.log2MaxTt - s.part.log2MinQt));
  }
  b.flag(false);  // sps_qtbtt_dual_tree_intra_flag
  // inter slices (unused in stage 1, same limits)
  b.ue(uint32_t(s.part.log2MinQt - s.part.log2MinCb));
  b.ue(uint32_t(s.part.maxMttDepth));
  if (s.part.maxMttDepth) {
    b.ue(uint32_t(s.part.log2MaxBt - s.part.log2MinQt));
    b.ue(uint32_t(s.part.log2MaxTt - s.part.log2MinQt));
  }
  if (s.part.log2CtuSize > 5) b.flag(s.part.log2MaxTb == 6);  // sps_max_luma_transform_size_64_flag
  b.flag(false);  // sps_transform_skip_enabled_flag
  b.flag(false);  // sps_mts_enabled_flag
  b.flag(false);  // sps_lfnst_enabled_flag
  b.flag(false);  // sps_joint_cbcr_enabled_flag
  b.flag(true);   // sps_same_qp_table_for_chroma_flag
  b.se(s.qpTableStart - 26);
  b.ue(uint32_t(s.qpInDelta.size() - 1));
  for (size_t j = 0; j < s.qpInDelta.size(); ++j) {
    const uint32_t inMinus1 = uint32_t(s.qpInDelta[j] - 1);
    b.ue(inMinus1);
    b.ue(inMinus1 ^ uint32_t(s.qpOutDelta[j]));  // delta_qp_diff_val
  }
  b.flag(false);  // sps_sao_enabled_flag
  b.flag(false);  // sps_alf_enabled_flag
  b.flag(false);  // sps_lmcs_enabled_flag
  b.flag(false);  // sps_weighted_pred_flag
  b.flag(false);  // sps_weighted_bipred_flag
  b.flag(false);  // sps_long_term_ref_pics_flag
  b.flag(false);  // sps_idr_rpl_present_flag
  b.flag(true);   // sps_rpl1_same_as_rpl0_flag
  b.ue(0);        // sps_num_ref_pic_lists[0]
  b.flag(false);  // sps_ref_wraparound_enabled_flag
  b.flag(false);  // sps_temporal_mvp_enabled_flag
  b.flag(false);  // sps_amvr_enabled_flag
  b.flag(false);  // sps_bdof_enabled_flag
  b.flag(false);  // sps_smvd_enabled_flag
  b.flag(false);  // sps_dmvr_enabled_flag
  b.flag(false);  // sps_mmvd_enabled_flag
  b.ue(5);        // sps_six_minus_max_num_merge_cand (MaxNumMergeCand = 1)
  b.flag(false);  // sps_sbt_enabled_flag
  b.flag(false);  // sps_affine_enabled_flag
  b.flag(false);  // sps_bcw_enabled_flag
  b.flag(false);  // sps_ciip_enabled_flag
  b.ue(0);        // sps_log2_parallel_merge_level_minus2
  b.flag(false);  // sps_isp_enabled_flag
  b.flag(false);  // sps_mrl_enabled_flag
  b.flag(false);  // sps_mip_enabled_flag
  b.flag(false);  // sps_cclm_enabled_flag
  b.flag(false);  // sps_chroma_horizontal_collocated_flag
  b.flag(false);  // sps_chroma_vertical_collocated_flag
  b.flag(false);  // sps_palette_enabled_flag
  b.flag(false);  // sps_ibc_enabled_flag
  b.flag(false);  // sps_ladf_enabled_flag
  b.flag(false);  // sps_explicit_scaling_list_enabled_flag
  b.flag(false);  // sps_dep_quant_enabled_flag
  b.flag(false);  // sps_sign_data_hiding_enabled_flag
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
  require(r.u(3) == 0, "temporal sublayers");
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
  while (!r.byteAligned()) r.u(1);
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
  r.ue(); r.ue(); r.ue();  // dpb_parameters
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
  require(!r.flag(), "dual tree");
  r.ue(8); { const uint32_t d = r.ue(8); if (d) { r.ue(8); r.ue(8); } }
  s.part.log2MaxTb = 5;
  if (s.part.log2CtuSize > 5) s.part.log2MaxTb = r.flag() ? 6 : 5;
  require(!r.flag(), "transform skip");
  require(!r.flag(), "MTS");
  require(!r.flag(), "LFNST");
  require(!r.flag(), "joint CbCr");
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
  require(!r.flag(), "SAO"); require(!r.flag(), "ALF"); require(!r.flag(), "LMCS");
  require(!r.flag(), "weighted prediction"); require(!r.flag(), "weighted bi-prediction");
  require(!r.flag(), "long-term references");
  require(!r.flag(), "IDR RPL");
  const bool same = r.flag();
  require(r.ue() == 0, "SPS reference picture lists");
  if (!same) require(r.ue() == 0, "SPS reference picture lists");
  require(!r.flag(), "wraparound");
  require(!r.flag(), "TMVP");
  require(!r.flag(), "AMVR");
  require(!r.flag(), "BDOF");
  require(!r.flag(), "SMVD");
  require(!r.flag(), "DMVR");
  require(!r.flag(), "MMVD");
  require(r.ue(5) == 5, "merge candidates");
  require(!r.flag(), "SBT"); require(!r.flag(), "affine"); require(!r.flag(), "BCW"); require(!r.flag(), "CIIP");
  r.ue(8);  // parallel merge level
  require(!r.flag(), "ISP"); require(!r.flag(), "MRL"); require(!r.flag(), "MIP"); require(!r.flag(), "CCLM");
  r.flag(); r.flag();  // chroma sample location flags
  require(!r.flag(), "palette");
  require(!r.flag(), "IBC");
  require(!r.flag(), "LADF");
  require(!r.flag(), "scaling lists");
  require(!r.flag(), "dependent quantisation");
  require(!r.flag(), "sign data hiding");
  require(!r.flag(), "virtual boundaries");
  require(!r.flag(), "HRD parameters");
  r.flag();  // field_seq
  require(!r.flag(), "VUI");
  require(!r.flag(), "SPS extensions");
  s.part.picWidth = s.width; s.part.picHeight = s.height;
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
  b.ue(0); b.ue(0);  // pps_num_ref_idx_default_active_minus1[0/1]
  b.flag(false);  // pps_rpl1_idx_present_flag
  b.flag(false);  // pps_weighted_pred_flag
  b.flag(false);  // pps_weighted_bipred_flag
  b.flag(false);  // pps_ref_wraparound_enabled_flag
  b.se(p.initQp - 26);
  b.flag(false);  // pps_cu_qp_delta_enabled_flag
  b.flag(false);  // pps_chroma_tool_offsets_present_flag
  b.flag(true);   // pps_deblocking_filter_control_present_flag
  b.flag(false);  // pps_deblocking_filter_override_enabled_flag
  b.flag(true);   // pps_deblocking_filter_disabled_flag
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
  r.ue(14); r.ue(14);
  require(!r.flag(), "rpl1 idx");
  require(!r.flag(), "weighted prediction");
  require(!r.flag(), "weighted bi-prediction");
  require(!r.flag(), "wraparound");
  p.initQp = r.se(-38, 37) + 26;
  require(!r.flag(), "CU QP delta");
  require(!r.flag(), "chroma QP offsets");
  const bool dbfCtrl = r.flag();
  if (dbfCtrl) {
    require(!r.flag(), "deblocking override");
    require(r.flag(), "deblocking enabled");
  } else {
    require(false, "deblocking enabled");
  }
  require(!r.flag(), "PH extension");
  require(!r.flag(), "SH extension");
  require(!r.flag(), "PPS extension");
  return p;
}

void writeSliceHeader(BitWriter& b, const SpsInfo& sps, const PpsInfo& pps, const SliceInfo& sh) {
  b.flag(true);   // sh_picture_header_in_slice_header_flag
  // picture_header_structure()
  const bool irap = sh.nalType == kNalIdrNLp || sh.nalType == kNalIdrWRadl || sh.nalType == kNalCra;
  b.flag(irap);   // ph_gdr_or_irap_pic_flag
  b.flag(false);  // ph_non_ref_pic_flag
  if (irap) b.flag(false);  // ph_gdr_pic_flag
  b.flag(false);  // ph_inter_slice_allowed_flag
  b.ue(0);        // ph_pic_parameter_set_id
  b.u(uint32_t(sh.pocLsb), sps.log2MaxPocLsb);
  // (no ALF/LMCS/scaling lists/virtual boundaries/partition override/QP delta/SAO/deblocking fields)
  // slice header proper
  if (irap) b.flag(false);  // sh_no_output_of_prior_pics_flag
  b.se(sh.sliceQp - pps.initQp);  // sh_qp_delta
  // byte_alignment()
  b.u(1, 1);
  b.alignZero();
}

SliceInfo parseSliceHeader(BitReader& r, NalType nalType, const SpsInfo& sps, const PpsInfo& pps) {
  SliceInfo sh;
  sh.nalType = nalType;
  require(r.flag(), "picture header NAL unit (only PH in slice header supported)");
  const bool irap = r.flag();
  r.flag();  // ph_non_ref_pic_flag
  if (irap) require(!r.flag(), "GDR picture");
  require(!r.flag(), "inter slices");
  require(r.ue(63) == 0, "ph_pic_parameter_set_id != 0");
  sh.pocLsb = int(r.u(sps.log2MaxPocLsb));
  const bool idr = nalType == kNalIdrNLp || nalType == kNalIdrWRadl;
  require(idr, "non-IDR pictures");
  if (nalType == kNalIdrNLp || nalType == kNalIdrWRadl || nalType == kNalCra) r.flag();
  sh.sliceQp = pps.initQp + r.se(-64, 64);
  require(sh.sliceQp >= -12 && sh.sliceQp <= 63, "slice QP");
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
