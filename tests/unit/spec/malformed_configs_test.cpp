// A table of malformed inputs: each must be rejected with the file, the JSON path and a message
// that says what was expected. Cases are JSON patches (RFC 6902) on a valid shipped config, or raw
// text where the syntax itself is broken.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "sim/spec/resolve.h"

namespace msqx::spec {
namespace {

struct Case {
  const char* kind;  // devices, networks, designs, sweeps
  const char* base;  // shipped config the patch applies to ("" = raw text)
  const char* patch_or_text;
  const char* json_path;  // expected path of the error
  const char* message;    // expected to appear in the message
};

const Case kCases[] = {
    // devices
    {"devices", "xc7z020", R"([{"op":"remove","path":"/lut"}])", "$", "missing required key 'lut'"},
    {"devices", "xc7z020", R"([{"op":"add","path":"/luts","value":5}])", "$",
     "unknown key 'luts'; did you mean 'lut'?"},
    {"devices", "xc7z020", R"([{"op":"replace","path":"/dsp_kind","value":"DSP48E3"}])",
     "$.dsp_kind", "expected one of 'DSP48E1' or 'DSP48E2', got 'DSP48E3'"},
    {"devices", "xc7z020", R"([{"op":"replace","path":"/lut","value":-5}])", "$.lut",
     "expected an integer >= 1, got -5"},
    {"devices", "xc7z020", R"([{"op":"replace","path":"/lut","value":"many"}])", "$.lut",
     "expected an integer, got the string \"many\""},
    {"devices", "xc7z020", R"([{"op":"replace","path":"/ddr/peak_gbps","value":40}])",
     "$.ddr.peak_gbps", "expected about 4.26"},
    {"devices", "xc7z020", R"([{"op":"replace","path":"/ddr/efficiency/seq_read","value":1.5}])",
     "$.ddr.efficiency.seq_read", "expected a number between 0.01 and 1, got 1.5"},
    {"devices", "xc7z020", R"([{"op":"replace","path":"/axi/width_bits","value":48}])",
     "$.axi.width_bits", "expected a power of two"},
    {"devices", "xc7z020", R"([{"op":"replace","path":"/clock_mhz/max","value":50}])",
     "$.clock_mhz.max", "expected a number between 100 and 2000, got 50"},
    {"devices", "xc7z020", R"([{"op":"replace","path":"/family","value":"kintex"}])", "$.family",
     "expected one of 'zynq7000', 'zynquplus' or 'virtexuplus'"},
    {"devices", "", "[1, 2]", "$", "expected an object, got an array"},
    // networks
    {"networks", "tiny", R"([{"op":"replace","path":"/layers","value":[]}])", "$.layers",
     "expected an array of at least 1 element, got 0"},
    {"networks", "tiny", R"([{"op":"replace","path":"/layers/0/kernel","value":0}])",
     "$.layers[0].kernel", "expected an integer between 1 and 64, got 0"},
    {"networks", "tiny", R"([{"op":"replace","path":"/layers/0/out_channels","value":-8}])",
     "$.layers[0].out_channels", "expected an integer between 1 and 65536, got -8"},
    {"networks", "tiny", R"([{"op":"replace","path":"/layers/0/type","value":"convolution"}])",
     "$.layers[0].type",
     "expected one of 'act', 'add', 'avgpool', 'concat', 'conv', 'fc' or 'maxpool'"},
    {"networks", "tiny", R"([{"op":"add","path":"/layers/0/kernell","value":3}])", "$.layers[0]",
     "unknown key 'kernell'; did you mean 'kernel'?"},
    {"networks", "tiny", R"([{"op":"replace","path":"/layers/8/inputs","value":["pw3","conv1"]}])",
     "$.layers[8].inputs[1]",
     "expected an input of shape 16x4x4 (CxHxW) like the first, got 8x16x16"},
    {"networks", "tiny", R"([{"op":"add","path":"/layers/3/input","value":"conv9"}])",
     "$.layers[3].input",
     "expected the name of an earlier layer or 'input', got 'conv9'; did you mean 'conv1'?"},
    {"networks", "tiny", R"([{"op":"replace","path":"/layers/1/name","value":"conv1"}])",
     "$.layers[1].name", "layer name 'conv1' is already used"},
    {"networks", "tiny", R"([{"op":"replace","path":"/layers/0/kernel","value":40}])",
     "$.layers[0].kernel", "expected a kernel no larger than the padded input (18), got 40"},
    {"networks", "tiny", R"([{"op":"replace","path":"/layers/5/groups","value":3}])",
     "$.layers[5].groups",
     "expected a divisor of both input channels (16) and out_channels (16), got 3"},
    {"networks", "tiny", R"([{"op":"replace","path":"/input/channels","value":0}])",
     "$.input.channels", "expected an integer between 1 and 65536, got 0"},
    {"networks", "tiny", R"([{"op":"replace","path":"/weight_bits","value":1}])", "$.weight_bits",
     "expected an integer between 2 and 16, got 1"},
    {"networks", "tiny", R"([{"op":"add","path":"/layers/10/kernel","value":2}])",
     "$.layers[10].kernel", "a global pooling layer takes no 'kernel'"},
    {"networks", "tiny", R"([{"op":"replace","path":"/layers/8/inputs","value":["pw3"]}])",
     "$.layers[8].inputs", "expected an array of at least 2 elements, got 1"},
    {"networks", "tiny", R"([{"op":"replace","path":"/layers/1/function","value":"tanh"}])",
     "$.layers[1].function",
     "expected one of 'relu', 'relu6', 'sigmoid', 'hardswish' or 'silu', got 'tanh'"},
    {"networks", "tiny", R"([{"op":"add","path":"/layers/2/padding","value":2}])",
     "$.layers[2].padding", "expected padding at most half the kernel (1), got 2"},
    {"networks", "", R"({"name": "x",})", "$", "not valid JSON at line 1, column 14"},
    {"networks", "", "", "$", "not valid JSON at line 1, column 1"},
    // designs
    {"designs", "xc7z020_ref", R"([{"op":"replace","path":"/dsp_engine/rows","value":-4}])",
     "$.dsp_engine.rows", "expected an integer between 0 and 4096, got -4"},
    {"designs", "xc7z020_ref", R"([{"op":"replace","path":"/dsp_engine/macs_per_dsp","value":3}])",
     "$.dsp_engine.macs_per_dsp", "expected an integer between 1 and 2, got 3"},
    {"designs", "xc7z020_ref", R"([{"op":"replace","path":"/dsp_engine/rows","value":15}])",
     "$.dsp_engine.rows", "expected an even row count with macs_per_dsp 2"},
    {"designs", "xc7z020_ref", R"([{"op":"replace","path":"/device","value":"xc7z02"}])",
     "$.device", "unknown device 'xc7z02'; did you mean 'xc7z020'?"},
    {"designs", "xc7z020_ref", R"([{"op":"replace","path":"/device","value":"../nope.json"}])",
     "$.device", "no such device file"},
    {"designs", "xc7z020_ref", R"([{"op":"replace","path":"/clock_mhz","value":400}])",
     "$.clock_mhz", "expected a clock within the range of xc7z020 (100 to 200 MHz)"},
    {"designs", "xc7z020_ref", R"([{"op":"replace","path":"/ratio","value":{"fixed":0,"sp2":0}}])",
     "$.ratio", "expected fixed + sp2 > 0"},
    {"designs", "xc7z020_ref",
     R"([{"op":"replace","path":"/lut_engine","value":{"rows":0,"cols":0}}])", "$.ratio.sp2",
     "SP2 filters need a LUT engine"},
    {"designs", "xc7z020_ref", R"([{"op":"replace","path":"/lut_engine/cols","value":0}])",
     "$.lut_engine", "expected rows and cols both 0 (no engine) or both >= 1, got 16 x 0"},
    {"designs", "xc7z020_ref", R"([{"op":"replace","path":"/dma/axi_ports","value":5}])",
     "$.dma.axi_ports", "expected an integer between 1 and 4, got 5"},
    {"designs", "xc7z020_ref", R"([{"op":"replace","path":"/dma/burst_beats","value":512}])",
     "$.dma.burst_beats", "expected an integer between 1 and 256, got 512"},
    {"designs", "xc7z020_ref", R"([{"op":"replace","path":"/tile/out_rows","value":2.5}])",
     "$.tile.out_rows", "expected an integer, got the number 2.5"},
    {"designs", "xc7z020_ref", R"([{"op":"add","path":"/buffers/input_kb","value":8}])",
     "$.buffers", "unknown key 'input_kb'; did you mean 'input_kib'?"},
    {"designs", "xc7z020_ref", R"([{"op":"replace","path":"/ratio","value":"1:2"}])", "$.ratio",
     "expected an object, got the string \"1:2\""},
    {"designs", "xc7z020_ref", R"([{"op":"remove","path":"/tile"}])", "$",
     "missing required key 'tile'"},
    // sweeps
    {"sweeps", "default", R"([{"op":"add","path":"/axes/lut_engine.row","value":[4]}])", "$.axes",
     "unknown key 'lut_engine.row'; did you mean 'lut_engine.rows'?"},
    {"sweeps", "default", R"([{"op":"remove","path":"/base_designs/xc7z045"}])", "$.base_designs",
     "missing a base design for device 'xc7z045'"},
    {"sweeps", "default", R"([{"op":"replace","path":"/objectives","value":["speed"]}])",
     "$.objectives[0]", "expected one of 'latency_ms'"},
    {"sweeps", "default",
     R"([{"op":"replace","path":"/axes/ratio/0","value":{"fixed":-1,"sp2":1}}])",
     "$.axes.ratio[0].fixed", "expected a number between 0 and 1e+06, got -1"},
    {"sweeps", "default",
     R"([{"op":"replace","path":"/constraints/max_utilization/lut","value":1.5}])",
     "$.constraints.max_utilization.lut", "expected a number between 0.01 and 1, got 1.5"},
    {"sweeps", "default",
     R"([{"op":"add","path":"/axes/tile.out_rows","value":{"from":8,"to":4,"step":2}}])",
     "$.axes[\"tile.out_rows\"].to", "expected a number between 8 and 1e+09, got 4"},
    {"sweeps", "default", R"([{"op":"replace","path":"/devices","value":["xc7z020","xc7z020"]}])",
     "$.devices[1]", "'xc7z020' is listed twice"},
    {"sweeps", "default", R"([{"op":"add","path":"/axes/lut_engine.cols","value":["most"]}])",
     "$.axes[\"lut_engine.cols\"][0]", "expected one of 'fill', got 'most'"},
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.kind << ": " << c.patch_or_text; }

class MalformedConfig : public testing::TestWithParam<Case> {};

// Parses `text` as a config of `kind`, from a file so that the resolver sees a real path.
void ParseAsFile(const std::string& kind, const std::string& text, const std::string& path) {
  { std::ofstream(path) << text; }
  const ConfigResolver resolver(MSQX_SOURCE_DIR "/configs");
  if (kind == "devices") resolver.LoadDevice(path);
  if (kind == "networks") resolver.LoadNetwork(path);
  if (kind == "designs") resolver.LoadDesign(path);
  if (kind == "sweeps") resolver.LoadSweep(path);
}

TEST_P(MalformedConfig, IsRejectedWithFilePathAndExpectation) {
  const Case& c = GetParam();
  std::string text = c.patch_or_text;
  if (*c.base) {
    const std::string base_file =
        std::string(MSQX_SOURCE_DIR "/configs/") + c.kind + "/" + c.base + ".json";
    text = LoadJsonFile(base_file).patch(nlohmann::json::parse(c.patch_or_text)).dump(2);
  }
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("msqx_malformed_" + std::to_string(::getpid()) + ".json"))
                               .string();
  try {
    ParseAsFile(c.kind, text, path);
    ADD_FAILURE() << "accepted: " << c.patch_or_text;
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.file(), path) << e.what();
    EXPECT_EQ(e.json_path(), c.json_path) << e.what();
    EXPECT_NE(e.message().find(c.message), std::string::npos)
        << "message: " << e.message() << "\nexpected to contain: " << c.message;
  }
  std::filesystem::remove(path);
}

INSTANTIATE_TEST_SUITE_P(Table, MalformedConfig, testing::ValuesIn(kCases),
                         [](const testing::TestParamInfo<Case>& info) {
                           return std::string(info.param.kind) + "_" + std::to_string(info.index);
                         });

TEST(MalformedConfig, TableHasAtLeastThirtyCases) {
  EXPECT_GE(sizeof(kCases) / sizeof(kCases[0]), 30u);
}

TEST(MalformedConfig, MissingFileIsNamed) {
  try {
    ConfigResolver(MSQX_SOURCE_DIR "/configs").LoadNetwork("/nonexistent/net.json");
    ADD_FAILURE();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("no such network file '/nonexistent/net.json'"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace msqx::spec
