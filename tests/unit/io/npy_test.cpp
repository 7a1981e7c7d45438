// .npy reading: files built byte by byte here (as NumPy writes them), a round trip, and every
// malformation rejected with a ConfigError that says what is wrong.
#include "sim/io/npy.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "sim/spec/json_reader.h"

namespace msqx::io {
namespace {

// A version 1.0 file: magic, version, little-endian header length, header padded with spaces to a
// multiple of 64 and ended by '\n', then the payload.
std::string NpyFile(const std::string& dict, const std::string& payload, bool pad = true) {
  std::string header = dict;
  if (pad) {
    while ((10 + header.size() + 1) % 64 != 0) header.push_back(' ');
  }
  header.push_back('\n');
  std::string out = "\x93NUMPY";
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  return out + header + payload;
}

std::string Int64s(std::initializer_list<std::int64_t> v) {
  std::string s;
  for (std::int64_t x : v) s.append(reinterpret_cast<const char*>(&x), 8);  // x86: little-endian
  return s;
}

std::string Floats(std::initializer_list<float> v) {
  std::string s;
  for (float f : v) s.append(reinterpret_cast<const char*>(&f), 4);  // x86: little-endian
  return s;
}

TEST(Npy, ReadsFloat32AsNumpyWritesIt) {
  const std::string f = NpyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
                                Floats({1, 2, 3, -4.5f, 0, 0.25f}));
  const NpyArray a = ParseNpy(f, "a.npy");
  EXPECT_EQ(a.type, NpyType::kFloat32);
  EXPECT_EQ(a.shape, (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(a.values, (std::vector<double>{1, 2, 3, -4.5, 0, 0.25}));
}

TEST(Npy, ReadsFloat64Int8AndOneDimensionalShapes) {
  double d[2] = {1.0 / 3, -2};
  const NpyArray a = ParseNpy(NpyFile("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }",
                                      std::string(reinterpret_cast<char*>(d), 16)),
                              "b.npy");
  EXPECT_EQ(a.type, NpyType::kFloat64);
  EXPECT_EQ(a.values[0], 1.0 / 3);
  const NpyArray b = ParseNpy(NpyFile("{'descr': '|i1', 'fortran_order': False, 'shape': (1, 3), }",
                                      std::string("\x80\x7f\xff", 3)),
                              "c.npy");
  EXPECT_EQ(b.type, NpyType::kInt8);
  EXPECT_EQ(b.values, (std::vector<double>{-128, 127, -1}));
  // Keys in any order, no trailing comma, no alignment padding: still valid NumPy.
  const NpyArray c = ParseNpy(
      NpyFile("{'shape': (1,), 'fortran_order': False, 'descr': '<f4'}", Floats({7}), false),
      "d.npy");
  EXPECT_EQ(c.values, (std::vector<double>{7}));
}

// Integer dtypes as NumPy writes them (np.int64 is what np.array([...]) of Python ints gives, and
// what HGQ's exported bit counts usually are).
TEST(Npy, ReadsIntegerDtypes) {
  const NpyArray a = ParseNpy(NpyFile("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }",
                                      Int64s({-3, 0, (std::int64_t{1} << 53)})),
                              "i8.npy");
  EXPECT_EQ(a.type, NpyType::kInt64);
  EXPECT_EQ(a.values, (std::vector<double>{-3, 0, 9007199254740992.0}));
  const NpyArray b = ParseNpy(NpyFile("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }",
                                      std::string("\xfe\xff\xff\xff\x05\x00\x00\x00", 8)),
                              "i4.npy");
  EXPECT_EQ(b.type, NpyType::kInt32);
  EXPECT_EQ(b.values, (std::vector<double>{-2, 5}));
  const NpyArray c = ParseNpy(NpyFile("{'descr': '<i2', 'fortran_order': False, 'shape': (2,), }",
                                      std::string("\x00\x80\xff\x7f", 4)),
                              "i2.npy");
  EXPECT_EQ(c.values, (std::vector<double>{-32768, 32767}));
  const NpyArray d = ParseNpy(NpyFile("{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }",
                                      std::string("\xff\x01", 2)),
                              "u1.npy");
  EXPECT_EQ(d.type, NpyType::kUint8);
  EXPECT_EQ(d.values, (std::vector<double>{255, 1}));
}

// np.asfortranarray(a) saves the payload column by column; the reader returns C order.
TEST(Npy, ReordersFortranOrderToCOrder) {
  // [[1, 2, 3], [4, 5, 6]] in Fortran order is 1 4 2 5 3 6.
  const NpyArray a = ParseNpy(NpyFile("{'descr': '<i8', 'fortran_order': True, 'shape': (2, 3), }",
                                      Int64s({1, 4, 2, 5, 3, 6})),
                              "f.npy");
  EXPECT_EQ(a.shape, (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(a.values, (std::vector<double>{1, 2, 3, 4, 5, 6}));
  // Three dimensions: element [i][j][k] of shape (2, 2, 2) sits at i + 2 j + 4 k in Fortran order.
  std::initializer_list<float> fortran = {0, 4, 2, 6, 1, 5, 3, 7};  // value = 4 i + 2 j + k
  const NpyArray b = ParseNpy(
      NpyFile("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2, 2), }", Floats(fortran)),
      "f3.npy");
  EXPECT_EQ(b.values, (std::vector<double>{0, 1, 2, 3, 4, 5, 6, 7}));
}

TEST(Npy, RoundTripsThroughTheWriter) {
  for (NpyType t : {NpyType::kFloat32, NpyType::kFloat64, NpyType::kInt8, NpyType::kInt16,
                    NpyType::kInt32, NpyType::kInt64}) {
    NpyArray a{t, {2, 1, 2, 2}, {1, -2, 3, -4, 5, -6, 7, -8}};
    const std::string bytes = SerializeNpy(a);
    const std::size_t payload = 8 * (t == NpyType::kFloat64 || t == NpyType::kInt64   ? 8
                                     : t == NpyType::kFloat32 || t == NpyType::kInt32 ? 4
                                     : t == NpyType::kInt16                           ? 2
                                                                                      : 1);
    EXPECT_EQ((bytes.size() - payload) % 64, 0u) << "payload not 64-byte aligned as NumPy does";
    const NpyArray b = ParseNpy(bytes, "x.npy");
    EXPECT_EQ(b.type, t);
    EXPECT_EQ(b.shape, a.shape);
    EXPECT_EQ(b.values, a.values);
  }
}

void ExpectRejected(const std::string& bytes, const std::string& needle) {
  try {
    ParseNpy(bytes, "bad.npy");
    ADD_FAILURE() << "accepted a bad file; expected an error containing '" << needle << "'";
  } catch (const spec::ConfigError& e) {
    EXPECT_EQ(e.file(), "bad.npy");
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(Npy, RejectsMalformedFiles) {
  const std::string ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
  const std::string two = Floats({1, 2});
  ExpectRejected("", "magic");
  ExpectRejected("NUMPY\x01\x00\x10\x00", "magic");
  std::string v9 = NpyFile(ok, two);
  v9[6] = 9;
  ExpectRejected(v9, "version 9.0");
  ExpectRejected(NpyFile(ok, two).substr(0, 20), "truncated");
  ExpectRejected(NpyFile(ok, Floats({1})), "payload has 4 bytes");
  ExpectRejected(NpyFile(ok, Floats({1, 2, 3})), "payload has 12 bytes");
  ExpectRejected(NpyFile("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", two),
                 "unsupported dtype '>f4'");
  ExpectRejected(NpyFile("{'descr': '<u4', 'fortran_order': False, 'shape': (2,), }", two),
                 "unsupported dtype");
  ExpectRejected(NpyFile("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", two),
                 "unsupported dtype");
  // 2^53 + 1 has no double: reading it would silently change it.
  ExpectRejected(NpyFile("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }",
                         Int64s({(std::int64_t{1} << 53) + 1})),
                 "beyond 2^53");
  ExpectRejected(NpyFile("{'descr': '<f4', 'shape': (2,), }", two), "missing key");
  ExpectRejected(NpyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", two),
                 "unexpected or repeated key 'x'");
  ExpectRejected(
      NpyFile("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", two),
      "repeated key");
  ExpectRejected(NpyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", two),
                 "dimension");
  ExpectRejected(NpyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } x", two),
                 "padding");
  ExpectRejected(NpyFile("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2,), }", two),
                 "True or False");
  ExpectRejected(NpyFile(ok, Floats({1, std::numeric_limits<float>::quiet_NaN()})),
                 "element 1 is not a finite");
  ExpectRejected(NpyFile(ok, Floats({std::numeric_limits<float>::infinity(), 1})), "element 0");
  ExpectRejected(
      NpyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", two),
      "too large");
}

TEST(Npy, MissingFileIsAConfigError) {
  EXPECT_THROW(ReadNpy("/nonexistent/w.npy"), spec::ConfigError);
}

}  // namespace
}  // namespace msqx::io
