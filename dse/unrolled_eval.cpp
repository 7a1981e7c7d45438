#include "dse/unrolled_eval.h"

#include <algorithm>
#include <cmath>

#include "dse/unrolled_weights.h"
#include "models/spec/config_error.h"
#include "models/unrolled/alignment.h"
#include "models/unrolled/ebops.h"

namespace msqx::dse {
namespace {

// Integer bits enough for the largest magnitude (HGQ's i may be negative, so small tensors keep
// their resolution); 0 for all zeros.
int IntegerBitsFor(const std::vector<double>& values) {
  double largest = 0;
  for (double v : values) largest = std::max(largest, std::fabs(v));
  return largest > 0 ? static_cast<int>(std::ceil(std::log2(largest))) : 0;
}

// Uniform precision of the same float weights: every weight `bits` wide with the sign and the
// integer bits of the layer's largest weight (saturating symmetrically, as HGQ's weights), the
// bias likewise from its largest value; every activation `act_bits` wide with the sign and
// integer bits the per-weight precision gives it (they follow the data's range, not the
// precision budget) and its overflow mode.
void MakeUniform(unrolled::HgqDenseLayer& layer, int bits, int act_bits) {
  const int integer_bits = IntegerBitsFor(layer.weights);
  const unrolled::FixedType weight{1, integer_bits, bits - 1 - integer_bits,
                                   unrolled::Overflow::kSatSym};
  unrolled::QuantizedDense q = unrolled::QuantizeDense(
      layer.quantized.out_features, layer.quantized.in_features, layer.weights,
      unrolled::UniformPrecision(layer.quantized.weight_types.shape, weight));
  if (layer.quantized.HasBias()) {
    const int bias_integer_bits = IntegerBitsFor(layer.bias);
    const unrolled::FixedType bias{1, bias_integer_bits, bits - 1 - bias_integer_bits,
                                   layer.quantized.bias_types.types.front().overflow};
    unrolled::QuantizeBias(q, layer.bias,
                           unrolled::UniformPrecision(layer.quantized.bias_types.shape, bias));
  }
  layer.quantized = std::move(q);
  for (auto& t : layer.activations.types)
    t.fractional_bits = act_bits - t.sign_bits - t.integer_bits;
}

double SqnrDb(const unrolled::HgqNetwork& net) {
  double signal = 0, noise = 0;
  for (const auto& l : net.layers) {
    for (std::size_t i = 0; i < l.weights.size(); ++i) {
      const double q =
          static_cast<double>(l.quantized.codes[i]) * l.quantized.weight_types.types[i].Step();
      signal += l.weights[i] * l.weights[i];
      noise += (l.weights[i] - q) * (l.weights[i] - q);
    }
  }
  return noise > 0 ? 10 * std::log10(signal / noise) : 300.0;
}

}  // namespace

unrolled::HgqNetwork UnrolledWeights(const spec::UnrolledDesignSpec& design,
                                     const spec::NetworkSpec& network) {
  const bool has_fc =
      std::any_of(network.layers.begin(), network.layers.end(),
                  [](const spec::Layer& l) { return l.kind == spec::LayerKind::kFc; });
  const bool has_conv =
      std::any_of(network.layers.begin(), network.layers.end(),
                  [](const spec::Layer& l) { return l.kind == spec::LayerKind::kConv; });
  if (has_conv || !has_fc) {
    throw spec::ConfigError(
        network.source, "layers",
        "fc, act and pooling layers only, at least one fc: an unrolled design builds dense layers "
        "(conv layers are not unrolled yet)");
  }
  for (const spec::Layer& l : network.layers) {
    if (l.kind == spec::LayerKind::kAct && l.function != spec::ActFunction::kRelu) {
      throw spec::ConfigError(network.source, "layers." + l.name + ".function",
                              "relu: the output stage of an unrolled layer applies a ReLU only");
    }
  }
  unrolled::HgqNetwork net = design.precision.weights_dir.empty()
                                 ? unrolled::SyntheticHgqNetwork(network, design.precision.seed)
                                 : LoadHgqWeights(network, design.precision.weights_dir);
  // HGQ's pruned weights are 0: measure quantization noise against that model, not against the
  // stale floats a pruned weight keeps in a checkpoint.
  unrolled::ZeroPruned(net);
  return design.precision.per_weight
             ? net
             : UniformCopy(net, design.precision.weight_bits, design.precision.act_bits);
}

unrolled::HgqNetwork UniformCopy(unrolled::HgqNetwork net, int weight_bits, int act_bits) {
  for (auto& layer : net.layers) MakeUniform(layer, weight_bits, act_bits);
  return net;
}

unrolled::UnrolledParams UnrolledParamsOf(const spec::UnrolledDesignSpec& design) {
  unrolled::UnrolledParams params;
  params.reuse_factor = design.reuse_factor;
  params.dsp_min_bits = design.dsp_min_bits;
  return params;
}

UnrolledResult EvaluateUnrolled(const spec::UnrolledDesignSpec& design,
                                const spec::NetworkSpec& network) {
  return EvaluateUnrolled(design, UnrolledWeights(design, network));
}

UnrolledResult EvaluateUnrolled(const spec::UnrolledDesignSpec& design,
                                const unrolled::HgqNetwork& net) {
  const unrolled::UnrolledParams params = UnrolledParamsOf(design);
  const std::vector<unrolled::UnrolledLayer> chain = unrolled::UnrolledChain(net, params);
  UnrolledResult r;
  r.timing = unrolled::ChainUnrolledTiming(chain);
  for (std::size_t i = 0; i < chain.size(); ++i) {
    UnrolledLayerResult l;
    l.name = chain[i].name;
    l.in_features = chain[i].weights.in_features;
    l.out_features = chain[i].weights.out_features;
    l.cost = unrolled::DenseUnrolledCost(chain[i].weights, chain[i].activations, params,
                                         chain[i].output);
    l.timing = r.timing.layers[i];
    l.ebops_hgq = unrolled::HgqDenseEbops(chain[i].weights, chain[i].activations);
    l.ebops_span = unrolled::DenseEbops(chain[i].weights, chain[i].activations);
    const unrolled::DenseAlignment alignment =
        unrolled::AlignDense(chain[i].weights, chain[i].activations);
    l.output_frac_bits = alignment.output_frac_bits;
    l.max_alignment_shift = alignment.MaxShift();
    l.has_bias = chain[i].weights.HasBias();
    l.relu = chain[i].output.relu;
    r.lut += l.cost.lut;
    r.ff += l.cost.ff;
    r.dsp += l.cost.dsp;
    r.ebops_hgq += l.ebops_hgq;
    r.ebops_span += l.ebops_span;
    r.layers.push_back(std::move(l));
  }
  r.latency_ns = r.timing.LatencyNs(design.clock_mhz);
  r.inferences_per_s = design.clock_mhz * 1e6 / r.timing.initiation_interval;
  r.weight_sqnr_db = SqnrDb(net);
  const auto& dev = design.device;
  r.lut_utilization = static_cast<double>(r.lut) / static_cast<double>(dev.lut);
  r.ff_utilization = static_cast<double>(r.ff) / static_cast<double>(dev.ff);
  r.dsp_utilization =
      dev.dsp > 0 ? static_cast<double>(r.dsp) / static_cast<double>(dev.dsp) : (r.dsp > 0 ? 2 : 0);
  for (const auto& [name, used, have] :
       {std::tuple{"lut", r.lut, dev.lut}, {"ff", r.ff, dev.ff}, {"dsp", r.dsp, dev.dsp}}) {
    if (used > have) {
      r.fits = false;
      r.misfit += (r.misfit.empty() ? "" : ", ") + std::string(name) + ": " + std::to_string(used) +
                  " used > " + std::to_string(have) + " on " + dev.name;
    }
  }
  return r;
}

nlohmann::json UnrolledReportJson(const spec::UnrolledDesignSpec& design,
                                  const spec::NetworkSpec& network, const UnrolledResult& r) {
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& l : r.layers) {
    layers.push_back({{"name", l.name},
                      {"in_features", l.in_features},
                      {"out_features", l.out_features},
                      {"products", l.cost.products},
                      {"multipliers", l.cost.multipliers},
                      {"dsp_multipliers", l.cost.dsp_multipliers},
                      {"lut", l.cost.lut},
                      {"ff", l.cost.ff},
                      {"dsp", l.cost.dsp},
                      {"ebops_hgq", l.ebops_hgq},
                      {"ebops_span", l.ebops_span},
                      {"bias", l.has_bias},
                      {"relu", l.relu},
                      {"multiplier_stages", l.timing.multiplier_stages},
                      {"tree_depth", l.timing.tree_depth},
                      {"latency_cycles", l.timing.latency_cycles},
                      {"initiation_interval", l.timing.initiation_interval},
                      {"start_cycle", l.timing.start_cycle},
                      {"output_frac_bits", l.output_frac_bits},
                      {"max_alignment_shift", l.max_alignment_shift}});
  }
  return {{"schema", "msqx.unrolled_report/2"},
          {"design", spec::UnrolledDesignToJson(design)},
          {"network", network.name},
          {"device", design.device.name},
          {"clock_mhz", design.clock_mhz},
          {"precision", design.PrecisionLabel()},
          {"reuse_factor", design.reuse_factor},
          {"latency_cycles", r.timing.latency_cycles},
          {"latency_ns", r.latency_ns},
          {"initiation_interval", r.timing.initiation_interval},
          {"inferences_per_s", r.inferences_per_s},
          {"ebops_hgq", r.ebops_hgq},
          {"ebops_span", r.ebops_span},
          {"weight_sqnr_db", r.weight_sqnr_db},
          {"resources", {{"lut", r.lut}, {"ff", r.ff}, {"dsp", r.dsp}}},
          {"utilization",
           {{"lut", r.lut_utilization}, {"ff", r.ff_utilization}, {"dsp", r.dsp_utilization}}},
          {"fits", r.fits},
          {"layers", layers}};
}

}  // namespace msqx::dse
