# Decoder fuzz targets included by codec/CMakeLists.txt. Off unless -DNNVVC_FUZZ=ON:
#   nnvvc_fuzz_decoder   libFuzzer target (clang only: -fsanitize=fuzzer,address,undefined)
#   nnvvc_mutate_driver  deterministic mutation driver, any compiler (-fsanitize=address,undefined)
# Build in its own tree, never codec/build (the library is compiled with sanitizers there):
#   cmake -S codec -B codec/fuzz/build/clang -DNNVVC_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++
#   cmake --build codec/fuzz/build/clang -j2 --target nnvvc_fuzz_decoder
#   (g++: same with -B codec/fuzz/build/gcc -DCMAKE_CXX_COMPILER=g++ --target nnvvc_mutate_driver)
option(NNVVC_FUZZ "Build the decoder fuzz targets; compiles the nnvvc library with sanitizers" OFF)
if(NNVVC_FUZZ)
  set(NNVVC_SANITIZE -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g)
  set(NNVVC_FUZZ_IS_CLANG OFF)
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    set(NNVVC_FUZZ_IS_CLANG ON)
  endif()
  # The library gets coverage instrumentation for libFuzzer under clang; everything linking it gets the runtimes.
  if(NNVVC_FUZZ_IS_CLANG)
    target_compile_options(nnvvc PRIVATE ${NNVVC_SANITIZE} -fsanitize=fuzzer-no-link)
  else()
    target_compile_options(nnvvc PRIVATE ${NNVVC_SANITIZE})
  endif()
  target_link_options(nnvvc INTERFACE -fsanitize=address,undefined)

  add_library(nnvvc_fuzz_entry STATIC ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/decode_entry.cpp)
  target_compile_options(nnvvc_fuzz_entry PRIVATE ${NNVVC_SANITIZE})
  target_include_directories(nnvvc_fuzz_entry PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/fuzz)
  target_link_libraries(nnvvc_fuzz_entry PUBLIC nnvvc)

  add_executable(nnvvc_mutate_driver ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/mutate_driver.cpp)
  target_compile_options(nnvvc_mutate_driver PRIVATE ${NNVVC_SANITIZE})
  target_link_libraries(nnvvc_mutate_driver PRIVATE nnvvc_fuzz_entry)

  if(NNVVC_FUZZ_IS_CLANG)
    add_executable(nnvvc_fuzz_decoder ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_decoder.cpp)
    target_compile_options(nnvvc_fuzz_decoder PRIVATE ${NNVVC_SANITIZE} -fsanitize=fuzzer)
    target_link_options(nnvvc_fuzz_decoder PRIVATE -fsanitize=fuzzer)
    target_link_libraries(nnvvc_fuzz_decoder PRIVATE nnvvc_fuzz_entry)
  else()
    message(STATUS "NNVVC_FUZZ: ${CMAKE_CXX_COMPILER_ID} has no libFuzzer; only nnvvc_mutate_driver is built")
  endif()
endif()
