#include "models/unrolled/ebops.h"

#include <stdexcept>
#include <string>

#include "models/unrolled/csd.h"

namespace msqx::unrolled {

std::int64_t DenseEbops(const QuantizedDense& layer, const PrecisionTensor& activations) {
  if (activations.types.size() != static_cast<std::size_t>(layer.in_features)) {
    throw std::invalid_argument("DenseEbops: expected " + std::to_string(layer.in_features) +
                                " activation types, got " +
                                std::to_string(activations.types.size()));
  }
  std::int64_t ebops = 0;
  for (int o = 0; o < layer.out_features; ++o) {
    for (int j = 0; j < layer.in_features; ++j) {
      const int act_bits = activations[j].IsPruned() ? 0 : activations[j].TotalBits();
      ebops += std::int64_t{SpanBits(layer.Code(o, j))} * act_bits;
    }
  }
  return ebops;
}

}  // namespace msqx::unrolled
