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

// The explorer's search (docs/explorer.md), run for each combination of the axes on each network,
// device and budget: stage 1 enumerates engine shapes (columns, rows of both engines split by the
// ratio, input word, packing) on the base design's memory side; stage 2 takes the `refine_top`
// best shapes by the analytic model and enumerates their memory side (tile, buffers, buffering,
// DMA, clock). Every list is the set of values tried; ParseSweep fills the defaults.
struct SearchSpec {
  bool enabled = false;
  std::vector<int> cols;              // both engines' columns
  std::vector<int> rows;              // both engines' rows together, split by the ratio
  std::vector<int> channels_per_col;  // tile.in_channels = cols x this
  std::vector<int> macs_per_dsp;
  int refine_top = 8;                // engine shapes whose memory side stage 2 searches
  std::vector<int> out_rows;         // tile.out_rows
  std::vector<int> out_cols;         // tile.out_cols
  std::vector<int> row_groups;       // tile.out_channels = rows x this
  std::vector<double> buffer_scale;  // buffers = the shape's KiB (base KiB x lanes ratio) x this
  std::vector<bool> double_buffered;
  std::vector<int> axi_ports;  // at most the device's ports (more are skipped)
  std::vector<int> burst_beats;
  std::vector<double> clock_mhz;     // empty: the device's highest clock
  std::int64_t ShapeCount() const;   // stage 1 candidates before the ratio's split
  std::int64_t MemoryCount() const;  // stage 2 candidates per shape
};

struct SweepSpec {
  std::string name;
  std::string source;
  std::vector<std::string> networks;                // names or paths
  std::vector<std::string> devices;                 // names or paths
  std::map<std::string, std::string> base_designs;  // device -> design name or path
  std::vector<SweepAxis> axes;                      // in file order
  UtilizationLimits max_utilization;
  // Fractions of each device resource the accelerator may use, each a target of its own (with
  // max_utilization still capping each resource); {1} when the sweep gives none.
  std::vector<double> budgets = {1.0};
  bool budgets_given = false;  // the sweep lists budgets: results and files name them
  SearchSpec search;
  std::vector<std::string> objectives;  // e.g. "latency_ms", "lut", "dsp"
                                        // Cycle-simulate the best N points by the analytic model
                                        // per network, device, budget and
  // ratio (0 = every feasible point kept); 8 with a search, else 0, when the sweep gives none.
  int simulate_top = 0;
  double timeout_s = 600;  // per simulated point
};

const std::vector<std::string>& SweepObjectives();
SweepSpec ParseSweep(const Node& root);

}  // namespace msqx::spec
