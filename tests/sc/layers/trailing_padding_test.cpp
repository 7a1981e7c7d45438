// Padding after the last row and column only (ONNX pads [0, 0, 1, 1], what Keras' "same" gives a
// stride-2 convolution): the pin-level core reads zeros outside its input, so it runs such a layer
// with a leading padding of 0 and the output size the trailing padding gives. Its outputs must
// equal the golden convolution with that padding, bit for bit, under random back-pressure; and
// the cycle fidelity runs the same layer from the network format.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "models/accel/network_sim.h"
#include "sim/spec/resolve.h"
#include "tests/sc/accel/core_bench.h"
#include "tests/sc/pe/tb_util.h"

namespace msqx::accel {
namespace {

using SmallCore = CoreConfig<pe::PeArrayConfig<pe::PeKind::kFixed, 4, 3, 4, 4, 2, 2>,
                             pe::PeArrayConfig<pe::PeKind::kSp2, 5, 3, 4, 4, 2>,
                             /*TileIc=*/8, /*InDepth=*/128, /*WeightDepth=*/256, /*OutDepth=*/64,
                             /*MaxDepth=*/512>;

golden::ConvLayer TrailingPadded(int stride, int pad_bottom, int pad_right) {
  golden::ConvLayer l;
  l.in_c = 6;
  l.in_h = 8;
  l.in_w = 8;
  l.out_c = 7;
  l.kh = l.kw = 3;
  l.sh = l.sw = stride;
  l.pb = pad_bottom;
  l.pr = pad_right;
  return l;
}

void ExpectBitExact(const char* name, const golden::ConvLayer& l) {
  const unsigned seed = msqx::tb::Seed(name);
  std::mt19937 rng(seed);
  TilePlan tile;
  tile.out_rows = tile.out_cols = 3;
  tile.ogs = 2;
  tile.in_chs = 4;
  const tb::LayerCase c = tb::MakeCase(l, 0.5, tile, CoreParamsOf<SmallCore>().geo, rng);
  auto bench = tb::RunCase<SmallCore>(c, seed + 1, tb::Traffic{0.7, 0.6, 0.6, 0.5});
  ASSERT_EQ(bench->stores, static_cast<long long>(c.expected.size())) << "layer did not finish";
  EXPECT_EQ(bench->double_writes, 0);
  int mismatches = 0;
  for (size_t i = 0; i < c.expected.size(); ++i) {
    if (bench->out[i] != c.expected[i] && ++mismatches <= 5) {
      ADD_FAILURE() << "output " << i << ": got " << bench->out[i] << " expected " << c.expected[i];
    }
  }
  EXPECT_EQ(mismatches, 0);
  EXPECT_GT(std::count_if(c.expected.begin(), c.expected.end(), [](int v) { return v > 0; }), 0);
}

TEST(TrailingPadding, GoldenOutputSizeFollowsEachSide) {
  // (8 + 0 + 1 - 3) / 2 + 1 = 4 rows and columns; without the trailing padding 3 x 3.
  EXPECT_EQ(TrailingPadded(2, 1, 1).OutH(), 4);
  EXPECT_EQ(TrailingPadded(2, 1, 1).OutW(), 4);
  EXPECT_EQ(TrailingPadded(2, 0, 0).OutH(), 3);
  EXPECT_EQ(TrailingPadded(1, 2, 0).OutH(), 8);
  EXPECT_EQ(TrailingPadded(1, 2, 0).OutW(), 6);
  // The last row's and column's windows reach into the padding, which holds zeros: a window of
  // ones counts the input pixels it covers.
  golden::ConvLayer l = TrailingPadded(2, 1, 1);
  l.in_c = 1;
  l.out_c = 1;
  const std::vector<std::uint8_t> ones(8 * 8, 1);
  const std::vector<std::int64_t> acc = golden::Conv(l, ones, std::vector<std::int64_t>(9, 1));
  EXPECT_EQ(acc[0], 9);          // (0, 0): all inside
  EXPECT_EQ(acc[3 * 4 + 0], 6);  // (3, 0): rows 6, 7 and the padding row 8
  EXPECT_EQ(acc[3 * 4 + 3], 4);  // (3, 3): rows 6, 7 x columns 6, 7
  // Bias starts the accumulation.
  EXPECT_EQ(golden::Conv(l, ones, std::vector<std::int64_t>(9, 1), {-5})[0], 4);
}

TEST(TrailingPadding, PinCoreStride2SameIsBitExact) {
  ExpectBitExact("pad0011s2", TrailingPadded(2, 1, 1));
}

TEST(TrailingPadding, PinCoreStride1BottomOnlyIsBitExact) {
  ExpectBitExact("pad0010s1", TrailingPadded(1, 2, 0));
}

TEST(TrailingPadding, CycleFidelityRunsTheLayerFromTheNetworkFormat) {
  const spec::NetworkSpec n =
      spec::ParseNetwork(spec::Document(nlohmann::json::parse(R"({"name": "p", "input":
        {"channels": 6, "height": 8, "width": 8},
        "layers": [{"name": "c", "type": "conv", "out_channels": 7, "kernel": 3, "stride": 2,
                    "padding": [0, 0, 1, 1]}]})"),
                                        "test")
                             .Root());
  EXPECT_EQ(n.layers[0].out, (spec::Shape{7, 4, 4}));
  const spec::ConfigResolver r(MSQX_SOURCE_DIR "/configs");
  const report::RunStats s = SimulateNetwork(r.LoadDesign("xc7z020_ref"), n);
  EXPECT_GT(s.layers[0].cycles, 0);
  EXPECT_EQ(s.layers[0].macs, 7 * 4 * 4 * 6 * 9);
  EXPECT_GE(s.layers[0].bytes_read, 6 * 8 * 8 / 2);  // the whole input at least once
}

}  // namespace
}  // namespace msqx::accel
