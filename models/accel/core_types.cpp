#include "models/accel/core_types.h"

#include <stdexcept>

namespace msqx::accel {

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
