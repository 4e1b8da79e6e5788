# strata_sanitized_copy(<target> <copy> [REPLACE <lib> <lib_copy> ...])
#
# Compiles the sources of the static library <target> once more into <copy>,
# with AddressSanitizer and UBSan (-fno-sanitize-recover: any report aborts),
# assertions on and -O1, for binaries that must run sanitized inside an
# ordinary (Release, unsanitized) `make test`. The copy links what <target>
# links, with each <lib> replaced by its <lib_copy>, so a chain of copies
# (base <- tsdb <- promql) has no unsanitized Strata code in it. Only the
# fuzzers link copies; nothing else is built twice.
set(STRATA_SANITIZED_COPY_FLAGS
    -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
    -O1 -g1 -UNDEBUG)

function(strata_sanitized_copy target copy)
  cmake_parse_arguments(C "" "" "REPLACE" ${ARGN})
  get_target_property(srcs ${target} SOURCES)
  get_target_property(dir ${target} SOURCE_DIR)
  set(abs_srcs)
  foreach(s IN LISTS srcs)
    if(IS_ABSOLUTE "${s}")
      list(APPEND abs_srcs "${s}")
    else()
      list(APPEND abs_srcs "${dir}/${s}")
    endif()
  endforeach()
  add_library(${copy} STATIC ${abs_srcs})
  target_compile_options(${copy} PRIVATE ${STRATA_SANITIZED_COPY_FLAGS})
  target_link_options(${copy} INTERFACE -fsanitize=address,undefined)
  foreach(prop COMPILE_DEFINITIONS INCLUDE_DIRECTORIES COMPILE_OPTIONS)
    get_target_property(v ${target} ${prop})
    if(v)
      set_property(TARGET ${copy} APPEND PROPERTY ${prop} ${v})
    endif()
  endforeach()
  get_target_property(libs ${target} LINK_LIBRARIES)
  set(new_libs)
  foreach(l IN LISTS libs)
    list(FIND C_REPLACE "${l}" at)
    if(at GREATER_EQUAL 0)
      math(EXPR at "${at} + 1")
      list(GET C_REPLACE ${at} l)
    endif()
    list(APPEND new_libs "${l}")
  endforeach()
  if(new_libs)
    target_link_libraries(${copy} PUBLIC ${new_libs})
  endif()
endfunction()
