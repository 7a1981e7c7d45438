#include "dse/sweep_output.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "models/spec/config_error.h"
#include "sim/report/file_io.h"
#include "sim/spec/json_reader.h"

namespace msqx::dse {
namespace fs = std::filesystem;

namespace {

constexpr const char* kJournal = "journal.jsonl";

std::string HeaderLine(const JournalHeader& h) {
  return nlohmann::json{{"sweep", h.sweep},
                        {"fingerprint", h.fingerprint},
                        {"points", h.points},
                        {"shard", h.shard},
                        {"shards", h.shards}}
      .dump();
}

std::string Num(double v, int digits = 4) {
  std::ostringstream os;
  os << std::setprecision(digits) << std::fixed << v;
  return os.str();
}

std::string RatioText(const PointResult& p) {
  if (p.ratio_sp2 == 0) return "fixed-only";
  if (p.ratio_fixed == 0) return "SP2-only";
  std::ostringstream os;
  os << "1:" << p.ratio_sp2 / p.ratio_fixed;
  return os.str();
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

}  // namespace

Journal::Journal(const std::string& dir, const JournalHeader& h)
    : path_((fs::path(dir) / kJournal).string()), flushed_(std::chrono::steady_clock::now()) {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) throw report::IoError(path_, "open", errno);
  struct stat st;
  if (::fstat(fd_, &st) != 0) {
    const int error = errno;
    ::close(fd_);
    throw report::IoError(path_, "inspect", error);
  }
  size_ = st.st_size;
  if (size_ == 0) {
    try {
      WriteLine(HeaderLine(h), true);
    } catch (...) {
      ::close(fd_);
      throw;
    }
  }
}

Journal::~Journal() {
  if (fd_ >= 0) ::close(fd_);
}

void Journal::WriteLine(const std::string& line, bool flush) {
  const std::string text = line + "\n";
  if (const int error = report::WriteAll(fd_, text)) {
    // Cut off what did get written, so that the journal ends with a whole line.
    if (::ftruncate(fd_, size_) != 0) {
    }
    throw report::IoError(path_, "append to", error);
  }
  size_ += static_cast<std::int64_t>(text.size());
  const auto now = std::chrono::steady_clock::now();
  if (flush || now - flushed_ > std::chrono::seconds(1)) Flush();
}

void Journal::Flush() {
  if (::fdatasync(fd_) != 0 && errno != EINVAL) throw report::IoError(path_, "flush", errno);
  flushed_ = std::chrono::steady_clock::now();
}

void Journal::Append(const PointResult& p, bool flush) { WriteLine(p.ToJson().dump(), flush); }

void Journal::End(const JournalEnd& end) {
  WriteLine(
      nlohmann::json{
          {"end", true}, {"shard_points", end.shard_points}, {"analytic_only", end.analytic_only}}
          .dump(),
      true);
}

void WriteJournal(const std::string& dir, const JournalHeader& h,
                  const std::map<std::int64_t, PointResult>& points) {
  std::string text = HeaderLine(h) + "\n";
  for (const auto& entry : points) text += entry.second.ToJson().dump() + "\n";
  const fs::path path = fs::path(dir) / kJournal, tmp = fs::path(dir) / "journal.jsonl.tmp";
  report::WriteFile(tmp, text);
  report::Sync(tmp);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    throw report::IoError(path.string(), "rename " + tmp.string() + " to", errno);
  }
}

bool HasJournal(const std::string& dir) {
  std::error_code ec;
  return fs::is_regular_file(fs::path(dir) / kJournal, ec);
}

JournalContents ReadJournal(const std::string& dir) {
  const std::string path = (fs::path(dir) / kJournal).string();
  if (!HasJournal(dir))
    throw spec::ConfigError(path, "$", "no sweep journal here (is this a sweep's output folder?)");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw report::IoError(path, "read", errno);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(std::move(line));
  if (in.bad()) throw report::IoError(path, "read", errno);
  JournalContents c;
  c.torn = !lines.empty() && !lines.back().empty() && !nlohmann::json::accept(lines.back());
  if (c.torn) lines.pop_back();
  if (lines.empty() || lines[0].empty()) throw spec::ConfigError(path, "line 1", "empty journal");
  for (std::size_t number = 1; number <= lines.size(); ++number) {
    const std::string& text = lines[number - 1];
    if (text.empty()) continue;
    const std::string where = "line " + std::to_string(number);
    try {
      const auto j = nlohmann::json::parse(text);
      if (number == 1) {
        c.header = {j.at("sweep").get<std::string>(), j.at("fingerprint").get<std::string>(),
                    j.at("points").get<std::int64_t>(), j.at("shard").get<int>(),
                    j.at("shards").get<int>()};
        if (c.header.shards < 1 || c.header.shard < 1 || c.header.shard > c.header.shards ||
            c.header.points < 0)
          throw std::out_of_range("shard or point count out of range");
        continue;
      }
      if (j.contains("end")) {  // counts only as the last record: a resumed run appends after it
        c.end =
            JournalEnd{j.at("shard_points").get<std::int64_t>(), j.at("analytic_only").get<bool>()};
        continue;
      }
      c.end.reset();
      PointResult p = PointResult::FromJson(j);
      if (p.index < 0 || p.index >= c.header.points) throw std::out_of_range("index out of range");
      c.points[p.index] = std::move(p);
    } catch (const std::exception& e) {
      throw spec::ConfigError(path, where,
                              std::string("corrupt journal record: ") + spec::Elide(e.what(), 200));
    }
  }
  return c;
}

std::string TargetLabel(const std::string& name_or_path) {
  if (name_or_path.find('/') == std::string::npos && fs::path(name_or_path).extension() != ".json")
    return name_or_path;
  return fs::path(name_or_path).stem().string();
}

std::string WriteSweepResults(const std::string& dir, const std::string& sweep_name,
                              const std::vector<PointResult>& points,
                              const std::string& partial_note) {
  const fs::path out(dir);
  report::MakeDirectories(out);

  std::ostringstream csv;
  csv << "index,network,device,status,ratio_fixed,ratio_sp2,dsp_rows,dsp_cols,macs_per_dsp,"
         "lut_rows,lut_cols,clock_mhz,tile_out_rows,tile_out_cols,tile_out_channels,"
         "tile_in_channels,burst_beats,lut,ff,dsp,bram36,uram,analytic_ms,simulated_ms,"
         "latency_ms,throughput_fps,reason\n";
  for (const auto& p : points) {
    const auto& d = p.design;
    const auto get = [&](const char* a, const char* b) {
      return d.contains(a) && d[a].contains(b) ? d[a][b].dump() : "";
    };
    std::string reason = p.reason;
    std::replace(reason.begin(), reason.end(), ',', ';');
    std::replace(reason.begin(), reason.end(), '\n', ' ');
    const bool ok = p.status == PointStatus::kOk;
    csv << p.index << ',' << p.network << ',' << p.device << ',' << ToString(p.status) << ','
        << get("ratio", "fixed") << ',' << get("ratio", "sp2") << ',' << get("dsp_engine", "rows")
        << ',' << get("dsp_engine", "cols") << ',' << get("dsp_engine", "macs_per_dsp") << ','
        << get("lut_engine", "rows") << ',' << get("lut_engine", "cols") << ','
        << (d.contains("clock_mhz") ? d["clock_mhz"].dump() : "") << ',' << get("tile", "out_rows")
        << ',' << get("tile", "out_cols") << ',' << get("tile", "out_channels") << ','
        << get("tile", "in_channels") << ',' << get("dma", "burst_beats") << ',' << p.lut << ','
        << p.ff << ',' << p.dsp << ',' << p.bram36 << ',' << p.uram << ','
        << (ok ? Num(p.analytic_ms, 6) : "") << ','
        << (ok && p.simulated_ms >= 0 ? Num(p.simulated_ms, 6) : "") << ','
        << (ok ? Num(p.LatencyMs(), 6) : "") << ',' << (ok ? Num(p.Fps(), 3) : "") << ',' << reason
        << '\n';
  }
  report::WriteFile(out / "points.csv", csv.str());

  // Group feasible points by network and device (in the order they first appear).
  std::vector<std::pair<std::string, std::string>> pairs;
  std::map<std::pair<std::string, std::string>, std::vector<const PointResult*>> groups;
  std::map<std::pair<std::string, std::string>, int> failed;
  for (const auto& p : points) {
    const auto key = std::make_pair(p.network, p.device);
    if (!groups.count(key) && !failed.count(key)) pairs.push_back(key);
    if (p.status == PointStatus::kOk) {
      groups[key].push_back(&p);
    } else {
      ++failed[key];
    }
  }

  std::ostringstream pareto;
  pareto << "front,network,device,index,ratio,latency_ms,throughput_fps,lut,dsp,fps_per_klut,fps_"
            "per_dsp\n";
  std::ostringstream summary;
  summary << "# Sweep " << sweep_name << "\n\n"
          << (partial_note.empty() ? "" : "**Partial result:** " + partial_note + "\n\n")
          << "| network | device | points | feasible | best ratio | latency (ms) | frames/s | "
             "speed-up over fixed-only | LUT | DSP | BRAM36 | latency from |\n"
          << "|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---|\n";
  std::ostringstream terminal;
  for (const auto& key : pairs) {
    const auto& pts = groups[key];
    for (auto [front_name, cost] : {std::pair{"latency_vs_lut", &PointResult::lut},
                                    std::pair{"latency_vs_dsp", &PointResult::dsp}}) {
      for (std::size_t i : Front(pts, cost)) {
        const PointResult& p = *pts[i];
        pareto << front_name << ',' << p.network << ',' << p.device << ',' << p.index << ','
               << RatioText(p) << ',' << Num(p.LatencyMs(), 6) << ',' << Num(p.Fps(), 3) << ','
               << p.lut << ',' << p.dsp << ',' << Num(p.Fps() / std::max(1.0, p.lut / 1000), 4)
               << ',' << Num(p.dsp > 0 ? p.Fps() / p.dsp : 0, 4) << '\n';
      }
    }
    const std::size_t total = pts.size() + static_cast<std::size_t>(failed[key]);
    if (pts.empty()) {
      summary << "| " << key.first << " | " << key.second << " | " << total
              << " | 0 | none fits | | | | | | | |\n";
      terminal << key.first << " on " << key.second << ": no feasible point\n";
      continue;
    }
    const auto by_latency = [](const PointResult* a, const PointResult* b) {
      return a->LatencyMs() != b->LatencyMs() ? a->LatencyMs() < b->LatencyMs()
                                              : a->index < b->index;
    };
    const PointResult& best = **std::min_element(pts.begin(), pts.end(), by_latency);
    std::vector<const PointResult*> fixed_only;
    for (const auto* p : pts) {
      if (p->ratio_sp2 == 0) fixed_only.push_back(p);
    }
    const double speedup =
        fixed_only.empty()
            ? 0
            : (*std::min_element(fixed_only.begin(), fixed_only.end(), by_latency))->LatencyMs() /
                  best.LatencyMs();
    nlohmann::json design = best.design;
    design["name"] = sweep_name + "-best-" + key.first + "-" + key.second;
    design["network"] = key.first;
    report::WriteFile(
        out / ("best_design_" + TargetLabel(key.first) + "_" + TargetLabel(key.second) + ".json"),
        design.dump(2) + "\n");
    const char* source = best.simulated_ms >= 0 ? "cycle" : "analytic";
    summary << "| " << key.first << " | " << key.second << " | " << total << " | " << pts.size()
            << " | " << RatioText(best) << " | " << Num(best.LatencyMs(), 3) << " | "
            << Num(best.Fps(), 1) << " | " << (speedup > 0 ? Num(speedup, 2) + "x" : "n/a") << " | "
            << best.lut << " | " << best.dsp << " | " << best.bram36 << " | " << source << " |\n";
    terminal << key.first << " on " << key.second << ": best ratio " << RatioText(best) << ", "
             << Num(best.LatencyMs(), 3) << " ms, " << Num(best.Fps(), 1) << " frames/s"
             << (speedup > 0 ? ", " + Num(speedup, 2) + "x faster than fixed-only" : "") << " ("
             << source << " latency; " << pts.size() << "/" << total << " points feasible)\n";
  }
  report::WriteFile(out / "pareto.csv", pareto.str());

  // The analytic model against the cycle fidelity on every point that was simulated.
  std::vector<double> errors;
  std::int64_t sim_failed = 0;
  for (const auto& p : points) {
    sim_failed += p.status == PointStatus::kFailed;
    if (p.status == PointStatus::kOk && p.simulated_ms > 0 && p.analytic_ms > 0) {
      errors.push_back(100 * (p.analytic_ms - p.simulated_ms) / p.simulated_ms);
    }
  }
  if (!errors.empty()) {
    std::vector<double> magnitude;
    for (double e : errors) magnitude.push_back(std::abs(e));
    std::sort(magnitude.begin(), magnitude.end());
    const double median =
        magnitude.size() % 2
            ? magnitude[magnitude.size() / 2]
            : (magnitude[magnitude.size() / 2 - 1] + magnitude[magnitude.size() / 2]) / 2;
    const double worst = *std::max_element(
        errors.begin(), errors.end(), [](double a, double b) { return std::abs(a) < std::abs(b); });
    const double under = 100.0 *
                         static_cast<double>(std::count_if(errors.begin(), errors.end(),
                                                           [](double e) { return e < 0; })) /
                         static_cast<double>(errors.size());
    summary << "\n## Analytic model against the cycle fidelity\n\n"
            << errors.size() << " simulated points: median error " << Num(median, 1)
            << " %, max error " << Num(worst, 1)
            << " % ((analytic - cycle) / cycle; the analytic latency is lower on " << Num(under, 0)
            << " % of the points). The analytic model only prunes; latencies above come "
               "from the cycle fidelity where a point was simulated.\n";
    terminal << "analytic model vs cycle fidelity on " << errors.size()
             << " simulated points: median error " << Num(median, 1) << " %, max " << Num(worst, 1)
             << " %\n";
  }
  if (sim_failed > 0) {
    summary << "\n"
            << sim_failed
            << " points failed in cycle simulation; points.csv gives each one's reason.\n";
    terminal << sim_failed << " points failed in cycle simulation (reasons in points.csv)\n";
  }
  summary << "\nFiles: points.csv (every point), pareto.csv (latency vs LUT and vs DSP fronts), "
             "best_design_<network>_<device>.json (valid `msqx sim` designs), journal.jsonl; plots "
             "pareto_lut_<network>_<device>.svg, pareto_dsp_<network>_<device>.svg, "
             "ratio_<network>.svg "
             "(sweep.gp); per-layer report of each best point in best_<network>_<device>/.\n";
  report::WriteFile(out / "summary.md", summary.str());
  return terminal.str();
}

}  // namespace msqx::dse
