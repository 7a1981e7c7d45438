// dse/sv_for_yosys: ICSC's SystemVerilog rewritten for Yosys 0.23. The inputs are cut from what
// ICSC 1.7.6 wrote for its counter example and for msqx's exported core (the controller, a PE
// array, a BRAM instance); each test asserts the converted text and, when yosys is on PATH, that
// Yosys reads it (the last one also that the buffer becomes block RAM through the conversion).
#include "dse/sv_for_yosys.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "dse/embedded_files.h"
#include "dse/hls_check.h"

namespace {

namespace fs = std::filesystem;
using msqx::dse::SvForYosys;

bool HaveYosys() { return std::system("command -v yosys >/dev/null 2>&1") == 0; }

fs::path WorkDir() {
  const fs::path dir = fs::path(MSQX_BINARY_DIR) / "sv_for_yosys_test" /
                       testing::UnitTest::GetInstance()->current_test_info()->name();
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string Slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs a Yosys script on the files (text by file name); its log when it fails, "" when it passes.
std::string YosysFails(const std::vector<std::pair<std::string, std::string>>& files,
                       const std::string& script) {
  const fs::path dir = WorkDir();
  std::string reads;
  for (const auto& [name, text] : files) {
    std::ofstream(dir / name) << text;
    reads += "read_verilog -sv " + (dir / name).string() + "; ";
  }
  const fs::path log = dir / "yosys.log";
  const std::string command = "cd '" + dir.string() + "' && yosys -q -p '" + reads + script +
                              "' >'" + log.string() + "' 2>&1";
  return std::system(command.c_str()) == 0 ? "" : "yosys failed:\n" + Slurp(log);
}

// ICSC's counter example (designs/examples/counter): a void function called from always_comb.
TEST(SvForYosys, InlinesVoidFunctionsAndTurnsAlwaysCombIntoAlwaysStar) {
  const std::string icsc = R"sv(module Dut // "tb.dut_inst"
(
    input logic clk,
    input logic rstn,
    output logic [3:0] counter,
    output logic even
);
logic [3:0] counter_next;
always_comb begin : threadProc_comb     // dut.h:26:5
    threadProc_func;
end
function void threadProc_func;
    counter_next = counter + 1'd1;
endfunction
always_ff @(posedge clk or negedge rstn) 
begin : threadProc_ff
    if ( ~rstn ) begin
        counter <= '0;
    end
    else begin
        counter <= counter_next;
    end
end
always_comb 
begin : methodProc     // dut.h:35:5
    even = |(counter % 2'd2);
end
endmodule
)sv";
  const std::string expected = R"sv(module Dut // "tb.dut_inst"
(
    input logic clk,
    input logic rstn,
    output logic [3:0] counter,
    output logic even
);
logic [3:0] counter_next;
always @* begin : threadProc_comb     // dut.h:26:5
    begin : threadProc_func_inlined
    counter_next = counter + 1'd1;
    end
end
always_ff @(posedge clk or negedge rstn) 
begin : threadProc_ff
    if ( ~rstn ) begin
        counter <= '0;
    end
    else begin
        counter <= counter_next;
    end
end
always @* 
begin : methodProc     // dut.h:35:5
    even = |(counter % 2'd2);
end
endmodule
)sv";
  const std::string converted = SvForYosys(icsc);
  EXPECT_EQ(converted, expected);
  if (!HaveYosys()) GTEST_SKIP() << "yosys is not on PATH";
  EXPECT_EQ(YosysFails({{"counter.sv", converted}}, "hierarchy -check -top Dut; proc"), "");
}

// A PE array's shape: unpacked-array ports, a 2-D member, whole-array copies, element, bit-range
// and signed element selects, loop steps ++i.
TEST(SvForYosys, FlattensUnpackedArraysIntoVectors) {
  const std::string icsc = R"sv(module PeArray // "tb.top.dsp.array"
(
    input logic clk,
    input logic rst,
    input logic [7:0] in_data_act[4],
    output logic signed [31:0] out_data_v[4]
);
localparam logic signed [31:0] kUnits = 2;
logic signed [63:0] m_[2][4];
logic signed [63:0] m__next[2][4];
logic signed [31:0] out_data_v_next[4];
always_comb begin : Run_comb     // pe_array.h:114:3
    Run_func;
end
function void Run_func;
    integer out_v_1[4];
    logic signed [63:0] s;
    out_v_1[0] = 0; out_v_1[1] = 0; out_v_1[2] = 0; out_v_1[3] = 0;
    s = '0;
    m__next = m_;
    for (int u_1 = 0; u_1 < kUnits; ++u_1)
    begin
        s = m__next[u_1][3];
        out_v_1[u_1] = 32'(s + in_data_act[u_1][3:0]);
        m__next[u_1][0] = s <<< 1;
    end
    out_data_v_next = out_v_1;
endfunction
always_ff @(posedge clk /*sync rst*/) 
begin : Run_ff
    if ( rst ) begin
        for (int i = 0; i < 4; ++i)
        begin
            out_data_v[i] <= '0;
        end
    end
    else begin
        out_data_v <= out_data_v_next;
        m_ <= m__next;
    end
end
endmodule
)sv";
  const std::string expected = R"sv(module PeArray // "tb.top.dsp.array"
(
    input logic clk,
    input logic rst,
    input logic [31:0] in_data_act,
    output logic signed [127:0] out_data_v
);
localparam logic signed [31:0] kUnits = 2;
logic signed [511:0] m_;
logic signed [511:0] m__next;
logic signed [127:0] out_data_v_next;
always @* begin : Run_comb     // pe_array.h:114:3
    begin : Run_func_inlined
    logic signed [127:0] out_v_1;
    logic signed [63:0] s;
    out_v_1[0 +: 32] = 0; out_v_1[32 +: 32] = 0; out_v_1[64 +: 32] = 0; out_v_1[96 +: 32] = 0;
    s = '0;
    m__next = m_;
    for (int u_1 = 0; u_1 < kUnits; u_1 = u_1 + 1)
    begin
        s = $signed(m__next[u_1*256+192 +: 64]);
        out_v_1[u_1*32 +: 32] = 32'(s + in_data_act[u_1*8 +: 4]);
        m__next[u_1*256 +: 64] = s <<< 1;
    end
    out_data_v_next = out_v_1;
    end
end
always_ff @(posedge clk /*sync rst*/) 
begin : Run_ff
    if ( rst ) begin
        for (int i = 0; i < 4; i = i + 1)
        begin
            out_data_v[i*32 +: 32] <= '0;
        end
    end
    else begin
        out_data_v <= out_data_v_next;
        m_ <= m__next;
    end
end
endmodule
)sv";
  const std::string converted = SvForYosys(icsc);
  EXPECT_EQ(converted, expected);
  if (!HaveYosys()) GTEST_SKIP() << "yosys is not on PATH";
  EXPECT_EQ(YosysFails({{"pe.sv", converted}}, "hierarchy -check -top PeArray; proc"), "");
}

// The controller's counters and requantization: ++/-- statements, a negated size cast (Yosys
// 0.23 reads -32'(x) as a cast to size -32) beside a binary minus before a cast, which stays, and
// a variable assigned on one path only (a latch Yosys 0.23 rejects inside always_comb).
TEST(SvForYosys, RewritesIncrementsAndNegatedCasts) {
  const std::string icsc = R"sv(module AccelCore // "tb.top"
(
    input logic clk,
    input logic go,
    input logic neg,
    input logic signed [31:0] t1,
    input logic signed [31:0] t2,
    output logic signed [31:0] y
);
logic signed [31:0] st_r_;
logic signed [31:0] st_r__next;
logic signed [31:0] st_wait__next;
logic signed [31:0] last_;
always_comb begin : Run_comb     // core_impl.h:480:1
    Run_func;
end
function void Run_func;
    integer TMP_3;
    TMP_3 = 0;
    st_r__next = st_r_;
    st_wait__next = 0;
    if (go)
    begin
        --st_wait__next;
        ++st_r__next;
        TMP_3 = neg ? -32'(t1 + t2) : 32'(t1 + t2);
        last_ = TMP_3 - 32'(st_r__next);
    end
endfunction
always_ff @(posedge clk) 
begin : Run_ff
    st_r_ <= st_r__next;
    y <= last_ + st_wait__next;
end
endmodule
)sv";
  const std::string converted = SvForYosys(icsc);
  const auto has = [&](const std::string& line) {
    return converted.find(line) != std::string::npos;
  };
  EXPECT_TRUE(
      has("        st_wait__next = st_wait__next - 1;\n        st_r__next = st_r__next + 1;\n"));
  EXPECT_TRUE(has("TMP_3 = neg ? (32'(0) - 32'(t1 + t2)) : 32'(t1 + t2);"));
  EXPECT_TRUE(has("last_ = TMP_3 - 32'(st_r__next);"));
  EXPECT_TRUE(has("always @* begin : Run_comb"));
  EXPECT_FALSE(has("function")) << converted;
  if (!HaveYosys()) GTEST_SKIP() << "yosys is not on PATH";
  EXPECT_EQ(YosysFails({{"ctl.sv", converted}}, "hierarchy -check -top AccelCore; proc"), "");
}

// The core's input buffer: ICSC connects unpacked-array signals to the ports of msqx_bram_icsc
// (models/mem/bram.h's intrinsic), whose dimensions are parameter expressions. Converted alike,
// the 2 banks x 256 words x 64 bits become two RAMB36E1 in synth_xilinx.
TEST(SvForYosys, ConvertsTheBramAdapterAndKeepsItsBlockRam) {
  const std::string icsc = R"sv(module AccelCore // "tb.top"
(
    input logic clk,
    input logic rst,
    input logic [7:0] ld_data_v[8],
    input logic [31:0] addr,
    output logic [7:0] out_v[16]
);
logic i_en_v[2];
logic i_we_v[2];
logic i_off_v[2];
logic [31:0] i_aaddr_v[2];
logic [31:0] i_baddr_v[2];
logic [7:0] i_awdata_v[16];
logic [7:0] i_bwdata_v[16];
logic [7:0] i_ardata_v[16];
always_comb begin : Run_comb
    Run_func;
end
function void Run_func;
    for (int b = 0; b < 2; ++b)
    begin
        i_en_v[b] = addr[31] == b;
        i_we_v[b] = 1;
        i_off_v[b] = 0;
        i_aaddr_v[b] = addr;
        i_baddr_v[b] = addr + b;
        for (int l = 0; l < 8; ++l)
        begin
            i_awdata_v[b * 8 + l] = ld_data_v[l];
            i_bwdata_v[b * 8 + l] = 0;
        end
    end
endfunction
msqx_bram_icsc #(.BANKS(2), .LANES(8), .WIDTH(8), .DEPTH(256), .LATENCY(1), .TDP(0)) in_buf
(
  .clk(clk),
  .rst(rst),
  .a_en_v(i_en_v),
  .a_we_v(i_we_v),
  .a_addr_v(i_aaddr_v),
  .a_wdata_v(i_awdata_v),
  .a_rdata_v(i_ardata_v),
  .b_en_v(i_en_v),
  .b_we_v(i_off_v),
  .b_addr_v(i_baddr_v),
  .b_wdata_v(i_bwdata_v),
  .b_rdata_v(out_v)
);
endmodule
)sv";
  const std::string converted = SvForYosys(icsc);
  const auto has = [&](const std::string& text, const std::string& line) {
    return text.find(line) != std::string::npos;
  };
  EXPECT_TRUE(has(converted, "input logic [63:0] ld_data_v,"));
  EXPECT_TRUE(has(converted, "logic [63:0] i_baddr_v;"));
  EXPECT_TRUE(has(converted, "i_awdata_v[(b * 8 + l)*8 +: 8] = ld_data_v[l*8 +: 8];"));
  EXPECT_TRUE(has(converted, "  .b_rdata_v(out_v)\n"));  // connections name whole arrays: unchanged

  const std::string adapter = SvForYosys(msqx::dse::HlsTemplate("msqx_bram_icsc.sv"));
  EXPECT_TRUE(has(adapter, "    input  logic [(WIDTH*(BANKS*LANES))-1:0] a_wdata_v,"));
  EXPECT_TRUE(
      has(adapter, "      assign a_rdata_v[i*WIDTH +: WIDTH] = a_rdata[WIDTH*i +: WIDTH];"));
  EXPECT_TRUE(has(
      adapter, "      assign a_wdata[WIDTH*i +: WIDTH] = $signed(a_wdata_v[i*WIDTH +: WIDTH]);"));
  // The block RAM itself needs nothing: Yosys 0.23 reads it as it is.
  const std::string bram = msqx::dse::HlsTemplate("msqx_bram.sv");
  EXPECT_EQ(SvForYosys(bram), bram);

  if (!HaveYosys()) GTEST_SKIP() << "yosys is not on PATH";
  const std::string log =
      YosysFails({{"core.sv", converted}, {"msqx_bram.sv", bram}, {"msqx_bram_icsc.sv", adapter}},
                 "synth_xilinx -family xc7 -top AccelCore; tee -q -o stat.txt stat");
  ASSERT_EQ(log, "");
  const fs::path stat = fs::path(MSQX_BINARY_DIR) / "sv_for_yosys_test" /
                        testing::UnitTest::GetInstance()->current_test_info()->name() / "stat.txt";
  const auto counts = msqx::dse::YosysCounts(Slurp(stat));
  EXPECT_EQ(counts.at("bram18"), 4);  // two RAMB36E1
  EXPECT_LE(counts.at("ff"), 8);      // the read data is the BRAM's latch, not fabric registers
}

TEST(SvForYosys, RejectsANameDeclaredWithTwoShapes) {
  const std::string sv =
      "module M (input logic clk);\nlogic [7:0] x[4];\nalways_ff @(posedge clk) begin\n"
      "    logic [7:0] x[2];\nend\nendmodule\n";
  EXPECT_THROW(SvForYosys(sv), std::runtime_error);
  // Modules are separate scopes: the same name in two modules is two arrays.
  EXPECT_NO_THROW(
      SvForYosys("module A;\nlogic [7:0] x[4];\nendmodule\nmodule B;\nlogic x[2];\nendmodule\n"));
}

}  // namespace
