// The resource model against Yosys's netlists of exported cores (tests/regress/calibration/,
// written by scripts/hls_calibrate): the fitted constants of ResourceCoefficients are the
// least-squares fit of that table, and the model with them is within the targets of issue 20 on
// every point (LUT and FF within 20 %, DSP48E1 and BRAM18 within 5 % rounded up to whole cells).
// Refitting after a new table: run this test with
// --gtest_filter='*Fit*' and copy the printed constants into dse/resource.h.

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dse/resource.h"
#include "sim/spec/resolve.h"

namespace msqx::dse {
namespace {

const std::string kTableDir = MSQX_SOURCE_DIR "/tests/regress/calibration";

struct Point {
  std::string name;
  ResourceEstimate estimate;  // with the shipped coefficients
  nlohmann::json yosys;       // totals: lut, ff, dsp, bram18
  nlohmann::json parts;       // controller, dsp_array, lut_array: lut, ff, dsp
};

std::vector<Point> TemplatePoints() {
  std::ifstream in(kTableDir + "/table.json");
  const nlohmann::json table = nlohmann::json::parse(in);
  const spec::ConfigResolver resolver(MSQX_SOURCE_DIR "/configs");
  std::vector<Point> points;
  for (const nlohmann::json& p : table.at("points")) {
    if (p.at("kind") != "template") continue;
    const spec::DesignSpec design =
        resolver.LoadDesign(kTableDir + "/" + p.at("design").get<std::string>());
    const spec::NetworkSpec network = resolver.LoadNetwork(p.at("network"));
    points.push_back(
        {p.at("name"), EstimateResources(design, network), p.at("yosys"), p.at("parts")});
  }
  return points;
}

double Part(const Point& p, const char* part, const char* resource) {
  return p.parts.contains(part) ? p.parts[part].value(resource, 0.0) : 0.0;
}

// Weighted least squares: minimizes sum (x . f_i - y_i)^2 / y_i over the points (between absolute
// errors, which the largest core would decide alone, and relative ones, which would let the 4x4
// cores outweigh the device-sized ones that decide what fits), for a few features (Gaussian
// elimination on the normal equations).
template <int N>
std::array<double, N> FitWeighted(const std::vector<std::array<double, N>>& f,
                                  const std::vector<double>& y) {
  std::array<std::array<double, N + 1>, N> a{};
  for (std::size_t i = 0; i < y.size(); ++i) {
    const double w = 1.0 / y[i];
    for (int r = 0; r < N; ++r) {
      for (int c = 0; c < N; ++c) a[r][c] += w * f[i][r] * f[i][c];
      a[r][N] += w * f[i][r] * y[i];
    }
  }
  for (int k = 0; k < N; ++k) {
    for (int r = k + 1; r < N; ++r) {
      const double m = a[r][k] / a[k][k];
      for (int c = k; c <= N; ++c) a[r][c] -= m * a[k][c];
    }
  }
  std::array<double, N> x{};
  for (int k = N - 1; k >= 0; --k) {
    double s = a[k][N];
    for (int c = k + 1; c < N; ++c) s -= a[k][c] * x[c];
    x[k] = s / a[k][k];
  }
  return x;
}

// An array's scale: its Yosys count against the model's first-principles count. On DSPs: the
// DSP engine's arrays whose lanes are DSP48E1s. In fabric: the SP2 arrays and the DSP engine's
// arrays of LUT multipliers.
// `resource` names the table's count ("lut", "ff") of the model's `count`.
double ArrayScale(const std::vector<Point>& points, const char* resource,
                  std::int64_t ResourceUse::*count, bool on_dsp) {
  std::vector<std::array<double, 1>> f;
  std::vector<double> y;
  const auto add = [&](const Point& p, const ResourceUse& raw, const char* part) {
    const double model = raw.*count;
    if (model <= 0) return;
    f.push_back({model});
    y.push_back(Part(p, part, resource));
  };
  for (const Point& p : points) {
    const ResourceUse& dsp = p.estimate.raw.dsp_array;
    if ((dsp.dsp > 0) == on_dsp) add(p, dsp, "dsp_array");
    if (!on_dsp) add(p, p.estimate.raw.lut_array, "lut_array");
  }
  return f.empty() ? 1.0 : FitWeighted<1>(f, y)[0];
}

struct Fit {
  double dsp_lut, dsp_ff, fabric_lut, fabric_ff;
  std::array<double, 3> lut;  // controller, double-buffered, periphery scale
  std::array<double, 3> ff;
};

Fit FitTable(const std::vector<Point>& points) {
  Fit fit{};
  fit.dsp_lut = ArrayScale(points, "lut", &ResourceUse::lut, true);
  fit.dsp_ff = ArrayScale(points, "ff", &ResourceUse::ff, true);
  fit.fabric_lut = ArrayScale(points, "lut", &ResourceUse::lut, false);
  fit.fabric_ff = ArrayScale(points, "ff", &ResourceUse::ff, false);
  // The core's own cells (Yosys's AccelCore): the controller, each engine's periphery and the
  // input buffer's selection logic (as counted).
  std::vector<std::array<double, 3>> f_lut, f_ff;
  std::vector<double> y_lut, y_ff;
  for (const Point& p : points) {
    const double db = p.estimate.raw.double_buffered ? 1 : 0;
    const double in_lut = p.estimate[Component::kInputBuffer].lut;
    f_lut.push_back({1.0, db, static_cast<double>(p.estimate.raw.periphery.lut)});
    y_lut.push_back(Part(p, "controller", "lut") - in_lut);
    f_ff.push_back({1.0, db, static_cast<double>(p.estimate.raw.periphery.ff)});
    y_ff.push_back(Part(p, "controller", "ff"));
  }
  fit.lut = FitWeighted<3>(f_lut, y_lut);
  fit.ff = FitWeighted<3>(f_ff, y_ff);
  return fit;
}

TEST(CalibrationTest, TableHasTheCalibrationSpread) {
  const std::vector<Point> points = TemplatePoints();
  ASSERT_GE(points.size(), 5u);
  int one_engine = 0, two_engines = 0, big = 0;
  for (const Point& p : points) {
    (p.estimate.raw.engines == 1 ? one_engine : two_engines) += 1;
    if (p.yosys.value("lut", 0) > 30000) ++big;
    EXPECT_TRUE(p.parts.contains("controller")) << p.name;
  }
  EXPECT_GE(one_engine, 1);
  EXPECT_GE(two_engines, 2);
  EXPECT_GE(big, 1) << "a reference-size core";
}

// One DSP48E1 per packed pair (issue 20): in every recorded netlist, the DSP engine's array has
// exactly the model's multiplier DSPs, rows x cols / macs_per_dsp, and no more.
TEST(CalibrationTest, PackedArraysAreOneDspPerPair) {
  int packed = 0;
  for (const Point& p : TemplatePoints()) {
    const ResourceUse& raw = p.estimate.raw.dsp_array;
    if (raw.dsp == 0) continue;
    EXPECT_EQ(Part(p, "dsp_array", "dsp"), raw.dsp) << p.name;
    ++packed;
  }
  EXPECT_GE(packed, 4);
}

TEST(CalibrationTest, ConstantsAreTheFitOfTheTable) {
  const Fit fit = FitTable(TemplatePoints());
  std::printf(
      "fit: dsp_array_lut_scale %.3f dsp_array_ff_scale %.3f fabric_array_lut_scale %.3f "
      "fabric_array_ff_scale %.3f\n     controller_lut %.0f controller_lut_double_buffered %.0f "
      "periphery_lut_scale %.3f\n     controller_ff %.0f controller_ff_double_buffered %.0f "
      "periphery_ff_scale %.3f\n",
      fit.dsp_lut, fit.dsp_ff, fit.fabric_lut, fit.fabric_ff, fit.lut[0], fit.lut[1], fit.lut[2],
      fit.ff[0], fit.ff[1], fit.ff[2]);
  const ResourceCoefficients c;
  const auto near = [](double shipped, double fitted) {
    return std::abs(shipped - fitted) <= std::max(0.005, 0.01 * std::abs(fitted));
  };
  EXPECT_TRUE(near(c.dsp_array_lut_scale, fit.dsp_lut)) << c.dsp_array_lut_scale;
  EXPECT_TRUE(near(c.dsp_array_ff_scale, fit.dsp_ff)) << c.dsp_array_ff_scale;
  EXPECT_TRUE(near(c.fabric_array_lut_scale, fit.fabric_lut)) << c.fabric_array_lut_scale;
  EXPECT_TRUE(near(c.fabric_array_ff_scale, fit.fabric_ff)) << c.fabric_array_ff_scale;
  const auto near_int = [](int shipped, double fitted) {
    return std::abs(shipped - fitted) <= std::max(1.0, 0.01 * std::abs(fitted));
  };
  EXPECT_TRUE(near_int(c.controller_lut, fit.lut[0])) << c.controller_lut;
  EXPECT_TRUE(near_int(c.controller_lut_double_buffered, fit.lut[1]))
      << c.controller_lut_double_buffered;
  EXPECT_TRUE(near(c.periphery_lut_scale, fit.lut[2])) << c.periphery_lut_scale;
  EXPECT_TRUE(near_int(c.controller_ff, fit.ff[0])) << c.controller_ff;
  EXPECT_TRUE(near_int(c.controller_ff_double_buffered, fit.ff[1]))
      << c.controller_ff_double_buffered;
  EXPECT_TRUE(near(c.periphery_ff_scale, fit.ff[2])) << c.periphery_ff_scale;
}

TEST(CalibrationTest, ModelIsWithinTheTargetsOnEveryPoint) {
  for (const Point& p : TemplatePoints()) {
    const ResourceUse m = CoreResources(p.estimate);
    std::printf(
        "%-14s LUT %6lld / %6lld  FF %6lld / %6lld  DSP %4lld / %4lld  BRAM18 %4lld / %4lld\n",
        p.name.c_str(), static_cast<long long>(m.lut), p.yosys.value("lut", 0LL),
        static_cast<long long>(m.ff), p.yosys.value("ff", 0LL), static_cast<long long>(m.dsp),
        p.yosys.value("dsp", 0LL), static_cast<long long>(m.bram18), p.yosys.value("bram18", 0LL));
    // DSP48E1 and BRAM18 are whole cells: 5 % rounds up to whole ones (1 of 17).
    const auto check = [&](const char* what, double model, double tolerance, bool whole = false) {
      const double yosys = p.yosys.at(what).get<double>();
      const double allowed = whole ? std::ceil(tolerance * yosys) : tolerance * yosys;
      EXPECT_LE(std::abs(model - yosys), allowed)
          << p.name << " " << what << ": model " << model << ", Yosys " << yosys;
    };
    check("lut", m.lut, 0.20);
    check("ff", m.ff, 0.20);
    check("dsp", m.dsp, 0.05, true);
    check("bram18", m.bram18, 0.05, true);
  }
}

}  // namespace
}  // namespace msqx::dse
