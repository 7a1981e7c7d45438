#pragma once
// The testbench's layer: conv1 (layer 0 of network tiny), its registers, its step commands (the schedule msqx's cycle fidelity times) and the
// cycle count that fidelity predicts for it with an ideal memory.
#include <vector>

#include "models/accel/core_ports.h"

namespace msqx_case {

inline constexpr const char* kDesign = "xc7z020_ref";
inline constexpr const char* kLayer = "conv1";
inline constexpr unsigned kSeed = 1u;
inline constexpr int kWeightBits = 4;
inline constexpr int kSp2M1 = 2, kSp2M2 = 1;
inline constexpr long long kExpectedCycles = 5397;
// Per output channel: '1' when the DSP (fixed-point) engine computes it, '0' the LUT (SP2) one.
inline constexpr const char* kFixedFilters = "11110000";

inline msqx::accel::LayerRegs Regs() {
  msqx::accel::LayerRegs r;
  r.in_c = 3;
  r.in_h = 16;
  r.in_w = 16;
  r.out_c = 8;
  r.out_h = 16;
  r.out_w = 16;
  r.kernel = 3;
  r.stride = 1;
  r.padding = 1;
  r.depthwise = false;
  r.act_bits = 4;
  r.dsp_mult = 9;
  r.dsp_shift = 7;
  r.lut_mult = 12;
  r.lut_shift = 8;
  return r;
}

// out_row0, out_rows, out_col0, out_cols, in_ch0, in_chs, dsp_ch0, dsp_n, lut_ch0, lut_n,
// first_chunk, last_chunk
inline std::vector<msqx::accel::StepCmd> Commands() {
  static const int kSteps[][12] = {
      {0, 14, 0, 14, 0, 3, 0, 4, 4, 4, 1, 1},
      {0, 14, 14, 2, 0, 3, 0, 4, 4, 4, 1, 1},
      {14, 2, 0, 14, 0, 3, 0, 4, 4, 4, 1, 1},
      {14, 2, 14, 2, 0, 3, 0, 4, 4, 4, 1, 1},
  };
  std::vector<msqx::accel::StepCmd> cmds;
  for (const auto& s : kSteps) {
    msqx::accel::StepCmd c;
    c.out_row0 = s[0];
    c.out_rows = s[1];
    c.out_col0 = s[2];
    c.out_cols = s[3];
    c.in_ch0 = s[4];
    c.in_chs = s[5];
    c.dsp_ch0 = s[6];
    c.dsp_n = s[7];
    c.lut_ch0 = s[8];
    c.lut_n = s[9];
    c.first_chunk = s[10] != 0;
    c.last_chunk = s[11] != 0;
    cmds.push_back(c);
  }
  return cmds;
}

}  // namespace msqx_case
