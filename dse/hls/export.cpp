#include "dse/hls/export.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "dse/hls/embedded_files.h"
#include "dse/hls/scripts.h"
#include "dse/resource.h"
#include "models/accel/core_types.h"
#include "models/accel/layer_memory.h"
#include "models/accel/step_timing.h"
#include "models/pe/arithmetic.h"
#include "msqx/version.h"
#include "sim/spec/design.h"
#include "sim/spec/json_reader.h"

namespace msqx::hls {
namespace {

namespace fs = std::filesystem;

std::string LayerPath(const spec::NetworkSpec& n, int i) {
  return "layers[" + std::to_string(i) + "] ('" + n.layers[i].name + "')";
}

int ChooseLayer(const spec::NetworkSpec& network, const std::string& name) {
  if (!name.empty()) {
    const int i = network.IndexOf(name);
    if (i < 0) throw spec::ConfigError(network.source, "layers", "a layer named '" + name + "'");
    if (!network.layers[i].HasWeights()) {
      throw spec::ConfigError(network.source, LayerPath(network, i),
                              "a conv or fc layer for the HLS testbench (the core runs those)");
    }
    return i;
  }
  for (std::size_t i = 0; i < network.layers.size(); ++i) {
    if (network.layers[i].HasWeights()) return static_cast<int>(i);
  }
  throw spec::ConfigError(network.source, "layers", "at least one conv or fc layer");
}

// What the pin-level templates accept (models/pe/pe_array.h and models/accel/core.h
// static_asserts), checked here so that a design that cannot be exported is a config error, not a
// compile error in the exported project.
void CheckExportable(const spec::DesignSpec& d, const spec::Layer& layer, long long depth) {
  const auto fail = [&](const std::string& path, const std::string& what) {
    throw spec::ConfigError(d.source, path, what);
  };
  if (layer.act_bits < 1 || layer.act_bits > 8)
    fail("", "activations of 1 to 8 bits for the pin-level core");
  if (layer.weight_bits < 2 || layer.weight_bits > 8)
    fail("", "weights of 2 to 8 bits for the pin-level core");
  const int pack = d.dsp_engine.macs_per_dsp;
  if (pack == 2 && d.dsp_engine.rows % 2 != 0) {
    fail("dsp_engine.rows",
         "an even row count with macs_per_dsp 2 (a DSP computes two rows' products)");
  }
  const int fixed_acc = pe::FixedAccBits(layer.weight_bits, layer.act_bits, depth);
  const int sp2_acc = pe::Sp2AccBits(layer.weight_bits / 2, layer.act_bits, depth);
  if (std::max(fixed_acc, sp2_acc) > 32) {
    fail("tile.in_channels", "a dot product per step (" + std::to_string(depth) +
                                 ") whose accumulator fits the core's 32-bit sums");
  }
  if (pack == 2 && (layer.weight_bits + fixed_acc > 25 || 2 * fixed_acc > 48)) {
    fail("dsp_engine.macs_per_dsp",
         "1: two products per DSP need weight bits + accumulator bits <= 25 (here " +
             std::to_string(layer.weight_bits + fixed_acc) + " for a dot product of " +
             std::to_string(depth) + ")");
  }
  for (const auto& [cols, key] :
       {std::pair{d.dsp_engine.cols, "dsp_engine.cols"}, {d.lut_engine.cols, "lut_engine.cols"}}) {
    if (cols == 0) continue;  // an absent engine (ExportedShape)
    if (cols > d.tile.in_channels) {
      fail(key, "at most tile.in_channels (" + std::to_string(d.tile.in_channels) +
                    ") columns: an input word must hold one channel group of the array");
    }
    if (cols == 1) {
      // The cycle fidelity times both arrays with the 4-stage pipeline of a multi-column array.
      fail(key,
           "at least 2 columns (a 1-column array has no adder tree stage, which the cycle fidelity "
           "does not model)");
    }
  }
}

struct ArrayShape {
  int rows, cols;
};

// The array an engine is exported as. The core always has both engines; one the design leaves out
// (0 x 0, as a sweep does for an engine its ratio gives no filters) becomes the smallest array
// its kind allows, which never receives a filter.
ArrayShape ExportedShape(int rows, int cols, int macs_per_dsp) {
  if (rows == 0 || cols == 0) return {macs_per_dsp, 1};
  return {rows, cols};
}

std::string RegsCode(const accel::LayerRegs& r) {
  std::ostringstream os;
  os << "inline msqx::accel::LayerRegs Regs() {\n  msqx::accel::LayerRegs r;\n"
     << "  r.in_c = " << r.in_c << ";\n  r.in_h = " << r.in_h << ";\n  r.in_w = " << r.in_w << ";\n"
     << "  r.out_c = " << r.out_c << ";\n  r.out_h = " << r.out_h << ";\n  r.out_w = " << r.out_w
     << ";\n"
     << "  r.kernel = " << r.kernel << ";\n  r.stride = " << r.stride
     << ";\n  r.padding = " << r.padding << ";\n"
     << "  r.depthwise = " << (r.depthwise ? "true" : "false") << ";\n  r.act_bits = " << r.act_bits
     << ";\n"
     << "  r.dsp_mult = " << r.dsp_mult << ";\n  r.dsp_shift = " << r.dsp_shift << ";\n"
     << "  r.lut_mult = " << r.lut_mult << ";\n  r.lut_shift = " << r.lut_shift
     << ";\n  return r;\n}\n";
  return os.str();
}

std::string CommandsCode(const std::vector<accel::StepCmd>& cmds) {
  std::ostringstream os;
  os << "// out_row0, out_rows, out_col0, out_cols, in_ch0, in_chs, dsp_ch0, dsp_n, lut_ch0, "
        "lut_n,\n"
     << "// first_chunk, last_chunk\n"
     << "inline std::vector<msqx::accel::StepCmd> Commands() {\n"
     << "  static const int kSteps[][12] = {\n";
  for (const accel::StepCmd& c : cmds) {
    os << "      {" << c.out_row0 << ", " << c.out_rows << ", " << c.out_col0 << ", " << c.out_cols
       << ", " << c.in_ch0 << ", " << c.in_chs << ", " << c.dsp_ch0 << ", " << c.dsp_n << ", "
       << c.lut_ch0 << ", " << c.lut_n << ", " << c.first_chunk << ", " << c.last_chunk << "},\n";
  }
  os << "  };\n  std::vector<msqx::accel::StepCmd> cmds;\n"
     << "  for (const auto& s : kSteps) {\n    msqx::accel::StepCmd c;\n"
     << "    c.out_row0 = s[0];\n    c.out_rows = s[1];\n    c.out_col0 = s[2];\n    c.out_cols = "
        "s[3];\n"
     << "    c.in_ch0 = s[4];\n    c.in_chs = s[5];\n    c.dsp_ch0 = s[6];\n    c.dsp_n = s[7];\n"
     << "    c.lut_ch0 = s[8];\n    c.lut_n = s[9];\n    c.first_chunk = s[10] != 0;\n    "
        "c.last_chunk = s[11] != 0;\n"
     << "    cmds.push_back(c);\n  }\n  return cmds;\n}\n";
  return os.str();
}

std::string Banner(const spec::DesignSpec& d) {
  return GeneratedBanner(d.source.empty() ? d.name : d.source);
}

std::string TopHeader(const spec::DesignSpec& d, const spec::Layer& layer,
                      const accel::CoreSizing& s) {
  const auto depth = [](int words) {
    return std::max(words, 1);
  };  // an idle engine's buffers: 1 word
  const ArrayShape dsp =
      ExportedShape(d.dsp_engine.rows, d.dsp_engine.cols, d.dsp_engine.macs_per_dsp);
  const ArrayShape lut = ExportedShape(d.lut_engine.rows, d.lut_engine.cols, 1);
  std::ostringstream os;
  os << "#pragma once\n"
     << Banner(d) << "// The design point '" << d.name
     << "' as an instance of the pin-level core (models/accel/core.h):\n"
     << "// engine shapes from the design, buffer depths from its buffers.*_kib split by the "
        "fixed:SP2\n"
     << "// share (msqx's core_sizing), accumulators sized for the longest dot product of one "
        "step.\n"
     << "#include \"models/accel/core.h\"\n\nnamespace msqx_design {\n\n"
     << ClockDeclaration(d.clock_mhz) << "struct CoreCfg {\n"
     << "  using Dsp = msqx::pe::PeArrayConfig<msqx::pe::PeKind::kFixed, " << dsp.rows << ", "
     << dsp.cols << ", " << layer.act_bits << ", " << layer.weight_bits << ", " << s.max_depth
     << ", " << d.dsp_engine.macs_per_dsp << ">;\n"
     << "  using Lut = msqx::pe::PeArrayConfig<msqx::pe::PeKind::kSp2, " << lut.rows << ", "
     << lut.cols << ", " << layer.act_bits << ", " << layer.weight_bits << ", " << s.max_depth
     << ">;\n"
     << "  static constexpr int kTileIc = " << s.tile_ic << ";\n"
     << "  static constexpr int kInDepth = " << depth(s.in_depth) << ";  // words per half\n"
     << "  static constexpr int kDspWeightDepth = " << depth(s.dsp_weight_depth) << ";\n"
     << "  static constexpr int kLutWeightDepth = " << depth(s.lut_weight_depth) << ";\n"
     << "  static constexpr int kDspOutDepth = " << depth(s.dsp_out_depth) << ";\n"
     << "  static constexpr int kLutOutDepth = " << depth(s.lut_out_depth) << ";\n"
     << "  static constexpr int kBramLatency = " << s.timing.bram_latency << ";\n"
     << "  static constexpr bool kOverlapLoad = " << (s.timing.overlap_load ? "true" : "false")
     << ";\n"
     << "  static constexpr int kHalves = kOverlapLoad ? 2 : 1;\n"
     << "  static constexpr bool kOverlapStore = " << (s.timing.overlap_store ? "true" : "false")
     << ";\n"
     << "  static constexpr int kOutHalves = kOverlapStore ? 2 : 1;\n"
     << "};\n\n}  // namespace msqx_design\n\n"
     << TopDeclarations(kCoreTopType);
  return os.str();
}

std::string CaseHeader(const spec::DesignSpec& d, const spec::NetworkSpec& n, const HlsExport& e,
                       const spec::Layer& layer, const accel::LayerRegs& regs,
                       const std::vector<accel::StepCmd>& cmds, const std::string& fixed_filters,
                       unsigned seed) {
  std::ostringstream os;
  os << "#pragma once\n"
     << Banner(d) << "// The testbench's layer: " << layer.name << " (layer " << e.layer_index
     << " of network " << n.name
     << "), its registers, its step commands (the schedule msqx's cycle fidelity times) and the\n"
     << "// cycle count that fidelity predicts for it with an ideal memory.\n"
     << "#include <vector>\n\n#include \"models/accel/core_ports.h\"\n\nnamespace msqx_case {\n\n"
     << "inline constexpr const char* kDesign = \"" << d.name << "\";\n"
     << "inline constexpr const char* kLayer = \"" << layer.name << "\";\n"
     << "inline constexpr unsigned kSeed = " << seed << "u;\n"
     << "inline constexpr int kWeightBits = " << layer.weight_bits << ";\n"
     << "inline constexpr int kSp2M1 = " << layer.weight_bits / 2
     << ", kSp2M2 = " << (layer.weight_bits - 1) / 2 << ";\n"
     << "inline constexpr long long kExpectedCycles = " << e.expected_cycles << ";\n"
     << "// Per output channel: '1' when the DSP (fixed-point) engine computes it, '0' the LUT "
        "(SP2) one.\n"
     << "inline constexpr const char* kFixedFilters = \"" << fixed_filters << "\";\n\n"
     << RegsCode(regs) << "\n"
     << CommandsCode(cmds) << "\n}  // namespace msqx_case\n";
  return os.str();
}

nlohmann::json ExportJson(const spec::DesignSpec& d, const spec::NetworkSpec& n, const HlsExport& e,
                          unsigned seed) {
  const accel::CoreSizing& s = e.sizing;
  return {{"schema", "msqx.hls_export/1"},
          {"msqx", {{"version", MSQX_VERSION}, {"git", MSQX_GIT_HASH}}},
          {"design", d.name},
          {"network", n.name},
          {"device", d.device.name},
          {"clock_mhz", d.clock_mhz},
          {"top", std::string("Top = ") + kCoreTopType},
          {"layer",
           {{"index", e.layer_index},
            {"name", e.layer_name},
            {"steps", e.steps},
            {"outputs", e.outputs},
            {"seed", seed},
            {"expected_cycles", e.expected_cycles},
            {"memory", "ideal"}}},
          {"core",
           {{"tile_ic", s.tile_ic},
            {"act_bits", s.act_bits},
            {"weight_bits", s.weight_bits},
            {"max_step_depth", e.max_step_depth},
            {"in_depth", s.in_depth},
            {"dsp_weight_depth", s.dsp_weight_depth},
            {"lut_weight_depth", s.lut_weight_depth},
            {"dsp_out_depth", s.dsp_out_depth},
            {"lut_out_depth", s.lut_out_depth},
            {"double_buffered", s.timing.overlap_load}}}};
}

}  // namespace

std::vector<std::string> BramSystemVerilog() {
  return {"icsc/msqx_bram.sv", "icsc/msqx_bram_icsc.sv"};
}

long long MaxStepDepth(const spec::NetworkSpec& network, const spec::DesignSpec& design) {
  long long depth = 1;
  for (const spec::Layer& l : network.layers) {
    if (!l.HasWeights()) continue;
    const accel::LayerShape s = accel::LayerShape::FromLayer(l);
    const long long k2 = static_cast<long long>(s.kernel) * s.kernel;
    depth =
        std::max(depth, s.depthwise ? k2 : std::min(s.in_channels, design.tile.in_channels) * k2);
  }
  return depth;
}

HlsExport ExportHls(const spec::DesignSpec& design, const spec::NetworkSpec& network,
                    const HlsExportOptions& options, const fs::path& dir) {
  HlsExport e;
  e.dir = dir;
  e.layer_index = ChooseLayer(network, options.layer);
  const spec::Layer& layer = network.layers[e.layer_index];
  e.layer_name = layer.name;
  e.max_step_depth = MaxStepDepth(network, design);
  CheckExportable(design, layer, e.max_step_depth);
  e.sizing = accel::SizingOf(design, layer.act_bits, layer.weight_bits, e.max_step_depth);

  const accel::LayerShape shape = accel::LayerShape::FromLayer(layer);
  accel::Schedule schedule;
  try {
    schedule = accel::MakeSchedule(layer, design);
  } catch (const spec::ConfigError& error) {
    throw spec::ConfigError(design.source, LayerPath(network, e.layer_index), error.message());
  }
  const std::vector<accel::StepCmd> cmds = accel::CommandsOf(schedule);
  accel::LayerRegs regs = accel::RegsOf(shape, layer.act_bits);
  for (const accel::StepCmd& c : cmds) {
    const std::string why = accel::StepFits(e.sizing, regs, c);
    if (!why.empty()) {
      throw spec::ConfigError(design.source, "tile",
                              "a tile that fits the core's buffers on " +
                                  LayerPath(network, e.layer_index) + ", but " + why);
    }
  }
  // Requantization that maps a typical accumulator onto the activation range (ReLU cuts the
  // rest), so that the outputs are not all clamped; the multipliers vary with the seed.
  std::mt19937 rng(options.seed);
  int shift = 0;
  while ((1LL << shift) < shape.AccumulationDepth() * 4) ++shift;
  regs.dsp_mult = 3 + static_cast<int>(rng() % 13);
  regs.lut_mult = 3 + static_cast<int>(rng() % 13);
  regs.dsp_shift = shift;
  regs.lut_shift = shift + 1;
  const std::string regs_fit = accel::RegsFit(regs);
  if (!regs_fit.empty()) {
    throw spec::ConfigError(network.source, LayerPath(network, e.layer_index),
                            "a layer the exported core's registers can hold, but " + regs_fit);
  }

  accel::IdealMemory memory(shape.kernel, shape.stride, e.sizing.timing);
  e.expected_cycles =
      accel::TimeLayer(cmds, shape.kernel, shape.stride, e.sizing.timing, 0, &memory).Cycles();
  e.steps = cmds.size();
  e.outputs = static_cast<long long>(shape.out_height) * shape.out_width * shape.out_channels;
  std::string fixed_filters(shape.out_channels, '0');
  for (int oc : schedule.split.fixed) fixed_filters[oc] = '1';

  StartProject(dir);
  for (const EmbeddedFile& f : HlsCoreSources()) WriteProjectFile(dir / "src" / f.path, f.content);
  WriteProjectFile(dir / "tb" / "tb_main.cpp", HlsTemplate("tb_main.cpp"));
  WriteProjectFile(dir / "icsc" / "sc_main.cpp", HlsTemplate("icsc_main.cpp"));
  // The block RAM that ICSC's output instantiates for each mem::Bram (its intrinsic, bram.h).
  for (const std::string& sv : BramSystemVerilog())
    WriteProjectFile(dir / sv, HlsTemplate(fs::path(sv).filename().string()));
  WriteProjectFile(dir / "src" / "msqx_top.h", TopHeader(design, layer, e.sizing));
  WriteProjectFile(dir / "tb" / "layer_case.h",
                   CaseHeader(design, network, e, layer, regs, cmds, fixed_filters, options.seed));
  spec::DesignSpec with_network = design;
  with_network.network = network.name;
  WriteProjectFile(dir / "design.json", spec::DesignToJson(with_network).dump(2) + "\n");
  WriteProjectFile(dir / "export.json",
                   ExportJson(design, network, e, options.seed).dump(2) + "\n");
  WriteBuildScripts({design.name, design.device, design.clock_mhz, kCoreTopType}, dir);
  WriteProjectFile(dir / "README.md", TemplateReadme(design, network, e));
  return e;
}

HlsCheckTarget CheckTargetOf(const spec::DesignSpec& design, const spec::NetworkSpec& network,
                             const HlsExport& e) {
  HlsCheckTarget t;
  t.dir = e.dir;
  t.design = design.name;
  t.network = network.name;
  t.layer = e.layer_name;
  t.expected_cycles = e.expected_cycles;
  t.yosys_family = YosysFamily(design.device);
  // What Top holds: both engines, the five buffers and the controller (not the DMA, not the
  // post-processing unit).
  using dse::Component;
  const dse::ResourceEstimate r = dse::EstimateResources(design, network);
  dse::ResourceUse core;
  for (Component c :
       {Component::kDspEngine, Component::kLutEngine, Component::kInputBuffer,
        Component::kDspWeightBuffer, Component::kLutWeightBuffer, Component::kDspOutputBuffer,
        Component::kLutOutputBuffer, Component::kController}) {
    core += r[c];
  }
  t.estimate = {{"lut", core.lut}, {"ff", core.ff}, {"dsp", core.dsp}, {"bram18", core.bram18}};
  t.estimate_scope = "engines, input/weight/output buffers, controller";
  for (const std::string& sv : BramSystemVerilog()) t.systemverilog.push_back(e.dir / sv);
  return t;
}

}  // namespace msqx::hls
