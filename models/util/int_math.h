#pragma once
// Integer helpers used across msqx, defined once (as matchlib keeps its log2_ceil in one header).
// constexpr and plain integers, so that the synthesizable headers may use them too.

#include <cstdint>

namespace msqx {

// ceil(a / b) for a >= 0, b > 0.
constexpr std::int64_t CeilDiv(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

// The smallest c with 2^c >= n (0 for n <= 1): bits to count n values, or an adder tree's depth.
constexpr int CeilLog2(std::int64_t n) {
  int c = 0;
  while ((std::int64_t{1} << c) < n) ++c;
  return c;
}

}  // namespace msqx
