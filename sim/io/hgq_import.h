#pragma once
// HGQ2 models in (sim/io/hgq_keras.h reads them), msqx's unrolled network out: the batch norm of
// QBatchNormDense and QEinsumDenseBatchnorm folded into kernel and bias exactly as HGQ2 folds it
// at inference, every weight, bias and input quantized by HGQ's own quantizer (float32, clip then
// round half up, then wrap; i + f <= 0 pruned), and HGQ's EBOPs recomputed beside the ones the
// checkpoint stores. `msqx import` (sim/cli/import_hgq.cpp) writes the result as network.json, a
// weights folder (dse/unrolled_weights.h), an unrolled design.json and import.json.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "models/unrolled/synthetic_hgq.h"
#include "sim/io/hgq_keras.h"

namespace msqx::io {

struct HgqImportOptions {
  std::string name;  // network name; empty: the model's own name
  std::string device = "xcvu13p";
  double clock_mhz = 200;  // 5 ns, HGQ's usual target
};

struct HgqImportedLayer {
  std::string name;        // msqx's layer name (the Keras name made file-safe)
  std::string keras_name;  // as the model names it
  std::string class_name;
  std::string batch_norm;  // "none", "inputs" (QBatchNormDense), "outputs" (QEinsumDenseBatchnorm)
  int in_features = 0, out_features = 0;
  bool relu = false;
  std::optional<std::int64_t> stored_ebops;    // what HGQ stored in the checkpoint
  std::int64_t ebops_hgq = 0;                  // HGQ2's formula (since 2025-12-02) on its widths
  std::int64_t ebops_hgq_before_20251202 = 0;  // HGQ2's earlier bias term (mean bits x inputs)
  std::int64_t ebops_span = 0;                 // msqx's hardware span
  // Floats written where HGQ's float32 rounding (floor(fl(x 2^f) + 0.5f)) and exact round-half-up
  // disagree (a half step one float32 ulp away): nudged onto the half step HGQ rounded from, so
  // that msqx's quantizer gives HGQ's code.
  int rounding_adjusted = 0;
  // Elements typed i + f = 0 with a sign bit whose SAT or WRAP quantizer leaves HGQ a 1-bit value
  // {-2^-f, 0}: msqx prunes them (HGQ's EBOPs give them 0 bits); counted, never silent.
  int sign_only_elements = 0;
};

struct HgqImport {
  std::string source, format, keras_version, model_name;
  nlohmann::json network;    // sim/spec/network.cpp's schema
  nlohmann::json design;     // an unrolled design: network.json, weights/, per-weight precision
  unrolled::HgqNetwork net;  // weights and precision, as the weights folder holds them
  std::vector<HgqImportedLayer> layers;
  std::vector<std::string> notes;

  nlohmann::json Report() const;  // import.json (schema msqx.hgq_import/1)
};

HgqImport ImportHgq(const std::string& path, const HgqImportOptions& options = {});

// HGQ2's fixed-point quantizer at inference on a float32 value (FixedPointQuantizerBase.call and
// the quantizers package): i' = max(i, -f); unless WRAP, clip to [-k 2^i', 2^i' - 2^-f]
// (SAT_SYM: +-(2^i' - 2^-f)); round floor(x 2^f + 0.5) in float32; WRAP keeps the low i'+k+f
// bits; 0 where k + i + f <= 0. Returns the code (value = code 2^-f).
std::int64_t HgqQuantizeCode(float x, const unrolled::FixedType& t);

}  // namespace msqx::io
