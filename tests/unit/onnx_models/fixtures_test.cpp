// The reduced torchvision models, the Inception-style block, the Keras-style NHWC model and the
// window shapes of tests/fixtures/onnx, exported by the ordinary exporters: every one imports,
// with the layers the architecture has, the MACs torch counts (a forward hook per Conv2d and
// Linear, in make_fixtures.py), and the weights and biases torch computes with (batch norm folded
// by torch.nn.utils.fusion), and `msqx sim` runs what the accelerator core can run.
#include "fixtures.h"

#include <cmath>
#include <map>

#include "dse/analytic.h"
#include "models/accel/network_sim.h"
#include "sim/io/npy.h"
#include "sim/io/weights.h"

namespace msqx::io::test {
namespace {

using msqx::test_support::Msqx;

std::map<std::string, int> Kinds(const spec::NetworkSpec& n) {
  std::map<std::string, int> k;
  for (const spec::Layer& l : n.layers) ++k[spec::ToString(l.kind)];
  return k;
}

class FixtureTest : public ScratchTest {
 protected:
  // Imports `name`, checks MACs and every conv/fc layer's weights and bias against torch.
  spec::NetworkSpec ImportChecked(const std::string& name) {
    const spec::NetworkSpec n = ImportAndLoad(Fixture(name + ".onnx"), name);
    const nlohmann::json& e = Expected().at(name);
    EXPECT_EQ(n.TotalMacs(), e.at("macs").get<std::int64_t>()) << name;
    std::vector<const spec::Layer*> weighted;
    for (const spec::Layer& l : n.layers) {
      if (l.HasWeights()) weighted.push_back(&l);
    }
    const nlohmann::json& layers = e.at("layers");
    EXPECT_EQ(weighted.size(), layers.size()) << name;
    for (std::size_t i = 0; i < std::min(weighted.size(), layers.size()); ++i) {
      const spec::Layer& l = *weighted[i];
      const nlohmann::json& x = layers[i];
      SCOPED_TRACE(name + " layer " + l.name);
      const NpyArray w = ReadNpy((dir_ / name / "weights" / (l.name + ".npy")).string());
      EXPECT_EQ(w.shape, x.at("shape").get<std::vector<std::int64_t>>());
      double sum = 0, abs_sum = 0;
      for (double v : w.values) {
        sum += v;
        abs_sum += std::abs(v);
      }
      // float32 on disk: relative 1e-6 of the magnitude, summed over the tensor.
      const double tol = 1e-6 * x.at("abs_sum").get<double>() + 1e-9;
      EXPECT_NEAR(abs_sum, x.at("abs_sum").get<double>(), tol);
      EXPECT_NEAR(sum, x.at("sum").get<double>(), tol);
      for (std::size_t k = 0; k < 4 && k < w.values.size(); ++k) {
        const double v = x.at("first")[k].get<double>();
        EXPECT_NEAR(w.values[k], v, 1e-6 * std::abs(v) + 1e-9);
      }
      const std::vector<double> b = LoadLayerBias((dir_ / name / "weights").string(), l, n);
      const double bias_abs = x.at("bias_abs_sum").get<double>();
      EXPECT_EQ(l.bias, !b.empty());
      double bsum = 0;
      for (double v : b) bsum += v;
      EXPECT_NEAR(bsum, x.at("bias_sum").get<double>(), 1e-6 * bias_abs + 1e-9);
    }
    EXPECT_FALSE(last_.checks.empty()) << name << ": no shape was checked";
    return n;
  }

  // msqx sim on the imported network, as a user runs it; returns its exit status and output.
  test_support::MsqxRun Sim(const std::string& name) {
    return Msqx("sim --design xc7z045_ref --network " + (dir_ / name / "network.json").string() +
                " --out " + (dir_ / (name + "-sim")).string());
  }

  void ExpectSimulates(const std::string& name, const spec::NetworkSpec& n) {
    const test_support::MsqxRun r = Sim(name);
    ASSERT_EQ(r.status, 0) << r.output;
    std::ifstream in(dir_ / (name + "-sim") / "report.json");
    const nlohmann::json report = nlohmann::json::parse(in);
    EXPECT_EQ(report.at("totals").at("macs").get<std::int64_t>(), n.TotalMacs());
    EXPECT_EQ(report.at("layers").size(), n.layers.size());
    EXPECT_GT(report.at("totals").at("cycles").get<std::int64_t>(), 0);
    // The analytic model takes the same network.
    const spec::ConfigResolver r2(MSQX_SOURCE_DIR "/configs");
    const spec::DesignSpec d = r2.LoadDesign("xc7z045_ref");
    EXPECT_GT(dse::AnalyticModel(d).Cycles(n), 0);
  }
};

// torchvision ResNet-18 (widths / 8): the exporter folds batch norm into the convs' biases and
// shares equal initializers through Identity nodes (layer4 keeps default statistics).
TEST_F(FixtureTest, ResNet18) {
  const spec::NetworkSpec n = ImportChecked("resnet18");
  // 1 + 16 + 3 downsample convs, a ReLU after every conv but the downsamples and the second of
  // each block, plus one per block after its add; the stem's pool, the global pool, the fc.
  EXPECT_EQ(Kinds(n),
            (std::map<std::string, int>{
                {"conv", 20}, {"act", 17}, {"add", 8}, {"maxpool", 1}, {"avgpool", 1}, {"fc", 1}}));
  for (const spec::Layer& l : n.layers) {
    if (l.kind == spec::LayerKind::kConv) {
      EXPECT_TRUE(l.bias) << l.name << ": folded bias";
    }
  }
  EXPECT_EQ(n.layers.back().out, (spec::Shape{10, 1, 1}));
  ExpectSimulates("resnet18", n);
}

// MobileNetV2 0.25, weights in mobilenet_v2.onnx.data (PyTorch 2.x's layout).
TEST_F(FixtureTest, MobileNetV2WithExternalData) {
  const spec::NetworkSpec n = ImportChecked("mobilenet_v2");
  // 52 convs (stem, 17 blocks of expand/depthwise/project less the first's expand, last 1x1),
  // ReLU6 after all but the projections (35), 11 residual adds at width 0.25 (the 16-channel
  // block keeps 8 channels in and out), the global pool and the classifier.
  EXPECT_EQ(Kinds(n), (std::map<std::string, int>{
                          {"conv", 52}, {"act", 35}, {"add", 11}, {"avgpool", 1}, {"fc", 1}}));
  int depthwise = 0;
  for (const spec::Layer& l : n.layers) {
    depthwise += l.IsDepthwise();
    if (l.kind == spec::LayerKind::kAct) {
      EXPECT_EQ(l.function, spec::ActFunction::kRelu6);
    }
  }
  EXPECT_EQ(depthwise, 17);
  ExpectSimulates("mobilenet_v2", n);
}

// SqueezeNet 1.1 (widths / 4): eight Fire modules end in a concat; max pools with ceil_mode.
TEST_F(FixtureTest, SqueezeNet11) {
  const spec::NetworkSpec n = ImportChecked("squeezenet1_1");
  EXPECT_EQ(Kinds(n),
            (std::map<std::string, int>{
                {"conv", 26}, {"act", 26}, {"maxpool", 3}, {"concat", 8}, {"avgpool", 1}}));
  for (const spec::Layer& l : n.layers) {
    if (l.kind == spec::LayerKind::kMaxPool) {
      EXPECT_TRUE(l.ceil_mode);
      // PyTorch: ceil((in - 3) / 2) + 1 (the first pool: 31 -> 15, where floor gives 15 too).
      EXPECT_EQ(l.out.height, (l.in.height - 3 + 1) / 2 + 1) << l.name;
    }
    if (l.kind == spec::LayerKind::kConcat) {
      EXPECT_EQ(l.inputs.size(), 2u);
      EXPECT_EQ(l.out.channels, 2 * l.input_channels[0]);
    }
  }
  ExpectSimulates("squeezenet1_1", n);
  // Concat by placement on xc7z045_ref's 32-channel blocks (the arrays' columns): the Fire
  // modules' two expand branches of 16, 32, 48 and 64 channels (two modules each) are in place
  // where the first branch is a whole number of blocks (32, 64), else copied by the vector unit.
  std::ifstream in(dir_ / "squeezenet1_1-sim" / "report.json");
  const nlohmann::json report = nlohmann::json::parse(in);
  std::vector<int> in_place;
  for (const auto& l : report.at("layers")) {
    if (l.at("kind") != "concat") continue;
    in_place.push_back(l.at("in_place").get<bool>());
    if (in_place.back()) {
      EXPECT_EQ(l.at("cycles").get<std::int64_t>(), 0);
      EXPECT_EQ(l.at("bytes_read").get<std::int64_t>(), 0);
    } else {
      EXPECT_GT(l.at("cycles").get<std::int64_t>(), 0);
    }
  }
  EXPECT_EQ(in_place, (std::vector<int>{0, 0, 1, 1, 0, 0, 1, 1}));
}

// Exported without constant folding: batch norm nodes, x.view(x.size(0), -1), torch.mean over
// H and W, hard-swish, SiLU (as x * sigmoid(x)), sigmoid, a 1x1 max pool, ceil_mode pools, and
// avg_pool2d(ceil_mode=True) as a Pad and an AveragePool.
TEST_F(FixtureTest, InceptionBlock) {
  const spec::NetworkSpec n = ImportChecked("inception");
  EXPECT_EQ(Kinds(n), (std::map<std::string, int>{{"conv", 6},
                                                  {"act", 5},
                                                  {"maxpool", 2},
                                                  {"concat", 1},
                                                  {"avgpool", 2},
                                                  {"fc", 2},
                                                  {"add", 1}}));
  std::vector<std::string> functions;
  for (const spec::Layer& l : n.layers) {
    if (l.kind == spec::LayerKind::kAct) functions.push_back(spec::ToString(l.function));
    if (l.kind == spec::LayerKind::kConcat) {
      EXPECT_EQ(l.input_channels, (std::vector<int>{8, 16, 8, 8}));
    }
  }
  EXPECT_EQ(functions, (std::vector<std::string>{"relu", "relu", "hardswish", "silu", "sigmoid"}));
  const spec::Layer& head = n.layers[n.IndexOf("head_Gemm")];
  EXPECT_EQ(head.in, (spec::Shape{24, 4, 4}));  // the view's flatten of the 2x2 average pool
  EXPECT_EQ(n.layers[n.IndexOf("ReduceMean")].global, true);
  ExpectSimulates("inception", n);
}

// tf2onnx's rendering of a Keras model: NHWC input transposed once, a "same" stride-2 conv with
// pads [0, 0, 1, 1], the flatten of the NHWC map through Shape/Gather/Concat/Reshape, Dense as
// MatMul + Add, Dropout, Identity, a sigmoid output. The first Dense's columns are reordered
// from Keras' H, W, C flatten to msqx's C, H, W (expected.json holds them reordered by numpy).
TEST_F(FixtureTest, KerasNhwcModel) {
  const spec::NetworkSpec n = ImportChecked("keras_mlp");
  EXPECT_EQ(n.input, (spec::Shape{3, 16, 16}));
  ASSERT_EQ(n.layers.size(), 6u);
  EXPECT_EQ(n.layers[0].pad_top + n.layers[0].pad_left, 0);
  EXPECT_EQ(n.layers[0].pad_bottom + n.layers[0].pad_right, 2);
  EXPECT_EQ(n.layers[0].out, (spec::Shape{8, 8, 8}));
  EXPECT_EQ(n.layers[5].function, spec::ActFunction::kSigmoid);
  ExpectSimulates("keras_mlp", n);
}

// The pin-level core reads zeros past its input, so it runs the Keras "same" conv (pads
// [0, 0, 1, 1]) as it is: `msqx hls --check` exports the layer, builds its testbench with Debian's
// SystemC and requires every output equal to the golden convolution with that padding, and the
// cycle count equal to the cycle fidelity's.
TEST_F(FixtureTest, KerasSameConvIsBitExactThroughHlsCheck) {
  ImportAndLoad(Fixture("keras_mlp.onnx"), "keras_mlp");
  const test_support::MsqxRun r =
      Msqx("hls xc7z020_ref --network " + (dir_ / "keras_mlp" / "network.json").string() +
           " --layer conv2d_BiasAdd --out " + (dir_ / "hls").string() + " --check");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("PASS (512 outputs bit-exact"), std::string::npos) << r.output;
}

// A 3x2 kernel with strides (2, 1), ZeroPad2d((0, 1, 0, 1)) folded into the next conv's pads,
// and a ceil_mode pool whose ceil and floor differ. The core runs rectangular windows and
// strides: `msqx sim` runs the network and reports every layer.
TEST_F(FixtureTest, WindowShapes) {
  const spec::NetworkSpec n = ImportChecked("windows");
  ASSERT_EQ(n.layers.size(), 6u);
  const spec::Layer& tall = n.layers[0];
  EXPECT_EQ(tall.kernel_h, 3);
  EXPECT_EQ(tall.kernel_w, 2);
  EXPECT_EQ(tall.stride_h, 2);
  EXPECT_EQ(tall.stride_w, 1);
  EXPECT_EQ(tall.out, (spec::Shape{8, 7, 15}));
  const spec::Layer& same = n.layers[2];
  EXPECT_EQ(std::vector<int>({same.pad_top, same.pad_left, same.pad_bottom, same.pad_right}),
            (std::vector<int>{0, 0, 1, 1}));
  EXPECT_EQ(same.out, (spec::Shape{8, 3, 7}));
  EXPECT_EQ(n.layers[4].out, (spec::Shape{8, 2, 4}));  // ceil: 3 -> 2, 7 -> 4
  ExpectSimulates("windows", n);
}

// The command line on one of them: status 0, what it says, and the files it writes.
TEST_F(FixtureTest, ImportCommandWritesNetworkWeightsAndBiases) {
  const fs::path out = dir_ / "cli";
  const test_support::MsqxRun r =
      Msqx("import " + Fixture("resnet18.onnx").string() + " --out " + out.string());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("batch dimension 'batch' of input 'input' fixed to 1"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("imported 48 layers (21 with weights)"), std::string::npos) << r.output;
  EXPECT_TRUE(fs::exists(out / "network.json"));
  int weights = 0, biases = 0;
  for (const auto& e : fs::directory_iterator(out / "weights")) weights += e.is_regular_file();
  for (const auto& e : fs::directory_iterator(out / "weights" / "bias"))
    biases += e.is_regular_file();
  EXPECT_EQ(weights, 21);
  EXPECT_EQ(biases, 21);
  // No partial folder is left beside it.
  for (const auto& e : fs::directory_iterator(dir_)) {
    EXPECT_EQ(e.path().filename().string().find(".partial"), std::string::npos) << e.path();
  }
}

}  // namespace
}  // namespace msqx::io::test
