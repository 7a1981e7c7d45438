// Whole layers through the pin-level core, bit-exact against the golden integer convolution,
// under random back-pressure on every stream; cycle counts of whole layers against a derivation
// written here from the documented timing (not from step_timing.cpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>

#include "tests/sc/accel/core_bench.h"
#include "tests/sc/pe/tb_util.h"

namespace msqx::accel {
namespace {

// Small arrays with odd sizes so that partial row, piece and channel groups happen: DSP 4 rows
// (two products per DSP), LUT 5 rows, 3 columns, 8-channel words (2 weight rows per piece).
template <int Latency, bool DoubleBuffered>
using Small = CoreConfig<pe::PeArrayConfig<pe::PeKind::kFixed, 4, 3, 4, 4, 2, 2>,
                         pe::PeArrayConfig<pe::PeKind::kSp2, 5, 3, 4, 4, 2>,
                         /*TileIc=*/8, /*InDepth=*/128, /*WeightDepth=*/256, /*OutDepth=*/64,
                         /*MaxDepth=*/512, Latency, DoubleBuffered>;
using SmallSb = Small<1, false>;
using SmallDb = Small<1, true>;
using SmallSbLat2 = Small<2, false>;
using SmallDbLat2 = Small<2, true>;
// Columns enough for a depthwise window of taps: 9 columns hold 3 x 3 (input buffer of 4 banks),
// 16 columns 4 x 4 (a 5 x 5 kernel in four overlapping tap groups). 18- and 16-channel words.
template <int Latency, bool DoubleBuffered>
using Dw9 = CoreConfig<pe::PeArrayConfig<pe::PeKind::kFixed, 4, 9, 4, 4, 2, 2>,
                       pe::PeArrayConfig<pe::PeKind::kSp2, 5, 9, 4, 4, 2>,
                       /*TileIc=*/18, /*InDepth=*/256, /*WeightDepth=*/256, /*OutDepth=*/64,
                       /*MaxDepth=*/512, Latency, DoubleBuffered>;
using Dw9Db = Dw9<1, true>;
using Dw9SbLat2 = Dw9<2, false>;
using Dw16Db = CoreConfig<pe::PeArrayConfig<pe::PeKind::kFixed, 6, 16, 4, 4, 1, 2>,
                          pe::PeArrayConfig<pe::PeKind::kSp2, 3, 16, 4, 4, 1>,
                          /*TileIc=*/16, /*InDepth=*/512, /*WeightDepth=*/256, /*OutDepth=*/64,
                          /*MaxDepth=*/512, 1, true>;

golden::ConvLayer Conv(int ci, int h, int co, int k, int s, int p, bool dw = false) {
  return golden::ConvLayer::Square(ci, h, h, co, k, s, p, dw);
}

TilePlan Tile(int r, int c, int ogs, int ic) {
  TilePlan t;
  t.out_rows = r;
  t.out_cols = c;
  t.ogs = ogs;
  t.in_chs = ic;
  return t;
}

const tb::Traffic kBusy{0.7, 0.6, 0.6, 0.5};
const tb::Traffic kIdeal{};

template <typename Cfg>
CoreGeometry Geometry() {
  return CoreParamsOf<Cfg>().geo;
}

template <typename Cfg>
void ExpectBitExact(const char* name, const golden::ConvLayer& l, double share, TilePlan t,
                    tb::Traffic traffic) {
  const unsigned seed = msqx::tb::Seed(name);
  std::mt19937 rng(seed);
  const tb::LayerCase c = tb::MakeCase(l, share, t, Geometry<Cfg>(), rng);
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
  ExpectBitExact<SmallSb>("c3s1", Conv(5, 7, 10, 3, 1, 1), 0.5, Tile(4, 4, 1, 4), kBusy);
}
TEST(CoreLayer, Conv3x3Stride2FixedOnly) {
  ExpectBitExact<SmallSb>("c3s2", Conv(6, 9, 7, 3, 2, 1), 1.0, Tile(3, 3, 2, 8), kBusy);
}
TEST(CoreLayer, Conv1x1Sp2Only) {
  ExpectBitExact<SmallSb>("c1s1", Conv(12, 6, 9, 1, 1, 0), 0.0, Tile(4, 4, 1, 8), kBusy);
}
TEST(CoreLayer, Conv1x1Stride2) {
  ExpectBitExact<SmallSb>("c1s2", Conv(8, 8, 6, 1, 2, 0), 1.0 / 3, Tile(4, 4, 1, 8), kBusy);
}
TEST(CoreLayer, Depthwise3x3) {
  ExpectBitExact<SmallSb>("dw", Conv(10, 6, 10, 3, 1, 1, true), 0.5, Tile(4, 4, 1, 3), kBusy);
}
TEST(CoreLayer, Depthwise3x3Stride2) {
  ExpectBitExact<SmallDb>("dw2", Conv(6, 7, 6, 3, 2, 1, true), 0.7, Tile(4, 4, 1, 3), kBusy);
}
TEST(CoreLayer, DepthwiseWindow3x3) {
  ExpectBitExact<Dw9Db>("dw9", Conv(11, 7, 11, 3, 1, 1, true), 0.5, Tile(3, 4, 2, 18), kBusy);
}
TEST(CoreLayer, DepthwiseWindow3x3Stride2Latency2) {
  ExpectBitExact<Dw9SbLat2>("dw9s2", Conv(13, 9, 13, 3, 2, 1, true), 0.25, Tile(3, 3, 2, 12),
                            kBusy);
}
TEST(CoreLayer, DepthwiseWindow1x1Stride2) {
  ExpectBitExact<Dw9Db>("dw9k1", Conv(9, 7, 9, 1, 2, 0, true), 2.0 / 3, Tile(2, 4, 1, 18), kBusy);
}
TEST(CoreLayer, Depthwise5x5InOverlappingTapGroups) {
  ExpectBitExact<Dw16Db>("dw16k5", Conv(8, 8, 8, 5, 1, 2, true), 0.5, Tile(3, 3, 2, 16), kBusy);
}
TEST(CoreLayer, DepthwiseNonSquareKernel) {
  golden::ConvLayer l = Conv(7, 8, 7, 3, 1, 1, true);
  l.kw = 2;
  l.sw = 2;
  l.pl = 0;
  l.pr = 1;
  ExpectBitExact<Dw9Db>("dw9ns", l, 1.0, Tile(4, 3, 1, 18), kBusy);
}
TEST(CoreLayer, FullyConnected) {
  ExpectBitExact<SmallSb>("fc", Conv(40, 1, 11, 1, 1, 0), 0.5, Tile(1, 1, 1, 8), kBusy);
}
TEST(CoreLayer, FullyConnectedDoubleBuffered) {
  ExpectBitExact<SmallDb>("fc_db", Conv(40, 1, 11, 1, 1, 0), 0.5, Tile(1, 1, 2, 8), kBusy);
}
TEST(CoreLayer, NonSquareKernelStrideAsymmetricPadding) {
  golden::ConvLayer l = Conv(5, 9, 7, 3, 1, 0);
  l.in_w = 11;
  l.kw = 2;
  l.sw = 2;
  l.pt = 0;
  l.pl = 1;
  l.pb = 1;
  l.pr = 0;
  ExpectBitExact<SmallDb>("nonsquare", l, 2.0 / 3, Tile(3, 4, 1, 5), kBusy);
}
TEST(CoreLayer, FoldedSmallChannelConv) {
  // 2 channels x 7 kernel columns fold into 14 > 8 channels: no; 1 channel x 5 columns does.
  golden::ConvLayer l = Conv(1, 12, 6, 5, 2, 2);
  ExpectBitExact<SmallDb>("fold", l, 0.5, Tile(3, 3, 1, 8), kBusy);
}
TEST(CoreLayer, Conv3x3DoubleBuffered) {
  ExpectBitExact<SmallDb>("db", Conv(5, 7, 10, 3, 1, 1), 0.5, Tile(4, 4, 1, 4), kBusy);
}
TEST(CoreLayer, BramLatency2) {
  ExpectBitExact<SmallSbLat2>("lat2", Conv(5, 7, 10, 3, 1, 1), 0.5, Tile(4, 4, 1, 4), kBusy);
}
TEST(CoreLayer, BramLatency2DoubleBufferedOnePixel) {
  ExpectBitExact<SmallDbLat2>("lat2_px", Conv(9, 5, 10, 3, 1, 1), 0.4, Tile(1, 1, 2, 8), kBusy);
}

// A fresh random layer each run (shape, ratio, tile, traffic all from the logged seed), drawn
// until it fits the small instance; bit-exact under random back-pressure on every stream.
template <typename Cfg>
void RandomShape(const char* name) {
  const unsigned seed = msqx::tb::Seed(name);
  std::mt19937 rng(seed);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const CoreGeometry geo = Geometry<Cfg>();
  while (true) {
    const bool dw = pick(0, 3) == 0;
    const int k = dw ? pick(1, 5) : pick(0, 1) ? 3 : 1;
    const int ci = pick(1, 14);
    golden::ConvLayer l = golden::ConvLayer::Square(
        ci, pick(k, 9), pick(k, 9), dw ? ci : pick(1, 14), k, pick(1, 2), pick(0, k / 2), dw);
    const double shares[] = {0.0, 0.25, 0.5, 2.0 / 3, 1.0};
    const double share = shares[pick(0, 4)];
    TilePlan t = Tile(pick(1, 4), pick(1, 4), pick(1, 2), pick(1, geo.tile_ic));
    std::mt19937 data(seed);
    const tb::LayerCase c = tb::MakeCase(l, share, t, geo, data);
    bool fits = true;
    for (const StepCmd& cmd : c.cmds) fits = fits && CoreFits<Cfg>(c.regs, cmd).empty();
    if (!fits) continue;
    std::printf("layer %dx%dx%d -> %d k%d s%d p%d%s share %.2f tile %dx%d ogs %d ic %d\n", l.in_c,
                l.in_h, l.in_w, l.out_c, k, l.sh, l.pt, dw ? " dw" : "", share, t.out_rows,
                t.out_cols, t.ogs, t.in_chs);
    const tb::Traffic traffic{0.3 + 0.07 * pick(0, 10), 0.3 + 0.07 * pick(0, 10),
                              0.3 + 0.07 * pick(0, 10), 0.3 + 0.07 * pick(0, 10)};
    auto bench = tb::RunCase<Cfg>(c, seed + 1, traffic);
    ASSERT_EQ(bench->stores, static_cast<long long>(c.expected.size()));
    EXPECT_EQ(bench->double_writes, 0);
    for (size_t i = 0; i < c.expected.size(); ++i) ASSERT_EQ(bench->out[i], c.expected[i]) << i;
    break;
  }
}

TEST(CoreLayer, RandomShape) { RandomShape<SmallSb>("random_shape"); }
TEST(CoreLayer, RandomShapeDoubleBuffered) { RandomShape<SmallDb>("random_shape_db"); }
TEST(CoreLayer, RandomShapeLatency2) { RandomShape<SmallDbLat2>("random_shape_lat2"); }
TEST(CoreLayer, RandomShapeDepthwiseWindow) { RandomShape<Dw9Db>("random_shape_dw9"); }

// Cycle count of a whole layer with an ideal memory (every request taken at once, answered in the
// next cycle, in order) and an always-ready store side, derived here from the timing the core
// documents (docs/models.md "Timing", docs/design.md "Depthwise"), not from the code under test.
// For step i taken at h_i with N_i load items (window words, and each engine's pieces: per row
// group, channel group and tap, the pieces that hold the group's filters), B_i blocks (row groups
// x channel groups x taps) of I_i issue cycles (the P_i pixels), Q lane-loading cycles per word
// (the larger engine's pieces), M_i = max(I_i, Q):
//   X_i = max(X_{i-1}, h_i + 2) + N_i;
//   c_i = max(X_i + 1, s_{i-1}, F_{T-2} for a double-buffered first chunk);
//   a_i = max(z_{i-1} + 1, c_i + Q); s_i = a_i + (B_i - 1) M_i; z_i = s_i + I_i - 1;
//   W_i = z_i + 2 (L + 1) + 4; a last chunk stores from max(W_i, F_{T-1}) + 1 for its larger
//   engine's words (row groups x pixels) and L + 1 more: F_T; h_{i+1} = max(h_i + N_i + 1,
//   z_{i-1}) + 1 double-buffered, (last chunk ? F_T : W_i) + 1 otherwise.
// Depthwise: a row group is a channel per row, per DSP when packed (its pieces span two rows per
// channel); the lanes hold a w x w window of taps (w the largest side up to 4 with w^2 <= cols), a
// k x k kernel runs in ceil(k / w)^2 tap groups of min(k, w) taps a side (the blocks, with the row
// groups); a block issues, per output row, min(k, w) window columns for its first pixel and
// min(stride, k, w) for each later one: I = rows x (kg + (cols - 1) min(s, kg)).
template <typename Cfg>
void ExpectCycles(const char* name, const golden::ConvLayer& l, double share, TilePlan t) {
  constexpr long long kL = Cfg::kBramLatency;
  const int rd = Cfg::Dsp::kRows, rl = Cfg::Lut::kRows, cols = Cfg::Dsp::kCols;
  const int prd = Cfg::Dsp::kPieceRows, prl = Cfg::Lut::kPieceRows;
  const int pack = Cfg::Dsp::kMacsPerDsp;
  const auto ceil_div = [](long long a, long long b) { return (a + b - 1) / b; };
  const long long q = std::max(ceil_div(rd, prd), ceil_div(rl, prl));
  int w = 1;
  while (w < 4 && (w + 1) * (w + 1) <= cols) ++w;
  const bool dw = l.depthwise;
  const int slots_d = dw ? rd / pack : rd;  // channels of a DSP row group
  const unsigned seed = msqx::tb::Seed(name);
  std::mt19937 rng(seed);
  const tb::LayerCase c = tb::MakeCase(l, share, t, Geometry<Cfg>(), rng);
  auto bench = tb::RunCase<Cfg>(c, seed + 1, kIdeal);
  ASSERT_EQ(bench->stores, static_cast<long long>(c.expected.size()));
  ASSERT_EQ(bench->cmd_cycles.size(), c.cmds.size());
  const LayerRegs& r = c.regs;
  long long h = bench->cmd_cycles[0];
  long long z1 = -1'000'000, z2 = -1'000'000, s1 = -1'000'000, f_last = -1'000'000;
  long long x_prev = -1'000'000;
  std::vector<long long> f_tiles;
  int overlapped = 0;
  for (size_t i = 0; i < c.cmds.size(); ++i) {
    const StepCmd& s = c.cmds[i];
    EXPECT_EQ(bench->cmd_cycles[i], h) << "step " << i << " taken: " << s;
    h = bench->cmd_cycles[i];  // report each step's own error only once
    const long long win =
        static_cast<long long>((s.out_rows - 1) * r.sh + r.kh) * ((s.out_cols - 1) * r.sw + r.kw);
    const long long pixels = static_cast<long long>(s.out_rows) * s.out_cols;
    const long long kgh = std::min(r.kh, w), kgw = std::min(r.kw, w);
    const long long groups =
        dw ? ceil_div(r.kh, kgh) * ceil_div(r.kw, kgw) : ceil_div(s.in_chs, cols);
    const long long taps = dw ? 1 : r.kh * r.kw;
    const long long issue =
        dw ? s.out_rows * (kgw + (s.out_cols - 1) * std::min<long long>(r.sw, kgw)) : pixels;
    const auto pieces = [&](int n, int slots, int per_slot, int rows, int pr) {
      long long p = 0;
      for (int f0 = 0; f0 < n; f0 += slots) {
        p += ceil_div(std::min(rows, std::min(slots, n - f0) * per_slot), pr);
      }
      return p * groups * taps;
    };
    const long long n_items =
        win + pieces(s.dsp_n, slots_d, dw ? pack : 1, rd, prd) + pieces(s.lut_n, rl, 1, rl, prl);
    const long long og = std::max(ceil_div(s.dsp_n, slots_d), ceil_div(s.lut_n, rl));
    const long long blocks = og * groups * taps, m = std::max(issue, q);
    const long long x = std::max(x_prev, h + 2) + n_items;
    long long start = std::max(x + 1, s1);
    if (s.first_chunk) {
      if (Cfg::kDoubleBuffered && f_tiles.size() >= 2)
        start = std::max(start, f_tiles[f_tiles.size() - 2]);
      f_tiles.push_back(0);
    }
    const long long a = std::max(z1 + 1, start + q);
    if (i > 0 && h <= z1) ++overlapped;  // loaded while the previous step computed
    const long long s_last = a + (blocks - 1) * m;
    const long long z = s_last + issue - 1;
    const long long wr = z + 2 * (kL + 1) + 4;
    long long done = wr;
    if (s.last_chunk) {
      const long long words = og * pixels;
      f_last = std::max(wr, f_last) + 1 + words + kL + 1;
      f_tiles.back() = f_last;
      done = f_last;
    }
    z2 = z1;
    z1 = z;
    s1 = s_last;
    h = Cfg::kDoubleBuffered ? std::max(h + n_items + 1, z2) + 1 : done + 1;
    x_prev = x;
  }
  EXPECT_EQ(bench->last_store, f_last) << "end of the layer";
  if (Cfg::kDoubleBuffered) {
    EXPECT_GT(overlapped, 0) << "double buffering never loaded a step during a compute";
  }
}

TEST(CoreCycles, Conv3x3TwoChunks) {
  ExpectCycles<SmallSb>("cyc_c3", Conv(5, 7, 10, 3, 1, 1), 0.5, Tile(4, 4, 1, 4));
}
TEST(CoreCycles, Conv3x3TwoChunksLatency2) {
  ExpectCycles<SmallSbLat2>("cyc_lat2", Conv(5, 7, 10, 3, 1, 1), 0.5, Tile(4, 4, 1, 4));
}
TEST(CoreCycles, DepthwiseSp2Only) {
  ExpectCycles<SmallSb>("cyc_dw", Conv(10, 6, 10, 3, 2, 1, true), 0.0, Tile(4, 4, 1, 3));
}
TEST(CoreCycles, Conv3x3TwoChunksDoubleBuffered) {
  ExpectCycles<SmallDb>("cyc_db", Conv(5, 7, 10, 3, 1, 1), 0.5, Tile(4, 4, 1, 4));
}
TEST(CoreCycles, Conv1x1DoubleBufferedLatency2) {
  ExpectCycles<SmallDbLat2>("cyc_db2", Conv(20, 6, 9, 1, 1, 0), 0.3, Tile(3, 6, 1, 8));
}
TEST(CoreCycles, DepthwiseWindow3x3Stride1) {
  ExpectCycles<Dw9Db>("cyc_dw9", Conv(15, 8, 15, 3, 1, 1, true), 0.5, Tile(4, 5, 2, 18));
}
TEST(CoreCycles, DepthwiseWindow3x3Stride2Latency2) {
  ExpectCycles<Dw9SbLat2>("cyc_dw9s2", Conv(10, 9, 10, 3, 2, 1, true), 0.4, Tile(3, 4, 2, 18));
}
TEST(CoreCycles, Depthwise5x5TapGroups) {
  ExpectCycles<Dw16Db>("cyc_dw16k5", Conv(9, 9, 9, 5, 2, 2, true), 2.0 / 3, Tile(3, 3, 2, 16));
}
TEST(CoreCycles, FullyConnectedDoubleBuffered) {
  ExpectCycles<SmallDb>("cyc_fc", Conv(40, 1, 11, 1, 1, 0), 0.5, Tile(1, 1, 2, 8));
}

// The controller's registers are 16-bit for dimensions and the multiplier (core_ports.h): a layer
// that would overflow them is refused, not silently wrapped.
TEST(CoreFits, LayersBeyondTheRegisterWidthsAreRefused) {
  LayerRegs r;
  r.in_c = r.out_c = 8;
  r.in_h = r.in_w = r.out_h = r.out_w = 6;
  r.kh = r.kw = 3;
  r.pt = r.pl = 1;
  r.acc_depth = 72;
  StepCmd c;
  c.out_rows = c.out_cols = 2;
  c.in_chs = 8;
  c.dsp_n = 4;
  c.lut_n = 4;
  EXPECT_EQ(CoreFits<SmallSb>(r, c), "");
  LayerRegs wide = r;
  wide.in_w = 32768;
  EXPECT_NE(CoreFits<SmallSb>(wide, c).find("dimension above 32767"), std::string::npos);
  LayerRegs loud = r;
  loud.lut_mult = 40000;
  EXPECT_NE(CoreFits<SmallSb>(loud, c).find("multiplier outside 16 bits"), std::string::npos);
  loud.lut_mult = -32768;
  EXPECT_EQ(CoreFits<SmallSb>(loud, c), "");
  LayerRegs deep = r;
  deep.acc_depth = 513;  // the instance's partial sums hold 512-term dot products
  EXPECT_NE(CoreFits<SmallSb>(deep, c).find("dot product"), std::string::npos);
  StepCmd big = c;
  big.out_rows = big.out_cols = 12;  // a 14 x 14 window: 196 words > 128
  EXPECT_NE(CoreFits<SmallSb>(r, big).find("input window"), std::string::npos);
}

// The host forms the products the controller no longer does (core_tb.h): worked by hand on a
// 3x3 stride-2 layer with padding 1, 5 x 7 x 6 in, 3 x 4 x 10 out, the tile of output rows
// 1..2 and columns 2..3; and on a folded one, whose window column is a run of input pixels.
TEST(CoreHost, RegistersAndCommandsCarryTheHostsProducts) {
  LayerRegs r;
  r.in_c = 6;
  r.in_h = 5;
  r.in_w = 7;
  r.out_c = 10;
  r.out_h = 3;
  r.out_w = 4;
  r.kh = r.kw = 3;
  r.sh = r.sw = 2;
  r.pt = r.pl = 1;
  r.dsp_mult = -300;
  r.lut_shift = 9;
  const CoreRegs cr = tb::CoreRegsOf(r);
  EXPECT_EQ(cr.in_row_elems, 42);  // 7 x 6
  EXPECT_EQ(cr.out_row_elems, 40);
  EXPECT_EQ(cr.taps, 9);
  EXPECT_EQ(cr.dsp_mult, -300);
  EXPECT_EQ(cr.lut_shift, 9);
  StepCmd s;
  s.out_row0 = 1;
  s.out_rows = 2;
  s.out_col0 = 2;
  s.out_cols = 2;
  s.in_chs = 6;
  const CoreCmd c = tb::CoreCmdOf(r, s);
  EXPECT_EQ(c.win_rows, 5);  // (2 - 1) x 2 + 3
  EXPECT_EQ(c.win_cols, 5);
  EXPECT_EQ(c.pixels, 4);
  EXPECT_EQ(c.row_step, 10);   // sh x win_cols
  EXPECT_EQ(c.iy0, 1);         // 1 x 2 - 1
  EXPECT_EQ(c.x0, 3);          // 2 x 2 - 1
  EXPECT_EQ(c.in_addr0, 42);   // input row 1
  EXPECT_EQ(c.out_addr0, 60);  // (1 x 4 + 2) x 10
  s.out_row0 = 0;              // the top padding row: a negative first row and address
  EXPECT_EQ(tb::CoreCmdOf(r, s).iy0, -1);
  EXPECT_EQ(tb::CoreCmdOf(r, s).in_addr0, -42);
  LayerRegs f = r;  // folded: stride and padding of the columns move to fold_sw, fold_pl
  f.fold = 3;
  f.fold_sw = 2;
  f.fold_pl = 1;
  f.kw = 1;
  f.sw = 1;
  f.pl = 0;
  EXPECT_EQ(tb::CoreCmdOf(f, s).x0, 3);        // 2 x fold_sw - fold_pl
  EXPECT_EQ(tb::CoreCmdOf(f, s).win_cols, 2);  // (2 - 1) x 1 + 1
}

}  // namespace
}  // namespace msqx::accel
