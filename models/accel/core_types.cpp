#include "models/accel/core_types.h"

#include <stdexcept>

namespace msqx::accel {

bool LayerRegs::operator==(const LayerRegs& o) const {
  return in_c == o.in_c && in_h == o.in_h && in_w == o.in_w && out_c == o.out_c &&
         out_h == o.out_h && out_w == o.out_w && kernel == o.kernel && stride == o.stride &&
         padding == o.padding && depthwise == o.depthwise && act_bits == o.act_bits &&
         dsp_mult == o.dsp_mult && dsp_shift == o.dsp_shift && lut_mult == o.lut_mult &&
         lut_shift == o.lut_shift;
}
std::ostream& operator<<(std::ostream& os, const LayerRegs& r) {
  return os << "in " << r.in_c << "x" << r.in_h << "x" << r.in_w << " out " << r.out_c << "x"
            << r.out_h << "x" << r.out_w << " k" << r.kernel << " s" << r.stride << " p"
            << r.padding << (r.depthwise ? " dw" : "");
}
void sc_trace(sc_core::sc_trace_file*, const LayerRegs&, const std::string&) {}

bool StepCmd::operator==(const StepCmd& o) const {
  return out_row0 == o.out_row0 && out_rows == o.out_rows && out_col0 == o.out_col0 &&
         out_cols == o.out_cols && in_ch0 == o.in_ch0 && in_chs == o.in_chs &&
         dsp_ch0 == o.dsp_ch0 && dsp_n == o.dsp_n && lut_ch0 == o.lut_ch0 && lut_n == o.lut_n &&
         first_chunk == o.first_chunk && last_chunk == o.last_chunk;
}
std::ostream& operator<<(std::ostream& os, const StepCmd& c) {
  return os << "rows " << c.out_row0 << "+" << c.out_rows << " cols " << c.out_col0 << "+"
            << c.out_cols << " ic " << c.in_ch0 << "+" << c.in_chs << " dsp " << c.dsp_ch0 << "+"
            << c.dsp_n << " lut " << c.lut_ch0 << "+" << c.lut_n;
}
void sc_trace(sc_core::sc_trace_file*, const StepCmd&, const std::string&) {}

std::ostream& operator<<(std::ostream& os, const LoadReq& r) {
  return os << (r.weights ? "w@" : "a@") << r.addr << "x" << r.count;
}
void sc_trace(sc_core::sc_trace_file*, const LoadReq&, const std::string&) {}
std::ostream& operator<<(std::ostream& os, const StoreBeat& s) {
  return os << "@" << s.addr << "=" << int{s.value};
}
void sc_trace(sc_core::sc_trace_file*, const StoreBeat&, const std::string&) {}

LayerRegs RegsOf(const LayerShape& l, int act_bits) {
  LayerRegs r;
  r.in_c = l.in_channels;
  r.in_h = l.in_height;
  r.in_w = l.in_width;
  r.out_c = l.out_channels;
  r.out_h = l.out_height;
  r.out_w = l.out_width;
  r.kernel = l.kernel;
  r.stride = l.stride;
  r.padding = l.padding;
  r.depthwise = l.depthwise;
  r.act_bits = act_bits;
  return r;
}

std::vector<StepCmd> CommandsOf(const Schedule& s) {
  std::vector<StepCmd> cmds;
  for (const Tile& t : s.tiles) {
    if (cmds.size() <= static_cast<size_t>(t.step)) {
      StepCmd c;
      c.out_row0 = t.out_row0;
      c.out_rows = t.out_rows;
      c.out_col0 = t.out_col0;
      c.out_cols = t.out_cols;
      c.in_ch0 = t.in_ch0;
      c.in_chs = t.in_chs;
      c.first_chunk = t.first_chunk;
      c.last_chunk = t.last_chunk;
      cmds.push_back(c);
    }
    const std::vector<int>& list = t.engine == Engine::kDsp ? s.split.fixed : s.split.sp2;
    const int ch0 = list.at(t.filter0);
    for (int f = 1; f < t.filters; ++f) {
      if (list.at(t.filter0 + f) != ch0 + f) {
        throw std::invalid_argument("CommandsOf: a tile's filters are not consecutive channels");
      }
    }
    StepCmd& c = cmds.back();
    (t.engine == Engine::kDsp ? c.dsp_ch0 : c.lut_ch0) = ch0;
    (t.engine == Engine::kDsp ? c.dsp_n : c.lut_n) = t.filters;
  }
  return cmds;
}

}  // namespace msqx::accel
