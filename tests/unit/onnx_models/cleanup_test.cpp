// The clean-up stage on its own: constant folding of shape arithmetic against results worked out
// by hand with ONNX's (numpy's) rules, the loader keeping large tensors in their file, and graphs
// built here for each rewrite (Pad into a conv, SiLU and hard-swish gates, ReduceMean over H and
// W, Identity and Dropout, a symbolic batch) and for what stays an error. Corrupted fixtures fail
// as ConfigErrors, never otherwise.
#include <iterator>
#include <random>

#include "fixtures.h"
#include "onnx/onnx_pb.h"
#include "sim/io/onnx_model.h"

namespace msqx::io::test {
namespace {

using onnx_in::Values;
using T = onnx::TensorProto;

Values V(std::vector<std::int64_t> dims, std::vector<double> v, int type = T::INT64) {
  return {type, std::move(dims), std::move(v)};
}

onnx::NodeProto NodeOf(const std::string& op,
                       std::vector<std::pair<std::string, std::vector<std::int64_t>>> ints = {}) {
  onnx::NodeProto n;
  n.set_op_type(op);
  for (auto& [name, v] : ints) {
    auto* a = n.add_attribute();
    a->set_name(name);
    if (name == "axis" || name == "to" || name == "allowzero" || name == "start" || name == "end") {
      a->set_type(onnx::AttributeProto::INT);
      a->set_i(v.at(0));
    } else {
      a->set_type(onnx::AttributeProto::INTS);
      for (auto x : v) a->add_ints(x);
    }
  }
  return n;
}

Values FoldOne(const std::string& op, std::vector<Values> in,
               std::vector<std::pair<std::string, std::vector<std::int64_t>>> ints = {},
               std::int64_t opset = 14) {
  std::vector<const Values*> p;
  for (const Values& v : in) p.push_back(&v);
  std::vector<Values> out;
  EXPECT_TRUE(onnx_in::Fold(op, NodeOf(op, ints), opset, p, out)) << op;
  return out.at(0);
}

TEST(OnnxFold, ShapeArithmeticOfViewFlatten) {
  // x.view(x.size(0), -1) on [1, 24, 4, 4]: Shape, Gather(0), Unsqueeze, Concat with [-1].
  const Values shape = FoldOne("Shape", {V({1, 24, 4, 4}, std::vector<double>(384))});
  EXPECT_EQ(shape.v, (std::vector<double>{1, 24, 4, 4}));
  const Values batch = FoldOne("Gather", {shape, V({}, {0})}, {{"axis", {0}}});
  EXPECT_TRUE(batch.dims.empty());
  EXPECT_EQ(batch.v, (std::vector<double>{1}));
  const Values b1 = FoldOne("Unsqueeze", {batch, V({1}, {0})});  // opset 13: axes as an input
  EXPECT_EQ(b1.dims, (std::vector<std::int64_t>{1}));
  const Values b2 = FoldOne("Unsqueeze", {batch}, {{"axes", {0}}}, 11);  // opset 11: attribute
  EXPECT_EQ(b2.dims, b1.dims);
  const Values target = FoldOne("Concat", {b1, V({1}, {-1})}, {{"axis", {0}}});
  EXPECT_EQ(target.v, (std::vector<double>{1, -1}));
  const Values last = FoldOne("Gather", {shape, V({}, {-1})}, {{"axis", {0}}});
  EXPECT_EQ(last.v, (std::vector<double>{4}));  // negative indices count from the end
  const Values tail =
      FoldOne("Shape", {V({1, 24, 4, 4}, std::vector<double>(384))}, {{"start", {-2}}});
  EXPECT_EQ(tail.v, (std::vector<double>{4, 4}));
}

TEST(OnnxFold, TorchZeroPadBuildsItsPadsWithSliceTransposeAndCast) {
  // ZeroPad2d((0, 1, 0, 1)) in torch 1.13: ConstantOfShape([4]) -> Concat([0, 1, 0, 1], zeros)
  // -> Reshape([-1, 2]) -> Slice(starts -1, ends -huge, step -1) reverses the rows -> Transpose
  // -> Reshape([-1]) -> Cast: ONNX's [x1_begin, x2_begin, ..., x1_end, ...] order.
  const Values zeros = FoldOne("ConstantOfShape", {V({1}, {4})});
  EXPECT_EQ(zeros.v, (std::vector<double>(4, 0.0)));
  const Values cat = FoldOne("Concat", {V({4}, {0, 1, 0, 1}), zeros}, {{"axis", {0}}});
  const Values pairs = FoldOne("Reshape", {cat, V({2}, {-1, 2})});
  EXPECT_EQ(pairs.dims, (std::vector<std::int64_t>{4, 2}));
  const Values reversed = FoldOne(
      "Slice", {pairs, V({1}, {-1}), V({1}, {-9223372036854775807.0}), V({1}, {0}), V({1}, {-1})});
  EXPECT_EQ(reversed.v, (std::vector<double>{0, 0, 0, 0, 0, 1, 0, 1}));
  const Values t = FoldOne("Transpose", {reversed}, {{"perm", {1, 0}}});
  EXPECT_EQ(t.v, (std::vector<double>{0, 0, 0, 0, 0, 0, 1, 1}));
  const Values flat = FoldOne("Reshape", {t, V({1}, {-1})});
  const Values cast = FoldOne("Cast", {flat}, {{"to", {T::INT64}}});
  EXPECT_EQ(cast.dims, (std::vector<std::int64_t>{8}));
  EXPECT_EQ(cast.v, (std::vector<double>{0, 0, 0, 0, 0, 0, 1, 1}));  // bottom 1, right 1
}

TEST(OnnxFold, BroadcastingIntegerDivisionAndReshapeRules) {
  const Values sum = FoldOne("Add", {V({2, 1}, {1, 2}), V({3}, {10, 20, 30})});
  EXPECT_EQ(sum.dims, (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(sum.v, (std::vector<double>{11, 21, 31, 12, 22, 32}));
  EXPECT_EQ(FoldOne("Div", {V({2}, {7, -7}), V({}, {2})}).v, (std::vector<double>{3, -3}));
  EXPECT_EQ(FoldOne("Cast", {V({2}, {2.7, -2.7}, T::FLOAT)}, {{"to", {T::INT32}}}).v,
            (std::vector<double>{2, -2}));
  // Reshape: 0 copies the input's dimension, -1 takes the rest.
  EXPECT_EQ(FoldOne("Reshape", {V({2, 3, 4}, std::vector<double>(24)), V({2}, {0, -1})}).dims,
            (std::vector<std::int64_t>{2, 12}));
  std::vector<const Values*> bad_in;
  const Values data = V({2, 3}, std::vector<double>(6)), shape = V({1}, {5});
  std::vector<Values> out;
  EXPECT_THROW(onnx_in::Fold("Reshape", NodeOf("Reshape"), 14, {&data, &shape}, out),
               std::invalid_argument);
  EXPECT_FALSE(onnx_in::Fold("Conv", NodeOf("Conv"), 14, {&data}, out));
}

TEST(OnnxLoad, LargeTensorsStayInTheFile) {
  const auto model = onnx_in::LoadModel(Fixture("resnet18.onnx").string(), true);
  // The largest weight tensor (layer4's 3x3 convs, 64 x 64 x 9 floats at widths / 8).
  const onnx_in::TensorData* big = nullptr;
  for (const auto& [name, t] : model->tensors) {
    if (!big || t.count > big->count) big = &t;
  }
  ASSERT_NE(big, nullptr);
  const onnx_in::TensorData& fc = *big;
  EXPECT_EQ(fc.count, 64 * 64 * 9);
  EXPECT_EQ(fc.source, onnx_in::TensorData::Source::kFile);
  EXPECT_EQ(fc.file, Fixture("resnet18.onnx").string());
  std::int64_t in_memory = 0;
  for (const auto& t : model->proto.graph().initializer()) {
    in_memory += static_cast<std::int64_t>(t.raw_data().size());
    EXPECT_LE(static_cast<std::int64_t>(t.raw_data().size()), onnx_in::kInlineBytes) << t.name();
  }
  EXPECT_LT(in_memory, 64 * 1024);  // of a 716 KB file
  // The values read from the file at the noted offset are the tensor's.
  double first[2];
  model->Read(fc, 0, 2, first);
  EXPECT_NE(first[0], first[1]);
}

// ---- graphs built here ----
class GraphBuilder {
 public:
  GraphBuilder(std::vector<std::int64_t> input, const std::string& batch = "") {
    m_.set_ir_version(8);
    m_.add_opset_import()->set_version(13);
    auto* in = m_.mutable_graph()->add_input();
    in->set_name("x");
    auto* t = in->mutable_type()->mutable_tensor_type();
    t->set_elem_type(T::FLOAT);
    for (std::size_t i = 0; i < input.size(); ++i) {
      auto* d = t->mutable_shape()->add_dim();
      if (i == 0 && !batch.empty()) {
        d->set_dim_param(batch);
      } else {
        d->set_dim_value(input[i]);
      }
    }
  }
  void Init(const std::string& name, std::vector<std::int64_t> dims, std::vector<float> v,
            int type = T::FLOAT) {
    auto* t = m_.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(type);
    for (auto d : dims) t->add_dims(d);
    for (float f : v) {
      if (type == T::FLOAT) {
        t->add_float_data(f);
      } else {
        t->add_int64_data(static_cast<std::int64_t>(f));
      }
    }
  }
  onnx::NodeProto* Node(const std::string& op, std::vector<std::string> in,
                        const std::string& out) {
    auto* n = m_.mutable_graph()->add_node();
    n->set_op_type(op);
    n->set_name(out);
    for (auto& i : in) n->add_input(i);
    n->add_output(out);
    return n;
  }
  static void Ints(onnx::NodeProto* n, const std::string& name, std::vector<std::int64_t> v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (auto x : v) a->add_ints(x);
  }
  static void Float(onnx::NodeProto* n, const std::string& name, float v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(v);
  }
  void Output(const std::string& name) { m_.mutable_graph()->add_output()->set_name(name); }
  std::string Save(const fs::path& path) {
    std::ofstream f(path, std::ios::binary);
    EXPECT_TRUE(m_.SerializeToOstream(&f));
    return path.string();
  }

 private:
  onnx::ModelProto m_;
};

class CleanupTest : public ScratchTest {
 protected:
  std::string Error(GraphBuilder& g) {
    try {
      ImportOnnx(g.Save(dir_ / "g.onnx"));
    } catch (const spec::ConfigError& e) {
      return e.what();
    }
    return "accepted";
  }
};

TEST_F(CleanupTest, PadFoldsIntoTheConvAndGatesBecomeActivations) {
  GraphBuilder g({1, 4, 8, 8}, "N");
  g.Init("w", {4, 4, 3, 3}, std::vector<float>(144, 0.1f));
  g.Init("pads", {8}, {0, 0, 0, 0, 0, 0, 1, 1}, T::INT64);
  g.Node("Identity", {"x"}, "xi");
  g.Node("Pad", {"xi", "pads"}, "p");
  GraphBuilder::Ints(g.Node("Conv", {"p", "w"}, "c"), "strides", {2, 2});
  g.Node("Sigmoid", {"c"}, "s");
  g.Node("Mul", {"c", "s"}, "silu");
  auto* hs = g.Node("HardSigmoid", {"silu"}, "hsig");
  GraphBuilder::Float(hs, "alpha", 1.0f / 6);
  GraphBuilder::Float(hs, "beta", 0.5f);
  g.Node("Mul", {"hsig", "silu"}, "hswish");
  g.Node("Dropout", {"hswish"}, "d");
  auto* rm = g.Node("ReduceMean", {"d"}, "gap");
  GraphBuilder::Ints(rm, "axes", {-1, -2});
  g.Output("gap");
  const spec::NetworkSpec n = ImportAndLoad(g.Save(dir_ / "g.onnx"), "g");
  ASSERT_EQ(n.layers.size(), 4u);
  const spec::Layer& c = n.layers[0];
  EXPECT_EQ(std::vector<int>({c.pad_top, c.pad_left, c.pad_bottom, c.pad_right}),
            (std::vector<int>{0, 0, 1, 1}));
  EXPECT_EQ(c.out, (spec::Shape{4, 4, 4}));  // (8 + 1 - 3) / 2 + 1
  EXPECT_EQ(n.layers[1].function, spec::ActFunction::kSilu);
  EXPECT_EQ(n.layers[2].function, spec::ActFunction::kHardSwish);
  EXPECT_TRUE(n.layers[3].global);
  EXPECT_EQ(n.layers[3].out, (spec::Shape{4, 1, 1}));
  // The symbolic batch is fixed and the shapes ONNX infers are checked.
  EXPECT_GE(last_.checks.size(), 4u);
  EXPECT_NE(last_.notes.front().find("batch dimension 'N'"), std::string::npos);
}

TEST_F(CleanupTest, WhatDoesNotFoldIsAnErrorNamingTheNode) {
  GraphBuilder g({1, 4, 8, 8});
  g.Init("pads", {8}, {0, 0, 1, 1, 0, 0, 1, 1}, T::INT64);
  g.Node("Pad", {"x", "pads"}, "p");
  GraphBuilder::Ints(g.Node("MaxPool", {"p"}, "m"), "kernel_shape", {2, 2});
  g.Output("m");
  const std::string pad = Error(g);
  EXPECT_NE(pad.find("$.graph.node[1]"), std::string::npos) << pad;
  EXPECT_NE(pad.find("folds a Pad only into the Conv or AveragePool"), std::string::npos) << pad;

  GraphBuilder r({1, 4, 8, 8});
  GraphBuilder::Ints(r.Node("ReduceMean", {"x"}, "m"), "axes", {1});
  r.Output("m");
  const std::string reduce = Error(r);
  EXPECT_NE(reduce.find("ReduceMean node 'm': unsupported operator"), std::string::npos) << reduce;

  GraphBuilder s({1, 4, 8, 8});
  s.Init("shape", {2}, {5, -1}, T::INT64);
  s.Init("c", {6}, {1, 2, 3, 4, 5, 6});
  s.Node("Reshape", {"c", "shape"}, "bad");  // 6 values into [5, -1]
  s.Node("Add", {"x", "bad"}, "y");
  s.Output("y");
  const std::string fold = Error(s);
  EXPECT_NE(fold.find("cannot fold this constant expression"), std::string::npos) << fold;
}

// Every outcome of a corrupted model is an import or a ConfigError.
TEST_F(CleanupTest, CorruptedFixturesFailCleanly) {
  const unsigned seed = 1717;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  for (const char* name : {"keras_mlp.onnx", "windows.onnx", "inception.onnx", "full/vgg16.onnx"}) {
    std::ifstream in(Fixture(name), std::ios::binary);
    const std::string original((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
    int rejected = 0;
    for (int i = 0; i < 60; ++i) {
      std::string bytes = original;
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int f = 0; f < flips; ++f) bytes[rng() % bytes.size()] = static_cast<char>(rng());
      if (i % 10 == 0) bytes.resize(rng() % bytes.size());
      const fs::path path = dir_ / "corrupt.onnx";
      std::ofstream(path, std::ios::binary)
          .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      OnnxImportOptions o;
      o.weights = std::string(name).rfind("full/", 0) != 0;
      try {
        WriteImport(ImportOnnx(path.string(), o), (dir_ / "out").string());
      } catch (const spec::ConfigError&) {
        ++rejected;
      } catch (const std::exception& e) {
        ADD_FAILURE() << name << " mutation " << i << ": " << e.what();
      }
    }
    EXPECT_GT(rejected, 0) << name;
  }
}

}  // namespace
}  // namespace msqx::io::test
