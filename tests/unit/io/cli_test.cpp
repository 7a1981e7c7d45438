// msqx quant and msqx import as a user runs them: outputs written, exit status 2 on bad input.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "sim/io/npy.h"
#include "tests/common/run_msqx.h"

namespace {

namespace fs = std::filesystem;

using Result = msqx::test_support::MsqxRun;
using msqx::test_support::Msqx;

class QuantCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("msqx_qcli_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "w");
    // tiny's conv/fc layers with constant-shape filters (values i % 5 - 2).
    const std::vector<std::pair<std::string, std::vector<std::int64_t>>> shapes = {
        {"conv1", {8, 3, 3, 3}},
        {"conv2", {16, 8, 3, 3}},
        {"dw3", {16, 1, 3, 3}},
        {"pw3", {16, 16, 1, 1}},
        {"fc", {10, 16}}};
    for (const auto& [name, shape] : shapes) {
      msqx::io::NpyArray a{msqx::io::NpyType::kFloat64, shape, {}};
      for (std::int64_t i = 0; i < a.Elements(); ++i)
        a.values.push_back(static_cast<double>(i % 5) - 2.0 + 0.1 * (i % 3));
      msqx::io::WriteNpy((dir_ / "w" / (name + ".npy")).string(), a);
    }
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(QuantCli, WritesJsonAndCsvAndPrintsTheSplit) {
  const Result r = Msqx("quant --network tiny --weights " + dir_.string() +
                        "/w --ratio 1:3 --out " + dir_.string() + "/out");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("ratio fixed:SP2 = 1:3"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("network SQNR"), std::string::npos) << r.output;
  EXPECT_TRUE(fs::exists(dir_ / "out" / "quant.json"));
  std::ifstream csv(dir_ / "out" / "quant.csv");
  std::string header, conv1;
  std::getline(csv, header);
  std::getline(csv, conv1);
  EXPECT_EQ(header.rfind("layer,type,weight_bits,filters,fixed_filters,sp2_filters", 0), 0u);
  EXPECT_EQ(conv1.rfind("conv1,conv,4,8,2,6,variance,", 0), 0u) << conv1;  // round(8/4) = 2
}

TEST_F(QuantCli, BadInputExitsWithStatusTwo) {
  Result r = Msqx("quant --network tiny --ratio 2 --out " + dir_.string() + "/o");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("--ratio"), std::string::npos) << r.output;
  fs::remove(dir_ / "w" / "pw3.npy");
  r = Msqx("quant --network tiny --weights " + dir_.string() + "/w --out " + dir_.string() + "/o");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("pw3.npy"), std::string::npos) << r.output;
  std::ofstream(dir_ / "w" / "pw3.npy") << "not numpy";
  r = Msqx("quant --network tiny --weights " + dir_.string() + "/w --out " + dir_.string() + "/o");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("magic"), std::string::npos) << r.output;
  r = Msqx("quant --weights " + dir_.string() + "/w");
  EXPECT_EQ(r.status, 2);
  r = Msqx("import");
  EXPECT_EQ(r.status, 2);
  r = Msqx("import " + dir_.string() + "/missing.onnx --out " + dir_.string() + "/o");
  EXPECT_EQ(r.status, 2);
}

TEST_F(QuantCli, ImportThenQuantARealModel) {
  const fs::path model =
      "/usr/share/libonnx-testdata/data/pytorch-converted/test_Conv2d_strided/model.onnx";
  if (!fs::exists(model)) GTEST_SKIP() << "libonnx-testdata is not installed";
  Result r = Msqx("import " + model.string() + " --name strided --out " + dir_.string() + "/imp");
  if (r.output.find("without ONNX support") != std::string::npos) GTEST_SKIP() << r.output;
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(fs::exists(dir_ / "imp" / "network.json"));
  r = Msqx("quant --network " + dir_.string() + "/imp/network.json --weights " + dir_.string() +
           "/imp/weights --ratio 1:1 --out " + dir_.string() + "/q");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(fs::exists(dir_ / "q" / "quant.csv"));
}

}  // namespace
