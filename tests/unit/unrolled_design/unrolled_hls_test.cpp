// `msqx hls --check` on random per-weight layers with biases, ReLUs and requantization between
// them (a weights folder drawn here: per-weight types with pruned elements, HGQ's negative and
// zero totals, per-input signs, every overflow mode): the exported testbench must find every
// output bit-exact against its own golden (bias, ReLU and the next layer's quantizer included)
// and the latency it measures on the pins must equal the cost model's and msqx sim's.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "dse/unrolled_eval.h"
#include "dse/unrolled_weights.h"
#include "models/unrolled/unrolled_cost.h"
#include "sim/spec/resolve.h"
#include "tests/common/run_msqx.h"

namespace msqx {
namespace {

namespace fs = std::filesystem;
using test_support::Msqx;
using unrolled::FixedType;
using unrolled::Overflow;

fs::path Dir(const std::string& name) {
  const fs::path d = fs::path(MSQX_BINARY_DIR) / "unrolled_hls_test" / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

nlohmann::json Load(const fs::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}

// Sizes 6 -> 7 -> 5 -> 3 with a ReLU after the first two layers.
nlohmann::json Network() {
  return {{"name", "random_mlp"},
          {"input", {{"channels", 6}, {"height", 1}, {"width", 1}}},
          {"layers",
           {{{"name", "d1"}, {"type", "fc"}, {"out_features", 7}, {"bias", true}},
            {{"name", "r1"}, {"type", "act"}, {"function", "relu"}},
            {{"name", "d2"}, {"type", "fc"}, {"out_features", 5}, {"bias", true}},
            {{"name", "r2"}, {"type", "act"}, {"function", "relu"}},
            {{"name", "d3"}, {"type", "fc"}, {"out_features", 3}, {"bias", true}}}}};
}

// A random per-weight network: weights and biases uniform in [-2, 2]; weight types with i in
// [-1, 2] and i + f in [-3, 7] (so that some are pruned with negative or zero totals); inputs of
// 2 to 8 bits, signed for the first layer and mostly unsigned after a ReLU (one signed input per
// layer: per-activation signedness); overflow modes varying by layer.
unrolled::HgqNetwork RandomNetwork(const spec::NetworkSpec& net, std::mt19937& rng) {
  const auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const auto real = [&] { return std::uniform_real_distribution<double>(-2, 2)(rng); };
  const Overflow input_modes[] = {Overflow::kWrap, Overflow::kSat, Overflow::kSatSym};
  unrolled::HgqNetwork out;
  int index = 0;
  for (const spec::Layer& l : net.layers) {
    if (l.kind != spec::LayerKind::kFc) continue;
    const int in = static_cast<int>(l.in.Elements()), outs = l.out_channels;
    unrolled::HgqDenseLayer d;
    d.name = l.name;
    unrolled::PrecisionTensor w;
    w.shape = {outs, in};
    for (int e = 0; e < outs * in; ++e) {
      d.weights.push_back(real());
      const int i = pick(-1, 2);
      w.types.push_back({1, i, pick(-3, 7) - i, Overflow::kSatSym});
    }
    d.quantized = unrolled::QuantizeDense(outs, in, d.weights, w);
    unrolled::PrecisionTensor b;
    b.shape = {outs};
    for (int o = 0; o < outs; ++o) {
      d.bias.push_back(real());
      const int i = pick(0, 2);
      b.types.push_back({1, i, pick(1, 8) - i, index == 1 ? Overflow::kSat : Overflow::kWrap});
    }
    unrolled::QuantizeBias(d.quantized, d.bias, b);
    d.activations.shape = {in};
    const Overflow mode = input_modes[index % 3];
    for (int j = 0; j < in; ++j) {
      const int sign = index == 0 || j == 0 ? 1 : 0;
      const int i = pick(0, 3);
      d.activations.types.push_back({sign, i, pick(2, 8) - sign - i, mode});
    }
    d.relu = index < 2;
    out.layers.push_back(std::move(d));
    ++index;
  }
  return out;
}

TEST(UnrolledHls, RandomPerWeightLayersCheckBitExactAtTheCostModelsLatency) {
  const fs::path dir = Dir("random");
  std::ofstream(dir / "random_mlp.json") << Network().dump(2);
  const spec::ConfigResolver resolver(MSQX_SOURCE_DIR "/configs");
  const spec::NetworkSpec net = resolver.LoadNetwork((dir / "random_mlp.json").string());
  std::mt19937 rng(18);
  dse::WriteHgqWeights(RandomNetwork(net, rng), (dir / "weights").string());
  for (int rf : {1, 2}) {
    SCOPED_TRACE("RF " + std::to_string(rf));
    const nlohmann::json design = {{"name", "random_rf" + std::to_string(rf)},
                                   {"kind", "unrolled"},
                                   {"device", "xcvu13p"},
                                   {"clock_mhz", 200},
                                   {"network", "random_mlp.json"},
                                   {"unrolled", {{"reuse_factor", rf}}},
                                   {"precision", {{"mode", "per_weight"}, {"weights", "weights"}}}};
    const fs::path file = dir / ("design_rf" + std::to_string(rf) + ".json");
    std::ofstream(file) << design.dump(2);
    const spec::UnrolledDesignSpec d = resolver.LoadUnrolledDesign(file.string());
    const unrolled::HgqNetwork hgq = dse::UnrolledWeights(d, net);
    const std::vector<unrolled::UnrolledLayer> chain =
        unrolled::UnrolledChain(hgq, dse::UnrolledParamsOf(d));
    const fs::path sim = dir / ("sim_rf" + std::to_string(rf));
    ASSERT_EQ(Msqx("sim --design " + file.string() + " --network " +
                   (dir / "random_mlp.json").string() + " --out " + sim.string())
                  .status,
              0);
    const nlohmann::json report = Load(sim / "report.json");
    // RF 1 exports every layer; RF 2 the middle one (each check builds a project: ~4 s).
    for (std::size_t i = rf == 1 ? 0 : 1; i < (rf == 1 ? chain.size() : 2); ++i) {
      SCOPED_TRACE(chain[i].name);
      const unrolled::UnrolledCost cost = unrolled::DenseUnrolledCost(
          chain[i].weights, chain[i].activations, chain[i].params, chain[i].output);
      const fs::path project = dir / ("hls_rf" + std::to_string(rf) + "_" + chain[i].name);
      const auto run = Msqx("hls " + file.string() + " --layer " + chain[i].name + " --out " +
                            project.string() + " --check --jobs 1");
      ASSERT_EQ(run.status, 0) << run.output;
      const nlohmann::json result = Load(project / "hls_check.json")["systemc"]["result"];
      EXPECT_EQ(result["mismatches"].get<long long>(), 0);
      EXPECT_EQ(result["cycles"].get<long long>(), cost.latency_cycles);
      EXPECT_EQ(result["initiation_interval"].get<long long>(), rf);
      EXPECT_EQ(report["layers"][i]["latency_cycles"].get<long long>(), cost.latency_cycles);
      const nlohmann::json exported = Load(project / "export.json")["layer"];
      EXPECT_TRUE(exported["bias"].get<bool>());
      EXPECT_EQ(exported["relu"].get<bool>(), i < 2);
      EXPECT_EQ(exported["requantized"].get<bool>(), i < 2);
    }
  }
}

}  // namespace
}  // namespace msqx
