#include "models/unrolled/ebops.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "models/unrolled/csd.h"

namespace msqx::unrolled {

namespace {

void CheckActivations(const char* who, const QuantizedDense& layer,
                      const PrecisionTensor& activations) {
  if (activations.types.size() != static_cast<std::size_t>(layer.in_features)) {
    throw std::invalid_argument(std::string(who) + ": expected " +
                                std::to_string(layer.in_features) + " activation types, got " +
                                std::to_string(activations.types.size()));
  }
}

}  // namespace

std::int64_t DenseEbops(const QuantizedDense& layer, const PrecisionTensor& activations) {
  CheckActivations("DenseEbops", layer, activations);
  std::int64_t ebops = 0;
  for (int o = 0; o < layer.out_features; ++o) {
    for (int j = 0; j < layer.in_features; ++j) {
      ebops += std::int64_t{SpanBits(layer.Code(o, j))} * activations[j].Bits();
    }
  }
  return ebops;
}

int HgqBits(const FixedType& t) {
  return std::max(t.integer_bits + t.fractional_bits, 0) +
         (t.overflow == Overflow::kSat ? t.sign_bits : 0);
}

std::int64_t HgqDenseEbops(const QuantizedDense& layer, const PrecisionTensor& activations) {
  CheckActivations("HgqDenseEbops", layer, activations);
  // Integer sums are exact (HGQ's float32 sums of integers are too below 2^24, which a dense
  // layer of this size never reaches); the bias term is float32 as HGQ computes it.
  std::int64_t products = 0;
  for (int o = 0; o < layer.out_features; ++o) {
    for (int j = 0; j < layer.in_features; ++j) {
      products += std::int64_t{HgqBits(activations[j])} * HgqBits(layer.Type(o, j));
    }
  }
  float ebops = static_cast<float>(products);
  if (layer.HasBias()) {
    std::int64_t bias_bits = 0;
    for (const FixedType& t : layer.bias_types.types) bias_bits += HgqBits(t);
    const float size = static_cast<float>(layer.out_features);
    const float mean = static_cast<float>(bias_bits) / size;
    ebops = ebops + mean * size;
  }
  return static_cast<std::int64_t>(std::trunc(ebops));  // HGQ assigns it to a uint32 variable
}

}  // namespace msqx::unrolled
