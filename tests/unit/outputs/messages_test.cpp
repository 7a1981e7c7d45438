// Issue 19, cases 8, 10 and 11 through the msqx executable: long values cut in messages, a
// SLURM task id that is not a number, duplicate JSON keys, and messages that blame what is wrong.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "tests/unit/outputs/fixture.h"

namespace msqx::test_support {
namespace {

class Messages : public ScratchTest {};

// Case 8: a 200 MB string in dsp_engine.rows wrote 200 MB to stderr.
TEST_F(Messages, Case8LongValuesAreCut) {
  const std::string long_value(1 << 20, 'x');
  nlohmann::json design =
      nlohmann::json::parse(Read(MSQX_SOURCE_DIR "/configs/designs/xc7z020_ref.json"));
  design["dsp_engine"]["rows"] = long_value;
  Write(root_ / "d.json", design.dump());
  const auto r = Run({"sim", "--design", "d.json", "--network", "tiny", "--out", "o"});
  EXPECT_EQ(r.status, 2);
  EXPECT_LT(r.output.size(), 4000u);
  EXPECT_NE(r.output.find("d.json: $.dsp_engine.rows: expected an integer, got the string "
                          "\"xxxx"),
            std::string::npos)
      << r.output.substr(0, 400);
  EXPECT_NE(r.output.find("... (1048576 bytes)"), std::string::npos) << r.output.substr(0, 400);

  design = nlohmann::json::parse(Read(MSQX_SOURCE_DIR "/configs/designs/xc7z020_ref.json"));
  design[long_value] = 1;  // an unknown key, and its did-you-mean
  Write(root_ / "d.json", design.dump());
  const auto key = Run({"sim", "--design", "d.json", "--network", "tiny", "--out", "o"});
  EXPECT_EQ(key.status, 2);
  EXPECT_LT(key.output.size(), 4000u);
  EXPECT_LT(key.seconds, 10);

  Write(root_ / "n.json", R"({"name": "n", "input": {"channels": 3, "height": 8, "width": 8},
    "layers": [{"name": "c", "type": "conv", "out_channels": 4, "kernel": 3, "input": ")" +
                              long_value + R"("}]})");
  const auto ref = Run({"quant", "--network", "n.json", "--out", "q"});
  EXPECT_EQ(ref.status, 2);
  EXPECT_LT(ref.output.size(), 4000u);
  EXPECT_NE(ref.output.find("n.json: $.layers[0].input: expected the name of an earlier layer"),
            std::string::npos)
      << ref.output.substr(0, 400);

  const auto option = Run({"sim", "--design", "xc7z020_ref", "--network", "tiny", "--fidelity",
                           std::string(100000, 'f')});
  EXPECT_EQ(option.status, 2);
  EXPECT_LT(option.output.size(), 4500u);
}

// Case 10: SLURM_ARRAY_TASK_ID=abc silently ran shard 1/2.
TEST_F(Messages, Case10ANonNumericSlurmTaskIdIsAnError) {
  Write(root_ / "tiny_sweep.json", TinySweepJson());
  ProcessOptions slurm;
  slurm.env = {{"SLURM_ARRAY_TASK_ID", "abc"}, {"SLURM_ARRAY_TASK_COUNT", "2"}};
  const auto r = Run({"sweep", "tiny_sweep.json", "--analytic-only", "--out", "o"}, slurm);
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("SLURM_ARRAY_TASK_ID='abc' is not a whole number"), std::string::npos)
      << r.output;
  EXPECT_FALSE(fs::exists(root_ / "o"));
  slurm.env = {{"SLURM_ARRAY_TASK_ID", "2"}, {"SLURM_ARRAY_TASK_COUNT", "2x"}};
  EXPECT_EQ(Run({"sweep", "tiny_sweep.json", "--analytic-only", "--out", "o"}, slurm).status, 2);
  slurm.env = {
      {"SLURM_ARRAY_TASK_ID", "2"}, {"SLURM_ARRAY_TASK_MIN", "1"}, {"SLURM_ARRAY_TASK_COUNT", "2"}};
  const auto ok = Run({"sweep", "tiny_sweep.json", "--analytic-only", "--out", "o"}, slurm);
  EXPECT_EQ(ok.status, 0) << ok.output;
  EXPECT_NE(ok.output.find("shard 2/2"), std::string::npos) << ok.output;
}

// Case 10: duplicate JSON keys were accepted, the last one winning.
TEST_F(Messages, Case10DuplicateKeysAreRejectedAtTheirPath) {
  std::string design = Read(MSQX_SOURCE_DIR "/configs/designs/xc7z020_ref.json");
  const auto at = design.find("\"rows\"");
  ASSERT_NE(at, std::string::npos);
  design.insert(at, "\"rows\": 64, ");
  Write(root_ / "d.json", design);
  const auto r = Run({"sim", "--design", "d.json", "--network", "tiny", "--out", "o"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("d.json: $.dsp_engine.rows: the key 'rows' appears twice"),
            std::string::npos)
      << r.output;

  Write(root_ / "n.json", R"({"name": "n", "input": {"channels": 3, "height": 8, "width": 8},
    "layers": [{"name": "a", "type": "act"},
               {"name": "c", "type": "conv", "out_channels": 4, "kernel": 3, "kernel": 1}]})");
  const auto net = Run({"quant", "--network", "n.json", "--out", "q"});
  EXPECT_EQ(net.status, 2);
  EXPECT_NE(net.output.find("n.json: $.layers[1].kernel: the key 'kernel' appears twice"),
            std::string::npos)
      << net.output;

  std::string sweep = TinySweepJson();
  sweep.replace(sweep.find("{\"fixed\": 1, \"sp2\": 0}"), 22, "{\"fixed\": 1, \"fixed\": 0}");
  Write(root_ / "s.json", sweep);
  const auto s = Run({"sweep", "s.json", "--out", "o"});
  EXPECT_EQ(s.status, 2);
  EXPECT_NE(s.output.find("s.json: $.axes.ratio[0].fixed: the key 'fixed' appears twice"),
            std::string::npos)
      << s.output;
}

// Case 11: messages that blamed the wrong thing.
TEST_F(Messages, Case11ErrorsBlameWhatIsWrong) {
  // --sp2-m1 99 was reported as an error in the network file.
  const auto sp2 = Run({"quant", "--network", "tiny", "--sp2-m1", "99", "--out", "q"});
  EXPECT_EQ(sp2.status, 2);
  EXPECT_NE(sp2.output.find("msqx quant: --sp2-m1 99 does not split the 4-bit weights of layer "
                            "'conv1'"),
            std::string::npos)
      << sp2.output;
  EXPECT_EQ(sp2.output.find("tiny.json"), std::string::npos) << sp2.output;

  // --layer nosuch gave "layers: a layer named 'nosuch'".
  const auto layer =
      Run({"hls", "xc7z020_ref", "--network", "tiny", "--layer", "nosuch", "--out", "h"});
  EXPECT_EQ(layer.status, 2);
  EXPECT_NE(layer.output.find("msqx hls: --layer: tiny ("), std::string::npos) << layer.output;
  EXPECT_FALSE(fs::exists(root_ / "h"));

  // A folder was "no such file" or "protobuf parsing failed".
  fs::create_directories(root_ / "folder.json");
  const auto folder = Run({"sim", "--design", "folder.json", "--network", "tiny"});
  EXPECT_EQ(folder.status, 2);
  EXPECT_NE(folder.output.find("--design: 'folder.json' is a folder; expected a design file"),
            std::string::npos)
      << folder.output;
  fs::create_directories(root_ / "model.onnx");
  const auto model = Run({"import", "model.onnx", "--out", "i"});
  EXPECT_EQ(model.status, 2);
  EXPECT_NE(model.output.find("model.onnx: $: is a folder; expected an ONNX model file"),
            std::string::npos)
      << model.output;

  // A missing argument named a hidden option (--sweep).
  const auto sweep = Run({"sweep"});
  EXPECT_EQ(sweep.status, 2);
  EXPECT_NE(sweep.output.find("msqx sweep: missing argument: sweep config"), std::string::npos)
      << sweep.output;
  EXPECT_EQ(sweep.output.find("'--sweep'"), std::string::npos) << sweep.output;
  const auto merge = Run({"merge"});
  EXPECT_NE(merge.output.find("missing argument: shard output folders"), std::string::npos)
      << merge.output;

  // A write failure was "internal error" without the system's reason: see DataLoss.Case5*.
  fs::create_directories(root_ / "ro");
  ::chmod((root_ / "ro").c_str(), 0555);
  const auto denied = Run({"sim", "--design", "xc7z020_ref", "--network", "tiny", "--fidelity",
                           "analytic", "--out", "ro/out"});
  ::chmod((root_ / "ro").c_str(), 0755);
  if (::geteuid() != 0) {  // root writes anywhere
    EXPECT_EQ(denied.status, 3) << denied.output;
    EXPECT_NE(denied.output.find("Permission denied"), std::string::npos) << denied.output;
  }
}

}  // namespace
}  // namespace msqx::test_support
