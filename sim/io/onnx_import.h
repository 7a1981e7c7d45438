#pragma once
// ONNX models in, msqx network configs and weight folders out, so that real models enter without
// hand-written configs. Supported operators: Conv (square kernels, equal strides, symmetric pads,
// no dilation), Gemm and MatMul with a constant weight (-> fc), Add (of two layers -> add; of a
// constant after an fc -> that fc's bias), Relu, Clip(0, 6) (-> relu6), MaxPool, AveragePool,
// GlobalAveragePool, GlobalMaxPool, BatchNormalization after a conv or fc (folded into its
// weights), Flatten / Reshape-to-2D / Dropout / Identity (no layer), and a Softmax/LogSoftmax
// whose result is a graph output (left to the host, noted in `notes`). Anything else is a
// spec::ConfigError naming the node. Every derived shape is checked against the shapes the model
// declares (its outputs and ONNX shape inference); a mismatch is an error, never a silent guess.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/io/npy.h"

namespace msqx::io {

struct OnnxImportOptions {
  std::string name;     // network name; empty: the file's stem
  int weight_bits = 4;  // written as the network's defaults
  int act_bits = 4;
};

struct ImportedWeights {
  std::string layer;
  NpyArray array;  // [out, in/groups, k, k] or [out, in]
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
};

// False when msqx was built without libonnx-dev; ImportOnnx then throws spec::ConfigError.
bool OnnxImportAvailable();

OnnxImport ImportOnnx(const std::string& path, const OnnxImportOptions& options = {});

// Writes <out_dir>/network.json and <out_dir>/weights/<layer>.npy (folders created).
void WriteImport(const OnnxImport& import, const std::string& out_dir);

}  // namespace msqx::io
