#include "models/unrolled/precision.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace msqx::unrolled {

double FixedType::Step() const { return std::ldexp(1.0, -fractional_bits); }

std::int64_t FixedType::MinCode() const {
  if (IsPruned() || sign_bits == 0) return 0;
  return -(std::int64_t{1} << (TotalBits() - 1));
}

std::int64_t FixedType::MaxCode() const {
  if (IsPruned()) return 0;
  return (std::int64_t{1} << (TotalBits() - sign_bits)) - 1;
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
  if (t.TotalBits() < 0 || t.TotalBits() > kMaxTotalBits) {
    fail("the total k+i+f must lie in [0, " + std::to_string(kMaxTotalBits) + "]");
  }
}

Quantized Quantize(double x, const FixedType& t) {
  CheckFixedType(t);
  if (t.IsPruned() || std::isnan(x)) return {};
  const double scaled = std::floor(std::ldexp(x, t.fractional_bits) + 0.5);
  std::int64_t code;
  if (scaled <= static_cast<double>(t.MinCode())) {
    code = t.MinCode();
  } else if (scaled >= static_cast<double>(t.MaxCode())) {
    code = t.MaxCode();
  } else {
    code = static_cast<std::int64_t>(scaled);
  }
  return {code, std::ldexp(static_cast<double>(code), -t.fractional_bits)};
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

}  // namespace msqx::unrolled
