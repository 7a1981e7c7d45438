#pragma once
// `msqx hls`: a design point as a self-contained HLS project (docs/hls.md). The project holds the
// synthesizable pin-level core (copied from models/, compiled into msqx), a generated header that
// instantiates it for the design (msqx_top.h: the config struct and the Top alias), one layer of
// the network as a self-checking testbench (layer_case.h + tb/tb_main.cpp), CMake for Debian's
// SystemC, an ICSC project, Catapult and Stratus scripts and a README.

#include <filesystem>
#include <string>
#include <vector>

#include "dse/hls/check.h"
#include "models/accel/core_sizing.h"
#include "models/spec/design.h"
#include "models/spec/network.h"

namespace msqx::hls {

// The type Top aliases in an accelerator-template export.
inline constexpr const char* kCoreTopType = "msqx::accel::AccelCore<msqx_design::CoreCfg>";

struct HlsExportOptions {
  std::string layer;  // name of the testbench's layer; empty: the network's first conv/fc
  unsigned seed = 1;  // of the testbench's activations and weights
};

struct HlsExport {
  std::filesystem::path dir;
  int layer_index = -1;
  std::string layer_name;
  std::size_t steps = 0;
  long long outputs = 0;
  // Cycles of the layer at cycle fidelity with the ideal memory, first command to last store: what
  // the testbench must measure on the pin-level core.
  long long expected_cycles = 0;
  accel::CoreParams sizing;  // the exported core: geometry, buffer depths, longest dot product
  int act_bits = 4, weight_bits = 4;  // the widths it carries (the network's widest)
};

// Writes the project into `dir` (created; existing files of the same names are replaced).
// Throws spec::ConfigError (naming the design or network file) when the design cannot be
// exported for this network (accel::TemplateMisfit: widths outside the core's range, an odd DSP row
// count with two products per DSP, packing that cannot hold a row's sum, engines of unequal cols,
// ...) or a layer that its buffers or registers cannot hold.
HlsExport ExportHls(const spec::DesignSpec& design, const spec::NetworkSpec& network,
                    const HlsExportOptions& options, const std::filesystem::path& dir);

// The SystemVerilog block RAM (dse/hls/templates/msqx_bram*.sv) that ICSC's output instantiates
// for each mem::Bram through bram.h's intrinsic, as the project holds it (relative paths).
std::vector<std::string> BramSystemVerilog();

// What `--check` needs of the project: its folder, the layer, and the resource model's estimate
// of what Top holds for the comparison with Yosys.
HlsCheckTarget CheckTargetOf(const spec::DesignSpec& design, const spec::NetworkSpec& network,
                             const HlsExport& exported);

}  // namespace msqx::hls
