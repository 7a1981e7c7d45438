#include "sim/io/npy.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

#include "sim/report/file_io.h"
#include "sim/spec/json_reader.h"

namespace msqx::io {

namespace {

// One row per dtype msqx reads: NumPy's descr strings for it (first: what the writer emits), its
// size, and whether it is an integer type (and signed).
struct TypeInfo {
  NpyType type;
  const char* descr[3];
  int bytes;
  bool integer;
  bool is_signed;
};

constexpr TypeInfo kTypes[] = {
    {NpyType::kFloat32, {"<f4", nullptr, nullptr}, 4, false, true},
    {NpyType::kFloat64, {"<f8", nullptr, nullptr}, 8, false, true},
    {NpyType::kInt8, {"|i1", "<i1", "i1"}, 1, true, true},
    {NpyType::kInt16, {"<i2", nullptr, nullptr}, 2, true, true},
    {NpyType::kInt32, {"<i4", nullptr, nullptr}, 4, true, true},
    {NpyType::kInt64, {"<i8", nullptr, nullptr}, 8, true, true},
    {NpyType::kUint8, {"|u1", "<u1", "u1"}, 1, true, false},
};

const TypeInfo& Info(NpyType t) {
  for (const TypeInfo& i : kTypes) {
    if (i.type == t) return i;
  }
  return kTypes[0];
}

// Integers a double holds exactly: int64 values beyond them would be read as something else.
constexpr double kMaxExactInteger = 9007199254740992.0;  // 2^53

}  // namespace

const char* ToString(NpyType type) { return Info(type).descr[0]; }

std::int64_t NpyArray::Elements() const {
  std::int64_t n = 1;
  for (std::int64_t d : shape) n *= d;
  return n;
}

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr std::size_t kMagicSize = 6;

int ElementSize(NpyType t) { return Info(t).bytes; }

std::uint64_t LittleEndian64(const std::string& b, std::size_t at, int bytes) {
  std::uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  return v;
}

// The element at byte `at` of a payload of type `t` as a double; *exact is false for an integer
// a double cannot hold (beyond 2^53).
double Element(const std::string& bytes, std::size_t at, const TypeInfo& t, bool* exact) {
  const std::uint64_t raw = LittleEndian64(bytes, at, t.bytes);
  *exact = true;
  if (t.integer) {
    const int shift = 64 - 8 * t.bytes;  // sign-extend the field
    const std::int64_t v = t.is_signed ? static_cast<std::int64_t>(raw << shift) >> shift
                                       : static_cast<std::int64_t>(raw);
    constexpr std::int64_t kLimit = std::int64_t{1} << 53;
    *exact = v >= -kLimit && v <= kLimit;
    return static_cast<double>(v);
  }
  if (t.bytes == 4) {
    const std::uint32_t r32 = static_cast<std::uint32_t>(raw);
    float f;
    std::memcpy(&f, &r32, 4);
    return f;
  }
  double d;
  std::memcpy(&d, &raw, 8);
  return d;
}

// The C-order position of Fortran-order element `f` of an array of `shape`.
std::size_t FortranToC(std::size_t f, const std::vector<std::int64_t>& shape) {
  std::size_t c = 0, stride = 1;
  std::vector<std::size_t> index(shape.size());
  for (std::size_t d = 0; d < shape.size(); ++d) {  // Fortran: the first index varies fastest
    index[d] = f % static_cast<std::size_t>(shape[d]);
    f /= static_cast<std::size_t>(shape[d]);
  }
  for (std::size_t d = shape.size(); d-- > 0;) {
    c += index[d] * stride;
    stride *= static_cast<std::size_t>(shape[d]);
  }
  return c;
}

// A cursor over the header's dict literal; every mismatch fails with what was expected.
class HeaderParser {
 public:
  HeaderParser(const std::string& text, const std::string& label) : s_(text), label_(label) {}

  [[noreturn]] void Fail(const std::string& what) const {
    throw spec::ConfigError(label_, "$",
                            "not a valid .npy header: " + what + " at header offset " +
                                std::to_string(pos_) + " in \"" + s_ + "\"");
  }
  void SkipSpace() {
    while (pos_ < s_.size() && s_[pos_] == ' ') ++pos_;
  }
  bool Peek(char c) {
    SkipSpace();
    return pos_ < s_.size() && s_[pos_] == c;
  }
  void Expect(char c) {
    if (!Peek(c)) Fail(std::string("expected '") + c + "'");
    ++pos_;
  }
  std::string Quoted() {
    SkipSpace();
    if (pos_ >= s_.size() || (s_[pos_] != '\'' && s_[pos_] != '"'))
      Fail("expected a quoted string");
    const char q = s_[pos_++];
    const std::size_t end = s_.find(q, pos_);
    if (end == std::string::npos) Fail("unterminated string");
    std::string v = s_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return v;
  }
  bool Boolean() {
    SkipSpace();
    for (const char* word : {"True", "False"}) {
      if (s_.compare(pos_, std::strlen(word), word) == 0) {
        pos_ += std::strlen(word);
        return word[0] == 'T';
      }
    }
    Fail("expected True or False");
  }
  std::vector<std::int64_t> Shape() {
    Expect('(');
    std::vector<std::int64_t> dims;
    while (!Peek(')')) {
      SkipSpace();
      const std::size_t start = pos_;
      while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
      if (pos_ == start || pos_ - start > 12) Fail("expected a dimension (a non-negative integer)");
      dims.push_back(std::stoll(s_.substr(start, pos_ - start)));
      if (Peek(',')) {
        ++pos_;
      } else if (!Peek(')')) {
        Fail("expected ',' or ')' in the shape");
      }
    }
    ++pos_;
    return dims;
  }
  // Only spaces remain, then the closing newline.
  void ExpectEnd() {
    SkipSpace();
    if (pos_ + 1 != s_.size() || s_[pos_] != '\n')
      Fail("expected only space padding and a newline");
  }

 private:
  const std::string& s_;
  const std::string& label_;
  std::size_t pos_ = 0;
};

std::uint32_t LittleEndian(const std::string& b, std::size_t at, int bytes) {
  std::uint32_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  return v;
}

}  // namespace

NpyArray ParseNpy(const std::string& bytes, const std::string& label) {
  auto fail = [&](const std::string& what) -> void { throw spec::ConfigError(label, "$", what); };
  if (bytes.size() < kMagicSize + 4 || bytes.compare(0, kMagicSize, kMagic, kMagicSize) != 0) {
    fail("not a .npy file (the magic string \\x93NUMPY is missing)");
  }
  const int major = static_cast<unsigned char>(bytes[6]);
  const int minor = static_cast<unsigned char>(bytes[7]);
  if (major < 1 || major > 3 || minor != 0) {
    fail("unsupported .npy format version " + std::to_string(major) + "." + std::to_string(minor) +
         " (expected 1.0, 2.0 or 3.0)");
  }
  const int len_bytes = major == 1 ? 2 : 4;
  if (bytes.size() < 8u + len_bytes) fail("truncated .npy header");
  const std::size_t header_len = LittleEndian(bytes, 8, len_bytes);
  const std::size_t data_start = 8 + len_bytes + header_len;
  if (bytes.size() < data_start)
    fail("truncated .npy header (declares " + std::to_string(header_len) + " bytes)");
  const std::string header = bytes.substr(8 + len_bytes, header_len);

  HeaderParser p(header, label);
  NpyArray array;
  bool seen_descr = false, seen_order = false, seen_shape = false, fortran = false;
  p.Expect('{');
  while (!p.Peek('}')) {
    const std::string key = p.Quoted();
    p.Expect(':');
    if (key == "descr" && !seen_descr) {
      const std::string d = p.Quoted();
      bool known = false;
      for (const TypeInfo& t : kTypes) {
        for (const char* name : t.descr) {
          if (name != nullptr && d == name) {
            array.type = t.type;
            known = true;
          }
        }
      }
      if (!known) {
        fail("unsupported dtype '" + d +
             "' (expected little-endian float32 '<f4', float64 '<f8', int8 '|i1', int16 '<i2', "
             "int32 '<i4', int64 '<i8' or uint8 '|u1')");
      }
      seen_descr = true;
    } else if (key == "fortran_order" && !seen_order) {
      fortran = p.Boolean();
      seen_order = true;
    } else if (key == "shape" && !seen_shape) {
      array.shape = p.Shape();
      seen_shape = true;
    } else {
      p.Fail("unexpected or repeated key '" + key + "'");
    }
    if (p.Peek(',')) {
      p.Expect(',');
    } else if (!p.Peek('}')) {
      p.Fail("expected ',' or '}'");
    }
  }
  p.Expect('}');
  p.ExpectEnd();
  if (!seen_descr || !seen_order || !seen_shape)
    p.Fail("missing key (descr, fortran_order and shape are required)");

  std::int64_t count = 1;
  for (std::int64_t d : array.shape) {
    if (d != 0 && count > (std::int64_t{1} << 40) / d) fail("the declared shape is too large");
    count *= d;
  }
  const std::size_t expected = static_cast<std::size_t>(count) * ElementSize(array.type);
  const std::size_t actual = bytes.size() - data_start;
  if (actual != expected) {
    fail("payload has " + std::to_string(actual) + " bytes but the header declares " +
         std::to_string(count) + " elements of " + std::to_string(ElementSize(array.type)) +
         " bytes (" + std::to_string(expected) + ")");
  }
  array.values.resize(count);
  const TypeInfo& info = Info(array.type);
  for (std::int64_t i = 0; i < count; ++i) {
    bool exact = true;
    const double v =
        Element(bytes, data_start + static_cast<std::size_t>(i) * info.bytes, info, &exact);
    if (!std::isfinite(v)) fail("element " + std::to_string(i) + " is not a finite number");
    if (!exact) {
      fail("element " + std::to_string(i) + " is beyond 2^53, which msqx cannot hold exactly");
    }
    const std::size_t at = fortran ? FortranToC(static_cast<std::size_t>(i), array.shape)
                                   : static_cast<std::size_t>(i);
    array.values[at] = v;
  }
  return array;
}

NpyArray ReadNpy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw spec::ConfigError(path, "$", "cannot open the file");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return ParseNpy(bytes, path);
}

std::string NpyHeader(NpyType type, const std::vector<std::int64_t>& shape) {
  std::ostringstream h;
  h << "{'descr': '" << ToString(type) << "', 'fortran_order': False, 'shape': (";
  for (std::size_t i = 0; i < shape.size(); ++i) h << (i ? ", " : "") << shape[i];
  if (shape.size() == 1) h << ",";  // a Python 1-tuple
  h << "), }";
  std::string header = h.str();
  // NumPy pads so that the data starts on a 64-byte boundary.
  const std::size_t unpadded = kMagicSize + 4 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header.push_back('\n');
  std::string out(kMagic, kMagicSize);
  out.push_back('\x01');
  out.push_back('\x00');
  out.push_back(static_cast<char>(header.size() & 0xff));
  out.push_back(static_cast<char>(header.size() >> 8));
  return out + header;
}

std::string SerializeNpy(const NpyArray& array) {
  if (static_cast<std::int64_t>(array.values.size()) != array.Elements()) {
    throw std::invalid_argument("npy values do not match the shape");
  }
  std::string out = NpyHeader(array.type, array.shape);
  const TypeInfo& info = Info(array.type);
  for (double v : array.values) {
    std::uint64_t raw = 0;
    if (info.integer) {
      const double lo = info.is_signed ? -std::ldexp(1.0, 8 * info.bytes - 1) : 0.0;
      const double hi = std::min(std::ldexp(1.0, 8 * info.bytes - (info.is_signed ? 1 : 0)) - 1,
                                 kMaxExactInteger);
      if (v != std::round(v) || v < std::max(lo, -kMaxExactInteger) || v > hi) {
        throw std::invalid_argument(std::string("npy: ") + std::to_string(v) + " is not a " +
                                    info.descr[0] + " value");
      }
      raw = static_cast<std::uint64_t>(static_cast<std::int64_t>(v));
    } else if (info.bytes == 4) {
      const float f = static_cast<float>(v);
      std::uint32_t r32;
      std::memcpy(&r32, &f, 4);
      raw = r32;
    } else {
      std::memcpy(&raw, &v, 8);
    }
    for (int i = 0; i < info.bytes; ++i) out.push_back(static_cast<char>(raw >> (8 * i)));
  }
  return out;
}

void WriteNpy(const std::string& path, const NpyArray& array) {
  report::WriteFile(path, SerializeNpy(array));
}

}  // namespace msqx::io
