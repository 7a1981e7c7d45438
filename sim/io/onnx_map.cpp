// Map stage of the ONNX import: each node the clean-up left becomes an msqx layer, or an alias of
// one (a flatten, an NHWC transpose), or folds into the conv/fc before it (onnx_map_weights.cpp).
#ifdef MSQX_HAVE_ONNX

#include "sim/io/onnx_map.h"

#include <algorithm>
#include <cmath>

namespace msqx::io::onnx_in {

namespace {

std::string Sanitize(const std::string& s) {
  std::string out;
  for (char c : s) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
    out.push_back(ok ? c : '_');
  }
  while (!out.empty() && (out.front() == '_' || out.front() == '.')) out.erase(out.begin());
  return out;
}

const std::vector<std::int64_t> kNchwToNhwc = {0, 2, 3, 1}, kNhwcToNchw = {0, 3, 1, 2};

}  // namespace

Mapper::Mapper(std::shared_ptr<Model> model, const Graph& graph, const OnnxImportOptions& options)
    : model_(std::move(model)), graph_(graph), options_(options) {}

Mapped Mapper::Run() {
  for (const Node& n : graph_.nodes) {
    for (const std::string& in : n.inputs) ++consumers_[in];
  }
  for (const std::string& o : graph_.outputs) ++consumers_[o];
  ReadInput();
  for (const Node& n : graph_.nodes) Convert(n);
  for (const std::string& o : graph_.outputs) {
    if (!values_.count(o)) {
      model_->Fail("$.graph.output", "output '" + o + "' is a constant, not computed by a layer");
    }
  }
  if (layers_.empty()) model_->Fail("$.graph.node", "the model has no layer msqx can represent");
  for (ImportedWeights& w : weights_) w.plan = plans_[w.layer];
  Mapped m;
  m.network = {{"input", input_shape_}, {"layers", layers_}};
  m.weights = std::move(weights_);
  m.notes = std::move(notes_);
  for (const auto& [tensor, v] : values_) {
    const char* layout = v.layout == Value::Layout::kNchw   ? "nchw"
                         : v.layout == Value::Layout::kNhwc ? "nhwc"
                                                            : "flat";
    m.values[tensor] = {v.producer, layout};
  }
  return m;
}

void Mapper::Fail(const std::string& message) const {
  model_->Fail("$.graph.node[" + std::to_string(node_->index) + "]",
               node_->op + " node '" + node_->name + "': " + message);
}

// [N, C, H, W], or [N, H, W, C] when every consumer transposes it to NCHW first (Keras through
// tf2onnx), or [N, F].
void Mapper::ReadInput() {
  const std::vector<std::int64_t>& d = graph_.input_dims;
  Value v{Value::Layout::kNchw, "input", {}};
  if (d.size() == 4) {
    bool nhwc = false;
    for (const Node& n : graph_.nodes) {
      if (std::find(n.inputs.begin(), n.inputs.end(), graph_.input) == n.inputs.end()) continue;
      std::vector<std::int64_t> perm;
      if (n.op == "Transpose" && n.proto) {
        for (const auto& a : n.proto->attribute()) {
          if (a.name() == "perm") perm.assign(a.ints().begin(), a.ints().end());
        }
      }
      nhwc = perm == kNhwcToNchw;
      if (!nhwc) break;
    }
    if (nhwc) {
      v.layout = Value::Layout::kNhwc;
      input_shape_ = {{"channels", d[3]}, {"height", d[1]}, {"width", d[2]}};
      notes_.push_back("input '" + graph_.input +
                       "' is NHWC (it is transposed to NCHW): " + std::to_string(d[3]) +
                       " channels of " + std::to_string(d[1]) + "x" + std::to_string(d[2]));
    } else {
      input_shape_ = {{"channels", d[1]}, {"height", d[2]}, {"width", d[3]}};
    }
  } else if (d.size() == 2) {
    v.layout = Value::Layout::kFlat;
    input_shape_ = {{"channels", d[1]}, {"height", 1}, {"width", 1}};
  } else {
    model_->Fail("$.graph.input",
                 "expected an input of shape [N, C, H, W], [N, H, W, C] or "
                 "[N, F], got rank " +
                     std::to_string(d.size()));
  }
  values_[graph_.input] = v;
}

// ---- operands ----
const Value& Mapper::Activation(int i) const {
  if (i >= static_cast<int>(node_->inputs.size()) || node_->inputs[i].empty()) {
    Fail("missing input " + std::to_string(i));
  }
  auto it = values_.find(node_->inputs[i]);
  if (it == values_.end()) {
    Fail("input '" + node_->inputs[i] + "' is not an activation produced by an earlier node");
  }
  return it->second;
}

const Constant* Mapper::ConstantInput(int i) const {
  if (i >= static_cast<int>(node_->inputs.size()) || node_->inputs[i].empty()) return nullptr;
  auto it = graph_.constants.find(node_->inputs[i]);
  return it == graph_.constants.end() ? nullptr : &it->second;
}

const Values* Mapper::Small(const std::string& name) const {
  auto it = graph_.constants.find(name);
  if (it == graph_.constants.end()) return nullptr;
  const Constant& c = it->second;
  if (!options_.weights && c.data && c.data->source == TensorData::Source::kNone) return nullptr;
  return graph_.ValuesOf(*model_, name);
}

const std::vector<std::int64_t>* Mapper::ShapeOf(const std::string& tensor) const {
  auto it = graph_.shapes.find(tensor);
  return it == graph_.shapes.end() ? nullptr : &it->second;
}

std::int64_t Mapper::Int(const char* name, std::int64_t fallback) const {
  if (!node_->proto) return fallback;
  for (const auto& a : node_->proto->attribute()) {
    if (a.name() == name) return a.i();
  }
  return fallback;
}
double Mapper::Float(const char* name, double fallback) const {
  if (!node_->proto) return fallback;
  for (const auto& a : node_->proto->attribute()) {
    if (a.name() == name) return a.f();
  }
  return fallback;
}
std::vector<std::int64_t> Mapper::Ints(const char* name) const {
  if (node_->proto) {
    for (const auto& a : node_->proto->attribute()) {
      if (a.name() == name) return {a.ints().begin(), a.ints().end()};
    }
  }
  return {};
}
std::string Mapper::String(const char* name) const {
  if (node_->proto) {
    for (const auto& a : node_->proto->attribute()) {
      if (a.name() == name) return a.s();
    }
  }
  return "";
}

// ---- layers ----
std::string Mapper::NameFor() {
  std::string base = Sanitize(node_->name);
  if (base.empty() || base == "input") {
    base = Sanitize(node_->op) + "_" + std::to_string(node_->index);
    for (char& c : base) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  std::string name = base;
  for (int k = 2; used_names_.count(name); ++k) name = base + "_" + std::to_string(k);
  used_names_.insert(name);
  return name;
}

void Mapper::AddLayer(nlohmann::json layer, Value::Layout layout) {
  values_[node_->outputs.at(0)] = {layout, layer["name"], {}};
  layers_.push_back(std::move(layer));
}

void Mapper::Alias(const Value& v) { values_[node_->outputs.at(0)] = v; }

void Mapper::Convert(const Node& n) {
  node_ = &n;
  const std::string& op = n.op;
  if (op == "Conv") {
    ConvertConv();
  } else if (op == "Gemm" || op == "MatMul") {
    ConvertFc();
  } else if (op == "Add") {
    ConvertAdd();
  } else if (op == "Mul" && (ConstantInput(0) || ConstantInput(1))) {
    FoldConstantMul(ConstantInput(0) ? 0 : 1);
  } else if (op == "Relu") {
    ConvertAct("relu");
  } else if (op == "Sigmoid") {
    ConvertAct("sigmoid");
  } else if (op == "HardSwish") {
    ConvertAct("hardswish");
  } else if (op == "Silu") {
    ConvertAct("silu");
  } else if (op == "Clip") {
    ConvertClip();
  } else if (op == "MaxPool" || op == "AveragePool") {
    ConvertPool();
  } else if (op == "GlobalPool") {
    ConvertGlobalPool();
  } else if (op == "BatchNormalization") {
    FoldBatchNorm();
  } else if (op == "Concat") {
    ConvertConcat();
  } else if (op == "Flatten" || op == "Reshape" || op == "Squeeze" || op == "Unsqueeze") {
    ConvertFlatten();
  } else if (op == "Transpose") {
    ConvertTranspose();
  } else if ((op == "Softmax" || op == "LogSoftmax") &&
             std::find(graph_.outputs.begin(), graph_.outputs.end(), n.outputs[0]) !=
                 graph_.outputs.end()) {
    // A classifier's final normalisation runs on the host, not on the accelerator.
    Alias(Activation(0));
    notes_.push_back(op + " at the output left to the host (not a layer)");
  } else {
    Fail(
        "unsupported operator; supported: Conv, Gemm, MatMul, Add, Mul (by a constant after a "
        "conv or fc, or x * Sigmoid(x)), Relu, Clip, Sigmoid, HardSwish, HardSigmoid gates, "
        "MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool, ReduceMean/ReduceMax over H "
        "and W, BatchNormalization, Concat, Pad (zeros, before a conv or average pool), "
        "Flatten, Reshape, Squeeze, Unsqueeze, Transpose (NHWC), Dropout, Identity, a final "
        "Softmax, and constant shape arithmetic (Shape, Gather, Unsqueeze, Concat, Reshape, "
        "Cast, Slice, ...)");
  }
}

void Mapper::ConvertAct(const std::string& function) {
  const Value& in = Activation(0);
  AddLayer({{"name", NameFor()}, {"type", "act"}, {"input", in.producer}, {"function", function}},
           in.layout);
  values_[node_->outputs[0]].hwc = in.hwc;
}

void Mapper::ConvertClip() {
  double lo = Float("min", -INFINITY), hi = Float("max", INFINITY);
  for (int k = 1; k <= 2; ++k) {
    if (k >= static_cast<int>(node_->inputs.size()) || node_->inputs[k].empty()) continue;
    const Values* v = Small(node_->inputs[k]);
    if (!v || v->v.size() != 1) Fail("min and max must be constant scalars");
    (k == 1 ? lo : hi) = v->v[0];
  }
  if (lo == 0 && hi == 6) {
    ConvertAct("relu6");
  } else if (lo == 0 && std::isinf(hi)) {
    ConvertAct("relu");
  } else {
    Fail("only Clip(0, 6) (ReLU6) and Clip(0, inf) (ReLU) are supported");
  }
}

// kernel, stride and padding keys of a window over an NCHW input of dims `in_dims` (may be empty
// when unknown; needed only for auto_pad SAME).
nlohmann::json Mapper::Window(int kernel_h, int kernel_w, const std::vector<std::int64_t>& in) {
  for (std::int64_t d : Ints("dilations")) {
    if (d != 1) Fail("dilated windows are not supported");
  }
  std::vector<std::int64_t> strides = Ints("strides");
  if (strides.empty()) strides = {1, 1};
  if (strides.size() != 2 || strides[0] < 1 || strides[1] < 1 || strides[0] > 64 ||
      strides[1] > 64) {
    Fail("expected two strides from 1 to 64");
  }
  std::vector<std::int64_t> pads = Ints("pads");
  if (pads.empty()) pads = {0, 0, 0, 0};
  if (pads.size() != 4) Fail("expected pads [top, left, bottom, right]");
  for (std::int64_t p : pads) {
    if (p < 0 || p > 64) Fail("padding " + std::to_string(p) + " is out of range (0 to 64)");
  }
  const std::string auto_pad = String("auto_pad");
  if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    if (in.size() != 4)
      Fail("auto_pad " + auto_pad + " needs the input's size, which is not known");
    const int k[2] = {kernel_h, kernel_w};
    for (int d = 0; d < 2; ++d) {
      const std::int64_t extent = in[2 + d], out = (extent + strides[d] - 1) / strides[d];
      const std::int64_t total = std::max<std::int64_t>(0, (out - 1) * strides[d] + k[d] - extent);
      const std::int64_t small = total / 2, large = total - small;
      pads[d] = auto_pad == "SAME_UPPER" ? small : large;
      pads[d + 2] = auto_pad == "SAME_UPPER" ? large : small;
    }
  } else if (!auto_pad.empty() && auto_pad != "NOTSET" && auto_pad != "VALID") {
    Fail("unknown auto_pad " + auto_pad);
  }
  if (!node_->extra_pads.empty()) {
    for (int i = 0; i < 4; ++i) pads[i] += node_->extra_pads[i];
  }
  for (std::int64_t p : pads) {
    if (p < 0 || p > 64) Fail("padding " + std::to_string(p) + " is out of range (0 to 64)");
  }
  nlohmann::json w;
  w["kernel"] =
      kernel_h == kernel_w ? nlohmann::json(kernel_h) : nlohmann::json({kernel_h, kernel_w});
  w["stride"] = strides[0] == strides[1] ? nlohmann::json(strides[0]) : nlohmann::json(strides);
  if (pads[0] == pads[1] && pads[1] == pads[2] && pads[2] == pads[3]) {
    w["padding"] = pads[0];
  } else {
    w["padding"] = pads;
  }
  return w;
}

void Mapper::ConvertPool() {
  const Value& in = Activation(0);
  if (in.layout != Value::Layout::kNchw) Fail("expected an NCHW feature map");
  if (node_->outputs.size() > 1 && !node_->outputs[1].empty()) {
    Fail("MaxPool indices output is not supported");
  }
  const std::vector<std::int64_t> k = Ints("kernel_shape");
  if (k.size() != 2 || k[0] < 1 || k[1] < 1 || k[0] > 64 || k[1] > 64) {
    Fail("expected a kernel_shape of two sizes from 1 to 64");
  }
  nlohmann::json layer = {{"name", NameFor()},
                          {"type", node_->op == "MaxPool" ? "maxpool" : "avgpool"},
                          {"input", in.producer}};
  const std::vector<std::int64_t>* dims = ShapeOf(node_->inputs[0]);
  layer.update(Window(static_cast<int>(k[0]), static_cast<int>(k[1]),
                      dims ? *dims : std::vector<std::int64_t>{}));
  // Window() always writes the stride: ONNX's default is 1, msqx's pooling default the kernel.
  if (Int("ceil_mode", 0) != 0) layer["ceil_mode"] = true;
  AddLayer(std::move(layer));
}

void Mapper::ConvertGlobalPool() {
  const Value& in = Activation(0);
  if (in.layout != Value::Layout::kNchw) Fail("expected an NCHW feature map");
  AddLayer({{"name", NameFor()},
            {"type", node_->max ? "maxpool" : "avgpool"},
            {"input", in.producer},
            {"global", true}},
           node_->keep_dims ? Value::Layout::kNchw : Value::Layout::kFlat);
}

void Mapper::ConvertConcat() {
  if (node_->inputs.size() < 2) {
    Alias(Activation(0));  // a concat of one tensor is that tensor
    return;
  }
  const Value& first = Activation(0);
  std::int64_t axis = Int("axis", 1);
  const std::int64_t rank = first.layout == Value::Layout::kFlat ? 2 : 4;
  if (axis < 0) axis += rank;
  if (first.layout == Value::Layout::kNhwc || axis != 1) {
    Fail("only a concatenation of NCHW feature maps along the channels (axis 1) is supported");
  }
  nlohmann::json inputs = nlohmann::json::array();
  for (int i = 0; i < static_cast<int>(node_->inputs.size()); ++i) {
    const Value& v = Activation(i);
    if (v.layout != first.layout) Fail("inputs of different layouts (flat and feature maps)");
    inputs.push_back(v.producer);
  }
  AddLayer({{"name", NameFor()}, {"type", "concat"}, {"inputs", inputs}}, first.layout);
}

// Flatten, Reshape to [N, F], Squeeze of [N, C, 1, 1]: no layer (an fc flattens its input);
// Unsqueeze of [N, F] to [N, F, 1, 1]: a 1x1 feature map.
void Mapper::ConvertFlatten() {
  const Value& in = Activation(0);
  const std::string& op = node_->op;
  const std::vector<std::int64_t>* out = ShapeOf(node_->outputs[0]);
  bool flat = false;
  if (op == "Flatten") {
    flat = Int("axis", 1) == 1;
  } else if (op == "Reshape") {
    const Values* shape = node_->inputs.size() > 1 ? Small(node_->inputs[1]) : nullptr;
    flat = shape && shape->v.size() == 2 &&
           (shape->v[0] == 1 || shape->v[0] == 0 || shape->v[0] == -1);
  } else if (op == "Squeeze") {
    flat = out && out->size() == 2;
  } else if (op == "Unsqueeze" && in.layout == Value::Layout::kFlat && out && out->size() == 4 &&
             (*out)[2] == 1 && (*out)[3] == 1) {
    Alias({Value::Layout::kNchw, in.producer, {}});
    return;
  }
  if (!flat) Fail("only a flatten to [N, features] is supported");
  Value v = in;
  if (in.layout == Value::Layout::kNhwc) {
    const std::vector<std::int64_t>* dims = ShapeOf(node_->inputs[0]);
    if (!dims || dims->size() != 4) Fail("the NHWC tensor's shape is not known");
    v.hwc = {(*dims)[3], (*dims)[1], (*dims)[2]};
  }
  v.layout = Value::Layout::kFlat;
  Alias(v);
}

// The NHWC <-> NCHW transposes of Keras graphs: the same data in another order.
void Mapper::ConvertTranspose() {
  const Value& in = Activation(0);
  const std::vector<std::int64_t> perm = Ints("perm");
  Value v = in;
  if (in.layout == Value::Layout::kNhwc && perm == kNhwcToNchw) {
    v.layout = Value::Layout::kNchw;
  } else if (in.layout == Value::Layout::kNchw && perm == kNchwToNhwc) {
    v.layout = Value::Layout::kNhwc;
  } else {
    Fail(
        "only the NHWC <-> NCHW transposes of an activation, and 2-D transposes of a constant, "
        "are supported");
  }
  Alias(v);
}

void Mapper::ConvertAdd() {
  if (node_->inputs.size() != 2) Fail("expected two inputs");
  const bool c0 = ConstantInput(0) != nullptr, c1 = ConstantInput(1) != nullptr;
  if (c0 || c1) {
    FoldConstantAdd(c0 ? 0 : 1);
    return;
  }
  const Value& a = Activation(0);
  const Value& b = Activation(1);
  if (a.layout != b.layout || a.hwc != b.hwc) Fail("adding tensors of different layouts");
  AddLayer({{"name", NameFor()}, {"type", "add"}, {"inputs", {a.producer, b.producer}}}, a.layout);
  values_[node_->outputs[0]].hwc = a.hwc;
}

Mapped MapGraph(const std::shared_ptr<Model>& model, const Graph& graph,
                const OnnxImportOptions& options) {
  return Mapper(model, graph, options).Run();
}

}  // namespace msqx::io::onnx_in

#endif  // MSQX_HAVE_ONNX
