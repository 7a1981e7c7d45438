// Weight folders against a network, and the msqx quant report built from them.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "sim/io/npy.h"
#include "sim/io/quant_report.h"
#include "sim/io/weights.h"
#include "sim/spec/resolve.h"

namespace msqx::io {
namespace {

namespace fs = std::filesystem;

class WeightsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("msqx_io_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    net_ = spec::ConfigResolver(std::string(MSQX_SOURCE_DIR) + "/configs").LoadNetwork("tiny");
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Every conv/fc layer of tiny, filled with seeded Gaussian values; shapes written out by hand
  // from configs/networks/tiny.json.
  void WriteAll(unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> g(0, 0.1);
    const std::vector<std::pair<std::string, std::vector<std::int64_t>>> shapes = {
        {"conv1", {8, 3, 3, 3}},
        {"conv2", {16, 8, 3, 3}},
        {"dw3", {16, 1, 3, 3}},
        {"pw3", {16, 16, 1, 1}},
        {"fc", {10, 16}}};  // gap leaves 16 x 1 x 1
    for (const auto& [name, shape] : shapes) {
      NpyArray a{NpyType::kFloat32, shape, {}};
      for (std::int64_t i = 0; i < a.Elements(); ++i)
        a.values.push_back(static_cast<float>(g(rng)));
      WriteNpy((dir_ / (name + ".npy")).string(), a);
    }
  }

  fs::path dir_;
  spec::NetworkSpec net_;
};

TEST_F(WeightsTest, LoadsEveryWeightedLayerWithTheDocumentedShapes) {
  WriteAll(5);
  const std::vector<LayerWeights> w = LoadNetworkWeights(dir_.string(), net_);
  ASSERT_EQ(w.size(), 5u);
  EXPECT_EQ(w[0].layer, "conv1");
  EXPECT_EQ(w[0].matrix.filters, 8);
  EXPECT_EQ(w[0].matrix.row_size, 27);
  EXPECT_EQ(w[2].matrix.row_size, 9);  // depthwise: in_channels / groups = 1
  EXPECT_EQ(w[4].matrix.row_size, 16);
}

TEST_F(WeightsTest, WrongShapeAndMissingFileNameTheFile) {
  WriteAll(6);
  WriteNpy((dir_ / "conv2.npy").string(),
           NpyArray{NpyType::kFloat32, {16, 8, 3}, std::vector<double>(16 * 8 * 3)});
  try {
    LoadNetworkWeights(dir_.string(), net_);
    ADD_FAILURE() << "wrong shape accepted";
  } catch (const spec::ConfigError& e) {
    EXPECT_NE(e.file().find("conv2.npy"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("[16, 8, 3, 3]"), std::string::npos) << e.what();
  }
  fs::remove(dir_ / "conv2.npy");
  EXPECT_THROW(LoadNetworkWeights(dir_.string(), net_), spec::ConfigError);
  EXPECT_THROW(LoadNetworkWeights((dir_ / "nothing").string(), net_), spec::ConfigError);
}

TEST_F(WeightsTest, QuantReportSplitsEachLayerAndMeasuresErrors) {
  WriteAll(7);
  const QuantReport r = BuildQuantReport(net_, dir_.string(), {1, 2});
  ASSERT_EQ(r.layers.size(), 5u);
  const std::vector<int> filters = {8, 16, 16, 16, 10};
  for (std::size_t i = 0; i < r.layers.size(); ++i) {
    // round(n / 3), halves up: 8 -> 3 (2.67), 16 -> 5 (5.33), 10 -> 3 (3.33)
    EXPECT_EQ(r.layers[i].fixed_filters, static_cast<int>(std::floor(filters[i] / 3.0 + 0.5)));
    EXPECT_TRUE(r.layers[i].has_weights);
    EXPECT_GT(r.layers[i].mixed.Mse(), 0);
  }
  const nlohmann::json j = ToJson(r);
  EXPECT_EQ(j["ratio"], "1:2");
  EXPECT_EQ(j["layers"][1]["fixed_filter_indices"].size(), 5u);
  EXPECT_EQ(j["layers"][1]["split"], "variance");
  const std::string csv = ToCsv(r);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 6);
  WriteQuantReport(r, (dir_ / "out").string());
  EXPECT_TRUE(fs::exists(dir_ / "out" / "quant.json"));
  EXPECT_TRUE(fs::exists(dir_ / "out" / "quant.csv"));
}

TEST_F(WeightsTest, QuantReportWithoutWeightsSplitsByCount) {
  const QuantReport r = BuildQuantReport(net_, "", {1, 0});
  for (const LayerQuantRow& row : r.layers) {
    EXPECT_EQ(row.fixed_filters, row.filters);
    EXPECT_FALSE(row.has_weights);
  }
  EXPECT_EQ(ToJson(r)["layers"][0]["split"], "count");
  EXPECT_EQ(ToJson(r)["layers"][0]["sp2_split"]["m1"], 2);
  EXPECT_EQ(ToJson(r)["layers"][0]["sp2_split"]["m2"], 1);
  // 4-bit weights leave m1 + m2 = 3: m1 = 3 would leave no second term.
  try {
    BuildQuantReport(net_, "", {1, 0}, 3);
    ADD_FAILURE() << "impossible SP2 split accepted";
  } catch (const spec::ConfigError& e) {
    EXPECT_EQ(e.json_path(), "$.layers[0].weight_bits");
  }
}

TEST_F(WeightsTest, Int8WeightsAreAlreadyQuantizedIntegers) {
  WriteAll(8);
  NpyArray a{NpyType::kInt8, {8, 3, 3, 3}, {}};
  for (int i = 0; i < 8 * 27; ++i) a.values.push_back((i % 15) - 7);
  WriteNpy((dir_ / "conv1.npy").string(), a);
  const LayerWeights w = LoadLayerWeights(dir_.string(), net_.layers[0], net_);
  EXPECT_EQ(w.type, NpyType::kInt8);
  EXPECT_EQ(w.matrix.values[0], -7);
  // 4-bit integers -7..7 with max |w| = 7 in every filter sit exactly on the fixed-point grid.
  const QuantReport r = BuildQuantReport(net_, dir_.string(), {1, 2});
  EXPECT_EQ(r.layers[0].fixed_only.Mse(), 0.0);
}

}  // namespace
}  // namespace msqx::io
