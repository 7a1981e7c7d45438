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
  std::map<std::int64_t, dse::PointResult> done;  // every point of the shard known so far
  std::unique_ptr<dse::Journal> journal;          // in the output folder's work folder
  std::int64_t mine = 0;                          // points of this shard
};

// Opens the journal in out.work(). With `resume`, first takes the points of an interrupted run
// (the work folder an interrupted run left) or of the finished one at the target; a journal of
// another sweep or shard is a ConfigError. Points whose worker died are made to run again.
SweepState StartJournal(const report::OutputFolder& out, const dse::JournalHeader& header,
                        bool resume);

// Evaluates (resources, analytic latency) every point of the shard the journal does not hold.
void EvaluatePoints(const dse::SweepPlan& plan, const spec::SweepSpec& spec, const Shard& shard,
                    SweepState& state);

// Simulates at cycle fidelity the feasible points of the shard not simulated yet, in `jobs`
// worker processes.
void SimulatePoints(const dse::SweepPlan& plan, const spec::SweepSpec& spec, const Shard& shard,
                    int jobs, SweepState& state);

}  // namespace msqx::cli
