// Benchmark (not a test): simulated cycles per second of the pin-level core with a 16x16 DSP
// engine (two products per DSP) and a 16x24 LUT engine on one conv layer, ideal memory. The
// output is also checked against the golden convolution so that a fast but wrong core cannot
// report a figure.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <string>
#include <systemc>

#include "models/accel/core_bram.h"
#include "tests/sc/accel/core_bench.h"

namespace {

using namespace msqx::accel;

template <typename Cfg>
int Run(int argc, char** argv) {
  // Default layer: 3x3 conv, 96 -> 80 channels on 14x14, 40 % fixed (32 DSP + 48 LUT filters),
  // tile 7x7 x 80 x 48 (two input-channel chunks).
  // Arguments: [feature map size] [input channels] [db]; more input channels = more compute
  // cycles (the most expensive ones to simulate) per load/store cycle; "db" = double-buffered.
  const int size = argc > 1 ? std::atoi(argv[1]) : 14;
  golden::ConvLayer l;
  l.in_c = argc > 2 ? std::atoi(argv[2]) : 96;
  l.in_h = l.in_w = size;
  l.out_c = 80;
  l.kernel = 3;
  l.stride = 1;
  l.padding = 1;
  msqx::spec::TileSpec t;
  t.out_rows = t.out_cols = 7;
  t.out_channels = 80;
  t.in_channels = 48;
  std::mt19937 rng(1);
  const tb::LayerCase c = tb::MakeCase(l, 0.4, t, rng);
  // CPU time as well as wall time: on a shared machine the CPU time is the one-core figure.
  const std::clock_t cpu_start = std::clock();
  const auto start = std::chrono::steady_clock::now();
  auto bench = tb::RunCase<Cfg>(c, 2, tb::Traffic{});
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double cpu = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  long long wrong = 0;
  for (size_t i = 0; i < c.expected.size(); ++i) wrong += bench->out[i] != c.expected[i];
  const long long cycles = bench->last_store_cycle;
  // Cycles in which the engines compute, from the schedule: per step, the longer engine's beats.
  long long compute = 0;
  for (const StepCmd& s : CommandsOf(c.schedule)) {
    const long long pixels = static_cast<long long>(s.out_rows) * s.out_cols;
    const long long d = (s.dsp_n + 15) / 16 * pixels * ((s.in_chs + 15) / 16) * 9;
    const long long u = (s.lut_n + 15) / 16 * pixels * ((s.in_chs + 23) / 24) * 9;
    compute += std::max(d, u);
  }
  long long macs = static_cast<long long>(l.OutH()) * l.OutW() * l.out_c * l.in_c * 9;
  std::printf("layer 3x3 conv %dx%dx%d -> %d, DSP 16x16 (x2 packed) + LUT 16x24\n", l.in_c, l.in_h,
              l.in_w, l.out_c);
  std::printf("%s, buffers %d BRAM18\n", Cfg::kOverlapLoad ? "double-buffered" : "single-buffered",
              CoreBramCost<Cfg>().bram18);
  std::printf("engine-busy cycles %lld (%.0f %%)\n", compute, 100.0 * compute / cycles);
  std::printf("simulated cycles %lld, MACs/cycle %.1f, mismatches %lld\n", cycles,
              static_cast<double>(macs) / cycles, wrong);
  std::printf("cpu %.3f s: %.0f cycles/s; wall %.3f s: %.0f cycles/s\n", cpu, cycles / cpu, seconds,
              cycles / seconds);
  return wrong == 0 && bench->stores == static_cast<long long>(c.expected.size()) ? 0 : 1;
}

}  // namespace

int sc_main(int argc, char** argv) {
  const bool db = argc > 3 && std::string(argv[3]) == "db";
  return db ? Run<cfg::BenchCoreDb>(argc, argv) : Run<cfg::BenchCore>(argc, argv);
}
