#include "dse/sweep_plots.h"

#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "dse/sweep_output.h"
#include "sim/report/file_io.h"
#include "sim/report/report.h"

namespace msqx::dse {
namespace {

// A gnuplot condition selecting the rows of one network and device of points.csv / pareto.csv.
std::string Rows(int network_col, const std::string& network, const std::string& device) {
  return "strcol(" + std::to_string(network_col) + ") eq \"" + network + "\" && strcol(" +
         std::to_string(network_col + 1) + ") eq \"" + device + "\"";
}

}  // namespace

std::vector<const PointResult*> BestPoints(const std::vector<PointResult>& points) {
  std::map<std::pair<std::string, std::string>, const PointResult*> best;
  for (const auto& p : points) {
    if (p.status != PointStatus::kOk) continue;
    const PointResult*& b = best[{p.network, p.device}];
    if (!b || p.LatencyMs() < b->LatencyMs() ||
        (p.LatencyMs() == b->LatencyMs() && p.index < b->index))
      b = &p;
  }
  std::vector<const PointResult*> out;
  for (const auto& entry : best) out.push_back(entry.second);
  return out;
}

std::string WriteSweepPlots(const std::string& dir, const std::vector<PointResult>& points) {
  const std::vector<const PointResult*> best = BestPoints(points);
  std::set<std::string> networks;
  std::ostringstream gp;
  gp << "# Plots of a sweep (msqx): run with `gnuplot sweep.gp` in this folder.\n"
     << "set terminal svg size 1000,650 dynamic font \"sans,11\"\n"
     << "set datafile separator \",\"\n"
     << "set key top right\nset grid\n";
  std::vector<std::string> outputs;
  for (const PointResult* b : best) {
    networks.insert(b->network);
    const std::string name = TargetLabel(b->network) + "_" + TargetLabel(b->device);
    for (const auto& [cost, label] : {std::pair{"lut", "LUT"}, std::pair{"dsp", "DSP"}}) {
      outputs.push_back(std::string("pareto_") + cost + "_" + name + ".svg");
      gp << "set output \"" << outputs.back() << "\"\n"
         << "set title \"" << b->network << " on " << b->device << ": latency against " << label
         << "\"\n"
         << "set xlabel \"" << label << "\"\nset ylabel \"latency (ms)\"\n"
         << "plot \"points.csv\" using (" << Rows(2, b->network, b->device)
         << " && strcol(4) eq \"ok\" ? column(\"" << cost << "\") : 1/0):(column(\"latency_ms\")) "
         << "with points pt 7 ps 0.6 lc rgb \"#7f7f7f\" title \"feasible points\", \\\n"
         << "     \"pareto.csv\" using (strcol(1) eq \"latency_vs_" << cost << "\" && "
         << Rows(2, b->network, b->device) << " ? column(\"" << cost
         << "\") : 1/0):(column(\"latency_ms\")) with linespoints lw 2 pt 7 lc rgb \"#d62728\" "
         << "title \"Pareto front\"\n";
    }
  }
  for (const std::string& network : networks) {
    outputs.push_back("ratio_" + TargetLabel(network) + ".svg");
    gp << "set output \"" << outputs.back() << "\"\n"
       << "set title \"" << network
       << ": throughput against the fixed-point share of the filters\"\n"
       << "set xlabel \"fixed / (fixed + SP2)\"\nset ylabel \"frames/s\"\nset xrange [-0.05:1.05]\n"
       << "plot ";
    bool first = true;
    for (const PointResult* b : best) {
      if (b->network != network) continue;
      gp << (first ? "" : ", \\\n     ") << "\"points.csv\" using (" << Rows(2, network, b->device)
         << " && strcol(4) eq \"ok\" ? column(\"ratio_fixed\") / (column(\"ratio_fixed\") + "
         << "column(\"ratio_sp2\")) : 1/0):(column(\"throughput_fps\")) with points pt 7 ps 0.8 "
            "title \""
         << b->device << "\", \\\n     \"points.csv\" using (column(\"index\") == " << b->index
         << " ? column(\"ratio_fixed\") / (column(\"ratio_fixed\") + column(\"ratio_sp2\")) : 1/0)"
         << ":(column(\"throughput_fps\")) with points pt 6 ps 3 lw 2 title \"best on " << b->device
         << "\"";
      first = false;
    }
    gp << "\nunset xrange\n";
  }
  report::WriteFile(std::filesystem::path(dir) / "sweep.gp", gp.str());
  if (best.empty()) return "";
  return report::RunGnuplot(dir, "sweep.gp", outputs);
}

}  // namespace msqx::dse
