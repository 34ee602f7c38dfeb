#include "encoder/picture_encoder.h"

#include <cmath>
#include <stdexcept>

#include "bitstream/bitstream.h"
#include "cabac/cabac.h"
#include "common/md5.h"
#include "encoder/search/rd_cost.h"
#include "recon/dmvr.h"
#include "recon/recon.h"
#include "syntax/ctu_syntax.h"
#include "encoder/sao_decision.h"
#include "recon/sao.h"
#include "syntax/sao_syntax.h"
#include "encoder/alf_decision.h"
#include "recon/alf.h"
#include "syntax/alf_syntax.h"
#if __has_include("recon/deblock.h")
#include "recon/deblock.h"
#define NNVVC_HAVE_DEBLOCK 1
#endif

namespace nnvvc {

namespace {
NalType nalTypeOf(PlannedNal n) {
  switch (n) {
    case PlannedNal::kIdr: return kNalIdrNLp;
    case PlannedNal::kCra: return kNalCra;
    case PlannedNal::kRasl: return NalType(3);  // RASL_NUT
    case PlannedNal::kTrail: default: return kNalTrail;
  }
}
}  // namespace

bool jointCbCrSignOf(const Picture& orig) {
  const Plane& cb = orig.planes[1];
  const Plane& cr = orig.planes[2];
  int64_t sum = 0;
  auto hp = [](const Plane& p, int x, int y) {
    const Pel* r0 = p.row(y - 1) + x;
    const Pel* r1 = p.row(y) + x;
    const Pel* r2 = p.row(y + 1) + x;
    return 12 * int(r1[0]) - 2 * (int(r1[-1]) + int(r1[1]) + int(r0[0]) + int(r2[0])) -
           (int(r0[-1]) + int(r0[1]) + int(r2[-1]) + int(r2[1]));
  };
  for (int y = 1; y + 1 < cb.height; ++y)
    for (int x = 1; x + 1 < cb.width; ++x) sum += int64_t(hp(cb, x, y)) * hp(cr, x, y);
  return sum < 0;
}

SliceParams sliceParamsFor(const SpsInfo& sps, const PlannedPicture& plan, const RefPicLists* refs,
                           int jointCbCrQpOffset) {
  SliceParams s;
  s.qp = plan.qp;
  s.qpPrimeY = plan.qp + 12;
  const int qpi = clip3(-12, 63, plan.qp);  // + pps/slice chroma offsets (0)
  s.qpPrimeCb = s.qpPrimeCr = sps.chromaQpTable[qpi + 12] + 12;
  s.jointCbCr = sps.jointCbCrEnabled;
  s.qpPrimeCbCr = clip3(-12, 63, s.qpPrimeCb - 12 + jointCbCrQpOffset) + 12;  // 8.7.1: offset after the table
  s.isIntra = plan.intra;
  s.sliceType = plan.intra ? SliceType::kI : SliceType::kB;
  // lambda as the CTC configurations derive it from the picture QP (LambdaFromQpEnable: 0.57 for
  // every slice type), on 10-bit SSE
  s.lambda = search::lambdaFromQp(plan.qp, kBitDepth);
  s.poc = plan.poc;
  s.temporalId = plan.temporalId;
  s.hierarchyLevel = plan.hierarchyLevel;
  s.maxNumMergeCand = 6;
  s.refs = plan.intra ? nullptr : refs;
  s.depQuant = sps.depQuantEnabled;  // used in every slice when the SPS enables it
  s.signHiding = sps.signDataHidingEnabled && !s.depQuant;  // every slice without DQ (the two exclude each other)
  s.amvr = sps.amvrEnabled && !plan.intra;
  s.bdof = sps.bdofEnabled && !plan.intra;  // no PH control: on in every inter picture
  s.dmvr = sps.dmvrEnabled && !plan.intra;
  s.mmvd = sps.mmvdEnabled && !plan.intra;
  s.ciip = sps.ciipEnabled && !plan.intra;
  s.bcw = sps.bcwEnabled && !plan.intra;
  s.gpm = sps.gpmEnabled && s.sliceType == SliceType::kB;
  s.maxNumGpmMergeCand = sps.gpmEnabled ? sps.maxNumGpmMergeCand : 0;
  s.smvd = sps.smvdEnabled && !plan.intra;
  s.affine = sps.affineEnabled && !plan.intra;
  s.affineSixParam = sps.affineSixParam;
  s.prof = s.affine && sps.affineProf;
  s.maxNumSubblockMergeCand = s.affine ? sps.maxNumSubblockMergeCand : 0;
  s.cclm = sps.cclmEnabled;
  s.implicitMts = sps.mtsEnabled && !sps.explicitMtsIntra;  // implicitMtsEnabled (8.7.4.1)
  s.explicitMtsIntra = sps.mtsEnabled && sps.explicitMtsIntra;
  s.explicitMtsInter = sps.mtsEnabled && sps.explicitMtsInter && !plan.intra;
  s.lfnst = sps.lfnstEnabled;
  s.sbt = sps.sbtEnabled && !plan.intra;
  s.isp = sps.ispEnabled;
  s.mrl = sps.mrlEnabled;
  s.mip = sps.mipEnabled;
  s.mtsEnabled = sps.mtsEnabled;
  s.transformSkip = sps.transformSkipEnabled;
  s.log2MaxTs = sps.log2MaxTsSize;
  s.qpPrimeTsMin = 4 + 6 * sps.minQpPrimeTs;
  if (s.depQuant) s.lambda *= std::pow(2.0, 0.25 / 3.0);  // DQ's RD slope (as in the search)
  // TMVP with the collocated picture VTM's encoder picks: the first reference of each list; of the
  // two, the one with the lower slice QP (its motion is the more accurate), list 1 on a tie.
  if (sps.temporalMvpEnabled && s.refs && s.refs->num[0] > 0) {
    const RefPic& l0 = s.refs->ref[0][0];
    const bool haveL1 = s.sliceType == SliceType::kB && s.refs->num[1] > 0;
    s.colFromL0 = !haveL1 || (l0.motion && s.refs->ref[1][0].motion &&
                              l0.motion->refs().sliceQp > s.refs->ref[1][0].motion->refs().sliceQp);
    s.colRefIdx = 0;
    const RefPic& col = s.refs->ref[s.colFromL0 ? 0 : 1][0];
    s.tmvp = col.motion != nullptr;
  }
  // SbTMVP needs the collocated picture (ph_temporal_mvp_enabled_flag); without affine it is the only subblock
  // merge candidate (MaxNumSubblockMergeCand 1)
  s.sbTmvp = sps.sbTmvpEnabled && s.tmvp;
  s.maxNumSubblockMergeCand = s.affine ? sps.maxNumSubblockMergeCand : s.sbTmvp ? 1 : 0;
  return s;
}

bool PictureEncoder::encode(const Picture& orig, const PlannedPicture& plan, const RefPicLists& refs, bool wantCus,
                            CodedPicture& out, PictureResult& res, std::string& err, bool* internal) {
  *internal = false;
  const int codedW = sps_.width, codedH = sps_.height;
  SliceParams sliceParams = sliceParamsFor(sps_, plan, &refs, pps_.jointCbCrQpOffset);
  sliceParams.tsResidualCodingDisabled =
      tsRrc_ && sliceParams.transformSkip && !sliceParams.depQuant && !sliceParams.signHiding;
  if (sliceParams.jointCbCr) sliceParams.jointCbCrSign = jointCbCrSignOf(orig) ? -1 : 1;
  const SliceParams& slice = sliceParams;
  Picture& rec = out.rec;
  if (rec.width != codedW || rec.height != codedH) rec.alloc(codedW, codedH);
  for (int c = 0; c < 3; ++c) std::fill(rec.planes[c].data.begin(), rec.planes[c].data.end(), Pel(0));
  rec.poc = plan.poc;
  out.poc = plan.poc;
  out.motion.init(codedW, codedH);
  CuMap cuMap;
  cuMap.init(codedW, codedH, sps_.part.log2CtuSize);
  HmvpTable hmvp;
  ContextSet ctxs;
  const int ctxInitType = plan.intra ? 0 : 2;  // initType: I 0, B 2 (no cabac_init_flag)
  ctxs.init(slice.qp, ctxInitType);
  // Three passes: (1) search + reconstruction of every CTU, (2) in-loop filters on the whole
  // picture (deblocking, then SAO, whose parameters need the deblocked picture), (3) the slice
  // data: per CTU its sao() then its coding tree. Pass 1 runs the CTU writer into a scratch
  // encoder so the contexts, neighbour info and motion the search sees are those of the real
  // slice data (the sao() bins use contexts of their own).
  ArithEncoder enc;
  enc.start();
  try {
    search_.beginPicture(orig, slice, plan.poc);
  } catch (const std::invalid_argument& e) {  // e.g. split hints that do not fit this picture
    err = std::string(e.what()) + " (frame " + std::to_string(plan.poc) + ")";
    return false;
  }
  SyntaxEnv env;
  env.part = &sps_.part; env.ctx = &ctxs; env.cuMap = &cuMap; env.isIntraSlice = plan.intra;
  env.motion = &out.motion; env.hmvp = &hmvp; env.slice = &slice;
  const int ctu = 1 << sps_.part.log2CtuSize;
  std::vector<CtuCoding> ctus;
  for (int cy = 0; cy < codedH; cy += ctu) {
    for (int cx = 0; cx < codedW; cx += ctu) {
      if (cx == 0) hmvp.reset();  // HMVP starts empty in every CTU row (codeCtu does the same)
      CtuCoding cc;
      cc.ctuX = cx; cc.ctuY = cy;
      CtuSearchContext sc;
      sc.orig = &orig; sc.recon = &rec; sc.cuMap = &cuMap; sc.ctx = &ctxs; sc.part = &sps_.part;
      sc.slice = &slice; sc.ctuX = cx; sc.ctuY = cy; sc.frameIndex = plan.poc;
      sc.motion = &out.motion; sc.hmvp = &hmvp;
      sc.qtNodes = wantCus && recordQtNodes_ ? &res.qtNodes : nullptr;
      try {
        search_.searchCtu(sc, cc);
      } catch (const std::invalid_argument& e) {
        err = std::string(e.what()) + " (CTU at (" + std::to_string(cx) + "," + std::to_string(cy) + ") of frame " +
              std::to_string(plan.poc) + ")";
        return false;
      }
      cc.ctuX = cx; cc.ctuY = cy;
      cuMap.clearReconstructed(cx, cy, ctu, ctu);
      // the search leaves its winner's motion in the field; the writer stores it again CU by CU,
      // and merge lists must not see CUs that come later in decoding order
      out.motion.set(cx, cy, ctu, ctu, MotionInfo{});
      if (!codeCtu(enc, env, cc)) {
        err = "internal error: the search produced an invalid coding tree for the CTU at (" + std::to_string(cx) + "," +
              std::to_string(cy) + ") of frame " + std::to_string(plan.poc);
        *internal = true;
        return false;
      }
      recon::reconstructCtu(rec, cuMap, cc, slice);
      if (wantCus)
        for (const CodingUnit& cu : cc.cus)
          (cu.treeType != TreeType::kDualChroma ? res.lumaCus : res.chromaCus).push_back(cu);
      ctus.push_back(std::move(cc));
    }
  }
#ifdef NNVVC_HAVE_DEBLOCK
  if (pps_.deblockingEnabled) {
    recon::deblockPicture(rec, ctus, out.motion, slice,
                          recon::DeblockParams::fromPps(pps_.betaOffsetDiv2, pps_.tcOffsetDiv2, sps_.chromaQpTable,
                                                        pps_.jointCbCrQpOffset));
  }
#endif
  SaoDecision sao;
  if (sps_.saoEnabled) {
    sao = decideSao(orig, rec, slice, sps_.part.log2CtuSize, ctxInitType, true, true);
    recon::applySao(rec, sao.ctus, sps_.part.log2CtuSize, sao.luma, sao.chroma);
  }
  // ALF on the SAO output; a picture sends its own APS (TemporalId of the picture, ids taken in
  // turn) or reuses one sent earlier since the last IRAP by a picture of no higher TemporalId
  AlfDecision alf;
  if (sps_.alfEnabled) {
    if (plan.nal == PlannedNal::kIdr || plan.nal == PlannedNal::kCra) alfStore_ = {};
    // (only the latest such APS is tried: each candidate costs a filtering of the picture, and older ones
    // rarely win)
    const SentAlfAps* latest = nullptr;
    for (const SentAlfAps& s : alfStore_)
      if (s.valid && s.temporalId <= plan.temporalId && (!latest || s.order > latest->order)) latest = &s;
    std::vector<const AlfApsData*> reusable;
    if (latest) reusable.push_back(&latest->aps);
    alf = decideAlf(orig, rec, slice.lambda, sps_.part.log2CtuSize, plan.poc & (kAlfMaxApsIds - 1), alfChroma_,
                    reusable, alfLumaClip_);
    recon::PaddedPlane lumaSao;  // CC-ALF's input: the luma before its ALF
    if (sps_.ccalfEnabled) lumaSao.copyFrom(rec.planes[0]);
    if (alf.enabled) {
      const AlfApsData* table[kAlfMaxApsIds] = {};
      for (const SentAlfAps& s : alfStore_)
        if (s.valid) table[s.aps.apsId] = &s.aps;
      if (alf.sendAps) table[alf.aps.apsId] = &alf.aps;
      recon::applyAlf(rec, alf.slice, table, alf.ctus, sps_.part.log2CtuSize);
    }
    // CC-ALF on the chroma ALF output (applyAlf above ran without it; the decoder adds it in the same order)
    if (sps_.ccalfEnabled && decideCcAlf(orig, lumaSao, rec, slice.lambda, sps_.part.log2CtuSize, alf)) {
      const AlfApsData* table[kAlfMaxApsIds] = {};
      table[alf.aps.apsId] = &alf.aps;  // decideCcAlf put the filters in this picture's APS
      for (int c = 1; c <= 2; ++c) recon::applyCcAlf(rec, c, lumaSao, alf.slice, table, alf.ctus, sps_.part.log2CtuSize);
    }
    if (alf.enabled && alf.sendAps) {
      // a RASL picture's APS is not seen by a decoder that starts at the CRA: nothing may reuse its id
      SentAlfAps& s = alfStore_[size_t(alf.aps.apsId)];
      s.valid = plan.nal != PlannedNal::kRasl;
      s.temporalId = plan.temporalId;
      s.order = ++alfApsCount_;
      s.aps = alf.aps;
    }
  }
  // pass 3: the slice data, with the state of a decoder
  ctxs.init(slice.qp, ctxInitType);
  cuMap.init(codedW, codedH, sps_.part.log2CtuSize);
  out.motion.init(codedW, codedH);
  out.motion.setRefs(plan.poc, slice.qp, slice.refs);  // what TMVP of later pictures reads
  hmvp.reset();
  enc = ArithEncoder();
  enc.start();
  SaoSyntaxEnv saoEnv;
  saoEnv.widthInCtus = (codedW + ctu - 1) / ctu;
  saoEnv.luma = sao.luma; saoEnv.chroma = sao.chroma;
  AlfSyntaxEnv alfEnv;
  alfEnv.widthInCtus = saoEnv.widthInCtus;
  alfEnv.slice = alf.slice;
  alfEnv.numChromaAlts = alf.aps.chromaSignalled ? alf.aps.numChromaAlts : 1;
  for (int k = 0; k < 2; ++k) alfEnv.numCcFilters[k] = alf.aps.ccSignalled[k] ? alf.aps.numCcFilters[k] : 1;
  AlfContexts alfCtx;
  alfCtx.init(slice.qp, ctxInitType);
  for (CtuCoding& cc : ctus) {
    const int rx = cc.ctuX / ctu, ry = cc.ctuY / ctu;
    if ((saoEnv.luma || saoEnv.chroma) && !codeSao(enc, ctxs, saoEnv, sao.ctus, rx, ry)) {
      err = "internal error: inconsistent SAO parameters for the CTU at (" + std::to_string(cc.ctuX) + "," +
            std::to_string(cc.ctuY) + ") of frame " + std::to_string(plan.poc);
      *internal = true;
      return false;
    }
    if (alf.enabled && !codeAlfCtu(enc, alfCtx, alfEnv, alf.ctus, rx, ry)) {
      err = "internal error: inconsistent ALF parameters for the CTU at (" + std::to_string(cc.ctuX) + "," +
            std::to_string(cc.ctuY) + ") of frame " + std::to_string(plan.poc);
      *internal = true;
      return false;
    }
    if (!codeCtu(enc, env, cc)) {
      err = "internal error: the coding tree of the CTU at (" + std::to_string(cc.ctuX) + "," +
            std::to_string(cc.ctuY) + ") of frame " + std::to_string(plan.poc) + " could not be written";
      *internal = true;
      return false;
    }
  }
  recon::applyDmvrToMotionField(ctus, slice, out.motion);  // TMVP of later pictures reads the refined MVs
  enc.terminate(1);  // end_of_slice_one_bit
  enc.finish();
  // slice NAL: slice header + slice data + rbsp_slice_trailing_bits
  BitWriter sw;
  SliceInfo sh;
  sh.nalType = nalTypeOf(plan.nal);
  sh.poc = plan.poc;
  sh.pocLsb = plan.poc & ((1 << sps_.log2MaxPocLsb) - 1);
  sh.sliceQp = slice.qp;
  sh.temporalId = plan.temporalId;
  sh.sliceType = slice.sliceType;
  for (int l = 0; l < 2; ++l) { sh.rpl[l] = plan.rpl[l]; sh.numActive[l] = plan.intra ? 0 : plan.numActive[l]; }
  sh.saoLuma = sao.luma; sh.saoChroma = sao.chroma;
  sh.depQuant = slice.depQuant;
  sh.signHiding = slice.signHiding;
  sh.tsResidualCodingDisabled = slice.tsResidualCodingDisabled;
  sh.jointCbCrSign = slice.jointCbCrSign < 0;
  sh.alf = alf.slice;
  sh.temporalMvp = slice.tmvp;
  sh.collocatedFromL0 = slice.colFromL0;
  sh.collocatedRefIdx = slice.colRefIdx;
  writeSliceHeader(sw, sps_, pps_, sh);
  sw.appendBytes(enc.bytes());
  sw.u(enc.pendingBits(), enc.pendingCount());
  sw.trailingBits();
  if (alf.enabled && alf.sendAps) appendAnnexB(res.nalBytes, makeNalUnit(NalType(kNalPrefixApsType), plan.temporalId, writeAlfAps(alf.aps)));
  appendAnnexB(res.nalBytes, makeNalUnit(sh.nalType, plan.temporalId, sw.bytes()));
  uint8_t md5[3][16];
  for (int c = 0; c < 3; ++c) planeMd5(rec.planes[c], rec.planes[c].width, rec.planes[c].height, md5[c]);
  appendAnnexB(res.nalBytes, makeNalUnit(kNalSuffixSei, plan.temporalId, writePictureHashSei(md5)));
  return true;
}

}  // namespace nnvvc
