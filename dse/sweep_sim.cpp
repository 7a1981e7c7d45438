// The cycle simulation of a sweep's points: the design of the point as `msqx sim` would read it,
// on the network of its target, through the same cycle fidelity; and where its cycles went.
#include <algorithm>
#include <exception>

#include "dse/sweep.h"
#include "models/accel/network_sim.h"
#include "sim/report/report.h"

namespace msqx::dse {
namespace {

// A latency within this fraction of the DDR roofline is memory-bound, whatever stalls show; so is
// one within this fraction of the layer-by-layer bound (report::Efficiency) when the layers bound
// by DDR make up most of that bound.
constexpr double kDdrBoundFraction = 0.85;

// Shares of the latency: the engines' busy cycles (the busier engine of each weighted layer), the
// vector unit's, load and store stalls, and the rest (pipeline fill and drain); then what bounds
// the design: DDR when the latency is near the roofline, or near the layer-by-layer bound with
// most of that bound in DDR-bound layers; else the largest share.
void Breakdown(const report::RunStats& stats, const spec::DesignSpec& design, PointResult& p) {
  const report::Efficiency e = report::EfficiencyOf(stats, design);
  p.mac_utilization = e.mac_utilization;
  p.roofline_ms = e.roofline_ms;
  double compute = 0, vector = 0, load = 0, store = 0;
  for (const report::LayerStats& l : stats.layers) {
    compute += static_cast<double>(std::max(l.dsp_busy, l.lut_busy));
    vector += static_cast<double>(l.vector_busy);
    load += static_cast<double>(l.stall_load);
    store += static_cast<double>(l.stall_store);
  }
  const double total = static_cast<double>(std::max<std::int64_t>(1, stats.TotalCycles()));
  p.compute_share = compute / total;
  p.vector_share = vector / total;
  p.load_share = load / total;
  p.store_share = store / total;
  p.fill_share = std::max(0.0, 1 - p.compute_share - p.vector_share - p.load_share - p.store_share);
  const bool near_roofline = p.roofline_ms >= kDdrBoundFraction * p.simulated_ms;
  const bool near_ddr_layers =
      e.bound_ms >= kDdrBoundFraction * p.simulated_ms && 2 * e.ddr_bound_ms >= e.bound_ms;
  if (p.simulated_ms > 0 && (near_roofline || near_ddr_layers)) {
    p.bound = "DDR";
    return;
  }
  const std::pair<double, const char*> parts[] = {{p.compute_share, "compute"},
                                                  {p.vector_share, "vector unit"},
                                                  {p.load_share, "load"},
                                                  {p.store_share, "store"},
                                                  {p.fill_share, "fill"}};
  p.bound = std::max_element(std::begin(parts), std::end(parts), [](const auto& a, const auto& b) {
              return a.first < b.first;
            })->second;
}

// The point's design as `msqx sim` reads it.
spec::DesignSpec DesignOf(const PointResult& p, const std::string& sweep_file,
                          const spec::ConfigResolver& resolver) {
  return spec::ParseDesign(
      spec::Document(p.design, sweep_file + " point " + std::to_string(p.index)).Root(), resolver);
}

}  // namespace

report::RunStats SweepPlan::Simulate(const PointResult& p) const {
  return accel::SimulateNetwork(DesignOf(p, spec_.source, resolver_), network(p.target));
}

void SweepPlan::SimulateInto(PointResult& p) const {
  try {
    const spec::DesignSpec d = DesignOf(p, spec_.source, resolver_);
    const report::RunStats stats = accel::SimulateNetwork(d, network(p.target));
    p.simulated_ms = static_cast<double>(stats.TotalCycles()) / (p.clock_mhz * 1e3);
    Breakdown(stats, d, p);
  } catch (const spec::ConfigError& e) {
    p.status = PointStatus::kFailed;
    p.reason = "cycle simulation: " + e.json_path() + ": " + e.message();
  }
}

}  // namespace msqx::dse
