// Scheme choice and quantization error: ratio rounding, variance ranking with deterministic ties,
// and the accuracy claims of DOMAIN.md on seeded Gaussian and uniform weights.
#include "models/quant/scheme.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "models/quant/quant_error.h"

namespace msqx::quant {
namespace {

TEST(Scheme, ParsesRatios) {
  EXPECT_EQ(ParseRatio("1:2").fixed, 1);
  EXPECT_EQ(ParseRatio("1:2").sp2, 2);
  EXPECT_EQ(ParseRatio("0:1").fixed, 0);
  EXPECT_EQ(ParseRatio("3:0").ToString(), "3:0");
  for (const char* bad : {"", "1", "1:", ":2", "a:b", "-1:2", "1:2:3", "0:0", "1.5:1", "1 :2"}) {
    EXPECT_THROW(ParseRatio(bad), std::invalid_argument) << bad;
  }
}

TEST(Scheme, FixedCountRoundsHalfUp) {
  // round(n * F / (F + S)) computed with exact rationals: 2 * n * F vs (F + S) parity.
  EXPECT_EQ(FixedFilterCount(3, {1, 1}), 2);    // 1.5 -> 2
  EXPECT_EQ(FixedFilterCount(64, {1, 2}), 21);  // 21.33
  EXPECT_EQ(FixedFilterCount(65, {1, 2}), 22);  // 21.67
  EXPECT_EQ(FixedFilterCount(10, {1, 0}), 10);
  EXPECT_EQ(FixedFilterCount(10, {0, 1}), 0);
  EXPECT_EQ(FixedFilterCount(5, {1, 3}), 1);  // 1.25
  EXPECT_EQ(FixedFilterCount(6, {1, 3}), 2);  // 1.5 -> 2
  for (int n = 0; n < 200; ++n) {
    for (int f = 0; f < 5; ++f) {
      for (int s = 0; s < 5; ++s) {
        if (f + s == 0) continue;
        const double exact = static_cast<double>(n) * f / (f + s);
        const int got = FixedFilterCount(n, {f, s});
        ASSERT_LE(std::fabs(got - exact), 0.5) << n << " " << f << ":" << s;
        if (std::fabs(got - exact) == 0.5) {
          ASSERT_GT(got, exact);
        }
      }
    }
  }
}

TEST(Scheme, HighestScaledVarianceGoesToFixedAndTiesKeepOrder) {
  // Filter rows of 4: scaled variance depends on the shape, not the magnitude.
  FilterMatrix w{5,
                 4,
                 {
                     1, 0,  0,  0,   // var of (1,0,0,0) = 3/16
                     5, -5, 5,  -5,  // (1,-1,1,-1): var 1
                     0, 0,  0,  0,   // all zero: 0
                     2, 0,  0,  0,   // same shape as filter 0: tie with it
                     3, 3,  -3, -3,  // var 1: tie with filter 1
                 }};
  EXPECT_DOUBLE_EQ(ScaledVariance(w, 0), 3.0 / 16);
  EXPECT_DOUBLE_EQ(ScaledVariance(w, 1), 1.0);
  EXPECT_DOUBLE_EQ(ScaledVariance(w, 2), 0.0);
  // 5 filters at 3:2 -> 3 fixed: filters 1 and 4 (variance 1), then 0 (lower index of the tie).
  const std::vector<Scheme> s = ChooseSchemes(w, {3, 2});
  const std::vector<Scheme> expected = {Scheme::kFixed, Scheme::kFixed, Scheme::kSp2, Scheme::kSp2,
                                        Scheme::kFixed};
  EXPECT_EQ(s, expected);
  const std::vector<Scheme> by_count = SplitByCount(5, {3, 2});
  EXPECT_EQ(by_count, (std::vector<Scheme>{Scheme::kFixed, Scheme::kFixed, Scheme::kFixed,
                                           Scheme::kSp2, Scheme::kSp2}));
}

FilterMatrix Random(int filters, int row, unsigned seed, bool gaussian) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> g(0.0, 1.0);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  FilterMatrix w{filters, row, {}};
  for (int i = 0; i < filters * row; ++i) w.values.push_back(gaussian ? g(rng) : u(rng));
  return w;
}

TEST(QuantError, Sp2BeatsPowerOfTwoOnGaussianWeights) {
  const unsigned seed = 42;
  SCOPED_TRACE("seed " + std::to_string(seed));
  const FilterMatrix w = Random(32, 576, seed, true);
  const QuantSettings s = QuantSettings::ForBits(4);
  const double sp2 = MeasureError(w, Format::kSp2, s).SqnrDb();
  const double pot = MeasureError(w, Format::kPowerOfTwo, s).SqnrDb();
  EXPECT_GT(sp2, pot + 1.0) << "sp2 " << sp2 << " dB, power of two " << pot << " dB";
}

TEST(QuantError, FixedBeatsSp2OnUniformWeights) {
  const unsigned seed = 43;
  SCOPED_TRACE("seed " + std::to_string(seed));
  const FilterMatrix w = Random(32, 576, seed, false);
  const QuantSettings s = QuantSettings::ForBits(4);
  const double fixed = MeasureError(w, Format::kFixed, s).SqnrDb();
  const double sp2 = MeasureError(w, Format::kSp2, s).SqnrDb();
  EXPECT_GT(fixed, sp2 + 1.0) << "fixed " << fixed << " dB, sp2 " << sp2 << " dB";
  // Uniform weights on [-1, 1] under a step of 1/7: error power near step^2 / 12, signal 1/3.
  const double expected = 10 * std::log10((1.0 / 3) / (1.0 / 49 / 12));
  EXPECT_NEAR(fixed, expected, 0.5);
}

TEST(QuantError, VarianceRankingSendsUniformFiltersToFixedPoint) {
  // Half the filters uniform (high scaled variance), half Gaussian (low): the ranking must put the
  // uniform ones on fixed-point, and that split must beat the opposite one (fixed-point gains more
  // over SP2 on uniform filters than on Gaussian ones).
  const unsigned seed = 44;
  SCOPED_TRACE("seed " + std::to_string(seed));
  const FilterMatrix u = Random(16, 288, seed, false);
  FilterMatrix g = Random(16, 288, seed + 1, true);
  // Filters of one layer have comparable ranges: sigma 1/3 puts the Gaussian maxima near 1 too, so
  // neither half dominates the layer's absolute error.
  for (double& v : g.values) v /= 3;
  FilterMatrix w{32, 288, {}};
  for (int f = 0; f < 16; ++f) {
    w.values.insert(w.values.end(), u.Row(f), u.Row(f) + 288);
    w.values.insert(w.values.end(), g.Row(f), g.Row(f) + 288);
  }
  const QuantSettings s = QuantSettings::ForBits(4);
  const LayerError e = AnalyzeLayer(w, {1, 1}, s);
  EXPECT_EQ(e.fixed_filters, 16);
  for (int f = 0; f < 32; ++f) EXPECT_EQ(e.schemes[f], f % 2 == 0 ? Scheme::kFixed : Scheme::kSp2);
  std::vector<Format> opposite;
  for (int f = 0; f < 32; ++f) opposite.push_back(f % 2 == 0 ? Format::kSp2 : Format::kFixed);
  EXPECT_GT(e.mixed.SqnrDb(), MeasureError(w, opposite, s).SqnrDb());
  EXPECT_EQ(e.mixed.count, 32 * 288);
  // The mixed error is the filter-weighted blend of the two single-scheme errors on their halves,
  // so it lies between fixed-only and SP2-only.
  EXPECT_LE(e.mixed.Mse(), std::max(e.fixed_only.Mse(), e.sp2_only.Mse()));
  EXPECT_GE(e.mixed.Mse(), std::min(e.fixed_only.Mse(), e.sp2_only.Mse()));
}

TEST(QuantError, ExactWeightsHaveNoError) {
  // Weights already on the 4-bit SP2 grid of their filter: SP2-only error is zero, SQNR infinite.
  FilterMatrix w{1, 7, {1.0, 0.75, -0.625, 0.5, 0.25, -0.125, 0.0}};
  const ErrorStats e = MeasureError(w, Format::kSp2, QuantSettings::ForBits(4));
  EXPECT_EQ(e.Mse(), 0.0);
  EXPECT_TRUE(std::isinf(e.SqnrDb()));
  EXPECT_TRUE(std::isnan(MeasureError(FilterMatrix{1, 2, {0, 0}}, Format::kFixed, {}).SqnrDb()));
}

}  // namespace
}  // namespace msqx::quant
