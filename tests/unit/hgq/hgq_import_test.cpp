// HGQ2 models in: the fixtures of scripts/make_hgq_fixtures.py (HGQ2's .keras and legacy .h5
// layouts, written with h5py) imported and compared with what that script computed on its own
// with HGQ2's quantizer and EBOPs formula in numpy float32 (<fixture>.expected.json): every weight
// code after the batch norm is folded, every per-element width, every bias, every input's type and
// sign, the ReLUs, and EBOPs equal to the ones HGQ stored. Then the command line end to end, and
// the errors: a message naming the file, where in it and what was expected, exit status 2 and no
// output folder.
#include "sim/io/hgq_import.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "models/unrolled/ebops.h"
#include "sim/io/hdf5_file.h"
#include "sim/io/zip_archive.h"
#include "sim/spec/json_reader.h"
#include "tests/common/run_msqx.h"

namespace msqx {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test_support::Msqx;
using unrolled::FixedType;
using unrolled::Overflow;

const fs::path kFixtures = fs::path(MSQX_SOURCE_DIR) / "tests/unit/hgq/fixtures";

fs::path Dir(const std::string& name) {
  const fs::path d = fs::path(MSQX_BINARY_DIR) / "hgq_import_test" / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

json Load(const fs::path& p) {
  std::ifstream in(p);
  return json::parse(in);
}

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool Available() { return io::Hdf5Available() && io::ZipAvailable(); }

Overflow ModeOf(const json& name) { return *unrolled::ParseOverflow(name.get<std::string>()); }

// The imported network against the script's expectation, layer by layer.
void ExpectAsTheFixtureSays(const io::HgqImport& im) {
  const json want = Load(kFixtures / "hgq_mlp.expected.json");
  ASSERT_EQ(im.net.layers.size(), want["layers"].size());
  EXPECT_EQ(im.network["input"]["channels"], want["input_features"]);
  std::int64_t total = 0;
  for (std::size_t l = 0; l < want["layers"].size(); ++l) {
    const json& w = want["layers"][l];
    const unrolled::HgqDenseLayer& got = im.net.layers[l];
    const unrolled::QuantizedDense& q = got.quantized;
    SCOPED_TRACE(w["name"].get<std::string>());
    ASSERT_EQ(q.out_features, w["out_features"].get<int>());
    ASSERT_EQ(q.in_features, w["in_features"].get<int>());
    EXPECT_EQ(im.layers[l].class_name, w["class"]);
    EXPECT_EQ(got.relu, w["relu"].get<bool>());
    for (int o = 0; o < q.out_features; ++o) {
      for (int j = 0; j < q.in_features; ++j) {
        const FixedType t{w["weight_k"][o][j], w["weight_i"][o][j], w["weight_f"][o][j],
                          ModeOf(w["weight_overflow"])};
        EXPECT_EQ(q.Type(o, j), t) << "weight [" << o << "][" << j << "]";
        EXPECT_EQ(q.Code(o, j), w["weight_codes"][o][j].get<std::int64_t>())
            << "weight [" << o << "][" << j << "]";
      }
      const FixedType b{w["bias_k"][o], w["bias_i"][o], w["bias_f"][o], ModeOf(w["bias_overflow"])};
      EXPECT_EQ(q.bias_types[static_cast<std::size_t>(o)], b) << "bias " << o;
      EXPECT_EQ(q.BiasCode(o), w["bias_codes"][o].get<std::int64_t>()) << "bias " << o;
    }
    for (int j = 0; j < q.in_features; ++j) {
      const FixedType a{w["input_k"][j], w["input_i"][j], w["input_f"][j],
                        ModeOf(w["input_overflow"])};
      EXPECT_EQ(got.activations[static_cast<std::size_t>(j)], a) << "input " << j;
    }
    // EBOPs: HGQ's formula on the imported widths equals what HGQ stored, exactly.
    ASSERT_TRUE(im.layers[l].stored_ebops.has_value());
    EXPECT_EQ(*im.layers[l].stored_ebops, w["stored_ebops"].get<std::int64_t>());
    EXPECT_EQ(im.layers[l].ebops_hgq, w["stored_ebops"].get<std::int64_t>());
    EXPECT_EQ(unrolled::HgqDenseEbops(q, got.activations), im.layers[l].ebops_hgq);
    total += im.layers[l].ebops_hgq;
  }
  EXPECT_EQ(total, want["total_ebops"].get<std::int64_t>());
  EXPECT_EQ(im.Report()["ebops"]["stored"].get<std::int64_t>(), total);
}

TEST(HgqImport, KerasArchiveAsTheFixtureSays) {
  if (!Available()) GTEST_SKIP() << "built without libhdf5-dev / libzip-dev";
  const io::HgqImport im = io::ImportHgq((kFixtures / "hgq_mlp.keras").string());
  EXPECT_EQ(im.format, "keras");
  EXPECT_EQ(im.keras_version, "3.10.0");
  ExpectAsTheFixtureSays(im);
}

TEST(HgqImport, LegacyH5AsTheFixtureSays) {
  if (!Available()) GTEST_SKIP() << "built without libhdf5-dev / libzip-dev";
  const io::HgqImport im = io::ImportHgq((kFixtures / "hgq_mlp.h5").string());
  EXPECT_EQ(im.format, "h5");
  ExpectAsTheFixtureSays(im);
}

// The fixture exercises what the issue names: batch norm folded both ways, symmetric saturation
// at -(2^(i+f) - 1), pruned negative and zero totals, a signed input after a ReLU.
TEST(HgqImport, FixtureCoversHgqsConventions) {
  if (!Available()) GTEST_SKIP() << "built without libhdf5-dev / libzip-dev";
  const io::HgqImport im = io::ImportHgq((kFixtures / "hgq_mlp.keras").string());
  EXPECT_EQ(im.layers[0].batch_norm, "outputs");
  EXPECT_EQ(im.layers[1].batch_norm, "inputs");
  int saturated = 0, negative = 0, zero = 0;
  for (const auto& l : im.net.layers) {
    const auto& q = l.quantized;
    for (std::size_t e = 0; e < q.codes.size(); ++e) {
      const FixedType& t = q.weight_types.types[e];
      const int total = t.integer_bits + t.fractional_bits;
      negative += total < 0;
      zero += total == 0;
      saturated += !t.IsPruned() && q.codes[e] == -((std::int64_t{1} << total) - 1) &&
                   std::ldexp(l.weights[e], t.fractional_bits) < q.codes[e] - 0.5;
    }
  }
  EXPECT_GT(saturated, 0);
  EXPECT_GT(negative, 0);
  EXPECT_GT(zero, 0);
  const auto& t2_inputs = im.net.layers[1].activations.types;
  EXPECT_EQ(t2_inputs[3].sign_bits, 1);
  EXPECT_EQ(t2_inputs[0].sign_bits, 0);
}

TEST(HgqImport, KerasAndLegacyLayoutsGiveTheSameNetwork) {
  if (!Available()) GTEST_SKIP() << "built without libhdf5-dev / libzip-dev";
  const io::HgqImport a = io::ImportHgq((kFixtures / "hgq_mlp.keras").string());
  const io::HgqImport b = io::ImportHgq((kFixtures / "hgq_mlp.h5").string());
  EXPECT_EQ(a.network, b.network);
  for (std::size_t l = 0; l < a.net.layers.size(); ++l) {
    EXPECT_EQ(a.net.layers[l].weights, b.net.layers[l].weights);
    EXPECT_EQ(a.net.layers[l].bias, b.net.layers[l].bias);
  }
}

// HGQ's quantizer by hand, including float32's rounding: 0.49999997f (0.5 - 2^-25) plus 0.5 is
// 1 - 2^-25, which float32 rounds to 1.0 (a tie, to even), so HGQ's code is 1 where exact
// rounding gives 0; the importer writes 0.5 so that msqx's quantizer agrees.
TEST(HgqImport, QuantizerByHand) {
  const FixedType sym{1, 2, 1, Overflow::kSatSym};  // codes -7..7
  EXPECT_EQ(io::HgqQuantizeCode(-100.0f, sym), -7);
  EXPECT_EQ(io::HgqQuantizeCode(100.0f, sym), 7);
  EXPECT_EQ(io::HgqQuantizeCode(-100.0f, FixedType{1, 2, 1, Overflow::kSat}), -8);
  EXPECT_EQ(io::HgqQuantizeCode(0.74f, sym), 1);
  EXPECT_EQ(io::HgqQuantizeCode(0.75f, sym), 2);    // tie up
  EXPECT_EQ(io::HgqQuantizeCode(-0.75f, sym), -1);  // tie up, toward +infinity
  EXPECT_EQ(io::HgqQuantizeCode(4.5f, FixedType{1, 2, 1, Overflow::kWrap}), -7);    // 9 wraps
  EXPECT_EQ(io::HgqQuantizeCode(3.0f, FixedType{1, 2, -2, Overflow::kSatSym}), 0);  // pruned
  EXPECT_EQ(io::HgqQuantizeCode(-3.0f, FixedType{1, 2, -2, Overflow::kSat}), -1);   // 1-bit {-4, 0}
  const FixedType integer{1, 3, 0, Overflow::kSatSym};
  const float below_half = std::nextafter(0.5f, 0.0f);
  EXPECT_EQ(io::HgqQuantizeCode(below_half, integer), 1);
  EXPECT_EQ(unrolled::Quantize(static_cast<double>(below_half), integer).code, 0);
}

TEST(HgqImport, CommandWritesAFolderMsqxSimReads) {
  if (!Available()) GTEST_SKIP() << "built without libhdf5-dev / libzip-dev";
  const fs::path dir = Dir("cli");
  const auto run = Msqx("import " + (kFixtures / "hgq_mlp.keras").string() + " --out " +
                        (dir / "m").string() + " --clock-mhz 1000");
  ASSERT_EQ(run.status, 0) << run.output;
  for (const char* f :
       {"network.json", "design.json", "import.json", "weights/t1.npy", "weights/t1.bias.npy",
        "weights/t2.input_sign_bits.npy", "weights/t3.overflow.json"}) {
    EXPECT_TRUE(fs::exists(dir / "m" / f)) << f;
  }
  const json want = Load(kFixtures / "hgq_mlp.expected.json");
  EXPECT_EQ(Load(dir / "m" / "import.json")["ebops"]["stored"], want["total_ebops"]);
  EXPECT_NE(run.output.find("note: the output quantizer of layer 't4'"), std::string::npos)
      << run.output;
  const auto sim = Msqx("sim --design " + (dir / "m" / "design.json").string() + " --network " +
                        (dir / "m" / "network.json").string() + " --out " + (dir / "s").string());
  ASSERT_EQ(sim.status, 0) << sim.output;
  const json report = Load(dir / "s" / "report.json");
  EXPECT_EQ(report["ebops_hgq"], want["total_ebops"]);
  EXPECT_EQ(report["device"], "xcvu13p");
  EXPECT_DOUBLE_EQ(report["latency_ns"].get<double>(),
                   report["latency_cycles"].get<double>());  // 1 ns at 1000 MHz
  ASSERT_EQ(report["layers"].size(), 4u);
  EXPECT_TRUE(report["layers"][1]["relu"].get<bool>());  // the separate ReLU layer
  // The imported layer with both batch norms' neighbours, its bias, ReLU and requantization to
  // t3's inputs, exported and checked bit for bit at the cost model's latency.
  const auto hls = Msqx("hls " + (dir / "m" / "design.json").string() + " --layer t2 --out " +
                        (dir / "h").string() + " --check --jobs 1");
  ASSERT_EQ(hls.status, 0) << hls.output;
  const json check = Load(dir / "h" / "hls_check.json")["systemc"]["result"];
  EXPECT_EQ(check["mismatches"].get<long long>(), 0);
  EXPECT_EQ(check["cycles"], report["layers"][1]["latency_cycles"]);
}

// One bad input: exit status 2, a message with each needle, HDF5's own error stack not printed,
// no output folder.
void ExpectRejected(const fs::path& model, const std::vector<std::string>& needles,
                    const std::string& extra = "") {
  const fs::path out = Dir("rejected") / "out";
  fs::remove_all(out);
  const auto run = Msqx("import " + model.string() + " --out " + out.string() + extra);
  EXPECT_EQ(run.status, 2) << run.output;
  for (const std::string& n : needles) {
    EXPECT_NE(run.output.find(n), std::string::npos) << "missing '" << n << "' in: " << run.output;
  }
  EXPECT_EQ(run.output.find("HDF5-DIAG"), std::string::npos) << run.output;
  EXPECT_FALSE(fs::exists(out)) << model;
}

TEST(HgqImport, UnsupportedAndBrokenModelsAreClearErrors) {
  if (!Available()) GTEST_SKIP() << "built without libhdf5-dev / libzip-dev";
  ExpectRejected(
      kFixtures / "unsupported_layer.keras",
      {"unsupported_layer.keras", "layer 'conv_head' of class QConv1D is not supported", "QDense"});
  ExpectRejected(kFixtures / "missing_quantizer.keras",
                 {"/layers/q_einsum_dense/kq/quantizer/vars", "kq quantizer"});
  ExpectRejected(kFixtures / "weights_only.h5", {"weights_only.h5", "model_config"});
  ExpectRejected(kFixtures / "bad_kernel.h5", {"/model_weights/t3", "kernel", "(3, 4)", "(2, 2)"});
  ExpectRejected(kFixtures / "no_config.keras", {"no_config.keras", "config.json"});
  ExpectRejected(kFixtures / "wrong_types.keras",
                 {"$.config.layers[2].config.units", "a number of units"});
  ExpectRejected(kFixtures / "hgq_mlp.keras", {"xcvu99", "devices"}, " --device xcvu99");
  ExpectRejected(kFixtures / "hgq_mlp.keras", {"--weight-bits"}, " --weight-bits 3");
}

TEST(HgqImport, DamagedFilesNeverCrash) {
  if (!Available()) GTEST_SKIP() << "built without libhdf5-dev / libzip-dev";
  const fs::path dir = Dir("damaged");
  const std::string keras = Slurp(kFixtures / "hgq_mlp.keras");
  const std::string h5 = Slurp(kFixtures / "hgq_mlp.h5");
  const auto write = [&](const std::string& name, const std::string& bytes) {
    std::ofstream(dir / name, std::ios::binary) << bytes;
    return dir / name;
  };
  ExpectRejected(write("empty.keras", ""), {"empty.keras"});
  ExpectRejected(write("text.h5", "not an hdf5 file at all\n"), {"text.h5"});
  ExpectRejected(write("half.keras", keras.substr(0, keras.size() / 2)), {"half.keras"});
  ExpectRejected(write("half.h5", h5.substr(0, h5.size() / 2)), {"half.h5"});
  // A flipped byte in each of a few places of the archive and of the HDF5 file: an error or a
  // model, never a crash (status 0 or 2; the runner would report a signal as another status).
  for (std::size_t at : {std::size_t{100}, keras.size() / 3, keras.size() - 200}) {
    std::string bad = keras;
    bad[at] = static_cast<char>(bad[at] ^ 0x5a);
    const auto run =
        Msqx("import " + write("flip.keras", bad).string() + " --out " + (dir / "flip").string());
    EXPECT_TRUE(run.status == 0 || run.status == 2) << at << ": " << run.output;
  }
  for (std::size_t at : {std::size_t{2000}, h5.size() / 2, h5.size() - 500}) {
    std::string bad = h5;
    bad[at] = static_cast<char>(bad[at] ^ 0x5a);
    const auto run =
        Msqx("import " + write("flip.h5", bad).string() + " --out " + (dir / "flip").string());
    EXPECT_TRUE(run.status == 0 || run.status == 2) << at << ": " << run.output;
  }
  ExpectRejected(dir / "nowhere.keras", {"nowhere.keras"});
  fs::create_directories(dir / "folder.keras");
  ExpectRejected(dir / "folder.keras", {"folder.keras"});
}

}  // namespace
}  // namespace msqx
