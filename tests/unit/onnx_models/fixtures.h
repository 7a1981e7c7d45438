#pragma once
// Shared by the ONNX model tests: where the committed fixtures are, what make_fixtures.py computed
// for them with torch (expected.json), and a scratch folder per test.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "sim/io/onnx_import.h"
#include "sim/spec/resolve.h"
#include "tests/common/run_msqx.h"

namespace msqx::io::test {

namespace fs = std::filesystem;

inline fs::path Fixture(const std::string& name) {
  return fs::path(MSQX_SOURCE_DIR) / "tests" / "fixtures" / "onnx" / name;
}

inline const nlohmann::json& Expected() {
  static const nlohmann::json j = [] {
    std::ifstream in(Fixture("expected.json"));
    return nlohmann::json::parse(in);
  }();
  return j;
}

class ScratchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("msqx_onnx_models_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Imports through the library, writes, and reads the network back as a user's run would.
  spec::NetworkSpec ImportAndLoad(const fs::path& model, const std::string& name,
                                  bool weights = true) {
    OnnxImportOptions o;
    o.name = name;
    o.weights = weights;
    last_ = ImportOnnx(model.string(), o);
    WriteImport(last_, (dir_ / name).string());
    return spec::ConfigResolver(MSQX_SOURCE_DIR "/configs")
        .LoadNetwork((dir_ / name / "network.json").string());
  }

  fs::path dir_;
  OnnxImport last_;
};

}  // namespace msqx::io::test
