#include "encoder/stats_writer.h"

#include <cstdio>
#include <fstream>

namespace nnvvc {

namespace {
// CU prediction kind for the stats: intra, skip, merge, amvp-uni, amvp-bi (bi with BCW weights: "-bcw" appended,
// in merge CUs when the candidate brought them)
const char* predKind(const CodingUnit& cu) {
  if (!cu.isInter()) return "intra";
  const bool bcw = cu.motion.interDir == 3 && cu.motion.bcwIdx != 0;
  if (cu.affine && cu.sbTmvp()) return cu.skip ? "sbtmvp-skip" : "sbtmvp-merge";
  if (cu.affine) return cu.skip ? "affine-skip" : cu.merge ? "affine-merge" : "affine-amvp";
  if (cu.skip) return bcw ? "skip-bcw" : "skip";
  if (cu.merge && cu.gpm) return "gpm";
  if (cu.merge && cu.mmvd) return cu.motion.interDir == 3 ? (bcw ? "mmvd-bi-bcw" : "mmvd-bi") : "mmvd-uni";
  if (cu.merge) return cu.motion.interDir == 3 ? (bcw ? "merge-bi-bcw" : "merge-bi") : "merge-uni";
  return cu.motion.interDir == 3 ? (bcw ? "amvp-bi-bcw" : "amvp-bi") : "amvp-uni";
}
}  // namespace

bool writeStatsJson(const std::string& path, const StreamStats& s) {
  std::ofstream js(path);
  if (!js) return false;
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "{\n  \"width\": %d, \"height\": %d, \"fps\": %g, \"qp\": %d, \"preset\": \"%s\", \"config\": \"%s\",\n"
                "  \"intra_period\": %d, \"gop_size\": %d,\n  \"total_bits\": %llu,\n",
                s.width, s.height, s.fps, s.qp, s.preset.c_str(), s.config.c_str(), s.intraPeriod, s.gopSize,
                (unsigned long long)s.totalBits);
  js << buf;
  if (s.search) {
    std::snprintf(buf, sizeof buf, "  \"search\": {\"nodes\": %llu, \"leaves\": %llu, \"leaf_samples\": %llu},\n",
                  (unsigned long long)s.search->nodesVisited, (unsigned long long)s.search->leavesEvaluated,
                  (unsigned long long)s.search->leafSamples);
    js << buf;
  }
  js << "  \"frames\": [\n";
  for (size_t i = 0; i < s.frames.size(); ++i) {
    const FrameStats& f = s.frames[i];
    std::snprintf(buf, sizeof buf,
                  "    {\"frame\": %d, \"poc\": %d, \"coding_index\": %d, \"slice_type\": \"%s\", \"temporal_id\": %d, "
                  "\"qp\": %d, \"bits\": %llu, \"psnr_y\": %.4f, \"psnr_u\": %.4f, \"psnr_v\": %.4f, \"time_s\": %.4f,\n     \"cus\": [",
                  f.poc, f.poc, f.codingIndex, f.sliceType, f.temporalId, f.qp, (unsigned long long)f.bits, f.psnr[0],
                  f.psnr[1], f.psnr[2], f.seconds);
    js << buf;
    for (size_t k = 0; k < f.cus.size(); ++k) {
      const CodingUnit& cu = f.cus[k];
      // sbt: 0, or 1 + cu_sbt_pos_flag + 2 cu_sbt_quad_flag + 4 cu_sbt_horizontal_flag
      const int sbt = cu.sbt ? 1 + int(cu.sbtPos) + 2 * int(cu.sbtQuad) + 4 * int(cu.sbtHor) : 0;
      // ts: bit c set where a TU codes component c in transform skip
      int ts = 0;
      for (int t = 0; t < cu.numTus; ++t)
        for (int c = 0; c < 3; ++c)
          if (cu.tus[t].cbf[c] && cu.tus[t].tsFlag[c]) ts |= 1 << c;
      // amvr: AmvrShift of a translational AMVP CU (2 quarter, 3 half, 4 one, 6 four samples), 0 elsewhere
      const int amvr = cu.isInter() && !cu.merge && !cu.affine ? amvrShiftOf(cu.amvr) : 0;
      std::snprintf(buf, sizeof buf, "%s[%d,%d,%d,%d,%d,%d,%d,\"%s\",%d,%d,%d,%d,%d,%d,%d,%d,%d]", k ? "," : "", cu.x, cu.y, cu.w, cu.h,
                    cu.isInter() ? -1 : int(cu.lumaMode), cu.qtDepth, cu.mttDepth, predKind(cu), int(cu.mtsIdx),
                    int(cu.lfnstIdx), sbt, cu.isInter() ? 0 : int(cu.mrlIdx),
                    !cu.isInter() && cu.mip ? 1 + int(cu.mipMode) + (cu.mipTransposed ? 16 : 0) : 0,
                    cu.isInter() ? 0 : int(cu.isp), ts, amvr, cu.isInter() ? int(cu.motion.hpelIfIdx) : 0);
      js << buf;
    }
    js << "]";
    if (!f.chromaCus.empty()) {  // the chroma coding tree's partition (labels for a chroma split predictor)
      js << ",\n     \"chroma_cus\": [";
      for (size_t k = 0; k < f.chromaCus.size(); ++k) {
        const CodingUnit& cu = f.chromaCus[k];
        std::snprintf(buf, sizeof buf, "%s[%d,%d,%d,%d,%d,%d]", k ? "," : "", cu.x, cu.y, cu.w, cu.h, cu.qtDepth,
                      cu.mttDepth);
        js << buf;
      }
      js << "]";
    }
    if (s.qtNodes) {
      // the nodes of one MTT depth, each as `print` writes it into buf
      const auto nodeList = [&](const char* name, int mttDepth, auto&& print) {
        js << ",\n     \"" << name << "\": [";
        bool first = true;
        for (const QtNodeCost& n : f.qtNodes) {
          if (n.mttDepth != mttDepth) continue;
          print(n);
          js << (first ? "" : ",") << buf;
          first = false;
        }
        js << "]";
      };
      nodeList("qt_nodes", 0, [&](const QtNodeCost& n) {
        std::snprintf(buf, sizeof buf, "[%d,%d,%d,%d,%.2f,%.2f,%.2f,%d,%.2f,%.2f]", n.x, n.y, n.w, n.qtDepth,
                      double(n.leaf), double(n.qt), double(n.mtt),
                      int(n.qtLower) + 2 * int(n.mttLower) + 4 * int(n.mttHorLower) + 8 * int(n.mttVerLower),
                      double(n.mttHor), double(n.mttVer));
      });
      nodeList("mtt_nodes", 1, [&](const QtNodeCost& n) {
        std::snprintf(buf, sizeof buf, "[%d,%d,%d,%d,%.2f,%.2f,%.2f,%d]", n.x, n.y, n.w, n.h, double(n.leaf),
                      double(n.mttHor), double(n.mttVer), int(n.mttHorLower) + 2 * int(n.mttVerLower));
      });
    }
    js << "}" << (i + 1 < s.frames.size() ? "," : "") << "\n";
  }
  js << "  ],\n  \"cu_format\": [\"x\", \"y\", \"w\", \"h\", \"intra_mode\", \"qt_depth\", \"mtt_depth\", \"pred\", \"mts_idx\", \"lfnst_idx\", \"sbt\", \"mrl\", \"mip\", \"isp\", \"ts\", \"amvr\", \"hpel_if\"]";
  js << ",\n  \"chroma_cu_format\": [\"x\", \"y\", \"w\", \"h\", \"qt_depth\", \"mtt_depth\"]";
  if (s.qtNodes)
    js << ",\n  \"qt_node_format\": [\"x\", \"y\", \"size\", \"qt_depth\", \"leaf\", \"qt\", \"mtt\", \"lower\", \"mtt_hor\", \"mtt_ver\"]"
       << ",\n  \"mtt_node_format\": [\"x\", \"y\", \"w\", \"h\", \"leaf\", \"mtt_hor\", \"mtt_ver\", \"lower\"]";
  js << "\n}\n";
  return bool(js);
}

}  // namespace nnvvc
