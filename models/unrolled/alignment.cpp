#include "models/unrolled/alignment.h"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

namespace msqx::unrolled {

namespace {

int BitLength(std::uint64_t m) {
  int n = 0;
  for (; m != 0; m >>= 1) ++n;
  return n;
}

}  // namespace

bool IsLiveProduct(const QuantizedDense& layer, const PrecisionTensor& activations, int o, int j) {
  return layer.Code(o, j) != 0 && !activations[static_cast<std::size_t>(j)].IsPruned();
}

int DenseAlignment::MaxShift() const {
  return shift.empty() ? 0 : *std::max_element(shift.begin(), shift.end());
}

DenseAlignment AlignDense(const QuantizedDense& layer, const PrecisionTensor& activations) {
  if (activations.types.size() != static_cast<std::size_t>(layer.in_features)) {
    throw std::invalid_argument("AlignDense: expected " + std::to_string(layer.in_features) +
                                " activation types, got " +
                                std::to_string(activations.types.size()));
  }
  DenseAlignment a;
  a.out_features = layer.out_features;
  a.in_features = layer.in_features;
  a.shift.assign(static_cast<std::size_t>(layer.out_features) * layer.in_features, 0);
  a.output_frac_bits.assign(static_cast<std::size_t>(layer.out_features), 0);
  a.bias_shift.assign(static_cast<std::size_t>(layer.out_features), 0);
  const auto step = [&](int o, int j) {
    return layer.Type(o, j).fractional_bits +
           activations[static_cast<std::size_t>(j)].fractional_bits;
  };
  for (int o = 0; o < layer.out_features; ++o) {
    int grid = std::numeric_limits<int>::min();
    for (int j = 0; j < layer.in_features; ++j) {
      if (IsLiveProduct(layer, activations, o, j)) grid = std::max(grid, step(o, j));
    }
    const bool bias = layer.BiasCode(o) != 0;
    const int bias_step = bias ? layer.bias_types[static_cast<std::size_t>(o)].fractional_bits : 0;
    if (bias) grid = std::max(grid, bias_step);
    if (grid == std::numeric_limits<int>::min()) continue;  // no products: the output is 0
    a.output_frac_bits[static_cast<std::size_t>(o)] = grid;
    if (bias) a.bias_shift[static_cast<std::size_t>(o)] = grid - bias_step;
    for (int j = 0; j < layer.in_features; ++j) {
      if (IsLiveProduct(layer, activations, o, j)) {
        a.shift[static_cast<std::size_t>(o) * layer.in_features + j] = grid - step(o, j);
      }
    }
  }
  return a;
}

namespace {

// code * 2^shift, or std::invalid_argument naming `what` when it needs more than kMaxAlignedBits.
std::int64_t Shifted(std::int64_t code, int shift, const std::string& what) {
  const std::uint64_t magnitude =
      code < 0 ? ~static_cast<std::uint64_t>(code) + 1 : static_cast<std::uint64_t>(code);
  if (BitLength(magnitude) + shift > kMaxAlignedBits) {
    throw std::invalid_argument("AlignedCodes: " + what + " code " + std::to_string(code) +
                                " shifted by " + std::to_string(shift) +
                                " to its output's binary point needs more than " +
                                std::to_string(kMaxAlignedBits) +
                                " bits (fractional bits of one output's terms differ too much)");
  }
  return code * (std::int64_t{1} << shift);
}

}  // namespace

std::vector<std::int64_t> AlignedBias(const QuantizedDense& layer,
                                      const PrecisionTensor& activations) {
  const DenseAlignment a = AlignDense(layer, activations);
  std::vector<std::int64_t> bias(static_cast<std::size_t>(layer.out_features), 0);
  for (int o = 0; o < layer.out_features; ++o) {
    bias[static_cast<std::size_t>(o)] =
        Shifted(layer.BiasCode(o), a.bias_shift[static_cast<std::size_t>(o)],
                "bias [" + std::to_string(o) + "]");
  }
  return bias;
}

std::vector<std::int64_t> AlignedCodes(const QuantizedDense& layer,
                                       const PrecisionTensor& activations) {
  const DenseAlignment a = AlignDense(layer, activations);
  std::vector<std::int64_t> codes(a.shift.size(), 0);
  for (int o = 0; o < layer.out_features; ++o) {
    for (int j = 0; j < layer.in_features; ++j) {
      if (!IsLiveProduct(layer, activations, o, j)) continue;
      codes[static_cast<std::size_t>(o) * layer.in_features + j] =
          Shifted(layer.Code(o, j), a.Shift(o, j),
                  "weight [" + std::to_string(o) + "][" + std::to_string(j) + "]");
    }
  }
  return codes;
}

}  // namespace msqx::unrolled
