// The SystemVerilog block RAM behind mem::Bram in ICSC's translation: the intrinsic's module name
// (compiled here as ICSC's translator compiles bram.h) names an adapter of msqx_bram_icsc.sv with
// the parameters and ports ICSC connects; Yosys 0.23 reads msqx_bram.sv as it is and maps it to
// block RAM; Verilator lints both files clean. (tests/sc/bram/bram_rtl_test simulates the RTL
// against the model.)
#define __SC_TOOL__  // this executable alone: bram.h as ICSC's translator sees it
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>

#include "dse/hls/check.h"
#include "dse/hls/embedded_files.h"
#include "models/mem/bram.h"

namespace {

namespace fs = std::filesystem;
using msqx::hls::HlsTemplate;
using msqx::mem::Bram;
using msqx::mem::BramConfig;

bool OnPath(const std::string& tool) {
  return std::system(("command -v " + tool + " >/dev/null 2>&1").c_str()) == 0;
}

std::string Slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path WorkDir() {
  const fs::path dir = fs::path(MSQX_BINARY_DIR) / "bram_sv_test" /
                       testing::UnitTest::GetInstance()->current_test_info()->name();
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

TEST(BramSv, IntrinsicNamesTheAdapterWithTheModelsParameters) {
  // The core's input buffer and partial-sum buffer shapes.
  EXPECT_EQ((Bram<BramConfig<std::uint8_t, 8, 1024, 1, false, 2>>::IntrinsicName()),
            "msqx_bram_icsc #(.BANKS(2), .LANES(8), .WIDTH(8), .DEPTH(1024), .LATENCY(1), .TDP(0), "
            ".STORED(8))");
  EXPECT_EQ((Bram<BramConfig<std::int32_t, 4, 512, 2, true, 1, 15>>::IntrinsicName()),
            "msqx_bram_icsc_signed #(.BANKS(1), .LANES(4), .WIDTH(32), .DEPTH(512), .LATENCY(2), "
            ".TDP(1), .STORED(15))");
  // Both adapters take those parameters and Bram's ports, as ICSC names a record port: <port>_v.
  const std::string sv = HlsTemplate("msqx_bram_icsc.sv");
  for (const char* module : {"msqx_bram_icsc", "msqx_bram_icsc_signed"}) {
    const std::size_t at = sv.find(std::string("module ") + module + " #(");
    ASSERT_NE(at, std::string::npos) << module;
    const std::string head = sv.substr(at, sv.find(");", sv.find(") (", at)) - at);
    for (const char* p : {"BANKS", "LANES", "WIDTH", "DEPTH", "LATENCY", "TDP", "STORED"}) {
      EXPECT_TRUE(std::regex_search(head, std::regex(std::string("parameter int ") + p + " =")))
          << module << " " << p;
    }
    for (const char* port : {"clk", "rst", "a_en_v", "a_we_v", "a_addr_v", "a_wdata_v", "a_rdata_v",
                             "b_en_v", "b_we_v", "b_addr_v", "b_wdata_v", "b_rdata_v"}) {
      EXPECT_TRUE(std::regex_search(head, std::regex(std::string("\\b") + port + "\\b")))
          << module << " " << port;
    }
  }
}

// What synth_xilinx makes of msqx_bram.sv (read as it is) for one shape: LUT, FF, DSP, BRAM18.
std::map<std::string, long long> Synthesize(const std::string& params) {
  const fs::path dir = WorkDir();
  std::ofstream(dir / "msqx_bram.sv") << HlsTemplate("msqx_bram.sv");
  const std::string script =
      "read_verilog -sv msqx_bram.sv; chparam " + params +
      " msqx_bram; synth_xilinx -family xc7 -top msqx_bram; tee -q -o stat.txt stat";
  const std::string command =
      "cd '" + dir.string() + "' && yosys -q -p '" + script + "' >yosys.log 2>&1";
  EXPECT_EQ(std::system(command.c_str()), 0) << Slurp(dir / "yosys.log");
  return msqx::hls::YosysCounts(Slurp(dir / "stat.txt"));
}

// 2 banks x 256 words x 64 bits: a bank per RAMB36E1 in SDP mode (72 bits wide), the read data
// straight from the BRAM's latch.
TEST(BramSv, YosysInfersBlockRamForTwoBanksOf256By64Bits) {
  if (!OnPath("yosys")) GTEST_SKIP() << "yosys is not on PATH";
  const auto sdp =
      Synthesize("-set BANKS 2 -set LANES 8 -set WIDTH 8 -set DEPTH 256 -set LATENCY 1 -set TDP 0");
  EXPECT_EQ(sdp.at("bram18"), 4);
  EXPECT_EQ(sdp.at("ff"), 0);
  EXPECT_LE(sdp.at("lut"), 8);
  // True dual port: 36 bits per port, so two RAMB36E1 per bank; latency 2's output register stays
  // in fabric flip-flops with Yosys 0.23 (Vivado packs it into DOA_REG/DOB_REG).
  const auto tdp =
      Synthesize("-set BANKS 2 -set LANES 8 -set WIDTH 8 -set DEPTH 256 -set LATENCY 2 -set TDP 1");
  EXPECT_EQ(tdp.at("bram18"), 8);
  EXPECT_EQ(tdp.at("ff"), 2 * 2 * 64);
}

TEST(BramSv, VerilatorLintsBothFilesClean) {
  if (!OnPath("verilator")) GTEST_SKIP() << "verilator is not on PATH";
  const fs::path dir = WorkDir();
  std::ofstream(dir / "msqx_bram.sv") << HlsTemplate("msqx_bram.sv");
  std::ofstream(dir / "msqx_bram_icsc.sv") << HlsTemplate("msqx_bram_icsc.sv");
  for (const std::string top : {"msqx_bram_icsc", "msqx_bram_icsc_signed"}) {
    for (const std::string params : {"", " -GBANKS=2 -GLANES=8 -GDEPTH=1000 -GLATENCY=2 -GTDP=1",
                                     " -GWIDTH=32 -GSTORED=15 -GLANES=4"}) {
      const std::string command = "cd '" + dir.string() +
                                  "' && verilator --lint-only -Wall --top-module " + top + params +
                                  " msqx_bram.sv msqx_bram_icsc.sv >lint.log 2>&1";
      EXPECT_EQ(std::system(command.c_str()), 0) << top << params << "\n"
                                                 << Slurp(dir / "lint.log");
    }
  }
}

}  // namespace
