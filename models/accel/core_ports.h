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
// The engines compute a kh x kw window with strides sh, sw and leading padding pt, pl (padding
// after the last row or column needs nothing: the loader answers pixels outside the input with
// zeros). A layer with few input channels may fold its kernel columns into the channels (fold > 0,
// docs/models.md "Folding"): the engines then see a kh x 1 window over fold x in_c channels, and
// window column x' is the run of `fold` input pixels from x' * fold_sw - fold_pl. A depthwise
// layer (dw = 1) runs a channel per row of lanes with its taps across the columns (docs/design.md,
// "Depthwise").
struct LayerRegs {
  int in_c = 0, in_h = 0, in_w = 0;  // the input tensor (HWC) as the loader reads it
  int out_c = 0, out_h = 0, out_w = 0;
  int kh = 1, kw = 1, sh = 1, sw = 1, pt = 0, pl = 0;
  int fold = 0, fold_sw = 1, fold_pl = 0;
  int dw = 0;
  int acc_depth = 0;  // the layer's dot-product length, which the partial sums must hold (Fits)
  int act_bits = 4;
  // Requantization per engine (its filters share one scale): see golden::Requantize.
  int dsp_mult = 1, dsp_shift = 0, lut_mult = 1, lut_shift = 0;
  bool operator==(const LayerRegs& o) const {
    return in_c == o.in_c && in_h == o.in_h && in_w == o.in_w && out_c == o.out_c &&
           out_h == o.out_h && out_w == o.out_w && kh == o.kh && kw == o.kw && sh == o.sh &&
           sw == o.sw && pt == o.pt && pl == o.pl && fold == o.fold && fold_sw == o.fold_sw &&
           fold_pl == o.fold_pl && dw == o.dw && acc_depth == o.acc_depth &&
           act_bits == o.act_bits && dsp_mult == o.dsp_mult && dsp_shift == o.dsp_shift &&
           lut_mult == o.lut_mult && lut_shift == o.lut_shift;
  }
};
inline std::ostream& operator<<(std::ostream& os, const LayerRegs& r) {
  return os << "in " << r.in_c << "x" << r.in_h << "x" << r.in_w << " out " << r.out_c << "x"
            << r.out_h << "x" << r.out_w << " k" << r.kh << "x" << r.kw << " s" << r.sh << "x"
            << r.sw << " p" << r.pt << "," << r.pl << (r.fold ? " fold" : "")
            << (r.dw ? " dw" : "");
}
inline void sc_trace(sc_core::sc_trace_file*, const LayerRegs&, const std::string&) {}

// The controller's register widths (ICSC keeps C++ widths, and a 32-bit counter is a 32-bit adder):
// tile coordinates, channel and filter counts and buffer words fit 16 bits, element addresses of
// tensors 32, the requantization multiplier 16 (Fits and the static_asserts hold a layer to it).
using Dim = std::int16_t;
using Addr = std::int32_t;
using Mult = std::int16_t;
constexpr int kMaxDim = 32767;

// What the core's registers hold of a layer, at the controller's widths (Dim, Addr, Mult): a
// LayerRegs that passed RegsFit, with the layer's products formed by the host (core_tb.h
// CoreRegsOf). The core multiplies no 32-bit values: each product of a register was a
// multiplier of up to four DSP48E1 in the RTL (Yosys, issue 20).
struct CoreRegs {
  Dim in_c, in_h, in_w, out_c;
  Dim kh, kw, sh, sw, fold, fold_sw, taps;  // taps: kh x kw
  bool dw;
  Addr in_row_elems, out_row_elems;  // elements per input row (in_w x in_c), per output row
  Mult dsp_mult, lut_mult;
  std::uint8_t dsp_shift, lut_shift, act_bits;
  bool operator==(const CoreRegs& o) const {
    return in_c == o.in_c && in_h == o.in_h && in_w == o.in_w && out_c == o.out_c && kh == o.kh &&
           kw == o.kw && sh == o.sh && sw == o.sw && fold == o.fold && fold_sw == o.fold_sw &&
           taps == o.taps && dw == o.dw && in_row_elems == o.in_row_elems &&
           out_row_elems == o.out_row_elems && dsp_mult == o.dsp_mult && lut_mult == o.lut_mult &&
           dsp_shift == o.dsp_shift && lut_shift == o.lut_shift && act_bits == o.act_bits;
  }
};
inline std::ostream& operator<<(std::ostream& os, const CoreRegs& r) {
  return os << "in " << r.in_c << "x" << r.in_h << "x" << r.in_w << " out c " << r.out_c << " k"
            << r.kh << "x" << r.kw << (r.dw ? " dw" : "");
}
inline void sc_trace(sc_core::sc_trace_file*, const CoreRegs&, const std::string&) {}

// One schedule step: the shared input tile and each engine's filters. The step's filters are the
// output channels [ch0, ch0 + dsp_n + lut_n): the DSP engine's first, then the LUT engine's, so
// both engines' outputs of a pixel are one run of channels. Each engine's weights for the step
// are its pieces in the order it loads them, from element dsp_w / lut_w of the weight image
// (core_types.h, WeightImage).
struct StepCmd {
  int out_row0 = 0, out_rows = 0, out_col0 = 0, out_cols = 0;
  int in_ch0 = 0, in_chs = 0;  // channels the engines see (folded: fold x in_c from 0)
  int ch0 = 0, dsp_n = 0, lut_n = 0;
  std::uint32_t dsp_w = 0, lut_w = 0;
  bool first_chunk = true, last_chunk = true;
  bool operator==(const StepCmd& o) const {
    return out_row0 == o.out_row0 && out_rows == o.out_rows && out_col0 == o.out_col0 &&
           out_cols == o.out_cols && in_ch0 == o.in_ch0 && in_chs == o.in_chs && ch0 == o.ch0 &&
           dsp_n == o.dsp_n && lut_n == o.lut_n && dsp_w == o.dsp_w && lut_w == o.lut_w &&
           first_chunk == o.first_chunk && last_chunk == o.last_chunk;
  }
};
inline std::ostream& operator<<(std::ostream& os, const StepCmd& c) {
  return os << "rows " << c.out_row0 << "+" << c.out_rows << " cols " << c.out_col0 << "+"
            << c.out_cols << " ic " << c.in_ch0 << "+" << c.in_chs << " oc " << c.ch0 << " dsp "
            << c.dsp_n << " lut " << c.lut_n << (c.first_chunk ? " first" : "")
            << (c.last_chunk ? " last" : "");
}
inline void sc_trace(sc_core::sc_trace_file*, const StepCmd&, const std::string&) {}

// A step command as the core takes it: the StepCmd at the controller's widths with the step's
// window and first addresses formed by the host (core_tb.h CoreCmdOf), so that the controller
// has no multiplier for them.
struct CoreCmd {
  Dim out_rows, out_cols, in_ch0, in_chs, ch0, dsp_n, lut_n;
  Dim win_rows, win_cols, pixels;  // the input window: (out_rows - 1) x sh + kh, ...; pixels
  Dim row_step;                    // input words between output rows: sh x win_cols
  Dim iy0, x0;     // input row and column of the window's first word (negative: padding)
  Addr in_addr0;   // element address of input row iy0, column 0: iy0 x in_w x in_c
  Addr out_addr0;  // element address of the first output pixel: (row0 x out_w + col0) x out_c
  std::uint32_t dsp_w, lut_w;
  bool first_chunk, last_chunk;
  bool operator==(const CoreCmd& o) const {
    return out_rows == o.out_rows && out_cols == o.out_cols && in_ch0 == o.in_ch0 &&
           in_chs == o.in_chs && ch0 == o.ch0 && dsp_n == o.dsp_n && lut_n == o.lut_n &&
           win_rows == o.win_rows && win_cols == o.win_cols && pixels == o.pixels &&
           row_step == o.row_step && iy0 == o.iy0 && x0 == o.x0 && in_addr0 == o.in_addr0 &&
           out_addr0 == o.out_addr0 && dsp_w == o.dsp_w && lut_w == o.lut_w &&
           first_chunk == o.first_chunk && last_chunk == o.last_chunk;
  }
};
inline std::ostream& operator<<(std::ostream& os, const CoreCmd& c) {
  return os << "out @" << c.out_addr0 << " " << c.out_rows << "x" << c.out_cols << " ic "
            << c.in_ch0 << "+" << c.in_chs << " oc " << c.ch0 << " dsp " << c.dsp_n << " lut "
            << c.lut_n;
}
inline void sc_trace(sc_core::sc_trace_file*, const CoreCmd&, const std::string&) {}

// A load request: `count` consecutive elements from element address `addr` of the activation
// tensor (HWC) or of the weight image, answered by exactly one data beat whose lanes
// [lane0, lane0 + count) hold them and whose other lanes are zero (the DMA aligns the data, as an
// AXI DMA's realignment engine does). count = 0 asks for a zero beat (padding): the memory side
// answers it without touching DDR.
struct LoadReq {
  std::uint32_t addr = 0;
  std::uint16_t count = 0;
  std::uint16_t lane0 = 0;
  bool weights = false;
  bool operator==(const LoadReq& o) const {
    return addr == o.addr && count == o.count && lane0 == o.lane0 && weights == o.weights;
  }
};
inline std::ostream& operator<<(std::ostream& os, const LoadReq& r) {
  return os << (r.weights ? "w@" : "a@") << r.addr << "x" << r.count << "+" << r.lane0;
}
inline void sc_trace(sc_core::sc_trace_file*, const LoadReq&, const std::string&) {}

// A word of output activations: `count` consecutive channels of one pixel from element address
// `addr` of the output tensor (HWC), one lane each. An engine stores a word per cycle.
template <int N>
struct StoreWord {
  std::uint32_t addr = 0;
  std::uint16_t count = 0;
  std::uint8_t v[N];
  StoreWord() {
    for (int i = 0; i < N; ++i) v[i] = 0;
  }
  bool operator==(const StoreWord& o) const {
    bool eq = addr == o.addr && count == o.count;
    for (int i = 0; eq && i < N; ++i) eq = v[i] == o.v[i];
    return eq;
  }
};
template <int N>
std::ostream& operator<<(std::ostream& os, const StoreWord<N>& s) {
  return os << "@" << s.addr << "x" << s.count;
}
template <int N>
void sc_trace(sc_core::sc_trace_file*, const StoreWord<N>&, const std::string&) {}

}  // namespace msqx::accel
