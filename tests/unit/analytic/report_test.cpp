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

}  // namespace
}  // namespace msqx::report
