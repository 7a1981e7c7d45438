#include "sim/spec/unrolled_design.h"

#include <filesystem>

#include "sim/spec/design.h"
#include "sim/spec/resolve.h"

namespace msqx::spec {

std::string UnrolledDesignSpec::PrecisionLabel() const {
  if (precision.per_weight) return "per-weight";
  return "uniform " + std::to_string(precision.weight_bits) + "/" +
         std::to_string(precision.act_bits);
}

bool IsUnrolledDesign(const Node& root) {
  return root.Has("kind") && root.At("kind").String() == "unrolled";
}

UnrolledDesignSpec ParseUnrolledDesign(const Node& root, const ConfigResolver& resolver) {
  root.ExpectObject({"name", "kind", "device", "clock_mhz", "network", "unrolled", "precision"});
  UnrolledDesignSpec d;
  d.source = root.file();
  root.At("kind").OneOf({"unrolled"});
  d.name = root.At("name").String();
  if (d.name.empty()) root.At("name").Fail("expected a non-empty name");
  d.network = root.StringOr("network", "");
  d.device = resolver.LoadDevice(ResolveAt(resolver, "devices", root.At("device")));
  d.clock_mhz = ClockWithinDevice(root.At("clock_mhz"), d.device);
  const Node u = root.At("unrolled");
  u.ExpectObject({"reuse_factor", "dsp_min_bits"});
  d.reuse_factor = static_cast<int>(u.IntOr("reuse_factor", 1, 1, 1024));
  d.dsp_min_bits = static_cast<int>(u.IntOr("dsp_min_bits", 10, 1, 64));
  const Node p = root.At("precision");
  p.ExpectObject({"mode", "seed", "weights", "weight_bits", "act_bits"});
  d.precision.per_weight = p.At("mode").OneOf({"per_weight", "uniform"}) == "per_weight";
  d.precision.seed = static_cast<std::uint64_t>(p.IntOr("seed", 1, 0, INT64_MAX));
  if (p.Has("weights")) {
    const Node w = p.At("weights");
    const std::filesystem::path folder(w.String());
    const std::filesystem::path resolved =
        folder.is_absolute() ? folder : std::filesystem::path(d.source).parent_path() / folder;
    if (!std::filesystem::is_directory(resolved)) {
      w.Fail("expected a folder of weights and precision files, got '" + resolved.string() + "'");
    }
    d.precision.weights_dir = resolved.lexically_normal().string();
  }
  if (d.precision.per_weight) {
    for (const char* key : {"weight_bits", "act_bits"}) {
      if (p.Has(key))
        p.At(key).Fail(
            "expected no bit width with mode \"per_weight\" (every element has its own)");
    }
  } else {
    d.precision.weight_bits = static_cast<int>(p.At("weight_bits").Int(2, 16));
    d.precision.act_bits = static_cast<int>(p.At("act_bits").Int(2, 16));
  }
  return d;
}

nlohmann::json UnrolledDesignToJson(const UnrolledDesignSpec& d) {
  nlohmann::json precision = {{"mode", d.precision.per_weight ? "per_weight" : "uniform"},
                              {"seed", d.precision.seed}};
  if (!d.precision.weights_dir.empty()) precision["weights"] = d.precision.weights_dir;
  if (!d.precision.per_weight) {
    precision["weight_bits"] = d.precision.weight_bits;
    precision["act_bits"] = d.precision.act_bits;
  }
  nlohmann::json j = {
      {"name", d.name},
      {"kind", "unrolled"},
      {"device", d.device.name},
      {"clock_mhz", d.clock_mhz},
      {"unrolled", {{"reuse_factor", d.reuse_factor}, {"dsp_min_bits", d.dsp_min_bits}}},
      {"precision", precision}};
  if (!d.network.empty()) j["network"] = d.network;
  return j;
}

UnrolledSweepSpec ParseUnrolledSweep(const Node& root, const ConfigResolver& resolver) {
  root.ExpectObject({"name", "kind", "network", "design", "reuse_factors", "dsp_min_bits",
                     "uniform_weight_bits", "uniform_act_bits"});
  root.At("kind").OneOf({"unrolled"});
  UnrolledSweepSpec s;
  s.source = root.file();
  s.name = root.At("name").String();
  if (s.name.empty()) root.At("name").Fail("expected a non-empty name");
  s.network = ResolveAt(resolver, "networks", root.At("network"));
  const Node design = root.At("design");
  const std::string design_path = ResolveAt(resolver, "designs", design);
  const Document doc = Document::Load(design_path);
  if (!IsUnrolledDesign(doc.Root()))
    design.Fail("expected an unrolled design (\"kind\": \"unrolled\")");
  s.base = ParseUnrolledDesign(doc.Root(), resolver);
  const auto int_list = [](const Node& list, std::int64_t lo, std::int64_t hi) {
    std::vector<int> values;
    const std::size_t n = list.ArraySize(1);
    for (std::size_t i = 0; i < n; ++i) values.push_back(static_cast<int>(list.At(i).Int(lo, hi)));
    return values;
  };
  s.reuse_factors = int_list(root.At("reuse_factors"), 1, 1024);
  s.dsp_min_bits = root.Has("dsp_min_bits") ? int_list(root.At("dsp_min_bits"), 1, 64)
                                            : std::vector<int>{s.base.dsp_min_bits};
  s.uniform_weight_bits = int_list(root.At("uniform_weight_bits"), 2, 16);
  s.uniform_act_bits = static_cast<int>(root.IntOr("uniform_act_bits", 8, 2, 16));
  return s;
}

}  // namespace msqx::spec
