#pragma once
// SP2 (sum of two powers of two) weights: the format, the hardware code the LUT PE consumes, the
// nearest-level quantizer and the shift-add product that the pin-level PE must reproduce bit for
// bit (see DOMAIN.md section 1 and the shared definitions of the project).
//
// An m-bit SP2 weight is sign | i1 (m1 bits) | i2 (m2 bits), MSB first, m = 1 + m1 + m2,
// 1 <= m2 <= m1. A term index i = 0 means the term is absent, else the term is 2^-i. Integers
// are scaled by 2^K with K = 2^m1 - 1 (the smallest power of two present), so the integer weight
// is (-1)^sign * ((i1 ? 1 << (K - i1) : 0) + (i2 ? 1 << (K - i2) : 0)) and the real weight is
// integer * scale / 2^K. The largest magnitude is 2^K (i1 = i2 = 1), so `scale` is the largest
// magnitude a filter can represent.

#include <cstdint>
#include <vector>

namespace msqx::quant {

struct Sp2Format {
  int m1 = 2;  // bits of the first term's index
  int m2 = 1;  // bits of the second term's index

  // Shifts reach K = 2^m1 - 1; m1 <= 5 keeps every product of a 16-bit activation inside int64.
  static constexpr int kMaxM1 = 5;

  int Bits() const { return 1 + m1 + m2; }
  int K() const { return (1 << m1) - 1; }
  std::int64_t MaxInteger() const { return std::int64_t{1} << K(); }

  // The default split of m bits: m1 = ceil((m - 1) / 2), m2 = floor((m - 1) / 2) (4 bits: 2 + 1).
  // Throws std::invalid_argument when m is outside [3, 1 + 2 * kMaxM1].
  static Sp2Format ForBits(int bits);
  // Throws std::invalid_argument unless 1 <= m2 <= m1 <= kMaxM1.
  void Validate() const;
};

// The fields exactly as the LUT PE decodes them. i1 == 0 / i2 == 0 are the zero flags: that term
// contributes nothing (the PE gates its shifter output).
struct Sp2Code {
  bool sign = false;  // true = negative
  int i1 = 0;
  int i2 = 0;

  bool Term1Zero() const { return i1 == 0; }
  bool Term2Zero() const { return i2 == 0; }
  bool operator==(const Sp2Code& o) const { return sign == o.sign && i1 == o.i1 && i2 == o.i2; }
};

// Bit layout MSB..LSB = sign | i1 | i2 in the low Bits() bits.
std::uint32_t PackSp2(const Sp2Code& code, const Sp2Format& fmt);
// Inverse of PackSp2; bits above Bits() must be zero (std::invalid_argument otherwise).
Sp2Code UnpackSp2(std::uint32_t bits, const Sp2Format& fmt);

// The signed integer weight of a code (the decoded weight times 2^K / scale).
std::int64_t Sp2Integer(const Sp2Code& code, const Sp2Format& fmt);

// a * w computed as the LUT PE does: (a << (K - i1)) + (a << (K - i2)), absent terms 0, negated
// when sign = 1. `act` is an unsigned activation (at most 16 bits).
std::int64_t Sp2ShiftAddProduct(const Sp2Code& code, std::uint32_t act, const Sp2Format& fmt);

// All distinct signed integer levels, ascending (4 bits: -8 -6 -5 -4 -2 -1 0 1 2 4 5 6 8).
std::vector<std::int64_t> Sp2IntegerLevels(const Sp2Format& fmt);

// The canonical code of an integer level: zero is +0 with both terms absent; otherwise the first
// match by increasing i1, then i2 (a single power of two uses the first term alone except 2^K,
// which is i1 = i2 = 1). Throws std::invalid_argument if `level` is not representable.
Sp2Code Sp2CodeOf(std::int64_t level, const Sp2Format& fmt);

// Nearest SP2 level to `weight` for a filter whose scale is `scale` (> 0): |weight| / scale is
// clamped to 1. Ties between two levels go to the larger magnitude (away from zero, like
// std::round). scale <= 0 (an all-zero filter) gives the zero code.
Sp2Code QuantizeSp2(double weight, double scale, const Sp2Format& fmt);
// QuantizeSp2 for many weights of one format: builds the level table once (QuantizeSp2 rebuilds it
// on every call). Same levels, same tie rule, same canonical codes.
class Sp2Quantizer {
 public:
  explicit Sp2Quantizer(const Sp2Format& fmt);
  Sp2Code Quantize(double weight, double scale) const;
  const Sp2Format& format() const { return fmt_; }

 private:
  Sp2Format fmt_;
  std::vector<std::int64_t> magnitudes_;  // distinct, ascending, from 0 to 2^K
  std::vector<Sp2Code> codes_;            // canonical positive code of each magnitude
};

// The real value of a code at a given scale: integer * scale / 2^K.
double DequantizeSp2(const Sp2Code& code, double scale, const Sp2Format& fmt);

}  // namespace msqx::quant
