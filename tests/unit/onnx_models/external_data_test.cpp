// External data (`.onnx` beside `.onnx.data`, what PyTorch 2.x writes): tensors are read from the
// files the model names, relative to its folder, at their offset and length; a location that
// leaves the folder ('..', an absolute path, a symbolic link out of it), that does not exist, or
// bytes past the end of the file are errors that name the model, the initializer and the reason,
// with status 2 and no network.json written.
#include <cstring>

#include "fixtures.h"
#include "onnx/onnx_pb.h"
#include "sim/io/npy.h"

namespace msqx::io::test {
namespace {

using msqx::test_support::Msqx;

// Input [1, 2, 4, 4] -> Conv with 3 filters of 2x3x3 (54 floats, 216 bytes) kept in a data file.
constexpr int kWeights = 3 * 2 * 3 * 3;

std::vector<float> WeightValues() {
  std::vector<float> w(kWeights);
  for (int i = 0; i < kWeights; ++i) w[i] = 0.25f * static_cast<float>(i % 9) - 1.0f;
  return w;
}

void WriteModel(const fs::path& path, const std::vector<std::pair<std::string, std::string>>& ext) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  onnx::GraphProto* g = m.mutable_graph();
  auto* in = g->add_input();
  in->set_name("x");
  auto* t = in->mutable_type()->mutable_tensor_type();
  t->set_elem_type(onnx::TensorProto::FLOAT);
  for (int d : {1, 2, 4, 4}) t->mutable_shape()->add_dim()->set_dim_value(d);
  onnx::TensorProto* w = g->add_initializer();
  w->set_name("conv.weight");
  w->set_data_type(onnx::TensorProto::FLOAT);
  for (int d : {3, 2, 3, 3}) w->add_dims(d);
  w->set_data_location(onnx::TensorProto::EXTERNAL);
  for (const auto& [k, v] : ext) {
    auto* e = w->add_external_data();
    e->set_key(k);
    e->set_value(v);
  }
  onnx::NodeProto* n = g->add_node();
  n->set_op_type("Conv");
  n->set_name("conv");
  n->add_input("x");
  n->add_input("conv.weight");
  n->add_output("y");
  auto* out = g->add_output();
  out->set_name("y");
  std::ofstream f(path, std::ios::binary);
  ASSERT_TRUE(m.SerializeToOstream(&f));
}

// `before` bytes of padding, then the weights, little-endian float32.
void WriteData(const fs::path& path, std::size_t before = 0) {
  std::string bytes(before, '\x7f');
  for (float v : WeightValues()) {
    char b[4];
    std::memcpy(b, &v, 4);
    bytes.append(b, 4);
  }
  std::ofstream(path, std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

class ExternalDataTest : public ScratchTest {
 protected:
  void SetUp() override {
    ScratchTest::SetUp();
    model_dir_ = dir_ / "model";
    fs::create_directories(model_dir_ / "sub");
    WriteData(dir_ / "outside.bin");  // a valid data file one folder up
  }

  // Imports through the command line; expects status 2 and every `needles` in the message.
  void ExpectRejected(const std::vector<std::pair<std::string, std::string>>& ext,
                      const std::vector<std::string>& needles) {
    const fs::path model = model_dir_ / "m.onnx";
    WriteModel(model, ext);
    const test_support::MsqxRun r =
        Msqx("import " + model.string() + " --out " + (dir_ / "out").string());
    EXPECT_EQ(r.status, 2) << r.output;
    for (const std::string& needle :
         {model.string(), std::string("$.graph.initializer[0]"), std::string("conv.weight")}) {
      EXPECT_NE(r.output.find(needle), std::string::npos) << needle << " in: " << r.output;
    }
    for (const std::string& needle : needles) {
      EXPECT_NE(r.output.find(needle), std::string::npos) << needle << " in: " << r.output;
    }
    EXPECT_FALSE(fs::exists(dir_ / "out" / "network.json"));
  }

  fs::path model_dir_;
};

TEST_F(ExternalDataTest, DataBesideTheModelIsReadAtItsOffset) {
  WriteData(model_dir_ / "sub" / "w.bin", 100);
  WriteModel(model_dir_ / "m.onnx",
             {{"location", "sub/w.bin"}, {"offset", "100"}, {"length", "216"}});
  ImportAndLoad(model_dir_ / "m.onnx", "m");
  const NpyArray w = ReadNpy((dir_ / "m" / "weights" / "conv.npy").string());
  const std::vector<float> expected = WeightValues();
  ASSERT_EQ(w.values.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(w.values[i], expected[i]);
  // A link that stays inside the folder is fine; so is a missing length.
  fs::create_symlink("sub/w.bin", model_dir_ / "inside.bin");
  WriteModel(model_dir_ / "m.onnx", {{"location", "inside.bin"}, {"offset", "100"}});
  EXPECT_NO_THROW(ImportOnnx((model_dir_ / "m.onnx").string()));
}

TEST_F(ExternalDataTest, ParentFolderIsRejected) {
  ExpectRejected({{"location", "../outside.bin"}}, {"leaves the model's folder", "'..'"});
  ExpectRejected({{"location", "sub/../../outside.bin"}}, {"leaves the model's folder"});
}

TEST_F(ExternalDataTest, AbsolutePathIsRejected) {
  ExpectRejected({{"location", (dir_ / "outside.bin").string()}}, {"is absolute"});
  ExpectRejected({{"location", "/etc/passwd"}}, {"is absolute"});
}

TEST_F(ExternalDataTest, SymlinkOutOfTheFolderIsRejected) {
  fs::create_symlink(dir_ / "outside.bin", model_dir_ / "escape.bin");
  ExpectRejected({{"location", "escape.bin"}}, {"a link out of the model's folder"});
  fs::create_directory_symlink(dir_, model_dir_ / "up");
  ExpectRejected({{"location", "up/outside.bin"}}, {"a link out of the model's folder"});
}

TEST_F(ExternalDataTest, BytesPastTheEndAreRejected) {
  WriteData(model_dir_ / "w.bin");
  ExpectRejected({{"location", "w.bin"}, {"offset", "8"}},
                 {"past the end of the file (216 bytes)"});
  ExpectRejected({{"location", "w.bin"}, {"offset", "4096"}, {"length", "216"}},
                 {"past the end of the file"});
  ExpectRejected({{"location", "w.bin"}, {"offset", "0"}, {"length", "100000"}},
                 {"length 100000 bytes, expected 216"});
}

TEST_F(ExternalDataTest, MissingFilesAndMalformedEntriesAreRejected) {
  ExpectRejected({{"location", "nowhere.bin"}}, {"no such file beside the model"});
  ExpectRejected({{"offset", "0"}}, {"external data has no location"});
  WriteData(model_dir_ / "w.bin");
  ExpectRejected({{"location", "w.bin"}, {"offset", "-4"}}, {"offset '-4' is not a byte count"});
  ExpectRejected({{"location", "w.bin"}, {"length", "1e3"}}, {"length '1e3' is not a byte count"});
  ExpectRejected({{"location", "sub"}}, {"no such file beside the model"});  // a folder
}

// The MobileNetV2 fixture with its data file cut short: an error, not a crash or garbage.
TEST_F(ExternalDataTest, TruncatedDataFileIsRejected) {
  fs::copy_file(Fixture("mobilenet_v2.onnx"), model_dir_ / "mobilenet_v2.onnx");
  std::ifstream in(Fixture("mobilenet_v2.onnx.data"), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  bytes.resize(bytes.size() / 2);
  std::ofstream(model_dir_ / "mobilenet_v2.onnx.data", std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  const test_support::MsqxRun r = Msqx("import " + (model_dir_ / "mobilenet_v2.onnx").string() +
                                       " --out " + (dir_ / "out").string());
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("past the end of the file"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace msqx::io::test
