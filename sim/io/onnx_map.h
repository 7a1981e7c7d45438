#pragma once
// Map stage of the ONNX import (onnx_map.cpp, onnx_map_weights.cpp): the cleaned graph's nodes as
// msqx layers. Internal to sim/io; only built with libonnx.

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "sim/io/onnx_model.h"

namespace msqx::io::onnx_in {

// An activation tensor as the mapper sees it: the msqx layer (or "input") whose output it is, and
// the layout ONNX gives it. NHWC is a Keras tensor (the same data as the layer's CHW output, in
// another order); a flat tensor was flattened from CHW or, after an NHWC transpose, from HWC.
struct Value {
  enum class Layout { kNchw, kNhwc, kFlat } layout = Layout::kNchw;
  std::string producer;
  std::vector<std::int64_t> hwc;  // flat from NHWC: the C, H, W it was flattened from (HWC order)
};

class Mapper {
 public:
  Mapper(std::shared_ptr<Model> model, const Graph& graph, const OnnxImportOptions& options);
  Mapped Run();

 private:
  [[noreturn]] void Fail(const std::string& message) const;
  void ReadInput();
  void Convert(const Node& n);

  // operands
  const Value& Activation(int i) const;
  const Constant* ConstantInput(int i) const;
  const Values* Small(const std::string& name) const;  // nullptr: too large or stripped
  const std::vector<std::int64_t>* ShapeOf(const std::string& tensor) const;
  std::int64_t Int(const char* name, std::int64_t fallback) const;
  double Float(const char* name, double fallback) const;
  std::vector<std::int64_t> Ints(const char* name) const;
  std::string String(const char* name) const;

  // layers (onnx_map.cpp)
  std::string NameFor();
  void AddLayer(nlohmann::json layer, Value::Layout layout = Value::Layout::kNchw);
  void Alias(const Value& v);
  void ConvertAct(const std::string& function);
  void ConvertClip();
  void ConvertPool();
  void ConvertGlobalPool();
  void ConvertConcat();
  void ConvertFlatten();
  void ConvertTranspose();
  void ConvertAdd();
  nlohmann::json Window(int kernel_h, int kernel_w, const std::vector<std::int64_t>& in_dims);

  // weighted layers and what folds into them (onnx_map_weights.cpp)
  void ConvertConv();
  void ConvertFc();
  void FoldBatchNorm();
  void FoldConstantAdd(int constant_input);
  void FoldConstantMul(int constant_input);
  // The conv or fc layer whose output input `i` is, when nothing else reads it; the node's output
  // becomes that layer's output.
  // `bias`: the fold leaves a bias (zeros to start from when the layer had none).
  ImportedWeights& FoldTarget(int i, const std::string& what, bool bias = true);
  WeightPlan* PlanOf(const std::string& layer);  // nullptr without weights
  std::vector<double> PerChannel(const Values& v, std::int64_t channels, const std::string& what);
  std::vector<std::int64_t> HwcColumns(const Value& in, std::int64_t features);

  std::shared_ptr<Model> model_;
  const Graph& graph_;
  OnnxImportOptions options_;
  const Node* node_ = nullptr;
  std::map<std::string, Value> values_;
  std::map<std::string, int> consumers_;
  std::map<std::string, std::string> weighted_output_;        // conv/fc output tensor -> layer
  std::map<std::string, std::shared_ptr<WeightPlan>> plans_;  // by layer
  std::set<std::string> used_names_ = {"input"};
  nlohmann::json input_shape_;
  std::vector<nlohmann::json> layers_;
  std::vector<ImportedWeights> weights_;
  std::vector<std::string> notes_;
};

}  // namespace msqx::io::onnx_in
