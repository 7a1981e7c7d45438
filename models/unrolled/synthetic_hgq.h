#pragma once
// Seeded synthetic weights with per-weight precision for fc-only networks such as
// configs/networks/jet_tagger.json, so that tests and examples have an HGQ-like network without
// a trained model. The precision rule is documented in docs/unrolled.md ("jet_tagger example").

#include <cstdint>
#include <string>
#include <vector>

#include "models/spec/network.h"
#include "models/unrolled/precision.h"

namespace msqx::unrolled {

struct HgqDenseLayer {
  std::string name;
  std::vector<double> weights;  // float weights [out][in] before quantization
  std::vector<double> bias;     // float bias [out] before quantization; empty: none
  QuantizedDense quantized;     // codes and types of the weights and the bias
  PrecisionTensor activations;  // precision of the layer's input, one type per input feature
  bool relu = false;            // the layer's output passes a ReLU (an act layer follows)
};

struct HgqNetwork {
  std::vector<HgqDenseLayer> layers;   // the fc layers in network order
  std::int64_t TotalEbops() const;     // msqx's hardware-span EBOPs (ebops.h, DenseEbops)
  std::int64_t TotalHgqEbops() const;  // HGQ's EBOPs (ebops.h, HgqDenseEbops)
};

// Whether fc layer `layer` of `net` is followed by an act layer with a ReLU (the unrolled
// output stage applies it), and whether its input comes from one (HGQ's inputs after a ReLU are
// unsigned).
bool FollowedByRelu(const spec::NetworkSpec& net, std::size_t layer);
bool ReadsActivation(const spec::NetworkSpec& net, const spec::Layer& layer);

// HGQ's pruned weights and biases are 0 whatever their stored float: sets the floats of pruned
// elements to 0, so that quantization noise (SQNR) is measured against the model HGQ defines.
void ZeroPruned(HgqNetwork& net);

// Weights are Glorot-uniform in [-L, L], L = sqrt(6 / (in + out)); with r = |w| / L:
//   r < 0.15 pruned (0 bits); r < 0.4 3 bits; r < 0.75 5 bits; else 7 bits; k = 1 and
//   i = ceil(log2 L), so f = total - 1 - i.
// Inputs of the first layer are signed, i = 2, f = 5..7; inputs after a relu unsigned, i = 3,
// f = 2..4; f drawn per element. Weights saturate symmetrically, inputs wrap (HGQ's defaults).
// A layer the network gives a bias gets one, drawn after every weight and input from a second
// engine seeded seed + 1 (so that the weights do not depend on it): uniform in [-L, L], 6 bits,
// k = 1, i = ceil(log2 L), wrapping. std::mt19937_64 (fully specified by the standard) drives
// everything, so a seed gives the same network on every platform.
// Throws std::invalid_argument for a network with a conv layer.
HgqNetwork SyntheticHgqNetwork(const spec::NetworkSpec& net, std::uint64_t seed);

}  // namespace msqx::unrolled
