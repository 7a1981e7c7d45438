#pragma once
// Per-filter scheme choice (DOMAIN.md section 1): after per-filter scaling, the filters whose
// weights spread most (largest variance) go to fixed-point on the DSPs, the rest to SP2 on the
// LUTs, whose levels are denser near zero. The share is the design's fixed:SP2 ratio.

#include <cstdint>
#include <string>
#include <vector>

namespace msqx::quant {

enum class Scheme { kFixed, kSp2 };
const char* ToString(Scheme scheme);

// fixed:SP2, e.g. 1:2. 1:0 is fixed-only, 0:1 SP2-only.
struct Ratio {
  int fixed = 1;
  int sp2 = 2;
  std::string ToString() const;  // "F:S"
};
// Parses "F:S" with non-negative integers not both zero; std::invalid_argument otherwise.
Ratio ParseRatio(const std::string& text);

// Filters that go to fixed-point: round(filters * F / (F + S)), an exact half rounding up (so
// 3 filters at 1:1 give 2 fixed-point). Integer arithmetic: no floating-point edge cases.
int FixedFilterCount(int filters, const Ratio& ratio);

// The weights of one layer: `filters` rows (output channels) of `row_size` values, row-major.
struct FilterMatrix {
  int filters = 0;
  std::int64_t row_size = 0;
  std::vector<double> values;

  const double* Row(int f) const { return values.data() + static_cast<std::int64_t>(f) * row_size; }
};

// Largest |w| of a filter (its per-filter range; both quantizers derive their scale from it).
double FilterMaxAbs(const FilterMatrix& w, int filter);
// Population variance of w / max|w| over the filter; 0 for an all-zero filter.
double ScaledVariance(const FilterMatrix& w, int filter);

// The split with weights: filters ranked by ScaledVariance, descending; the first
// FixedFilterCount go to fixed-point. Equal variances keep filter order (lower index first), so
// the choice is deterministic.
std::vector<Scheme> ChooseSchemes(const FilterMatrix& w, const Ratio& ratio);
// The split without weights: filters [0, FixedFilterCount) fixed-point, the rest SP2.
std::vector<Scheme> SplitByCount(int filters, const Ratio& ratio);

}  // namespace msqx::quant
