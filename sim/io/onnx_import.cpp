#include "sim/io/onnx_import.h"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>

#include "sim/io/weights.h"
#include "sim/report/file_io.h"
#include "sim/spec/json_reader.h"
#include "sim/spec/network.h"

#ifdef MSQX_HAVE_ONNX
#include "onnx/onnx_pb.h"
#include "onnx/shape_inference/implementation.h"
#endif

namespace msqx::io {

void WriteImport(const OnnxImport& import, const std::string& out_dir) {
  namespace fs = std::filesystem;
  report::MakeDirectories(fs::path(out_dir) / "weights");
  report::WriteFile(fs::path(out_dir) / "network.json", import.network.dump(2) + "\n");
  for (const ImportedWeights& w : import.weights) {
    WriteNpy((fs::path(out_dir) / "weights" / (w.layer + ".npy")).string(), w.array);
  }
}

#ifndef MSQX_HAVE_ONNX

bool OnnxImportAvailable() { return false; }

OnnxImport ImportOnnx(const std::string& path, const OnnxImportOptions&) {
  throw spec::ConfigError(path, "$",
                          "this msqx was built without ONNX support; install Debian's "
                          "libonnx-dev and libprotobuf-dev, then re-run cmake and rebuild");
}

#else

bool OnnxImportAvailable() { return true; }

namespace {

struct Constant {
  std::vector<std::int64_t> dims;
  std::vector<double> values;
  NpyType type = NpyType::kFloat32;
  bool real = false;  // float or double: usable as weights
};

// An activation tensor: which msqx layer (or "input") produces it.
struct Value {
  std::string producer;
  bool flat = false;  // flattened to a vector (only fc may consume it)
};

std::string Sanitize(const std::string& s) {
  std::string out;
  for (char c : s) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
    out.push_back(ok ? c : '_');
  }
  while (!out.empty() && (out.front() == '_' || out.front() == '.')) out.erase(out.begin());
  return out;
}

class Importer {
 public:
  Importer(std::string path, OnnxImportOptions options)
      : path_(std::move(path)), options_(std::move(options)) {}

  OnnxImport Run() {
    Load();
    const onnx::GraphProto& g = model_.graph();
    for (const auto& t : g.initializer())
      constants_[t.name()] = ToConstant(t, "$.graph.initializer");
    for (int i = 0; i < g.node_size(); ++i) {
      for (const std::string& in : g.node(i).input()) ++consumers_[in];
    }
    for (const auto& o : g.output()) ++consumers_[o.name()];
    ReadInput();
    for (int i = 0; i < g.node_size(); ++i) Convert(g.node(i), i);
    return Finish();
  }

 private:
  [[noreturn]] void Fail(const std::string& where, const std::string& message) const {
    throw spec::ConfigError(path_, where, message);
  }
  [[noreturn]] void Fail(const onnx::NodeProto& n, const std::string& message) const {
    Fail("$.graph.node[" + std::to_string(node_index_) + "]",
         n.op_type() + " node '" + n.name() + "': " + message);
  }

  void Load() {
    std::ifstream in(path_, std::ios::binary);
    if (!in) Fail("$", "cannot open the file");
    if (!model_.ParseFromIstream(&in))
      Fail("$", "not a valid ONNX model (protobuf parsing failed)");
    if (!model_.has_graph()) Fail("$", "the model has no graph");
  }

  Constant ToConstant(const onnx::TensorProto& t, const std::string& where) const {
    Constant c;
    std::int64_t count = 1;
    for (std::int64_t d : t.dims()) {
      if (d < 0 || (d > 0 && count > (std::int64_t{1} << 40) / d)) {
        Fail(where, "tensor '" + t.name() + "' has a negative or too large dimension");
      }
      c.dims.push_back(d);
      count *= d;
    }
    if (t.data_location() == onnx::TensorProto::EXTERNAL) {
      Fail(where, "tensor '" + t.name() + "' keeps its data in an external file (not supported)");
    }
    const std::string& raw = t.raw_data();
    auto from_raw = [&](auto sample) {
      using T = decltype(sample);
      if (raw.size() != sizeof(T) * static_cast<std::size_t>(count)) {
        Fail(where, "tensor '" + t.name() + "' has " + std::to_string(raw.size()) +
                        " bytes of data, expected " + std::to_string(sizeof(T) * count));
      }
      for (std::int64_t i = 0; i < count; ++i) {
        T v;
        std::memcpy(&v, raw.data() + i * sizeof(T), sizeof(T));  // ONNX raw data is little-endian
        c.values.push_back(static_cast<double>(v));
      }
    };
    auto from_list = [&](const auto& list) {
      if (static_cast<std::int64_t>(list.size()) != count) {
        Fail(where, "tensor '" + t.name() + "' has " + std::to_string(list.size()) +
                        " values, expected " + std::to_string(count));
      }
      for (auto v : list) c.values.push_back(static_cast<double>(v));
    };
    switch (t.data_type()) {
      case onnx::TensorProto::FLOAT:
        raw.empty() ? from_list(t.float_data()) : from_raw(float{});
        c.real = true;
        break;
      case onnx::TensorProto::DOUBLE:
        raw.empty() ? from_list(t.double_data()) : from_raw(double{});
        c.type = NpyType::kFloat64;
        c.real = true;
        break;
      case onnx::TensorProto::INT64:
        raw.empty() ? from_list(t.int64_data()) : from_raw(std::int64_t{});
        break;
      case onnx::TensorProto::INT32:
        raw.empty() ? from_list(t.int32_data()) : from_raw(std::int32_t{});
        break;
      default:
        break;  // kept without values; an error only if a layer needs it
    }
    for (double v : c.values) {
      if (!std::isfinite(v)) Fail(where, "tensor '" + t.name() + "' holds a non-finite value");
    }
    return c;
  }

  void ReadInput() {
    const onnx::GraphProto& g = model_.graph();
    const onnx::ValueInfoProto* input = nullptr;
    for (int i = 0; i < g.input_size(); ++i) {
      if (constants_.count(g.input(i).name())) continue;  // older exporters list weights as inputs
      if (input) Fail("$.graph.input[" + std::to_string(i) + "]", "more than one network input");
      input = &g.input(i);
    }
    if (!input) Fail("$.graph.input", "the graph has no input that is not an initializer");
    std::vector<std::int64_t> dims;
    for (const auto& d : input->type().tensor_type().shape().dim()) dims.push_back(d.dim_value());
    auto fixed = [&](std::size_t i) {
      if (dims[i] <= 0 || dims[i] > (1 << 16)) {
        Fail("$.graph.input", "input '" + input->name() +
                                  "' needs fixed sizes from 1 to 65536 (dimension " +
                                  std::to_string(i) + " is " + std::to_string(dims[i]) + ")");
      }
      return static_cast<int>(dims[i]);
    };
    nlohmann::json shape;
    if (dims.size() == 4) {
      shape = {{"channels", fixed(1)}, {"height", fixed(2)}, {"width", fixed(3)}};
    } else if (dims.size() == 2) {
      shape = {{"channels", fixed(1)}, {"height", 1}, {"width", 1}};
    } else {
      Fail("$.graph.input", "expected an input of shape [N, C, H, W] or [N, F], got rank " +
                                std::to_string(dims.size()));
    }
    input_shape_ = shape;
    values_[input->name()] = {"input", dims.size() == 2};
  }

  // ---- attributes ----
  const onnx::AttributeProto* Attr(const onnx::NodeProto& n, const std::string& name) const {
    for (const auto& a : n.attribute()) {
      if (a.name() == name) return &a;
    }
    return nullptr;
  }
  std::vector<std::int64_t> Ints(const onnx::NodeProto& n, const std::string& name,
                                 std::vector<std::int64_t> fallback) const {
    const auto* a = Attr(n, name);
    return a ? std::vector<std::int64_t>(a->ints().begin(), a->ints().end()) : fallback;
  }
  std::int64_t Int(const onnx::NodeProto& n, const std::string& name, std::int64_t fallback) const {
    const auto* a = Attr(n, name);
    return a ? a->i() : fallback;
  }
  double Float(const onnx::NodeProto& n, const std::string& name, double fallback) const {
    const auto* a = Attr(n, name);
    return a ? a->f() : fallback;
  }
  std::string String(const onnx::NodeProto& n, const std::string& name) const {
    const auto* a = Attr(n, name);
    return a ? a->s() : "";
  }

  // ---- operands ----
  const Value& Activation(const onnx::NodeProto& n, int i) const {
    if (i >= n.input_size()) Fail(n, "missing input " + std::to_string(i));
    auto it = values_.find(n.input(i));
    if (it == values_.end()) {
      Fail(n, "input '" + n.input(i) + "' is not an activation produced by an earlier node");
    }
    return it->second;
  }
  const Constant* FindConstant(const onnx::NodeProto& n, int i) const {
    if (i >= n.input_size() || n.input(i).empty()) return nullptr;
    auto it = constants_.find(n.input(i));
    return it == constants_.end() ? nullptr : &it->second;
  }
  const Constant& Weights(const onnx::NodeProto& n, int i, std::size_t rank) const {
    const Constant* c = FindConstant(n, i);
    if (!c)
      Fail(n, "input " + std::to_string(i) + " must be a constant (initializer) weight tensor");
    if (!c->real) Fail(n, "weights '" + n.input(i) + "' must be float or double");
    if (c->dims.size() != rank) {
      Fail(n, "weights '" + n.input(i) + "' must have rank " + std::to_string(rank));
    }
    return *c;
  }
  int Square(const onnx::NodeProto& n, const std::vector<std::int64_t>& v, const std::string& what,
             std::int64_t fallback) const {
    if (v.empty()) return static_cast<int>(fallback);
    for (std::int64_t x : v) {
      if (x < 0 || x > (1 << 16)) Fail(n, what + " " + std::to_string(x) + " is out of range");
      if (x != v[0])
        Fail(n, "non-square " + what + " is not supported (the network schema has one " + what +
                    " for both axes)");
    }
    return static_cast<int>(v[0]);
  }
  int Padding(const onnx::NodeProto& n, int kernel, int stride) const {
    const std::string auto_pad = String(n, "auto_pad");
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      if (stride != 1 || kernel % 2 == 0)
        Fail(n, "auto_pad " + auto_pad + " is only supported for stride 1 and odd kernels");
      return (kernel - 1) / 2;
    }
    if (!auto_pad.empty() && auto_pad != "NOTSET" && auto_pad != "VALID")
      Fail(n, "unknown auto_pad " + auto_pad);
    const std::vector<std::int64_t> pads = Ints(n, "pads", {});
    return Square(n, pads, "padding", 0);
  }
  void NoDilation(const onnx::NodeProto& n) const {
    for (std::int64_t d : Ints(n, "dilations", {})) {
      if (d != 1) Fail(n, "dilated windows are not supported");
    }
  }

  // ---- layers ----
  std::string NameFor(const onnx::NodeProto& n) {
    std::string base = Sanitize(n.name());
    if (base.empty() || base == "input") {
      base = Sanitize(n.op_type()) + "_" + std::to_string(node_index_);
      for (char& c : base) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    std::string name = base;
    for (int k = 2; used_names_.count(name); ++k) name = base + "_" + std::to_string(k);
    used_names_.insert(name);
    return name;
  }
  void AddLayer(const onnx::NodeProto& n, nlohmann::json layer) {
    const std::string name = layer["name"];
    layer_of_tensor_[n.output(0)] = name;
    values_[n.output(0)] = {name, layer["type"] == "fc"};
    layers_.push_back(std::move(layer));
  }
  void Alias(const onnx::NodeProto& n, const Value& v, bool flat) {
    values_[n.output(0)] = {v.producer, flat || v.flat};
  }
  nlohmann::json& LayerJson(const std::string& name) {
    for (auto& l : layers_) {
      if (l["name"] == name) return l;
    }
    throw std::logic_error("no layer " + name);
  }
  ImportedWeights* WeightsOf(const std::string& layer) {
    for (auto& w : weights_) {
      if (w.layer == layer) return &w;
    }
    return nullptr;
  }
  void Spatial(const onnx::NodeProto& n, const Value& in) const {
    if (in.flat)
      Fail(n, "input '" + n.input(0) + "' is a flattened vector; expected a feature map");
  }

  void Convert(const onnx::NodeProto& n, int index) {
    node_index_ = index;
    const std::string& op = n.op_type();
    if (n.output_size() < 1) Fail(n, "node has no output");
    if (op == "Constant") {
      const auto* a = Attr(n, "value");
      if (!a || !a->has_t()) Fail(n, "only tensor-valued Constant nodes are supported");
      constants_[n.output(0)] = ToConstant(a->t(), "$.graph.node[" + std::to_string(index) + "]");
    } else if (op == "Conv") {
      ConvertConv(n);
    } else if (op == "Gemm" || op == "MatMul") {
      ConvertFc(n);
    } else if (op == "Transpose") {
      ConvertTranspose(n);
    } else if (op == "Add") {
      ConvertAdd(n);
    } else if (op == "Relu") {
      AddLayer(n, {{"name", NameFor(n)},
                   {"type", "act"},
                   {"input", Activation(n, 0).producer},
                   {"function", "relu"}});
    } else if (op == "Clip") {
      ConvertClip(n);
    } else if (op == "MaxPool" || op == "AveragePool") {
      ConvertPool(n);
    } else if (op == "GlobalAveragePool" || op == "GlobalMaxPool") {
      const Value& in = Activation(n, 0);
      Spatial(n, in);
      AddLayer(n, {{"name", NameFor(n)},
                   {"type", op == "GlobalMaxPool" ? "maxpool" : "avgpool"},
                   {"input", in.producer},
                   {"global", true}});
    } else if (op == "BatchNormalization") {
      FoldBatchNorm(n);
    } else if (op == "Flatten") {
      if (Int(n, "axis", 1) != 1) Fail(n, "only axis 1 (keep the batch) is supported");
      Alias(n, Activation(n, 0), true);
    } else if (op == "Reshape") {
      const Constant* shape = FindConstant(n, 1);
      if (!shape || shape->values.size() != 2)
        Fail(n, "only a reshape to [N, features] is supported");
      Alias(n, Activation(n, 0), true);
    } else if (op == "Dropout" || op == "Identity") {
      Alias(n, Activation(n, 0), false);
    } else if ((op == "Softmax" || op == "LogSoftmax") && IsGraphOutput(n.output(0))) {
      // A classifier's final normalisation runs on the host, not on the accelerator.
      Alias(n, Activation(n, 0), false);
      notes_.push_back(op + " at the output left to the host (not a layer)");
    } else {
      Fail(n,
           "unsupported operator; supported: Conv, Gemm, MatMul, Add, Relu, Clip, MaxPool, "
           "AveragePool, GlobalAveragePool, GlobalMaxPool, BatchNormalization, Flatten, "
           "Reshape, Dropout, Identity, Transpose and Constant of constants");
    }
  }

  void ConvertConv(const onnx::NodeProto& n) {
    const Value& in = Activation(n, 0);
    Spatial(n, in);
    const Constant& w = Weights(n, 1, 4);
    if (w.dims[2] != w.dims[3]) {
      Fail(n, "non-square kernel " + std::to_string(w.dims[2]) + "x" + std::to_string(w.dims[3]) +
                  " is not supported (the network schema has one kernel size)");
    }
    const int kernel = static_cast<int>(w.dims[2]);
    const std::vector<std::int64_t> ks = Ints(n, "kernel_shape", {});
    if (!ks.empty() && (ks.size() != 2 || ks[0] != kernel || ks[1] != kernel)) {
      Fail(n, "kernel_shape disagrees with the weight tensor");
    }
    NoDilation(n);
    const int stride = Square(n, Ints(n, "strides", {}), "stride", 1);
    const int padding = Padding(n, kernel, stride);
    const Constant* bias = FindConstant(n, 2);
    if (n.input_size() > 2 && !n.input(2).empty() && !bias) Fail(n, "bias must be a constant");
    const std::string name = NameFor(n);
    AddLayer(n, {{"name", name},
                 {"type", "conv"},
                 {"input", in.producer},
                 {"out_channels", w.dims[0]},
                 {"kernel", kernel},
                 {"stride", stride},
                 {"padding", padding},
                 {"groups", Int(n, "group", 1)},
                 {"bias", bias != nullptr}});
    weights_.push_back({name, {w.type, w.dims, w.values}});
  }

  void ConvertFc(const onnx::NodeProto& n) {
    const bool gemm = n.op_type() == "Gemm";
    const Value& in = Activation(n, 0);
    if (gemm && Int(n, "transA", 0) != 0) Fail(n, "transA = 1 is not supported");
    const Constant& b = Weights(n, 1, 2);
    const bool trans_b = gemm && Int(n, "transB", 0) != 0;
    // msqx stores fc weights as [out, in]; Gemm with transB already is, MatMul's B is [in, out].
    const std::int64_t out = trans_b ? b.dims[0] : b.dims[1];
    const std::int64_t features = trans_b ? b.dims[1] : b.dims[0];
    const double alpha = gemm ? Float(n, "alpha", 1.0) : 1.0;
    NpyArray w{b.type, {out, features}, std::vector<double>(out * features)};
    for (std::int64_t o = 0; o < out; ++o) {
      for (std::int64_t f = 0; f < features; ++f) {
        w.values[o * features + f] =
            alpha * (trans_b ? b.values[o * features + f] : b.values[f * out + o]);
      }
    }
    const bool bias = gemm && FindConstant(n, 2) != nullptr;
    if (gemm && n.input_size() > 2 && !n.input(2).empty() && !bias)
      Fail(n, "bias must be a constant");
    const std::string name = NameFor(n);
    AddLayer(n, {{"name", name},
                 {"type", "fc"},
                 {"input", in.producer},
                 {"out_features", out},
                 {"bias", bias}});
    weights_.push_back({name, std::move(w)});
  }

  void ConvertTranspose(const onnx::NodeProto& n) {
    const Constant* c = FindConstant(n, 0);
    const std::vector<std::int64_t> perm = Ints(n, "perm", {1, 0});
    if (!c || c->dims.size() != 2 || perm != std::vector<std::int64_t>{1, 0}) {
      Fail(n, "only the 2-D transpose of a constant (a weight matrix) is supported");
    }
    Constant t = *c;
    t.dims = {c->dims[1], c->dims[0]};
    for (std::int64_t r = 0; r < c->dims[0]; ++r) {
      for (std::int64_t k = 0; k < c->dims[1]; ++k)
        t.values[k * c->dims[0] + r] = c->values[r * c->dims[1] + k];
    }
    constants_[n.output(0)] = std::move(t);
  }

  void ConvertAdd(const onnx::NodeProto& n) {
    if (n.input_size() != 2) Fail(n, "expected two inputs");
    const bool c0 = constants_.count(n.input(0)) > 0, c1 = constants_.count(n.input(1)) > 0;
    if (!c0 && !c1) {
      AddLayer(n, {{"name", NameFor(n)},
                   {"type", "add"},
                   {"inputs", {Activation(n, 0).producer, Activation(n, 1).producer}}});
      return;
    }
    // A constant added to a conv/fc output is that layer's bias (PyTorch's MatMul + Add).
    const Value& in = Activation(n, c0 ? 1 : 0);
    auto it = layer_of_tensor_.find(n.input(c0 ? 1 : 0));
    if (it == layer_of_tensor_.end() || consumers_[n.input(c0 ? 1 : 0)] != 1) {
      Fail(n, "adding a constant is only supported as the bias of a conv or fc layer");
    }
    nlohmann::json& layer = LayerJson(it->second);
    if (layer["type"] != "conv" && layer["type"] != "fc") {
      Fail(n, "adding a constant is only supported as the bias of a conv or fc layer");
    }
    layer["bias"] = true;
    Alias(n, in, false);
    layer_of_tensor_[n.output(0)] = it->second;
  }

  void ConvertClip(const onnx::NodeProto& n) {
    double lo = Float(n, "min", -INFINITY), hi = Float(n, "max", INFINITY);
    if (const Constant* c = FindConstant(n, 1); c && c->values.size() == 1) lo = c->values[0];
    if (const Constant* c = FindConstant(n, 2); c && c->values.size() == 1) hi = c->values[0];
    std::string function;
    if (lo == 0 && hi == 6) {
      function = "relu6";
    } else if (lo == 0 && std::isinf(hi)) {
      function = "relu";
    } else {
      Fail(n, "only Clip(0, 6) (ReLU6) and Clip(0, inf) (ReLU) are supported");
    }
    AddLayer(n, {{"name", NameFor(n)},
                 {"type", "act"},
                 {"input", Activation(n, 0).producer},
                 {"function", function}});
  }

  void ConvertPool(const onnx::NodeProto& n) {
    const Value& in = Activation(n, 0);
    Spatial(n, in);
    if (n.output_size() > 1 && !n.output(1).empty())
      Fail(n, "MaxPool indices output is not supported");
    if (Int(n, "ceil_mode", 0) != 0) Fail(n, "ceil_mode = 1 is not supported");
    NoDilation(n);
    const int kernel = Square(n, Ints(n, "kernel_shape", {}), "kernel", 0);
    if (kernel <= 0) Fail(n, "kernel_shape is required");
    const int stride = Square(n, Ints(n, "strides", {}), "stride", 1);
    AddLayer(n, {{"name", NameFor(n)},
                 {"type", n.op_type() == "MaxPool" ? "maxpool" : "avgpool"},
                 {"input", in.producer},
                 {"kernel", kernel},
                 {"stride", stride},
                 {"padding", Padding(n, kernel, stride)}});
  }

  // Inference-time batch norm is a per-channel affine map: fold it into the producing layer's
  // weights (w *= gamma / sqrt(var + eps)) so the quantizer sees the weights the hardware uses.
  void FoldBatchNorm(const onnx::NodeProto& n) {
    const Value& in = Activation(n, 0);
    auto it = layer_of_tensor_.find(n.input(0));
    ImportedWeights* w = it == layer_of_tensor_.end() ? nullptr : WeightsOf(it->second);
    if (!w || consumers_[n.input(0)] != 1) {
      Fail(n,
           "batch normalization is only supported right after a conv or fc layer it can be folded "
           "into");
    }
    const Constant* scale = FindConstant(n, 1);
    const Constant* var = FindConstant(n, 4);
    const std::int64_t channels = w->array.shape[0];
    if (channels <= 0 || !scale || !var || !FindConstant(n, 2) || !FindConstant(n, 3) ||
        static_cast<std::int64_t>(scale->values.size()) != channels ||
        static_cast<std::int64_t>(var->values.size()) != channels) {
      Fail(n, "scale, bias, mean and variance must be constants with one value per channel");
    }
    const double eps = Float(n, "epsilon", 1e-5);
    const std::int64_t row = static_cast<std::int64_t>(w->array.values.size()) / channels;
    for (std::int64_t c = 0; c < channels; ++c) {
      if (!(var->values[c] + eps > 0)) Fail(n, "variance + epsilon must be positive");
      const double f = scale->values[c] / std::sqrt(var->values[c] + eps);
      for (std::int64_t i = 0; i < row; ++i) w->array.values[c * row + i] *= f;
    }
    LayerJson(it->second)["bias"] = true;
    Alias(n, in, false);
    layer_of_tensor_[n.output(0)] = it->second;
    notes_.push_back("batch normalization '" + n.output(0) + "' folded into layer '" + it->second +
                     "'");
  }

  bool IsGraphOutput(const std::string& tensor) const {
    for (const auto& o : model_.graph().output()) {
      if (o.name() == tensor) return true;
    }
    return false;
  }

  // ---- result ----
  OnnxImport Finish() {
    if (layers_.empty()) Fail("$.graph.node", "the model has no layer msqx can represent");
    std::string name = options_.name.empty()
                           ? Sanitize(std::filesystem::path(path_).stem().string())
                           : options_.name;
    if (name.empty()) name = "onnx_model";
    OnnxImport result;
    result.network = {{"name", name},
                      {"input", input_shape_},
                      {"weight_bits", options_.weight_bits},
                      {"act_bits", options_.act_bits},
                      {"layers", layers_}};
    result.weights = std::move(weights_);
    result.notes = notes_;
    // The generated config goes through the same parser as a hand-written one.
    const spec::Document doc(result.network, path_ + " (imported network)");
    const spec::NetworkSpec net = spec::ParseNetwork(doc.Root());
    for (const ImportedWeights& w : result.weights) {
      const spec::Layer& l = net.layers[net.IndexOf(w.layer)];
      if (w.array.shape != ExpectedWeightShape(l)) {
        Fail("$", "weights of layer '" + w.layer + "' do not match its input (" +
                      std::to_string(l.in.Elements()) + " input values)");
      }
    }
    CheckDeclaredShapes(net, result.checks);
    return result;
  }

  void CheckDeclaredShapes(const spec::NetworkSpec& net, std::vector<ShapeCheck>& checks) {
    onnx::ModelProto inferred = model_;
    try {
      onnx::shape_inference::InferShapes(inferred);
    } catch (const std::exception&) {
      inferred = model_;  // inference is a bonus; the declared outputs are still checked
    }
    std::vector<const onnx::ValueInfoProto*> declared;
    for (const auto& v : inferred.graph().output()) declared.push_back(&v);
    for (const auto& v : inferred.graph().value_info()) declared.push_back(&v);
    for (const onnx::ValueInfoProto* v : declared) {
      auto it = values_.find(v->name());
      if (it == values_.end() || !v->type().tensor_type().has_shape()) continue;
      std::vector<long> dims;
      bool known = true;
      for (const auto& d : v->type().tensor_type().shape().dim()) {
        known = known && d.has_dim_value();
        dims.push_back(static_cast<long>(d.dim_value()));
      }
      if (!known || dims.size() < 2) continue;
      dims.erase(dims.begin());  // batch
      const spec::Shape s = it->second.producer == "input"
                                ? net.input
                                : net.layers[net.IndexOf(it->second.producer)].out;
      std::vector<long> derived;
      if (dims.size() == 3) {
        derived = {s.channels, s.height, s.width};
      } else if (dims.size() == 1) {
        derived = {static_cast<long>(s.Elements())};
      } else {
        continue;
      }
      if (derived != dims) {
        auto text = [](const std::vector<long>& d) {
          std::string t;
          for (long x : d) t += (t.empty() ? "" : "x") + std::to_string(x);
          return t;
        };
        Fail("$", "tensor '" + v->name() + "' (layer '" + it->second.producer +
                      "'): the model declares shape " + text(dims) + " but the import derives " +
                      text(derived));
      }
      checks.push_back({v->name(), it->second.producer, dims, derived});
    }
  }

  std::string path_;
  OnnxImportOptions options_;
  onnx::ModelProto model_;
  int node_index_ = 0;
  std::map<std::string, Constant> constants_;
  std::map<std::string, int> consumers_;
  std::map<std::string, Value> values_;
  std::map<std::string, std::string> layer_of_tensor_;  // output tensors of conv/fc (for folding)
  std::set<std::string> used_names_ = {"input"};
  nlohmann::json input_shape_;
  std::vector<nlohmann::json> layers_;
  std::vector<ImportedWeights> weights_;
  std::vector<std::string> notes_;
};

}  // namespace

OnnxImport ImportOnnx(const std::string& path, const OnnxImportOptions& options) {
  return Importer(path, options).Run();
}

#endif

}  // namespace msqx::io
