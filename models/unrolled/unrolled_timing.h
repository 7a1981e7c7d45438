#pragma once
// Cycle fidelity of a chain of fully unrolled dense layers (hls4ml io_parallel): the latency of
// one inference, the initiation interval and per-layer figures, from the same stage arithmetic as
// DenseUnrolledCost, which the pin-level model (dense_pin.h) is built to (docs/unrolled.md).

#include <cstdint>
#include <string>
#include <vector>

#include "models/unrolled/precision.h"
#include "models/unrolled/synthetic_hgq.h"
#include "models/unrolled/unrolled_cost.h"

namespace msqx::unrolled {

// Registers between two layers of a chain. A layer's output register drives the next layer's
// multipliers directly (their level 0 is wiring from the input port, dense_pin.h), so none:
// the next layer's input handshake is the cycle the previous layer's output turns valid.
inline constexpr int kRegistersBetweenLayers = 0;

struct UnrolledLayer {
  std::string name;
  QuantizedDense weights;       // with its bias, if any
  PrecisionTensor activations;  // of the layer's input, one type per input feature
  UnrolledParams params;
  OutputStage output;  // ReLU and requantization to the next layer's input types (none: last)
};

struct UnrolledLayerTiming {
  std::string name;
  int multiplier_stages = 0;
  int tree_depth = 0;
  int pipeline_depth = 0;
  int latency_cycles = 0;       // input handshake to output valid
  int initiation_interval = 1;  // RF
  int start_cycle = 0;          // its input handshake, counted from the chain's
};

struct UnrolledTiming {
  std::vector<UnrolledLayerTiming> layers;
  int latency_cycles = 0;       // sum of the layers' latencies (+ registers between layers)
  int initiation_interval = 1;  // the largest RF: the slowest layer paces the chain

  // Latency of one inference at clock_mhz. Throws std::invalid_argument unless clock_mhz > 0.
  double LatencyNs(double clock_mhz) const;
  // Cycles from the first input handshake to the last output valid for `inferences` inputs
  // streamed at the chain's II: latency + (inferences - 1) * II; 0 for none.
  std::int64_t CyclesFor(std::int64_t inferences) const;
};

UnrolledLayerTiming DenseUnrolledTiming(const std::string& name, const QuantizedDense& layer,
                                        const PrecisionTensor& activations,
                                        const UnrolledParams& params = {},
                                        const OutputStage& output = {});

// Throws std::invalid_argument when a layer's in_features differ from the previous layer's
// out_features, or as DenseUnrolledCost does.
UnrolledTiming ChainUnrolledTiming(const std::vector<UnrolledLayer>& chain);

// The fc layers of an HGQ network as a chain, every layer with the same parameters: each layer's
// output stage applies its ReLU and requantizes to the next layer's input types (the last
// layer's exact sums leave as they are).
std::vector<UnrolledLayer> UnrolledChain(const HgqNetwork& net, const UnrolledParams& params = {});

}  // namespace msqx::unrolled
