#pragma once
// Evaluation of an unrolled design (spec::UnrolledDesignSpec) on an fc network: its weights and
// precision (per-weight HGQ-like or uniform), each layer's resources, EBOPs and pipeline, the
// chain's latency and initiation interval (the cycle fidelity of unrolled designs, which the
// pin-level model models/unrolled/dense_pin.h matches), and the weights' quantization SQNR as
// the accuracy proxy that sweeps compare designs at. docs/unrolled.md.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/spec/network.h"
#include "models/unrolled/synthetic_hgq.h"
#include "models/unrolled/unrolled_cost.h"
#include "models/unrolled/unrolled_timing.h"
#include "sim/spec/unrolled_design.h"

namespace msqx::dse {

struct UnrolledLayerResult {
  std::string name;
  int in_features = 0, out_features = 0;
  unrolled::UnrolledCost cost;
  unrolled::UnrolledLayerTiming timing;
  // HGQ's EBOPs (its training metric, what a checkpoint stores) and msqx's hardware span
  // (models/unrolled/ebops.h says which is which).
  std::int64_t ebops_hgq = 0;
  std::int64_t ebops_span = 0;
  bool has_bias = false;
  bool relu = false;  // the output stage applies a ReLU
  // The binary point of each output (F_o: output o is y_o * 2^-F_o) and the largest shift that
  // moves a product onto it (models/unrolled/alignment.h); 0 at uniform precision.
  std::vector<int> output_frac_bits;
  int max_alignment_shift = 0;
};

struct UnrolledResult {
  std::vector<UnrolledLayerResult> layers;
  unrolled::UnrolledTiming timing;
  std::int64_t lut = 0, ff = 0, dsp = 0, ebops_hgq = 0, ebops_span = 0;
  double latency_ns = 0;
  double inferences_per_s = 0;  // clock / II
  // 10 log10(sum w^2 / sum (w - q(w))^2) over every weight, pruned weights' w taken as 0 (HGQ's
  // model), so per-weight and uniform precision quantize the same reference.
  double weight_sqnr_db = 0;
  double lut_utilization = 0, ff_utilization = 0, dsp_utilization = 0;
  bool fits = true;    // every resource within the device
  std::string misfit;  // which resource is over, when !fits
};

// The network's weights and precision as the design says (uniform precision requantizes the
// same float weights), with the floats of pruned weights set to 0 (unrolled::ZeroPruned). Throws
// spec::ConfigError naming the network when it is not fc-only or has an activation other than
// relu.
unrolled::HgqNetwork UnrolledWeights(const spec::UnrolledDesignSpec& design,
                                     const spec::NetworkSpec& network);
// `net`'s float weights at uniform precision: every weight `weight_bits` wide with the sign and
// integer bits for its layer's largest weight, every activation `act_bits` wide.
unrolled::HgqNetwork UniformCopy(unrolled::HgqNetwork net, int weight_bits, int act_bits);

// The cost and timing models' parameters of the design (reuse factor, DSP threshold).
unrolled::UnrolledParams UnrolledParamsOf(const spec::UnrolledDesignSpec& design);

UnrolledResult EvaluateUnrolled(const spec::UnrolledDesignSpec& design,
                                const spec::NetworkSpec& network);
// The same on weights already in the design's precision (loaded once for many points).
UnrolledResult EvaluateUnrolled(const spec::UnrolledDesignSpec& design,
                                const unrolled::HgqNetwork& net);

// report.json of `msqx sim` on an unrolled design (schema msqx.unrolled_report/2: EBOPs as
// ebops_hgq and ebops_span).
nlohmann::json UnrolledReportJson(const spec::UnrolledDesignSpec& design,
                                  const spec::NetworkSpec& network, const UnrolledResult& result);

}  // namespace msqx::dse
