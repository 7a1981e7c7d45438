#pragma once
// Writes a run's results: report.json (schema "msqx.report/1", docs/reports.md), layers.csv,
// summary.md and a per-layer plot, into a folder that the caller's OutputFolder renames into
// place once everything is written (so that it appears complete or not at all).

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "models/spec/run_stats.h"
#include "sim/spec/design.h"
#include "sim/spec/network.h"

namespace msqx::report {

struct RunInfo {
  std::string tool_version;
  std::string git_hash;
  std::string command_line;
  nlohmann::json resources;  // resource model breakdown, null when not available
};

// Headline figures derived from the stats at the design clock.
struct Headline {
  std::int64_t cycles = 0;
  double latency_ms = 0;
  double fps = 0;
  double gops = 0;  // 2 x MACs per second
  std::int64_t stall_load = 0, stall_store = 0, stall_fill = 0;
};
Headline HeadlineOf(const RunStats& stats, double clock_mhz);

// How well the run used the hardware: useful MACs over cycles x MAC lanes (both engines), and the
// DDR roofline (bytes moved at the design's sustained read bandwidth, the narrower of DDR and its
// AXI ports): a latency near it is memory-bound, one far above it is not.
struct Efficiency {
  std::int64_t lanes = 0;
  double mac_utilization = 0;  // 0..1
  std::int64_t bytes = 0;      // read + written
  double bandwidth_gbps = 0;
  double roofline_ms = 0;
  // Layer by layer, the slower of the MAC peak (useful MACs over all lanes) and the DDR roofline
  // (the layer's bytes): no schedule of these layers on these lanes and ports, one layer at a
  // time, is faster. The utilization a run at that bound would reach is the ceiling the design and
  // the network allow (below 100 % where DDR binds some layers: VGG-16's fc6).
  double bound_ms = 0;
  double ddr_bound_ms = 0;         // the part of bound_ms from layers bound by DDR
  double utilization_ceiling = 0;  // 0..1
};
Efficiency EfficiencyOf(const RunStats& stats, const spec::DesignSpec& design);

nlohmann::json ReportJson(const spec::DesignSpec& design, const spec::NetworkSpec& network,
                          const RunStats& stats, const RunInfo& info);
std::string LayersCsv(const RunStats& stats, double clock_mhz);
std::string SummaryMarkdown(const spec::DesignSpec& design, const spec::NetworkSpec& network,
                            const RunStats& stats, const RunInfo& info);

// Writes every file into `dir` (an OutputFolder's work folder, or a folder inside one). Returns
// the plot's file name, or an empty string with `note` set when gnuplot is missing or failed.
// Throws IoError when a file cannot be written.
std::string WriteRunReport(const std::string& dir, const spec::DesignSpec& design,
                           const spec::NetworkSpec& network, const RunStats& stats,
                           const RunInfo& info, std::string* note);

// Writes `files` (name, content), in order, into `dir` (a work folder), each one checked. For
// reports without a plot.
void WriteReportFiles(const std::string& dir,
                      const std::vector<std::pair<std::string, std::string>>& files);

// Runs gnuplot on `script` in `dir`; every file of `outputs` must come out a complete SVG, else
// it is removed. Returns an empty string, or a note saying why there is no plot.
std::string RunGnuplot(const std::string& dir, const std::string& script,
                       const std::vector<std::string>& outputs);

// The human summary printed after `msqx sim`.
void PrintSummary(std::ostream& os, const spec::DesignSpec& design,
                  const spec::NetworkSpec& network, const RunStats& stats, const RunInfo& info);

}  // namespace msqx::report
