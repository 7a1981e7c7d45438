#include "models/unrolled/unrolled_timing.h"

#include <algorithm>
#include <stdexcept>

namespace msqx::unrolled {

double UnrolledTiming::LatencyNs(double clock_mhz) const {
  if (!(clock_mhz > 0)) throw std::invalid_argument("LatencyNs: clock_mhz must be > 0");
  return latency_cycles * 1000.0 / clock_mhz;
}

std::int64_t UnrolledTiming::CyclesFor(std::int64_t inferences) const {
  if (inferences <= 0) return 0;
  return latency_cycles + (inferences - 1) * std::int64_t{initiation_interval};
}

UnrolledLayerTiming DenseUnrolledTiming(const std::string& name, const QuantizedDense& layer,
                                        const PrecisionTensor& activations,
                                        const UnrolledParams& params, const OutputStage& output) {
  const UnrolledCost cost = DenseUnrolledCost(layer, activations, params, output);
  UnrolledLayerTiming t;
  t.name = name;
  t.multiplier_stages = cost.multiplier_stages;
  t.tree_depth = cost.tree_depth;
  t.pipeline_depth = cost.pipeline_depth;
  t.latency_cycles = cost.latency_cycles;
  t.initiation_interval = cost.initiation_interval;
  return t;
}

UnrolledTiming ChainUnrolledTiming(const std::vector<UnrolledLayer>& chain) {
  UnrolledTiming timing;
  for (std::size_t i = 0; i < chain.size(); ++i) {
    const UnrolledLayer& l = chain[i];
    if (i > 0 && l.weights.in_features != chain[i - 1].weights.out_features) {
      throw std::invalid_argument("ChainUnrolledTiming: layer " + l.name + " takes " +
                                  std::to_string(l.weights.in_features) + " inputs, " +
                                  chain[i - 1].name + " gives " +
                                  std::to_string(chain[i - 1].weights.out_features));
    }
    UnrolledLayerTiming t =
        DenseUnrolledTiming(l.name, l.weights, l.activations, l.params, l.output);
    if (i > 0) timing.latency_cycles += kRegistersBetweenLayers;
    t.start_cycle = timing.latency_cycles;
    timing.latency_cycles += t.latency_cycles;
    timing.initiation_interval = std::max(timing.initiation_interval, t.initiation_interval);
    timing.layers.push_back(std::move(t));
  }
  return timing;
}

std::vector<UnrolledLayer> UnrolledChain(const HgqNetwork& net, const UnrolledParams& params) {
  std::vector<UnrolledLayer> chain;
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const HgqDenseLayer& l = net.layers[i];
    OutputStage output;
    output.relu = l.relu;
    if (i + 1 < net.layers.size()) output.requant = net.layers[i + 1].activations;
    chain.push_back({l.name, l.quantized, l.activations, params, output});
  }
  return chain;
}

}  // namespace msqx::unrolled
