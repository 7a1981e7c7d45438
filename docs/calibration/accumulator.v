// Accumulator of a W-bit signed input into A bits: acc <= first ? x : acc + x.
module accumulator #(parameter W = 12, parameter A = 24)
  (input clk, input first, input signed [W-1:0] x, output reg signed [A-1:0] acc);
  always @(posedge clk) acc <= first ? x : acc + x;
endmodule
