#include "models/unrolled/precision.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>
#include <string>

namespace msqx::unrolled {

const char* ToString(Overflow o) {
  switch (o) {
    case Overflow::kWrap:
      return "wrap";
    case Overflow::kSat:
      return "sat";
    case Overflow::kSatSym:
      return "sat_sym";
  }
  return "?";
}

std::optional<Overflow> ParseOverflow(const std::string& name) {
  std::string lower;
  for (char c : name)
    lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  for (Overflow o : {Overflow::kWrap, Overflow::kSat, Overflow::kSatSym}) {
    if (lower == ToString(o)) return o;
  }
  return std::nullopt;
}

double FixedType::Step() const { return std::ldexp(1.0, -fractional_bits); }

std::int64_t FixedType::MinCode() const {
  if (IsPruned() || sign_bits == 0) return 0;
  const std::int64_t magnitude = std::int64_t{1} << (integer_bits + fractional_bits);
  return overflow == Overflow::kSatSym ? -(magnitude - 1) : -magnitude;
}

std::int64_t FixedType::MaxCode() const {
  if (IsPruned()) return 0;
  return (std::int64_t{1} << (integer_bits + fractional_bits)) - 1;
}

void CheckFixedType(const FixedType& t) {
  const auto fail = [&](const std::string& what) {
    throw std::invalid_argument("fixed<k=" + std::to_string(t.sign_bits) +
                                ", i=" + std::to_string(t.integer_bits) +
                                ", f=" + std::to_string(t.fractional_bits) + ">: " + what);
  };
  if (t.sign_bits != 0 && t.sign_bits != 1) fail("the sign bit k must be 0 or 1");
  if (std::abs(t.integer_bits) > kMaxFieldBits || std::abs(t.fractional_bits) > kMaxFieldBits) {
    fail("i and f must lie in [-" + std::to_string(kMaxFieldBits) + ", " +
         std::to_string(kMaxFieldBits) + "]");
  }
  if (!t.IsPruned() && t.TotalBits() > kMaxTotalBits) {
    fail("the total k+i+f must be at most " + std::to_string(kMaxTotalBits));
  }
}

namespace {

// `code` (any integer-valued double) kept to its type: clamped or wrapped into k+i+f bits.
std::int64_t Overflowed(double code, const FixedType& t) {
  if (t.overflow != Overflow::kWrap) {
    if (code <= static_cast<double>(t.MinCode())) return t.MinCode();
    if (code >= static_cast<double>(t.MaxCode())) return t.MaxCode();
    return static_cast<std::int64_t>(code);
  }
  const int width = t.TotalBits();
  const double modulus = std::ldexp(1.0, width);
  double r = std::fmod(code, modulus);  // exact, |r| < 2^width
  if (r < 0) r += modulus;
  std::int64_t c = static_cast<std::int64_t>(r);
  if (t.sign_bits == 1 && c >= (std::int64_t{1} << (width - 1))) c -= std::int64_t{1} << width;
  return c;
}

}  // namespace

Quantized Quantize(double x, const FixedType& t) {
  CheckFixedType(t);
  if (t.IsPruned() || std::isnan(x)) return {};
  const double scaled = std::floor(std::ldexp(x, t.fractional_bits) + 0.5);
  if (std::isinf(scaled) && t.overflow == Overflow::kWrap) return {};  // no low bits to keep
  const std::int64_t code = Overflowed(scaled, t);
  return {code, std::ldexp(static_cast<double>(code), -t.fractional_bits)};
}

std::int64_t RequantizeCode(std::int64_t y, int frac_bits, const FixedType& t) {
  CheckFixedType(t);
  if (t.IsPruned()) return 0;
  const int shift = frac_bits - t.fractional_bits;  // > 0: drop bits with rounding
  __int128 v = y;
  if (shift > 0) {
    // floor(y / 2^s + 1/2): add half a step, then an arithmetic (flooring) shift. From s = 64 on
    // |y / 2^s| <= 1/2, which rounds to 0.
    v = shift >= 64 ? 0 : (v + (__int128{1} << (shift - 1))) >> shift;
  } else if (shift < 0) {
    // Exact: more fractional bits. Beyond 64 only the saturation or the (zero) low bits matter.
    const int up = std::min(-shift, 64);
    v = v * (__int128{1} << up);
  }
  if (t.overflow != Overflow::kWrap) {
    return static_cast<std::int64_t>(std::clamp<__int128>(v, t.MinCode(), t.MaxCode()));
  }
  const int width = t.TotalBits();
  const __int128 modulus = __int128{1} << width;
  __int128 r = v % modulus;
  if (r < 0) r += modulus;
  if (t.sign_bits == 1 && r >= modulus / 2) r -= modulus;
  return static_cast<std::int64_t>(r);
}

std::int64_t PrecisionTensor::Elements() const {
  std::int64_t n = 1;
  for (std::int64_t d : shape) n *= d;
  return n;
}

PrecisionTensor UniformPrecision(const std::vector<std::int64_t>& shape, const FixedType& type) {
  CheckFixedType(type);
  PrecisionTensor p;
  p.shape = shape;
  p.types.assign(static_cast<std::size_t>(p.Elements()), type);
  return p;
}

QuantizedDense QuantizeDense(int out_features, int in_features, const std::vector<double>& weights,
                             const PrecisionTensor& precision) {
  const std::vector<std::int64_t> shape = {out_features, in_features};
  if (out_features < 1 || in_features < 1 || precision.shape != shape ||
      weights.size() != static_cast<std::size_t>(out_features) * in_features ||
      precision.types.size() != weights.size()) {
    throw std::invalid_argument("QuantizeDense: weights and precision must both be [" +
                                std::to_string(out_features) + "][" + std::to_string(in_features) +
                                "]");
  }
  QuantizedDense q;
  q.out_features = out_features;
  q.in_features = in_features;
  q.weight_types = precision;
  q.codes.reserve(weights.size());
  for (std::size_t e = 0; e < weights.size(); ++e) {
    q.codes.push_back(Quantize(weights[e], precision.types[e]).code);
  }
  return q;
}

void QuantizeBias(QuantizedDense& layer, const std::vector<double>& bias,
                  const PrecisionTensor& precision) {
  const std::vector<std::int64_t> shape = {layer.out_features};
  if (bias.size() != static_cast<std::size_t>(layer.out_features) || precision.shape != shape ||
      precision.types.size() != bias.size()) {
    throw std::invalid_argument("QuantizeBias: bias and its precision must both be [" +
                                std::to_string(layer.out_features) + "]");
  }
  layer.bias_types = precision;
  layer.bias_codes.clear();
  for (std::size_t o = 0; o < bias.size(); ++o) {
    layer.bias_codes.push_back(Quantize(bias[o], precision.types[o]).code);
  }
}

}  // namespace msqx::unrolled
