#pragma once
// Closed-form latency of a design on a network: no SystemC, no allocation on the lean path, so a
// sweep can rank hundreds of thousands of points per second before simulating the best ones.
//
// The model follows the accelerator template (DESIGN.md) and docs/analytic.md: output-stationary
// tiles (spatial tile, output-channel tile, input-channel chunk innermost), both engines working
// on the same input chunk, double-buffered loads overlapping compute, stores overlapping the next
// output tile. Its error against the cycle fidelity is measured on every sweep.

#include <cstdint>

#include "sim/report/stats.h"
#include "sim/spec/design.h"
#include "sim/spec/network.h"

namespace msqx::dse {

// Off-chip transfer rates seen from the accelerator, in bytes per accelerator clock cycle.
struct MemoryRates {
  double read_bytes_per_cycle = 0;
  double write_bytes_per_cycle = 0;
  std::int64_t latency_cycles = 0;  // DDR access latency rounded up to accelerator cycles
};
MemoryRates RatesOf(const spec::DesignSpec& design);

// Pipeline stages of the engines (docs/analytic.md): a DSP48 multiply-accumulate registered as
// A/B, M and P (3) plus one packing-correction stage; an SP2 lane's shift and add (2); each
// adder-tree level one stage.
struct EngineTiming {
  int dsp_stages = 4;
  int lut_stages = 2;
};

// Filters of a weighted layer given to each engine: fixed = round(F x fixed share).
struct FilterSplit {
  int fixed = 0;
  int sp2 = 0;
};
FilterSplit SplitFilters(const spec::DesignSpec& design, const spec::Layer& layer);

class AnalyticModel {
 public:
  explicit AnalyticModel(const spec::DesignSpec& design, EngineTiming timing = {});

  report::LayerStats EstimateLayer(const spec::NetworkSpec& network, std::size_t index) const;
  report::RunStats Estimate(const spec::NetworkSpec& network) const;
  std::int64_t Cycles(const spec::NetworkSpec& network) const;  // lean path for sweeps

 private:
  void Weighted(const spec::Layer& layer, report::LayerStats& s) const;
  void Vector(const spec::Layer& layer, report::LayerStats& s) const;
  bool FusedIntoPrevious(const spec::NetworkSpec& network, std::size_t index) const;

  const spec::DesignSpec& design_;
  EngineTiming timing_;
  MemoryRates rates_;
};

}  // namespace msqx::dse
