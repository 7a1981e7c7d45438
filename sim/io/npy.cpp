#include "sim/io/npy.h"

#include <cctype>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include "sim/spec/json_reader.h"

namespace msqx::io {

const char* ToString(NpyType type) {
  switch (type) {
    case NpyType::kFloat32:
      return "<f4";
    case NpyType::kFloat64:
      return "<f8";
    case NpyType::kInt8:
      return "|i1";
  }
  return "?";
}

std::int64_t NpyArray::Elements() const {
  std::int64_t n = 1;
  for (std::int64_t d : shape) n *= d;
  return n;
}

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr std::size_t kMagicSize = 6;

int ElementSize(NpyType t) { return t == NpyType::kFloat64 ? 8 : t == NpyType::kFloat32 ? 4 : 1; }

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
  bool seen_descr = false, seen_order = false, seen_shape = false;
  p.Expect('{');
  while (!p.Peek('}')) {
    const std::string key = p.Quoted();
    p.Expect(':');
    if (key == "descr" && !seen_descr) {
      const std::string d = p.Quoted();
      if (d == "<f4") {
        array.type = NpyType::kFloat32;
      } else if (d == "<f8") {
        array.type = NpyType::kFloat64;
      } else if (d == "|i1" || d == "<i1" || d == "i1") {
        array.type = NpyType::kInt8;
      } else {
        fail("unsupported dtype '" + d + "' (expected float32 '<f4', float64 '<f8' or int8 '|i1')");
      }
      seen_descr = true;
    } else if (key == "fortran_order" && !seen_order) {
      if (p.Boolean()) fail("Fortran-order arrays are not supported; save in C order");
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
  const char* data = bytes.data() + data_start;
  for (std::int64_t i = 0; i < count; ++i) {
    double v = 0;
    if (array.type == NpyType::kInt8) {
      v = static_cast<std::int8_t>(data[i]);
    } else if (array.type == NpyType::kFloat32) {
      const std::uint32_t raw = LittleEndian(bytes, data_start + 4 * i, 4);
      float f;
      std::memcpy(&f, &raw, 4);
      v = f;
    } else {
      const std::uint64_t raw = LittleEndian(bytes, data_start + 8 * i, 4) |
                                std::uint64_t{LittleEndian(bytes, data_start + 8 * i + 4, 4)} << 32;
      std::memcpy(&v, &raw, 8);
    }
    if (!std::isfinite(v)) fail("element " + std::to_string(i) + " is not a finite number");
    array.values[i] = v;
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
  for (double v : array.values) {
    if (array.type == NpyType::kInt8) {
      if (v != std::round(v) || v < -128 || v > 127)
        throw std::invalid_argument("not an int8 value");
      out.push_back(static_cast<char>(static_cast<std::int8_t>(v)));
      continue;
    }
    char buf[8];
    int n = 8;
    if (array.type == NpyType::kFloat32) {
      const float f = static_cast<float>(v);
      std::uint32_t raw;
      std::memcpy(&raw, &f, 4);
      for (int i = 0; i < 4; ++i) buf[i] = static_cast<char>(raw >> (8 * i));
      n = 4;
    } else {
      std::uint64_t raw;
      std::memcpy(&raw, &v, 8);
      for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>(raw >> (8 * i));
    }
    out.append(buf, n);
  }
  return out;
}

void WriteNpy(const std::string& path, const NpyArray& array) {
  const std::string bytes = SerializeNpy(array);
  std::ofstream out(path, std::ios::binary);
  if (!out) throw spec::ConfigError(path, "$", "cannot create the file");
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw spec::ConfigError(path, "$", "cannot write the file");
}

}  // namespace msqx::io
