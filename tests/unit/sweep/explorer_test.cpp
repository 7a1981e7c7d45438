// The explorer (docs/explorer.md): the default sweep's answer against its base designs, one
// source of validity for the sweep, the core and the HLS export, paths relative to the sweep file,
// and searches that shard, merge and resume to the one-shot result.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "dse/explore.h"
#include "dse/hls/export.h"
#include "dse/search_space.h"
#include "dse/sweep.h"
#include "models/accel/core_fits.h"
#include "models/accel/core_sizing.h"
#include "models/accel/schedule.h"
#include "sim/spec/resolve.h"
#include "tests/common/run_msqx.h"

namespace msqx::dse {
namespace {
namespace fs = std::filesystem;
using msqx::test_support::Msqx;

std::string Read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path Temp(const std::string& name) {
  const fs::path d =
      fs::temp_directory_path() / ("msqx_explorer_" + std::to_string(::getpid()) + "_" + name);
  fs::remove_all(d);
  return d;
}

const spec::ConfigResolver& Resolver() {
  static const spec::ConfigResolver r(MSQX_SOURCE_DIR "/configs");
  return r;
}

// Latency of `msqx sim` at cycle fidelity, from its report.json: a separate run of the simulator,
// not the sweep's own ranking.
double SimulatedMs(const std::string& design, const std::string& network, const fs::path& out) {
  const auto run = Msqx("sim --fidelity cycle --design " + design + " --network " + network +
                        " --out " + out.string());
  EXPECT_EQ(run.status, 0) << run.output;
  return nlohmann::json::parse(Read(out / "report.json"))
      .at("totals")
      .at("latency_ms")
      .get<double>();
}

// The default sweep searches engines, tiles, buffers and DMA around each device's reference
// design and simulates the base design itself: its best point is never slower than the base.
TEST(Explorer, DefaultSweepIsNeverSlowerThanItsBaseDesign) {
  const fs::path dir = Temp("default");
  const auto run = Msqx("sweep default --jobs 2 --out " + dir.string());
  ASSERT_EQ(run.status, 0) << run.output;
  for (const char* device : {"xc7z020", "xc7z045"}) {
    const std::string best =
        (dir / ("best_design_resnet18_" + std::string(device) + ".json")).string();
    const double best_ms = SimulatedMs(best, "resnet18", dir / (std::string("best_") + device));
    const double base_ms = SimulatedMs(std::string(device) + "_ref", "resnet18",
                                       dir / (std::string("base_") + device));
    EXPECT_LE(best_ms, base_ms) << device;
    // The best design is one the search found, not the base design under another name.
    EXPECT_LT(best_ms, base_ms) << device;
  }
  // The summary answers per ratio, and says what bounds each ratio's best design.
  const std::string summary = Read(dir / "summary.md");
  EXPECT_NE(summary.find("## resnet18 on xc7z020: latency per fixed:SP2 ratio"), std::string::npos);
  EXPECT_NE(summary.find("| fixed-only |"), std::string::npos);
  EXPECT_NE(summary.find("| SP2-only |"), std::string::npos);
  EXPECT_NE(summary.find("(MAC "), std::string::npos);
  fs::remove_all(dir);
}

// Random designs around the reference designs, scored as a sweep scores them. Every design the
// sweep does not call invalid runs on the pin-level core's rules (its registers and every step of
// every layer fit, accel::RegsFit and StepFits, as AccelCore::Fits) and exports as an HLS
// project; every invalid one says why, and the export refuses it too.
TEST(Explorer, ValidDesignsAreThoseTheCoreAndTheExportAccept) {
  std::mt19937 rng(7);
  const auto pick = [&](std::initializer_list<int> values) {
    std::vector<int> v(values);
    return v[std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng)];
  };
  const fs::path dir = Temp("validity");
  int valid = 0, invalid = 0, exported = 0;
  for (const char* net_name : {"tiny", "mobilenet_v2"}) {
    const spec::NetworkSpec net = Resolver().LoadNetwork(net_name);
    const TargetModel target(net, spec::UtilizationLimits{});
    for (int trial = 0; trial < 150; ++trial) {
      spec::DesignSpec d = Resolver().LoadDesign(pick({0, 1}) ? "xc7z020_ref" : "xc7z045_ref");
      const int cols = pick({1, 3, 4, 8, 16, 24, 32});
      d.dsp_engine.rows = pick({0, 1, 2, 3, 4, 8, 16});
      d.dsp_engine.cols = d.dsp_engine.rows ? pick({cols, cols, 8}) : 0;
      d.dsp_engine.macs_per_dsp = pick({1, 2});
      d.lut_engine.rows = pick({0, 1, 2, 5, 8, 16});
      d.lut_engine.cols = d.lut_engine.rows ? cols : 0;
      d.ratio = {static_cast<double>(pick({0, 1, 1})), static_cast<double>(pick({0, 1, 2}))};
      if (d.ratio.fixed + d.ratio.sp2 == 0) d.ratio.fixed = 1;
      d.tile = {pick({1, 2, 7, 14}), pick({1, 7, 14, 28}), pick({1, 8, 32, 64}),
                pick({1, 4, 8, 16, 32, 64})};
      d.buffers.input_kib = pick({1, 4, 16, 64});
      d.buffers.weight_kib = pick({1, 4, 16, 64});
      d.buffers.output_kib = pick({1, 4, 16, 64});
      d.buffers.double_buffered = pick({0, 1});
      const Score s = ScoreDesign(d, target, true);
      if (s.status == ScoreStatus::kInvalid) {
        ++invalid;
        EXPECT_FALSE(s.reason.empty());
        EXPECT_THROW(hls::ExportHls(d, net, {}, dir / "refused"), spec::ConfigError)
            << net_name << " trial " << trial << ": " << s.key << ": " << s.reason;
        continue;
      }
      ++valid;
      const accel::CoreParams core = accel::SizingOf(d, net);
      for (const spec::Layer& l : net.layers) {
        if (!l.HasWeights()) continue;
        const accel::Schedule schedule = accel::MakeSchedule(l, d, core);
        const accel::LayerRegs regs = accel::RegsOf(schedule.layer, l.act_bits);
        ASSERT_EQ(accel::RegsFit(regs), "") << l.name;
        for (const accel::StepCmd& c : accel::CommandsOf(schedule)) {
          ASSERT_EQ(accel::StepFits(core, regs, c), "")
              << net_name << " trial " << trial << " layer " << l.name;
        }
      }
      if (trial % 5 == 0) {
        EXPECT_NO_THROW(hls::ExportHls(d, net, {}, dir / "project")) << net_name << " " << trial;
        ++exported;
      }
    }
  }
  EXPECT_GT(valid, 50);
  EXPECT_GT(invalid, 20);
  EXPECT_GT(exported, 5);
  fs::remove_all(dir);
}

// The search's shapes split the rows by the ratio and keep packed DSP rows even; a design it
// builds from a shape and a memory choice has the values it was given.
TEST(Explorer, SearchSpaceFollowsTheRatio) {
  const spec::SweepSpec sweep = Resolver().LoadSweep("default");
  spec::DesignSpec base = Resolver().LoadDesign("xc7z045_ref");
  base.ratio = {1, 3};
  for (const EngineShape& s : EngineShapes(sweep.search, base)) {
    const int rows = s.dsp_rows + s.lut_rows;
    EXPECT_GE(s.dsp_rows, s.macs_per_dsp) << rows;
    EXPECT_EQ(s.dsp_rows % s.macs_per_dsp, 0) << rows;
    EXPECT_LE(std::abs(s.dsp_rows - rows / 4.0), s.macs_per_dsp) << rows;  // a quarter of the rows
    EXPECT_EQ(s.tile_ic % s.cols, 0);
  }
  base.ratio = {0, 1};
  for (const EngineShape& s : EngineShapes(sweep.search, base)) EXPECT_EQ(s.dsp_rows, 0);
  const std::vector<MemoryChoice> memory = MemoryChoices(sweep.search, base.device);
  ASSERT_FALSE(memory.empty());
  for (const MemoryChoice& m : memory) {
    EXPECT_LE(m.axi_ports, base.device.axi.ports);
    EXPECT_EQ(m.clock_mhz, base.device.clock_mhz_max);
  }
}

// A sweep file in one folder naming a network and a base design by paths relative to it, run
// from another folder: it runs, its files are named by the network's and device's names, and its
// best design names a network that resolves from anywhere.
TEST(Explorer, PathsResolveRelativeToTheSweepFile) {
  const fs::path root = Temp("paths");
  fs::create_directories(root / "study" / "nets");
  fs::create_directories(root / "study" / "designs");
  fs::create_directories(root / "elsewhere");
  nlohmann::json net = nlohmann::json::parse(Read(MSQX_SOURCE_DIR "/configs/networks/tiny.json"));
  net["name"] = "my_tiny";
  std::ofstream(root / "study" / "nets" / "v1.json") << net.dump();
  fs::copy_file(MSQX_SOURCE_DIR "/configs/designs/xc7z020_ref.json",
                root / "study" / "designs" / "base.json");
  std::ofstream(root / "study" / "sweep.json") << R"({
    "name": "paths", "networks": ["nets/v1.json"], "devices": ["xc7z020"],
    "base_designs": {"xc7z020": "designs/base.json"},
    "axes": {"ratio": [{"fixed": 1, "sp2": 1}, {"fixed": 0, "sp2": 1}]}})";
  const auto run = Msqx("sweep ../study/sweep.json --out out", (root / "elsewhere").string());
  ASSERT_EQ(run.status, 0) << run.output;
  const fs::path out = root / "elsewhere" / "out";
  ASSERT_TRUE(fs::exists(out / "best_design_my_tiny_xc7z020.json")) << run.output;
  EXPECT_TRUE(fs::exists(out / "best_my_tiny_xc7z020" / "report.json"));
  const nlohmann::json best = nlohmann::json::parse(Read(out / "best_design_my_tiny_xc7z020.json"));
  EXPECT_TRUE(fs::path(best.at("network").get<std::string>()).is_absolute());
  // From a third folder, `msqx hls` finds the network the best design names.
  const auto hls = Msqx("hls " + (out / "best_design_my_tiny_xc7z020.json").string() + " --out " +
                            (root / "hls").string(),
                        root.string());
  EXPECT_EQ(hls.status, 0) << hls.output;
  fs::remove_all(root);
}

// A small search on two budgets: three shards merged, and a run resumed from a journal cut in the
// middle of its searches, give the one-shot run's files byte for byte.
TEST(Explorer, SearchesShardMergeAndResumeToTheOneShotResult) {
  const fs::path root = Temp("shards");
  fs::create_directories(root);
  std::ofstream(root / "search.json") << R"({
    "name": "small_search", "networks": ["tiny"], "devices": ["xc7z020"],
    "base_designs": {"xc7z020": "xc7z020_ref"}, "budgets": [0.5, 1],
    "axes": {"ratio": [{"fixed": 1, "sp2": 0}, {"fixed": 1, "sp2": 2}]},
    "search": {"cols": [8, 16], "rows": [4, 8, 16], "channels_per_col": [1, 2],
               "refine_top": 2, "out_rows": [4, 8], "out_cols": [8], "row_groups": [1, 2],
               "buffer_scale": [1], "double_buffered": [true], "axi_ports": [2],
               "burst_beats": [64]},
    "simulate_top": 2})";
  const std::string sweep = (root / "search.json").string();
  ASSERT_EQ(Msqx("sweep " + sweep + " --out " + (root / "one").string()).status, 0);
  std::string shards;
  for (int k = 1; k <= 3; ++k) {
    const fs::path d = root / ("s" + std::to_string(k));
    const auto r =
        Msqx("sweep " + sweep + " --shard " + std::to_string(k) + "/3 --out " + d.string());
    ASSERT_EQ(r.status, 0) << r.output;
    shards += " " + d.string();
  }
  const auto merged = Msqx("merge" + shards + " --out " + (root / "merged").string());
  ASSERT_EQ(merged.status, 0) << merged.output;
  // Interrupted: the journal cut after its header and a few records, the results dropped.
  ASSERT_EQ(Msqx("sweep " + sweep + " --out " + (root / "resumed").string()).status, 0);
  std::istringstream journal(Read(root / "resumed" / "journal.jsonl"));
  std::string line, kept;
  for (int i = 0; i < 12 && std::getline(journal, line); ++i) kept += line + "\n";
  std::ofstream(root / "resumed" / "journal.jsonl") << kept;
  const auto resumed = Msqx("sweep " + sweep + " --resume --out " + (root / "resumed").string());
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  for (const char* f :
       {"points.csv", "pareto.csv", "ratio.csv", "summary.md", "best_design_tiny_xc7z020_50.json",
        "best_design_tiny_xc7z020_100.json", "roofline_tiny_xc7z020_50.csv"}) {
    EXPECT_EQ(Read(root / "one" / f), Read(root / "merged" / f)) << f;
    EXPECT_EQ(Read(root / "one" / f), Read(root / "resumed" / f)) << f;
    EXPECT_FALSE(Read(root / "one" / f).empty()) << f;
  }
  // The budget is a target of its own: the summary tabulates each.
  const std::string summary = Read(root / "one" / "summary.md");
  EXPECT_NE(summary.find("## Best latency (ms) per device, budget and ratio"), std::string::npos);
  EXPECT_NE(summary.find("| tiny | xc7z020 | 50 % |"), std::string::npos) << summary;
  fs::remove_all(root);
}

}  // namespace
}  // namespace msqx::dse
