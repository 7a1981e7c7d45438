// The PE datapath arithmetic and the golden model against the number-formats library
// (models/quant), which implements the same shared definitions independently: SP2 shift-add,
// code decoding, and the packed-DSP field split and depth bound.
#include <gtest/gtest.h>

#include <random>

#include "models/accel/golden.h"
#include "models/pe/arithmetic.h"
#include "models/pe/pe_array.h"
#include "models/quant/dsp_packing.h"
#include "models/quant/fixed_point.h"
#include "models/quant/sp2.h"
#include "tests/sc/pe/tb_util.h"

namespace msqx::pe {
namespace {

template <int M1, int M2>
void CheckSp2Exhaustive() {
  const quant::Sp2Format fmt{M1, M2};
  for (std::uint32_t code = 0; code < (1u << (1 + M1 + M2)); ++code) {
    const quant::Sp2Code c = quant::UnpackSp2(code, fmt);
    ASSERT_EQ((accel::golden::Sp2Weight(code, M1, M2)), quant::Sp2Integer(c, fmt)) << code;
    for (std::uint32_t a = 0; a < 256; ++a) {
      ASSERT_EQ((Sp2Lane<M1, M2, 8>::Of(code, a)), quant::Sp2ShiftAddProduct(c, a, fmt))
          << "code " << code << " act " << a;
    }
  }
}

// The simulation's plain-integer SP2 product and the multiplexer ICSC translates agree on every
// code and activation.
template <int M1, int M2, int A>
void CheckSp2PlainEqualsMux() {
  using L = Sp2Lane<M1, M2, A>;
  for (unsigned code = 0; code < (1u << (1 + M1 + M2)); ++code) {
    for (unsigned a = 0; a < (1u << A); ++a) {
      ASSERT_EQ(L::OfPlain(code, a).to_int64(), L::OfMux(code, a).to_int64())
          << "code " << code << " act " << a;
    }
  }
}

// The storers' requantization at exact widths (one shifter, rounding folded into it) is the golden
// model's over the whole range RegsFit admits: sums of AccBits, 16-bit multipliers of either sign,
// shifts 0..47, activations of 1..8 bits.
template <int AccBits, int ActBits = 8>
void CheckRequantizeLane(std::mt19937_64& rng) {
  const std::int64_t lo = -(std::int64_t{1} << (AccBits - 1)), hi = -lo - 1;
  for (int i = 0; i < 20000; ++i) {
    const int pick = i % 4;  // the ends of the ranges, then anywhere
    const std::int64_t acc = pick == 0   ? lo
                             : pick == 1 ? hi
                                         : lo + static_cast<std::int64_t>(rng() % (hi - lo + 1));
    const int mult = pick == 0 ? -32768 : static_cast<int>(rng() % 65536) - 32768;
    const int shift = static_cast<int>(rng() % 48);
    const int bits = 1 + static_cast<int>(rng() % ActBits);
    sc_dt::sc_int<AccBits> a;
    a = acc;
    sc_dt::sc_int<16> m;
    m = mult;
    ASSERT_EQ((RequantizeLane<AccBits, ActBits>(a, m, shift, ActMax(bits))),
              accel::golden::Requantize(acc, mult, shift, bits))
        << "acc " << acc << " mult " << mult << " shift " << shift << " bits " << bits;
  }
  // Around the clamp and the rounding: x = (y << shift) + d for y from -2 to 2^bits + 1 and
  // |d| <= 2^shift, where uniform draws rarely land.
  for (int i = 0; i < 20000; ++i) {
    const int bits = 1 + static_cast<int>(rng() % ActBits);
    const int room = AccBits - bits - 2;  // shifts that leave y x 2^shift inside the sum's range
    const int shift = room > 0 ? static_cast<int>(rng() % room) : 0;
    const std::int64_t y = static_cast<std::int64_t>(rng() % ((1u << bits) + 4)) - 2;
    const std::int64_t span = std::int64_t{1} << shift;
    const std::int64_t d = static_cast<std::int64_t>(rng() % (2 * span + 1)) - span;
    const std::int64_t acc = y * span + d;
    if (acc < -(std::int64_t{1} << (AccBits - 1)) || acc >= (std::int64_t{1} << (AccBits - 1))) {
      continue;
    }
    sc_dt::sc_int<AccBits> a;
    a = acc;
    sc_dt::sc_int<16> m;
    m = 1;
    ASSERT_EQ((RequantizeLane<AccBits, ActBits>(a, m, shift, ActMax(bits))),
              accel::golden::Requantize(acc, 1, shift, bits))
        << "acc " << acc << " shift " << shift << " bits " << bits;
  }
}

TEST(ArithCrossCheck, RequantizeLaneIsTheGoldenRequantization) {
  // By hand: (10 x 3 + 2) >> 2 = 8; (100 x 3 + 2) >> 2 = 75 clamps to 15 at 4 bits; -30 -> 0.
  EXPECT_EQ(RequantizeLane<12>(10, 3, 2, ActMax(4)), 8);
  EXPECT_EQ(RequantizeLane<12>(100, 3, 2, ActMax(4)), 15);
  EXPECT_EQ(RequantizeLane<12>(-10, 3, 2, ActMax(4)), 0);
  EXPECT_EQ(RequantizeLane<12>(7, 1, 0, ActMax(8)), 7);
  EXPECT_EQ(ActMax(1), 1);
  EXPECT_EQ(ActMax(8), 255);
  std::mt19937_64 rng(20261207);
  CheckRequantizeLane<8>(rng);
  CheckRequantizeLane<15>(rng);
  CheckRequantizeLane<24>(rng);
  CheckRequantizeLane<32>(rng);
  CheckRequantizeLane<15, 4>(rng);  // an instance whose activations have at most 4 bits
}

TEST(ArithCrossCheck, Sp2PlainProductIsTheMultiplexers) {
  CheckSp2PlainEqualsMux<2, 1, 4>();
  CheckSp2PlainEqualsMux<2, 1, 8>();
  CheckSp2PlainEqualsMux<2, 2, 4>();
  CheckSp2PlainEqualsMux<3, 2, 8>();
  CheckSp2PlainEqualsMux<1, 0, 3>();
  CheckSp2PlainEqualsMux<3, 3, 6>();
}

TEST(ArithCrossCheck, Sp2ShiftAddAllCodes) {
  CheckSp2Exhaustive<2, 1>();  // 4 bits
  CheckSp2Exhaustive<2, 2>();  // 5 bits
  CheckSp2Exhaustive<3, 2>();  // 6 bits
}

TEST(ArithCrossCheck, Sp2SplitMatchesFormatDefault) {
  // PeArrayConfig derives m1/m2 from the weight width the way quant::Sp2Format::ForBits does.
  EXPECT_EQ((PeArrayConfig<PeKind::kSp2, 1, 1, 4, 4, 1>::kSp2M1), quant::Sp2Format::ForBits(4).m1);
  EXPECT_EQ((PeArrayConfig<PeKind::kSp2, 1, 1, 4, 4, 1>::kSp2M2), quant::Sp2Format::ForBits(4).m2);
  EXPECT_EQ((PeArrayConfig<PeKind::kSp2, 1, 1, 4, 6, 1>::kSp2M1), quant::Sp2Format::ForBits(6).m1);
  EXPECT_EQ((PeArrayConfig<PeKind::kSp2, 1, 1, 4, 6, 1>::kSp2M2), quant::Sp2Format::ForBits(6).m2);
  EXPECT_EQ((PeArrayConfig<PeKind::kSp2, 1, 1, 4, 8, 1>::kSp2M1), quant::Sp2Format::ForBits(8).m1);
  EXPECT_EQ((PeArrayConfig<PeKind::kSp2, 1, 1, 4, 8, 1>::kSp2M2), quant::Sp2Format::ForBits(8).m2);
}

TEST(ArithCrossCheck, FixedDecodeAllCodes) {
  for (int bits = 2; bits <= 8; ++bits) {
    for (std::uint32_t code = 0; code < (1u << bits); ++code) {
      ASSERT_EQ(accel::golden::FixedWeight(code, bits), quant::DecodeFixed(code, bits));
      ASSERT_EQ(FixedLane<4>::Decode(static_cast<std::uint8_t>(code & 15)),
                quant::DecodeFixed(code & 15, 4));
    }
  }
}

// The packed array's field width covers a row's sum over its columns (the depth it packs) by the
// number-formats library's bound.
TEST(ArithCrossCheck, PackedDepthWithinExactBound) {
  using Cfg = cfg::DspArray;
  quant::PackingConfig p;
  p.weight_bits = Cfg::kWeightBits;
  p.act_bits = Cfg::kActBits;
  p.shift = Cfg::kTreeBits;
  EXPECT_LE(Cfg::kCols, quant::MaxExactDepth(p));
  EXPECT_LE(quant::FieldBits(Cfg::kCols, Cfg::kWeightBits, Cfg::kActBits), Cfg::kTreeBits);
}

TEST(ArithCrossCheck, UnpackMatchesDspFieldSplit) {
  std::mt19937_64 rng(tb::Seed("unpack"));
  const int k = cfg::DspArray::kTreeBits;
  for (int i = 0; i < 100000; ++i) {
    const std::int64_t s1 = static_cast<std::int64_t>(rng() % (1ull << k)) - (1ll << (k - 1));
    const std::int64_t s2 = static_cast<std::int64_t>(rng() % (1ull << k)) - (1ll << (k - 1));
    const std::int64_t acc = s1 * (std::int64_t{1} << k) + s2;
    const PackedSums mine = UnpackPacked(acc, k);
    const quant::UnpackedPair theirs = quant::UnpackAccumulator(acc, k, 48);
    ASSERT_EQ(mine.high, s1);
    ASSERT_EQ(mine.low, s2);
    ASSERT_EQ(theirs.first, s1);
    ASSERT_EQ(theirs.second, s2);
  }
}

}  // namespace
}  // namespace msqx::pe
