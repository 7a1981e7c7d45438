#pragma once
// The sweep's plots, drawn by gnuplot (Debian) from its CSV files; the script is left beside them
// as sweep.gp. Per target (network x device x budget): the feasible designs kept and the Pareto
// front of latency against LUTs and against DSPs (pareto_lut_<target>.svg,
// pareto_dsp_<target>.svg); the ratio response, the best latency per fixed share of the filters
// (ratio_<target>.svg); and the per-layer roofline of each ratio's best design, achieved MAC/s
// against arithmetic intensity under the compute roof and the DDR roof
// (roofline_<target>.svg, from roofline_<target>.csv).

#include <string>

#include "dse/sweep_output.h"
#include "models/spec/design.h"
#include "models/spec/run_stats.h"

namespace msqx::dse {

// The header of roofline_<target>.csv.
std::string RooflineCsvHeader();
// Its rows for one design: each layer that moves data, with the design's roofs.
std::string RooflineCsvRows(const std::string& ratio, const PointResult& point,
                            const spec::DesignSpec& design, const report::RunStats& stats);

// Writes sweep.gp into dir (which already holds points.csv, pareto.csv, ratio.csv and the
// roofline CSVs) and runs gnuplot. Returns an empty string, or a note when gnuplot is missing or
// failed.
std::string WriteSweepPlots(const std::string& dir, const SweepData& sweep);

}  // namespace msqx::dse
