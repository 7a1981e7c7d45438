#pragma once
// A design-space sweep: which networks and devices, which design fields vary over which values,
// what a feasible point is and what is optimised.

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "json_reader.h"
#include "models/spec/device.h"

namespace msqx::spec {

// One varied design field. `values` are JSON values in the design schema for that key (numbers,
// or objects for "ratio"); a range {"from","to","step"} is expanded when the sweep is parsed.
// The string "fill" for an engine dimension asks the explorer for the largest size that fits.
struct SweepAxis {
  std::string key;  // dotted design key, e.g. "lut_engine.cols"
  std::vector<nlohmann::json> values;
};

struct SweepSpec {
  std::string name;
  std::string source;
  std::vector<std::string> networks;                // names or paths
  std::vector<std::string> devices;                 // names or paths
  std::map<std::string, std::string> base_designs;  // device -> design name or path
  std::vector<SweepAxis> axes;                      // in file order
  UtilizationLimits max_utilization;
  std::vector<std::string> objectives;  // e.g. "latency_ms", "lut", "dsp"
  int simulate_top = 0;    // cycle-simulate the best N per device and network by the analytic
                           // model (0 = all feasible points)
  double timeout_s = 600;  // per simulated point
};

const std::vector<std::string>& SweepObjectives();
SweepSpec ParseSweep(const Node& root);

}  // namespace msqx::spec
