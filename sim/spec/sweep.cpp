#include "sim/spec/sweep.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "sim/spec/design.h"

namespace msqx::spec {

const std::vector<std::string>& SweepObjectives() {
  static const std::vector<std::string> objectives = {"latency_ms", "throughput_fps", "lut", "ff",
                                                      "dsp",        "bram36",         "uram"};
  return objectives;
}

namespace {

bool IsEngineDimension(const std::string& key) {
  return key == "dsp_engine.rows" || key == "dsp_engine.cols" || key == "lut_engine.rows" ||
         key == "lut_engine.cols";
}

bool IsBooleanKey(const std::string& key) {
  return key == "buffers.double_buffered" || key == "post.fuse_activation";
}

// Checks one value's type for its axis; ranges are checked when the value is applied to a base
// design, where the design's own validation names the limit.
void CheckAxisValue(const std::string& key, const Node& v) {
  if (key == "ratio") {
    v.ExpectObject({"fixed", "sp2"});
    const double fixed = v.At("fixed").Number(0, 1e6);
    const double sp2 = v.At("sp2").Number(0, 1e6);
    if (fixed + sp2 <= 0) v.Fail("expected fixed + sp2 > 0, got 0:0");
  } else if (IsBooleanKey(key)) {
    v.Bool();
  } else if (IsEngineDimension(key) && v.json().is_string()) {
    v.OneOf({"fill"});
  } else {
    v.Number(0, 1e9);
  }
}

std::vector<nlohmann::json> ExpandRange(const Node& n) {
  n.ExpectObject({"from", "to", "step"});
  const double from = n.At("from").Number(0, 1e9);
  const double to = n.At("to").Number(from, 1e9);
  const double step = n.At("step").Number(1e-9, 1e9);
  const double count = std::floor((to - from) / step + 1e-9) + 1;
  if (count > 100000)
    n.Fail("expected a range of at most 100000 values, got " + std::to_string(count));
  const bool integral =
      n.At("from").json().is_number_integer() && n.At("step").json().is_number_integer();
  std::vector<nlohmann::json> values;
  for (long i = 0; i < static_cast<long>(count); ++i) {
    const double v = from + i * step;
    values.push_back(integral ? nlohmann::json(static_cast<long>(std::llround(v)))
                              : nlohmann::json(v));
  }
  return values;
}

std::vector<std::string> NameList(const Node& n) {
  const std::size_t count = n.ArraySize(1);
  std::vector<std::string> names;
  for (std::size_t i = 0; i < count; ++i) {
    const std::string name = n.At(i).String();
    if (name.empty()) n.At(i).Fail("expected a non-empty name or path");
    if (std::find(names.begin(), names.end(), name) != names.end()) {
      n.At(i).Fail("'" + name + "' is listed twice");
    }
    names.push_back(name);
  }
  return names;
}

}  // namespace

SweepSpec ParseSweep(const Node& root) {
  root.ExpectObject({"name", "networks", "devices", "base_designs", "axes", "constraints",
                     "objectives", "simulate_top", "timeout_s"});
  SweepSpec s;
  s.source = root.file();
  s.name = root.At("name").String();
  if (s.name.empty()) root.At("name").Fail("expected a non-empty name");
  s.networks = NameList(root.At("networks"));
  s.devices = NameList(root.At("devices"));

  const Node bases = root.At("base_designs");
  bases.ExpectObject(s.devices);  // a base design for a device not in the sweep is a mistake
  for (const auto& device : s.devices) {
    if (!bases.Has(device)) bases.Fail("missing a base design for device '" + device + "'");
    s.base_designs[device] = bases.At(device).String();
  }

  const Node axes = root.At("axes");
  axes.ExpectObject(DesignAxisKeys());
  for (const auto& key : axes.Keys()) {
    const Node a = axes.At(key);
    SweepAxis axis{key, {}};
    if (a.json().is_object() && key != "ratio") {
      axis.values = ExpandRange(a);
    } else {
      const std::size_t count = a.ArraySize(1);
      for (std::size_t i = 0; i < count; ++i) axis.values.push_back(a.At(i).json());
    }
    for (std::size_t i = 0; i < axis.values.size(); ++i) {
      if (a.json().is_array()) CheckAxisValue(key, a.At(i));
    }
    s.axes.push_back(std::move(axis));
  }

  if (auto constraints = root.Find("constraints")) {
    constraints->ExpectObject({"max_utilization"});
    if (auto limits = constraints->Find("max_utilization")) {
      limits->ExpectObject({"lut", "ff", "dsp", "bram36", "uram"});
      s.max_utilization.lut = limits->NumberOr("lut", 1.0, 0.01, 1.0);
      s.max_utilization.ff = limits->NumberOr("ff", 1.0, 0.01, 1.0);
      s.max_utilization.dsp = limits->NumberOr("dsp", 1.0, 0.01, 1.0);
      s.max_utilization.bram36 = limits->NumberOr("bram36", 1.0, 0.01, 1.0);
      s.max_utilization.uram = limits->NumberOr("uram", 1.0, 0.01, 1.0);
    }
  }

  if (auto objectives = root.Find("objectives")) {
    const std::size_t count = objectives->ArraySize(1);
    for (std::size_t i = 0; i < count; ++i) {
      s.objectives.push_back(objectives->At(i).OneOf(SweepObjectives()));
    }
  } else {
    s.objectives = {"latency_ms", "lut", "dsp"};
  }
  s.simulate_top = static_cast<int>(root.IntOr("simulate_top", 0, 0, 1 << 30));
  s.timeout_s = root.NumberOr("timeout_s", 600, 1, 1e6);
  return s;
}

}  // namespace msqx::spec
