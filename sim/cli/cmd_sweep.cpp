#include <unistd.h>

#include <algorithm>
#include <cerrno>
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
#include "sim/cli/sweep_state.h"
#include "sim/report/output_folder.h"
#include "sim/report/report.h"

namespace msqx::cli {
namespace fs = std::filesystem;

namespace {

// The default of --max-points: a point holds about 4 KB of memory while the sweep runs (its design
// and figures; 56 MB for 10,000 points) and 0.7 KB of journal, so this keeps a sweep under about
// 1 GB of memory and its journal under 150 MB.
constexpr std::int64_t kDefaultMaxPoints = 200000;

// A whole number from the environment, or a UsageError naming the variable.
int EnvInt(const char* name, const char* text) {
  if (!std::regex_match(text, std::regex("[0-9]{1,9}"))) {
    throw UsageError(std::string(name) + "='" + spec::Elide(text, 40) +
                     "' is not a whole number (SLURM sets it for a job array; --shard K/N "
                     "takes precedence)");
  }
  return std::atoi(text);
}

// --shard K/N, else SLURM's array variables (the task's position in the array), else 1/1.
Shard ShardOf(const po::variables_map& vm) {
  Shard s;
  if (vm.count("shard")) {
    const std::string text = vm["shard"].as<std::string>();
    std::smatch m;
    if (!std::regex_match(text, m, std::regex("([0-9]{1,6})/([0-9]{1,6})"))) {
      throw UsageError("--shard expects K/N, e.g. 2/3, got '" + spec::Elide(text, 40) + "'");
    }
    s = {std::stoi(m[1]), std::stoi(m[2])};
  } else if (const char* id = std::getenv("SLURM_ARRAY_TASK_ID")) {
    const char* count = std::getenv("SLURM_ARRAY_TASK_COUNT");
    const char* min = std::getenv("SLURM_ARRAY_TASK_MIN");
    if (!count) throw UsageError("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not");
    s = {EnvInt("SLURM_ARRAY_TASK_ID", id) - (min ? EnvInt("SLURM_ARRAY_TASK_MIN", min) : 0) + 1,
         EnvInt("SLURM_ARRAY_TASK_COUNT", count)};
  }
  if (s.n < 1 || s.k < 1 || s.k > s.n) {
    throw UsageError("shard " + std::to_string(s.k) + "/" + std::to_string(s.n) +
                     " is not within 1/N .. N/N");
  }
  return s;
}

// Designs a search keeps at most, about: its fastest and its two Pareto fronts.
constexpr std::int64_t kKeptPerSearch = 64;

// Refuses a sweep too large to hold, before anything is loaded or allocated.
void CheckSize(const spec::SweepSpec& spec, std::int64_t max_points) {
  const dse::SweepCount count = dse::CountPoints(spec);
  const std::int64_t per_outer = spec.search.enabled ? kKeptPerSearch : 1;
  if (!count.overflow && count.points <= max_points / per_outer) return;
  throw spec::ConfigError(spec.source, "$.axes",
                          "the sweep has " + count.Text() + " points (" + count.factors + ")" +
                              (spec.search.enabled ? ", each a search keeping up to " +
                                                         std::to_string(kKeptPerSearch) + " designs"
                                                   : std::string()) +
                              ", more than --max-points " + std::to_string(max_points) +
                              "; narrow its axes, split it into several sweeps, or raise "
                              "--max-points if the machine holds about 4 KB per point");
}

// The networks' and devices' names name the result files (best_design_<network>_<device>.json)
// and fill columns of the CSV files: each target must give a distinct, portable file name, and no
// name may hold a CSV or quoting character.
void CheckTargetNames(const spec::SweepSpec& spec, const dse::SweepPlan& plan) {
  std::map<std::string, std::string> labels;  // label -> the title of the target that has it
  for (const dse::SweepTarget& t : plan.targets()) {
    for (const auto& [what, name] : {std::pair{"network", t.network}, {"device", t.device}}) {
      if (name.find_first_of(",\"\n\r\\") != std::string::npos) {
        throw spec::ConfigError(spec.source, std::string("$.") + what + "s",
                                std::string("the ") + what + " named '" + spec::Elide(name) +
                                    "' holds a comma, a quote, a backslash or a line break, "
                                    "which the sweep's CSV files cannot hold; rename it");
      }
    }
    spec::CheckFileName(t.Label(), "the result files' name for " + t.Title(), spec.source,
                        "$.networks");
    if (!labels.emplace(t.Label(), t.Title()).second) {
      throw spec::ConfigError(spec.source, "$.networks",
                              "two targets would write result files named '" + t.Label() +
                                  "' (networks, devices or budgets of the same name or "
                                  "percentage): give them distinct names");
    }
  }
}

// Unrolled designs (docs/unrolled.md): every point in closed form, then the equal-SQNR comparison.
int RunUnrolledSweepCommand(const spec::UnrolledSweepSpec& sweep,
                            const spec::ConfigResolver& resolver, const po::variables_map& vm,
                            const std::string& command) {
  const spec::NetworkSpec network = resolver.LoadNetwork(sweep.network);
  const std::string dir =
      OutputDir(vm, [&] { return FileNamePart(sweep.name, "the sweep's name", sweep.source); });
  report::OutputFolder out(dir, "sweep", command, OutOptions(vm));
  const std::vector<dse::UnrolledPoint> points = dse::RunUnrolledSweep(sweep, network);
  const std::string summary = dse::UnrolledSweepSummary(sweep, network, points);
  report::WriteReportFiles(out.work().string(), {{"points.csv", dse::UnrolledPointsCsv(points)},
                                                 {"summary.md", summary}});
  out.Commit();
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
      "resume", "continue an interrupted run into --out from its journal")(
      "analytic-only", "rank by the analytic model alone; simulate nothing at cycle fidelity")(
      "max-points", po::value<long long>()->default_value(kDefaultMaxPoints),
      "refuse a sweep of more points than this (about 4 KB of memory each)")(
      "out", po::value<std::string>(), "output folder (default results/<sweep>[-shard-K-of-N])");
  po::positional_options_description positional;
  positional.add("sweep", 1);
  const CommandLine cl = ParseCommandLine(
      args, "sweep",
      "S.json [--jobs N] [--shard K/N] [--resume] [--analytic-only] [--max-points N] [--out DIR]",
      options, positional);
  if (cl.help) return 0;
  if (cl.vm["jobs"].as<int>() < 1) throw UsageError("--jobs must be at least 1");
  if (cl.vm["max-points"].as<long long>() < 1) throw UsageError("--max-points must be at least 1");
  const Shard shard = ShardOf(cl.vm);
  const bool resume = cl.vm.count("resume") > 0;
  const std::string command = Joined("sweep", args);

  Heartbeat reading("reading the sweep's configs");
  const spec::ConfigResolver resolver;
  if (resolver.IsUnrolledSweep(cl.vm["sweep"].as<std::string>())) {
    if (shard.n > 1 || resume) {
      throw UsageError(
          "an unrolled sweep is evaluated in closed form in one process: --shard and --resume do "
          "not apply");
    }
    reading.Stop();
    return RunUnrolledSweepCommand(resolver.LoadUnrolledSweep(cl.vm["sweep"].as<std::string>()),
                                   resolver, cl.vm, command);
  }
  const spec::SweepSpec spec = resolver.LoadSweep(cl.vm["sweep"].as<std::string>());
  CheckSize(spec, cl.vm["max-points"].as<long long>());
  const dse::SweepPlan plan(spec, resolver);
  CheckTargetNames(spec, plan);
  reading.Stop();
  const std::string dir = OutputDir(cl.vm, [&] {
    return FileNamePart(spec.name, "the sweep's name", spec.source) +
           (shard.n > 1 ? "-shard-" + std::to_string(shard.k) + "-of-" + std::to_string(shard.n)
                        : "");
  });

  report::OutputOptions folder_options = OutOptions(cl.vm);
  folder_options.keep_work_on_failure = true;  // its journal, for --resume
  folder_options.reuse_work = resume;
  report::OutputFolder out(dir, "sweep", command, folder_options);
  const dse::JournalHeader header{
      spec.name, plan.fingerprint(), plan.size(), plan.stride(), shard.k, shard.n, plan.targets()};
  SweepState state = StartJournal(out, header, resume);
  const bool analytic_only = cl.vm.count("analytic-only") > 0;
  EvaluatePoints(plan, spec, shard, state);
  if (!analytic_only) {
    SimulatePoints(plan, spec, shard, cl.vm["jobs"].as<int>(), state);
  }
  state.journal->End({state.mine, analytic_only});

  if (shard.n > 1) {
    out.Commit();
    std::cout << "shard " << shard.k << "/" << shard.n << " done: " << dir
              << "/journal.jsonl; join the shards with: msqx merge DIR...\n";
    return 0;
  }
  dse::SweepData results{spec.name, plan.stride(), plan.targets(), {}, std::move(state.searches)};
  for (auto& entry : state.done) results.points.push_back(std::move(entry.second));
  const std::string summary = dse::WriteSweepResults(out.work().string(), results);
  WriteSweepExtras(out.work().string(), results);
  out.Commit();
  std::cout << summary << "report: " << dir
            << "/summary.md (points.csv, ratio.csv, pareto.csv, best_design_*.json, plots, "
               "best_*/)\n";
  return 0;
}

}  // namespace msqx::cli
