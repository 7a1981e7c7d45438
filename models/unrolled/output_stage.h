#pragma once
// What a layer's output register does with each output's exact sum y_o (on its grid F_o,
// alignment.h) before it leaves the layer: the activation (ReLU, as HGQ's QDense applies it after
// the bias) and the requantization to the next layer's input type (HGQ's input quantizer of the
// next layer: round half up, then its overflow mode). The last layer of a chain has none: its
// exact sums leave. docs/unrolled.md, "Output stage".

#include <cstdint>

#include "models/unrolled/precision.h"

namespace msqx::unrolled {

struct OutputStage {
  bool relu = false;
  // One type per output (the next layer's input types); empty: the exact sums leave.
  PrecisionTensor requant;
  bool Requantizes() const { return !requant.types.empty(); }
};

// The value that leaves output o for the exact sum y on `frac_bits` fractional bits: max(y, 0)
// when relu, then RequantizeCode(., frac_bits, requant[o]) when the stage requantizes.
std::int64_t ApplyOutputStage(std::int64_t y, int o, int frac_bits, const OutputStage& stage);

}  // namespace msqx::unrolled
