// Benchmark (not a test): simulated cycles per CPU second of the pin-level unrolled layer
// (dense_pin.h) on the jet tagger's fc4 (32 -> 5, 135 products) at RF 1 and RF 2, a new input
// vector offered every cycle and the output always taken. Every output is checked against the
// integer golden, so that a fast but wrong model cannot report a figure.
// Usage: msqx_bench_unrolled [cycles (default 1000000)]
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <deque>
#include <string>
#include <systemc>
#include <vector>

#include "models/unrolled/dense_pin.h"
#include "tests/sc/unrolled/jet_fc4.h"

namespace {

using msqx::unrolled::UnrolledDense;
using msqx::unrolled::test::Fc4;

struct Fc4Rf2 : Fc4 {
  static constexpr int kReuse = 2;
};

template <typename Cfg>
struct Stream : sc_core::sc_module {
  using Dut = UnrolledDense<Cfg>;
  sc_core::sc_clock clk{"clk", 10, sc_core::SC_NS};
  sc_core::sc_in<bool> tb_clk{"tb_clk"};
  sc_core::sc_signal<bool> rst{"rst"}, in_valid{"in_valid"}, in_ready{"in_ready"};
  sc_core::sc_signal<bool> out_valid{"out_valid"}, out_ready{"out_ready"};
  sc_core::sc_signal<typename Dut::InBus> in_data{"in_data"};
  sc_core::sc_signal<typename Dut::OutBus> out_data{"out_data"};
  Dut dut{"dut"};
  std::deque<std::vector<std::int64_t>> expected;
  long long outputs = 0, mismatches = 0;

  SC_HAS_PROCESS(Stream);
  explicit Stream(const sc_core::sc_module_name& n) : sc_module(n) {
    dut.clk(clk);
    dut.rst(rst);
    dut.in_valid(in_valid);
    dut.in_ready(in_ready);
    dut.in_data(in_data);
    dut.out_valid(out_valid);
    dut.out_ready(out_ready);
    dut.out_data(out_data);
    tb_clk(clk);
    SC_CTHREAD(Drive, tb_clk.pos());
  }

  // One thread for both sides: it sees the handshakes of the cycle that just ended.
  void Drive() {
    std::uint32_t seed = 1;
    typename Dut::InBus next;
    std::vector<std::int64_t> x(Cfg::kIn);
    const auto draw = [&]() {
      for (int j = 0; j < Cfg::kIn; ++j) {
        seed = seed * 1103515245u + 12345u;
        x[j] = (seed >> 16) & ((1u << Cfg::kActBits) - 1);
        next.v[j] = static_cast<decltype(next.v[0] + 0)>(x[j]);
      }
    };
    draw();
    in_valid.write(false);
    out_ready.write(false);
    wait();
    while (true) {
      if (in_valid.read() && in_ready.read()) {
        std::vector<std::int64_t> y(Cfg::kOut, 0);
        for (int o = 0; o < Cfg::kOut; ++o) {
          for (int j = 0; j < Cfg::kIn; ++j) y[o] += Cfg::kCodes[o * Cfg::kIn + j] * x[j];
        }
        expected.push_back(y);
        draw();
      }
      if (out_valid.read() && out_ready.read()) {
        const auto got = out_data.read();
        for (int o = 0; o < Cfg::kOut; ++o) mismatches += got.v[o] != expected.front()[o];
        expected.pop_front();
        ++outputs;
      }
      in_data.write(next);
      in_valid.write(true);
      out_ready.write(true);
      wait();
    }
  }
};

template <typename Cfg>
bool Run(long long cycles) {
  Stream<Cfg> tb("tb");
  tb.rst.write(true);
  sc_core::sc_start(25, sc_core::SC_NS);
  tb.rst.write(false);
  const std::clock_t start = std::clock();
  sc_core::sc_start(sc_core::sc_time(10.0 * static_cast<double>(cycles), sc_core::SC_NS));
  const double cpu = static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC;
  std::printf(
      "unrolled fc4 (32 -> 5, %d products), RF %d: %lld cycles, %lld outputs (%lld wrong) in "
      "%.2f s CPU: %.0f simulated cycles per CPU second\n",
      UnrolledDense<Cfg>::kProducts, Cfg::kReuse, cycles, tb.outputs, tb.mismatches, cpu,
      static_cast<double>(cycles) / cpu);
  return tb.mismatches == 0 && tb.outputs > 0;
}

}  // namespace

int sc_main(int argc, char* argv[]) {
  const long long cycles = argc > 1 ? std::atoll(argv[1]) : 1000000;
  // SystemC elaborates once per process: the RF is the second argument (default: both, RF 1 in
  // this process and RF 2 in a child).
  const int rf = argc > 2 ? std::atoi(argv[2]) : 0;
  if (rf == 0) {
    const std::string self = argv[0];
    const std::string n = std::to_string(cycles);
    const int a = std::system((self + " " + n + " 1").c_str());
    const int b = std::system((self + " " + n + " 2").c_str());
    return a == 0 && b == 0 ? 0 : 1;
  }
  return (rf == 1 ? Run<Fc4>(cycles) : Run<Fc4Rf2>(cycles)) ? 0 : 1;
}
