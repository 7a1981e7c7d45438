#include "models/quant/quant_error.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "models/quant/fixed_point.h"

namespace msqx::quant {

QuantSettings QuantSettings::ForBits(int bits) {
  QuantSettings s;
  s.weight_bits = bits;
  s.sp2 = Sp2Format::ForBits(bits);
  return s;
}

namespace {

// Nearest power-of-two magnitude of |x| <= 1 (in units of the scale), ties away from zero.
double NearestPowerOfTwo(double x, int bits) {
  const int exponents = (1 << (bits - 1)) - 1;  // nonzero levels 2^0 .. 2^-(exponents-1)
  double best = 0;
  double best_dist = x;
  for (int e = 0; e < exponents; ++e) {
    const double level = std::ldexp(1.0, -e);
    const double dist = std::fabs(x - level);
    // Levels come largest first, so on a tie the larger one stays; zero (the start) always loses.
    if (dist < best_dist || (dist == best_dist && best == 0)) {
      best = level;
      best_dist = dist;
    }
  }
  return best;
}

}  // namespace

std::vector<double> Reconstruct(const double* values, std::int64_t count, Format format,
                                const QuantSettings& settings) {
  double max_abs = 0;
  for (std::int64_t i = 0; i < count; ++i) max_abs = std::max(max_abs, std::fabs(values[i]));
  std::vector<double> out(count, 0.0);
  if (!(max_abs > 0)) return out;
  switch (format) {
    case Format::kFixed: {
      const double scale = FixedScaleFor(max_abs, settings.weight_bits);
      for (std::int64_t i = 0; i < count; ++i) {
        out[i] = DequantizeFixed(QuantizeFixed(values[i], scale, settings.weight_bits), scale);
      }
      break;
    }
    case Format::kSp2: {
      const Sp2Quantizer q(settings.sp2);
      for (std::int64_t i = 0; i < count; ++i) {
        out[i] = DequantizeSp2(q.Quantize(values[i], max_abs), max_abs, settings.sp2);
      }
      break;
    }
    case Format::kPowerOfTwo:
      if (settings.weight_bits < 2 || settings.weight_bits > 16) {
        throw std::invalid_argument("power-of-two baseline needs 2..16 bits");
      }
      for (std::int64_t i = 0; i < count; ++i) {
        const double m =
            NearestPowerOfTwo(std::min(std::fabs(values[i]) / max_abs, 1.0), settings.weight_bits);
        out[i] = std::copysign(m * max_abs, values[i]);
        if (m == 0) out[i] = 0;
      }
      break;
  }
  return out;
}

double ErrorStats::SqnrDb() const {
  if (sum_sq_signal == 0) return std::numeric_limits<double>::quiet_NaN();
  if (sum_sq_error == 0) return std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(sum_sq_signal / sum_sq_error);
}

void ErrorStats::Add(const ErrorStats& o) {
  count += o.count;
  sum_sq_error += o.sum_sq_error;
  sum_sq_signal += o.sum_sq_signal;
}

ErrorStats MeasureError(const FilterMatrix& w, const std::vector<Format>& formats,
                        const QuantSettings& settings) {
  if (static_cast<int>(formats.size()) != w.filters) {
    throw std::invalid_argument("one format per filter expected");
  }
  ErrorStats stats;
  for (int f = 0; f < w.filters; ++f) {
    const double* row = w.Row(f);
    const std::vector<double> q = Reconstruct(row, w.row_size, formats[f], settings);
    for (std::int64_t i = 0; i < w.row_size; ++i) {
      const double e = row[i] - q[i];
      stats.sum_sq_error += e * e;
      stats.sum_sq_signal += row[i] * row[i];
    }
    stats.count += w.row_size;
  }
  return stats;
}

ErrorStats MeasureError(const FilterMatrix& w, Format format, const QuantSettings& settings) {
  return MeasureError(w, std::vector<Format>(w.filters, format), settings);
}

LayerError AnalyzeLayer(const FilterMatrix& w, const Ratio& ratio, const QuantSettings& settings) {
  LayerError r;
  r.schemes = ChooseSchemes(w, ratio);
  std::vector<Format> formats;
  for (Scheme s : r.schemes) {
    formats.push_back(s == Scheme::kFixed ? Format::kFixed : Format::kSp2);
    if (s == Scheme::kFixed) ++r.fixed_filters;
  }
  r.fixed_only = MeasureError(w, Format::kFixed, settings);
  r.sp2_only = MeasureError(w, Format::kSp2, settings);
  r.mixed = MeasureError(w, formats, settings);
  return r;
}

}  // namespace msqx::quant
