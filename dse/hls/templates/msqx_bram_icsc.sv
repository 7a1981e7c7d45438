// The ports ICSC gives msqx::mem::Bram's instances (models/mem/bram.h names these modules in its
// SystemVerilog intrinsic), around the block RAM msqx_bram (msqx_bram.sv). ICSC turns a record
// port (pe::Bus) into one unpacked array, `<port>_v`, element i of bank b at [b * LANES + i]. The
// two adapters differ only in the data ports' element type, unsigned or signed (the partial sums),
// which SystemVerilog checks when an unpacked array is connected to a port. The block RAM keeps the
// low STORED bits of each WIDTH-bit element (bram.h BramConfig's Bits) and reads them back zero-
// or sign-extended.
//
// Yosys 0.23 (Debian 12) takes no unpacked-array port: it reads these after dse/sv_for_yosys.h's
// conversion, as it does ICSC's own modules.

module msqx_bram_icsc #(
    parameter int BANKS = 1,
    parameter int LANES = 1,
    parameter int WIDTH = 8,
    parameter int DEPTH = 512,
    parameter int LATENCY = 1,
    parameter int TDP = 0,
    parameter int STORED = WIDTH
) (
    input  logic                       clk,
    input  logic                       rst,
    input  logic                       a_en_v[BANKS],
    input  logic                       a_we_v[BANKS],
    input  logic [31:0]                a_addr_v[BANKS],
    input  logic [WIDTH-1:0]           a_wdata_v[BANKS*LANES],
    output logic [WIDTH-1:0]           a_rdata_v[BANKS*LANES],
    input  logic                       b_en_v[BANKS],
    input  logic                       b_we_v[BANKS],
    input  logic [31:0]                b_addr_v[BANKS],
    input  logic [WIDTH-1:0]           b_wdata_v[BANKS*LANES],
    output logic [WIDTH-1:0]           b_rdata_v[BANKS*LANES]
);
  logic [BANKS-1:0] a_en, a_we, b_en, b_we;
  logic [32*BANKS-1:0] a_addr, b_addr;
  logic [BANKS*LANES*STORED-1:0] a_wdata, a_rdata, b_wdata, b_rdata;
  genvar i;
  generate
    for (i = 0; i < BANKS; i = i + 1) begin : bank_pins
      assign a_en[i] = a_en_v[i];
      assign a_we[i] = a_we_v[i];
      assign a_addr[32*i +: 32] = a_addr_v[i];
      assign b_en[i] = b_en_v[i];
      assign b_we[i] = b_we_v[i];
      assign b_addr[32*i +: 32] = b_addr_v[i];
    end
    for (i = 0; i < BANKS * LANES; i = i + 1) begin : lane_pins
      // The element, of which the RAM keeps the low STORED bits.
      /* verilator lint_off UNUSEDSIGNAL */
      logic [WIDTH-1:0] a_w, b_w;
      /* verilator lint_on UNUSEDSIGNAL */
      assign a_w = a_wdata_v[i];
      assign b_w = b_wdata_v[i];
      assign a_wdata[STORED*i +: STORED] = a_w[STORED-1:0];
      assign b_wdata[STORED*i +: STORED] = b_w[STORED-1:0];
      assign a_rdata_v[i] = WIDTH'(a_rdata[STORED*i +: STORED]);
      assign b_rdata_v[i] = WIDTH'(b_rdata[STORED*i +: STORED]);
    end
  endgenerate
  msqx_bram #(
      .BANKS(BANKS), .LANES(LANES), .WIDTH(STORED), .DEPTH(DEPTH), .LATENCY(LATENCY), .TDP(TDP)
  ) core (
      .clk(clk), .rst(rst),
      .a_en(a_en), .a_we(a_we), .a_addr(a_addr), .a_wdata(a_wdata), .a_rdata(a_rdata),
      .b_en(b_en), .b_we(b_we), .b_addr(b_addr), .b_wdata(b_wdata), .b_rdata(b_rdata)
  );
endmodule

/* verilator lint_off DECLFILENAME */  // two adapters, one file
module msqx_bram_icsc_signed #(
    parameter int BANKS = 1,
    parameter int LANES = 1,
    parameter int WIDTH = 8,
    parameter int DEPTH = 512,
    parameter int LATENCY = 1,
    parameter int TDP = 0,
    parameter int STORED = WIDTH
) (
    input  logic                       clk,
    input  logic                       rst,
    input  logic                       a_en_v[BANKS],
    input  logic                       a_we_v[BANKS],
    input  logic [31:0]                a_addr_v[BANKS],
    input  logic signed [WIDTH-1:0]    a_wdata_v[BANKS*LANES],
    output logic signed [WIDTH-1:0]    a_rdata_v[BANKS*LANES],
    input  logic                       b_en_v[BANKS],
    input  logic                       b_we_v[BANKS],
    input  logic [31:0]                b_addr_v[BANKS],
    input  logic signed [WIDTH-1:0]    b_wdata_v[BANKS*LANES],
    output logic signed [WIDTH-1:0]    b_rdata_v[BANKS*LANES]
);
  logic [BANKS-1:0] a_en, a_we, b_en, b_we;
  logic [32*BANKS-1:0] a_addr, b_addr;
  logic [BANKS*LANES*STORED-1:0] a_wdata, a_rdata, b_wdata, b_rdata;
  genvar i;
  generate
    for (i = 0; i < BANKS; i = i + 1) begin : bank_pins
      assign a_en[i] = a_en_v[i];
      assign a_we[i] = a_we_v[i];
      assign a_addr[32*i +: 32] = a_addr_v[i];
      assign b_en[i] = b_en_v[i];
      assign b_we[i] = b_we_v[i];
      assign b_addr[32*i +: 32] = b_addr_v[i];
    end
    for (i = 0; i < BANKS * LANES; i = i + 1) begin : lane_pins
      // The element, of which the RAM keeps the low STORED bits.
      /* verilator lint_off UNUSEDSIGNAL */
      logic signed [WIDTH-1:0] a_w, b_w;
      /* verilator lint_on UNUSEDSIGNAL */
      assign a_w = a_wdata_v[i];
      assign b_w = b_wdata_v[i];
      assign a_wdata[STORED*i +: STORED] = a_w[STORED-1:0];
      assign b_wdata[STORED*i +: STORED] = b_w[STORED-1:0];
      assign a_rdata_v[i] = WIDTH'(signed'(a_rdata[STORED*i +: STORED]));
      assign b_rdata_v[i] = WIDTH'(signed'(b_rdata[STORED*i +: STORED]));
    end
  endgenerate
  msqx_bram #(
      .BANKS(BANKS), .LANES(LANES), .WIDTH(STORED), .DEPTH(DEPTH), .LATENCY(LATENCY), .TDP(TDP)
  ) core (
      .clk(clk), .rst(rst),
      .a_en(a_en), .a_we(a_we), .a_addr(a_addr), .a_wdata(a_wdata), .a_rdata(a_rdata),
      .b_en(b_en), .b_we(b_we), .b_addr(b_addr), .b_wdata(b_wdata), .b_rdata(b_rdata)
  );
endmodule
