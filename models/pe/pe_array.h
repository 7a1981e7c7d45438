#pragma once
// PE arrays (and single PEs, the one-column case) as ONE clocked process each: rows x cols MAC
// lanes (rows = output channels, cols = input channels), the activation vector broadcast to every
// row, an adder tree per row and an accumulator per row. A synthesis tool unrolls the lane loops.
//
// Pipeline, one register per stage, as a DSP48 registers a MAC (AREG/BREG, MREG, PREG) with the
// fabric adder tree between MREG and PREG when there is more than one column:
//   A  input register: activation vector, weight codes, first/last
//   M  products: fixed point = decoded weight * activation (a DSP multiply; with macs_per_dsp = 2
//      rows 2u and 2u+1 share one multiply ((w_hi << k) + w_lo) * a, k = kAccBits);
//      SP2 = two shifts and an add (LUTs)
//   T  adder tree: sum over the columns of each row (only when kCols > 1)
//   P  accumulator: P = first ? T : P + T; on `last` P drives the output
// A beat accepted at clock edge e leaves on the output at edge e + kStages if the sink is ready.
//
// Handshake: valid/ready on both sides, all outputs registered. When the output register holds
// an unconsumed result the whole pipeline holds; a one-entry skid register catches the beat
// that arrives in that cycle, and in_ready is low while it is full.

#include <cstdint>
#include <systemc>

#include "models/pe/arithmetic.h"
#include "models/pe/hls.h"
#include "models/pe/pe_types.h"

namespace msqx::pe {

enum class PeKind { kFixed, kSp2 };

// Compile-time parameters. kMaxDepth = longest dot product the array must accumulate exactly.
template <PeKind Kind, int Rows, int Cols, int ActBits, int WeightBits, long long MaxDepth,
          int MacsPerDsp = 1>
struct PeArrayConfig {
  static constexpr PeKind kKind = Kind;
  static constexpr int kRows = Rows;
  static constexpr int kCols = Cols;
  static constexpr int kActBits = ActBits;
  static constexpr int kWeightBits = WeightBits;
  static constexpr long long kMaxDepth = MaxDepth;
  static constexpr int kMacsPerDsp = Kind == PeKind::kFixed ? MacsPerDsp : 1;
  static constexpr int kSp2M1 = WeightBits / 2;  // the default split of m - 1 bits
  static constexpr int kSp2M2 = (WeightBits - 1) / 2;
  static constexpr int kAccBits = Kind == PeKind::kFixed
                                      ? FixedAccBits(WeightBits, ActBits, MaxDepth)
                                      : Sp2AccBits(kSp2M1, ActBits, MaxDepth);
};

template <typename Cfg>
struct PeArray : sc_core::sc_module {
  static constexpr int kRows = Cfg::kRows;
  static constexpr int kCols = Cfg::kCols;
  static constexpr int kPack = Cfg::kMacsPerDsp;
  static constexpr int kUnits = kRows / kPack;  // multipliers per column
  static constexpr int kAccBits = Cfg::kAccBits;
  static constexpr int kStages = kCols > 1 ? 4 : 3;
  static_assert(Cfg::kActBits >= 1 && Cfg::kActBits <= 8, "activations travel as 8-bit fields");
  static_assert(Cfg::kWeightBits >= 2 && Cfg::kWeightBits <= 8, "weights travel as 8-bit fields");
  static_assert(kPack == 1 || kPack == 2, "macs_per_dsp is 1 or 2");
  static_assert(kRows % kPack == 0, "packing pairs rows");
  static_assert(kAccBits <= 32, "the output bus carries 32-bit sums");
  // DSP48E1: the packed weight enters the 25-bit pre-adder/A port, both fields share the 48-bit P.
  static_assert(kPack == 1 || (Cfg::kWeightBits + kAccBits <= 25 && 2 * kAccBits <= 48),
                "packed operands exceed a DSP48E1");

  using InBus = ArrayBeat<kRows, kCols>;
  using OutBus = AccBus<kRows>;

  sc_core::sc_in<bool> clk{"clk"};
  sc_core::sc_in<bool> rst{"rst"};
  sc_core::sc_in<bool> in_valid{"in_valid"};
  sc_core::sc_out<bool> in_ready{"in_ready"};
  sc_core::sc_in<InBus> in_data{"in_data"};
  sc_core::sc_out<bool> out_valid{"out_valid"};
  sc_core::sc_in<bool> out_ready{"out_ready"};
  sc_core::sc_out<OutBus> out_data{"out_data"};

  SC_HAS_PROCESS(PeArray);
  explicit PeArray(const sc_core::sc_module_name& name) : sc_module(name) {
    SC_CTHREAD(Run, clk.pos());
    reset_signal_is(rst, true);
  }

 private:
  // One DSP (or LUT) product of unit u, column c.
  static std::int64_t Product(const InBus& b, int u, int c) {
    const std::uint32_t a = b.act[c];
    if constexpr (Cfg::kKind == PeKind::kSp2) {
      return Sp2Lane<Cfg::kSp2M1, Cfg::kSp2M2>::Product(b.w[u * kCols + c], a);
    } else if constexpr (kPack == 1) {
      return static_cast<std::int64_t>(FixedLane<Cfg::kWeightBits>::Decode(b.w[u * kCols + c])) * a;
    } else {
      const std::int64_t hi = FixedLane<Cfg::kWeightBits>::Decode(b.w[(2 * u) * kCols + c]);
      const std::int64_t lo = FixedLane<Cfg::kWeightBits>::Decode(b.w[(2 * u + 1) * kCols + c]);
      return (hi * (std::int64_t{1} << kAccBits) + lo) * a;
    }
  }

  OutBus Unpack() const {
    OutBus out;
    for (int u = 0; u < kUnits; ++u) {
      if constexpr (kPack == 1) {
        out.v[u] = static_cast<std::int32_t>(SignExtend(p_[u], kAccBits));
      } else {
        const PackedSums sums = UnpackPacked(p_[u], kAccBits);
        out.v[2 * u] = static_cast<std::int32_t>(sums.high);
        out.v[2 * u + 1] = static_cast<std::int32_t>(sums.low);
      }
    }
    return out;
  }

  void Run() {
    a_valid_ = m_valid_ = t_valid_ = skid_valid_ = out_valid_r_ = false;
    for (int u = 0; u < kUnits; ++u) p_[u] = 0;
    in_ready.write(false);
    out_valid.write(false);
    bool in_ready_r = false;
    wait();
    while (true) {
      bool out_v = out_valid_r_ && !out_ready.read();
      const bool in_fire = in_ready_r && in_valid.read();
      if (!out_v) {
        // P: accumulate what the tree (or, with one column, the multiplier) produced.
        const bool src_valid = kCols > 1 ? t_valid_ : m_valid_;
        if (src_valid) {
          const bool first = kCols > 1 ? t_first_ : m_first_;
          const bool last = kCols > 1 ? t_last_ : m_last_;
          MSQX_HLS_UNROLL
          for (int u = 0; u < kUnits; ++u) {
            const std::int64_t s = kCols > 1 ? t_[u] : m_[u][0];
            p_[u] = first ? s : p_[u] + s;
          }
          if (last) {
            out_data.write(Unpack());
            out_v = true;
          }
        }
        // T: adder tree per row.
        if constexpr (kCols > 1) {
          t_valid_ = m_valid_;
          t_first_ = m_first_;
          t_last_ = m_last_;
          if (m_valid_) {
            MSQX_HLS_UNROLL
            for (int u = 0; u < kUnits; ++u) {
              std::int64_t s = 0;
              MSQX_HLS_UNROLL
              for (int c = 0; c < kCols; ++c) s += m_[u][c];
              t_[u] = s;
            }
          }
        }
        // M: multipliers / shift-adds.
        m_valid_ = a_valid_;
        m_first_ = a_.first;
        m_last_ = a_.last;
        if (a_valid_) {
          MSQX_HLS_UNROLL
          for (int u = 0; u < kUnits; ++u) {
            MSQX_HLS_UNROLL
            for (int c = 0; c < kCols; ++c) m_[u][c] = Product(a_, u, c);
          }
        }
        // A: the skid register first, so that order is kept.
        if (skid_valid_) {
          a_ = skid_;
          a_valid_ = true;
          skid_valid_ = false;
        } else {
          a_valid_ = in_fire;
          if (in_fire) a_ = in_data.read();
        }
      } else if (in_fire) {
        skid_ = in_data.read();
        skid_valid_ = true;
      }
      in_ready_r = !skid_valid_;
      in_ready.write(in_ready_r);
      out_valid_r_ = out_v;
      out_valid.write(out_v);
      wait();
    }
  }

  InBus a_, skid_;
  bool a_valid_ = false, skid_valid_ = false;
  std::int64_t m_[kUnits][kCols] = {};
  bool m_valid_ = false, m_first_ = false, m_last_ = false;
  std::int64_t t_[kUnits] = {};
  bool t_valid_ = false, t_first_ = false, t_last_ = false;
  std::int64_t p_[kUnits] = {};
  bool out_valid_r_ = false;
};

// Concrete instances an HLS flow elaborates (4-bit weights and activations, as in the paper).
namespace cfg {
// Single PEs: one DSP48 MAC (1 or 2 products per DSP) and one SP2 shift-add MAC.
using FixedPe = PeArrayConfig<PeKind::kFixed, 1, 1, 4, 4, 4608>;
using FixedPePacked = PeArrayConfig<PeKind::kFixed, 2, 1, 4, 4, 4608, 2>;
using Sp2Pe = PeArrayConfig<PeKind::kSp2, 1, 1, 4, 4, 4608>;
// The engine pair of the reference designs and of the benchmark: 16x16 DSP + 16x24 SP2.
using DspArray = PeArrayConfig<PeKind::kFixed, 16, 16, 4, 4, 4608, 2>;
using LutArray = PeArrayConfig<PeKind::kSp2, 16, 24, 4, 4, 4608>;
}  // namespace cfg

using FixedPeTop = PeArray<cfg::FixedPe>;
using FixedPePackedTop = PeArray<cfg::FixedPePacked>;
using Sp2PeTop = PeArray<cfg::Sp2Pe>;
using DspArrayTop = PeArray<cfg::DspArray>;
using LutArrayTop = PeArray<cfg::LutArray>;

}  // namespace msqx::pe
