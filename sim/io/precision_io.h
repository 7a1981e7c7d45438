#pragma once
// Reading per-element precision: a JSON document for small layers, or the integer-bit and
// fractional-bit arrays of a .npy pair written beside the weights (docs/unrolled.md has both
// formats). Errors are spec::ConfigError naming the file, the JSON path and what was expected.

#include <cstdint>
#include <string>
#include <vector>

#include "models/unrolled/precision.h"
#include "sim/spec/json_reader.h"

namespace msqx::io {

// {"shape": [2, 3], "sign_bits": 1, "integer_bits": 0, "fractional_bits": [[...], [...]]}: each of
// the three fields is one integer for every element or a nested array of exactly `shape`;
// sign_bits is optional (default 1).
unrolled::PrecisionTensor ParsePrecisionJson(const spec::Node& root);
unrolled::PrecisionTensor LoadPrecisionJson(const std::string& path);

// One array of a .npy pair as ReadNpy returns it (shape and C-order values).
struct BitArray {
  std::string file;  // names the array in errors
  std::vector<std::int64_t> shape;
  std::vector<double> values;
};

// Per-element precision from an integer-bit and a fractional-bit array of equal shape, every
// element taking `sign_bits` (HGQ keeps the sign per tensor: 1 for weights, 0 after a relu).
// Values must be integers and every element a valid FixedType (CheckFixedType).
unrolled::PrecisionTensor PrecisionFromBitArrays(const BitArray& integer_bits,
                                                 const BitArray& fractional_bits, int sign_bits);

}  // namespace msqx::io
