#include "models/unrolled/unrolled_cost.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <vector>

#include "models/unrolled/alignment.h"
#include "models/unrolled/csd.h"
#include "models/unrolled/output_stage.h"
#include "models/util/int_math.h"

namespace msqx::unrolled {

namespace {

// A LUT6 is a 4:1 multiplexer (UG474, "Multiplexers"): each LUT level of a k:1 mux tree folds 4
// inputs into 1, so k inputs take ceil((k - 1) / 3) LUTs per bit.
constexpr int kMuxInputsPerLut = 4;
// A LUT6 is a 64 x 1 ROM (UG474, "Distributed RAM / ROM"): one LUT per stored bit per 64 words.
constexpr int kRomWordsPerLut = 64;
// A LUT6 ORs six of the high bits a saturation drops into its overflow test.
constexpr int kLutInputs = 6;

int BitLength(std::uint64_t m) {
  int n = 0;
  for (; m != 0; m >>= 1) ++n;
  return n;
}

struct Product {
  int output;
  int span_bits;  // of the weight code
  int act_bits;
  int csd_digits;
  int align_shift;  // to the output's binary point (alignment.h)
  // What the multiplier computes: the code's significant bits times the activation.
  int Width() const { return span_bits + act_bits; }
  // What enters the adder tree: the product shifted onto the output's grid. The shift is wiring
  // (the multiplier is unchanged) but every adder the product reaches is that much wider.
  int TreeWidth() const { return Width() + align_shift; }
};

bool NeedsDsp(int csd_digits, int width, const UnrolledParams& p) {
  return csd_digits > 2 && width >= p.dsp_min_bits;
}

// RF 1: each product is its own constant multiplier. In LUTs it is a shift-add: one adder per CSD
// digit after the first, each as wide as the product (one LUT per output bit on the carry chain),
// registered, arranged as a tree of the digits (ceil(log2 digits) levels). Powers of two are
// wiring. On a DSP it costs one DSP and no fabric (the DSP's own registers pipeline it).
void ConstantMultipliers(const std::vector<Product>& products, const UnrolledParams& p,
                         UnrolledCost& cost) {
  for (const Product& q : products) {
    ++cost.multipliers;
    if (NeedsDsp(q.csd_digits, q.Width(), p)) {
      ++cost.dsp_multipliers;
      cost.multiplier_stages = std::max(cost.multiplier_stages, p.dsp_stages);
      continue;
    }
    const int adders = q.csd_digits - 1;
    cost.multiplier_adders += adders;
    cost.lut += std::int64_t{adders} * q.Width();
    cost.ff += std::int64_t{adders} * q.Width();
    cost.multiplier_stages = std::max(cost.multiplier_stages, CeilLog2(q.csd_digits));
  }
}

// RF > 1: as hls4ml's partially unrolled product loop, product k runs on multiplier
// k % multipliers in cycle k / multipliers. A shared multiplier sees a different constant every
// cycle, so it cannot be one constant's shift-add: it is sized for the widest constant it serves
// (an array multiplier, one adder per weight bit after the first) unless that constant would go
// to a DSP. It also needs an activation mux and a ROM of its constants, and every product is
// registered until the adder tree consumes it.
void SharedMultipliers(const std::vector<Product>& products, const UnrolledParams& p,
                       UnrolledCost& cost) {
  const std::int64_t count = CeilDiv(static_cast<std::int64_t>(products.size()), p.reuse_factor);
  cost.multipliers = count;
  for (std::int64_t m = 0; m < count; ++m) {
    int span = 0, act = 0, digits = 0;
    std::int64_t served = 0;
    for (std::size_t k = static_cast<std::size_t>(m); k < products.size();
         k += static_cast<std::size_t>(count)) {
      span = std::max(span, products[k].span_bits);
      act = std::max(act, products[k].act_bits);
      digits = std::max(digits, products[k].csd_digits);
      cost.ff += products[k].Width();
      ++served;
    }
    const int width = span + act;
    if (NeedsDsp(digits, width, p)) {
      ++cost.dsp_multipliers;
      cost.multiplier_stages = std::max(cost.multiplier_stages, p.dsp_stages);
    } else {
      const int adders = std::max(span - 1, 0);
      cost.multiplier_adders += adders;
      cost.lut += std::int64_t{adders} * width;
      cost.ff += std::int64_t{adders} * width;
      cost.multiplier_stages = std::max(cost.multiplier_stages, CeilLog2(span));
    }
    cost.lut += act * CeilDiv(served - 1, kMuxInputsPerLut - 1);
    cost.lut += (span + 1) * CeilDiv(served, kRomWordsPerLut);  // +1: the constant's sign
  }
}

// One output's adder tree, balanced as hls4ml reduces: adjacent terms in input order are added
// level by level, each sum one bit wider than its wider operand. Every adder output is registered
// (one level per cycle) and a term without a partner is carried by a register of its width.
// Returns the root's width (0 without terms); the output register is counted by OutputRegister.
int AdderTree(std::vector<int> widths, UnrolledCost& cost) {
  if (widths.empty()) return 0;
  int levels = 0;
  while (widths.size() > 1) {
    std::vector<int> next;
    for (std::size_t i = 0; i < widths.size(); i += 2) {
      if (i + 1 < widths.size()) {
        const int sum = std::max(widths[i], widths[i + 1]) + 1;
        ++cost.tree_adders;
        cost.lut += sum;
        cost.ff += sum;
        next.push_back(sum);
      } else {
        cost.ff += widths[i];
        next.push_back(widths[i]);
      }
    }
    widths = std::move(next);
    ++levels;
  }
  cost.tree_depth = std::max(cost.tree_depth, levels);
  return widths[0];
}

// The output register of output o and what it computes on the way in (output_stage.h): a root of
// `root` bits (on `frac_bits` fractional bits) becomes, after the ReLU (one LUT per bit kept:
// AND with the inverted sign) and the requantization to type t (an incrementer for the rounding
// when bits are dropped; a mux per bit and the overflow test when it saturates; wiring when it
// wraps), a register of t's width. Without requantization the register holds the root.
void OutputRegister(int root, int frac_bits, int o, const OutputStage& stage, UnrolledCost& cost) {
  if (root == 0) return;  // no terms: the output is the constant 0, no register
  if (!stage.Requantizes()) {
    if (stage.relu) cost.lut += root;
    cost.ff += root;
    return;
  }
  const FixedType& t = stage.requant[static_cast<std::size_t>(o)];
  if (t.IsPruned()) return;  // the next layer ignores it: the constant 0
  const int bits = t.TotalBits();
  const int drop = frac_bits - t.fractional_bits;
  if (drop > 0) cost.lut += std::max(root - drop + 1, 1);
  if (stage.relu) cost.lut += bits;
  if (t.overflow != Overflow::kWrap) {
    const int high = std::max(root - std::max(drop, 0) - bits, 0);
    cost.lut += bits + (high + kLutInputs - 1) / kLutInputs;
  }
  cost.ff += bits;
}

}  // namespace

UnrolledCost DenseUnrolledCost(const QuantizedDense& layer, const PrecisionTensor& activations,
                               const UnrolledParams& params, const OutputStage& stage) {
  if (activations.types.size() != static_cast<std::size_t>(layer.in_features)) {
    throw std::invalid_argument("DenseUnrolledCost: expected " + std::to_string(layer.in_features) +
                                " activation types, got " +
                                std::to_string(activations.types.size()));
  }
  if (params.reuse_factor < 1 || params.dsp_min_bits < 1 || params.dsp_stages < 0) {
    throw std::invalid_argument("DenseUnrolledCost: reuse_factor and dsp_min_bits must be >= 1");
  }
  if (stage.Requantizes() &&
      stage.requant.types.size() != static_cast<std::size_t>(layer.out_features)) {
    throw std::invalid_argument("DenseUnrolledCost: expected " +
                                std::to_string(layer.out_features) + " output types, got " +
                                std::to_string(stage.requant.types.size()));
  }
  const DenseAlignment alignment = AlignDense(layer, activations);
  std::vector<Product> products;
  for (int o = 0; o < layer.out_features; ++o) {
    for (int j = 0; j < layer.in_features; ++j) {
      // Pruned weight or activation: no multiplier, no tree input.
      if (!IsLiveProduct(layer, activations, o, j)) continue;
      const std::int64_t code = layer.Code(o, j);
      products.push_back({o, SpanBits(code), activations[j].TotalBits(), CsdNonZeroDigits(code),
                          alignment.Shift(o, j)});
    }
  }
  UnrolledCost cost;
  cost.products = static_cast<std::int64_t>(products.size());
  if (params.reuse_factor == 1) {
    ConstantMultipliers(products, params, cost);
  } else {
    SharedMultipliers(products, params, cost);
  }
  cost.dsp = cost.dsp_multipliers;

  // Tree terms per output: its products in input order, then its bias (a constant as wide as
  // its aligned value and a sign bit), as hls4ml's accumulator starts from the bias.
  std::vector<std::vector<int>> terms(static_cast<std::size_t>(layer.out_features));
  for (const Product& q : products) {
    terms[static_cast<std::size_t>(q.output)].push_back(q.TreeWidth());
  }
  const std::vector<std::int64_t> bias = AlignedBias(layer, activations);
  for (int o = 0; o < layer.out_features; ++o) {
    const std::int64_t b = bias[static_cast<std::size_t>(o)];
    if (b == 0) continue;
    terms[static_cast<std::size_t>(o)].push_back(
        BitLength(b < 0 ? ~static_cast<std::uint64_t>(b) + 1 : static_cast<std::uint64_t>(b)) + 1);
    ++cost.bias_terms;
  }
  for (int o = 0; o < layer.out_features; ++o) {
    const int root = AdderTree(std::move(terms[static_cast<std::size_t>(o)]), cost);
    OutputRegister(root, alignment.output_frac_bits[static_cast<std::size_t>(o)], o, stage, cost);
  }

  cost.pipeline_depth = products.empty() ? 0 : cost.multiplier_stages + cost.tree_depth + 1;
  cost.initiation_interval = params.reuse_factor;
  cost.latency_cycles = products.empty() ? 0 : cost.pipeline_depth + params.reuse_factor - 1;
  return cost;
}

std::string CompareWithEbops(std::int64_t ebops, const UnrolledCost& cost) {
  const std::int64_t surrogate = cost.lut + 55 * cost.dsp;
  char text[160];
  std::snprintf(text, sizeof text, "EBOPs %lld vs LUT + 55*DSP = %lld (ratio %.2f)",
                static_cast<long long>(ebops), static_cast<long long>(surrogate),
                surrogate > 0 ? static_cast<double>(ebops) / static_cast<double>(surrogate) : 0.0);
  return text;
}

}  // namespace msqx::unrolled
