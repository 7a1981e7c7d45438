#include "sim/report/report.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "sim/report/file_io.h"

namespace msqx::report {
namespace fs = std::filesystem;

namespace {

double Share(std::int64_t part, std::int64_t whole) {
  return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

std::string Fixed(double v, int digits) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(digits) << v;
  return os.str();
}

// The path inside single quotes for sh -c, whatever characters it holds.
std::string ShellQuoted(const std::string& path) {
  std::string out = "'";
  for (char c : path) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Indices of the `n` layers with the most cycles, largest first.
std::vector<std::size_t> Dominant(const RunStats& stats, std::size_t n) {
  std::vector<std::size_t> order(stats.layers.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return stats.layers[a].cycles > stats.layers[b].cycles;
  });
  order.resize(std::min(n, order.size()));
  return order;
}

bool HaveGnuplot() { return std::system("command -v gnuplot >/dev/null 2>&1") == 0; }

std::string PlotScript() {
  // Stacked bars: engine-busy cycles (the slower engine) and stall cycles per layer.
  return R"(set terminal svg size 1400,600 dynamic font "sans,10"
set output "layers.svg"
set datafile separator ","
set title "Cycles per layer"
set ylabel "cycles"
set style data histograms
set style histogram rowstacked
set style fill solid 0.8 border -1
set boxwidth 0.8
set xtics rotate by -60 font ",7"
set key top right
plot "layers.csv" using (column("cycles")-column("stall_load")-column("stall_store")-column("stall_fill")):xtic(1) title "compute", \
     "" using "stall_load" title "waiting for loads", \
     "" using "stall_store" title "waiting for stores", \
     "" using "stall_fill" title "fill, first load, last store"
)";
}

}  // namespace

Headline HeadlineOf(const RunStats& stats, double clock_mhz) {
  Headline h;
  h.cycles = stats.TotalCycles();
  h.latency_ms = static_cast<double>(h.cycles) / (clock_mhz * 1e3);
  h.fps = h.latency_ms > 0 ? 1e3 / h.latency_ms : 0;
  h.gops =
      h.latency_ms > 0 ? 2.0 * static_cast<double>(stats.TotalMacs()) / (h.latency_ms * 1e6) : 0;
  for (const auto& l : stats.layers) {
    h.stall_load += l.stall_load;
    h.stall_store += l.stall_store;
    h.stall_fill += l.stall_fill;
  }
  return h;
}

Efficiency EfficiencyOf(const RunStats& stats, const spec::DesignSpec& d) {
  Efficiency e;
  e.lanes = std::int64_t{d.dsp_engine.Lanes()} + d.lut_engine.Lanes();
  const std::int64_t cycles = stats.TotalCycles();
  if (cycles > 0 && e.lanes > 0) {
    e.mac_utilization =
        static_cast<double>(stats.TotalMacs()) / (static_cast<double>(cycles) * e.lanes);
  }
  e.bytes = stats.TotalBytesRead() + stats.TotalBytesWritten();
  const double ports =
      d.dma.axi_ports * d.device.axi.width_bits / 8.0 * d.device.axi.clock_mhz * 1e6;
  e.bandwidth_gbps =
      std::min(d.device.ddr.peak_gbps * 1e9 * d.device.ddr.efficiency.seq_read, ports) / 1e9;
  if (e.bandwidth_gbps > 0) e.roofline_ms = static_cast<double>(e.bytes) / (e.bandwidth_gbps * 1e6);
  if (e.lanes > 0 && e.bandwidth_gbps > 0 && d.clock_mhz > 0) {
    for (const auto& l : stats.layers) {
      const double peak_ms =
          static_cast<double>(l.macs) / static_cast<double>(e.lanes) / (d.clock_mhz * 1e3);
      const double ddr_ms =
          static_cast<double>(l.bytes_read + l.bytes_written) / (e.bandwidth_gbps * 1e6);
      e.bound_ms += std::max(peak_ms, ddr_ms);
      if (ddr_ms > peak_ms) e.ddr_bound_ms += ddr_ms;
    }
    if (e.bound_ms > 0) {
      const double bound_cycles = e.bound_ms * d.clock_mhz * 1e3;
      e.utilization_ceiling =
          static_cast<double>(stats.TotalMacs()) / (bound_cycles * static_cast<double>(e.lanes));
    }
  }
  return e;
}

nlohmann::json ReportJson(const spec::DesignSpec& design, const spec::NetworkSpec& network,
                          const RunStats& stats, const RunInfo& info) {
  const Headline h = HeadlineOf(stats, design.clock_mhz);
  const Efficiency e = EfficiencyOf(stats, design);
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& l : stats.layers) {
    layers.push_back({{"name", l.name},
                      {"kind", l.kind},
                      {"cycles", l.cycles},
                      {"dsp_busy_cycles", l.dsp_busy},
                      {"lut_busy_cycles", l.lut_busy},
                      {"vector_busy_cycles", l.vector_busy},
                      {"stall_cycles",
                       {{"load", l.stall_load}, {"store", l.stall_store}, {"fill", l.stall_fill}}},
                      {"bytes_read", l.bytes_read},
                      {"bytes_written", l.bytes_written},
                      {"macs", l.macs},
                      {"fixed_filters", l.fixed_filters},
                      {"sp2_filters", l.sp2_filters},
                      {"fused", l.fused}});
    if (!l.function.empty()) layers.back()["function"] = l.function;
    if (l.kind == "concat") layers.back()["in_place"] = l.in_place;
  }
  return {
      {"schema", "msqx.report/1"},
      {"tool", {{"name", "msqx"}, {"version", info.tool_version}, {"git", info.git_hash}}},
      {"command_line", info.command_line},
      {"fidelity", stats.fidelity},
      {"design", spec::DesignToJson(design)},
      {"network",
       {{"name", network.name}, {"source", network.source}, {"layers", network.layers.size()}}},
      {"device", design.device.name},
      {"clock_mhz", design.clock_mhz},
      {"totals",
       {{"cycles", h.cycles},
        {"latency_ms", h.latency_ms},
        {"fps", h.fps},
        {"gops", h.gops},
        {"macs", stats.TotalMacs()},
        {"bytes_read", stats.TotalBytesRead()},
        {"bytes_written", stats.TotalBytesWritten()},
        {"stall_cycles",
         {{"load", h.stall_load}, {"store", h.stall_store}, {"fill", h.stall_fill}}},
        {"mac_lanes", e.lanes},
        {"mac_utilization", e.mac_utilization},
        {"ddr_bandwidth_gbps", e.bandwidth_gbps},
        {"ddr_roofline_ms", e.roofline_ms},
        {"layer_bound_ms", e.bound_ms},
        {"mac_utilization_ceiling", e.utilization_ceiling}}},
      {"resources", info.resources},
      {"layers", layers},
      {"wall_seconds", stats.wall_seconds},
  };
}

std::string LayersCsv(const RunStats& stats, double clock_mhz) {
  std::ostringstream os;
  os << "layer,kind,cycles,dsp_busy,lut_busy,vector_busy,stall_load,stall_store,stall_fill,"
        "bytes_read,bytes_written,macs,gops,dsp_utilization,lut_utilization,fixed_filters,"
        "sp2_filters,fused\n";
  for (const auto& l : stats.layers) {
    const double seconds = static_cast<double>(l.cycles) / (clock_mhz * 1e6);
    os << l.name << ',' << l.kind << ',' << l.cycles << ',' << l.dsp_busy << ',' << l.lut_busy
       << ',' << l.vector_busy << ',' << l.stall_load << ',' << l.stall_store << ',' << l.stall_fill
       << ',' << l.bytes_read << ',' << l.bytes_written << ',' << l.macs << ','
       << Fixed(seconds > 0 ? 2.0 * l.macs / seconds / 1e9 : 0, 3) << ','
       << Fixed(Share(l.dsp_busy, l.cycles), 4) << ',' << Fixed(Share(l.lut_busy, l.cycles), 4)
       << ',' << l.fixed_filters << ',' << l.sp2_filters << ',' << (l.fused ? 1 : 0) << '\n';
  }
  return os.str();
}

void PrintSummary(std::ostream& os, const spec::DesignSpec& design,
                  const spec::NetworkSpec& network, const RunStats& stats, const RunInfo& info) {
  const Headline h = HeadlineOf(stats, design.clock_mhz);
  os << network.name << " on " << design.name << " (" << design.device.name << ", "
     << design.clock_mhz << " MHz), " << stats.fidelity << " fidelity\n";
  os << "  latency      " << Fixed(h.latency_ms, 3) << " ms (" << h.cycles << " cycles)\n";
  os << "  throughput   " << Fixed(h.fps, 1) << " frames/s, " << Fixed(h.gops, 1)
     << " GOPS effective\n";
  if (info.resources.is_object() && info.resources.contains("total")) {
    const auto& t = info.resources["total"];
    const auto& u = info.resources["utilization"];
    os << "  resources    ";
    for (const char* r : {"lut", "ff", "dsp", "bram36"}) {
      if (!t.contains(r)) continue;
      os << r << " " << t[r].dump() << " (" << Fixed(100 * u.value(r, 0.0), 1) << " %)  ";
    }
    os << "\n";
  }
  os << "  dominant     ";
  for (std::size_t i : Dominant(stats, 3)) {
    os << stats.layers[i].name << " " << Fixed(100 * Share(stats.layers[i].cycles, h.cycles), 1)
       << " %  ";
  }
  os << "\n  stalls       waiting for loads " << Fixed(100 * Share(h.stall_load, h.cycles), 1)
     << " %, for stores " << Fixed(100 * Share(h.stall_store, h.cycles), 1) << " %, fill/prologue "
     << Fixed(100 * Share(h.stall_fill, h.cycles), 1) << " % of cycles\n";
  const Efficiency e = EfficiencyOf(stats, design);
  os << "  utilization  " << Fixed(100 * e.mac_utilization, 1) << " % of " << e.lanes
     << " MAC lanes busy with useful MACs\n";
  os << "  DDR          " << Fixed(static_cast<double>(e.bytes) / 1e6, 1) << " MB moved: roofline "
     << Fixed(e.roofline_ms, 3) << " ms at " << Fixed(e.bandwidth_gbps, 2) << " GB/s\n";
  if (e.bound_ms > 0) {
    os << "  bound        " << Fixed(e.bound_ms, 3)
       << " ms, each layer at its MAC peak or DDR roofline (latency "
       << Fixed(h.latency_ms / e.bound_ms, 2) << "x); utilization ceiling "
       << Fixed(100 * e.utilization_ceiling, 1) << " %\n";
  }
}

std::string SummaryMarkdown(const spec::DesignSpec& design, const spec::NetworkSpec& network,
                            const RunStats& stats, const RunInfo& info) {
  std::ostringstream os;
  const Headline h = HeadlineOf(stats, design.clock_mhz);
  os << "# " << network.name << " on " << design.name << "\n\n";
  os << "```\n";
  PrintSummary(os, design, network, stats, info);
  os << "```\n\n| layer | kind | cycles | share | DSP busy | LUT busy | load stall | store stall "
        "|\n"
        "|---|---|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& l : stats.layers) {
    os << "| " << l.name << " | " << l.kind << (l.function.empty() ? "" : " " + l.function)
       << (l.fused ? " (fused)" : "") << (l.in_place ? " (in place)" : "") << " | " << l.cycles
       << " | " << Fixed(100 * Share(l.cycles, h.cycles), 1) << " % | "
       << Fixed(100 * Share(l.dsp_busy, l.cycles), 0) << " % | "
       << Fixed(100 * Share(l.lut_busy, l.cycles), 0) << " % | " << l.stall_load << " | "
       << l.stall_store << " |\n";
  }
  os << "\nmsqx " << info.tool_version << " (git " << info.git_hash << "): `" << info.command_line
     << "`\n";
  return os.str();
}

namespace {

bool IsCompleteSvg(const fs::path& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return false;
  const std::streamoff size = in.tellg();
  if (size < 6) return false;
  const std::streamoff tail = std::min<std::streamoff>(size, 64);
  std::string end(static_cast<std::size_t>(tail), '\0');
  in.seekg(size - tail);
  in.read(end.data(), tail);
  return end.find("</svg>") != std::string::npos;
}

}  // namespace

std::string RunGnuplot(const std::string& dir, const std::string& script,
                       const std::vector<std::string>& outputs) {
  if (!HaveGnuplot()) {
    return "gnuplot is not installed (scripts/setup installs it); " + script +
           " is the plot script";
  }
  const std::string cmd = "cd " + ShellQuoted(dir) + " && gnuplot " + script + " 2>gnuplot.log";
  const bool ran = std::system(cmd.c_str()) == 0;
  // A plot cut short (a full disk) must not stay behind looking like one.
  bool complete = ran;
  for (const std::string& name : outputs) {
    if (IsCompleteSvg(fs::path(dir) / name)) continue;
    complete = false;
    std::error_code ec;
    fs::remove(fs::path(dir) / name, ec);
  }
  if (!complete) return "gnuplot failed; see gnuplot.log";
  std::error_code ec;
  fs::remove(fs::path(dir) / "gnuplot.log", ec);
  return "";
}

std::string WriteRunReport(const std::string& dir, const spec::DesignSpec& design,
                           const spec::NetworkSpec& network, const RunStats& stats,
                           const RunInfo& info, std::string* note) {
  const fs::path work(dir);
  MakeDirectories(work);
  WriteFile(work / "design.json", spec::DesignToJson(design).dump(2) + "\n");
  WriteFile(work / "layers.csv", LayersCsv(stats, design.clock_mhz));
  WriteFile(work / "summary.md", SummaryMarkdown(design, network, stats, info));
  WriteFile(work / "layers.gp", PlotScript());
  const std::string plot_note = RunGnuplot(dir, "layers.gp", {"layers.svg"});
  if (note) *note = plot_note;
  // report.json last: its presence marks a finished run.
  WriteFile(work / "report.json", ReportJson(design, network, stats, info).dump(2) + "\n");
  return plot_note.empty() ? "layers.svg" : "";
}

void WriteReportFiles(const std::string& dir,
                      const std::vector<std::pair<std::string, std::string>>& files) {
  MakeDirectories(dir);
  for (const auto& [name, text] : files) WriteFile(fs::path(dir) / name, text);
}

}  // namespace msqx::report
