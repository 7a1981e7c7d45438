#pragma once
// The design point 'xc7z020_ref' as an instance of the pin-level core (models/accel/core.h):
// engine shapes from the design, buffer depths from its buffers.*_kib split by the engines'
// rows (msqx's core_sizing), partial sums sized for the network's longest dot product.
#include "models/accel/core.h"

namespace msqx_design {

// The design's clock (the synthesis tools' scripts set it; nothing in the hardware depends on it).
inline constexpr long kClockKhz = 150000;

struct CoreCfg {
  using Dsp = msqx::pe::PeArrayConfig<msqx::pe::PeKind::kFixed, 16, 16, 4, 4, 2, 2, 4>;
  using Lut = msqx::pe::PeArrayConfig<msqx::pe::PeKind::kSp2, 16, 16, 4, 4, 2, 1, 4>;
  static constexpr int kTileIc = 32;
  static constexpr int kInDepth = 3072;  // words per half
  static constexpr int kDspWeightDepth = 1280;  // pieces per half
  static constexpr int kLutWeightDepth = 1280;
  static constexpr int kDspOutDepth = 768;  // partial-sum words per bank
  static constexpr int kLutOutDepth = 768;
  static constexpr long long kMaxDepth = 72;
  static constexpr int kBramLatency = 1;
  static constexpr bool kDoubleBuffered = true;
};

}  // namespace msqx_design

// The concrete module every flow elaborates.
using Top = msqx::accel::AccelCore<msqx_design::CoreCfg>;

// Top under a plain class name, for flows that want one (Stratus).
struct MsqxTop : Top {
  explicit MsqxTop(const sc_core::sc_module_name& name) : Top(name) {}
};
