#pragma once
// RTL co-simulation of an exported project (`msqx hls --check` with ICSC): ICSC's SystemVerilog of
// Top simulated under Verilator, its inputs driven cycle by cycle from the port trace the SystemC
// testbench recorded (models/pe/port_trace.h), every output compared with the SystemC top's in
// every cycle. Equal in every cycle means bit- and cycle-exact: the RTL would have answered the
// testbench as the model did. docs/hls.md, "RTL co-simulation".

#include <istream>
#include <string>
#include <vector>

namespace msqx::hls {

// A port of a SystemVerilog module as ICSC declares it, one per line:
// `input logic signed [31:0] name[8],` (elements 0 for a scalar port).
struct SvPort {
  std::string name;
  bool input = true;
  bool is_signed = false;
  int bits = 1;
  int elements = 0;
};
// The ports of module `top` (ICSC marks the elaborated top with a `// "tb.top"` comment after its
// name). Throws std::runtime_error when the module or its port list is not found.
std::vector<SvPort> SvPorts(const std::string& sv, const std::string& top);

// An element of a port trace's header: `port <index> <name> <in|out> <bits>`.
struct TracePort {
  std::string name;  // `x`, or `x[i]` for element i of an array port
  bool input = true;
  int bits = 1;
};
// Reads the header up to the line "cycles". Throws std::runtime_error on anything else.
std::vector<TracePort> ReadTraceHeader(std::istream& in);

// The C++ main of a Verilator build of `top` that replays a trace of those ports into it and
// compares its outputs in every cycle; it prints at most 10 mismatches and, last, one JSON object
// {"pass", "cycles", "mismatches", "compared", "first_mismatch"}. Every RTL port but `clock` must
// be in the trace with its direction and width, and every traced element must be an RTL port:
// else std::runtime_error names the first that is not.
std::string CosimHarness(const std::string& top, const std::vector<SvPort>& rtl,
                         const std::vector<TracePort>& trace, const std::string& clock = "clk");

}  // namespace msqx::hls
