#include "dse/sweep.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <sstream>

#include "dse/analytic.h"
#include "dse/explore.h"
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

std::string SweepTarget::Label() const {
  std::string label = network + "_" + device;
  if (budget_named) label += "_" + std::to_string(static_cast<int>(std::lround(budget * 100)));
  return label;
}

std::string SweepTarget::Title() const {
  std::string title = network + " on " + device;
  if (budget_named) {
    title += ", " + std::to_string(static_cast<int>(std::lround(budget * 100))) + " % budget";
  }
  return title;
}

nlohmann::json SweepTarget::ToJson() const {
  return {{"network", network},
          {"network_ref", network_ref},
          {"device", device},
          {"budget", budget},
          {"budget_named", budget_named}};
}

SweepTarget SweepTarget::FromJson(const nlohmann::json& j) {
  SweepTarget t;
  t.network = j.at("network").get<std::string>();
  t.network_ref = j.at("network_ref").get<std::string>();
  t.device = j.at("device").get<std::string>();
  t.budget = j.at("budget").get<double>();
  t.budget_named = j.at("budget_named").get<bool>();
  return t;
}

namespace {

// The numbers of a point's record, by name (one list for writing and reading).
template <class Point, class F>
void ForEachNumber(Point& p, F f) {
  f("lut", p.lut);
  f("ff", p.ff);
  f("dsp", p.dsp);
  f("bram36", p.bram36);
  f("uram", p.uram);
  f("analytic_ms", p.analytic_ms);
  f("simulated_ms", p.simulated_ms);
  f("clock_mhz", p.clock_mhz);
  f("ratio_fixed", p.ratio_fixed);
  f("ratio_sp2", p.ratio_sp2);
  f("budget", p.budget);
}

template <class Point, class F>
void ForEachBreakdown(Point& p, F f) {
  f("mac_utilization", p.mac_utilization);
  f("compute_share", p.compute_share);
  f("vector_share", p.vector_share);
  f("load_share", p.load_share);
  f("store_share", p.store_share);
  f("fill_share", p.fill_share);
  f("roofline_ms", p.roofline_ms);
}

}  // namespace

nlohmann::json PointResult::ToJson() const {
  nlohmann::json j = {{"index", index},   {"target", target},           {"network", network},
                      {"device", device}, {"status", ToString(status)}, {"reason", reason},
                      {"design", design}};
  ForEachNumber(*this, [&](const char* key, double v) { j[key] = v; });
  if (base) j["base"] = true;
  if (mac_utilization >= 0) {
    ForEachBreakdown(*this, [&](const char* key, double v) { j[key] = v; });
    j["bound"] = bound;
  }
  if (retry)
    j["retry"] = true;  // only then: journals of points that need no retry stay as they were
  return j;
}

PointResult PointResult::FromJson(const nlohmann::json& j) {
  PointResult p;
  p.index = j.at("index").get<std::int64_t>();
  p.target = j.at("target").get<int>();
  p.network = j.at("network").get<std::string>();
  p.device = j.at("device").get<std::string>();
  const std::string status = j.at("status").get<std::string>();
  p.status = status == "ok"        ? PointStatus::kOk
             : status == "invalid" ? PointStatus::kInvalid
             : status == "failed"  ? PointStatus::kFailed
                                   : PointStatus::kInfeasible;
  p.reason = j.at("reason").get<std::string>();
  p.design = j.at("design");
  p.base = j.value("base", false);
  p.retry = j.value("retry", false);
  ForEachNumber(p, [&](const char* key, double& v) { v = j.at(key).get<double>(); });
  if (j.contains("mac_utilization")) {
    ForEachBreakdown(p, [&](const char* key, double& v) { v = j.at(key).get<double>(); });
    p.bound = j.at("bound").get<std::string>();
  }
  return p;
}

nlohmann::json SearchSummary::ToJson() const {
  nlohmann::json reasons = nlohmann::json::array();
  for (const auto& [why, count] : rejected) reasons.push_back({why, count});
  return {{"outer", outer},       {"target", target},   {"evaluated", evaluated},
          {"feasible", feasible}, {"invalid", invalid}, {"infeasible", infeasible},
          {"rejected", reasons}};
}

SearchSummary SearchSummary::FromJson(const nlohmann::json& j) {
  SearchSummary s;
  s.outer = j.at("outer").get<std::int64_t>();
  s.target = j.at("target").get<int>();
  s.evaluated = j.at("evaluated").get<std::int64_t>();
  s.feasible = j.at("feasible").get<std::int64_t>();
  s.invalid = j.at("invalid").get<std::int64_t>();
  s.infeasible = j.at("infeasible").get<std::int64_t>();
  for (const auto& r : j.at("rejected")) {
    s.rejected.emplace_back(r.at(0).get<std::string>(), r.at(1).get<std::int64_t>());
  }
  return s;
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
  if (spec.search.enabled && !c.overflow) {
    ++c.points;  // the base design
    c.factors = "(" + (c.factors.empty() ? std::string("1") : c.factors) + " + the base design)";
  }
  times(spec.networks.size(), spec.networks.size() == 1 ? "network" : "networks");
  times(spec.devices.size(), spec.devices.size() == 1 ? "device" : "devices");
  if (spec.budgets_given)
    times(spec.budgets.size(), spec.budgets.size() == 1 ? "budget" : "budgets");
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

struct SweepPlan::Target {
  SweepTarget info;
  spec::NetworkSpec network;
  nlohmann::json base;  // base design as JSON
  spec::UtilizationLimits limits;
  std::unique_ptr<TargetModel> model;
};

SweepPlan::~SweepPlan() = default;

SweepPlan::SweepPlan(const spec::SweepSpec& spec, const spec::ConfigResolver& resolver)
    : spec_(spec), resolver_(resolver) {
  for (const auto& axis : spec.axes) combos_ *= static_cast<std::int64_t>(axis.values.size());
  per_target_ = combos_ + (spec.search.enabled ? 1 : 0);
  stride_ = SearchStride(spec.search);
  nlohmann::json canonical = {{"axes", nlohmann::json::array()}};
  for (const auto& axis : spec.axes) canonical["axes"].push_back({axis.key, axis.values});
  const auto& u = spec.max_utilization;
  canonical["limits"] = {u.lut, u.ff, u.dsp, u.bram36, u.uram};
  canonical["search"] = spec.search.enabled;
  if (spec.search.enabled) {
    const auto& s = spec.search;
    canonical["space"] = {
        s.cols,      s.rows,        s.channels_per_col, s.macs_per_dsp, s.refine_top,
        s.out_rows,  s.out_cols,    s.row_groups,       s.buffer_scale, s.double_buffered,
        s.axi_ports, s.burst_beats, s.clock_mhz};
  }
  canonical["simulate_top"] = spec.simulate_top;
  for (const auto& network_ref : spec.networks) {
    const std::string network_file = resolver.Resolve("networks", network_ref, spec.source);
    const spec::NetworkSpec network = resolver.LoadNetwork(network_file);
    // A name resolves from anywhere; a path is kept absolute (it was relative to the sweep file).
    const bool by_name =
        network_ref.find('/') == std::string::npos &&
        !(network_ref.size() >= 5 && network_ref.compare(network_ref.size() - 5, 5, ".json") == 0);
    for (const auto& device : spec.devices) {
      const spec::DesignSpec base_spec =
          resolver.LoadDesign(spec.base_designs.at(device), spec.source);
      const nlohmann::json base = spec::DesignToJson(base_spec);
      for (double budget : spec.budgets) {
        Target t;
        t.network = network;
        t.base = base;
        t.info.network = network.name;
        t.info.network_ref =
            by_name ? network_ref
                    : std::filesystem::absolute(network_file).lexically_normal().string();
        t.info.device = base_spec.device.name;
        t.info.budget = budget;
        t.info.budget_named = spec.budgets_given;
        t.limits = {std::min(u.lut, budget), std::min(u.ff, budget), std::min(u.dsp, budget),
                    std::min(u.bram36, budget), std::min(u.uram, budget)};
        canonical["targets"].push_back(
            {network.name, network.TotalMacs(), network.layers.size(), base, budget});
        target_list_.push_back(t.info);
        targets_.push_back(std::move(t));
      }
    }
  }
  for (Target& t : targets_) t.model = std::make_unique<TargetModel>(t.network, t.limits);
  total_ = per_target_ * static_cast<std::int64_t>(targets_.size());
  fingerprint_ = Fingerprint(canonical.dump());
}

const spec::NetworkSpec& SweepPlan::network(int target) const {
  return targets_.at(static_cast<std::size_t>(target)).network;
}

namespace {

// A kept design as a point: its design config and figures (scored again, with the reason).
PointResult PointOf(std::int64_t index, int target, const SweepTarget& info,
                    const spec::DesignSpec& d, const Score& s) {
  PointResult p;
  p.index = index;
  p.target = target;
  p.network = info.network;
  p.device = info.device;
  p.budget = info.budget;
  p.design = spec::DesignToJson(d);
  p.clock_mhz = d.clock_mhz;
  p.ratio_fixed = d.ratio.fixed;
  p.ratio_sp2 = d.ratio.sp2;
  if (s.status == ScoreStatus::kInvalid) {
    p.status = PointStatus::kInvalid;
    p.reason = (s.key.empty() ? std::string("$") : s.key) + ": " + s.reason;
    return p;
  }
  const ResourceUse& r = s.resources.total;
  p.lut = static_cast<double>(r.lut);
  p.ff = static_cast<double>(r.ff);
  p.dsp = static_cast<double>(r.dsp);
  p.bram36 = r.Bram36();
  p.uram = static_cast<double>(r.uram);
  if (s.status == ScoreStatus::kInfeasible) {
    p.status = PointStatus::kInfeasible;
    p.reason = s.reason;
    return p;
  }
  p.analytic_ms = s.ms;
  return p;
}

}  // namespace

PointResult SweepPlan::Candidate0(const Target& t, std::int64_t outer, bool base,
                                  spec::DesignSpec* out) const {
  const int target = static_cast<int>(outer / per_target_);
  PointResult p;
  p.index = outer * stride_;
  p.target = target;
  p.network = t.info.network;
  p.device = t.info.device;
  p.budget = t.info.budget;
  p.base = base;

  nlohmann::json design = t.base;
  design["name"] = spec_.name + "-" + t.info.Label() + "-p" + std::to_string(p.index);
  std::vector<std::string> fill;
  if (!base) {
    std::int64_t combo = outer % per_target_ - (spec_.search.enabled ? 1 : 0);
    for (auto axis = spec_.axes.rbegin(); axis != spec_.axes.rend(); ++axis) {  // last fastest
      const auto& v = axis->values[static_cast<std::size_t>(
          combo % static_cast<std::int64_t>(axis->values.size()))];
      combo /= static_cast<std::int64_t>(axis->values.size());
      if (v.is_string()) {
        fill.insert(fill.begin(), axis->key);
        At(design, axis->key) = 2;  // a placeholder every engine dimension admits; filled below
      } else {
        At(design, axis->key) = v;
      }
    }
    // An engine that the ratio gives no filters is left out, so that its resources go elsewhere.
    if (design["ratio"]["fixed"].get<double>() == 0)
      design["dsp_engine"]["rows"] = design["dsp_engine"]["cols"] = 0;
    if (design["ratio"]["sp2"].get<double>() == 0)
      design["lut_engine"]["rows"] = design["lut_engine"]["cols"] = 0;
  }
  spec::DesignSpec d;
  try {
    d = spec::ParseDesign(
        spec::Document(design, spec_.source + " point " + std::to_string(p.index)).Root(),
        resolver_);
  } catch (const spec::ConfigError& e) {
    p.status = PointStatus::kInvalid;
    p.reason = e.json_path() + ": " + e.message();
    p.design = design;
    return p;
  }
  FillEngines(d, fill, t.network, t.limits);  // a misfit is reported below
  const Score s = ScoreDesign(d, *t.model, true);
  PointResult scored = PointOf(p.index, target, t.info, d, s);
  scored.base = base;
  if (out) *out = std::move(d);
  return scored;
}

OuterResult SweepPlan::Evaluate(std::int64_t outer) const {
  const Target& t = targets_[static_cast<std::size_t>(outer / per_target_)];
  const bool base = spec_.search.enabled && outer % per_target_ == 0;
  OuterResult r;
  r.summary.outer = outer;
  r.summary.target = static_cast<int>(outer / per_target_);
  spec::DesignSpec start;
  r.points.push_back(Candidate0(t, outer, base, &start));
  const PointResult& first = r.points.front();
  r.summary.evaluated = 1;
  r.summary.feasible = first.status == PointStatus::kOk;
  r.summary.invalid = first.status == PointStatus::kInvalid;
  r.summary.infeasible = first.status == PointStatus::kInfeasible;
  if (base || !spec_.search.enabled || first.status == PointStatus::kInvalid) return r;

  const SearchOutcome found =
      Search(start, *t.model, spec_.search, std::max(spec_.simulate_top, 8));
  r.summary.evaluated += found.evaluated;
  r.summary.feasible += found.feasible;
  r.summary.invalid += found.invalid;
  r.summary.infeasible += found.infeasible;
  r.summary.rejected = found.rejected;
  const int target = static_cast<int>(outer / per_target_);
  for (const auto& [number, d] : found.kept) {
    spec::DesignSpec named = d;
    named.name =
        spec_.name + "-" + t.info.Label() + "-p" + std::to_string(outer * stride_ + number);
    r.points.push_back(PointOf(outer * stride_ + number, target, t.info, named,
                               ScoreDesign(named, *t.model, true)));
  }
  return r;
}

}  // namespace msqx::dse
