#include "encoder/encoder.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "bitstream/bitstream.h"
#include "cabac/cabac.h"
#include "common/md5.h"
#include "encoder/search/ctu_search.h"
#include "encoder/search/trivial_search.h"
#include "recon/recon.h"
#include "syntax/ctu_syntax.h"
#include "syntax/param_sets.h"

namespace nnvvc {

namespace {

struct FrameStats {
  uint64_t bits = 0;
  double psnr[3] = {0, 0, 0};
  double seconds = 0;
  std::vector<CodingUnit> cus;  // luma CUs (chroma-only CUs skipped)
};

double psnrOf(uint64_t sse, uint64_t n) {
  if (sse == 0) return 999.99;
  const double peak = 1020.0;  // (255 << 2): VTM's convention for 10-bit PSNR
  return 10.0 * std::log10(peak * peak * double(n) / double(sse));
}

bool readFrame(std::FILE* f, int w, int h, int bitDepth, Picture& pic, int codedW, int codedH) {
  const int bps = bitDepth > 8 ? 2 : 1;
  for (int c = 0; c < 3; ++c) {
    const int pw = c ? w / 2 : w, ph = c ? h / 2 : h;
    const int cw = c ? codedW / 2 : codedW, ch = c ? codedH / 2 : codedH;
    std::vector<uint8_t> row(size_t(pw) * size_t(bps));
    Plane& p = pic.planes[c];
    for (int y = 0; y < ph; ++y) {
      if (std::fread(row.data(), 1, row.size(), f) != row.size()) return false;
      Pel* d = p.row(y);
      for (int x = 0; x < pw; ++x) {
        int v = bps == 2 ? int(row[2 * x] | (row[2 * x + 1] << 8)) : int(row[x]);
        if (bitDepth == 8) v <<= 2;
        d[x] = Pel(clip3(0, 1023, v));
      }
      for (int x = pw; x < cw; ++x) d[x] = d[pw - 1];  // pad right by replication
    }
    for (int y = ph; y < ch; ++y)
      for (int x = 0; x < cw; ++x) p.at(x, y) = p.at(x, ph - 1);  // pad bottom
  }
  return true;
}

void writeRecon(std::FILE* f, const Picture& pic, int w, int h) {
  for (int c = 0; c < 3; ++c) {
    const int pw = c ? w / 2 : w, ph = c ? h / 2 : h;
    std::vector<uint8_t> row(size_t(pw) * 2);
    for (int y = 0; y < ph; ++y) {
      const Pel* s = pic.planes[c].row(y);
      for (int x = 0; x < pw; ++x) { row[2 * x] = uint8_t(s[x] & 0xff); row[2 * x + 1] = uint8_t(uint16_t(s[x]) >> 8); }
      std::fwrite(row.data(), 1, row.size(), f);
    }
  }
}

}  // namespace

int runEncoder(const EncoderOptions& opt, std::string& err) {
  if (opt.config != "ai") {
    err = "--config " + opt.config + " is not implemented yet (only 'ai', all-intra, is supported)";
    return 2;
  }
  if (opt.width <= 0 || opt.height <= 0) { err = "picture size must be given with -s WxH (positive)"; return 2; }
  if (opt.width % 2 || opt.height % 2) {
    err = "picture size " + std::to_string(opt.width) + "x" + std::to_string(opt.height) +
          " is odd: 4:2:0 needs even width and height";
    return 2;
  }
  if (opt.width > 8192 || opt.height > 4320) {
    err = "picture size " + std::to_string(opt.width) + "x" + std::to_string(opt.height) + " too large (max 8192x4320)";
    return 2;
  }
  if (opt.inputBitDepth != 8 && opt.inputBitDepth != 10) {
    err = "--input-bitdepth " + std::to_string(opt.inputBitDepth) + ": must be 8 or 10";
    return 2;
  }
  if (opt.qp < 0 || opt.qp > 63) { err = "--qp " + std::to_string(opt.qp) + ": out of range 0..63"; return 2; }
  if (!(opt.fps > 0 && opt.fps <= 300)) {
    char fps[64];
    std::snprintf(fps, sizeof fps, "%g", opt.fps);
    err = std::string("--fps ") + fps + ": must be in (0, 300]";
    return 2;
  }
  if (opt.frames < 0) {
    err = "--frames " + std::to_string(opt.frames) + ": must be >= 0 (0 = all frames)";
    return 2;
  }

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
  int numFrames = int(available);
  if (opt.frames > 0) {
    if (opt.frames > available) {
      err = "--frames " + std::to_string(opt.frames) + " requested but the input holds only " + std::to_string(available) + " frames";
      return 2;
    }
    numFrames = opt.frames;
  }

  SearchConfig scfg;
  scfg.preset = opt.preset; scfg.splitHintsPath = opt.splitHintsPath; scfg.qp = opt.qp;
  scfg.frameRate = int(std::lround(opt.fps));
  scfg.sourceWidth = opt.width; scfg.sourceHeight = opt.height; scfg.sourceFrames = numFrames;
  std::unique_ptr<CtuSearch> search;
  try {
    search = opt.preset == "syntax-stress" ? createStressSearch() : createCtuSearch(scfg);
  } catch (const std::exception& e) {
    err = e.what();
    return 2;
  }
  if (!search) { err = "unknown --preset '" + opt.preset + "' (known: " + ctuSearchPresetNames() + ")"; return 2; }

  // sequence parameters
  SpsInfo sps;
  const int codedW = (opt.width + 7) & ~7, codedH = (opt.height + 7) & ~7;
  sps.width = codedW; sps.height = codedH;
  sps.confRight = codedW - opt.width; sps.confBottom = codedH - opt.height;
  sps.levelIdc = levelForPicture(codedW, codedH, opt.fps);
  sps.part.picWidth = codedW; sps.part.picHeight = codedH;
  buildChromaQpTable(sps);
  PpsInfo pps;
  pps.width = codedW; pps.height = codedH; pps.initQp = opt.qp;

  SliceParams slice;
  slice.qp = opt.qp;
  slice.qpPrimeY = opt.qp + 12;
  {
    const int qpi = clip3(-12, 63, opt.qp);  // + pps/slice chroma offsets (0)
    slice.qpPrimeCb = slice.qpPrimeCr = sps.chromaQpTable[qpi + 12] + 12;
  }
  slice.lambda = 0.57 * std::pow(2.0, (opt.qp - 12) / 3.0) * 16.0;  // 10-bit SSE scale (x4^2)

  std::ofstream bsOut(opt.bitstreamPath, std::ios::binary);
  if (!bsOut) { err = "cannot create bitstream file '" + opt.bitstreamPath + "'"; return 2; }
  std::FILE* reconFile = nullptr;
  if (!opt.reconPath.empty()) {
    reconFile = std::fopen(opt.reconPath.c_str(), "wb");
    if (!reconFile) { err = "cannot create recon file '" + opt.reconPath + "'"; return 2; }
  }
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> reconGuard(reconFile, [](std::FILE* f) { return f ? std::fclose(f) : 0; });

  std::vector<FrameStats> stats;
  uint64_t totalBits = 0;
  Picture orig, rec;
  orig.alloc(codedW, codedH);
  rec.alloc(codedW, codedH);
  CuMap cuMap;
  const int ctu = 1 << sps.part.log2CtuSize;

  for (int fi = 0; fi < numFrames; ++fi) {
    const auto t0 = std::chrono::steady_clock::now();
    if (!readFrame(in, opt.width, opt.height, opt.inputBitDepth, orig, codedW, codedH)) {
      err = "truncated input at frame " + std::to_string(fi);
      return 2;
    }
    std::vector<uint8_t> stream;
    if (fi == 0) {
      appendAnnexB(stream, makeNalUnit(kNalSps, 0, writeSps(sps)));
      appendAnnexB(stream, makeNalUnit(kNalPps, 0, writePps(pps)));
    }
    for (int c = 0; c < 3; ++c) std::fill(rec.planes[c].data.begin(), rec.planes[c].data.end(), Pel(0));
    cuMap.init(codedW, codedH);
    ContextSet ctxs;
    ctxs.init(slice.qp, 0);
    ArithEncoder enc;
    enc.start();
    try {
      search->beginPicture(orig, slice, fi);
    } catch (const std::invalid_argument& e) {  // e.g. split hints that do not fit this picture
      err = std::string(e.what()) + " (frame " + std::to_string(fi) + ")";
      return 2;
    }
    SyntaxEnv env;
    env.part = &sps.part; env.ctx = &ctxs; env.cuMap = &cuMap; env.isIntraSlice = true;
    FrameStats fs;
    for (int cy = 0; cy < codedH; cy += ctu) {
      for (int cx = 0; cx < codedW; cx += ctu) {
        CtuCoding cc;
        cc.ctuX = cx; cc.ctuY = cy;
        CtuSearchContext sc;
        sc.orig = &orig; sc.recon = &rec; sc.cuMap = &cuMap; sc.ctx = &ctxs; sc.part = &sps.part;
        sc.slice = &slice; sc.ctuX = cx; sc.ctuY = cy; sc.frameIndex = fi;
        try {
          search->searchCtu(sc, cc);
        } catch (const std::invalid_argument& e) {
          err = std::string(e.what()) + " (CTU at (" + std::to_string(cx) + "," + std::to_string(cy) +
                ") of frame " + std::to_string(fi) + ")";
          return 2;
        }
        cc.ctuX = cx; cc.ctuY = cy;
        cuMap.clearReconstructed(cx, cy, ctu, ctu);
        if (!codeCtu(enc, env, cc)) {
          err = "internal error: the search produced an invalid coding tree for the CTU at (" +
                std::to_string(cx) + "," + std::to_string(cy) + ") of frame " + std::to_string(fi);
          return 3;
        }
        recon::reconstructCtu(rec, cuMap, cc, slice);
        if (!opt.statsPath.empty())
          for (const CodingUnit& cu : cc.cus)
            if (cu.treeType != TreeType::kDualChroma) fs.cus.push_back(cu);
      }
    }
    enc.terminate(1);  // end_of_slice_one_bit
    enc.finish();
    // slice NAL: slice header + slice data + rbsp_slice_trailing_bits
    BitWriter sw;
    SliceInfo sh;
    sh.nalType = kNalIdrNLp; sh.pocLsb = 0; sh.sliceQp = slice.qp;
    writeSliceHeader(sw, sps, pps, sh);
    sw.appendBytes(enc.bytes());
    sw.u(enc.pendingBits(), enc.pendingCount());
    sw.trailingBits();
    appendAnnexB(stream, makeNalUnit(kNalIdrNLp, 0, sw.bytes()));
    uint8_t md5[3][16];
    for (int c = 0; c < 3; ++c) planeMd5(rec.planes[c], rec.planes[c].width, rec.planes[c].height, md5[c]);
    appendAnnexB(stream, makeNalUnit(kNalSuffixSei, 0, writePictureHashSei(md5)));
    bsOut.write(reinterpret_cast<const char*>(stream.data()), std::streamsize(stream.size()));
    if (!bsOut) { err = "write error on '" + opt.bitstreamPath + "'"; return 2; }
    if (reconFile) writeRecon(reconFile, rec, opt.width, opt.height);

    fs.bits = uint64_t(stream.size()) * 8;
    totalBits += fs.bits;
    for (int c = 0; c < 3; ++c) {
      const int pw = c ? opt.width / 2 : opt.width, ph = c ? opt.height / 2 : opt.height;
      uint64_t sse = 0;
      for (int y = 0; y < ph; ++y) {
        const Pel* a = orig.planes[c].row(y);
        const Pel* b = rec.planes[c].row(y);
        for (int x = 0; x < pw; ++x) { const int64_t d = a[x] - b[x]; sse += uint64_t(d * d); }
      }
      fs.psnr[c] = psnrOf(sse, uint64_t(pw) * uint64_t(ph));
    }
    fs.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::fprintf(stderr, "frame %d: %llu bits  PSNR Y %.3f U %.3f V %.3f  %.3f s\n", fi,
                 (unsigned long long)fs.bits, fs.psnr[0], fs.psnr[1], fs.psnr[2], fs.seconds);
    stats.push_back(std::move(fs));
  }

  if (!opt.statsPath.empty()) {
    std::ofstream js(opt.statsPath);
    if (!js) { err = "cannot create stats file '" + opt.statsPath + "'"; return 2; }
    char buf[256];
    js << "{\n  \"width\": " << opt.width << ", \"height\": " << opt.height << ", \"fps\": " << opt.fps
       << ", \"qp\": " << opt.qp << ", \"preset\": \"" << opt.preset << "\", \"config\": \"ai\",\n";
    js << "  \"total_bits\": " << totalBits << ",\n  \"frames\": [\n";
    for (size_t i = 0; i < stats.size(); ++i) {
      const FrameStats& f = stats[i];
      std::snprintf(buf, sizeof(buf),
                    "    {\"frame\": %zu, \"bits\": %llu, \"psnr_y\": %.4f, \"psnr_u\": %.4f, \"psnr_v\": %.4f, \"time_s\": %.4f,\n     \"cus\": [",
                    i, (unsigned long long)f.bits, f.psnr[0], f.psnr[1], f.psnr[2], f.seconds);
      js << buf;
      for (size_t k = 0; k < f.cus.size(); ++k) {
        const CodingUnit& cu = f.cus[k];
        std::snprintf(buf, sizeof(buf), "%s[%d,%d,%d,%d,%d,%d,%d]", k ? "," : "", cu.x, cu.y, cu.w, cu.h,
                      cu.lumaMode, cu.qtDepth, cu.mttDepth);
        js << buf;
      }
      js << "]}" << (i + 1 < stats.size() ? "," : "") << "\n";
    }
    js << "  ],\n  \"cu_format\": [\"x\", \"y\", \"w\", \"h\", \"intra_mode\", \"qt_depth\", \"mtt_depth\"]\n}\n";
  }
  std::fprintf(stderr, "encoded %d frames, %llu bits\n", numFrames, (unsigned long long)totalBits);
  return 0;
}

}  // namespace nnvvc
