#include "sim/spec/sweep.h"

#include <algorithm>
#include <cmath>
#include <optional>
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

template <class T, class Read>
std::vector<T> ListOr(const Node& n, const std::string& key, std::vector<T> fallback, Read read) {
  const auto list = n.Find(key);
  if (!list) return fallback;
  std::vector<T> values;
  const std::size_t count = list->ArraySize(1);
  if (count > 64) list->Fail("expected at most 64 values, got " + std::to_string(count));
  for (std::size_t i = 0; i < count; ++i) {
    const T v = read(list->At(i));
    if (std::find(values.begin(), values.end(), v) != values.end()) {
      list->At(i).Fail("expected each value once; it is listed twice");
    }
    values.push_back(v);
  }
  return values;
}

SearchSpec ParseSearch(const Node& n) {
  SearchSpec s;
  if (n.json().is_boolean()) {
    s.enabled = n.Bool();
    if (!s.enabled) return s;
  } else {
    n.ExpectObject({"cols", "rows", "channels_per_col", "macs_per_dsp", "refine_top", "out_rows",
                    "out_cols", "row_groups", "buffer_scale", "double_buffered", "axi_ports",
                    "burst_beats", "clock_mhz"});
    s.enabled = true;
  }
  const std::optional<Node> obj = n.json().is_object() ? std::optional<Node>(n) : std::nullopt;
  const auto ints = [&](const char* key, std::vector<int> fallback, int min, int max) {
    if (!obj) return fallback;
    return ListOr<int>(*obj, key, fallback,
                       [&](const Node& v) { return static_cast<int>(v.Int(min, max)); });
  };
  s.cols = ints("cols", {4, 8, 16, 32, 64}, 1, 512);
  s.rows = ints("rows", {2, 4, 6, 8, 12, 16, 20, 24, 32, 40, 48, 64, 80, 96, 128, 160, 192, 256}, 1,
                4096);
  s.channels_per_col = ints("channels_per_col", {1, 2, 4}, 1, 64);
  s.macs_per_dsp = ints("macs_per_dsp", {1, 2}, 1, 2);
  s.refine_top = obj ? static_cast<int>(obj->IntOr("refine_top", 8, 1, 1024)) : 8;
  s.out_rows = ints("out_rows", {4, 7, 14, 28}, 1, 4096);
  s.out_cols = ints("out_cols", {7, 14, 28, 56}, 1, 4096);
  s.row_groups = ints("row_groups", {1, 2, 4}, 1, 1024);
  s.buffer_scale = obj ? ListOr<double>(*obj, "buffer_scale", {0.5, 1, 2},
                                        [](const Node& v) { return v.Number(1.0 / 64, 64); })
                       : std::vector<double>{0.5, 1, 2};
  s.double_buffered = obj ? ListOr<bool>(*obj, "double_buffered", {true, false},
                                         [](const Node& v) { return v.Bool(); })
                          : std::vector<bool>{true, false};
  s.axi_ports = ints("axi_ports", {1, 2, 4}, 1, 64);
  s.burst_beats = ints("burst_beats", {64, 256}, 1, 4096);
  s.clock_mhz =
      obj ? ListOr<double>(*obj, "clock_mhz", {}, [](const Node& v) { return v.Number(1, 2000); })
          : std::vector<double>{};
  return s;
}

}  // namespace

std::int64_t SearchSpec::ShapeCount() const {
  return static_cast<std::int64_t>(cols.size() * rows.size() * channels_per_col.size() *
                                   macs_per_dsp.size());
}

std::int64_t SearchSpec::MemoryCount() const {
  return static_cast<std::int64_t>(out_rows.size() * out_cols.size() * row_groups.size() *
                                   buffer_scale.size() * double_buffered.size() * axi_ports.size() *
                                   burst_beats.size() * std::max<std::size_t>(1, clock_mhz.size()));
}

SweepSpec ParseSweep(const Node& root) {
  root.ExpectObject({"name", "networks", "devices", "base_designs", "axes", "budgets", "search",
                     "constraints", "objectives", "simulate_top", "timeout_s"});
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

  if (const auto budgets = root.Find("budgets")) {
    s.budgets =
        ListOr<double>(root, "budgets", {}, [](const Node& v) { return v.Number(0.01, 1.0); });
    s.budgets_given = true;
  }
  if (const auto search = root.Find("search")) s.search = ParseSearch(*search);

  const std::optional<Node> axes = root.Find("axes");
  if (axes) axes->ExpectObject(DesignAxisKeys());
  for (const auto& key : axes ? axes->Keys() : std::vector<std::string>{}) {
    const Node a = axes->At(key);
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
  s.simulate_top =
      static_cast<int>(root.IntOr("simulate_top", s.search.enabled ? 8 : 0, 0, 1 << 30));
  s.timeout_s = root.NumberOr("timeout_s", 600, 1, 1e6);
  return s;
}

}  // namespace msqx::spec
