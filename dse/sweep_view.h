#pragma once
// The answer a sweep's points give, per target: its best point, its base design, the best point
// of each fixed:SP2 ratio (the ratio response), and what its searches scored. A point simulated
// at cycle fidelity ranks before any point known only from the analytic model (whose error is
// measured, not zero), then latency, then index, so that the answer is the same for a one-shot
// run and a merge of shards.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "dse/sweep_output.h"

namespace msqx::dse {

// "fixed-only", "SP2-only" or "1:<sp2 / fixed>".
std::string RatioText(const PointResult& p);

// Whether `a` ranks before `b` (a null `b` ranks last).
bool RanksBefore(const PointResult& a, const PointResult* b);

struct RatioAnswer {
  std::string ratio;  // RatioText
  double fixed_share = 0;
  const PointResult* best = nullptr;
};

struct TargetAnswer {
  int target = 0;
  const SweepTarget* info = nullptr;
  std::vector<const PointResult*> feasible;  // kept points whose status is ok
  std::int64_t failed = 0;                   // kept points whose cycle simulation failed
  const PointResult* best = nullptr;
  const PointResult* base = nullptr;        // the base design as it is (sweeps with a search)
  const PointResult* fixed_only = nullptr;  // the best fixed-only point
  std::vector<RatioAnswer> ratios;          // by fixed share, highest first
  // Designs scored by the models (the searches' totals, or the points without a search).
  std::int64_t evaluated = 0, scored_feasible = 0, invalid = 0, infeasible = 0, simulated = 0;
  std::vector<std::pair<std::string, std::int64_t>> rejected;  // most frequent first
};

// One answer per target, in the targets' order.
std::vector<TargetAnswer> Answers(const SweepData& sweep);

}  // namespace msqx::dse
