#include "models/quant/fixed_point.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace msqx::quant {

std::int64_t FixedMaxInteger(int bits) {
  if (bits < 2 || bits > 32) {
    throw std::invalid_argument("fixed-point weights need 2 to 32 bits, got " +
                                std::to_string(bits));
  }
  return (std::int64_t{1} << (bits - 1)) - 1;
}

double FixedScaleFor(double max_abs, int bits) {
  return max_abs > 0 ? max_abs / static_cast<double>(FixedMaxInteger(bits)) : 0.0;
}

std::int64_t QuantizeFixed(double weight, double scale, int bits) {
  const std::int64_t max = FixedMaxInteger(bits);
  if (!(scale > 0) || !std::isfinite(weight)) return 0;
  const double q = std::round(weight / scale);  // halves away from zero
  if (q >= static_cast<double>(max)) return max;
  if (q <= -static_cast<double>(max)) return -max;
  return static_cast<std::int64_t>(q);
}

double DequantizeFixed(std::int64_t value, double scale) {
  return static_cast<double>(value) * scale;
}

std::vector<std::int64_t> FixedIntegerLevels(int bits) {
  const std::int64_t max = FixedMaxInteger(bits);
  std::vector<std::int64_t> levels;
  for (std::int64_t v = -max; v <= max; ++v) levels.push_back(v);
  return levels;
}

std::uint32_t EncodeFixed(std::int64_t value, int bits) {
  const std::int64_t max = FixedMaxInteger(bits);
  if (value < -max || value > max) {
    throw std::invalid_argument(std::to_string(value) + " is outside the " + std::to_string(bits) +
                                "-bit symmetric range");
  }
  const std::uint64_t mask = (std::uint64_t{1} << bits) - 1;
  return static_cast<std::uint32_t>(static_cast<std::uint64_t>(value) & mask);
}

std::int64_t DecodeFixed(std::uint32_t code, int bits) {
  FixedMaxInteger(bits);
  if (bits < 32 && (code >> bits) != 0) {
    throw std::invalid_argument("fixed-point code has bits above its width");
  }
  const std::int64_t field = code;
  const std::int64_t sign_bit = std::int64_t{1} << (bits - 1);
  return (field & sign_bit) ? field - (sign_bit << 1) : field;
}

}  // namespace msqx::quant
