// msqx hls: exported projects of three different design points build with Debian's SystemC and
// their testbenches pass (outputs bit-exact against the golden convolution, cycles equal to the
// cycle fidelity's); the exported sources stay in the synthesizable subset and include nothing
// outside the project; designs the core cannot take are config errors, not compile errors.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>

#include "dse/hls/check.h"
#include "tests/common/run_msqx.h"
#include "tests/common/subset_scan.h"

namespace {

namespace fs = std::filesystem;
using msqx::test_support::Msqx;

fs::path WorkDir(const std::string& name) {
  const fs::path dir = fs::path(MSQX_BINARY_DIR) / "hls_test" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string Slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

nlohmann::json ReadJson(const fs::path& path) { return nlohmann::json::parse(Slurp(path)); }

// A design for the tiny network, from the xc7z020 reference design with small engines.
nlohmann::json SmallDesign(const std::string& name, int dsp_rows, int dsp_cols, int pack,
                           int lut_rows, int lut_cols, double fixed, double sp2, int tile_rows,
                           int tile_ic, bool double_buffered) {
  nlohmann::json d = ReadJson(fs::path(MSQX_SOURCE_DIR) / "configs/designs/xc7z020_ref.json");
  d["name"] = name;
  d["dsp_engine"] = {{"rows", dsp_rows}, {"cols", dsp_cols}, {"macs_per_dsp", pack}};
  d["lut_engine"] = {{"rows", lut_rows}, {"cols", lut_cols}};
  d["ratio"] = {{"fixed", fixed}, {"sp2", sp2}};
  d["tile"] = {
      {"out_rows", tile_rows}, {"out_cols", 4}, {"out_channels", 8}, {"in_channels", tile_ic}};
  d["buffers"] = {
      {"input_kib", 2}, {"weight_kib", 2}, {"output_kib", 2}, {"double_buffered", double_buffered}};
  return d;
}

fs::path WriteDesign(const fs::path& dir, const nlohmann::json& design) {
  const fs::path path = dir / (design["name"].get<std::string>() + ".json");
  std::ofstream(path) << design.dump(2);
  return path;
}

// Cycles of one layer in a `msqx sim` layers.csv.
long long CsvCycles(const fs::path& csv, const std::string& layer) {
  std::ifstream in(csv);
  std::string header, line;
  std::getline(in, header);
  int name_col = -1, cycles_col = -1, col = 0;
  std::stringstream hs(header);
  for (std::string cell; std::getline(hs, cell, ','); ++col) {
    if (cell == "layer") name_col = col;
    if (cell == "cycles") cycles_col = col;
  }
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream ls(line);
    for (std::string cell; std::getline(ls, cell, ',');) cells.push_back(cell);
    if (name_col >= 0 && cycles_col >= 0 && cells.size() > static_cast<std::size_t>(cycles_col) &&
        cells[name_col] == layer) {
      return std::stoll(cells[cycles_col]);
    }
  }
  return -1;
}

struct ExportCase {
  const char* name;
  nlohmann::json design;
  const char* layer;
};

ExportCase Case(int i) {
  switch (i) {
    case 0:  // packed DSPs, both engines, double-buffered, 3x3 conv with padding
      return {"packed_1to1", SmallDesign("packed_1to1", 4, 4, 2, 4, 4, 1, 1, 4, 8, true), "conv1"};
    case 1:  // one product per DSP, fixed-only without a LUT engine (as a sweep makes it),
             // single-buffered, stride 2
      return {"fixed_only", SmallDesign("fixed_only", 6, 4, 1, 0, 0, 1, 0, 8, 16, false), "conv2"};
    case 2:  // mostly SP2, depthwise on 8 columns: a 2 x 2 window of taps, 3 x 3 in 4 tap groups
      return {"sp2_heavy", SmallDesign("sp2_heavy", 2, 8, 2, 8, 8, 1, 3, 2, 16, true), "dw3"};
    default:  // depthwise on 16 columns: the 3 x 3 kernel in one 4 x 4 window, 4 input banks
      return {"dw_window", SmallDesign("dw_window", 4, 16, 2, 4, 16, 1, 1, 4, 16, true), "dw3"};
  }
}

class ExportedTestbench : public testing::TestWithParam<int> {};

TEST_P(ExportedTestbench, BuildsAndPassesWithCyclesOfTheCycleFidelity) {
  const ExportCase c = Case(GetParam());
  unsetenv("ICSC_HOME");  // the ICSC part of --check is not what this test covers
  const fs::path dir = WorkDir(c.name);
  const fs::path design = WriteDesign(dir, c.design);
  const fs::path project = dir / "project";
  const auto run = Msqx("hls " + design.string() + " --network tiny --layer " + c.layer +
                        " --out " + project.string() + " --check --jobs 1");
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_NE(run.output.find("SystemC testbench: PASS"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("ICSC: not found"), std::string::npos) << run.output;

  const nlohmann::json exported = ReadJson(project / "export.json");
  const nlohmann::json check = ReadJson(project / "hls_check.json");
  const nlohmann::json& result = check["systemc"]["result"];
  EXPECT_TRUE(check["systemc"]["pass"].get<bool>());
  EXPECT_EQ(result["mismatches"].get<long long>(), 0);
  EXPECT_EQ(result["outputs"], exported["layer"]["outputs"]);
  EXPECT_EQ(result["cycles"], exported["layer"]["expected_cycles"]);
  EXPECT_FALSE(check["icsc"]["found"].get<bool>());
  EXPECT_NE(check["icsc"]["note"].get<std::string>().find("ICSC_HOME"), std::string::npos);

  // The cycles the testbench matched are what `msqx sim` reports for the layer with the same
  // memory.
  const fs::path sim = dir / "sim";
  const auto sim_run = Msqx("sim --design " + design.string() +
                            " --network tiny --memory ideal --out " + sim.string());
  ASSERT_EQ(sim_run.status, 0) << sim_run.output;
  EXPECT_EQ(CsvCycles(sim / "layers.csv", c.layer),
            exported["layer"]["expected_cycles"].get<long long>());
}

INSTANTIATE_TEST_SUITE_P(FourDesignPoints, ExportedTestbench, testing::Range(0, 4));

// An unrolled design exports one dense layer as UnrolledDense with its weight codes; the testbench
// checks the outputs against the integer golden and the latency and II against `msqx sim`.
TEST(HlsExport, UnrolledLayerBuildsAndMatchesItsCycleFidelity) {
  unsetenv("ICSC_HOME");
  const fs::path dir = WorkDir("unrolled");
  nlohmann::json d = ReadJson(fs::path(MSQX_SOURCE_DIR) / "configs/designs/jet_unrolled.json");
  d["name"] = "jet_rf2";
  d["unrolled"]["reuse_factor"] = 2;
  const fs::path design = WriteDesign(dir, d);
  const fs::path project = dir / "project";
  const auto run = Msqx("hls " + design.string() + " --layer fc4 --out " + project.string() +
                        " --check --jobs 1");
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_NE(run.output.find("SystemC testbench: PASS"), std::string::npos) << run.output;
  const nlohmann::json result = ReadJson(project / "hls_check.json")["systemc"]["result"];
  EXPECT_EQ(result["mismatches"].get<long long>(), 0);
  EXPECT_EQ(result["initiation_interval"].get<long long>(), 2);
  const auto sim = Msqx("sim --design " + design.string() + " --network jet_tagger --out " +
                        (dir / "sim").string());
  ASSERT_EQ(sim.status, 0) << sim.output;
  const nlohmann::json report = ReadJson(dir / "sim" / "report.json");
  EXPECT_EQ(report["layers"][3]["name"], "fc4");
  EXPECT_EQ(result["cycles"], report["layers"][3]["latency_cycles"]);
  int modules = 0;
  for (const auto& e : fs::recursive_directory_iterator(project / "src")) {
    if (!e.is_regular_file()) continue;
    const std::string code = msqx::test_support::CodeOf(e.path());
    const bool top = e.path().filename() == "msqx_top.h";
    if (!top && !msqx::test_support::HasProcesses(code)) continue;  // bus helpers for simulation
    modules += !top;
    for (const std::string& what : msqx::test_support::ForbiddenConstructs(code)) {
      ADD_FAILURE() << e.path() << " uses " << what;
    }
  }
  EXPECT_EQ(modules, 1);  // dense_pin.h
}

TEST(HlsExport, GeneratedSourcesStayInTheSynthesizableSubset) {
  const fs::path dir = WorkDir("subset");
  const fs::path design = WriteDesign(dir, Case(0).design);
  ASSERT_EQ(Msqx("hls " + design.string() + " --network tiny --out " + (dir / "p").string()).status,
            0);
  // Every header Top includes (not the testbench's: core_tb.h, golden.h, weight_image.h).
  int modules = 0;
  for (const fs::path& file :
       msqx::test_support::IncludeClosure(dir / "p" / "src", {"msqx_top.h"})) {
    const std::string code = msqx::test_support::CodeOf(file);
    modules += msqx::test_support::HasProcesses(code);
    for (const std::string& what : msqx::test_support::ForbiddenConstructs(code)) {
      ADD_FAILURE() << file << " uses " << what;
    }
    for (const auto& t : msqx::test_support::ClockedThreads(code)) {
      EXPECT_EQ(t.problem, "") << file.filename() << ": " << t.name;
    }
  }
  EXPECT_GE(modules, 3);  // PE arrays, BRAM, core
  const std::string top = Slurp(dir / "p" / "src" / "msqx_top.h");
  EXPECT_NE(top.find("using Top = msqx::accel::AccelCore<msqx_design::CoreCfg>;"),
            std::string::npos);
  EXPECT_NE(top.find("PeKind::kFixed, 4, 4, 4, 4,"), std::string::npos)
      << top;  // 4x4 DSP engine, 4-bit
}

// Every quoted include of the project's sources resolves inside the project: it builds without
// msqx's source tree.
TEST(HlsExport, ProjectIsSelfContained) {
  const fs::path dir = WorkDir("closure");
  const fs::path design = WriteDesign(dir, Case(2).design);
  const fs::path p = dir / "p";
  ASSERT_EQ(Msqx("hls " + design.string() + " --network tiny --out " + p.string()).status, 0);
  const std::regex include("#include \"([^\"]+)\"");
  int includes = 0;
  for (const auto& e : fs::recursive_directory_iterator(p)) {
    const auto ext = e.path().extension();
    if (!e.is_regular_file() || (ext != ".h" && ext != ".cpp")) continue;
    const std::string text = Slurp(e.path());
    for (std::sregex_iterator it(text.begin(), text.end(), include), end; it != end; ++it) {
      const std::string target = (*it)[1];
      ++includes;
      EXPECT_TRUE(fs::exists(p / "src" / target) || fs::exists(p / "tb" / target) ||
                  fs::exists(e.path().parent_path() / target))
          << e.path() << " includes " << target << ", which the project lacks";
    }
  }
  EXPECT_GE(includes, 10);
  for (const char* f :
       {"CMakeLists.txt", "icsc/CMakeLists.txt", "icsc/sc_main.cpp", "catapult/directives.tcl",
        "stratus/project.tcl", "README.md", "design.json", "export.json"}) {
    EXPECT_TRUE(fs::exists(p / f)) << f;
  }
  // The tools' scripts carry the design's clock (150 MHz: 6.667 ns) and the device's part.
  for (const char* f : {"catapult/directives.tcl", "stratus/project.tcl"}) {
    const std::string script = Slurp(p / f);
    EXPECT_NE(script.find("6.667"), std::string::npos) << f;
    EXPECT_NE(script.find("xc7z020clg484-1"), std::string::npos) << f;
  }
  EXPECT_NE(
      Slurp(p / "icsc/CMakeLists.txt").find("svc_target(msqx_top ELAB_TOP tb.top INIT_LOCAL_VARS)"),
      std::string::npos);
  // The exported design is a valid design config that names its network.
  const auto again =
      Msqx("hls " + (p / "design.json").string() + " --out " + (dir / "again").string());
  EXPECT_EQ(again.status, 0) << again.output;
  EXPECT_NE(again.output.find("for tiny"), std::string::npos) << again.output;
}

TEST(HlsExport, DesignsTheCoreCannotTakeAreConfigErrors) {
  const fs::path dir = WorkDir("errors");
  struct Bad {
    nlohmann::json design;
    std::string args, expect;
  };
  nlohmann::json odd = Case(0).design;
  odd["name"] = "odd_rows";
  odd["dsp_engine"]["rows"] = 3;
  nlohmann::json narrow = Case(0).design;
  narrow["name"] = "narrow_tile";
  narrow["tile"]["in_channels"] = 2;
  const Bad bad[] = {
      {odd, "--network tiny", "dsp_engine.rows"},
      {narrow, "--network tiny", "dsp_engine.cols"},
      {Case(0).design, "--network tiny --layer nosuch", "no conv or fc layer named 'nosuch'"},
      {Case(0).design, "--network tiny --layer relu1", "a conv or fc layer"},
      {Case(0).design, "", "--network is required"},
  };
  for (const Bad& b : bad) {
    const fs::path design = WriteDesign(dir, b.design);
    const fs::path out = dir / ("out_" + b.design["name"].get<std::string>());
    fs::remove_all(out);
    const auto run = Msqx("hls " + design.string() + " " + b.args + " --out " + out.string());
    EXPECT_EQ(run.status, 2) << b.args << "\n" << run.output;
    EXPECT_NE(run.output.find(b.expect), std::string::npos) << run.output;
    EXPECT_FALSE(fs::exists(out)) << "an export that failed left " << out;
  }
}

TEST(HlsCheck, YosysCountsReadBothStatLayouts) {
  const std::string old_layout =
      "   Number of cells:               9\n     DSP48E1                         2\n     FDRE      "
      "                    100\n"
      "     FDSE                            3\n     LUT2                           10\n     LUT6   "
      "                         5\n"
      "     RAMB18E1                        1\n     RAMB36E1                        2\n     CARRY4 "
      "                         7\n";
  const auto a = msqx::hls::YosysCounts(old_layout);
  EXPECT_EQ(a.at("lut"), 15);
  EXPECT_EQ(a.at("ff"), 103);
  EXPECT_EQ(a.at("dsp"), 2);
  EXPECT_EQ(a.at("bram18"), 5);
  const std::string new_layout =
      "        9 cells\n        4   LUT4\n       20   FDCE\n        1   DSP48E2\n        3   "
      "RAMB36E2\n";
  const auto b = msqx::hls::YosysCounts(new_layout);
  EXPECT_EQ(b.at("lut"), 4);
  EXPECT_EQ(b.at("ff"), 20);
  EXPECT_EQ(b.at("dsp"), 1);
  EXPECT_EQ(b.at("bram18"), 6);
}

// Yosys 0.23's stat of a design with submodules (ICSC's core with its block RAMs), cut short: each
// module once, then the totals over the instances, which are what counts.
TEST(HlsCheck, YosysCountsTakeTheHierarchysTotals) {
  const std::string report =
      "=== $paramod$4be4\\msqx_bram ===\n   Number of cells:                  6\n     LUT2         "
      "                   2\n"
      "     RAMB36E1                        2\n\n=== AccelCore ===\n   Number of cells:            "
      "  40742\n"
      "     DSP48E1                       56\n     FDRE                        7366\n     LUT6     "
      "                   8847\n\n"
      "=== design hierarchy ===\n\n   AccelCore                         1\n     "
      "$paramod$4be4\\msqx_bram      2\n\n"
      "   Number of cells:              44763\n     DSP48E1                       72\n     FDRE    "
      "                    8770\n"
      "     LUT2                            4\n     LUT6                         9341\n     "
      "RAMB36E1                        4\n";
  const auto c = msqx::hls::YosysCounts(report);
  EXPECT_EQ(c.at("lut"), 9345);
  EXPECT_EQ(c.at("ff"), 8770);
  EXPECT_EQ(c.at("dsp"), 72);
  EXPECT_EQ(c.at("bram18"), 8);
}

}  // namespace
