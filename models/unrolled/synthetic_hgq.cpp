#include "models/unrolled/synthetic_hgq.h"

#include <cmath>
#include <random>
#include <stdexcept>

#include "models/unrolled/ebops.h"

namespace msqx::unrolled {

namespace {

// Our own conversions: std::uniform_real_distribution and friends are implementation-defined,
// only the engine's sequence is portable.
double Uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }
int Pick(std::mt19937_64& rng, int low, int high) {
  return low + static_cast<int>(rng() % static_cast<std::uint64_t>(high - low + 1));
}

FixedType WeightType(double magnitude_ratio, int integer_bits) {
  if (magnitude_ratio < 0.15) return {0, 0, 0, Overflow::kSatSym};
  const int total = magnitude_ratio < 0.4 ? 3 : magnitude_ratio < 0.75 ? 5 : 7;
  return {1, integer_bits, total - 1 - integer_bits, Overflow::kSatSym};
}

constexpr int kSyntheticBiasBits = 6;

}  // namespace

std::int64_t HgqNetwork::TotalEbops() const {
  std::int64_t total = 0;
  for (const auto& l : layers) total += DenseEbops(l.quantized, l.activations);
  return total;
}

std::int64_t HgqNetwork::TotalHgqEbops() const {
  std::int64_t total = 0;
  for (const auto& l : layers) total += HgqDenseEbops(l.quantized, l.activations);
  return total;
}

bool ReadsActivation(const spec::NetworkSpec& net, const spec::Layer& layer) {
  return layer.inputs[0] != spec::kNetworkInput &&
         net.layers[layer.inputs[0]].kind == spec::LayerKind::kAct;
}

bool FollowedByRelu(const spec::NetworkSpec& net, std::size_t layer) {
  for (std::size_t i = layer + 1; i < net.layers.size(); ++i) {
    const spec::Layer& l = net.layers[i];
    if (l.inputs.empty() || l.inputs[0] != static_cast<int>(layer)) continue;
    return l.kind == spec::LayerKind::kAct && l.function == spec::ActFunction::kRelu;
  }
  return false;
}

void ZeroPruned(HgqNetwork& net) {
  for (HgqDenseLayer& l : net.layers) {
    for (std::size_t e = 0; e < l.weights.size(); ++e) {
      if (l.quantized.weight_types.types[e].IsPruned()) l.weights[e] = 0;
    }
    for (std::size_t o = 0; o < l.bias.size(); ++o) {
      if (l.quantized.bias_types.types[o].IsPruned()) l.bias[o] = 0;
    }
  }
}

HgqNetwork SyntheticHgqNetwork(const spec::NetworkSpec& net, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  HgqNetwork out;
  for (const spec::Layer& layer : net.layers) {
    if (layer.kind == spec::LayerKind::kConv) {
      throw std::invalid_argument("SyntheticHgqNetwork: " + net.name + " has conv layer " +
                                  layer.name + "; only fc networks are unrolled so far");
    }
    if (layer.kind != spec::LayerKind::kFc) continue;
    const int in = static_cast<int>(layer.in.Elements());
    const int outs = layer.out_channels;
    const double limit = std::sqrt(6.0 / (in + outs));
    const int integer_bits = static_cast<int>(std::ceil(std::log2(limit)));

    HgqDenseLayer l;
    l.name = layer.name;
    PrecisionTensor types;
    types.shape = {outs, in};
    for (int e = 0; e < outs * in; ++e) {
      const double w = (2.0 * Uniform01(rng) - 1.0) * limit;
      l.weights.push_back(w);
      types.types.push_back(WeightType(std::fabs(w) / limit, integer_bits));
    }
    l.quantized = QuantizeDense(outs, in, l.weights, types);

    const bool after_relu = ReadsActivation(net, layer);
    l.activations.shape = {in};
    for (int j = 0; j < in; ++j) {
      l.activations.types.push_back(after_relu ? FixedType{0, 3, Pick(rng, 2, 4), Overflow::kWrap}
                                               : FixedType{1, 2, Pick(rng, 5, 7), Overflow::kWrap});
    }
    l.relu = FollowedByRelu(net, static_cast<std::size_t>(&layer - net.layers.data()));
    out.layers.push_back(std::move(l));
  }
  // Biases last, from their own engine: the weights and inputs above stay what they were.
  std::mt19937_64 bias_rng(seed + 1);
  std::size_t fc = 0;
  for (const spec::Layer& layer : net.layers) {
    if (layer.kind != spec::LayerKind::kFc) continue;
    HgqDenseLayer& l = out.layers[fc++];
    if (!layer.bias) continue;
    const int outs = l.quantized.out_features;
    const double limit = std::sqrt(6.0 / (l.quantized.in_features + outs));
    const int integer_bits = static_cast<int>(std::ceil(std::log2(limit)));
    const FixedType type{1, integer_bits, kSyntheticBiasBits - 1 - integer_bits, Overflow::kWrap};
    for (int o = 0; o < outs; ++o) l.bias.push_back((2.0 * Uniform01(bias_rng) - 1.0) * limit);
    QuantizeBias(l.quantized, l.bias, UniformPrecision({outs}, type));
  }
  return out;
}

}  // namespace msqx::unrolled
