// The cycle simulation of a sweep's points: the design of the point as `msqx sim` would read it,
// on the network of its target, through the same cycle fidelity.
#include <exception>

#include "dse/sweep.h"
#include "models/accel/network_sim.h"

namespace msqx::dse {

report::RunStats SweepPlan::Simulate(const PointResult& p) const {
  const Target& t = targets_[static_cast<std::size_t>(p.index / per_target_)];
  const spec::DesignSpec d = spec::ParseDesign(
      spec::Document(p.design, spec_.source + " point " + std::to_string(p.index)).Root(),
      resolver_);
  return accel::SimulateNetwork(d, t.network);
}

void SweepPlan::SimulateInto(PointResult& p) const {
  try {
    const report::RunStats stats = Simulate(p);
    p.simulated_ms = static_cast<double>(stats.TotalCycles()) / (p.clock_mhz * 1e3);
  } catch (const spec::ConfigError& e) {
    p.status = PointStatus::kFailed;
    p.reason = "cycle simulation: " + e.json_path() + ": " + e.message();
  }
}

}  // namespace msqx::dse
