// Window keys of conv and pooling layers: one integer or a pair per dimension, padding per side,
// ceil_mode; output sizes against the formula of PyTorch's Conv2d / MaxPool2d written out here.
#include <gtest/gtest.h>

#include "sim/spec/network.h"

namespace msqx::spec {
namespace {

Layer ParseOne(const nlohmann::json& layer, int channels = 8, int height = 17, int width = 12) {
  const nlohmann::json doc = {
      {"name", "w"},
      {"input", {{"channels", channels}, {"height", height}, {"width", width}}},
      {"layers", nlohmann::json::array({layer})}};
  return ParseNetwork(Document(doc, "w.json").Root()).layers.at(0);
}

// PyTorch: floor((in + pad_lo + pad_hi - k) / s) + 1, or ceil(...) + 1 less one when the last
// window would start past the input and its leading padding.
int Expected(int in, int k, int s, int lo, int hi, bool ceil_mode) {
  const double span = in + lo + hi - k;
  int out = static_cast<int>(ceil_mode ? std::ceil(span / s) : std::floor(span / s)) + 1;
  if (ceil_mode && (out - 1) * s >= in + lo) --out;
  return out;
}

TEST(LayerWindow, ScalarsMeanBothDimensions) {
  const Layer l = ParseOne({{"name", "c"},
                            {"type", "conv"},
                            {"out_channels", 4},
                            {"kernel", 3},
                            {"stride", 2},
                            {"padding", 1}});
  EXPECT_EQ(l.kernel_h, 3);
  EXPECT_EQ(l.kernel_w, 3);
  EXPECT_EQ(l.stride_h, 2);
  EXPECT_EQ(l.stride_w, 2);
  EXPECT_EQ(l.pad_top + l.pad_left + l.pad_bottom + l.pad_right, 4);
  EXPECT_EQ(l.out.height, Expected(17, 3, 2, 1, 1, false));
  EXPECT_EQ(l.out.width, Expected(12, 3, 2, 1, 1, false));
}

TEST(LayerWindow, NonSquareKernelStrideAndAsymmetricPadding) {
  const Layer l = ParseOne({{"name", "c"},
                            {"type", "conv"},
                            {"out_channels", 4},
                            {"kernel", {3, 2}},
                            {"stride", {1, 2}},
                            {"padding", {0, 0, 1, 1}}});
  EXPECT_EQ(l.kernel_h, 3);
  EXPECT_EQ(l.kernel_w, 2);
  EXPECT_EQ(l.pad_top, 0);
  EXPECT_EQ(l.pad_bottom, 1);
  EXPECT_EQ(l.pad_right, 1);
  EXPECT_EQ(l.out.height, Expected(17, 3, 1, 0, 1, false));
  EXPECT_EQ(l.out.width, Expected(12, 2, 2, 0, 1, false));
  EXPECT_EQ(l.AccumulationDepth(), 8 * 3 * 2);
}

TEST(LayerWindow, PaddingPairIsRowsThenColumns) {
  const Layer l = ParseOne(
      {{"name", "c"}, {"type", "conv"}, {"out_channels", 4}, {"kernel", 3}, {"padding", {1, 0}}});
  EXPECT_EQ(l.pad_top, 1);
  EXPECT_EQ(l.pad_bottom, 1);
  EXPECT_EQ(l.pad_left, 0);
  EXPECT_EQ(l.pad_right, 0);
  EXPECT_EQ(l.out.height, 17);
  EXPECT_EQ(l.out.width, 10);
}

TEST(LayerWindow, CeilModeCountsTheLastPartialWindow) {
  for (int in = 5; in <= 16; ++in) {
    for (int pad = 0; pad <= 1; ++pad) {
      const Layer l = ParseOne({{"name", "p"},
                                {"type", "maxpool"},
                                {"kernel", 3},
                                {"stride", 2},
                                {"padding", pad},
                                {"ceil_mode", true}},
                               4, in, in);
      EXPECT_EQ(l.out.height, Expected(in, 3, 2, pad, pad, true)) << in << " pad " << pad;
      const Layer f = ParseOne(
          {{"name", "p"}, {"type", "maxpool"}, {"kernel", 3}, {"stride", 2}, {"padding", pad}}, 4,
          in, in);
      EXPECT_EQ(f.out.height, Expected(in, 3, 2, pad, pad, false));
    }
  }
}

TEST(LayerWindow, BadWindowValuesNameTheKey) {
  const auto fails = [](const nlohmann::json& layer, const std::string& path) {
    try {
      ParseOne(layer);
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
      return;
    }
    ADD_FAILURE() << "accepted " << layer.dump();
  };
  fails({{"name", "c"}, {"type", "conv"}, {"out_channels", 4}, {"kernel", {3, 2, 1}}}, "kernel");
  fails(
      {{"name", "c"}, {"type", "conv"}, {"out_channels", 4}, {"kernel", 3}, {"padding", {1, 1, 1}}},
      "padding");
  fails({{"name", "c"}, {"type", "conv"}, {"out_channels", 4}, {"kernel", 3}, {"stride", {0, 1}}},
        "stride");
  fails({{"name", "c"}, {"type", "conv"}, {"out_channels", 4}}, "kernel");
  fails({{"name", "p"}, {"type", "maxpool"}, {"kernel", 2}, {"ceil_mode", 3}}, "ceil_mode");
}

}  // namespace
}  // namespace msqx::spec
