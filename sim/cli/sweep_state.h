#pragma once
// The phases of `msqx sweep` between claiming its output folder and writing its results: the
// journal started (afresh, or from an interrupted run's with --resume), the analytic pass over the
// shard's points, and the cycle simulation of the survivors in worker processes. Every finished
// point is in the journal before the next one is counted, so an interruption loses none.

#include <cstdint>
#include <map>
#include <memory>

#include "dse/sweep.h"
#include "dse/sweep_output.h"
#include "sim/report/output_folder.h"
#include "sim/spec/sweep.h"

namespace msqx::cli {

struct Shard {
  int k = 1, n = 1;
};

struct SweepState {
  std::map<std::int64_t, dse::PointResult> done;  // every kept point of the shard known so far
  std::map<std::int64_t, dse::SearchSummary> searches;  // by outer point (with a search)
  std::unique_ptr<dse::Journal> journal;                // in the output folder's work folder
  std::int64_t mine = 0;                                // outer points of this shard
  std::int64_t stride = 1;                              // dse::SweepPlan::stride()
  // Whether outer point `outer` is in the journal already.
  bool Holds(std::int64_t outer) const;
};

// Opens the journal in out.work(). With `resume`, first takes the points of an interrupted run
// (the work folder an interrupted run left) or of the finished one at the target; a journal of
// another sweep or shard is a ConfigError. Points whose worker died are made to run again.
SweepState StartJournal(const report::OutputFolder& out, const dse::JournalHeader& header,
                        bool resume);

// Evaluates (resources, analytic latency; with a search, the search) every outer point of the
// shard the journal does not hold.
void EvaluatePoints(const dse::SweepPlan& plan, const spec::SweepSpec& spec, const Shard& shard,
                    SweepState& state);

// Simulates at cycle fidelity, in `jobs` worker processes, the shard's kept feasible points not
// simulated yet that the sweep asks for: per network, device, budget and ratio the simulate_top
// best by the analytic model over the whole sweep (so that shards agree), and the base designs.
void SimulatePoints(const dse::SweepPlan& plan, const spec::SweepSpec& spec, const Shard& shard,
                    int jobs, SweepState& state);

}  // namespace msqx::cli
