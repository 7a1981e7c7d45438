// SP2 format: level sets written out in DOMAIN.md, code layout, and the shift-add identity the LUT
// PE relies on (exhaustive at 4 bits, randomized up to 8).
#include "models/quant/sp2.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <set>
#include <vector>

namespace msqx::quant {
namespace {

TEST(Sp2, FourBitMagnitudesAreTheOnesInDomainMd) {
  const Sp2Format fmt = Sp2Format::ForBits(4);
  EXPECT_EQ(fmt.m1, 2);
  EXPECT_EQ(fmt.m2, 1);
  EXPECT_EQ(fmt.K(), 3);
  // DOMAIN.md: magnitudes {0, 1/8, 1/4, 1/2, 5/8, 3/4, 1} times the scale.
  const std::set<double> expected = {0, 0.125, 0.25, 0.5, 0.625, 0.75, 1.0};
  std::set<double> seen;
  for (std::uint32_t bits = 0; bits < 16; ++bits) {
    seen.insert(std::fabs(DequantizeSp2(UnpackSp2(bits, fmt), 1.0, fmt)));
  }
  EXPECT_EQ(seen, expected);
  const std::vector<std::int64_t> levels = {-8, -6, -5, -4, -2, -1, 0, 1, 2, 4, 5, 6, 8};
  EXPECT_EQ(Sp2IntegerLevels(fmt), levels);
}

TEST(Sp2, QuantizerReachesExactlyTheLevelSet) {
  const Sp2Format fmt = Sp2Format::ForBits(4);
  std::set<double> seen;
  for (int i = -2000; i <= 2000; ++i) {
    const double w = i / 1000.0;  // beyond the scale too: clamps
    seen.insert(DequantizeSp2(QuantizeSp2(w, 1.0, fmt), 1.0, fmt));
  }
  std::set<double> expected;
  for (double m : {0.125, 0.25, 0.5, 0.625, 0.75, 1.0}) {
    expected.insert(m);
    expected.insert(-m);
  }
  expected.insert(0.0);
  EXPECT_EQ(seen, expected);
}

TEST(Sp2, QuantizerPicksNearestAndBreaksTiesAwayFromZero) {
  const Sp2Format fmt = Sp2Format::ForBits(4);
  const double s = 2.0;  // scale: level n/8 is n/4 in real units
  auto q = [&](double w) { return Sp2Integer(QuantizeSp2(w, s, fmt), fmt); };
  EXPECT_EQ(q(0.0), 0);
  EXPECT_EQ(q(0.1249), 0);  // 0.1249/2*8 = 0.4996: nearer 0
  EXPECT_EQ(q(0.125), 1);   // exactly halfway 0 and 1: away from zero
  EXPECT_EQ(q(-0.125), -1);
  EXPECT_EQ(q(0.75), 4);  // target 3: halfway between 2 and 4, goes to 4
  EXPECT_EQ(q(0.7499), 2);
  EXPECT_EQ(q(0.76), 4);
  EXPECT_EQ(q(1.7), 6);                              // target 6.8: 6 (distance .8) beats 8 (1.2)
  EXPECT_EQ(q(1.75), 8);                             // target 7: tie between 6 and 8 goes to 8
  EXPECT_EQ(q(-100.0), -8);                          // clamped
  EXPECT_EQ(QuantizeSp2(0.3, 0.0, fmt), Sp2Code{});  // all-zero filter
}

TEST(Sp2, PackUnpackRoundTripsAndLayoutIsSignThenI1ThenI2) {
  const Sp2Format fmt = Sp2Format::ForBits(4);
  const Sp2Code c{true, 2, 1};
  EXPECT_EQ(PackSp2(c, fmt), 0b1'10'1u);
  for (std::uint32_t bits = 0; bits < 16; ++bits)
    EXPECT_EQ(PackSp2(UnpackSp2(bits, fmt), fmt), bits);
  EXPECT_THROW(UnpackSp2(16, fmt), std::invalid_argument);
  // The canonical code of every level decodes back to the level.
  for (std::int64_t level : Sp2IntegerLevels(fmt))
    EXPECT_EQ(Sp2Integer(Sp2CodeOf(level, fmt), fmt), level);
  EXPECT_THROW(Sp2CodeOf(3, fmt), std::invalid_argument);
}

// Integer product from first principles: the decoded real weight times 2^K, times the activation.
std::int64_t ReferenceProduct(const Sp2Code& c, std::uint32_t a, const Sp2Format& fmt) {
  double w = 0;
  if (c.i1) w += std::ldexp(1.0, -c.i1);
  if (c.i2) w += std::ldexp(1.0, -c.i2);
  if (c.sign) w = -w;
  return static_cast<std::int64_t>(std::llround(std::ldexp(w, fmt.K()))) *
         static_cast<std::int64_t>(a);
}

TEST(Sp2, ShiftAddProductExhaustiveFourBits) {
  const Sp2Format fmt = Sp2Format::ForBits(4);
  for (std::uint32_t bits = 0; bits < 16; ++bits) {
    const Sp2Code c = UnpackSp2(bits, fmt);
    for (std::uint32_t a = 0; a < 16; ++a) {
      ASSERT_EQ(Sp2ShiftAddProduct(c, a, fmt), ReferenceProduct(c, a, fmt)) << bits << " " << a;
      ASSERT_EQ(Sp2ShiftAddProduct(c, a, fmt), Sp2Integer(c, fmt) * static_cast<std::int64_t>(a));
    }
  }
}

TEST(Sp2, ShiftAddProductRandomizedUpToEightBits) {
  const unsigned seed = 20260314;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  for (int bits = 3; bits <= 8; ++bits) {
    for (int m1 = 1; m1 <= Sp2Format::kMaxM1; ++m1) {
      const int m2 = bits - 1 - m1;
      if (m2 < 1 || m2 > m1) continue;
      const Sp2Format fmt{m1, m2};
      std::uniform_int_distribution<std::uint32_t> code(0, (1u << bits) - 1);
      for (int act_bits : {4, 8, 16}) {
        std::uniform_int_distribution<std::uint32_t> act(0, (1u << act_bits) - 1);
        for (int i = 0; i < 2000; ++i) {
          const Sp2Code c = UnpackSp2(code(rng), fmt);
          const std::uint32_t a = act(rng);
          ASSERT_EQ(Sp2ShiftAddProduct(c, a, fmt), ReferenceProduct(c, a, fmt))
              << "m1 " << m1 << " m2 " << m2 << " code " << PackSp2(c, fmt) << " a " << a;
        }
      }
    }
  }
}

TEST(Sp2, QuantizerMatchesABruteForceNearestLevelSearch) {
  // Reference: try every code, keep the nearest real level; on an exact tie the larger magnitude.
  const unsigned seed = 99;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> w(-1.3, 1.3);
  std::uniform_int_distribution<int> grid(-64, 64);
  for (int bits = 3; bits <= 8; ++bits) {
    const Sp2Format fmt = Sp2Format::ForBits(bits);
    const Sp2Quantizer q(fmt);
    for (int i = 0; i < 4000; ++i) {
      // Half the samples on a grid of 1/64 steps so that exact ties between levels occur.
      const double x = i % 2 ? w(rng) : grid(rng) / 64.0;
      double best = 0, best_dist = 1e9;
      for (std::uint32_t c = 0; c < (1u << bits); ++c) {
        const double level = DequantizeSp2(UnpackSp2(c, fmt), 1.0, fmt);
        const double dist = std::fabs(std::clamp(x, -1.0, 1.0) - level);
        if (dist < best_dist || (dist == best_dist && std::fabs(level) > std::fabs(best))) {
          best = level;
          best_dist = dist;
        }
      }
      ASSERT_EQ(DequantizeSp2(q.Quantize(x, 1.0), 1.0, fmt), best) << "bits " << bits << " x " << x;
      ASSERT_EQ(q.Quantize(x, 1.0), QuantizeSp2(x, 1.0, fmt));
    }
  }
}

TEST(Sp2, FormatsOutsideTheSupportedSplitAreRejected) {
  EXPECT_THROW(Sp2Format::ForBits(2), std::invalid_argument);
  EXPECT_THROW((Sp2Format{1, 2}.Validate()), std::invalid_argument);  // m2 > m1
  EXPECT_THROW((Sp2Format{6, 1}.Validate()), std::invalid_argument);  // shifts past int64
  EXPECT_EQ(Sp2Format::ForBits(8).m1, 4);
  EXPECT_EQ(Sp2Format::ForBits(8).m2, 3);
}

}  // namespace
}  // namespace msqx::quant
