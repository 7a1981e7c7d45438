#pragma once
// The datapath arithmetic of the PEs, written as the hardware computes it (shift-add for SP2,
// a packed multiply for two fixed-point products per DSP): the widths (plain integers) and the
// lanes' operations on bit-accurate integers of exactly the widths the hardware has.

#include <cstdint>
#include <systemc>

#include "models/util/int_math.h"

namespace msqx::pe {

// Accumulator width for a dot product of `depth` terms: a signed m-bit weight (magnitude at most
// 2^(m-1) - 1) times an unsigned a-bit activation fits m + a bits with sign; depth terms add
// ceil(log2(depth)) bits.
constexpr int FixedAccBits(int weight_bits, int act_bits, long long depth) {
  return weight_bits + act_bits + CeilLog2(depth);
}
// SP2: the largest magnitude is 2^K (K = 2^m1 - 1), so a product needs K + a + 1 bits with sign.
constexpr int Sp2AccBits(int m1, int act_bits, long long depth) {
  return ((1 << m1) - 1) + act_bits + 1 + CeilLog2(depth);
}

constexpr std::int64_t SignExtend(std::int64_t v, int bits) {
  const std::uint64_t m = std::uint64_t{1} << (bits - 1);
  const std::uint64_t x = static_cast<std::uint64_t>(v) & ((m << 1) - 1);
  return static_cast<std::int64_t>(x ^ m) - static_cast<std::int64_t>(m);
}

// Depthwise mode (docs/design.md, "Depthwise"): a row of lanes holds one channel and its columns a
// DwWindowOf(cols) x DwWindowOf(cols) window of taps (the largest side, at most 4, whose square
// fits the columns), fed a window column per cycle; the input buffer has DwBanksOf banks (a power
// of two, at least the window side) so that a column's words are read in one cycle.
constexpr int DwWindowOf(int cols) {
  int k = 1;
  while (k < 4 && (k + 1) * (k + 1) <= cols) ++k;
  return k;
}
constexpr int DwBanksOf(int window) {
  int b = 1;
  while (b < window) b *= 2;
  return b;
}

// Splits a packed accumulator (two kAccBits = k fields, macs_per_dsp = 2) into the first
// channel's sum (high field) and the second's (low field). The low field is read as signed; a
// negative low field borrowed one from the high field, which subtracting it gives back.
struct PackedSums {
  std::int64_t high = 0;
  std::int64_t low = 0;
};
constexpr PackedSums UnpackPacked(std::int64_t acc, int k) {
  const std::int64_t lo = SignExtend(acc, k);
  PackedSums r;
  r.high = SignExtend((acc - lo) >> k, k);
  r.low = lo;
  return r;
}

// Fixed point: the m-bit two's complement code as the DSP's sign-extended input port sees it.
template <int WeightBits>
struct FixedLane {
  using Code = sc_dt::sc_uint<WeightBits>;
  using Weight = sc_dt::sc_int<WeightBits>;
  static Weight Decode(const Code& code) {
    Weight w;
    w = code;  // the same bits, read as two's complement
    return w;
  }
};

// SP2: sign | i1 (m1 bits) | i2 (m2 bits); a * w = (a << (K - i1)) + (a << (K - i2)), an absent
// term (index 0) gated to zero, negated when sign = 1. Each term is a shifted copy of the
// activation of at most ActBits + K - 1 bits, the product ActBits + K + 1 bits with its sign.
template <int M1, int M2, int ActBits>
struct Sp2Lane {
  static constexpr int kK = (1 << M1) - 1;
  static constexpr int kK2 = (1 << M2) - 1;
  static constexpr int kTermBits = ActBits + kK - 1;
  static constexpr int kProductBits = ActBits + kK + 1;
  using Code = sc_dt::sc_uint<1 + M1 + M2>;
  using Act = sc_dt::sc_uint<ActBits>;
  using Term = sc_dt::sc_uint<kTermBits>;
  using Product = sc_dt::sc_int<kProductBits>;
  // What ICSC translates is the hardware (OfMux); a simulation computes the same values from
  // plain integers (OfPlain), several times faster because sc_uint temporaries are objects.
  // tests/sc/pe/arith_crosscheck_test.cpp checks both on every code and activation.
  static Product Of(const Code& code, const Act& act) {
#ifdef __SC_TOOL__
    return OfMux(code, act);
#else
    return OfPlain(static_cast<unsigned>(code.to_uint()), static_cast<unsigned>(act.to_uint()));
#endif
  }
  static Product OfPlain(unsigned code, unsigned act) {
    Product p;
    p = OfInt(code, act);
    return p;
  }
  // The product as a plain integer (it fits kProductBits, so no wrap is lost).
  static long long OfInt(unsigned code, unsigned act) {
    const unsigned i2 = M2 > 0 ? code & ((1u << M2) - 1) : 0;
    const unsigned i1 = (code >> M2) & ((1u << M1) - 1);
    const long long t1 = i1 ? static_cast<long long>(act) << (kK - static_cast<int>(i1)) : 0;
    const long long t2 = i2 ? static_cast<long long>(act) << (kK - static_cast<int>(i2)) : 0;
    const long long mag = t1 + t2;
    return (code >> (M1 + M2)) & 1 ? -mag : mag;
  }
  static Product OfMux(const Code& code, const Act& act) {
    const sc_dt::sc_uint<M2 + 1> i2 = code.range(M2 > 0 ? M2 - 1 : 0, 0);
    const sc_dt::sc_uint<M1> i1 = code.range(M1 + M2 - 1, M2);
    const bool neg = code[M1 + M2];
    const Term a = act;
    // Each term a multiplexer of constant shifts (no shifter by a variable).
    Term t1 = 0;
    Term t2 = 0;
    // The bounds are named constants: ICSC writes `i < (1 << M1)` as `i < 3'(1 <<< 2)`, a signed
    // -4, and the loop vanished from the RTL (every SP2 product 0, issue 20).
    for (int i = 1; i <= kK; ++i) {
      if (i1 == static_cast<unsigned>(i)) t1 = a << (kK - i);
    }
    for (int i = 1; i <= kK2; ++i) {
      if (i2 == static_cast<unsigned>(i)) t2 = a << (kK - i);
    }
    const sc_dt::sc_uint<kTermBits + 1> mag = t1 + t2;
    Product p;
    p = mag;
    Product r = p;
    if (neg) r = -p;
    return r;
  }
};

// 2^act_bits - 1 for act_bits 1..8: a multiplexer of constants, not a shifter.
inline int ActMax(int act_bits) {
  int hi = 1;
  for (int b = 2; b <= 8; ++b) {
    if (act_bits == b) hi = (1 << b) - 1;
  }
  return hi;
}

// Requantization of one partial sum (golden::Requantize) at the datapath's widths: the sum
// (AccBits) times the engine's 16-bit multiplier, then ((x >> (shift - 1)) + 1) >> 1, which is
// (x + 2^(shift-1)) >> shift without a second shifter for the rounding constant, clamped to
// 0..hi (a negative x gives 0, the ReLU, whatever the shift). shift is 0..47 (RegsFit). In 64-bit
// arithmetic this was a 64-bit multiplier and two 64-bit barrel shifters per output lane in the
// RTL (Yosys, issue 20).
//
// Written as the resource model counts it (RequantizerCost): with t = 2x >> shift, the result is
// (t + 1) >> 1 clamped, and since hi = 2^b - 1 with b <= ActBits, only t's low ActBits + 1 bits
// can lie in range: one shifter of ActBits + 1 outputs, and whether any bit of 2x at or above
// shift + ActBits + 1 is set (a mask of constants against the shift, then an OR). A full-width
// shift, rounding increment and comparison were ~10x the LUTs per output lane (Yosys, issue 20).
template <int AccBits, int ActBits = 8>
int RequantizeLane(sc_dt::sc_int<AccBits> acc, sc_dt::sc_int<16> mult, int shift, int hi) {
  constexpr int kP = AccBits + 17;  // the product's bits, and those of 2x for x >= 0
  constexpr int kL = ActBits + 1;   // t's bits that can be in range: t <= 2 hi + 1 < 2^kL
  static_assert(kP + kL <= 64, "the mask's shift (below kP + kL) stays within 64 bits");
  sc_dt::sc_int<kP> x;
  x = acc * mult;
  sc_dt::sc_uint<kP> u;  // 2x when x >= 0 (x's sign bit shifts out)
  u = x;
  u = u << 1;
  sc_dt::sc_uint<kL> t = 0;
  bool big = false;  // t >= 2^kL
  if (shift < kP) {
    t = u >> shift;
    sc_dt::sc_uint<kP> above = 0;
    above = ~above;
    above = above << (shift + kL);
    big = (u & above) != 0;
  }
  int y = 0;
  if (x > 0) y = big || t >= 2 * hi + 1 ? hi : static_cast<int>((t + 1) >> 1);
  return y;
}

}  // namespace msqx::pe
