#!/usr/bin/env bash
# DSP kernel benchmark: builds the codec (Release) and runs checkasm, which first verifies every
# SIMD kernel against its C twin (exit 1 on mismatch) and then prints ns/call for C vs SIMD and
# the speedup. Timings are thread CPU time (best of 5), so a busy shared machine inflates them
# less than wall time would.
# Usage: bench/codec-dsp.sh [--seed N]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${NNVVC_CODEC_BUILD:-$root/codec/build}"
cmake -S "$root/codec" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2 --target checkasm >/dev/null
exec "$build/checkasm" "$@"
