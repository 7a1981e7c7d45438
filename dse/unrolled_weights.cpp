#include "dse/unrolled_weights.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "models/spec/config_error.h"
#include "sim/io/npy.h"
#include "sim/io/precision_io.h"
#include "sim/io/weights.h"
#include "sim/spec/json_reader.h"

namespace msqx::dse {
namespace {

namespace fs = std::filesystem;
using unrolled::Overflow;

io::BitArray BitsOf(const fs::path& file) {
  const io::NpyArray a = io::ReadNpy(file.string());
  return {file.string(), a.shape, a.values};
}

std::string ShapeText(const std::vector<std::int64_t>& shape) {
  std::string text;
  for (auto d : shape) text += (text.empty() ? "" : " x ") + std::to_string(d);
  return text;
}

// One tensor's precision: `<stem>_precision.json` if present, else the .npy arrays (the sign-bit
// array optional, `default_sign` without it), every element with the tensor's overflow mode.
unrolled::PrecisionTensor PrecisionOf(const fs::path& dir, const std::string& stem,
                                      int default_sign, const std::vector<std::int64_t>& shape,
                                      Overflow overflow) {
  const fs::path json = dir / (stem + "_precision.json");
  unrolled::PrecisionTensor p;
  if (fs::exists(json)) {
    p = io::LoadPrecisionJson(json.string(), default_sign);
  } else {
    const fs::path ints = dir / (stem + "_int_bits.npy"), fracs = dir / (stem + "_frac_bits.npy");
    const fs::path signs = dir / (stem + "_sign_bits.npy");
    if (!fs::exists(ints) || !fs::exists(fracs)) {
      throw spec::ConfigError(dir.string(), stem,
                              "a precision for " + stem + ": " + json.filename().string() +
                                  ", or " + ints.filename().string() + " with " +
                                  fracs.filename().string());
    }
    p = fs::exists(signs) ? io::PrecisionFromBitArrays(BitsOf(ints), BitsOf(fracs), BitsOf(signs))
                          : io::PrecisionFromBitArrays(BitsOf(ints), BitsOf(fracs), default_sign);
  }
  if (p.shape != shape) {
    throw spec::ConfigError(
        (dir / stem).string(), "shape",
        "a precision of shape " + ShapeText(shape) + " (the layer's), got " + ShapeText(p.shape));
  }
  for (auto& t : p.types) t.overflow = overflow;
  return p;
}

struct Overflows {
  Overflow weight = Overflow::kSatSym;
  Overflow input = Overflow::kWrap;
  Overflow bias = Overflow::kWrap;
};

Overflows OverflowsOf(const fs::path& dir, const std::string& layer) {
  Overflows o;
  const fs::path file = dir / (layer + ".overflow.json");
  if (!fs::exists(file)) return o;
  const spec::Document doc = spec::Document::Load(file.string());
  const spec::Node root = doc.Root();
  root.ExpectObject({"weight", "input", "bias"});
  const auto read = [&](const char* key, Overflow& out) {
    if (!root.Has(key)) return;
    out = *unrolled::ParseOverflow(root.At(key).OneOf({"wrap", "sat", "sat_sym"}));
  };
  read("weight", o.weight);
  read("input", o.input);
  read("bias", o.bias);
  return o;
}

std::vector<double> FloatsOf(const fs::path& file, const std::vector<std::int64_t>& shape,
                             const std::string& what) {
  const io::NpyArray a = io::ReadNpy(file.string());
  if (a.shape != shape) {
    throw spec::ConfigError(file.string(), "shape",
                            what + " of shape " + ShapeText(shape) + ", got " + ShapeText(a.shape));
  }
  return a.values;
}

io::NpyArray Array(std::vector<std::int64_t> shape, std::vector<double> values,
                   io::NpyType type = io::NpyType::kFloat64) {
  io::NpyArray a;
  a.type = type;
  a.shape = std::move(shape);
  a.values = std::move(values);
  return a;
}

void WritePrecision(const unrolled::PrecisionTensor& p, const fs::path& dir,
                    const std::string& stem) {
  std::vector<double> ints, fracs, signs;
  for (const auto& t : p.types) {
    ints.push_back(t.integer_bits);
    fracs.push_back(t.fractional_bits);
    signs.push_back(t.sign_bits);
  }
  io::WriteNpy((dir / (stem + "_int_bits.npy")).string(),
               Array(p.shape, ints, io::NpyType::kInt64));
  io::WriteNpy((dir / (stem + "_frac_bits.npy")).string(),
               Array(p.shape, fracs, io::NpyType::kInt64));
  io::WriteNpy((dir / (stem + "_sign_bits.npy")).string(),
               Array(p.shape, signs, io::NpyType::kInt64));
}

const char* OverflowOf(const unrolled::PrecisionTensor& p, Overflow fallback) {
  return unrolled::ToString(p.types.empty() ? fallback : p.types.front().overflow);
}

}  // namespace

unrolled::HgqNetwork LoadHgqWeights(const spec::NetworkSpec& network, const std::string& dir_name) {
  const fs::path dir(dir_name);
  if (!fs::is_directory(dir))
    throw spec::ConfigError(dir_name, "", "a folder of weights and precision files");
  unrolled::HgqNetwork net;
  for (std::size_t index = 0; index < network.layers.size(); ++index) {
    const spec::Layer& layer = network.layers[index];
    if (layer.kind != spec::LayerKind::kFc) continue;
    const std::int64_t in = layer.in.Elements(), out = layer.out_channels;
    const Overflows overflow = OverflowsOf(dir, layer.name);
    const std::string weight_file = io::WeightFileName(layer, network);  // a name in the folder
    unrolled::HgqDenseLayer l;
    l.name = layer.name;
    l.weights = FloatsOf(dir / weight_file, {out, in}, "weights (out x in)");
    const unrolled::PrecisionTensor types =
        PrecisionOf(dir, layer.name + ".weight", 1, {out, in}, overflow.weight);
    l.quantized =
        unrolled::QuantizeDense(static_cast<int>(out), static_cast<int>(in), l.weights, types);
    const fs::path bias_file = dir / (layer.name + ".bias.npy");
    if (layer.bias) {
      if (!fs::exists(bias_file)) {
        throw spec::ConfigError(bias_file.string(), "$",
                                "the bias of fc layer " + layer.name +
                                    " (its network says bias: "
                                    "true; set it to false for a layer without one)");
      }
      l.bias = FloatsOf(bias_file, {out}, "a bias");
      unrolled::QuantizeBias(l.quantized, l.bias,
                             PrecisionOf(dir, layer.name + ".bias", 1, {out}, overflow.bias));
    } else if (fs::exists(bias_file)) {
      throw spec::ConfigError(network.source, "layers." + layer.name + ".bias",
                              "true: " + bias_file.string() + " holds a bias for it");
    }
    l.activations =
        PrecisionOf(dir, layer.name + ".input", unrolled::ReadsActivation(network, layer) ? 0 : 1,
                    {in}, overflow.input);
    l.relu = unrolled::FollowedByRelu(network, index);
    net.layers.push_back(std::move(l));
  }
  return net;
}

void WriteHgqWeights(const unrolled::HgqNetwork& net, const std::string& dir_name) {
  const fs::path dir(dir_name);
  fs::create_directories(dir);
  for (const auto& l : net.layers) {
    const auto& q = l.quantized;
    io::WriteNpy((dir / (l.name + ".npy")).string(),
                 Array({q.out_features, q.in_features}, l.weights));
    WritePrecision(q.weight_types, dir, l.name + ".weight");
    WritePrecision(l.activations, dir, l.name + ".input");
    nlohmann::json overflow = {{"weight", OverflowOf(q.weight_types, Overflow::kSatSym)},
                               {"input", OverflowOf(l.activations, Overflow::kWrap)}};
    if (q.HasBias()) {
      io::WriteNpy((dir / (l.name + ".bias.npy")).string(), Array({q.out_features}, l.bias));
      WritePrecision(q.bias_types, dir, l.name + ".bias");
      overflow["bias"] = OverflowOf(q.bias_types, Overflow::kWrap);
    }
    const fs::path file = dir / (l.name + ".overflow.json");
    std::ofstream os(file);
    os << overflow.dump(2) << "\n";
    if (!os) throw spec::ConfigError(file.string(), "$", "cannot write the file");
  }
}

}  // namespace msqx::dse
