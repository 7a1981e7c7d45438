// The last layer (fc4, 32 -> 5) of the jet tagger with its seeded synthetic HGQ weights
// (SyntheticHgqNetwork(jet_tagger, 42), docs/unrolled.md) as a pin-level layer: bit-exact, and its
// measured latency equal to the cycle fidelity (UnrolledTiming) of the network's own fc4, with its
// per-input activation types.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "models/unrolled/alignment.h"
#include "models/unrolled/dense_pin.h"
#include "models/unrolled/synthetic_hgq.h"
#include "models/unrolled/unrolled_timing.h"
#include "sim/spec/resolve.h"
#include "tests/sc/unrolled/dense_bench.h"
#include "tests/sc/unrolled/jet_fc4.h"

namespace msqx::unrolled {
namespace {

using test::DenseBench;
using test::Fc4;
using test::Vector;

constexpr std::uint64_t kSeed = 42;
constexpr std::size_t kFc4 = 3;  // index among the fc layers

struct Fc4Rf2 : Fc4 {
  static constexpr int kReuse = 2;
};
struct Fc4Rf3 : Fc4 {
  static constexpr int kReuse = 3;
};

const HgqDenseLayer& NetworkFc4() {
  static const HgqNetwork net = SyntheticHgqNetwork(
      spec::ConfigResolver(MSQX_SOURCE_DIR "/configs").LoadNetwork("jet_tagger"), kSeed);
  return net.layers.at(kFc4);
}

// The cycle fidelity's latency of the network's fc4 at the config's parameters.
template <typename Cfg>
int TimingLatency() {
  const HgqNetwork net = SyntheticHgqNetwork(
      spec::ConfigResolver(MSQX_SOURCE_DIR "/configs").LoadNetwork("jet_tagger"), kSeed);
  const UnrolledTiming t = ChainUnrolledTiming(UnrolledChain(net, test::ParamsOf<Cfg>()));
  return t.layers.at(kFc4).latency_cycles;
}

// Random inputs within each input's own code range (its HGQ type), extremes included.
template <typename Cfg>
void AddVectors(DenseBench<UnrolledDense<Cfg>>& tb, int count) {
  Vector lo, hi;
  for (const FixedType& t : NetworkFc4().activations.types) {
    lo.push_back(t.MinCode());
    hi.push_back(t.MaxCode());
  }
  tb.AddRandom(count, lo, hi, [](const Vector& x) {
    return test::DenseGolden(Cfg::kCodes, Cfg::kOut, Cfg::kIn, x);
  });
}

TEST(JetFc4Pin, CodesAreTheSyntheticNetworks) {
  const HgqDenseLayer& l = NetworkFc4();
  ASSERT_EQ(l.quantized.out_features, Fc4::kOut);
  ASSERT_EQ(l.quantized.in_features, Fc4::kIn);
  EXPECT_EQ(AlignedCodes(l.quantized, l.activations),
            std::vector<std::int64_t>(Fc4::kCodes, Fc4::kCodes + 160));
  EXPECT_EQ(AlignDense(l.quantized, l.activations).output_frac_bits,
            (std::vector<int>{10, 11, 11, 11, 11}));
  for (const FixedType& t : l.activations.types) {
    EXPECT_EQ(t.sign_bits, 0);
    EXPECT_LE(t.TotalBits(), Fc4::kActBits);
  }
}

// The module sizes every multiplier for kActBits, the widest input, so it may put a product on a
// DSP that the per-input cost model keeps in LUTs; the depth (the slowest multiplier) is the same.
template <typename Cfg>
void ExpectLatencyAgrees() {
  using Dut = UnrolledDense<Cfg>;
  const UnrolledCost c =
      DenseUnrolledCost(test::LayerOf<Cfg>(), test::ActsOf<Cfg>(), test::ParamsOf<Cfg>());
  EXPECT_EQ(Dut::kMulStages, c.multiplier_stages);
  EXPECT_EQ(Dut::kTreeDepth, c.tree_depth);
  EXPECT_EQ(Dut::kLatency, c.latency_cycles);
  EXPECT_EQ(Dut::kLatency, TimingLatency<Cfg>());
}

TEST(JetFc4Pin, StagesEqualTheCycleFidelity) {
  ExpectLatencyAgrees<Fc4>();
  ExpectLatencyAgrees<Fc4Rf2>();
  ExpectLatencyAgrees<Fc4Rf3>();
  // S = 3 (DSP), D = ceil(log2 32) = 5 (an output with more than 16 live products), + 1.
  EXPECT_EQ(UnrolledDense<Fc4>::kLatency, 9);
}

// Bit-exact against the integer golden of the aligned constants, and each output times 2^-F_o
// equal to the real-valued dot product of fc4's dequantized weights and inputs.
template <typename Cfg>
void BitExact(const char* name) {
  DenseBench<UnrolledDense<Cfg>> tb("tb", tb::Seed(name), 0.7, 0.5);
  AddVectors<Cfg>(tb, 300);
  tb.Run();
  tb.CheckOutputs();
  const HgqDenseLayer& l = NetworkFc4();
  tb.CheckRealValued(l.quantized, l.activations, {10, 11, 11, 11, 11});
}

template <typename Cfg>
void Latency(const char* name) {
  DenseBench<UnrolledDense<Cfg>> tb("tb", tb::Seed(name), 0.5, 1.0);
  AddVectors<Cfg>(tb, 40);
  tb.Run();
  tb.CheckOutputs();
  const int expected = TimingLatency<Cfg>();
  for (std::size_t n = 0; n < tb.got.size(); ++n) {
    ASSERT_EQ(tb.Latency(n), expected) << "vector " << n;
  }
}

TEST(JetFc4Pin, BitExactRf1) { BitExact<Fc4>("JetFc4Rf1"); }
TEST(JetFc4Pin, BitExactRf2) { BitExact<Fc4Rf2>("JetFc4Rf2"); }
TEST(JetFc4Pin, BitExactRf3) { BitExact<Fc4Rf3>("JetFc4Rf3"); }
TEST(JetFc4Pin, LatencyRf1) { Latency<Fc4>("JetFc4Rf1"); }
TEST(JetFc4Pin, LatencyRf2) { Latency<Fc4Rf2>("JetFc4Rf2"); }
TEST(JetFc4Pin, LatencyRf3) { Latency<Fc4Rf3>("JetFc4Rf3"); }

}  // namespace
}  // namespace msqx::unrolled
