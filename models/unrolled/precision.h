#pragma once
// Per-element fixed-point precision as HGQ trains it (DOMAIN.md section 4): every weight and every
// activation has its own type fixed<k+i+f, k+i>, k the sign bit, i integer bits, f fractional bits.
// HGQ's conventions hold (HGQ2's quantizers, quantizers/fixed_point): i and f may each be negative
// (a weight below 0.25 gets i = -2), an element with i + f <= 0 is pruned (it is 0 whatever k,
// and HGQ exports pruned weights with totals down to -22), and each tensor's quantizer has an
// overflow mode: weights saturate symmetrically at +-(2^(i+f) - 1), activations and biases wrap.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace msqx::unrolled {

// Widest total a precision may have: codes are int64 and products of two codes must fit.
inline constexpr int kMaxTotalBits = 30;
// Bounds for i and f alone; wide enough for any HGQ export, narrow enough that 2^f is exact.
inline constexpr int kMaxFieldBits = 32;

// What a quantizer does with a value outside its type's range: HGQ's overflow modes
// (quantizers/fixed_point, `sat_mode`). HGQ's defaults are kSatSym for weights, kWrap for
// activations and biases.
enum class Overflow {
  kWrap,    // keep the low k+i+f bits of the code (two's complement when k = 1)
  kSat,     // clamp to [-k 2^(i+f), 2^(i+f) - 1] (ap_fixed AP_SAT)
  kSatSym,  // clamp to [-k (2^(i+f) - 1), 2^(i+f) - 1]
};
const char* ToString(Overflow o);  // "wrap", "sat", "sat_sym"
// HGQ's names in either case ("WRAP", "sat_sym", ...); nullopt for any other.
std::optional<Overflow> ParseOverflow(const std::string& name);

struct FixedType {
  int sign_bits = 1;        // k: 0 (unsigned) or 1
  int integer_bits = 0;     // i, excluding the sign bit
  int fractional_bits = 0;  // f
  Overflow overflow = Overflow::kSat;

  int TotalBits() const { return sign_bits + integer_bits + fractional_bits; }
  // HGQ: i + f <= 0 is pruned whatever k. (A symmetric weight with i + f = 0 has the one code 0,
  // and HGQ's EBOPs give it 0 bits; msqx once read it as a 1-bit signed weight.)
  bool IsPruned() const { return integer_bits + fractional_bits <= 0; }
  int Bits() const { return IsPruned() ? 0 : TotalBits(); }  // width of the code in hardware
  double Step() const;                                       // 2^-f, the value of one code step
  // Code range: signed [-2^(i+f), 2^(i+f) - 1] ([-(2^(i+f) - 1), ...] when kSatSym), unsigned
  // [0, 2^(i+f) - 1]; {0, 0} when pruned.
  std::int64_t MinCode() const;
  std::int64_t MaxCode() const;
  bool operator==(const FixedType& o) const {
    return sign_bits == o.sign_bits && integer_bits == o.integer_bits &&
           fractional_bits == o.fractional_bits && overflow == o.overflow;
  }
};

// Throws std::invalid_argument unless k is 0 or 1, |i|, |f| <= kMaxFieldBits and, unless the type
// is pruned, k+i+f <= kMaxTotalBits.
void CheckFixedType(const FixedType& t);

struct Quantized {
  std::int64_t code = 0;  // value = code * 2^-f
  double value = 0.0;
};

// Nearest level, ties toward +infinity (floor(x * 2^f + 1/2), as ap_fixed's AP_RND and HGQ's
// RND), then the type's overflow mode: saturated to the code range, or wrapped into k+i+f bits.
// A pruned type and NaN give 0.
Quantized Quantize(double x, const FixedType& t);

// The same on an exact integer: the code of y * 2^-frac_bits in type t (requantization of a
// layer's output to the next layer's input type, docs/unrolled.md "Output stage").
std::int64_t RequantizeCode(std::int64_t y, int frac_bits, const FixedType& t);

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
// An optional bias, one code per output on its own type, is added on each output's grid.
struct QuantizedDense {
  int out_features = 0;
  int in_features = 0;
  PrecisionTensor weight_types;
  std::vector<std::int64_t> codes;
  PrecisionTensor bias_types;            // shape {out}; empty without a bias
  std::vector<std::int64_t> bias_codes;  // [o]; empty without a bias

  bool HasBias() const { return !bias_codes.empty(); }
  std::int64_t BiasCode(int o) const {
    return HasBias() ? bias_codes[static_cast<std::size_t>(o)] : 0;
  }

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

// Adds a bias of out_features values with their precision (shape {out}). Throws
// std::invalid_argument when the sizes disagree.
void QuantizeBias(QuantizedDense& layer, const std::vector<double>& bias,
                  const PrecisionTensor& precision);

}  // namespace msqx::unrolled
