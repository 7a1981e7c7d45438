#include "dse/unrolled_weights.h"

#include <filesystem>

#include "models/unrolled/precision_io.h"
#include "sim/io/npy.h"
#include "sim/io/weights.h"
#include "sim/spec/json_reader.h"

namespace msqx::dse {
namespace {

namespace fs = std::filesystem;

unrolled::BitArray BitsOf(const fs::path& file) {
  const io::NpyArray a = io::ReadNpy(file.string());
  return {file.string(), a.shape, a.values};
}

// One tensor's precision: `<stem>.json` if present, else the .npy pair.
unrolled::PrecisionTensor PrecisionOf(const fs::path& dir, const std::string& stem, int sign_bits,
                                      const std::vector<std::int64_t>& shape) {
  const fs::path json = dir / (stem + "_precision.json");
  unrolled::PrecisionTensor p;
  if (fs::exists(json)) {
    p = unrolled::LoadPrecisionJson(json.string());
  } else {
    const fs::path ints = dir / (stem + "_int_bits.npy"), fracs = dir / (stem + "_frac_bits.npy");
    if (!fs::exists(ints) || !fs::exists(fracs)) {
      throw spec::ConfigError(dir.string(), stem,
                              "a precision for " + stem + ": " + json.filename().string() +
                                  ", or " + ints.filename().string() + " with " +
                                  fracs.filename().string());
    }
    p = unrolled::PrecisionFromBitArrays(BitsOf(ints), BitsOf(fracs), sign_bits);
  }
  if (p.shape != shape) {
    std::string want;
    for (auto d : shape) want += (want.empty() ? "" : " x ") + std::to_string(d);
    throw spec::ConfigError((dir / stem).string(), "shape",
                            "a precision of shape " + want + " (the layer's)");
  }
  return p;
}

io::NpyArray Array(std::vector<std::int64_t> shape, std::vector<double> values) {
  io::NpyArray a;
  a.type = io::NpyType::kFloat64;
  a.shape = std::move(shape);
  a.values = std::move(values);
  return a;
}

}  // namespace

unrolled::HgqNetwork LoadHgqWeights(const spec::NetworkSpec& network, const std::string& dir_name) {
  const fs::path dir(dir_name);
  if (!fs::is_directory(dir))
    throw spec::ConfigError(dir_name, "", "a folder of weights and precision files");
  unrolled::HgqNetwork net;
  for (const spec::Layer& layer : network.layers) {
    if (layer.kind != spec::LayerKind::kFc) continue;
    const std::int64_t in = layer.in.Elements(), out = layer.out_channels;
    const fs::path file = dir / io::WeightFileName(layer, network);
    const io::NpyArray w = io::ReadNpy(file.string());
    if (w.shape != std::vector<std::int64_t>{out, in}) {
      throw spec::ConfigError(
          file.string(), "shape",
          "weights of shape " + std::to_string(out) + " x " + std::to_string(in) + " (out x in)");
    }
    unrolled::HgqDenseLayer l;
    l.name = layer.name;
    l.weights = w.values;
    const unrolled::PrecisionTensor types = PrecisionOf(dir, layer.name + ".weight", 1, {out, in});
    l.quantized =
        unrolled::QuantizeDense(static_cast<int>(out), static_cast<int>(in), l.weights, types);
    const bool after_activation = layer.inputs[0] != spec::kNetworkInput &&
                                  network.layers[layer.inputs[0]].kind == spec::LayerKind::kAct;
    l.activations = PrecisionOf(dir, layer.name + ".input", after_activation ? 0 : 1, {in});
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
    // The files keep one sign per tensor (the reader's rule); an element of another sign (a
    // pruned weight typed {0, 0, 0}) keeps its total width through its fractional bits.
    const auto bits = [&](const unrolled::PrecisionTensor& p, const std::string& stem,
                          int tensor_sign) {
      std::vector<double> ints, fracs;
      for (const auto& t : p.types) {
        ints.push_back(t.integer_bits);
        fracs.push_back(t.fractional_bits + t.sign_bits - tensor_sign);
      }
      io::WriteNpy((dir / (stem + "_int_bits.npy")).string(), Array(p.shape, ints));
      io::WriteNpy((dir / (stem + "_frac_bits.npy")).string(), Array(p.shape, fracs));
    };
    bits(q.weight_types, l.name + ".weight", 1);
    bits(l.activations, l.name + ".input",
         l.activations.types.empty() ? 1 : l.activations.types[0].sign_bits);
  }
}

}  // namespace msqx::dse
