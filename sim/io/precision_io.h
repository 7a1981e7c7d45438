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
// sign_bits is optional (default `default_sign`: a weights folder passes the tensor's, 0 for the
// inputs after a ReLU, so that a document without signs means what the .npy arrays mean).
unrolled::PrecisionTensor ParsePrecisionJson(const spec::Node& root, int default_sign = 1);
unrolled::PrecisionTensor LoadPrecisionJson(const std::string& path, int default_sign = 1);

// One array of a .npy pair as ReadNpy returns it (shape and C-order values).
struct BitArray {
  std::string file;  // names the array in errors
  std::vector<std::int64_t> shape;
  std::vector<double> values;
};

// Per-element precision from an integer-bit and a fractional-bit array of equal shape, every
// element taking `sign_bits` (1 for weights, 0 after a relu). Values must be integers and every
// element a valid FixedType (CheckFixedType; i + f <= 0 is pruned, as HGQ exports it). The
// overflow mode is left at its default: the caller sets the tensor's.
unrolled::PrecisionTensor PrecisionFromBitArrays(const BitArray& integer_bits,
                                                 const BitArray& fractional_bits, int sign_bits);
// The same with a sign bit per element (HGQ's k is an array: per input feature for activations).
unrolled::PrecisionTensor PrecisionFromBitArrays(const BitArray& integer_bits,
                                                 const BitArray& fractional_bits,
                                                 const BitArray& sign_bits);

}  // namespace msqx::io
