// The published MAC counts at 224x224, on the full-size torchvision graphs:
// tests/fixtures/onnx/full holds ResNet-18, MobileNetV2, SqueezeNet 1.1 and VGG-16 exactly as
// torch.onnx.export writes them at full width and 224x224, with the bytes of every initializer of
// 64 or more values stripped (dims and types kept), so that the structure is real but the files are
// a few KB instead of 44 to 553 MB. `--no-weights` imports such a structure; the MACs must equal
// both the published figure (to its precision) and torch's own count of the same model
// (make_fixtures.py).
#include "fixtures.h"

namespace msqx::io::test {
namespace {

using msqx::test_support::Msqx;

class FullSizeTest : public ScratchTest {
 protected:
  spec::NetworkSpec Structure(const std::string& name) {
    const spec::NetworkSpec n = ImportAndLoad(Fixture("full/" + name + ".onnx"), name, false);
    EXPECT_EQ(n.input, (spec::Shape{3, 224, 224}));
    EXPECT_EQ(n.TotalMacs(), Expected().at("full/" + name).at("macs").get<std::int64_t>());
    EXPECT_FALSE(fs::exists(dir_ / name / "weights")) << "--no-weights writes no weights";
    return n;
  }
};

// Published (issue 17, and torchvision's model table, whose "GFLOPS" are multiply-accumulates):
// ResNet-18 1.814 G, MobileNetV2 0.301 G, SqueezeNet 1.1 0.35 G, VGG-16 15.47 G, each checked to
// the last digit shown.
TEST_F(FullSizeTest, ResNet18Is1814MegaMacs) {
  const std::int64_t macs = Structure("resnet18").TotalMacs();
  EXPECT_NEAR(static_cast<double>(macs), 1.814e9, 0.5e6);
}

TEST_F(FullSizeTest, MobileNetV2Is301MegaMacs) {
  const std::int64_t macs = Structure("mobilenet_v2").TotalMacs();
  EXPECT_NEAR(static_cast<double>(macs), 0.301e9, 0.5e6);
}

TEST_F(FullSizeTest, SqueezeNet11Is035GigaMacs) {
  const std::int64_t macs = Structure("squeezenet1_1").TotalMacs();
  EXPECT_NEAR(static_cast<double>(macs), 0.35e9, 0.005e9);
}

TEST_F(FullSizeTest, Vgg16Is1547GigaMacsAndLosesItsNoOpPool) {
  const spec::NetworkSpec n = Structure("vgg16");
  EXPECT_NEAR(static_cast<double>(n.TotalMacs()), 15.47e9, 0.005e9);
  // AdaptiveAvgPool2d((7, 7)) on the 7x7 map is exported as a 1x1 stride-1 AveragePool: gone.
  for (const spec::Layer& l : n.layers) EXPECT_NE(l.kind, spec::LayerKind::kAvgPool) << l.name;
  EXPECT_EQ(n.layers.size(), 13u + 13u + 5u + 3u + 2u);  // convs, ReLUs, pools, fcs, fc ReLUs
  bool noted = false;
  for (const std::string& note : last_.notes) noted |= note.find("no-op") != std::string::npos;
  EXPECT_TRUE(noted);
}

// Without --no-weights the same file is an error that names the tensor and the way out.
TEST_F(FullSizeTest, WeightsThatAreNotThereAreAClearError) {
  const test_support::MsqxRun r =
      Msqx("import " + Fixture("full/resnet18.onnx").string() + " --out " + (dir_ / "r").string());
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("has no data"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("--no-weights"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("$.graph.initializer["), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir_ / "r" / "network.json"));
  const test_support::MsqxRun ok = Msqx("import " + Fixture("full/resnet18.onnx").string() +
                                        " --no-weights --out " + (dir_ / "s").string());
  EXPECT_EQ(ok.status, 0) << ok.output;
  EXPECT_NE(ok.output.find("structure only"), std::string::npos) << ok.output;
}

}  // namespace
}  // namespace msqx::io::test
