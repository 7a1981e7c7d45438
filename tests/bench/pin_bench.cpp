// Benchmark (not a test): simulated cycles per second of the pin-level core (the benchmark
// instance: DSP 16x16 with two products per DSP, LUT 32x16, 32-channel words, double-buffered) on
// one conv layer with an ideal memory. The output is also checked against the golden convolution
// so that a fast but wrong core cannot report a figure.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <systemc>

#include "tests/sc/accel/core_bench.h"

namespace {

using namespace msqx::accel;

}  // namespace

int sc_main(int argc, char** argv) {
  using Cfg = cfg::BenchCoreDb;
  // Default layer: 3x3 conv, 96 -> 96 channels on 14x14 with 1/3 of the filters fixed-point
  // (a step of 16 DSP + 32 LUT filters), 7x7 spatial tiles, 32-channel input chunks.
  // Arguments: [feature map size] [input channels]: more input channels = more beats (the most
  // expensive cycles to simulate) per load and store.
  const int size = argc > 1 ? std::atoi(argv[1]) : 14;
  const int in_c = argc > 2 ? std::atoi(argv[2]) : 96;
  const golden::ConvLayer l = golden::ConvLayer::Square(in_c, size, size, 96, 3, 1, 1);
  TilePlan t;
  t.out_rows = t.out_cols = 7;
  t.ogs = 1;
  t.in_chs = 32;
  std::mt19937 rng(1);
  const tb::LayerCase c = tb::MakeCase(l, 1.0 / 3, t, CoreParamsOf<Cfg>().geo, rng);
  // CPU time as well as wall time: on a shared machine the CPU time is the one-core figure.
  const std::clock_t cpu_start = std::clock();
  const auto start = std::chrono::steady_clock::now();
  auto bench = tb::RunCase<Cfg>(c, 2, tb::Traffic{});
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double cpu = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  long long wrong = 0;
  for (size_t i = 0; i < c.expected.size(); ++i) wrong += bench->out[i] != c.expected[i];
  const long long cycles = bench->last_store - bench->FirstCommand();
  const long long macs = static_cast<long long>(l.OutH()) * l.OutW() * l.out_c * l.in_c * 9;
  const long long lanes = 16 * 16 + 32 * 16;
  std::printf("layer 3x3 conv %dx%dx%d -> %d, DSP 16x16 (x2 packed) + LUT 32x16, double-buffered\n",
              l.in_c, l.in_h, l.in_w, l.out_c);
  std::printf("simulated cycles %lld, MACs/cycle %.1f (%.0f %% of %lld lanes), mismatches %lld\n",
              cycles, static_cast<double>(macs) / cycles, 100.0 * macs / (cycles * lanes), lanes,
              wrong);
  std::printf("cpu %.3f s: %.0f cycles/s; wall %.3f s: %.0f cycles/s\n", cpu, cycles / cpu, seconds,
              cycles / seconds);
  return wrong == 0 && bench->stores == static_cast<long long>(c.expected.size()) ? 0 : 1;
}
