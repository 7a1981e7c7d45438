#include "sim/io/hgq_keras_vars.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "sim/spec/json_reader.h"

namespace msqx::io::hgq {

using unrolled::Overflow;

// A serialized Keras object {"class_name": ..., "config": {...}} stands for its config.
const json& Inner(const json& j) {
  if (j.is_object() && j.contains("class_name") && j.contains("config") && j["config"].is_object())
    return j["config"];
  return j;
}

// "hgq>QDense" (a registered name) and "QDense" alike.
json Member(const json& j, const char* key) {
  return j.is_object() && j.contains(key) ? j[key] : json();
}

std::string StringOr(const json& j, const char* key, const std::string& fallback) {
  const json m = Member(j, key);
  return m.is_string() ? m.get<std::string>() : fallback;
}

bool BoolOr(const json& j, const char* key, bool fallback) {
  const json m = Member(j, key);
  return m.is_boolean() ? m.get<bool>() : fallback;
}

double NumberOr(const json& j, const char* key, double fallback) {
  const json m = Member(j, key);
  return m.is_number() ? m.get<double>() : fallback;
}

std::string ClassOf(const json& layer) {
  std::string c = StringOr(layer, "class_name", "");
  const std::size_t gt = c.rfind('>');
  return gt == std::string::npos ? c : c.substr(gt + 1);
}

namespace {

// ---- variables ------------------------------------------------------------------------------

// .keras: layers/<snake_case class>[_n]/vars/<index>, quantizers under <attribute>/quantizer,
// indices in the order Keras' Layer.save_own_variables enumerates them (trainable first).
class KerasVariables : public Variables {
 public:
  KerasVariables(const H5File& file, std::string group) : file_(file), group_(std::move(group)) {
    if (!file_.IsGroup(group_ + "/vars")) {
      throw spec::ConfigError(file_.label(), "/" + group_ + "/vars",
                              "the layer's variables (a group named vars)");
    }
  }
  std::optional<H5Array> Own(const std::vector<std::string>& roles,
                             const std::string& role) override {
    Check(group_, roles);
    const auto it = std::find(roles.begin(), roles.end(), role);
    if (it == roles.end()) return std::nullopt;
    return file_.Read(group_ + "/vars/" + std::to_string(it - roles.begin()));
  }
  H5Array Quantizer(const std::string& which, const std::vector<std::string>& roles,
                    const std::string& role) override {
    const std::string group = QuantizerGroup(which);
    Check(group, roles);
    const auto it = std::find(roles.begin(), roles.end(), role);
    return file_.Read(group + "/vars/" + std::to_string(it - roles.begin()));
  }
  std::string Group() const override { return "/" + group_; }
  std::string Where(const std::string& which) const override { return "/" + QuantizerGroup(which); }

 private:
  std::string QuantizerGroup(const std::string& which) const {
    // A public property (iq) is visited before its private attribute (_iq): Keras' _name_key.
    for (const std::string& attr : {which, "_" + which}) {
      if (file_.IsGroup(group_ + "/" + attr + "/quantizer/vars")) {
        return group_ + "/" + attr + "/quantizer";
      }
    }
    throw spec::ConfigError(file_.label(), "/" + group_ + "/" + which + "/quantizer/vars",
                            "the variables of the layer's " + which + " quantizer");
  }
  void Check(const std::string& group, const std::vector<std::string>& roles) const {
    const std::size_t n = file_.Children(group + "/vars").size();
    if (n == roles.size()) return;
    std::string list;
    for (const auto& r : roles) list += (list.empty() ? "" : ", ") + r;
    throw spec::ConfigError(
        file_.label(), "/" + group + "/vars",
        std::to_string(roles.size()) + " variables (" + list + "), found " + std::to_string(n));
  }
  const H5File& file_;
  std::string group_;
};

// Legacy .h5: model_weights/<layer name>, its weight_names attribute listing variable paths such
// as dense_0/kernel and dense_0/dense_0_kq/fixed_point_quantizer_kbi/b.
class LegacyVariables : public Variables {
 public:
  LegacyVariables(const H5File& file, const std::string& layer) : file_(file), layer_(layer) {
    group_ = "model_weights/" + layer;
    const auto names = file_.StringListAttribute(group_, "weight_names");
    if (!names) {
      throw spec::ConfigError(file_.label(), "/" + group_ + "@weight_names",
                              "the names of layer " + layer + "'s variables");
    }
    names_ = *names;
  }
  std::optional<H5Array> Own(const std::vector<std::string>&, const std::string& role) override {
    for (const std::string& n : names_) {
      if (Leaf(n) == role && QuantizerOf(n).empty()) return file_.Read(group_ + "/" + n);
    }
    return std::nullopt;
  }
  H5Array Quantizer(const std::string& which, const std::vector<std::string>&,
                    const std::string& role) override {
    for (const std::string& n : names_) {
      if (Leaf(n) == role && QuantizerOf(n) == which) return file_.Read(group_ + "/" + n);
    }
    throw spec::ConfigError(file_.label(), "/" + group_ + "@weight_names",
                            "a variable " + role + " of quantizer " + layer_ + "_" + which);
  }
  std::string Group() const override { return "/" + group_; }
  std::string Where(const std::string& which) const override {
    return "/" + group_ + " (" + layer_ + "_" + which + ")";
  }

 private:
  static std::string Leaf(const std::string& path) { return path.substr(path.rfind('/') + 1); }
  // "kq" when a component of the path is <layer>_kq, else "".
  std::string QuantizerOf(const std::string& path) const {
    for (const char* q : {"iq", "kq", "bq", "oq"}) {
      const std::string component = layer_ + "_" + q;
      if (("/" + path + "/").find("/" + component + "/") != std::string::npos) return q;
    }
    return "";
  }
  const H5File& file_;
  std::string layer_, group_;
  std::vector<std::string> names_;
};

}  // namespace

std::unique_ptr<Variables> KerasLayerVariables(const H5File& file, const std::string& group) {
  return std::make_unique<KerasVariables>(file, group);
}

std::unique_ptr<Variables> LegacyLayerVariables(const H5File& file, const std::string& layer) {
  return std::make_unique<LegacyVariables>(file, layer);
}

// ---- quantizers -----------------------------------------------------------------------------

QuantizerConfig ParseQuantizer(const json& layer_config, const std::string& key,
                               const std::string& file, const std::string& where) {
  if (!layer_config.contains(key) || !layer_config[key].is_object()) {
    throw spec::ConfigError(file, where + "." + key, "a quantizer config");
  }
  const json& c = Inner(layer_config[key]);
  const std::string type = StringOr(c, "q_type", "");
  if (type != "kbi" && type != "kif") {
    throw spec::ConfigError(
        file, where + "." + key + ".q_type",
        "a fixed-point quantizer, kbi or kif (msqx does not import '" + type + "' quantizers)");
  }
  const std::string overflow = StringOr(c, "overflow_mode", "");
  const std::string round = StringOr(c, "round_mode", "");
  const auto mode = unrolled::ParseOverflow(overflow);
  if (!mode) {
    throw spec::ConfigError(file, where + "." + key + ".overflow_mode",
                            "WRAP, SAT or SAT_SYM, got '" + overflow + "'");
  }
  std::string upper;
  for (char ch : round)
    upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(ch))));
  if (upper != "RND") {
    throw spec::ConfigError(file, where + "." + key + ".round_mode",
                            "RND (round half up, HGQ's default), got '" + round + "'");
  }
  for (const char* k : {"scaler", "affine", "qnoise_factor"}) {
    if (c.contains(k) && !c[k].is_null()) {
      throw spec::ConfigError(file, where + "." + key + "." + k,
                              "null (msqx imports plain fixed-point quantizers)");
    }
  }
  return {type == "kbi", *mode};
}

std::string ShapeText(const std::vector<std::int64_t>& s) {
  std::string t = "(";
  for (std::size_t d = 0; d < s.size(); ++d) t += (d ? ", " : "") + std::to_string(s[d]);
  return t + ")";
}

namespace {

// `a` broadcast to `shape` (equal rank; each dimension equal or 1), as rounded integers.
std::vector<int> Broadcast(const H5Array& a, const std::vector<std::int64_t>& shape,
                           const std::string& file, const std::string& where, bool round) {
  const bool scalar = a.shape.empty();
  if (!scalar && a.shape.size() != shape.size()) {
    throw spec::ConfigError(
        file, where,
        "an array broadcastable to " + ShapeText(shape) + ", got " + ShapeText(a.shape));
  }
  for (std::size_t d = 0; !scalar && d < shape.size(); ++d) {
    if (a.shape[d] != shape[d] && a.shape[d] != 1) {
      throw spec::ConfigError(
          file, where,
          "an array broadcastable to " + ShapeText(shape) + ", got " + ShapeText(a.shape));
    }
  }
  std::int64_t count = 1;
  for (auto d : shape) count *= d;
  std::vector<int> out(static_cast<std::size_t>(count));
  for (std::int64_t e = 0; e < count; ++e) {
    std::int64_t rest = e, src = 0, stride = 1;
    for (std::size_t d = shape.size(); d-- > 0;) {
      const std::int64_t index = rest % shape[d];
      rest /= shape[d];
      if (!scalar) {
        src += (a.shape[d] == 1 ? 0 : index) * stride;
        stride *= a.shape[d];
      }
    }
    const double v = a.values[static_cast<std::size_t>(src)];
    // HGQ's round_conv: round half to even (std::nearbyint in the default rounding mode).
    const double r = round ? std::nearbyint(v) : v;
    if (!std::isfinite(v) || std::fabs(r) > 64 || r != std::floor(r)) {
      throw spec::ConfigError(file, where,
                              "bit widths within +-64, got " + std::to_string(v) +
                                  " at flat index " + std::to_string(src));
    }
    out[static_cast<std::size_t>(e)] = static_cast<int>(r);
  }
  return out;
}

}  // namespace

HgqQuantizer ReadQuantizer(Variables& vars, const std::string& which, const QuantizerConfig& cfg,
                           const std::vector<std::int64_t>& shape, const std::string& file) {
  // Keras numbers a quantizer's variables trainable first: KBI adds k, b, i (i trainable unless
  // WRAP), KIF adds k, i, f; WRAP adds i_decay_speed (FixedPointQuantizerBase.build).
  const bool wrap = cfg.overflow == Overflow::kWrap;
  std::vector<std::string> roles;
  if (cfg.kbi) {
    roles = wrap ? std::vector<std::string>{"b", "k", "i", "i_decay_speed"}
                 : std::vector<std::string>{"b", "i", "k"};
  } else {
    roles = wrap ? std::vector<std::string>{"f", "k", "i", "i_decay_speed"}
                 : std::vector<std::string>{"i", "f", "k"};
  }
  HgqQuantizer q;
  q.where = vars.Where(which);
  q.kbi = cfg.kbi;
  q.overflow = cfg.overflow;
  const H5Array k = vars.Quantizer(which, roles, "k");
  if (k.is_float) {
    throw spec::ConfigError(file, q.where + "/k", "HGQ's sign bits k, an unsigned integer array");
  }
  q.k = Broadcast(k, shape, file, q.where + "/k", false);
  for (int v : q.k) {
    if (v != 0 && v != 1) throw spec::ConfigError(file, q.where + "/k", "sign bits of 0 or 1");
  }
  const std::vector<int> first = Broadcast(vars.Quantizer(which, roles, cfg.kbi ? "b" : "i"), shape,
                                           file, q.where + (cfg.kbi ? "/b" : "/i"), true);
  const std::vector<int> second = Broadcast(vars.Quantizer(which, roles, cfg.kbi ? "i" : "f"),
                                            shape, file, q.where + (cfg.kbi ? "/i" : "/f"), true);
  if (cfg.kbi) {  // f = b - i
    q.i = second;
    for (std::size_t e = 0; e < first.size(); ++e) q.f.push_back(first[e] - second[e]);
  } else {
    q.i = first;
    q.f = second;
  }
  return q;
}

std::vector<float> Floats(const H5Array& a, const std::vector<std::int64_t>& shape,
                          const std::string& file, const std::string& where) {
  if (a.shape != shape || !a.is_float) {
    throw spec::ConfigError(file, where,
                            "a float array of shape " + ShapeText(shape) + ", got " +
                                (a.is_float ? "" : "an integer array of shape ") +
                                ShapeText(a.shape));
  }
  std::vector<float> out;
  for (double v : a.values) {
    if (!std::isfinite(v)) throw spec::ConfigError(file, where, "finite values");
    out.push_back(static_cast<float>(v));  // float32 in the file: exact
  }
  return out;
}

}  // namespace msqx::io::hgq
