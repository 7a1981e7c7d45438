#pragma once
// Testbench of the pin-level unrolled layers (any module with UnrolledDense's ports and bus
// types): a source drives input vectors with random gaps, a sink takes results with random
// back-pressure (tb::Coin, seed logged by tb::Seed), and a scoreboard compares every output with
// the integer golden computed in the test. The cycle of every input handshake and output
// transfer is recorded, so that latency and II are measured, not assumed.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <random>
#include <systemc>
#include <type_traits>
#include <vector>

#include "models/unrolled/precision.h"
#include "models/unrolled/unrolled_cost.h"
#include "tests/sc/pe/tb_util.h"

namespace msqx::unrolled::test {

using Vector = std::vector<std::int64_t>;
using Golden = std::function<Vector(const Vector&)>;

// y[o] = sum_j codes[o * in + j] * x[j], in int64: the reference every layer is checked against.
inline Vector DenseGolden(const std::int64_t* codes, int out, int in, const Vector& x) {
  Vector y(static_cast<std::size_t>(out), 0);
  for (int o = 0; o < out; ++o) {
    for (int j = 0; j < in; ++j) y[o] += codes[o * in + j] * x[j];
  }
  return y;
}

// The layer of a pin-level config as the cost model sees it: its codes, and every input
// kActBits wide with the config's sign (the module sizes its multipliers by kActBits).
template <typename Cfg>
QuantizedDense LayerOf() {
  QuantizedDense q;
  q.out_features = Cfg::kOut;
  q.in_features = Cfg::kIn;
  q.weight_types = UniformPrecision({Cfg::kOut, Cfg::kIn}, FixedType{1, 20, 0});
  q.codes.assign(Cfg::kCodes, Cfg::kCodes + Cfg::kOut * Cfg::kIn);
  return q;
}

template <typename Cfg>
PrecisionTensor ActsOf() {
  const int sign = Cfg::kActSigned ? 1 : 0;
  return UniformPrecision({Cfg::kIn}, FixedType{sign, Cfg::kActBits - sign, 0});
}

template <typename Cfg>
UnrolledParams ParamsOf() {
  UnrolledParams p;
  p.reuse_factor = Cfg::kReuse;
  p.dsp_min_bits = Cfg::kDspMinBits;
  p.dsp_stages = Cfg::kDspStages;
  return p;
}

template <typename Dut>
struct DenseBench : sc_core::sc_module {
  using InBus = typename Dut::InBus;
  using OutBus = typename Dut::OutBus;

  sc_core::sc_clock clk{"clk", 10, sc_core::SC_NS};
  sc_core::sc_in<bool> tb_clk{"tb_clk"};  // the testbench threads' clock port, bound to clk
  sc_core::sc_signal<bool> rst{"rst"};
  sc_core::sc_signal<bool> in_valid{"in_valid"}, in_ready{"in_ready"};
  sc_core::sc_signal<InBus> in_data{"in_data"};
  sc_core::sc_signal<bool> out_valid{"out_valid"}, out_ready{"out_ready"};
  sc_core::sc_signal<OutBus> out_data{"out_data"};
  Dut dut{"dut"};

  std::mt19937 rng;
  double valid_p, ready_p;
  std::vector<InBus> inputs;
  std::vector<Vector> xs;  // the input codes of inputs[n]
  std::vector<Vector> expected;
  std::vector<OutBus> got;
  std::vector<long long> in_cycles, out_cycles;
  // Cycles from one input handshake to the next at least; lets a chain of layers with different
  // RFs be measured without queueing inside it.
  long long min_gap = 0;

  SC_HAS_PROCESS(DenseBench);
  DenseBench(const sc_core::sc_module_name& n, unsigned seed, double vp, double rp)
      : sc_module(n), rng(seed), valid_p(vp), ready_p(rp) {
    dut.clk(clk);
    dut.rst(rst);
    dut.in_valid(in_valid);
    dut.in_ready(in_ready);
    dut.in_data(in_data);
    dut.out_valid(out_valid);
    dut.out_ready(out_ready);
    dut.out_data(out_data);
    tb_clk(clk);
    SC_CTHREAD(Source, tb_clk.pos());
    SC_CTHREAD(Sink, tb_clk.pos());
  }

  static long long Cycle() {
    return sc_core::sc_time_stamp() / sc_core::sc_time(10, sc_core::SC_NS);
  }

  // `count` vectors with x[j] uniform in [lo[j], hi[j]], the extremes a quarter of the time (they
  // are what breaks output widths and sign handling).
  void AddRandom(int count, const Vector& lo, const Vector& hi, const Golden& golden) {
    for (int n = 0; n < count; ++n) {
      Vector x(lo.size());
      for (std::size_t j = 0; j < x.size(); ++j) {
        const int pick = std::uniform_int_distribution<int>(0, 7)(rng);
        x[j] = pick == 0   ? lo[j]
               : pick == 1 ? hi[j]
                           : std::uniform_int_distribution<std::int64_t>(lo[j], hi[j])(rng);
      }
      Add(x, golden(x));
    }
  }

  void Add(const Vector& x, const Vector& y) {
    xs.push_back(x);
    InBus b;
    for (std::size_t j = 0; j < x.size(); ++j) {
      b[static_cast<int>(j)] = static_cast<std::decay_t<decltype(b.v[0])>>(x[j]);
    }
    inputs.push_back(b);
    expected.push_back(y);
  }

  void Source() {
    in_valid.write(false);
    bool valid = false;
    std::size_t i = 0;
    wait();
    while (true) {
      if (valid && in_ready.read()) {
        in_cycles.push_back(Cycle());
        ++i;
        valid = false;
      }
      const bool spaced = in_cycles.empty() || Cycle() + 1 - in_cycles.back() >= min_gap;
      if (!valid && i < inputs.size() && spaced && tb::Coin(rng, valid_p)) {
        in_data.write(inputs[i]);
        valid = true;
      }
      in_valid.write(valid);
      wait();
    }
  }

  void Sink() {
    out_ready.write(false);
    bool ready = false;
    wait();
    while (true) {
      if (ready && out_valid.read()) {
        got.push_back(out_data.read());
        out_cycles.push_back(Cycle());
        if (got.size() == expected.size()) sc_core::sc_stop();
      }
      ready = tb::Coin(rng, ready_p);
      out_ready.write(ready);
      wait();
    }
  }

  void Run() {
    rst.write(true);
    sc_core::sc_start(25, sc_core::SC_NS);
    rst.write(false);
    sc_core::sc_start(sc_core::sc_time(10.0 * (inputs.size() * 50 + 1000), sc_core::SC_NS));
  }

  void CheckOutputs() {
    ASSERT_EQ(got.size(), expected.size()) << "outputs missing (deadlock or lost vectors)";
    for (std::size_t n = 0; n < expected.size(); ++n) {
      for (std::size_t o = 0; o < expected[n].size(); ++o) {
        ASSERT_EQ(static_cast<std::int64_t>(got[n][static_cast<int>(o)]), expected[n][o])
            << "vector " << n << " output " << o;
      }
    }
  }

  // Every output as a real number, y_o * 2^-frac_bits[o], equals the sum over j of the
  // dequantized weight code[o][j] * 2^-f_oj times the dequantized input x_j * 2^-fx_j, computed
  // here in double from the layer's own codes and types (not from the aligned constants the
  // module was built with). Exact: the terms are integers times powers of two within a few dozen
  // bits of each other, so double holds every partial sum without rounding.
  void CheckRealValued(const QuantizedDense& layer, const PrecisionTensor& acts,
                       const std::vector<int>& frac_bits) {
    ASSERT_EQ(got.size(), xs.size());
    ASSERT_EQ(frac_bits.size(), static_cast<std::size_t>(layer.out_features));
    for (std::size_t n = 0; n < got.size(); ++n) {
      for (int o = 0; o < layer.out_features; ++o) {
        double want = 0;
        for (int j = 0; j < layer.in_features; ++j) {
          const FixedType& fx = acts[static_cast<std::size_t>(j)];
          if (fx.IsPruned()) continue;  // a pruned input is 0 whatever code arrives
          want +=
              std::ldexp(static_cast<double>(layer.Code(o, j)), -layer.Type(o, j).fractional_bits) *
              std::ldexp(static_cast<double>(xs[n][static_cast<std::size_t>(j)]),
                         -fx.fractional_bits);
        }
        const double y =
            std::ldexp(static_cast<double>(got[n][o]), -frac_bits[static_cast<std::size_t>(o)]);
        ASSERT_EQ(y, want) << "vector " << n << " output " << o;
      }
    }
  }

  // Latency of vector n: the cycle its output was taken minus the cycle of its input handshake.
  // With an always-ready sink the output is taken in the cycle it turns valid.
  long long Latency(std::size_t n) const { return out_cycles[n] - in_cycles[n]; }
};

}  // namespace msqx::unrolled::test
