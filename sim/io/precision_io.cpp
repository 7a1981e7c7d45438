#include "sim/io/precision_io.h"

#include <cmath>
#include <stdexcept>

namespace msqx::io {

using unrolled::FixedType;
using unrolled::kMaxFieldBits;
using unrolled::kMaxTotalBits;
using unrolled::PrecisionTensor;

namespace {

constexpr std::int64_t kMaxJsonElements = std::int64_t{1} << 24;

std::string ShapeText(const std::vector<std::int64_t>& shape) {
  std::string s = "[";
  for (std::size_t d = 0; d < shape.size(); ++d) s += (d ? ", " : "") + std::to_string(shape[d]);
  return s + "]";
}

// Reads one field (a scalar broadcast to every element, or nested arrays of exactly `shape`),
// keeping each element's node so that a later check across fields can point at it.
class FieldReader {
 public:
  FieldReader(const std::vector<std::int64_t>& shape, std::int64_t min, std::int64_t max)
      : shape_(shape), min_(min), max_(max) {}

  void Read(const spec::Node& field) {
    if (!field.json().is_array()) {
      Fill(static_cast<int>(field.Int(min_, max_)));
      nodes.assign(values.size(), field);
      return;
    }
    ReadDimension(field, 0);
  }

  void Fill(int value) {
    std::int64_t n = 1;
    for (std::int64_t d : shape_) n *= d;
    values.assign(static_cast<std::size_t>(n), value);
  }

  std::vector<int> values;
  std::vector<spec::Node> nodes;

 private:
  void ReadDimension(const spec::Node& n, std::size_t dim) {
    if (dim == shape_.size()) {
      values.push_back(static_cast<int>(n.Int(min_, max_)));
      nodes.push_back(n);
      return;
    }
    if (!n.json().is_array() || n.ArraySize() != static_cast<std::size_t>(shape_[dim])) {
      n.Fail("expected an array of " + std::to_string(shape_[dim]) + " elements (dimension " +
             std::to_string(dim) + " of shape " + ShapeText(shape_) + "), got " +
             (n.json().is_array() ? std::to_string(n.json().size()) + " elements"
                                  : "a " + std::string(n.json().type_name())));
    }
    for (std::size_t i = 0; i < static_cast<std::size_t>(shape_[dim]); ++i) {
      ReadDimension(n.At(i), dim + 1);
    }
  }

  const std::vector<std::int64_t>& shape_;
  std::int64_t min_, max_;
};

}  // namespace

PrecisionTensor ParsePrecisionJson(const spec::Node& root, int default_sign) {
  root.ExpectObject({"shape", "sign_bits", "integer_bits", "fractional_bits"});
  PrecisionTensor p;
  const spec::Node shape = root.At("shape");
  const std::size_t rank = shape.ArraySize(1);
  if (rank > 2)
    shape.Fail("expected [n] or [out, in], got " + std::to_string(rank) + " dimensions");
  for (std::size_t d = 0; d < rank; ++d) p.shape.push_back(shape.At(d).Int(1, 1 << 20));
  // A scalar field broadcasts to every element; bound the count before allocating it.
  if (p.Elements() > kMaxJsonElements) {
    shape.Fail("expected at most " + std::to_string(kMaxJsonElements) +
               " elements (use a .npy pair for larger tensors), got " +
               std::to_string(p.Elements()));
  }

  FieldReader sign(p.shape, 0, 1), integer(p.shape, -kMaxFieldBits, kMaxFieldBits),
      fractional(p.shape, -kMaxFieldBits, kMaxFieldBits);
  if (root.Has("sign_bits")) {
    sign.Read(root.At("sign_bits"));
  } else {
    sign.Fill(default_sign);
  }
  integer.Read(root.At("integer_bits"));
  fractional.Read(root.At("fractional_bits"));

  p.types.reserve(fractional.values.size());
  for (std::size_t e = 0; e < fractional.values.size(); ++e) {
    const FixedType t{sign.values[e], integer.values[e], fractional.values[e]};
    if (!t.IsPruned() && t.TotalBits() > kMaxTotalBits) {
      // The total is what is wrong; f is where HGQ's training moves it, so point there.
      fractional.nodes[e].Fail("expected k+i+f of at most " + std::to_string(kMaxTotalBits) +
                               " (i+f <= 0: pruned), got k=" + std::to_string(t.sign_bits) +
                               " i=" + std::to_string(t.integer_bits) +
                               " f=" + std::to_string(t.fractional_bits) + " (total " +
                               std::to_string(t.TotalBits()) + ")");
    }
    p.types.push_back(t);
  }
  return p;
}

PrecisionTensor LoadPrecisionJson(const std::string& path, int default_sign) {
  return ParsePrecisionJson(spec::Document::Load(path).Root(), default_sign);
}

PrecisionTensor PrecisionFromBitArrays(const BitArray& integer_bits,
                                       const BitArray& fractional_bits, int sign_bits) {
  if (sign_bits != 0 && sign_bits != 1) {
    throw std::invalid_argument("sign_bits must be 0 or 1, got " + std::to_string(sign_bits));
  }
  BitArray signs{"", integer_bits.shape,
                 std::vector<double>(integer_bits.values.size(), static_cast<double>(sign_bits))};
  return PrecisionFromBitArrays(integer_bits, fractional_bits, signs);
}

PrecisionTensor PrecisionFromBitArrays(const BitArray& integer_bits,
                                       const BitArray& fractional_bits, const BitArray& sign_bits) {
  for (const BitArray* other : {&fractional_bits, &sign_bits}) {
    if (other->shape != integer_bits.shape) {
      throw spec::ConfigError(other->file, "$",
                              "expected the shape of " + integer_bits.file + " " +
                                  ShapeText(integer_bits.shape) + ", got " +
                                  ShapeText(other->shape));
    }
  }
  const auto element = [](const BitArray& a, std::size_t e, int lo, int hi) {
    const double v = a.values[e];
    if (v != std::floor(v) || v < lo || v > hi) {
      throw spec::ConfigError(a.file, "$",
                              "expected integer bit counts in [" + std::to_string(lo) + ", " +
                                  std::to_string(hi) + "], got " + std::to_string(v) +
                                  " at flat index " + std::to_string(e));
    }
    return static_cast<int>(v);
  };
  PrecisionTensor p;
  p.shape = integer_bits.shape;
  if (integer_bits.values.size() != static_cast<std::size_t>(p.Elements()) ||
      fractional_bits.values.size() != integer_bits.values.size() ||
      sign_bits.values.size() != integer_bits.values.size()) {
    throw spec::ConfigError(integer_bits.file, "$", "expected as many values as the shape holds");
  }
  for (std::size_t e = 0; e < integer_bits.values.size(); ++e) {
    const FixedType t{element(sign_bits, e, 0, 1),
                      element(integer_bits, e, -kMaxFieldBits, kMaxFieldBits),
                      element(fractional_bits, e, -kMaxFieldBits, kMaxFieldBits)};
    if (!t.IsPruned() && t.TotalBits() > kMaxTotalBits) {
      throw spec::ConfigError(fractional_bits.file, "$",
                              "expected k+i+f of at most " + std::to_string(kMaxTotalBits) +
                                  " (i+f <= 0: pruned) at flat index " + std::to_string(e) +
                                  ", got total " + std::to_string(t.TotalBits()));
    }
    p.types.push_back(t);
  }
  return p;
}

}  // namespace msqx::io
