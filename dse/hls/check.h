#pragma once
// `msqx hls --check`: builds and runs an exported project's testbench with Debian's SystemC and,
// when ICSC is installed (ICSC_HOME), translates the top to SystemVerilog, lints it with Verilator,
// co-simulates it under Verilator against the SystemC testbench's port trace (cosim.h) and
// synthesizes it with Yosys synth_xilinx, putting Yosys's counts beside the resource model's.
// The result is hls_check.json in the project folder (docs/hls.md).

#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace msqx::hls {

struct HlsCheckOptions {
  int jobs = 1;               // parallel compile jobs
  int icsc_timeout_s = 1800;  // ICSC's translation of a full-size core can take long
  bool synthesize = true;     // run Yosys after ICSC (false: translation, lint, co-simulation)
  std::function<void(const std::string&)> note;  // progress lines ("building the testbench", ...)
};

// What --check needs of an exported project, whatever kind of design it holds.
struct HlsCheckTarget {
  std::filesystem::path dir;
  std::string design, network, layer;
  long long expected_cycles = 0;              // the testbench checks these itself; for messages
  std::string yosys_family = "xc7";           // synth_xilinx -family
  std::map<std::string, long long> estimate;  // the resource model's lut, ff, dsp, bram18 of Top
  std::string estimate_scope;                 // which components the estimate adds up
  // SystemVerilog that ICSC's output instantiates but does not hold (intrinsics' modules: the
  // block RAM), linted and synthesized with it.
  std::vector<std::filesystem::path> systemverilog;
};

struct HlsCheck {
  bool pass = false;  // the SystemC testbench passed
  bool icsc_found = false;
  bool cosim_pass = false;   // ICSC's RTL matched the SystemC top in every cycle
  bool synthesized = false;  // ICSC, Verilator and Yosys all ran
  nlohmann::json report;     // what hls_check.json holds
};

HlsCheck RunHlsCheck(const HlsCheckTarget& target, const HlsCheckOptions& options);

// Cell counts of a Yosys `stat` report after synth_xilinx, as LUT, FF, DSP and BRAM18 (a RAMB36
// counts 2): the old layout ("  LUT6   12") and the new one ("  12   LUT6") alike; of a design
// with submodules, the totals of its "design hierarchy" section.
std::map<std::string, long long> YosysCounts(const std::string& stat_report);

}  // namespace msqx::hls
