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

# ONNX import (msqx import) from Debian's libonnx-dev and libprotobuf-dev. Optional: without them
# everything else builds and `msqx import` says which packages to install. Protobuf first: ONNX's
# exported targets link protobuf::libprotobuf, which FindProtobuf defines.
find_package(Protobuf QUIET)
if(Protobuf_FOUND)
  find_package(ONNX QUIET)
endif()
if(Protobuf_FOUND AND ONNX_FOUND AND TARGET onnx AND TARGET onnx_proto)
  set(MSQX_HAVE_ONNX ON)
else()
  set(MSQX_HAVE_ONNX OFF)
  message(STATUS "ONNX import disabled: install libonnx-dev and libprotobuf-dev to enable it")
endif()

# HGQ import (msqx import model.h5|model.keras): Debian's libhdf5-dev (HDF5's C API; HighFive is
# not packaged in bookworm) and libzip-dev (.keras archives are zips). Optional like ONNX: without
# them everything else builds and `msqx import` says which packages to install.
pkg_check_modules(HDF5 QUIET IMPORTED_TARGET GLOBAL hdf5)
pkg_check_modules(LIBZIP QUIET IMPORTED_TARGET GLOBAL libzip)
set(MSQX_HAVE_HDF5 ${HDF5_FOUND})
set(MSQX_HAVE_ZIP ${LIBZIP_FOUND})
if(NOT HDF5_FOUND OR NOT LIBZIP_FOUND)
  message(STATUS "HGQ import (.h5 / .keras) limited: install libhdf5-dev and libzip-dev")
endif()
