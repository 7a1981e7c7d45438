// The network format's concat layer and the vector unit's table functions (sigmoid, hard-swish,
// SiLU): shapes, what the parser rejects, and the figures the analytic model and the resource
// model give them, derived here by hand.
#include <gtest/gtest.h>

#include "dse/analytic.h"
#include "dse/resource.h"
#include "models/accel/vector_timing.h"
#include "sim/spec/network.h"
#include "sim/spec/resolve.h"

namespace msqx::spec {
namespace {

NetworkSpec Parse(const nlohmann::json& layers, int channels = 8, int height = 6, int width = 5) {
  const nlohmann::json doc = {
      {"name", "n"},
      {"input", {{"channels", channels}, {"height", height}, {"width", width}}},
      {"layers", layers}};
  return ParseNetwork(Document(doc, "n.json").Root());
}

std::string Error(const nlohmann::json& layers) {
  try {
    Parse(layers);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "accepted";
}

nlohmann::json Conv(const char* name, int out, const char* input = nullptr) {
  nlohmann::json l = {{"name", name}, {"type", "conv"}, {"out_channels", out}, {"kernel", 1}};
  if (input) l["input"] = input;
  return l;
}

TEST(ConcatLayer, JoinsChannelsOfInputsOfEqualSize) {
  const NetworkSpec n =
      Parse({Conv("a", 3),
             Conv("b", 5, "input"),
             {{"name", "cat"}, {"type", "concat"}, {"inputs", {"a", "b", "input"}}},
             Conv("c", 4)});
  const Layer& cat = n.layers[2];
  EXPECT_EQ(cat.kind, LayerKind::kConcat);
  EXPECT_EQ(std::string(ToString(cat.kind)), "concat");
  EXPECT_EQ(cat.inputs, (std::vector<int>{0, 1, kNetworkInput}));
  EXPECT_EQ(cat.input_channels, (std::vector<int>{3, 5, 8}));
  EXPECT_EQ(cat.out, (Shape{16, 6, 5}));
  EXPECT_EQ(cat.Macs(), 0);
  EXPECT_EQ(cat.InputBytes(), 16 * 6 * 5 / 2);  // the inputs together, 4-bit
  EXPECT_EQ(n.layers[3].in.channels, 16);
  EXPECT_EQ(n.TotalMacs(), 30 * (3 * 8 + 5 * 8 + 4 * 16));
}

TEST(ConcatLayer, RejectsMismatchedSizesAndSingleInputs) {
  const std::string size =
      Error({{{"name", "p"}, {"type", "maxpool"}, {"kernel", 2}},
             {{"name", "cat"}, {"type", "concat"}, {"inputs", {"p", "input"}}}});
  EXPECT_NE(size.find("$.layers[1].inputs[1]"), std::string::npos) << size;
  EXPECT_NE(size.find("height x width 3x2"), std::string::npos) << size;
  const std::string one = Error({{{"name", "cat"}, {"type", "concat"}, {"inputs", {"input"}}}});
  EXPECT_NE(one.find("$.layers[0].inputs"), std::string::npos) << one;
  const std::string key =
      Error({{{"name", "cat"}, {"type", "concat"}, {"inputs", {"input", "input"}}, {"axis", 1}}});
  EXPECT_NE(key.find("axis"), std::string::npos) << key;
}

TEST(ActFunctions, EveryFunctionParsesAndOnlyClampsAreClamps) {
  for (const char* f : {"relu", "relu6", "sigmoid", "hardswish", "silu"}) {
    const Layer l = Parse({{{"name", "a"}, {"type", "act"}, {"function", f}}}).layers[0];
    EXPECT_EQ(std::string(ToString(l.function)), f);
    EXPECT_EQ(l.IsClampActivation(), std::string(f).rfind("relu", 0) == 0) << f;
  }
  const std::string bad = Error({{{"name", "a"}, {"type", "act"}, {"function", "swish"}}});
  EXPECT_NE(bad.find("$.layers[0].function"), std::string::npos) << bad;
  EXPECT_NE(bad.find("hardswish"), std::string::npos) << bad;  // the choices are listed
}

const ConfigResolver& Resolver() {
  static const ConfigResolver r(MSQX_SOURCE_DIR "/configs");
  return r;
}

// xc7z045_ref with 2 HP ports: 12 bytes per cycle each way, 24 cycles of DDR latency
// (tests/unit/analytic), 8 vector lanes, 4-row bands, 8-column arrays (8-channel blocks),
// single-buffered.
DesignSpec VectorDesign() {
  DesignSpec d = Resolver().LoadDesign("xc7z045_ref");
  d.dma.axi_ports = 2;
  d.post.vector_lanes = 8;
  d.tile = {4, 4, 8, 8};
  d.dsp_engine.cols = d.lut_engine.cols = 8;
  d.buffers.double_buffered = false;
  return d;
}

TEST(ActFunctions, TablesCostTheirEntriesOnceAndAreNeverFused) {
  // 16 x 8 x 8 at 4 bits = 512 bytes: two bands of 256 bytes, each read in 24 + 256/12 -> 46
  // cycles, worked in 512 / 8 = 64 cycles, written in 46; a sigmoid first loads 2^4 entries
  // beside the first read (46 > 16: hidden), so it costs what a relu on the vector unit costs,
  // plus its 16 cycles of work.
  const NetworkSpec n =
      Parse({{{"name", "c"}, {"type", "conv"}, {"out_channels", 16}, {"kernel", 1}},
             {{"name", "s"}, {"type", "act"}, {"function", "sigmoid"}},
             {{"name", "r"}, {"type", "act"}, {"function", "relu"}}},
            8, 8, 8);
  const DesignSpec design = VectorDesign();  // the model keeps a reference
  const dse::AnalyticModel model(design);
  const report::LayerStats s = model.EstimateLayer(n, 1);
  EXPECT_FALSE(s.fused);
  EXPECT_EQ(s.function, "sigmoid");
  EXPECT_EQ(s.cycles, 2 * (46 + 64 + 46));
  EXPECT_EQ(s.vector_busy, 2 * 64 + 16);
  const report::LayerStats r = model.EstimateLayer(n, 2);  // follows the sigmoid: not fusable
  EXPECT_FALSE(r.fused);
  EXPECT_EQ(r.vector_busy, 2 * 64);
  EXPECT_EQ(accel::FunctionTableEntries(4), 16);
  EXPECT_EQ(accel::FunctionTableEntries(8), 256);
  EXPECT_EQ(accel::FunctionTableEntries(12), 64);
}

TEST(ActFunctions, ThePostUnitPaysForItsTablePerLane) {
  // Per lane a 2^a-entry table of a bits in RAM64X1 LUTs (beyond 64 entries a 4:1 mux per bit):
  // a = 4: 4 LUTs; a = 8: 8 x (4 + 1) = 40; a = 12: 64 segments of 24 bits, 24 LUTs.
  DesignSpec d = VectorDesign();
  const auto post = [&](int act_bits, int lanes) {
    d.post.vector_lanes = lanes;
    dse::BitWidths w;
    w.act_bits = act_bits;
    w.weight_bits = 4;
    w.max_depth = 64;
    return dse::EstimateResources(d, w)[dse::Component::kPost].lut;
  };
  // Growing the activations from 4 to 8 bits adds, per lane, the table's 40 - 4 LUTs beside what
  // the requantizer, the clamp, the pooling compare and the adder gain (checked by resource_test).
  const std::int64_t per_lane_4 = post(4, 2) - post(4, 1);
  EXPECT_EQ(post(4, 16), 16 * per_lane_4);
  EXPECT_GE(post(8, 1) - post(4, 1), 40 - 4);
}

}  // namespace
}  // namespace msqx::spec
