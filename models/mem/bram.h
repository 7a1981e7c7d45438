#pragma once
// Synthesizable block-RAM buffer: kBanks independent banks of kDepth words, two ports per bank,
// 1 or 2 cycles read latency, read-first.
//
//   simple dual-port (SDP): port A writes, port B reads (A's read data is not driven, B's write
//                           enable is ignored). Maps to one BRAM in SDP mode (widest shapes).
//   true dual-port (TDP):   both ports read and write.
//
// A cycle: every enabled port's read happens first, then every enabled write. So a read of an
// address written in the same cycle (on either port) returns the OLD word: read-first. Two writes
// to one address in one cycle are a usage error (undefined on the FPGA); the model keeps port B's.
// Read data: latency 1 = the BRAM's output latch (the word is on rdata after the edge that took
// the address); latency 2 = plus the optional output register (DOA_REG/DOB_REG), one edge later.
// Banks share nothing but the clock: each bank has its own addresses, which is what lets an engine
// read several words of one tile in the same cycle.
//
// In ICSC's translation (__SC_TOOL__) the module is a SystemVerilog intrinsic: ICSC instantiates
// msqx_bram_icsc (dse/hls/templates/msqx_bram_icsc.sv around msqx_bram.sv, block RAM that Vivado
// and Yosys infer) instead of translating Run(), whose array it would make a register file.
// Simulation never sees the intrinsic.

#include <cstdint>
#include <type_traits>
#ifdef __SC_TOOL__
#include <string>
#endif

#include <systemc>

#include "models/pe/pe_types.h"

namespace msqx::mem {

// A word is Lanes elements of type ElemT, and the banks' words travel flattened in one Bus (bank b,
// lane l at v[b * Lanes + l]): ICSC takes no record inside a record. The block RAM keeps Bits bits
// of each element (0: all of ElemT), read back zero- or sign-extended as ElemT is unsigned or
// signed: a 4-bit code or a 15-bit partial sum takes 4 or 15 bits of the BRAM's width, not a
// byte or 32 (the resource model counts them so).
template <typename ElemT, int Lanes, int Depth, int Latency, bool TrueDualPort, int Banks = 1,
          int Bits = 0>
struct BramConfig {
  using Elem = ElemT;
  static constexpr int kElemBits = std::is_same_v<ElemT, bool> ? 1 : 8 * sizeof(ElemT);
  static constexpr int kBits = Bits > 0 ? Bits : kElemBits;
  static_assert(kBits >= 1 && kBits <= kElemBits, "an element keeps 1 to all of its bits");
  static constexpr int kLanes = Lanes;
  static constexpr int kDepth = Depth;
  static constexpr int kLatency = Latency;
  static constexpr bool kTrueDualPort = TrueDualPort;
  static constexpr int kBanks = Banks;
};

template <typename Cfg>
struct Bram : sc_core::sc_module {
  static constexpr int kB = Cfg::kBanks;
  static_assert(Cfg::kLatency == 1 || Cfg::kLatency == 2, "read latency is 1 or 2 cycles");
  static_assert(Cfg::kDepth > 0 && kB > 0, "empty buffer");
  static constexpr int kN = Cfg::kLanes;
  using Elem = typename Cfg::Elem;
  using Flags = pe::Bus<bool, kB>;
  using Addrs = pe::Bus<std::uint32_t, kB>;
  using Words = pe::Bus<Elem, kB * kN>;

  sc_core::sc_in<bool> clk{"clk"};
  sc_core::sc_in<bool> rst{"rst"};
  sc_core::sc_in<Flags> a_en{"a_en"}, a_we{"a_we"};
  sc_core::sc_in<Addrs> a_addr{"a_addr"};
  sc_core::sc_in<Words> a_wdata{"a_wdata"};
  sc_core::sc_out<Words> a_rdata{"a_rdata"};
  sc_core::sc_in<Flags> b_en{"b_en"}, b_we{"b_we"};
  sc_core::sc_in<Addrs> b_addr{"b_addr"};
  sc_core::sc_in<Words> b_wdata{"b_wdata"};
  sc_core::sc_out<Words> b_rdata{"b_rdata"};

  SC_HAS_PROCESS(Bram);
  explicit Bram(const sc_core::sc_module_name& name) : sc_module(name) {
    SC_CTHREAD(Run, clk.pos());
    reset_signal_is(rst, true);
  }

#ifdef __SC_TOOL__
  // ICSC's intrinsic (its user guide, "SystemVerilog intrinsic insertion"): an empty module text
  // means the module is defined elsewhere (msqx_bram_icsc.sv), and the name is what the instance
  // is declared as, parameters included. The data ports' element type is Elem's width and sign.
  std::string __SC_TOOL_VERILOG_MOD__ = "";
  std::string __SC_TOOL_MODULE_NAME__ = IntrinsicName();
  static std::string IntrinsicName() {
    static_assert(std::is_integral_v<Elem>, "the SystemVerilog block RAM takes integer elements");
    return std::string(std::is_signed_v<Elem> ? "msqx_bram_icsc_signed" : "msqx_bram_icsc") +
           " #(.BANKS(" + std::to_string(kB) + "), .LANES(" + std::to_string(kN) + "), .WIDTH(" +
           std::to_string(Cfg::kElemBits) + "), .DEPTH(" + std::to_string(Cfg::kDepth) +
           "), .LATENCY(" + std::to_string(Cfg::kLatency) + "), .TDP(" +
           std::to_string(Cfg::kTrueDualPort ? 1 : 0) + "), .STORED(" + std::to_string(Cfg::kBits) +
           "))";
  }
#endif

  // Simulation-only access for testbenches and preloading.
  Elem& Peek(int bank, int addr, int lane) { return mem_[bank][addr][lane]; }

 private:
  void Run() {
    // Reset clears the output registers only; BRAM contents survive reset as on the FPGA.
    Words a_out, b_out;
    a_rdata.write(a_out);
    b_rdata.write(b_out);
    wait();
    while (true) {
      const Flags ae = a_en.read(), be = b_en.read();
      const Flags aw = a_we.read(), bw = b_we.read();
      const Addrs aa = a_addr.read(), ba = b_addr.read();
      Words a_lat = a_latch_, b_lat = b_latch_;
      // Enables are tested once per port, not per lane: a word is hundreds of lanes wide.
      for (int b = 0; b < kB; ++b) {
        if (Cfg::kTrueDualPort && ae.v[b]) {
          for (int l = 0; l < kN; ++l) a_lat.v[b * kN + l] = mem_[b][aa.v[b] % Cfg::kDepth][l];
        }
        if (be.v[b]) {
          for (int l = 0; l < kN; ++l) b_lat.v[b * kN + l] = mem_[b][ba.v[b] % Cfg::kDepth][l];
        }
      }
      const Words awd = a_wdata.read(), bwd = b_wdata.read();
      for (int b = 0; b < kB; ++b) {
        if (ae.v[b] && aw.v[b]) {
          for (int l = 0; l < kN; ++l) mem_[b][aa.v[b] % Cfg::kDepth][l] = Kept(awd.v[b * kN + l]);
        }
        if (Cfg::kTrueDualPort && be.v[b] && bw.v[b]) {
          for (int l = 0; l < kN; ++l) mem_[b][ba.v[b] % Cfg::kDepth][l] = Kept(bwd.v[b * kN + l]);
        }
      }
      if constexpr (Cfg::kLatency == 1) {
        if (Cfg::kTrueDualPort) a_rdata.write(a_lat);
        b_rdata.write(b_lat);
      } else {
        // The output register samples the latch of the previous cycle.
        if (Cfg::kTrueDualPort) a_rdata.write(a_latch_);
        b_rdata.write(b_latch_);
      }
      a_latch_ = a_lat;
      b_latch_ = b_lat;
      wait();
    }
  }

  // What the BRAM keeps of an element: its low kBits, read back extended by Elem's sign.
  static Elem Kept(Elem v) {
    if constexpr (Cfg::kBits == Cfg::kElemBits) {
      return v;
    } else {
      using U = std::make_unsigned_t<Elem>;
      constexpr U kMask = static_cast<U>((U{1} << Cfg::kBits) - 1);
      U u = static_cast<U>(v) & kMask;
      if constexpr (std::is_signed_v<Elem>) {
        constexpr U kSign = static_cast<U>(U{1} << (Cfg::kBits - 1));
        u = static_cast<U>((u ^ kSign) - kSign);
      }
      return static_cast<Elem>(u);
    }
  }

  Words a_latch_, b_latch_;
  Elem mem_[kB][Cfg::kDepth][kN] = {};
};

}  // namespace msqx::mem
