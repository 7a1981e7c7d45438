#pragma once
// What the host checks before it runs a layer on a pin-level core instance (core.h): that the
// layer's registers fit the controller's widths and every step fits the instance's buffers, by
// the rules every model shares (step_cost.h). Host-side C++, never synthesized: kept out of the
// core's headers, which the subset scan holds to what the HLS tools translate.

#include <string>

#include "models/accel/core.h"
#include "models/accel/step_cost.h"

namespace msqx::accel {

// Empty when the layer's registers fit those widths, else the reason (AccelCore::Fits; the HLS
// export asks before it writes a project).
inline std::string RegsFit(const LayerRegs& r) {
  const int dims[6] = {r.in_c, r.in_h, r.in_w, r.out_c, r.out_h, r.out_w};
  for (int i = 0; i < 6; ++i) {
    if (dims[i] > kMaxDim)
      return "a layer dimension above " + std::to_string(kMaxDim) + " (the core's 16-bit Dim)";
  }
  const long long elems = static_cast<long long>(r.in_c) * r.in_h * r.in_w;
  const long long outs = static_cast<long long>(r.out_c) * r.out_h * r.out_w;
  if (elems > 0x7fffffffLL || outs > 0x7fffffffLL) return "a tensor above 2^31 elements";
  const int mults[2] = {r.dsp_mult, r.lut_mult};
  for (int i = 0; i < 2; ++i) {
    if (mults[i] > kMaxDim || mults[i] < -kMaxDim - 1)
      return "a requantization multiplier outside 16 bits";
  }
  // The storers shift a partial sum (at most 32 bits) times the multiplier: at most 48 bits.
  const int shifts[2] = {r.dsp_shift, r.lut_shift};
  for (int i = 0; i < 2; ++i) {
    if (shifts[i] < 0 || shifts[i] > 47) return "a requantization shift outside 0..47";
  }
  if (r.act_bits < 1 || r.act_bits > 8) return "activations outside 1..8 bits";
  return "";
}

// The instance's figures, as the models describe a core (step_cost.h).
template <typename Cfg>
CoreParams CoreParamsOf() {
  CoreParams p;
  p.geo.dsp_rows = AccelCore<Cfg>::Dsp::kR;
  p.geo.lut_rows = AccelCore<Cfg>::Lut::kR;
  p.geo.cols = Cfg::Dsp::kCols;
  p.geo.tile_ic = Cfg::kTileIc;
  p.geo.dsp_piece_rows = Cfg::Dsp::kPieceRows;
  p.geo.lut_piece_rows = Cfg::Lut::kPieceRows;
  p.geo.dsp_pack = Cfg::Dsp::kMacsPerDsp;
  p.geo.dw_k = AccelCore<Cfg>::kDwK;
  p.geo.in_banks = AccelCore<Cfg>::kInBanks;
  p.in_depth = Cfg::kInDepth;
  p.dsp_weight_depth = Cfg::kDspWeightDepth;
  p.lut_weight_depth = Cfg::kLutWeightDepth;
  p.dsp_out_depth = Cfg::kDspOutDepth;
  p.lut_out_depth = Cfg::kLutOutDepth;
  p.max_depth = Cfg::kMaxDepth;
  p.bram_latency = Cfg::kBramLatency;
  p.double_buffered = Cfg::kDoubleBuffered;
  return p;
}

// Empty when a command fits this instance's buffers and word widths, else the reason. Checked
// by whoever builds the command stream (the core itself trusts its host).
template <typename Cfg>
std::string CoreFits(const LayerRegs& r, const StepCmd& c) {
  const std::string regs_fit = RegsFit(r);
  if (!regs_fit.empty()) return regs_fit;
  if (r.act_bits > AccelCore<Cfg>::kActBits) {
    return "outputs of " + std::to_string(r.act_bits) + "-bit activations where the instance's " +
           "lanes and requantizers take " + std::to_string(AccelCore<Cfg>::kActBits);
  }
  if (r.fold > 0 && (c.in_ch0 != 0 || c.in_chs != r.fold * r.in_c)) {
    return "a folded layer's chunk is every channel of its pixel runs";
  }
  if (r.dw != 0 && (r.fold > 0 || c.in_ch0 != c.ch0 || !c.first_chunk || !c.last_chunk)) {
    return "a depthwise step's chunk is its channels, in one chunk";
  }
  StepLayer l;
  l.in_c = r.in_c;
  l.kh = r.kh;
  l.kw = r.kw;
  l.sh = r.sh;
  l.sw = r.sw;
  l.acc_depth = r.acc_depth;
  l.dw = r.dw != 0;
  StepDims s;
  s.out_rows = c.out_rows;
  s.out_cols = c.out_cols;
  s.in_chs = c.in_chs;
  s.dsp_n = c.dsp_n;
  s.lut_n = c.lut_n;
  const CoreParams p = CoreParamsOf<Cfg>();
  return Misfit(l, s, p, CostOf(l, s, p));
}

}  // namespace msqx::accel
