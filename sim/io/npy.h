#pragma once
// NumPy .npy arrays (format versions 1.0, 2.0, 3.0): little-endian float32, float64 and int8 in C
// order. The header is parsed strictly: exactly the keys descr, fortran_order and shape, a Python
// dict literal padded with spaces and ended by a newline, and a payload of exactly the declared
// size. Anything else is a spec::ConfigError naming the file, with the JSON path "$" standing for
// the whole file.

#include <cstdint>
#include <string>
#include <vector>

namespace msqx::io {

enum class NpyType { kFloat32, kFloat64, kInt8 };
const char* ToString(NpyType type);  // NumPy's descr: "<f4", "<f8", "|i1"

struct NpyArray {
  NpyType type = NpyType::kFloat32;
  std::vector<std::int64_t> shape;  // empty for a scalar
  std::vector<double> values;       // C order, converted exactly (all three types fit a double)

  std::int64_t Elements() const;
};

// Reads a file; throws spec::ConfigError on any malformation (including NaN or infinite values,
// which no quantizer can place).
NpyArray ReadNpy(const std::string& path);
// Parses bytes already in memory; `label` names them in errors.
NpyArray ParseNpy(const std::string& bytes, const std::string& label);

// Writes a version 1.0 file of the given type (values converted; int8 values must be integers in
// [-128, 127]). Throws spec::ConfigError if the file cannot be written.
void WriteNpy(const std::string& path, const NpyArray& array);
std::string SerializeNpy(const NpyArray& array);
// The magic, version and header of a version 1.0 file, for writers that stream the payload.
std::string NpyHeader(NpyType type, const std::vector<std::int64_t>& shape);

}  // namespace msqx::io
