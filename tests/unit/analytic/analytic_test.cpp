// The analytic model against latencies derived by hand from the template's rules
// (docs/analytic.md) and the device figures, and against bounds any model must respect.
#include <cmath>

#include <gtest/gtest.h>

#include "dse/analytic.h"
#include "sim/spec/resolve.h"

namespace msqx::dse {
namespace {

const spec::ConfigResolver& Resolver() {
  static const spec::ConfigResolver r(MSQX_SOURCE_DIR "/configs");
  return r;
}

spec::NetworkSpec Net(const char* json) {
  return spec::ParseNetwork(spec::Document(nlohmann::json::parse(json), "test").Root());
}

// xc7z045 at 200 MHz, 2 HP ports of 64 bit at 150 MHz: 2.4 GB/s < DDR3 4.264 GB/s x 0.97 (read)
// and x 0.90 (write), so both directions move 2.4e9 / 200e6 = 12 bytes per cycle; 120 ns DDR
// latency = 24 cycles.
spec::DesignSpec SmallDesign() {
  spec::DesignSpec d = Resolver().LoadDesign("xc7z045_ref");
  d.dsp_engine = {4, 4, 1};
  d.lut_engine = {0, 0};
  d.ratio = {1, 0};
  d.tile = {4, 4, 8, 8};
  d.buffers = {64, 64, 64, false};
  d.dma.axi_ports = 2;
  return d;
}

TEST(Analytic, MemoryRatesFollowTheNarrowerOfDdrAndPorts) {
  const MemoryRates r = RatesOf(SmallDesign());
  EXPECT_DOUBLE_EQ(r.read_bytes_per_cycle, 12.0);
  EXPECT_DOUBLE_EQ(r.write_bytes_per_cycle, 12.0);
  EXPECT_EQ(r.latency_cycles, 24);
  spec::DesignSpec four = SmallDesign();
  four.dma.axi_ports = 4;  // 4.8 GB/s of ports: now DDR limits, 4.264e9 x 0.97 / 200e6
  EXPECT_NEAR(RatesOf(four).read_bytes_per_cycle, 4.264e9 * 0.97 / 200e6, 1e-9);
  EXPECT_NEAR(RatesOf(four).write_bytes_per_cycle, 4.264e9 * 0.90 / 200e6, 1e-9);
}

TEST(Analytic, SingleBufferedPointwiseConvolutionByHand) {
  const auto net = Net(R"({"name":"n","input":{"channels":8,"height":4,"width":4},
      "layers":[{"name":"c","type":"conv","out_channels":8,"kernel":1}]})");
  const auto s = AnalyticModel(SmallDesign()).EstimateLayer(net, 0);
  // compute: ceil(8 filters / 4 rows) x ceil(8 channels / 4 cols) x 1 tap x 16 pixels = 64
  // fill: 4 DSP stages + log2(4) adder-tree levels = 6, once per output-channel tile (1 tile)
  // input 8x4x4 at 4 bit = 64 B: ceil(64/12) + 24 latency = 30; output 64 B: ceil(64/12) = 6
  // weights 8x8 at 4 bit = 32 B, resident, loaded first: ceil(32/12) = 3
  EXPECT_EQ(s.dsp_busy, 64);
  EXPECT_EQ(s.cycles, 30 + (64 + 6) + 6 + 3);
  EXPECT_EQ(s.bytes_read, 64 + 32);
  EXPECT_EQ(s.bytes_written, 64);
  EXPECT_EQ(s.macs, 8 * 8 * 16);
  EXPECT_EQ(s.fixed_filters, 8);
  EXPECT_EQ(s.sp2_filters, 0);
}

TEST(Analytic, DoubleBufferedTilesOverlapLoadsWithCompute) {
  const auto net = Net(R"({"name":"n","input":{"channels":8,"height":8,"width":8},
      "layers":[{"name":"c","type":"conv","out_channels":8,"kernel":3,"padding":1}]})");
  spec::DesignSpec d = SmallDesign();
  d.buffers.double_buffered = true;
  const auto s = AnalyticModel(d).EstimateLayer(net, 0);
  // 4 spatial tiles of 4x4 outputs. compute per tile: 2 x 2 x 9 taps x 16 px = 576, + fill 6.
  // input tile (4-1)+3 = 6 rows x 6 cols x 8 ch at 4 bit = 144 B: ceil(144/12) + 24 = 36.
  // store per tile 4x4x8 at 4 bit = 64 B: 6. weights 8x8x9 at 4 bit = 288 B: 24, resident.
  // cycles = weights + first load + 4 x max(582, 36, 6) + last store
  EXPECT_EQ(s.cycles, 24 + 36 + 4 * 582 + 6);
  EXPECT_EQ(s.stall_load, 0);
  EXPECT_EQ(s.dsp_busy, 4 * 576);
}

TEST(Analytic, FiltersSplitByRatioAndEnginesRunInParallel) {
  const auto net = Net(R"({"name":"n","input":{"channels":4,"height":2,"width":2},
      "layers":[{"name":"c","type":"conv","out_channels":12,"kernel":1}]})");
  spec::DesignSpec d = SmallDesign();
  d.lut_engine = {4, 4};
  d.ratio = {1, 2};
  const auto s = AnalyticModel(d).EstimateLayer(net, 0);
  EXPECT_EQ(s.fixed_filters, 4);  // round(12 / 3)
  EXPECT_EQ(s.sp2_filters, 8);
  EXPECT_EQ(s.dsp_busy, 1 * 1 * 4);  // ceil(4/4) x ceil(4/4) x 4 pixels
  EXPECT_EQ(s.lut_busy, 2 * 1 * 4);  // ceil(8/4) x ceil(4/4) x 4 pixels
}

TEST(Analytic, DepthwiseUsesOneFilterPerGroup) {
  const auto net = Net(R"({"name":"n","input":{"channels":8,"height":4,"width":4},
      "layers":[{"name":"dw","type":"conv","out_channels":8,"kernel":3,"padding":1,"groups":8}]})");
  const auto s = AnalyticModel(SmallDesign()).EstimateLayer(net, 0);
  // 8 groups of one filter and one channel: 8 row passes x 1 column pass x 9 taps x 16 px
  EXPECT_EQ(s.dsp_busy, 8 * 9 * 16);
  EXPECT_EQ(s.macs, 8 * 9 * 16);
}

TEST(Analytic, PoolingRunsOnTheVectorUnitAndMovesItsBytes) {
  const auto net = Net(R"({"name":"n","input":{"channels":16,"height":8,"width":8},
      "layers":[{"name":"p","type":"maxpool","kernel":2,"stride":2}]})");
  spec::DesignSpec d = SmallDesign();
  d.post.vector_lanes = 16;
  const auto s = AnalyticModel(d).EstimateLayer(net, 0);
  // 16x4x4 outputs x 4 taps / 16 lanes = 64 cycles of work; 512 B in, 128 B out:
  // ceil(512/12 + 128/12) + 24 = ceil(53.33) + 24 = 78 cycles of memory: memory bound.
  EXPECT_EQ(s.vector_busy, 64);
  EXPECT_EQ(s.cycles, 78);
  EXPECT_EQ(s.stall_load, 78 - 64);
}

TEST(Analytic, FusedActivationCostsNothing) {
  const auto net = Net(R"({"name":"n","input":{"channels":8,"height":4,"width":4},
      "layers":[{"name":"c","type":"conv","out_channels":8,"kernel":1},{"name":"r","type":"act"}]})");
  spec::DesignSpec d = SmallDesign();
  auto fused = AnalyticModel(d).EstimateLayer(net, 1);
  EXPECT_TRUE(fused.fused);
  EXPECT_EQ(fused.cycles, 0);
  d.post.fuse_activation = false;
  EXPECT_GT(AnalyticModel(d).EstimateLayer(net, 1).cycles, 0);
}

TEST(Analytic, LeanPathEqualsTheDetailedOne) {
  for (const char* name : {"resnet18", "mobilenet_v2", "tiny"}) {
    const auto net = Resolver().LoadNetwork(name);
    const auto design = Resolver().LoadDesign("xc7z045_ref");
    const AnalyticModel m(design);
    EXPECT_EQ(m.Cycles(net), m.Estimate(net).TotalCycles()) << name;
  }
}

TEST(Analytic, ResNet18IsBoundedByPeakComputeAndMoreLanesNeverHurt) {
  const auto net = Resolver().LoadNetwork("resnet18");
  spec::DesignSpec d = Resolver().LoadDesign("xc7z045_ref");
  const std::int64_t lanes = d.dsp_engine.Lanes() + d.lut_engine.Lanes();
  const std::int64_t cycles = AnalyticModel(d).Cycles(net);
  EXPECT_GE(cycles, net.TotalMacs() / lanes);
  std::int64_t previous = cycles;
  for (int rows : {40, 48, 64}) {
    d.lut_engine.rows = rows;
    const std::int64_t c = AnalyticModel(d).Cycles(net);
    EXPECT_LE(c, previous) << rows;
    previous = c;
  }
}

}  // namespace
}  // namespace msqx::dse
