// 4-bit SP2 product (m1 = 2, m2 = 1, K = 3) of an unsigned 4-bit activation, registered output.
// code = sign | i1 (2 bits) | i2 (1 bit); p = (-1)^sign * ((a << (3 - i1)) + (a << (3 - i2))).
// Widths as the model counts them: terms a + K - 1 = 6 bits, magnitude a + K = 7 bits (at most
// 15 x 8 = 120), signed product a + K + 1 = 8 bits.
module sp2_mul4 (input clk, input [3:0] a, input [3:0] code, output reg signed [7:0] p);
  wire s = code[3];
  wire [1:0] i1 = code[2:1];
  wire i2 = code[0];
  wire [5:0] t1 = (i1 == 2'd0) ? 6'd0 : ({2'd0, a} << (2'd3 - i1));
  wire [5:0] t2 = i2 ? ({2'd0, a} << 2) : 6'd0;
  wire [6:0] mag = t1 + t2;
  always @(posedge clk) p <= s ? -$signed({1'b0, mag}) : $signed({1'b0, mag});
endmodule
