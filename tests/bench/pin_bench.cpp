// Benchmark (not a test): simulated cycles per second of the pin-level core with a 16x16 DSP
// engine (two products per DSP) and a 16x24 LUT engine on one conv layer, ideal memory. The
// output is also checked against the golden convolution so that a fast but wrong core cannot
// report a figure.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>

#include <systemc>

#include "tests/sc/accel/core_bench.h"

namespace {

using BenchCore = msqx::accel::cfg::BenchCore;

}  // namespace

int sc_main(int argc, char** argv) {
  using namespace msqx::accel;
  // Default layer: 3x3 conv, 96 -> 80 channels on 14x14, 40 % fixed (32 DSP + 48 LUT filters),
  // tile 7x7 x 80 x 48 (two input-channel chunks).
  // Arguments: [feature map size] [input channels]; more input channels = more compute cycles
  // (the most expensive ones to simulate) per load/store cycle.
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
  const auto start = std::chrono::steady_clock::now();
  auto bench = tb::RunCase<BenchCore>(c, 2, tb::Traffic{});
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
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
  std::printf("buffers %d BRAM18\n", CoreBramCost<BenchCore>().bram18);
  std::printf("engine-busy cycles %lld (%.0f %%)\n", compute, 100.0 * compute / cycles);
  std::printf("simulated cycles %lld, wall %.3f s, %.0f cycles/s, MACs/cycle %.1f, mismatches %lld\n",
              cycles, seconds, cycles / seconds, static_cast<double>(macs) / cycles, wrong);
  return wrong == 0 && bench->stores == static_cast<long long>(c.expected.size()) ? 0 : 1;
}
