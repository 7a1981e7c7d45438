#pragma once
// Shared parts of the data-loss tests: a scratch folder per test, snapshots of trees to prove
// that nothing changed, the test sweeps and a network slow enough to interrupt.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "tests/common/msqx_process.h"

namespace msqx::test_support {

namespace fs = std::filesystem;

inline std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void Write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

// Every file and folder under `root` (hidden ones too) with its content ("<dir>" for folders).
inline std::map<std::string, std::string> Snapshot(const fs::path& root) {
  std::map<std::string, std::string> out;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string rel = fs::relative(it->path(), root).string();
    out[rel] = it->is_directory() ? "<dir>" : Read(it->path());
  }
  return out;
}

// The test sweep of small_sweep.json's kind, on tiny only: 12 points, fast.
inline std::string TinySweepJson(const std::string& name = "tinysweep") {
  return R"({"name": ")" + name + R"(", "networks": ["tiny"], "devices": ["xc7z020", "xc7z045"],
    "base_designs": {"xc7z020": "xc7z020_ref", "xc7z045": "xc7z045_ref"},
    "axes": {"ratio": [{"fixed": 1, "sp2": 0}, {"fixed": 0, "sp2": 1}, {"fixed": 1, "sp2": 2}],
             "dsp_engine.rows": [4, 16]}})";
}

// The side of the slow network's input: 2048 takes about half a second at cycle fidelity in an
// optimized build; a Debug build with sanitizers is about 70 times slower, so a quarter will do.
#if !defined(NDEBUG) || defined(__SANITIZE_ADDRESS__)
inline constexpr int kSlowSide = 512;
#else
inline constexpr int kSlowSide = 2048;
#endif

// One conv layer on a 64 x side x side input: long enough (about half a second) to kill a worker
// or a shard in the middle of it.
inline std::string SlowNetworkJson(int side = kSlowSide) {
  const std::string s = std::to_string(side);
  return R"({"name": "slow", "input": {"channels": 64, "height": )" + s + R"(, "width": )" + s +
         R"(},
    "layers": [{"name": "conv1", "type": "conv", "out_channels": 64, "kernel": 3, "padding": 1}]})";
}

class ScratchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    root_ = fs::temp_directory_path() / ("msqx_i19_" + std::to_string(::getpid()) + "_" +
                                         info->test_suite_name() + "_" + info->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(root_);
  }

  ProcessResult Run(const std::vector<std::string>& args, ProcessOptions o = {}) {
    if (o.cwd.empty()) o.cwd = root_.string();
    return RunMsqx(args, o);
  }

  fs::path root_;
};

}  // namespace msqx::test_support
