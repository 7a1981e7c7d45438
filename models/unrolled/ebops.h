#pragma once
// EBOPs (effective bit operations), HGQ's resource surrogate (DOMAIN.md section 4, arXiv
// 2405.00645): the sum over every multiplication of bits(weight) * bits(activation).

#include <cstdint>

#include "models/unrolled/precision.h"

namespace msqx::unrolled {

// EBOPs of one dense layer: sum over outputs o and inputs j of
//   SpanBits(code[o][j]) * activations[j].TotalBits()
// A constant weight's width is the span of its quantized integer code (highest to lowest non-zero
// bit), not its declared type: a weight typed fixed<8, 1> that quantized to 0.5 costs 1 bit. A
// pruned weight (0 bits) has code 0 and so contributes 0, as does a pruned activation.
// Throws std::invalid_argument unless activations has in_features elements.
std::int64_t DenseEbops(const QuantizedDense& layer, const PrecisionTensor& activations);

}  // namespace msqx::unrolled
