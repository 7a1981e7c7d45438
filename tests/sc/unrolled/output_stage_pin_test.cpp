// Bias, ReLU and requantization in the pin-level layer (dense_pin.h, output_stage.h): a layer whose
// bias joins its outputs' sums and whose output register applies a ReLU and requantizes each
// output to its own next-layer type (wrap, saturate, saturate symmetrically, finer and coarser
// grids), alone and chained into a last layer whose input types they are. Every output is checked
// against a golden computed here in double from the unaligned codes and types: the real-valued sum
// of the dequantized weights, inputs and bias, the ReLU, and HGQ's quantizer (floor(v 2^f + 1/2),
// then the overflow mode) written out again in this file, not taken from the library.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "models/unrolled/alignment.h"
#include "models/unrolled/dense_pin.h"
#include "models/unrolled/unrolled_cost.h"
#include "models/unrolled/unrolled_timing.h"
#include "tests/sc/unrolled/dense_bench.h"

namespace msqx::unrolled {
namespace {

using test::DenseBench;
using test::Vector;

PrecisionTensor Types(std::vector<std::int64_t> shape, std::vector<FixedType> types) {
  PrecisionTensor p;
  p.shape = std::move(shape);
  p.types = std::move(types);
  return p;
}

// Layer A, 3 -> 3. Inputs (k, i, f): x0 <1,1,2>, x1 <0,2,1>, x2 <1,0,3>. Weight codes (f):
//   o0: 3 (1), -5 (2), pruned        o1: 7 (0), pruned, 2 (2)      o2: -1 (3), 6 (1), -3 (0)
// Bias codes (f_b): 5 (2), -3 (6), 0.
PrecisionTensor ActsA() {
  return Types(
      {3}, {{1, 1, 2, Overflow::kWrap}, {0, 2, 1, Overflow::kWrap}, {1, 0, 3, Overflow::kWrap}});
}
QuantizedDense LayerA() {
  const auto w = [](int i, int f) { return FixedType{1, i, f, Overflow::kSatSym}; };
  QuantizedDense q = QuantizeDense(3, 3, {1.5, -1.25, 0, 7, 0, 0.5, -0.125, 3, -3},
                                   Types({3, 3}, {w(2, 1), w(2, 2), w(0, 0), w(3, 0), w(0, 0),
                                                  w(1, 2), w(0, 3), w(3, 1), w(2, 0)}));
  QuantizeBias(
      q, {1.25, -3.0 / 64, 0},
      Types({3},
            {{1, 2, 2, Overflow::kWrap}, {1, 0, 6, Overflow::kWrap}, {1, 2, 2, Overflow::kWrap}}));
  return q;
}
// Its outputs go to layer B's inputs: o0 <0,2,1> wrap, o1 <1,1,2> sat_sym, o2 <1,2,6> sat.
PrecisionTensor ActsB() {
  return Types(
      {3}, {{0, 2, 1, Overflow::kWrap}, {1, 1, 2, Overflow::kSatSym}, {1, 2, 6, Overflow::kSat}});
}

// By hand: steps f + fx. o0: 3, 3, bias 2 -> F0 = 3: constants 3, -5, bias 5 << 1 = 10.
// o1: 2, 5, bias 6 -> F1 = 6: 7 << 4 = 112, 2 << 1 = 4, bias -3. o2: 5, 2, 3 -> F2 = 5: -1,
// 6 << 3 = 48, -3 << 2 = -12, no bias. Requantization shifts F - f': 3 - 1 = 2, 6 - 2 = 4,
// 5 - 6 = -1. Output field: signed (o1, o2 are), 9 bits (o2's; o0's 3 unsigned bits need 4).
const std::vector<int> kFracA = {3, 6, 5};
struct A {
  static constexpr int kIn = 3, kOut = 3;
  static constexpr int kActBits = 4;  // x1's 3 unsigned bits need 4 on a signed bus
  static constexpr bool kActSigned = true;
  static constexpr int kInputBits[kIn] = {4, 3, 4};
  static constexpr int kReuse = 1, kDspMinBits = 10, kDspStages = 3;
  static constexpr std::int64_t kCodes[kOut * kIn] = {3, -5, 0, 112, 0, 4, -1, 48, -12};
  static constexpr std::int64_t kBias[kOut] = {10, -3, 0};
  static constexpr bool kRelu = true;
  static constexpr int kOutShift[kOut] = {2, 4, -1};
  static constexpr int kOutCodeBits[kOut] = {3, 4, 9};
  static constexpr bool kOutCodeSigned[kOut] = {false, true, true};
  static constexpr int kOutOverflow[kOut] = {0, 2, 1};
  // Every multiplier has at most 2 CSD digits: one adder level. Trees of 3, 3 and 3 terms
  // (bias included): 2 levels. 1 + 2 + 1.
  static constexpr int kHandLatency = 4;
};
struct ARf2 : A {
  // M = 4: m0 {3, -1} span 2 -> 1 level, m1 {-5, 48} span 3 -> 2, m2 {112, -12} span 3 -> 2,
  // m3 {4} -> 0. 2 + 2 + 1 + 1.
  static constexpr int kReuse = 2;
  static constexpr int kHandLatency = 6;
};
struct ANoRelu : A {
  static constexpr bool kRelu = false;
};

// Layer B, 3 -> 2, the last layer (exact sums leave). Weight codes (f): o0: 1 (0), -3 (1), 2 (0);
// o1: pruned, 5 (2), -1 (1). Bias: 1 (0), none. Steps: o0: 1, 3, 6, bias 0 -> F0 = 6: 32, -24, 2,
// bias 64; o1: 4, 7 -> F1 = 7: 40, -1.
QuantizedDense LayerB() {
  const auto w = [](int i, int f) { return FixedType{1, i, f, Overflow::kSatSym}; };
  QuantizedDense q =
      QuantizeDense(2, 3, {1, -1.5, 2, 0, 1.25, -0.5},
                    Types({2, 3}, {w(2, 0), w(2, 1), w(2, 0), w(0, 0), w(2, 2), w(2, 1)}));
  QuantizeBias(q, {1, 0}, Types({2}, {{1, 2, 0, Overflow::kWrap}, {1, 2, 0, Overflow::kWrap}}));
  return q;
}
const std::vector<int> kFracB = {6, 7};
struct B {
  static constexpr int kIn = 3, kOut = 2;
  static constexpr int kActBits = 9;
  static constexpr bool kActSigned = true;
  static constexpr int kInputBits[kIn] = {3, 4, 9};
  static constexpr int kReuse = 1, kDspMinBits = 10, kDspStages = 3;
  static constexpr std::int64_t kCodes[kOut * kIn] = {32, -24, 2, 0, 40, -1};
  static constexpr std::int64_t kBias[kOut] = {64, 0};
  // 1 level (24, 40: 2 digits), trees of 4 and 2 terms: 2 levels. 1 + 2 + 1.
  static constexpr int kHandLatency = 4;
};

// HGQ's quantizer of a real value to type t, written out here: round half up, then wrap into
// k+i+f bits or saturate (symmetrically for sat_sym); 0 when pruned.
std::int64_t Hgq(double v, const FixedType& t) {
  if (t.integer_bits + t.fractional_bits <= 0) return 0;
  const double code = std::floor(std::ldexp(v, t.fractional_bits) + 0.5);
  const int bits = t.sign_bits + t.integer_bits + t.fractional_bits;
  const double range = std::ldexp(1.0, t.integer_bits + t.fractional_bits);
  if (t.overflow == Overflow::kWrap) {
    double r = std::fmod(code, std::ldexp(1.0, bits));
    if (r < 0) r += std::ldexp(1.0, bits);
    if (t.sign_bits == 1 && r >= range) r -= std::ldexp(1.0, bits);
    return static_cast<std::int64_t>(r);
  }
  const double lo = t.sign_bits == 0 ? 0 : t.overflow == Overflow::kSatSym ? 1 - range : -range;
  return static_cast<std::int64_t>(std::min(std::max(code, lo), range - 1));
}

// The real-valued output o of `layer` for input codes x of types `acts`.
double RealSum(const QuantizedDense& layer, const PrecisionTensor& acts, const Vector& x, int o) {
  double v = layer.HasBias() ? std::ldexp(static_cast<double>(layer.BiasCode(o)),
                                          -layer.bias_types[o].fractional_bits)
                             : 0.0;
  for (int j = 0; j < layer.in_features; ++j) {
    if (acts[j].IsPruned()) continue;
    v += std::ldexp(static_cast<double>(layer.Code(o, j)), -layer.Type(o, j).fractional_bits) *
         std::ldexp(static_cast<double>(x[static_cast<std::size_t>(j)]), -acts[j].fractional_bits);
  }
  return v;
}

// Layer A's outputs: ReLU (when relu), then each output's next type.
Vector GoldenA(const Vector& x, bool relu) {
  Vector y;
  for (int o = 0; o < 3; ++o) {
    double v = RealSum(LayerA(), ActsA(), x, o);
    if (relu) v = std::max(v, 0.0);
    y.push_back(Hgq(v, ActsB()[o]));
  }
  return y;
}

// Layer B's exact sums on their grids F.
Vector GoldenB(const Vector& x) {
  Vector y;
  for (int o = 0; o < 2; ++o) {
    y.push_back(static_cast<std::int64_t>(std::ldexp(RealSum(LayerB(), ActsB(), x, o), kFracB[o])));
  }
  return y;
}

std::pair<Vector, Vector> Range(const PrecisionTensor& acts) {
  Vector lo, hi;
  for (const FixedType& t : acts.types) {
    lo.push_back(t.MinCode());
    hi.push_back(t.MaxCode());
  }
  return {lo, hi};
}

OutputStage StageA(bool relu) {
  OutputStage s;
  s.relu = relu;
  s.requant = ActsB();
  return s;
}

TEST(OutputStagePin, ConstantsAreTheAlignedCodesAndBias) {
  EXPECT_EQ(AlignedCodes(LayerA(), ActsA()), std::vector<std::int64_t>(A::kCodes, A::kCodes + 9));
  EXPECT_EQ(AlignedBias(LayerA(), ActsA()), std::vector<std::int64_t>(A::kBias, A::kBias + 3));
  EXPECT_EQ(AlignDense(LayerA(), ActsA()).output_frac_bits, kFracA);
  EXPECT_EQ(AlignedCodes(LayerB(), ActsB()), std::vector<std::int64_t>(B::kCodes, B::kCodes + 6));
  EXPECT_EQ(AlignedBias(LayerB(), ActsB()), std::vector<std::int64_t>(B::kBias, B::kBias + 2));
  EXPECT_EQ(AlignDense(LayerB(), ActsB()).output_frac_bits, kFracB);
  for (int o = 0; o < 3; ++o) {
    EXPECT_EQ(A::kOutShift[o], kFracA[o] - ActsB()[o].fractional_bits) << o;
    EXPECT_EQ(A::kOutCodeBits[o], ActsB()[o].Bits()) << o;
  }
  // One layer's output bus is the next layer's input bus.
  static_assert(std::is_same_v<UnrolledDense<A>::OutBus, UnrolledDense<B>::InBus>);
  EXPECT_EQ(UnrolledDense<A>::kOutBits, 9);
}

// The stage arithmetic of the module and the cost model's, with bias and output stage.
TEST(OutputStagePin, StagesEqualTheCostModel) {
  UnrolledParams p;
  const UnrolledCost a = DenseUnrolledCost(LayerA(), ActsA(), p, StageA(true));
  EXPECT_EQ(a.latency_cycles, A::kHandLatency);
  EXPECT_EQ(UnrolledDense<A>::kLatency, A::kHandLatency);
  EXPECT_EQ(a.bias_terms, 2);
  p.reuse_factor = 2;
  EXPECT_EQ(DenseUnrolledCost(LayerA(), ActsA(), p, StageA(true)).latency_cycles,
            ARf2::kHandLatency);
  EXPECT_EQ(UnrolledDense<ARf2>::kLatency, ARf2::kHandLatency);
  EXPECT_EQ(DenseUnrolledCost(LayerB(), ActsB()).latency_cycles, B::kHandLatency);
  EXPECT_EQ(UnrolledDense<B>::kLatency, B::kHandLatency);
}

template <typename Cfg>
void BitExactA(const char* name, bool relu) {
  DenseBench<UnrolledDense<Cfg>> tb("tb", tb::Seed(name), 0.7, 0.5);
  const auto [lo, hi] = Range(ActsA());
  tb.AddRandom(400, lo, hi, [relu](const Vector& x) { return GoldenA(x, relu); });
  tb.Run();
  tb.CheckOutputs();
}

TEST(OutputStagePin, BiasReluRequantBitExactRf1) { BitExactA<A>("StageRf1", true); }
TEST(OutputStagePin, BiasReluRequantBitExactRf2) { BitExactA<ARf2>("StageRf2", true); }
TEST(OutputStagePin, BiasRequantWithoutReluBitExact) { BitExactA<ANoRelu>("StageNoRelu", false); }

// The golden's own sanity: the outputs take negative sums (the ReLU matters), saturate, wrap and
// round, so that the bit-exact tests above exercise every branch.
TEST(OutputStagePin, GoldenExercisesEveryBranch) {
  const auto [lo, hi] = Range(ActsA());
  int negative = 0, saturated = 0, wrapped = 0;
  for (std::int64_t x0 = lo[0]; x0 <= hi[0]; ++x0) {
    for (std::int64_t x1 = lo[1]; x1 <= hi[1]; ++x1) {
      for (std::int64_t x2 = lo[2]; x2 <= hi[2]; ++x2) {
        const Vector x = {x0, x1, x2};
        negative += RealSum(LayerA(), ActsA(), x, 1) < 0;
        saturated += GoldenA(x, true)[1] == 7;
        wrapped += std::ldexp(std::max(RealSum(LayerA(), ActsA(), x, 0), 0.0), 1) >= 7.5;  // code 8
      }
    }
  }
  EXPECT_GT(negative, 0);
  EXPECT_GT(saturated, 0);
  EXPECT_GT(wrapped, 0);
}

// A (bias, ReLU, requantization) feeding B (bias, exact sums): bit-exact through both, and the
// latency of one inference is the sum of the two, as the chain's timing says.
struct Chain : sc_core::sc_module {
  using InBus = UnrolledDense<A>::InBus;
  using OutBus = UnrolledDense<B>::OutBus;
  sc_core::sc_in<bool> clk{"clk"}, rst{"rst"}, in_valid{"in_valid"};
  sc_core::sc_out<bool> in_ready{"in_ready"};
  sc_core::sc_in<InBus> in_data{"in_data"};
  sc_core::sc_out<bool> out_valid{"out_valid"};
  sc_core::sc_in<bool> out_ready{"out_ready"};
  sc_core::sc_out<OutBus> out_data{"out_data"};
  UnrolledDense<A> a{"a"};
  UnrolledDense<B> b{"b"};
  sc_core::sc_signal<bool> mid_valid{"mid_valid"}, mid_ready{"mid_ready"};
  sc_core::sc_signal<UnrolledDense<A>::OutBus> mid_data{"mid_data"};
  explicit Chain(const sc_core::sc_module_name& n) : sc_module(n) {
    a.clk(clk);
    a.rst(rst);
    a.in_valid(in_valid);
    a.in_ready(in_ready);
    a.in_data(in_data);
    a.out_valid(mid_valid);
    a.out_ready(mid_ready);
    a.out_data(mid_data);
    b.clk(clk);
    b.rst(rst);
    b.in_valid(mid_valid);
    b.in_ready(mid_ready);
    b.in_data(mid_data);
    b.out_valid(out_valid);
    b.out_ready(out_ready);
    b.out_data(out_data);
  }
};

TEST(OutputStagePin, ChainIsBitExactAndItsLatencyIsTheSum) {
  const std::vector<UnrolledLayer> chain = {{"a", LayerA(), ActsA(), {}, StageA(true)},
                                            {"b", LayerB(), ActsB(), {}, {}}};
  const UnrolledTiming timing = ChainUnrolledTiming(chain);
  EXPECT_EQ(timing.latency_cycles, A::kHandLatency + B::kHandLatency);
  DenseBench<Chain> tb("tb", tb::Seed("StageChain"), 0.6, 1.0);
  const auto [lo, hi] = Range(ActsA());
  tb.AddRandom(300, lo, hi, [](const Vector& x) { return GoldenB(GoldenA(x, true)); });
  tb.Run();
  tb.CheckOutputs();
  for (std::size_t n = 0; n < tb.got.size(); ++n) {
    ASSERT_EQ(tb.Latency(n), timing.latency_cycles) << "vector " << n;
  }
}

}  // namespace
}  // namespace msqx::unrolled
