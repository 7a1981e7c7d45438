#pragma once
// The report of `msqx quant`: per conv/fc layer, the fixed:SP2 filter split at a ratio and the
// quantization error (MSE, SQNR in dB) of fixed-only, SP2-only and the mixed split.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/quant/quant_error.h"
#include "models/quant/scheme.h"
#include "sim/spec/network.h"

namespace msqx::io {

struct LayerQuantRow {
  std::string layer;
  std::string kind;  // "conv" or "fc"
  int weight_bits = 4;
  int sp2_m1 = 2, sp2_m2 = 1;  // the SP2 split used
  int filters = 0;
  int fixed_filters = 0;
  std::vector<quant::Scheme> schemes;  // per filter
  bool has_weights = false;            // false: split by count, no errors
  quant::ErrorStats fixed_only, sp2_only, mixed;
};

struct QuantReport {
  std::string network;
  std::string weights_dir;  // empty: shapes only
  quant::Ratio ratio;
  int sp2_m1 = 0;  // 0: the default split per layer width
  std::vector<LayerQuantRow> layers;
  quant::ErrorStats fixed_only, sp2_only, mixed;  // whole network
};

// Splits every conv/fc layer; with a weights folder the split ranks filters by scaled variance and
// the errors are measured, without one the split is by count. Each layer uses its weight_bits
// (fixed-point m bits; SP2 m bits split as m1 = sp2_m1, m2 = m - 1 - m1, or by
// quant::Sp2Format::ForBits when sp2_m1 is 0). Bad weights or a width/split SP2 cannot have is a
// spec::ConfigError.
QuantReport BuildQuantReport(const spec::NetworkSpec& net, const std::string& weights_dir,
                             const quant::Ratio& ratio, int sp2_m1 = 0);

nlohmann::json ToJson(const QuantReport& report);
std::string ToCsv(const QuantReport& report);
std::string ToTable(const QuantReport& report);  // the human-readable summary msqx prints
// Writes quant.json and quant.csv into out_dir (created if needed).
void WriteQuantReport(const QuantReport& report, const std::string& out_dir);

}  // namespace msqx::io
