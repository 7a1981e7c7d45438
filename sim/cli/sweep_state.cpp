#include "sim/cli/sweep_state.h"

#include <algorithm>
#include <iostream>
#include <set>

#include "dse/worker_pool.h"
#include "sim/cli/progress.h"
#include "sim/spec/json_reader.h"

namespace msqx::cli {
namespace fs = std::filesystem;

namespace {

bool Mine(std::int64_t outer, const Shard& shard) { return outer % shard.n == shard.k - 1; }

// The points of this shard to simulate: kept, feasible, not simulated yet (a resumed run keeps
// what its journal has), and, when the sweep asks for the best N only, among the N best by the
// analytic model per network, device, budget and ratio over the whole sweep (the other shards'
// outer points evaluated again here, cheaply, so that shards and a one-shot run agree); the
// base designs always.
std::vector<std::int64_t> ToSimulate(const dse::SweepPlan& plan, const spec::SweepSpec& spec,
                                     const Shard& shard, const SweepState& state) {
  std::set<std::int64_t> allowed;
  if (spec.simulate_top > 0) {
    std::map<std::pair<int, double>, std::vector<std::pair<double, std::int64_t>>> groups;
    const auto add = [&](const dse::PointResult& p) {
      if (p.status != dse::PointStatus::kOk && p.status != dse::PointStatus::kFailed) return;
      if (p.base) allowed.insert(p.index);
      groups[{p.target, p.FixedShare()}].emplace_back(p.analytic_ms, p.index);
    };
    Heartbeat others("ranking the other shards' points by the analytic model");
    for (std::int64_t outer = 0; outer < plan.size(); ++outer) {
      if (Mine(outer, shard)) continue;
      for (const dse::PointResult& p : plan.Evaluate(outer).points) add(p);
    }
    others.Stop();
    for (const auto& [i, p] : state.done) add(p);
    for (auto& [group, list] : groups) {
      std::sort(list.begin(), list.end());
      for (std::size_t k = 0; k < list.size() && k < static_cast<std::size_t>(spec.simulate_top);
           ++k) {
        allowed.insert(list[k].second);
      }
    }
  }
  std::vector<std::int64_t> out;
  for (const auto& [i, p] : state.done) {
    if (p.status != dse::PointStatus::kOk || p.simulated_ms >= 0) continue;
    if (spec.simulate_top > 0 && !allowed.count(i)) continue;
    out.push_back(i);
  }
  return out;
}

// The journal an interrupted or finished run left in the output folder, if --resume may use it.
std::optional<dse::JournalContents> EarlierJournal(const report::OutputFolder& out,
                                                   const dse::JournalHeader& header) {
  fs::path from;
  if (out.continued() && dse::HasJournal(out.work().string())) {
    from = out.work();
  } else if (out.has_previous() && dse::HasJournal(out.target().string())) {
    from = out.target();
  } else {
    std::cerr << "note: nothing to resume in " << out.display() << ": starting afresh\n";
    return std::nullopt;
  }
  dse::JournalContents j = dse::ReadJournal(from.string());
  if (j.header.fingerprint != header.fingerprint || j.header.shard != header.shard ||
      j.header.shards != header.shards) {
    throw spec::ConfigError((from / "journal.jsonl").string(), "line 1",
                            "this journal belongs to another sweep or shard (fingerprint " +
                                spec::Elide(j.header.fingerprint, 40) + ", shard " +
                                std::to_string(j.header.shard) + "/" +
                                std::to_string(j.header.shards) +
                                "); run without --resume or pick another --out");
  }
  return j;
}

}  // namespace

bool SweepState::Holds(std::int64_t outer) const {
  return stride > 1 ? searches.count(outer) > 0 : done.count(outer) > 0;
}

SweepState StartJournal(const report::OutputFolder& out, const dse::JournalHeader& header,
                        bool resume) {
  SweepState state;
  state.stride = header.stride;
  if (resume) {
    if (auto earlier = EarlierJournal(out, header)) {
      state.done = std::move(earlier->points);
      state.searches = std::move(earlier->searches);
      std::int64_t retried = 0;
      for (auto& [i, p] : state.done) {
        if (p.status != dse::PointStatus::kFailed || !p.retry) continue;
        p.status = dse::PointStatus::kOk;  // back to its analytic result, to simulate again
        p.retry = false;
        p.reason.clear();
        p.simulated_ms = -1;
        ++retried;
      }
      if (retried > 0) {
        std::cerr << "retrying " << retried
                  << " points whose worker died or timed out in the earlier run\n";
      }
    }
    // Rewritten whole: a torn last line must not be continued by the next record.
    dse::WriteJournal(out.work().string(), header, state.done, state.searches);
  } else if (out.discarded_work()) {
    std::cerr << "note: discarded what an interrupted run left in " << out.work().string()
              << " (--resume continues such a run instead)\n";
  }
  state.journal = std::make_unique<dse::Journal>(out.work().string(), header);
  return state;
}

void EvaluatePoints(const dse::SweepPlan& plan, const spec::SweepSpec& spec, const Shard& shard,
                    SweepState& state) {
  std::vector<std::int64_t> todo;
  for (std::int64_t i = shard.k - 1; i < plan.size(); i += shard.n) {
    ++state.mine;
    if (!state.Holds(i)) todo.push_back(i);
  }
  std::cerr << "sweep " << spec.name << ": " << plan.size()
            << (plan.stride() > 1 ? " outer points, each a search of up to " +
                                        std::to_string(plan.stride()) + " designs"
                                  : " points")
            << (shard.n > 1 ? ", shard " + std::to_string(shard.k) + "/" + std::to_string(shard.n) +
                                  " takes " + std::to_string(state.mine)
                            : "")
            << (state.mine == static_cast<std::int64_t>(todo.size())
                    ? ""
                    : ", " + std::to_string(state.mine - static_cast<std::int64_t>(todo.size())) +
                          " already in the journal")
            << "\n";
  const bool search = plan.stride() > 1;
  ProgressLine progress("sweep", search ? "searches" : "points",
                        static_cast<std::int64_t>(todo.size()));
  std::int64_t rejected = 0, scored = 0, count = 0;
  const auto failures = [&] {
    return (search ? std::to_string(scored) + " designs scored, " : std::string()) +
           std::to_string(rejected) + " infeasible or invalid";
  };
  for (std::int64_t i : todo) {
    dse::OuterResult r = plan.Evaluate(i);
    for (dse::PointResult& p : r.points) {
      state.journal->Append(p, /*flush=*/false);
      state.done[p.index] = std::move(p);
    }
    scored += r.summary.evaluated;
    rejected += r.summary.invalid + r.summary.infeasible;
    if (search) {
      state.journal->Append(r.summary);
      state.searches[i] = std::move(r.summary);
    }
    progress.Update(++count, failures());
  }
  state.journal->Flush();
  progress.Finish(count, failures());
  std::cerr << "computed " << count
            << (search ? " searches (" + std::to_string(scored) + " designs)" : " points") << ", "
            << (state.mine - count) << " taken from the journal\n";
}

void SimulatePoints(const dse::SweepPlan& plan, const spec::SweepSpec& spec, const Shard& shard,
                    int jobs, SweepState& state) {
  const std::vector<std::int64_t> survivors = ToSimulate(plan, spec, shard, state);
  std::cerr << "simulating " << survivors.size() << " feasible points at cycle fidelity in " << jobs
            << " worker processes\n";
  ProgressLine progress("simulate", "points", static_cast<std::int64_t>(survivors.size()));
  std::int64_t simulated = 0, failed = 0;
  const auto failures = [&failed] { return std::to_string(failed) + " failed"; };
  dse::RunInWorkers(
      survivors, jobs, spec.timeout_s,
      [&](std::int64_t i) {
        dse::PointResult p = state.done.at(i);
        plan.SimulateInto(p);
        return p.ToJson().dump();
      },
      [&](const dse::WorkerOutcome& o) {
        dse::PointResult p = state.done.at(o.task);
        if (o.ok) {
          p = dse::PointResult::FromJson(nlohmann::json::parse(o.result));
        } else {
          p.status = dse::PointStatus::kFailed;
          p.reason = "cycle simulation: " + o.error;
          p.retry = o.retry;
        }
        failed += p.status == dse::PointStatus::kFailed;
        state.journal->Append(p, /*flush=*/true);  // minutes of work: on the disk before the next
        state.done[o.task] = std::move(p);
        progress.Update(++simulated, failures());
      });
  progress.Finish(simulated, failures());
}

}  // namespace msqx::cli
