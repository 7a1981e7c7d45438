// The shipped 16-64-32-32-5 jet tagger with its seeded synthetic HGQ weights.
#include <gtest/gtest.h>

#include <iostream>

#include "models/unrolled/ebops.h"
#include "models/unrolled/synthetic_hgq.h"
#include "models/unrolled/unrolled_cost.h"
#include "sim/spec/resolve.h"

namespace msqx::unrolled {
namespace {

spec::NetworkSpec JetTagger() {
  return spec::ConfigResolver(MSQX_SOURCE_DIR "/configs").LoadNetwork("jet_tagger");
}

TEST(JetTagger, ParsesWithThePublishedShape) {
  const spec::NetworkSpec net = JetTagger();
  std::vector<int> widths = {net.input.channels};
  for (const auto& l : net.layers) {
    if (l.kind == spec::LayerKind::kFc) widths.push_back(l.out_channels);
  }
  EXPECT_EQ(widths, (std::vector<int>{16, 64, 32, 32, 5}));
  EXPECT_EQ(net.TotalMacs(), 16 * 64 + 64 * 32 + 32 * 32 + 32 * 5);
}

TEST(JetTagger, SyntheticEbopsArePositiveAndDeterministic) {
  const spec::NetworkSpec net = JetTagger();
  const HgqNetwork a = SyntheticHgqNetwork(net, 42);
  const HgqNetwork b = SyntheticHgqNetwork(net, 42);
  const HgqNetwork c = SyntheticHgqNetwork(net, 43);
  ASSERT_EQ(a.layers.size(), 4u);
  EXPECT_GT(a.TotalEbops(), 0);
  EXPECT_EQ(a.TotalEbops(), b.TotalEbops());
  EXPECT_EQ(a.layers[1].quantized.codes, b.layers[1].quantized.codes);
  EXPECT_NE(a.TotalEbops(), c.TotalEbops());

  std::int64_t pruned = 0, weights = 0;
  for (const auto& l : a.layers) {
    for (const auto& t : l.quantized.weight_types.types) pruned += t.IsPruned();
    weights += static_cast<std::int64_t>(l.quantized.codes.size());
  }
  // The rule prunes |w| < 0.15 L of a uniform [-L, L]: 15 % expected.
  EXPECT_NEAR(static_cast<double>(pruned) / static_cast<double>(weights), 0.15, 0.03);
  // Hidden inputs follow a relu: unsigned.
  EXPECT_EQ(a.layers[0].activations[0].sign_bits, 1);
  EXPECT_EQ(a.layers[2].activations[0].sign_bits, 0);

  std::int64_t lut = 0, dsp = 0;
  for (const auto& l : a.layers) {
    const UnrolledCost cost = DenseUnrolledCost(l.quantized, l.activations);
    const std::int64_t ebops = DenseEbops(l.quantized, l.activations);
    std::cout << l.name << ": " << CompareWithEbops(ebops, cost) << ", FF " << cost.ff
              << ", latency " << cost.latency_cycles << " cycles\n";
    EXPECT_GT(cost.lut, 0);
    lut += cost.lut;
    dsp += cost.dsp;
  }
  std::cout << "jet_tagger seed 42: EBOPs " << a.TotalEbops() << ", LUT " << lut << ", DSP " << dsp
            << "\n";
}

}  // namespace
}  // namespace msqx::unrolled
