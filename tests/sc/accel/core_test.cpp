// Whole layers through the pin-level core, bit-exact against the golden integer convolution,
// under random back-pressure on every stream; cycle counts of whole layers against a derivation
// from the documented phase timing.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>

#include "models/accel/core_bram.h"
#include "tests/sc/accel/core_bench.h"

namespace msqx::accel {
namespace {

// Small arrays with odd sizes so that partial row and channel groups happen: DSP 4x3 with two
// products per DSP, LUT 3x5, 8-channel input words.
using SmallCore = CoreConfig<pe::PeArrayConfig<pe::PeKind::kFixed, 4, 3, 4, 4, 8 * 9, 2>,
                             pe::PeArrayConfig<pe::PeKind::kSp2, 3, 5, 4, 4, 8 * 9>,
                             /*TileIc=*/8, /*InDepth=*/128, /*WeightDepth=*/128, /*OutDepth=*/64>;
using SmallCoreLat2 = CoreConfig<pe::PeArrayConfig<pe::PeKind::kFixed, 4, 3, 4, 4, 8 * 9, 2>,
                                 pe::PeArrayConfig<pe::PeKind::kSp2, 3, 5, 4, 4, 8 * 9>, 8, 128,
                                 128, 64, /*BramLatency=*/2>;
using SmallCoreOverlap = CoreConfig<pe::PeArrayConfig<pe::PeKind::kFixed, 4, 3, 4, 4, 8 * 9, 2>,
                                    pe::PeArrayConfig<pe::PeKind::kSp2, 3, 5, 4, 4, 8 * 9>, 8, 128,
                                    128, 64, 1, /*OverlapLoad=*/true>;
using SmallCoreOverlapLat2 =
    CoreConfig<pe::PeArrayConfig<pe::PeKind::kFixed, 4, 3, 4, 4, 8 * 9, 2>,
               pe::PeArrayConfig<pe::PeKind::kSp2, 3, 5, 4, 4, 8 * 9>, 8, 128, 128, 64, 2, true>;
using SmallCoreFull = CoreConfig<pe::PeArrayConfig<pe::PeKind::kFixed, 4, 3, 4, 4, 8 * 9, 2>,
                                 pe::PeArrayConfig<pe::PeKind::kSp2, 3, 5, 4, 4, 8 * 9>, 8, 128,
                                 128, 64, 1, true, /*OverlapStore=*/true>;
using SmallCoreFullLat2 = CoreConfig<pe::PeArrayConfig<pe::PeKind::kFixed, 4, 3, 4, 4, 8 * 9, 2>,
                                     pe::PeArrayConfig<pe::PeKind::kSp2, 3, 5, 4, 4, 8 * 9>, 8, 128,
                                     128, 64, 2, true, true>;
// The benchmark's engine pair.
using BenchCore = cfg::BenchCore;

golden::ConvLayer Conv(int ci, int h, int co, int k, int s, int p, bool dw = false) {
  golden::ConvLayer l;
  l.in_c = ci;
  l.in_h = l.in_w = h;
  l.out_c = co;
  l.kernel = k;
  l.stride = s;
  l.padding = p;
  l.depthwise = dw;
  return l;
}

spec::TileSpec Tile(int r, int c, int oc, int ic) {
  spec::TileSpec t;
  t.out_rows = r;
  t.out_cols = c;
  t.out_channels = oc;
  t.in_channels = ic;
  return t;
}

const tb::Traffic kBusy{0.7, 0.6, 0.6, 0.5};
const tb::Traffic kIdeal{};

template <typename Cfg>
void ExpectBitExact(const char* name, const golden::ConvLayer& l, double share, spec::TileSpec t,
                    tb::Traffic traffic) {
  const unsigned seed = msqx::tb::Seed(name);
  std::mt19937 rng(seed);
  const tb::LayerCase c = tb::MakeCase(l, share, t, rng);
  auto bench = tb::RunCase<Cfg>(c, seed + 1, traffic);
  ASSERT_EQ(bench->stores, static_cast<long long>(c.expected.size())) << "layer did not finish";
  EXPECT_EQ(bench->double_writes, 0);
  int mismatches = 0;
  for (size_t i = 0; i < c.expected.size(); ++i) {
    if (bench->out[i] != c.expected[i] && ++mismatches <= 5) {
      ADD_FAILURE() << "output " << i << " (oc " << i % l.out_c << "): got " << bench->out[i]
                    << " expected " << c.expected[i];
    }
  }
  EXPECT_EQ(mismatches, 0);
  // A meaningful test needs outputs that are not all clamped.
  const auto nonzero =
      std::count_if(c.expected.begin(), c.expected.end(), [](int v) { return v > 0; });
  EXPECT_GT(nonzero, 0);
}

TEST(CoreLayer, Conv3x3Stride1PadTwoChunks) {
  ExpectBitExact<SmallCore>("c3s1", Conv(5, 7, 10, 3, 1, 1), 0.5, Tile(4, 4, 8, 4), kBusy);
}
TEST(CoreLayer, Conv3x3Stride2FixedOnly) {
  ExpectBitExact<SmallCore>("c3s2", Conv(6, 9, 7, 3, 2, 1), 1.0, Tile(3, 3, 8, 8), kBusy);
}
TEST(CoreLayer, Conv1x1Sp2Only) {
  ExpectBitExact<SmallCore>("c1s1", Conv(12, 6, 9, 1, 1, 0), 0.0, Tile(4, 4, 8, 8), kBusy);
}
TEST(CoreLayer, Conv1x1Stride2) {
  ExpectBitExact<SmallCore>("c1s2", Conv(8, 8, 6, 1, 2, 0), 1.0 / 3, Tile(4, 4, 8, 8), kBusy);
}
TEST(CoreLayer, Depthwise3x3) {
  ExpectBitExact<SmallCore>("dw", Conv(10, 6, 10, 3, 1, 1, true), 0.5, Tile(4, 4, 8, 8), kBusy);
}
TEST(CoreLayer, Depthwise3x3Stride2) {
  ExpectBitExact<SmallCore>("dw2", Conv(6, 7, 6, 3, 2, 1, true), 0.7, Tile(4, 4, 8, 4), kBusy);
}
TEST(CoreLayer, FullyConnected) {
  ExpectBitExact<SmallCore>("fc", Conv(40, 1, 11, 1, 1, 0), 0.5, Tile(1, 1, 8, 8), kBusy);
}
TEST(CoreLayer, Conv5x5NonSquareNoPadRatio2to1) {
  golden::ConvLayer l = Conv(7, 9, 5, 5, 1, 0);
  l.in_w = 11;  // 5x7 output: ragged row and column tiles
  ExpectBitExact<SmallCore>("c5", l, 2.0 / 3, Tile(3, 4, 8, 2), kBusy);  // 2 x 25 <= 72
}
TEST(CoreLayer, Conv3x3Stride2Pad0Ragged) {
  golden::ConvLayer l = Conv(9, 10, 13, 3, 2, 0);
  l.in_w = 7;
  ExpectBitExact<SmallCore>("c3ragged", l, 0.25, Tile(2, 2, 5, 8), kBusy);
}
// A fresh random layer each run (shape, ratio, tile, traffic all from the logged seed), drawn
// until it fits the small instance.
template <typename Cfg>
void RandomShape(const char* name) {
  const unsigned seed = msqx::tb::Seed(name);
  std::mt19937 rng(seed);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  while (true) {
    const int k = pick(0, 1) ? 3 : 1;
    const bool dw = pick(0, 3) == 0;
    const int ci = pick(1, 14);
    golden::ConvLayer l =
        Conv(ci, pick(k, 9), dw ? ci : pick(1, 14), k, pick(1, 2), pick(0, k / 2), dw);
    l.in_w = pick(k, 9);
    const double shares[] = {0.0, 0.25, 0.5, 2.0 / 3, 1.0};
    const double share = shares[pick(0, 4)];
    const spec::TileSpec t = Tile(pick(1, 4), pick(1, 4), pick(1, 8), pick(1, 8));
    std::mt19937 data(seed);
    const tb::LayerCase c = tb::MakeCase(l, share, t, data);
    bool fits = true;
    for (const StepCmd& cmd : CommandsOf(c.schedule)) {
      fits = fits && AccelCore<Cfg>::Fits(c.regs, cmd).empty();
    }
    if (!fits) continue;
    std::printf("layer %dx%dx%d -> %d k%d s%d p%d%s share %.2f tile %dx%dx%dx%d\n", l.in_c, l.in_h,
                l.in_w, l.out_c, k, l.stride, l.padding, dw ? " dw" : "", share, t.out_rows,
                t.out_cols, t.out_channels, t.in_channels);
    const tb::Traffic traffic{0.3 + 0.07 * pick(0, 10), 0.3 + 0.07 * pick(0, 10),
                              0.3 + 0.07 * pick(0, 10), 0.3 + 0.07 * pick(0, 10)};
    auto bench = tb::RunCase<Cfg>(c, seed + 1, traffic);
    ASSERT_EQ(bench->stores, static_cast<long long>(c.expected.size()));
    EXPECT_EQ(bench->double_writes, 0);
    for (size_t i = 0; i < c.expected.size(); ++i) ASSERT_EQ(bench->out[i], c.expected[i]) << i;
    break;
  }
}

TEST(CoreLayer, RandomShape) { RandomShape<SmallCore>("random_shape"); }
TEST(CoreLayer, RandomShapeDoubleBuffered) { RandomShape<SmallCoreOverlap>("random_shape_db"); }

TEST(CoreLayer, DoubleBufferedConv3x3) {
  ExpectBitExact<SmallCoreOverlap>("ovl", Conv(5, 7, 10, 3, 1, 1), 0.5, Tile(4, 4, 8, 4), kBusy);
}
TEST(CoreLayer, DoubleBufferedDepthwiseStride2) {
  ExpectBitExact<SmallCoreOverlapLat2>("ovl_dw", Conv(6, 7, 6, 3, 2, 1, true), 0.7,
                                       Tile(4, 4, 8, 4), kBusy);
}
TEST(CoreLayer, DoubleBufferedFullyConnected) {
  ExpectBitExact<SmallCoreOverlap>("ovl_fc", Conv(40, 1, 11, 1, 1, 0), 0.5, Tile(1, 1, 8, 8),
                                   kBusy);
}

TEST(CoreLayer, AllDoubleBufferedConv3x3) {
  ExpectBitExact<SmallCoreFull>("full", Conv(5, 7, 10, 3, 1, 1), 0.5, Tile(4, 4, 8, 4), kBusy);
}
TEST(CoreLayer, AllDoubleBufferedDepthwise) {
  ExpectBitExact<SmallCoreFullLat2>("full_dw", Conv(10, 6, 10, 3, 2, 1, true), 0.4,
                                    Tile(2, 3, 8, 4), kBusy);
}
TEST(CoreLayer, RandomShapeAllDoubleBuffered) { RandomShape<SmallCoreFull>("random_shape_full"); }

TEST(CoreLayer, BramLatency2) {
  ExpectBitExact<SmallCoreLat2>("lat2", Conv(5, 7, 10, 3, 1, 1), 0.5, Tile(4, 4, 8, 4), kBusy);
}
TEST(CoreLayer, BenchEnginePair) {
  ExpectBitExact<BenchCore>("bench", Conv(60, 6, 40, 3, 1, 1), 0.4, Tile(4, 4, 32, 48), kBusy);
}

// Cycle count of a whole layer with an ideal memory (every request taken at once, answered in
// the next cycle) and an always-ready store side, derived from the phase timing the core
// documents, not from the core. For step i taken (command handshake) at h_i, with N_i load items:
//   X_i = h_i + 2 + N_i           last load beat (requests from h_i + 1, one per cycle, each beat
//                                 one cycle after its request is taken)
//   c_i = max(X_i, E_{i-1}) + 1   compute starts after its load and after the previous step
//   D_i = c_i + max over engines of (B + 1 + L + S [+ 1 + L after the first chunk])
//                                 B beats, one per cycle; a beat reaches the array 2 + L cycles
//                                 after issue (BRAM latency L, controller register), its sum the
//                                 controller S = 4 array stages (A, M, T, P) later; later chunks
//                                 add a read of L + 1 cycles before the write
//   E_i = D_i, or for a last chunk D_i + 1 + sum over words (1 + L + v) [+ 1 when both engines
//         store]: per output word a read, L cycles, v activations; one cycle to switch engines
//   h_{i+1} = E_i + 1                    single-buffered: the next step waits for everything
//   h_{i+1} = max(X_i, D_{i-1}) + 1      double-buffered: for the loader and for its half
//                                        (freed when the step two back finished computing)
// and the last activation is stored at E_last.
// With double-buffered partial sums too (OverlapStore) a separate storer stores tile T (the
// output tile of a last chunk) while later steps compute:
//   c_i = max(X_i + 1, D_{i-1} + 1, B_i)  B_i = F_{T-2} for a first chunk (its half is free in the
//                                        cycle its store ends), F_{T-1} for a later chunk (port B)
//   S_T = max(D_i, F_{T-1}) + 1, F_T = S_T + (store cycles as above, without the leading 1)
//   h_{i+1} = max(X_i, D_{i-1}) + 1, and the last activation is stored at F_last.
// Cycle count of a whole layer with an ideal memory (every request taken at once, answered in
// the next cycle) and an always-ready store side, derived from the phase timing the core
// documents, not from the core:
//   command handshake at t0; load requests from t0+1, one per cycle, each beat received one cycle
//   after its request is taken -> N load items end at t0+2+N; compute starts at c0 = t0+3+N.
//   Each engine issues one beat per cycle; a beat issued at c reaches the array at c+2+L (BRAM
//   latency L plus the controller's register), its dot product's sum reaches the controller
//   S = 4 array stages later (A, M, T, P) and is written then (first chunk) or after a read of
//   L+1 more cycles (later chunks). The step's compute ends when both engines have written all.
//   A step that is not the last chunk takes the next command one cycle later. A last chunk
//   starts storing the cycle after compute ends: per output word (row group x pixel) 1 + L + v
//   cycles for its v activations, one extra cycle when switching from the DSP to the LUT engine's
//   words, and the next command (or the end) one cycle after the last store.
template <typename Cfg>
void ExpectCycles(const char* name, const golden::ConvLayer& l, double share, spec::TileSpec t) {
  constexpr int kL = Cfg::kBramLatency, kS = 4;
  const int rd = Cfg::Dsp::kRows, cd = Cfg::Dsp::kCols, rl = Cfg::Lut::kRows, cl = Cfg::Lut::kCols;
  const unsigned seed = msqx::tb::Seed(name);
  std::mt19937 rng(seed);
  const tb::LayerCase c = tb::MakeCase(l, share, t, rng);
  auto bench = tb::RunCase<Cfg>(c, seed + 1, kIdeal);
  ASSERT_EQ(bench->stores, static_cast<long long>(c.expected.size()));
  const std::vector<StepCmd> cmds = CommandsOf(c.schedule);
  ASSERT_EQ(bench->cmd_cycles.size(), cmds.size());
  const int k2 = l.kernel * l.kernel;
  const auto ceil_div = [](long long a, long long b) { return (a + b - 1) / b; };
  long long h = bench->cmd_cycles[0];
  long long e_prev = -1, d_prev = -1, d_prev2 = -1;
  int overlapped = 0;                // steps taken before the previous one had finished
  std::vector<long long> store_end;  // F_T per output tile (OverlapStore)
  long long last_store = -1;
  int store_overlaps = 0;  // computes started before the previous tile was stored
  for (size_t i = 0; i < cmds.size(); ++i) {
    const StepCmd& s = cmds[i];
    EXPECT_EQ(bench->cmd_cycles[i], h) << "step " << i << " taken: " << s;
    if (i > 0 && bench->cmd_cycles[i] <= e_prev) ++overlapped;
    h = bench->cmd_cycles[i];  // report each step's own error only once
    const long long win = static_cast<long long>((s.out_rows - 1) * l.stride + l.kernel) *
                          ((s.out_cols - 1) * l.stride + l.kernel);
    const long long pixels = static_cast<long long>(s.out_rows) * s.out_cols;
    const long long og_d = ceil_div(s.dsp_n, rd), og_l = ceil_div(s.lut_n, rl);
    const long long g_d = ceil_div(s.in_chs, cd), g_l = ceil_div(s.in_chs, cl);
    const long long items = win + og_d * g_d * k2 * rd + og_l * g_l * k2 * rl;
    long long compute = 0;
    for (auto [beats, n] : {std::pair{og_d * pixels * g_d * k2, s.dsp_n},
                            std::pair{og_l * pixels * g_l * k2, s.lut_n}}) {
      if (n == 0) continue;
      compute = std::max(compute, beats + 1 + kL + kS + (s.first_chunk ? 0 : 1 + kL));
    }
    const long long x = h + 2 + items;
    const long long store = og_d * pixels * (1 + kL) + s.dsp_n * pixels + og_l * pixels * (1 + kL) +
                            s.lut_n * pixels + (s.dsp_n > 0 && s.lut_n > 0 ? 1 : 0);
    long long start = std::max(x, e_prev) + 1;
    if (Cfg::kOverlapStore) {
      if (s.first_chunk) store_end.push_back(-1);
      const size_t tile = store_end.size() - 1;
      long long block = -1;
      if (s.first_chunk && tile >= 2) block = store_end[tile - 2];
      if (!s.first_chunk && tile >= 1) block = store_end[tile - 1];
      start = std::max({x + 1, d_prev + 1, block});
      if (start < last_store) ++store_overlaps;
    }
    const long long d = start + compute;
    long long e = d;
    if (s.last_chunk) e += 1 + store;
    if (Cfg::kOverlapStore) {
      e = d;
      if (s.last_chunk) {
        last_store = std::max(d, last_store) + 1 + store;
        store_end.back() = last_store;
      }
    }
    d_prev2 = d_prev;
    d_prev = d;
    e_prev = e;
    h = Cfg::kOverlapLoad ? std::max(x, d_prev2) + 1 : e + 1;
  }
  EXPECT_EQ(bench->last_store_cycle, Cfg::kOverlapStore ? last_store : e_prev)
      << "end of the layer";
  if (Cfg::kOverlapStore) {
    EXPECT_GT(store_overlaps, 0) << "no store ran beside a compute";
  }
  if (Cfg::kOverlapLoad) {
    EXPECT_GT(overlapped, 0) << "double buffering never overlapped a load with a compute";
  } else {
    EXPECT_EQ(overlapped, 0);
  }
}

// Buffer sizes by hand from the aspect ratios: input word 48 x 4 = 192 bits x 256 -> 512x36
// tiles: 6 columns = 6 BRAM18 per replica, 12 for both; DSP weights 1024 bits x 256 -> 29 columns
// of 512x36 (1044 bits) = 29; LUT weights 1536 x 256 -> 43 columns (1548 bits) = 43; sums
// 16 x 32 = 512 bits x 256 -> 15 columns (540 bits) = 15 per engine.
TEST(CoreBram, BenchInstance) { EXPECT_EQ(CoreBramCost<BenchCore>().bram18, 12 + 29 + 43 + 30); }

// The controller's registers are 16-bit for dimensions and the multiplier (core.h): a layer that
// would overflow them is refused, not silently wrapped.
TEST(CoreFits, LayersBeyondTheRegisterWidthsAreRefused) {
  LayerRegs r;
  r.in_c = r.out_c = 8;
  r.in_h = r.in_w = r.out_h = r.out_w = 6;
  r.kernel = 3;
  r.padding = 1;
  StepCmd c;
  c.out_rows = c.out_cols = 2;
  c.in_chs = 8;
  c.dsp_n = 4;
  c.lut_n = 4;
  c.lut_ch0 = 4;
  EXPECT_EQ(AccelCore<SmallCore>::Fits(r, c), "");
  LayerRegs wide = r;
  wide.in_w = 32768;
  EXPECT_NE(AccelCore<SmallCore>::Fits(wide, c).find("dimension above 32767"), std::string::npos);
  wide = r;
  wide.out_c = 32767;  // the largest that fits
  EXPECT_EQ(AccelCore<SmallCore>::Fits(wide, c), "");
  LayerRegs loud = r;
  loud.lut_mult = 40000;
  EXPECT_NE(AccelCore<SmallCore>::Fits(loud, c).find("multiplier outside 16 bits"),
            std::string::npos);
  loud.lut_mult = -32768;
  EXPECT_EQ(AccelCore<SmallCore>::Fits(loud, c), "");
}

TEST(CoreCycles, Conv3x3TwoChunks) {
  ExpectCycles<SmallCore>("cyc_c3", Conv(5, 7, 10, 3, 1, 1), 0.5, Tile(4, 4, 8, 4));
}
TEST(CoreCycles, Conv3x3TwoChunksLatency2) {
  ExpectCycles<SmallCoreLat2>("cyc_lat2", Conv(5, 7, 10, 3, 1, 1), 0.5, Tile(4, 4, 8, 4));
}
TEST(CoreCycles, DepthwiseSp2Only) {
  ExpectCycles<SmallCore>("cyc_dw", Conv(10, 6, 10, 3, 2, 1, true), 0.0, Tile(4, 4, 8, 8));
}
TEST(CoreCycles, Conv3x3TwoChunksDoubleBuffered) {
  ExpectCycles<SmallCoreOverlap>("cyc_ovl", Conv(5, 7, 10, 3, 1, 1), 0.5, Tile(4, 4, 8, 4));
}
TEST(CoreCycles, Conv1x1DoubleBufferedLatency2) {
  ExpectCycles<SmallCoreOverlapLat2>("cyc_ovl2", Conv(20, 6, 9, 1, 1, 0), 0.3, Tile(3, 6, 4, 8));
}
TEST(CoreCycles, Conv3x3TwoChunksAllDoubleBuffered) {
  ExpectCycles<SmallCoreFull>("cyc_full", Conv(5, 7, 10, 3, 1, 1), 0.5, Tile(4, 4, 8, 4));
}
TEST(CoreCycles, DepthwiseAllDoubleBufferedLatency2) {
  ExpectCycles<SmallCoreFullLat2>("cyc_full_dw", Conv(10, 6, 10, 3, 1, 1, true), 0.4,
                                  Tile(2, 3, 8, 4));
}
TEST(CoreCycles, Conv1x1AllDoubleBuffered) {
  ExpectCycles<SmallCoreFull>("cyc_full_1x1", Conv(20, 6, 9, 1, 1, 0), 0.3, Tile(3, 6, 4, 8));
}
TEST(CoreCycles, FullyConnected) {
  ExpectCycles<SmallCore>("cyc_fc", Conv(40, 1, 11, 1, 1, 0), 0.5, Tile(1, 1, 8, 8));
}

}  // namespace
}  // namespace msqx::accel
