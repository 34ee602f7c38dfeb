#include "encoder/encoder.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>
#include <vector>

#include "bitstream/bitstream.h"
#include "common/yuv_io.h"
#include "dsp/dsp.h"
#include "encoder/gop_plan.h"
#include "encoder/picture_encoder.h"
#include "encoder/search/ctu_search.h"
#include "encoder/search/presets.h"
#include "encoder/search/rd_search.h"
#include "encoder/search/trivial_search.h"
#include "encoder/stats_writer.h"
#include "encoder/temporal_filter.h"
#include "syntax/param_sets.h"

namespace nnvvc {

namespace {

double psnrOf(uint64_t sse, uint64_t n) {
  if (sse == 0) return 999.99;
  const double peak = 1020.0;  // (255 << 2): VTM's convention for 10-bit PSNR
  return 10.0 * std::log10(peak * peak * double(n) / double(sse));
}

std::string checkOptions(const EncoderOptions& opt) {
  if (opt.config != "ai" && opt.config != "ra") return "--config " + opt.config + ": expected ai or ra";
  if (opt.width <= 0 || opt.height <= 0) return "picture size must be given with -s WxH (positive)";
  if (opt.width % 2 || opt.height % 2)
    return "picture size " + std::to_string(opt.width) + "x" + std::to_string(opt.height) +
           " is odd: 4:2:0 needs even width and height";
  if (opt.width > 8192 || opt.height > 4320)
    return "picture size " + std::to_string(opt.width) + "x" + std::to_string(opt.height) + " too large (max 8192x4320)";
  if (opt.inputBitDepth != 8 && opt.inputBitDepth != 10)
    return "--input-bitdepth " + std::to_string(opt.inputBitDepth) + ": must be 8 or 10";
  if (opt.qp < 0 || opt.qp > 63) return "--qp " + std::to_string(opt.qp) + ": out of range 0..63";
  if (!(opt.fps > 0 && opt.fps <= 300)) {
    char fps[64];
    std::snprintf(fps, sizeof fps, "%g", opt.fps);
    return std::string("--fps ") + fps + ": must be in (0, 300]";
  }
  if (opt.frames < 0) return "--frames " + std::to_string(opt.frames) + ": must be >= 0 (0 = all frames)";
  if (opt.gopSize != 0 && opt.gopSize != 16 && opt.gopSize != 32)
    return "--gop-size " + std::to_string(opt.gopSize) + ": expected 16 or 32";
  {
    const int gop = opt.gopSize ? opt.gopSize : kDefaultRaGopSize;
    if (opt.intraPeriod < 0 || (opt.intraPeriod > 0 && opt.intraPeriod % gop != 0))
      return "--intra-period " + std::to_string(opt.intraPeriod) + ": must be a positive multiple of the GOP size " +
             std::to_string(gop);
  }
  if (opt.deblocking < -1 || opt.deblocking > 1) return "--deblock: expected on or off";
  if (opt.deblockBeta != kDeblockOffsetDefault && (opt.deblockBeta < -12 || opt.deblockBeta > 12))
    return "--deblock-beta " + std::to_string(opt.deblockBeta) + ": expected -12..12";
  if (opt.deblockTc != kDeblockOffsetDefault && (opt.deblockTc < -12 || opt.deblockTc > 12))
    return "--deblock-tc " + std::to_string(opt.deblockTc) + ": expected -12..12";
  if (opt.sao < -1 || opt.sao > 1) return "--sao: expected on or off";
  if (opt.alf < -1 || opt.alf > 1) return "--alf: expected on or off";
  if (opt.alfChroma < -1 || opt.alfChroma > 1) return "--alf-chroma: expected on or off";
  if (opt.alfClip < -1 || opt.alfClip > 1) return "--alf-clip: expected on or off";
  if (opt.alfClip == 1 && opt.alf == 0) return "--alf-clip on needs --alf on";
  if (opt.alfChroma == 1 && opt.alf == 0) return "--alf-chroma on needs --alf on";
  if (opt.depQuant < -1 || opt.depQuant > 1) return "--dep-quant: expected on or off";
  if (opt.signHiding < -1 || opt.signHiding > 1) return "--sign-hiding: expected on or off";
  if (opt.tmvp < -1 || opt.tmvp > 1) return "--tmvp: expected on or off";
  if (opt.amvr < -1 || opt.amvr > 1) return "--amvr: expected on or off";
  if (opt.bdof < -1 || opt.bdof > 1) return "--bdof: expected on or off";
  if (opt.dmvr < -1 || opt.dmvr > 1) return "--dmvr: expected on or off";
  if (opt.mmvd < -1 || opt.mmvd > 1) return "--mmvd: expected on or off";
  if (opt.ccalf < -1 || opt.ccalf > 1) return "--ccalf: expected on or off";
  if (opt.chromaQpShift < -1 || opt.chromaQpShift > 3)
    return "--chroma-qp-shift " + std::to_string(opt.chromaQpShift) + ": expected 0..3";
  if (opt.ccalf == 1 && opt.alf == 0) return "--ccalf on needs --alf on";
  if (opt.cclm < -1 || opt.cclm > 1) return "--cclm: expected on or off";
  if (opt.dualTree < -1 || opt.dualTree > 1) return "--dual-tree: expected on or off";
  if (opt.jointCbCr < -1 || opt.jointCbCr > 1) return "--jccr: expected on or off";
  if (opt.ciip < -1 || opt.ciip > 1) return "--ciip: expected on or off";
  if (opt.gpm < -1 || opt.gpm > 1) return "--gpm: expected on or off";
  if (opt.smvd < -1 || opt.smvd > 1) return "--smvd: expected on or off";
  if (opt.bcw < -1 || opt.bcw > 1) return "--bcw: expected on or off";
  if (opt.lfnst < -1 || opt.lfnst > 1) return "--lfnst: expected on or off";
  if (opt.sbt < -1 || opt.sbt > 1) return "--sbt: expected on or off";
  if (opt.mrl < -1 || opt.mrl > 1) return "--mrl: expected on or off";
  if (opt.isp < -1 || opt.isp > 1) return "--isp: expected on or off";
  if (opt.transformSkip < -1 || opt.transformSkip > 1) return "--transform-skip: expected on or off";
  if (opt.tsResidualCoding < -1 || opt.tsResidualCoding > 1) return "--ts-residual-coding: expected on or off";
  if (opt.tsResidualCoding == 0 && (opt.depQuant != 0 || opt.signHiding == 1))
    return "--ts-residual-coding off needs --dep-quant off and no --sign-hiding on (the slice flag exists only without "
           "both)";
  if (opt.mip < -1 || opt.mip > 1) return "--mip: expected on or off";
  if (opt.sbTmvp < -1 || opt.sbTmvp > 1) return "--sbtmvp: expected on or off";
  if (opt.prof < -1 || opt.prof > 1) return "--prof: expected on or off";
  if (opt.sbTmvp == 1 && opt.tmvp == 0) return "--sbtmvp on needs --tmvp on (SbTMVP reads the collocated picture)";
  if (opt.mts < -1 || opt.mts > 1) return "--mts: expected on or off";
  if (opt.mtsExplicit < -1 || opt.mtsExplicit > 1) return "--mts-explicit: expected on or off";
  if (opt.mtsExplicit == 1 && opt.mts == 0) return "--mts-explicit on needs --mts on (sps_mts_enabled_flag)";
  if (opt.mtsInter < -1 || opt.mtsInter > 1) return "--mts-inter: expected on or off";
  if (opt.mtsInter == 1 && opt.mts == 0) return "--mts-inter on needs --mts on (sps_mts_enabled_flag)";
  if (opt.temporalFilter < -1 || opt.temporalFilter > 1) return "--temporal-filter: expected on or off";
  if (opt.firstFrame < 0) return "--first-frame " + std::to_string(opt.firstFrame) + ": expected 0 or more";
  return "";
}

}  // namespace

const char* const* supportedConfigs() {
  static const char* const kConfigs[] = {"ai", "ra", nullptr};
  return kConfigs;
}

int runEncoder(const EncoderOptions& opt, std::string& err) {
  err = checkOptions(opt);
  if (!err.empty()) return 2;

  std::FILE* in = std::fopen(opt.inputPath.c_str(), "rb");
  if (!in) { err = "cannot open input file '" + opt.inputPath + "'"; return 2; }
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> inGuard(in, &std::fclose);
  std::fseek(in, 0, SEEK_END);
  const long long fileSize = std::ftell(in);
  std::fseek(in, 0, SEEK_SET);
  const long long frameBytes = (long long)opt.width * opt.height * 3 / 2 * (opt.inputBitDepth > 8 ? 2 : 1);
  const long long available = fileSize / frameBytes;
  if (available == 0) {
    err = "input file '" + opt.inputPath + "' (" + std::to_string(fileSize) + " bytes) holds no complete " +
          std::to_string(opt.width) + "x" + std::to_string(opt.height) + " frame (" + std::to_string(frameBytes) + " bytes)";
    return 2;
  }
  if (fileSize % frameBytes != 0)
    std::fprintf(stderr, "warning: input size is not a multiple of the frame size; the trailing partial frame is ignored\n");
  if (opt.firstFrame >= available) {
    err = "--first-frame " + std::to_string(opt.firstFrame) + " is past the input's last frame (it holds " +
          std::to_string(available) + " frames)";
    return 2;
  }
  int numFrames = int(available) - opt.firstFrame;
  if (opt.frames > 0) {
    if (opt.frames > numFrames) {
      err = "--frames " + std::to_string(opt.frames) + " requested but the input holds only " + std::to_string(numFrames) +
            " frames" + (opt.firstFrame ? " from --first-frame " + std::to_string(opt.firstFrame) : std::string());
      return 2;
    }
    numFrames = opt.frames;
  }

  GopPlan plan;
  const int gopSize = opt.gopSize ? opt.gopSize : kDefaultRaGopSize;
  const int intraPeriod = opt.intraPeriod > 0 ? opt.intraPeriod : defaultIntraPeriod(opt.fps, gopSize);
  err = planGop(opt.config, numFrames, opt.qp, intraPeriod, gopSize, plan);
  if (!err.empty()) return 2;
  const bool ra = opt.config == "ra";
  if (ra && opt.firstFrame % intraPeriod != 0) {
    err = "--first-frame " + std::to_string(opt.firstFrame) + ": random access starts a segment on a CRA picture, a multiple of "
          "the intra period (" + std::to_string(intraPeriod) + ")";
    return 2;
  }
  // the plan counts from 0: its POCs become frame numbers of the file, so a segment's pictures are coded
  // exactly as in one encode of the whole sequence (same POCs, APS ids, pre-filter neighbours)
  for (PlannedPicture& p : plan.pictures) {
    p.poc += opt.firstFrame;
    for (auto& list : p.rpl)
      for (int& r : list) r += opt.firstFrame;
  }

  SearchConfig scfg;
  scfg.preset = opt.preset; scfg.splitHintsPath = opt.splitHintsPath; scfg.splitThreshold = opt.splitThreshold; scfg.qp = opt.qp;
  scfg.frameRate = int(std::lround(opt.fps));
  scfg.allIntra = !ra;
  scfg.sourceWidth = opt.width; scfg.sourceHeight = opt.height; scfg.sourceFrames = opt.firstFrame + numFrames;  // hints are indexed by frame of the file
  std::unique_ptr<CtuSearch> search;
  try {
    search = createCtuSearch(scfg);
  } catch (const std::exception& e) {
    err = e.what();
    return 2;
  }
  if (!search) { err = "unknown --preset '" + opt.preset + "' (known: " + ctuSearchPresetNames() + ")"; return 2; }

  // sequence and picture parameters
  SpsInfo sps;
  const int codedW = (opt.width + 7) & ~7, codedH = (opt.height + 7) & ~7;
  sps.width = codedW; sps.height = codedH;
  sps.confRight = codedW - opt.width; sps.confBottom = codedH - opt.height;
  sps.levelIdc = levelForPicture(codedW, codedH, opt.fps);
  sps.part.picWidth = codedW; sps.part.picHeight = codedH;
  if (ra) {
    // DPB sizes of the structure, not of this sequence's length: segments of one sequence (--first-frame)
    // then share one SPS, whatever their length
    GopPlan full;
    planGop(opt.config, std::max(numFrames, 2 * intraPeriod + 1), opt.qp, intraPeriod, gopSize, full);
    configureRandomAccess(sps, std::max(full.maxDecPicBuffering, plan.maxDecPicBuffering),
                          std::max(full.maxNumReorder, plan.maxNumReorder), full.maxTemporalId);
  }
  // the chroma QP mapping of the CTC (17->17, 22->23, 34->35, 42->39), its outputs from 22 up lowered by
  // --chroma-qp-shift: more of the rate goes to chroma, which the (6Y+U+V)/8 PSNR weighs by a quarter
  const int cqpShift = opt.chromaQpShift >= 0 ? opt.chromaQpShift : kChromaQpShiftDefault;
  sps.qpOutDelta[0] -= cqpShift;  // the 17 -> 22 step; the later steps follow it down
  buildChromaQpTable(sps);
  // the in-loop filters are on in both configurations, as in VTM's (all-intra too: -5.3% BD-rate on a 1080p
  // picture, -2.5% on BasketballPass, at no measurable time)
  sps.saoEnabled = opt.sao != 0;
  sps.alfEnabled = opt.alf != 0;
  sps.ccalfEnabled = sps.alfEnabled && opt.ccalf != 0;
  search::SearchPreset presetTools;  // non-RD presets (trivial, syntax-stress) keep the defaults
  search::presetByName(opt.preset, presetTools);
  sps.depQuantEnabled = opt.depQuant < 0 ? presetTools.depQuant : opt.depQuant == 1;
  // sign data hiding: by default wherever dependent quantisation is off (slices never use both: an
  // explicit on with DQ sets the SPS flag, but sh_sign_data_hiding_used_flag is then absent, 0)
  sps.signDataHidingEnabled = opt.signHiding < 0 ? !sps.depQuantEnabled : opt.signHiding == 1;
  sps.temporalMvpEnabled = ra && opt.tmvp != 0;
  sps.amvrEnabled = ra && (opt.amvr < 0 ? presetTools.amvr : opt.amvr == 1);
  sps.bdofEnabled = ra && opt.bdof != 0;  // bi-prediction only exists in ra  // all-intra streams have no motion to predict from
  sps.dmvrEnabled = ra && opt.dmvr != 0;
  sps.mmvdEnabled = ra && (opt.mmvd < 0 ? presetTools.mmvd : opt.mmvd == 1);
  sps.ciipEnabled = ra && (opt.ciip < 0 ? presetTools.numCiipRd > 0 : opt.ciip == 1);
  sps.smvdEnabled = ra && (opt.smvd < 0 ? presetTools.smvd : opt.smvd == 1);
  sps.bcwEnabled = ra && (opt.bcw < 0 ? presetTools.numBcwRd > 0 : opt.bcw == 1);
  sps.lfnstEnabled = opt.lfnst < 0 ? presetTools.lfnstModes > 0 : opt.lfnst == 1;
  sps.sbtEnabled = ra && (opt.sbt < 0 ? presetTools.numSbtRd > 0 : opt.sbt == 1);
  sps.ispEnabled =
      opt.isp < 0 ? presetTools.ispModes > 0 && (ra ? presetTools.ispInRa : presetTools.ispInAi) : opt.isp == 1;
  // transform skip: TBs up to 32x32 (VTM's CTC size); QpPrimeTsMin at the input's precision, as VTM-23.2 sets it
  sps.transformSkipEnabled = opt.transformSkip < 0 ? presetTools.tsLog2Max > 0 : opt.transformSkip == 1;
  sps.log2MaxTsSize = 5;
  sps.minQpPrimeTs = std::max(0, kBitDepth - opt.inputBitDepth);
  sps.mrlEnabled = opt.mrl < 0 ? presetTools.numMrlRd > 0 && (!ra || presetTools.mrlInRa) : opt.mrl == 1;
  sps.mipEnabled =
      opt.mip < 0 ? presetTools.numMipRd > 0 && (ra ? presetTools.mipInRa : presetTools.mipInAi) : opt.mip == 1;
  sps.affineEnabled = ra && (opt.affine < 0 ? presetTools.affine : opt.affine == 1);
  sps.affineProf = sps.affineEnabled && opt.prof != 0;
  sps.sbTmvpEnabled = sps.temporalMvpEnabled && (opt.sbTmvp < 0 ? presetTools.sbTmvp : opt.sbTmvp == 1);
  sps.gpmEnabled = ra && (opt.gpm < 0 ? presetTools.gpm : opt.gpm == 1);
  sps.maxNumGpmMergeCand = 6;  // = MaxNumMergeCand (sps_max_num_merge_cand_minus_max_num_gpm_cand 0)
  sps.cclmEnabled = opt.cclm != 0;
  // dual tree in I slices (chroma partitioned on its own: the chroma tree limits of partition.h)
  sps.part.dualTree = opt.dualTree < 0 ? presetTools.dualTree : opt.dualTree == 1;
  // joint Cb-Cr residuals; the joint QP one below the chroma QP (VTM's choice too): TuCResMode 2 codes one
  // residual for two components
  sps.jointCbCrEnabled = opt.jointCbCr < 0 ? presetTools.jointCbCr : opt.jointCbCr == 1;
  sps.mtsEnabled = opt.mts != 0;
  // explicit MTS for intra CUs (mts_idx chosen by the search); implicit MTS is then off (8.7.4.1). By default in
  // `ai` only: in `ra` (one intra picture in 32, few intra CUs elsewhere) it gains too little for its time
  sps.explicitMtsIntra =
      sps.mtsEnabled && (opt.mtsExplicit < 0 ? !ra && presetTools.explicitMts : opt.mtsExplicit == 1);
  // explicit MTS for inter CUs (ra only: all-intra streams have none)
  sps.explicitMtsInter = ra && sps.mtsEnabled && (opt.mtsInter < 0 ? presetTools.numInterMts > 0 : opt.mtsInter == 1);
  PpsInfo pps;
  pps.width = codedW; pps.height = codedH; pps.initQp = opt.qp;
  pps.deblockingEnabled = opt.deblocking != 0;
  pps.jointCbCrQpOffset = sps.jointCbCrEnabled ? -1 : 0;
  // VTM's RA configuration's PSNR-tuned offsets (beta -2, tC 0); all-intra 0 / 0 as VTM's all-intra configuration
  pps.betaOffsetDiv2 = opt.deblockBeta != kDeblockOffsetDefault ? opt.deblockBeta : (ra ? -2 : 0);
  pps.tcOffsetDiv2 = opt.deblockTc != kDeblockOffsetDefault ? opt.deblockTc : 0;

  std::ofstream bsOut(opt.bitstreamPath, std::ios::binary);
  if (!bsOut) { err = "cannot create bitstream file '" + opt.bitstreamPath + "'"; return 2; }
  std::FILE* reconFile = nullptr;
  if (!opt.reconPath.empty()) {
    reconFile = std::fopen(opt.reconPath.c_str(), "wb");
    if (!reconFile) { err = "cannot create recon file '" + opt.reconPath + "'"; return 2; }
  }
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> reconGuard(reconFile, [](std::FILE* f) { return f ? std::fclose(f) : 0; });

  StreamStats stats;
  stats.width = opt.width; stats.height = opt.height; stats.fps = opt.fps; stats.qp = opt.qp;
  stats.preset = opt.preset; stats.config = opt.config;
  stats.intraPeriod = ra ? intraPeriod : 1; stats.gopSize = plan.gopSize;
  stats.qtNodes = opt.statsQtNodes;
  std::map<int, FrameStats> framesByPoc;

  PictureEncoder picEnc(sps, pps, *search);
  picEnc.setAlfChroma(sps.alfEnabled && opt.alfChroma != 0);
  picEnc.setRecordQtNodes(!opt.statsPath.empty() && opt.statsQtNodes);
  picEnc.setAlfLumaClip(opt.alfClip != 0);
  picEnc.setTsResidualCodingDisabled(opt.tsResidualCoding == 0);
  std::map<int, std::unique_ptr<CodedPicture>> dpb;  // reference pictures by POC
  std::map<int, std::unique_ptr<CodedPicture>> pendingOutput;
  int nextOutputPoc = opt.firstFrame;
  Picture orig;
  orig.alloc(codedW, codedH);
  // temporal pre-filter: the pictures it selects are coded from a filtered copy (`filtered`);
  // PSNR is always measured against the unfiltered `orig`
  const bool temporalFilter = opt.temporalFilter < 0 ? ra : opt.temporalFilter == 1;
  TemporalFilterConfig tfCfg;
  tfCfg.baseQp = opt.qp;
  Picture filtered;

  for (size_t ci = 0; ci < plan.pictures.size(); ++ci) {
    const PlannedPicture& pp = plan.pictures[ci];
    const auto t0 = std::chrono::steady_clock::now();
    if (std::fseek(in, long(pp.poc * frameBytes), SEEK_SET) != 0 ||
        !readYuvFrame(in, opt.width, opt.height, opt.inputBitDepth, orig)) {
      err = "truncated input at frame " + std::to_string(pp.poc);
      return 2;
    }
    const Picture* source = &orig;
    const double tfStrength = temporalFilter ? temporalFilterStrength(pp.poc, opt.qp) : 0.0;
    if (tfStrength > 0) {
      filtered = orig;
      if (!temporalFilterSource(in, frameBytes, int(available), opt.width, opt.height, opt.inputBitDepth, pp.poc, tfCfg,
                                tfStrength, filtered)) {
        err = "truncated input near frame " + std::to_string(pp.poc);
        return 2;
      }
      source = &filtered;
    }
    RefPicLists refs;
    if (!pp.intra) {
      for (int l = 0; l < 2; ++l) {
        refs.num[l] = std::min(pp.numActive[l], RefPicLists::kMaxRefs);
        for (int i = 0; i < refs.num[l]; ++i) {
          auto it = dpb.find(pp.rpl[l][size_t(i)]);
          if (it == dpb.end()) { err = "internal error: reference picture missing"; return 3; }
          refs.ref[l][i].pic = &it->second->rec;
          refs.ref[l][i].motion = &it->second->motion;
          refs.ref[l][i].poc = it->first;
        }
      }
    }
    std::vector<uint8_t> stream;
    if (ci == 0) {
      appendAnnexB(stream, makeNalUnit(kNalSps, 0, writeSps(sps)));
      appendAnnexB(stream, makeNalUnit(kNalPps, 0, writePps(pps)));
    }
    auto cur = std::make_unique<CodedPicture>();
    PictureResult res;
    std::string perr;
    bool internal = false;
    if (!picEnc.encode(*source, pp, refs, !opt.statsPath.empty(), *cur, res, perr, &internal)) {
      err = perr;
      return internal ? 3 : 2;
    }
    stream.insert(stream.end(), res.nalBytes.begin(), res.nalBytes.end());
    bsOut.write(reinterpret_cast<const char*>(stream.data()), std::streamsize(stream.size()));
    if (!bsOut) { err = "write error on '" + opt.bitstreamPath + "'"; return 2; }

    FrameStats fs;
    fs.poc = pp.poc; fs.codingIndex = int(ci);
    fs.sliceType = pp.intra ? "I" : "B";
    fs.temporalId = pp.temporalId; fs.qp = pp.qp;
    fs.bits = uint64_t(stream.size()) * 8;
    stats.totalBits += fs.bits;
    for (int c = 0; c < 3; ++c) {
      const int pw = c ? opt.width / 2 : opt.width, ph = c ? opt.height / 2 : opt.height;
      const uint64_t sse = dsp::sse(orig.planes[c].data.data(), orig.planes[c].stride, cur->rec.planes[c].data.data(),
                                    cur->rec.planes[c].stride, pw, ph);
      fs.psnr[c] = psnrOf(sse, uint64_t(pw) * uint64_t(ph));
    }
    fs.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    fs.cus = std::move(res.lumaCus);
    fs.chromaCus = std::move(res.chromaCus);
    fs.qtNodes = std::move(res.qtNodes);
    std::fprintf(stderr, "POC %3d %s T%d QP %2d: %9llu bits  PSNR Y %.3f U %.3f V %.3f  %.3f s\n", pp.poc, fs.sliceType,
                 fs.temporalId, fs.qp, (unsigned long long)fs.bits, fs.psnr[0], fs.psnr[1], fs.psnr[2], fs.seconds);
    framesByPoc[pp.poc] = std::move(fs);

    // decoded picture buffer: keep what the next pictures reference (the plan's RPL entries)
    const int poc = pp.poc;
    std::map<int, std::unique_ptr<CodedPicture>> kept;
    for (int l = 0; l < 2; ++l)
      for (int r : pp.rpl[l]) {
        auto it = dpb.find(r);
        if (it != dpb.end() && !kept.count(r)) kept[r] = std::move(it->second);
      }
    dpb.swap(kept);
    // output order: write pictures as soon as every lower POC has been written
    if (reconFile) {
      // copy for output (the DPB copy stays the reference)
      auto outPic = std::make_unique<CodedPicture>();
      outPic->rec = cur->rec;
      pendingOutput[poc] = std::move(outPic);
      while (!pendingOutput.empty() && pendingOutput.begin()->first == nextOutputPoc) {
        writeYuvFrame(reconFile, pendingOutput.begin()->second->rec, 0, 0, opt.width, opt.height);
        pendingOutput.erase(pendingOutput.begin());
        ++nextOutputPoc;
      }
    }
    dpb[poc] = std::move(cur);
  }
  if (reconFile)
    for (auto& kv : pendingOutput) writeYuvFrame(reconFile, kv.second->rec, 0, 0, opt.width, opt.height);

  for (auto& kv : framesByPoc) stats.frames.push_back(std::move(kv.second));
  if (const search::SearchStats* ss = search::rdSearchStats(search.get())) stats.search = *ss;
  if (!opt.statsPath.empty() && !writeStatsJson(opt.statsPath, stats)) {
    err = "cannot create stats file '" + opt.statsPath + "'";
    return 2;
  }
  std::fprintf(stderr, "encoded %d frames, %llu bits\n", numFrames, (unsigned long long)stats.totalBits);
  return 0;
}

}  // namespace nnvvc
