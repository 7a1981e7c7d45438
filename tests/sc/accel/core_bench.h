#pragma once
// Testbench of the pin-level core, shared by the core tests and the benchmark: a command source,
// a memory model serving load requests (random request back-pressure, random data gaps), a store
// sink with random back-pressure, and the golden convolution that the stored tensor must equal.

#include <cstdint>
#include <deque>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <systemc>
#include <vector>

#include "models/accel/core.h"
#include "models/accel/golden.h"
#include "models/accel/layer_memory.h"
#include "tests/sc/pe/tb_util.h"

namespace msqx::accel::tb {

struct Traffic {
  double cmd_p = 1.0, req_ready_p = 1.0, data_p = 1.0, store_ready_p = 1.0;
};

template <typename Cfg>
struct CoreBench : sc_core::sc_module {
  using Core = AccelCore<Cfg>;
  using Beat = typename Core::LoadBeat;
  sc_core::sc_clock clk{"clk", 10, sc_core::SC_NS};
  sc_core::sc_in<bool> tb_clk{"tb_clk"};
  sc_core::sc_signal<bool> rst{"rst"};
  sc_core::sc_signal<LayerRegs> regs{"regs"};
  sc_core::sc_signal<bool> cmd_valid{"cmd_valid"}, cmd_ready{"cmd_ready"};
  sc_core::sc_signal<StepCmd> cmd{"cmd"};
  sc_core::sc_signal<bool> req_valid{"req_valid"}, req_ready{"req_ready"};
  sc_core::sc_signal<LoadReq> req{"req"};
  sc_core::sc_signal<bool> ld_valid{"ld_valid"}, ld_ready{"ld_ready"};
  sc_core::sc_signal<Beat> ld_data{"ld_data"};
  sc_core::sc_signal<bool> st_valid{"st_valid"}, st_ready{"st_ready"};
  sc_core::sc_signal<StoreBeat> st_data{"st_data"};
  std::unique_ptr<Core> core;

  std::mt19937 rng;
  Traffic traffic;
  std::vector<StepCmd> cmds;
  std::vector<std::uint8_t> acts, weights;  // HWC activations, OHWI weight codes
  std::vector<int> out;                     // stored activations, -1 = not written
  long long stores = 0, double_writes = 0, stop_after = 0;
  std::vector<long long> cmd_cycles;  // handshake cycle of each command
  // Requests taken, not yet answered. A member: a SystemC thread never returns, so its locals
  // would never be destroyed.
  std::deque<LoadReq> pending;
  long long last_store_cycle = -1;
  // Optional off-chip memory (layer_memory.h): load answers wait for their DMA transfer, finished
  // output tiles are written out. Null: the ideal memory.
  LayerMemory* memory = nullptr;
  CoreTiming timing;               // the instance's figures, for the load items of a step
  std::deque<std::int64_t> ready;  // per pending request: first cycle it may be answered
  std::vector<LoadSegment> segments;
  std::size_t load_step = 0, seg = 0;
  std::int64_t seg_left = 0, step_left = 0;
  std::size_t store_step = 0;
  std::int64_t store_beats = 0;

  SC_HAS_PROCESS(CoreBench);
  CoreBench(const sc_core::sc_module_name& n, unsigned seed, Traffic t)
      : sc_module(n), rng(seed), traffic(t) {
    core = std::make_unique<Core>("core");
    core->clk(clk);
    core->rst(rst);
    core->regs(regs);
    core->cmd_valid(cmd_valid);
    core->cmd_ready(cmd_ready);
    core->cmd(cmd);
    core->ld_req_valid(req_valid);
    core->ld_req_ready(req_ready);
    core->ld_req(req);
    core->ld_valid(ld_valid);
    core->ld_ready(ld_ready);
    core->ld_data(ld_data);
    core->st_valid(st_valid);
    core->st_ready(st_ready);
    core->st_data(st_data);
    tb_clk(clk);
    SC_CTHREAD(CmdSource, tb_clk.pos());
    SC_CTHREAD(Memory, tb_clk.pos());
    SC_CTHREAD(StoreSink, tb_clk.pos());
  }

  static long long Cycle() {
    return sc_core::sc_time_stamp() / sc_core::sc_time(10, sc_core::SC_NS);
  }

  void CmdSource() {
    cmd_valid.write(false);
    bool valid = false;
    size_t i = 0;
    wait();
    while (true) {
      if (valid && cmd_ready.read()) {
        cmd_cycles.push_back(Cycle());
        ++i;
        valid = false;
      }
      if (!valid && i < cmds.size() && msqx::tb::Coin(rng, traffic.cmd_p)) {
        cmd.write(cmds[i]);
        valid = true;
      }
      cmd_valid.write(valid);
      wait();
    }
  }

  // Stores go to the memory before loads of the same cycle (layer_memory.h).
  void StoreToMemory() {
    if (!memory || !st_valid.read() || !st_ready.read()) return;
    while (store_step < cmds.size() && !cmds[store_step].last_chunk) ++store_step;
    const StepCmd& c = cmds.at(store_step);
    if (++store_beats == std::int64_t{c.dsp_n + c.lut_n} * c.out_rows * c.out_cols) {
      memory->Store(c, Cycle());
      store_beats = 0;
      ++store_step;
    }
  }

  // The cycle from which a request taken now may be answered.
  std::int64_t ReadyOfNextRequest() {
    if (!memory) return 0;
    if (step_left == 0) {
      const StepCmd& c = cmds.at(load_step++);
      memory->Load(c, Cycle(), segments);
      step_left = ItemsOf(c, regs.read().kernel, regs.read().stride, timing).Total();
      seg = 0;
      seg_left = segments.at(0).items;
    }
    while (seg_left == 0) seg_left = segments.at(++seg).items;
    --seg_left;
    --step_left;
    return segments[seg].ready;
  }

  void Memory() {
    req_ready.write(false);
    ld_valid.write(false);
    bool ready_r = false, valid = false;
    wait();
    while (true) {
      StoreToMemory();
      if (valid && ld_ready.read()) {
        pending.pop_front();
        ready.pop_front();
        valid = false;
      }
      if (ready_r && req_valid.read()) {
        pending.push_back(req.read());
        ready.push_back(ReadyOfNextRequest());
      }
      if (!valid && !pending.empty() && Cycle() >= ready.front() &&
          msqx::tb::Coin(rng, traffic.data_p)) {
        const LoadReq& r = pending.front();
        const auto& src = r.weights ? weights : acts;
        Beat b;
        for (int l = 0; l < r.count; ++l) b[l] = src.at(r.addr + l);
        ld_data.write(b);
        valid = true;
      }
      ready_r = msqx::tb::Coin(rng, traffic.req_ready_p);
      req_ready.write(ready_r);
      ld_valid.write(valid);
      wait();
    }
  }

  void StoreSink() {
    st_ready.write(false);
    bool ready = false;
    wait();
    while (true) {
      if (ready && st_valid.read()) {
        const StoreBeat s = st_data.read();
        if (out.at(s.addr) >= 0) ++double_writes;
        out.at(s.addr) = s.value;
        last_store_cycle = Cycle();
        if (++stores == stop_after) sc_core::sc_stop();
      }
      ready = msqx::tb::Coin(rng, traffic.store_ready_p);
      st_ready.write(ready);
      wait();
    }
  }
};

// A layer with random data, its schedule, and the golden output.
struct LayerCase {
  golden::ConvLayer layer;
  int act_bits = 4, weight_bits = 4;
  double fixed_share = 0.5;
  spec::TileSpec tile;
  Schedule schedule;
  LayerRegs regs;
  std::vector<std::uint8_t> acts, codes;
  std::vector<int> expected;
};

inline LayerShape ShapeOf(const golden::ConvLayer& l) {
  LayerShape s;
  s.in_channels = l.in_c;
  s.in_height = l.in_h;
  s.in_width = l.in_w;
  s.out_channels = l.out_c;
  s.out_height = l.OutH();
  s.out_width = l.OutW();
  s.kernel = l.kernel;
  s.stride = l.stride;
  s.padding = l.padding;
  s.depthwise = l.depthwise;
  return s;
}

inline LayerCase MakeCase(const golden::ConvLayer& l, double fixed_share, spec::TileSpec tile,
                          std::mt19937& rng) {
  LayerCase c;
  c.layer = l;
  c.fixed_share = fixed_share;
  c.tile = tile;
  const LayerShape shape = ShapeOf(l);
  c.schedule = MakeSchedule(shape, tile, SplitFilters(l.out_c, fixed_share));
  c.regs = RegsOf(shape, c.act_bits);
  c.acts.resize(static_cast<size_t>(l.in_h) * l.in_w * l.in_c);
  for (auto& a : c.acts) a = static_cast<std::uint8_t>(rng() % (1u << c.act_bits));
  const size_t per_filter = static_cast<size_t>(l.kernel) * l.kernel * l.WeightIc();
  c.codes.resize(per_filter * l.out_c);
  std::vector<std::int64_t> w(c.codes.size());
  const auto& fixed = c.schedule.split.fixed;
  for (int oc = 0; oc < l.out_c; ++oc) {
    const bool is_fixed = std::binary_search(fixed.begin(), fixed.end(), oc);
    for (size_t i = 0; i < per_filter; ++i) {
      std::uint8_t code;
      if (is_fixed) {
        const int m = c.weight_bits;
        const int v = static_cast<int>(rng() % ((1u << m) - 1)) - ((1 << (m - 1)) - 1);
        code = static_cast<std::uint8_t>(v & ((1 << m) - 1));
        w[oc * per_filter + i] = golden::FixedWeight(code, m);
      } else {
        code = static_cast<std::uint8_t>(rng() % (1u << c.weight_bits));
        w[oc * per_filter + i] =
            golden::Sp2Weight(code, c.weight_bits / 2, (c.weight_bits - 1) / 2);
      }
      c.codes[oc * per_filter + i] = code;
    }
  }
  const std::vector<std::int64_t> acc = golden::Conv(l, c.acts, w);
  // Requantization that maps a typical accumulator onto the activation range (ReLU cuts the rest).
  const long long depth = static_cast<long long>(l.WeightIc()) * l.kernel * l.kernel;
  int shift = 0;
  while ((1LL << shift) < depth * 4) ++shift;
  c.regs.dsp_mult = 3 + static_cast<int>(rng() % 13);
  c.regs.lut_mult = 3 + static_cast<int>(rng() % 13);
  c.regs.dsp_shift = shift;
  c.regs.lut_shift = shift + 1;
  c.expected.resize(acc.size());
  for (size_t i = 0; i < acc.size(); ++i) {
    const int oc = static_cast<int>(i % l.out_c);
    const bool is_fixed = std::binary_search(fixed.begin(), fixed.end(), oc);
    c.expected[i] = static_cast<int>(
        golden::Requantize(acc[i], is_fixed ? c.regs.dsp_mult : c.regs.lut_mult,
                           is_fixed ? c.regs.dsp_shift : c.regs.lut_shift, c.act_bits));
  }
  return c;
}

// Runs a case through the core. Throws if a command does not fit the instance.
template <typename Cfg>
std::unique_ptr<CoreBench<Cfg>> RunCase(const LayerCase& c, unsigned seed, Traffic t,
                                        LayerMemory* memory = nullptr, CoreTiming timing = {}) {
  auto tb = std::make_unique<CoreBench<Cfg>>("tb", seed, t);
  tb->memory = memory;
  tb->timing = timing;
  tb->cmds = CommandsOf(c.schedule);
  for (const StepCmd& cmd : tb->cmds) {
    const std::string why = AccelCore<Cfg>::Fits(c.regs, cmd);
    if (!why.empty()) throw std::invalid_argument(why);
  }
  tb->acts = c.acts;
  tb->weights = c.codes;
  tb->out.assign(c.expected.size(), -1);
  tb->stop_after = static_cast<long long>(c.expected.size());
  tb->regs.write(c.regs);
  tb->rst.write(true);
  sc_core::sc_start(25, sc_core::SC_NS);
  tb->rst.write(false);
  sc_core::sc_start(sc_core::sc_time(10.0 * 20'000'000, sc_core::SC_NS));
  return tb;
}

}  // namespace msqx::accel::tb
