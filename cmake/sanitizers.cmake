# RT_SANITIZE / RT_FUZZ: compile and link flags for every target (docs/reliability.md).
if(RT_SANITIZE STREQUAL "address")
  # UBSan findings abort like ASan ones instead of printing and going on.
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
elseif(RT_SANITIZE STREQUAL "thread")
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
elseif(NOT RT_SANITIZE STREQUAL "")
  message(FATAL_ERROR "RT_SANITIZE must be address, thread or empty, not '${RT_SANITIZE}'")
endif()

if(RT_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "RT_FUZZ needs clang (libFuzzer): -DCMAKE_CXX_COMPILER=clang++-14")
  endif()
  # Coverage instrumentation for the libraries; the fuzz targets link libFuzzer's main.
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
