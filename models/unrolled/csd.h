#pragma once
// Canonical signed digit (CSD) form of an integer constant: the non-adjacent form (NAF), the
// unique radix-2 representation with digits in {-1, 0, 1} and no two adjacent non-zero digits. It
// has the fewest non-zero digits of all signed-digit representations, so it counts the adders a
// constant multiplier built from shifts and adds needs (DOMAIN.md section 4).

#include <cstdint>
#include <vector>

namespace msqx::unrolled {

// Digits of the NAF, least significant first; empty for 0. At most 64 digits: the NAF may be one
// digit longer than the binary form of |value| (7 = 0b111 is 100-1).
std::vector<std::int8_t> CsdDigits(std::int64_t value);

// Non-zero digits of the NAF: 0 for 0, 1 for +-2^n.
int CsdNonZeroDigits(std::int64_t value);

// Adders of a shift-add constant multiplier: one per non-zero digit after the first, so 0 for 0
// and for +-2^n (a shift, and a negation folded into the adder that consumes the product).
int CsdAdders(std::int64_t value);

// Width of a constant weight as DOMAIN.md defines it for EBOPs: the bits from the highest to the
// lowest non-zero bit of |value|, inclusive (12 = 0b1100 spans 2 bits, 5 = 0b101 spans 3); 0 for 0.
// The sign is not counted: it is absorbed by the adder (subtract instead of add).
int SpanBits(std::int64_t value);

}  // namespace msqx::unrolled
