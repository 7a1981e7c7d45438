// The tile schedule covers every (output pixel, output channel, input channel) exactly once, in
// the documented loop order, with the documented filter split.
#include "models/accel/schedule.h"

#include <gtest/gtest.h>

#include <map>
#include <stdexcept>
#include <tuple>

#include "models/accel/core_types.h"
#include "models/accel/golden.h"
#include "sim/spec/json_reader.h"
#include "sim/spec/resolve.h"

namespace msqx::accel {
namespace {

LayerShape Conv(int ci, int h, int co, int k, int s, int p, bool dw = false) {
  LayerShape l;
  l.in_channels = ci;
  l.in_height = l.in_width = h;
  l.out_channels = co;
  l.kernel = k;
  l.stride = s;
  l.padding = p;
  l.out_height = l.out_width = (h + 2 * p - k) / s + 1;
  l.depthwise = dw;
  return l;
}

spec::TileSpec TileOf(int r, int c, int oc, int ic) {
  spec::TileSpec t;
  t.out_rows = r;
  t.out_cols = c;
  t.out_channels = oc;
  t.in_channels = ic;
  return t;
}

TEST(SplitFilters, CountIsRoundedShare) {
  // 10 * 1/3 = 3.33 -> 3 fixed; 10 * 2/3 = 6.67 -> 7; 7 * 0.5 = 3.5 -> 4 (round half away).
  EXPECT_EQ(SplitFilters(10, 1.0 / 3).fixed.size(), 3u);
  EXPECT_EQ(SplitFilters(10, 2.0 / 3).fixed.size(), 7u);
  EXPECT_EQ(SplitFilters(7, 0.5).fixed.size(), 4u);
  EXPECT_EQ(SplitFilters(8, 0.0).fixed.size(), 0u);
  EXPECT_EQ(SplitFilters(8, 1.0).sp2.size(), 0u);
  const FilterSplit s = SplitFilters(6, 0.5);
  EXPECT_EQ(s.fixed, (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(s.sp2, (std::vector<int>{3, 4, 5}));
}

TEST(SplitFilters, RankingChoosesFixedAndListsStaySorted) {
  const FilterSplit s = SplitFilters(5, 0.4, {4, 1, 0, 3, 2});
  EXPECT_EQ(s.fixed, (std::vector<int>{1, 4}));
  EXPECT_EQ(s.sp2, (std::vector<int>{0, 2, 3}));
  EXPECT_THROW(SplitFilters(3, 0.5, {0, 1, 1}), std::invalid_argument);
  EXPECT_THROW(SplitFilters(3, 0.5, {0, 1}), std::invalid_argument);
}

TEST(Schedule, BadTileThrowsConfigError) {
  EXPECT_THROW(MakeSchedule(Conv(4, 8, 4, 3, 1, 1), TileOf(0, 4, 4, 4), SplitFilters(4, 0.5)),
               spec::ConfigError);
}

// Visits every tile and counts, per (oc, oy, ox), which input channels it accumulated.
void CheckCoverage(const LayerShape& l, const spec::TileSpec& t, double share) {
  const Schedule s = MakeSchedule(l, t, SplitFilters(l.out_channels, share));
  std::map<std::tuple<int, int, int>, int> seen;  // (oc, oy, ox) -> input channels summed
  std::map<std::tuple<int, int, int>, bool> open;
  int last_step = -1;
  for (const Tile& tile : s.tiles) {
    ASSERT_GE(tile.step, last_step);
    ASSERT_LE(tile.step, last_step + 1);
    last_step = tile.step;
    ASSERT_LE(tile.out_rows, t.out_rows);
    ASSERT_LE(tile.out_cols, t.out_cols);
    ASSERT_LE(tile.in_chs, t.in_channels);
    const auto& list = tile.engine == Engine::kDsp ? s.split.fixed : s.split.sp2;
    for (int f = tile.filter0; f < tile.filter0 + tile.filters; ++f) {
      const int oc = list.at(f);
      for (int y = tile.out_row0; y < tile.out_row0 + tile.out_rows; ++y) {
        for (int x = tile.out_col0; x < tile.out_col0 + tile.out_cols; ++x) {
          const auto key = std::make_tuple(oc, y, x);
          if (tile.first_chunk) {
            EXPECT_FALSE(open[key]) << "chunk restarted before it ended";
            open[key] = true;
          }
          EXPECT_TRUE(open[key]);
          if (l.depthwise) {
            EXPECT_GE(oc, tile.in_ch0);
            EXPECT_LT(oc, tile.in_ch0 + tile.in_chs);
            seen[key] += 1;
          } else {
            seen[key] += tile.in_chs;
          }
          if (tile.last_chunk) open[key] = false;
        }
      }
    }
  }
  ASSERT_EQ(seen.size(), static_cast<size_t>(l.out_channels) * l.out_height * l.out_width);
  for (const auto& [key, n] : seen) {
    EXPECT_EQ(n, l.depthwise ? 1 : l.in_channels);
    EXPECT_FALSE(open[key]);
  }
}

TEST(Schedule, CoversEveryOutputOnce) {
  CheckCoverage(Conv(8, 9, 12, 3, 1, 1), TileOf(4, 4, 5, 3), 0.5);
  CheckCoverage(Conv(5, 11, 7, 3, 2, 1), TileOf(3, 8, 4, 8), 1.0);
  CheckCoverage(Conv(5, 11, 7, 1, 1, 0), TileOf(16, 16, 32, 32), 0.0);
  CheckCoverage(Conv(10, 6, 10, 3, 1, 1, true), TileOf(2, 6, 4, 4), 0.3);
  CheckCoverage(Conv(64, 1, 10, 1, 1, 0), TileOf(1, 1, 4, 16), 0.6);
}

// The documented order and sizes on a case small enough to write out by hand: 2x2 output,
// tile 1 row x 2 cols, 4 output channels with tile.out_channels 2 -> 2 steps per spatial tile;
// 6 input channels with chunk 4 -> chunks [0,4) and [4,6); half fixed -> 2 fixed, 2 SP2 filters,
// one of each per output-channel step.
TEST(Schedule, LoopOrderByHand) {
  const Schedule s = MakeSchedule(Conv(6, 2, 4, 1, 1, 0), TileOf(1, 2, 2, 4), SplitFilters(4, 0.5));
  ASSERT_EQ(s.steps, 2 * 2 * 2);  // row tiles x oc steps x ic chunks
  ASSERT_EQ(s.tiles.size(), 16u);
  const Tile& t0 = s.tiles[0];
  EXPECT_EQ(t0.engine, Engine::kDsp);
  EXPECT_EQ(t0.in_ch0, 0);
  EXPECT_EQ(t0.in_chs, 4);
  EXPECT_EQ(t0.filter0, 0);
  EXPECT_EQ(t0.filters, 1);
  EXPECT_TRUE(t0.first_chunk);
  EXPECT_FALSE(t0.last_chunk);
  EXPECT_EQ(s.tiles[1].engine, Engine::kLut);
  EXPECT_EQ(s.tiles[1].step, 0);
  EXPECT_EQ(s.tiles[2].in_ch0, 4);  // the chunk loop is inside the output-channel step
  EXPECT_EQ(s.tiles[2].in_chs, 2);
  EXPECT_TRUE(s.tiles[2].last_chunk);
  EXPECT_EQ(s.tiles[4].filter0, 1);  // second output-channel step
  EXPECT_EQ(s.tiles[4].out_row0, 0);
  EXPECT_EQ(s.tiles[8].out_row0, 1);  // then the next row tile
  EXPECT_EQ(t0.InRows(s.layer), 1);
}

TEST(Schedule, InputWindowIncludesHaloAndPadding) {
  const LayerShape l = Conv(3, 8, 4, 3, 2, 1);  // 4x4 output
  const Schedule s = MakeSchedule(l, TileOf(2, 2, 4, 4), SplitFilters(4, 1.0));
  const Tile& t = s.tiles.back();  // rows 2..3, cols 2..3
  EXPECT_EQ(t.InRow0(l), 2 * 2 - 1);
  EXPECT_EQ(t.InRows(l), (2 - 1) * 2 + 3);
}

// Every conv and fc layer of the shipped networks, with the shipped designs' tiles and ratios:
// the schedule covers each layer exactly once and the MAC count it implies equals the network's.
TEST(Schedule, ShippedNetworksAndDesigns) {
  const spec::ConfigResolver resolver(std::string(MSQX_SOURCE_DIR) + "/configs");
  for (const std::string& design_name : resolver.Names("designs")) {
    if (resolver.IsUnrolledDesign(design_name)) continue;  // no tile schedule: docs/unrolled.md
    const spec::DesignSpec design = resolver.LoadDesign(design_name);
    for (const std::string& net_name : resolver.Names("networks")) {
      const spec::NetworkSpec net = resolver.LoadNetwork(net_name);
      for (const spec::Layer& layer : net.layers) {
        if (!layer.HasWeights()) continue;
        const Schedule s = MakeSchedule(layer, design);
        long long macs = 0;
        for (const Tile& t : s.tiles) {
          macs += 1LL * t.out_rows * t.out_cols * t.filters * (s.layer.depthwise ? 1 : t.in_chs) *
                  s.layer.kernel * s.layer.kernel;
        }
        EXPECT_EQ(macs, layer.Macs()) << net_name << "/" << layer.name << " on " << design_name;
        if (net_name == "tiny") {
          CheckCoverage(s.layer, design.tile, design.ratio.FixedShare());
        }
      }
    }
  }
}

TEST(CommandsOf, MergesTheTwoEnginesOfAStep) {
  const Schedule s = MakeSchedule(Conv(6, 2, 4, 1, 1, 0), TileOf(1, 2, 2, 4), SplitFilters(4, 0.5));
  const std::vector<StepCmd> cmds = CommandsOf(s);
  ASSERT_EQ(cmds.size(), 8u);
  // Step 0: fixed filter 0 on the DSP engine, SP2 filter 2 on the LUT engine, first chunk.
  EXPECT_EQ(cmds[0].dsp_ch0, 0);
  EXPECT_EQ(cmds[0].dsp_n, 1);
  EXPECT_EQ(cmds[0].lut_ch0, 2);
  EXPECT_EQ(cmds[0].lut_n, 1);
  EXPECT_TRUE(cmds[0].first_chunk);
  EXPECT_FALSE(cmds[0].last_chunk);
  EXPECT_EQ(cmds[3].dsp_ch0, 1);
  EXPECT_EQ(cmds[3].lut_ch0, 3);
}

TEST(CommandsOf, ScatteredFiltersAreRejected) {
  // Ranking puts channels 0 and 2 on the DSP engine: not one channel range.
  const Schedule s =
      MakeSchedule(Conv(4, 2, 4, 1, 1, 0), TileOf(2, 2, 4, 4), SplitFilters(4, 0.5, {0, 2, 1, 3}));
  EXPECT_THROW(CommandsOf(s), std::invalid_argument);
}

// Requantization by hand: (acc * m + 2^(s-1)) >> s with floor, clamped to [0, 2^bits - 1].
TEST(GoldenRequantize, HandValues) {
  EXPECT_EQ(golden::Requantize(10, 3, 2, 4), 8);    // (30 + 2) / 4 = 8
  EXPECT_EQ(golden::Requantize(9, 1, 1, 4), 5);     // (9 + 1) / 2 = 5
  EXPECT_EQ(golden::Requantize(100, 1, 0, 4), 15);  // saturates
  EXPECT_EQ(golden::Requantize(-1, 1, 1, 4), 0);    // (-1 + 1) / 2 = 0
  EXPECT_EQ(golden::Requantize(-5, 7, 3, 4), 0);    // ReLU
  EXPECT_EQ(golden::Requantize(5, 1, 1, 8), 3);     // (5 + 1) / 2 = 3: ties round up
}

TEST(GoldenConv, HandComputed3x3Padding) {
  // 1 channel 2x2 input [[1,2],[3,4]], one 3x3 filter of ones, pad 1, stride 1: every output
  // sees the whole input -> 10 each.
  golden::ConvLayer l;
  l.in_c = 1;
  l.in_h = l.in_w = 2;
  l.out_c = 1;
  l.kernel = 3;
  l.padding = 1;
  const auto out = golden::Conv(l, {1, 2, 3, 4}, std::vector<std::int64_t>(9, 1));
  EXPECT_EQ(out, (std::vector<std::int64_t>{10, 10, 10, 10}));
  // Stride 2, pad 0, 3x3 input 1..9, filter with -1 at the centre only: -5.
  l.in_h = l.in_w = 3;
  l.padding = 0;
  l.stride = 2;
  std::vector<std::int64_t> w(9, 0);
  w[4] = -1;
  EXPECT_EQ(golden::Conv(l, {1, 2, 3, 4, 5, 6, 7, 8, 9}, w), (std::vector<std::int64_t>{-5}));
}

}  // namespace
}  // namespace msqx::accel
