// Issue 19, case 9: a 3x65536x65536 input printed nothing for 230 s, a 200 MB network was silent
// for 109 s, and parsing grew faster than the layers (quant 0.53 s at 20k layers, 3.62 s at 40k).
#include "sim/cli/progress.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <thread>

#include "sim/spec/json_reader.h"
#include "sim/spec/network.h"
#include "tests/unit/outputs/fixture.h"

namespace msqx::test_support {
namespace {

using Clock = std::chrono::steady_clock;

// Everything written to stderr (fd 2) while `body` runs.
std::string CaptureStderr(const std::function<void()>& body) {
  std::FILE* file = std::tmpfile();
  const int saved = ::dup(STDERR_FILENO);
  ::dup2(::fileno(file), STDERR_FILENO);
  body();
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  std::rewind(file);
  std::string text;
  for (int c; (c = std::fgetc(file)) != EOF;) text.push_back(static_cast<char>(c));
  std::fclose(file);
  return text;
}

TEST(Progress, AStepLongerThanASecondSaysSoWithinASecond) {
  const std::string quick = CaptureStderr([] {
    cli::Heartbeat beat("reading big.json");
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  });
  EXPECT_EQ(quick, "");
  const std::string slow = CaptureStderr([] {
    cli::Heartbeat beat("reading big.json");
    std::this_thread::sleep_for(std::chrono::milliseconds(1400));
  });
  EXPECT_EQ(slow.rfind("msqx: reading big.json... 1 s\n", 0), 0u) << slow;
}

TEST(Progress, ALineWithoutUpdatesIsRepeatedEverySecond) {
  const std::string text = CaptureStderr([] {
    cli::ProgressLine line("sim", "layers", 3, /*quiet_seconds=*/1.0);
    std::this_thread::sleep_for(std::chrono::milliseconds(2400));  // one long layer
    line.Finish(3);
  });
  EXPECT_NE(text.find("sim: 0/3 layers, 1."), std::string::npos) << text;
  EXPECT_NE(text.find("sim: 0/3 layers, 2."), std::string::npos) << text;
  EXPECT_NE(text.find("sim: 3/3 layers, 2."), std::string::npos) << text;
}

// The real thing: one layer that takes seconds, through msqx sim.
TEST(Progress, ALongLayerShowsProgressWithinASecond) {
  const fs::path dir = fs::temp_directory_path() / ("msqx_i19_layer_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  Write(dir / "slow.json", SlowNetworkJson(2 * kSlowSide));  // about 2 s
  ProcessOptions o;
  o.cwd = dir.string();
  const auto start = Clock::now();
  MsqxProcess sim({"sim", "--design", "xc7z020_ref", "--network", "slow.json", "--out", "o"}, o);
  double first_line = -1;
  sim.WaitFor(
      [&] {
        if (sim.output().find("sim: 0/1 layers") == std::string::npos) return false;
        first_line = std::chrono::duration<double>(Clock::now() - start).count();
        return true;
      },
      30);
  const auto r = sim.Wait();
  ASSERT_EQ(r.status, 0) << r.output;
  ASSERT_GT(first_line, 0) << "no progress during a " << r.seconds << " s layer:\n" << r.output;
  EXPECT_LT(first_line, 1.9) << r.output;
  fs::remove_all(dir);
}

std::string ChainNetwork(int layers) {
  std::string text = R"({"name": "chain", "input": {"channels": 8, "height": 4, "width": 4},
    "layers": [)";
  for (int i = 0; i < layers; ++i) {
    text += std::string(i ? "," : "") + R"({"name": "l)" + std::to_string(i) +
            R"(", "type": "conv", "out_channels": 8, "kernel": 1)" +
            (i ? R"(, "input": "l)" + std::to_string(i - 1) + "\"" : std::string()) + "}";
  }
  return text + "]}";
}

// CPU seconds (not wall time: the suite runs tests side by side) of the best of three parses.
double ParseSeconds(const std::string& text) {
  double best = 1e9;
  for (int run = 0; run < 3; ++run) {
    const std::clock_t start = std::clock();
    const spec::NetworkSpec net = spec::ParseNetwork(
        spec::Document(spec::ParseJsonText(text, "chain.json"), "chain.json").Root());
    EXPECT_FALSE(net.layers.empty());
    best = std::min(best, static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC);
  }
  return best;
}

// Parsing is linear in the layers: 8 times the layers take about 8 times as long (a quadratic
// parser, as before, took 64 times). The bound leaves room for a loaded machine.
TEST(Progress, NetworkParsingIsLinearInTheLayers) {
  const double small = ParseSeconds(ChainNetwork(5000));
  const double large = ParseSeconds(ChainNetwork(40000));
  EXPECT_LT(large / small, 20) << small << " s for 5k layers, " << large << " s for 40k";
}

}  // namespace
}  // namespace msqx::test_support
