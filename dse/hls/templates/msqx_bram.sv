// Block RAM for ICSC's translation of msqx::mem::Bram (models/mem/bram.h). Under ICSC, Bram is an
// empty SystemVerilog intrinsic naming msqx_bram_icsc (msqx_bram_icsc.sv: ICSC's port shape) with
// its parameters, which instantiates this module; ICSC would otherwise translate the model's array
// into a register file with whole-array copies that no tool maps to block RAM. `msqx hls` writes
// both files into the project's icsc/ folder, and `--check` lints and synthesizes them with ICSC's
// output.
//
// What bram.h's model does, and so what this module does: BANKS independent banks of DEPTH words
// of LANES elements of WIDTH bits. SDP (TDP = 0): port A writes, port B reads, A's read data is 0
// and B's write enable is ignored. TDP = 1: both ports read and write. Read-first: a read of an
// address written in the same cycle (on either port) returns the old word. Read latency 1 (the
// BRAM's output latch) or 2 (plus its output register). Synchronous active-high reset: no reads
// or writes happen in a reset cycle and the read data is 0; the contents survive.
//
// Two differences, each cheaper than matching it: at latency 1 the model clears only its
// read-data register in reset, so a port that does not read after a reset shows again the word it
// last read before; here the latch itself is reset (RSTRAM), so that port shows 0 (the core reads
// before it uses read data). Addresses are taken modulo the next power of two of DEPTH, the
// model's modulo DEPTH; the controller never addresses past DEPTH (AccelCore::Fits).
//
// Plain enough for Yosys 0.23 (Debian 12): with synth_xilinx -family xc7, 2 banks x 256 words x
// 64 bits become 2 RAMB36E1 (SDP) or 4 (TDP). Yosys 0.23 keeps a latency-2 output register in
// fabric flip-flops; Vivado packs it into DOA_REG/DOB_REG.

// Ports: element i of a data port at bits [i * LANES * WIDTH +: LANES * WIDTH] is bank i's word,
// bank i's address at [32 * i +: 32] (the model's addresses are 32-bit).
module msqx_bram #(
    parameter int BANKS = 1,
    parameter int LANES = 1,
    parameter int WIDTH = 8,
    parameter int DEPTH = 512,
    parameter int LATENCY = 1,
    parameter int TDP = 0
) (
    input  logic                           clk,
    input  logic                           rst,
    input  logic [BANKS-1:0]               a_en,
    input  logic [BANKS-1:0]               a_we,
    /* verilator lint_off UNUSEDSIGNAL */  // an address's bits above the depth's
    input  logic [32*BANKS-1:0]            a_addr,
    input  logic [BANKS*LANES*WIDTH-1:0]   a_wdata,
    output logic [BANKS*LANES*WIDTH-1:0]   a_rdata,
    input  logic [BANKS-1:0]               b_en,
    input  logic [BANKS-1:0]               b_we,
    input  logic [32*BANKS-1:0]            b_addr,
    /* verilator lint_on UNUSEDSIGNAL */
    input  logic [BANKS*LANES*WIDTH-1:0]   b_wdata,
    output logic [BANKS*LANES*WIDTH-1:0]   b_rdata
);
  localparam int WORD = LANES * WIDTH;
    localparam int AW = DEPTH > 1 ? $clog2(DEPTH) : 1;
  // A memory of one or two words is the buffer of an engine the design does not have (the core
  // instantiates both; SizingOf gives the absent one a word per half): registers, not block RAMs
  // the model does not count.
    /* verilator lint_off UNUSEDPARAM */  // read by synthesis only, in an attribute
  localparam STYLE = DEPTH > 2 ? "block" : "logic";
  /* verilator lint_on UNUSEDPARAM */

  genvar g;
  generate
    for (g = 0; g < BANKS; g = g + 1) begin : bank
      (* ram_style = STYLE *) logic [WORD-1:0] mem [0:DEPTH-1];
      wire [AW-1:0] aa = a_addr[32*g +: AW];
      wire [AW-1:0] ba = b_addr[32*g +: AW];
      logic [WORD-1:0] a_lat, b_lat;

      // One block for both ports: every read samples the array before this edge's writes
      // (read-first), and a write by B after A's keeps B's word, as the model does.
      always_ff @(posedge clk) begin
        if (rst) begin
          if (LATENCY == 1) b_lat <= '0;
        end else if (b_en[g]) begin
          b_lat <= mem[ba];
        end
        if (TDP != 0) begin
          if (rst) begin
            if (LATENCY == 1) a_lat <= '0;
          end else if (a_en[g]) begin
            a_lat <= mem[aa];
          end
        end
        if (!rst && a_en[g] && a_we[g]) mem[aa] <= a_wdata[WORD*g +: WORD];
        if (TDP != 0 && !rst && b_en[g] && b_we[g]) mem[ba] <= b_wdata[WORD*g +: WORD];
      end

      if (LATENCY == 2) begin : out_reg
        // The output register (DOA_REG/DOB_REG) samples the latch; the latch then keeps its word
        // through reset, as the model's does.
        logic [WORD-1:0] a_q, b_q;
        always_ff @(posedge clk) begin
          if (rst) begin
            a_q <= '0;
            b_q <= '0;
          end else begin
            a_q <= TDP != 0 ? a_lat : '0;
            b_q <= b_lat;
          end
        end
        assign a_rdata[WORD*g +: WORD] = a_q;
        assign b_rdata[WORD*g +: WORD] = b_q;
      end else begin : out_latch
        assign a_rdata[WORD*g +: WORD] = TDP != 0 ? a_lat : '0;
        assign b_rdata[WORD*g +: WORD] = b_lat;
      end
    end
  endgenerate
endmodule
