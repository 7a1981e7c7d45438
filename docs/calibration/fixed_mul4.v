// Fixed-point 4x4 product alone (registered), synthesised with -nodsp.
module fixed_mul4 (input clk, input [3:0] a, input signed [3:0] w, output reg signed [8:0] p);
  always @(posedge clk) p <= w * $signed({1'b0, a});
endmodule
