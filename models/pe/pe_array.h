#pragma once
// PE arrays as ONE clocked process each: rows x cols MAC lanes (rows = output channels, cols =
// input channels), the activation vector broadcast to every row and an adder tree per row. A
// synthesis tool unrolls the lane loops.
//
// Weights stay in the lanes (weight-stationary): every lane has an active weight register and a
// shadow one. The shadow word is shifted in a piece at a time (kPieceRows rows per piece, the
// weight buffer's read width) while the active word serves a run of beats; a beat marked `swap`
// makes the shadow word active for itself and the beats after it. The weight buffer is therefore
// read kPieces times per word, not once per beat (docs/models.md, "PE arrays").
//
// Pipeline, one register per stage, as a DSP48 registers a multiply (AREG/BREG, MREG) with the
// fabric adder tree after it:
//   A  input register: activation vector; the active weights take the shadow word on `swap`
//   M  products: fixed point = decoded weight * activation (a DSP multiply; with macs_per_dsp = 2
//      rows 2u and 2u+1 share one multiply ((w_hi << k) + w_lo) * a, k = kTreeBits);
//      SP2 = two shifts and an add (LUTs)
//   T  adder tree: sum over the columns of each row, registered in the output signal (one
//      partial sum per row and beat)
// A beat presented in cycle e is on the output in cycle e + kStages + 1. The array never stalls:
// it drives in.ready and wl.ready high and its consumer takes every output (out.ready unused);
// accumulation over beats is the consumer's (the core's partial-sum buffer).

#include <cstdint>
#include <systemc>

#include "models/pe/arithmetic.h"
#include "models/pe/hls.h"
#include "models/pe/pe_types.h"
#include "models/pe/stream.h"

// ICSC translates the datapath on exact-width integers; a simulation computes the same values on
// plain ones unless MSQX_PE_WIDE_ARITH is defined (tests/sc/pe builds the array tests both ways).
#if defined(__SC_TOOL__) && !defined(MSQX_PE_WIDE_ARITH)
#define MSQX_PE_WIDE_ARITH 1
#endif

namespace msqx::pe {

enum class PeKind { kFixed, kSp2 };

// Compile-time parameters. PieceRows: weight rows the array takes per cycle while its shadow word
// loads (the core's weight-buffer word).
// DwK: the depthwise window the lanes hold (1: no depthwise mode, for networks without
// depthwise layers, which then pay nothing for it).
template <PeKind Kind, int Rows, int Cols, int ActBits, int WeightBits, int PieceRows = 1,
          int MacsPerDsp = 1, int DwK = DwWindowOf(Cols)>
struct PeArrayConfig {
  static constexpr PeKind kKind = Kind;
  static constexpr int kRows = Rows;
  static constexpr int kCols = Cols;
  static constexpr int kActBits = ActBits;
  static constexpr int kWeightBits = WeightBits;
  static constexpr int kPieceRows = PieceRows;
  static constexpr int kPieces = (Rows + PieceRows - 1) / PieceRows;
  static constexpr int kMacsPerDsp = Kind == PeKind::kFixed ? MacsPerDsp : 1;
  static constexpr int kSp2M1 = WeightBits / 2;  // the default split of m - 1 bits
  static constexpr int kSp2M2 = (WeightBits - 1) / 2;
  static constexpr int kDwK = DwK;  // depthwise window side (docs/design.md)
  static_assert(DwK >= 1 && DwK * DwK <= (Cols > 1 ? Cols : 1), "the window fits the columns");
  // Bits of one row's sum over the columns (a beat's partial sum).
  static constexpr int kTreeBits = Kind == PeKind::kFixed ? FixedAccBits(WeightBits, ActBits, Cols)
                                                          : Sp2AccBits(kSp2M1, ActBits, Cols);
};

// One input beat: the activation vector (broadcast to every row) and the weight swap. In depthwise
// mode (dw) there is no broadcast: each lane holds its own activation, a window of taps of its
// row's channel (docs/design.md, "Depthwise"), and the beat carries one window column per row
// unit (`col`, window row ky of unit u at [ky * Units + u]) that enters the lanes' windows;
// `beat` says whether the lanes compute with the window as it then is.
template <int Cols, int ActBits, int Units = 1, int DwK = 1>
struct ArrayBeat {
  sc_dt::sc_uint<ActBits> act[Cols];
  bool swap;  // the shadow word becomes active for this beat and the ones after it
  bool dw;    // depthwise: `col` enters the lane windows, `act` is unused
  bool beat;  // the lanes compute (a depthwise column may only fill the windows)
  sc_dt::sc_uint<ActBits> col[DwK * Units];
  ArrayBeat() {
    for (int i = 0; i < Cols; ++i) act[i] = 0;
    swap = false;
    dw = false;
    beat = true;
    for (int i = 0; i < DwK * Units; ++i) col[i] = 0;
  }
  // The field the mode does not use is not compared: it is never read.
  bool operator==(const ArrayBeat& o) const {
    bool eq = swap == o.swap && dw == o.dw && beat == o.beat;  // no return inside a loop (ICSC)
    for (int i = 0; eq && !dw && i < Cols; ++i) eq = act[i] == o.act[i];
    for (int i = 0; eq && dw && i < DwK * Units; ++i) eq = col[i] == o.col[i];
    return eq;
  }
};
template <int Cols, int ActBits, int Units, int DwK>
std::ostream& operator<<(std::ostream& os, const ArrayBeat<Cols, ActBits, Units, DwK>& b) {
  return os << (b.dw ? "col" : "act") << (b.dw ? b.col[0] : b.act[0]).to_uint()
            << (b.swap ? " swap" : "") << (b.beat ? "" : " fill");
}
template <int Cols, int ActBits, int Units, int DwK>
void sc_trace(sc_core::sc_trace_file* tf, const ArrayBeat<Cols, ActBits, Units, DwK>& b,
              const std::string& name) {
  sc_core::sc_trace(tf, b.swap, name + "_swap");
}

template <typename Cfg>
struct PeArray : sc_core::sc_module {
  static constexpr int kRows = Cfg::kRows;
  static constexpr int kCols = Cfg::kCols;
  static constexpr int kPack = Cfg::kMacsPerDsp;
  static constexpr int kUnits = kRows / kPack;  // multipliers per column
  static constexpr int kTreeBits = Cfg::kTreeBits;
  static constexpr int kPieceLanes = Cfg::kPieceRows * kCols;
  static constexpr int kShadowLanes = Cfg::kPieces * kPieceLanes;  // whole pieces, rows padded
  static constexpr int kStages = 3;
  static constexpr int kA = Cfg::kActBits, kW = Cfg::kWeightBits;
  static constexpr int kDwK = Cfg::kDwK;
  static constexpr int kDwArea = kDwK * kDwK;  // the columns a depthwise window occupies
  static_assert(kA >= 1 && kA <= 8, "activations of 1 to 8 bits");
  static_assert(kW >= 2 && kW <= 8, "weights of 2 to 8 bits");
  static_assert(kPack == 1 || kPack == 2, "macs_per_dsp is 1 or 2");
  static_assert(kRows % kPack == 0, "packing pairs rows");
  static_assert(Cfg::kPieceRows >= 1 && Cfg::kPieceRows <= kRows, "a piece is 1..rows rows");
  static_assert(kTreeBits <= 32, "a row's sum over the columns fits 32 bits");
  // DSP48E1: the packed weight enters the 25-bit A port, both fields share the 48-bit P.
  static_assert(kPack == 1 || (kW + kTreeBits <= 25 && 2 * kTreeBits <= 48),
                "packed operands exceed a DSP48E1");

  // The datapath's widths. A fixed-point product is kW + kA bits (a signed kW-bit weight of
  // magnitude below 2^(kW-1) times an unsigned kA-bit activation); a packed one
  // (w_hi * 2^kTreeBits + w_lo) * a is kW + kTreeBits + kA bits and its sum over the columns
  // 2 * kTreeBits (two fields of a row's sum); an SP2 product Sp2Lane's.
  using Sp2 = Sp2Lane<Cfg::kSp2M1, Cfg::kSp2M2, kA>;
  static constexpr int kProdBits = Cfg::kKind == PeKind::kSp2 ? Sp2::kProductBits
                                   : kPack == 1               ? kW + kA
                                                              : kW + kTreeBits + kA;
  static constexpr int kSumBits = kPack == 1 ? kTreeBits : 2 * kTreeBits;
  using Act = sc_dt::sc_uint<kA>;
  using Code = sc_dt::sc_uint<kW>;
  using Prod = sc_dt::sc_int<kProdBits>;
  using Sum = sc_dt::sc_int<kSumBits>;
  using RowSum = sc_dt::sc_int<kTreeBits>;
  using InBus = ArrayBeat<kCols, kA, kUnits, kDwK>;
#ifdef MSQX_PE_WIDE_ARITH
  using ActReg = Act;
  using CodeReg = Code;
  using ProdReg = Prod;
#else
  // Simulation: the registers hold the same values in plain integers (an sc_uint is an object of
  // 24 bytes with a virtual table, and the swap and the shadow shift copy hundreds a cycle).
  using ActReg = std::uint8_t;
  using CodeReg = std::uint8_t;
  using ProdReg = std::int64_t;
#endif
  static constexpr bool kSp2Table = Cfg::kKind == PeKind::kSp2 && kW + kA <= 12;
  using Piece = Bus<Code, kPieceLanes>;
  using OutBus = AccBus<kRows>;  // the output bus carries each row's sum sign-extended

  sc_core::sc_in<bool> clk{"clk"};
  sc_core::sc_in<bool> rst{"rst"};
  In<InBus> in{"in"};
  In<Piece> wl{"wl"};  // weight pieces into the shadow word
  Out<OutBus> out{"out"};

  SC_HAS_PROCESS(PeArray);
  explicit PeArray(const sc_core::sc_module_name& name) : sc_module(name) {
#ifndef MSQX_PE_WIDE_ARITH
    if constexpr (kSp2Table) {
      for (unsigned code = 0; code < (1u << kW); ++code) {
        for (unsigned a = 0; a < (1u << kA); ++a) {
          sp2_tab_[(code << kA) | a] = static_cast<std::int32_t>(Sp2::OfInt(code, a));
        }
      }
    }
#endif
    SC_CTHREAD(Run, clk.pos());
    reset_signal_is(rst, true);
  }

 private:
  // One DSP (or LUT) product of unit u, column c, from the registered activations and weights:
  // the column's broadcast activation, or in depthwise mode the lane's own (0 beyond the window).
  // Packed: the DSP's pre-adder forms w_hi * 2^kTreeBits + w_lo (a kW + kTreeBits-bit operand of
  // its 25-bit port) and the multiplier takes it times the activation (kA + 1 bits with its zero
  // sign bit): one DSP48E1 per pair of rows and column, as Yosys maps it (tests/sc/pe).
  Prod Product(int u, int c) const {
    Prod p = 0;
    Act act = act_[c];
    if (a_dw_) {
      act = 0;
      if (c < kDwArea) act = dwact_[u * kDwArea + c];
    }
    if constexpr (Cfg::kKind == PeKind::kSp2) {
      // Through a local: ICSC 1.7.6 loses the read of a register passed on by reference through
      // two calls (Of, then OfMux), makes active_ a combinational variable, and the RTL computed
      // with the shadow word one beat early (co-simulation, issue 20).
      const Code code = active_[u * kCols + c];
      p = Sp2::Of(code, act);
    } else if constexpr (kPack == 1) {
      const sc_dt::sc_int<kW> w = FixedLane<kW>::Decode(active_[u * kCols + c]);
      sc_dt::sc_int<kA + 1> a;
      a = act;
      p = w * a;
    } else {
      const sc_dt::sc_int<kW> hi = FixedLane<kW>::Decode(active_[(2 * u) * kCols + c]);
      const sc_dt::sc_int<kW> lo = FixedLane<kW>::Decode(active_[(2 * u + 1) * kCols + c]);
      const sc_dt::sc_int<kW + kTreeBits> packed = hi * (1 << kTreeBits) + lo;
      sc_dt::sc_int<kA + 1> a;
      a = act;
      p = packed * a;
    }
    return p;
  }

  // T: the adder tree of each unit over the registered products, unpacked into rows. A packed
  // sum is hi * 2^kTreeBits + lo with lo signed: the low field is its low bits, the high field
  // its high bits plus the borrow of a negative low field.
  OutBus Tree() const {
    OutBus o;
    MSQX_HLS_UNROLL
    for (int u = 0; u < kUnits; ++u) {
      Sum t = 0;
      MSQX_HLS_UNROLL
      for (int c = 0; c < kCols; ++c) t = t + m_[u][c];
      if constexpr (kPack == 1) {
        o.v[u] = t.to_int();
      } else {
        RowSum lo, hi;
        lo = t.range(kTreeBits - 1, 0);
        hi = t.range(2 * kTreeBits - 1, kTreeBits);
        if (lo < 0) hi = hi + 1;
        o.v[2 * u] = hi.to_int();
        o.v[2 * u + 1] = lo.to_int();
      }
    }
    return o;
  }

#ifndef MSQX_PE_WIDE_ARITH
  // Simulation: the M and T stages on plain integers, the values of Product and Tree (each fits
  // its width by construction, so no wrap is lost). sc_int temporaries are objects with a virtual
  // table, and this was a third of the pin-level core's simulation time. Product and Tree are
  // what ICSC translates; the PE array tests run once more on them (MSQX_PE_WIDE_ARITH) and the
  // RTL co-simulation compares their translation with this path.
  std::int64_t ProductInt(int u, int c) const {
    unsigned act = act_[c];
    if (a_dw_) act = c < kDwArea ? dwact_[u * kDwArea + c] : 0;
    const std::int64_t a = act;
    if constexpr (kSp2Table) {
      return sp2_tab_[(static_cast<unsigned>(active_[u * kCols + c]) << kA) | act];
    } else if constexpr (Cfg::kKind == PeKind::kSp2) {
      return Sp2::OfInt(active_[u * kCols + c], act);
    } else if constexpr (kPack == 1) {
      return SignExtend(active_[u * kCols + c], kW) * a;
    } else {
      const std::int64_t hi = SignExtend(active_[(2 * u) * kCols + c], kW);
      const std::int64_t lo = SignExtend(active_[(2 * u + 1) * kCols + c], kW);
      return (hi * (std::int64_t{1} << kTreeBits) + lo) * a;
    }
  }
  OutBus TreeInt() const {
    OutBus o;
    for (int u = 0; u < kUnits; ++u) {
      std::int64_t t = 0;
      for (int c = 0; c < kCols; ++c) t += m_[u][c];
      if constexpr (kPack == 1) {
        o.v[u] = static_cast<int>(t);
      } else {
        const PackedSums s = UnpackPacked(t, kTreeBits);
        o.v[2 * u] = static_cast<int>(s.high);
        o.v[2 * u + 1] = static_cast<int>(s.low);
      }
    }
    return o;
  }
#endif

  // Depthwise: the column enters at the right of each window row of every unit, and the window
  // moves one tap to the left (a shift register per lane row, constant indices only).
  void ShiftWindows(const InBus& b) {
    MSQX_HLS_UNROLL
    for (int u = 0; u < kUnits; ++u) {
      MSQX_HLS_UNROLL
      for (int ky = 0; ky < kDwK; ++ky) {
        const int row = u * kDwArea + ky * kDwK;
        for (int kx = 0; kx + 1 < kDwK; ++kx) dwact_[row + kx] = dwact_[row + kx + 1];
        dwact_[row + kDwK - 1] = b.col[ky * kUnits + u];
      }
    }
  }

  void Run() {
    a_valid_ = false;
    a_dw_ = false;
    m_valid_ = false;
    in.ready.write(true);
    wl.ready.write(true);
    out.valid.write(false);
    wait();
    while (true) {
      // Stages in reverse order, so that each reads the registers of the stage before it as they
      // were at the edge.
      out.valid.write(m_valid_);
#ifdef MSQX_PE_WIDE_ARITH
      if (m_valid_) out.data.write(Tree());
#else
      if (m_valid_) out.data.write(TreeInt());
#endif
      m_valid_ = a_valid_;
      if (a_valid_) {
        MSQX_HLS_UNROLL
        for (int u = 0; u < kUnits; ++u) {
          MSQX_HLS_UNROLL
          for (int c = 0; c < kCols; ++c) {
#ifdef MSQX_PE_WIDE_ARITH
            m_[u][c] = Product(u, c);
#else
            m_[u][c] = ProductInt(u, c);
#endif
          }
        }
      }
      const bool in_valid = in.valid.read();
      a_valid_ = false;
      if (in_valid) {
#ifdef __SC_TOOL__
        const InBus b = in.data.read();
#else
        const InBus& b = in.data.read();  // the same value, without copying the beat's fields
#endif
        a_valid_ = b.beat;
        a_dw_ = b.dw;
        if (b.dw) {
          ShiftWindows(b);
        } else {
          for (int c = 0; c < kCols; ++c) act_[c] = b.act[c];
        }
        if (b.swap) {  // before the shift below: the active word takes the shadow as it was
          for (int l = 0; l < kRows * kCols; ++l) active_[l] = shadow_[l];
        }
      }
      if (wl.valid.read()) {
        // The new piece enters at the top; after kPieces of them the first is at row 0. Constant
        // indices only: a variable one would be a decoder in front of every weight bit.
        const Piece p = wl.data.read();
        for (int l = 0; l + kPieceLanes < kShadowLanes; ++l) shadow_[l] = shadow_[l + kPieceLanes];
        for (int l = 0; l < kPieceLanes; ++l) shadow_[kShadowLanes - kPieceLanes + l] = p.v[l];
      }
      wait();
    }
  }

  // Registers, at the datapath's widths. Only the valid bits are reset: the data registers are
  // read behind them (their initializers only make the simulation deterministic).
  bool a_valid_ = false, m_valid_ = false, a_dw_ = false;
  ActReg act_[kCols] = {};
  ActReg dwact_[kUnits * kDwArea] = {};  // depthwise: each unit's window, row-major
  CodeReg active_[kRows * kCols] = {};
  CodeReg shadow_[kShadowLanes] = {};
  ProdReg m_[kUnits][kCols] = {};
#ifndef MSQX_PE_WIDE_ARITH
  // SP2 products of small codes and activations, by (code << kA) | activation (Sp2Lane::OfInt).
  std::int32_t sp2_tab_[kSp2Table ? (1 << (kW + kA)) : 1] = {};
#endif
};

// Concrete instances an HLS flow elaborates (4-bit weights and activations, as in the paper).
namespace cfg {
// The engine pair of the benchmark: 16x16 DSP (two products per DSP) + 32x16 SP2, two weight rows
// per piece.
using DspArray = PeArrayConfig<PeKind::kFixed, 16, 16, 4, 4, 2, 2>;
using LutArray = PeArrayConfig<PeKind::kSp2, 32, 16, 4, 4, 2>;
}  // namespace cfg

using DspArrayTop = PeArray<cfg::DspArray>;
using LutArrayTop = PeArray<cfg::LutArray>;

}  // namespace msqx::pe
