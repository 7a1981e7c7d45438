// Per-element fixed-point types: quantizer levels, and the JSON and .npy precision readers.
#include "models/unrolled/precision.h"

#include <gtest/gtest.h>

#include <string>

#include "sim/io/npy.h"
#include "sim/io/precision_io.h"

namespace msqx::unrolled {
namespace {

TEST(Quantize, SignedLevelsRoundHalfUpAndSaturate) {
  const FixedType t{1, 1, 2};  // fixed<4, 2>: codes -8..7, step 0.25, values -2..1.75
  EXPECT_EQ(t.TotalBits(), 4);
  EXPECT_EQ(t.MinCode(), -8);
  EXPECT_EQ(t.MaxCode(), 7);
  EXPECT_EQ(Quantize(0.3, t).code, 1);
  EXPECT_DOUBLE_EQ(Quantize(0.3, t).value, 0.25);
  EXPECT_EQ(Quantize(0.375, t).code, 2);    // tie: toward +infinity
  EXPECT_EQ(Quantize(-0.375, t).code, -1);  // tie: toward +infinity, not away from zero
  EXPECT_EQ(Quantize(5.0, t).code, 7);
  EXPECT_DOUBLE_EQ(Quantize(5.0, t).value, 1.75);
  EXPECT_EQ(Quantize(-5.0, t).code, -8);
  EXPECT_DOUBLE_EQ(Quantize(-5.0, t).value, -2.0);
  // Every level maps onto itself.
  for (std::int64_t c = t.MinCode(); c <= t.MaxCode(); ++c) {
    EXPECT_EQ(Quantize(static_cast<double>(c) * t.Step(), t).code, c);
  }
}

TEST(Quantize, UnsignedNegativeFieldsAndPruned) {
  const FixedType relu{0, 2, 1};  // codes 0..7, step 0.5
  EXPECT_EQ(Quantize(-1.0, relu).code, 0);
  EXPECT_EQ(Quantize(3.6, relu).code, 7);
  EXPECT_EQ(Quantize(10.0, relu).code, 7);

  const FixedType coarse{1, 3, -1};  // 3 bits, step 2: values -8..6
  EXPECT_DOUBLE_EQ(coarse.Step(), 2.0);
  EXPECT_EQ(Quantize(5.0, coarse).code, 3);  // 2.5 ties up to 3 -> 6.0
  EXPECT_DOUBLE_EQ(Quantize(5.0, coarse).value, 6.0);
  EXPECT_EQ(Quantize(-100.0, coarse).code, -4);

  const FixedType small{1, -2, 4};  // 3 bits for |w| < 0.25: codes -4..3, step 1/16
  EXPECT_EQ(Quantize(0.19, small).code, 3);
  EXPECT_EQ(Quantize(-0.3, small).code, -4);

  const FixedType pruned{1, -1, 0};
  EXPECT_TRUE(pruned.IsPruned());
  EXPECT_EQ(Quantize(0.7, pruned).code, 0);
  EXPECT_EQ(Quantize(0.7, FixedType{0, 0, 0}).value, 0.0);

  EXPECT_THROW(Quantize(1.0, FixedType{2, 0, 0}), std::invalid_argument);
  EXPECT_THROW(Quantize(1.0, FixedType{1, 20, 20}), std::invalid_argument);   // 41 bits
  EXPECT_THROW(Quantize(1.0, FixedType{1, 40, -30}), std::invalid_argument);  // |i| > 32
}

// HGQ's conventions (HGQ2's quantizers and EBOPs, docs/unrolled.md "Definitions"): i + f <= 0 is
// pruned, whatever k, and HGQ exports such totals down to -22; weights saturate symmetrically.
TEST(Quantize, HgqConventions) {
  // i + f = 0 with a sign bit: msqx once read it as a 1-bit signed weight {-1, 0} * 2^-f; for HGQ
  // its symmetric range +-(2^0 - 1) holds only 0, and its EBOPs width is 0.
  const FixedType zero{1, 2, -2, Overflow::kSatSym};
  EXPECT_TRUE(zero.IsPruned());
  EXPECT_EQ(zero.Bits(), 0);
  EXPECT_EQ(zero.MinCode(), 0);
  EXPECT_EQ(zero.MaxCode(), 0);
  EXPECT_EQ(Quantize(-3.0, zero).code, 0);
  EXPECT_TRUE((FixedType{1, 0, 0}).IsPruned());
  EXPECT_TRUE((FixedType{0, 3, -3}).IsPruned());
  // Negative totals are pruned elements, not errors.
  const FixedType negative{1, -10, -12};  // i + f = -22
  EXPECT_NO_THROW(CheckFixedType(negative));
  EXPECT_TRUE(negative.IsPruned());
  EXPECT_EQ(Quantize(0.9, negative).code, 0);
  EXPECT_FALSE((FixedType{1, -3, 4}).IsPruned());  // i + f = 1: a live 2-bit type

  // Saturation of fixed<4, 2> (i + f = 3): symmetric at -(2^3 - 1) = -7, plain at -8.
  const FixedType sym{1, 1, 2, Overflow::kSatSym}, sat{1, 1, 2, Overflow::kSat};
  EXPECT_EQ(sym.MinCode(), -7);
  EXPECT_EQ(sym.MaxCode(), 7);
  EXPECT_EQ(Quantize(-5.0, sym).code, -7);
  EXPECT_EQ(Quantize(-5.0, sat).code, -8);
  EXPECT_EQ(Quantize(-1.9, sym).code, -7);  // -7.6 rounds to -8, saturates to -7
  EXPECT_EQ(Quantize(5.0, sym).code, 7);
  EXPECT_EQ((FixedType{0, 1, 2, Overflow::kSatSym}).MinCode(), 0);  // unsigned: no change
  // Wrap: the low k+i+f bits. fixed<4, 2>: code 8 -> -8, 9 -> -7; unsigned 3 bits: 9 -> 1.
  const FixedType wrap{1, 1, 2, Overflow::kWrap};
  EXPECT_EQ(Quantize(2.0, wrap).code, -8);
  EXPECT_EQ(Quantize(2.25, wrap).code, -7);
  EXPECT_EQ(Quantize(-2.25, wrap).code, 7);
  EXPECT_EQ(Quantize(4.5, FixedType{0, 2, 1, Overflow::kWrap}).code, 1);
  EXPECT_EQ(Quantize(1e300, wrap).code, 0);  // every low bit of 2^1000-ish is 0

  EXPECT_EQ(ParseOverflow("SAT_SYM"), Overflow::kSatSym);
  EXPECT_EQ(ParseOverflow("wrap"), Overflow::kWrap);
  EXPECT_EQ(ParseOverflow("WRAP_SM"), std::nullopt);
}

// Requantization of an exact sum y on F fractional bits to a type, worked by hand: the code of
// floor(y * 2^(f - F) + 1/2), then the type's overflow mode.
TEST(Quantize, RequantizeCodeByHand) {
  const FixedType t{1, 2, 1, Overflow::kSat};  // codes -8..7, step 1/2
  EXPECT_EQ(RequantizeCode(13, 3, t), 3);      // 13/8 = 1.625 -> 3.25 -> 3 (1.5)
  EXPECT_EQ(RequantizeCode(-13, 3, t), -3);    // -3.25 -> -3
  EXPECT_EQ(RequantizeCode(6, 3, t), 2);       // 1.5 exactly: tie up -> 2
  EXPECT_EQ(RequantizeCode(-6, 3, t), -1);     // -1.5: tie up -> -1
  EXPECT_EQ(RequantizeCode(3, 0, t), 6);       // finer: 3 -> 6 halves
  EXPECT_EQ(RequantizeCode(100, 0, t), 7);     // saturates
  EXPECT_EQ(RequantizeCode(-100, 0, t), -8);
  EXPECT_EQ(RequantizeCode(-100, 0, FixedType{1, 2, 1, Overflow::kSatSym}), -7);
  EXPECT_EQ(RequantizeCode(9, 0, FixedType{1, 2, 1, Overflow::kWrap}), 2);    // 18 = 0b10010 -> 2
  EXPECT_EQ(RequantizeCode(-1, 40, FixedType{0, 3, 2, Overflow::kWrap}), 0);  // rounds to 0
  EXPECT_EQ(RequantizeCode(5, 1, FixedType{0, 2, 0, Overflow::kWrap}), 3);    // 2.5 -> 3
  EXPECT_EQ(RequantizeCode(-5, 1, FixedType{0, 2, 0, Overflow::kWrap}), 2);   // -2 -> 4 - 2
  EXPECT_EQ(RequantizeCode(77, 2, FixedType{1, 1, -1}), 0);                   // pruned
  EXPECT_EQ(RequantizeCode(std::int64_t{1} << 61, 0, FixedType{1, 9, 20, Overflow::kSat}),
            (std::int64_t{1} << 29) - 1);  // 2^81 in the middle: still saturates
}

TEST(Quantize, DenseLayerAndUniformPrecision) {
  const PrecisionTensor p = UniformPrecision({2, 2}, FixedType{1, 0, 3});
  EXPECT_EQ(p.types.size(), 4u);
  const QuantizedDense q = QuantizeDense(2, 2, {0.5, -0.25, 0.124, 2.0}, p);
  EXPECT_EQ(q.codes, (std::vector<std::int64_t>{4, -2, 1, 7}));
  EXPECT_EQ(q.Code(1, 0), 1);
  EXPECT_THROW(QuantizeDense(2, 3, {0.5, -0.25, 0.124, 2.0}, p), std::invalid_argument);
}

// The JSON path of the error a precision document raises, or "" when it parses.
std::string ErrorPath(const std::string& text) {
  try {
    io::ParsePrecisionJson(spec::Document(spec::ParseJsonText(text, "p.json"), "p.json").Root());
  } catch (const spec::ConfigError& e) {
    EXPECT_EQ(e.file(), "p.json");
    return e.json_path();
  }
  return "";
}

TEST(PrecisionJson, ScalarsBroadcastAndArraysAreReadInCOrder) {
  const std::string text = R"({"shape": [2, 3], "sign_bits": [[1, 1, 1], [0, 1, 1]],
    "integer_bits": 0, "fractional_bits": [[1, 2, 3], [0, -1, 4]]})";
  const PrecisionTensor p =
      io::ParsePrecisionJson(spec::Document(spec::ParseJsonText(text, "p.json"), "p.json").Root());
  ASSERT_EQ(p.shape, (std::vector<std::int64_t>{2, 3}));
  ASSERT_EQ(p.types.size(), 6u);
  EXPECT_EQ(p[2], (FixedType{1, 0, 3}));
  EXPECT_TRUE(p[3].IsPruned());  // k = 0, i = 0, f = 0
  EXPECT_TRUE(p[4].IsPruned());  // 1 + 0 - 1 = 0 bits
  EXPECT_EQ(p[5].TotalBits(), 5);
  // sign_bits defaults to 1
  const PrecisionTensor q = io::ParsePrecisionJson(
      spec::Document(spec::ParseJsonText(
                         R"({"shape": [4], "integer_bits": 2, "fractional_bits": 3})", "p.json"),
                     "p.json")
          .Root());
  EXPECT_EQ(q.types, std::vector<FixedType>(4, FixedType{1, 2, 3}));
  // ... or to the caller's default: a weights folder passes 0 for the inputs after a ReLU.
  const PrecisionTensor r = io::ParsePrecisionJson(
      spec::Document(spec::ParseJsonText(
                         R"({"shape": [2], "integer_bits": 2, "fractional_bits": 3})", "p.json"),
                     "p.json")
          .Root(),
      0);
  EXPECT_EQ(r.types, std::vector<FixedType>(2, FixedType{0, 2, 3}));
}

TEST(PrecisionJson, ErrorsNameThePath) {
  EXPECT_EQ(ErrorPath(R"({"shape": [2, 3], "integer_bits": 0,
                          "fractional_bits": [[1, 2, 3], [1, 2]]})"),
            "$.fractional_bits[1]");
  EXPECT_EQ(ErrorPath(R"({"shape": [2, 3], "integer_bits": 0,
                          "fractional_bits": [1, 2]})"),
            "$.fractional_bits[0]");
  EXPECT_EQ(ErrorPath(R"({"shape": [2, 3], "integer_bits": 0,
                          "fractional_bits": [[1, 2, 31], [1, 2, 3]]})"),
            "$.fractional_bits[0][2]");  // k+i+f = 32 > 30
  EXPECT_EQ(ErrorPath(R"({"shape": [2, 3], "integer_bits": 0,
                          "fractional_bits": [[1, 2, -22], [1, 2, 3]]})"),
            "");  // a negative total is a pruned element, as HGQ exports it
  EXPECT_EQ(ErrorPath(R"({"shape": [2], "integer_bits": [0, -40], "fractional_bits": 1})"),
            "$.integer_bits[1]");
  EXPECT_EQ(ErrorPath(R"({"shape": [2], "sign_bits": 2, "integer_bits": 0,
                          "fractional_bits": 1})"),
            "$.sign_bits");
  EXPECT_EQ(ErrorPath(R"({"shape": [2, 2, 2], "integer_bits": 0, "fractional_bits": 1})"),
            "$.shape");
  EXPECT_EQ(ErrorPath(R"({"shape": [1048576, 1048576], "integer_bits": 0,
                          "fractional_bits": 1})"),
            "$.shape");
  EXPECT_EQ(ErrorPath(R"({"shape": [0], "integer_bits": 0, "fractional_bits": 1})"), "$.shape[0]");
  EXPECT_EQ(ErrorPath(R"({"shape": [2], "integer_bits": 0, "fractional_bits": 1.5})"),
            "$.fractional_bits");
  EXPECT_EQ(ErrorPath(R"({"shape": [2], "integer_bits": 0, "frac_bits": 1})"), "$");
  EXPECT_EQ(ErrorPath(R"({"shape": [2], "integer_bits": 0})"), "$");
}

io::BitArray ThroughNpy(const std::vector<std::int64_t>& shape, const std::vector<double>& values,
                        const std::string& file) {
  io::NpyArray a;
  a.type = io::NpyType::kInt8;
  a.shape = shape;
  a.values = values;
  const io::NpyArray back = io::ParseNpy(io::SerializeNpy(a), file);
  return {file, back.shape, back.values};
}

TEST(PrecisionNpy, IntegerAndFractionalArrays) {
  const io::BitArray i = ThroughNpy({2, 2}, {0, 1, -1, 2}, "w_i.npy");
  const io::BitArray f = ThroughNpy({2, 2}, {3, 2, 1, -3}, "w_f.npy");
  const PrecisionTensor p = io::PrecisionFromBitArrays(i, f, 1);
  EXPECT_EQ(p.shape, (std::vector<std::int64_t>{2, 2}));
  EXPECT_EQ(p[0], (FixedType{1, 0, 3}));
  EXPECT_EQ(p[2].TotalBits(), 1);
  EXPECT_TRUE(p[3].IsPruned());

  try {
    io::PrecisionFromBitArrays(i, ThroughNpy({4}, {1, 1, 1, 1}, "flat.npy"), 1);
    ADD_FAILURE() << "shape mismatch accepted";
  } catch (const spec::ConfigError& e) {
    EXPECT_EQ(e.file(), "flat.npy");
  }
  try {
    io::PrecisionFromBitArrays(i, {"half.npy", {2, 2}, {1, 1.5, 1, 1}}, 1);
    ADD_FAILURE() << "fractional bit count accepted";
  } catch (const spec::ConfigError& e) {
    EXPECT_EQ(e.file(), "half.npy");
    EXPECT_NE(e.message().find("flat index 1"), std::string::npos) << e.message();
  }
  try {
    io::PrecisionFromBitArrays(i, ThroughNpy({2, 2}, {30, 1, 1, 1}, "wide.npy"), 1);
    ADD_FAILURE() << "a 31-bit total accepted";
  } catch (const spec::ConfigError& e) {
    EXPECT_NE(e.message().find("flat index 0"), std::string::npos) << e.message();
  }
  // HGQ's negative totals: pruned. Per-element sign bits from a third array.
  const PrecisionTensor q = io::PrecisionFromBitArrays(
      i, ThroughNpy({2, 2}, {-5, 1, 1, 1}, "neg.npy"), ThroughNpy({2, 2}, {1, 0, 1, 0}, "k.npy"));
  EXPECT_TRUE(q[0].IsPruned());
  EXPECT_EQ(q[1], (FixedType{0, 1, 1}));
  EXPECT_EQ(q[3], (FixedType{0, 2, 1}));
  try {
    io::PrecisionFromBitArrays(i, f, ThroughNpy({2, 2}, {1, 2, 1, 0}, "k2.npy"));
    ADD_FAILURE() << "a sign bit of 2 accepted";
  } catch (const spec::ConfigError& e) {
    EXPECT_EQ(e.file(), "k2.npy");
  }
}

}  // namespace
}  // namespace msqx::unrolled
