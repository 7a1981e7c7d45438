#pragma once
// Per-element fixed-point precision as HGQ trains it (DOMAIN.md section 4): every weight and every
// activation has its own type fixed<k+i+f, k+i>, k the sign bit, i integer bits, f fractional bits.
// i and f may each be negative (HGQ gives a weight below 0.25 i = -2); only the total k+i+f must
// be >= 0, and a total of 0 means the element is pruned.

#include <cstdint>
#include <vector>

namespace msqx::unrolled {

// Widest total a precision may have: codes are int64 and products of two codes must fit.
inline constexpr int kMaxTotalBits = 30;
// Bounds for i and f alone; wide enough for any HGQ export, narrow enough that 2^f is exact.
inline constexpr int kMaxFieldBits = 32;

struct FixedType {
  int sign_bits = 1;        // k: 0 (unsigned) or 1
  int integer_bits = 0;     // i, excluding the sign bit
  int fractional_bits = 0;  // f

  int TotalBits() const { return sign_bits + integer_bits + fractional_bits; }
  bool IsPruned() const { return TotalBits() <= 0; }
  double Step() const;  // 2^-f, the value of one code step
  // Code range of the two's complement (k = 1) or unsigned (k = 0) field: signed
  // [-2^(i+f), 2^(i+f) - 1], unsigned [0, 2^(i+f) - 1]; {0, 0} when pruned.
  std::int64_t MinCode() const;
  std::int64_t MaxCode() const;
  bool operator==(const FixedType& o) const {
    return sign_bits == o.sign_bits && integer_bits == o.integer_bits &&
           fractional_bits == o.fractional_bits;
  }
};

// Throws std::invalid_argument unless k is 0 or 1, |i|, |f| <= kMaxFieldBits and
// 0 <= k+i+f <= kMaxTotalBits.
void CheckFixedType(const FixedType& t);

struct Quantized {
  std::int64_t code = 0;  // value = code * 2^-f
  double value = 0.0;
};

// Nearest level, ties toward +infinity (floor(x * 2^f + 1/2), as ap_fixed's AP_RND and HGQ's
// quantizer round), saturated to the code range (AP_SAT). A pruned type and NaN give 0.
Quantized Quantize(double x, const FixedType& t);

// One type per element of a tensor in C order: [out][in] for a dense layer's weights, [n] for a
// layer's input activations.
struct PrecisionTensor {
  std::vector<std::int64_t> shape;
  std::vector<FixedType> types;

  std::int64_t Elements() const;
  const FixedType& operator[](std::size_t i) const { return types[i]; }
};

// The same type for every element (uniform quantization as a special case of HGQ).
PrecisionTensor UniformPrecision(const std::vector<std::int64_t>& shape, const FixedType& type);

// A dense layer's weights after quantization: codes[o * in + j] is the integer the constant
// multiplier of output o, input j is built from; weight_types.types[o * in + j] its precision.
struct QuantizedDense {
  int out_features = 0;
  int in_features = 0;
  PrecisionTensor weight_types;
  std::vector<std::int64_t> codes;

  std::int64_t Code(int o, int j) const {
    return codes[static_cast<std::size_t>(o) * in_features + j];
  }
  const FixedType& Type(int o, int j) const {
    return weight_types.types[static_cast<std::size_t>(o) * in_features + j];
  }
};

// Quantizes float weights [out][in] (C order) element by element. Throws std::invalid_argument
// when the sizes disagree or the precision's shape is not {out, in}.
QuantizedDense QuantizeDense(int out_features, int in_features, const std::vector<double>& weights,
                             const PrecisionTensor& precision);

}  // namespace msqx::unrolled
