// Map stage, weighted layers: Conv and Gemm/MatMul become conv and fc layers with a plan of how
// their weights come out of the model (onnx_write.cpp); a batch norm, a constant added or a
// per-channel constant multiplied right after one folds into its weights and bias, as inference
// engines fold them: w' = w * s, b' = (b - mean) * s + beta with s = gamma / sqrt(var + eps).
#ifdef MSQX_HAVE_ONNX

#include <cmath>

#include "sim/io/onnx_map.h"

namespace msqx::io::onnx_in {

WeightPlan* Mapper::PlanOf(const std::string& layer) {
  auto it = plans_.find(layer);
  return it == plans_.end() ? nullptr : it->second.get();
}

std::vector<double> Mapper::PerChannel(const Values& v, std::int64_t channels,
                                       const std::string& what) {
  const std::int64_t n = static_cast<std::int64_t>(v.v.size());
  if (n != channels && n != 1) {
    Fail(what + " has " + std::to_string(n) + " values; expected one per channel (" +
         std::to_string(channels) + ") or one for all");
  }
  std::vector<double> out(static_cast<std::size_t>(channels));
  for (std::int64_t c = 0; c < channels; ++c) {
    out[c] = v.v[static_cast<std::size_t>(n == 1 ? 0 : c)];
    if (!std::isfinite(out[c])) Fail(what + " holds a non-finite value");
  }
  return out;
}

// Keras flattens NHWC maps in H, W, C order; msqx's fc reads its input in C, H, W order, so the
// weight columns are reordered: written column (c, h, w) is stored column (h, w, c).
std::vector<std::int64_t> Mapper::HwcColumns(const Value& in, std::int64_t features) {
  const std::int64_t C = in.hwc[0], H = in.hwc[1], W = in.hwc[2];
  if (C * H * W != features) {
    Fail("the weights take " + std::to_string(features) +
         " features; the flattened NHWC input has " + std::to_string(C * H * W));
  }
  std::vector<std::int64_t> columns(static_cast<std::size_t>(features));
  for (std::int64_t c = 0; c < C; ++c)
    for (std::int64_t h = 0; h < H; ++h)
      for (std::int64_t w = 0; w < W; ++w) columns[(c * H + h) * W + w] = (h * W + w) * C + c;
  return columns;
}

void Mapper::ConvertConv() {
  const Value& in = Activation(0);
  if (in.layout != Value::Layout::kNchw) {
    Fail("expected an NCHW feature map (an NHWC tensor must be transposed first)");
  }
  const Constant* w = ConstantInput(1);
  if (!w) Fail("input 1 must be a constant (initializer) weight tensor");
  const std::vector<std::int64_t> dims = w->Dims();
  if (dims.size() != 4 || w->transposed)
    Fail("weights '" + node_->inputs[1] + "' must have rank 4");
  if (!IsReal(w->Type())) Fail("weights '" + node_->inputs[1] + "' must be float or double");
  const std::vector<std::int64_t> ks = Ints("kernel_shape");
  if (!ks.empty() && (ks.size() != 2 || ks[0] != dims[2] || ks[1] != dims[3])) {
    Fail("kernel_shape disagrees with the weight tensor");
  }
  if (dims[2] < 1 || dims[3] < 1 || dims[2] > 64 || dims[3] > 64) {
    Fail("kernel sizes must be 1 to 64");
  }
  const bool has_bias = node_->inputs.size() > 2 && !node_->inputs[2].empty();
  if (has_bias && !ConstantInput(2)) Fail("bias must be a constant");
  const std::string name = NameFor();
  nlohmann::json layer = {
      {"name", name}, {"type", "conv"}, {"input", in.producer}, {"out_channels", dims[0]}};
  const std::vector<std::int64_t>* in_dims = ShapeOf(node_->inputs[0]);
  layer.update(Window(static_cast<int>(dims[2]), static_cast<int>(dims[3]),
                      in_dims ? *in_dims : std::vector<std::int64_t>{}));
  layer["groups"] = Int("group", 1);
  layer["bias"] = has_bias;
  ImportedWeights iw;
  iw.layer = name;
  iw.shape = dims;
  iw.type = w->Type() == onnx::TensorProto::DOUBLE ? NpyType::kFloat64 : NpyType::kFloat32;
  if (has_bias) {
    if (const Values* b = Small(node_->inputs[2])) iw.bias = PerChannel(*b, dims[0], "the bias");
  }
  if (options_.weights) {
    auto plan = std::make_shared<WeightPlan>();
    plan->model = model_;
    plan->source = *w;
    plans_[name] = plan;
  }
  weighted_output_[node_->outputs[0]] = name;
  weights_.push_back(std::move(iw));
  AddLayer(std::move(layer));
}

void Mapper::ConvertFc() {
  const bool gemm = node_->op == "Gemm";
  const Value& in = Activation(0);
  if (in.layout != Value::Layout::kFlat) {
    Fail("expected a flattened [N, features] input (" + node_->op +
         " of a feature map applies per pixel, which msqx does not model)");
  }
  if (gemm && Int("transA", 0) != 0) Fail("transA = 1 is not supported");
  const Constant* b = ConstantInput(1);
  if (!b) Fail("input 1 must be a constant (initializer) weight matrix");
  const std::vector<std::int64_t> dims = b->Dims();
  if (dims.size() != 2) Fail("weights '" + node_->inputs[1] + "' must have rank 2");
  if (!IsReal(b->Type())) Fail("weights '" + node_->inputs[1] + "' must be float or double");
  // msqx stores fc weights [out, in]: Gemm with transB already is; MatMul's B is [in, out].
  const bool trans_b = gemm && Int("transB", 0) != 0;
  const std::int64_t out = trans_b ? dims[0] : dims[1];
  const std::int64_t features = trans_b ? dims[1] : dims[0];
  const bool has_bias = gemm && node_->inputs.size() > 2 && !node_->inputs[2].empty();
  if (has_bias && !ConstantInput(2)) Fail("bias must be a constant");
  const std::string name = NameFor();
  ImportedWeights iw;
  iw.layer = name;
  iw.shape = {out, features};
  iw.type = b->Type() == onnx::TensorProto::DOUBLE ? NpyType::kFloat64 : NpyType::kFloat32;
  if (has_bias) {
    if (const Values* c = Small(node_->inputs[2])) {
      iw.bias = PerChannel(*c, out, "the bias");
      for (double& x : iw.bias) x *= Float("beta", 1.0);
    }
  }
  if (options_.weights) {
    auto plan = std::make_shared<WeightPlan>();
    plan->model = model_;
    plan->source = *b;
    plan->transpose = !trans_b;
    plan->alpha = gemm ? Float("alpha", 1.0) : 1.0;
    if (!in.hwc.empty()) plan->columns = HwcColumns(in, features);
    plans_[name] = plan;
  } else if (!in.hwc.empty()) {
    HwcColumns(in, features);  // the same check
  }
  if (!in.hwc.empty()) {
    notes_.push_back("fc '" + name +
                     "' reads a flattened NHWC tensor: its weight columns are "
                     "reordered from H, W, C to C, H, W");
  }
  weighted_output_[node_->outputs[0]] = name;
  weights_.push_back(std::move(iw));
  AddLayer({{"name", name},
            {"type", "fc"},
            {"input", in.producer},
            {"out_features", out},
            {"bias", has_bias}},
           Value::Layout::kFlat);
}

ImportedWeights& Mapper::FoldTarget(int i, const std::string& what, bool bias) {
  const std::string& tensor = node_->inputs.at(i);
  auto it = weighted_output_.find(tensor);
  if (it == weighted_output_.end() || consumers_[tensor] != 1) {
    Fail(what + " is only supported right after a conv or fc layer that nothing else reads");
  }
  const std::string layer = it->second;
  Alias(Activation(i));
  weighted_output_[node_->outputs[0]] = layer;
  for (nlohmann::json& l : layers_) {
    if (l["name"] == layer && bias) l["bias"] = true;
  }
  for (ImportedWeights& w : weights_) {
    if (w.layer == layer) {
      if (w.bias.empty() && bias) w.bias.assign(static_cast<std::size_t>(w.shape[0]), 0.0);
      return w;
    }
  }
  Fail("internal: no weights for layer " + layer);
}

void Mapper::FoldBatchNorm() {
  ImportedWeights& w = FoldTarget(0, "batch normalization");
  const std::int64_t channels = w.shape[0];
  const Values* p[4] = {};
  for (int k = 0; k < 4; ++k) {
    if (!ConstantInput(k + 1)) {
      Fail("scale, bias, mean and variance must be constants with one value per channel");
    }
    p[k] = Small(node_->inputs[k + 1]);
  }
  notes_.push_back("batch normalization '" + node_->name + "' folded into layer '" + w.layer + "'");
  if (!p[0] || !p[1] || !p[2] || !p[3]) {
    if (options_.weights) Fail("scale, bias, mean and variance are too large to read");
    w.bias.clear();  // the structure only: no values
    return;
  }
  const std::vector<double> gamma = PerChannel(*p[0], channels, "the scale");
  const std::vector<double> beta = PerChannel(*p[1], channels, "the bias");
  const std::vector<double> mean = PerChannel(*p[2], channels, "the mean");
  const std::vector<double> var = PerChannel(*p[3], channels, "the variance");
  const double eps = Float("epsilon", 1e-5);
  WeightPlan* plan = PlanOf(w.layer);
  if (plan && plan->row_scale.empty())
    plan->row_scale.assign(static_cast<std::size_t>(channels), 1.0);
  for (std::int64_t c = 0; c < channels; ++c) {
    if (!(var[c] + eps > 0)) Fail("variance + epsilon must be positive");
    const double f = gamma[c] / std::sqrt(var[c] + eps);
    if (plan) plan->row_scale[c] *= f;
    w.bias[c] = (w.bias[c] - mean[c]) * f + beta[c];
  }
}

// A constant added to a conv/fc output is its bias (PyTorch's MatMul + Add, Keras' BiasAdd).
void Mapper::FoldConstantAdd(int constant_input) {
  ImportedWeights& w = FoldTarget(1 - constant_input, "adding a constant");
  const Values* v = Small(node_->inputs[constant_input]);
  if (!v) {
    if (options_.weights) Fail("the constant is too large to be a bias");
    w.bias.clear();
    return;
  }
  const std::vector<double> add = PerChannel(*v, w.shape[0], "the constant");
  for (std::size_t c = 0; c < add.size(); ++c) w.bias[c] += add[c];
}

// A per-channel constant multiplied into a conv/fc output scales its filters and bias.
void Mapper::FoldConstantMul(int constant_input) {
  ImportedWeights& w = FoldTarget(1 - constant_input, "multiplying by a constant", false);
  const Values* v = Small(node_->inputs[constant_input]);
  if (!v) {
    if (options_.weights) Fail("the constant is too large to be a per-channel scale");
    return;
  }
  const std::vector<double> scale = PerChannel(*v, w.shape[0], "the constant");
  WeightPlan* plan = PlanOf(w.layer);
  if (plan && plan->row_scale.empty()) plan->row_scale.assign(scale.size(), 1.0);
  for (std::size_t c = 0; c < scale.size(); ++c) {
    if (plan) plan->row_scale[c] *= scale[c];
    w.bias[c] *= scale[c];
  }
}

}  // namespace msqx::io::onnx_in

#endif  // MSQX_HAVE_ONNX
