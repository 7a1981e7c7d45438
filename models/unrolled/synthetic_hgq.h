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
  QuantizedDense quantized;
  PrecisionTensor activations;  // precision of the layer's input, one type per input feature
};

struct HgqNetwork {
  std::vector<HgqDenseLayer> layers;  // the fc layers in network order
  std::int64_t TotalEbops() const;
};

// Weights are Glorot-uniform in [-L, L], L = sqrt(6 / (in + out)); with r = |w| / L:
//   r < 0.15 pruned (0 bits); r < 0.4 3 bits; r < 0.75 5 bits; else 7 bits; k = 1 and
//   i = ceil(log2 L), so f = total - 1 - i.
// Inputs of the first layer are signed, i = 2, f = 5..7; inputs after a relu unsigned, i = 3,
// f = 2..4; f drawn per element. std::mt19937_64 (fully specified by the standard) drives
// everything, so a seed gives the same network on every platform.
// Throws std::invalid_argument for a network with a conv layer.
HgqNetwork SyntheticHgqNetwork(const spec::NetworkSpec& net, std::uint64_t seed);

}  // namespace msqx::unrolled
