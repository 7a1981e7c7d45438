// The cycle fidelity of the core (step_timing) against the pin-level core on seeded random layers:
// the same schedule through both, the same cycle for every command handshake and for the last
// store, the same DDR traffic, and the pin core's outputs equal to the golden convolution. One
// layer per test, so that each runs in its own process (SystemC elaborates once per process).
#include "models/accel/step_timing.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <random>

#include "models/accel/layer_memory.h"
#include "models/mem/memsys_dma.h"
#include "tests/sc/accel/core_bench.h"

namespace msqx::accel {
namespace {

// Two geometries: A = DSP 4 rows (packed) + LUT 5 rows, 3 columns, 8-channel words (2 weight rows
// a piece); B = DSP 2 rows + LUT 6 rows, 4 columns, 4-channel words (1 row a piece, 6 pieces).
template <int Latency, bool DoubleBuffered>
using A = CoreConfig<pe::PeArrayConfig<pe::PeKind::kFixed, 4, 3, 4, 4, 2, 2>,
                     pe::PeArrayConfig<pe::PeKind::kSp2, 5, 3, 4, 4, 2>, 8, 128, 256, 64, 512,
                     Latency, DoubleBuffered>;
template <int Latency, bool DoubleBuffered>
using B = CoreConfig<pe::PeArrayConfig<pe::PeKind::kFixed, 2, 4, 4, 4, 1, 1>,
                     pe::PeArrayConfig<pe::PeKind::kSp2, 6, 4, 4, 4, 1>, 4, 160, 512, 48, 512,
                     Latency, DoubleBuffered>;

// C = depthwise-sized arrays: DSP 4 rows (packed) + LUT 3 rows, 9 columns (a 3 x 3 window of taps
// in the lanes, 4 input-buffer banks), 18-channel words; D = DSP 6 rows (packed) + LUT 2 rows,
// 16 columns (4 x 4 windows: 5 x 5 kernels in overlapping tap groups), 16-channel words.
template <int Latency, bool DoubleBuffered>
using C = CoreConfig<pe::PeArrayConfig<pe::PeKind::kFixed, 4, 9, 4, 4, 2, 2>,
                     pe::PeArrayConfig<pe::PeKind::kSp2, 3, 9, 4, 4, 2>, 18, 384, 256, 96, 512,
                     Latency, DoubleBuffered>;
template <int Latency, bool DoubleBuffered>
using D = CoreConfig<pe::PeArrayConfig<pe::PeKind::kFixed, 6, 16, 4, 4, 1, 2>,
                     pe::PeArrayConfig<pe::PeKind::kSp2, 2, 16, 4, 4, 1>, 16, 512, 256, 96, 512,
                     Latency, DoubleBuffered>;

// Off-chip memories for the layers: none (the ideal memory), a fast DDR that mostly hides behind
// compute, and a slow one (one narrow port, short bursts, one burst in flight) that makes every
// layer memory-bound.
enum class Memory { kIdeal, kFastDdr, kSlowDdr };

constexpr std::int64_t kPeriodPs = 10'000;  // the testbench clock: 10 ns

mem::MemoryTiming DdrTimingOf(Memory m) {
  mem::MemoryTiming t;
  t.eff_seq_read = 0.9;
  t.eff_seq_write = 0.85;
  t.eff_random_read = 0.6;
  t.eff_random_write = 0.55;
  t.eff_mixed = 0.5;
  if (m == Memory::kFastDdr) {
    t.ddr_peak_bytes_per_s = 6.4e9;
    t.latency_ps = 60'000;
    t.ports = 2;
    t.beat_bytes = 8;
    t.port_bytes_per_s = 8 * 150e6;
    t.burst_beats = 16;
    t.max_outstanding = 4;
  } else {
    t.ddr_peak_bytes_per_s = 0.25e9;
    t.latency_ps = 150'000;
    t.ports = 1;
    t.beat_bytes = 4;
    t.port_bytes_per_s = 4 * 100e6;
    t.burst_beats = 4;
    t.max_outstanding = 1;
  }
  return t;
}

// Layer `index`: shape, ratio and tile drawn from a seed fixed per index (MSQX_SEED overrides),
// redrawn until the instance can hold it. Even indices lean compute-bound (3x3, many filters),
// odd ones load-bound (1x1, few filters); every fifth is fully connected, every seventh a
// small-channel layer with a wide kernel (folded where the core folds), some depthwise, some with
// non-square kernels, strides and asymmetric padding.
template <typename Cfg>
void CompareWithPin(int index, Memory memory = Memory::kIdeal, bool depthwise_only = false) {
  const char* env = std::getenv("MSQX_SEED");
  const unsigned seed =
      env ? static_cast<unsigned>(std::strtoul(env, nullptr, 10)) : 9001u + 7919u * index;
  std::printf("layer %d: seed %u (replay with MSQX_SEED=%u)\n", index, seed, seed);
  std::mt19937 rng(seed);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const double shares[] = {0.0, 0.25, 0.5, 2.0 / 3, 1.0};
  const CoreParams core = CoreParamsOf<Cfg>();
  for (int attempt = 0; attempt < 1000; ++attempt) {
    golden::ConvLayer l;
    const bool fc = !depthwise_only && index % 5 == 4;
    const bool small_c = !depthwise_only && !fc && index % 7 == 3;
    const bool compute_bound = index % 2 == 0;
    l.depthwise = depthwise_only || (!fc && !small_c && pick(0, 4) == 0);
    const int k = l.depthwise     ? pick(1, 5)
                  : fc            ? 1
                  : small_c       ? pick(3, 5)
                  : compute_bound ? 3
                                  : (pick(0, 3) == 0 ? 3 : 1);
    l.kh = l.kw = k;
    if (!fc && pick(0, 4) == 0) l.kw = pick(1, k);  // non-square
    l.in_c = fc ? pick(8, 40) : small_c ? pick(1, 2) : pick(1, depthwise_only ? 40 : 14);
    l.out_c = l.depthwise ? l.in_c : compute_bound ? pick(6, 14) : pick(1, 4);
    l.in_h = fc ? 1 : pick(l.kh, 9);
    l.in_w = fc ? 1 : pick(l.kw, 9);
    l.sh = fc ? 1 : pick(1, 2);
    l.sw = fc ? 1 : pick(1, 2);
    l.pt = fc ? 0 : pick(0, l.kh / 2);
    l.pb = fc ? 0 : pick(0, l.kh / 2);
    l.pl = fc ? 0 : pick(0, l.kw / 2);
    l.pr = fc ? 0 : pick(0, l.kw / 2);
    if (l.OutH() < 1 || l.OutW() < 1) continue;
    const double share = shares[pick(0, 4)];
    TilePlan t;
    t.out_rows = pick(1, 4);
    t.out_cols = pick(1, 4);
    t.ogs = pick(1, 2);
    t.in_chs = pick(1, core.geo.tile_ic);
    if (l.depthwise) t.ogs = pick(1, 3);  // in_chs caps a step's channels (MakeSchedule)
    const LayerShape folded = WithFolding(tb::ShapeOf(l), core.geo);
    if (folded.fold > 0) t.in_chs = folded.ComputeChannels();
    std::mt19937 data(seed);
    const tb::LayerCase c = tb::MakeCase(l, share, t, core.geo, data);
    bool fits = true;
    for (const StepCmd& cmd : c.cmds) fits = fits && CoreFits<Cfg>(c.regs, cmd).empty();
    if (!fits) continue;
    std::printf(
        "  %dx%dx%d -> %d k%dx%d s%dx%d p%d,%d,%d,%d%s%s%s share %.2f tile %dx%d ogs %d "
        "ic %d, %zu steps\n",
        l.in_c, l.in_h, l.in_w, l.out_c, l.kh, l.kw, l.sh, l.sw, l.pt, l.pl, l.pb, l.pr,
        l.depthwise ? " dw" : "", fc ? " fc" : "", c.schedule.layer.fold ? " folded" : "", share,
        t.out_rows, t.out_cols, t.ogs, t.in_chs, c.cmds.size());

    // Each model gets its own memory system with the same timing; the cycle model runs first, at
    // simulated time 0, as it does in msqx sim. The first command handshake of the testbench is at
    // cycle 4 (after reset), which the cycle model is told.
    const TensorPlacement where{0, 1u << 20, 2u << 20};
    const StepLayer step_layer = c.schedule.layer.Compute();
    std::unique_ptr<mem::MemorySystem> cycle_ddr, pin_ddr;
    std::unique_ptr<LayerMemory> cycle_mem, pin_mem;
    std::unique_ptr<tb::LayerMemoryHook> hook;
    if (memory != Memory::kIdeal) {
      cycle_ddr = std::make_unique<mem::MemorySystem>("cycle_ddr", DdrTimingOf(memory));
      pin_ddr = std::make_unique<mem::MemorySystem>("pin_ddr", DdrTimingOf(memory));
      cycle_mem = std::make_unique<DdrLayerMemory>(cycle_ddr->dma, kPeriodPs, c.schedule.layer,
                                                   core.geo.tile_ic, c.act_bits, c.weight_bits,
                                                   core, where);
      pin_mem = std::make_unique<DdrLayerMemory>(pin_ddr->dma, kPeriodPs, c.schedule.layer,
                                                 core.geo.tile_ic, c.act_bits, c.weight_bits, core,
                                                 where);
      hook = std::make_unique<tb::LayerMemoryHook>(*pin_mem, c.cmds, step_layer, core);
    }
    constexpr std::int64_t kFirstCommand = 4;
    const LayerTimes cycle = TimeLayer(c.cmds, step_layer, core, kFirstCommand, cycle_mem.get());

    const auto pin = tb::RunCase<Cfg>(c, seed + 1, tb::Traffic{}, hook.get());
    ASSERT_EQ(pin->stores, static_cast<long long>(c.expected.size())) << "pin layer did not finish";
    for (std::size_t i = 0; i < c.expected.size(); ++i) ASSERT_EQ(pin->out[i], c.expected[i]) << i;

    ASSERT_EQ(pin->FirstCommand(), kFirstCommand);
    ASSERT_EQ(pin->cmd_cycles.size(), cycle.steps.size());
    for (std::size_t i = 0; i < c.cmds.size(); ++i) {
      EXPECT_EQ(cycle.steps[i].taken, pin->cmd_cycles[i]) << "step " << i << ": " << c.cmds[i];
    }
    EXPECT_EQ(cycle.last_store, pin->last_store);
    if (memory != Memory::kIdeal) {
      EXPECT_EQ(cycle_mem->Drained(), pin_mem->Drained());
      EXPECT_EQ(cycle_mem->bytes_read, pin_mem->bytes_read);
      EXPECT_EQ(cycle_mem->bytes_written, pin_mem->bytes_written);
      EXPECT_GT(cycle_mem->bytes_written, 0);
      std::printf("  %lld cycles, ideal memory %lld\n", static_cast<long long>(cycle.Cycles()),
                  static_cast<long long>(TimeLayer(c.cmds, step_layer, core).Cycles()));
    }
    EXPECT_GT(cycle.Cycles(), 0);
    return;
  }
  FAIL() << "no layer that fits the instance in 1000 draws";
}

template <template <int, bool> class Geo>
void CompareInMode(int i, Memory m) {
  switch (i % 4) {  // both buffering modes, BRAM latency 1 and 2
    case 0:
      CompareWithPin<Geo<1, false>>(i, m);
      break;
    case 1:
      CompareWithPin<Geo<2, false>>(i, m);
      break;
    case 2:
      CompareWithPin<Geo<1, true>>(i, m);
      break;
    default:
      CompareWithPin<Geo<2, true>>(i, m);
      break;
  }
}

class CycleEqualsPin : public testing::TestWithParam<int> {};

TEST_P(CycleEqualsPin, RandomLayer) {
  const int i = GetParam();
  if ((i / 4) % 2 == 0) {
    CompareInMode<A>(i, Memory::kIdeal);
  } else {
    CompareInMode<B>(i, Memory::kIdeal);
  }
}

INSTANTIATE_TEST_SUITE_P(Layers, CycleEqualsPin, testing::Range(0, 64));

// The same draws with loads and stores through the DDR/AXI model: the fast DDR and the slow one.
class CycleEqualsPinWithDdr : public testing::TestWithParam<int> {};

TEST_P(CycleEqualsPinWithDdr, RandomLayer) {
  const int i = GetParam();
  const Memory m = (i / 8) % 2 == 0 ? Memory::kFastDdr : Memory::kSlowDdr;
  if ((i / 4) % 2 == 0) {
    CompareInMode<A>(i, m);
  } else {
    CompareInMode<B>(i, m);
  }
}

INSTANTIATE_TEST_SUITE_P(Layers, CycleEqualsPinWithDdr, testing::Range(0, 64));

// Depthwise layers on arrays wide enough for a window of taps (C: 3 x 3, D: 4 x 4): kernels of 1
// to 5 (5 in tap groups on C), strides 1 and 2, non-square kernels, half on the ideal memory and
// half through the DDR model (fast and slow), in both buffering modes.
class CycleEqualsPinDepthwise : public testing::TestWithParam<int> {};

TEST_P(CycleEqualsPinDepthwise, RandomLayer) {
  const int i = GetParam();
  const Memory m = i % 4 < 2 ? Memory::kIdeal : (i % 4 == 2 ? Memory::kFastDdr : Memory::kSlowDdr);
  const int index = 1000 + i;
  switch ((i / 4) % 4) {
    case 0:
      CompareWithPin<C<1, true>>(index, m, true);
      break;
    case 1:
      CompareWithPin<C<2, false>>(index, m, true);
      break;
    case 2:
      CompareWithPin<D<1, true>>(index, m, true);
      break;
    default:
      CompareWithPin<D<2, true>>(index, m, true);
      break;
  }
}

INSTANTIATE_TEST_SUITE_P(Layers, CycleEqualsPinDepthwise, testing::Range(0, 32));

}  // namespace
}  // namespace msqx::accel
