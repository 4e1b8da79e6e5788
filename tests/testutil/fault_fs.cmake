# strata_testutil_fs: FaultInjectionFileSystem (tests/testutil/fault_fs.h),
# a FileSystem that drops unsynced data, tears writes and fails syncs.
# Included by tests/tsdb/CMakeLists.txt.
if(NOT TARGET strata_testutil_fs)
  add_library(strata_testutil_fs STATIC ${CMAKE_SOURCE_DIR}/tests/testutil/fault_fs.cc)
  target_link_libraries(strata_testutil_fs PUBLIC strata_base)
endif()
