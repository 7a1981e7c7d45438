#pragma once
// Read-only access to an HDF5 file (HDF5's C API, Debian's libhdf5-dev): groups, numeric datasets
// and string attributes, enough to read Keras checkpoints (sim/io/hgq_keras.h). The library's
// own error printing is switched off; every failure is a spec::ConfigError naming the file, the
// HDF5 path inside it and what was expected, so that no input crashes msqx or leaves HDF5's
// error stack on the terminal.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace msqx::io {

// A numeric dataset in C order, every element converted exactly to double (integers beyond 2^53
// are not exact; no checkpoint quantity comes near).
struct H5Array {
  std::vector<std::int64_t> shape;  // empty: a scalar
  std::vector<double> values;
  bool is_float = false;  // an HDF5 float type (else an integer type)
  int element_bytes = 0;  // 4 for float32, 1 for uint8, ...
  bool is_signed = true;

  std::int64_t Elements() const;
};

// Whether msqx was built with libhdf5-dev (else Open and FromImage throw spec::ConfigError).
bool Hdf5Available();

class H5File {
 public:
  // A file on disk; `label` names it in errors.
  static H5File Open(const std::string& path);
  // A file image in memory (a member of a .keras archive); `label` names it in errors.
  static H5File FromImage(const std::string& bytes, const std::string& label);
  H5File(H5File&&) noexcept;
  H5File& operator=(H5File&&) noexcept;
  ~H5File();

  const std::string& label() const { return label_; }
  // Paths are absolute within the file ("/model_weights/dense") or relative to the root.
  bool IsGroup(const std::string& path) const;
  bool IsDataset(const std::string& path) const;
  std::vector<std::string> Children(const std::string& group) const;  // link names, by name
  // Throws unless `path` is a numeric dataset (integer or float) of at most 2^26 elements.
  H5Array Read(const std::string& path) const;
  // A string attribute of the object at `path` (scalar; fixed- or variable-length), if present.
  std::optional<std::string> StringAttribute(const std::string& path,
                                             const std::string& name) const;
  // A string-array attribute (Keras' layer_names, weight_names), if present.
  std::optional<std::vector<std::string>> StringListAttribute(const std::string& path,
                                                              const std::string& name) const;

 private:
  H5File(std::int64_t id, std::string label) : id_(id), label_(std::move(label)) {}
  std::int64_t id_ = -1;  // hid_t
  std::string label_;
};

}  // namespace msqx::io
