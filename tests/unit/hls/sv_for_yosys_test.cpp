// dse/hls/sv_for_yosys: ICSC's SystemVerilog rewritten for Yosys 0.23. The inputs are cut from what
// ICSC 1.7.6 wrote for its counter example, for msqx's exported core (the controller, a PE
// array, a BRAM instance) and for an unrolled layer (the jet tagger's fc4); each test asserts the
// converted text and, when yosys is on PATH, that Yosys reads it (the BRAM one also that the
// buffer becomes block RAM, the unrolled ones also constants Yosys proves from the conversion).
#include "dse/hls/sv_for_yosys.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "dse/hls/check.h"
#include "dse/hls/embedded_files.h"

namespace {

namespace fs = std::filesystem;
using msqx::hls::SvForYosys;

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

  const std::string adapter = SvForYosys(msqx::hls::HlsTemplate("msqx_bram_icsc.sv"));
  EXPECT_TRUE(has(adapter, "    input  logic [(WIDTH*(BANKS*LANES))-1:0] a_wdata_v,"));
  EXPECT_TRUE(has(
      adapter, "      assign a_rdata_v[i*WIDTH +: WIDTH] = WIDTH'(a_rdata[STORED*i +: STORED]);"));
  EXPECT_TRUE(has(adapter, "      assign a_w = $signed(a_wdata_v[i*WIDTH +: WIDTH]);"));
  // The block RAM itself needs nothing: Yosys 0.23 reads it as it is.
  const std::string bram = msqx::hls::HlsTemplate("msqx_bram.sv");
  EXPECT_EQ(SvForYosys(bram), bram);

  if (!HaveYosys()) GTEST_SKIP() << "yosys is not on PATH";
  const std::string log =
      YosysFails({{"core.sv", converted}, {"msqx_bram.sv", bram}, {"msqx_bram_icsc.sv", adapter}},
                 "synth_xilinx -family xc7 -top AccelCore; tee -q -o stat.txt stat");
  ASSERT_EQ(log, "");
  const fs::path stat = fs::path(MSQX_BINARY_DIR) / "sv_for_yosys_test" /
                        testing::UnitTest::GetInstance()->current_test_info()->name() / "stat.txt";
  const auto counts = msqx::hls::YosysCounts(Slurp(stat));
  EXPECT_EQ(counts.at("bram18"), 4);  // two RAMB36E1
  EXPECT_LE(counts.at("ff"), 8);      // the read data is the BRAM's latch, not fabric registers
}

// The packed product ((w_hi << k) + w_lo) * a of ICSC's 4x4 PE array with two MACs per DSP maps
// to one DSP48E1 per pair of rows and column (2 x 4), with no multiplier left in the fabric.
TEST(SvForYosys, PackedProductIsOneDsp48PerPair) {
  const std::string icsc =
      Slurp(fs::path(MSQX_SOURCE_DIR) / "tests/unit/hls/data/pe_array_packed_4x4.sv");
  ASSERT_NE(icsc.find("module PeArray"), std::string::npos);
  const std::string converted = SvForYosys(icsc);
  if (!HaveYosys()) GTEST_SKIP() << "yosys is not on PATH";
  ASSERT_EQ(YosysFails({{"pe_array.sv", converted}},
                       "synth_xilinx -family xc7 -top PeArray; tee -q -o stat.txt stat"),
            "");
  const fs::path stat = fs::path(MSQX_BINARY_DIR) / "sv_for_yosys_test" /
                        testing::UnitTest::GetInstance()->current_test_info()->name() / "stat.txt";
  const auto counts = msqx::hls::YosysCounts(Slurp(stat));
  EXPECT_EQ(counts.at("dsp"), 8);
  EXPECT_LE(counts.at("lut"), 64);  // the adder tree's carry logic, no fabric multiplier
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

// The plan of the jet tagger's fc4 at RF 1 (configs/designs/jet_unrolled.json), as ICSC 1.7.6
// wrote it for UnrolledDense (models/unrolled/dense_pin.h): unpacked localparam arrays with
// assignment patterns, which Yosys 0.23 does not read.
const std::string kFc4Plan =
    "localparam logic signed [31:0] kInput[135] = '{ 0, 1, 2, 3, 4, 6, 7, 8, 9, 11, 12, "
    "13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 27, 29, 30, 31, 0, 1, 2, 3, 4, 5, "
    "7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 24, 26, 27, 28, 30, 31, 0, 1, 2, "
    "3, 4, 6, 8, 9, 10, 11, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, "
    "29, 31, 0, 1, 2, 3, 4, 5, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 21, 22, 23, 24, "
    "26, 27, 28, 29, 30, 31, 0, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, "
    "20, 21, 23, 24, 25, 26, 27, 28, 29, 30 };\n"
    "localparam logic signed [63:0] kConst[135] = '{ 32, 56, 45, -7'sd43, 80, -8'sd72, 28, "
    "-7'sd50, 32, -7'sd32, -6'sd20, 72, 12, 8, 56, -6'sd16, -7'sd56, -8'sd88, -6'sd16, 98, "
    "-7'sd48, -8'sd82, -7'sd56, -8'sd64, -6'sd16, 16, 8, 8, -8'sd80, 128, 32, 32, "
    "-9'sd128, 144, 64, -8'sd94, -8'sd80, -8'sd84, -9'sd196, 80, -6'sd16, 36, -8'sd64, "
    "-7'sd36, -9'sd164, 180, -7'sd32, 128, 128, -8'sd80, 24, -8'sd64, 39, -6'sd20, "
    "-7'sd56, -8'sd96, -8'sd64, -8'sd72, -8'sd64, -9'sd144, 72, -8'sd72, -8'sd88, 80, "
    "-7'sd36, 16, 144, 16, -8'sd64, -8'sd64, 20, 164, -9'sd144, 64, 64, 96, -7'sd32, 36, "
    "64, 64, -7'sd45, -8'sd72, -9'sd128, 56, -7'sd56, 172, 196, 48, -8'sd72, -7'sd48, "
    "-8'sd64, 32, 112, 39, -7'sd42, -8'sd64, 40, -9'sd128, 188, 128, -8'sd96, 164, "
    "-8'sd98, -7'sd44, 64, 88, -7'sd32, -6'sd16, 56, 88, 184, -9'sd176, 64, 72, 32, "
    "-7'sd32, 64, -8'sd86, -9'sd164, -7'sd46, 32, -8'sd112, -6'sd24, 80, 184, 45, 200, "
    "-9'sd188, -8'sd64, 128, 40, 24, -9'sd144, 100, 39 };\n"
    "localparam logic kDsp[135] = '{ 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, "
    "0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 1, 1, "
    "0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, "
    "0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 1, "
    "1, 1, 0, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, "
    "0, 0, 0, 1, 1 };\n"
    "localparam logic signed [7:0] kTermSign[270] = '{ 1, 0, -2'sd1, 1, 0, 0, 0, 0, 1, 1, "
    "-2'sd1, -2'sd1, -2'sd1, 1, 0, 0, 1, 0, -2'sd1, 0, -2'sd1, -2'sd1, 1, 1, -2'sd1, 1, 1, "
    "0, -2'sd1, 1, -2'sd1, 0, 1, -2'sd1, 0, 0, -2'sd1, 0, 0, 0, 1, -2'sd1, 0, 0, 1, "
    "-2'sd1, -2'sd1, 0, -2'sd1, 0, 1, 0, 1, 0, 1, 0, -2'sd1, -2'sd1, 1, 0, 1, 0, 1, 0, "
    "-2'sd1, 0, 1, 1, 1, 0, 0, 0, -2'sd1, -2'sd1, 0, 0, 0, 0, 1, 1, -2'sd1, 0, 1, 1, "
    "-2'sd1, 0, -2'sd1, -2'sd1, 0, 0, 0, 0, -2'sd1, 0, 1, 0, 1, 0, -2'sd1, -2'sd1, -2'sd1, "
    "1, -2'sd1, 0, 0, 0, -2'sd1, -2'sd1, 1, -2'sd1, 1, -2'sd1, -2'sd1, 0, -2'sd1, -2'sd1, "
    "-2'sd1, 0, -2'sd1, -2'sd1, 1, 1, -2'sd1, -2'sd1, 0, 0, 1, 1, -2'sd1, -2'sd1, 1, 0, 1, "
    "1, 1, 0, -2'sd1, 0, -2'sd1, 0, 1, 1, 0, 0, -2'sd1, -2'sd1, 1, 0, 1, 0, -2'sd1, 1, "
    "-2'sd1, 0, 1, 1, 1, 0, 1, 0, 0, 0, -2'sd1, -2'sd1, -2'sd1, 0, -2'sd1, 1, 1, -2'sd1, "
    "0, 0, 0, 0, -2'sd1, 1, -2'sd1, -2'sd1, 1, -2'sd1, -2'sd1, 0, 1, 0, -2'sd1, 1, 0, 0, "
    "0, 0, -2'sd1, 0, 1, 1, -2'sd1, 0, 0, 0, 1, 0, 1, -2'sd1, 0, 0, 0, 0, 0, 0, 1, 0, 0, "
    "0, -2'sd1, 0, -2'sd1, 0, -2'sd1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1, 1, 0, -2'sd1, 0, 1, "
    "0, 0, 0, 0, 0, 0, 0, 1, 0, 1, -2'sd1, 1, -2'sd1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, "
    "-2'sd1, 0, 1, 0, 1, 1, -2'sd1, 1, -2'sd1, -2'sd1, 0, 0, 0, 0 };\n"
    "localparam logic [7:0] kTermShift[270] = '{ 5, 0, 3, 6, 0, 0, 0, 0, 4, 6, 3, 6, 2, 5, "
    "0, 0, 5, 0, 5, 0, 2, 4, 3, 6, 2, 4, 3, 0, 3, 6, 4, 0, 3, 6, 0, 0, 4, 0, 0, 0, 4, 6, "
    "0, 0, 3, 6, 6, 0, 4, 0, 4, 0, 3, 0, 3, 0, 4, 6, 7, 0, 5, 0, 5, 0, 7, 0, 4, 7, 6, 0, "
    "0, 0, 4, 6, 0, 0, 0, 0, 4, 6, 4, 0, 2, 5, 6, 0, 2, 5, 0, 0, 0, 0, 5, 0, 7, 0, 7, 0, "
    "4, 6, 3, 5, 6, 0, 0, 0, 2, 4, 3, 6, 5, 7, 6, 0, 3, 6, 6, 0, 4, 7, 3, 6, 3, 6, 0, 0, "
    "4, 6, 2, 5, 4, 0, 4, 7, 4, 0, 6, 0, 6, 0, 2, 4, 0, 0, 4, 7, 6, 0, 6, 0, 5, 7, 5, 0, "
    "2, 5, 6, 0, 6, 0, 0, 0, 3, 6, 7, 0, 3, 6, 3, 6, 0, 0, 0, 0, 4, 6, 3, 6, 4, 6, 6, 0, "
    "5, 0, 4, 7, 0, 0, 0, 0, 6, 0, 3, 5, 7, 0, 0, 0, 7, 0, 5, 7, 0, 0, 0, 0, 0, 0, 6, 0, "
    "0, 0, 5, 0, 4, 0, 3, 6, 0, 0, 0, 0, 0, 0, 6, 0, 3, 6, 5, 0, 5, 0, 6, 0, 0, 0, 0, 0, "
    "0, 0, 5, 0, 4, 7, 3, 5, 4, 6, 0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 7, 0, 3, 5, 3, 5, 4, 7, "
    "0, 0, 0, 0 };\n";

// Element order and sign, through Yosys: kConst = '{32, 56, 45, -43, ...}, kTermSign = '{1, 0, -1,
// ...}, kDsp = '{0, 0, 1, ...}; a constant and a variable index each.
TEST(SvForYosys, TurnsTheUnrolledPlanIntoPackedLocalparams) {
  const std::string icsc =
      "module Plan\n(\n"
      "    input logic [7:0] idx,\n"
      "    output logic signed [63:0] c3, c134, cv,\n"
      "    output logic signed [31:0] i134,\n"
      "    output logic signed [7:0] s2,\n"
      "    output logic d0, d2\n);\n" +
      kFc4Plan +
      "assign c3 = kConst[3];\nassign c134 = kConst[134];\n"
      "assign cv = kConst[idx];\nassign i134 = kInput[134];\n"
      "assign s2 = kTermSign[2];\nassign d0 = kDsp[0];\nassign d2 = kDsp[2];\n"
      "endmodule\n";
  const std::string sv = SvForYosys(icsc);
  EXPECT_NE(sv.find("localparam logic signed [4319:0] kInput = {32'h1e, 32'h1d, 32'h1c, "),
            std::string::npos);
  EXPECT_NE(sv.find(", 32'h3, 32'h2, 32'h1, 32'h0};\n"), std::string::npos);
  EXPECT_NE(sv.find(", 64'hffffffffffffffd5, 64'h2d, 64'h38, 64'h20};\n"), std::string::npos)
      << "kConst's first elements, last first: -43, 45, 56, 32";
  EXPECT_NE(sv.find("localparam logic [134:0] kDsp = {1'h1, 1'h1, 1'h0, "), std::string::npos);
  EXPECT_NE(sv.find("localparam logic signed [2159:0] kTermSign = {8'h0, "), std::string::npos);
  EXPECT_NE(sv.find(", 8'hff, 8'h0, 8'h1};\n"), std::string::npos);
  EXPECT_NE(sv.find("localparam logic [2159:0] kTermShift = {"), std::string::npos);
  EXPECT_EQ(sv.find("'{"), std::string::npos);
  EXPECT_NE(sv.find("assign c3 = $signed(kConst[192 +: 64]);"), std::string::npos);
  EXPECT_NE(sv.find("assign cv = $signed(kConst[idx*64 +: 64]);"), std::string::npos);
  EXPECT_NE(sv.find("assign d2 = kDsp[2 +: 1];"), std::string::npos);
  if (!HaveYosys()) GTEST_SKIP() << "yosys is not on PATH";
  EXPECT_EQ(YosysFails({{"plan.sv", sv}},
                       "hierarchy -check -top Plan; proc; opt; sat -set idx 3 -prove c3 -43 "
                       "-prove c134 39 -prove cv -43 -prove i134 30 -prove s2 -1 -prove d0 0 "
                       "-prove d2 1 -verify"),
            "");
  EXPECT_NE(YosysFails({{"plan.sv", sv}},
                       "hierarchy -check -top Plan; proc; opt; sat -prove c3 43 -verify"),
            "")
      << "the check above can fail";
}

// The multiplier stage of the same module: two continues in a loop's body, and the adder tree's
// loop bounded by a variable that holds what Max() returned.
TEST(SvForYosys, RewritesContinuesAndVariableLoopBoundsOfTheUnrolledLayer) {
  const std::string icsc =
      "module Stage\n(\n"
      "    input logic [7:0] in_data_v[32],\n"
      "    input logic issue,\n"
      "    output logic signed [63:0] root[5]\n);\n"
      "localparam logic signed [31:0] kOut = 5;\n"
      "localparam logic signed [31:0] kRf = 1;\n"
      "localparam logic signed [31:0] kProducts = 135;\n"
      "localparam logic signed [31:0] kMuls = 135;\n" +
      kFc4Plan +
      "localparam logic signed [31:0] kTreeDepth = 5;\n"
      "localparam logic signed [31:0] kTerms = 2;\n"
      "localparam logic signed [31:0] kTreeTerms = 32;\n"
      "localparam logic signed [63:0] kActMask = 127;\n"
      R"sv(always_comb begin : Run_comb
    Run_func;
end
function void Run_func;
    integer phase;
    logic [7:0] x_v[32];
    logic signed [63:0] term[135][2];
    integer k;
    logic signed [63:0] TMP_0;
    integer j;
    logic signed [63:0] v;
    logic signed [63:0] xj;
    integer sign;
    logic signed [63:0] TMP_2;
    logic signed [63:0] x_1;
    integer s_1;
    logic signed [63:0] s_2;
    logic tree_in_valid;
    logic signed [63:0] tree_in[5][32];
    logic tree_valid__next[5];
    logic signed [63:0] tree__next[5][5][32];
    integer TMP_5;
    integer a;
    integer b;
    integer width;
    integer in_width;
    logic signed [63:0] a_1;
    logic signed [63:0] b_1;
    phase = '0;
    x_v = in_data_v;
    tree_in_valid = issue;
        if (issue)
        begin
            for (int m = 0; m < kMuls; ++m)
            begin
                for (int c = 0; c < kRf; ++c)
                begin
                    k = 32'(32'(c * kMuls) + m);
                    if (k >= kProducts || c != phase)
                    begin
                        continue;
                    end
                    j = kInput[k];
                    // Call Act() begin
                    v = signed'(64'(x_v[j])) & kActMask;
                    TMP_0 = v;
                    // Call Act() end
                    xj = TMP_0;
                    if (kDsp[m])
                    begin
                        term[m][0] = 64'(xj * kConst[k]);
                        continue;
                    end
                    for (int t = 0; t < kTerms; ++t)
                    begin
                        sign = kTermSign[k * kTerms + t];
                        x_1 = xj; s_1 = kTermShift[k * kTerms + t];
                        // Call Shifted() begin
                        TMP_2 = x_1 * (64'd1 <<< s_1);
                        // Call Shifted() end
                        s_2 = TMP_2;
                        term[m][t] = sign > 0 ? s_2 : sign < 0 ? -s_2 : 0;
                    end
                end
            end
        end
        for (int l_1 = kTreeDepth - 2'sd1; l_1 >= 0; --l_1)
        begin
            tree_valid__next[l_1] = l_1 == 0 ? tree_in_valid : tree_valid__next[l_1 - 1];
            a = kTreeTerms >>> 32'(l_1 + 2'sd1); b = 1;
            // Call Max() begin
            TMP_5 = a > b ? a : b;
            // Call Max() end
            width = TMP_5;
            in_width = kTreeTerms >>> l_1;
            for (int o_1 = 0; o_1 < kOut; ++o_1)
            begin
                for (int t_1 = 0; t_1 < width; ++t_1)
                begin
                    a_1 = l_1 == 0 ? tree_in[o_1][2 * t_1] : tree__next[l_1 - 1][o_1][2 * t_1];
                    b_1 = 32'(32'(3'sd2 * t_1) + 2'sd1) >= in_width ? 0 : l_1 == 0 ? tree_in[o_1][2 * t_1 + 1] : tree__next[l_1 - 1][o_1][2 * t_1 + 1];
                    tree__next[l_1][o_1][t_1] = 64'(a_1 + b_1);
                end
            end
        end
    for (int o = 0; o < kOut; ++o)
    begin
        root[o] = tree__next[kTreeDepth - 1][o][0];
    end
endfunction
endmodule
)sv";
  const std::string sv = SvForYosys(icsc);
  EXPECT_EQ(sv.find("continue"), std::string::npos);
  EXPECT_NE(sv.find(R"sv(                    if (k >= kProducts || c != phase)
                    begin
                    end else begin
                    j = $signed(kInput[k*32 +: 32]);
)sv"),
            std::string::npos);
  EXPECT_NE(
      sv.find(
          R"sv(                        term[m*128 +: 64] = 64'(xj * $signed(kConst[k*64 +: 64]));
                    end else begin
                    for (int t = 0; t < kTerms; t = t + 1)
)sv"),
      std::string::npos);
  EXPECT_NE(sv.find("for (int t_1 = 0; t_1 < ((kTreeTerms >>> 32'(l_1 + 2'sd1)) > 1 ? (kTreeTerms "
                    ">>> 32'(l_1 + 2'sd1)) : 1); t_1 = t_1 + 1)"),
            std::string::npos);
  if (!HaveYosys()) GTEST_SKIP() << "yosys is not on PATH";
  EXPECT_EQ(YosysFails({{"stage.sv", sv}}, "hierarchy -check -top Stage"), "");
}

// What the continue does, through Yosys: 0 + 100 (i = 1 skips the rest) + 2 + 3.
TEST(SvForYosys, KeepsWhatAContinueSkips) {
  const std::string icsc = R"sv(module Skip
(
    output logic signed [31:0] s
);
always_comb begin
    s = 0;
    for (int i = 0; i < 4; ++i)
    begin
        if (i == 1)
        begin
            s = s + 100;    // the then-branch
            continue;
        end
        s = s + i;
    end
end
endmodule
)sv";
  const std::string sv = SvForYosys(icsc);
  EXPECT_NE(sv.find("            s = s + 100;    // the then-branch\n        end else begin\n"
                    "        s = s + i;\n        end\n    end\n"),
            std::string::npos)
      << sv;
  if (!HaveYosys()) GTEST_SKIP() << "yosys is not on PATH";
  EXPECT_EQ(YosysFails({{"skip.sv", sv}},
                       "hierarchy -check -top Skip; proc; opt; sat -prove s 105 -verify"),
            "");
}

// A continue whose rest is not the rest of the loop's body is refused rather than misread.
TEST(SvForYosys, RejectsAContinueInANestedBranch) {
  const std::string icsc = R"sv(module Nested
(
    input logic x,
    output logic signed [31:0] s
);
always_comb begin
    s = 0;
    for (int i = 0; i < 4; ++i)
    begin
        if (x)
        begin
            if (i == 1)
            begin
                continue;
            end
            s = s + 1;
        end
        s = s + i;
    end
end
endmodule
)sv";
  EXPECT_THROW(SvForYosys(icsc), std::runtime_error);
}

}  // namespace
