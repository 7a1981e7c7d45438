#pragma once
// ICSC's SystemVerilog rewritten so that Yosys 0.23 (Debian 12's) reads it, for `msqx hls
// --check`'s resource estimate. Yosys 0.23 rejects what ICSC writes for every design, even ICSC's
// counter example; a newer Yosys or Vivado reads it as it is, and --check tries that first.
//
// What is rewritten, module by module (ICSC reuses names such as Run_func across modules):
//   - `function void F; ... endfunction` is inlined where `F;` is called (one call, as ICSC emits:
//     the always_comb of a thread); Yosys 0.23 has no void functions.
//   - `if (c) begin A; continue; end R` directly in a loop's body becomes `if (c) begin A; end
//     else begin R end`, R the rest of the body (ICSC's continue; Yosys 0.23 has none).
//   - A for-loop bounded by a variable (`t < width`, `width` assigned before the loop from what
//     an inlined function returned) gets the expression the variable holds, substituted back to
//     constants and enclosing loops' variables: Yosys 0.23 unrolls only constant conditions.
//   - `++x`, `x++`, `--x`, `x--` as a statement or a for-loop step become `x = x + 1` / `x - 1`.
//   - A negated size cast `-N'(e)` becomes `(N'(0) - N'(e))`: Yosys 0.23 reads `-32'(e)` as a cast
//     to size -32.
//   - `always_comb` becomes `always @*`: ICSC leaves never-read variables assigned on some paths
//     only, which Yosys 0.23 rejects in always_comb as latches (they are unused, and go).
//   - Unpacked arrays (`logic signed [7:0] x[4][2]`, ports included; dimensions may be parameter
//     expressions) become vectors (`logic signed [63:0] x`), element i at [i * 8 +: 8], row-major;
//     an element select `x[i][j]` becomes `x[(i)*16+(j)*8 +: 8]`, a partial one the rows' slice,
//     a bit or part select of an element a select of the vector. Yosys 0.23 has no unpacked-array
//     ports and no whole-array assignment; both are plain vector assignments after this. A select
//     of a signed element read as a value is wrapped in $signed() to keep its sign.
//   - Unpacked localparam arrays with an assignment pattern (`localparam logic signed [63:0]
//     kConst[135] = '{ 32, -7'sd43, ... };`, the unrolled layer's plan) become packed localparam
//     vectors of the same layout, the elements as sized hexadecimal literals, last one first
//     (`{..., 64'hffffffffffffffd5, 64'h20}`); their element selects are rewritten as above.
//
// Limits: this is a text rewrite for estimates, not a verified equivalent of the input. It knows
// ICSC's layout: one declaration per line, unpacked dimensions written [N] (not [lo:hi]), a name
// declared once per module with one shape (a conflict throws std::runtime_error), element selects
// written name[i]... (not through a hierarchy), void functions called once and not recursive, no
// assignment patterns ('{...}) except a localparam's, whose dimensions and packed range are
// numbers, elements integer literals of at most 64 bits (anything else is left as it is and Yosys
// 0.23 stops there), and no concatenations of array elements as assignment targets. A continue
// elsewhere than at the end of a then-branch in the loop's body, or a loop bound assigned in a
// branch before the loop, throws std::runtime_error; blocks are read from the words begin and
// end outside // comments (no /* */ comment may hold them).
// Flattened arrays are vectors, so an array that a tool could have mapped to memory no longer can
// (ICSC's output holds none: buffers are msqx_bram, the intrinsic of models/mem/bram.h). Text that
// needs none of this (msqx_bram.sv) comes back unchanged.

#include <string>

namespace msqx::hls {

std::string SvForYosys(const std::string& sv);

}  // namespace msqx::hls
