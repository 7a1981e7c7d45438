#include "dse/hls/export.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "dse/hls/embedded_files.h"
#include "dse/hls/scripts.h"
#include "dse/resource.h"
#include "models/accel/core_fits.h"
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

struct ArrayShape {
  int rows, cols;
};

// The array an engine is exported as. The core always has both engines; one the design leaves out
// (0 rows, as a sweep does for an engine its ratio gives no filters) becomes the smallest array
// its kind allows, with the other engine's cols, which never receives a filter.
ArrayShape ExportedShape(int rows, int cols, int macs_per_dsp, int other_cols) {
  if (rows == 0 || cols == 0) return {macs_per_dsp, other_cols};
  return {rows, cols};
}

std::string RegsCode(const accel::LayerRegs& r) {
  std::ostringstream os;
  os << "inline msqx::accel::LayerRegs Regs() {\n  msqx::accel::LayerRegs r;\n";
  const std::pair<const char*, int> fields[] = {{"in_c", r.in_c},
                                                {"in_h", r.in_h},
                                                {"in_w", r.in_w},
                                                {"out_c", r.out_c},
                                                {"out_h", r.out_h},
                                                {"out_w", r.out_w},
                                                {"kh", r.kh},
                                                {"kw", r.kw},
                                                {"sh", r.sh},
                                                {"sw", r.sw},
                                                {"pt", r.pt},
                                                {"pl", r.pl},
                                                {"fold", r.fold},
                                                {"fold_sw", r.fold_sw},
                                                {"fold_pl", r.fold_pl},
                                                {"dw", r.dw},
                                                {"acc_depth", r.acc_depth},
                                                {"act_bits", r.act_bits},
                                                {"dsp_mult", r.dsp_mult},
                                                {"dsp_shift", r.dsp_shift},
                                                {"lut_mult", r.lut_mult},
                                                {"lut_shift", r.lut_shift}};
  for (const auto& [name, value] : fields) os << "  r." << name << " = " << value << ";\n";
  os << "  return r;\n}\n";
  return os.str();
}

std::string CommandsCode(const std::vector<accel::StepCmd>& cmds) {
  std::ostringstream os;
  os << "// out_row0, out_rows, out_col0, out_cols, in_ch0, in_chs, ch0, dsp_n, lut_n, dsp_w, "
        "lut_w,\n"
     << "// first_chunk, last_chunk\n"
     << "inline std::vector<msqx::accel::StepCmd> Commands() {\n"
     << "  static const long long kSteps[][13] = {\n";
  for (const accel::StepCmd& c : cmds) {
    os << "      {" << c.out_row0 << ", " << c.out_rows << ", " << c.out_col0 << ", " << c.out_cols
       << ", " << c.in_ch0 << ", " << c.in_chs << ", " << c.ch0 << ", " << c.dsp_n << ", "
       << c.lut_n << ", " << c.dsp_w << ", " << c.lut_w << ", " << c.first_chunk << ", "
       << c.last_chunk << "},\n";
  }
  os << "  };\n  std::vector<msqx::accel::StepCmd> cmds;\n"
     << "  for (const auto& s : kSteps) {\n    msqx::accel::StepCmd c;\n"
     << "    c.out_row0 = static_cast<int>(s[0]);\n    c.out_rows = static_cast<int>(s[1]);\n"
     << "    c.out_col0 = static_cast<int>(s[2]);\n    c.out_cols = static_cast<int>(s[3]);\n"
     << "    c.in_ch0 = static_cast<int>(s[4]);\n    c.in_chs = static_cast<int>(s[5]);\n"
     << "    c.ch0 = static_cast<int>(s[6]);\n    c.dsp_n = static_cast<int>(s[7]);\n"
     << "    c.lut_n = static_cast<int>(s[8]);\n"
     << "    c.dsp_w = static_cast<std::uint32_t>(s[9]);\n"
     << "    c.lut_w = static_cast<std::uint32_t>(s[10]);\n"
     << "    c.first_chunk = s[11] != 0;\n    c.last_chunk = s[12] != 0;\n"
     << "    cmds.push_back(c);\n  }\n  return cmds;\n}\n";
  return os.str();
}

// The layer's padding per side (0 top, 1 left, 2 bottom, 3 right); fc layers have none.
int layer_pads(const spec::Layer& layer, const accel::LayerShape& shape, int side) {
  if (layer.kind != spec::LayerKind::kConv) return 0;
  (void)shape;
  const int pads[4] = {layer.pad_top, layer.pad_left, layer.pad_bottom, layer.pad_right};
  return pads[side];
}

std::string Banner(const spec::DesignSpec& d) {
  return GeneratedBanner(d.source.empty() ? d.name : d.source);
}

std::string TopHeader(const spec::DesignSpec& d, const accel::CoreParams& s, int act_bits,
                      int weight_bits) {
  const auto depth = [](int words) {
    return std::max(words, 1);
  };  // an idle engine's buffers: 1 word
  const ArrayShape dsp =
      ExportedShape(d.dsp_engine.rows, d.dsp_engine.cols, d.dsp_engine.macs_per_dsp, s.geo.cols);
  const ArrayShape lut = ExportedShape(d.lut_engine.rows, d.lut_engine.cols, 1, s.geo.cols);
  const auto piece_rows = [&](int rows) {
    return std::min(rows, std::max(1, s.geo.tile_ic / s.geo.cols));
  };
  std::ostringstream os;
  os << "#pragma once\n"
     << Banner(d) << "// The design point '" << d.name
     << "' as an instance of the pin-level core (models/accel/core.h):\n"
     << "// engine shapes from the design, buffer depths from its buffers.*_kib split by the "
        "engines'\n"
     << "// rows (msqx's core_sizing), partial sums sized for the network's longest dot "
        "product.\n"
     << "#include \"models/accel/core.h\"\n\nnamespace msqx_design {\n\n"
     << ClockDeclaration(d.clock_mhz) << "struct CoreCfg {\n"
     << "  using Dsp = msqx::pe::PeArrayConfig<msqx::pe::PeKind::kFixed, " << dsp.rows << ", "
     << dsp.cols << ", " << act_bits << ", " << weight_bits << ", " << piece_rows(dsp.rows) << ", "
     << d.dsp_engine.macs_per_dsp << ", " << s.geo.dw_k << ">;\n"
     << "  using Lut = msqx::pe::PeArrayConfig<msqx::pe::PeKind::kSp2, " << lut.rows << ", "
     << lut.cols << ", " << act_bits << ", " << weight_bits << ", " << piece_rows(lut.rows)
     << ", 1, " << s.geo.dw_k << ">;\n"
     << "  static constexpr int kTileIc = " << s.geo.tile_ic << ";\n"
     << "  static constexpr int kInDepth = " << depth(s.in_depth) << ";  // words per half\n"
     << "  static constexpr int kDspWeightDepth = " << depth(s.dsp_weight_depth)
     << ";  // pieces per half\n"
     << "  static constexpr int kLutWeightDepth = " << depth(s.lut_weight_depth) << ";\n"
     << "  static constexpr int kDspOutDepth = " << depth(s.dsp_out_depth)
     << ";  // partial-sum words per bank\n"
     << "  static constexpr int kLutOutDepth = " << depth(s.lut_out_depth) << ";\n"
     << "  static constexpr long long kMaxDepth = " << s.max_depth << ";\n"
     << "  static constexpr int kBramLatency = " << s.bram_latency << ";\n"
     << "  static constexpr bool kDoubleBuffered = " << (s.double_buffered ? "true" : "false")
     << ";\n"
     << "};\n\n}  // namespace msqx_design\n\n"
     << TopDeclarations(kCoreTopType);
  return os.str();
}

std::string CaseHeader(const spec::DesignSpec& d, const spec::NetworkSpec& n, const HlsExport& e,
                       const spec::Layer& layer, const accel::LayerShape& shape,
                       const accel::LayerRegs& regs, const std::vector<accel::StepCmd>& cmds,
                       const std::string& fixed_filters, unsigned seed) {
  std::ostringstream os;
  os << "#pragma once\n"
     << Banner(d) << "// The testbench's layer: " << layer.name << " (layer " << e.layer_index
     << " of network " << n.name
     << "), its registers, its step commands (the schedule msqx's cycle fidelity times) and the\n"
     << "// cycle count that fidelity predicts for it with an ideal memory.\n"
     << "#include <cstdint>\n#include <vector>\n\n#include \"models/accel/core_ports.h\"\n\n"
     << "namespace msqx_case {\n\n"
     << "inline constexpr const char* kDesign = \"" << d.name << "\";\n"
     << "inline constexpr const char* kLayer = \"" << layer.name << "\";\n"
     << "inline constexpr unsigned kSeed = " << seed << "u;\n"
     << "inline constexpr int kWeightBits = " << layer.weight_bits << ";\n"
     << "inline constexpr int kSp2M1 = " << layer.weight_bits / 2
     << ", kSp2M2 = " << (layer.weight_bits - 1) / 2 << ";\n"
     << "inline constexpr long long kExpectedCycles = " << e.expected_cycles << ";\n"
     << "// Per output channel: '1' when the DSP (fixed-point) engine computes it, '0' the LUT "
        "(SP2) one.\n"
     << "inline constexpr const char* kFixedFilters = \"" << fixed_filters << "\";\n"
     << "// The layer as its weights and golden model see it (the registers may fold it).\n"
     << "inline constexpr int kKh = " << shape.kh << ", kKw = " << shape.kw
     << ", kSh = " << shape.sh << ", kSw = " << shape.sw << ";\n"
     << "inline constexpr int kPadTop = " << layer_pads(layer, shape, 0)
     << ", kPadLeft = " << layer_pads(layer, shape, 1)
     << ", kPadBottom = " << layer_pads(layer, shape, 2)
     << ", kPadRight = " << layer_pads(layer, shape, 3) << ";\n"
     << "inline constexpr bool kDepthwise = " << (shape.depthwise ? "true" : "false") << ";\n\n"
     << RegsCode(regs) << "\n"
     << CommandsCode(cmds) << "\n}  // namespace msqx_case\n";
  return os.str();
}

nlohmann::json ExportJson(const spec::DesignSpec& d, const spec::NetworkSpec& n, const HlsExport& e,
                          unsigned seed) {
  const accel::CoreParams& s = e.sizing;
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
           {{"tile_ic", s.geo.tile_ic},
            {"cols", s.geo.cols},
            {"act_bits", e.act_bits},
            {"weight_bits", e.weight_bits},
            {"max_depth", s.max_depth},
            {"in_depth", s.in_depth},
            {"in_banks", s.geo.in_banks},
            {"dw_window", s.geo.dw_k},
            {"dsp_weight_depth", s.dsp_weight_depth},
            {"lut_weight_depth", s.lut_weight_depth},
            {"dsp_out_depth", s.dsp_out_depth},
            {"lut_out_depth", s.lut_out_depth},
            {"double_buffered", s.double_buffered}}}};
}

}  // namespace

std::vector<std::string> BramSystemVerilog() {
  return {"icsc/msqx_bram.sv", "icsc/msqx_bram_icsc.sv"};
}

HlsExport ExportHls(const spec::DesignSpec& design, const spec::NetworkSpec& network,
                    const HlsExportOptions& options, const fs::path& dir) {
  HlsExport e;
  e.dir = dir;
  e.layer_index = ChooseLayer(network, options.layer);
  const spec::Layer& layer = network.layers[e.layer_index];
  e.layer_name = layer.name;
  // The instance the network runs on, refused (a config error naming the design key) when the
  // template cannot build it: the rules of TemplateMisfit, the ones a sweep applies.
  e.sizing = accel::SizingOf(design, network);
  e.act_bits = 1;
  e.weight_bits = 2;
  for (const spec::Layer& l : network.layers) {
    e.act_bits = std::max(e.act_bits, l.act_bits);
    if (l.HasWeights()) e.weight_bits = std::max(e.weight_bits, l.weight_bits);
  }
  accel::Schedule schedule;
  try {
    schedule = accel::MakeSchedule(layer, design, e.sizing);
  } catch (const spec::ConfigError& error) {
    throw spec::ConfigError(design.source, LayerPath(network, e.layer_index), error.message());
  }
  const accel::LayerShape& shape = schedule.layer;
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

  accel::IdealMemory memory(shape.Compute(), e.sizing);
  e.expected_cycles = accel::TimeLayer(cmds, shape.Compute(), e.sizing, 0, &memory).Cycles();
  e.steps = cmds.size();
  e.outputs = static_cast<long long>(shape.out_height) * shape.out_width * shape.out_channels;
  std::string fixed_filters(shape.out_channels, '0');
  for (const accel::Step& st : schedule.steps) {
    for (int f = 0; f < st.dsp_n; ++f) fixed_filters[st.ch0 + f] = '1';
  }

  StartProject(dir);
  for (const EmbeddedFile& f : HlsCoreSources()) WriteProjectFile(dir / "src" / f.path, f.content);
  WriteProjectFile(dir / "tb" / "tb_main.cpp", HlsTemplate("tb_main.cpp"));
  WriteProjectFile(dir / "icsc" / "sc_main.cpp", HlsTemplate("icsc_main.cpp"));
  // The block RAM that ICSC's output instantiates for each mem::Bram (its intrinsic, bram.h).
  for (const std::string& sv : BramSystemVerilog())
    WriteProjectFile(dir / sv, HlsTemplate(fs::path(sv).filename().string()));
  WriteProjectFile(dir / "src" / "msqx_top.h",
                   TopHeader(design, e.sizing, e.act_bits, e.weight_bits));
  WriteProjectFile(dir / "tb" / "layer_case.h", CaseHeader(design, network, e, layer, shape, regs,
                                                           cmds, fixed_filters, options.seed));
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
  const dse::ResourceUse core = dse::CoreResources(dse::EstimateResources(design, network));
  t.estimate = {{"lut", core.lut}, {"ff", core.ff}, {"dsp", core.dsp}, {"bram18", core.bram18}};
  t.estimate_scope = "engines, input/weight/output buffers, controller";
  for (const std::string& sv : BramSystemVerilog()) t.systemverilog.push_back(e.dir / sv);
  return t;
}

}  // namespace msqx::hls
