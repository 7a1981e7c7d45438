#pragma once
// Quantization error of a layer under fixed-only, SP2-only and the mixed split (MSE and SQNR),
// plus plain power-of-two as the baseline SP2 is meant to beat (DOMAIN.md section 1).

#include <cstdint>
#include <vector>

#include "models/quant/scheme.h"
#include "models/quant/sp2.h"

namespace msqx::quant {

// How one filter is quantized for error measurement. kPowerOfTwo is a baseline only: m bits =
// sign + (m-1)-bit exponent e, level 0 for e = 0 and 2^-(e-1) times the scale otherwise
// (4 bits: {0, 1, 1/2, ..., 1/64}); nearest level, ties away from zero.
enum class Format { kFixed, kSp2, kPowerOfTwo };

struct QuantSettings {
  int weight_bits = 4;
  Sp2Format sp2 = Sp2Format::ForBits(4);  // its Bits() should equal weight_bits
  // The default for a width: SP2 split by Sp2Format::ForBits.
  static QuantSettings ForBits(int bits);
};

// The filter's values after quantizing and dequantizing with a per-filter scale taken from its
// largest magnitude.
std::vector<double> Reconstruct(const double* values, std::int64_t count, Format format,
                                const QuantSettings& settings);

struct ErrorStats {
  std::int64_t count = 0;
  double sum_sq_error = 0;
  double sum_sq_signal = 0;
  double Mse() const { return count ? sum_sq_error / static_cast<double>(count) : 0.0; }
  // 10 log10(signal power / error power); +inf without error, NaN for an all-zero layer.
  double SqnrDb() const;
  void Add(const ErrorStats& o);
};

// The error of a whole layer when filter f uses formats[f].
ErrorStats MeasureError(const FilterMatrix& w, const std::vector<Format>& formats,
                        const QuantSettings& settings);
ErrorStats MeasureError(const FilterMatrix& w, Format format, const QuantSettings& settings);

struct LayerError {
  std::vector<Scheme> schemes;  // the mixed split (ChooseSchemes)
  int fixed_filters = 0;
  ErrorStats fixed_only, sp2_only, mixed;
};
LayerError AnalyzeLayer(const FilterMatrix& w, const Ratio& ratio, const QuantSettings& settings);

}  // namespace msqx::quant
