#include "models/unrolled/csd.h"

namespace msqx::unrolled {

namespace {
// |value| as unsigned, well defined for INT64_MIN (2^63).
std::uint64_t Magnitude(std::int64_t value) {
  return value < 0 ? ~static_cast<std::uint64_t>(value) + 1 : static_cast<std::uint64_t>(value);
}
}  // namespace

std::vector<std::int8_t> CsdDigits(std::int64_t value) {
  // The NAF of -v is the NAF of v with every digit negated, so work on the magnitude, where the
  // carry (m + 1 below) cannot overflow: m <= 2^63.
  std::uint64_t m = Magnitude(value);
  const std::int8_t sign = value < 0 ? -1 : 1;
  std::vector<std::int8_t> digits;
  while (m != 0) {
    std::int8_t d = 0;
    if (m & 1) {
      // Odd: choose the digit that leaves a multiple of 4, so the next digit is 0.
      d = (m & 3) == 1 ? 1 : -1;
      m = d == 1 ? m - 1 : m + 1;
    }
    digits.push_back(static_cast<std::int8_t>(d * sign));
    m >>= 1;
  }
  return digits;
}

int CsdNonZeroDigits(std::int64_t value) {
  int count = 0;
  for (std::int8_t d : CsdDigits(value)) count += d != 0;
  return count;
}

int CsdAdders(std::int64_t value) {
  const int digits = CsdNonZeroDigits(value);
  return digits > 1 ? digits - 1 : 0;
}

int SpanBits(std::int64_t value) {
  std::uint64_t m = Magnitude(value);
  if (m == 0) return 0;
  while ((m & 1) == 0) m >>= 1;  // trailing zeros are wiring, not width
  int width = 0;
  for (; m != 0; m >>= 1) ++width;
  return width;
}

}  // namespace msqx::unrolled
