// Every shipped config parses, and the networks have the published sizes.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "sim/spec/resolve.h"

namespace msqx::spec {
namespace {

const ConfigResolver& Resolver() {
  static const ConfigResolver resolver(MSQX_SOURCE_DIR "/configs");
  return resolver;
}

TEST(ShippedConfigs, EveryFileParses) {
  int parsed = 0;
  for (const std::string kind : {"devices", "networks", "designs", "sweeps"}) {
    for (const auto& name : Resolver().Names(kind)) {
      SCOPED_TRACE(kind + "/" + name);
      std::string parsed_name;
      if (kind == "devices") parsed_name = Resolver().LoadDevice(name).name;
      if (kind == "networks") parsed_name = Resolver().LoadNetwork(name).name;
      if (kind == "designs") {
        parsed_name = Resolver().IsUnrolledDesign(name) ? Resolver().LoadUnrolledDesign(name).name
                                                        : Resolver().LoadDesign(name).name;
      }
      if (kind == "sweeps") {
        parsed_name = Resolver().IsUnrolledSweep(name) ? Resolver().LoadUnrolledSweep(name).name
                                                       : Resolver().LoadSweep(name).name;
      }
      EXPECT_EQ(parsed_name, name);
      ++parsed;
    }
  }
  EXPECT_GE(parsed, 5 + 5 + 5 + 2);  // with jet_tagger, jet_unrolled and its sweep
}

TEST(ShippedConfigs, DevicesCarryTheVendorFigures) {
  struct Row {
    const char* name;
    long lut, ff, dsp, bram36, uram;
    DspKind kind;
  };
  // DOMAIN.md section 2 (vendor data sheets).
  const Row rows[] = {
      {"xc7z020", 53200, 106400, 220, 140, 0, DspKind::kDsp48E1},
      {"xc7z045", 218600, 437200, 900, 545, 0, DspKind::kDsp48E1},
      {"xczu3eg", 70560, 141120, 360, 216, 0, DspKind::kDsp48E2},
      {"xczu9eg", 274080, 548160, 2520, 912, 0, DspKind::kDsp48E2},
      {"xcvu9p", 1182240, 2364480, 6840, 2160, 960, DspKind::kDsp48E2},
      // DS890 (Virtex UltraScale+): the VU13P die, also on the Alveo U250 card.
      {"xcvu13p", 1728000, 3456000, 12288, 2688, 1280, DspKind::kDsp48E2},
      {"xcu250", 1728000, 3456000, 12288, 2688, 1280, DspKind::kDsp48E2},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    const DeviceSpec d = Resolver().LoadDevice(r.name);
    EXPECT_EQ(d.lut, r.lut);
    EXPECT_EQ(d.ff, r.ff);
    EXPECT_EQ(d.dsp, r.dsp);
    EXPECT_EQ(d.bram36, r.bram36);
    EXPECT_EQ(d.uram, r.uram);
    EXPECT_EQ(d.dsp_kind, r.kind);
    EXPECT_NEAR(d.ddr.peak_gbps, d.ddr.width_bits / 8.0 * d.ddr.rate_mtps / 1000.0, 0.01);
  }
  // Zynq-7000 PS DDR3: 32 bit at 1066 Mb/s = 4.26 GB/s; UG585 efficiencies.
  const DeviceSpec z = Resolver().LoadDevice("xc7z045");
  EXPECT_NEAR(z.ddr.peak_gbps, 4.26, 0.01);
  EXPECT_DOUBLE_EQ(z.ddr.efficiency.seq_read, 0.97);
  EXPECT_DOUBLE_EQ(z.ddr.efficiency.random_read, 0.92);
  EXPECT_DOUBLE_EQ(z.ddr.efficiency.seq_write, 0.90);
  EXPECT_EQ(z.axi.ports, 4);
  EXPECT_EQ(z.axi.width_bits, 64);
}

// Published multiply-accumulate counts of one 224x224 inference.
TEST(ShippedConfigs, MacCountsMatchPublishedFigures) {
  const struct {
    const char* name;
    double giga_macs;
  } published[] = {{"resnet18", 1.81}, {"vgg16", 15.5}, {"mobilenet_v2", 0.30}};
  for (const auto& p : published) {
    SCOPED_TRACE(p.name);
    const double macs = static_cast<double>(Resolver().LoadNetwork(p.name).TotalMacs());
    EXPECT_NEAR(macs / 1e9, p.giga_macs, 0.01 * p.giga_macs);
  }
}

TEST(ShippedConfigs, ResNet18HasEveryConvolutionAndTheClassifier) {
  const NetworkSpec n = Resolver().LoadNetwork("resnet18");
  int convs = 0, downsamples = 0, adds = 0;
  for (const auto& l : n.layers) {
    convs += l.kind == LayerKind::kConv;
    downsamples += l.kind == LayerKind::kConv && l.KernelArea() == 1;
    adds += l.kind == LayerKind::kAdd;
  }
  EXPECT_EQ(convs, 1 + 16 + 3);  // stem, 8 basic blocks of 2, 3 downsample paths
  EXPECT_EQ(downsamples, 3);
  EXPECT_EQ(adds, 8);
  EXPECT_EQ(n.layers.back().kind, LayerKind::kFc);
  EXPECT_EQ(n.layers.back().in.channels, 512);
  // 11.69 M parameters in torchvision's resnet18, of which 9.6 k are batch-norm (folded here)
  // and 1000 the fc bias (not counted as weights).
  std::int64_t weights = 0;
  for (const auto& l : n.layers) weights += l.WeightCount();
  EXPECT_NEAR(weights / 1e6, 11.68, 0.02);
}

TEST(ShippedConfigs, DerivedShapesChain) {
  const NetworkSpec n = Resolver().LoadNetwork("mobilenet_v2");
  const Layer& dw = n.layers[n.IndexOf("block2.dw")];
  EXPECT_TRUE(dw.IsDepthwise());
  EXPECT_EQ(dw.out.height, 56);
  EXPECT_EQ(dw.AccumulationDepth(), 9);
  const Layer& last = n.layers[n.IndexOf("conv_last")];
  EXPECT_EQ(last.in.channels, 320);
  EXPECT_EQ(last.out.height, 7);
}

TEST(ShippedConfigs, TinyHasEveryLayerKind) {
  const NetworkSpec n = Resolver().LoadNetwork("tiny");
  std::set<LayerKind> kinds;
  bool depthwise = false;
  for (const auto& l : n.layers) {
    kinds.insert(l.kind);
    depthwise |= l.IsDepthwise();
  }
  EXPECT_EQ(kinds.size(), 6u);
  EXPECT_TRUE(depthwise);
  EXPECT_LT(n.TotalMacs(), 200000);
}

TEST(ShippedConfigs, DesignRoundTripsThroughJson) {
  const DesignSpec d = Resolver().LoadDesign("xc7z045_ref");
  const Document again(DesignToJson(d), "round-trip");
  const DesignSpec e = ParseDesign(again.Root(), Resolver());
  EXPECT_EQ(DesignToJson(e), DesignToJson(d));
  EXPECT_EQ(e.device.name, "xc7z045");
}

TEST(ShippedConfigs, DefaultSweepCoversTheRatiosOfTheIssue) {
  const SweepSpec s = Resolver().LoadSweep("default");
  EXPECT_EQ(s.networks, std::vector<std::string>{"resnet18"});
  EXPECT_EQ(s.devices, (std::vector<std::string>{"xc7z020", "xc7z045"}));
  const auto ratio = std::find_if(s.axes.begin(), s.axes.end(),
                                  [](const SweepAxis& a) { return a.key == "ratio"; });
  ASSERT_NE(ratio, s.axes.end());
  std::vector<double> sp2_per_fixed;
  for (const auto& v : ratio->values) {
    if (v["fixed"].get<double>() > 0)
      sp2_per_fixed.push_back(v["sp2"].get<double>() / v["fixed"].get<double>());
  }
  // fixed-only (0), then 1:0.5 to 1:3 in steps of 0.5
  EXPECT_EQ(sp2_per_fixed, (std::vector<double>{0, 0.5, 1, 1.5, 2, 2.5, 3}));
}

}  // namespace
}  // namespace msqx::spec
