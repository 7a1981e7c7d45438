// The results of a complete sweep: points.csv, pareto.csv, ratio.csv, best_design_<target>.json
// and summary.md, from its points and searches alone (dse/sweep_view.h says how they rank).
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <sstream>

#include "dse/sweep_output.h"
#include "dse/sweep_view.h"
#include "sim/report/file_io.h"

namespace msqx::dse {
namespace fs = std::filesystem;

namespace {

std::string Num(double v, int digits = 4) {
  std::ostringstream os;
  os << std::setprecision(digits) << std::fixed << v;
  return os.str();
}

std::string Count(std::int64_t n) {  // 131072 -> "131,072"
  std::string s = std::to_string(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3)
    s.insert(static_cast<std::size_t>(i), ",");
  return s;
}

std::string Percent(double share) { return Num(100 * share, 0) + " %"; }

std::string Field(const nlohmann::json& d, const char* a, const char* b) {
  return d.contains(a) && d[a].contains(b) ? d[a][b].dump() : "";
}

// "DSP 16x16 (2/DSP) + LUT 32x16, tile 7x14x64/32" from a point's design; an unpacked DSP
// engine with fewer DSPs than lanes is one of LUT multipliers.
std::string Shape(const PointResult& p) {
  const nlohmann::json& d = p.design;
  std::string s;
  if (Field(d, "dsp_engine", "rows") != "0" && !Field(d, "dsp_engine", "rows").empty()) {
    s += "DSP " + Field(d, "dsp_engine", "rows") + "x" + Field(d, "dsp_engine", "cols");
    if (Field(d, "dsp_engine", "macs_per_dsp") == "2") {
      s += " (2/DSP)";
    } else if (p.dsp < d["dsp_engine"].value("rows", 0) * d["dsp_engine"].value("cols", 0)) {
      s += " (LUT multipliers)";  // products too narrow for a DSP48 (docs/resources.md)
    }
  }
  if (Field(d, "lut_engine", "rows") != "0" && !Field(d, "lut_engine", "rows").empty()) {
    s += (s.empty() ? "" : " + ") + std::string("LUT ") + Field(d, "lut_engine", "rows") + "x" +
         Field(d, "lut_engine", "cols");
  }
  return s;
}

std::string Tile(const PointResult& p) {
  const nlohmann::json& d = p.design;
  return Field(d, "tile", "out_rows") + "x" + Field(d, "tile", "out_cols") + ", " +
         Field(d, "tile", "out_channels") + " filters x " + Field(d, "tile", "in_channels") +
         " ch, " + (Field(d, "buffers", "double_buffered") == "false" ? "single" : "double") +
         ", " + Field(d, "dma", "axi_ports") + " AXI";
}

const char* Source(const PointResult& p) { return p.simulated_ms >= 0 ? "cycle" : "analytic"; }

std::string Bound(const PointResult& p) {
  if (p.mac_utilization < 0) return "n/a";
  return p.bound + " (MAC " + Percent(p.mac_utilization) + ")";
}

std::string Csv(std::string text) {
  std::replace(text.begin(), text.end(), ',', ';');
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text;
}

std::string PointsCsv(const SweepData& sweep) {
  std::ostringstream csv;
  csv << "index,target,network,device,budget,status,base,ratio_fixed,ratio_sp2,dsp_rows,dsp_cols,"
         "macs_per_dsp,lut_rows,lut_cols,clock_mhz,tile_out_rows,tile_out_cols,tile_out_channels,"
         "tile_in_channels,input_kib,weight_kib,output_kib,double_buffered,axi_ports,burst_beats,"
         "lut,ff,dsp,bram36,uram,analytic_ms,simulated_ms,latency_ms,throughput_fps,"
         "mac_utilization,bound,reason\n";
  for (const PointResult& p : sweep.points) {
    const nlohmann::json& d = p.design;
    const bool ok = p.status == PointStatus::kOk;
    const std::string label = p.target >= 0 && p.target < static_cast<int>(sweep.targets.size())
                                  ? sweep.targets[static_cast<std::size_t>(p.target)].Label()
                                  : "";
    csv << p.index << ',' << label << ',' << p.network << ',' << p.device << ',' << p.budget << ','
        << ToString(p.status) << ',' << (p.base ? "yes" : "") << ',' << Field(d, "ratio", "fixed")
        << ',' << Field(d, "ratio", "sp2") << ',' << Field(d, "dsp_engine", "rows") << ','
        << Field(d, "dsp_engine", "cols") << ',' << Field(d, "dsp_engine", "macs_per_dsp") << ','
        << Field(d, "lut_engine", "rows") << ',' << Field(d, "lut_engine", "cols") << ','
        << (d.contains("clock_mhz") ? d["clock_mhz"].dump() : "") << ','
        << Field(d, "tile", "out_rows") << ',' << Field(d, "tile", "out_cols") << ','
        << Field(d, "tile", "out_channels") << ',' << Field(d, "tile", "in_channels") << ','
        << Field(d, "buffers", "input_kib") << ',' << Field(d, "buffers", "weight_kib") << ','
        << Field(d, "buffers", "output_kib") << ',' << Field(d, "buffers", "double_buffered") << ','
        << Field(d, "dma", "axi_ports") << ',' << Field(d, "dma", "burst_beats") << ',' << p.lut
        << ',' << p.ff << ',' << p.dsp << ',' << p.bram36 << ',' << p.uram << ','
        << (ok ? Num(p.analytic_ms, 6) : "") << ','
        << (ok && p.simulated_ms >= 0 ? Num(p.simulated_ms, 6) : "") << ','
        << (ok ? Num(p.LatencyMs(), 6) : "") << ',' << (ok ? Num(p.Fps(), 3) : "") << ','
        << (p.mac_utilization >= 0 ? Num(p.mac_utilization, 4) : "") << ',' << p.bound << ','
        << Csv(p.reason) << '\n';
  }
  return csv.str();
}

// Indices (into `pts`) of the points no other point beats on both latency and `cost`.
std::vector<std::size_t> Front(const std::vector<const PointResult*>& pts,
                               double PointResult::*cost) {
  std::vector<std::size_t> order(pts.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (pts[a]->*cost != pts[b]->*cost) return pts[a]->*cost < pts[b]->*cost;
    if (pts[a]->LatencyMs() != pts[b]->LatencyMs())
      return pts[a]->LatencyMs() < pts[b]->LatencyMs();
    return pts[a]->index < pts[b]->index;
  });
  std::vector<std::size_t> front;
  double best = INFINITY;
  for (std::size_t i : order) {
    if (pts[i]->LatencyMs() < best) {
      front.push_back(i);
      best = pts[i]->LatencyMs();
    }
  }
  return front;
}

std::string ParetoCsv(const std::vector<TargetAnswer>& answers) {
  std::ostringstream pareto;
  pareto << "front,target,network,device,index,ratio,latency_ms,latency_from,throughput_fps,lut,"
            "dsp,fps_per_klut,fps_per_dsp\n";
  for (const TargetAnswer& a : answers) {
    for (auto [front_name, cost] : {std::pair{"latency_vs_lut", &PointResult::lut},
                                    std::pair{"latency_vs_dsp", &PointResult::dsp}}) {
      for (std::size_t i : Front(a.feasible, cost)) {
        const PointResult& p = *a.feasible[i];
        pareto << front_name << ',' << a.info->Label() << ',' << p.network << ',' << p.device << ','
               << p.index << ',' << RatioText(p) << ',' << Num(p.LatencyMs(), 6) << ',' << Source(p)
               << ',' << Num(p.Fps(), 3) << ',' << p.lut << ',' << p.dsp << ','
               << Num(p.Fps() / std::max(1.0, p.lut / 1000), 4) << ','
               << Num(p.dsp > 0 ? p.Fps() / p.dsp : 0, 4) << '\n';
      }
    }
  }
  return pareto.str();
}

std::string RatioCsv(const std::vector<TargetAnswer>& answers) {
  std::ostringstream csv;
  csv << "target,network,device,budget,ratio,fixed_share,index,latency_ms,latency_from,"
         "throughput_fps,bound,mac_utilization,compute_share,load_share,store_share,fill_share,"
         "vector_share,roofline_ms,lut,dsp,bram36,searched\n";
  for (const TargetAnswer& a : answers) {
    for (const RatioAnswer& r : a.ratios) {
      const PointResult& p = *r.best;
      csv << a.info->Label() << ',' << p.network << ',' << p.device << ',' << p.budget << ','
          << r.ratio << ',' << Num(r.fixed_share, 4) << ',' << p.index << ','
          << Num(p.LatencyMs(), 6) << ',' << Source(p) << ',' << Num(p.Fps(), 3) << ',' << p.bound
          << ',' << (p.mac_utilization >= 0 ? Num(p.mac_utilization, 4) : "") << ','
          << Num(p.compute_share, 4) << ',' << Num(p.load_share, 4) << ',' << Num(p.store_share, 4)
          << ',' << Num(p.fill_share, 4) << ',' << Num(p.vector_share, 4) << ','
          << Num(p.roofline_ms, 6) << ',' << p.lut << ',' << p.dsp << ',' << p.bram36 << ','
          << (r.searched ? "yes" : "no") << '\n';
    }
  }
  return csv.str();
}

// "2.04x faster than" / "1.10x slower than" `other`.
std::string Against(const PointResult& best, const PointResult* other) {
  if (!other || best.LatencyMs() <= 0) return "n/a";
  const double ratio = other->LatencyMs() / best.LatencyMs();
  return ratio >= 1 ? Num(ratio, 2) + "x faster" : Num(1 / ratio, 2) + "x slower";
}

void RatioSection(const TargetAnswer& a, std::ostringstream& md) {
  md << "\n## " << a.info->Title() << ": latency per fixed:SP2 ratio\n\n"
     << "The best design found for each ratio (engines sized to it), what bounds it and how its "
        "cycles divide (engines computing, load and store stalls, fill and drain, vector "
        "unit). Plot: ratio_"
     << a.info->Label() << ".svg; per-layer roofline of each ratio's best design: roofline_"
     << a.info->Label() << ".svg.\n\n"
     << "| ratio | latency (ms) | frames/s | engines | tile, buffering, ports | bound | compute / "
        "load / store / fill / vector | DDR roofline (ms) | LUT | DSP | BRAM36 | latency from "
        "|\n"
     << "|---|---:|---:|---|---|---|---|---:|---:|---:|---:|---|\n";
  for (const RatioAnswer& r : a.ratios) {
    const PointResult& p = *r.best;
    md << "| " << r.Label() << (&p == a.best ? " (best)" : "") << " | " << Num(p.LatencyMs(), 3)
       << " | " << Num(p.Fps(), 1) << " | " << Shape(p) << " | " << Tile(p) << " | " << Bound(p)
       << " | "
       << (p.mac_utilization >= 0 ? Percent(p.compute_share) + " / " + Percent(p.load_share) +
                                        " / " + Percent(p.store_share) + " / " +
                                        Percent(p.fill_share) + " / " + Percent(p.vector_share)
                                  : "n/a")
       << " | " << (p.mac_utilization >= 0 ? Num(p.roofline_ms, 3) : "n/a") << " | " << p.lut
       << " | " << p.dsp << " | " << p.bram36 << " | " << Source(p) << " |\n";
  }
  if (!a.rejected.empty()) {
    md << "\nRejected designs: ";
    for (std::size_t i = 0; i < a.rejected.size() && i < 4; ++i) {
      md << (i ? ", " : "") << a.rejected[i].first << " (" << Count(a.rejected[i].second) << ")";
    }
    md << ".\n";
  }
}

// Best latency per network x device x budget (rows) and ratio (columns).
void BudgetSection(const std::vector<TargetAnswer>& answers, std::ostringstream& md) {
  std::vector<std::pair<double, std::string>> columns;
  for (const TargetAnswer& a : answers) {
    for (const RatioAnswer& r : a.ratios) {
      if (std::find_if(columns.begin(), columns.end(),
                       [&](const auto& c) { return c.second == r.ratio; }) == columns.end()) {
        columns.emplace_back(-r.fixed_share, r.ratio);
      }
    }
  }
  std::sort(columns.begin(), columns.end());
  md << "\n## Best latency (ms) per device, budget and ratio\n\n| network | device | budget |";
  for (const auto& c : columns) md << ' ' << c.second << " |";
  md << "\n|---|---|---:|";
  for (std::size_t i = 0; i < columns.size(); ++i) md << "---:|";
  md << '\n';
  for (const TargetAnswer& a : answers) {
    md << "| " << a.info->network << " | " << a.info->device << " | " << Percent(a.info->budget)
       << " |";
    for (const auto& c : columns) {
      const auto it = std::find_if(a.ratios.begin(), a.ratios.end(),
                                   [&](const RatioAnswer& r) { return r.ratio == c.second; });
      md << ' ' << (it == a.ratios.end() ? "none fits" : Num(it->best->LatencyMs(), 3)) << " |";
    }
    md << '\n';
  }
}

void AnalyticErrorSection(const SweepData& sweep, std::ostringstream& md,
                          std::ostringstream& terminal) {
  std::vector<double> errors;
  for (const auto& p : sweep.points) {
    if (p.status == PointStatus::kOk && p.simulated_ms > 0 && p.analytic_ms > 0) {
      errors.push_back(100 * (p.analytic_ms - p.simulated_ms) / p.simulated_ms);
    }
  }
  if (errors.empty()) return;
  std::vector<double> magnitude;
  for (double e : errors) magnitude.push_back(std::abs(e));
  std::sort(magnitude.begin(), magnitude.end());
  const std::size_t n = magnitude.size();
  const double median = n % 2 ? magnitude[n / 2] : (magnitude[n / 2 - 1] + magnitude[n / 2]) / 2;
  const double worst = *std::max_element(
      errors.begin(), errors.end(), [](double a, double b) { return std::abs(a) < std::abs(b); });
  const double under = 100.0 *
                       static_cast<double>(std::count_if(errors.begin(), errors.end(),
                                                         [](double e) { return e < 0; })) /
                       static_cast<double>(n);
  md << "\n## Analytic model against the cycle fidelity\n\n"
     << n << " simulated points: median error " << Num(median, 1) << " %, max error "
     << Num(worst, 1) << " % ((analytic - cycle) / cycle; the analytic latency is lower on "
     << Num(under, 0)
     << " % of the points). The analytic model only ranks and prunes; latencies above come from "
        "the cycle fidelity where a point was simulated.\n";
  terminal << "analytic model vs cycle fidelity on " << n << " simulated points: median error "
           << Num(median, 1) << " %, max " << Num(worst, 1) << " %\n";
}

}  // namespace

std::string WriteSweepResults(const std::string& dir, const SweepData& sweep,
                              const std::string& partial_note) {
  const fs::path out(dir);
  report::MakeDirectories(out);
  const std::vector<TargetAnswer> answers = Answers(sweep);
  report::WriteFile(out / "points.csv", PointsCsv(sweep));
  report::WriteFile(out / "pareto.csv", ParetoCsv(answers));
  report::WriteFile(out / "ratio.csv", RatioCsv(answers));

  std::int64_t evaluated = 0, feasible = 0, simulated = 0;
  for (const TargetAnswer& a : answers) {
    evaluated += a.evaluated;
    feasible += a.scored_feasible;
    simulated += a.simulated;
  }
  std::ostringstream md, terminal;
  md << "# Sweep " << sweep.name << "\n\n"
     << (partial_note.empty() ? "" : "**Partial result:** " + partial_note + "\n\n")
     << Count(evaluated) << " designs scored by the resource and analytic models on "
     << answers.size() << (answers.size() == 1 ? " target" : " targets") << " (networks x devices"
     << (sweep.targets.empty() || !sweep.targets[0].budget_named ? "" : " x budgets") << "), "
     << Count(feasible) << " within their budget; " << Count(simulated)
     << " simulated at cycle fidelity. A simulated design ranks before any analytic estimate.\n\n"
     << "| network | device | budget | designs scored | feasible | best ratio | latency (ms) | "
        "frames/s | against the base design | against the best fixed-only | bound | engines | "
        "LUT | DSP | BRAM36 | latency from |\n"
     << "|---|---|---:|---:|---:|---|---:|---:|---|---|---|---|---:|---:|---:|---|\n";
  for (const TargetAnswer& a : answers) {
    const SweepTarget& t = *a.info;
    if (!a.best) {
      md << "| " << t.network << " | " << t.device << " | " << Percent(t.budget) << " | "
         << Count(a.evaluated) << " | 0 | none fits | | | | | | | | | | |\n";
      terminal << t.Title() << ": no feasible design\n";
      continue;
    }
    const PointResult& best = *a.best;
    md << "| " << t.network << " | " << t.device << " | " << Percent(t.budget) << " | "
       << Count(a.evaluated) << " | " << Count(a.scored_feasible) << " | " << RatioText(best)
       << " | " << Num(best.LatencyMs(), 3) << " | " << Num(best.Fps(), 1) << " | "
       << Against(best, a.base) << (a.base ? " (" + Num(a.base->LatencyMs(), 3) + " ms)" : "")
       << " | " << Against(best, a.fixed_only) << " | " << Bound(best) << " | " << Shape(best)
       << " | " << best.lut << " | " << best.dsp << " | " << best.bram36 << " | " << Source(best)
       << " |\n";
    nlohmann::json design = best.design;
    design["name"] = sweep.name + "-best-" + t.Label();
    design["network"] = t.network_ref;
    report::WriteFile(out / ("best_design_" + t.Label() + ".json"), design.dump(2) + "\n");
    terminal << t.Title() << ": best ratio " << RatioText(best) << ", " << Num(best.LatencyMs(), 3)
             << " ms (" << Source(best) << "), " << Num(best.Fps(), 1) << " frames/s";
    if (a.base) terminal << ", " << Against(best, a.base) << " than the base design";
    terminal << "; bound by " << Bound(best) << "; " << Count(a.evaluated) << " designs scored, "
             << Count(a.simulated) << " simulated\n  ms per ratio:";
    for (const RatioAnswer& r : a.ratios) {
      terminal << ' ' << r.ratio << (r.searched ? "" : " (base)") << ' '
               << Num(r.best->LatencyMs(), 2) << (r.best->simulated_ms >= 0 ? "" : "*");
    }
    terminal << (std::any_of(a.ratios.begin(), a.ratios.end(),
                             [](const RatioAnswer& r) { return r.best->simulated_ms < 0; })
                     ? " (* analytic)"
                     : "")
             << "\n";
  }
  for (const TargetAnswer& a : answers) {
    if (!a.ratios.empty()) RatioSection(a, md);
  }
  if (!sweep.targets.empty() && sweep.targets[0].budget_named) BudgetSection(answers, md);
  AnalyticErrorSection(sweep, md, terminal);
  std::int64_t failed = 0;
  for (const TargetAnswer& a : answers) failed += a.failed;
  if (failed > 0) {
    md << "\n"
       << failed << " points failed in cycle simulation; points.csv gives each one's reason.\n";
    terminal << failed << " points failed in cycle simulation (reasons in points.csv)\n";
  }
  md << "\nFiles: points.csv (every design kept: each search's fastest and its Pareto fronts, or "
        "every point without a search), ratio.csv (the best design per ratio), pareto.csv "
        "(latency against LUT and against DSP), best_design_<target>.json (valid `msqx sim` "
        "designs), journal.jsonl; plots pareto_lut_<target>.svg, pareto_dsp_<target>.svg, "
        "ratio_<target>.svg, roofline_<target>.svg (sweep.gp); the per-layer report of each best "
        "design in best_<target>/.\n";
  report::WriteFile(out / "summary.md", md.str());
  return terminal.str();
}

}  // namespace msqx::dse
