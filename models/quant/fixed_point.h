#pragma once
// Fixed-point weights: an m-bit two's complement integer in the symmetric range
// [-(2^(m-1) - 1), 2^(m-1) - 1] times a per-filter scale. The most negative code -2^(m-1) is never
// produced, so negation never overflows and the packed-DSP bounds (dsp_packing.h) are symmetric.

#include <cstdint>
#include <vector>

namespace msqx::quant {

// Largest integer magnitude of an m-bit weight: 2^(m-1) - 1 (4 bits: 7).
// Throws std::invalid_argument unless 2 <= bits <= 32.
std::int64_t FixedMaxInteger(int bits);

// The per-filter scale that maps the filter's largest magnitude onto the largest integer:
// max_abs / (2^(m-1) - 1). 0 for an all-zero filter.
double FixedScaleFor(double max_abs, int bits);

// Nearest integer level of weight / scale, ties away from zero (std::round), clamped to the
// symmetric range. scale <= 0 (an all-zero filter) gives 0.
std::int64_t QuantizeFixed(double weight, double scale, int bits);
double DequantizeFixed(std::int64_t value, double scale);

// All integer levels, ascending (4 bits: -7..7).
std::vector<std::int64_t> FixedIntegerLevels(int bits);

// The hardware code: the m-bit two's complement field of `value` in the low bits. Throws
// std::invalid_argument when value is outside the symmetric range.
std::uint32_t EncodeFixed(std::int64_t value, int bits);
// Sign-extends an m-bit field, as the DSP's input port sees it after sign extension to its width.
// Bits above `bits` must be zero (std::invalid_argument otherwise).
std::int64_t DecodeFixed(std::uint32_t code, int bits);

}  // namespace msqx::quant
