// The cycle fidelity of whole networks (models/accel/network_sim): figures derived by hand for a
// conv layer and for the vector unit, traffic that follows from the DDR layout, bounds that any
// run must respect, every layer kind of the shipped networks simulated, and errors for designs
// that cannot run a layer.
#include "models/accel/network_sim.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "models/accel/core_sizing.h"
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

// A small instance for figures derived by hand: DSP 4x3, LUT 2x3, 8-channel words (two weight
// rows a piece), 4x4 tiles, single-buffered.
spec::DesignSpec HandDesign() {
  spec::DesignSpec d = Resolver().LoadDesign("xc7z045_ref");
  d.dsp_engine = {4, 3, 1};
  d.lut_engine = {2, 3};
  d.ratio = {1, 1};
  d.tile = {4, 4, 2, 8};
  d.buffers = {16, 16, 16, false};
  return d;
}

constexpr const char* kOneConv =
    R"({"name": "one", "input": {"channels": 8, "height": 8, "width": 8},
  "layers": [{"name": "c", "type": "conv", "out_channels": 2, "kernel": 1}]})";

TEST(NetworkSim, ConvOnIdealMemoryMatchesTheHandDerivedSchedule) {
  // One filter per engine, four 4x4 steps, each its own tile (docs/models.md "Timing"): items =
  // 16 window words + 3 channel groups x 1 piece per engine = 22; blocks = 3 groups of P = 16
  // pixels; lane-loading Q = 2 (the DSP's 4 rows in pieces of 2) < 16. From a handshake at h:
  // last load beat h + 2 + 22, first beat h + 24 + 1 + 2, last beat + 2 x 16 + 15 = h + 74, last
  // sum written + 8 (two BRAM reads of 2 and the array's 4) = h + 82, store of 16 words from
  // h + 83 done at h + 83 + 16 + 2 = h + 101, next handshake h + 102.
  CycleOptions o;
  o.memory = MemoryModel::kIdeal;
  const report::RunStats r = SimulateNetwork(HandDesign(), Net(kOneConv), o);
  ASSERT_EQ(r.layers.size(), 1u);
  EXPECT_EQ(r.layers[0].cycles, 4 * 102 - 1);
  EXPECT_EQ(r.layers[0].dsp_busy, 4 * 48);
  EXPECT_EQ(r.layers[0].lut_busy, 4 * 48);
  EXPECT_EQ(r.layers[0].fixed_filters, 1);
  EXPECT_EQ(r.layers[0].sp2_filters, 1);
  EXPECT_EQ(r.fidelity, "cycle");
}

TEST(NetworkSim, ConvOnDdrReadsWhatTheLayoutImplies) {
  const report::RunStats ddr = SimulateNetwork(HandDesign(), Net(kOneConv));
  CycleOptions o;
  o.memory = MemoryModel::kIdeal;
  const report::RunStats ideal = SimulateNetwork(HandDesign(), Net(kOneConv), o);
  // Four 4x4 windows of 8 four-bit channels (each window row one 16-byte run), and per step each
  // engine's 3 pieces of 2 rows x 3 codes (the weight image pads a piece's absent row): 9 bytes.
  EXPECT_EQ(ddr.layers[0].bytes_read, 4 * 64 + 4 * 2 * 9);
  // 8x8x2 outputs of 4 bits, each written once: a tile row's two channels are one run.
  EXPECT_EQ(ddr.layers[0].bytes_written, 8 * 8 * 2 / 2);
  EXPECT_GT(ddr.layers[0].cycles, ideal.layers[0].cycles);
  // At least one DDR access latency (120 ns = 24 cycles at 200 MHz) per step, which the single-
  // buffered core cannot hide.
  EXPECT_GE(ddr.layers[0].cycles - ideal.layers[0].cycles, 4 * 24);
}

TEST(NetworkSim, VectorUnitWorkOnIdealMemoryIsTapsOverLanes) {
  const spec::NetworkSpec n =
      Net(R"({"name": "v", "input": {"channels": 16, "height": 8, "width": 8},
    "layers": [{"name": "p", "type": "maxpool", "kernel": 2, "stride": 2},
               {"name": "a", "type": "add", "inputs": ["p", "p"]},
               {"name": "g", "type": "avgpool", "global": true}]})");
  spec::DesignSpec d = HandDesign();
  d.post.vector_lanes = 8;
  d.tile.out_rows = 3;
  CycleOptions o;
  o.memory = MemoryModel::kIdeal;
  const report::RunStats r = SimulateNetwork(d, n, o);
  // maxpool: 4x4x16 outputs x 4 taps / 8 lanes, in bands of 3 and 1 rows: 3x4x16x4/8 + 1x4x16x4/8.
  EXPECT_EQ(r.layers[0].cycles, 96 + 32);
  // add: 4x4x16 outputs x 2 operands / 8 lanes.
  EXPECT_EQ(r.layers[1].cycles, 64);
  // global average: 4x4x16 inputs / 8 lanes, one band.
  EXPECT_EQ(r.layers[2].cycles, 32);
  for (const auto& l : r.layers) EXPECT_EQ(l.vector_busy, l.cycles);
}

TEST(NetworkSim, VectorLayersOnDdrMoveTheirTensorsOnce) {
  const spec::NetworkSpec n =
      Net(R"({"name": "v", "input": {"channels": 16, "height": 8, "width": 8},
    "layers": [{"name": "p", "type": "maxpool", "kernel": 2, "stride": 2},
               {"name": "a", "type": "add", "inputs": ["p", "p"]}]})");
  const report::RunStats r = SimulateNetwork(HandDesign(), n);
  // 4-bit activations: the pool reads 8x8x16 and writes 4x4x16; the add reads two 4x4x16.
  EXPECT_EQ(r.layers[0].bytes_read, 8 * 8 * 16 / 2);
  EXPECT_EQ(r.layers[0].bytes_written, 4 * 4 * 16 / 2);
  EXPECT_EQ(r.layers[1].bytes_read, 2 * 4 * 4 * 16 / 2);
  for (const auto& l : r.layers) {
    EXPECT_GT(l.cycles, l.vector_busy) << l.name << ": DDR latency cannot be hidden entirely";
  }
}

TEST(NetworkSim, EveryLayerOfTheShippedNetworksCostsCyclesAndTraffic) {
  for (const char* net : {"resnet18", "mobilenet_v2", "vgg16", "tiny"}) {
    for (const char* design : {"xc7z020_ref", "xc7z045_ref", "xczu3eg_ref", "xczu9eg_ref"}) {
      const spec::NetworkSpec n = Resolver().LoadNetwork(net);
      const spec::DesignSpec d = Resolver().LoadDesign(design);
      const report::RunStats r = SimulateNetwork(d, n);
      ASSERT_EQ(r.layers.size(), n.layers.size());
      for (std::size_t i = 0; i < n.layers.size(); ++i) {
        const report::LayerStats& s = r.layers[i];
        const std::string where = std::string(net) + " on " + design + ", " + s.name;
        if (s.fused) {
          EXPECT_EQ(s.cycles, 0) << where;
          continue;
        }
        EXPECT_GT(s.cycles, 0) << where;
        EXPECT_GT(s.bytes_read, 0) << where;
        EXPECT_GT(s.bytes_written, 0) << where;
        EXPECT_GE(s.cycles, std::max({s.dsp_busy, s.lut_busy, s.vector_busy})) << where;
        EXPECT_EQ(s.macs, n.layers[i].Macs()) << where;
        // Each layer's own output at least is written.
        EXPECT_GE(s.bytes_written, n.layers[i].OutputBytes()) << where;
      }
    }
  }
}

TEST(NetworkSim, DdrIsNeverFasterThanTheIdealMemoryAndRunsAreRepeatable) {
  const spec::NetworkSpec n = Resolver().LoadNetwork("resnet18");
  const spec::DesignSpec d = Resolver().LoadDesign("xc7z045_ref");
  CycleOptions o;
  o.memory = MemoryModel::kIdeal;
  const report::RunStats ideal = SimulateNetwork(d, n, o);
  const report::RunStats a = SimulateNetwork(d, n), b = SimulateNetwork(d, n);
  EXPECT_EQ(a.TotalCycles(), b.TotalCycles());
  for (std::size_t i = 0; i < n.layers.size(); ++i) {
    if (!n.layers[i].HasWeights()) continue;
    EXPECT_GE(a.layers[i].cycles, ideal.layers[i].cycles) << n.layers[i].name;
  }
}

TEST(NetworkSim, ProgressIsReportedPerLayer) {
  const spec::NetworkSpec n = Resolver().LoadNetwork("tiny");
  std::vector<std::size_t> seen;
  CycleOptions o;
  o.progress = [&](std::size_t done, std::size_t total) {
    EXPECT_EQ(total, n.layers.size());
    seen.push_back(done);
  };
  SimulateNetwork(Resolver().LoadDesign("xc7z045_ref"), n, o);
  ASSERT_EQ(seen.size(), n.layers.size());
  EXPECT_EQ(seen.back(), n.layers.size());
}

TEST(NetworkSim, TilesShrinkUntilTheLayerFits) {
  spec::DesignSpec d = Resolver().LoadDesign("xc7z020_ref");
  const spec::NetworkSpec n = Resolver().LoadNetwork("mobilenet_v2");
  const CoreParams sizing = SizingOf(d, n);
  for (const spec::Layer& l : n.layers) {
    if (!l.HasWeights()) continue;
    const Schedule s = MakeSchedule(l, d, sizing);
    EXPECT_LE(s.tile.out_rows, d.tile.out_rows);
    EXPECT_LE(s.tile.out_cols, d.tile.out_cols);
    EXPECT_LE(s.tile.in_chs, d.tile.in_channels);
    for (const StepCmd& c : CommandsOf(s)) {
      ASSERT_EQ(StepFits(sizing, RegsOf(s.layer, l.act_bits), c), "") << l.name << ": " << c;
    }
  }
}

TEST(NetworkSim, BuffersTooSmallForAnyTileAreAConfigError) {
  spec::DesignSpec d = HandDesign();
  d.buffers.weight_kib = 0;
  try {
    SimulateNetwork(d, Net(kOneConv));
    FAIL() << "expected a ConfigError";
  } catch (const spec::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("('c')"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("weight buffer"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace msqx::accel
