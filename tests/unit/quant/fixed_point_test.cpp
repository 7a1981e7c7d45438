#include "models/quant/fixed_point.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <set>

namespace msqx::quant {
namespace {

TEST(FixedPoint, FourBitLevelsAreUniformAndSymmetric) {
  // DOMAIN.md: fixed-point has uniform levels; the shared definition: [-(2^3 - 1), 2^3 - 1].
  std::set<std::int64_t> seen;
  for (int i = -3000; i <= 3000; ++i) seen.insert(QuantizeFixed(i / 1000.0, 1.0 / 7, 4));
  std::set<std::int64_t> expected;
  for (int v = -7; v <= 7; ++v) expected.insert(v);
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(FixedIntegerLevels(4).size(), 15u);
}

TEST(FixedPoint, RoundsToNearestTiesAwayFromZeroAndClamps) {
  EXPECT_EQ(QuantizeFixed(2.5, 1.0, 4), 3);
  EXPECT_EQ(QuantizeFixed(-2.5, 1.0, 4), -3);
  EXPECT_EQ(QuantizeFixed(2.49, 1.0, 4), 2);
  EXPECT_EQ(QuantizeFixed(100, 1.0, 4), 7);
  EXPECT_EQ(QuantizeFixed(-100, 1.0, 4), -7);  // never -8
  EXPECT_EQ(QuantizeFixed(1.0, 0.0, 4), 0);
  EXPECT_DOUBLE_EQ(FixedScaleFor(3.5, 4), 0.5);
}

TEST(FixedPoint, EncodingIsTwosComplementAndDecodesBack) {
  EXPECT_EQ(EncodeFixed(-1, 4), 0xFu);
  EXPECT_EQ(EncodeFixed(-7, 4), 0x9u);
  EXPECT_EQ(EncodeFixed(7, 4), 0x7u);
  EXPECT_THROW(EncodeFixed(-8, 4), std::invalid_argument);
  EXPECT_THROW(DecodeFixed(0x10, 4), std::invalid_argument);
  for (int bits = 2; bits <= 16; ++bits) {
    const std::int64_t max = (std::int64_t{1} << (bits - 1)) - 1;
    for (std::int64_t v = -max; v <= max; v += (max > 300 ? 97 : 1)) {
      ASSERT_EQ(DecodeFixed(EncodeFixed(v, bits), bits), v) << bits;
    }
  }
}

}  // namespace
}  // namespace msqx::quant
