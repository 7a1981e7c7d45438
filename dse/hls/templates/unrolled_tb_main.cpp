// Self-checking testbench of an exported unrolled layer (copied verbatim by `msqx hls`; the layer
// is in msqx_top.h, the test in layer_case.h, both generated).
//
// Streams kVectors input vectors (each input a random code of its own precision, the extremes a
// quarter of the time) through Top with an always-ready sink and checks
//   1. every output equals the golden computed here from the weights' and the bias's codes and
//      fractional bits and the inputs' fractional bits (layer_case.h), not from the aligned
//      constants Top is built from: y[o] = sum over live products of
//      code[o][j] * x[j] * 2^(F_o - f_oj - fx_j) + bias[o] * 2^(F_o - f_b), F_o = the largest
//      f_oj + fx_j (and f_b) of output o, which must equal LayerCfg::kOutFracBits; y[o] * 2^-F_o
//      equals the real-valued sum of (code * 2^-f) * (x * 2^-fx) + bias * 2^-f_b in double (exact:
//      integers times powers of two within a few dozen bits of each other); and what leaves is
//      that sum after the output stage, computed from the real value: the ReLU, then the code of
//      the next layer's input type (floor(v * 2^f' + 1/2), wrapped or saturated);
//   2. the first vector's latency (input handshake to output valid) equals kExpectedLatency and
//      the outputs come every kExpectedIi cycles: the cycle fidelity of unrolled designs
//      (`msqx sim`, layers.csv columns latency_cycles and initiation_interval).
// Exit status 0 on pass, 1 on a mismatch. The last line is one JSON object for `msqx hls --check`.
// `msqx_tb --trace FILE` also writes Top's ports cycle by cycle (models/pe/port_trace.h), the
// stimulus and expected responses of the RTL co-simulation.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <systemc>
#include <type_traits>
#include <vector>

#include "layer_case.h"
#include "models/pe/port_trace.h"
#include "msqx_top.h"

namespace {

using Vector = std::vector<std::int64_t>;
constexpr double kPeriodNs = 10;

struct Testbench : sc_core::sc_module {
  sc_core::sc_clock clk{"clk", kPeriodNs, sc_core::SC_NS};
  sc_core::sc_in<bool> tb_clk{"tb_clk"};
  sc_core::sc_signal<bool> rst{"rst"};
  sc_core::sc_signal<bool> in_valid{"in_valid"}, in_ready{"in_ready"};
  sc_core::sc_signal<Top::InBus> in_data{"in_data"};
  sc_core::sc_signal<bool> out_valid{"out_valid"}, out_ready{"out_ready"};
  sc_core::sc_signal<Top::OutBus> out_data{"out_data"};
  Top top{"top"};
  std::vector<Top::InBus> inputs;
  std::vector<Top::OutBus> got;
  std::vector<long long> in_cycles, out_cycles;
  msqx::pe::PortTrace trace;  // Top's ports, cycle by cycle, when opened (RTL co-simulation)

  SC_HAS_PROCESS(Testbench);
  explicit Testbench(const sc_core::sc_module_name& n) : sc_module(n) {
    top.clk(clk);
    top.rst(rst);
    top.in_valid(in_valid);
    top.in_ready(in_ready);
    top.in_data(in_data);
    top.out_valid(out_valid);
    top.out_ready(out_ready);
    top.out_data(out_data);
    tb_clk(clk);
    SC_CTHREAD(Source, tb_clk.pos());
    SC_CTHREAD(Sink, tb_clk.pos());
    SC_METHOD(Probe);
    sensitive << clk.negedge_event();
    dont_initialize();
  }

  // Between two rising edges every signal is settled: the cycle's inputs and outputs of Top,
  // named as ICSC names its ports.
  void Probe() {
    if (!trace.open()) return;
    trace.Field("rst", "", -1, true, rst.read());
    trace.Field("in", "valid", -1, true, in_valid.read());
    trace.Field("in", "ready", -1, false, in_ready.read());
    const Top::InBus x = in_data.read();
    for (int j = 0; j < Top::kIn; ++j) trace.Field("in_data", "v", j, true, x.v[j]);
    trace.Field("out", "valid", -1, false, out_valid.read());
    trace.Field("out", "ready", -1, true, out_ready.read());
    const Top::OutBus y = out_data.read();
    for (int o = 0; o < Top::kOut; ++o) trace.Field("out_data", "v", o, false, y.v[o]);
    trace.EndCycle();
  }

  static long long Cycle() {
    return static_cast<long long>(sc_core::sc_time_stamp() /
                                  sc_core::sc_time(kPeriodNs, sc_core::SC_NS));
  }

  void Source() {
    in_valid.write(false);
    std::size_t i = 0;
    wait();
    while (true) {
      if (in_valid.read() && in_ready.read()) {
        in_cycles.push_back(Cycle());
        ++i;
      }
      const bool valid = i < inputs.size();
      if (valid) in_data.write(inputs[i]);
      in_valid.write(valid);
      wait();
    }
  }

  void Sink() {
    out_ready.write(false);
    wait();
    while (true) {
      if (out_ready.read() && out_valid.read()) {
        got.push_back(out_data.read());
        out_cycles.push_back(Cycle());
        if (got.size() == inputs.size()) sc_core::sc_stop();
      }
      out_ready.write(true);
      wait();
    }
  }
};

bool Live(int o, int j) {
  return msqx_case::kWeightCodes[o * Top::kIn + j] != 0 && msqx_case::kInputBits[j] > 0;
}

int Step(int o, int j) {
  return msqx_case::kWeightFracBits[o * Top::kIn + j] + msqx_case::kInputFracBits[j];
}

// F_o: the finest step among output o's products and its bias (0 without any).
std::vector<int> OutputFracBits() {
  std::vector<int> f(Top::kOut, 0);
  for (int o = 0; o < Top::kOut; ++o) {
    bool any = false;
    for (int j = 0; j < Top::kIn; ++j) {
      if (!Live(o, j)) continue;
      f[o] = any ? std::max(f[o], Step(o, j)) : Step(o, j);
      any = true;
    }
    if (msqx_case::kBiasCodes[o] != 0) {
      f[o] = any ? std::max(f[o], msqx_case::kBiasFracBits[o]) : msqx_case::kBiasFracBits[o];
    }
  }
  return f;
}

// What leaves output o for the real value v of its sum: the ReLU, then, when the layer
// requantizes, the code of the next layer's input type (HGQ's quantizer: round half up, then
// wrap into k'+i'+f' bits or saturate, symmetrically for overflow mode 2; 0 when pruned). From
// the real value in double, independently of the module's integer shifts.
std::int64_t AfterOutputStage(double v, std::int64_t exact, int o) {
  if (msqx_case::kRelu && v < 0) {
    v = 0;
    exact = 0;
  }
  if (!msqx_case::kRequant) return exact;
  const int bits = msqx_case::kOutCodeBits[o];
  if (bits == 0) return 0;
  const bool is_signed = msqx_case::kOutCodeSign[o] != 0;
  const double code = std::floor(std::ldexp(v, msqx_case::kOutCodeFracBits[o]) + 0.5);
  const double range = std::ldexp(1.0, bits - (is_signed ? 1 : 0));
  if (msqx_case::kOutOverflow[o] == 0) {
    const double modulus = std::ldexp(1.0, bits);
    double r = std::fmod(code, modulus);
    if (r < 0) r += modulus;
    if (is_signed && r >= range) r -= modulus;
    return static_cast<std::int64_t>(r);
  }
  const double lo = !is_signed ? 0 : msqx_case::kOutOverflow[o] == 2 ? -(range - 1) : -range;
  return static_cast<std::int64_t>(std::min(std::max(code, lo), range - 1));
}

}  // namespace

int sc_main(int argc, char* argv[]) {
  std::mt19937 rng(msqx_case::kSeed);
  Testbench tb("tb");
  if (argc == 3 && std::string(argv[1]) == "--trace" && !tb.trace.Open(argv[2])) {
    std::printf("msqx_tb: cannot write the port trace %s\n", argv[2]);
    return 2;
  }
  const std::vector<int> frac = OutputFracBits();
  long long grid_mismatches = 0;
  for (int o = 0; o < Top::kOut; ++o) {
    if (frac[o] == msqx_design::LayerCfg::kOutFracBits[o]) continue;
    ++grid_mismatches;
    std::printf("msqx_tb: output %d: F %d in msqx_top.h, %d from the weights' and inputs' types\n",
                o, msqx_design::LayerCfg::kOutFracBits[o], frac[o]);
  }
  std::vector<Vector> expected, inputs;
  for (int n = 0; n < msqx_case::kVectors; ++n) {
    Vector x(Top::kIn);
    Top::InBus bus;
    for (int j = 0; j < Top::kIn; ++j) {
      const std::int64_t lo = msqx_case::kInputMin[j], hi = msqx_case::kInputMax[j];
      const int pick = static_cast<int>(rng() % 8);
      x[j] = pick == 0 ? lo
             : pick == 1
                 ? hi
                 : lo + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(hi - lo + 1));
      bus[j] = static_cast<std::decay_t<decltype(bus.v[0])>>(x[j]);
    }
    Vector y(Top::kOut, 0), post(Top::kOut, 0);
    for (int o = 0; o < Top::kOut; ++o) {
      double real =
          std::ldexp(static_cast<double>(msqx_case::kBiasCodes[o]), -msqx_case::kBiasFracBits[o]);
      if (msqx_case::kBiasCodes[o] != 0)
        y[o] =
            msqx_case::kBiasCodes[o] * (std::int64_t{1} << (frac[o] - msqx_case::kBiasFracBits[o]));
      for (int j = 0; j < Top::kIn; ++j) {
        if (!Live(o, j)) continue;
        y[o] += msqx_case::kWeightCodes[o * Top::kIn + j] * x[j] *
                (std::int64_t{1} << (frac[o] - Step(o, j)));
        real += std::ldexp(static_cast<double>(msqx_case::kWeightCodes[o * Top::kIn + j]),
                           -msqx_case::kWeightFracBits[o * Top::kIn + j]) *
                std::ldexp(static_cast<double>(x[j]), -msqx_case::kInputFracBits[j]);
      }
      // The integer golden on its grid is the real-valued sum (both computed here).
      if (std::ldexp(static_cast<double>(y[o]), -frac[o]) != real && ++grid_mismatches <= 5) {
        std::printf("msqx_tb: vector %d output %d: golden %lld * 2^-%d is not the real sum %.17g\n",
                    n, o, static_cast<long long>(y[o]), frac[o], real);
      }
      post[o] = AfterOutputStage(real, y[o], o);
    }
    tb.inputs.push_back(bus);
    inputs.push_back(x);
    expected.push_back(post);
  }
  std::printf("msqx_tb: %s, layer %s: %d x %d, %d products, reuse factor %d, %d vectors, seed %u\n",
              msqx_case::kDesign, msqx_case::kLayer, Top::kIn, Top::kOut, Top::kProducts, Top::kRf,
              msqx_case::kVectors, msqx_case::kSeed);
  tb.rst.write(true);
  sc_core::sc_start(2.5 * kPeriodNs, sc_core::SC_NS);
  tb.rst.write(false);
  const double limit =
      10.0 * (msqx_case::kExpectedLatency + msqx_case::kVectors * msqx_case::kExpectedIi) + 1000;
  sc_core::sc_start(sc_core::sc_time(limit * kPeriodNs, sc_core::SC_NS));

  long long mismatches = grid_mismatches;
  for (std::size_t n = 0; n < tb.got.size(); ++n) {
    for (int o = 0; o < Top::kOut; ++o) {
      const std::int64_t got = static_cast<std::int64_t>(tb.got[n].v[o]);
      if (got == expected[n][o]) continue;
      if (++mismatches <= 5) {
        std::printf("msqx_tb: vector %zu output %d: got %lld, golden %lld\n", n, o,
                    static_cast<long long>(got), static_cast<long long>(expected[n][o]));
      }
    }
  }
  const bool finished = tb.got.size() == expected.size();
  const long long latency = finished ? tb.out_cycles[0] - tb.in_cycles[0] : -1;
  long long worst_gap = 0;
  for (std::size_t n = 1; n < tb.out_cycles.size(); ++n) {
    worst_gap = std::max(worst_gap, tb.out_cycles[n] - tb.out_cycles[n - 1]);
  }
  const long long ii = tb.out_cycles.size() > 1 ? worst_gap : msqx_case::kExpectedIi;
  const bool pass = finished && mismatches == 0 && latency == msqx_case::kExpectedLatency &&
                    ii == msqx_case::kExpectedIi;
  if (!finished)
    std::printf("msqx_tb: %zu of %zu outputs after %.0f cycles\n", tb.got.size(), expected.size(),
                limit);
  std::printf("msqx_tb: outputs %s (%lld mismatches)\n",
              finished && mismatches == 0 ? "bit-exact" : "WRONG", mismatches);
  std::printf(
      "msqx_tb: latency %lld cycles, cycle fidelity %d; initiation interval %lld, cycle fidelity "
      "%d: %s\n",
      latency, msqx_case::kExpectedLatency, ii, msqx_case::kExpectedIi,
      latency == msqx_case::kExpectedLatency && ii == msqx_case::kExpectedIi ? "equal"
                                                                             : "DIFFERENT");
  std::printf("msqx_tb: %s\n", pass ? "PASS" : "FAIL");
  std::printf(
      "{\"pass\": %s, \"outputs\": %zu, \"mismatches\": %lld, \"cycles\": %lld, "
      "\"expected_cycles\": %d, "
      "\"initiation_interval\": %lld, \"expected_initiation_interval\": %d}\n",
      pass ? "true" : "false", expected.size() * Top::kOut, mismatches, latency,
      msqx_case::kExpectedLatency, ii, msqx_case::kExpectedIi);
  return pass ? 0 : 1;
}
