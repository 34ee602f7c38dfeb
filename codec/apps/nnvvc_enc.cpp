// nnvvc-enc: command-line encoder (VTM-like options).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "encoder/encoder.h"
#include "encoder/search/ctu_search.h"

using namespace nnvvc;

static void usage(std::FILE* f) {
  std::fprintf(f,
      "nnvvc-enc: H.266/VVC encoder (Main 10, 4:2:0; all-intra or random access)\n"
      "usage: nnvvc-enc -i in.yuv -s WxH -b out.266 [options]\n"
      "  -i, --input FILE          input raw YUV 4:2:0 (8-bit, or 10-bit as 16-bit little-endian)\n"
      "  -s, --size WxH            picture size (even width and height)\n"
      "  -b, --bitstream FILE      output Annex-B bitstream\n"
      "  -o, --recon FILE          reconstruction output, 10-bit little-endian YUV\n"
      "      --fps N               frame rate (default 30; used for the level)\n"
      "  -f, --frames N            number of frames to encode (default: all)\n"
      "      --first-frame N       first frame of the input to encode (default 0); POCs stay the input's\n"
      "                            frame numbers, so segments encoded apart can be joined (nnvvc-join);\n"
      "                            ra: a multiple of the intra period\n"
      "      --input-bitdepth 8|10 input sample bit depth (default 8)\n"
      "  -q, --qp Q                quantisation parameter 0..63 (default 32)\n"
      "      --config ai|ra        coding structure: ai = all-intra (every picture IDR); ra = random access\n"
      "                            (hierarchical B GOP, CRA every intra period)\n"
      "      --gop-size 16|32      ra: GOP size (default 32: 6 temporal layers, VTM-23.2's RA table; 16: 5\n"
      "                            layers, the earlier CTC table)\n"
      "      --intra-period N      ra: CRA period, a multiple of the GOP size (default: the multiple of the\n"
      "                            GOP size nearest to one second at --fps; GOP 32: 32 at 30 fps, 64 at 50\n"
      "                            and 60)\n"
      "      --deblock on|off      deblocking filter (default: on)\n"
      "      --chroma-qp-shift N   lower the chroma QP mapping (SPS table 17->17, 22->23, 34->35, 42->39) by N\n"
      "                            from QP 22 up, 0..3 (default: 2): chroma quality for\n"
      "                            luma bits, measured by the (6Y+U+V)/8 PSNR the challenge uses\n"
      "      --deblock-beta N      deblocking beta offset / 2, -12..12 (PPS; default -2 for ra as VTM's RA\n"
      "                            configuration, 0 for ai)\n"
      "      --deblock-tc N        deblocking tC offset / 2, -12..12 (PPS; default 0)\n"
      "      --sao on|off          sample adaptive offset (default: on)\n"
      "      --alf on|off          adaptive loop filter (default: on)\n"
      "      --alf-chroma on|off   ALF of the chroma planes too (default: on where --alf is on)\n"
      "      --alf-clip on|off     luma ALF filters with clipping (alf_luma_clip_flag) where it pays\n"
      "                            (default: on where --alf is on)\n"
      "      --ccalf on|off        cross-component ALF: a filter of the luma added to each chroma plane\n"
      "                            (default: on where --alf is on)\n"
      "      --dep-quant on|off    dependent quantisation (trellis quantiser; default on at medium and\n"
      "                            slower, off at fast/faster: RDOQ with sign data hiding there)\n"
      "      --sign-hiding on|off  sign data hiding: one sign per 4x4 coefficient group carried by the parity\n"
      "                            of its levels (default: on wherever dependent quantisation is off)\n"
      "      --tmvp on|off         ra: temporal motion vector prediction (default on; ai: never)\n"
      "      --amvr on|off         ra: adaptive MV resolution, motion vector differences at 1/2 (with the\n"
      "                            smoother half-sample luma filter), 1 or 4 samples where that codes\n"
      "                            cheaper (default on only at exhaustive)\n"
      "      --bdof on|off         ra: bi-directional optical flow (default on; ai: never)\n"
      "      --mmvd on|off         ra: merge with motion vector differences (a merge candidate moved by\n"
      "                            1/4..32 samples in one of 4 directions; default on)\n"
      "      --dmvr on|off         ra: decoder-side motion vector refinement of bi-predicted merge CUs\n"
      "                            (default on; ai: never)\n"
      "      --cclm on|off         cross-component (luma -> chroma) linear model intra prediction (default on)\n"
      "      --dual-tree on|off    separate luma and chroma coding trees in I slices (default: preset)\n"
      "      --jccr on|off         joint coding of the Cb and Cr residuals (default: preset)\n"
      "      --ciip on|off         combined inter/intra merge prediction in ra (default: preset)\n"
      "      --smvd on|off         symmetric motion vector differences in ra (default: preset)\n"
      "      --bcw on|off          bi-prediction with CU-level weights in ra (default: preset)\n"
      "      --lfnst on|off        low-frequency non-separable transform of intra blocks (default: preset)\n"
      "      --sbt on|off          ra: sub-block transform, the residual of an inter CU in one half or quarter\n"
      "                            of it (default: preset)\n"
      "      --mip on|off          matrix-based intra prediction: a matrix of the standard's weights applied to the\n"
      "                            averaged neighbours, upsampled to the block (default: preset)\n"
      "      --isp on|off          intra sub-partitions: a luma CU coded as 2 or 4 horizontal or vertical strips,\n"
      "                            each predicted from the one before it (default: preset)\n"
      "      --transform-skip on|off  transform skip: a block's residual coded without a transform (its own\n"
      "                            residual syntax), where that costs less; for text and graphics (default: preset)\n"
      "      --ts-residual-coding on|off  off: transform-skip blocks take the regular residual syntax instead\n"
      "                            (sh_ts_residual_coding_disabled_flag; needs --dep-quant off --sign-hiding off)\n"
      "      --mrl on|off          multiple reference lines: intra luma prediction from the second or third line of\n"
      "                            samples above / left of the block, for the most probable modes (default: preset)\n"
      "      --gpm on|off          geometric partitioning merge mode in ra (B slices; default: preset)\n"
      "      --affine on|off       affine motion compensation (subblock merge) in ra (default: preset)\n"
      "      --prof on|off         ra: prediction refinement with optical flow in affine CUs (default on wherever\n"
      "                            affine is)\n"
      "      --sbtmvp on|off       ra: subblock-based temporal MV prediction, a merge candidate with the collocated\n"
      "                            picture's motion per 8x8 subblock (needs --tmvp on; default: preset)\n"
      "      --mts on|off          implicit multiple transform selection: DST-VII for intra luma transform\n"
      "                            blocks with a side of 4..16 samples, no signalling (default on)\n"
      "      --mts-explicit on|off explicit MTS for intra CUs up to 32x32: mts_idx picks DST-VII / DCT-VIII\n"
      "                            per direction by RD, replacing implicit MTS (default: preset)\n"
      "      --mts-inter on|off    ra: explicit MTS for inter CUs up to 32x32 (not SBT): mts_idx by RD for the\n"
      "                            best inter candidate (default: preset)\n"
      "      --temporal-filter on|off  motion-compensated temporal pre-filter of the source pictures at POC\n"
      "                            multiples of 8 (encoder only; default: on for ra, off for ai)\n"
      "      --list-configs        print the supported --config values, one per line\n"
      "      --preset P            search preset (%s); medium when not given\n"
      "      --split-hints FILE    partition hints for the search\n"
      "      --split-threshold T[,E,M[,D[,F[,cT,cE,cM[,sT,sM]]]]]  per-node thresholds for version 2 (probability) split hints,\n"
      "                            T, E, M in (0, 1): a QT split is tried when its predicted probability reaches T,\n"
      "                            the QT's end when 1 - that reaches E, an MTT split when its probability reaches M;\n"
      "                            D (0..0.5, 0 = off; hints with direction digits): a vertical / horizontal MTT\n"
      "                            split at MTT depth 0-1 when the probability of that direction reaches D;\n"
      "                            F (bits, 0..1000, 0 = off): after a leaf CU, the removed splits across which its\n"
      "                            luma distortion differs by at least F x lambda are tried after all;\n"
      "                            cT, cE, cM in (0, 1): the chroma tree's T, E, M (hints with chroma digits)\n"
      "                            sT, sM in [0, 1): the luma tree's T and M at nodes whose longer side is at most\n"
      "                            16 (0: T / M; with them cT, cE, cM may be 0: the luma ones)\n"
      "                            (one value: the first three; default: the file's 'threshold' line, else 0.1);\n"
      "                            several sets separated by '|' apply per temporal layer: set k to the pictures\n"
      "                            of TemporalId k, the last one to the layers above as well\n"
      "      --stats FILE          write per-frame statistics (bits, PSNR, time, CU partition) as JSON\n"
      "      --stats-qt-nodes      ... with every luma quadtree node's RD costs (qt_nodes: the split predictor's\n"
      "                            training labels; large: over 1 MB per 1080p picture)\n"
      "  -h, --help                this help\n",
      ctuSearchPresetNames().c_str());
}

static bool parseInt(const char* s, int& v) {
  char* e = nullptr;
  const long x = std::strtol(s, &e, 10);
  if (!*s || *e || x < -1000000 || x > 1000000000) return false;
  v = int(x);
  return true;
}

// The on|off tool switches: the option field named by `arg`, or null.
static int* onOffField(EncoderOptions& o, const std::string& arg) {
  struct Switch { const char* name; int EncoderOptions::*field; };
  static const Switch kSwitches[] = {
      {"--deblock", &EncoderOptions::deblocking},
      {"--dep-quant", &EncoderOptions::depQuant},
      {"--sign-hiding", &EncoderOptions::signHiding},
      {"--cclm", &EncoderOptions::cclm},
      {"--dual-tree", &EncoderOptions::dualTree},
      {"--jccr", &EncoderOptions::jointCbCr},
      {"--ciip", &EncoderOptions::ciip},
      {"--smvd", &EncoderOptions::smvd},
      {"--bcw", &EncoderOptions::bcw},
      {"--lfnst", &EncoderOptions::lfnst},
      {"--sbt", &EncoderOptions::sbt},
      {"--isp", &EncoderOptions::isp},
      {"--transform-skip", &EncoderOptions::transformSkip},
      {"--ts-residual-coding", &EncoderOptions::tsResidualCoding},
      {"--mrl", &EncoderOptions::mrl},
      {"--mip", &EncoderOptions::mip},
      {"--sbtmvp", &EncoderOptions::sbTmvp},
      {"--prof", &EncoderOptions::prof},
      {"--gpm", &EncoderOptions::gpm},
      {"--affine", &EncoderOptions::affine},
      {"--mts", &EncoderOptions::mts},
      {"--mts-explicit", &EncoderOptions::mtsExplicit},
      {"--mts-inter", &EncoderOptions::mtsInter},
      {"--alf", &EncoderOptions::alf},
      {"--sao", &EncoderOptions::sao},
      {"--temporal-filter", &EncoderOptions::temporalFilter},
      {"--bdof", &EncoderOptions::bdof},
      {"--dmvr", &EncoderOptions::dmvr},
      {"--mmvd", &EncoderOptions::mmvd},
      {"--tmvp", &EncoderOptions::tmvp},
      {"--amvr", &EncoderOptions::amvr},
      {"--alf-chroma", &EncoderOptions::alfChroma},
      {"--ccalf", &EncoderOptions::ccalf},
      {"--alf-clip", &EncoderOptions::alfClip},
  };
  for (const Switch& s : kSwitches)
    if (arg == s.name) return &(o.*s.field);
  return nullptr;
}

int main(int argc, char** argv) {
  EncoderOptions o;
  bool haveIn = false, haveSize = false, haveOut = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto need = [&](const char* name) -> const char* {
      if (i + 1 >= argc) { std::fprintf(stderr, "nnvvc-enc: option %s needs a value\n", name); std::exit(2); }
      return argv[++i];
    };
    auto intOpt = [&](const char* name, int& v) {
      const char* s = need(name);
      if (!parseInt(s, v)) { std::fprintf(stderr, "nnvvc-enc: invalid value '%s' for %s\n", s, name); std::exit(2); }
    };
    if (a == "-h" || a == "--help") { usage(stdout); return 0; }
    else if (a == "--list-configs") {
      for (const char* const* c = supportedConfigs(); *c; ++c) std::printf("%s\n", *c);
      return 0;
    }
    else if (a == "--intra-period") {
      intOpt("--intra-period", o.intraPeriod);
      if (o.intraPeriod <= 0) {
        std::fprintf(stderr, "nnvvc-enc: --intra-period %d: must be a positive multiple of the GOP size\n", o.intraPeriod);
        return 2;
      }
    }
    else if (a == "--gop-size") {
      intOpt("--gop-size", o.gopSize);
      if (o.gopSize != 16 && o.gopSize != 32) {
        std::fprintf(stderr, "nnvvc-enc: --gop-size %d: expected 16 or 32\n", o.gopSize);
        return 2;
      }
    }
    else if (int* field = onOffField(o, a)) {
      const std::string v = need(a.c_str());
      if (v == "on" || v == "1") *field = 1;
      else if (v == "off" || v == "0") *field = 0;
      else { std::fprintf(stderr, "nnvvc-enc: invalid value '%s' for %s (expected on or off)\n", v.c_str(), a.c_str()); return 2; }
    }
    else if (a == "-i" || a == "--input") { o.inputPath = need("-i"); haveIn = true; }
    else if (a == "-b" || a == "--bitstream") { o.bitstreamPath = need("-b"); haveOut = true; }
    else if (a == "-o" || a == "--recon") o.reconPath = need("-o");
    else if (a == "-s" || a == "--size") {
      const char* s = need("-s");
      int w = 0, h = 0;
      char x = 0, extra = 0;
      if (std::sscanf(s, "%d%c%d%c", &w, &x, &h, &extra) != 3 || (x != 'x' && x != 'X') || w <= 0 || h <= 0) {
        std::fprintf(stderr, "nnvvc-enc: invalid size '%s' (expected WxH, e.g. 416x240)\n", s);
        return 2;
      }
      o.width = w; o.height = h; haveSize = true;
    }
    else if (a == "--fps") {
      const char* s = need("--fps");
      char* e = nullptr;
      o.fps = std::strtod(s, &e);
      if (!*s || *e || !(o.fps > 0)) { std::fprintf(stderr, "nnvvc-enc: invalid value '%s' for --fps\n", s); return 2; }
    }
    else if (a == "-f" || a == "--frames") intOpt("--frames", o.frames);
    else if (a == "--first-frame") intOpt("--first-frame", o.firstFrame);
    else if (a == "--deblock-beta") intOpt("--deblock-beta", o.deblockBeta);
    else if (a == "--chroma-qp-shift") {
      intOpt("--chroma-qp-shift", o.chromaQpShift);
      if (o.chromaQpShift < 0 || o.chromaQpShift > 3) {
        std::fprintf(stderr, "nnvvc-enc: --chroma-qp-shift %d: expected 0..3\n", o.chromaQpShift);
        return 2;
      }
    }
    else if (a == "--deblock-tc") intOpt("--deblock-tc", o.deblockTc);
    else if (a == "--input-bitdepth") intOpt("--input-bitdepth", o.inputBitDepth);
    else if (a == "-q" || a == "--qp") intOpt("--qp", o.qp);
    else if (a == "--config") o.config = need("--config");
    else if (a == "--preset") o.preset = need("--preset");
    else if (a == "--split-hints") o.splitHintsPath = need("--split-hints");
    else if (a == "--split-threshold") o.splitThreshold = need("--split-threshold");
    else if (a == "--stats") o.statsPath = need("--stats");
    else if (a == "--stats-qt-nodes") o.statsQtNodes = true;
    else { std::fprintf(stderr, "nnvvc-enc: unknown option '%s' (see --help)\n", a.c_str()); return 2; }
  }
  if (!haveIn || !haveSize || !haveOut) {
    std::fprintf(stderr, "nnvvc-enc: missing required option(s):%s%s%s (see --help)\n", haveIn ? "" : " -i",
                 haveSize ? "" : " -s", haveOut ? "" : " -b");
    return 2;
  }
  if (!o.splitThreshold.empty() && o.splitHintsPath.empty()) {
    std::fprintf(stderr, "nnvvc-enc: --split-threshold needs --split-hints FILE (version 2 hints)\n");
    return 2;
  }
  std::string err;
  const int rc = runEncoder(o, err);
  if (rc != 0) std::fprintf(stderr, "nnvvc-enc: error: %s\n", err.c_str());
  return rc;
}
