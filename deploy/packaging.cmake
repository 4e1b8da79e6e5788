# `make package`: a Debian package of Strata (CPack's DEB generator).
#
#   /usr/bin/strata, /usr/bin/stratatool
#   /lib/systemd/system/strata.service   deploy/systemd/strata.service, run from /usr/bin
#   /etc/strata/strata.yml, /etc/default/strata   conffiles (kept on upgrade)
#   /usr/share/doc/strata/README.md, strata.help.txt (`strata --help`)
#   /usr/share/man/man1/strata.1.gz, stratatool.1.gz (help2man)
#
# Dependencies come from dpkg-shlibdeps on the binaries. Included from the
# top-level CMakeLists.txt after the targets exist.
include(GNUInstallDirs)

install(TARGETS strata stratatool RUNTIME DESTINATION bin)

# The unit as shipped runs /usr/local/bin/strata (an install from source);
# the package's runs its own /usr/bin/strata.
file(READ ${CMAKE_SOURCE_DIR}/deploy/systemd/strata.service _strata_unit)
string(REPLACE "/usr/local/bin/strata" "/usr/bin/strata" _strata_unit "${_strata_unit}")
string(REGEX REPLACE "# Strata as a systemd service\\. Install \\(from a build\\):\n(#   [^\n]*\n)*" ""
       _strata_unit "${_strata_unit}")
file(WRITE ${CMAKE_BINARY_DIR}/package/strata.service "${_strata_unit}")
install(FILES ${CMAKE_BINARY_DIR}/package/strata.service DESTINATION /lib/systemd/system)
install(FILES ${CMAKE_SOURCE_DIR}/deploy/systemd/strata.yml DESTINATION /etc/strata)
install(FILES ${CMAKE_SOURCE_DIR}/deploy/systemd/strata.default DESTINATION /etc/default
        RENAME strata)

add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/package/strata.help.txt
  COMMAND $<TARGET_FILE:strata> --help > ${CMAKE_BINARY_DIR}/package/strata.help.txt
  DEPENDS strata VERBATIM)
add_custom_target(strata_help_text ALL DEPENDS ${CMAKE_BINARY_DIR}/package/strata.help.txt)
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_BINARY_DIR}/package/strata.help.txt
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

# Man pages made from --help by help2man (Debian's help2man), gzipped as
# Debian policy wants them; without help2man the package has none.
find_program(HELP2MAN help2man)
if(HELP2MAN)
  foreach(_prog strata stratatool)
    if(_prog STREQUAL "strata")
      set(_what "Prometheus-compatible metrics server")
    else()
      set(_what "check, test and lint tool of the Strata metrics server")
    endif()
    add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/package/${_prog}.1.gz
      COMMAND ${HELP2MAN} --no-info --name=${_what} --version-string=${PROJECT_VERSION}
              --output=${CMAKE_BINARY_DIR}/package/${_prog}.1 $<TARGET_FILE:${_prog}>
      COMMAND gzip -9nf ${CMAKE_BINARY_DIR}/package/${_prog}.1
      DEPENDS ${_prog} VERBATIM)
    list(APPEND _man_pages ${CMAKE_BINARY_DIR}/package/${_prog}.1.gz)
  endforeach()
  add_custom_target(strata_man_pages ALL DEPENDS ${_man_pages})
  install(FILES ${_man_pages} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME strata)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "Strata developers <strata@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Prometheus-compatible metrics server")
set(CPACK_PACKAGE_DESCRIPTION "Strata scrapes /metrics endpoints, accepts remote write, stores samples in \
its own time-series engine, evaluates PromQL, recording and alerting rules, and serves the Prometheus \
HTTP API.")
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${CMAKE_SOURCE_DIR}/deploy/debian/conffiles)
set(CPACK_OUTPUT_FILE_PREFIX ${CMAKE_BINARY_DIR}/package)
include(CPack)
