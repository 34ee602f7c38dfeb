// High-level syntax: SPS, PPS, picture header (carried in the slice header), slice header and the
// decoded picture hash SEI — writer and parser pairs. Only the stage-1 tool set is supported:
// the parser rejects streams that enable anything else with a clear BitstreamError.
#pragma once
#include <cstdint>
#include <vector>

#include "bitstream/bitstream.h"
#include "partition/partition.h"

namespace nnvvc {

struct SpsInfo {
  int width = 0, height = 0;                 // coded luma size (multiple of 8)
  int confLeft = 0, confRight = 0, confTop = 0, confBottom = 0;  // cropping in luma samples
  int bitDepth = kBitDepth;
  int levelIdc = 0;                          // general_level_idc (16 * major + 3 * minor)
  int log2MaxPocLsb = 8;
  PartitionConfig part;                      // picWidth/picHeight filled in too
  // ChromaQpTable (7.4.3.4) for qPi in [-12, 63], index qPi + 12 (one table shared by Cb/Cr).
  int chromaQpTable[76] = {};
  // SPS chroma QP mapping parameters
  int qpTableStart = 17;                     // sps_qp_table_start_minus26 + 26
  std::vector<int> qpInDelta{5, 12, 8};      // delta_qp_in_val_minus1 + 1
  std::vector<int> qpOutDelta{6, 12, 4};     // resulting qpOutVal steps
};

struct PpsInfo {
  int initQp = 26;  // 26 + pps_init_qp_minus26
  int width = 0, height = 0;
};

struct SliceInfo {
  NalType nalType = kNalIdrNLp;
  int pocLsb = 0;
  int sliceQp = 32;
};

// Derives the chroma QP table from qpTableStart/qpInDelta/qpOutDelta (7.4.3.4).
void buildChromaQpTable(SpsInfo& sps);
// Level (A.4.1 limits) for a picture size and frame rate: general_level_idc value.
int levelForPicture(int width, int height, double fps);

std::vector<uint8_t> writeSps(const SpsInfo& sps);
SpsInfo parseSps(const std::vector<uint8_t>& rbsp);
std::vector<uint8_t> writePps(const PpsInfo& pps);
PpsInfo parsePps(const std::vector<uint8_t>& rbsp);
// Slice header with the picture header inside, followed by byte_alignment().
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
