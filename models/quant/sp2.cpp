#include "models/quant/sp2.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace msqx::quant {

Sp2Format Sp2Format::ForBits(int bits) {
  if (bits < 3 || bits > 1 + 2 * kMaxM1) {
    throw std::invalid_argument("SP2 weights need 3 to " + std::to_string(1 + 2 * kMaxM1) +
                                " bits, got " + std::to_string(bits));
  }
  Sp2Format fmt;
  fmt.m1 = bits / 2;  // ceil((bits - 1) / 2)
  fmt.m2 = (bits - 1) / 2;
  return fmt;
}

void Sp2Format::Validate() const {
  if (m2 < 1 || m2 > m1 || m1 > kMaxM1) {
    throw std::invalid_argument("SP2 split needs 1 <= m2 <= m1 <= " + std::to_string(kMaxM1) +
                                ", got m1 = " + std::to_string(m1) +
                                ", m2 = " + std::to_string(m2));
  }
}

std::uint32_t PackSp2(const Sp2Code& code, const Sp2Format& fmt) {
  fmt.Validate();
  if (code.i1 < 0 || code.i1 >= (1 << fmt.m1) || code.i2 < 0 || code.i2 >= (1 << fmt.m2)) {
    throw std::invalid_argument("SP2 code field out of range");
  }
  return (static_cast<std::uint32_t>(code.sign) << (fmt.m1 + fmt.m2)) |
         (static_cast<std::uint32_t>(code.i1) << fmt.m2) | static_cast<std::uint32_t>(code.i2);
}

Sp2Code UnpackSp2(std::uint32_t bits, const Sp2Format& fmt) {
  fmt.Validate();
  if (bits >> fmt.Bits()) throw std::invalid_argument("SP2 code has bits above its width");
  Sp2Code code;
  code.sign = (bits >> (fmt.m1 + fmt.m2)) & 1u;
  code.i1 = static_cast<int>((bits >> fmt.m2) & ((1u << fmt.m1) - 1));
  code.i2 = static_cast<int>(bits & ((1u << fmt.m2) - 1));
  return code;
}

std::int64_t Sp2Integer(const Sp2Code& code, const Sp2Format& fmt) {
  const int k = fmt.K();
  const std::int64_t t1 = code.i1 ? std::int64_t{1} << (k - code.i1) : 0;
  const std::int64_t t2 = code.i2 ? std::int64_t{1} << (k - code.i2) : 0;
  return code.sign ? -(t1 + t2) : t1 + t2;
}

std::int64_t Sp2ShiftAddProduct(const Sp2Code& code, std::uint32_t act, const Sp2Format& fmt) {
  const int k = fmt.K();
  const std::int64_t a = act;
  const std::int64_t s1 = code.Term1Zero() ? 0 : a << (k - code.i1);
  const std::int64_t s2 = code.Term2Zero() ? 0 : a << (k - code.i2);
  const std::int64_t sum = s1 + s2;
  return code.sign ? -sum : sum;
}

namespace {

std::vector<std::int64_t> Magnitudes(const Sp2Format& fmt) {
  std::vector<std::int64_t> mags;
  for (int i1 = 0; i1 < (1 << fmt.m1); ++i1) {
    for (int i2 = 0; i2 < (1 << fmt.m2); ++i2) mags.push_back(Sp2Integer({false, i1, i2}, fmt));
  }
  std::sort(mags.begin(), mags.end());
  mags.erase(std::unique(mags.begin(), mags.end()), mags.end());
  return mags;
}

}  // namespace

std::vector<std::int64_t> Sp2IntegerLevels(const Sp2Format& fmt) {
  fmt.Validate();
  const std::vector<std::int64_t> mags = Magnitudes(fmt);
  std::vector<std::int64_t> levels;
  for (auto it = mags.rbegin(); it != mags.rend(); ++it) {
    if (*it != 0) levels.push_back(-*it);
  }
  levels.insert(levels.end(), mags.begin(), mags.end());
  return levels;
}

Sp2Code Sp2CodeOf(std::int64_t level, const Sp2Format& fmt) {
  fmt.Validate();
  const bool negative = level < 0;
  const std::int64_t mag = negative ? -level : level;
  if (mag == 0) return {};
  // The first match by increasing i1, then i2: a single power uses the first term alone, and when
  // both orders of a sum exist the larger power sits in the first term. Decoders do not care;
  // fixing one choice keeps encoded weight files reproducible.
  for (int i1 = 1; i1 < (1 << fmt.m1); ++i1) {
    for (int i2 = 0; i2 < (1 << fmt.m2); ++i2) {
      if (Sp2Integer({false, i1, i2}, fmt) == mag) return {negative, i1, i2};
    }
  }
  throw std::invalid_argument("integer " + std::to_string(level) + " is not an SP2 level");
}

Sp2Quantizer::Sp2Quantizer(const Sp2Format& fmt) : fmt_(fmt) {
  fmt_.Validate();
  magnitudes_ = Magnitudes(fmt_);
  for (std::int64_t m : magnitudes_) codes_.push_back(Sp2CodeOf(m, fmt_));
}

Sp2Code Sp2Quantizer::Quantize(double weight, double scale) const {
  if (!(scale > 0) || !std::isfinite(weight)) return {};
  const double max = static_cast<double>(fmt_.MaxInteger());
  const double target = std::min(std::fabs(weight) / scale, 1.0) * max;
  // First magnitude >= target; the nearest is it or its predecessor; a tie goes up (away from 0).
  const auto hi =
      std::lower_bound(magnitudes_.begin(), magnitudes_.end(), target,
                       [](std::int64_t m, double t) { return static_cast<double>(m) < t; });
  std::size_t best;
  if (hi == magnitudes_.begin()) {
    best = 0;
  } else if (hi == magnitudes_.end()) {
    best = magnitudes_.size() - 1;
  } else {
    const std::size_t h = static_cast<std::size_t>(hi - magnitudes_.begin());
    const double below = target - static_cast<double>(magnitudes_[h - 1]);
    best = below < static_cast<double>(magnitudes_[h]) - target ? h - 1 : h;
  }
  Sp2Code code = codes_[best];
  code.sign = weight < 0 && magnitudes_[best] != 0;
  return code;
}

Sp2Code QuantizeSp2(double weight, double scale, const Sp2Format& fmt) {
  return Sp2Quantizer(fmt).Quantize(weight, scale);
}

double DequantizeSp2(const Sp2Code& code, double scale, const Sp2Format& fmt) {
  return static_cast<double>(Sp2Integer(code, fmt)) * scale / static_cast<double>(fmt.MaxInteger());
}

}  // namespace msqx::quant
