#include "sim/io/quant_report.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "sim/io/weights.h"
#include "sim/report/file_io.h"
#include "sim/spec/json_reader.h"

namespace msqx::io {

namespace {

quant::QuantSettings SettingsFor(const spec::NetworkSpec& net, std::size_t index, int sp2_m1) {
  const spec::Layer& l = net.layers[index];
  try {
    quant::QuantSettings s = quant::QuantSettings::ForBits(l.weight_bits);
    if (sp2_m1 > 0) {
      s.sp2 = {sp2_m1, l.weight_bits - 1 - sp2_m1};
      s.sp2.Validate();
    }
    return s;
  } catch (const std::invalid_argument& e) {
    throw spec::ConfigError(net.source, "$.layers[" + std::to_string(index) + "].weight_bits",
                            std::string("layer '") + l.name + "': " + e.what());
  }
}

// JSON has no infinity: an error-free SQNR is null, with "exact": true beside it.
nlohmann::json ErrorJson(const quant::ErrorStats& e) {
  const double sqnr = e.SqnrDb();
  nlohmann::json j = {{"mse", e.Mse()}, {"exact", e.sum_sq_error == 0}};
  j["sqnr_db"] = std::isfinite(sqnr) ? nlohmann::json(sqnr) : nlohmann::json(nullptr);
  return j;
}

std::string Num(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

QuantReport BuildQuantReport(const spec::NetworkSpec& net, const std::string& weights_dir,
                             const quant::Ratio& ratio, int sp2_m1) {
  QuantReport r;
  r.sp2_m1 = sp2_m1;
  r.network = net.name;
  r.weights_dir = weights_dir;
  r.ratio = ratio;
  if (!weights_dir.empty() && !std::filesystem::is_directory(weights_dir)) {
    throw spec::ConfigError(weights_dir, "$", "expected a folder of <layer>.npy weight files");
  }
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const spec::Layer& l = net.layers[i];
    if (!l.HasWeights()) continue;
    const quant::QuantSettings settings = SettingsFor(net, i, sp2_m1);
    LayerQuantRow row;
    row.layer = l.name;
    row.kind = spec::ToString(l.kind);
    row.weight_bits = l.weight_bits;
    row.sp2_m1 = settings.sp2.m1;
    row.sp2_m2 = settings.sp2.m2;
    row.filters = l.out_channels;
    if (weights_dir.empty()) {
      row.schemes = quant::SplitByCount(l.out_channels, ratio);
      row.fixed_filters = quant::FixedFilterCount(l.out_channels, ratio);
    } else {
      const LayerWeights w = LoadLayerWeights(weights_dir, l, net);
      const quant::LayerError e = quant::AnalyzeLayer(w.matrix, ratio, settings);
      row.has_weights = true;
      row.schemes = e.schemes;
      row.fixed_filters = e.fixed_filters;
      row.fixed_only = e.fixed_only;
      row.sp2_only = e.sp2_only;
      row.mixed = e.mixed;
      r.fixed_only.Add(e.fixed_only);
      r.sp2_only.Add(e.sp2_only);
      r.mixed.Add(e.mixed);
    }
    r.layers.push_back(std::move(row));
  }
  return r;
}

nlohmann::json ToJson(const QuantReport& report) {
  nlohmann::json layers = nlohmann::json::array();
  for (const LayerQuantRow& row : report.layers) {
    nlohmann::json fixed_indices = nlohmann::json::array();
    for (std::size_t f = 0; f < row.schemes.size(); ++f) {
      if (row.schemes[f] == quant::Scheme::kFixed) fixed_indices.push_back(f);
    }
    nlohmann::json j = {{"layer", row.layer},
                        {"type", row.kind},
                        {"weight_bits", row.weight_bits},
                        {"sp2_split", {{"m1", row.sp2_m1}, {"m2", row.sp2_m2}}},
                        {"filters", row.filters},
                        {"fixed_filters", row.fixed_filters},
                        {"sp2_filters", row.filters - row.fixed_filters},
                        {"fixed_filter_indices", fixed_indices},
                        {"split", row.has_weights ? "variance" : "count"}};
    if (row.has_weights) {
      j["error"] = {{"fixed_only", ErrorJson(row.fixed_only)},
                    {"sp2_only", ErrorJson(row.sp2_only)},
                    {"mixed", ErrorJson(row.mixed)}};
    }
    layers.push_back(j);
  }
  nlohmann::json j = {{"network", report.network},
                      {"ratio", report.ratio.ToString()},
                      {"weights", report.weights_dir.empty() ? nlohmann::json(nullptr)
                                                             : nlohmann::json(report.weights_dir)},
                      {"layers", layers}};
  if (!report.weights_dir.empty()) {
    j["total_error"] = {{"fixed_only", ErrorJson(report.fixed_only)},
                        {"sp2_only", ErrorJson(report.sp2_only)},
                        {"mixed", ErrorJson(report.mixed)}};
  }
  return j;
}

std::string ToCsv(const QuantReport& report) {
  std::ostringstream s;
  s << "layer,type,weight_bits,filters,fixed_filters,sp2_filters,split,"
       "fixed_mse,fixed_sqnr_db,sp2_mse,sp2_sqnr_db,mixed_mse,mixed_sqnr_db\n";
  for (const LayerQuantRow& row : report.layers) {
    s << row.layer << "," << row.kind << "," << row.weight_bits << "," << row.filters << ","
      << row.fixed_filters << "," << row.filters - row.fixed_filters << ","
      << (row.has_weights ? "variance" : "count");
    if (row.has_weights) {
      for (const quant::ErrorStats* e : {&row.fixed_only, &row.sp2_only, &row.mixed}) {
        s << "," << Num(e->Mse()) << "," << Num(e->SqnrDb());
      }
    } else {
      s << ",,,,,,";
    }
    s << "\n";
  }
  return s.str();
}

std::string ToTable(const QuantReport& report) {
  std::ostringstream s;
  s << "network " << report.network << ", ratio fixed:SP2 = " << report.ratio.ToString()
    << (report.weights_dir.empty() ? " (no weights: split by count)\n" : "\n");
  char line[160];
  std::snprintf(line, sizeof line, "%-24s %5s %8s %6s %6s  %12s %12s %12s\n", "layer", "type",
                "filters", "fixed", "sp2", "fixed SQNR", "SP2 SQNR", "mixed SQNR");
  s << line;
  for (const LayerQuantRow& row : report.layers) {
    std::snprintf(line, sizeof line, "%-24s %5s %8d %6d %6d  %12s %12s %12s\n", row.layer.c_str(),
                  row.kind.c_str(), row.filters, row.fixed_filters, row.filters - row.fixed_filters,
                  row.has_weights ? (Num(row.fixed_only.SqnrDb()) + " dB").c_str() : "-",
                  row.has_weights ? (Num(row.sp2_only.SqnrDb()) + " dB").c_str() : "-",
                  row.has_weights ? (Num(row.mixed.SqnrDb()) + " dB").c_str() : "-");
    s << line;
  }
  if (!report.weights_dir.empty()) {
    s << "network SQNR: fixed-only " << Num(report.fixed_only.SqnrDb()) << " dB, SP2-only "
      << Num(report.sp2_only.SqnrDb()) << " dB, mixed " << Num(report.mixed.SqnrDb()) << " dB\n";
  }
  return s.str();
}

void WriteQuantReport(const QuantReport& report, const std::string& out_dir) {
  report::MakeDirectories(out_dir);
  report::WriteFile(std::filesystem::path(out_dir) / "quant.csv", ToCsv(report));
  report::WriteFile(std::filesystem::path(out_dir) / "quant.json", ToJson(report).dump(2) + "\n");
}

}  // namespace msqx::io
