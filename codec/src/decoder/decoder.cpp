#include "decoder/decoder.h"

#include <cstdio>
#include <cstring>
#include <memory>

#include "bitstream/bitstream.h"
#include "cabac/cabac.h"
#include "common/md5.h"
#include "common/slice_params.h"
#include "recon/recon.h"
#include "syntax/ctu_syntax.h"
#include "syntax/param_sets.h"

namespace nnvvc {

namespace {
void writePicture(std::FILE* f, const Picture& pic, const SpsInfo& sps) {
  const int w = sps.width - sps.confLeft - sps.confRight, h = sps.height - sps.confTop - sps.confBottom;
  for (int c = 0; c < 3; ++c) {
    const int s = c ? 1 : 0;
    const int pw = w >> s, ph = h >> s, x0 = sps.confLeft >> s, y0 = sps.confTop >> s;
    std::vector<uint8_t> row(size_t(pw) * 2);
    for (int y = 0; y < ph; ++y) {
      const Pel* r = pic.planes[c].row(y0 + y) + x0;
      for (int x = 0; x < pw; ++x) { row[2 * x] = uint8_t(r[x] & 0xff); row[2 * x + 1] = uint8_t(uint16_t(r[x]) >> 8); }
      std::fwrite(row.data(), 1, row.size(), f);
    }
  }
}
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
    bool haveSps = false, havePps = false;
    SpsInfo sps;
    PpsInfo pps;
    Picture pic;
    CuMap cuMap;
    bool pending = false;  // a decoded picture waiting for its hash SEI / output
    bool pendingHashSeen = false;
    uint8_t pendingMd5[3][16];
    auto flush = [&]() {
      if (!pending) return;
      if (!pendingHashSeen) ++res.md5Missing;
      if (out) writePicture(out, pic, sps);
      ++res.frames;
      pending = false;
    };
    for (const NalUnit& nu : nals) {
      if (nu.layerId != 0) continue;
      switch (int(nu.type)) {
        case kNalSps: sps = parseSps(nu.rbsp); haveSps = true; break;
        case kNalPps: pps = parsePps(nu.rbsp); havePps = true; break;
        case kNalIdrNLp:
        case kNalIdrWRadl: {
          if (!haveSps || !havePps) throw BitstreamError("slice before SPS/PPS");
          if (pps.width != sps.width || pps.height != sps.height) throw BitstreamError("PPS picture size differs from SPS");
          flush();
          BitReader br(nu.rbsp.data(), nu.rbsp.size());
          const SliceInfo sh = parseSliceHeader(br, nu.type, sps, pps);
          const size_t off = br.bytePos();
          SliceParams slice;
          slice.qp = sh.sliceQp;
          slice.qpPrimeY = sh.sliceQp + 12;
          slice.qpPrimeCb = slice.qpPrimeCr = sps.chromaQpTable[clip3(-12, 63, sh.sliceQp) + 12] + 12;
          pic.alloc(sps.width, sps.height);
          cuMap.init(sps.width, sps.height);
          ContextSet ctxs;
          ctxs.init(sh.sliceQp, 0);
          ArithDecoder dec;
          dec.start(nu.rbsp.data() + off, nu.rbsp.size() - off);
          SyntaxEnv env;
          env.part = &sps.part; env.ctx = &ctxs; env.cuMap = &cuMap; env.isIntraSlice = true;
          const int ctu = 1 << sps.part.log2CtuSize;
          CtuCoding cc;
          for (int cy = 0; cy < sps.height; cy += ctu)
            for (int cx = 0; cx < sps.width; cx += ctu) {
              cc.ctuX = cx; cc.ctuY = cy;
              if (!codeCtu(dec, env, cc) || dec.overrun())
                throw BitstreamError("corrupt slice data in CTU at (" + std::to_string(cx) + "," + std::to_string(cy) + ")");
              recon::reconstructCtu(pic, cuMap, cc, slice);
            }
          if (!dec.terminate()) throw BitstreamError("end_of_slice_one_bit missing");
          pending = true;
          pendingHashSeen = false;
          break;
        }
        case kNalSuffixSei: {
          if (!pending) break;
          const SeiHashParse sei = parsePictureHashSeiChecked(nu.rbsp, pendingMd5);
          if (sei == SeiHashParse::kMalformed)
            throw BitstreamError("truncated or malformed suffix SEI after picture " + std::to_string(res.frames));
          if (sei == SeiHashParse::kMd5) {
            pendingHashSeen = true;
            ++res.md5Checked;
            for (int c = 0; c < 3; ++c) {
              uint8_t m[16];
              planeMd5(pic.planes[c], pic.planes[c].width, pic.planes[c].height, m);
              if (std::memcmp(m, pendingMd5[c], 16) != 0) {
                ++res.md5Mismatches;
                std::fprintf(stderr, "MD5 mismatch in picture %d, component %d\n", res.frames, c);
                break;
              }
            }
          }
          break;
        }
        case kNalTrail: case kNalCra: case 1: case 2: case 3: case 4: case 5: case 6: case kNalPh:
          throw BitstreamError("unsupported picture type (NAL unit type " + std::to_string(int(nu.type)) + ")");
        default: break;  // VPS, AUD, prefix SEI, EOS, reserved: ignored
      }
    }
    flush();
  } catch (const BitstreamError& e) {
    error = e.what();
    return 1;
  } catch (const std::bad_alloc&) {
    error = "out of memory while decoding";
    return 1;
  }
  if (res.md5Mismatches) { error = std::to_string(res.md5Mismatches) + " picture(s) failed the MD5 check"; return 1; }
  return 0;
}

}  // namespace nnvvc
