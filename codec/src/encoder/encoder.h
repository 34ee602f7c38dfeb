// Encoder driver: option checks, the coding structure (gop_plan.h), parameter sets, the picture
// loop in coding order with the decoded picture buffer (picture_encoder.h codes each picture),
// recon output in output order, PSNR and statistics (stats_writer.h).
#pragma once
#include <string>

namespace nnvvc {

// "not given" for the deblocking offset options (the configuration then picks them)
constexpr int kDeblockOffsetDefault = -99;
struct EncoderOptions {
  std::string inputPath, bitstreamPath, reconPath, statsPath, splitHintsPath;
  bool statsQtNodes = false;  // --stats-qt-nodes: the stats also hold every luma quadtree node's RD costs (qt_nodes)
  std::string preset = "medium";  // RD search (see --help for the others)
  std::string splitThreshold;     // --split-threshold (version 2 split hints; "" = the file's)
  std::string config = "ai";
  int width = 0, height = 0;
  double fps = 30.0;
  int frames = 0;          // 0 = all frames in the file (from firstFrame on)
  int firstFrame = 0;      // first frame of the file to encode; POCs are frame numbers of the file, so that
                           // segments encoded apart join into one stream (ra: a multiple of the intra period)
  int inputBitDepth = 8;
  int qp = 32;
  int gopSize = 0;         // ra: 16 or 32 (0 = kDefaultRaGopSize, 32)
  int intraPeriod = 0;     // ra: CRA period in pictures, a multiple of the GOP size (0 = defaultIntraPeriod(fps, gopSize))
  int deblocking = -1;     // -1 = default (on), 0 off, 1 on
  int deblockBeta = kDeblockOffsetDefault;  // pps_luma_beta_offset_div2, -12..12 (default: -2, as VTM's RA configuration)
  int deblockTc = kDeblockOffsetDefault;    // pps_luma_tc_offset_div2, -12..12 (default: 0)
  int depQuant = -1;       // dependent quantisation: -1 = default (the preset's: medium and slower), 0 off, 1 on
  int signHiding = -1;     // sign data hiding: -1 = default (on whenever dependent quantisation is off), 0 off, 1 on
  int sao = -1;            // SAO: -1 = default (on), 0 off, 1 on
  int alf = -1;            // adaptive loop filter: -1 = default (on), 0 off, 1 on
  int ccalf = -1;          // cross-component ALF: -1 = default (on where ALF is), 0 off, 1 on (needs ALF)
  int alfClip = -1;        // luma ALF filters with clipping where it pays: -1 = default (on where ALF is), 0 off, 1 on
  int alfChroma = -1;      // ALF of the chroma planes: -1 = default (on where ALF is), 0 off, 1 on (needs ALF)
  int bdof = -1;           // bi-directional optical flow: -1 = default (on for ra), 0 off, 1 on (ra only)
  int dmvr = -1;           // decoder-side MV refinement of bi-merge CUs: -1 = default (on for ra), 0 off, 1 on (ra only)
  int mmvd = -1;           // merge with MV differences: -1 = default (on for ra at presets that search it), 0 off, 1 on (ra only)
  int amvr = -1;           // adaptive MV resolution (MVDs at 1 or 4 samples): -1 = default (off), 0 off, 1 on (ra only)
  int tmvp = -1;           // temporal MV prediction: -1 = default (on for ra), 0 off, 1 on (ra only)
  int affine = -1;         // affine motion (ra): -1 = default (preset), 0 off, 1 on
  int smvd = -1;           // symmetric MVD (ra): -1 = default (preset), 0 off, 1 on
  int bcw = -1;            // bi-prediction with CU-level weights (ra, B slices): -1 = default (preset), 0 off, 1 on
  int ciip = -1;           // combined inter/intra merge (ra): -1 = default (preset), 0 off, 1 on
  int gpm = -1;            // geometric partitioning merge (ra, B slices): -1 = default (preset), 0 off, 1 on
  int jointCbCr = -1;      // joint Cb-Cr residuals (JCCR): -1 = default (preset), 0 off, 1 on
  int dualTree = -1;       // separate luma / chroma coding trees in I slices: -1 = default (preset), 0 off, 1 on
  int cclm = -1;           // CCLM chroma intra prediction: -1 = default (on), 0 off, 1 on
  int sbt = -1;            // sub-block transform of inter CUs (ra): -1 = default (preset), 0 off, 1 on
  int prof = -1;           // PROF of affine CUs (ra, with affine): -1 = default (on wherever affine is), 0 off, 1 on
  int sbTmvp = -1;         // subblock-based temporal MV prediction (ra, needs TMVP): -1 = default (preset), 0 off, 1 on
  int mip = -1;            // matrix-based intra prediction: -1 = default (preset), 0 off, 1 on
  int isp = -1;            // intra sub-partitions (ISP): -1 = default (preset), 0 off, 1 on
  int transformSkip = -1;  // transform skip (residual_ts_coding): -1 = default (preset), 0 off, 1 on
  // residual_ts_coding() for transform-skip blocks: -1 / 1 yes, 0 residual_coding() instead
  // (sh_ts_residual_coding_disabled_flag; only where neither dependent quantisation nor sign hiding is on)
  int tsResidualCoding = -1;
  int mrl = -1;            // multiple reference lines for intra luma prediction: -1 = default (preset), 0 off, 1 on
  int lfnst = -1;          // low-frequency non-separable transform of intra TBs: -1 = default (preset), 0 off, 1 on
  int mts = -1;            // implicit MTS (DST-VII for intra luma TBs of side 4..16): -1 = default (on), 0 off, 1 on
  int mtsInter = -1;       // explicit MTS for inter CUs (ra; mts_idx): -1 = default (preset), 0 off, 1 on
  int mtsExplicit = -1;    // explicit MTS for intra CUs (mts_idx; implicit MTS then off): -1 = default (preset), 0 off, 1 on
  int chromaQpShift = -1;  // chroma QP mapping outputs from QP 22 up lowered by 0..3; -1 = default (2)
  int temporalFilter = -1; // motion-compensated source pre-filter: -1 = default (on for ra, off for ai), 0 off, 1 on
};

// Default --chroma-qp-shift, ai and ra (measured: see codec/README, "Coding tools: measured gains").
constexpr int kChromaQpShiftDefault = 2;

// Configurations this build encodes (nnvvc-enc --list-configs).
const char* const* supportedConfigs();

// Runs the whole encode. Returns 0 on success; otherwise fills `error` with a one-line message.
int runEncoder(const EncoderOptions& opt, std::string& error);

}  // namespace nnvvc
