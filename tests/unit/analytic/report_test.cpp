// Reports: every file is written, totals agree with the layers, nothing partial is left behind.
#include "sim/report/report.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "dse/analytic.h"
#include "sim/spec/resolve.h"

namespace msqx::report {
namespace {
namespace fs = std::filesystem;

std::string Read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(Report, WritesEveryFileAndTotalsAddUp) {
  const spec::ConfigResolver resolver(MSQX_SOURCE_DIR "/configs");
  const auto design = resolver.LoadDesign("xc7z020_ref");
  const auto network = resolver.LoadNetwork("tiny");
  const RunStats stats = dse::AnalyticModel(design).Estimate(network);
  const fs::path dir = fs::temp_directory_path() / ("msqx_report_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  std::string note;
  // Into the folder given (an OutputFolder's work folder owns replacing an earlier run).
  WriteRunReport(dir.string(), design, network, stats, {"1.0", "abc", "msqx sim", nullptr}, &note);

  for (const char* f : {"report.json", "layers.csv", "summary.md", "design.json", "layers.gp"}) {
    EXPECT_TRUE(fs::exists(dir / f)) << f;
  }

  const auto report = nlohmann::json::parse(Read(dir / "report.json"));
  EXPECT_EQ(report["schema"], "msqx.report/1");
  EXPECT_EQ(report["tool"]["git"], "abc");
  EXPECT_EQ(report["layers"].size(), network.layers.size());
  std::int64_t cycles = 0, macs = 0;
  for (const auto& l : report["layers"]) {
    cycles += l["cycles"].get<std::int64_t>();
    macs += l["macs"].get<std::int64_t>();
  }
  EXPECT_EQ(report["totals"]["cycles"].get<std::int64_t>(), cycles);
  EXPECT_EQ(macs, network.TotalMacs());
  const double latency_ms = cycles / (design.clock_mhz * 1e3);
  EXPECT_NEAR(report["totals"]["latency_ms"].get<double>(), latency_ms, 1e-9);
  EXPECT_NEAR(report["totals"]["fps"].get<double>(), 1e3 / latency_ms, 1e-6);

  const std::string csv = Read(dir / "layers.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), static_cast<long>(network.layers.size() + 1));
  EXPECT_EQ(csv.rfind("layer,kind,cycles,", 0), 0u);
  fs::remove_all(dir);
}

// The layer-by-layer bound, by hand. xc7z020_ref: 16x16 DSP + 16x16 LUT = 512 lanes at 150 MHz; 2
// HP ports x 64 bit x 150 MHz = 2.4 GB/s < DDR3 4.264 GB/s x 0.97, so 2.4 bytes per ns.
TEST(Report, TheBoundTakesEachLayerAtItsMacPeakOrDdrRoofline) {
  const spec::ConfigResolver resolver(MSQX_SOURCE_DIR "/configs");
  const auto design = resolver.LoadDesign("xc7z020_ref");
  ASSERT_EQ(design.dsp_engine.Lanes() + design.lut_engine.Lanes(), 512);
  RunStats stats;
  stats.layers.resize(3);
  // Compute-bound: 512 x 150,000 MACs = 1 ms at the peak; 240 kB = 0.1 ms of DDR.
  stats.layers[0].macs = 512LL * 150000;
  stats.layers[0].bytes_read = 200000;
  stats.layers[0].bytes_written = 40000;
  stats.layers[0].cycles = 200000;  // 1.333 ms
  // DDR-bound: 4.8 MB = 2 ms of DDR; its MACs 0.01 ms at the peak.
  stats.layers[1].macs = 512LL * 1500;
  stats.layers[1].bytes_read = 4800000;
  stats.layers[1].cycles = 330000;  // 2.2 ms
  // A pooling layer: no MACs, 2.4 kB = 0.001 ms.
  stats.layers[2].bytes_read = 2400;
  stats.layers[2].cycles = 1500;
  const Efficiency e = EfficiencyOf(stats, design);
  EXPECT_NEAR(e.bandwidth_gbps, 2.4, 1e-9);
  EXPECT_NEAR(e.bound_ms, 1.0 + 2.0 + 0.001, 1e-9);
  // The DDR-bound layers' part of it (the sweep labels a design near its bound DDR-bound when
  // that part is at least half): the second layer and the pooling one.
  EXPECT_NEAR(e.ddr_bound_ms, 2.0 + 0.001, 1e-9);
  // At the bound the lanes would do 151,500 x 512 MACs in 3.001 ms x 150,000 cycles x 512 lanes.
  EXPECT_NEAR(e.utilization_ceiling, 151500.0 / (3.001 * 150000), 1e-9);
  // The measured utilization stays under the ceiling whenever the latency is above the bound.
  EXPECT_LT(e.mac_utilization, e.utilization_ceiling);
}

}  // namespace
}  // namespace msqx::report
