#pragma once
// The streams and registers of the pin-level accelerator core (core.h): what the host writes
// before a layer, the step commands, load requests and stores. Only <systemc>: these headers are
// what `msqx hls` copies into an exported project, so they must not pull in the rest of msqx.

#include <cstdint>
#include <ostream>
#include <string>
#include <systemc>

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
  bool operator==(const LayerRegs& o) const {
    return in_c == o.in_c && in_h == o.in_h && in_w == o.in_w && out_c == o.out_c &&
           out_h == o.out_h && out_w == o.out_w && kernel == o.kernel && stride == o.stride &&
           padding == o.padding && depthwise == o.depthwise && act_bits == o.act_bits &&
           dsp_mult == o.dsp_mult && dsp_shift == o.dsp_shift && lut_mult == o.lut_mult &&
           lut_shift == o.lut_shift;
  }
};
inline std::ostream& operator<<(std::ostream& os, const LayerRegs& r) {
  return os << "in " << r.in_c << "x" << r.in_h << "x" << r.in_w << " out " << r.out_c << "x"
            << r.out_h << "x" << r.out_w << " k" << r.kernel << " s" << r.stride << " p"
            << r.padding << (r.depthwise ? " dw" : "");
}
inline void sc_trace(sc_core::sc_trace_file*, const LayerRegs&, const std::string&) {}

// The controller's register widths (ICSC keeps C++ widths, and a 32-bit counter is a 32-bit adder):
// tile coordinates, channel and filter counts and buffer words fit 16 bits, element addresses of
// tensors 32, the requantization multiplier 16 (Fits and the static_asserts hold a layer to it).
using Dim = std::int16_t;
using Addr = std::int32_t;
using Mult = std::int16_t;
constexpr int kMaxDim = 32767;

// Empty when the layer's registers fit those widths, else the reason (AccelCore::Fits; the HLS
// export asks before it writes a project).
inline std::string RegsFit(const LayerRegs& r) {
  const int dims[6] = {r.in_c, r.in_h, r.in_w, r.out_c, r.out_h, r.out_w};
  for (int i = 0; i < 6; ++i) {
    if (dims[i] > kMaxDim)
      return "a layer dimension above " + std::to_string(kMaxDim) + " (the core's 16-bit Dim)";
  }
  const int mults[2] = {r.dsp_mult, r.lut_mult};
  for (int i = 0; i < 2; ++i) {
    if (mults[i] > kMaxDim || mults[i] < -kMaxDim - 1)
      return "a requantization multiplier outside 16 bits";
  }
  return "";
}

// One schedule step: the shared input tile and each engine's filters, as channel ranges.
struct StepCmd {
  int out_row0 = 0, out_rows = 0, out_col0 = 0, out_cols = 0;
  int in_ch0 = 0, in_chs = 0;
  int dsp_ch0 = 0, dsp_n = 0;  // output channels [dsp_ch0, dsp_ch0 + dsp_n) on the DSP engine
  int lut_ch0 = 0, lut_n = 0;
  bool first_chunk = true, last_chunk = true;
  bool operator==(const StepCmd& o) const {
    return out_row0 == o.out_row0 && out_rows == o.out_rows && out_col0 == o.out_col0 &&
           out_cols == o.out_cols && in_ch0 == o.in_ch0 && in_chs == o.in_chs &&
           dsp_ch0 == o.dsp_ch0 && dsp_n == o.dsp_n && lut_ch0 == o.lut_ch0 && lut_n == o.lut_n &&
           first_chunk == o.first_chunk && last_chunk == o.last_chunk;
  }
};
inline std::ostream& operator<<(std::ostream& os, const StepCmd& c) {
  return os << "rows " << c.out_row0 << "+" << c.out_rows << " cols " << c.out_col0 << "+"
            << c.out_cols << " ic " << c.in_ch0 << "+" << c.in_chs << " dsp " << c.dsp_ch0 << "+"
            << c.dsp_n << " lut " << c.lut_ch0 << "+" << c.lut_n;
}
inline void sc_trace(sc_core::sc_trace_file*, const StepCmd&, const std::string&) {}

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
inline std::ostream& operator<<(std::ostream& os, const LoadReq& r) {
  return os << (r.weights ? "w@" : "a@") << r.addr << "x" << r.count;
}
inline void sc_trace(sc_core::sc_trace_file*, const LoadReq&, const std::string&) {}

// One output activation at element address `addr` of the output tensor (HWC).
struct StoreBeat {
  std::uint32_t addr = 0;
  std::uint8_t value = 0;
  bool operator==(const StoreBeat& o) const { return addr == o.addr && value == o.value; }
};
inline std::ostream& operator<<(std::ostream& os, const StoreBeat& s) {
  return os << "@" << s.addr << "=" << int{s.value};
}
inline void sc_trace(sc_core::sc_trace_file*, const StoreBeat&, const std::string&) {}

}  // namespace msqx::accel
