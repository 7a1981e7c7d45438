#include "sim/io/hgq_import.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>
#include <stdexcept>

#include "models/unrolled/ebops.h"
#include "sim/spec/json_reader.h"

namespace msqx::io {

using unrolled::FixedType;
using unrolled::Overflow;

std::int64_t HgqQuantizeCode(float x, const FixedType& t) {
  const int k = t.sign_bits, f = t.fractional_bits;
  if (k + t.integer_bits + f <= 0) return 0;  // HGQ's where(k + i + f > 0, q, 0), stored i
  const int i = std::max(t.integer_bits, -f);
  float v = x;
  if (t.overflow != Overflow::kWrap) {  // HGQ saturates before rounding
    const float hi = std::ldexp(1.0f, i) - std::ldexp(1.0f, -f);
    const float lo = t.overflow == Overflow::kSatSym ? -hi * static_cast<float>(k)
                                                     : -std::ldexp(1.0f, i) * static_cast<float>(k);
    v = std::min(std::max(v, lo), hi);
  }
  const float scaled = v * std::ldexp(1.0f, f);                        // exact: a power of two
  const double code = std::floor(static_cast<double>(scaled + 0.5f));  // float32 sum, as HGQ
  if (t.overflow != Overflow::kWrap) return static_cast<std::int64_t>(code);
  if (!std::isfinite(code)) return 0;  // x * 2^f beyond float32: no low bits to keep
  const int width = i + k + f;
  const double modulus = std::ldexp(1.0, width);
  double r = std::fmod(code, modulus);
  if (r < 0) r += modulus;
  if (k == 1 && r >= modulus / 2) r -= modulus;
  return static_cast<std::int64_t>(r);
}

namespace {

namespace fs = std::filesystem;

// A Keras layer name as a file-safe msqx layer name, unique in the network and never "input".
std::string SafeName(const std::string& keras, std::set<std::string>& taken) {
  std::string s;
  for (char c : keras) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    s.push_back(ok ? c : '_');
  }
  if (s.empty() || s == "input") s = "layer" + s;
  std::string name = s;
  for (int n = 2; taken.count(name) != 0; ++n) name = s + "_" + std::to_string(n);
  taken.insert(name);
  return name;
}

FixedType TypeOf(const HgqQuantizer& q, std::size_t e, const std::string& file) {
  const FixedType t{q.k[e], q.i[e], q.f[e], q.overflow};
  try {
    unrolled::CheckFixedType(t);
  } catch (const std::invalid_argument& err) {
    throw spec::ConfigError(
        file, q.where,
        "bit widths msqx can build, at flat index " + std::to_string(e) + ": " + err.what());
  }
  return t;
}

// The float value to write for `x` so that msqx's quantizer (exact round half up) gives HGQ's
// float32 code: x itself, or the half step HGQ's float32 sum rounded up from.
double Writable(float x, const FixedType& t, std::int64_t hgq, int* adjusted) {
  const double exact = static_cast<double>(x);
  if (unrolled::Quantize(exact, t).code == hgq) return exact;
  ++*adjusted;
  const double half = std::ldexp(static_cast<double>(hgq) - 0.5, -t.fractional_bits);
  if (unrolled::Quantize(half, t).code == hgq) return half;
  const double level = std::ldexp(static_cast<double>(hgq), -t.fractional_bits);
  if (unrolled::Quantize(level, t).code == hgq) return level;
  throw std::logic_error("ImportHgq: no float gives HGQ's code " + std::to_string(hgq));
}

// A 1-bit value {-2^-f, 0} that HGQ keeps where msqx (and HGQ's EBOPs) see a pruned element.
bool SignOnly(const FixedType& t) {
  return t.sign_bits == 1 && t.integer_bits + t.fractional_bits == 0 &&
         t.overflow != Overflow::kSatSym;
}

// The batch norm folded as HGQ2 folds it at inference, in float32:
//   QBatchNormDense (statistics of the inputs): s_j = gamma_j / sqrt(var_j + eps),
//     kernel[j][o] * s_j, bias_o - sum_j mean_j kernel[j][o] (HGQ subtracts the unscaled mean
//     times the unscaled kernel; the sum is rounded to float32 once here, XLA's order may differ
//     in the last bit);
//   QEinsumDenseBatchnorm (statistics of the outputs): s_o = gamma_o / sqrt(var_o + 1e-7),
//     kernel[j][o] * s_o, bias_o + (-mean_o * s_o).
void FoldBatchNorm(const HgqDenseData& d, std::vector<float>& kernel, std::vector<float>& bias) {
  kernel = d.kernel;
  bias = d.bias;
  if (d.batch_norm == HgqBatchNorm::kNone) return;
  const bool inputs = d.batch_norm == HgqBatchNorm::kInputs;
  const std::size_t n = inputs ? d.in_features : d.units;
  std::vector<float> scale(n);
  for (std::size_t c = 0; c < n; ++c) {
    const float gamma = d.bn_gamma.empty() ? 1.0f : d.bn_gamma[c];
    scale[c] = gamma / std::sqrt(d.bn_variance[c] + d.bn_epsilon);
  }
  const int units = d.units;
  for (int j = 0; j < d.in_features; ++j) {
    for (int o = 0; o < units; ++o) {
      kernel[j * units + o] = d.kernel[j * units + o] * scale[inputs ? j : o];
    }
  }
  for (int o = 0; o < units; ++o) {
    if (inputs) {
      double dot = 0;
      for (int j = 0; j < d.in_features; ++j) {
        dot += static_cast<double>(d.bn_mean[j]) * d.kernel[j * units + o];
      }
      bias[o] = d.bias[o] + static_cast<float>(-dot);
    } else {
      bias[o] = d.bias[o] + (-d.bn_mean[o] * scale[o]);
    }
  }
}

// HGQ2's EBOPs before 2025-12-02 scaled the bias term by the input size instead of the outputs.
std::int64_t EbopsBeforeFix(const unrolled::QuantizedDense& q, const unrolled::PrecisionTensor& a) {
  if (!q.HasBias()) return unrolled::HgqDenseEbops(q, a);
  unrolled::QuantizedDense no_bias = q;
  no_bias.bias_codes.clear();
  no_bias.bias_types = {};
  std::int64_t bias_bits = 0;
  for (const auto& t : q.bias_types.types) bias_bits += unrolled::HgqBits(t);
  const float mean = static_cast<float>(bias_bits) / static_cast<float>(q.out_features);
  const float total = static_cast<float>(unrolled::HgqDenseEbops(no_bias, a)) +
                      mean * static_cast<float>(q.in_features);
  return static_cast<std::int64_t>(std::trunc(total));
}

HgqImportedLayer Convert(const HgqDenseData& d, const std::string& name, const std::string& file,
                         unrolled::HgqDenseLayer& out) {
  HgqImportedLayer info;
  info.name = name;
  info.keras_name = d.name;
  info.class_name = d.class_name;
  info.batch_norm = d.batch_norm == HgqBatchNorm::kNone     ? "none"
                    : d.batch_norm == HgqBatchNorm::kInputs ? "inputs"
                                                            : "outputs";
  info.in_features = d.in_features;
  info.out_features = d.units;
  info.relu = d.relu;
  info.stored_ebops = d.stored_ebops;
  std::vector<float> kernel, bias;
  FoldBatchNorm(d, kernel, bias);
  const auto finite = [](const std::vector<float>& v) {
    return std::all_of(v.begin(), v.end(), [](float x) { return std::isfinite(x); });
  };
  if (!finite(kernel) || !finite(bias)) {
    throw spec::ConfigError(file, d.where,
                            "a batch norm that folds to finite weights (a variance plus epsilon "
                            "that is not positive, or values beyond float32)");
  }

  out.name = name;
  out.relu = d.relu;
  const int in = d.in_features, units = d.units;
  unrolled::PrecisionTensor weight_types;
  weight_types.shape = {units, in};
  std::vector<std::int64_t> codes;
  for (int o = 0; o < units; ++o) {  // msqx's [out][in] from Keras' [in][units]
    for (int j = 0; j < in; ++j) {
      const std::size_t e = static_cast<std::size_t>(j) * units + o;
      const FixedType t = TypeOf(d.kq, e, file);
      const std::int64_t hgq = HgqQuantizeCode(kernel[e], t);
      if (t.IsPruned()) {
        info.sign_only_elements += SignOnly(t) && hgq != 0;
        out.weights.push_back(kernel[e]);
      } else {
        out.weights.push_back(Writable(kernel[e], t, hgq, &info.rounding_adjusted));
      }
      weight_types.types.push_back(t);
      codes.push_back(t.IsPruned() ? 0 : hgq);
    }
  }
  out.quantized = unrolled::QuantizeDense(units, in, out.weights, weight_types);
  if (d.bq) {
    unrolled::PrecisionTensor bias_types;
    bias_types.shape = {units};
    for (int o = 0; o < units; ++o) {
      const FixedType t = TypeOf(*d.bq, static_cast<std::size_t>(o), file);
      const std::int64_t hgq = HgqQuantizeCode(bias[o], t);
      if (t.IsPruned()) {
        info.sign_only_elements += SignOnly(t) && hgq != 0;
        out.bias.push_back(bias[o]);
      } else {
        out.bias.push_back(Writable(bias[o], t, hgq, &info.rounding_adjusted));
      }
      bias_types.types.push_back(t);
    }
    unrolled::QuantizeBias(out.quantized, out.bias, bias_types);
  }
  if (out.quantized.codes != codes) {
    throw std::logic_error("ImportHgq: msqx's codes differ from HGQ's in layer " + name);
  }
  out.activations.shape = {in};
  for (int j = 0; j < in; ++j) {
    const FixedType t = TypeOf(d.iq, static_cast<std::size_t>(j), file);
    info.sign_only_elements += SignOnly(t);
    out.activations.types.push_back(t);
  }
  info.ebops_hgq = unrolled::HgqDenseEbops(out.quantized, out.activations);
  info.ebops_hgq_before_20251202 = EbopsBeforeFix(out.quantized, out.activations);
  info.ebops_span = unrolled::DenseEbops(out.quantized, out.activations);
  return info;
}

}  // namespace

HgqImport ImportHgq(const std::string& path, const HgqImportOptions& options) {
  const HgqModelData model = ReadHgqModel(path);
  HgqImport im;
  im.source = path;
  im.format = model.format;
  im.keras_version = model.keras_version;
  im.model_name = model.name;
  im.notes = model.notes;
  std::set<std::string> taken;
  nlohmann::json layers = nlohmann::json::array();
  for (const HgqDenseData& d : model.layers) {
    unrolled::HgqDenseLayer layer;
    const std::string name = SafeName(d.name, taken);
    im.layers.push_back(Convert(d, name, path, layer));
    layers.push_back({{"name", name},
                      {"type", "fc"},
                      {"out_features", d.units},
                      {"bias", layer.quantized.HasBias()}});
    if (d.relu) {
      layers.push_back(
          {{"name", SafeName(name + "_relu", taken)}, {"type", "act"}, {"function", "relu"}});
    }
    im.net.layers.push_back(std::move(layer));
    const HgqImportedLayer& l = im.layers.back();
    if (l.rounding_adjusted > 0) {
      im.notes.push_back(name + ": " + std::to_string(l.rounding_adjusted) +
                         " float(s) written on the half step HGQ's float32 rounding took");
    }
    if (l.sign_only_elements > 0) {
      im.notes.push_back(name + ": " + std::to_string(l.sign_only_elements) +
                         " element(s) typed i+f = 0 with a sign bit and a SAT or WRAP quantizer "
                         "keep a 1-bit value {-2^-f, 0} in HGQ; msqx prunes them, as HGQ's "
                         "EBOPs do");
    }
    if (l.stored_ebops && *l.stored_ebops != l.ebops_hgq) {
      im.notes.push_back(
          name + ": HGQ stored " + std::to_string(*l.stored_ebops) + " EBOPs, its formula gives " +
          std::to_string(l.ebops_hgq) +
          (*l.stored_ebops == l.ebops_hgq_before_20251202
               ? " (the stored value is HGQ2's formula before 2025-12-02, whose bias term "
                 "scaled with the inputs)"
               : " (HGQ stores the value of its last training step, before the final update of "
                 "the bit widths)"));
    }
  }
  const std::string stem = fs::path(path).stem().string();
  const std::string name = !options.name.empty() ? options.name
                           : !model.name.empty() ? model.name
                                                 : stem;
  im.network = {{"name", name},
                {"input", {{"channels", model.input_features}, {"height", 1}, {"width", 1}}},
                {"weight_bits", 8},
                {"act_bits", 8},
                {"layers", layers}};
  im.design = {{"name", name + "_unrolled"},
               {"kind", "unrolled"},
               {"device", options.device},
               {"clock_mhz", options.clock_mhz},
               {"network", "network.json"},
               {"unrolled", {{"reuse_factor", 1}, {"dsp_min_bits", 10}}},
               {"precision", {{"mode", "per_weight"}, {"weights", "weights"}}}};
  return im;
}

nlohmann::json HgqImport::Report() const {
  nlohmann::json rows = nlohmann::json::array();
  std::int64_t stored = 0, hgq = 0, before = 0, span = 0;
  bool all_stored = true;
  for (const HgqImportedLayer& l : layers) {
    rows.push_back({{"name", l.name},
                    {"keras_name", l.keras_name},
                    {"class", l.class_name},
                    {"batch_norm_folded", l.batch_norm},
                    {"in_features", l.in_features},
                    {"out_features", l.out_features},
                    {"relu", l.relu},
                    {"ebops_stored", l.stored_ebops ? nlohmann::json(*l.stored_ebops) : nullptr},
                    {"ebops_hgq", l.ebops_hgq},
                    {"ebops_hgq_before_20251202", l.ebops_hgq_before_20251202},
                    {"ebops_span", l.ebops_span},
                    {"floats_on_hgq_rounding", l.rounding_adjusted},
                    {"sign_only_elements_pruned", l.sign_only_elements}});
    all_stored = all_stored && l.stored_ebops.has_value();
    stored += l.stored_ebops.value_or(0);
    hgq += l.ebops_hgq;
    before += l.ebops_hgq_before_20251202;
    span += l.ebops_span;
  }
  return {{"schema", "msqx.hgq_import/1"},
          {"source", source},
          {"format", format},
          {"keras_version", keras_version},
          {"model", model_name},
          {"network", network["name"]},
          {"ebops",
           {{"stored", all_stored ? nlohmann::json(stored) : nullptr},
            {"hgq", hgq},
            {"hgq_before_20251202", before},
            {"span", span},
            {"what",
             "stored: the sum of the layers' ebops variables in the checkpoint (HGQ's "
             "FreeEBOPs); hgq: HGQ2's formula on the imported bit widths; span: msqx's hardware "
             "figure (weight code spans times full activation widths, products only)"}}},
          {"layers", rows},
          {"notes", notes}};
}

}  // namespace msqx::io
