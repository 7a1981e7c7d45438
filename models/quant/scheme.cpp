#include "models/quant/scheme.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace msqx::quant {

const char* ToString(Scheme scheme) { return scheme == Scheme::kFixed ? "fixed" : "sp2"; }

std::string Ratio::ToString() const { return std::to_string(fixed) + ":" + std::to_string(sp2); }

namespace {

int ParsePart(const std::string& part, const std::string& text) {
  if (part.empty() || part.size() > 6 ||
      !std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    throw std::invalid_argument(
        "expected a ratio F:S of two non-negative integers (e.g. 1:2), got '" + text + "'");
  }
  return std::stoi(part);
}

}  // namespace

Ratio ParseRatio(const std::string& text) {
  const auto colon = text.find(':');
  if (colon == std::string::npos) {
    throw std::invalid_argument("expected a ratio F:S (e.g. 1:2), got '" + text + "'");
  }
  Ratio r{ParsePart(text.substr(0, colon), text), ParsePart(text.substr(colon + 1), text)};
  if (r.fixed == 0 && r.sp2 == 0) throw std::invalid_argument("a ratio of 0:0 selects no filter");
  return r;
}

int FixedFilterCount(int filters, const Ratio& ratio) {
  const std::int64_t total = std::int64_t{ratio.fixed} + ratio.sp2;
  if (filters < 0 || ratio.fixed < 0 || ratio.sp2 < 0 || total == 0) {
    throw std::invalid_argument(
        "FixedFilterCount needs filters >= 0 and a ratio with a positive sum");
  }
  return static_cast<int>((2 * std::int64_t{filters} * ratio.fixed + total) / (2 * total));
}

double FilterMaxAbs(const FilterMatrix& w, int filter) {
  const double* row = w.Row(filter);
  double m = 0;
  for (std::int64_t i = 0; i < w.row_size; ++i) m = std::max(m, std::fabs(row[i]));
  return m;
}

double ScaledVariance(const FilterMatrix& w, int filter) {
  const double scale = FilterMaxAbs(w, filter);
  if (!(scale > 0) || w.row_size == 0) return 0.0;
  const double* row = w.Row(filter);
  double mean = 0;
  for (std::int64_t i = 0; i < w.row_size; ++i) mean += row[i] / scale;
  mean /= static_cast<double>(w.row_size);
  double var = 0;
  for (std::int64_t i = 0; i < w.row_size; ++i) {
    const double d = row[i] / scale - mean;
    var += d * d;
  }
  return var / static_cast<double>(w.row_size);
}

std::vector<Scheme> ChooseSchemes(const FilterMatrix& w, const Ratio& ratio) {
  std::vector<double> var(w.filters);
  for (int f = 0; f < w.filters; ++f) var[f] = ScaledVariance(w, f);
  std::vector<int> order(w.filters);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return var[a] > var[b]; });
  std::vector<Scheme> schemes(w.filters, Scheme::kSp2);
  const int fixed = FixedFilterCount(w.filters, ratio);
  for (int i = 0; i < fixed; ++i) schemes[order[i]] = Scheme::kFixed;
  return schemes;
}

std::vector<Scheme> SplitByCount(int filters, const Ratio& ratio) {
  std::vector<Scheme> schemes(filters, Scheme::kSp2);
  const int fixed = FixedFilterCount(filters, ratio);
  for (int i = 0; i < fixed; ++i) schemes[i] = Scheme::kFixed;
  return schemes;
}

}  // namespace msqx::quant
