#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <regex>
#include <set>

#include "dse/sweep.h"
#include "dse/sweep_output.h"
#include "dse/unrolled_sweep.h"
#include "dse/worker_pool.h"
#include "sim/cli/commands.h"
#include "sim/cli/options.h"
#include "sim/cli/progress.h"
#include "sim/cli/sweep_best.h"
#include "sim/report/report.h"

namespace msqx::cli {
namespace fs = std::filesystem;

namespace {

struct Shard {
  int k = 1, n = 1;
};

// --shard K/N, else SLURM's array variables (the task's position in the array), else 1/1.
Shard ShardOf(const po::variables_map& vm) {
  Shard s;
  if (vm.count("shard")) {
    const std::string text = vm["shard"].as<std::string>();
    std::smatch m;
    if (!std::regex_match(text, m, std::regex("([0-9]{1,6})/([0-9]{1,6})"))) {
      throw UsageError("--shard expects K/N, e.g. 2/3, got '" + text + "'");
    }
    s = {std::stoi(m[1]), std::stoi(m[2])};
  } else if (const char* id = std::getenv("SLURM_ARRAY_TASK_ID")) {
    const char* count = std::getenv("SLURM_ARRAY_TASK_COUNT");
    const char* min = std::getenv("SLURM_ARRAY_TASK_MIN");
    if (!count) throw UsageError("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not");
    s = {std::atoi(id) - (min ? std::atoi(min) : 0) + 1, std::atoi(count)};
  }
  if (s.n < 1 || s.k < 1 || s.k > s.n) {
    throw UsageError("shard " + std::to_string(s.k) + "/" + std::to_string(s.n) +
                     " is not within 1/N .. N/N");
  }
  return s;
}

// The points of this shard to simulate: feasible, not simulated yet (a resumed run keeps what its
// journal has), and, when the sweep asks for the best N per network and device only, among the N
// best of the whole sweep by the analytic model, so that shards and a one-shot run agree.
std::vector<std::int64_t> ToSimulate(const dse::SweepPlan& plan, const spec::SweepSpec& spec,
                                     const Shard& shard,
                                     const std::map<std::int64_t, dse::PointResult>& done) {
  std::set<std::int64_t> allowed;
  if (spec.simulate_top > 0) {
    std::map<std::pair<std::string, std::string>, std::vector<std::pair<double, std::int64_t>>>
        by_target;
    for (std::int64_t i = 0; i < plan.size(); ++i) {
      const auto it = done.find(i);
      const dse::PointResult p = it != done.end() ? it->second : plan.Evaluate(i);
      if (p.status == dse::PointStatus::kOk || p.status == dse::PointStatus::kFailed) {
        by_target[{p.network, p.device}].emplace_back(p.analytic_ms, i);
      }
    }
    for (auto& [target, list] : by_target) {
      std::sort(list.begin(), list.end());
      for (std::size_t k = 0; k < list.size() && k < static_cast<std::size_t>(spec.simulate_top);
           ++k) {
        allowed.insert(list[k].second);
      }
    }
  }
  std::vector<std::int64_t> out;
  for (const auto& [i, p] : done) {
    if ((i - (shard.k - 1)) % shard.n != 0) continue;
    if (p.status != dse::PointStatus::kOk || p.simulated_ms >= 0) continue;
    if (spec.simulate_top > 0 && !allowed.count(i)) continue;
    out.push_back(i);
  }
  return out;
}

// Unrolled designs (docs/unrolled.md): every point in closed form, then the equal-SQNR comparison.
int RunUnrolledSweepCommand(const spec::UnrolledSweepSpec& sweep,
                            const spec::ConfigResolver& resolver, const po::variables_map& vm) {
  const spec::NetworkSpec network = resolver.LoadNetwork(sweep.network);
  const std::vector<dse::UnrolledPoint> points = dse::RunUnrolledSweep(sweep, network);
  const std::string summary = dse::UnrolledSweepSummary(sweep, network, points);
  const std::string dir = OutputDir(vm, sweep.name);
  report::WriteReportFiles(
      dir, {{"points.csv", dse::UnrolledPointsCsv(points)}, {"summary.md", summary}});
  std::cout << summary << "report: " << dir << "/summary.md (points.csv)\n";
  return 0;
}

}  // namespace

int RunSweep(const Args& args) {
  po::options_description options("msqx sweep options");
  options.add_options()("sweep", po::value<std::string>()->required(),
                        "sweep config (name or path)")(
      "jobs", po::value<int>()->default_value(static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN))),
      "worker processes for cycle simulation of the survivors (the analytic pass runs here)")(
      "shard", po::value<std::string>(),
      "K/N: run the K-th of N deterministic slices (also from SLURM_ARRAY_TASK_ID/COUNT)")(
      "resume", "continue an interrupted run in --out from its journal")(
      "analytic-only", "rank by the analytic model alone; simulate nothing at cycle fidelity")(
      "out", po::value<std::string>(), "output folder (default results/<sweep>[-shard-K-of-N])");
  po::positional_options_description positional;
  positional.add("sweep", 1);
  const CommandLine cl = ParseCommandLine(
      args, "sweep", "S.json [--jobs N] [--shard K/N] [--resume] [--analytic-only] [--out DIR]",
      options, positional);
  if (cl.help) return 0;
  if (cl.vm["jobs"].as<int>() < 1) throw UsageError("--jobs must be at least 1");
  const Shard shard = ShardOf(cl.vm);

  const spec::ConfigResolver resolver;
  if (resolver.IsUnrolledSweep(cl.vm["sweep"].as<std::string>())) {
    if (shard.n > 1 || cl.vm.count("resume")) {
      throw UsageError(
          "an unrolled sweep is evaluated in closed form in one process: --shard and --resume do "
          "not apply");
    }
    return RunUnrolledSweepCommand(resolver.LoadUnrolledSweep(cl.vm["sweep"].as<std::string>()),
                                   resolver, cl.vm);
  }
  const spec::SweepSpec spec = resolver.LoadSweep(cl.vm["sweep"].as<std::string>());
  const dse::SweepPlan plan(spec, resolver);
  const std::string suffix =
      shard.n > 1 ? "-shard-" + std::to_string(shard.k) + "-of-" + std::to_string(shard.n) : "";
  const std::string dir = OutputDir(cl.vm, spec.name + suffix);
  const dse::JournalHeader header{spec.name, plan.fingerprint(), plan.size(), shard.k, shard.n};

  std::map<std::int64_t, dse::PointResult> done;
  if (cl.vm.count("resume") && fs::exists(fs::path(dir) / "journal.jsonl")) {
    dse::JournalContents j = dse::ReadJournal(dir);
    if (j.header.fingerprint != header.fingerprint || j.header.shard != shard.k ||
        j.header.shards != shard.n) {
      throw spec::ConfigError(
          (fs::path(dir) / "journal.jsonl").string(), "line 1",
          "this journal belongs to another sweep or shard (fingerprint " + j.header.fingerprint +
              ", shard " + std::to_string(j.header.shard) + "/" + std::to_string(j.header.shards) +
              "); run without --resume or pick another --out");
    }
    done = std::move(j.points);
  } else {
    fs::remove_all(dir);  // a fresh run never mixes with an earlier one
  }
  fs::create_directories(dir);
  dse::Journal journal(dir, header);

  std::vector<std::int64_t> todo;
  std::int64_t mine = 0;
  for (std::int64_t i = shard.k - 1; i < plan.size(); i += shard.n) {
    ++mine;
    if (!done.count(i)) todo.push_back(i);
  }
  std::cerr << "sweep " << spec.name << ": " << plan.size() << " points"
            << (shard.n > 1 ? ", shard " + std::to_string(shard.k) + "/" + std::to_string(shard.n) +
                                  " takes " + std::to_string(mine)
                            : "")
            << (done.empty() ? "" : ", " + std::to_string(done.size()) + " already in the journal")
            << "\n";
  ProgressLine progress("sweep", "points", static_cast<std::int64_t>(todo.size()));
  std::int64_t failed = 0, count = 0;
  const auto failures = [&failed] { return std::to_string(failed) + " infeasible or invalid"; };
  for (std::int64_t i : todo) {
    dse::PointResult p = plan.Evaluate(i);
    failed += p.status != dse::PointStatus::kOk;
    journal.Append(p);
    done[i] = std::move(p);
    progress.Update(++count, failures());
  }
  progress.Finish(count, failures());
  std::cerr << "computed " << count << " points, " << (mine - count) << " taken from the journal\n";

  if (!cl.vm.count("analytic-only")) {
    const std::vector<std::int64_t> survivors = ToSimulate(plan, spec, shard, done);
    const int jobs = cl.vm["jobs"].as<int>();
    std::cerr << "simulating " << survivors.size() << " feasible points at cycle fidelity in "
              << jobs << " worker processes\n";
    ProgressLine sim_progress("simulate", "points", static_cast<std::int64_t>(survivors.size()));
    std::int64_t simulated = 0, sim_failed = 0;
    const auto sim_failures = [&sim_failed] { return std::to_string(sim_failed) + " failed"; };
    dse::RunInWorkers(
        survivors, jobs, spec.timeout_s,
        [&](std::int64_t i) {
          dse::PointResult p = done.at(i);
          plan.SimulateInto(p);
          return p.ToJson().dump();
        },
        [&](const dse::WorkerOutcome& o) {
          dse::PointResult p = done.at(o.task);
          if (o.ok) {
            p = dse::PointResult::FromJson(nlohmann::json::parse(o.result));
          } else {
            p.status = dse::PointStatus::kFailed;
            p.reason = "cycle simulation: " + o.error;
          }
          sim_failed += p.status == dse::PointStatus::kFailed;
          journal.Append(p);
          done[o.task] = std::move(p);
          sim_progress.Update(++simulated, sim_failures());
        });
    sim_progress.Finish(simulated, sim_failures());
  }

  if (shard.n > 1) {
    std::cout << "shard " << shard.k << "/" << shard.n << " done: " << dir
              << "/journal.jsonl; join the shards with: msqx merge DIR...\n";
    return 0;
  }
  std::vector<dse::PointResult> points;
  for (auto& entry : done) points.push_back(std::move(entry.second));
  std::cout << dse::WriteSweepResults(dir, spec.name, points);
  WriteSweepExtras(dir, points, "msqx sweep");
  std::cout << "report: " << dir
            << "/summary.md (points.csv, pareto.csv, best_design_*.json, plots, best_*/)\n";
  return 0;
}

}  // namespace msqx::cli
