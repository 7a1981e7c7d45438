// The cycle fidelity's network walk on the layers real CNNs add (issue 17): a concat whose
// inputs the producers write in place costs nothing and moves nothing, one whose inputs are
// misaligned is copied on the vector unit by bands (its work and its traffic derived here), and
// a sigmoid, hard-swish or SiLU loads its table before its first band. The analytic model agrees
// on which concats are free.
#include <gtest/gtest.h>

#include "dse/analytic.h"
#include "models/accel/network_sim.h"
#include "models/accel/vector_timing.h"
#include "sim/spec/resolve.h"

namespace msqx::accel {
namespace {

const spec::ConfigResolver& Resolver() {
  static const spec::ConfigResolver r(MSQX_SOURCE_DIR "/configs");
  return r;
}

spec::NetworkSpec Net(const char* json) {
  return spec::ParseNetwork(spec::Document(nlohmann::json::parse(json), "test").Root());
}

spec::DesignSpec Design(int block) {
  spec::DesignSpec d = Resolver().LoadDesign("xc7z045_ref");
  // The activations' channel block is the arrays' column count; an input word holds one.
  d.dsp_engine.cols = d.lut_engine.cols = block;
  d.tile.in_channels = block;
  d.tile.out_rows = 3;
  d.post.vector_lanes = 8;
  return d;
}

// An Inception-style block on 16 channels of 6x6: three branches of 8, 16 and 5 channels (the
// last one after a pool), joined and reduced by a 1x1 conv.
constexpr const char* kInception =
    R"({"name": "incep", "input": {"channels": 16, "height": 6, "width": 6},
  "layers": [{"name": "b1", "type": "conv", "out_channels": 8, "kernel": 1},
             {"name": "r1", "type": "act", "function": "relu"},
             {"name": "b3", "type": "conv", "out_channels": 16, "kernel": 3, "padding": 1,
              "input": "input"},
             {"name": "p", "type": "maxpool", "kernel": 3, "stride": 1, "padding": 1,
              "input": "input"},
             {"name": "bp", "type": "conv", "out_channels": 5, "kernel": 1},
             {"name": "cat", "type": "concat", "inputs": ["r1", "b3", "bp"]},
             {"name": "out", "type": "conv", "out_channels": 8, "kernel": 1}]})";

TEST(ConcatSim, InPlaceConcatCostsNothingAndItsConsumerReadsTheWholeTensor) {
  const spec::NetworkSpec n = Net(kInception);
  const report::RunStats r = SimulateNetwork(Design(8), n);
  const report::LayerStats& cat = r.layers[5];
  EXPECT_EQ(cat.kind, "concat");
  EXPECT_TRUE(cat.in_place);
  EXPECT_EQ(cat.cycles, 0);
  EXPECT_EQ(cat.bytes_read + cat.bytes_written, 0);
  EXPECT_EQ(cat.vector_busy, 0);
  // The consumer's windows cover the 29 x 6 x 6 four-bit tensor at least once.
  EXPECT_GE(r.layers[6].bytes_read, 29 * 36 / 2);
  EXPECT_TRUE(dse::AnalyticModel(Design(8)).EstimateLayer(n, 5).in_place);
}

TEST(ConcatSim, MisalignedInputsAreCopiedByBandsOnTheVectorUnit) {
  // Blocks of 6 channels: b1 (8) is neither a block nor last -> copied, b3 at 8 -> copied, bp at
  // 24 (a block, last) -> in place. 24 channels x 6 x 6 copied, 8 lanes, bands of 3 rows:
  // 2 x 3 x 6 x 24 / 8 = 2 x 54 cycles of work.
  const spec::NetworkSpec n = Net(kInception);
  CycleOptions ideal;
  ideal.memory = MemoryModel::kIdeal;
  const report::LayerStats cat = SimulateNetwork(Design(6), n, ideal).layers[5];
  EXPECT_FALSE(cat.in_place);
  EXPECT_EQ(cat.vector_busy, 2 * 54);
  EXPECT_EQ(cat.cycles, 2 * 54);
  const report::LayerStats ddr = SimulateNetwork(Design(6), n).layers[5];
  EXPECT_EQ(ddr.bytes_read, 24 * 36 / 2);  // b1 and b3 once each
  // Written into the concat's blocks of 6 (29 x 6 x 6: blocks of 6, 6, 6, 6, 5 channels), per
  // band of 18 pixels one strobed run per block an input touches, from its first channel at the
  // first pixel to its last channel at the last pixel: b1 [0,6) 17 x 6 + 6 = 108 elements = 54
  // bytes, b1 [6,8) 17 x 6 + 2 = 104 -> 52, b3 [8,12) 106 -> 53 (starts on a byte), b3 [12,18)
  // and [18,24) 54 each: 267 per band.
  EXPECT_EQ(ddr.bytes_written, 2 * 267);
  EXPECT_GT(ddr.cycles, ddr.vector_busy);
  const report::LayerStats est = dse::AnalyticModel(Design(6)).EstimateLayer(n, 5);
  EXPECT_FALSE(est.in_place);
  EXPECT_EQ(est.bytes_read, ddr.bytes_read);
  EXPECT_EQ(est.bytes_written, ddr.bytes_written);
  EXPECT_EQ(est.vector_busy, 24 * 36 / 8);
}

TEST(ConcatSim, EveryLayerOfAConcatNetworkRunsOnEveryReferenceDesign) {
  const spec::NetworkSpec n = Net(kInception);
  for (const char* design : {"xc7z020_ref", "xc7z045_ref", "xczu3eg_ref", "xczu9eg_ref"}) {
    const spec::DesignSpec d = Resolver().LoadDesign(design);
    const report::RunStats cycle = SimulateNetwork(d, n);
    const report::RunStats analytic = dse::AnalyticModel(d).Estimate(n);
    for (std::size_t i = 0; i < n.layers.size(); ++i) {
      EXPECT_EQ(cycle.layers[i].in_place, analytic.layers[i].in_place) << design << " " << i;
      if (!cycle.layers[i].fused && !cycle.layers[i].in_place) {
        EXPECT_GT(cycle.layers[i].cycles, 0) << design << " " << n.layers[i].name;
      }
    }
  }
}

TEST(ActFunctionSim, TableFunctionsLoadTheirTableFirst) {
  // 8 x 6 x 6 values, 8 lanes, bands of 3 rows: 2 x 3 x 6 x 8 / 8 = 2 x 18 cycles, plus the
  // 2^4-entry table of a 4-bit sigmoid, hard-swish or SiLU before the first band.
  for (const char* f : {"sigmoid", "hardswish", "silu", "relu6"}) {
    const std::string json =
        std::string(R"({"name": "f", "input": {"channels": 8, "height": 6, "width": 6},
      "layers": [{"name": "a", "type": "act", "function": ")") +
        f + R"("}]})";
    CycleOptions ideal;
    ideal.memory = MemoryModel::kIdeal;
    const report::LayerStats s = SimulateNetwork(Design(8), Net(json.c_str()), ideal).layers[0];
    const int table = std::string(f) == "relu6" ? 0 : 16;
    EXPECT_EQ(s.cycles, 2 * 18 + table) << f;
    EXPECT_EQ(s.vector_busy, 2 * 18 + table) << f;
    EXPECT_EQ(s.function, f);
  }
}

TEST(ActFunctionSim, OnlyClampsAreFusedIntoTheirProducer) {
  const spec::NetworkSpec n =
      Net(R"({"name": "f", "input": {"channels": 8, "height": 6, "width": 6},
    "layers": [{"name": "c", "type": "conv", "out_channels": 8, "kernel": 1},
               {"name": "s", "type": "act", "function": "silu"},
               {"name": "c2", "type": "conv", "out_channels": 8, "kernel": 1},
               {"name": "r", "type": "act", "function": "relu6"}]})");
  const report::RunStats r = SimulateNetwork(Design(8), n);
  EXPECT_FALSE(r.layers[1].fused);
  EXPECT_GE(r.layers[1].bytes_read, 8 * 36 / 2);
  EXPECT_TRUE(r.layers[3].fused);
}

}  // namespace
}  // namespace msqx::accel
