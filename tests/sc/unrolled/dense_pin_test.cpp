// The pin-level unrolled dense layer (models/unrolled/dense_pin.h) on small hand-made layers:
// bit-exact against the integer golden under random back-pressure, latency and II measured on
// the pins against a hand derivation and against the cost model (DenseUnrolledCost /
// UnrolledTiming, the cycle fidelity).
#include "models/unrolled/dense_pin.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "models/unrolled/csd.h"
#include "models/unrolled/unrolled_cost.h"
#include "models/unrolled/unrolled_timing.h"
#include "tests/sc/unrolled/dense_bench.h"

namespace msqx::unrolled {
namespace {

using test::DenseBench;
using test::Vector;

// The hand derivation of each layer's latency (docs/unrolled.md, "Pin-level model") is the
// kHandLatency of its config. cfg::SmallDense (dense_pin.h): codes
// {3, 0, -4, 341 | 1, -11, 0, 0 | -7, 8, 5, -2}, signed 5-bit inputs, DSP from 10 product bits,
// 3 DSP registers. Its products in row-major order:
//   k0 = 3 (4 - 1: one adder level), k1 = -4 (wiring), k2 = 341 (5 CSD digits, 9 + 5 = 14 bits
//   >= 10: DSP, 3 registers), k3 = 1, k4 = -11 (-16 + 4 + 1: 3 digits, 4 + 5 = 9 bits < 10: LUT,
//   2 levels), k5 = -7 (1 level), k6 = 8, k7 = 5 (1 level), k8 = -2.
//   Trees: 3, 2 and 4 products -> 2, 1, 2 levels: D = 2.
struct Rf1 : cfg::SmallDense {
  static constexpr int kHandLatency = 3 + 2 + 1;  // S = 3 (the DSP), D = 2, output register
};
// M = 5, multiplier m serves k = m and m + 5: m0 {3, -7} array multiplier of span 3 -> 2 levels,
// m1 {-4, 8} and m3 {1, -2} span 1 -> 0, m2 {341, 5} DSP 3, m4 {-11} span 4 -> 2.
struct Rf2 : cfg::SmallDenseRf2 {
  static constexpr int kHandLatency = 3 + 2 + 1 + (2 - 1);
};
// M = 3: m0 {3, 1, 8} span 2 -> 1, m1 {-4, -11, 5} span 4, 9 bits -> 2, m2 {341, -7, -2} DSP 3.
// 12 slots for 9 products: phase 3 has none, and the vector still takes RF cycles.
struct Rf4 : cfg::SmallDense {
  static constexpr int kReuse = 4;
  static constexpr int kHandLatency = 3 + 2 + 1 + (4 - 1);
};
// A one-register DSP: the LUT multipliers are now the slowest, S = 2 (k4 at RF 1; m0, m4 at RF 2).
struct Dsp1 : cfg::SmallDense {
  static constexpr int kDspStages = 1;
  static constexpr int kHandLatency = 2 + 2 + 1;
};
struct Dsp1Rf2 : Dsp1 {
  static constexpr int kReuse = 2;
  static constexpr int kHandLatency = 2 + 2 + 1 + (2 - 1);
};
// Only wiring: no multiplier stage, no tree level (one product per output), unsigned inputs.
struct Wiring {
  static constexpr int kIn = 2, kOut = 2, kActBits = 3;
  static constexpr bool kActSigned = false;
  static constexpr int kReuse = 1, kDspMinBits = 10, kDspStages = 3;
  static constexpr std::int64_t kCodes[kOut * kIn] = {4, 0, 0, -1};
  static constexpr int kHandLatency = 0 + 0 + 1;
};
struct WiringRf2 : Wiring {
  static constexpr int kReuse = 2;  // one multiplier, {4, -1}: span 1, wiring
  static constexpr int kHandLatency = 0 + 0 + 1 + (2 - 1);
};

template <typename Cfg>
std::pair<Vector, Vector> InputRange() {
  const std::int64_t lo = Cfg::kActSigned ? -(std::int64_t{1} << (Cfg::kActBits - 1)) : 0;
  const std::int64_t hi =
      (std::int64_t{1} << (Cfg::kActSigned ? Cfg::kActBits - 1 : Cfg::kActBits)) - 1;
  return {Vector(Cfg::kIn, lo), Vector(Cfg::kIn, hi)};
}

template <typename Cfg>
void AddVectors(DenseBench<UnrolledDense<Cfg>>& tb, int count) {
  const auto [lo, hi] = InputRange<Cfg>();
  tb.AddRandom(count, lo, hi, [](const Vector& x) {
    return test::DenseGolden(Cfg::kCodes, Cfg::kOut, Cfg::kIn, x);
  });
}

// Bit-exact under random gaps and random back-pressure.
template <typename Cfg>
void BitExact(const char* name) {
  DenseBench<UnrolledDense<Cfg>> tb("tb", tb::Seed(name), 0.7, 0.5);
  AddVectors<Cfg>(tb, 300);
  tb.Run();
  tb.CheckOutputs();
}

// With an always-ready sink, every vector (random gaps on the input side) leaves exactly
// `latency` cycles after its handshake, and that equals the hand derivation, the module's own
// constant and the cycle fidelity.
template <typename Cfg>
void Latency(const char* name) {
  using Dut = UnrolledDense<Cfg>;
  DenseBench<Dut> tb("tb", tb::Seed(name), 0.4, 1.0);
  AddVectors<Cfg>(tb, 60);
  tb.Run();
  tb.CheckOutputs();
  const UnrolledLayerTiming timing =
      DenseUnrolledTiming(name, test::LayerOf<Cfg>(), test::ActsOf<Cfg>(), test::ParamsOf<Cfg>());
  EXPECT_EQ(timing.latency_cycles, Cfg::kHandLatency);
  EXPECT_EQ(Dut::kLatency, Cfg::kHandLatency);
  for (std::size_t n = 0; n < tb.got.size(); ++n) {
    ASSERT_EQ(tb.Latency(n), Cfg::kHandLatency) << "vector " << n;
  }
}

// Always-valid source, always-ready sink: a vector enters and a result leaves every RF cycles.
template <typename Cfg>
void InitiationInterval(const char* name) {
  DenseBench<UnrolledDense<Cfg>> tb("tb", tb::Seed(name), 1.0, 1.0);
  AddVectors<Cfg>(tb, 40);
  tb.Run();
  tb.CheckOutputs();
  EXPECT_EQ(tb.Latency(0), Cfg::kHandLatency);
  for (std::size_t n = 1; n < tb.got.size(); ++n) {
    ASSERT_EQ(tb.in_cycles[n] - tb.in_cycles[n - 1], Cfg::kReuse) << "input " << n;
    ASSERT_EQ(tb.out_cycles[n] - tb.out_cycles[n - 1], Cfg::kReuse) << "output " << n;
  }
}

// The module's stage arithmetic and the cost model's, on the same layer.
template <typename Cfg>
void ExpectCostAgrees() {
  using Dut = UnrolledDense<Cfg>;
  const UnrolledCost c =
      DenseUnrolledCost(test::LayerOf<Cfg>(), test::ActsOf<Cfg>(), test::ParamsOf<Cfg>());
  EXPECT_EQ(Dut::kMuls, c.multipliers);
  EXPECT_EQ(Dut::kMulStages, c.multiplier_stages);
  EXPECT_EQ(Dut::kTreeDepth, c.tree_depth);
  EXPECT_EQ(Dut::kPipelineDepth, c.pipeline_depth);
  EXPECT_EQ(Dut::kLatency, c.latency_cycles);
  EXPECT_EQ(Cfg::kReuse, c.initiation_interval);
  std::int64_t dsp = 0;
  for (int m = 0; m < Dut::kMuls; ++m) dsp += Dut::kDsp[m];
  EXPECT_EQ(dsp, c.dsp);
}

TEST(DensePinCsd, ConstexprDigitsMatchCsdH) {
  std::vector<std::int64_t> values;
  for (std::int64_t v = -4096; v <= 4096; ++v) values.push_back(v);
  for (std::int64_t v :
       {std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max(),
        std::int64_t{0x5555555555}, std::int64_t{-0x2AAAAAAAAB}}) {
    values.push_back(v);
  }
  for (std::int64_t v : values) {
    std::vector<std::int8_t> digits;
    dense_pin::ForEachCsdDigit(v, [&](int pos, int sign) {
      digits.resize(static_cast<std::size_t>(pos) + 1, 0);
      digits[static_cast<std::size_t>(pos)] = static_cast<std::int8_t>(sign);
    });
    ASSERT_EQ(digits, CsdDigits(v)) << v;
    ASSERT_EQ(dense_pin::CsdNonZero(v), CsdNonZeroDigits(v)) << v;
    ASSERT_EQ(dense_pin::SpanBits(v), SpanBits(v)) << v;
  }
}

TEST(DensePinPlan, SmallLayerByHand) {
  using D1 = UnrolledDense<Rf1>;
  EXPECT_EQ(D1::kProducts, 9);
  EXPECT_EQ(D1::kMuls, 9);
  EXPECT_EQ(D1::kMulStages, 3);
  EXPECT_EQ(D1::kTreeDepth, 2);
  EXPECT_EQ(D1::kTerms, 4);  // -11: 3 digits -> 2 levels of pairwise sums
  // |sum| <= (3 + 4 + 341) * 16 = 5568 < 2^13: 13 bits and the sign.
  EXPECT_EQ(D1::kOutBits, 14);
  const bool dsp1[] = {false, false, true, false, false, false, false, false, false};
  const int levels1[] = {1, 0, 3, 0, 2, 1, 0, 1, 0};
  for (int m = 0; m < 9; ++m) {
    EXPECT_EQ(D1::kDsp[m], dsp1[m]) << m;
    EXPECT_EQ(D1::kLevels[m], levels1[m]) << m;
  }
  using D2 = UnrolledDense<Rf2>;
  EXPECT_EQ(D2::kMuls, 5);
  const int levels2[] = {2, 0, 3, 0, 2};
  for (int m = 0; m < 5; ++m) EXPECT_EQ(D2::kLevels[m], levels2[m]) << m;
  EXPECT_TRUE(D2::kDsp[2]);
  EXPECT_EQ(UnrolledDense<Wiring>::kMulStages, 0);
  EXPECT_EQ(UnrolledDense<Wiring>::kTreeDepth, 0);
}

TEST(DensePinPlan, StagesEqualTheCostModel) {
  ExpectCostAgrees<Rf1>();
  ExpectCostAgrees<Rf2>();
  ExpectCostAgrees<Rf4>();
  ExpectCostAgrees<Dsp1>();
  ExpectCostAgrees<Dsp1Rf2>();
  ExpectCostAgrees<Wiring>();
  ExpectCostAgrees<WiringRf2>();
}

TEST(DensePinSmall, BitExactRf1) { BitExact<Rf1>("SmallRf1"); }
TEST(DensePinSmall, BitExactRf2) { BitExact<Rf2>("SmallRf2"); }
TEST(DensePinSmall, BitExactRf4) { BitExact<Rf4>("SmallRf4"); }
TEST(DensePinSmall, BitExactOneDspRegister) { BitExact<Dsp1>("SmallDsp1"); }
TEST(DensePinSmall, BitExactOneDspRegisterRf2) { BitExact<Dsp1Rf2>("SmallDsp1Rf2"); }
TEST(DensePinWiring, BitExactRf1) { BitExact<Wiring>("WiringRf1"); }
TEST(DensePinWiring, BitExactRf2) { BitExact<WiringRf2>("WiringRf2"); }

TEST(DensePinSmall, LatencyRf1) { Latency<Rf1>("SmallRf1"); }
TEST(DensePinSmall, LatencyRf2) { Latency<Rf2>("SmallRf2"); }
TEST(DensePinSmall, LatencyRf4) { Latency<Rf4>("SmallRf4"); }
TEST(DensePinSmall, LatencyOneDspRegister) { Latency<Dsp1>("SmallDsp1"); }
TEST(DensePinSmall, LatencyOneDspRegisterRf2) { Latency<Dsp1Rf2>("SmallDsp1Rf2"); }
TEST(DensePinWiring, LatencyRf1) { Latency<Wiring>("WiringRf1"); }
TEST(DensePinWiring, LatencyRf2) { Latency<WiringRf2>("WiringRf2"); }

TEST(DensePinSmall, InitiationIntervalRf1) { InitiationInterval<Rf1>("SmallRf1"); }
TEST(DensePinSmall, InitiationIntervalRf2) { InitiationInterval<Rf2>("SmallRf2"); }
TEST(DensePinSmall, InitiationIntervalRf4) { InitiationInterval<Rf4>("SmallRf4"); }
TEST(DensePinWiring, InitiationIntervalRf1) { InitiationInterval<Wiring>("WiringRf1"); }

}  // namespace
}  // namespace msqx::unrolled
