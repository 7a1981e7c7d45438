// One SP2 MAC lane: sp2 product as in sp2_mul4 plus a 16-bit accumulator (first ? p : acc + p).
module sp2_mac4 (input clk, input first, input [3:0] a, input [3:0] code,
                 output reg signed [15:0] acc);
  wire s = code[3];
  wire [1:0] i1 = code[2:1];
  wire i2 = code[0];
  wire [6:0] t1 = (i1 == 2'd0) ? 7'd0 : ({3'd0, a} << (2'd3 - i1));
  wire [6:0] t2 = i2 ? ({3'd0, a} << 2) : 7'd0;
  wire [7:0] mag = t1 + t2;
  wire signed [8:0] p = s ? -$signed({1'b0, mag}) : $signed({1'b0, mag});
  always @(posedge clk) acc <= first ? p : acc + p;
endmodule
