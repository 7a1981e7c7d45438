#include "dse/hls/unrolled.h"

#include <algorithm>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "dse/hls/embedded_files.h"
#include "dse/hls/scripts.h"
#include "dse/unrolled_eval.h"
#include "models/unrolled/alignment.h"
#include "models/unrolled/unrolled_timing.h"
#include "msqx/version.h"

namespace msqx::hls {
namespace {

namespace fs = std::filesystem;

constexpr const char* kTopType = "msqx::unrolled::UnrolledDense<msqx_design::LayerCfg>";
constexpr int kVectors = 200;

std::string Banner(const spec::UnrolledDesignSpec& d) {
  return GeneratedBanner(d.source.empty() ? d.name : d.source);
}

// The input bus carries every activation in one field width and sign: the widest input, signed
// when any input's type is (an unsigned input then needs one more bit). The previous layer's
// output bus is sized by the same rule (dense_pin.h, OutBits), so that the two are one type.
void InputField(const unrolled::PrecisionTensor& acts, int* bits, bool* is_signed) {
  *is_signed = std::any_of(acts.types.begin(), acts.types.end(),
                           [](const auto& t) { return t.sign_bits == 1; });
  *bits = 1;
  for (const auto& t : acts.types)
    *bits = std::max(*bits, t.Bits() + (*is_signed && t.sign_bits == 0 ? 1 : 0));
}

// Bits of the widest output sum, as dense_pin.h's SumBits: sum_j |c'_oj| * max|x| + |b'_o| plus
// the sign (in 128 bits, so that a layer too wide for the pin model's int64 is seen, not
// wrapped); at most 64.
int OutputBits(const std::vector<std::int64_t>& constants, const std::vector<std::int64_t>& bias,
               int out, int in, int act_bits, bool act_signed) {
  using Wide = unsigned __int128;
  const Wide one = 1;
  const Wide x_max = act_signed ? one << (act_bits - 1) : (one << act_bits) - 1;
  const auto magnitude = [](std::int64_t c) {
    return static_cast<Wide>(c < 0 ? -static_cast<__int128>(c) : static_cast<__int128>(c));
  };
  int bits = 1;
  for (int o = 0; o < out; ++o) {
    Wide bound = magnitude(bias[static_cast<std::size_t>(o)]);
    for (int j = 0; j < in; ++j) {
      bound += magnitude(constants[static_cast<std::size_t>(o) * in + j]) * x_max;
    }
    int n = 1;
    for (; bound != 0; bound >>= 1) ++n;
    bits = std::max(bits, std::min(n, 64));
  }
  return bits;
}

// What the layer's output register does (output_stage.h), as LayerCfg and layer_case.h state it.
struct Stage {
  bool relu = false;
  bool requant = false;
  std::vector<int> shift, bits, frac, sign, overflow;  // per output, of the next layer's types
};

Stage StageOf(const unrolled::OutputStage& out, const unrolled::DenseAlignment& alignment) {
  Stage s;
  s.relu = out.relu;
  s.requant = out.Requantizes();
  for (std::size_t o = 0; s.requant && o < out.requant.types.size(); ++o) {
    const unrolled::FixedType& t = out.requant.types[o];
    s.shift.push_back(alignment.output_frac_bits[o] - t.fractional_bits);
    s.bits.push_back(t.Bits());
    s.frac.push_back(t.fractional_bits);
    s.sign.push_back(t.sign_bits);
    s.overflow.push_back(t.overflow == unrolled::Overflow::kWrap  ? 0
                         : t.overflow == unrolled::Overflow::kSat ? 1
                                                                  : 2);
  }
  return s;
}

template <typename T>
void WriteArray(std::ostream& os, const std::vector<T>& values, const char* indent) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    os << (i % 16 == 0 ? std::string("\n") + indent : std::string(" ")) << values[i]
       << (i + 1 < values.size() ? "," : "");
  }
}

// "true, false, ..." of a vector of flags.
std::vector<std::string> Bools(const std::vector<int>& v) {
  std::vector<std::string> out;
  for (int b : v) out.push_back(b ? "true" : "false");
  return out;
}

std::string TopHeader(const spec::UnrolledDesignSpec& d, const unrolled::HgqDenseLayer& l,
                      int act_bits, bool act_signed, const unrolled::UnrolledParams& params,
                      const std::vector<std::int64_t>& constants,
                      const std::vector<std::int64_t>& bias,
                      const unrolled::DenseAlignment& alignment, const Stage& stage) {
  const auto& q = l.quantized;
  std::ostringstream os;
  os << "#pragma once\n"
     << Banner(d) << "// Layer " << l.name << " of the unrolled design '" << d.name << "' ("
     << d.PrecisionLabel()
     << " precision): its weight codes as constant multipliers (models/unrolled/dense_pin.h).\n"
     << "#include <cstdint>\n\n#include \"models/unrolled/dense_pin.h\"\n\nnamespace msqx_design "
        "{\n\n"
     << ClockDeclaration(d.clock_mhz) << "struct LayerCfg {\n"
     << "  static constexpr int kIn = " << q.in_features << ";\n"
     << "  static constexpr int kOut = " << q.out_features << ";\n"
     << "  static constexpr int kActBits = " << act_bits << ";\n"
     << "  static constexpr bool kActSigned = " << (act_signed ? "true" : "false") << ";\n"
     << "  static constexpr int kReuse = " << params.reuse_factor << ";\n"
     << "  static constexpr int kDspMinBits = " << params.dsp_min_bits << ";\n"
     << "  static constexpr int kDspStages = " << params.dsp_stages << ";\n"
     << "  // Row-major [out][in]: each weight's code moved onto its output's binary point,\n"
     << "  // code << (F_o - f_oj - fx_j) (docs/unrolled.md, \"Alignment\"); 0 where the weight or "
        "its input\n"
     << "  // is pruned.\n"
     << "  static constexpr std::int64_t kCodes[kOut * kIn] = {";
  WriteArray(os, constants, "      ");
  os << "};\n"
     << "  // Each input's own width (k+i+f of its type, 0: pruned): its multipliers' size.\n"
     << "  static constexpr int kInputBits[kIn] = {";
  std::vector<int> input_bits;
  for (const auto& t : l.activations.types) input_bits.push_back(t.Bits());
  WriteArray(os, input_bits, "      ");
  os << "};\n";
  if (std::any_of(bias.begin(), bias.end(), [](std::int64_t b) { return b != 0; })) {
    os << "  // The bias codes moved onto each output's binary point, a constant leaf of its "
          "tree.\n"
       << "  static constexpr std::int64_t kBias[kOut] = {";
    WriteArray(os, bias, "      ");
    os << "};\n";
  }
  if (stage.relu) os << "  static constexpr bool kRelu = true;  // the output register's ReLU\n";
  os << "  // F_o: the exact sum of output o is y_o * 2^-kOutFracBits[o].\n"
     << "  static constexpr int kOutFracBits[kOut] = {";
  WriteArray(os, alignment.output_frac_bits, "      ");
  os << "};\n";
  if (stage.requant) {
    os << "  // The output register requantizes output o to the next layer's input type:\n"
       << "  // shift F_o - f', width k'+i'+f' (0: pruned), sign, overflow (0 wrap, 1 sat, 2 "
          "sat_sym).\n"
       << "  static constexpr int kOutShift[kOut] = {";
    WriteArray(os, stage.shift, "      ");
    os << "};\n  static constexpr int kOutCodeBits[kOut] = {";
    WriteArray(os, stage.bits, "      ");
    os << "};\n  static constexpr bool kOutCodeSigned[kOut] = {";
    WriteArray(os, Bools(stage.sign), "      ");
    os << "};\n  static constexpr int kOutOverflow[kOut] = {";
    WriteArray(os, stage.overflow, "      ");
    os << "};\n";
  }
  os << "};\n\n}  // namespace msqx_design\n\n" << TopDeclarations(kTopType);
  return os.str();
}

std::string CaseHeader(const spec::UnrolledDesignSpec& d, const unrolled::HgqDenseLayer& l,
                       const unrolled::UnrolledLayerTiming& t, unsigned seed, const Stage& stage) {
  std::ostringstream os;
  os << "#pragma once\n"
     << Banner(d) << "// The testbench's layer " << l.name
     << ": the code range of each input (its own precision), the weights'\n"
     << "// codes and fractional bits and the inputs' fractional bits before alignment (for the "
        "golden), and the\n"
     << "// latency and initiation interval msqx's cycle fidelity gives it.\n"
     << "#include <cstdint>\n\nnamespace msqx_case {\n\n"
     << "inline constexpr const char* kDesign = \"" << d.name << "\";\n"
     << "inline constexpr const char* kLayer = \"" << l.name << "\";\n"
     << "inline constexpr unsigned kSeed = " << seed << "u;\n"
     << "inline constexpr int kVectors = " << kVectors << ";\n"
     << "inline constexpr int kExpectedLatency = " << t.latency_cycles << ";\n"
     << "inline constexpr int kExpectedIi = " << t.initiation_interval << ";\n";
  for (const char* which : {"Min", "Max"}) {
    os << "inline constexpr std::int64_t kInput" << which << "[] = {";
    for (std::size_t j = 0; j < l.activations.types.size(); ++j) {
      const auto& type = l.activations.types[j];
      os << (j % 16 == 0 ? "\n    " : " ") << (which[1] == 'i' ? type.MinCode() : type.MaxCode())
         << (j + 1 < l.activations.types.size() ? "," : "");
    }
    os << "};\n";
  }
  std::vector<int> input_bits, input_frac, weight_frac;
  for (const auto& t : l.activations.types) {
    input_bits.push_back(t.IsPruned() ? 0 : t.TotalBits());
    input_frac.push_back(t.fractional_bits);
  }
  for (const auto& t : l.quantized.weight_types.types) weight_frac.push_back(t.fractional_bits);
  std::vector<std::int64_t> bias_codes(static_cast<std::size_t>(l.quantized.out_features), 0);
  std::vector<int> bias_frac(bias_codes.size(), 0);
  for (int o = 0; o < l.quantized.out_features; ++o) {
    bias_codes[static_cast<std::size_t>(o)] = l.quantized.BiasCode(o);
    if (l.quantized.HasBias())
      bias_frac[static_cast<std::size_t>(o)] =
          l.quantized.bias_types[static_cast<std::size_t>(o)].fractional_bits;
  }
  os << "// The bias: its codes and fractional bits f_b (all 0 without one).\n"
     << "inline constexpr std::int64_t kBiasCodes[] = {";
  WriteArray(os, bias_codes, "    ");
  os << "};\ninline constexpr int kBiasFracBits[] = {";
  WriteArray(os, bias_frac, "    ");
  os << "};\n// The output stage: a ReLU, and the next layer's input types (k'+i'+f' bits, 0: "
        "pruned;\n// f'; sign; overflow 0 wrap, 1 sat, 2 sat_sym) the outputs are requantized to.\n"
     << "inline constexpr bool kRelu = " << (stage.relu ? "true" : "false") << ";\n"
     << "inline constexpr bool kRequant = " << (stage.requant ? "true" : "false") << ";\n";
  const std::size_t outs = static_cast<std::size_t>(l.quantized.out_features);
  const auto or_zeros = [&](const std::vector<int>& v) {
    return stage.requant ? v : std::vector<int>(outs, 0);
  };
  os << "inline constexpr int kOutCodeBits[] = {";
  WriteArray(os, or_zeros(stage.bits), "    ");
  os << "};\ninline constexpr int kOutCodeFracBits[] = {";
  WriteArray(os, or_zeros(stage.frac), "    ");
  os << "};\ninline constexpr int kOutCodeSign[] = {";
  WriteArray(os, or_zeros(stage.sign), "    ");
  os << "};\ninline constexpr int kOutOverflow[] = {";
  WriteArray(os, or_zeros(stage.overflow), "    ");
  os << "};\n";
  os << "// Total bits of each input (0: pruned) and its fractional bits fx_j.\n"
     << "inline constexpr int kInputBits[] = {";
  WriteArray(os, input_bits, "    ");
  os << "};\ninline constexpr int kInputFracBits[] = {";
  WriteArray(os, input_frac, "    ");
  os << "};\n// Row-major [out][in]: the quantized weights' codes and fractional bits f_oj.\n"
     << "inline constexpr std::int64_t kWeightCodes[] = {";
  WriteArray(os, l.quantized.codes, "    ");
  os << "};\ninline constexpr int kWeightFracBits[] = {";
  WriteArray(os, weight_frac, "    ");
  os << "};\n\n}  // namespace msqx_case\n";
  return os.str();
}

std::string FracBitsText(const std::vector<int>& f) {
  std::string text = "F = ";
  for (std::size_t o = 0; o < f.size(); ++o) text += (o ? ", " : "") + std::to_string(f[o]);
  return text;
}

std::string Readme(const spec::UnrolledDesignSpec& d, const spec::NetworkSpec& n,
                   const UnrolledHlsExport& e, int act_bits, bool act_signed) {
  std::ostringstream os;
  os << "# " << d.name << " / " << e.layer << ": HLS project exported by msqx " << MSQX_VERSION
     << "\n\n"
     << "Layer `" << e.layer << "` (" << e.in_features << " -> " << e.out_features << ", "
     << e.products << " non-zero weights) of network `" << n.name
     << "` fully unrolled: every weight a constant multiplier "
     << "(CSD shift-adds in LUTs, or a DSP above " << d.dsp_min_bits
     << " product bits), an adder tree per output, "
     << "reuse factor " << d.reuse_factor << " (" << d.PrecisionLabel() << " precision, "
     << d.device.name << ", " << d.clock_mhz << " MHz). Inputs travel as " << act_bits << "-bit "
     << (act_signed ? "signed" : "unsigned")
     << " codes. Each output is the exact sum of its products on one binary point: output o is y_o "
        "* 2^-F_o, "
     << "F_o = the largest f_weight + f_input among its products ("
     << FracBitsText(e.output_frac_bits) << "), "
     << "each product moved onto it by a shift folded into the weight's constant (wiring; "
        "docs/unrolled.md, "
     << "\"Alignment\"); the bias joins its output's sum the same way, and the output register "
        "applies "
     << (e.relu ? "a ReLU and " : "")
     << (e.requant ? "the requantization to the next layer's input types (their codes leave the "
                     "layer)"
                   : "nothing else (the exact sums leave the layer)")
     << ".\n\n"
     << "- `src/msqx_top.h`: the layer's configuration (`msqx_design::LayerCfg`, weight codes "
        "included) and `Top`.\n"
     << "- `src/models/`: msqx's synthesizable unrolled layer (`models/unrolled/dense_pin.h`).\n"
     << "- `tb/tb_main.cpp`, `tb/layer_case.h`: the testbench and its layer.\n\n"
     << "## Simulate (Debian's SystemC)\n\n```sh\ncmake -S . -B build && cmake --build build -j && "
        "ctest --test-dir build "
        "--output-on-failure\n```\n\n"
     << "The testbench streams " << kVectors
     << " random input vectors (each input within its own precision's code "
     << "range) with an always-ready sink and checks every output bit for bit against the golden "
        "it computes from the "
     << "weights' codes and the weights' and inputs' fractional bits (and y_o * 2^-F_o against the "
        "real-valued dot "
     << "product), the first "
     << "vector's latency against " << e.latency_cycles
     << " cycles and the output spacing against the initiation "
     << "interval " << e.initiation_interval << ": what `msqx sim --design design.json --network "
     << n.name
     << "` reports for this layer (layers.csv, latency_cycles and initiation_interval).\n\n"
     << ToolsReadme({d.name, d.device, d.clock_mhz, kTopType});
  return os.str();
}

}  // namespace

UnrolledHlsExport ExportUnrolledHls(const spec::UnrolledDesignSpec& design,
                                    const spec::NetworkSpec& network,
                                    const HlsExportOptions& options, const fs::path& dir) {
  const unrolled::HgqNetwork net = dse::UnrolledWeights(design, network);
  std::size_t index = net.layers.size() - 1;
  if (!options.layer.empty()) {
    const auto it = std::find_if(net.layers.begin(), net.layers.end(),
                                 [&](const auto& l) { return l.name == options.layer; });
    if (it == net.layers.end()) {
      throw spec::ConfigError(network.source, "layers",
                              "an fc layer named '" + options.layer + "'");
    }
    index = static_cast<std::size_t>(it - net.layers.begin());
  }
  const unrolled::HgqDenseLayer& layer = net.layers[index];
  const unrolled::UnrolledParams params = dse::UnrolledParamsOf(design);
  const unrolled::OutputStage output = unrolled::UnrolledChain(net, params)[index].output;
  const unrolled::UnrolledLayerTiming timing =
      unrolled::DenseUnrolledTiming(layer.name, layer.quantized, layer.activations, params, output);
  const unrolled::UnrolledCost cost =
      unrolled::DenseUnrolledCost(layer.quantized, layer.activations, params, output);
  if (cost.products == 0) {
    throw spec::ConfigError(network.source, "layers",
                            "layer " + layer.name + " with at least one non-zero weight");
  }
  int act_bits = 0;
  bool act_signed = false;
  InputField(layer.activations, &act_bits, &act_signed);
  const unrolled::DenseAlignment alignment =
      unrolled::AlignDense(layer.quantized, layer.activations);
  std::vector<std::int64_t> constants, bias;
  try {
    constants = unrolled::AlignedCodes(layer.quantized, layer.activations);
    bias = unrolled::AlignedBias(layer.quantized, layer.activations);
  } catch (const std::invalid_argument& err) {
    throw spec::ConfigError(
        network.source, "layers",
        "layer " + layer.name + " with aligned constants of at most 62 bits: " + err.what());
  }
  const int sum_bits = OutputBits(constants, bias, layer.quantized.out_features,
                                  layer.quantized.in_features, act_bits, act_signed);
  if (sum_bits > 62) {
    throw spec::ConfigError(
        network.source, "layers",
        "layer " + layer.name +
            " whose aligned sums fit in 62 bits (the pin model's int64 datapath)");
  }
  const Stage stage = StageOf(output, alignment);
  for (int shift : stage.shift) {
    // The output register scales a sum up by 2^-shift or rounds 2^shift away, in int64.
    if (shift > 62 || sum_bits - shift > 62) {
      throw spec::ConfigError(network.source, "layers",
                              "layer " + layer.name +
                                  " whose requantization to the next layer's input types moves "
                                  "the sums by at most 62 bits (got a shift of " +
                                  std::to_string(shift) + ")");
    }
  }

  UnrolledHlsExport e;
  e.layer = layer.name;
  e.in_features = layer.quantized.in_features;
  e.out_features = layer.quantized.out_features;
  e.products = cost.products;
  e.latency_cycles = timing.latency_cycles;
  e.initiation_interval = timing.initiation_interval;
  e.output_frac_bits = alignment.output_frac_bits;
  e.relu = stage.relu;
  e.requant = stage.requant;

  StartProject(dir);
  for (const EmbeddedFile& f : HlsUnrolledSources())
    WriteProjectFile(dir / "src" / f.path, f.content);
  WriteProjectFile(dir / "tb" / "tb_main.cpp", HlsTemplate("unrolled_tb_main.cpp"));
  WriteProjectFile(dir / "icsc" / "sc_main.cpp", HlsTemplate("unrolled_icsc_main.cpp"));
  WriteProjectFile(
      dir / "src" / "msqx_top.h",
      TopHeader(design, layer, act_bits, act_signed, params, constants, bias, alignment, stage));
  WriteProjectFile(dir / "tb" / "layer_case.h",
                   CaseHeader(design, layer, timing, options.seed, stage));
  spec::UnrolledDesignSpec with_network = design;
  with_network.network = network.name;
  WriteProjectFile(dir / "design.json", spec::UnrolledDesignToJson(with_network).dump(2) + "\n");
  WriteBuildScripts({design.name, design.device, design.clock_mhz, kTopType}, dir);
  WriteProjectFile(dir / "README.md", Readme(design, network, e, act_bits, act_signed));
  const nlohmann::json exported = {{"schema", "msqx.hls_export/1"},
                                   {"msqx", {{"version", MSQX_VERSION}, {"git", MSQX_GIT_HASH}}},
                                   {"design", design.name},
                                   {"kind", "unrolled"},
                                   {"network", network.name},
                                   {"device", design.device.name},
                                   {"clock_mhz", design.clock_mhz},
                                   {"top", std::string("Top = ") + kTopType},
                                   {"layer",
                                    {{"name", e.layer},
                                     {"in_features", e.in_features},
                                     {"out_features", e.out_features},
                                     {"products", e.products},
                                     {"vectors", kVectors},
                                     {"seed", options.seed},
                                     {"expected_cycles", e.latency_cycles},
                                     {"expected_initiation_interval", e.initiation_interval},
                                     {"output_frac_bits", e.output_frac_bits},
                                     {"bias", layer.quantized.HasBias()},
                                     {"relu", e.relu},
                                     {"requantized", e.requant},
                                     {"max_alignment_shift", alignment.MaxShift()}}}};
  WriteProjectFile(dir / "export.json", exported.dump(2) + "\n");

  e.target.dir = dir;
  e.target.design = design.name;
  e.target.network = network.name;
  e.target.layer = e.layer;
  e.target.expected_cycles = e.latency_cycles;
  e.target.yosys_family = YosysFamily(design.device);
  e.target.estimate = {{"lut", cost.lut}, {"ff", cost.ff}, {"dsp", cost.dsp}, {"bram18", 0}};
  e.target.estimate_scope = "the unrolled layer (DenseUnrolledCost)";
  return e;
}

}  // namespace msqx::hls
