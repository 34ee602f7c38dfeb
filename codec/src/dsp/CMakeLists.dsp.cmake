# nnvvc dsp: per-file ISA flags for the x86 SIMD kernels.
# include()d from codec/CMakeLists.txt after the nnvvc library sources are globbed. The kernels
# are only called after a run-time CPU check (__builtin_cpu_supports), so the rest of the
# library stays baseline x86-64.
if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64|i[3-6]86")
  # (and the encoder search's own kernels, src/encoder/search/x86: the DQ trellis)
  file(GLOB NNVVC_DSP_AVX2_SRCS CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/x86/*_avx2.cpp
       ${CMAKE_CURRENT_LIST_DIR}/../encoder/search/x86/*_avx2.cpp)
  file(GLOB NNVVC_DSP_SSE41_SRCS CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/x86/*_sse41.cpp)
  set_source_files_properties(${NNVVC_DSP_AVX2_SRCS} PROPERTIES COMPILE_OPTIONS "-mavx2")
  set_source_files_properties(${NNVVC_DSP_SSE41_SRCS} PROPERTIES COMPILE_OPTIONS "-msse4.1")
endif()
