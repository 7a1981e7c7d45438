#pragma once
// The testbench of the pin-level core, one header for msqx's own tests and benchmark and for the
// testbench of every exported project (`msqx hls` copies it): a command source, a memory serving
// load requests from the activations (HWC) and the weight image, a store sink per engine, all with
// optional random gaps and back-pressure, and an optional hook that times loads and stores against
// an off-chip memory model (msqx's tests give it the DDR model of layer_memory.h).
//
// Simulation only: plain C++ around the core's ports, never synthesized.

#include <cstdint>
#include <deque>
#include <memory>
#include <random>
#include <systemc>
#include <vector>

#include "models/accel/core.h"
#include "models/pe/port_trace.h"

namespace msqx::accel::tb {

// Probabilities of a command offered, a request taken, a data beat offered and a store taken in
// a cycle (1: the ideal memory, as the cycle fidelity's timing assumes).
struct Traffic {
  double cmd_p = 1.0, req_ready_p = 1.0, data_p = 1.0, store_ready_p = 1.0;
};

// Off-chip timing: when a taken request may be answered, and when a finished tile leaves.
struct MemoryHook {
  virtual ~MemoryHook() = default;
  // A load request was taken in `cycle`: the first cycle its beat may be sent.
  virtual std::int64_t Taken(std::int64_t cycle) = 0;
  // The last word of the tile whose last chunk is command `step` was taken in `cycle`.
  virtual void Stored(std::size_t step, std::int64_t cycle) = 0;
};

// What the host writes into the core's registers and command stream: the layer's and the step's
// figures at the controller's widths, with the products the controller does not form (core_ports.h
// CoreRegs, CoreCmd). The layer has passed RegsFit and the command CoreFits.
inline CoreRegs CoreRegsOf(const LayerRegs& r) {
  CoreRegs c;
  c.in_c = static_cast<Dim>(r.in_c);
  c.in_h = static_cast<Dim>(r.in_h);
  c.in_w = static_cast<Dim>(r.in_w);
  c.out_c = static_cast<Dim>(r.out_c);
  c.kh = static_cast<Dim>(r.kh);
  c.kw = static_cast<Dim>(r.kw);
  c.sh = static_cast<Dim>(r.sh);
  c.sw = static_cast<Dim>(r.sw);
  c.fold = static_cast<Dim>(r.fold);
  c.fold_sw = static_cast<Dim>(r.fold_sw);
  c.taps = static_cast<Dim>(r.kh * r.kw);
  c.dw = r.dw != 0;
  c.in_row_elems = static_cast<Addr>(r.in_w) * r.in_c;
  c.out_row_elems = static_cast<Addr>(r.out_w) * r.out_c;
  c.dsp_mult = static_cast<Mult>(r.dsp_mult);
  c.lut_mult = static_cast<Mult>(r.lut_mult);
  c.dsp_shift = static_cast<std::uint8_t>(r.dsp_shift);
  c.lut_shift = static_cast<std::uint8_t>(r.lut_shift);
  c.act_bits = static_cast<std::uint8_t>(r.act_bits);
  return c;
}
inline CoreCmd CoreCmdOf(const LayerRegs& r, const StepCmd& s) {
  CoreCmd c;
  c.out_rows = static_cast<Dim>(s.out_rows);
  c.out_cols = static_cast<Dim>(s.out_cols);
  c.in_ch0 = static_cast<Dim>(s.in_ch0);
  c.in_chs = static_cast<Dim>(s.in_chs);
  c.ch0 = static_cast<Dim>(s.ch0);
  c.dsp_n = static_cast<Dim>(s.dsp_n);
  c.lut_n = static_cast<Dim>(s.lut_n);
  c.win_rows = static_cast<Dim>((s.out_rows - 1) * r.sh + r.kh);
  c.win_cols = static_cast<Dim>((s.out_cols - 1) * r.sw + r.kw);
  c.pixels = static_cast<Dim>(s.out_rows * s.out_cols);
  c.row_step = static_cast<Dim>(r.sh * c.win_cols);
  const int iy0 = s.out_row0 * r.sh - r.pt;
  c.iy0 = static_cast<Dim>(iy0);
  c.x0 =
      static_cast<Dim>(r.fold > 0 ? s.out_col0 * r.fold_sw - r.fold_pl : s.out_col0 * r.sw - r.pl);
  c.in_addr0 = static_cast<Addr>(static_cast<long long>(iy0) * r.in_w * r.in_c);
  c.out_addr0 =
      static_cast<Addr>((static_cast<long long>(s.out_row0) * r.out_w + s.out_col0) * r.out_c);
  c.dsp_w = s.dsp_w;
  c.lut_w = s.lut_w;
  c.first_chunk = s.first_chunk;
  c.last_chunk = s.last_chunk;
  return c;
}

// The fields of the core's port records in the order and with the names ICSC gives their ports
// (pe::PortTrace): `prefix_field`, an array's elements indexed.
inline void TraceFields(pe::PortTrace& t, const char* p, bool in, const CoreRegs& r) {
  t.Field(p, "in_c", -1, in, r.in_c);
  t.Field(p, "in_h", -1, in, r.in_h);
  t.Field(p, "in_w", -1, in, r.in_w);
  t.Field(p, "out_c", -1, in, r.out_c);
  t.Field(p, "kh", -1, in, r.kh);
  t.Field(p, "kw", -1, in, r.kw);
  t.Field(p, "sh", -1, in, r.sh);
  t.Field(p, "sw", -1, in, r.sw);
  t.Field(p, "fold", -1, in, r.fold);
  t.Field(p, "fold_sw", -1, in, r.fold_sw);
  t.Field(p, "taps", -1, in, r.taps);
  t.Field(p, "dw", -1, in, r.dw);
  t.Field(p, "in_row_elems", -1, in, r.in_row_elems);
  t.Field(p, "out_row_elems", -1, in, r.out_row_elems);
  t.Field(p, "dsp_mult", -1, in, r.dsp_mult);
  t.Field(p, "lut_mult", -1, in, r.lut_mult);
  t.Field(p, "dsp_shift", -1, in, r.dsp_shift);
  t.Field(p, "lut_shift", -1, in, r.lut_shift);
  t.Field(p, "act_bits", -1, in, r.act_bits);
}
inline void TraceFields(pe::PortTrace& t, const char* p, bool in, const CoreCmd& c) {
  t.Field(p, "out_rows", -1, in, c.out_rows);
  t.Field(p, "out_cols", -1, in, c.out_cols);
  t.Field(p, "in_ch0", -1, in, c.in_ch0);
  t.Field(p, "in_chs", -1, in, c.in_chs);
  t.Field(p, "ch0", -1, in, c.ch0);
  t.Field(p, "dsp_n", -1, in, c.dsp_n);
  t.Field(p, "lut_n", -1, in, c.lut_n);
  t.Field(p, "win_rows", -1, in, c.win_rows);
  t.Field(p, "win_cols", -1, in, c.win_cols);
  t.Field(p, "pixels", -1, in, c.pixels);
  t.Field(p, "row_step", -1, in, c.row_step);
  t.Field(p, "iy0", -1, in, c.iy0);
  t.Field(p, "x0", -1, in, c.x0);
  t.Field(p, "in_addr0", -1, in, c.in_addr0);
  t.Field(p, "out_addr0", -1, in, c.out_addr0);
  t.Field(p, "dsp_w", -1, in, c.dsp_w);
  t.Field(p, "lut_w", -1, in, c.lut_w);
  t.Field(p, "first_chunk", -1, in, c.first_chunk);
  t.Field(p, "last_chunk", -1, in, c.last_chunk);
}
inline void TraceFields(pe::PortTrace& t, const char* p, bool in, const LoadReq& q) {
  t.Field(p, "addr", -1, in, q.addr);
  t.Field(p, "count", -1, in, q.count);
  t.Field(p, "lane0", -1, in, q.lane0);
  t.Field(p, "weights", -1, in, q.weights);
}
template <typename T, int N>
void TraceFields(pe::PortTrace& t, const char* p, bool in, const pe::Bus<T, N>& b) {
  for (int i = 0; i < N; ++i) t.Field(p, "v", i, in, b.v[i]);
}
template <int N>
void TraceFields(pe::PortTrace& t, const char* p, bool in, const StoreWord<N>& w) {
  t.Field(p, "addr", -1, in, w.addr);
  t.Field(p, "count", -1, in, w.count);
  for (int i = 0; i < N; ++i) t.Field(p, "v", i, in, w.v[i]);
}
// A stream as the top sees it: valid and data in the direction of the data, ready against it.
template <typename T>
void TraceChannel(pe::PortTrace& t, const char* name, const char* data, bool in,
                  const pe::Channel<T>& c) {
  t.Field(name, "valid", -1, in, c.valid.read());
  t.Field(name, "ready", -1, !in, c.ready.read());
  TraceFields(t, data, in, c.data.read());
}

template <typename Cfg>
struct CoreBench : sc_core::sc_module {
  using Core = AccelCore<Cfg>;
  using Beat = typename Core::LoadBeat;
  using DspStore = typename Core::Dsp::Store;
  using LutStore = typename Core::Lut::Store;
  static constexpr double kPeriodNs = 10;

  sc_core::sc_clock clk{"clk", kPeriodNs, sc_core::SC_NS};
  sc_core::sc_in<bool> tb_clk{"tb_clk"};
  sc_core::sc_signal<bool> rst{"rst"};
  sc_core::sc_signal<CoreRegs> regs{"regs"};
  pe::Channel<CoreCmd> cmd{"cmd"};
  LayerRegs layer;  // what regs holds, as the models describe it
  pe::Channel<LoadReq> ld_req{"ld_req"};
  pe::Channel<Beat> ld{"ld"};
  pe::Channel<DspStore> st_dsp{"st_dsp"};
  pe::Channel<LutStore> st_lut{"st_lut"};
  std::unique_ptr<Core> core;

  std::mt19937 rng;
  Traffic traffic;
  MemoryHook* hook = nullptr;
  std::vector<StepCmd> cmds;
  std::vector<std::uint8_t> acts, weights;  // HWC activations, the weight image
  std::vector<int> out;                     // stored activations, -1 = not written
  long long stores = 0, double_writes = 0, stop_after = 0, last_store = -1;
  std::vector<long long> cmd_cycles;  // handshake cycle of each command
  // Members, not locals: a SystemC thread never returns, so its locals are never destroyed.
  std::deque<LoadReq> pending;
  std::deque<std::int64_t> ready;  // per pending request: first cycle it may be answered
  std::size_t store_step = 0;
  long long tile_words = 0;
  pe::PortTrace trace;  // the core's ports, cycle by cycle, when opened (RTL co-simulation)

  SC_HAS_PROCESS(CoreBench);
  CoreBench(const sc_core::sc_module_name& n, unsigned seed, Traffic t)
      : sc_module(n), rng(seed), traffic(t) {
    core = std::make_unique<Core>("core");
    core->clk(clk);
    core->rst(rst);
    core->regs(regs);
    core->cmd.Bind(cmd);
    core->ld_req.Bind(ld_req);
    core->ld.Bind(ld);
    core->st_dsp.Bind(st_dsp);
    core->st_lut.Bind(st_lut);
    tb_clk(clk);
    SC_CTHREAD(Commands, tb_clk.pos());
    SC_CTHREAD(Memory, tb_clk.pos());
    SC_CTHREAD(Stores, tb_clk.pos());
    SC_METHOD(Probe);
    sensitive << clk.negedge_event();
    dont_initialize();
  }

  // Between two rising edges every signal is settled: the cycle's inputs and outputs of the core.
  void Probe() {
    if (!trace.open()) return;
    trace.Field("rst", "", -1, true, rst.read());
    TraceFields(trace, "regs", true, regs.read());
    TraceChannel(trace, "cmd", "cmd_data", true, cmd);
    TraceChannel(trace, "ld_req", "ld_req_data", false, ld_req);
    TraceChannel(trace, "ld", "ld_data", true, ld);
    TraceChannel(trace, "st_dsp", "st_dsp_data", false, st_dsp);
    TraceChannel(trace, "st_lut", "st_lut_data", false, st_lut);
    trace.EndCycle();
  }

  static long long Cycle() {
    return static_cast<long long>(sc_core::sc_time_stamp() /
                                  sc_core::sc_time(kPeriodNs, sc_core::SC_NS));
  }
  bool Coin(double p) { return p >= 1.0 || std::uniform_real_distribution<double>(0, 1)(rng) < p; }

  // Runs the layer: reset, then until every output is stored or `max_cycles` have passed.
  void Run(const LayerRegs& r, long long max_cycles) {
    stop_after = static_cast<long long>(out.size());
    layer = r;
    regs.write(CoreRegsOf(r));
    rst.write(true);
    sc_core::sc_start(2.5 * kPeriodNs, sc_core::SC_NS);
    rst.write(false);
    sc_core::sc_start(
        sc_core::sc_time(static_cast<double>(max_cycles) * kPeriodNs, sc_core::SC_NS));
  }
  long long FirstCommand() const { return cmd_cycles.empty() ? -1 : cmd_cycles.front(); }

  void Commands() {
    cmd.valid.write(false);
    bool valid = false;
    std::size_t i = 0;
    wait();
    while (true) {
      if (valid && cmd.ready.read()) {
        cmd_cycles.push_back(Cycle());
        ++i;
        valid = false;
      }
      if (!valid && i < cmds.size() && Coin(traffic.cmd_p)) {
        cmd.data.write(CoreCmdOf(layer, cmds[i]));
        valid = true;
      }
      cmd.valid.write(valid);
      wait();
    }
  }

  // The words of a tile: each engine's row groups x pixels of its last chunk. Counted where the
  // memory sees them, so that a tile's writes come before the loads of the same cycle.
  void CountStores() {
    const long long taken = (st_dsp.valid.read() && st_dsp.ready.read() ? 1 : 0) +
                            (st_lut.valid.read() && st_lut.ready.read() ? 1 : 0);
    for (long long k = 0; k < taken; ++k) {
      while (store_step < cmds.size() && !cmds[store_step].last_chunk) ++store_step;
      if (store_step >= cmds.size()) return;
      const StepCmd& c = cmds[store_step];
      const long long pixels = static_cast<long long>(c.out_rows) * c.out_cols;
      // A row group's channels: its rows, or depthwise a channel per DSP when packed.
      const long long dsp_slots = layer.dw ? Core::Dsp::kR / Core::Dsp::kPack : Core::Dsp::kR;
      const long long words =
          ((c.dsp_n + dsp_slots - 1) / dsp_slots + (c.lut_n + Core::Lut::kR - 1) / Core::Lut::kR) *
          pixels;
      if (++tile_words == words) {
        if (hook) hook->Stored(store_step, Cycle());
        tile_words = 0;
        ++store_step;
      }
    }
  }

  // Takes requests (with back-pressure) and answers them in order, one beat per cycle, each no
  // earlier than the cycle after it was taken (or the hook's cycle).
  void Memory() {
    ld_req.ready.write(false);
    ld.valid.write(false);
    bool ready_r = false, valid = false;
    wait();
    while (true) {
      CountStores();
      if (valid && ld.ready.read()) {
        pending.pop_front();
        ready.pop_front();
        valid = false;
      }
      if (ready_r && ld_req.valid.read()) {
        pending.push_back(ld_req.data.read());
        ready.push_back(hook ? hook->Taken(Cycle()) : 0);
      }
      if (!valid && !pending.empty() && Cycle() >= ready.front() && Coin(traffic.data_p)) {
        const LoadReq& q = pending.front();
        const std::vector<std::uint8_t>& src = q.weights ? weights : acts;
        Beat b;
        for (int l = 0; l < q.count; ++l) b[q.lane0 + l] = src.at(q.addr + l);
        ld.data.write(b);
        valid = true;
      }
      ready_r = Coin(traffic.req_ready_p);
      ld_req.ready.write(ready_r);
      ld.valid.write(valid);
      wait();
    }
  }

  template <typename Word>
  void Take(const Word& w) {
    for (int l = 0; l < w.count; ++l) {
      int& o = out.at(w.addr + l);
      if (o >= 0) ++double_writes;
      o = w.v[l];
      ++stores;
    }
    last_store = Cycle();
  }

  void Stores() {
    st_dsp.ready.write(false);
    st_lut.ready.write(false);
    bool dsp_r = false, lut_r = false;
    wait();
    while (true) {
      if (dsp_r && st_dsp.valid.read()) Take(st_dsp.data.read());
      if (lut_r && st_lut.valid.read()) Take(st_lut.data.read());
      if (stop_after > 0 && stores >= stop_after) sc_core::sc_stop();
      dsp_r = Coin(traffic.store_ready_p);
      lut_r = Coin(traffic.store_ready_p);
      st_dsp.ready.write(dsp_r);
      st_lut.ready.write(lut_r);
      wait();
    }
  }
};

}  // namespace msqx::accel::tb
