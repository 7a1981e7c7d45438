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

SweepState StartJournal(const report::OutputFolder& out, const dse::JournalHeader& header,
                        bool resume) {
  SweepState state;
  if (resume) {
    if (auto earlier = EarlierJournal(out, header)) {
      state.done = std::move(earlier->points);
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
    dse::WriteJournal(out.work().string(), header, state.done);
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
    if (!state.done.count(i)) todo.push_back(i);
  }
  std::cerr << "sweep " << spec.name << ": " << plan.size() << " points"
            << (shard.n > 1 ? ", shard " + std::to_string(shard.k) + "/" + std::to_string(shard.n) +
                                  " takes " + std::to_string(state.mine)
                            : "")
            << (state.done.empty()
                    ? ""
                    : ", " + std::to_string(state.done.size()) + " already in the journal")
            << "\n";
  ProgressLine progress("sweep", "points", static_cast<std::int64_t>(todo.size()));
  std::int64_t failed = 0, count = 0;
  const auto failures = [&failed] { return std::to_string(failed) + " infeasible or invalid"; };
  for (std::int64_t i : todo) {
    dse::PointResult p = plan.Evaluate(i);
    failed += p.status != dse::PointStatus::kOk;
    state.journal->Append(p, /*flush=*/false);
    state.done[i] = std::move(p);
    progress.Update(++count, failures());
  }
  state.journal->Flush();
  progress.Finish(count, failures());
  std::cerr << "computed " << count << " points, " << (state.mine - count)
            << " taken from the journal\n";
}

void SimulatePoints(const dse::SweepPlan& plan, const spec::SweepSpec& spec, const Shard& shard,
                    int jobs, SweepState& state) {
  const std::vector<std::int64_t> survivors = ToSimulate(plan, spec, shard, state.done);
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
