#pragma once
// ONNX models in, msqx network configs and weight folders out, so that real models enter without
// hand-written configs: graphs as PyTorch (1.x and 2.x) and Keras (tf2onnx) export them. The
// import runs in named stages (docs/import.md): load the structure (weights stay in the model's
// file or its external data files, which must lie in the model's folder), clean the graph up as
// ONNX tools do (constant folding of shape arithmetic, Identity/Dropout/no-op removal, Pad into
// the next conv, a symbolic batch fixed to 1), map the nodes to msqx layers (conv, fc, pooling,
// add, concat, activations; batch norm and biases folded into their conv or fc; an NHWC input's
// Transpose folded into the layout), check every derived shape against ONNX shape inference, and
// write the network and its weights one row at a time. Anything else is a spec::ConfigError
// naming the node or tensor and what was expected.

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/io/npy.h"

namespace msqx::io {

struct OnnxImportOptions {
  std::string name;     // network name; empty: the file's stem
  int weight_bits = 4;  // written as the network's defaults
  int act_bits = 4;
  // false: the graph's structure only (`msqx import --no-weights`): no weights are read or
  // written, and initializers may come without data (dims and type are enough).
  bool weights = true;
};

struct WeightPlan;  // how a layer's weights come out of the model (internal)

struct ImportedWeights {
  std::string layer;
  std::vector<std::int64_t> shape;  // [out, in/groups, kh, kw] or [out, in]
  NpyType type = NpyType::kFloat32;
  std::vector<double> bias;                // one per output channel; empty when the layer has none
  std::shared_ptr<const WeightPlan> plan;  // nullptr without weights

  // The whole array (tests, small layers); WriteImport streams instead.
  NpyArray Materialize() const;
};

struct ShapeCheck {
  std::string tensor;          // ONNX tensor name
  std::string layer;           // msqx layer that produces it
  std::vector<long> declared;  // without the batch dimension
  std::vector<long> derived;
};

struct OnnxImport {
  nlohmann::json network;  // the schema of sim/spec/network.cpp
  std::vector<ImportedWeights> weights;
  std::vector<ShapeCheck> checks;  // every declared shape that was compared (all equal)
  std::vector<std::string> notes;  // what was left out or folded, for the user
  bool with_weights = true;
};

// False when msqx was built without libonnx-dev; ImportOnnx then throws spec::ConfigError.
bool OnnxImportAvailable();

OnnxImport ImportOnnx(const std::string& path, const OnnxImportOptions& options = {});

// Writes <out_dir>/network.json, <out_dir>/weights/<layer>.npy and
// <out_dir>/weights/bias/<layer>.npy (without weights only network.json). Everything is written
// into a sibling folder first and moved into place at the end, so that a failure (a non-finite
// weight, a full disk) leaves no network.json beside partial weights.
void WriteImport(const OnnxImport& import, const std::string& out_dir);

}  // namespace msqx::io
