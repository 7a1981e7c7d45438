#pragma once
// ICSC's SystemVerilog rewritten so that Yosys 0.23 (Debian 12's) reads it, for `msqx hls
// --check`'s resource estimate. Yosys 0.23 rejects what ICSC writes for every design, even ICSC's
// counter example; a newer Yosys or Vivado reads it as it is, and --check tries that first.
//
// What is rewritten, module by module (ICSC reuses names such as Run_func across modules):
//   - `function void F; ... endfunction` is inlined where `F;` is called (one call, as ICSC emits:
//     the always_comb of a thread); Yosys 0.23 has no void functions.
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
//
// Limits: this is a text rewrite for estimates, not a verified equivalent of the input. It knows
// ICSC's layout: one declaration per line, unpacked dimensions written [N] (not [lo:hi]), a name
// declared once per module with one shape (a conflict throws std::runtime_error), element selects
// written name[i]... (not through a hierarchy), void functions called once and not recursive, no
// assignment patterns ('{...}) and no concatenations of array elements as assignment targets.
// Flattened arrays are vectors, so an array that a tool could have mapped to memory no longer can
// (ICSC's output holds none: buffers are msqx_bram, the intrinsic of models/mem/bram.h). Text that
// needs none of this (msqx_bram.sv) comes back unchanged.

#include <string>

namespace msqx::dse {

std::string SvForYosys(const std::string& sv);

}  // namespace msqx::dse
