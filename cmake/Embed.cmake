# Embeds every file under knowledge/ into a generated C++ source as string literals, so the
# binary carries the knowledge version it was built with (no files needed at run time).
function(bp_embed_knowledge dir out)
  file(GLOB_RECURSE files CONFIGURE_DEPENDS ${dir}/*.json ${dir}/*.md)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DDIR=${dir} -DOUT=${out} -P ${CMAKE_SOURCE_DIR}/cmake/EmbedScript.cmake
    DEPENDS ${files} ${CMAKE_SOURCE_DIR}/cmake/EmbedScript.cmake
    COMMENT "Embedding knowledge base")
endfunction()
