#pragma once
// `msqx hls --check`: builds and runs an exported project's testbench with Debian's SystemC and,
// when ICSC is installed (ICSC_HOME), translates the top to SystemVerilog, lints it with Verilator
// and synthesizes it with Yosys synth_xilinx, putting Yosys's counts beside the resource model's.
// The result is hls_check.json in the project folder (docs/hls.md).

#include <filesystem>
#include <functional>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "dse/hls_export.h"

namespace msqx::dse {

struct HlsCheckOptions {
  int jobs = 1;                                   // parallel compile jobs
  std::function<void(const std::string&)> note;   // progress lines ("building the testbench", ...)
};

struct HlsCheck {
  bool pass = false;          // the SystemC testbench passed
  bool icsc_found = false;
  bool synthesized = false;   // ICSC, Verilator and Yosys all ran
  nlohmann::json report;      // what hls_check.json holds
};

HlsCheck RunHlsCheck(const spec::DesignSpec& design, const spec::NetworkSpec& network,
                     const HlsExport& exported, const HlsCheckOptions& options);

// Cell counts of a Yosys `stat` report after synth_xilinx, as LUT, FF, DSP and BRAM18 (a RAMB36
// counts 2): the old layout ("  LUT6   12") and the new one ("  12   LUT6") alike.
std::map<std::string, long long> YosysCounts(const std::string& stat_report);

}  // namespace msqx::dse
