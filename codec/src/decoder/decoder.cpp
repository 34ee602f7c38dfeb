#include "decoder/decoder.h"

#include <cstdio>
#include <cstring>
#include <memory>

#include "bitstream/bitstream.h"
#include "cabac/cabac.h"
#include "common/md5.h"
#include "common/slice_params.h"
#include "common/yuv_io.h"
#include "decoder/dpb.h"
#include "recon/dmvr.h"
#include "recon/recon.h"
#include "recon/sao.h"
#include "syntax/ctu_syntax.h"
#include "syntax/param_sets.h"
#include "syntax/sao_syntax.h"
#include "recon/alf.h"
#include "syntax/alf_syntax.h"
#if __has_include("recon/deblock.h")
#include "recon/deblock.h"
#define NNVVC_DEC_HAVE_DEBLOCK 1
#endif

namespace nnvvc {

namespace {

// 9.3.2.2 without cabac_init_flag: I 0, P 1, B 2.
int ctxInitTypeOf(SliceType t) { return t == SliceType::kI ? 0 : t == SliceType::kP ? 1 : 2; }

class StreamDecoder {
 public:
  StreamDecoder(std::FILE* out, DecodeResult& res) : out_(out), res_(res) {
    output_ = [this](const DpbPicture& p) { writeOutput(p); };
  }

  void decode(const std::vector<NalUnit>& nals) {
    for (const NalUnit& nu : nals) {
      if (nu.layerId != 0) continue;
      const NalType t = nu.type;
      if (isVclNal(t)) { finishCurrent(); decodeSlice(nu); continue; }
      switch (int(t)) {
        case kNalSps: sps_ = parseSps(nu.rbsp); haveSps_ = true; break;
        case kNalPps: pps_ = parsePps(nu.rbsp); havePps_ = true; break;
        case kNalSuffixSei: checkHash(nu); break;
        case kNalPrefixApsType: {  // ALF APS (other APS types are ignored)
          AlfApsData a;
          if (parseAlfAps(nu.rbsp, a)) { alfAps_[a.apsId] = a; alfApsValid_[a.apsId] = true; }
          break;
        }
        case kNalPh: throw BitstreamError("picture header NAL units are not supported");
        case kNalEos:
          // the next picture starts a new coded video sequence: output everything now
          finishCurrent();
          dpb_.flush(output_);
          afterEos_ = true;
          break;
        default: break;  // VPS, AUD, prefix SEI, EOB, reserved: ignored
      }
    }
    finishCurrent();
    dpb_.flush(output_);
  }

 private:
  void writeOutput(const DpbPicture& p) {
    if (out_ && !writeYuvFrame(out_, p.pic, p.cropX, p.cropY, p.cropW, p.cropH))
      throw std::runtime_error("write error on the output file");
    res_.outputPocs.push_back(p.poc);
    ++res_.frames;
  }

  // End of the current picture's access unit (its suffix SEIs have been seen).
  void finishCurrent() {
    if (!cur_) return;
    if (!curHashSeen_) ++res_.md5Missing;
    dpb_.finishPicture(cur_, true, dpbParamsOf(curSps_), output_);
    cur_ = nullptr;
  }

  void checkHash(const NalUnit& nu) {
    if (!cur_ || curHashSeen_) return;
    uint8_t md5[3][16];
    const SeiHashParse sei = parsePictureHashSeiChecked(nu.rbsp, md5);
    if (sei == SeiHashParse::kMalformed)
      throw BitstreamError("truncated or malformed suffix SEI after picture POC " + std::to_string(cur_->poc));
    if (sei != SeiHashParse::kMd5) return;
    curHashSeen_ = true;
    ++res_.md5Checked;
    for (int c = 0; c < 3; ++c) {
      uint8_t m[16];
      const Plane& pl = cur_->pic.planes[c];
      planeMd5(pl, pl.width, pl.height, m);
      if (std::memcmp(m, md5[c], 16) != 0) {
        ++res_.md5Mismatches;
        std::fprintf(stderr, "MD5 mismatch in picture POC %d (decoding order %d), component %d\n", cur_->poc,
                     res_.decoded - 1, c);
        break;
      }
    }
  }

  void decodeSlice(const NalUnit& nu) {
    const NalType t = nu.type;
    if (!(t == kNalTrail || t == kNalStsa || t == kNalRadl || t == kNalRasl || isIrapNal(t)))
      throw BitstreamError("unsupported picture type (NAL unit type " + std::to_string(int(t)) + ")");
    if (!haveSps_ || !havePps_) throw BitstreamError("slice before SPS/PPS");
    if (pps_.width != sps_.width || pps_.height != sps_.height) throw BitstreamError("PPS picture size differs from SPS");
    if (nu.temporalId > sps_.maxSublayersMinus1)
      throw BitstreamError("TemporalId " + std::to_string(nu.temporalId) + " above sps_max_sublayers_minus1");
    const bool irap = isIrapNal(t);
    // NoOutputBeforeRecoveryFlag: IDR always; CRA when it starts the stream or follows an EOS
    bool noOutputBeforeRecovery = false;
    if (irap) {
      noOutputBeforeRecovery = isIdrNal(t) || firstPicture_ || afterEos_;
      irapNoOutputBeforeRecovery_ = noOutputBeforeRecovery;
    } else if (firstPicture_ || afterEos_) {
      throw BitstreamError("the stream does not start with an IRAP picture");
    }
    // RASL pictures of such a CRA reference pictures that are not there: skipped (8.1.2 / C.5.2.2)
    if (t == kNalRasl && irapNoOutputBeforeRecovery_) return;
    BitReader br(nu.rbsp.data(), nu.rbsp.size());
    SliceInfo sh = parseSliceHeader(br, t, sps_, pps_);
    sh.temporalId = nu.temporalId;
    const int poc = derivePoc(sh.pocLsb, sps_.log2MaxPocLsb, irap && noOutputBeforeRecovery, prevTid0Poc_);
    applyPocMsb(sh, poc - sh.pocLsb);
    // the SPS/PPS in force from here (a new one only takes effect at an IRAP)
    if (irap) { curSps_ = sps_; }
    else if (sps_.width != curSps_.width || sps_.height != curSps_.height)
      throw BitstreamError("picture size changed at a non-IRAP picture");

    RefPicLists refs;
    const DpbParams params = dpbParamsOf(curSps_);
    DpbPicture* pic = dpb_.startPicture(sh, irap && noOutputBeforeRecovery, params, refs, output_);
    for (int l = 0; l < 2; ++l)
      for (int i = 0; i < refs.num[l]; ++i)
        if (refs.ref[l][i].pic->width != curSps_.width || refs.ref[l][i].pic->height != curSps_.height)
          throw BitstreamError("reference picture of another size");
    pic->cropX = curSps_.confLeft;
    pic->cropY = curSps_.confTop;
    pic->cropW = curSps_.width - curSps_.confLeft - curSps_.confRight;
    pic->cropH = curSps_.height - curSps_.confTop - curSps_.confBottom;
    pic->pic.alloc(curSps_.width, curSps_.height);
    pic->pic.poc = sh.poc;
    pic->motion.init(curSps_.width, curSps_.height);
    pic->motion.setRefs(sh.poc, sh.sliceQp, sh.sliceType == SliceType::kI ? nullptr : &refs);  // for later TMVP

    SliceParams slice;
    slice.qp = sh.sliceQp;
    slice.qpPrimeY = sh.sliceQp + 12;
    slice.qpPrimeCb = slice.qpPrimeCr = curSps_.chromaQpTable[clip3(-12, 63, sh.sliceQp) + 12] + 12;
    slice.jointCbCr = curSps_.jointCbCrEnabled;
    slice.jointCbCrSign = sh.jointCbCrSign ? -1 : 1;
    slice.qpPrimeCbCr = clip3(-12, 63, slice.qpPrimeCb - 12 + pps_.jointCbCrQpOffset) + 12;  // offset after the table
    slice.sliceType = sh.sliceType;
    slice.isIntra = sh.sliceType == SliceType::kI;
    slice.poc = sh.poc;
    slice.temporalId = sh.temporalId;
    slice.maxNumMergeCand = curSps_.maxNumMergeCand;
    slice.refs = slice.isIntra ? nullptr : &refs;
    slice.tmvp = sh.temporalMvp;
    slice.colFromL0 = sh.collocatedFromL0;
    slice.colRefIdx = sh.collocatedRefIdx;
    slice.depQuant = sh.depQuant;
    slice.signHiding = sh.signHiding;
    slice.transformSkip = curSps_.transformSkipEnabled;
    slice.log2MaxTs = curSps_.log2MaxTsSize;
    slice.qpPrimeTsMin = 4 + 6 * curSps_.minQpPrimeTs;
    slice.tsResidualCodingDisabled = sh.tsResidualCodingDisabled;
    slice.amvr = curSps_.amvrEnabled && !slice.isIntra;
    slice.bdof = curSps_.bdofEnabled && !slice.isIntra;
    slice.dmvr = curSps_.dmvrEnabled && !slice.isIntra;
    slice.mmvd = curSps_.mmvdEnabled && !slice.isIntra;
    slice.ciip = curSps_.ciipEnabled && !slice.isIntra;
    slice.bcw = curSps_.bcwEnabled && !slice.isIntra;
    slice.gpm = curSps_.gpmEnabled && slice.sliceType == SliceType::kB;
    slice.maxNumGpmMergeCand = curSps_.gpmEnabled ? curSps_.maxNumGpmMergeCand : 0;
    slice.smvd = curSps_.smvdEnabled && !slice.isIntra;
    slice.affine = curSps_.affineEnabled && !slice.isIntra;
    slice.affineSixParam = curSps_.affineSixParam;
    slice.prof = slice.affine && curSps_.affineProf;
    slice.sbTmvp = curSps_.sbTmvpEnabled && slice.tmvp && !slice.isIntra;
    slice.maxNumSubblockMergeCand = slice.affine ? curSps_.maxNumSubblockMergeCand : slice.sbTmvp ? 1 : 0;
    slice.cclm = curSps_.cclmEnabled;
    // implicitMtsEnabled (8.7.4.1) of intra CUs without explicit intra MTS (ISP parts and SBT TBs: recon::ispKernels,
    // recon::sbtMtsIdx)
    slice.implicitMts = curSps_.mtsEnabled && !curSps_.explicitMtsIntra;
    slice.explicitMtsIntra = curSps_.mtsEnabled && curSps_.explicitMtsIntra;
    slice.explicitMtsInter = curSps_.mtsEnabled && curSps_.explicitMtsInter && !slice.isIntra;
    slice.lfnst = curSps_.lfnstEnabled;
    slice.sbt = curSps_.sbtEnabled && !slice.isIntra;
    slice.isp = curSps_.ispEnabled;
    slice.mrl = curSps_.mrlEnabled;
    slice.mip = curSps_.mipEnabled;
    slice.mtsEnabled = curSps_.mtsEnabled;

    const size_t off = br.bytePos();
    CuMap cuMap;
    cuMap.init(curSps_.width, curSps_.height, curSps_.part.log2CtuSize);
    ContextSet ctxs;
    ctxs.init(sh.sliceQp, ctxInitTypeOf(sh.sliceType));
    ArithDecoder dec;
    dec.start(nu.rbsp.data() + off, nu.rbsp.size() - off);
    HmvpTable hmvp;
    SyntaxEnv env;
    env.part = &curSps_.part; env.ctx = &ctxs; env.cuMap = &cuMap; env.isIntraSlice = slice.isIntra;
    env.motion = &pic->motion; env.hmvp = &hmvp; env.slice = &slice;
    const int ctu = 1 << curSps_.part.log2CtuSize;
    std::vector<CtuCoding> ctus;
    SaoSyntaxEnv saoEnv;
    saoEnv.widthInCtus = (curSps_.width + ctu - 1) / ctu;
    saoEnv.luma = sh.saoLuma; saoEnv.chroma = sh.saoChroma;
    const bool saoInSlice = sh.saoLuma || sh.saoChroma;
    std::vector<SaoCtuParams> sao;
    // ALF: the APSs the slice refers to must be there with the filters it uses
    AlfSyntaxEnv alfEnv;
    alfEnv.widthInCtus = saoEnv.widthInCtus;
    alfEnv.slice = sh.alf;
    const AlfApsData* alfApsTable[kAlfMaxApsIds] = {};
    std::vector<AlfCtuParams> alfCtus;
    AlfContexts alfCtx;
    if (sh.alf.enabled) {
      for (int i = 0; i < sh.alf.numApsLuma; ++i) {
        const int id = sh.alf.apsIdLuma[i];
        if (!alfApsValid_[id] || !alfAps_[id].lumaSignalled)
          throw BitstreamError("slice refers to a missing ALF APS (id " + std::to_string(id) + ") for luma");
        alfApsTable[id] = &alfAps_[id];
      }
      if (sh.alf.cb || sh.alf.cr) {
        const int id = sh.alf.apsIdChroma;
        if (!alfApsValid_[id] || !alfAps_[id].chromaSignalled)
          throw BitstreamError("slice refers to a missing ALF APS (id " + std::to_string(id) + ") for chroma");
        alfApsTable[id] = &alfAps_[id];
        alfEnv.numChromaAlts = alfAps_[id].numChromaAlts;
      }
      for (int k = 0; k < 2; ++k) {
        if (!sh.alf.cc[k]) continue;
        const int id = sh.alf.ccApsId[k];
        if (!alfApsValid_[id] || !alfAps_[id].ccSignalled[k])
          throw BitstreamError("slice refers to a missing CC-ALF APS (id " + std::to_string(id) + ") for " +
                               (k ? "Cr" : "Cb"));
        alfApsTable[id] = &alfAps_[id];
        alfEnv.numCcFilters[k] = alfAps_[id].numCcFilters[k];
      }
      alfCtus.assign(size_t(saoEnv.widthInCtus) * size_t((curSps_.height + ctu - 1) / ctu), AlfCtuParams{});
      alfCtx.init(sh.sliceQp, ctxInitTypeOf(sh.sliceType));
    }
    if (saoInSlice) sao.assign(size_t(saoEnv.widthInCtus) * size_t((curSps_.height + ctu - 1) / ctu), SaoCtuParams{});
    for (int cy = 0; cy < curSps_.height; cy += ctu)
      for (int cx = 0; cx < curSps_.width; cx += ctu) {
        ctus.emplace_back();
        CtuCoding& cc = ctus.back();
        cc.ctuX = cx; cc.ctuY = cy;
        if (saoInSlice && (!codeSao(dec, ctxs, saoEnv, sao, cx / ctu, cy / ctu) || dec.overrun()))
          throw BitstreamError("corrupt SAO parameters in CTU at (" + std::to_string(cx) + "," + std::to_string(cy) +
                               ") of picture POC " + std::to_string(sh.poc));
        if (sh.alf.enabled && (!codeAlfCtu(dec, alfCtx, alfEnv, alfCtus, cx / ctu, cy / ctu) || dec.overrun()))
          throw BitstreamError("corrupt ALF parameters in CTU at (" + std::to_string(cx) + "," + std::to_string(cy) +
                               ") of picture POC " + std::to_string(sh.poc));
        if (!codeCtu(dec, env, cc) || dec.overrun())
          throw BitstreamError("corrupt slice data in CTU at (" + std::to_string(cx) + "," + std::to_string(cy) +
                               ") of picture POC " + std::to_string(sh.poc));
        for (CodingUnit& cu : cc.cus) cu.qp = int8_t(sh.sliceQp);  // QpY = SliceQpY (no cu_qp_delta); deblocking reads it
        recon::reconstructCtu(pic->pic, cuMap, cc, slice);
      }
    if (!dec.terminate()) throw BitstreamError("end_of_slice_one_bit missing");
    if (pps_.deblockingEnabled) {
#ifdef NNVVC_DEC_HAVE_DEBLOCK
      recon::deblockPicture(pic->pic, ctus, pic->motion, slice,
                            recon::DeblockParams::fromPps(pps_.betaOffsetDiv2, pps_.tcOffsetDiv2, curSps_.chromaQpTable,
                                                          pps_.jointCbCrQpOffset));
#else
      throw BitstreamError("deblocking filter is not supported by this build");
#endif
    }
    recon::applyDmvrToMotionField(ctus, slice, pic->motion);  // TMVP of later pictures reads the refined MVs
    if (saoInSlice) recon::applySao(pic->pic, sao, curSps_.part.log2CtuSize, sh.saoLuma, sh.saoChroma);
    if (sh.alf.enabled) recon::applyAlf(pic->pic, sh.alf, alfApsTable, alfCtus, curSps_.part.log2CtuSize);
    if (sh.temporalId == 0 && t != kNalRasl && t != kNalRadl) prevTid0Poc_ = sh.poc;
    cur_ = pic;
    curHashSeen_ = false;
    firstPicture_ = afterEos_ = false;
    ++res_.decoded;
  }

  std::FILE* out_;
  DecodeResult& res_;
  DecodedPictureBuffer::OutputFn output_;
  bool haveSps_ = false, havePps_ = false;
  SpsInfo sps_, curSps_;
  PpsInfo pps_;
  DecodedPictureBuffer dpb_;
  DpbPicture* cur_ = nullptr;      // decoded picture whose access unit is still open (hash SEI)
  bool curHashSeen_ = false;
  bool firstPicture_ = true, afterEos_ = false;
  bool irapNoOutputBeforeRecovery_ = false;  // of the IRAP the current pictures are associated with
  int prevTid0Poc_ = 0;
  AlfApsData alfAps_[kAlfMaxApsIds];   // ALF APSs received, by id
  bool alfApsValid_[kAlfMaxApsIds] = {};
};

}  // namespace

int decodeStream(const std::vector<uint8_t>& data, const std::string& outPath, DecodeResult& res,
                 std::string& error) {
  std::FILE* out = nullptr;
  if (!outPath.empty()) {
    out = std::fopen(outPath.c_str(), "wb");
    if (!out) { error = "cannot create output file '" + outPath + "'"; return 2; }
  }
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> guard(out, [](std::FILE* f) { return f ? std::fclose(f) : 0; });
  try {
    const std::vector<NalUnit> nals = parseAnnexB(data.data(), data.size());
    StreamDecoder dec(out, res);
    dec.decode(nals);
  } catch (const BitstreamError& e) {
    error = e.what();
    return 1;
  } catch (const std::bad_alloc&) {
    error = "out of memory while decoding";
    return 1;
  } catch (const std::runtime_error& e) {
    error = e.what();
    return 2;
  }
  if (res.md5Mismatches) { error = std::to_string(res.md5Mismatches) + " picture(s) failed the MD5 check"; return 1; }
  return 0;
}

}  // namespace nnvvc
