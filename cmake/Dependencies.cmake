# Every dependency comes from Debian's packages (scripts/setup installs them).
find_package(PkgConfig REQUIRED)
pkg_check_modules(SYSTEMC REQUIRED IMPORTED_TARGET GLOBAL systemc>=2.3.4)
pkg_check_modules(TLM REQUIRED IMPORTED_TARGET GLOBAL tlm)
add_library(msqx_systemc INTERFACE)
target_link_libraries(msqx_systemc INTERFACE PkgConfig::SYSTEMC PkgConfig::TLM)
# SystemC's headers are not -Wextra clean; treat them as system headers.
target_include_directories(msqx_systemc SYSTEM INTERFACE ${SYSTEMC_INCLUDE_DIRS})

find_package(Boost 1.74 REQUIRED COMPONENTS program_options)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(GTest REQUIRED)
