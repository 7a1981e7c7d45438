#pragma once
// The testbench's layer: conv1 (layer 0 of network tiny), its registers, its step commands (the schedule msqx's cycle fidelity times) and the
// cycle count that fidelity predicts for it with an ideal memory.
#include <cstdint>
#include <vector>

#include "models/accel/core_ports.h"

namespace msqx_case {

inline constexpr const char* kDesign = "xc7z020_ref";
inline constexpr const char* kLayer = "conv1";
inline constexpr unsigned kSeed = 1u;
inline constexpr int kWeightBits = 4;
inline constexpr int kSp2M1 = 2, kSp2M2 = 1;
inline constexpr long long kExpectedCycles = 1178;
// Per output channel: '1' when the DSP (fixed-point) engine computes it, '0' the LUT (SP2) one.
inline constexpr const char* kFixedFilters = "11110000";
// The layer as its weights and golden model see it (the registers may fold it).
inline constexpr int kKh = 3, kKw = 3, kSh = 1, kSw = 1;
inline constexpr int kPadTop = 1, kPadLeft = 1, kPadBottom = 1, kPadRight = 1;
inline constexpr bool kDepthwise = false;

inline msqx::accel::LayerRegs Regs() {
  msqx::accel::LayerRegs r;
  r.in_c = 3;
  r.in_h = 16;
  r.in_w = 16;
  r.out_c = 8;
  r.out_h = 16;
  r.out_w = 16;
  r.kh = 3;
  r.kw = 1;
  r.sh = 1;
  r.sw = 1;
  r.pt = 1;
  r.pl = 0;
  r.fold = 3;
  r.fold_sw = 1;
  r.fold_pl = 1;
  r.dw = 0;
  r.acc_depth = 27;
  r.act_bits = 4;
  r.dsp_mult = 9;
  r.dsp_shift = 7;
  r.lut_mult = 12;
  r.lut_shift = 8;
  return r;
}

// out_row0, out_rows, out_col0, out_cols, in_ch0, in_chs, ch0, dsp_n, lut_n, dsp_w, lut_w,
// first_chunk, last_chunk
inline std::vector<msqx::accel::StepCmd> Commands() {
  static const long long kSteps[][13] = {
      {0, 14, 0, 14, 0, 9, 0, 4, 4, 0, 192, 1, 1},
      {0, 14, 14, 2, 0, 9, 0, 4, 4, 0, 192, 1, 1},
      {14, 2, 0, 14, 0, 9, 0, 4, 4, 0, 192, 1, 1},
      {14, 2, 14, 2, 0, 9, 0, 4, 4, 0, 192, 1, 1},
  };
  std::vector<msqx::accel::StepCmd> cmds;
  for (const auto& s : kSteps) {
    msqx::accel::StepCmd c;
    c.out_row0 = static_cast<int>(s[0]);
    c.out_rows = static_cast<int>(s[1]);
    c.out_col0 = static_cast<int>(s[2]);
    c.out_cols = static_cast<int>(s[3]);
    c.in_ch0 = static_cast<int>(s[4]);
    c.in_chs = static_cast<int>(s[5]);
    c.ch0 = static_cast<int>(s[6]);
    c.dsp_n = static_cast<int>(s[7]);
    c.lut_n = static_cast<int>(s[8]);
    c.dsp_w = static_cast<std::uint32_t>(s[9]);
    c.lut_w = static_cast<std::uint32_t>(s[10]);
    c.first_chunk = s[11] != 0;
    c.last_chunk = s[12] != 0;
    cmds.push_back(c);
  }
  return cmds;
}

}  // namespace msqx_case
