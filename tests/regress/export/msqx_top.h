#pragma once
// The design point 'xc7z020_ref' as an instance of the pin-level core (models/accel/core.h):
// engine shapes from the design, buffer depths from its buffers.*_kib split by the fixed:SP2
// share (msqx's core_sizing), accumulators sized for the longest dot product of one step.
#include "models/accel/core.h"

namespace msqx_design {

// The design's clock (the synthesis tools' scripts set it; nothing in the hardware depends on it).
inline constexpr long kClockKhz = 150000;

struct CoreCfg {
  using Dsp = msqx::pe::PeArrayConfig<msqx::pe::PeKind::kFixed, 16, 16, 4, 4, 72, 2>;
  using Lut = msqx::pe::PeArrayConfig<msqx::pe::PeKind::kSp2, 16, 16, 4, 4, 72>;
  static constexpr int kTileIc = 32;
  static constexpr int kInDepth = 2304;  // words per half
  static constexpr int kDspWeightDepth = 256;
  static constexpr int kLutWeightDepth = 256;
  static constexpr int kDspOutDepth = 512;
  static constexpr int kLutOutDepth = 512;
  static constexpr int kBramLatency = 1;
  static constexpr bool kOverlapLoad = true;
  static constexpr int kHalves = kOverlapLoad ? 2 : 1;
  static constexpr bool kOverlapStore = true;
  static constexpr int kOutHalves = kOverlapStore ? 2 : 1;
};

}  // namespace msqx_design

// The concrete module every flow elaborates.
using Top = msqx::accel::AccelCore<msqx_design::CoreCfg>;

// Top under a plain class name, for flows that want one (Stratus).
struct MsqxTop : Top {
  explicit MsqxTop(const sc_core::sc_module_name& name) : Top(name) {}
};
