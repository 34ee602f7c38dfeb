// Raw YUV 4:2:0 file I/O shared by the encoder (source frames, --recon) and the decoder (output).
#pragma once
#include <cstdio>

#include "common/types.h"

namespace nnvvc {

// Reads one 4:2:0 frame of width x height luma samples (8-bit: one byte per sample, scaled to 10
// bits by << 2; otherwise 10-bit: two bytes little-endian, clipped to 0..1023) into `pic`, which
// must already be allocated at the coded size (>= width x height); the area beyond the source is
// filled by replicating the last column / row. Returns false on a short read (end of file).
bool readYuvFrame(std::FILE* f, int width, int height, int bitDepth, Picture& pic);

// Reads the luma plane of the frame at the file position (the chroma is not read) into `dst`, width x height 10-bit
// samples without stride, converted as readYuvFrame does. Returns false on a short read.
bool readYuvLuma(std::FILE* f, int width, int height, int bitDepth, Pel* dst);

// Writes the luma window (x0, y0, width, height) of `pic` (chroma: the co-sited half-size window;
// x0/y0/width/height even) as 10-bit little-endian 4:2:0. Returns false on a write error.
bool writeYuvFrame(std::FILE* f, const Picture& pic, int x0, int y0, int width, int height);

}  // namespace nnvvc
