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
#include <vector>

#include "models/accel/core_sizing.h"
#include "models/accel/tensor_plan.h"
#include "models/spec/design.h"
#include "models/spec/network.h"
#include "models/spec/run_stats.h"

namespace msqx::dse {

// Off-chip transfer rates seen from the accelerator, in bytes per accelerator clock cycle.
struct MemoryRates {
  double read_bytes_per_cycle = 0;         // sequential reads
  double write_bytes_per_cycle = 0;        // sequential writes
  double random_read_bytes_per_cycle = 0;  // reads that start a new run (a window's rows)
  double mixed_bytes_per_cycle = 0;        // writes interleaved with reads
  std::int64_t latency_cycles = 0;         // DDR access latency rounded up to accelerator cycles
};
MemoryRates RatesOf(const spec::DesignSpec& design);

// The network's layers in classes of equal cost: layers of the same kind, shapes, window, widths,
// number of inputs and fusion into their producer cost the same on every design, so a sweep
// times each class once. Built once per network.
class LayerClasses {
 public:
  explicit LayerClasses(const spec::NetworkSpec& network);
  struct Class {
    std::size_t layer = 0;   // the first layer of the class
    std::int64_t count = 0;  // layers in the class
  };
  const std::vector<Class>& classes() const { return classes_; }

 private:
  std::vector<Class> classes_;
};

class AnalyticModel {
 public:
  explicit AnalyticModel(const spec::DesignSpec& design);

  report::LayerStats EstimateLayer(const spec::NetworkSpec& network, std::size_t index) const;
  report::RunStats Estimate(const spec::NetworkSpec& network) const;
  std::int64_t Cycles(const spec::NetworkSpec& network) const;
  // The lean path for sweeps: each class of equal layers timed once.
  std::int64_t Cycles(const spec::NetworkSpec& network, const LayerClasses& classes) const;

 private:
  // `core`: the instance the network runs on (accel::SizingOf), worked out once per network.
  void Weighted(const spec::Layer& layer, const accel::CoreParams& core,
                report::LayerStats& s) const;
  // `copied`, `written`: a concat's elements that the vector unit copies, and the bytes its
  // strobed writes into the concat's channel blocks move.
  void Vector(const spec::Layer& layer, report::LayerStats& s, std::int64_t copied = 0,
              std::int64_t written = 0) const;
  // Everything but conv and fc, not fused: an in-place concat, or the vector unit.
  void Other(const spec::NetworkSpec& network, std::size_t index, report::LayerStats& s) const;
  // The tensor plan of a network with concats (tensor_plan.h), kept for the last network seen so
  // that a sweep's lean path computes it once per design and network.
  const accel::TensorPlan& PlanOf(const spec::NetworkSpec& network) const;
  std::int64_t ConcatWriteBytes(const spec::Layer& layer, const std::vector<bool>& copies) const;
  void Layer(const spec::NetworkSpec& network, std::size_t index, const accel::CoreParams& core,
             report::LayerStats& s) const;

  const spec::DesignSpec& design_;
  MemoryRates rates_;
  mutable const spec::NetworkSpec* planned_ = nullptr;
  mutable accel::TensorPlan plan_;
};

}  // namespace msqx::dse
