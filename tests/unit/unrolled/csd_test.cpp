// CSD (non-adjacent form) against an independent brute-force search over every signed-digit
// string, for every 8-bit signed value.
#include "models/unrolled/csd.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <vector>

namespace msqx::unrolled {
namespace {

// Fewest non-zero digits over all strings of kLength digits in {-1, 0, 1}, keyed by value. An
// 8-bit value's NAF ends by position 8; searching up to position 11 lets longer strings compete
// too (say 256 - 128 - ...), and 3^12 strings take milliseconds.
std::map<std::int64_t, int> MinimalDigitsByBruteForce() {
  constexpr int kLength = 12;
  std::map<std::int64_t, int> best;
  std::vector<int> digits(kLength, -1);
  while (true) {
    std::int64_t value = 0;
    int non_zero = 0;
    for (int p = 0; p < kLength; ++p) {
      value += digits[p] * (std::int64_t{1} << p);
      non_zero += digits[p] != 0;
    }
    auto it = best.find(value);
    if (it == best.end() || non_zero < it->second) best[value] = non_zero;
    int p = 0;  // next string: count in base 3
    while (p < kLength && digits[p] == 1) digits[p++] = -1;
    if (p == kLength) break;
    ++digits[p];
  }
  return best;
}

TEST(Csd, EveryEightBitValueIsMinimalAndNonAdjacent) {
  const std::map<std::int64_t, int> best = MinimalDigitsByBruteForce();
  for (std::int64_t v = -128; v <= 127; ++v) {
    SCOPED_TRACE(v);
    const std::vector<std::int8_t> digits = CsdDigits(v);
    std::int64_t value = 0;
    int non_zero = 0;
    for (std::size_t p = 0; p < digits.size(); ++p) {
      ASSERT_TRUE(digits[p] >= -1 && digits[p] <= 1);
      if (p > 0) {
        EXPECT_FALSE(digits[p] != 0 && digits[p - 1] != 0) << "adjacent at " << p;
      }
      value += digits[p] * (std::int64_t{1} << p);
      non_zero += digits[p] != 0;
    }
    EXPECT_EQ(value, v);
    if (!digits.empty()) {
      EXPECT_NE(digits.back(), 0) << "no leading zero digit";
    }
    EXPECT_EQ(non_zero, CsdNonZeroDigits(v));
    EXPECT_EQ(non_zero, best.at(v));
  }
}

TEST(Csd, KnownForms) {
  EXPECT_TRUE(CsdDigits(0).empty());
  EXPECT_EQ(CsdDigits(7), (std::vector<std::int8_t>{-1, 0, 0, 1}));  // 8 - 1
  EXPECT_EQ(CsdDigits(-7), (std::vector<std::int8_t>{1, 0, 0, -1}));
  EXPECT_EQ(CsdNonZeroDigits(85), 4);  // 0b1010101 is already non-adjacent
  EXPECT_EQ(CsdNonZeroDigits(INT64_MIN), 1);
  EXPECT_EQ(CsdNonZeroDigits(INT64_MAX), 2);  // 2^63 - 1
  EXPECT_EQ(CsdDigits(INT64_MAX).size(), 64u);
}

TEST(Csd, AddersOfAConstantMultiplier) {
  for (std::int64_t v : {0, 1, -1, 2, 64, -128}) EXPECT_EQ(CsdAdders(v), 0) << v;
  EXPECT_EQ(CsdAdders(3), 1);   // 4 - 1
  EXPECT_EQ(CsdAdders(5), 1);   // 4 + 1
  EXPECT_EQ(CsdAdders(85), 3);  // 64 + 16 + 4 + 1
  EXPECT_EQ(CsdAdders(-85), 3);
}

TEST(Csd, SpanFromHighestToLowestNonZeroBit) {
  EXPECT_EQ(SpanBits(0), 0);
  EXPECT_EQ(SpanBits(1), 1);
  EXPECT_EQ(SpanBits(64), 1);
  EXPECT_EQ(SpanBits(12), 2);  // 0b1100
  EXPECT_EQ(SpanBits(5), 3);   // 0b101
  EXPECT_EQ(SpanBits(-5), 3);  // sign not counted
  EXPECT_EQ(SpanBits(-128), 1);
  EXPECT_EQ(SpanBits(127), 7);
  EXPECT_EQ(SpanBits(INT64_MIN), 1);
}

}  // namespace
}  // namespace msqx::unrolled
