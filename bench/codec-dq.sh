#!/usr/bin/env bash
# Dependent-quantisation trellis benchmark: builds the codec (Release) and runs bench-dq-trellis, which
# quantises a fixed set of pseudo-random transformed residuals (luma and chroma, 4x4..64x64, QP 22..37) and
# prints thread-CPU ns per TB (best of N rounds) and a checksum of every level and cost: a speed change to
# the trellis that keeps its decisions keeps the checksum. NNVVC_DSP=c times the plain C++ inner loop instead of
# the AVX2 one (same checksum).
# Usage: bench/codec-dq.sh [--rounds N]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${NNVVC_CODEC_BUILD:-$root/codec/build}"
cmake -S "$root/codec" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2 --target bench-dq-trellis >/dev/null
exec "$build/bench-dq-trellis" "$@"
