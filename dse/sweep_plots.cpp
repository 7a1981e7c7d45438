#include "dse/sweep_plots.h"

#include <algorithm>
#include <filesystem>
#include <iomanip>
#include <sstream>

#include "dse/sweep_view.h"
#include "sim/report/file_io.h"
#include "sim/report/report.h"

namespace msqx::dse {
namespace {

// A gnuplot condition selecting the rows of one target (column 2 of points.csv, pareto.csv and
// ratio.csv's column 1).
std::string Rows(int column, const std::string& label) {
  return "strcol(" + std::to_string(column) + ") eq \"" + label + "\"";
}

}  // namespace

std::string RooflineCsvHeader() {
  return "ratio,index,layer,kind,macs,bytes,cycles,intensity_macs_per_byte,achieved_gmacs,"
         "compute_roof_gmacs,ddr_gbps\n";
}

std::string RooflineCsvRows(const std::string& ratio, const PointResult& p,
                            const spec::DesignSpec& d, const report::RunStats& stats) {
  const report::Efficiency e = report::EfficiencyOf(stats, d);
  const double roof = static_cast<double>(e.lanes) * d.clock_mhz / 1e3;  // GMAC/s
  std::ostringstream rows;
  rows << std::setprecision(6);
  for (const report::LayerStats& l : stats.layers) {
    const std::int64_t bytes = l.bytes_read + l.bytes_written;
    if (l.macs == 0 || bytes == 0 || l.cycles == 0) continue;
    const double seconds = static_cast<double>(l.cycles) / (d.clock_mhz * 1e6);
    rows << ratio << ',' << p.index << ',' << l.name << ',' << l.kind << ',' << l.macs << ','
         << bytes << ',' << l.cycles << ','
         << static_cast<double>(l.macs) / static_cast<double>(bytes) << ','
         << static_cast<double>(l.macs) / seconds / 1e9 << ',' << roof << ',' << e.bandwidth_gbps
         << '\n';
  }
  return rows.str();
}

std::string WriteSweepPlots(const std::string& dir, const SweepData& sweep) {
  const std::vector<TargetAnswer> answers = Answers(sweep);
  std::ostringstream gp;
  gp << "# Plots of a sweep (msqx): run with `gnuplot sweep.gp` in this folder.\n"
     << "set terminal svg size 1000,650 dynamic font \"sans,11\"\n"
     << "set datafile separator \",\"\n"
     << "set key top right\nset grid\n";
  std::vector<std::string> outputs;
  for (const TargetAnswer& a : answers) {
    if (!a.best) continue;
    const std::string label = a.info->Label(), title = a.info->Title();
    for (const auto& [cost, name] : {std::pair{"lut", "LUT"}, std::pair{"dsp", "DSP"}}) {
      outputs.push_back(std::string("pareto_") + cost + "_" + label + ".svg");
      gp << "set output \"" << outputs.back() << "\"\n"
         << "set title \"" << title << ": latency against " << name << "\"\n"
         << "set xlabel \"" << name << "\"\nset ylabel \"latency (ms)\"\n"
         << "plot \"points.csv\" using (" << Rows(2, label) << " && strcol(6) eq \"ok\" ? column(\""
         << cost << "\") : 1/0):(column(\"latency_ms\")) "
         << "with points pt 7 ps 0.6 lc rgb \"#7f7f7f\" title \"designs kept\", \\\n"
         << "     \"pareto.csv\" using (strcol(1) eq \"latency_vs_" << cost << "\" && "
         << Rows(2, label) << " ? column(\"" << cost
         << "\") : 1/0):(column(\"latency_ms\")) with linespoints lw 2 pt 7 lc rgb \"#d62728\" "
         << "title \"Pareto front\"\n";
    }
    outputs.push_back("ratio_" + label + ".svg");
    gp << "set output \"" << outputs.back() << "\"\n"
       << "set title \"" << title << ": best latency per fixed share of the filters\"\n"
       << "set xlabel \"fixed / (fixed + SP2)\"\nset ylabel \"latency (ms)\"\n"
       << "set xrange [-0.05:1.05]\n"
       << "plot \"points.csv\" using (" << Rows(2, label)
       << " && strcol(6) eq \"ok\" ? column(\"ratio_fixed\") / (column(\"ratio_fixed\") + "
          "column(\"ratio_sp2\")) : 1/0):(column(\"latency_ms\")) with points pt 7 ps 0.5 "
          "lc rgb \"#b0b0b0\" title \"designs kept\", \\\n"
       << "     \"ratio.csv\" using (" << Rows(1, label)
       << " ? column(\"fixed_share\") : 1/0):(column(\"latency_ms\")) with linespoints lw 2 pt 7 "
          "lc rgb \"#1f77b4\" title \"best per ratio\"\n"
       << "unset xrange\n";
    const std::string roofline = "roofline_" + label + ".csv";
    if (std::filesystem::exists(std::filesystem::path(dir) / roofline)) {
      outputs.push_back("roofline_" + label + ".svg");
      const PointResult& best = *a.best;
      gp << "set output \"" << outputs.back() << "\"\n"
         << "set title \"" << title
         << ": per-layer roofline of each ratio's best design (roofs of the best)\"\n"
         << "set logscale xy\nset xlabel \"arithmetic intensity (MAC per DDR byte)\"\n"
         << "set ylabel \"achieved GMAC/s\"\nset key bottom right\n"
         << "stats \"" << roofline << "\" using (column(\"index\") == " << best.index
         << " ? column(\"compute_roof_gmacs\") : NaN) nooutput\nroof = STATS_max\n"
         << "stats \"" << roofline << "\" using (column(\"index\") == " << best.index
         << " ? column(\"ddr_gbps\") : NaN) nooutput\nbw = STATS_max\n"
         << "plot [0.1:10000] roof + 0 with lines lw 2 lc rgb \"#2ca02c\" title \"compute roof\", "
            "bw * x with lines lw 2 lc rgb \"#ff7f0e\" title \"DDR roof\"";
      for (const RatioAnswer& r : a.ratios) {
        gp << ", \\\n     \"" << roofline << "\" using (strcol(1) eq \"" << r.ratio
           << "\" ? column(\"intensity_macs_per_byte\") : 1/0):(column(\"achieved_gmacs\")) "
              "with points pt 7 ps 0.7 title \""
           << r.ratio << "\"";
      }
      gp << "\nunset logscale\nset key top right\n";
    }
  }
  report::WriteFile(std::filesystem::path(dir) / "sweep.gp", gp.str());
  if (outputs.empty()) return "";
  return report::RunGnuplot(dir, "sweep.gp", outputs);
}

}  // namespace msqx::dse
