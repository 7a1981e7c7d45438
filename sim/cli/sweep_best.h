#pragma once
// What `msqx sweep` and `msqx merge` write after the results of a complete sweep: the plots, and
// for the best point of each network and device the full `msqx sim` report at cycle fidelity
// (per-layer breakdown) in best_<network>_<device>/. Both commands call this, so a merge of
// shards leaves what a one-shot run leaves.

#include <string>
#include <vector>

#include "dse/sweep.h"

namespace msqx::cli {

// Writes into `dir` (the work folder of the run). Prints notes (gnuplot missing, a network that
// cannot be resolved) to stderr.
void WriteSweepExtras(const std::string& dir, const std::vector<dse::PointResult>& points);

}  // namespace msqx::cli
