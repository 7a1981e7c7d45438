#pragma once
// Sweep expansion and point evaluation: every combination of the axes, for every network on
// every device, applied to the device's base design, checked for validity and fit, then estimated.
// Points are numbered in expansion order; that number is what shards, journals and merges use.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/spec/design.h"
#include "models/spec/network.h"
#include "models/spec/run_stats.h"
#include "sim/spec/resolve.h"
#include "sim/spec/sweep.h"

namespace msqx::dse {

// kFailed: feasible, but its cycle simulation failed (an error, a crash or a timeout of its
// worker).
enum class PointStatus { kOk, kInvalid, kInfeasible, kFailed };
const char* ToString(PointStatus s);

// One evaluated design point: its parameters (as a design), resources, latency and status.
struct PointResult {
  std::int64_t index = 0;
  std::string network;
  std::string device;
  PointStatus status = PointStatus::kOk;
  std::string reason;     // why invalid or infeasible
  nlohmann::json design;  // the design config (valid for msqx sim / hls when status is ok)
  double lut = 0, ff = 0, dsp = 0, bram36 = 0, uram = 0;
  double analytic_ms = 0;    // analytic latency
  double simulated_ms = -1;  // cycle-fidelity latency, -1 until simulated
  double clock_mhz = 0;
  double ratio_fixed = 0, ratio_sp2 = 0;
  // Failed because its worker died or timed out, not because of the point: --resume tries again.
  bool retry = false;

  double LatencyMs() const { return simulated_ms >= 0 ? simulated_ms : analytic_ms; }
  double Fps() const { return LatencyMs() > 0 ? 1e3 / LatencyMs() : 0; }
  nlohmann::json ToJson() const;
  static PointResult FromJson(const nlohmann::json& j);  // throws on a malformed record
};

// How many points a sweep has, computed from its spec alone (before anything is loaded or
// allocated): the values of every axis times the networks times the devices.
struct SweepCount {
  std::int64_t points = 0;
  bool overflow = false;     // more than 2^63 - 1
  std::string factors;       // "1000 ratio x 1000 clock_mhz x 2 networks x 8 devices"
  std::string Text() const;  // the count, or "more than 9.2e18"
};
SweepCount CountPoints(const spec::SweepSpec& spec);

// The expanded sweep: base designs and networks loaded once, points enumerated lazily.
class SweepPlan {
 public:
  SweepPlan(const spec::SweepSpec& spec, const spec::ConfigResolver& resolver);

  std::int64_t size() const { return total_; }
  // Evaluates point `index` (0 <= index < size()).
  PointResult Evaluate(std::int64_t index) const;
  // Simulates a feasible point at cycle fidelity (dse/sweep_sim.cpp); throws spec::ConfigError
  // when the design cannot run the network.
  report::RunStats Simulate(const PointResult& point) const;
  // Sets point.simulated_ms from a cycle simulation, or marks the point failed with the reason.
  void SimulateInto(PointResult& point) const;
  // A fingerprint of everything that defines the points: shards and journals must agree on it.
  const std::string& fingerprint() const { return fingerprint_; }

 private:
  struct Target {
    std::string network_name, device_name;
    spec::NetworkSpec network;
    nlohmann::json base;  // base design as JSON
  };
  const spec::SweepSpec& spec_;
  const spec::ConfigResolver& resolver_;
  std::vector<Target> targets_;
  std::int64_t per_target_ = 1;
  std::int64_t total_ = 0;
  std::string fingerprint_;
};

}  // namespace msqx::dse
