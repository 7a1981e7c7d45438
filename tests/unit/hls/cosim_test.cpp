// The RTL co-simulation's parts (dse/hls/cosim.h) on a module written in ICSC's port style: the
// port list is read as ICSC declares it, the harness replays a trace and passes when the RTL
// answers as traced, and fails naming the cycle and the port when one output differs. Verilator
// (a Debian package) builds the harness; the test is skipped without it. No ICSC needed.
#include "dse/hls/cosim.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "models/pe/port_trace.h"

namespace msqx::hls {
namespace {

namespace fs = std::filesystem;

// A registered accumulator with a handshake, as ICSC writes a module: one port per line, a
// record's fields joined with '_', an array port unpacked.
constexpr const char* kModule = R"sv(
module Acc // "tb.top"
(
    input logic clk,
    input logic rst,
    input logic in_valid,
    output logic in_ready,
    input logic signed [7:0] in_data_v[2],
    output logic out_valid,
    output logic signed [15:0] out_data_sum
);
  always_ff @(posedge clk) begin
    if (rst) begin
      in_ready <= 0;
      out_valid <= 0;
      out_data_sum <= 0;
    end else begin
      in_ready <= 1;
      out_valid <= in_valid;
      if (in_valid) out_data_sum <= out_data_sum + 16'(in_data_v[0]) + 16'(in_data_v[1]);
    end
  end
endmodule
)sv";

TEST(Cosim, ReadsIcscPortDeclarations) {
  const std::vector<SvPort> ports = SvPorts(kModule, "Acc");
  ASSERT_EQ(ports.size(), 7u);
  EXPECT_EQ(ports[0].name, "clk");
  EXPECT_TRUE(ports[0].input);
  EXPECT_EQ(ports[4].name, "in_data_v");
  EXPECT_EQ(ports[4].bits, 8);
  EXPECT_EQ(ports[4].elements, 2);
  EXPECT_TRUE(ports[4].is_signed);
  EXPECT_FALSE(ports[6].input);
  EXPECT_EQ(ports[6].bits, 16);
  EXPECT_THROW(SvPorts(kModule, "Other"), std::runtime_error);
}

// The trace the SystemC side would write for `cycles` cycles of random inputs, with the outputs
// the module computes (and, when `corrupt_cycle` >= 0, one output wrong in that cycle).
std::string Trace(const fs::path& path, int cycles, int corrupt_cycle) {
  pe::PortTrace t;
  EXPECT_TRUE(t.Open(path.string()));
  int sum = 0, seed = 7;
  std::uint32_t lcg = 7;  // the generator wraps in unsigned arithmetic (signed overflow is UB)
  bool ready = false, out_valid = false, rst = true;
  int out_sum = 0;
  for (int c = 0; c < cycles; ++c) {
    rst = c < 2;
    lcg = lcg * 1103515245u + 12345u;
    seed = static_cast<int>(lcg);
    const bool valid = !rst && (seed >> 16) % 3 != 0;
    const int a = static_cast<std::int8_t>(seed >> 8), b = static_cast<std::int8_t>(seed >> 20);
    t.Field("rst", "", -1, true, rst);
    t.Field("in", "valid", -1, true, valid);
    t.Field("in", "ready", -1, false, ready);
    t.Field("in_data", "v", 0, true, static_cast<std::int8_t>(a));
    t.Field("in_data", "v", 1, true, static_cast<std::int8_t>(b));
    t.Field("out", "valid", -1, false, out_valid);
    t.Field("out_data", "sum", -1, false,
            static_cast<std::int16_t>(c == corrupt_cycle ? out_sum + 1 : out_sum));
    t.EndCycle();
    // The edge after cycle c: what the module registers from this cycle's inputs.
    ready = !rst;
    out_valid = !rst && valid;
    if (rst) {
      sum = 0;
    } else if (valid) {
      sum = static_cast<std::int16_t>(sum + a + b);
    }
    out_sum = sum;
  }
  return path.string();
}

struct CosimRun {
  int status;
  nlohmann::json result;
};

// Builds the harness for the trace's ports (the same for every trace of this module).
void Build(const fs::path& dir, const std::string& trace) {
  std::ifstream in(trace);
  const std::vector<TracePort> traced = ReadTraceHeader(in);
  std::ofstream(dir / "acc.sv") << kModule;
  std::ofstream(dir / "main.cpp") << CosimHarness("Acc", SvPorts(kModule, "Acc"), traced);
  const std::string build = "cd " + dir.string() +
                            " && verilator --cc --exe --build -j 2 -Wno-fatal -Wno-lint "
                            "-Wno-style --top-module Acc -Mdir obj -o cosim main.cpp acc.sv "
                            ">build.log 2>&1";
  ASSERT_EQ(std::system(build.c_str()), 0) << "see " << (dir / "build.log");
}

CosimRun Cosimulate(const fs::path& dir, const std::string& trace) {
  const std::string run =
      (dir / "obj" / "cosim").string() + " " + trace + " >" + (dir / "out.txt").string() + " 2>&1";
  const int status = std::system(run.c_str());
  std::ifstream out(dir / "out.txt");
  std::string line, last;
  while (std::getline(out, line)) {
    if (!line.empty() && line[0] == '{') last = line;
  }
  return {status, last.empty() ? nlohmann::json() : nlohmann::json::parse(last)};
}

TEST(Cosim, PassesWhenTheRtlAnswersAsTracedAndNamesTheFirstMismatch) {
  if (std::system("command -v verilator >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "verilator is not installed (Debian package verilator)";
  const fs::path dir = fs::path(MSQX_BINARY_DIR) / "cosim_test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string good_trace = Trace(dir / "good.txt", 200, -1);
  Build(dir, good_trace);
  const CosimRun good = Cosimulate(dir, good_trace);
  EXPECT_EQ(good.status, 0);
  EXPECT_TRUE(good.result.value("pass", false)) << good.result.dump();
  EXPECT_EQ(good.result.value("cycles", 0), 200);
  EXPECT_EQ(good.result.value("mismatches", -1), 0);
  EXPECT_EQ(good.result.value("compared", 0), 200 * 3);  // three outputs a cycle

  const CosimRun bad = Cosimulate(dir, Trace(dir / "bad.txt", 200, 57));
  EXPECT_NE(bad.status, 0);
  EXPECT_FALSE(bad.result.value("pass", true));
  EXPECT_EQ(bad.result.value("mismatches", 0), 1);
  EXPECT_EQ(bad.result["first_mismatch"]["cycle"], 57);
  EXPECT_EQ(bad.result["first_mismatch"]["port"], "out_data_sum");
}

TEST(Cosim, PortsMissingFromEitherSideAreNamed) {
  std::istringstream header("msqx.port_trace 1\nport 0 rst in 1\nport 1 in_valid in 1\ncycles\n");
  const std::vector<TracePort> traced = ReadTraceHeader(header);
  try {
    CosimHarness("Acc", SvPorts(kModule, "Acc"), traced);
    FAIL() << "a harness without in_ready in the trace";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("in_ready"), std::string::npos) << e.what();
  }
  std::istringstream wrong_width("msqx.port_trace 1\nport 0 in_data_v[0] in 16\ncycles\n");
  std::vector<SvPort> one = {{"in_data_v", true, true, 8, 1}};
  try {
    CosimHarness("Acc", one, ReadTraceHeader(wrong_width));
    FAIL() << "an 8-bit port traced as 16 bits";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("8 bits"), std::string::npos) << e.what();
  }
  std::istringstream bad("port 0 rst in 1\n");
  EXPECT_THROW(ReadTraceHeader(bad), std::runtime_error);
}

}  // namespace
}  // namespace msqx::hls
