// The msqx executable as a user meets it: exit statuses and the messages of bad input.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "tests/common/run_msqx.h"

namespace {

using Result = msqx::test_support::MsqxRun;
using msqx::test_support::Msqx;

std::string TempFile(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("msqx_cli_" + std::to_string(::getpid()) + "_" + name);
  std::ofstream(path) << text;
  return path.string();
}

TEST(Cli, VersionNamesTheGitHash) {
  const Result r = Msqx("--version");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.output.rfind("msqx 0.", 0), 0u) << r.output;
  EXPECT_NE(r.output.find("(git "), std::string::npos);
}

TEST(Cli, NoCommandIsAUsageError) {
  const Result r = Msqx("");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("usage: msqx <command>"), std::string::npos);
}

TEST(Cli, UnknownCommandSuggestsTheClosest) {
  const Result r = Msqx("swep");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("did you mean 'sweep'?"), std::string::npos) << r.output;
}

TEST(Cli, EverySubcommandHasHelp) {
  for (const char* cmd : {"sim", "sweep", "merge", "hls", "quant", "import"}) {
    const Result r = Msqx(std::string(cmd) + " --help");
    EXPECT_EQ(r.status, 0) << cmd << ": " << r.output;
    EXPECT_NE(r.output.find(std::string("usage: msqx ") + cmd), std::string::npos) << r.output;
  }
}

TEST(Cli, MissingRequiredOptionIsAUsageError) {
  const Result r = Msqx("sim --design xc7z045_ref");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("--network"), std::string::npos) << r.output;
}

TEST(Cli, BadDesignNamesFileAndPathAndExitsTwo) {
  const std::string path = TempFile("bad_design.json", R"({"name": "x", "device": "xc7z020",
    "clock_mhz": 150, "dsp_engine": {"rows": -4, "cols": 16, "macs_per_dsp": 2}})");
  const Result r = Msqx("sim --design " + path + " --network tiny");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(
      r.output.find(path + ": $.dsp_engine.rows: expected an integer between 0 and 4096, got -4"),
      std::string::npos)
      << r.output;
  std::filesystem::remove(path);
}

TEST(Cli, BrokenJsonNamesLineAndColumn) {
  const std::string path = TempFile("broken.json", "{\n  \"name\": \"x\"\n  \"layers\": []\n}\n");
  const Result r = Msqx("sim --design xc7z045_ref --network " + path);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find(path + ": $: not valid JSON at line 3"), std::string::npos) << r.output;
  std::filesystem::remove(path);
}

TEST(Cli, UnknownNameOnTheCommandLineSuggests) {
  const Result r = Msqx("sim --design xc7z045_ref --network resnet81");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("--network: unknown network 'resnet81'; did you mean 'resnet18'?"),
            std::string::npos)
      << r.output;
}

TEST(Cli, DirectoryGivenAsConfigIsRejected) {
  const Result r = Msqx("sim --design /tmp/ --network tiny");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("'/tmp/' is a folder; expected a design file"), std::string::npos)
      << r.output;
}

TEST(Cli, SimAnalyticWritesACompleteReport) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("msqx_cli_sim_" + std::to_string(::getpid()));
  const Result r =
      Msqx("sim --design xc7z020_ref --network tiny --fidelity analytic --out " + dir.string());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("latency"), std::string::npos);
  EXPECT_TRUE(std::regex_search(r.output, std::regex("dsp [0-9]+ \\(")))
      << r.output;  // resource model in the summary
  for (const char* f : {"report.json", "layers.csv", "summary.md", "design.json"}) {
    EXPECT_TRUE(std::filesystem::exists(dir / f)) << f;
  }
  std::ifstream in(dir / "report.json");
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("\"dsp_engine\""), std::string::npos);  // per-component resources
  std::filesystem::remove_all(dir);
}

TEST(Cli, SimOfABadNetworkLeavesNoReport) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("msqx_cli_bad_" + std::to_string(::getpid()));
  const std::string bad =
      TempFile("bad_net.json", R"({"name": "n", "input": {"channels": 3, "height": 8, "width": 8},
    "layers": [{"name": "c", "type": "conv", "out_channels": 4, "kernel": 9}]})");
  const Result r = Msqx("sim --design xc7z020_ref --network " + bad +
                        " --fidelity analytic --out " + dir.string());
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("$.layers[0].kernel"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir));
  std::filesystem::remove(bad);
}

TEST(Cli, SimCycleIsTheDefaultAndWritesEveryLayer) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("msqx_cli_cycle_" + std::to_string(::getpid()));
  const Result r = Msqx("sim --design xc7z045_ref --network tiny --out " + dir.string());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("cycle fidelity"), std::string::npos) << r.output;
  std::ifstream in(dir / "report.json");
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("\"fidelity\": \"cycle\""), std::string::npos)
      << text.str().substr(0, 400);
  std::ifstream csv(dir / "layers.csv");
  std::string line;
  int lines = 0;
  while (std::getline(csv, line)) ++lines;
  EXPECT_EQ(lines, 1 + 12);  // header and the twelve layers of tiny
  std::filesystem::remove_all(dir);
}

TEST(Cli, SimRejectsPinAndUnknownMemoriesWithStatusTwo) {
  const Result pin =
      Msqx("sim --design xc7z045_ref --network tiny --fidelity pin --out /tmp/msqx_never");
  EXPECT_EQ(pin.status, 2);
  EXPECT_NE(pin.output.find("msqx hls"), std::string::npos) << pin.output;
  const Result mem = Msqx("sim --design xc7z045_ref --network tiny --memory sram");
  EXPECT_EQ(mem.status, 2);
  EXPECT_NE(mem.output.find("--memory must be ddr or ideal"), std::string::npos) << mem.output;
  // The analytic model has no ideal memory: refused rather than answered with DDR figures.
  const Result ideal = Msqx(
      "sim --design xc7z045_ref --network tiny --fidelity analytic --memory ideal --out "
      "/tmp/msqx_never");
  EXPECT_EQ(ideal.status, 2);
  EXPECT_NE(ideal.output.find("applies to the cycle fidelity"), std::string::npos) << ideal.output;
  EXPECT_FALSE(std::filesystem::exists("/tmp/msqx_never"));
}

}  // namespace

namespace msqx {
namespace {

// An output folder the system refuses to make is an I/O failure: status 3, the path and the
// system's reason, for every command that writes one; out-of-range numbers on the command line
// are status 2.
TEST(Cli, UnwritableOutputIsStatusThreeAndBadNumbersTwo) {
  for (const char* args :
       {"sim --design xc7z020_ref --network tiny --out /proc/msqx_out",
        "sweep default --out /proc/msqx_out", "hls xc7z020_ref --network tiny --out /proc/msqx_out",
        "sim --design jet_unrolled --network jet_tagger --out /proc/msqx_out"}) {
    const auto run = test_support::Msqx(args);
    EXPECT_EQ(run.status, 3) << args << "\n" << run.output;
    EXPECT_NE(run.output.find("cannot create files in /proc: "), std::string::npos) << args << "\n"
                                                                                    << run.output;
  }
  const auto seed =
      test_support::Msqx("hls xc7z020_ref --network tiny --seed -1 --out /tmp/msqx_cli_seed");
  EXPECT_EQ(seed.status, 2) << seed.output;
  EXPECT_NE(seed.output.find("--seed must be between 0 and 4294967295"), std::string::npos)
      << seed.output;
}

}  // namespace
}  // namespace msqx
