// EBOPs of small hand-made layers, worked out by hand in the comments.
#include "models/unrolled/ebops.h"

#include <gtest/gtest.h>

namespace msqx::unrolled {
namespace {

PrecisionTensor Types(std::vector<std::int64_t> shape, std::vector<FixedType> types) {
  PrecisionTensor p;
  p.shape = std::move(shape);
  p.types = std::move(types);
  return p;
}

TEST(Ebops, TwoByThreeLayerByHand) {
  // Activations: a0 fixed<k1,i2,f3> = 6 bits, a1 unsigned fixed<k0,i4,f0> = 4 bits,
  // a2 fixed<k1,i0,f1> = 2 bits.
  const PrecisionTensor acts = Types({3}, {{1, 2, 3}, {0, 4, 0}, {1, 0, 1}});
  // Weights (value, type -> code, span):
  //   w00  0.75  <1,0,2> -> 3 = 0b11   span 2     w01 -0.5  <1,0,3> -> -4 = -0b100  span 1
  //   w02  0.625 <1,0,3> -> 5 = 0b101  span 3     w10  1.5  <1,1,1> -> 3 = 0b11     span 2
  //   w11  0.3   pruned  -> 0          span 0     w12  6.0  <1,3,0> -> 6 = 0b110    span 2
  const QuantizedDense layer = QuantizeDense(
      2, 3, {0.75, -0.5, 0.625, 1.5, 0.3, 6.0},
      Types({2, 3}, {{1, 0, 2}, {1, 0, 3}, {1, 0, 3}, {1, 1, 1}, {0, 0, 0}, {1, 3, 0}}));
  ASSERT_EQ(layer.codes, (std::vector<std::int64_t>{3, -4, 5, 3, 0, 6}));
  // Row 0: 2*6 + 1*4 + 3*2 = 22; row 1: 2*6 + 0*4 + 2*2 = 16; total 38.
  EXPECT_EQ(DenseEbops(layer, acts), 38);
}

TEST(Ebops, WidthIsTheCodesSpanNotTheDeclaredType) {
  // 0.5 declared as fixed<8, 2> (k1 i1 f6) quantizes to code 32 = 0b100000: span 1.
  // Activation unsigned 8 bits. EBOPs 1 * 8 = 8, not 8 * 8 = 64.
  const QuantizedDense layer = QuantizeDense(1, 1, {0.5}, Types({1, 1}, {{1, 1, 6}}));
  EXPECT_EQ(layer.codes[0], 32);
  EXPECT_EQ(DenseEbops(layer, Types({1}, {{0, 8, 0}})), 8);
}

TEST(Ebops, PrunedActivationsAndUniformPrecision) {
  // Two inputs, a0 pruned (0 bits), a1 fixed<k1,i1,f3> = 5 bits; three outputs, all weights
  // fixed<4, 1> (k1 i0 f3). Weights 0.875 -> code 7 (span 3), -0.125 -> -1 (span 1),
  // 0.5 -> 4 (span 1), 0.375 -> 3 (span 2), 0 -> 0, 0.75 -> 6 (span 2).
  // Only column 1 counts: (1 + 2 + 2) * 5 = 25.
  const QuantizedDense layer = QuantizeDense(3, 2, {0.875, -0.125, 0.5, 0.375, 0.0, 0.75},
                                             UniformPrecision({3, 2}, FixedType{1, 0, 3}));
  EXPECT_EQ(DenseEbops(layer, Types({2}, {{0, 0, 0}, {1, 1, 3}})), 25);
  // Uniform 5-bit activations: all spans sum to 3+1+1+2+0+2 = 9, so 9 * 5 = 45.
  EXPECT_EQ(DenseEbops(layer, UniformPrecision({2}, FixedType{1, 1, 3})), 45);
  EXPECT_THROW(DenseEbops(layer, UniformPrecision({3}, FixedType{1, 1, 3})), std::invalid_argument);
}

}  // namespace
}  // namespace msqx::unrolled
