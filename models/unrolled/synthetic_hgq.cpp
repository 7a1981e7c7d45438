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
  if (magnitude_ratio < 0.15) return {0, 0, 0};
  const int total = magnitude_ratio < 0.4 ? 3 : magnitude_ratio < 0.75 ? 5 : 7;
  return {1, integer_bits, total - 1 - integer_bits};
}

}  // namespace

std::int64_t HgqNetwork::TotalEbops() const {
  std::int64_t total = 0;
  for (const auto& l : layers) total += DenseEbops(l.quantized, l.activations);
  return total;
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

    const bool after_relu = layer.inputs[0] != spec::kNetworkInput &&
                            net.layers[layer.inputs[0]].kind == spec::LayerKind::kAct;
    l.activations.shape = {in};
    for (int j = 0; j < in; ++j) {
      l.activations.types.push_back(after_relu ? FixedType{0, 3, Pick(rng, 2, 4)}
                                               : FixedType{1, 2, Pick(rng, 5, 7)});
    }
    out.layers.push_back(std::move(l));
  }
  return out;
}

}  // namespace msqx::unrolled
