// One fixed-point MAC lane in fabric: signed 4-bit weight times unsigned 4-bit activation plus a
// 16-bit accumulator. Synthesised with -nodsp to see its LUT cost (the DSP engine uses DSP48s).
module fixed_mac4 (input clk, input first, input [3:0] a, input signed [3:0] w,
                   output reg signed [15:0] acc);
  wire signed [8:0] p = w * $signed({1'b0, a});
  always @(posedge clk) acc <= first ? p : acc + p;
endmodule
