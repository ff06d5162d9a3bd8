# rt_embed_assets(<target> <dir> <header>): every file of <dir> becomes a byte array in the
# generated <header> (under the build's generated/ include folder), regenerated when a file
# changes, so the binary serves them without any file next to it and without a build step
# for users. The header defines kEmbeddedAssets: {name, data, size} per file.
function(rt_embed_assets target dir header)
  file(GLOB assets CONFIGURE_DEPENDS ${dir}/*)
  list(SORT assets)
  set(out ${CMAKE_BINARY_DIR}/generated/${header})
  string(REPLACE ";" "|" asset_list "${assets}")
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DASSETS=${asset_list} -P ${CMAKE_SOURCE_DIR}/cmake/embed_assets_script.cmake
    DEPENDS ${assets} ${CMAKE_SOURCE_DIR}/cmake/embed_assets_script.cmake
    COMMENT "Embedding ${dir} into ${header}" VERBATIM)
  target_sources(${target} PRIVATE ${out})
  target_include_directories(${target} PRIVATE ${CMAKE_BINARY_DIR}/generated)
endfunction()
