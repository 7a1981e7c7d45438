#pragma once
// Alignment of a dense layer's products to a common binary point (docs/unrolled.md, "Alignment").
// With per-weight precision, product (o, j) = code[o][j] * x[j] counts in steps of
// 2^-(f_oj + fx_j): weight o,j has f_oj fractional bits and input j fx_j. Summing raw products of
// different steps is wrong, so each output o gets one grid F_o = max over its live products of
// (f_oj + fx_j), and product (o, j) is shifted left by F_o - f_oj - fx_j >= 0 before the adder
// tree. The shift is folded into the constant: c'_oj = code_oj * 2^shift_oj, which has the same
// CSD digits and span as code_oj (trailing zeros are wiring), so the multipliers do not change;
// the adder-tree operands grow by the shift. Output o's value is y_o * 2^-F_o.
//
// The grid is per output, not per layer: the next layer's inputs have a type each (HGQ), so
// requantizing output o is a constant shift of its own (F_o - fx'_o) either way, and a per-layer
// grid would only widen the trees of outputs whose products are all coarser than the finest.
// A bias joins its output's sum the same way: F_o also covers its f_b when its code is non-zero,
// and its code is shifted by F_o - f_b.

#include <cstdint>
#include <vector>

#include "models/unrolled/precision.h"

namespace msqx::unrolled {

// A product exists (a constant multiplier, an adder-tree input) when its weight code is non-zero
// and its activation is not pruned.
bool IsLiveProduct(const QuantizedDense& layer, const PrecisionTensor& activations, int o, int j);

struct DenseAlignment {
  int out_features = 0;
  int in_features = 0;
  std::vector<int> shift;             // [o * in + j]: F_o - f_oj - fx_j when live, else 0
  std::vector<int> output_frac_bits;  // F_o; 0 for an output without live products or bias
  std::vector<int> bias_shift;        // [o]: F_o - f_b when the bias code is non-zero, else 0

  int Shift(int o, int j) const { return shift[static_cast<std::size_t>(o) * in_features + j]; }
  int MaxShift() const;
};

// Throws std::invalid_argument unless activations has in_features elements.
DenseAlignment AlignDense(const QuantizedDense& layer, const PrecisionTensor& activations);

// The constants c'_oj = code_oj * 2^shift_oj in row-major [o][j], 0 where no product is live: what
// the pin-level model (dense_pin.h) and the HLS export build their multipliers from. Throws
// std::invalid_argument when a constant needs more than kMaxAlignedBits bits.
inline constexpr int kMaxAlignedBits = 62;
std::vector<std::int64_t> AlignedCodes(const QuantizedDense& layer,
                                       const PrecisionTensor& activations);
// The bias codes moved onto their outputs' grids, b'_o = b_o * 2^bias_shift_o ([o]; all 0 without
// a bias). Throws as AlignedCodes.
std::vector<std::int64_t> AlignedBias(const QuantizedDense& layer,
                                      const PrecisionTensor& activations);

}  // namespace msqx::unrolled
