// ONNX import on the real PyTorch-exported models of Debian's libonnx-testdata: the written
// network's shapes must equal what each ONNX file declares (read here with protobuf directly,
// not through the importer), and the weights must equal the file's initializers. A model built
// here covers batch-norm folding, residual adds, ReLU6 and Flatten + Gemm.
#include "sim/io/onnx_import.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "onnx/onnx_pb.h"
#include "sim/io/npy.h"
#include "sim/spec/resolve.h"

namespace msqx::io {
namespace {

namespace fs = std::filesystem;
const fs::path kTestData = "/usr/share/libonnx-testdata/data/pytorch-converted";

onnx::ModelProto LoadModel(const fs::path& path) {
  onnx::ModelProto m;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(m.ParseFromIstream(&in)) << path;
  return m;
}

std::vector<std::int64_t> Dims(const onnx::ValueInfoProto& v) {
  std::vector<std::int64_t> d;
  for (const auto& dim : v.type().tensor_type().shape().dim()) d.push_back(dim.dim_value());
  return d;
}

std::vector<double> Values(const onnx::TensorProto& t) {
  std::vector<double> v;
  if (!t.raw_data().empty()) {
    for (std::size_t i = 0; i < t.raw_data().size() / 4; ++i) {
      float f;
      std::memcpy(&f, t.raw_data().data() + 4 * i, 4);
      v.push_back(f);
    }
  } else {
    for (float f : t.float_data()) v.push_back(f);
  }
  return v;
}

class OnnxImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::is_directory(kTestData)) GTEST_SKIP() << "libonnx-testdata is not installed";
    out_ = fs::temp_directory_path() /
           ("msqx_onnx_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(out_);
  }
  void TearDown() override { fs::remove_all(out_); }

  spec::NetworkSpec ImportAndReload(const fs::path& model, const std::string& name) {
    OnnxImportOptions opts;
    opts.name = name;
    WriteImport(ImportOnnx(model.string(), opts), (out_ / name).string());
    return spec::ConfigResolver(std::string(MSQX_SOURCE_DIR) + "/configs")
        .LoadNetwork((out_ / name / "network.json").string());
  }

  fs::path out_;
};

TEST_F(OnnxImportTest, TestdataModelsGiveTheDeclaredShapesAndWeights) {
  const std::vector<std::string> models = {"test_Conv2d",
                                           "test_Conv2d_no_bias",
                                           "test_Conv2d_groups",
                                           "test_Sigmoid",
                                           "test_Conv2d_depthwise",
                                           "test_Conv2d_depthwise_padded",
                                           "test_Conv2d_depthwise_strided",
                                           "test_Conv2d_depthwise_with_multiplier",
                                           "test_Conv2d_padding",
                                           "test_Conv2d_strided",
                                           "test_Linear",
                                           "test_Linear_no_bias",
                                           "test_MaxPool2d",
                                           "test_AvgPool2d",
                                           "test_AvgPool2d_stride",
                                           "test_ReLU",
                                           "../pytorch-operator/test_operator_conv"};
  for (const std::string& name : models) {
    SCOPED_TRACE(name);
    const fs::path path = kTestData / name / "model.onnx";
    const onnx::ModelProto m = LoadModel(path);
    const std::string id = fs::path(name).filename().string();
    const spec::NetworkSpec net = ImportAndReload(path, id);
    ASSERT_EQ(net.layers.size(), 1u);

    std::set<std::string> initializers;
    for (const auto& t : m.graph().initializer()) initializers.insert(t.name());
    const onnx::ValueInfoProto* input = nullptr;
    for (const auto& v : m.graph().input()) {
      if (!initializers.count(v.name())) input = &v;
    }
    ASSERT_NE(input, nullptr);
    const std::vector<std::int64_t> in = Dims(*input);
    const std::vector<std::int64_t> out = Dims(m.graph().output(0));
    const spec::Shape got_out = net.layers[0].out;
    if (in.size() == 4) {
      EXPECT_EQ(net.input.channels, in[1]);
      EXPECT_EQ(net.input.height, in[2]);
      EXPECT_EQ(net.input.width, in[3]);
      ASSERT_EQ(out.size(), 4u);
      EXPECT_EQ(got_out.channels, out[1]);
      EXPECT_EQ(got_out.height, out[2]);
      EXPECT_EQ(got_out.width, out[3]);
    } else {
      EXPECT_EQ(net.input.Elements(), in[1]);
      ASSERT_EQ(out.size(), 2u);
      EXPECT_EQ(got_out.Elements(), out[1]);
    }
    if (!net.layers[0].HasWeights()) continue;
    // The weight initializer: the only one of rank >= 2. PyTorch's Linear stores [out, in] and
    // the model transposes it (Gemm transB or an explicit Transpose), so it equals msqx's layout.
    const onnx::TensorProto* w = nullptr;
    for (const auto& t : m.graph().initializer()) {
      if (t.dims_size() >= 2) w = &t;
    }
    ASSERT_NE(w, nullptr);
    const NpyArray a = ReadNpy((out_ / id / "weights" / (net.layers[0].name + ".npy")).string());
    EXPECT_EQ(a.shape, std::vector<std::int64_t>(w->dims().begin(), w->dims().end()));
    EXPECT_EQ(a.values, Values(*w));
    EXPECT_EQ(net.layers[0].bias, m.graph().initializer_size() == 2);
  }
}

void ExpectRejected(const fs::path& path, const std::string& needle) {
  try {
    ImportOnnx(path.string());
    ADD_FAILURE() << path << " accepted";
  } catch (const spec::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST_F(OnnxImportTest, WhatTheSchemaCannotHoldIsRejectedWithTheReason) {
  ExpectRejected(kTestData / "test_Conv2d_dilated" / "model.onnx", "dilated");
  ExpectRejected(kTestData / "test_Conv3d" / "model.onnx", "rank 5");
  ExpectRejected(kTestData / "test_Tanh" / "model.onnx", "unsupported operator");
  ExpectRejected(kTestData / "test_Conv2d" / "test_data_set_0" / "input_0.pb", "");
  ExpectRejected("/nonexistent.onnx", "cannot open");
}

// ---- a model built here ----
onnx::TensorProto Tensor(const std::string& name, std::vector<std::int64_t> dims,
                         std::vector<float> v) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(onnx::TensorProto::FLOAT);
  for (auto d : dims) t.add_dims(d);
  for (float f : v) t.add_float_data(f);
  return t;
}

onnx::NodeProto* Node(onnx::GraphProto* g, const std::string& op, std::vector<std::string> in,
                      const std::string& out) {
  onnx::NodeProto* n = g->add_node();
  n->set_op_type(op);
  n->set_name(out);
  for (const auto& i : in) n->add_input(i);
  n->add_output(out);
  return n;
}

void Ints(onnx::NodeProto* n, const std::string& name, std::vector<std::int64_t> v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (auto x : v) a->add_ints(x);
}

void SetDims(onnx::ValueInfoProto* v, const std::string& name, std::vector<std::int64_t> dims) {
  v->set_name(name);
  auto* t = v->mutable_type()->mutable_tensor_type();
  t->set_elem_type(onnx::TensorProto::FLOAT);
  for (auto d : dims) t->mutable_shape()->add_dim()->set_dim_value(d);
}

TEST_F(OnnxImportTest, BatchNormIsFoldedAndResidualGraphsImport) {
  onnx::ModelProto m;
  m.set_ir_version(7);
  m.add_opset_import()->set_version(6);  // Clip takes min/max as attributes up to opset 10
  onnx::GraphProto* g = m.mutable_graph();
  g->set_name("residual");
  SetDims(g->add_input(), "x", {1, 2, 8, 8});
  std::vector<float> w1(4 * 2 * 9), w2(4 * 4 * 9), fc(5 * 4);
  for (std::size_t i = 0; i < w1.size(); ++i) w1[i] = 0.01f * static_cast<float>(i) - 0.3f;
  for (std::size_t i = 0; i < w2.size(); ++i) w2[i] = 0.02f * static_cast<float>(i % 7) - 0.05f;
  for (std::size_t i = 0; i < fc.size(); ++i) fc[i] = static_cast<float>(i);
  *g->add_initializer() = Tensor("w1", {4, 2, 3, 3}, w1);
  *g->add_initializer() = Tensor("gamma", {4}, {1, 2, 0.5f, -1});
  *g->add_initializer() = Tensor("beta", {4}, {0, 0, 0, 0});
  *g->add_initializer() = Tensor("mean", {4}, {0, 1, 0, 0});
  *g->add_initializer() = Tensor("var", {4}, {1, 4, 0.25f, 9});
  *g->add_initializer() = Tensor("w2", {4, 4, 3, 3}, w2);
  *g->add_initializer() = Tensor("fc", {5, 4}, fc);
  *g->add_initializer() = Tensor("fcb", {5}, {0, 0, 0, 0, 0});
  Ints(Node(g, "Conv", {"x", "w1"}, "c1"), "pads", {1, 1, 1, 1});
  auto* bn = Node(g, "BatchNormalization", {"c1", "gamma", "beta", "mean", "var"}, "bn1");
  auto* eps = bn->add_attribute();
  eps->set_name("epsilon");
  eps->set_type(onnx::AttributeProto::FLOAT);
  eps->set_f(0.0f);
  Node(g, "Relu", {"bn1"}, "r1");
  Ints(Node(g, "Conv", {"r1", "w2"}, "c2"), "pads", {1, 1, 1, 1});
  Node(g, "Add", {"c2", "r1"}, "sum");
  auto* clip = Node(g, "Clip", {"sum"}, "r6");
  for (auto [key, value] : {std::pair<const char*, float>{"min", 0.0f}, {"max", 6.0f}}) {
    auto* a = clip->add_attribute();
    a->set_name(key);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(value);
  }
  Node(g, "GlobalAveragePool", {"r6"}, "gap");
  Node(g, "Flatten", {"gap"}, "flat");
  auto* gemm = Node(g, "Gemm", {"flat", "fc", "fcb"}, "logits");
  auto* tb = gemm->add_attribute();
  tb->set_name("transB");
  tb->set_type(onnx::AttributeProto::INT);
  tb->set_i(1);
  Node(g, "Softmax", {"logits"}, "probs");
  SetDims(g->add_output(), "probs", {1, 5});
  fs::create_directories(out_);
  const fs::path path = out_ / "residual.onnx";
  {
    std::ofstream f(path, std::ios::binary);
    ASSERT_TRUE(m.SerializeToOstream(&f));
  }
  const OnnxImport imp = ImportOnnx(path.string());
  EXPECT_FALSE(imp.checks.empty());
  ASSERT_EQ(imp.notes.size(), 2u);  // the folded batch norm and the host-side softmax
  EXPECT_NE(imp.notes[1].find("Softmax"), std::string::npos);
  const spec::NetworkSpec net = ImportAndReload(path, "residual");
  std::vector<std::string> kinds;
  for (const auto& l : net.layers) kinds.push_back(spec::ToString(l.kind));
  EXPECT_EQ(kinds,
            (std::vector<std::string>{"conv", "act", "conv", "add", "act", "avgpool", "fc"}));
  EXPECT_TRUE(net.layers[0].bias);  // the folded batch norm leaves a bias
  EXPECT_EQ(net.layers[3].inputs, (std::vector<int>{2, 1}));
  EXPECT_EQ(net.layers[4].function, spec::ActFunction::kRelu6);
  EXPECT_EQ(net.layers[6].out.channels, 5);
  EXPECT_EQ(net.layers[0].out, (spec::Shape{4, 8, 8}));
  // Folded: w * gamma / sqrt(var + eps), eps = 0 here, per output channel.
  const NpyArray a =
      ReadNpy((out_ / "residual" / "weights" / (net.layers[0].name + ".npy")).string());
  const double factor[4] = {1.0, 1.0, 1.0, -1.0 / 3};
  for (int c = 0; c < 4; ++c) {
    for (int i = 0; i < 18; ++i) {
      EXPECT_NEAR(a.values[c * 18 + i], static_cast<double>(w1[c * 18 + i]) * factor[c], 1e-6);
    }
  }
}

}  // namespace
}  // namespace msqx::io

namespace msqx::io {
namespace {

// Corrupted model files: every outcome is an import or a ConfigError, never a crash or another
// exception.
TEST_F(OnnxImportTest, CorruptedModelsFailCleanly) {
  const unsigned seed = 1234;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  for (const char* name : {"test_Conv2d_padding", "test_Linear", "test_MaxPool2d"}) {
    std::ifstream in(kTestData / name / "model.onnx", std::ios::binary);
    const std::string original((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
    ASSERT_FALSE(original.empty());
    fs::create_directories(out_);
    int rejected = 0;
    for (int i = 0; i < 150; ++i) {
      std::string bytes = original;
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int f = 0; f < flips; ++f) bytes[rng() % bytes.size()] = static_cast<char>(rng());
      if (i % 10 == 0) bytes.resize(rng() % bytes.size());  // truncated
      const fs::path path = out_ / "corrupt.onnx";
      std::ofstream(path, std::ios::binary)
          .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      try {
        ImportOnnx(path.string());
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
}  // namespace msqx::io
