// High-level syntax: SPS, PPS, picture header (carried in the slice header), slice header and the
// decoded picture hash SEI — writer and parser pairs. Only the stage-1 tool set is supported:
// the parser rejects streams that enable anything else with a clear BitstreamError.
#pragma once
#include <cstdint>
#include <vector>

#include "bitstream/bitstream.h"
#include "common/slice_params.h"
#include "partition/partition.h"
#include "recon/alf.h"

namespace nnvvc {

struct SpsInfo {
  int width = 0, height = 0;                 // coded luma size (multiple of 8)
  int confLeft = 0, confRight = 0, confTop = 0, confBottom = 0;  // cropping in luma samples
  int bitDepth = kBitDepth;
  int levelIdc = 0;                          // general_level_idc (16 * major + 3 * minor)
  int log2MaxPocLsb = 8;
  // Random access: inter slices allowed (the writer then signals MaxNumMergeCand =
  // maxNumMergeCand and sps_gpm_enabled_flag = gpmEnabled; otherwise MaxNumMergeCand 1, the all-intra
  // bytes), sublayers (TemporalId 0..maxSublayersMinus1, profile_tier_level without sublayer
  // levels, one dpb_parameters set for the highest sublayer) and DPB sizes. All-intra streams
  // keep the defaults (and their exact bytes). The parser sets interEnabled when
  // MaxNumMergeCand > 1 or there are sublayers. Use configureRandomAccess() below.
  bool interEnabled = false;
  int maxSublayersMinus1 = 0;
  int maxDecPicBufferingMinus1 = 0;          // dpb_max_dec_pic_buffering_minus1 (highest sublayer)
  int maxNumReorderPics = 0;                 // dpb_max_num_reorder_pics
  int maxLatencyIncreasePlus1 = 0;           // dpb_max_latency_increase_plus1 (0: no limit)
  int maxNumMergeCand = 6;                   // MaxNumMergeCand when interEnabled (parser: as signalled)
  bool saoEnabled = false;                   // sps_sao_enabled_flag (SAO flags then in every slice header)
  bool temporalMvpEnabled = false;           // sps_temporal_mvp_enabled_flag; ph flag per inter picture
  bool amvrEnabled = false;                  // sps_amvr_enabled_flag (translational MVDs at 1/4, 1 or 4 samples)
  bool bdofEnabled = false;                  // sps_bdof_enabled_flag (no PH control: BDOF in every picture)
  bool dmvrEnabled = false;                  // sps_dmvr_enabled_flag (no PH control: DMVR in every inter picture)
  bool affineEnabled = false;                // sps_affine_enabled_flag (subblock merge, affine AMVP)
  bool affineSixParam = true;                // sps_6param_affine_enabled_flag
  bool affineProf = false;                   // sps_affine_prof_enabled_flag (no PH control: PROF in every affine CU)
  bool sbTmvpEnabled = false;                // sps_sbtmvp_enabled_flag (with temporalMvpEnabled: the first subblock merge candidate)
  int maxNumSubblockMergeCand = 5;           // 5 - sps_five_minus_max_num_subblock_merge_cand
  bool smvdEnabled = false;                  // sps_smvd_enabled_flag (symmetric MVD in bi AMVP CUs)
  bool bcwEnabled = false;                   // sps_bcw_enabled_flag (bcw_idx in bi AMVP CUs of 256+ samples, inherited by merge)
  bool ciipEnabled = false;                  // sps_ciip_enabled_flag (combined inter/intra merge; ciip_flag where GPM is possible too)
  bool mmvdEnabled = false;                  // sps_mmvd_enabled_flag (no full-sample-only MMVD)
  // sps_gpm_enabled_flag (coded when MaxNumMergeCand >= 2) and MaxNumGpmMergeCand (2 when MaxNumMergeCand is 2,
  // else MaxNumMergeCand - sps_max_num_merge_cand_minus_max_num_gpm_cand)
  bool gpmEnabled = false;
  int maxNumGpmMergeCand = 6;
  bool depQuantEnabled = false;              // sps_dep_quant_enabled_flag (sh_dep_quant_used_flag then in every slice header)
  bool signDataHidingEnabled = false;        // sps_sign_data_hiding_enabled_flag (sh_sign_data_hiding_used_flag then in
                                             // every slice header without dependent quantisation)
  bool alfEnabled = false;                   // sps_alf_enabled_flag (ALF fields then in every slice header)
  bool ccalfEnabled = false;                 // sps_ccalf_enabled_flag (with ALF: CC-ALF fields in the slice header)
  bool sbtEnabled = false;                   // sps_sbt_enabled_flag (cu_sbt_flag in inter CUs with a residual)
  bool mipEnabled = false;                   // sps_mip_enabled_flag (intra_mip_flag, CodingUnit::mip)
  bool ispEnabled = false;                   // sps_isp_enabled_flag (intra sub-partitions, CodingUnit::isp)
  bool mrlEnabled = false;                   // sps_mrl_enabled_flag (intra_luma_ref_idx, CodingUnit::mrlIdx)
  bool lfnstEnabled = false;                 // sps_lfnst_enabled_flag (lfnst_idx in intra CUs, dsp/lfnst)
  // sps_transform_skip_enabled_flag: transform_skip_flag in TBs of at most 2^log2MaxTsSize a side (no BDPCM);
  // QpPrimeTsMin = 4 + 6 * minQpPrimeTs (sps_min_qp_prime_ts)
  bool transformSkipEnabled = false;
  int log2MaxTsSize = 5;
  int minQpPrimeTs = 0;
  bool mtsEnabled = false;                   // sps_mts_enabled_flag (implicit MTS unless explicitMtsIntra)
  bool explicitMtsInter = false;             // sps_explicit_mts_inter_enabled_flag (mts_idx in inter CUs; needs mtsEnabled)
  bool explicitMtsIntra = false;             // sps_explicit_mts_intra_enabled_flag (mts_idx in intra CUs; needs mtsEnabled;
                                             // no explicit MTS for inter CUs)
  bool cclmEnabled = false;
  bool jointCbCrEnabled = false;             // sps_joint_cbcr_enabled_flag (ph_joint_cbcr_sign_flag, tu_joint_cbcr_residual_flag)                  // sps_cclm_enabled_flag (chroma sample location flags stay 0)
  PartitionConfig part;                      // picWidth/picHeight filled in too
  // ChromaQpTable (7.4.3.4) for qPi in [-12, 63], index qPi + 12 (one table shared by Cb/Cr).
  int chromaQpTable[76] = {};
  // SPS chroma QP mapping parameters
  int qpTableStart = 17;                     // sps_qp_table_start_minus26 + 26
  std::vector<int> qpInDelta{5, 12, 8};      // delta_qp_in_val_minus1 + 1
  std::vector<int> qpOutDelta{6, 12, 4};     // resulting qpOutVal steps
};

// Sets the SPS up for a random-access stream: inter slices, 5 sublayers (TemporalId 0..4),
// MaxNumMergeCand 6 and the DPB sizes of the coding structure (maxDecPicBuffering counts the
// current picture, >= 1; maxNumReorder = pictures that may precede a picture in decoding order
// and follow it in output order).
void configureRandomAccess(SpsInfo& sps, int maxDecPicBuffering, int maxNumReorder, int maxSublayersMinus1 = 4);

struct PpsInfo {
  bool deblockingEnabled = false;  // pps_deblocking_filter_disabled_flag == 0
  int betaOffsetDiv2 = 0;          // pps_luma_beta_offset_div2 (chroma: inferred equal, no chroma tool offsets)
  int tcOffsetDiv2 = 0;            // pps_luma_tc_offset_div2
  int initQp = 26;  // 26 + pps_init_qp_minus26
  int width = 0, height = 0;
  int numRefIdxDefaultActive[2] = {1, 1};
  // pps_joint_cbcr_qp_offset_value (non-zero: pps_chroma_tool_offsets_present_flag with Cb/Cr offsets 0 and the
  // chroma deblocking offsets equal to the luma ones)
  int jointCbCrQpOffset = 0;  // pps_num_ref_idx_default_active_minus1[i] + 1 (1..4)
};

struct SliceInfo {
  NalType nalType = kNalIdrNLp;
  int temporalId = 0;              // nuh_temporal_id_plus1 - 1 (the NAL header carries it; not in the header)
  // PicOrderCntVal. The writer codes poc's LSBs (ph_pic_order_cnt_lsb). The parser returns
  // poc = pocLsb (the MSB is the decoder's to derive, 8.3.1) with rpl[] relative to it: call
  // applyPocMsb() once the MSB is known.
  int poc = 0;
  int pocLsb = 0;                  // parser output: ph_pic_order_cnt_lsb (the writer ignores it)
  SliceType sliceType = SliceType::kI;
  int sliceQp = 32;
  bool noOutputOfPriorPics = false;  // sh_no_output_of_prior_pics_flag (IRAP only)
  // Reference picture lists (short-term, explicit in the slice header; none for IDR pictures):
  // POCs of every entry; the first numActive[l] are active (RefPicList[l] proper), the rest only
  // keep pictures in the DPB. I slices: numActive 0; P: numActive[1] 0. Consecutive entries of a
  // list must differ (no weighted prediction => AbsDeltaPocSt >= 1), and none may equal poc.
  std::vector<int> rpl[2];
  int numActive[2] = {0, 0};
  bool saoLuma = false, saoChroma = false;  // sh_sao_luma_used_flag / sh_sao_chroma_used_flag (SPS SAO on)
  // ph_temporal_mvp_enabled_flag (inter pictures of an SPS with TMVP) and the collocated picture
  // RefPicList[collocatedFromL0 ? 0 : 1][collocatedRefIdx] (sh_collocated_from_l0_flag, inferred 1
  // in P slices; sh_collocated_ref_idx, inferred 0 with one active entry).
  bool temporalMvp = false;
  bool collocatedFromL0 = true;
  int collocatedRefIdx = 0;
  bool depQuant = false;                    // sh_dep_quant_used_flag (SPS dependent quantisation on)
  bool signHiding = false;                  // sh_sign_data_hiding_used_flag (SPS sign hiding on, depQuant off)
  // sh_ts_residual_coding_disabled_flag (SPS transform skip on, neither DQ nor sign hiding): transform-skip blocks
  // then take residual_coding() instead of residual_ts_coding()
  bool tsResidualCodingDisabled = false;
  bool jointCbCrSign = false;               // ph_joint_cbcr_sign_flag (SPS JCCR on): CSign = -1 when set
  AlfSliceParams alf;                       // sh_alf_* (SPS ALF on; the parser does not check the APS ids)
};
// Adds pocMsb to the parsed poc and every reference POC.
void applyPocMsb(SliceInfo& sh, int pocMsb);
// Limits of what we parse: num_ref_entries per list, active references per list.
constexpr int kMaxRefEntries = 16;

// POC derivation (8.3.1) without ph_poc_msb_cycle: msbReset for IRAP pictures with
// NoOutputBeforeRecoveryFlag = 1 (every IDR; a CRA that starts the stream or follows an EOS);
// otherwise prevTid0Poc = PicOrderCntVal of the previous TemporalId-0 picture that is not RASL/RADL.
// Returns PicOrderCntVal.
int derivePoc(int pocLsb, int log2MaxPocLsb, bool msbReset, int prevTid0Poc);

// Derives the chroma QP table from qpTableStart/qpInDelta/qpOutDelta (7.4.3.4).
void buildChromaQpTable(SpsInfo& sps);
// Level (A.4.1 limits) for a picture size and frame rate: general_level_idc value.
int levelForPicture(int width, int height, double fps);

std::vector<uint8_t> writeSps(const SpsInfo& sps);
SpsInfo parseSps(const std::vector<uint8_t>& rbsp);
std::vector<uint8_t> writePps(const PpsInfo& pps);
PpsInfo parsePps(const std::vector<uint8_t>& rbsp);
// Slice header with the picture header inside, followed by byte_alignment(). The writer throws
// std::invalid_argument on SliceInfo it cannot code (see SliceInfo); the parser throws
// BitstreamError on anything unsupported or invalid. nalType comes from the NAL unit header.
void writeSliceHeader(BitWriter& bw, const SpsInfo& sps, const PpsInfo& pps, const SliceInfo& sh);
SliceInfo parseSliceHeader(BitReader& br, NalType nalType, const SpsInfo& sps, const PpsInfo& pps);

// Decoded picture hash SEI (MD5) message in a suffix SEI RBSP.
std::vector<uint8_t> writePictureHashSei(const uint8_t md5[3][16]);
// Finds a decoded picture hash SEI (MD5) in an SEI RBSP; returns false when none.
bool parsePictureHashSei(const std::vector<uint8_t>& rbsp, uint8_t md5[3][16]);
// Same, telling "no 3-component MD5 hash in this SEI" apart from a malformed / truncated SEI.
enum class SeiHashParse { kMd5, kNoHash, kMalformed };
SeiHashParse parsePictureHashSeiChecked(const std::vector<uint8_t>& rbsp, uint8_t md5[3][16]);

}  // namespace nnvvc
