# msqx_area_library(NAME [DEPS ...]): the library of one folder, built from every .cpp in it
# (header-only while it has none). Globbing keeps areas from editing one another's lists.
function(msqx_area_library name)
  file(GLOB sources CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/*.cpp")
  if(sources)
    add_library(${name} STATIC ${sources})
    target_include_directories(${name} PUBLIC ${CMAKE_SOURCE_DIR})
    target_link_libraries(${name} PUBLIC ${ARGN})
  else()
    add_library(${name} INTERFACE)
    target_include_directories(${name} INTERFACE ${CMAKE_SOURCE_DIR})
    target_link_libraries(${name} INTERFACE ${ARGN})
  endif()
endfunction()

# msqx_unit_test(NAME SOURCES ... LIBS ...): plain C++ GoogleTest, one process per test.
function(msqx_unit_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES} ${CMAKE_SOURCE_DIR}/tests/unit/sc_main_stub.cpp)
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR})  # tests/common/
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE MSQX_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
                                             MSQX_BINARY_DIR="${CMAKE_BINARY_DIR}")
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60
                       PROPERTIES ENVIRONMENT "MSQX_CONFIG_DIR=${CMAKE_SOURCE_DIR}/configs")
endfunction()

# msqx_sc_test(NAME SOURCES ... LIBS ...): a SystemC testbench under GoogleTest. SystemC owns
# main and elaborates once per process, so sc_main runs the tests and CTest starts one process
# per test. PREFIX names the tests of a second build of the same sources.
function(msqx_sc_test name)
  cmake_parse_arguments(T "" "PREFIX" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES} ${CMAKE_SOURCE_DIR}/tests/sc/sc_gtest_main.cpp)
  target_link_libraries(${name} PRIVATE ${T_LIBS} msqx_systemc GTest::gtest)
  target_compile_definitions(${name} PRIVATE MSQX_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
                                             MSQX_BINARY_DIR="${CMAKE_BINARY_DIR}")
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 TEST_PREFIX "${T_PREFIX}"
                       PROPERTIES ENVIRONMENT "MSQX_CONFIG_DIR=${CMAKE_SOURCE_DIR}/configs;SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1")
endfunction()
