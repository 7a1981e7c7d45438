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

namespace msqx::unrolled {
namespace {

using test::DenseBench;
using test::Vector;

constexpr std::uint64_t kSeed = 42;
constexpr std::size_t kFc4 = 3;  // index among the fc layers

// fc4's weight codes aligned to each output's binary point (AlignedCodes of
// SyntheticHgqNetwork(jet_tagger, 42): code << (F_o - f_oj - fx_j), F = 10, 11, 11, 11, 11;
// CodesAreTheSyntheticNetworks fails when the generator changes; re-export them then).
struct Fc4 {
  static constexpr int kIn = 32, kOut = 5;
  // Inputs follow a relu: unsigned, i = 3, f in {2, 3, 4}: at most 7 bits.
  static constexpr int kActBits = 7;
  static constexpr bool kActSigned = false;
  static constexpr int kReuse = 1, kDspMinBits = 10, kDspStages = 3;
  static constexpr std::int64_t kCodes[kOut * kIn] = {
      32,   56,  45,   -43, 80,  0,   -72,  28,  -50, 32,  0,   -32, -20,  72,   12,  8,    //
      56,   -16, -56,  -88, -16, 98,  -48,  -82, -56, -64, 0,   -16, 0,    16,   8,   8,    // output 0
      -80,  128, 32,   32,  -128, 144, 0,   64,  -94, -80, -84, -196, 0,   80,   -16, 36,   //
      -64,  -36, -164, 180, -32, 128, 0,    0,   128, 0,   -80, 24,  -64,  0,    39,  -20,  // output 1
      -56,  -96, -64,  -72, -64, 0,   -144, 0,   72,  -72, -88, 80,  0,    0,    -36, 16,   //
      144,  16,  -64,  -64, 20,  164, -144, 64,  64,  96,  -32, 36,  64,   64,   0,   -45,  // output 2
      -72,  -128, 56,  -56, 172, 196, 0,    48,  0,   -72, -48, -64, 32,   112,  39,  -42,  //
      -64,  40,  -128, 0,   0,   188, 128,  -96, 164, 0,   -98, -44, 64,   88,   -32, -16,  // output 3
      56,   0,   0,    88,  184, 0,   -176, 64,  72,  32,  -32, 64,  -86,  -164, -46, 32,   //
      -112, -24, 80,   184, 45,  200, 0,    -188, -64, 128, 40, 24,  -144, 100,  39,  0,    // output 4
  };
};
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
