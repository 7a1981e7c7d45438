#pragma once
// EBOPs (effective bit operations), HGQ's resource surrogate (DOMAIN.md section 4, arXiv
// 2405.00645): the sum over every multiplication of bits(weight) * bits(activation). Two figures:
//   HGQ's own (HgqDenseEbops): what HGQ2 trains against and stores in a checkpoint, from the
//     declared widths of the quantizers, plus a bias term. Users compare designs by it.
//   msqx's hardware span (DenseEbops): the width of each weight as the constant multiplier sees
//     it, the span of its quantized code, times the activation's full width (sign included);
//     products only. It tracks the multipliers msqx builds, not HGQ's training metric.

#include <cstdint>

#include "models/unrolled/precision.h"

namespace msqx::unrolled {

// msqx's hardware-span EBOPs of one dense layer: sum over outputs o and inputs j of
//   SpanBits(code[o][j]) * activations[j].Bits()
// A constant weight's width is the span of its quantized integer code (highest to lowest non-zero
// bit), not its declared type: a weight typed fixed<8, 1> that quantized to 0.5 costs 1 bit. A
// pruned weight (0 bits) has code 0 and so contributes 0, as does a pruned activation. The bias
// is not counted (it is an addition, not a product).
// Throws std::invalid_argument unless activations has in_features elements.
std::int64_t DenseEbops(const QuantizedDense& layer, const PrecisionTensor& activations);

// A quantizer's bits as HGQ2 counts them (FixedPointQuantizerBase.bits): b = max(i + f, 0), plus
// the sign bit k only in the SAT overflow mode (not in WRAP, not in SAT_SYM). Declared widths:
// the value the element quantized to does not matter.
int HgqBits(const FixedType& t);

// HGQ2's EBOPs of one dense layer (QDense / QEinsumDense._compute_ebops, HGQ2 since 2025-12-02):
//   sum over inputs j and outputs o of HgqBits(x_j) * HgqBits(w_oj)
//   + mean over outputs of HgqBits(b_o) * out_features          (when the layer has a bias)
// evaluated as HGQ does, in float32 (the bias mean is a float32 division), and truncated to the
// unsigned integer HGQ stores in the layer's `ebops` variable.
// Throws std::invalid_argument unless activations has in_features elements.
std::int64_t HgqDenseEbops(const QuantizedDense& layer, const PrecisionTensor& activations);

}  // namespace msqx::unrolled
