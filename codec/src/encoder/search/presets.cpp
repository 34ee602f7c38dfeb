#include "encoder/search/presets.h"

namespace nnvvc {
namespace search {

const char* searchPresetNames() { return "exhaustive|slow|medium|fast|faster"; }

bool presetByName(const std::string& name, SearchPreset& p) {
  p = SearchPreset{};
  p.name = name;
  // MMVD (SearchPreset::mmvd) at medium and the slower presets: `medium` BQTerrace 9 frames -1.01% BD-rate for
  // +10.6% CPU, BasketballPass 17 frames -0.46% for +22.5%; `slow` BasketballPass -0.49% for +17%
  // GPM (SearchPreset::gpm) at medium and the slower presets: `slow` BasketballPass 17 frames -2.21% BD-rate for
  // +9..30% CPU (loaded machine: two runs)
  // Explicit MTS (SearchPreset::explicitMts; the default in `ai` only) at medium and the slower presets, against
  // implicit MTS, all-intra BasketballPass 4 frames (CPU ratios noisy: loaded machine): medium (best mode, one more
  // kernel pair) -0.50% BD-rate for about +3% CPU, BQTerrace frame 0 -0.46% for +16% (the two together about the
  // rule of thumb's ~8% per 0.5%); two modes and two pairs -0.81% (BQTerrace -0.87%) for +21..40%; slow (3 modes, <= 3 pairs) -1.22% for +38%. `ra` medium: +0.09% for +10%, so off there.
  if (name == "exhaustive") {
    p.mmvd = true;
    p.gpm = true;
    p.affine = true;  // the only preset with affine (SearchPreset::affine has the figures)
    // AMVR (half, one and four samples) only here: `medium` BasketballPass 33 frames -0.22% BD-rate for +16% CPU,
    // BQTerrace 9 frames -0.26% for +16%, bus 17 frames +0.17% for +9% (2026-12-03, nineteenth session)
    p.amvr = true;
    p.sbTmvp = true;  // every SbTMVP candidate that is not a regular merge candidate's motion to full RD
    p.numBcwRd = 2;   // BCW with one list refined per weight, two weights to RD
    p.lfnstModes = 3;
    p.numSbtRd = 8;   // every SBT split
    p.numMrlRd = 4;
    p.numMipRd = 3;
    p.ispModes = 2;  // ISP: the best two regular modes, both splits, LFNST on the better one
    p.ispLfnst = true;
    p.tsLog2Max = 5;  // transform skip in every TB size the SPS allows
    p.depQuant = true;
    p.explicitMts = true;
    p.mtsModes = 4;
    p.mtsModeSlack = 0.1;
    return true;
  }
  if (name == "slow") {
    p.modes = {5, 3, 3};
    p.mmvd = true;
    p.gpm = true;
    p.depQuant = true;  // ra -1.19% BD-rate for +15% CPU, ai -1.29% for +25% (BasketballPass)
    // (affine off: -0.69% BD-rate for +67% CPU here, SearchPreset::affine)
    // BCW as at medium (weights on the equal-weight MVs: slow's QP-22 point has little margin under 0.7 x VTM's time)
    p.numBcwRd = 1;
    p.bcwRefine = false;
    // LFNST (eleventh session) with the best two luma modes; at medium (best mode only) it measured -0.30% BD-rate for
    // +15% CPU (BasketballPass 4 frames, ai), BQTerrace frame 0 -0.29% for +15%: too dear there
    p.lfnstModes = 2;
    p.numSbtRd = 4;
    p.sbTmvp = true;  // as at medium (slow's RA time is close to the challenge's 0.7 x VTM per point)
    p.sbTmvpSatdRatio = 1.0;
    p.numMrlRd = 2;
    p.numMipRd = 2;
    // ISP since 2026-12-03 (fifteenth session), the best regular mode in both splits: at medium that measured ai
    // BasketballPass 4 frames -0.96..-1.01% BD-rate for +28..30% CPU, BQTerrace frame 0 -1.02% for +32%
    p.ispModes = 1;
    // with LFNST on the better split: `ai` BasketballPass 2 frames -0.26% BD-rate for +1.4% CPU against ISP without it
    p.ispLfnst = true;
    // transform skip up to 8x8: `ra` BasketballDrillText 9 frames -0.21% BD-rate (Y -0.33%) for +4% CPU against 4x4 only
    // (`medium`)
    p.tsLog2Max = 3;
    // (MIP `ai` only here too: the thirteenth session's RA bench measured slow at T1/T2 0.661 with MIP, QP 32 at 0.77,
    // over the challenge's 0.7 per point, on a noisy machine; MIP's RA cost is in the I picture, +3.4% at medium)
    p.mipInRa = false;
    // the intra gate of B pictures as at medium: BasketballPass 33 frames -0.29% BD-rate (Y -0.17%) for -8.5% CPU
    p.intraInInterSatdRatio = 1.2;
    p.explicitMts = true;
    p.mtsModes = 3;
    p.mtsModeSlack = 0.05;
    p.mtsMaxRd = 3;
    p.mtsCostRatio = 1.1;
    return true;
  }
  if (name == "medium") {
    // ISP since 2026-12-03 (fifteenth session), `ra` only: the best regular mode in one split, vertical strips for the
    // modes from the diagonal 34 up and horizontal ones for the others (both for planar / DC): `ra` BasketballPass 17
    // frames -0.44% BD-rate (Y -0.60%) for +3.9% CPU. `ai` BasketballPass 4 frames -1.17% (Y -0.97%) for +23% CPU (the
    // other direction rule -0.46% for +18%; both splits -0.96..-1.01% for +28..30%, BQTerrace frame 0 -1.02% for
    // +32%): too dear for the all-intra 10%-of-VTM time target, so `--isp on` there
    p.ispModes = 1;
    p.ispBothSplits = false;
    p.ispInAi = false;
    // transform skip in 4x4 TBs (2026-12-03, seventeenth session): `ra` BasketballDrillText (camera + text) 9 frames
    // -0.71% BD-rate (Y -0.52%) at no measurable CPU, BasketballPass 17 frames -0.35% for +3.8%, BQTerrace 9 frames
    // -0.02% for +1.1%; `ai` BasketballDrillText frame 0 -0.45%, BasketballPass 4 frames -0.15%. Every size up to 32x32:
    // `ai` BasketballDrillText -0.37% (larger TS blocks chosen on the TB's estimate lose at the CU); `fast`: -0.11% /
    // -0.01% for +4..5% CPU, so not there
    p.tsLog2Max = 2;
    p.maxMttDepth = 2;
    p.modes = {3, 2, 2};
    // all-intra (2026-12-02, tenth session; BQTerrace frame 0 BD-rates, CPU of QP 37 encodes run one at a time, median
    // of three): two modes by SATD and one MPM to full RD (BQTerrace +0.55%, BasketballPass 4 frames +0.39%; the bench
    // then gave -15% / -8% CPU against VTM's), the coarse SATD pass over 17 angles (+0.05%, -6%) and one refined angle
    // (+0.09%, -4%); in `ra` the first cut saves only 3% for +0.6%, so RA keeps three and two
    p.modesAllIntra = {2, 1, 1, 4};
    // all-intra chroma: DM and the best other candidate by SATD to full RD (of 6 with CCLM): BQTerrace frame 0 +0.21%
    // for -8% CPU (QP 32 alone, median of three), BasketballPass 4 frames +0.29%; `ra` BasketballPass 17 frames +0.58%
    // for -4%, so not there. It pays for explicit MTS at medium again (below).
    p.numChromaRdAllIntra = 2;
    p.largeBlockRdReduce = 1;
    p.numChromaModes = 3;
    p.skipTtIfBtNoGain = true;
    // three merge candidates to full RD (BasketballPass 33 frames: -0.28% BD-rate for +2.2% time against two)
    p.numMergeRd = 3;
    p.numAmvpRd = 1;
    p.numCiipRd = 0;
    // GPM at medium since 2026-12-02 (ninth session), its full RD only for candidates whose blended SATD beats the best
    // regular merge candidate's: BasketballPass 17 frames -1.67% BD-rate for +15% CPU (4 QPs, off / on back to back;
    // without that limit -1.68%, and a QP-27 encode timed back to back +20% against +11% with it)
    p.gpm = true;
    p.gpmSatdRatio = 1.0;
    p.numGpmSatd = 4;  // (tenth session, with the two changes marked below: see there)
    // (affine stays off, SearchPreset::affine; with --affine on medium searches as slow does: BasketballPass 17 frames
    // -0.47% BD-rate for 2.85x CPU; a cheaper search - 4-parameter AMVP from 1/2 sample with the 8-tap filter, one merge
    // candidate to RD - lost it all, +0.07% for 1.49x; subblock merge alone: -0.08% for +11%)
    // SMVD at medium since 2026-12-02 (eighth session): BasketballPass 33 frames -0.48% BD-rate for +12% CPU,
    // BQTerrace 9 frames -0.31% for +3.6%
    p.smvd = true;
    // BCW since 2026-12-02 (eleventh session): the weights 5/8 and 3/8 on the bi candidate's MVs (no refinement),
    // one to full RD: BQTerrace 9 frames -0.52% BD-rate for about 0 CPU (-0.3%), BasketballPass 33 frames -0.13% for
    // +2.0%; with one list refined per weight -0.38% / -0.19% for +3.6% / +5.9%
    p.numBcwRd = 1;
    p.bcwRefine = false;
    // SBT since 2026-12-02 (twelfth session), the two splits that leave the least residual energy uncoded to full RD:
    // BasketballPass 33 frames -1.27% BD-rate for +4.6% CPU, BQTerrace 9 frames -0.25% for +2.2%; one split: BQTerrace
    // -0.11% for +1.4%
    p.numSbtRd = 2;
    // MRL since 2026-12-02 (thirteenth session), one candidate to RD, `ai` only: BasketballPass 4 frames -0.59%,
    // BQTerrace frame 0 -1.07%, for +8.7% instructions (BasketballPass frame 0). In `ra` (only candidates that beat the
    // best regular mode's SATD cost, ModeSelectConfig::extraVsBest) BasketballPass 17 frames about -0.21% for +1.9%
    // instructions (9 frames QP 32), but 33 frames +0.26%: no reliable gain there
    p.numMrlRd = 1;
    p.modes.extraVsBest = true;
    p.mrlInRa = false;
    // MIP since 2026-12-02 (thirteenth session), one candidate to RD, `ai` only: `ai` BasketballPass 4 frames -0.50%
    // (Y -0.26%), BQTerrace frame 0 -0.48% (Y -0.50%), for +14% instructions (BasketballPass frame 0, callgrind); `ra`
    // BasketballPass 17 frames -0.21% for +3.4% instructions (9 frames QP 32; first version), nearly all of it in the I
    // picture, which is 40% of a 9-frame 1080p encode: too dear for medium's 0.1 x VTM time target in `ra`
    p.numMipRd = 1;
    p.mipInRa = false;
    // and off in `ai` at medium too since the fourteenth session (`--mip on` keeps one candidate): with it the all-intra
    // bench measured `medium` at 11.0% of VTM-23.2's time on BQTerrace frame 0 (the target is 10%); `--mip off`
    // there: +0.48% BD-rate for -12% CPU
    p.mipInAi = false;
    // SbTMVP since 2026-12-02 (fourteenth session), to full RD only where its SATD cost beats the best regular merge
    // candidate's: BasketballPass 33 frames -0.38% BD-rate (Y -0.58%) for +0.2% CPU, BQTerrace 9 frames -0.22% for +1.2%;
    // every candidate to RD -0.37% for +6.9% (one run each)
    p.sbTmvp = true;
    p.sbTmvpSatdRatio = 1.0;
    p.meRangeMax = 64;
    p.interSkipStopsSplit = false;
    p.intraInInterMaxTid = 2;
    // intra RD in B pictures only where the best intra mode's SATD + bits is below 1.2x the best inter candidate's
    // (sixteenth session): BasketballPass 33 frames -0.14% BD-rate (Y -0.13%) for -8.6% CPU, BQTerrace 9 frames +0.20%
    // (Y +0.14%) for -9.4%; ratio 1.0: BasketballPass +0.10% for -9.4%, 0.8: +1.31% for -10%
    p.intraInInterSatdRatio = 1.2;
    // skip rule from layer 3 (third session): -25% time for +0.15% (BQTerrace) / +0.6% (BasketballPass) BD-rate, RA
    // 9/17 frames; from layer 2 since 2026-12-02 (tenth session), together with one MMVD candidate to RD (was two) and
    // the blended SATD of 4 GPM pairs (was 8): BasketballPass 17 frames +0.13% BD-rate for -13% CPU (the minimum per QP
    // of two and three paired runs: CPU times on this VM have outliers of up to +40%)
    p.skipStopsMttFromTid = 2;
    // Early skip detection (no motion search below a skip CU) is off again since 2026-12-02 (eighth session): with
    // today's tools the motion search under a skip CU pays: BasketballPass 33 frames -0.75% BD-rate for +13.6% CPU,
    // BQTerrace 9 frames -0.43% for +7.9% (together with SMVD: BasketballPass -1.06% for +22%, BQTerrace -0.72% for +15%).
    // (It was on in layers 0-2 since the fifth session: then -10.7% time for +0.63% / +0.45%.)
    p.skipStopsAmvpMaxTid = -1;
    p.mmvd = true;
    p.numMmvdRd = 1;  // (tenth session: see skipStopsMttFromTid)
    // RDOQ without the exact-J guard in P/B slices: -7.0% time for +0.20% / -0.06% (I slices keep it: all-intra
    // streams stay as they were)
    p.rdoqGuardInterSlices = false;
    // dependent quantisation (the trellis instead of RDOQ + sign hiding): ra 17 frames -1.43% BD-rate for
    // +17% CPU, ai 4 frames -1.16% for +15% (BasketballPass); bus ra 17 frames -2.90% for +12%
    p.depQuant = true;
    // explicit MTS (all-intra): BQTerrace frame 0 -0.93% BD-rate for +15..18% CPU with the tenth session's modes; with
    // the chroma pre-selection as well, -0.72% for +6% against neither (QP 32, median of three)
    p.explicitMts = true;
    p.mtsModes = 1;
    p.mtsMaxRd = 1;
    p.mtsCostRatio = 1.0;
    return true;
  }
  if (name == "fast") {
    // ISP (fifteenth session), the best regular mode in both splits: BasketballPass 33 frames -1.04% BD-rate for +8.4%
    // CPU (17 frames -1.06% for +9.9%), BQTerrace 9 frames -1.31% for +15% (its I picture is a large share of 9
    // frames); one split -0.75% for +6.0%. (`faster` with both: BasketballPass 33 frames -0.52% for +7.7%: off there.)
    // `ra` only: `ai` BasketballPass 4 frames -2.35% for +37% CPU, too dear for the fast all-intra preset (`--isp on`)
    p.ispModes = 1;
    p.ispInAi = false;
    // SbTMVP (every candidate to full RD) since 2026-12-02, fourteenth session: BasketballPass 33 frames -1.01% BD-rate
    // for +3.3% CPU
    p.sbTmvp = true;
    p.maxMttDepth = 1;
    p.tryTt = false;
    p.modes = {2, 1, 2, 4};
    p.largeBlockRdReduce = 1;
    p.numChromaModes = 2;
    p.skipSplitsIfLeafZeroCbf = true;
    p.rdoqGuard = false;
    p.numMergeRd = 1;
    p.numAmvpRd = 1;
    p.numCiipRd = 0;
    p.smvd = false;
    p.meRangeMax = 48;
    p.interSkipStopsSplit = true;
    p.intraInInterMaxTid = 2;
    p.intraInInterSatdRatio = 1.2;  // as at medium: BasketballPass 33 frames +0.17% BD-rate (Y +0.02%) for -13% CPU
    return true;
  }
  if (name == "faster") {
    p.sbTmvp = true;  // as at fast: BasketballPass 33 frames -1.15% BD-rate for +4.6% CPU
    p.maxMttDepth = 1;
    p.tryTt = false;
    p.localDualTree = false;
    p.modes = {1, 1, 1, 4};
    p.numChromaModes = 1;
    p.skipSplitsIfLeafZeroCbf = true;
    p.minLeafLog2ForSplitSkip = 3;
    p.rdoqGuard = false;
    p.numMergeRd = 1;
    p.numAmvpRd = 1;
    p.numCiipRd = 0;
    p.smvd = false;
    p.meRangeMax = 32;
    p.meBi = false;
    p.interSkipStopsSplit = true;
    p.intraInInterMaxTid = 2;
    p.intraInInterSatdRatio = 1.2;  // as at medium: BasketballPass 33 frames +0.48% BD-rate (Y +0.47%) for -12% CPU
    return true;
  }
  return false;
}

}  // namespace search
}  // namespace nnvvc
