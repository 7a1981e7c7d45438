#pragma once
// Scoring designs of one target and the two-stage search of one outer point (docs/explorer.md).
// A design is scored in three steps, each cheaper than the next: the template's rules
// (accel::TemplateMisfit, the rules the pin-level core and the HLS export apply), the resource
// model against the target's budget, the analytic model. Nothing here allocates per design but
// the reason of a rejected one, so a search scores 150,000 or more designs per second.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "dse/analytic.h"
#include "dse/resource.h"
#include "models/spec/design.h"
#include "models/spec/network.h"
#include "sim/spec/sweep.h"

namespace msqx::dse {

// What scoring needs of a network on a device within a budget, worked out once.
struct TargetModel {
  TargetModel(const spec::NetworkSpec& network, const spec::UtilizationLimits& limits);
  const spec::NetworkSpec& network;
  LayerClasses classes;
  BitWidths widths;
  spec::UtilizationLimits limits;
};

enum class ScoreStatus { kOk, kInvalid, kInfeasible };

struct Score {
  ScoreStatus status = ScoreStatus::kOk;
  // kInvalid: the design key to blame ("" for the network's widths) and what it needs;
  // kInfeasible: the first resource over its limit.
  std::string key;
  std::string reason;
  const char* resource = nullptr;
  ResourceEstimate resources;  // valid unless kInvalid by the template's rules
  double ms = 0;               // analytic latency (kOk)
};

// Scores `d` on the target. `explain`: set `reason` of a rejected design (costs a string).
Score ScoreDesign(const spec::DesignSpec& d, const TargetModel& target, bool explain);

struct SearchOutcome {
  std::int64_t evaluated = 0, feasible = 0, invalid = 0, infeasible = 0;
  // Why designs were rejected ("over budget: bram36", "invalid: dsp_engine.macs_per_dsp"), with
  // counts, most frequent first.
  std::vector<std::pair<std::string, std::int64_t>> rejected;
  // The designs kept, by candidate number: the `keep_top` fastest by the analytic model and the
  // Pareto fronts of latency against LUT and against DSP.
  std::vector<std::pair<std::int64_t, spec::DesignSpec>> kept;
};

// Candidate numbers per outer point: 0 is the outer point's own design, stage 1 and stage 2
// candidates follow (SearchStride() numbers in all).
std::int64_t SearchStride(const spec::SearchSpec& search);

// Runs both stages from `start` (the outer point's design: its ratio, device and memory side).
SearchOutcome Search(const spec::DesignSpec& start, const TargetModel& target,
                     const spec::SearchSpec& search, int keep_top);

}  // namespace msqx::dse
