#pragma once
// The sweep's plots, drawn by gnuplot (Debian) from points.csv and pareto.csv: per network and
// device the feasible points and the Pareto front of latency against LUTs and against DSPs
// (pareto_<network>_<device>.svg), and per network the throughput against the fixed share of the
// filters, one line per device with its best point marked (ratio_<network>.svg). The script is
// left beside them as sweep.gp.

#include <string>
#include <vector>

#include "dse/sweep.h"

namespace msqx::dse {

// Writes sweep.gp into dir (which already holds points.csv and pareto.csv) and runs gnuplot.
// Returns an empty string, or a note when gnuplot is missing or failed.
std::string WriteSweepPlots(const std::string& dir, const std::vector<PointResult>& points);

// The point with the lowest latency of each (network, device) pair among feasible points.
std::vector<const PointResult*> BestPoints(const std::vector<PointResult>& points);

}  // namespace msqx::dse
