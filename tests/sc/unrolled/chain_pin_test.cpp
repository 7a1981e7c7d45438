// Two pin-level unrolled layers back to back (no register between them) against the cycle
// fidelity of the chain (ChainUnrolledTiming): the latency of one inference is the sum of the
// layers' latencies and the chain's II is the largest RF. Plus UnrolledTiming's own arithmetic.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <systemc>
#include <type_traits>
#include <vector>

#include "models/unrolled/dense_pin.h"
#include "models/unrolled/unrolled_timing.h"
#include "tests/sc/unrolled/dense_bench.h"

namespace msqx::unrolled {
namespace {

using test::DenseBench;
using test::Vector;

using First = cfg::SmallDense;  // RF 1, latency 6, 14-bit signed sums
// Takes First's sums as they are (no requantization between the layers); 13 = 16 - 4 + 1 on an
// 18-bit product goes to a DSP. M = 3: m0 {1, 6} span 2 -> 1 level, m1 {-3, -1} -> 1, m2 {13}
// DSP 3; trees of 3 and 2 products: D = 2. Latency 3 + 2 + 1 + (2 - 1) = 7.
struct Second {
  static constexpr int kIn = 3, kOut = 2;
  static constexpr int kActBits = UnrolledDense<First>::kOutBits;
  static constexpr bool kActSigned = true;
  static constexpr int kReuse = 2, kDspMinBits = 10, kDspStages = 3;
  static constexpr std::int64_t kCodes[kOut * kIn] = {1, -3, 13, 6, 0, -1};
};

// A top that only instantiates and binds: First's output stream is Second's input stream.
struct TwoLayers : sc_core::sc_module {
  using A = UnrolledDense<First>;
  using B = UnrolledDense<Second>;
  static_assert(std::is_same_v<A::OutBus, B::InBus>, "the sums travel unchanged");
  using InBus = A::InBus;
  using OutBus = B::OutBus;

  sc_core::sc_in<bool> clk{"clk"};
  sc_core::sc_in<bool> rst{"rst"};
  sc_core::sc_in<bool> in_valid{"in_valid"};
  sc_core::sc_out<bool> in_ready{"in_ready"};
  sc_core::sc_in<InBus> in_data{"in_data"};
  sc_core::sc_out<bool> out_valid{"out_valid"};
  sc_core::sc_in<bool> out_ready{"out_ready"};
  sc_core::sc_out<OutBus> out_data{"out_data"};

  A a{"a"};
  B b{"b"};
  sc_core::sc_signal<bool> mid_valid{"mid_valid"}, mid_ready{"mid_ready"};
  sc_core::sc_signal<A::OutBus> mid_data{"mid_data"};

  explicit TwoLayers(const sc_core::sc_module_name& n) : sc_module(n) {
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

std::vector<UnrolledLayer> ChainOfTwo() {
  return {
      {"first", test::LayerOf<First>(), test::ActsOf<First>(), test::ParamsOf<First>(), {}},
      {"second", test::LayerOf<Second>(), test::ActsOf<Second>(), test::ParamsOf<Second>(), {}}};
}

Vector Golden(const Vector& x) {
  return test::DenseGolden(Second::kCodes, Second::kOut, Second::kIn,
                           test::DenseGolden(First::kCodes, First::kOut, First::kIn, x));
}

void RunChain(DenseBench<TwoLayers>& tb, int count) {
  tb.AddRandom(count, Vector(First::kIn, -16), Vector(First::kIn, 15), Golden);
  tb.Run();
  tb.CheckOutputs();
}

TEST(UnrolledChainPin, BitExact) {
  DenseBench<TwoLayers> tb("tb", tb::Seed("ChainBitExact"), 0.7, 0.5);
  RunChain(tb, 300);
}

TEST(UnrolledChainPin, LatencyIsTheSumOfTheLayers) {
  const UnrolledTiming timing = ChainUnrolledTiming(ChainOfTwo());
  DenseBench<TwoLayers> tb("tb", tb::Seed("ChainLatency"), 0.5, 1.0);
  tb.min_gap = timing.initiation_interval;  // one inference at a time through the chain
  RunChain(tb, 40);
  ASSERT_EQ(timing.layers.size(), 2u);
  EXPECT_EQ(timing.layers[0].latency_cycles, 6);  // hand: dense_pin_test.cpp, Rf1
  EXPECT_EQ(timing.layers[1].latency_cycles, 7);  // hand: above
  EXPECT_EQ(timing.layers[1].start_cycle, 6);
  EXPECT_EQ(timing.latency_cycles, 13);
  for (std::size_t n = 0; n < tb.got.size(); ++n) {
    ASSERT_EQ(tb.Latency(n), timing.latency_cycles) << "vector " << n;
  }
}

TEST(UnrolledChainPin, InitiationIntervalIsTheLargestRf) {
  DenseBench<TwoLayers> tb("tb", tb::Seed("ChainII"), 1.0, 1.0);
  RunChain(tb, 40);
  const UnrolledTiming timing = ChainUnrolledTiming(ChainOfTwo());
  EXPECT_EQ(timing.initiation_interval, 2);
  EXPECT_EQ(tb.out_cycles.back() - tb.in_cycles.front(), timing.CyclesFor(40));
  for (std::size_t n = 1; n < tb.got.size(); ++n) {
    ASSERT_EQ(tb.out_cycles[n] - tb.out_cycles[n - 1], timing.initiation_interval) << n;
  }
}

TEST(UnrolledTiming, Arithmetic) {
  UnrolledTiming t = ChainUnrolledTiming(ChainOfTwo());
  EXPECT_DOUBLE_EQ(t.LatencyNs(200.0), 13 * 5.0);
  EXPECT_EQ(t.CyclesFor(0), 0);
  EXPECT_EQ(t.CyclesFor(1), 13);
  EXPECT_EQ(t.CyclesFor(10), 13 + 9 * 2);
  EXPECT_THROW(t.LatencyNs(0.0), std::invalid_argument);
  EXPECT_THROW(t.LatencyNs(NAN), std::invalid_argument);
  const UnrolledTiming empty = ChainUnrolledTiming({});
  EXPECT_EQ(empty.latency_cycles, 0);
  EXPECT_EQ(empty.initiation_interval, 1);
}

TEST(UnrolledTiming, MismatchedChainThrows) {
  std::vector<UnrolledLayer> chain = ChainOfTwo();
  std::swap(chain[0], chain[1]);  // 3 -> 2 then 4 -> 3
  EXPECT_THROW(ChainUnrolledTiming(chain), std::invalid_argument);
}

}  // namespace
}  // namespace msqx::unrolled
