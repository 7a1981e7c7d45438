#pragma once
// What `msqx sweep` and `msqx merge` write after the results of a complete sweep: for each target
// the per-layer roofline of each ratio's best design (roofline_<target>.csv) and the full
// `msqx sim` report of its best design at cycle fidelity in best_<target>/, then the plots. Both
// commands call this, so a merge of shards leaves what a one-shot run leaves.

#include <string>
#include <vector>

#include "dse/sweep_output.h"

namespace msqx::cli {

// Writes into `dir` (the work folder of the run). Prints notes (gnuplot missing, a network that
// cannot be resolved) to stderr.
void WriteSweepExtras(const std::string& dir, const dse::SweepData& sweep);

}  // namespace msqx::cli
