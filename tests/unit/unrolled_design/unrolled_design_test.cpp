// Unrolled designs end to end: the config kind and its errors, msqx sim's latency and resources
// against the per-layer models added up here, uniform precision's SQNR, and the unrolled sweep.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "dse/unrolled_eval.h"
#include "models/unrolled/alignment.h"
#include "models/unrolled/ebops.h"
#include "sim/spec/resolve.h"
#include "tests/common/run_msqx.h"

namespace msqx {
namespace {

namespace fs = std::filesystem;
using test_support::Msqx;

const spec::ConfigResolver& Resolver() {
  static const spec::ConfigResolver r(MSQX_SOURCE_DIR "/configs");
  return r;
}

fs::path Dir(const std::string& name) {
  const fs::path d = fs::path(MSQX_BINARY_DIR) / "unrolled_design_test" / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::string Slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

nlohmann::json Jet() {
  return nlohmann::json::parse(
      Slurp(fs::path(MSQX_SOURCE_DIR) / "configs/designs/jet_unrolled.json"));
}

std::string ParseError(const nlohmann::json& design) {
  try {
    spec::ParseUnrolledDesign(spec::Document(design, "d.json").Root(), Resolver());
  } catch (const spec::ConfigError& e) {
    return e.json_path() + ": " + e.message();
  }
  return "";
}

TEST(UnrolledDesign, ShippedDesignParses) {
  const spec::UnrolledDesignSpec d = Resolver().LoadUnrolledDesign("jet_unrolled");
  EXPECT_EQ(d.device.name, "xcvu9p");
  EXPECT_EQ(d.reuse_factor, 1);
  EXPECT_TRUE(d.precision.per_weight);
  EXPECT_EQ(d.precision.seed, 42u);
  EXPECT_EQ(d.network, "jet_tagger");
  EXPECT_TRUE(Resolver().IsUnrolledDesign("jet_unrolled"));
  EXPECT_FALSE(Resolver().IsUnrolledDesign("xc7z020_ref"));
}

TEST(UnrolledDesign, BadDesignsNameThePathAndWhatWasExpected) {
  nlohmann::json d = Jet();
  d["precision"]["mode"] = "per_layer";
  EXPECT_NE(ParseError(d).find("$.precision.mode"), std::string::npos) << ParseError(d);
  d = Jet();
  d["precision"]["weight_bits"] = 4;  // widths belong to uniform precision
  EXPECT_NE(ParseError(d).find("$.precision.weight_bits: expected no bit width"), std::string::npos)
      << ParseError(d);
  d = Jet();
  d["precision"] = {{"mode", "uniform"}, {"weight_bits", 4}};
  EXPECT_NE(ParseError(d).find("$.precision"), std::string::npos)
      << ParseError(d);  // act_bits missing
  d = Jet();
  d["unrolled"]["reuse_factor"] = 0;
  EXPECT_NE(ParseError(d).find("$.unrolled.reuse_factor"), std::string::npos) << ParseError(d);
  d = Jet();
  d["unrolled"]["reuse"] = 2;
  EXPECT_NE(ParseError(d).find("reuse_factor"), std::string::npos)
      << ParseError(d);  // did you mean
  d = Jet();
  d["clock_mhz"] = 100;  // below xcvu9p's range
  EXPECT_NE(ParseError(d).find("$.clock_mhz"), std::string::npos) << ParseError(d);
  // A template design command given an unrolled design says what to do instead.
  const auto run = Msqx("sweep --help");  // sanity: the binary runs
  ASSERT_EQ(run.status, 0);
  const fs::path dir = Dir("kinds");
  std::ofstream(dir / "u.json") << Jet().dump();
  const auto hls =
      Msqx("sim --fidelity pin --design " + (dir / "u.json").string() + " --network jet_tagger");
  EXPECT_EQ(hls.status, 2) << hls.output;
  nlohmann::json t =
      nlohmann::json::parse(Slurp(fs::path(MSQX_SOURCE_DIR) / "configs/designs/xc7z020_ref.json"));
  t["kind"] = "unrolled";
  t["name"] = "mixed";
  std::ofstream(dir / "t.json") << t.dump();
  const auto mixed = Msqx("sim --design " + (dir / "t.json").string() + " --network jet_tagger");
  EXPECT_EQ(mixed.status, 2) << mixed.output;
}

// The chain's latency is the sum of its layers' (no registers between layers) and its resources
// the sum of theirs, each from the per-layer model directly: every layer with its bias, its ReLU
// and the requantization to the next layer's inputs, the last one without.
TEST(UnrolledDesign, SimReportsTheChainOfItsLayers) {
  const spec::UnrolledDesignSpec d = Resolver().LoadUnrolledDesign("jet_unrolled");
  const spec::NetworkSpec net = Resolver().LoadNetwork("jet_tagger");
  const unrolled::HgqNetwork hgq = dse::UnrolledWeights(d, net);
  ASSERT_EQ(hgq.layers.size(), 4u);  // 16-64-32-32-5
  int latency = 0;
  std::int64_t lut = 0, dsp = 0, ebops_span = 0, ebops_hgq = 0;
  for (std::size_t i = 0; i < hgq.layers.size(); ++i) {
    const auto& l = hgq.layers[i];
    EXPECT_TRUE(l.quantized.HasBias()) << l.name;  // jet_tagger's fc layers have one
    EXPECT_EQ(l.relu, i < 3) << l.name;            // relu1..relu3 follow fc1..fc3
    unrolled::OutputStage stage;
    stage.relu = l.relu;
    if (i + 1 < hgq.layers.size()) stage.requant = hgq.layers[i + 1].activations;
    const unrolled::UnrolledCost c =
        unrolled::DenseUnrolledCost(l.quantized, l.activations, {}, stage);
    latency += c.latency_cycles;
    lut += c.lut;
    dsp += c.dsp;
    ebops_span += unrolled::DenseEbops(l.quantized, l.activations);
    ebops_hgq += unrolled::HgqDenseEbops(l.quantized, l.activations);
  }
  const fs::path dir = Dir("sim");
  const auto run = Msqx("sim --design jet_unrolled --network jet_tagger --out " + dir.string());
  ASSERT_EQ(run.status, 0) << run.output;
  const nlohmann::json r = nlohmann::json::parse(Slurp(dir / "report.json"));
  EXPECT_EQ(r["schema"], "msqx.unrolled_report/2");
  EXPECT_EQ(r["latency_cycles"].get<int>(), latency);
  EXPECT_DOUBLE_EQ(r["latency_ns"].get<double>(), latency * 1000.0 / 200.0);
  EXPECT_EQ(r["initiation_interval"].get<int>(), 1);
  EXPECT_EQ(r["resources"]["lut"].get<std::int64_t>(), lut);
  EXPECT_EQ(r["resources"]["dsp"].get<std::int64_t>(), dsp);
  EXPECT_EQ(r["ebops_span"].get<std::int64_t>(), ebops_span);
  EXPECT_EQ(r["ebops_hgq"].get<std::int64_t>(), ebops_hgq);
  EXPECT_NE(ebops_hgq, ebops_span);  // declared widths and a bias term against code spans
  EXPECT_EQ(r["layers"].size(), 4u);
  // Each output's binary point (the products aligned to it, models/unrolled/alignment.h).
  for (std::size_t i = 0; i < hgq.layers.size(); ++i) {
    const auto a = unrolled::AlignDense(hgq.layers[i].quantized, hgq.layers[i].activations);
    EXPECT_EQ(r["layers"][i]["output_frac_bits"].get<std::vector<int>>(), a.output_frac_bits) << i;
    EXPECT_EQ(r["layers"][i]["max_alignment_shift"].get<int>(), a.MaxShift()) << i;
  }
  EXPECT_EQ(r["layers"][3]["output_frac_bits"].get<std::vector<int>>(),
            (std::vector<int>{10, 11, 11, 11, 11}));
  EXPECT_EQ(r["layers"][3]["max_alignment_shift"].get<int>(), 6);
  EXPECT_TRUE(fs::exists(dir / "layers.csv"));
  EXPECT_TRUE(fs::exists(dir / "summary.md"));
  // Reuse factor 4: initiation interval 4, latency longer by 3 cycles per layer at least.
  nlohmann::json rf4 = Jet();
  rf4["unrolled"]["reuse_factor"] = 4;
  std::ofstream(dir.parent_path() / "rf4.json") << rf4.dump();
  const fs::path dir4 = Dir("sim4");
  const auto run4 = Msqx("sim --design " + (dir.parent_path() / "rf4.json").string() +
                         " --network jet_tagger --out " + dir4.string());
  ASSERT_EQ(run4.status, 0) << run4.output;
  const nlohmann::json r4 = nlohmann::json::parse(Slurp(dir4 / "report.json"));
  EXPECT_EQ(r4["initiation_interval"].get<int>(), 4);
  EXPECT_GE(r4["latency_cycles"].get<int>(), latency + 4 * 3);
}

TEST(UnrolledDesign, UniformPrecisionGainsAboutSixDecibelsPerBit) {
  spec::UnrolledDesignSpec d = Resolver().LoadUnrolledDesign("jet_unrolled");
  const spec::NetworkSpec net = Resolver().LoadNetwork("jet_tagger");
  d.precision.per_weight = false;
  double previous = -1e9;
  for (int bits = 3; bits <= 8; ++bits) {
    d.precision.weight_bits = bits;
    const dse::UnrolledResult r = dse::EvaluateUnrolled(d, net);
    const double sqnr = r.weight_sqnr_db;
    EXPECT_GT(sqnr, previous + 4.0)
        << bits;  // 6.02 dB per bit for uniform weights, less at the edges
    // One type per tensor: every product of an output on the same grid, nothing to align.
    for (const auto& l : r.layers) EXPECT_EQ(l.max_alignment_shift, 0) << bits << " " << l.name;
    previous = sqnr;
  }
  EXPECT_GT(previous, 35.0);
}

TEST(UnrolledDesign, ConvNetworksAreNotUnrolledYet) {
  const auto run = Msqx("sim --design jet_unrolled --network tiny --out " + Dir("conv").string());
  EXPECT_EQ(run.status, 2) << run.output;
  EXPECT_NE(run.output.find("conv layers are not unrolled yet"), std::string::npos) << run.output;
}

// A weights folder written from the synthetic network reads back to the same design: every figure
// of the report equal. Then the folder's errors: a missing file, a wrong shape; and a JSON
// precision in place of an .npy pair.
TEST(UnrolledWeights, FolderRoundTripAndItsErrors) {
  const fs::path dir = Dir("weights");
  const auto first = Msqx("sim --design jet_unrolled --network jet_tagger --out " +
                          (dir / "a").string() + " --export-weights " + (dir / "w").string());
  ASSERT_EQ(first.status, 0) << first.output;
  nlohmann::json d = Jet();
  d["name"] = "jet_trained";
  d["precision"] = {{"mode", "per_weight"}, {"weights", "w"}};
  std::ofstream(dir / "trained.json") << d.dump();
  const auto second = Msqx("sim --design " + (dir / "trained.json").string() +
                           " --network jet_tagger --out " + (dir / "b").string());
  ASSERT_EQ(second.status, 0) << second.output;
  const nlohmann::json a = nlohmann::json::parse(Slurp(dir / "a" / "report.json"));
  const nlohmann::json b = nlohmann::json::parse(Slurp(dir / "b" / "report.json"));
  for (const char* key : {"latency_cycles", "initiation_interval", "ebops_hgq", "ebops_span",
                          "resources", "weight_sqnr_db", "layers"}) {
    EXPECT_EQ(a[key], b[key]) << key;
  }
  // fc4's weight precision as one JSON document (uniform 4-bit types) instead of the pair.
  fs::remove(dir / "w" / "fc4.weight_int_bits.npy");
  const auto missing = Msqx("sim --design " + (dir / "trained.json").string() +
                            " --network jet_tagger --out " + (dir / "c").string());
  EXPECT_EQ(missing.status, 2) << missing.output;
  EXPECT_NE(missing.output.find("fc4.weight_int_bits.npy"), std::string::npos) << missing.output;
  EXPECT_FALSE(fs::exists(dir / "c" / "report.json"));
  std::ofstream(dir / "w" / "fc4.weight_precision.json")
      << R"({"shape": [5, 32], "sign_bits": 1, "integer_bits": 0, "fractional_bits": 3})";
  const auto json = Msqx("sim --design " + (dir / "trained.json").string() +
                         " --network jet_tagger --out " + (dir / "d").string());
  ASSERT_EQ(json.status, 0) << json.output;
  // fc1's weights of the wrong shape.
  std::ofstream(dir / "w" / "fc4.weight_precision.json")
      << R"({"shape": [4, 32], "integer_bits": 0, "fractional_bits": 3})";
  const auto shape = Msqx("sim --design " + (dir / "trained.json").string() +
                          " --network jet_tagger --out " + (dir / "e").string());
  EXPECT_EQ(shape.status, 2) << shape.output;
  EXPECT_NE(shape.output.find("a precision of shape 5 x 32"), std::string::npos) << shape.output;
  d["precision"]["weights"] = "nowhere";
  std::ofstream(dir / "bad.json") << d.dump();
  const auto nowhere =
      Msqx("sim --design " + (dir / "bad.json").string() + " --network jet_tagger");
  EXPECT_EQ(nowhere.status, 2) << nowhere.output;
  EXPECT_NE(nowhere.output.find("$.precision.weights"), std::string::npos) << nowhere.output;
}

TEST(UnrolledSweep, ComparesPerWeightWithUniformAtEqualSqnr) {
  const fs::path dir = Dir("sweep");
  const auto run = Msqx("sweep jet_unrolled --out " + dir.string());
  ASSERT_EQ(run.status, 0) << run.output;
  const std::string points = Slurp(dir / "points.csv");
  // 3 RFs x 2 DSP thresholds x (per-weight + 6 widths)
  EXPECT_EQ(std::count(points.begin(), points.end(), '\n'), 1 + 3 * 2 * (1 + 6));
  const std::string summary = Slurp(dir / "summary.md");
  EXPECT_NE(summary.find("| RF | DSP above bits | per-weight SQNR dB | uniform match"),
            std::string::npos)
      << summary;
  // A threshold of 64 bits keeps every constant multiplier in LUTs.
  std::istringstream rows(points);
  std::string row;
  int no_dsp = 0;
  while (std::getline(rows, row)) {
    if (row.find(",64,") == std::string::npos) continue;
    std::vector<std::string> cells;
    std::istringstream cols(row);
    for (std::string c; std::getline(cols, c, ',');) cells.push_back(c);
    EXPECT_EQ(cells.at(8), "0") << row;  // the dsp column
    ++no_dsp;
  }
  EXPECT_EQ(no_dsp, 3 * (1 + 6));
  EXPECT_EQ(Msqx("sweep jet_unrolled --shard 1/2 --out " + (dir / "s").string()).status, 2);
}

}  // namespace
}  // namespace msqx
