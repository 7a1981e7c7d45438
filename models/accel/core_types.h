#pragma once
// Buses of the pin-level accelerator core and the translation of the tile schedule into the
// core's step commands (plain C++, shared with the testbenches and the benchmark).

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include <systemc>

#include "models/accel/schedule.h"

namespace msqx::accel {

// Layer registers, constant while a layer runs (written by the host before the first command).
struct LayerRegs {
  int in_c = 0, in_h = 0, in_w = 0;
  int out_c = 0, out_h = 0, out_w = 0;
  int kernel = 1, stride = 1, padding = 0;
  bool depthwise = false;
  int act_bits = 4;
  // Requantization per engine (its filters share one scale): see golden::Requantize.
  int dsp_mult = 1, dsp_shift = 0, lut_mult = 1, lut_shift = 0;
  bool operator==(const LayerRegs& o) const;
};
std::ostream& operator<<(std::ostream& os, const LayerRegs& r);
void sc_trace(sc_core::sc_trace_file*, const LayerRegs&, const std::string&);

// One schedule step: the shared input tile and each engine's filters, as channel ranges.
struct StepCmd {
  int out_row0 = 0, out_rows = 0, out_col0 = 0, out_cols = 0;
  int in_ch0 = 0, in_chs = 0;
  int dsp_ch0 = 0, dsp_n = 0;  // output channels [dsp_ch0, dsp_ch0 + dsp_n) on the DSP engine
  int lut_ch0 = 0, lut_n = 0;
  bool first_chunk = true, last_chunk = true;
  bool operator==(const StepCmd& o) const;
};
std::ostream& operator<<(std::ostream& os, const StepCmd& c);
void sc_trace(sc_core::sc_trace_file*, const StepCmd&, const std::string&);

// A load request: `count` consecutive elements from element address `addr` of the activation
// tensor (HWC) or of the weight array (OHWI, codes), answered by exactly one data beat whose lanes
// [0, count) hold them and whose other lanes are zero. count = 0 asks for a zero beat (padding,
// absent filters): the memory side answers it without touching DDR.
struct LoadReq {
  std::uint32_t addr = 0;
  std::uint16_t count = 0;
  bool weights = false;
  bool operator==(const LoadReq& o) const {
    return addr == o.addr && count == o.count && weights == o.weights;
  }
};
std::ostream& operator<<(std::ostream& os, const LoadReq& r);
void sc_trace(sc_core::sc_trace_file*, const LoadReq&, const std::string&);

// One output activation at element address `addr` of the output tensor (HWC).
struct StoreBeat {
  std::uint32_t addr = 0;
  std::uint8_t value = 0;
  bool operator==(const StoreBeat& o) const { return addr == o.addr && value == o.value; }
};
std::ostream& operator<<(std::ostream& os, const StoreBeat& s);
void sc_trace(sc_core::sc_trace_file*, const StoreBeat&, const std::string&);

LayerRegs RegsOf(const LayerShape& l, int act_bits);

// The schedule's steps as commands, in schedule order. The core addresses each engine's filters
// as one channel range, so every tile's filters must be consecutive channels (true without a
// ranking); std::invalid_argument otherwise.
std::vector<StepCmd> CommandsOf(const Schedule& s);

}  // namespace msqx::accel
