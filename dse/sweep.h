#pragma once
// Sweep expansion and evaluation (docs/explorer.md). A sweep's targets are its networks x devices
// x budgets; on each target, every combination of the axes is an outer point, applied to the
// device's base design. Without a search, an outer point is one design. With a search, the base
// design itself is one more outer point per target (so no answer is slower than it), and each
// combination runs the search (dse/explore.h): thousands of designs scored by the resource and
// analytic models, of which the outer point keeps the best and the Pareto fronts. Outer points are
// numbered in expansion order; that number is what shards and journals use, and a kept design's
// index is outer x stride() + its candidate number.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
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

// A network on a device within a budget.
struct SweepTarget {
  std::string network;        // the network's name
  std::string network_ref;    // a shipped network's name, else the file's absolute path
  std::string device;         // the device's name
  double budget = 1;          // fraction of each device resource
  bool budget_named = false;  // the sweep lists budgets: labels say which
  // The target's part of file names: <network>_<device>[_<budget %>].
  std::string Label() const;
  // "resnet18 on xc7z020" [", 50 % budget"].
  std::string Title() const;
  nlohmann::json ToJson() const;
  static SweepTarget FromJson(const nlohmann::json& j);
};

// One evaluated design: its parameters (as a design), resources, latency and status.
struct PointResult {
  std::int64_t index = 0;
  int target = 0;  // into the sweep's targets
  std::string network;
  std::string device;
  double budget = 1;
  PointStatus status = PointStatus::kOk;
  std::string reason;     // why invalid or infeasible
  nlohmann::json design;  // the design config (valid for msqx sim / hls when status is ok)
  double lut = 0, ff = 0, dsp = 0, bram36 = 0, uram = 0;
  double analytic_ms = 0;    // analytic latency
  double simulated_ms = -1;  // cycle-fidelity latency, -1 until simulated
  double clock_mhz = 0;
  double ratio_fixed = 0, ratio_sp2 = 0;
  bool base = false;  // the target's base design as it is
  // Failed because its worker died or timed out, not because of the point: --resume tries again.
  bool retry = false;
  // Where a simulated point's cycles went (CycleBreakdown): shares of its latency, its MAC
  // utilization and the DDR roofline (bytes moved at the sustained bandwidth). -1: not simulated.
  double mac_utilization = -1;
  double compute_share = 0, vector_share = 0, load_share = 0, store_share = 0, fill_share = 0;
  double roofline_ms = 0;
  std::string bound;  // compute, vector unit, load, store, fill or DDR

  double LatencyMs() const { return simulated_ms >= 0 ? simulated_ms : analytic_ms; }
  double Fps() const { return LatencyMs() > 0 ? 1e3 / LatencyMs() : 0; }
  double FixedShare() const { return ratio_fixed / (ratio_fixed + ratio_sp2); }
  nlohmann::json ToJson() const;
  static PointResult FromJson(const nlohmann::json& j);  // throws on a malformed record
};

// What an outer point's search did: designs scored, how many fit, and why the others did not
// ("over budget: bram36", "invalid: dsp_engine.macs_per_dsp", with counts, most frequent first).
struct SearchSummary {
  std::int64_t outer = 0;
  int target = 0;
  std::int64_t evaluated = 0, feasible = 0, invalid = 0, infeasible = 0;
  std::vector<std::pair<std::string, std::int64_t>> rejected;
  nlohmann::json ToJson() const;
  static SearchSummary FromJson(const nlohmann::json& j);
};

struct OuterResult {
  SearchSummary summary;
  std::vector<PointResult> points;  // the designs it keeps, by index
};

// How many outer points a sweep has, computed from its spec alone (before anything is loaded or
// allocated): the values of every axis (plus the base design with a search) times the networks,
// devices and budgets; and how many designs that asks the models to score.
struct SweepCount {
  std::int64_t points = 0;
  bool overflow = false;     // more than 2^63 - 1
  std::string factors;       // "1000 ratio x 1000 clock_mhz x 2 networks x 8 devices"
  std::string Text() const;  // the count, or "more than 9.2e18"
};
SweepCount CountPoints(const spec::SweepSpec& spec);

// The expanded sweep: base designs and networks loaded once, outer points evaluated on demand.
class SweepPlan {
 public:
  SweepPlan(const spec::SweepSpec& spec, const spec::ConfigResolver& resolver);
  ~SweepPlan();

  std::int64_t size() const { return total_; }  // outer points
  std::int64_t stride() const { return stride_; }
  const std::vector<SweepTarget>& targets() const { return target_list_; }
  // Evaluates outer point `outer` (0 <= outer < size()).
  OuterResult Evaluate(std::int64_t outer) const;
  // Simulates a feasible point at cycle fidelity (dse/sweep_sim.cpp); throws spec::ConfigError
  // when the design cannot run the network.
  report::RunStats Simulate(const PointResult& point) const;
  // Sets point.simulated_ms and its breakdown from a cycle simulation, or marks the point failed
  // with the reason.
  void SimulateInto(PointResult& point) const;
  // A fingerprint of everything that defines the points: shards and journals must agree on it.
  const std::string& fingerprint() const { return fingerprint_; }
  const spec::NetworkSpec& network(int target) const;

 private:
  struct Target;
  PointResult Candidate0(const Target& t, std::int64_t outer, bool base,
                         spec::DesignSpec* out) const;

  const spec::SweepSpec& spec_;
  const spec::ConfigResolver& resolver_;
  std::vector<Target> targets_;
  std::vector<SweepTarget> target_list_;
  std::int64_t combos_ = 1;      // combinations of the axes
  std::int64_t per_target_ = 1;  // outer points per target
  std::int64_t stride_ = 1;
  std::int64_t total_ = 0;
  std::string fingerprint_;
};

}  // namespace msqx::dse
