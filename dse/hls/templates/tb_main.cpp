// Self-checking testbench of an exported msqx design point (copied verbatim by `msqx hls`; the
// design is in msqx_top.h, the layer in layer_case.h, both generated).
//
// It runs one layer of the design's network through Top (the pin-level core) with seeded random
// activations and weight codes, an ideal memory (every load request answered in the next cycle,
// every store taken at once) and the layer's step commands, then checks
//   1. every output activation equals the golden integer convolution + requantization
//      (models/accel/golden.h), bit for bit;
//   2. the cycles from the first command handshake to the last store equal kExpectedCycles, the
//      cycle fidelity's count for this layer with the same ideal memory
//      (`msqx sim --design D --network N --memory ideal`, layers.csv).
// Exit status 0 on pass, 1 on a mismatch. The last line is one JSON object for `msqx hls --check`.
#include <cstdint>
#include <cstdio>
#include <deque>
#include <random>
#include <systemc>
#include <vector>

#include "layer_case.h"
#include "models/accel/golden.h"
#include "msqx_top.h"

namespace {

using msqx::accel::LoadReq;
using msqx::accel::StepCmd;
using msqx::accel::StoreBeat;
using Beat = Top::LoadBeat;

constexpr double kPeriodNs = 10;  // simulation time base only; the design's clock is in msqx_top.h

struct Testbench : sc_core::sc_module {
  sc_core::sc_clock clk{"clk", kPeriodNs, sc_core::SC_NS};
  sc_core::sc_in<bool> tb_clk{"tb_clk"};
  sc_core::sc_signal<bool> rst{"rst"};
  sc_core::sc_signal<msqx::accel::LayerRegs> regs{"regs"};
  sc_core::sc_signal<bool> cmd_valid{"cmd_valid"}, cmd_ready{"cmd_ready"};
  sc_core::sc_signal<StepCmd> cmd{"cmd"};
  sc_core::sc_signal<bool> req_valid{"req_valid"}, req_ready{"req_ready"};
  sc_core::sc_signal<LoadReq> req{"req"};
  sc_core::sc_signal<bool> ld_valid{"ld_valid"}, ld_ready{"ld_ready"};
  sc_core::sc_signal<Beat> ld_data{"ld_data"};
  sc_core::sc_signal<bool> st_valid{"st_valid"}, st_ready{"st_ready"};
  sc_core::sc_signal<StoreBeat> st_data{"st_data"};
  Top top{"top"};

  std::vector<StepCmd> cmds;
  std::vector<std::uint8_t> acts, weights;
  std::vector<int> out;
  std::deque<LoadReq> pending;  // a member: a SystemC thread's locals are never destroyed
  long long stores = 0, double_writes = 0, first_cmd = -1, last_store = -1;

  SC_HAS_PROCESS(Testbench);
  explicit Testbench(const sc_core::sc_module_name& n) : sc_module(n) {
    top.clk(clk);
    top.rst(rst);
    top.regs(regs);
    top.cmd_valid(cmd_valid);
    top.cmd_ready(cmd_ready);
    top.cmd(cmd);
    top.ld_req_valid(req_valid);
    top.ld_req_ready(req_ready);
    top.ld_req(req);
    top.ld_valid(ld_valid);
    top.ld_ready(ld_ready);
    top.ld_data(ld_data);
    top.st_valid(st_valid);
    top.st_ready(st_ready);
    top.st_data(st_data);
    tb_clk(clk);
    SC_CTHREAD(Commands, tb_clk.pos());
    SC_CTHREAD(Memory, tb_clk.pos());
    SC_CTHREAD(Stores, tb_clk.pos());
  }

  static long long Cycle() {
    return static_cast<long long>(sc_core::sc_time_stamp() /
                                  sc_core::sc_time(kPeriodNs, sc_core::SC_NS));
  }

  void Commands() {
    cmd_valid.write(false);
    std::size_t i = 0;
    wait();
    while (true) {
      if (cmd_valid.read() && cmd_ready.read()) {
        if (first_cmd < 0) first_cmd = Cycle();
        ++i;
      }
      const bool valid = i < cmds.size();
      if (valid) cmd.write(cmds[i]);
      cmd_valid.write(valid);
      wait();
    }
  }

  // Takes a request every cycle and answers the oldest one the cycle after it was taken.
  void Memory() {
    req_ready.write(false);
    ld_valid.write(false);
    wait();
    while (true) {
      if (ld_valid.read() && ld_ready.read()) pending.pop_front();
      if (req_ready.read() && req_valid.read()) pending.push_back(req.read());
      const bool valid = !pending.empty();
      if (valid) {
        const LoadReq& r = pending.front();
        const std::vector<std::uint8_t>& src = r.weights ? weights : acts;
        Beat b;
        for (int l = 0; l < r.count; ++l) b[l] = src.at(r.addr + l);
        ld_data.write(b);
      }
      ld_valid.write(valid);
      req_ready.write(true);
      wait();
    }
  }

  void Stores() {
    st_ready.write(false);
    wait();
    while (true) {
      if (st_ready.read() && st_valid.read()) {
        const StoreBeat s = st_data.read();
        if (out.at(s.addr) >= 0) ++double_writes;
        out.at(s.addr) = s.value;
        last_store = Cycle();
        if (++stores == static_cast<long long>(out.size())) sc_core::sc_stop();
      }
      st_ready.write(true);
      wait();
    }
  }
};

// Weight codes drawn as the scheme makes them: a fixed-point filter's m-bit two's complement codes
// symmetric around zero, an SP2 filter's codes anywhere in the m-bit code space.
void MakeData(std::mt19937& rng, std::vector<std::uint8_t>* acts, std::vector<std::uint8_t>* codes,
              std::vector<std::int64_t>* values) {
  const msqx::accel::LayerRegs r = msqx_case::Regs();
  const int m = msqx_case::kWeightBits;
  acts->resize(static_cast<std::size_t>(r.in_h) * r.in_w * r.in_c);
  for (auto& a : *acts) a = static_cast<std::uint8_t>(rng() % (1u << r.act_bits));
  const std::size_t per_filter =
      static_cast<std::size_t>(r.kernel) * r.kernel * (r.depthwise ? 1 : r.in_c);
  codes->resize(per_filter * r.out_c);
  values->resize(codes->size());
  for (int oc = 0; oc < r.out_c; ++oc) {
    const bool fixed = msqx_case::kFixedFilters[oc] == '1';
    for (std::size_t i = 0; i < per_filter; ++i) {
      std::uint8_t code;
      std::int64_t value;
      if (fixed) {
        const int v = static_cast<int>(rng() % ((1u << m) - 1)) - ((1 << (m - 1)) - 1);
        code = static_cast<std::uint8_t>(v & ((1 << m) - 1));
        value = msqx::accel::golden::FixedWeight(code, m);
      } else {
        code = static_cast<std::uint8_t>(rng() % (1u << m));
        value = msqx::accel::golden::Sp2Weight(code, msqx_case::kSp2M1, msqx_case::kSp2M2);
      }
      (*codes)[oc * per_filter + i] = code;
      (*values)[oc * per_filter + i] = value;
    }
  }
}

std::vector<int> Expected(const std::vector<std::uint8_t>& acts,
                          const std::vector<std::int64_t>& values) {
  const msqx::accel::LayerRegs r = msqx_case::Regs();
  msqx::accel::golden::ConvLayer l;
  l.in_c = r.in_c;
  l.in_h = r.in_h;
  l.in_w = r.in_w;
  l.out_c = r.out_c;
  l.kernel = r.kernel;
  l.stride = r.stride;
  l.padding = r.padding;
  // Trailing padding as the layer's output size implies (ONNX's [0, 0, 1, 1]).
  l.pad_bottom = std::max(0, (r.out_h - 1) * r.stride + r.kernel - r.in_h - r.padding);
  l.pad_right = std::max(0, (r.out_w - 1) * r.stride + r.kernel - r.in_w - r.padding);
  l.depthwise = r.depthwise;
  const std::vector<std::int64_t> acc = msqx::accel::golden::Conv(l, acts, values);
  std::vector<int> y(acc.size());
  for (std::size_t i = 0; i < acc.size(); ++i) {
    const bool fixed = msqx_case::kFixedFilters[i % r.out_c] == '1';
    y[i] = static_cast<int>(msqx::accel::golden::Requantize(
        acc[i], fixed ? r.dsp_mult : r.lut_mult, fixed ? r.dsp_shift : r.lut_shift, r.act_bits));
  }
  return y;
}

}  // namespace

int sc_main(int, char*[]) {
  std::mt19937 rng(msqx_case::kSeed);
  std::vector<std::uint8_t> acts, codes;
  std::vector<std::int64_t> values;
  MakeData(rng, &acts, &codes, &values);
  const std::vector<int> expected = Expected(acts, values);

  Testbench tb("tb");
  tb.cmds = msqx_case::Commands();
  tb.acts = acts;
  tb.weights = codes;
  tb.out.assign(expected.size(), -1);
  tb.regs.write(msqx_case::Regs());
  std::printf("msqx_tb: %s, layer %s: %zu step commands, %zu outputs, seed %u\n",
              msqx_case::kDesign, msqx_case::kLayer, tb.cmds.size(), expected.size(),
              msqx_case::kSeed);
  tb.rst.write(true);
  sc_core::sc_start(2.5 * kPeriodNs, sc_core::SC_NS);
  tb.rst.write(false);
  const double limit = 2.0 * static_cast<double>(msqx_case::kExpectedCycles) + 10000;
  sc_core::sc_start(sc_core::sc_time(limit * kPeriodNs, sc_core::SC_NS));

  long long mismatches = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    if (tb.out[i] == expected[i]) continue;
    if (++mismatches <= 5) {
      std::printf("msqx_tb: output %zu (channel %zu): got %d, golden %d\n", i,
                  i % static_cast<std::size_t>(msqx_case::Regs().out_c), tb.out[i], expected[i]);
    }
  }
  long long nonzero = 0;
  for (int v : expected) nonzero += v > 0;
  const bool finished = tb.stores == static_cast<long long>(expected.size());
  const long long cycles = finished ? tb.last_store - tb.first_cmd : -1;
  const bool pass =
      finished && mismatches == 0 && tb.double_writes == 0 && cycles == msqx_case::kExpectedCycles;
  if (!finished) {
    std::printf("msqx_tb: the layer did not finish: %lld of %zu outputs after %.0f cycles\n",
                tb.stores, expected.size(), limit);
  }
  std::printf("msqx_tb: outputs %s (%lld mismatches, %lld double writes, %lld of %zu non-zero)\n",
              mismatches == 0 && finished ? "bit-exact" : "WRONG", mismatches, tb.double_writes,
              nonzero, expected.size());
  std::printf("msqx_tb: %lld cycles, cycle fidelity %lld: %s\n", cycles, msqx_case::kExpectedCycles,
              cycles == msqx_case::kExpectedCycles ? "equal" : "DIFFERENT");
  std::printf("msqx_tb: %s\n", pass ? "PASS" : "FAIL");
  std::printf(
      "{\"pass\": %s, \"outputs\": %zu, \"mismatches\": %lld, \"double_writes\": %lld, "
      "\"cycles\": %lld, \"expected_cycles\": %lld, \"steps\": %zu}\n",
      pass ? "true" : "false", expected.size(), mismatches, tb.double_writes, cycles,
      msqx_case::kExpectedCycles, tb.cmds.size());
  return pass ? 0 : 1;
}
