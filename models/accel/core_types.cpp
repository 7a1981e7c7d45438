#include "models/accel/core_types.h"

#include <algorithm>
#include <stdexcept>

#include "models/accel/weight_image.h"
#include "models/util/int_math.h"

namespace msqx::accel {

LayerRegs RegsOf(const LayerShape& l, int act_bits) {
  LayerRegs r;
  r.in_c = l.in_channels;
  r.in_h = l.in_height;
  r.in_w = l.in_width;
  r.out_c = l.out_channels;
  r.out_h = l.out_height;
  r.out_w = l.out_width;
  r.kh = l.kh;
  r.kw = l.ComputeKw();
  r.sh = l.sh;
  r.sw = l.ComputeSw();
  r.pt = l.pt;
  r.pl = l.fold > 0 ? 0 : l.pl;
  r.fold = l.fold;
  r.fold_sw = l.fold > 0 ? l.sw : 1;
  r.fold_pl = l.fold > 0 ? l.pl : 0;
  r.dw = l.depthwise ? 1 : 0;
  r.acc_depth = static_cast<int>(std::min<std::int64_t>(l.AccumulationDepth(), 1 << 30));
  r.act_bits = act_bits;
  return r;
}

namespace {

struct EngineDims {
  int rows, piece_rows;
};
EngineDims DimsOf(const CoreGeometry& core, bool dsp) {
  return dsp ? EngineDims{core.dsp_rows, core.dsp_piece_rows}
             : EngineDims{core.lut_rows, core.lut_piece_rows};
}

}  // namespace

std::int64_t PieceElements(const Step& s, const LayerShape& l, const CoreGeometry& core, bool dsp) {
  const int n = dsp ? s.dsp_n : s.lut_n;
  if (n == 0) return 0;
  const EngineDims e = DimsOf(core, dsp);
  // Depthwise: a channel per row (per DSP when packed), one block per tap group.
  const bool dw_dsp = l.depthwise && dsp;
  const std::int64_t per_group =
      l.depthwise ? DwTapGroups(l.kh, l.kw, core.dw_k) : CeilDiv(s.in_chs, core.cols) * l.Taps();
  return PiecesOfEngine(n, dw_dsp ? core.DspDwSlots() : e.rows, dw_dsp ? core.dsp_pack : 1, e.rows,
                        e.piece_rows, per_group) *
         e.piece_rows * core.cols;
}

std::int64_t WeightImageElements(const Schedule& s) {
  const std::size_t blocks = s.filter_steps.size() * s.chunks;
  std::vector<bool> placed(blocks, false);
  std::int64_t total = 0;
  for (const Step& st : s.steps) {
    const std::size_t b = static_cast<std::size_t>(st.filter_step) * s.chunks + st.chunk;
    if (placed[b]) continue;
    placed[b] = true;
    total += PieceElements(st, s.layer, s.core, true) + PieceElements(st, s.layer, s.core, false);
  }
  return total;
}

std::vector<StepCmd> CommandsOf(const Schedule& s) {
  // Where each filter step and chunk's block of the image starts (first spatial tile's steps).
  const std::size_t blocks = s.filter_steps.size() * s.chunks;
  std::vector<std::uint32_t> dsp_at(blocks), lut_at(blocks);
  std::vector<bool> placed(blocks, false);
  std::uint64_t next = 0;
  for (const Step& st : s.steps) {
    const std::size_t b = static_cast<std::size_t>(st.filter_step) * s.chunks + st.chunk;
    if (placed[b]) continue;
    placed[b] = true;
    dsp_at[b] = static_cast<std::uint32_t>(next);
    next += PieceElements(st, s.layer, s.core, true);
    lut_at[b] = static_cast<std::uint32_t>(next);
    next += PieceElements(st, s.layer, s.core, false);
    if (next > 0xffffffffULL) throw std::invalid_argument("CommandsOf: weight image above 4 G");
  }
  std::vector<StepCmd> cmds;
  cmds.reserve(s.steps.size());
  for (const Step& st : s.steps) {
    const std::size_t b = static_cast<std::size_t>(st.filter_step) * s.chunks + st.chunk;
    StepCmd c;
    c.out_row0 = st.out_row0;
    c.out_rows = st.out_rows;
    c.out_col0 = st.out_col0;
    c.out_cols = st.out_cols;
    c.in_ch0 = st.in_ch0;
    c.in_chs = st.in_chs;
    c.ch0 = st.ch0;
    c.dsp_n = st.dsp_n;
    c.lut_n = st.lut_n;
    c.dsp_w = dsp_at[b];
    c.lut_w = lut_at[b];
    c.first_chunk = st.first_chunk;
    c.last_chunk = st.last_chunk;
    cmds.push_back(c);
  }
  return cmds;
}

std::vector<std::uint8_t> WeightImage(const Schedule& s, const std::vector<std::uint8_t>& codes) {
  ImageLayer l;
  l.in_c = s.layer.in_channels;
  l.kh = s.layer.kh;
  l.kw = s.layer.kw;
  l.fold = s.layer.fold;
  l.depthwise = s.layer.depthwise;
  ImageGeometry g;
  g.dsp_rows = s.core.dsp_rows;
  g.lut_rows = s.core.lut_rows;
  g.cols = s.core.cols;
  g.dsp_piece_rows = s.core.dsp_piece_rows;
  g.lut_piece_rows = s.core.lut_piece_rows;
  g.dsp_pack = s.core.dsp_pack;
  g.dw_k = s.core.dw_k;
  return BuildWeightImage(CommandsOf(s), l, g, codes);
}

}  // namespace msqx::accel
