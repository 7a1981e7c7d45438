#pragma once
// NumPy .npy arrays (format versions 1.0, 2.0, 3.0): little-endian float32 and float64, signed
// integers of 8, 16, 32 and 64 bits and uint8, in C or Fortran order (a Fortran-order array is
// reordered to C order on reading). The header is parsed strictly: exactly the keys descr,
// fortran_order and shape, a Python dict literal padded with spaces and ended by a newline, and a
// payload of exactly the declared size. Anything else is a spec::ConfigError naming the file, with
// the JSON path "$" standing for the whole file.

#include <cstdint>
#include <string>
#include <vector>

namespace msqx::io {

enum class NpyType { kFloat32, kFloat64, kInt8, kInt16, kInt32, kInt64, kUint8 };
const char* ToString(
    NpyType type);  // NumPy's descr: "<f4", "<f8", "|i1", "<i2", "<i4", "<i8", "|u1"

struct NpyArray {
  NpyType type = NpyType::kFloat32;
  std::vector<std::int64_t> shape;  // empty for a scalar
  // C order. Converted exactly: int64 values beyond 2^53, which a double cannot hold, are an error.
  std::vector<double> values;

  std::int64_t Elements() const;
};

// Reads a file; throws spec::ConfigError on any malformation (including NaN or infinite values,
// which no quantizer can place, and integers beyond 2^53).
NpyArray ReadNpy(const std::string& path);
// Parses bytes already in memory; `label` names them in errors.
NpyArray ParseNpy(const std::string& bytes, const std::string& label);

// Writes a version 1.0 C-order file of the given type (values converted; integer types take
// integers within their range, and within 2^53). Throws report::IoError (with the system's reason)
// if the file cannot be written, std::invalid_argument for a value its type cannot hold.
void WriteNpy(const std::string& path, const NpyArray& array);
std::string SerializeNpy(const NpyArray& array);
// The magic, version and header of a version 1.0 file, for writers that stream the payload.
std::string NpyHeader(NpyType type, const std::vector<std::int64_t>& shape);

}  // namespace msqx::io
