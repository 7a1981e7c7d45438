// Alignment of products with different fractional widths (alignment.h) and what it costs in the
// adder trees (unrolled_cost.h), on a hand-made layer worked out in the comments.
#include "models/unrolled/alignment.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "models/unrolled/unrolled_cost.h"

namespace msqx::unrolled {
namespace {

PrecisionTensor Types(std::vector<std::int64_t> shape, std::vector<FixedType> types) {
  PrecisionTensor p;
  p.shape = std::move(shape);
  p.types = std::move(types);
  return p;
}

// Inputs (k, i, f): x0 <1,2,3> 6 bits, fx 3; x1 <0,4,0> 4 bits, fx 0; x2 <1,2,1> 4 bits, fx 1.
PrecisionTensor MixedActs() { return Types({3}, {{1, 2, 3}, {0, 4, 0}, {1, 2, 1}}); }

// Weights (value, type -> code, f):
//   w00  0.75  <1,0,2> ->  3, f 2     w01 -0.5  <1,0,3> -> -4, f 3     w02 0.625 <1,0,3> -> 5, f 3
//   w10  1.5   <1,1,1> ->  3, f 1     w11  0.3  pruned  ->  0          w12 6.0   <1,3,0> -> 6, f 0
QuantizedDense MixedLayer() {
  return QuantizeDense(
      2, 3, {0.75, -0.5, 0.625, 1.5, 0.3, 6.0},
      Types({2, 3}, {{1, 0, 2}, {1, 0, 3}, {1, 0, 3}, {1, 1, 1}, {0, 0, 0}, {1, 3, 0}}));
}

TEST(Alignment, MixedLayerByHand) {
  const QuantizedDense layer = MixedLayer();
  ASSERT_EQ(layer.codes, (std::vector<std::int64_t>{3, -4, 5, 3, 0, 6}));
  // Steps f + fx: output 0: 2+3 = 5, 3+0 = 3, 3+1 = 4 -> F0 = 5, shifts 0, 2, 1;
  //               output 1: 1+3 = 4, pruned, 0+1 = 1 -> F1 = 4, shifts 0, -, 3.
  const DenseAlignment a = AlignDense(layer, MixedActs());
  EXPECT_EQ(a.output_frac_bits, (std::vector<int>{5, 4}));
  EXPECT_EQ(a.shift, (std::vector<int>{0, 2, 1, 0, 0, 3}));
  EXPECT_EQ(a.MaxShift(), 3);
  // c' = code << shift: 3, -4 * 4, 5 * 2 | 3, 0, 6 * 8.
  EXPECT_EQ(AlignedCodes(layer, MixedActs()), (std::vector<std::int64_t>{3, -16, 10, 3, 0, 48}));
}

TEST(Alignment, AdderTreesWidenByTheShift) {
  // RF 1. Multipliers (unchanged by alignment): 3 = 4 - 1, 5 = 4 + 1, 6 = 8 - 2: one adder of
  // span + act bits each, -4 wiring: p00 2 + 6 = 8, p02 3 + 4 = 7, p10 2 + 6 = 8, p12 2 + 4 = 6:
  // 29 LUT, 29 FF, one stage.
  // Tree operands = span + act bits + shift:
  //   output 0: p00 8 + 0 = 8, p01 (1 + 4) + 2 = 7, p02 7 + 1 = 8. Level 1: 8 + 7 -> 9 (9 LUT,
  //     9 FF), 8 carried (8 FF); level 2: 9 + 8 -> 10 (10 LUT, 10 FF); output register 10 FF.
  //   output 1: p10 8, p12 6 + 3 = 9. Level 1: 8 + 9 -> 10 (10 LUT, 10 FF); output register 10.
  // LUT 29 + 19 + 10 = 58, FF 29 + 37 + 20 = 86. Unaligned (the model before alignment) output 1
  // would be 8 + 6 -> 9 and output 0's carried term 7: 57 LUT, 83 FF.
  const UnrolledCost c = DenseUnrolledCost(MixedLayer(), MixedActs());
  EXPECT_EQ(c.products, 5);
  EXPECT_EQ(c.multiplier_adders, 4);
  EXPECT_EQ(c.tree_adders, 3);
  EXPECT_EQ(c.lut, 58);
  EXPECT_EQ(c.ff, 86);
  EXPECT_EQ(c.dsp, 0);
  // The shift is wiring: the pipeline does not change.
  EXPECT_EQ(c.multiplier_stages, 1);
  EXPECT_EQ(c.tree_depth, 2);
  EXPECT_EQ(c.latency_cycles, 1 + 2 + 1);
}

// Uniform precision: every product of an output on the same grid, no shift, and the cost model's
// figures are those of the raw codes (what it gave before alignment existed).
TEST(Alignment, UniformPrecisionShiftsNothing) {
  const QuantizedDense mixed = MixedLayer();
  QuantizedDense uniform = mixed;
  for (FixedType& t : uniform.weight_types.types) {
    if (!t.IsPruned()) t = FixedType{1, 4, 3};
  }
  PrecisionTensor acts = MixedActs();
  for (FixedType& t : acts.types) t.fractional_bits = 2;  // widths 5, 6, 5 bits
  const DenseAlignment a = AlignDense(uniform, acts);
  EXPECT_EQ(a.output_frac_bits, (std::vector<int>{5, 5}));
  EXPECT_EQ(a.MaxShift(), 0);
  EXPECT_EQ(AlignedCodes(uniform, acts), mixed.codes);
  // By hand, as AdderTreesWidenByTheShift with act bits 5, 6, 5 and no shifts:
  //   multipliers p00 2 + 5 = 7, p02 3 + 5 = 8, p10 7, p12 2 + 5 = 7: 29 LUT, 29 FF;
  //   output 0: 7, 1 + 6 = 7, 8: 7 + 7 -> 8 (8), 8 carried (8 FF), 8 + 8 -> 9 (9), register 9:
  //     LUT 17, FF 8 + 8 + 9 + 9 = 34;
  //   output 1: 7 + 7 -> 8 (8 LUT, 8 FF), register 8: LUT 8, FF 16.
  const UnrolledCost c = DenseUnrolledCost(uniform, acts);
  EXPECT_EQ(c.lut, 29 + 17 + 8);
  EXPECT_EQ(c.ff, 29 + 34 + 16);
}

TEST(Alignment, PrunedActivationsHaveNoProductAndNoGrid) {
  // x1 pruned: w01 has no product (constant 0) and does not set the grid; output 1 has no live
  // product at all (w10 is 0, w11 reads x1): F 0, everything 0.
  const PrecisionTensor acts = Types({2}, {{1, 2, 3}, {0, 0, 0}});
  const QuantizedDense layer =
      QuantizeDense(2, 2, {0.75, 0.5, 0.0, 0.5}, UniformPrecision({2, 2}, FixedType{1, 0, 6}));
  ASSERT_EQ(layer.codes, (std::vector<std::int64_t>{48, 32, 0, 32}));
  const DenseAlignment a = AlignDense(layer, acts);
  EXPECT_EQ(a.output_frac_bits, (std::vector<int>{9, 0}));
  EXPECT_EQ(AlignedCodes(layer, acts), (std::vector<std::int64_t>{48, 0, 0, 0}));
}

TEST(Alignment, ConstantsThatDoNotFitAreRejected) {
  // f -30 and 32 on one output: code 1 (2^31 saturates to fixed<2, 32>'s largest code) moves 62
  // bits up and would need 63.
  const QuantizedDense layer = QuantizeDense(1, 2, {std::ldexp(1.0, 31), std::ldexp(1.0, -31)},
                                             Types({1, 2}, {{1, 31, -30}, {1, -30, 32}}));
  ASSERT_EQ(layer.codes, (std::vector<std::int64_t>{1, 2}));
  const PrecisionTensor acts = UniformPrecision({2}, FixedType{1, 3, 0});
  EXPECT_EQ(AlignDense(layer, acts).MaxShift(), 62);
  EXPECT_THROW(AlignedCodes(layer, acts), std::invalid_argument);
  EXPECT_THROW(AlignDense(layer, UniformPrecision({3}, FixedType{1, 3, 0})), std::invalid_argument);
}

}  // namespace
}  // namespace msqx::unrolled
