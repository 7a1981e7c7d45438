// Concat by address placement (models/accel/tensor_plan.h): which inputs the producers can write
// straight into the concat's tensor, checked against the DDR layout itself. Every placed input's
// tensor, written at its own layout into the concat's tensor at the planned offset, must give
// exactly the concat's tensor that golden::Concat builds, element by element; every input the
// plan copies must be one for which that would fail. The analytic model charges placed concats
// nothing and copies by their elements.
#include "models/accel/tensor_plan.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "dse/analytic.h"
#include "models/accel/golden.h"
#include "sim/spec/network.h"
#include "sim/spec/resolve.h"

namespace msqx::accel {
namespace {

spec::NetworkSpec Parse(const nlohmann::json& layers, int channels = 8) {
  const nlohmann::json doc = {{"name", "n"},
                              {"input", {{"channels", channels}, {"height", 5}, {"width", 3}}},
                              {"layers", layers}};
  return spec::ParseNetwork(spec::Document(doc, "n.json").Root());
}

nlohmann::json Conv(const std::string& name, int out, const std::string& input = "input",
                    int act_bits = 4) {
  return {{"name", name}, {"type", "conv"}, {"out_channels", out},
          {"kernel", 1},  {"input", input}, {"act_bits", act_bits}};
}

nlohmann::json Concat(const std::string& name, std::vector<std::string> inputs) {
  return {{"name", name}, {"type", "concat"}, {"inputs", inputs}};
}

spec::DesignSpec Design(int block) {
  static const spec::ConfigResolver r(MSQX_SOURCE_DIR "/configs");
  spec::DesignSpec d = r.LoadDesign("xc7z045_ref");
  // The activations' channel block is the arrays' column count (docs/memory.md).
  d.dsp_engine.cols = d.lut_engine.cols = block;
  return d;
}

// Writes every placed input's tensor (random 4-bit codes, its own channel-blocked layout) into a
// DDR image at the plan's offset and returns the concat's tensor read back at its layout, HWC.
std::vector<std::uint8_t> ThroughDdr(const spec::NetworkSpec& n, const TensorPlan& plan,
                                     std::size_t j, int block,
                                     const std::vector<std::vector<std::uint8_t>>& hwc) {
  const spec::Layer& c = n.layers[j];
  std::map<std::int64_t, std::uint8_t> ddr;  // element index (4-bit) -> code
  for (std::size_t k = 0; k < c.inputs.size(); ++k) {
    if (plan.copies[j][k]) continue;
    std::int64_t offset = 0;
    EXPECT_EQ(plan.Root(c.inputs[k], &offset), static_cast<int>(j));
    const spec::Shape s{c.input_channels[k], c.out.height, c.out.width};
    for (int y = 0; y < s.height; ++y)
      for (int x = 0; x < s.width; ++x)
        for (int ch = 0; ch < s.channels; ++ch)
          ddr[offset * 2 + ActLayoutElement(y, x, ch, s, block)] =
              hwc[k][(static_cast<std::size_t>(y) * s.width + x) * s.channels + ch];
  }
  // Copied inputs go where the vector unit puts them: the concat's own layout.
  int offset = 0;
  for (std::size_t k = 0; k < c.inputs.size(); ++k) {
    if (plan.copies[j][k]) {
      for (int p = 0; p < c.out.height * c.out.width; ++p)
        for (int ch = 0; ch < c.input_channels[k]; ++ch)
          ddr[ActLayoutElement(p / c.out.width, p % c.out.width, offset + ch, c.out, block)] =
              hwc[k][static_cast<std::size_t>(p) * c.input_channels[k] + ch];
    }
    offset += c.input_channels[k];
  }
  std::vector<std::uint8_t> out;
  for (int y = 0; y < c.out.height; ++y)
    for (int x = 0; x < c.out.width; ++x)
      for (int ch = 0; ch < c.out.channels; ++ch) {
        auto it = ddr.find(ActLayoutElement(y, x, ch, c.out, block));
        out.push_back(it == ddr.end() ? 0xff : it->second);
      }
  return out;
}

void ExpectBitExact(const spec::NetworkSpec& n, int block, std::size_t j) {
  const TensorPlan plan = PlanTensors(Design(block), n);
  const spec::Layer& c = n.layers[j];
  std::mt19937 rng(static_cast<unsigned>(block * 100 + j));
  std::vector<std::vector<std::uint8_t>> hwc;
  for (int ch : c.input_channels) {
    hwc.emplace_back(static_cast<std::size_t>(ch) * c.out.height * c.out.width);
    for (auto& v : hwc.back()) v = static_cast<std::uint8_t>(rng() % 16);
  }
  EXPECT_EQ(ThroughDdr(n, plan, j, block, hwc),
            golden::Concat(hwc, c.input_channels, c.out.height, c.out.width))
      << "block " << block << ", concat " << c.name;
}

TEST(TensorPlan, BlockAlignedInputsArePlacedAndTheLayoutIsTheConcats) {
  // 8 + 16 + 5 channels on blocks of 8: all three in place (the odd one is last).
  const spec::NetworkSpec n =
      Parse({Conv("a", 8), Conv("b", 16), Conv("c", 5), Concat("cat", {"a", "b", "c"})});
  const TensorPlan plan = PlanTensors(Design(8), n);
  EXPECT_TRUE(plan.InPlace(3));
  std::int64_t offset = -1;
  EXPECT_EQ(plan.Root(1, &offset), 3);
  EXPECT_EQ(offset, 8 * 5 * 3 / 2);  // 8 channels of 5x3 at 4 bits before b
  EXPECT_EQ(plan.Root(2, &offset), 3);
  EXPECT_EQ(offset, 24 * 5 * 3 / 2);
  ExpectBitExact(n, 8, 3);
}

TEST(TensorPlan, MisalignedInputsAreCopiedAndTheRestStaysInPlace) {
  // a: 5 channels (not a block, not last) -> copied; b starts at 5 -> copied; then the network
  // input (never placed), then d at 5 + 8 + 8 = 21 -> copied; e at 24 (aligned, last) placed.
  const spec::NetworkSpec n = Parse({Conv("a", 5), Conv("b", 8), Conv("d", 3), Conv("e", 4),
                                     Concat("cat", {"a", "b", "input", "d", "e"})});
  const TensorPlan plan = PlanTensors(Design(8), n);
  EXPECT_EQ(plan.copies[4], (std::vector<bool>{true, true, true, true, false}));
  EXPECT_FALSE(plan.InPlace(4));
  ExpectBitExact(n, 8, 4);
  // With blocks of 1 channel every offset is a block, but b and d would start in the middle of a
  // byte (5 x 15 and 21 x 15 four-bit elements before them): copied.
  EXPECT_EQ(PlanTensors(Design(1), n).copies[4],
            (std::vector<bool>{false, true, true, true, false}));
  ExpectBitExact(n, 1, 4);
}

TEST(TensorPlan, ATensorIsPlacedOnceAndWidthsMustAgree) {
  // a feeds two concats: the later one gets it, the earlier copies; c has 8-bit activations.
  const spec::NetworkSpec n = Parse({Conv("a", 8), Conv("b", 8), Concat("one", {"a", "b"}),
                                     Conv("c", 8, "input", 8), Concat("two", {"a", "c"})});
  const TensorPlan plan = PlanTensors(Design(8), n);
  EXPECT_EQ(plan.copies[4], (std::vector<bool>{false, true}));
  EXPECT_EQ(plan.copies[2], (std::vector<bool>{true, false}));
  EXPECT_EQ(plan.Root(0, nullptr), 4);
  ExpectBitExact(n, 8, 2);
  ExpectBitExact(n, 8, 4);
  // The same tensor twice in one concat: once in place.
  const spec::NetworkSpec twice = Parse({Conv("a", 8), Concat("cat", {"a", "a"})});
  EXPECT_EQ(PlanTensors(Design(8), twice).copies[1], (std::vector<bool>{false, true}));
}

TEST(TensorPlan, NestedConcatsAndFusedActivationsResolveToTheOutermostTensor) {
  // relu is fused into a (its tensor is a's), inner concat goes into outer at offset 0.
  const spec::NetworkSpec n = Parse({Conv("a", 8),
                                     {{"name", "r"}, {"type", "act"}},
                                     Conv("b", 8),
                                     Concat("inner", {"r", "b"}),
                                     Conv("c", 8),
                                     Concat("outer", {"inner", "c"})});
  const TensorPlan plan = PlanTensors(Design(8), n);
  EXPECT_TRUE(plan.InPlace(3));
  EXPECT_TRUE(plan.InPlace(5));
  std::int64_t offset = -1;
  EXPECT_EQ(plan.Root(1, &offset), 5);  // r -> a -> inner -> outer
  EXPECT_EQ(offset, 0);
  EXPECT_EQ(plan.Root(2, &offset), 5);
  EXPECT_EQ(offset, 8 * 15 / 2);
  EXPECT_EQ(plan.Root(4, &offset), 5);
  EXPECT_EQ(offset, 16 * 15 / 2);
  ExpectBitExact(n, 8, 5);
}

TEST(TensorPlan, TheAnalyticModelChargesPlacedConcatsNothingAndCopiesByElement) {
  const spec::NetworkSpec n = Parse({Conv("a", 8), Conv("b", 5), Concat("cat", {"a", "b"}),
                                     Conv("c", 3), Concat("mis", {"c", "a"})});
  const spec::DesignSpec d = Design(8);
  const dse::AnalyticModel model(d);
  const report::LayerStats in_place = model.EstimateLayer(n, 2);
  EXPECT_TRUE(in_place.in_place);
  EXPECT_EQ(in_place.cycles, 0);
  EXPECT_EQ(in_place.bytes_read + in_place.bytes_written, 0);
  // "mis": c (3 channels, not last) is copied; a is placed in "cat" already, so it is copied too.
  const report::LayerStats copy = model.EstimateLayer(n, 4);
  EXPECT_FALSE(copy.in_place);
  EXPECT_EQ(copy.bytes_read, (3 + 8) * 15 / 2 + 1);  // 165 four-bit elements, rounded up
  // Strobed runs into the concat's blocks [0, 8) and [8, 11) (width 3), one band of all 5 rows
  // (xc7z045_ref's 14-row tile): c [0, 3) from element 0, 14 x 8 + 3 = 115 elements -> 58 bytes;
  // a [3, 8) from element 3, 14 x 8 + 5 = 117 -> bytes 1 to 60, 59; a [8, 11) from element
  // 8 x 15 = 120, 14 x 3 + 3 = 45 -> bytes 60 to 83, 23.
  EXPECT_EQ(copy.bytes_written, 58 + 59 + 23);
  EXPECT_EQ(copy.vector_busy, (165 + d.post.vector_lanes - 1) / d.post.vector_lanes);
  EXPECT_EQ(model.Cycles(n), model.Estimate(n).layers[0].cycles +
                                 model.Estimate(n).layers[1].cycles +
                                 model.Estimate(n).layers[3].cycles + copy.cycles);
}

}  // namespace
}  // namespace msqx::accel
