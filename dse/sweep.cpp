#include "dse/sweep.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "dse/analytic.h"
#include "dse/resource.h"

namespace msqx::dse {

const char* ToString(PointStatus s) {
  switch (s) {
    case PointStatus::kOk:
      return "ok";
    case PointStatus::kInvalid:
      return "invalid";
    case PointStatus::kInfeasible:
      return "infeasible";
    case PointStatus::kFailed:
      return "failed";
  }
  return "?";
}

nlohmann::json PointResult::ToJson() const {
  nlohmann::json j = {{"index", index},
                      {"network", network},
                      {"device", device},
                      {"status", ToString(status)},
                      {"reason", reason},
                      {"design", design},
                      {"lut", lut},
                      {"ff", ff},
                      {"dsp", dsp},
                      {"bram36", bram36},
                      {"uram", uram},
                      {"analytic_ms", analytic_ms},
                      {"simulated_ms", simulated_ms},
                      {"clock_mhz", clock_mhz},
                      {"ratio_fixed", ratio_fixed},
                      {"ratio_sp2", ratio_sp2}};
  if (retry)
    j["retry"] = true;  // only then: journals of points that need no retry stay as they were
  return j;
}

PointResult PointResult::FromJson(const nlohmann::json& j) {
  PointResult p;
  p.index = j.at("index").get<std::int64_t>();
  p.network = j.at("network").get<std::string>();
  p.device = j.at("device").get<std::string>();
  const std::string status = j.at("status").get<std::string>();
  p.status = status == "ok"        ? PointStatus::kOk
             : status == "invalid" ? PointStatus::kInvalid
             : status == "failed"  ? PointStatus::kFailed
                                   : PointStatus::kInfeasible;
  p.reason = j.at("reason").get<std::string>();
  p.design = j.at("design");
  p.retry = j.value("retry", false);
  for (auto [key, field] : {std::pair{"lut", &p.lut},
                            {"ff", &p.ff},
                            {"dsp", &p.dsp},
                            {"bram36", &p.bram36},
                            {"uram", &p.uram},
                            {"analytic_ms", &p.analytic_ms},
                            {"simulated_ms", &p.simulated_ms},
                            {"clock_mhz", &p.clock_mhz},
                            {"ratio_fixed", &p.ratio_fixed},
                            {"ratio_sp2", &p.ratio_sp2}}) {
    *field = j.at(key).get<double>();
  }
  return p;
}

std::string SweepCount::Text() const {
  return overflow ? "more than 9.2e18" : std::to_string(points);
}

SweepCount CountPoints(const spec::SweepSpec& spec) {
  SweepCount c;
  c.points = 1;
  const auto times = [&c](std::size_t n, const std::string& what) {
    c.factors += (c.factors.empty() ? "" : " x ") + std::to_string(n) + " " + what;
    if (!c.overflow && __builtin_mul_overflow(c.points, static_cast<std::int64_t>(n), &c.points))
      c.overflow = true;
  };
  for (const auto& axis : spec.axes) times(axis.values.size(), axis.key);
  times(spec.networks.size(), spec.networks.size() == 1 ? "network" : "networks");
  times(spec.devices.size(), spec.devices.size() == 1 ? "device" : "devices");
  return c;
}

namespace {

// FNV-1a: a fingerprint that is the same on every machine and build.
std::string Fingerprint(const std::string& text) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

nlohmann::json& At(nlohmann::json& design, const std::string& dotted) {
  const auto dot = dotted.find('.');
  if (dot == std::string::npos) return design[dotted];
  return design[dotted.substr(0, dot)][dotted.substr(dot + 1)];
}

int& EngineField(spec::DesignSpec& d, const std::string& key) {
  if (key == "dsp_engine.rows") return d.dsp_engine.rows;
  if (key == "dsp_engine.cols") return d.dsp_engine.cols;
  if (key == "lut_engine.rows") return d.lut_engine.rows;
  return d.lut_engine.cols;
}

// Steps an engine dimension takes: DSP rows go in pairs when a DSP computes two rows' products.
int Granule(const spec::DesignSpec& d, const std::string& key) {
  return key == "dsp_engine.rows" && d.dsp_engine.macs_per_dsp == 2 ? 2 : 1;
}

bool Fits(spec::DesignSpec& d, const spec::NetworkSpec& net,
          const spec::UtilizationLimits& limits) {
  return CheckFeasible(EstimateResources(d, net), d.device, limits).feasible;
}

// The largest value of an engine dimension, from its current value (which fits) up to 4096, whose
// design fits the limits. Resources grow with every engine dimension, so fitting values form a
// prefix and a binary search finds its end.
void GrowToFit(spec::DesignSpec& d, const std::string& key, const spec::NetworkSpec& net,
               const spec::UtilizationLimits& limits) {
  int& field = EngineField(d, key);
  const int g = Granule(d, key);
  int lo = field / g, hi = 4096 / g + 1;  // in granules: fits(lo), !fits(hi)
  while (hi - lo > 1) {
    const int mid = lo + (hi - lo) / 2;
    field = mid * g;
    (Fits(d, net, limits) ? lo : hi) = mid;
  }
  field = lo * g;
}

// Both engines grow together with lanes in the ratio's proportion, so that they finish a layer
// at about the same time (DOMAIN.md section 1); then each grows alone into what is left.
// Returns false when not even the smallest design fits.
bool FillEngines(spec::DesignSpec& d, const std::vector<std::string>& keys,
                 const spec::NetworkSpec& net, const spec::UtilizationLimits& limits) {
  std::vector<std::string> active;
  for (const auto& key : keys) {
    if (EngineField(d, key) != 0) active.push_back(key);  // 0: engine left out by the ratio
  }
  if (active.empty()) return true;
  const double fixed_share = d.ratio.FixedShare();
  // One step of `scale` adds about one lane to the engines in total.
  const auto apply = [&](int scale) {
    for (const auto& key : active) {
      const bool dsp = key.rfind("dsp_engine.", 0) == 0;
      const int other = dsp ? (key == "dsp_engine.rows" ? d.dsp_engine.cols : d.dsp_engine.rows)
                            : (key == "lut_engine.rows" ? d.lut_engine.cols : d.lut_engine.rows);
      const double lanes = scale * (dsp ? fixed_share : 1 - fixed_share);
      const int g = Granule(d, key);
      EngineField(d, key) =
          g *
          std::clamp(static_cast<int>(std::lround(lanes / std::max(1, other) / g)), 1, 4096 / g);
    }
  };
  int lo = 0, hi = 1 << 22;
  while (hi - lo > 1) {
    const int mid = lo + (hi - lo) / 2;
    apply(mid);
    (Fits(d, net, limits) ? lo : hi) = mid;
  }
  apply(std::max(lo, 1));
  if (!Fits(d, net, limits)) return false;
  for (const auto& key : active) GrowToFit(d, key, net, limits);
  return true;
}

}  // namespace

SweepPlan::SweepPlan(const spec::SweepSpec& spec, const spec::ConfigResolver& resolver)
    : spec_(spec), resolver_(resolver) {
  for (const auto& axis : spec.axes) per_target_ *= static_cast<std::int64_t>(axis.values.size());
  nlohmann::json canonical = {{"axes", nlohmann::json::array()}};
  for (const auto& axis : spec.axes) canonical["axes"].push_back({axis.key, axis.values});
  const auto& u = spec.max_utilization;
  canonical["limits"] = {u.lut, u.ff, u.dsp, u.bram36, u.uram};
  for (const auto& network : spec.networks) {
    for (const auto& device : spec.devices) {
      Target t;
      t.network_name = network;
      t.device_name = device;
      t.network = resolver.LoadNetwork(network, spec.source);
      t.base = spec::DesignToJson(resolver.LoadDesign(spec.base_designs.at(device), spec.source));
      canonical["targets"].push_back(
          {network, t.network.TotalMacs(), t.network.layers.size(), t.base});
      targets_.push_back(std::move(t));
    }
  }
  total_ = per_target_ * static_cast<std::int64_t>(targets_.size());
  fingerprint_ = Fingerprint(canonical.dump());
}

PointResult SweepPlan::Evaluate(std::int64_t index) const {
  const Target& t = targets_[static_cast<std::size_t>(index / per_target_)];
  PointResult p;
  p.index = index;
  p.network = t.network_name;
  p.device = t.device_name;

  nlohmann::json design = t.base;
  design["name"] =
      spec_.name + "-" + t.network.name + "-" + t.device_name + "-p" + std::to_string(index);
  std::vector<std::string> fill;
  std::int64_t combo = index % per_target_;
  for (auto axis = spec_.axes.rbegin(); axis != spec_.axes.rend(); ++axis) {  // last axis fastest
    const auto& v = axis->values[static_cast<std::size_t>(
        combo % static_cast<std::int64_t>(axis->values.size()))];
    combo /= static_cast<std::int64_t>(axis->values.size());
    if (v.is_string()) {
      fill.insert(fill.begin(), axis->key);
      At(design, axis->key) =
          2;  // a placeholder every engine dimension admits; FillEngines sets it
    } else {
      At(design, axis->key) = v;
    }
  }
  // An engine that the ratio gives no filters is left out, so that its resources go elsewhere.
  if (design["ratio"]["fixed"].get<double>() == 0)
    design["dsp_engine"]["rows"] = design["dsp_engine"]["cols"] = 0;
  if (design["ratio"]["sp2"].get<double>() == 0)
    design["lut_engine"]["rows"] = design["lut_engine"]["cols"] = 0;

  spec::DesignSpec d;
  try {
    d = spec::ParseDesign(
        spec::Document(design, spec_.source + " point " + std::to_string(index)).Root(), resolver_);
  } catch (const spec::ConfigError& e) {
    p.status = PointStatus::kInvalid;
    p.reason = e.json_path() + ": " + e.message();
    p.design = design;
    return p;
  }
  FillEngines(d, fill, t.network, spec_.max_utilization);  // a misfit is reported below
  p.design = spec::DesignToJson(d);
  p.clock_mhz = d.clock_mhz;
  p.ratio_fixed = d.ratio.fixed;
  p.ratio_sp2 = d.ratio.sp2;
  const ResourceEstimate r = EstimateResources(d, t.network);
  p.lut = r.total.lut;
  p.ff = r.total.ff;
  p.dsp = r.total.dsp;
  p.bram36 = r.total.Bram36();
  p.uram = r.total.uram;
  const Feasibility fit = CheckFeasible(r, d.device, spec_.max_utilization);
  if (!fit.feasible) {
    p.status = PointStatus::kInfeasible;
    p.reason = fit.Message();
    return p;
  }
  std::int64_t cycles = 0;
  try {
    cycles = AnalyticModel(d).Cycles(t.network);
  } catch (const spec::ConfigError& e) {  // a layer no tile of this design's buffers can hold
    p.status = PointStatus::kInvalid;
    p.reason = e.json_path() + ": " + e.message();
    return p;
  }
  p.analytic_ms = static_cast<double>(cycles) / (d.clock_mhz * 1e3);
  return p;
}

}  // namespace msqx::dse
