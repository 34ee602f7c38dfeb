// libFuzzer entry point for the nnvvc decoder: every input is treated as an Annex-B bitstream.
// Build: see codec/fuzz/CMakeLists.fuzz.cmake (clang, -DNNVVC_FUZZ=ON).
// Run:   codec/fuzz/build/clang/nnvvc_fuzz_decoder WORK_DIR codec/fuzz/corpus -max_total_time=60 -rss_limit_mb=1024 -timeout=5
#include "decode_entry.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nnvvc::fuzz::decodeBuffer(data, size);
  return 0;
}
