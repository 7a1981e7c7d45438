#pragma once
// One fully unrolled dense layer with constant weights (hls4ml io_parallel, Latency strategy) as
// ONE clocked process: y[o] = sum_j code[o][j] * x[j] + bias[o], exact (no rounding, no
// overflow), where code[o][j] and bias[o] are already shifted onto output o's binary point
// (alignment.h: with per-weight precision y[o] is then the output's value times 2^F_o); the
// output register then applies the output stage (output_stage.h): a ReLU, and the requantization
// to the next layer's input types. It is the hardware models/unrolled/unrolled_cost.cpp counts,
// so its pipeline depth, latency and II equal DenseUnrolledCost's by construction
// (docs/unrolled.md, "Pin-level model").
//
// Products are the pairs (o, j) with a non-zero code, k = 0..P-1 in row-major order. There are
// M = ceil(P / RF) multipliers; product k runs on multiplier k % M in phase k / M of the RF phases
// of a vector (RF 1: one multiplier per product, all in phase 0). A multiplier is
//   a DSP (`*`, kDspStages registers) when a constant it serves has more than 2 CSD digits and
//     its product is at least kDspMinBits wide;
//   else a sum of shifted copies of x, pairwise, one register per level (ceil(log2 terms) levels):
//     at RF 1 the constant's CSD digits (a shift-add), at RF > 1 the bits of the widest constant
//     it serves (an array multiplier whose constant comes from a ROM indexed by the phase).
// Register stages, one cycle each:
//   M1..MS  multipliers, S = slowest multiplier (a faster one carries its result: balancing)
//   T1..TD  one adder tree per output over its products in input order and then its bias (a
//           constant leaf), adjacent pairs per level, D = max over outputs of ceil(log2 terms)
//   O       output register, which takes the root through the output stage
// Level 0 (shifted copies of x, the DSP operands) is wiring from the input port: a vector
// accepted at clock edge e is in the output register after edge e + S + D (valid from cycle
// e + S + D + 1) at RF 1. At RF > 1 phase 0 reads the port and phases 1..RF-1 a register holding
// the vector; products of phases 0..RF-2 wait in product registers while the last phase's enter
// the tree straight from their multiplier, so the output comes RF - 1 cycles later.
//
// Handshake as in models/pe/pe_array.h: valid/ready, registered outputs; the whole pipeline holds
// while the output register holds an unconsumed result, and a one-entry skid register catches
// the vector that arrives in that cycle. in_ready is low while the skid is full and during phases
// 1..RF-1, so a vector can start every RF cycles.
//
// Written for Intel's SystemC compiler (ICSC) as well as Catapult and Stratus (STYLE.md,
// docs/hls.md): the plan is computed once as a constexpr record outside the module and copied
// into static constexpr std::arrays of scalars, the constant tables ICSC accepts (a static record
// member stops it: "Static record is not supported"); buses are indexed through their array
// member, not operator[]; one assignment per statement.

#include <array>
#include <cstdint>
#include <systemc>
#include <type_traits>

#include "models/pe/hls.h"
#include "models/pe/pe_types.h"
#include "models/util/int_math.h"

namespace msqx::unrolled {
namespace dense_pin {

constexpr std::uint64_t Magnitude(std::int64_t v) {
  return v < 0 ? ~static_cast<std::uint64_t>(v) + 1 : static_cast<std::uint64_t>(v);
}

// Calls f(position, sign) for each non-zero digit of v's non-adjacent form, least significant
// first, by the same recurrence as CsdDigits (csd.cpp), which is not constexpr; the testbench
// checks that the two agree.
template <typename F>
constexpr void ForEachCsdDigit(std::int64_t v, F&& f) {
  std::uint64_t m = Magnitude(v);
  const int sign = v < 0 ? -1 : 1;
  for (int pos = 0; m != 0; ++pos, m >>= 1) {
    if (m & 1) {
      const int d = (m & 3) == 1 ? 1 : -1;  // leaves a multiple of 4: the next digit is 0
      m = d == 1 ? m - 1 : m + 1;
      f(pos, d * sign);
    }
  }
}

constexpr int CsdNonZero(std::int64_t v) {
  int n = 0;
  ForEachCsdDigit(v, [&n](int, int) { ++n; });
  return n;
}

constexpr int TrailingZeros(std::uint64_t m) {
  int n = 0;
  while (m != 0 && (m & 1) == 0) m >>= 1, ++n;
  return n;
}

constexpr int BitLength(std::uint64_t m) {
  int n = 0;
  for (; m != 0; m >>= 1) ++n;
  return n;
}

// SpanBits (csd.h): highest to lowest non-zero bit of |v|.
constexpr int SpanBits(std::int64_t v) {
  const std::uint64_t m = Magnitude(v);
  return m == 0 ? 0 : BitLength(m >> TrailingZeros(m));
}

constexpr int Max(int a, int b) { return a > b ? a : b; }

// The smallest standard integer that holds a Bits-wide field (the bus simulates as narrow
// integers, pe_types.h).
template <int Bits, bool Signed>
using Field = std::conditional_t<
    Bits <= 8, std::conditional_t<Signed, std::int8_t, std::uint8_t>,
    std::conditional_t<
        Bits <= 16, std::conditional_t<Signed, std::int16_t, std::uint16_t>,
        std::conditional_t<Bits <= 32, std::conditional_t<Signed, std::int32_t, std::uint32_t>,
                           std::conditional_t<Signed, std::int64_t, std::uint64_t>>>>;

// Optional members of a Cfg (a layer without them is one without bias, ReLU or requantization,
// whose inputs are all kActBits wide): detected here, read through the helpers below.
template <typename C, typename = void>
struct HasInputBits : std::false_type {};
template <typename C>
struct HasInputBits<C, std::void_t<decltype(C::kInputBits[0])>> : std::true_type {};
template <typename C, typename = void>
struct HasBias : std::false_type {};
template <typename C>
struct HasBias<C, std::void_t<decltype(C::kBias[0])>> : std::true_type {};
template <typename C, typename = void>
struct HasRelu : std::false_type {};
template <typename C>
struct HasRelu<C, std::void_t<decltype(C::kRelu)>> : std::true_type {};
template <typename C, typename = void>
struct HasRequant : std::false_type {};
template <typename C>
struct HasRequant<C, std::void_t<decltype(C::kOutCodeBits[0])>> : std::true_type {};

// Input j's own width (k+i+f of its type): what its products' multipliers are sized for.
template <typename Cfg>
constexpr int InputBits(int j) {
  int bits = Cfg::kActBits;
  if constexpr (HasInputBits<Cfg>::value) bits = Cfg::kInputBits[j];
  return bits;
}

template <typename Cfg>
constexpr std::int64_t BiasOf(int o) {
  std::int64_t b = 0;
  if constexpr (HasBias<Cfg>::value) b = Cfg::kBias[o];
  return b;
}

template <typename Cfg>
constexpr bool ReluOf() {
  bool relu = false;
  if constexpr (HasRelu<Cfg>::value) relu = Cfg::kRelu;
  return relu;
}

// Output o's requantization: shift (F_o - f'_o), code width (0: the next layer prunes it), sign
// and overflow mode (0 wrap, 1 saturate, 2 saturate symmetrically), as the tables of the module.
struct Requant {
  int shift = 0;
  int bits = 0;
  bool is_signed = false;
  int overflow = 0;
};

template <typename Cfg>
constexpr Requant RequantOf(int o) {
  Requant r;
  if constexpr (HasRequant<Cfg>::value) {
    r.shift = Cfg::kOutShift[o];
    r.bits = Cfg::kOutCodeBits[o];
    r.is_signed = Cfg::kOutCodeSigned[o];
    r.overflow = Cfg::kOutOverflow[o];
  }
  return r;
}

template <typename Cfg>
constexpr int LiveProducts() {
  int n = 0;
  for (int e = 0; e < Cfg::kOut * Cfg::kIn; ++e) n += Cfg::kCodes[e] != 0;
  return n;
}

// The compile-time plan of the layer: which product runs where, and how each multiplier is built.
// A record only while it is computed (Planned below); the module keeps copies of its arrays.
template <int P, int Out, int M>
struct Plan {
  std::array<int, P> flat{};               // o * kIn + j of product k
  std::array<int, P> input{};              // j of product k
  std::array<std::int64_t, P> constant{};  // kCodes[flat[k]]
  std::array<int, Out + 1> first{};        // products of output o: first[o] .. first[o + 1] - 1
  std::array<int, P> out{};                // output of product k
  std::array<int, P> leaf{};               // position of product k among its output's tree inputs
  std::array<int, Out> bias_leaf{};        // tree position of output o's bias; -1: none
  std::array<bool, M> dsp{};               // multiplier m is a DSP
  std::array<int, M> levels{};             // register stages of multiplier m
};

template <typename Cfg, int P, int M>
constexpr Plan<P, Cfg::kOut, M> MakePlan() {
  Plan<P, Cfg::kOut, M> p;
  int k = 0;
  for (int o = 0; o < Cfg::kOut; ++o) {
    p.first[o] = k;
    for (int j = 0; j < Cfg::kIn; ++j) {
      if (Cfg::kCodes[o * Cfg::kIn + j] == 0) continue;
      p.flat[k] = o * Cfg::kIn + j;
      p.input[k] = j;
      p.constant[k] = Cfg::kCodes[o * Cfg::kIn + j];
      p.out[k] = o;
      p.leaf[k] = k - p.first[o];
      ++k;
    }
  }
  p.first[Cfg::kOut] = k;
  for (int o = 0; o < Cfg::kOut; ++o) {
    p.bias_leaf[o] = BiasOf<Cfg>(o) != 0 ? p.first[o + 1] - p.first[o] : -1;
  }
  for (int m = 0; m < M; ++m) {
    int digits = 0, span = 0, act = 0;
    for (int q = m; q < P; q += M) {
      digits = Max(digits, CsdNonZero(Cfg::kCodes[p.flat[q]]));
      span = Max(span, SpanBits(Cfg::kCodes[p.flat[q]]));
      act = Max(act, InputBits<Cfg>(p.input[q]));
    }
    p.dsp[m] = digits > 2 && span + act >= Cfg::kDspMinBits;
    p.levels[m] = p.dsp[m] ? Cfg::kDspStages : CeilLog2(Cfg::kReuse == 1 ? digits : span);
  }
  return p;
}

template <int P, int Out, int M>
constexpr int MulStages(const Plan<P, Out, M>& p) {
  int s = 0;
  for (int m = 0; m < M; ++m) s = Max(s, p.levels[m]);
  return s;
}

// Adder levels of the widest LUT multiplier: how many level-0 terms (2^levels) each one has.
template <int P, int Out, int M>
constexpr int LutLevels(const Plan<P, Out, M>& p) {
  int s = 0;
  for (int m = 0; m < M; ++m) s = p.dsp[m] ? s : Max(s, p.levels[m]);
  return s;
}

template <int P, int Out, int M>
constexpr int TreeDepth(const Plan<P, Out, M>& p) {
  int d = 0;
  for (int o = 0; o < Out; ++o) {
    d = Max(d, CeilLog2(p.first[o + 1] - p.first[o] + (p.bias_leaf[o] >= 0 ? 1 : 0)));
  }
  return d;
}

// Bits of the widest exact sum: |sum| <= sum_j |code| * max|x| + |bias|, plus the sign.
template <typename Cfg>
constexpr int SumBits() {
  const std::uint64_t x_max = Cfg::kActSigned ? std::uint64_t{1} << (Cfg::kActBits - 1)
                                              : (std::uint64_t{1} << Cfg::kActBits) - 1;
  int bits = 1;
  for (int o = 0; o < Cfg::kOut; ++o) {
    std::uint64_t bound = Magnitude(BiasOf<Cfg>(o));
    for (int j = 0; j < Cfg::kIn; ++j) {
      bound += Magnitude(Cfg::kCodes[o * Cfg::kIn + j]) * x_max;
    }
    bits = Max(bits, BitLength(bound) + 1);
  }
  return bits;
}

// Whether the output bus carries signed fields: the exact sums always, requantized codes when any
// output's type is signed.
template <typename Cfg>
constexpr bool OutSigned() {
  bool any = !HasRequant<Cfg>::value;
  for (int o = 0; o < Cfg::kOut; ++o) any = any || RequantOf<Cfg>(o).is_signed;
  return any;
}

// Width of the output bus's fields: the widest exact sum, or, when the layer requantizes, the
// widest output type (an unsigned one a bit wider on a signed bus), as the next layer's input
// field is sized (the exporter's InputField), so that one layer's OutBus is the next's InBus.
template <typename Cfg>
constexpr int OutBits() {
  int bits = HasRequant<Cfg>::value ? 1 : SumBits<Cfg>();
  for (int o = 0; o < Cfg::kOut; ++o) {
    const Requant r = RequantOf<Cfg>(o);
    if (HasRequant<Cfg>::value)
      bits = Max(bits, r.bits + (OutSigned<Cfg>() && !r.is_signed ? 1 : 0));
  }
  return bits;
}

// Level-0 terms of a LUT multiplier for product k: term t is sign[k * Terms + t] *
// (x << shift[k * Terms + t]).
template <int P, int Terms>
struct TermTable {
  std::array<signed char, P * Terms> sign{};
  std::array<unsigned char, P * Terms> shift{};
};

template <typename Cfg, int P, int M, int Terms>
constexpr TermTable<P, Terms> MakeTerms(const Plan<P, Cfg::kOut, M>& plan) {
  TermTable<P, Terms> t;
  for (int k = 0; k < P; ++k) {
    const std::int64_t code = Cfg::kCodes[plan.flat[k]];
    if (plan.dsp[k % M]) continue;
    if (Cfg::kReuse == 1) {  // shift-add: one term per CSD digit
      int n = 0;
      ForEachCsdDigit(code, [&](int pos, int s) {
        t.sign[k * Terms + n] = static_cast<signed char>(s);
        t.shift[k * Terms + n] = static_cast<unsigned char>(pos);
        ++n;
      });
    } else {  // array multiplier: partial product b is bit b of |code| above its trailing zeros
      const std::uint64_t mag = Magnitude(code);
      const int tz = TrailingZeros(mag);
      for (int b = 0; b < SpanBits(code); ++b) {
        if ((mag >> (tz + b)) & 1) {
          t.sign[k * Terms + b] = static_cast<signed char>(code < 0 ? -1 : 1);
          t.shift[k * Terms + b] = static_cast<unsigned char>(tz + b);
        }
      }
    }
  }
  return t;
}

// The output stage of every output as tables (output_stage.h; ApplyOutputStage is the reference):
// after the ReLU, v * scale + half, shifted right by drop with flooring, then either its low bits
// (wrap; sign-extended when top != 0), or clamped to [lo, hi] (saturation), or 0 (pruned).
template <int Out>
struct OutputTables {
  std::array<std::int64_t, Out> scale{};  // 2^-shift when the next type is finer, else 1
  std::array<std::int64_t, Out> half{};   // 2^(shift - 1) when bits are dropped, else 0
  std::array<int, Out> drop{};            // max(shift, 0)
  std::array<std::int64_t, Out> mask{};   // 2^bits - 1
  std::array<std::int64_t, Out> top{};    // 2^(bits - 1) for a signed type, else 0
  std::array<std::int64_t, Out> lo{};
  std::array<std::int64_t, Out> hi{};
  std::array<int, Out> mode{};  // 0 wrap, 1 saturate, 2 pruned (always 0)
};

template <typename Cfg>
constexpr std::array<std::int64_t, Cfg::kOut> MakeBias() {
  std::array<std::int64_t, Cfg::kOut> b{};
  for (int o = 0; o < Cfg::kOut; ++o) b[o] = BiasOf<Cfg>(o);
  return b;
}

template <typename Cfg>
constexpr OutputTables<Cfg::kOut> MakeOutputTables() {
  OutputTables<Cfg::kOut> t;
  for (int o = 0; o < Cfg::kOut; ++o) {
    const Requant r = RequantOf<Cfg>(o);
    const std::int64_t range = r.bits > 0 ? std::int64_t{1} << (r.bits - (r.is_signed ? 1 : 0)) : 1;
    t.scale[o] = r.shift < 0 ? std::int64_t{1} << -r.shift : 1;
    t.half[o] = r.shift > 0 ? std::int64_t{1} << (r.shift - 1) : 0;
    t.drop[o] = r.shift > 0 ? r.shift : 0;
    t.mask[o] = r.bits > 0 ? (std::int64_t{1} << r.bits) - 1 : 0;
    t.top[o] = r.is_signed && r.bits > 0 ? std::int64_t{1} << (r.bits - 1) : 0;
    t.hi[o] = range - 1;
    t.lo[o] = !r.is_signed ? 0 : r.overflow == 2 ? -(range - 1) : -range;
    t.mode[o] = r.bits <= (r.is_signed ? 1 : 0) ? 2 : r.overflow == 0 ? 0 : 1;
  }
  return t;
}

// The plan of a layer, computed once per Cfg.
template <typename Cfg>
struct Planned {
  static constexpr int kProducts = LiveProducts<Cfg>();
  static constexpr int kMuls = (kProducts + Cfg::kReuse - 1) / Cfg::kReuse;
  static constexpr Plan<kProducts, Cfg::kOut, kMuls> kPlan = MakePlan<Cfg, kProducts, kMuls>();
  static constexpr int kTerms = 1 << LutLevels(kPlan);  // level-0 terms per multiplier
  static constexpr TermTable<kProducts, kTerms> kTermTable =
      MakeTerms<Cfg, kProducts, kMuls, kTerms>(kPlan);
  static constexpr OutputTables<Cfg::kOut> kOutputTables = MakeOutputTables<Cfg>();
  static constexpr std::array<std::int64_t, Cfg::kOut> kBias = MakeBias<Cfg>();
};

}  // namespace dense_pin

// Cfg: kIn, kOut; kActBits, kActSigned (each input is a kActBits-wide two's complement or
// unsigned code); kCodes[kOut * kIn] (row-major [o][j], static constexpr int64: the aligned
// constants of AlignedCodes, alignment.h); kReuse (RF >= 1);
// kDspMinBits, kDspStages (UnrolledParams' dsp_min_bits, dsp_stages). Optional:
//   kInputBits[kIn]  each input's own width (k+i+f of its type, 0 pruned; default kActBits),
//                    which its multipliers are sized for, as the cost model sizes them;
//   kBias[kOut]      the aligned bias constants (AlignedBias), a constant leaf of each tree;
//   kRelu            the output register applies a ReLU;
//   kOutShift[kOut], kOutCodeBits[kOut], kOutCodeSigned[kOut], kOutOverflow[kOut] (0 wrap,
//                    1 sat, 2 sat_sym): the output register requantizes output o to the next
//                    layer's input type, F_o - f' = kOutShift[o] (|shift| <= 62), k+i+f =
//                    kOutCodeBits[o] (0: pruned), and the bus then carries those codes.
template <typename Cfg>
struct UnrolledDense : sc_core::sc_module {
  static constexpr int kIn = Cfg::kIn;
  static constexpr int kOut = Cfg::kOut;
  static constexpr int kRf = Cfg::kReuse;
  static_assert(kIn >= 1 && kOut >= 1 && kRf >= 1, "a layer has inputs, outputs and RF >= 1");
  static_assert(Cfg::kActBits >= 1 && Cfg::kActBits <= 30, "activation width as precision.h");
  static_assert(Cfg::kDspMinBits >= 1 && Cfg::kDspStages >= 0, "as UnrolledParams");
  using Planned = dense_pin::Planned<Cfg>;
  static constexpr int kProducts = Planned::kProducts;
  static_assert(kProducts >= 1, "a layer without products is wiring, not a pipeline");
  static constexpr int kMuls = Planned::kMuls;

  // The plan as tables of scalars (ICSC: localparam arrays): product k reads input kInput[k],
  // multiplies by kConst[k] and enters output kOutOf[k]'s tree at position kLeaf[k]; multiplier m
  // is a DSP when kDsp[m], else kLevels[m] adder levels over kTerms terms, term t of product k
  // being kTermSign[k * kTerms + t] * (x << kTermShift[k * kTerms + t]).
  static constexpr std::array<int, kProducts> kInput = Planned::kPlan.input;
  static constexpr std::array<std::int64_t, kProducts> kConst = Planned::kPlan.constant;
  static constexpr std::array<int, kProducts> kOutOf = Planned::kPlan.out;
  static constexpr std::array<int, kProducts> kLeaf = Planned::kPlan.leaf;
  static constexpr std::array<bool, kMuls> kDsp = Planned::kPlan.dsp;
  static constexpr std::array<int, kMuls> kLevels = Planned::kPlan.levels;
  // Output o's bias enters its tree at kBiasLeaf[o] (-1: none) as the constant kBiasConst[o].
  static constexpr std::array<int, kOut> kBiasLeaf = Planned::kPlan.bias_leaf;
  static constexpr std::array<std::int64_t, kOut> kBiasConst = Planned::kBias;
  // The output stage (output_stage.h) as tables: see dense_pin::OutputTables.
  static constexpr bool kRelu = dense_pin::ReluOf<Cfg>();
  static constexpr bool kRequant = dense_pin::HasRequant<Cfg>::value;
  static constexpr std::array<std::int64_t, kOut> kOutScale = Planned::kOutputTables.scale;
  static constexpr std::array<std::int64_t, kOut> kOutHalf = Planned::kOutputTables.half;
  static constexpr std::array<int, kOut> kOutDrop = Planned::kOutputTables.drop;
  static constexpr std::array<std::int64_t, kOut> kOutMask = Planned::kOutputTables.mask;
  static constexpr std::array<std::int64_t, kOut> kOutTop = Planned::kOutputTables.top;
  static constexpr std::array<std::int64_t, kOut> kOutLo = Planned::kOutputTables.lo;
  static constexpr std::array<std::int64_t, kOut> kOutHi = Planned::kOutputTables.hi;
  static constexpr std::array<int, kOut> kOutMode = Planned::kOutputTables.mode;

  static constexpr int kMulStages = dense_pin::MulStages(Planned::kPlan);  // UnrolledCost's names
  static constexpr int kTreeDepth = dense_pin::TreeDepth(Planned::kPlan);
  static constexpr int kPipelineDepth = kMulStages + kTreeDepth + 1;
  static constexpr int kLatency = kPipelineDepth + kRf - 1;  // handshake cycle to output valid
  static constexpr int kOutBits = dense_pin::OutBits<Cfg>();
  // A CSD term can be twice its product (7 x = 8 x - x), so sums stay below 2^62.
  static_assert(dense_pin::SumBits<Cfg>() <= 62, "sums and CSD terms are computed in int64");
  static constexpr int kTerms = Planned::kTerms;
  static constexpr int kTreeTerms = 1 << kTreeDepth;
  static constexpr std::array<signed char, kProducts* kTerms> kTermSign = Planned::kTermTable.sign;
  static constexpr std::array<unsigned char, kProducts* kTerms> kTermShift =
      Planned::kTermTable.shift;

  using InBus = pe::Bus<dense_pin::Field<Cfg::kActBits, Cfg::kActSigned>, kIn>;
  using OutField = dense_pin::Field<kOutBits, dense_pin::OutSigned<Cfg>()>;
  using OutBus = pe::Bus<OutField, kOut>;

  sc_core::sc_in<bool> clk{"clk"};
  sc_core::sc_in<bool> rst{"rst"};
  sc_core::sc_in<bool> in_valid{"in_valid"};
  sc_core::sc_out<bool> in_ready{"in_ready"};
  sc_core::sc_in<InBus> in_data{"in_data"};
  sc_core::sc_out<bool> out_valid{"out_valid"};
  sc_core::sc_in<bool> out_ready{"out_ready"};
  sc_core::sc_out<OutBus> out_data{"out_data"};

  SC_HAS_PROCESS(UnrolledDense);
  explicit UnrolledDense(const sc_core::sc_module_name& name) : sc_module(name) {
    SC_CTHREAD(Run, clk.pos());
    reset_signal_is(rst, true);
  }

 private:
  // Arrays of register stages need at least one element; the stage counts may be 0.
  static constexpr int kMulRegs = dense_pin::Max(kMulStages, 1);
  static constexpr int kTreeRegs = dense_pin::Max(kTreeDepth, 1);

  // Input j as the kActBits-wide field of the bus carries it: the field's low kActBits bits,
  // sign-extended when signed. Signed arithmetic only (ICSC: no signed/unsigned mix).
  static constexpr std::int64_t kActMask = (std::int64_t{1} << Cfg::kActBits) - 1;
  static constexpr std::int64_t kActTop = std::int64_t{1} << (Cfg::kActBits - 1);
  static std::int64_t Act(const InBus& x, int j) {
    const std::int64_t v = static_cast<std::int64_t>(x.v[j]) & kActMask;
    return Cfg::kActSigned && (v & kActTop) != 0 ? v - 2 * kActTop : v;  // one return (ICSC)
  }

  // x << s as a multiplication by 2^s (a left shift of a negative int64 is undefined in C++17;
  // with s a constant per unrolled term, synthesis makes it wiring).
  static std::int64_t Shifted(std::int64_t x, int s) { return x * (std::int64_t{1} << s); }

  // The output stage of output o on its exact sum: ReLU, then the requantization (rounding half
  // up by adding half a step before a flooring shift; ~(~v >> d) floors a negative v without a
  // shift of a negative number), then wrap, saturation or 0. One return (ICSC).
  static std::int64_t Post(std::int64_t root, int o) {
    const std::int64_t v = kRelu && root < 0 ? 0 : root;
    const std::int64_t sum = v * kOutScale[o] + kOutHalf[o];
    const std::int64_t down = sum >= 0 ? sum >> kOutDrop[o] : ~((~sum) >> kOutDrop[o]);
    const std::int64_t low = down & kOutMask[o];
    const std::int64_t wrapped = (low & kOutTop[o]) != 0 ? low - 2 * kOutTop[o] : low;
    const std::int64_t sat = down < kOutLo[o] ? kOutLo[o] : down > kOutHi[o] ? kOutHi[o] : down;
    const std::int64_t code = kOutMode[o] == 0 ? wrapped : kOutMode[o] == 1 ? sat : 0;
    return kRequant ? code : v;
  }

  void Run() {
    // Only the control is reset: a data register is read only behind its valid bit, so it needs
    // none (plain FFs in the fabric, and no loops over the whole datapath in the reset branch,
    // which Verilator cannot schedule for a real layer size).
    for (int s = 0; s < kMulRegs; ++s) {
      mul_valid_[s] = false;
      mul_phase_[s] = 0;
    }
    for (int l = 0; l < kTreeRegs; ++l) tree_valid_[l] = false;
    busy_ = false;  // one assignment each: ICSC mistranslates a chained one in a reset section
    skid_valid_ = false;
    out_valid_r_ = false;
    phase_ = 0;
    in_ready.write(false);
    out_valid.write(false);
    bool in_ready_r = false;
    wait();
    while (true) {
      const bool hold = out_valid_r_ && !out_ready.read();
      const bool in_fire = in_ready_r && in_valid.read();
      bool out_v = hold;
      if (!hold) {
        // Issue: the vector and phase the multipliers work on in this cycle.
        bool issue = true;
        int phase = 0;
        InBus x = x_held_;
        if (busy_) {
          phase = phase_;
        } else if (skid_valid_) {
          x = skid_;
          skid_valid_ = false;
        } else if (in_fire) {
          x = in_data.read();
        } else {
          issue = false;
        }
        // Level 0: shifted copies of the selected input (or the DSP's product), per multiplier.
        std::int64_t term[kMuls][kTerms] = {};
        if (issue) {
          MSQX_HLS_UNROLL
          for (int m = 0; m < kMuls; ++m) {
            MSQX_HLS_UNROLL
            for (int c = 0; c < kRf; ++c) {
              const int k = c * kMuls + m;
              if (k >= kProducts || c != phase) continue;
              const std::int64_t xj = Act(x, kInput[k]);
              if (kDsp[m]) {
                term[m][0] = xj * kConst[k];
                continue;
              }
              MSQX_HLS_UNROLL
              for (int t = 0; t < kTerms; ++t) {
                const int sign = kTermSign[k * kTerms + t];
                const std::int64_t s = Shifted(xj, kTermShift[k * kTerms + t]);
                term[m][t] = sign > 0 ? s : sign < 0 ? -s : 0;
              }
            }
          }
        }
        // What leaves the multipliers in this cycle.
        const bool mul_out_valid = kMulStages == 0 ? issue : mul_valid_[kMulRegs - 1];
        const int mul_out_phase = kMulStages == 0 ? phase : mul_phase_[kMulRegs - 1];
        std::int64_t mul_out[kMuls] = {};
        for (int m = 0; m < kMuls; ++m) {
          mul_out[m] = kMulStages == 0 ? term[m][0] : mul_[kMulRegs - 1][m][0];
        }
        // Tree inputs: the last phase's products straight from their multipliers, the others
        // from the product registers; per output in input order, zero-padded to 2^D.
        const bool tree_in_valid = mul_out_valid && mul_out_phase == kRf - 1;
        std::int64_t tree_in[kOut][kTreeTerms] = {};
        MSQX_HLS_UNROLL
        for (int k = 0; k < kProducts; ++k) {
          // kRf == 1 first and inline: a constant condition, so ICSC drops the read of held_.
          tree_in[kOutOf[k]][kLeaf[k]] =
              kRf == 1 || k / kMuls == kRf - 1 ? mul_out[k % kMuls] : held_[k];
        }
        for (int o = 0; o < kOut; ++o) {
          if (kBiasLeaf[o] >= 0) tree_in[o][kBiasLeaf[o]] = kBiasConst[o];
        }
        // O: the output register takes the root of every tree.
        const bool root_valid = kTreeDepth == 0 ? tree_in_valid : tree_valid_[kTreeRegs - 1];
        out_v = root_valid;
        if (root_valid) {
          OutBus y;
          for (int o = 0; o < kOut; ++o) {
            const std::int64_t r = kTreeDepth == 0 ? tree_in[o][0] : tree_[kTreeRegs - 1][o][0];
            y.v[o] = static_cast<OutField>(Post(r, o));
          }
          out_data.write(y);
        }
        // T1..TD, last level first so that each level reads its predecessor's old value.
        for (int l = kTreeDepth - 1; l >= 0; --l) {
          tree_valid_[l] = l == 0 ? tree_in_valid : tree_valid_[l - 1];
          const int width = dense_pin::Max(kTreeTerms >> (l + 1), 1);
          const int in_width = kTreeTerms >> l;
          MSQX_HLS_UNROLL
          for (int o = 0; o < kOut; ++o) {
            for (int t = 0; t < width; ++t) {
              const std::int64_t a = l == 0 ? tree_in[o][2 * t] : tree_[l - 1][o][2 * t];
              const std::int64_t b = 2 * t + 1 >= in_width ? 0
                                     : l == 0              ? tree_in[o][2 * t + 1]
                                                           : tree_[l - 1][o][2 * t + 1];
              tree_[l][o][t] = a + b;
            }
          }
        }
        // Products of phases 0..RF-2 wait for the last phase.
        if (mul_out_valid) {
          MSQX_HLS_UNROLL
          for (int k = 0; k < kProducts; ++k) {
            if (k / kMuls == mul_out_phase && mul_out_phase != kRf - 1)
              held_[k] = mul_out[k % kMuls];
          }
        }
        // M1..MS: pairwise sums of the terms; a finished multiplier carries its result.
        for (int s = kMulStages - 1; s >= 0; --s) {
          mul_valid_[s] = s == 0 ? issue : mul_valid_[s - 1];
          mul_phase_[s] = s == 0 ? phase : mul_phase_[s - 1];
          const int width = dense_pin::Max(kTerms >> (s + 1), 1);
          const int in_width = dense_pin::Max(kTerms >> s, 1);
          MSQX_HLS_UNROLL
          for (int m = 0; m < kMuls; ++m) {
            for (int t = 0; t < width; ++t) {
              const std::int64_t a = s == 0 ? term[m][2 * t] : mul_[s - 1][m][2 * t];
              const std::int64_t b = 2 * t + 1 >= in_width ? 0
                                     : s == 0              ? term[m][2 * t + 1]
                                                           : mul_[s - 1][m][2 * t + 1];
              mul_[s][m][t] = a + b;
            }
          }
        }
        // Sequencer: phases 1..RF-1 of the vector just started read the held copy.
        if (kRf > 1 && issue) {
          if (phase == 0) x_held_ = x;
          busy_ = phase + 1 < kRf;
          phase_ = phase + 1;
        }
      } else if (in_fire) {
        skid_ = in_data.read();
        skid_valid_ = true;
      }
      in_ready_r = !skid_valid_ && !busy_;
      in_ready.write(in_ready_r);
      out_valid_r_ = out_v;
      out_valid.write(out_v);
      wait();
    }
  }

  // Registers. The control is set in Run's reset section (ICSC ignores initializers of
  // non-constant members); the data registers' initializers only make the simulation
  // deterministic. The datapath is int64 as in pe_array.h; kOutBits is the width a flow needs.
  std::int64_t mul_[kMulRegs][kMuls][kTerms] = {};
  bool mul_valid_[kMulRegs];
  int mul_phase_[kMulRegs];
  std::int64_t held_[kProducts] = {};  // product registers (RF > 1)
  std::int64_t tree_[kTreeRegs][kOut][kTreeTerms] = {};
  bool tree_valid_[kTreeRegs];
  InBus x_held_, skid_;
  bool busy_;
  bool skid_valid_;
  bool out_valid_r_;
  int phase_;
};

// The example layer of docs/unrolled.md and of the testbench: 4 signed 5-bit inputs, 3 outputs;
// codes 0 (pruned), +-2^n (wiring), 3, -7, 5 (two CSD digits: one adder), -11 (three digits on a
// 9-bit product: two adder levels in LUTs) and 341 = 0b101010101 (five digits, 14-bit product:
// a DSP).
namespace cfg {
struct SmallDense {
  static constexpr int kIn = 4;
  static constexpr int kOut = 3;
  static constexpr int kActBits = 5;
  static constexpr bool kActSigned = true;
  static constexpr int kReuse = 1;
  static constexpr int kDspMinBits = 10;
  static constexpr int kDspStages = 3;
  static constexpr std::int64_t kCodes[kOut * kIn] = {3,  0,   -4, 341,  //
                                                      1,  -11, 0,  0,    //
                                                      -7, 8,   5,  -2};
};
struct SmallDenseRf2 : SmallDense {
  static constexpr int kReuse = 2;
};
}  // namespace cfg

using SmallDenseTop = UnrolledDense<cfg::SmallDense>;

}  // namespace msqx::unrolled
