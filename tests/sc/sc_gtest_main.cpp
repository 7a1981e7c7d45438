// sc_main of every SystemC testbench: GoogleTest runs inside SystemC's main. CTest starts one
// process per test (gtest_discover_tests), because SystemC elaborates only once per process.
#include <gtest/gtest.h>

#include <systemc>

int sc_main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
