// Sanity and hand-computed cases of the unrolled dense layer's cost model.
#include "models/unrolled/unrolled_cost.h"

#include <gtest/gtest.h>

namespace msqx::unrolled {
namespace {

// A layer straight from integer codes; weight types are sized to hold them (k1, i = 8, f = 0)
// and a 0 code may be marked pruned.
QuantizedDense FromCodes(int out, int in, const std::vector<std::int64_t>& codes) {
  QuantizedDense q;
  q.out_features = out;
  q.in_features = in;
  q.weight_types = UniformPrecision({out, in}, FixedType{1, 8, 0});
  for (std::size_t e = 0; e < codes.size(); ++e) {
    if (codes[e] == 0) q.weight_types.types[e] = FixedType{0, 0, 0};
  }
  q.codes = codes;
  return q;
}

PrecisionTensor Acts(int n, int bits) { return UniformPrecision({n}, FixedType{0, bits, 0}); }

TEST(UnrolledCost, PrunedWeightsCostNothing) {
  const UnrolledCost none = DenseUnrolledCost(FromCodes(2, 3, {0, 0, 0, 0, 0, 0}), Acts(3, 8));
  EXPECT_EQ(none.products, 0);
  EXPECT_EQ(none.multipliers, 0);
  EXPECT_EQ(none.lut, 0);
  EXPECT_EQ(none.ff, 0);
  EXPECT_EQ(none.dsp, 0);
  EXPECT_EQ(none.latency_cycles, 0);
  // A pruned column adds nothing to a layer that has live weights either.
  const UnrolledCost two = DenseUnrolledCost(FromCodes(1, 2, {3, 85}), Acts(2, 8));
  const UnrolledCost three = DenseUnrolledCost(FromCodes(1, 3, {3, 0, 85}), Acts(3, 8));
  EXPECT_EQ(three.lut, two.lut);
  EXPECT_EQ(three.ff, two.ff);
  EXPECT_EQ(three.dsp, two.dsp);
  EXPECT_EQ(three.pipeline_depth, two.pipeline_depth);
}

TEST(UnrolledCost, ReuseFactorTwoHalvesTheMultipliers) {
  const QuantizedDense layer = FromCodes(4, 4, std::vector<std::int64_t>(16, 3));
  UnrolledParams p;
  const UnrolledCost rf1 = DenseUnrolledCost(layer, Acts(4, 4), p);
  p.reuse_factor = 2;
  const UnrolledCost rf2 = DenseUnrolledCost(layer, Acts(4, 4), p);
  p.reuse_factor = 4;
  const UnrolledCost rf4 = DenseUnrolledCost(layer, Acts(4, 4), p);
  EXPECT_EQ(rf1.multipliers, 16);
  EXPECT_EQ(rf2.multipliers, 8);
  EXPECT_EQ(rf4.multipliers, 4);
  EXPECT_EQ(rf2.initiation_interval, 2);
  EXPECT_EQ(rf2.latency_cycles, rf2.pipeline_depth + 1);
  EXPECT_EQ(rf1.tree_adders, rf2.tree_adders);  // Latency strategy keeps the whole tree
}

TEST(UnrolledCost, SharedMultiplierByHand) {
  // RF 2, one output, codes 3 and 3, 4-bit activations: one multiplier sized span 2 x 4 bits,
  // product width 6, 2 CSD digits -> LUTs: array multiplier with 1 adder, 6 LUT + 6 FF;
  // activation mux 2:1 on 4 bits = 4 LUT; constant ROM 2 words x (2 + 1) bits = 3 LUT;
  // two products registered, 12 FF. Tree: one adder of 7 bits (7 LUT, 7 FF) and the output
  // register (7 FF). LUT 6 + 4 + 3 + 7 = 20, FF 6 + 12 + 7 + 7 = 32.
  UnrolledParams p;
  p.reuse_factor = 2;
  const UnrolledCost c = DenseUnrolledCost(FromCodes(1, 2, {3, 3}), Acts(2, 4), p);
  EXPECT_EQ(c.multipliers, 1);
  EXPECT_EQ(c.lut, 20);
  EXPECT_EQ(c.ff, 32);
  EXPECT_EQ(c.pipeline_depth, 1 + 1 + 1);
  EXPECT_EQ(c.latency_cycles, 4);
}

TEST(UnrolledCost, PowersOfTwoNeedNoAdder) {
  // Codes 4 and -2, 4-bit activations: both products are wiring, 5 bits wide (span 1 + 4).
  // Only the tree: one adder of 6 bits (6 LUT, 6 FF) and the 6-bit output register.
  const UnrolledCost c = DenseUnrolledCost(FromCodes(1, 2, {4, -2}), Acts(2, 4));
  EXPECT_EQ(c.multiplier_adders, 0);
  EXPECT_EQ(c.multiplier_stages, 0);
  EXPECT_EQ(c.lut, 6);
  EXPECT_EQ(c.ff, 12);
  EXPECT_EQ(c.pipeline_depth, 0 + 1 + 1);
  // Code 7 = 8 - 1: one adder of span 3 + 4 = 7 bits, one stage, no tree, output register.
  const UnrolledCost seven = DenseUnrolledCost(FromCodes(1, 1, {7}), Acts(1, 4));
  EXPECT_EQ(seven.multiplier_adders, 1);
  EXPECT_EQ(seven.lut, 7);
  EXPECT_EQ(seven.ff, 14);
  EXPECT_EQ(seven.pipeline_depth, 1 + 0 + 1);
}

TEST(UnrolledCost, AdderTreeGrowsOneBitPerLevel) {
  // Three 5-bit products (code 1, 4-bit activations): level 1 adds two into 6 bits and carries
  // the third in a 5-bit register; level 2 adds them into 7 bits. LUT 6 + 7, FF 6 + 5 + 7 + 7.
  const UnrolledCost c = DenseUnrolledCost(FromCodes(1, 3, {1, 1, 1}), Acts(3, 4));
  EXPECT_EQ(c.tree_adders, 2);
  EXPECT_EQ(c.tree_depth, 2);
  EXPECT_EQ(c.lut, 13);
  EXPECT_EQ(c.ff, 25);
}

TEST(UnrolledCost, DspThreshold) {
  // 85 = 0b1010101: 4 CSD digits, span 7; with 8-bit activations the product is 15 bits.
  UnrolledParams p;
  p.dsp_min_bits = 10;
  const UnrolledCost on_dsp = DenseUnrolledCost(FromCodes(1, 1, {85}), Acts(1, 8), p);
  EXPECT_EQ(on_dsp.dsp, 1);
  EXPECT_EQ(on_dsp.lut, 0);
  EXPECT_EQ(on_dsp.multiplier_stages, p.dsp_stages);
  p.dsp_min_bits = 16;
  const UnrolledCost in_luts = DenseUnrolledCost(FromCodes(1, 1, {85}), Acts(1, 8), p);
  EXPECT_EQ(in_luts.dsp, 0);
  EXPECT_EQ(in_luts.lut, 3 * 15);
  // Two CSD digits never go to a DSP, however wide: 5 = 4 + 1 with 16-bit activations.
  p.dsp_min_bits = 2;
  EXPECT_EQ(DenseUnrolledCost(FromCodes(1, 1, {5}), Acts(1, 16), p).dsp, 0);
  p.dsp_min_bits = 0;
  EXPECT_THROW(DenseUnrolledCost(FromCodes(1, 1, {5}), Acts(1, 16), p), std::invalid_argument);
}

}  // namespace
}  // namespace msqx::unrolled

namespace msqx::unrolled {
namespace {

// Codes 3 and 5 on 4-bit unsigned inputs (all on grid 0): products 3x (2 CSD digits, span 2:
// one 6-bit adder) and 5x (one 7-bit adder), one tree adder of 8 bits, the 8-bit root registered.
// LUT 6 + 7 + 8 = 21; FF 6 + 7 (multiplier adders) + 8 (tree) + 8 (output) = 29; depth 1 + 1 + 1.
QuantizedDense ThreeAndFive() { return FromCodes(1, 2, {3, 5}); }

TEST(UnrolledCost, BiasIsOneMoreTreeTerm) {
  const UnrolledCost plain = DenseUnrolledCost(ThreeAndFive(), Acts(2, 4));
  EXPECT_EQ(plain.lut, 21);
  EXPECT_EQ(plain.ff, 29);
  EXPECT_EQ(plain.pipeline_depth, 3);
  // Bias 9 on grid 0: a 5-bit constant term (4 bits and the sign). Level 1: 6 + 7 -> 8, the bias
  // carried (5 FF); level 2: 8 + 5 -> 9. LUT 6 + 7 + 8 + 9 = 30; FF 13 + 8 + 5 + 9 + 9 (output).
  QuantizedDense biased = ThreeAndFive();
  QuantizeBias(biased, {9.0}, UniformPrecision({1}, FixedType{1, 5, 0}));
  const UnrolledCost b = DenseUnrolledCost(biased, Acts(2, 4));
  EXPECT_EQ(b.bias_terms, 1);
  EXPECT_EQ(b.tree_depth, 2);
  EXPECT_EQ(b.pipeline_depth, 4);
  EXPECT_EQ(b.lut, 30);
  EXPECT_EQ(b.ff, 44);
  // A zero bias is no term at all.
  QuantizedDense zero = ThreeAndFive();
  QuantizeBias(zero, {0.2}, UniformPrecision({1}, FixedType{1, 5, 0}));
  EXPECT_EQ(zero.bias_codes[0], 0);
  EXPECT_EQ(DenseUnrolledCost(zero, Acts(2, 4)).lut, plain.lut);
}

// The output register's work (docs/unrolled.md, "Output stage"): the same 8-bit root on grid 0.
TEST(UnrolledCost, OutputStageByHand) {
  const auto with = [](bool relu, FixedType next) {
    OutputStage s;
    s.relu = relu;
    s.requant = UniformPrecision({1}, next);
    return DenseUnrolledCost(ThreeAndFive(), Acts(2, 4), {}, s);
  };
  // ReLU into 3 unsigned wrapping bits: 3 AND gates; a 3-bit register instead of 8.
  const UnrolledCost relu = with(true, {0, 3, 0, Overflow::kWrap});
  EXPECT_EQ(relu.lut, 21 + 3);
  EXPECT_EQ(relu.ff, 29 - 8 + 3);
  EXPECT_EQ(relu.pipeline_depth, 3);  // in the output register: no extra cycle
  // Saturating into signed 3 bits: a mux per bit and one LUT for the 5 dropped high bits.
  EXPECT_EQ(with(false, {1, 2, 0, Overflow::kSat}).lut, 21 + 3 + 1);
  // One fractional bit dropped (f = -1): rounding adds half a step, an 8-bit incrementer; 2 bits.
  const UnrolledCost round = with(false, {0, 3, -1, Overflow::kWrap});
  EXPECT_EQ(round.lut, 21 + 8);
  EXPECT_EQ(round.ff, 29 - 8 + 2);
  // The next layer prunes this input: the output is the constant 0, no register.
  EXPECT_EQ(with(true, {0, 0, 0, Overflow::kWrap}).ff, 29 - 8);
  OutputStage wrong;
  wrong.requant = UniformPrecision({2}, FixedType{0, 3, 0});
  EXPECT_THROW(DenseUnrolledCost(ThreeAndFive(), Acts(2, 4), {}, wrong), std::invalid_argument);
}

// Each product's multiplier is sized from its own operands: 11 (3 CSD digits, span 4) times a
// 4-bit input is an 8-bit product, below the DSP threshold of 10, even though the layer's other
// input is 8 bits wide. At RF 2 one multiplier serves both products and is sized for the widest
// constant and input it serves: 4 + 8 = 12 bits with 3 digits, a DSP.
TEST(UnrolledCost, MultipliersAreSizedByTheirOwnOperands) {
  QuantizedDense q = FromCodes(1, 2, {11, 1});
  PrecisionTensor acts = UniformPrecision({2}, FixedType{0, 4, 0});
  acts.types[1] = FixedType{0, 8, 0};
  EXPECT_EQ(DenseUnrolledCost(q, acts).dsp, 0);
  UnrolledParams rf2;
  rf2.reuse_factor = 2;
  EXPECT_EQ(DenseUnrolledCost(q, acts, rf2).dsp, 1);
}

}  // namespace
}  // namespace msqx::unrolled
