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

// HGQ2's bits (FixedPointQuantizerBase.bits): max(i + f, 0), plus k only when the overflow mode is
// SAT; the declared width whatever value the element quantized to.
TEST(HgqEbops, BitsFollowHgqsQuantizer) {
  EXPECT_EQ(HgqBits({1, 2, 3, Overflow::kWrap}), 5);
  EXPECT_EQ(HgqBits({1, 2, 3, Overflow::kSatSym}), 5);
  EXPECT_EQ(HgqBits({1, 2, 3, Overflow::kSat}), 6);
  EXPECT_EQ(HgqBits({0, 2, 3, Overflow::kSat}), 5);
  EXPECT_EQ(HgqBits({1, -4, 4, Overflow::kSatSym}), 0);   // i + f = 0: pruned
  EXPECT_EQ(HgqBits({1, -10, -12, Overflow::kWrap}), 0);  // i + f = -22
  EXPECT_EQ(HgqBits({1, -10, -12, Overflow::kSat}), 1);   // relu(b) + k, as HGQ counts it
}

// A 2 -> 3 layer worked by hand. Inputs: x0 k1 i1 f2 WRAP (HGQ: 3 bits, no sign), x1 k0 i2 f1
// SAT (3 bits: k = 0 adds nothing). Weights (all SAT_SYM) [o][j] with i + f:
//   o0: 4, 0 (pruned)     o1: 2, -3 (pruned)     o2: 1, 5
// Products: o0: 3*4 + 3*0 = 12; o1: 3*2 + 0 = 6; o2: 3*1 + 3*5 = 18; sum 36. A declared-width
// count: the codes do not matter (w[2][1] quantizes to 0 and still counts 5 bits).
// Bias bits (SAT: + k): 4 + 1 = 5, 2 + 1 = 3, 0 + 1 = 1 (pruned, i + f = -1, still its k): mean 3,
// times 3 outputs = 9. Total 45.
TEST(HgqEbops, DenseLayerByHand) {
  const PrecisionTensor acts = Types({2}, {{1, 1, 2, Overflow::kWrap}, {0, 2, 1, Overflow::kSat}});
  QuantizedDense layer = QuantizeDense(3, 2, {0.5, 0.3, 0.25, 0.1, 0.5, 0.0},
                                       Types({3, 2}, {{1, 1, 3, Overflow::kSatSym},
                                                      {1, 0, 0, Overflow::kSatSym},
                                                      {1, 0, 2, Overflow::kSatSym},
                                                      {1, -1, -2, Overflow::kSatSym},
                                                      {1, 0, 1, Overflow::kSatSym},
                                                      {1, 1, 4, Overflow::kSatSym}}));
  EXPECT_EQ(layer.Code(2, 1), 0);
  EXPECT_EQ(HgqDenseEbops(layer, acts), 36);
  QuantizeBias(
      layer, {0.5, -0.25, 3.0},
      Types({3},
            {{1, 1, 3, Overflow::kSat}, {1, 0, 2, Overflow::kSat}, {1, 0, -1, Overflow::kSat}}));
  EXPECT_EQ(HgqDenseEbops(layer, acts), 45);
  // The span figure of the same layer: 2 (|4| span 1 * 3... ) is another quantity entirely.
  EXPECT_NE(DenseEbops(layer, acts), HgqDenseEbops(layer, acts));
  EXPECT_THROW(HgqDenseEbops(layer, Types({1}, {{1, 1, 2}})), std::invalid_argument);
}

// HGQ computes the bias term in float32 as mean(bits) * outputs: 31 bits over 7 outputs is
// float(31/7) * 7 = 30.999998 (NumPy float32), which alone truncates to HGQ's uint32 30; added to
// 2100 product bits float32 rounds 2130.999998 to 2131.
TEST(HgqEbops, BiasTermIsHgqsFloat32Mean) {
  const PrecisionTensor input = Types({1}, {{0, 10, 0, Overflow::kWrap}});  // 10 bits
  const auto with_weights = [&](FixedType w) {
    QuantizedDense q =
        QuantizeDense(7, 1, std::vector<double>(7, 0.0), UniformPrecision({7, 1}, w));
    PrecisionTensor bias;
    bias.shape = {7};
    for (int bits : {5, 5, 5, 4, 4, 4, 4}) bias.types.push_back({1, 0, bits, Overflow::kWrap});
    QuantizeBias(q, std::vector<double>(7, 0.0), bias);
    return HgqDenseEbops(q, input);
  };
  EXPECT_EQ(with_weights({1, 0, 0, Overflow::kSatSym}), 30);      // pruned weights
  EXPECT_EQ(with_weights({0, 10, 20, Overflow::kSatSym}), 2131);  // 7 * 30 * 10 = 2100
}

}  // namespace
}  // namespace msqx::unrolled
