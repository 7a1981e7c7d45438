// Two products in one DSP multiply: bit-exact against separate products (exhaustive for 4-bit
// operands), and the depth at which an accumulated packed dot product stops being exact, found by
// simulation and compared with the closed-form bound.
#include "models/quant/dsp_packing.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

namespace msqx::quant {
namespace {

TEST(DspPacking, GeometryIsTheVendorOne) {
  EXPECT_EQ(GeometryOf(DspKind::kDsp48E1).wide_port_bits, 25);
  EXPECT_EQ(GeometryOf(DspKind::kDsp48E2).wide_port_bits, 27);
  EXPECT_EQ(GeometryOf(DspKind::kDsp48E1).narrow_port_bits, 18);
  EXPECT_EQ(GeometryOf(DspKind::kDsp48E1).acc_bits, 48);
}

TEST(DspPacking, SingleProductExhaustiveFourBitsEveryFeasibleShift) {
  for (DspKind dsp : {DspKind::kDsp48E1, DspKind::kDsp48E2}) {
    int feasible = 0;
    for (int k = 1; k < 48; ++k) {
      const PackingConfig cfg{dsp, 4, 4, k};
      if (!PackingFeasible(cfg)) continue;
      ++feasible;
      for (std::int64_t w1 = -7; w1 <= 7; ++w1) {
        for (std::int64_t w2 = -7; w2 <= 7; ++w2) {
          for (std::int64_t a = 0; a <= 15; ++a) {
            const std::int64_t acc = DspMacStep(0, PackWeights(w1, w2, k), a, 48);
            const UnpackedPair p = UnpackAccumulator(acc, k, 48);
            ASSERT_EQ(p.first, w1 * a) << "k " << k << " w1 " << w1 << " w2 " << w2 << " a " << a;
            ASSERT_EQ(p.second, w2 * a) << "k " << k << " w1 " << w1 << " w2 " << w2 << " a " << a;
          }
        }
      }
    }
    // One 4x4 product needs an 8-bit signed field (|7 * 15| = 105 <= 127, > 63): k from 8, and
    // 7 * 2^k + 7 must fit the signed wide port.
    const int port = GeometryOf(dsp).wide_port_bits;
    int kmax = 0;
    while (7 * (std::int64_t{1} << (kmax + 1)) + 7 <= (std::int64_t{1} << (port - 1)) - 1) ++kmax;
    EXPECT_EQ(feasible, kmax - 8 + 1);
  }
}

TEST(DspPacking, FieldAndGuardBitsFromFirstPrinciples) {
  EXPECT_EQ(MaxProductMagnitude(4, 4), 7 * 15);
  EXPECT_EQ(FieldBits(1, 4, 4), 8);
  EXPECT_EQ(GuardBits(1, 4, 4), 0);
  EXPECT_EQ(GuardBits(2, 4, 4), 1);      // 210 > 127
  EXPECT_EQ(GuardBits(3, 4, 4), 2);      // 315 > 255
  EXPECT_EQ(GuardBits(1024, 4, 4), 10);  // 107520 <= 2^17 - 1
}

// Worst-case operands that drive one field to its bound: every product +max (or -max).
UnpackedPair Worst(std::int64_t depth, int k, DspKind dsp, std::int64_t w1, std::int64_t w2) {
  std::vector<std::int64_t> a(depth, 15), v1(depth, w1), v2(depth, w2);
  return PackedDotProduct(v1, v2, a, {dsp, 4, 4, k});
}

TEST(DspPacking, SimulatedSmallestShiftForADepthMatchesFieldBits) {
  // For a depth N, find by simulation the smallest k that keeps the low field exact under the
  // worst-case positive and negative sums; it must be FieldBits(N).
  for (std::int64_t depth : {1, 2, 3, 5, 64, 300, 1000}) {
    int smallest = 0;
    for (int k = 2; k < 24 && smallest == 0; ++k) {
      if (!PackingFeasible({DspKind::kDsp48E2, 4, 4, k})) continue;
      const UnpackedPair pos = Worst(depth, k, DspKind::kDsp48E2, -7, 7);
      const UnpackedPair neg = Worst(depth, k, DspKind::kDsp48E2, 7, -7);
      if (pos.second == depth * 105 && pos.first == -depth * 105 && neg.second == -depth * 105 &&
          neg.first == depth * 105) {
        smallest = k;
      }
    }
    EXPECT_EQ(smallest, std::max(8, FieldBits(depth, 4, 4))) << "depth " << depth;
  }
}

TEST(DspPacking, ExactUpToMaxExactDepthAndNotOneBeyond) {
  for (DspKind dsp : {DspKind::kDsp48E1, DspKind::kDsp48E2}) {
    const int k = BestShift(dsp, 4, 4);
    const std::int64_t n = MaxExactDepth({dsp, 4, 4, k});
    // Independent bound: low field 2^(k-1) - 1 >= N * 105, high field 2^(47-k) - 1 >= N * 105.
    const std::int64_t expect = std::min(((std::int64_t{1} << (k - 1)) - 1) / 105,
                                         ((std::int64_t{1} << (47 - k)) - 1) / 105);
    EXPECT_EQ(n, expect);
    const UnpackedPair at = Worst(n, k, dsp, 7, 7);
    EXPECT_EQ(at.first, n * 105);
    EXPECT_EQ(at.second, n * 105);
    const UnpackedPair beyond = Worst(n + 1, k, dsp, 7, 7);
    EXPECT_FALSE(beyond.first == (n + 1) * 105 && beyond.second == (n + 1) * 105);
  }
  EXPECT_EQ(BestShift(DspKind::kDsp48E1, 4, 4), 21);
  EXPECT_EQ(MaxExactDepth({DspKind::kDsp48E1, 4, 4, 0}), ((1 << 20) - 1) / 105);
  EXPECT_EQ(BestShift(DspKind::kDsp48E2, 4, 4), 23);
  EXPECT_EQ(MaxExactDepth({DspKind::kDsp48E2, 4, 4, 0}), ((1 << 22) - 1) / 105);
}

TEST(DspPacking, RandomDotProductsWithinTheBoundAreExact) {
  const unsigned seed = 777;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  for (int wb : {2, 3, 4, 5, 6}) {
    for (int ab : {2, 4, 6}) {
      for (DspKind dsp : {DspKind::kDsp48E1, DspKind::kDsp48E2}) {
        const PackingConfig cfg{dsp, wb, ab, 0};
        const std::int64_t limit = MaxExactDepth(cfg);
        if (limit == 0) continue;
        const std::int64_t wmax = (1 << (wb - 1)) - 1;
        std::uniform_int_distribution<std::int64_t> w(-wmax, wmax), a(0, (1 << ab) - 1);
        const std::int64_t depth = std::min<std::int64_t>(limit, 4096);
        std::vector<std::int64_t> v1(depth), v2(depth), acts(depth);
        std::int64_t s1 = 0, s2 = 0;
        for (std::int64_t i = 0; i < depth; ++i) {
          v1[i] = w(rng);
          v2[i] = w(rng);
          acts[i] = a(rng);
          s1 += v1[i] * acts[i];
          s2 += v2[i] * acts[i];
        }
        const UnpackedPair p = PackedDotProduct(v1, v2, acts, cfg);
        EXPECT_EQ(p.first, s1) << wb << "x" << ab;
        EXPECT_EQ(p.second, s2) << wb << "x" << ab;
      }
    }
  }
}

TEST(DspPacking, InfeasibleWidthsSayZero) {
  // 16-bit weights cannot share a 25-bit port with room for a 16x16-bit product field.
  EXPECT_EQ(MaxExactDepth({DspKind::kDsp48E1, 16, 16, 0}), 0);
  EXPECT_EQ(BestShift(DspKind::kDsp48E1, 16, 16), 0);
  EXPECT_FALSE(PackingFeasible({DspKind::kDsp48E1, 4, 4, 7}));  // field narrower than a product
  const PackingConfig cfg{DspKind::kDsp48E1, 4, 4, 0};
  EXPECT_THROW(PackedDotProduct({-8}, {0}, {1}, cfg), std::invalid_argument);  // not symmetric
  EXPECT_THROW(PackedDotProduct({1}, {1}, {16}, cfg), std::invalid_argument);  // > 4 bits
  EXPECT_THROW(PackedDotProduct({1, 2}, {1}, {1, 2}, cfg), std::invalid_argument);
}

}  // namespace
}  // namespace msqx::quant
