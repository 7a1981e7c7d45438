#pragma once
// Closed-form latency of a design on a network: no SystemC, no allocation on the lean path, so a
// sweep can rank hundreds of thousands of points per second before simulating the best ones.
//
// The model is the closed form of the core's step costs (models/accel/step_timing.cpp) over
// classes of equal steps of the shared tile schedule (same tile, same filter split as
// accel::MakeSchedule), with the DDR as latency plus streaming rate per step, and the vector
// unit by bands (docs/analytic.md). Its error against the cycle fidelity is measured on every
// sweep and bounded in tests/unit/analytic.

#include <cstdint>

#include "models/accel/core_sizing.h"
#include "models/accel/step_timing.h"
#include "models/accel/tensor_plan.h"
#include "models/spec/design.h"
#include "models/spec/network.h"
#include "models/spec/run_stats.h"

namespace msqx::dse {

// Off-chip transfer rates seen from the accelerator, in bytes per accelerator clock cycle.
struct MemoryRates {
  double read_bytes_per_cycle = 0;
  double write_bytes_per_cycle = 0;
  std::int64_t latency_cycles = 0;  // DDR access latency rounded up to accelerator cycles
};
MemoryRates RatesOf(const spec::DesignSpec& design);

// Filters of a weighted layer given to each engine: fixed = round(F x fixed share).
struct FilterSplit {
  int fixed = 0;
  int sp2 = 0;
};
FilterSplit SplitFilters(const spec::DesignSpec& design, const spec::Layer& layer);

class AnalyticModel {
 public:
  explicit AnalyticModel(const spec::DesignSpec& design);

  report::LayerStats EstimateLayer(const spec::NetworkSpec& network, std::size_t index) const;
  report::RunStats Estimate(const spec::NetworkSpec& network) const;
  std::int64_t Cycles(const spec::NetworkSpec& network) const;  // lean path for sweeps

 private:
  void Weighted(const spec::Layer& layer, report::LayerStats& s) const;
  // `copied`, `written`: a concat's elements that the vector unit copies, and the bytes its
  // strobed writes into the concat's channel blocks move.
  void Vector(const spec::Layer& layer, report::LayerStats& s, std::int64_t copied = 0,
              std::int64_t written = 0) const;
  // Everything but conv and fc: fused, in-place concat, or the vector unit.
  void Other(const spec::NetworkSpec& network, std::size_t index, report::LayerStats& s) const;
  // The tensor plan of a network with concats (tensor_plan.h), kept for the last network seen so
  // that a sweep's lean path computes it once per design and network.
  const accel::TensorPlan& PlanOf(const spec::NetworkSpec& network) const;
  std::int64_t ConcatWriteBytes(const spec::Layer& layer, const std::vector<bool>& copies) const;

  const spec::DesignSpec& design_;
  accel::CoreTiming core_;
  // The core's buffer depths for the widths of the last layer seen (a cache: SizingOf per layer
  // would be a tenth of a sweep's analytic pass).
  mutable accel::CoreSizing sizing_;
  mutable int sizing_bits_ = -1;
  mutable const spec::NetworkSpec* planned_ = nullptr;
  mutable accel::TensorPlan plan_;
  MemoryRates rates_;
};

}  // namespace msqx::dse
