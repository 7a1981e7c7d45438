// Clean-up stage of the ONNX import, what onnx-simplifier and ONNX Runtime's graph optimizer do
// before running a model: the batch dimension fixed to 1, ONNX shape inference for every
// activation's shape, constant folding of shape arithmetic (onnx_fold.cpp; Shape of an activation
// from its inferred shape), Identity and Dropout removed, 1x1 stride-1 pools removed, a zero Pad
// folded into the conv or average pool after it, ReduceMean/ReduceMax over H and W and the global
// pools as one "GlobalPool", x * sigmoid(x) as SiLU and x * hard_sigmoid(x) as hard-swish, and
// whatever no graph output needs dropped.
//
// Why not libonnx's version converter and optimizer: Debian's libonnx 1.12 has no optimizer (it
// moved to onnxoptimizer), and its version converter copies the whole graph with every weight
// into its IR and stops on many exporters' graphs; the few ops whose operands moved from
// attributes to inputs between opsets (Squeeze, Unsqueeze, Slice, Pad, Clip, ReduceMean) are read
// in both forms instead. Its shape inference is used, with data propagation.
#ifdef MSQX_HAVE_ONNX

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

#include "onnx/shape_inference/implementation.h"
#include "sim/io/onnx_model.h"

namespace msqx::io::onnx_in {
namespace {

using Dims = std::vector<std::int64_t>;

const onnx::AttributeProto* Attr(const onnx::NodeProto& n, const char* name) {
  for (const auto& a : n.attribute()) {
    if (a.name() == name) return &a;
  }
  return nullptr;
}

class Cleaner {
 public:
  explicit Cleaner(const Model& m) : m_(m), g_(m.proto.graph()) {}

  Graph Run() {
    for (const auto& [name, t] : m_.tensors) out_.constants[name] = {&t, nullptr, false};
    ReadInput();
    InferShapes();
    for (int i = 0; i < g_.node_size(); ++i) Visit(g_.node(i), i);
    for (const auto& o : g_.output()) out_.outputs.push_back(Resolve(o.name()));
    for (const std::string& o : out_.outputs) {
      if (pads_.count(o)) FailAt(-1, "graph output '" + o + "' is the output of a Pad");
    }
    RemoveDead();
    return std::move(out_);
  }

 private:
  [[noreturn]] void FailAt(int index, const std::string& message) const {
    if (index < 0) m_.Fail("$.graph", message);
    const onnx::NodeProto& n = g_.node(index);
    m_.Fail("$.graph.node[" + std::to_string(index) + "]",
            n.op_type() + " node '" + n.name() + "': " + message);
  }

  std::string Resolve(std::string name) const {
    for (auto it = alias_.find(name); it != alias_.end(); it = alias_.find(name)) name = it->second;
    return name;
  }

  // The network input: the one graph input that is not an initializer; its batch becomes 1.
  void ReadInput() {
    const onnx::ValueInfoProto* input = nullptr;
    for (int i = 0; i < g_.input_size(); ++i) {
      if (m_.tensors.count(g_.input(i).name())) continue;  // weights listed as inputs (IR < 4)
      if (input) m_.Fail("$.graph.input[" + std::to_string(i) + "]", "more than one network input");
      input = &g_.input(i);
    }
    if (!input) m_.Fail("$.graph.input", "the graph has no input that is not an initializer");
    out_.input = input->name();
    const auto& dims = input->type().tensor_type().shape().dim();
    for (int i = 0; i < dims.size(); ++i) {
      const auto& d = dims[i];
      if (i == 0) {
        if (!d.has_dim_value() || d.dim_value() != 1) {
          out_.notes.push_back(
              "batch dimension " +
              (d.has_dim_value() ? std::to_string(d.dim_value()) : "'" + d.dim_param() + "'") +
              " of input '" + input->name() + "' fixed to 1");
        }
        out_.input_dims.push_back(1);
        continue;
      }
      if (!d.has_dim_value() || d.dim_value() <= 0 || d.dim_value() > (1 << 16)) {
        m_.Fail(
            "$.graph.input",
            "input '" + input->name() + "' needs fixed sizes from 1 to 65536 (dimension " +
                std::to_string(i) + " is " +
                (d.has_dim_value() ? std::to_string(d.dim_value()) : "'" + d.dim_param() + "'") +
                ")");
      }
      out_.input_dims.push_back(d.dim_value());
    }
  }

  // ONNX shape inference (with data propagation, which follows Shape -> Gather -> Concat into a
  // Reshape) on the structure with the batch fixed to 1, so that every activation's shape is
  // concrete. Large tensors have no bytes here, which inference does not need.
  void InferShapes() {
    onnx::ModelProto copy = m_.proto;
    auto fix_batch = [](onnx::ValueInfoProto* v) {
      auto* shape = v->mutable_type()->mutable_tensor_type()->mutable_shape();
      if (shape->dim_size() > 0 && !shape->dim(0).has_dim_value())
        shape->mutable_dim(0)->set_dim_value(1);
    };
    onnx::GraphProto* g = copy.mutable_graph();
    for (auto& v : *g->mutable_input()) {
      if (v.name() == out_.input) {
        auto* shape = v.mutable_type()->mutable_tensor_type()->mutable_shape();
        if (shape->dim_size() > 0) shape->mutable_dim(0)->set_dim_value(1);
      }
    }
    for (auto& v : *g->mutable_output()) fix_batch(&v);
    for (auto& v : *g->mutable_value_info()) fix_batch(&v);
    try {
      onnx::shape_inference::InferShapes(copy, onnx::OpSchemaRegistry::Instance(),
                                         onnx::ShapeInferenceOptions(false, 0, true));
    } catch (const std::exception& e) {
      out_.notes.push_back(std::string("ONNX shape inference stopped (") + e.what() +
                           "); shapes are checked where the model declares them");
    }
    const auto take = [&](const onnx::ValueInfoProto& v) {
      if (!v.type().tensor_type().has_shape()) return;
      Dims dims;
      for (const auto& d : v.type().tensor_type().shape().dim()) {
        if (!d.has_dim_value() || d.dim_value() < 0) return;
        dims.push_back(d.dim_value());
      }
      out_.shapes[v.name()] = dims;
    };
    for (const auto& v : copy.graph().value_info()) take(v);
    for (const auto& v : copy.graph().output()) take(v);
    out_.shapes[out_.input] = out_.input_dims;
  }

  const Dims* ShapeOf(const std::string& tensor) const {
    auto it = out_.shapes.find(tensor);
    return it == out_.shapes.end() ? nullptr : &it->second;
  }

  bool IsConstant(const std::string& name) const { return out_.constants.count(name) > 0; }

  void AddConstant(const onnx::NodeProto& n, int index) {
    const std::string& out = n.output(0);
    if (auto it = m_.tensors.find(out); it != m_.tensors.end()) {
      out_.constants[out] = {&it->second, nullptr, false};
      return;
    }
    auto v = std::make_shared<Values>();
    for (const auto& a : n.attribute()) {
      if (a.name() == "value_float") {
        v->v = {a.f()};
      } else if (a.name() == "value_floats") {
        v->v.assign(a.floats().begin(), a.floats().end());
        v->dims = {a.floats_size()};
      } else if (a.name() == "value_int") {
        v->type = onnx::TensorProto::INT64;
        v->v = {static_cast<double>(a.i())};
      } else if (a.name() == "value_ints") {
        v->type = onnx::TensorProto::INT64;
        for (std::int64_t x : a.ints()) v->v.push_back(static_cast<double>(x));
        v->dims = {a.ints_size()};
      } else {
        FailAt(index, "only Constant nodes holding a tensor or numbers are supported");
      }
    }
    if (v->v.empty()) FailAt(index, "a Constant node without a value");
    out_.constants[out] = {nullptr, v, false};
  }

  // Folds a node whose inputs are all constants; false when it is not an op that folds.
  bool TryFold(const onnx::NodeProto& n, int index, const std::vector<std::string>& inputs) {
    if (n.op_type() == "Identity" && inputs.size() == 1) {
      out_.constants[n.output(0)] = out_.constants.at(inputs[0]);  // a shared initializer
      return true;
    }
    if (n.op_type() == "Transpose" && inputs.size() == 1 && !out_.ValuesOf(m_, inputs[0])) {
      // A large 2-D weight matrix transposed: kept in place and transposed when written.
      Constant c = out_.constants.at(inputs[0]);
      const auto* perm = Attr(n, "perm");
      if (c.Dims().size() != 2 || (perm && (perm->ints_size() != 2 || perm->ints(0) != 1))) {
        return false;
      }
      c.transposed = !c.transposed;
      out_.constants[n.output(0)] = c;
      return true;
    }
    std::vector<const Values*> values;
    for (const std::string& in : inputs) {
      const Values* v = in.empty() ? nullptr : out_.ValuesOf(m_, in);
      if (!in.empty() && !v) return false;  // too large to fold
      values.push_back(v);
    }
    return Evaluate(n, index, values);
  }

  bool Evaluate(const onnx::NodeProto& n, int index, const std::vector<const Values*>& values) {
    std::vector<Values> results;
    try {
      if (!Fold(n.op_type(), n, m_.opset, values, results)) return false;
    } catch (const std::invalid_argument& e) {
      FailAt(index, std::string("cannot fold this constant expression: ") + e.what());
    }
    for (std::size_t k = 0; k < results.size() && k < static_cast<std::size_t>(n.output_size());
         ++k) {
      out_.constants[n.output(static_cast<int>(k))] = {
          nullptr, std::make_shared<Values>(std::move(results[k])), false};
    }
    return true;
  }

  // Shape (or Size) of an activation, from its inferred shape.
  bool FoldShapeOf(const onnx::NodeProto& n, int index, const std::string& input) {
    const Dims* dims = ShapeOf(input);
    if (!dims) dims = ShapeOf(n.input(0));
    if (!dims)
      FailAt(index,
             "the shape of '" + input + "' is not known (ONNX shape inference did not give it)");
    Values probe;  // dims only: Shape and Size read nothing else
    probe.dims = *dims;
    return Evaluate(n, index, {&probe});
  }

  bool IsNoOpPool(const onnx::NodeProto& n) const {
    if (n.op_type() != "MaxPool" && n.op_type() != "AveragePool") return false;
    if (n.output_size() > 1 && !n.output(1).empty()) return false;
    for (const char* key : {"kernel_shape", "strides", "dilations"}) {
      if (const auto* a = Attr(n, key)) {
        for (std::int64_t v : a->ints()) {
          if (v != 1) return false;
        }
      } else if (std::string(key) == "kernel_shape") {
        return false;
      }
    }
    if (const auto* a = Attr(n, "pads")) {
      for (std::int64_t v : a->ints()) {
        if (v != 0) return false;
      }
    }
    const auto* pad = Attr(n, "auto_pad");
    return !pad || pad->s() == "NOTSET" || pad->s() == "VALID" || pad->s().empty();
  }

  // A constant zero Pad of H and W: remembered, and folded into the conv or pool that reads it.
  void FoldPad(const onnx::NodeProto& n, int index, const std::vector<std::string>& inputs) {
    const auto* mode = Attr(n, "mode");
    if (mode && mode->s() != "constant") FailAt(index, "only constant (zero) padding is supported");
    Dims pads;
    if (const auto* a = Attr(n, "pads")) {
      pads.assign(a->ints().begin(), a->ints().end());
    } else if (inputs.size() > 1 && out_.ValuesOf(m_, inputs[1])) {
      for (double v : out_.ValuesOf(m_, inputs[1])->v) pads.push_back(ToInt(v));
    }
    double value = 0;
    if (const auto* a = Attr(n, "value")) value = a->f();
    if (inputs.size() > 2 && !inputs[2].empty()) {
      const Values* v = out_.ValuesOf(m_, inputs[2]);
      if (!v || v->v.size() != 1) FailAt(index, "the pad value must be a constant");
      value = v->v[0];
    }
    if (inputs.size() > 3 && !inputs[3].empty()) FailAt(index, "Pad with axes is not supported");
    if (pads.size() != 8 || value != 0 || pads[0] || pads[1] || pads[4] || pads[5]) {
      FailAt(index, "only a zero Pad of the height and width of an NCHW tensor is supported");
    }
    for (std::int64_t p : pads) {
      if (p < 0 || p > 64) FailAt(index, "pads must be 0 to 64 (a negative pad crops)");
    }
    pads_[n.output(0)] = {inputs[0], {pads[2], pads[3], pads[6], pads[7]}};
  }

  // ReduceMean / ReduceMax over H and W of an NCHW tensor: a global pool.
  bool IsReduceOverSpace(const onnx::NodeProto& n, const std::vector<std::string>& inputs) const {
    if (n.op_type() != "ReduceMean" && n.op_type() != "ReduceMax") return false;
    Dims axes;
    if (const auto* a = Attr(n, "axes")) {
      axes.assign(a->ints().begin(), a->ints().end());
    } else if (inputs.size() > 1 && out_.ValuesOf(m_, inputs[1])) {
      for (double v : out_.ValuesOf(m_, inputs[1])->v) axes.push_back(ToInt(v));
    }
    for (auto& a : axes) a = a < 0 ? a + 4 : a;
    std::sort(axes.begin(), axes.end());
    const Dims* shape = ShapeOf(inputs[0]);
    return axes == Dims{2, 3} && (!shape || shape->size() == 4);
  }

  void Visit(const onnx::NodeProto& n, int index) {
    const std::string& op = n.op_type();
    if (n.output_size() < 1) FailAt(index, "node has no output");
    std::vector<std::string> inputs;
    for (const std::string& in : n.input()) inputs.push_back(in.empty() ? in : Resolve(in));
    if (op == "Constant") {
      AddConstant(n, index);
      return;
    }
    const bool all_constant =
        !inputs.empty() && std::all_of(inputs.begin(), inputs.end(), [&](const std::string& s) {
          return s.empty() || IsConstant(s);
        });
    if (all_constant && TryFold(n, index, inputs)) return;
    if ((op == "Shape" || op == "Size") && !inputs.empty() && FoldShapeOf(n, index, inputs[0]))
      return;
    if (op == "Identity" || op == "Dropout") {
      alias_[n.output(0)] = inputs.at(0);
      return;
    }
    if (IsNoOpPool(n)) {
      alias_[n.output(0)] = inputs.at(0);
      out_.notes.push_back(op + " '" + n.name() + "' (1x1, stride 1) is a no-op: removed");
      return;
    }
    if (op == "Pad") {
      FoldPad(n, index, inputs);
      return;
    }
    Node node;
    node.proto = &n;
    node.index = index;
    node.op = op;
    node.name = n.name();
    node.inputs = inputs;
    node.outputs.assign(n.output().begin(), n.output().end());
    TakePads(node);
    if (op == "GlobalAveragePool" || op == "GlobalMaxPool" || IsReduceOverSpace(n, inputs)) {
      node.max = op == "GlobalMaxPool" || op == "ReduceMax";
      if (const auto* a = Attr(n, "keepdims")) node.keep_dims = a->i() != 0;
      node.op = "GlobalPool";
      node.inputs.resize(1);
    } else if (op == "Mul" && inputs.size() == 2) {
      FuseGatedActivation(node);
    }
    producer_[node.outputs[0]] = out_.nodes.size();
    out_.nodes.push_back(std::move(node));
  }

  void TakePads(Node& node) {
    for (std::size_t k = 0; k < node.inputs.size(); ++k) {
      auto it = pads_.find(node.inputs[k]);
      if (it == pads_.end()) continue;
      if (k != 0 || (node.op != "Conv" && node.op != "AveragePool")) {
        FailAt(node.index,
               "reads the output of a Pad; msqx folds a Pad only into the Conv or "
               "AveragePool that follows it");
      }
      node.inputs[0] = it->second.first;
      node.extra_pads = it->second.second;
      out_.notes.push_back("Pad '" + it->first + "' folded into the padding of " + node.op + " '" +
                           node.name + "'");
    }
  }

  // x * sigmoid(x) is SiLU (PyTorch exports nn.SiLU so); x * hard_sigmoid(x) with the slope 1/6
  // and offset 1/2 is hard-swish (PyTorch before opset 14, tf2onnx).
  void FuseGatedActivation(Node& mul) {
    for (int k = 0; k < 2; ++k) {
      auto it = producer_.find(mul.inputs[1 - k]);
      if (it == producer_.end()) continue;
      const Node& gate = out_.nodes[it->second];
      if (gate.inputs.empty() || gate.inputs[0] != mul.inputs[k]) continue;
      bool hard = false;
      if (gate.op == "HardSigmoid") {
        const auto* alpha = Attr(*gate.proto, "alpha");
        const auto* beta = Attr(*gate.proto, "beta");
        hard = alpha && beta && std::abs(alpha->f() - 1.0 / 6) < 1e-6 &&
               std::abs(beta->f() - 0.5) < 1e-6;
        if (!hard) continue;
      } else if (gate.op != "Sigmoid") {
        continue;
      }
      mul.op = hard ? "HardSwish" : "Silu";
      mul.inputs = {mul.inputs[k]};
      out_.notes.push_back("Mul '" + mul.name + "' of x and " + gate.op + "(x) is " +
                           (hard ? "hard-swish" : "SiLU"));
      return;
    }
  }

  // Nodes no graph output depends on: the shape arithmetic's leftovers, unused branches.
  void RemoveDead() {
    std::set<std::string> live(out_.outputs.begin(), out_.outputs.end());
    std::vector<bool> keep(out_.nodes.size());
    for (std::size_t i = out_.nodes.size(); i-- > 0;) {
      const Node& n = out_.nodes[i];
      keep[i] = std::any_of(n.outputs.begin(), n.outputs.end(),
                            [&](const std::string& o) { return live.count(o) > 0; });
      if (keep[i]) live.insert(n.inputs.begin(), n.inputs.end());
    }
    std::vector<Node> kept;
    for (std::size_t i = 0; i < out_.nodes.size(); ++i) {
      if (keep[i]) kept.push_back(std::move(out_.nodes[i]));
    }
    out_.nodes = std::move(kept);
  }

  const Model& m_;
  const onnx::GraphProto& g_;
  Graph out_;
  std::map<std::string, std::string> alias_;  // removed node's output -> what it passes on
  std::map<std::string, std::pair<std::string, Dims>> pads_;  // Pad output -> (input, pads)
  std::map<std::string, std::size_t> producer_;               // tensor -> node in out_.nodes
};

}  // namespace

Graph CleanUp(const Model& model) { return Cleaner(model).Run(); }

}  // namespace msqx::io::onnx_in

#endif  // MSQX_HAVE_ONNX
