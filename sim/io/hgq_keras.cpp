#include "sim/io/hgq_keras.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>

#include "sim/io/hdf5_file.h"
#include "sim/io/hgq_keras_vars.h"
#include "sim/io/zip_archive.h"
#include "sim/spec/json_reader.h"

namespace msqx::io {
namespace {

using hgq::BoolOr;
using hgq::ClassOf;
using hgq::Floats;
using hgq::Inner;
using hgq::Member;
using hgq::NumberOr;
using hgq::ParseQuantizer;
using hgq::ReadQuantizer;
using hgq::StringOr;
using hgq::Variables;
using nlohmann::json;
using unrolled::Overflow;

// ---- Keras configs --------------------------------------------------------------------------

// keras.src.utils.naming.to_snake_case: how .keras archives name a layer list's entries.
std::string SnakeCase(const std::string& name) {
  std::string s = std::regex_replace(name, std::regex("\\W+"), "");
  s = std::regex_replace(s, std::regex("(.)([A-Z][a-z]+)"), "$1_$2");
  s = std::regex_replace(s, std::regex("([a-z])([A-Z])"), "$1_$2");
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The names of the layers a layer's inbound_nodes refer to, in either Keras 3 format
// ({"keras_history": [name, node, tensor]}) or the legacy one ([[name, node, tensor, {}]]).
void InboundNames(const json& j, std::vector<std::string>& out) {
  if (j.is_array()) {
    if (j.size() >= 3 && j[0].is_string() && j[1].is_number_integer() && j[2].is_number_integer()) {
      if (std::find(out.begin(), out.end(), j[0].get<std::string>()) == out.end())
        out.push_back(j[0].get<std::string>());
      return;
    }
    for (const auto& e : j) InboundNames(e, out);
  } else if (j.is_object()) {
    for (const auto& [key, value] : j.items()) InboundNames(value, out);
  }
}

// Python's json module writes float('inf') and float('nan') as the bare tokens Infinity and NaN
// (HGQ's quantizer configs hold i_decay_speed = inf), which JSON and nlohmann::json reject: they
// become null outside strings. msqx reads none of those values.
std::string WithoutNonFiniteTokens(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  bool in_string = false;
  for (std::size_t p = 0; p < text.size(); ++p) {
    const char c = text[p];
    if (in_string) {
      out.push_back(c);
      if (c == '\\' && p + 1 < text.size()) {
        out.push_back(text[++p]);
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') in_string = true;
    bool replaced = false;
    for (const char* token : {"-Infinity", "Infinity", "NaN"}) {
      const std::size_t n = std::char_traits<char>::length(token);
      if (text.compare(p, n, token) == 0) {
        out += "null";
        p += n - 1;
        replaced = true;
        break;
      }
    }
    if (!replaced) out.push_back(c);
  }
  return out;
}

// ---- layers ---------------------------------------------------------------------------------

constexpr const char* kSupported =
    "QDense, QBatchNormDense, QEinsumDense and QEinsumDenseBatchnorm layers on 2-D inputs "
    "(batch, features), with ReLU, Activation('relu'), Dropout and Flatten between them";

[[noreturn]] void Unsupported(const std::string& file, const std::string& where,
                              const std::string& name, const std::string& cls,
                              const std::string& why) {
  throw spec::ConfigError(file, where,
                          "layer '" + name + "' of class " + cls + " is not supported" +
                              (why.empty() ? "" : " (" + why + ")") + "; msqx import reads " +
                              kSupported);
}

// Whether an einsum layer's kernel is stored [units][in] ("...c,oc->...o") rather than
// [in][units] ("bc,cC->bC"); the equation must contract the input's last axis with one kernel
// axis and give one output axis, with nothing else (one inference: a batch of vectors).
bool TransposedEinsum(const std::string& eq, const std::string& bias_axes, const std::string& file,
                      const std::string& where, const std::string& name, const std::string& cls) {
  const std::size_t comma = eq.find(','), arrow = eq.find("->");
  if (comma == std::string::npos || arrow == std::string::npos || arrow < comma) {
    Unsupported(file, where, name, cls, "equation '" + eq + "' is not 'input,kernel->output'");
  }
  const std::string in = eq.substr(0, comma), ker = eq.substr(comma + 1, arrow - comma - 1),
                    out = eq.substr(arrow + 2);
  const auto batch = [](const std::string& term) { return term.substr(0, term.size() - 1); };
  if (in.empty() || out.empty() || ker.size() != 2 || batch(in) != batch(out) ||
      (batch(in) != "..." && batch(in).size() != 1)) {
    Unsupported(file, where, name, cls,
                "equation '" + eq + "': msqx unrolls a dense product of a batch of vectors");
  }
  const char c = in.back(), o = out.back();
  if (c == o || !((ker[0] == c && ker[1] == o) || (ker[0] == o && ker[1] == c))) {
    Unsupported(file, where, name, cls, "equation '" + eq + "' is not a dense product");
  }
  if (!bias_axes.empty() && bias_axes != std::string(1, o)) {
    Unsupported(file, where, name, cls, "bias_axes '" + bias_axes + "' is not the output axis");
  }
  return ker[0] == o;
}

int UnitsOf(const json& c, const std::string& cls, const std::string& file,
            const std::string& where) {
  json units =
      cls == "QDense" || cls == "QBatchNormDense" ? Member(c, "units") : Member(c, "output_shape");
  if (units.is_array() && !units.empty()) units = units.back();
  if (!units.is_number_integer() || units.get<long long>() < 1 || units.get<long long>() > 65536) {
    throw spec::ConfigError(
        file, where + (cls == "QDense" || cls == "QBatchNormDense" ? ".units" : ".output_shape"),
        "a number of units in [1, 65536]");
  }
  return units.get<int>();
}

HgqDenseData ReadDense(const json& layer, Variables& vars, int in_features, const std::string& file,
                       const std::string& where) {
  const json& c = Inner(layer);
  const std::string cls = ClassOf(layer);
  HgqDenseData d;
  d.name = StringOr(c, "name", "");
  d.class_name = cls;
  d.where = vars.Group();
  d.in_features = in_features;
  d.units = UnitsOf(c, cls, file, where);
  const std::string activation = StringOr(c, "activation", "linear");
  if (activation != "relu" && activation != "linear") {
    Unsupported(file, where + ".activation", d.name, cls,
                "activation '" + activation + "': relu or linear");
  }
  d.relu = activation == "relu";
  if (!BoolOr(c, "enable_iq", true)) {
    Unsupported(file, where + ".enable_iq", d.name, cls,
                "it has no input quantizer, whose types msqx needs");
  }
  const json pf = c.contains("parallelization_factor") ? c["parallelization_factor"] : json(-1);
  if (!pf.is_number_integer() || (pf.get<int>() != -1 && pf.get<int>() != 1)) {
    Unsupported(file, where + ".parallelization_factor", d.name, cls,
                "a parallelization factor other than 1 scales HGQ's EBOPs");
  }

  const bool einsum = cls == "QEinsumDense" || cls == "QEinsumDenseBatchnorm";
  const std::string bias_axes = einsum ? StringOr(c, "bias_axes", "") : "";
  const bool transposed = einsum && TransposedEinsum(StringOr(c, "equation", ""), bias_axes, file,
                                                     where + ".equation", d.name, cls);
  const bool has_bias = einsum ? !bias_axes.empty() : BoolOr(c, "use_bias", true);
  if (cls == "QBatchNormDense") d.batch_norm = HgqBatchNorm::kInputs;
  if (cls == "QEinsumDenseBatchnorm") d.batch_norm = HgqBatchNorm::kOutputs;
  const bool bn = d.batch_norm != HgqBatchNorm::kNone;
  if (bn && !has_bias) {
    throw spec::ConfigError(file, where, "a bias: HGQ folds the batch norm into it");
  }
  if (d.batch_norm == HgqBatchNorm::kOutputs) {
    const std::string axes = StringOr(c, "normalize_axes", bias_axes);
    if (axes != bias_axes) {
      Unsupported(file, where + ".normalize_axes", d.name, cls, "normalizes other than the units");
    }
  }
  const bool scale = bn && BoolOr(c, "scale", true);
  const bool ebops = BoolOr(c, "enable_ebops", true);

  // The layer's own variables in Keras' order: trainable (kernel, bias, gamma) then the others
  // (HGQ's beta and ebops, then the batch-norm statistics).
  const std::string gamma = cls == "QBatchNormDense" ? "bn_gamma" : "gamma";
  std::vector<std::string> roles = {"kernel"};
  if (has_bias) roles.push_back("bias");
  if (scale) roles.push_back(gamma);
  if (ebops) roles.insert(roles.end(), {"beta", "ebops"});
  if (bn) roles.insert(roles.end(), {"moving_mean", "moving_variance"});
  const auto own = [&](const std::string& role) {
    auto a = vars.Own(roles, role);
    if (!a) throw spec::ConfigError(file, d.where, "layer " + d.name + "'s variable " + role);
    return *a;
  };
  const std::int64_t in = in_features, units = d.units;
  const std::vector<std::int64_t> stored =
      transposed ? std::vector<std::int64_t>{units, in} : std::vector<std::int64_t>{in, units};
  std::vector<float> kernel = Floats(own("kernel"), stored, file, d.where + "/kernel");
  d.kernel = kernel;
  if (transposed) {
    for (std::int64_t j = 0; j < in; ++j)
      for (std::int64_t o = 0; o < units; ++o) d.kernel[j * units + o] = kernel[o * in + j];
  }
  if (has_bias) d.bias = Floats(own("bias"), {units}, file, d.where + "/bias");
  if (bn) {
    const std::int64_t n = d.batch_norm == HgqBatchNorm::kInputs ? in : units;
    if (scale) d.bn_gamma = Floats(own(gamma), {n}, file, d.where + "/" + gamma);
    d.bn_mean = Floats(own("moving_mean"), {n}, file, d.where + "/moving_mean");
    d.bn_variance = Floats(own("moving_variance"), {n}, file, d.where + "/moving_variance");
    // QBatchNormDense adds its own epsilon; QEinsumDenseBatchnorm adds keras.backend.epsilon()
    // (1e-7 unless keras.json says otherwise), not the epsilon in its config.
    const double eps = d.batch_norm == HgqBatchNorm::kInputs ? NumberOr(c, "epsilon", 1e-3) : 1e-7;
    d.bn_epsilon = static_cast<float>(eps);
  }
  if (ebops) {
    const H5Array e = own("ebops");
    if (!e.shape.empty() || e.values.empty() || !std::isfinite(e.values[0]) || e.values[0] < 0 ||
        e.values[0] > 9007199254740992.0) {
      throw spec::ConfigError(file, d.where + "/ebops", "a scalar (HGQ's stored EBOPs)");
    }
    d.stored_ebops = static_cast<std::int64_t>(e.values[0]);
  }

  d.iq = ReadQuantizer(vars, "iq", ParseQuantizer(c, "iq_conf", file, where), {1, in}, file);
  HgqQuantizer kq =
      ReadQuantizer(vars, "kq", ParseQuantizer(c, "kq_conf", file, where), stored, file);
  d.kq = kq;
  if (transposed) {  // to [in][units] like the kernel
    for (std::int64_t j = 0; j < in; ++j) {
      for (std::int64_t o = 0; o < units; ++o) {
        d.kq.k[j * units + o] = kq.k[o * in + j];
        d.kq.i[j * units + o] = kq.i[o * in + j];
        d.kq.f[j * units + o] = kq.f[o * in + j];
      }
    }
  }
  if (has_bias) {
    d.bq = ReadQuantizer(vars, "bq", ParseQuantizer(c, "bq_conf", file, where), {units}, file);
  }
  return d;
}

// The model's config (the object whose "layers" lists them) from config.json or model_config.
const json& ModelConfig(const json& model, const std::string& file) {
  const std::string cls = ClassOf(model);
  if (cls != "Functional" && cls != "Sequential" && cls != "Model") {
    throw spec::ConfigError(file, "$.class_name",
                            "a Sequential or Functional Keras model, got '" + cls + "'");
  }
  const json& c = Inner(model);
  if (!c.contains("layers") || !c["layers"].is_array()) {
    throw spec::ConfigError(file, "$.config.layers", "the model's list of layers");
  }
  return c;
}

int InputFeatures(const json& shape, const std::string& file, const std::string& where) {
  if (!shape.is_array() || shape.size() != 2 || !shape[1].is_number_integer() ||
      shape[1].get<long long>() < 1 || shape[1].get<long long>() > 65536) {
    throw spec::ConfigError(file, where,
                            "an input of shape (batch, features): msqx unrolls networks of "
                            "vectors, got " +
                                shape.dump());
  }
  return shape[1].get<int>();
}

// One entry of the model's layer list: checks the chain, reads a dense layer into `m`, applies a
// ReLU to the last one, skips identities, rejects anything else.
void ReadLayer(const json& layers, std::size_t index, const std::string& where,
               const std::string& file, bool sequential, const H5File& weights,
               std::map<std::string, int>& snake_count, int& features, std::string& previous,
               bool& output_quantizer, HgqModelData& m) {
  const json& layer = layers[index];
  const json& c = Inner(layer);
  const std::string cls = ClassOf(layer);
  const std::string name = StringOr(c, "name", StringOr(layer, "name", ""));
  std::string snake = SnakeCase(cls);
  const int seen = snake_count[snake]++;
  if (seen > 0) snake += "_" + std::to_string(seen);
  if (!sequential && cls != "InputLayer") {
    std::vector<std::string> inbound;
    InboundNames(Member(layer, "inbound_nodes"), inbound);
    if (inbound.size() != 1 || inbound[0] != previous) {
      Unsupported(file, where + ".inbound_nodes", name, cls,
                  "msqx unrolls a chain of layers, each reading the previous one");
    }
  }
  if (cls == "InputLayer") {
    features =
        InputFeatures(c.contains("batch_shape") ? c["batch_shape"] : Member(c, "batch_input_shape"),
                      file, where + ".config.batch_shape");
  } else if (cls == "Dropout" || cls == "Flatten") {
    m.notes.push_back(cls + " layer '" + name + "' is the identity at inference: skipped");
  } else if (cls == "Activation" || cls == "ReLU") {
    const bool relu = cls == "ReLU" ? Member(c, "max_value").is_null() &&
                                          NumberOr(c, "negative_slope", 0.0) == 0.0 &&
                                          NumberOr(c, "threshold", 0.0) == 0.0
                                    : StringOr(c, "activation", "") == "relu";
    const bool linear = cls == "Activation" && StringOr(c, "activation", "") == "linear";
    if (!relu && !linear) {
      Unsupported(file, where, name, cls, "only relu and linear activations are unrolled");
    }
    if (relu && m.layers.empty()) {
      Unsupported(file, where, name, cls, "a ReLU on the network input");
    }
    if (relu) m.layers.back().relu = true;
  } else if (cls == "QDense" || cls == "QBatchNormDense" || cls == "QEinsumDense" ||
             cls == "QEinsumDenseBatchnorm") {
    if (features == 0) {  // a Sequential model without an InputLayer: its build config
      features = InputFeatures(Member(Member(layer, "build_config"), "input_shape"), file,
                               where + ".build_config.input_shape");
    }
    if (output_quantizer) {
      Unsupported(file, where, m.layers.back().name, m.layers.back().class_name,
                  "an output quantizer before another layer's input quantizer");
    }
    std::unique_ptr<Variables> vars;
    if (m.format == "keras") {
      vars = hgq::KerasLayerVariables(weights, "layers/" + snake);
    } else {
      vars = hgq::LegacyLayerVariables(weights, name);
    }
    if (m.input_features == 0) m.input_features = features;
    m.layers.push_back(ReadDense(layer, *vars, features, file, where + ".config"));
    features = m.layers.back().units;
    output_quantizer = BoolOr(c, "enable_oq", false);
    if (output_quantizer) {
      m.notes.push_back("the output quantizer of layer '" + name +
                        "' is not modelled: its exact sums leave the unrolled chain");
    }
  } else {
    Unsupported(file, where, name, cls, "");
  }
  previous = name;
}

}  // namespace

HgqModelData ReadHgqModel(const std::string& path) {
  std::string magic(8, '\0');
  {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw spec::ConfigError(path, "$", "a readable .keras or .h5 file");
    f.read(magic.data(), 8);
    magic.resize(static_cast<std::size_t>(f.gcount()));
  }
  HgqModelData m;
  m.file = path;
  std::unique_ptr<H5File> weights;
  json model;
  const std::string config_label = path;
  if (magic.rfind("PK", 0) == 0) {
    m.format = "keras";
    const ZipArchive zip = ZipArchive::Open(path);
    if (!zip.Has("config.json")) {
      throw spec::ConfigError(path, "config.json", "a .keras archive with config.json");
    }
    if (!zip.Has("model.weights.h5")) {
      throw spec::ConfigError(path, "model.weights.h5",
                              zip.Has("model.weights.npz")
                                  ? "HDF5 weights (msqx does not read the npz weights format)"
                                  : "a .keras archive with model.weights.h5");
    }
    model =
        spec::ParseJsonText(WithoutNonFiniteTokens(zip.Read("config.json", std::size_t{64} << 20)),
                            path + "!config.json");
    if (zip.Has("metadata.json")) {
      const json meta =
          spec::ParseJsonText(zip.Read("metadata.json", 1 << 20), path + "!metadata.json");
      m.keras_version = StringOr(meta, "keras_version", "");
    }
    weights = std::make_unique<H5File>(
        H5File::FromImage(zip.Read("model.weights.h5"), path + "!model.weights.h5"));
  } else if (magic == std::string("\x89HDF\r\n\x1a\n", 8)) {
    m.format = "h5";
    weights = std::make_unique<H5File>(H5File::Open(path));
    const auto config = weights->StringAttribute("/", "model_config");
    if (!config) {
      throw spec::ConfigError(path, "/@model_config",
                              "a whole Keras model (model.save): this HDF5 file has no model "
                              "config (a .weights.h5 file holds weights only)");
    }
    model = spec::ParseJsonText(WithoutNonFiniteTokens(*config), path + "@model_config");
    m.keras_version = weights->StringAttribute("/", "keras_version").value_or("");
    if (!weights->IsGroup("model_weights")) {
      throw spec::ConfigError(path, "/model_weights", "the model's weights (a group)");
    }
  } else {
    throw spec::ConfigError(path, "$",
                            "a Keras model: a .keras archive (zip) or a .h5 file (HDF5); the "
                            "file starts with neither signature");
  }

  const std::string file = path;
  const json& config = ModelConfig(model, file);
  m.name = StringOr(config, "name", "model");
  const bool sequential = ClassOf(model) == "Sequential";
  std::map<std::string, int> snake_count;
  int features = 0;
  std::string previous;           // the layer the next one must read (a chain)
  bool output_quantizer = false;  // the last dense layer quantizes its output
  const json& layers = config["layers"];
  for (std::size_t index = 0; index < layers.size(); ++index) {
    const std::string where = "$.config.layers[" + std::to_string(index) + "]";
    try {
      ReadLayer(layers, index, where, file, sequential, *weights, snake_count, features, previous,
                output_quantizer, m);
    } catch (const nlohmann::json::exception& e) {
      // A config value of a type Keras does not write: say where, never crash.
      throw spec::ConfigError(file, where,
                              std::string("a layer config as Keras writes it (") + e.what() + ")");
    }
  }
  if (m.layers.empty()) {
    throw spec::ConfigError(file, "$.config.layers", std::string("at least one of ") + kSupported);
  }
  return m;
}

}  // namespace msqx::io
