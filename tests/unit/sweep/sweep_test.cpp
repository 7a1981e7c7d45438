// Sweeps end to end through the msqx executable: expansion, feasibility, fill, the files written,
// shards merged into exactly the one-shot result, and resume recomputing nothing.
#include "dse/sweep.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "dse/resource.h"
#include "sim/spec/resolve.h"
#include "tests/common/run_msqx.h"

namespace msqx::dse {
namespace {
namespace fs = std::filesystem;

using Result = msqx::test_support::MsqxRun;
using msqx::test_support::Msqx;

std::string Read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

const std::string kSweep = MSQX_SOURCE_DIR "/tests/unit/sweep/small_sweep.json";

fs::path Temp(const std::string& name) {
  return fs::temp_directory_path() / ("msqx_sweep_" + std::to_string(::getpid()) + "_" + name);
}

TEST(Sweep, PlanEnumeratesEveryCombinationAndChecksFit) {
  const spec::ConfigResolver resolver(MSQX_SOURCE_DIR "/configs");
  const spec::SweepSpec s = resolver.LoadSweep(kSweep);
  const SweepPlan plan(s, resolver);
  ASSERT_EQ(plan.size(), 2 * 2 * (3 * 2 * 2 * 2));
  int ok = 0, infeasible = 0, invalid = 0;
  for (std::int64_t i = 0; i < plan.size(); ++i) {
    const PointResult p = plan.Evaluate(i).points.front();
    if (p.status == PointStatus::kOk) {
      ++ok;
      // Every feasible point is a valid design within the limits.
      const spec::DesignSpec d = spec::ParseDesign(spec::Document(p.design, "p").Root(), resolver);
      const auto fit = CheckFeasible(EstimateResources(d, resolver.LoadNetwork(p.network)),
                                     d.device, s.max_utilization);
      EXPECT_TRUE(fit.feasible) << i << ": " << fit.Message();
      if (d.ratio.sp2 == 0) {
        EXPECT_EQ(d.lut_engine.Lanes(), 0) << i;  // an engine without filters is left out
      }
      if (d.ratio.fixed == 0) {
        EXPECT_EQ(d.dsp_engine.Lanes(), 0) << i;
      }
      EXPECT_GT(p.analytic_ms, 0);
    } else if (p.status == PointStatus::kInfeasible) {
      ++infeasible;
      EXPECT_NE(p.reason.find("over by"), std::string::npos) << p.reason;
    } else {
      ++invalid;
      EXPECT_NE(p.reason.find("$.clock_mhz"), std::string::npos)
          << p.reason;  // 190 MHz ok, so none
    }
  }
  EXPECT_GT(ok, 0);
  EXPECT_GT(infeasible, 0);  // 64 DSP rows x 16 cols packed = 512 DSPs do not fit xc7z020
  EXPECT_EQ(invalid, 0);
}

TEST(Sweep, FillTakesTheLargestEngineThatFits) {
  const spec::ConfigResolver resolver(MSQX_SOURCE_DIR "/configs");
  const spec::SweepSpec s = resolver.LoadSweep(kSweep);
  const SweepPlan plan(s, resolver);
  // Every SP2-only point whose LUT rows were filled: one more row must not fit.
  for (std::int64_t i = 0; i < plan.size(); ++i) {
    const PointResult p = plan.Evaluate(i).points.front();
    if (p.status != PointStatus::kOk || p.ratio_fixed != 0) continue;
    spec::DesignSpec d = spec::ParseDesign(spec::Document(p.design, "p").Root(), resolver);
    if (d.lut_engine.rows == 8) continue;  // the fixed value, not filled
    const auto net = resolver.LoadNetwork(p.network);
    EXPECT_TRUE(CheckFeasible(EstimateResources(d, net), d.device, s.max_utilization).feasible);
    ++d.lut_engine.rows;
    EXPECT_FALSE(CheckFeasible(EstimateResources(d, net), d.device, s.max_utilization).feasible)
        << i;
  }
}

// "fill" on packed DSP engines (the reference designs pack two products per DSP): every point is
// valid, its DSP rows come in pairs (two rows' products per DSP), and two more rows would not fit.
TEST(Sweep, FillKeepsPackedDspRowsEven) {
  const spec::ConfigResolver resolver(MSQX_SOURCE_DIR "/configs");
  const spec::SweepSpec s = resolver.LoadSweep(MSQX_SOURCE_DIR "/tests/unit/sweep/fill_sweep.json");
  const SweepPlan plan(s, resolver);
  int filled = 0;
  for (std::int64_t i = 0; i < plan.size(); ++i) {
    const PointResult p = plan.Evaluate(i).points.front();
    ASSERT_EQ(p.status, PointStatus::kOk) << i << ": " << p.reason;
    spec::DesignSpec d = spec::ParseDesign(spec::Document(p.design, "p").Root(), resolver);
    if (d.dsp_engine.rows == 0 || d.dsp_engine.macs_per_dsp != 2) continue;
    EXPECT_EQ(d.dsp_engine.rows % 2, 0) << i;
    d.dsp_engine.rows += 2;
    EXPECT_FALSE(CheckFeasible(EstimateResources(d, resolver.LoadNetwork(p.network)), d.device,
                               s.max_utilization)
                     .feasible)
        << i;
    ++filled;
  }
  EXPECT_GT(filled, 0);
}

TEST(Sweep, WritesEveryResultFile) {
  const fs::path dir = Temp("one");
  const Result r = Msqx("sweep " + kSweep + " --out " + dir.string());
  ASSERT_EQ(r.status, 0) << r.output;
  for (const char* f :
       {"points.csv", "pareto.csv", "summary.md", "journal.jsonl", "best_design_tiny_xc7z020.json",
        "best_design_resnet18_xc7z045.json", "sweep.gp", "pareto_lut_resnet18_xc7z045.svg",
        "pareto_dsp_tiny_xc7z020.svg", "ratio_resnet18_xc7z045.svg", "ratio.csv",
        "roofline_resnet18_xc7z045.csv", "roofline_resnet18_xc7z045.svg",
        "best_resnet18_xc7z045/layers.csv", "best_resnet18_xc7z045/layers.svg"}) {
    EXPECT_TRUE(fs::exists(dir / f)) << f;
  }
  const std::string points = Read(dir / "points.csv");
  EXPECT_EQ(std::count(points.begin(), points.end(), '\n'), 1 + 96);
  // A best design is a valid design for msqx sim, whose cycle fidelity gives the latency the sweep
  // simulated for that point in its worker.
  const Result sim = Msqx("sim --network resnet18 --design " +
                          (dir / "best_design_resnet18_xc7z045.json").string() + " --out " +
                          (dir / "sim").string());
  ASSERT_EQ(sim.status, 0) << sim.output;
  // A best design names its network, so that `msqx hls best_design.json` needs nothing else.
  const Result hls = Msqx("hls " + (dir / "best_design_tiny_xc7z020.json").string() + " --out " +
                          (dir / "hls").string());
  EXPECT_EQ(hls.status, 0) << hls.output;
  EXPECT_NE(hls.output.find("for tiny"), std::string::npos) << hls.output;
  // The best point is the feasible resnet18/xc7z045 point with the lowest simulated latency.
  std::istringstream rows(points);
  std::string row;
  double simulated = 1e300;
  std::map<std::string, std::size_t> column;
  const auto cells_of = [](const std::string& line) {
    std::vector<std::string> cells;
    std::istringstream cols(line);
    for (std::string c; std::getline(cols, c, ',');) cells.push_back(c);
    return cells;
  };
  std::getline(rows, row);
  for (const std::string& name : cells_of(row)) column.emplace(name, column.size());
  while (std::getline(rows, row)) {
    const std::vector<std::string> cells = cells_of(row);
    if (cells.size() < column.size() - 1 || cells[column["network"]] != "resnet18" ||
        cells[column["device"]] != "xc7z045" || cells[column["status"]] != "ok" ||
        cells[column["simulated_ms"]].empty())
      continue;
    simulated = std::min(simulated, std::stod(cells.at(column["simulated_ms"])));
  }
  ASSERT_LT(simulated, 1e300) << "no simulated resnet18/xc7z045 point";
  char printed[32];
  std::snprintf(printed, sizeof printed, "%.3f ms", simulated);
  EXPECT_NE(sim.output.find(printed), std::string::npos) << printed << " in\n" << sim.output;
  EXPECT_NE(r.output.find("ms per ratio: fixed-only"), std::string::npos) << r.output;
  EXPECT_NE(Read(dir / "summary.md").find("latency per fixed:SP2 ratio"), std::string::npos);
  EXPECT_NE(r.output.find("analytic model vs cycle fidelity on "), std::string::npos) << r.output;
  EXPECT_NE(Read(dir / "summary.md").find("## Analytic model against the cycle fidelity"),
            std::string::npos);
  fs::remove_all(dir);
}

// tiny's 4 x 4-bit products are under a DSP48's narrowest (docs/resources.md): an unpacked DSP
// engine is LUT multipliers, and the summary says so (a packed one says "(2/DSP)").
TEST(Sweep, SummaryNamesAnEngineOfLutMultipliers) {
  const fs::path dir = Temp("lutmul");
  fs::create_directories(dir);
  std::ofstream(dir / "sweep.json") << R"({"name": "lutmul", "networks": ["tiny"],
    "devices": ["xc7z020"], "base_designs": {"xc7z020": "xc7z020_ref"},
    "axes": {"ratio": [{"fixed": 1, "sp2": 0}], "dsp_engine.macs_per_dsp": [1],
             "dsp_engine.rows": [4]}})";
  const Result r =
      Msqx("sweep " + (dir / "sweep.json").string() + " --out " + (dir / "out").string());
  ASSERT_EQ(r.status, 0) << r.output;
  const std::string summary = Read(dir / "out" / "summary.md");
  EXPECT_NE(summary.find("DSP 4x16 (LUT multipliers)"), std::string::npos) << summary;
  fs::remove_all(dir);
}

TEST(Sweep, ThreeShardsMergeIntoTheOneShotResult) {
  const fs::path one = Temp("oneshot"), merged = Temp("merged");
  ASSERT_EQ(Msqx("sweep " + kSweep + " --out " + one.string()).status, 0);
  std::string shards;
  for (int k = 1; k <= 3; ++k) {
    const fs::path d = Temp("shard" + std::to_string(k));
    const Result r =
        Msqx("sweep " + kSweep + " --shard " + std::to_string(k) + "/3 --out " + d.string());
    ASSERT_EQ(r.status, 0) << r.output;
    shards += " " + d.string();
  }
  const Result partial = Msqx("merge " + Temp("shard1").string() + " " + Temp("shard3").string() +
                              " --out " + merged.string());
  EXPECT_EQ(partial.status, 2);  // shard 2 missing
  EXPECT_NE(partial.output.find("shard 2/3"), std::string::npos) << partial.output;
  const Result r = Msqx("merge" + shards + " --out " + merged.string());
  ASSERT_EQ(r.status, 0) << r.output;
  for (const auto& entry : fs::directory_iterator(one)) {
    const auto name = entry.path().filename();
    // The journal is a log in completion order (simulations finish in any order), and the marker
    // names the command that wrote the folder; the results written from them must be identical.
    if (name == "journal.jsonl" || name == ".msqx-output.json") continue;
    if (entry.is_directory()) {  // best_<network>_<device>/: the per-layer report of a best point
      for (const char* f : {"layers.csv", "report.json", "summary.md"}) {
        EXPECT_EQ(Read(entry.path() / f), Read(merged / name / f)) << name << "/" << f;
      }
      continue;
    }
    EXPECT_EQ(Read(entry.path()), Read(merged / name)) << name;
  }
  for (const auto& d : {one, merged, Temp("shard1"), Temp("shard2"), Temp("shard3")})
    fs::remove_all(d);
}

TEST(Sweep, ResumeRecomputesNothingThatFinished) {
  const fs::path one = Temp("ref"), dir = Temp("resume");
  ASSERT_EQ(Msqx("sweep " + kSweep + " --out " + one.string()).status, 0);
  ASSERT_EQ(Msqx("sweep " + kSweep + " --out " + dir.string()).status, 0);
  // Interrupt: keep the header and 40 points, then a torn line, and drop the results.
  std::istringstream journal(Read(dir / "journal.jsonl"));
  std::string line, kept;
  for (int i = 0; i < 41 && std::getline(journal, line); ++i) kept += line + "\n";
  std::getline(journal, line);
  kept += line.substr(0, line.size() / 2);
  std::ofstream(dir / "journal.jsonl") << kept;  // in the folder the run left, with its marker

  const Result r = Msqx("sweep " + kSweep + " --resume --out " + dir.string());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("computed 56 points, 40 taken from the journal"), std::string::npos)
      << r.output;
  for (const char* f : {"points.csv", "pareto.csv", "summary.md"}) {
    EXPECT_EQ(Read(one / f), Read(dir / f)) << f;
  }
  fs::remove_all(one);
  fs::remove_all(dir);
}

TEST(Sweep, ResumeSimulatesOnlyWhatItHasNot) {
  const fs::path one = Temp("ref_sim"), dir = Temp("resume_sim");
  ASSERT_EQ(Msqx("sweep " + kSweep + " --out " + one.string()).status, 0);
  ASSERT_EQ(Msqx("sweep " + kSweep + " --out " + dir.string()).status, 0);
  // Interrupted during the simulations: the header, all 96 analytic records and 10 simulated ones.
  std::istringstream journal(Read(dir / "journal.jsonl"));
  std::string line, kept;
  int simulated = 0, feasible = 0;
  for (int i = 0; std::getline(journal, line); ++i) {
    if (i <= 96) {
      feasible += line.find("\"status\":\"ok\"") != std::string::npos;
      kept += line + "\n";
    } else if (simulated < 10) {
      kept += line + "\n";
      ++simulated;
    }
  }
  std::ofstream(dir / "journal.jsonl") << kept;
  const Result r = Msqx("sweep " + kSweep + " --resume --out " + dir.string());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("computed 0 points, 96 taken from the journal"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("simulating " + std::to_string(feasible - 10) + " feasible points"),
            std::string::npos)
      << r.output;
  for (const char* f : {"points.csv", "pareto.csv", "summary.md"}) {
    EXPECT_EQ(Read(one / f), Read(dir / f)) << f;
  }
  fs::remove_all(one);
  fs::remove_all(dir);
}

TEST(Sweep, ResumeRefusesAnotherSweepsJournal) {
  const fs::path dir = Temp("other");
  ASSERT_EQ(Msqx("sweep default --out " + dir.string()).status, 0);
  const Result r = Msqx("sweep " + kSweep + " --resume --out " + dir.string());
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("belongs to another sweep"), std::string::npos) << r.output;
  fs::remove_all(dir);
}

TEST(Sweep, CorruptJournalIsNamed) {
  const fs::path dir = Temp("corrupt");
  fs::create_directories(dir);
  std::ofstream(dir / "journal.jsonl")
      << "{\"sweep\":\"s\",\"fingerprint\":\"f\",\"points\":2,\"stride\":1,\"shard\":1,"
         "\"shards\":1,\"targets\":[]}\n{\"index\": 5}\n\n";
  const Result r = Msqx("merge " + dir.string() + " --out " + (dir / "m").string());
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("journal.jsonl: line 2: corrupt journal record"), std::string::npos)
      << r.output;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace msqx::dse
