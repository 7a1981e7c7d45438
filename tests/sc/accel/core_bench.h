#pragma once
// A layer case for the pin-level core's tests and benchmark: random activations and weight codes,
// the shared schedule, commands and weight image, and the golden output the stored tensor must
// equal. The testbench itself is models/accel/core_tb.h (shared with exported projects).

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/accel/core_fits.h"
#include "models/accel/core_sizing.h"
#include "models/accel/core_tb.h"
#include "models/accel/core_types.h"
#include "models/accel/golden.h"
#include "models/accel/layer_memory.h"

namespace msqx::accel::tb {

struct LayerCase {
  golden::ConvLayer layer;
  int act_bits = 4, weight_bits = 4;
  double fixed_share = 0.5;
  Schedule schedule;
  std::vector<StepCmd> cmds;
  LayerRegs regs;
  std::vector<std::uint8_t> acts, codes, image;
  std::vector<int> expected;
  bool IsFixed(int oc) const {
    for (const Step& s : schedule.steps) {
      if (oc >= s.ch0 && oc < s.ch0 + s.dsp_n + s.lut_n) return oc < s.ch0 + s.dsp_n;
    }
    return false;
  }
};

inline LayerShape ShapeOf(const golden::ConvLayer& l) {
  LayerShape s;
  s.in_channels = l.in_c;
  s.in_height = l.in_h;
  s.in_width = l.in_w;
  s.out_channels = l.out_c;
  s.out_height = l.OutH();
  s.out_width = l.OutW();
  s.kh = l.kh;
  s.kw = l.kw;
  s.sh = l.sh;
  s.sw = l.sw;
  s.pt = l.pt;
  s.pl = l.pl;
  s.depthwise = l.depthwise;
  return s;
}

// The case of layer `l` on a core of geometry `core`: folded when the core would fold it.
inline LayerCase MakeCase(const golden::ConvLayer& l, double fixed_share, const TilePlan& tile,
                          const CoreGeometry& core, std::mt19937& rng) {
  LayerCase c;
  c.layer = l;
  c.fixed_share = fixed_share;
  const LayerShape shape = WithFolding(ShapeOf(l), core);
  c.schedule = MakeSchedule(shape, tile, core, fixed_share);
  c.cmds = CommandsOf(c.schedule);
  c.regs = RegsOf(shape, c.act_bits);
  c.acts.resize(static_cast<size_t>(l.in_h) * l.in_w * l.in_c);
  for (auto& a : c.acts) a = static_cast<std::uint8_t>(rng() % (1u << c.act_bits));
  const size_t per_filter = static_cast<size_t>(l.kh) * l.kw * l.WeightIc();
  c.codes.resize(per_filter * l.out_c);
  std::vector<std::int64_t> w(c.codes.size());
  for (int oc = 0; oc < l.out_c; ++oc) {
    const bool is_fixed = c.IsFixed(oc);
    for (size_t i = 0; i < per_filter; ++i) {
      std::uint8_t code;
      if (is_fixed) {
        const int m = c.weight_bits;
        const int v = static_cast<int>(rng() % ((1u << m) - 1)) - ((1 << (m - 1)) - 1);
        code = static_cast<std::uint8_t>(v & ((1 << m) - 1));
        w[oc * per_filter + i] = golden::FixedWeight(code, m);
      } else {
        code = static_cast<std::uint8_t>(rng() % (1u << c.weight_bits));
        w[oc * per_filter + i] =
            golden::Sp2Weight(code, c.weight_bits / 2, (c.weight_bits - 1) / 2);
      }
      c.codes[oc * per_filter + i] = code;
    }
  }
  c.image = WeightImage(c.schedule, c.codes);
  const std::vector<std::int64_t> acc = golden::Conv(l, c.acts, w);
  // Requantization that maps a typical accumulator onto the activation range (ReLU cuts the rest).
  const long long depth = static_cast<long long>(l.WeightIc()) * l.kh * l.kw;
  int shift = 0;
  while ((1LL << shift) < depth * 4) ++shift;
  c.regs.dsp_mult = 3 + static_cast<int>(rng() % 13);
  c.regs.lut_mult = 3 + static_cast<int>(rng() % 13);
  c.regs.dsp_shift = shift;
  c.regs.lut_shift = shift + 1;
  c.expected.resize(acc.size());
  for (size_t i = 0; i < acc.size(); ++i) {
    const bool is_fixed = c.IsFixed(static_cast<int>(i % l.out_c));
    c.expected[i] = static_cast<int>(
        golden::Requantize(acc[i], is_fixed ? c.regs.dsp_mult : c.regs.lut_mult,
                           is_fixed ? c.regs.dsp_shift : c.regs.lut_shift, c.act_bits));
  }
  return c;
}

// The DDR model of layer_memory.h as the testbench's memory hook: a request's ready cycle is its
// segment's, segments walked in request order step by step.
class LayerMemoryHook : public MemoryHook {
 public:
  LayerMemoryHook(LayerMemory& memory, const std::vector<StepCmd>& cmds, const StepLayer& layer,
                  const CoreParams& core)
      : memory_(memory), cmds_(cmds), layer_(layer), core_(core) {}
  std::int64_t Taken(std::int64_t cycle) override {
    if (step_left_ == 0) {
      const StepCmd& c = cmds_.at(step_++);
      memory_.Load(c, cycle, segments_);
      step_left_ = CostOf(layer_, StepDimsOf(c), core_).items;
      seg_ = 0;
      seg_left_ = segments_.at(0).items;
    }
    while (seg_left_ == 0) seg_left_ = segments_.at(++seg_).items;
    --seg_left_;
    --step_left_;
    return segments_[seg_].ready;
  }
  void Stored(std::size_t step, std::int64_t cycle) override {
    memory_.Store(cmds_.at(step), cycle);
  }

 private:
  LayerMemory& memory_;
  const std::vector<StepCmd>& cmds_;
  StepLayer layer_;
  CoreParams core_;
  std::vector<LoadSegment> segments_;
  std::size_t step_ = 0, seg_ = 0;
  std::int64_t seg_left_ = 0, step_left_ = 0;
};

// Runs a case through the core. Throws if a command does not fit the instance.
template <typename Cfg>
std::unique_ptr<CoreBench<Cfg>> RunCase(const LayerCase& c, unsigned seed, Traffic t,
                                        MemoryHook* hook = nullptr) {
  for (const StepCmd& cmd : c.cmds) {
    const std::string why = CoreFits<Cfg>(c.regs, cmd);
    if (!why.empty()) throw std::invalid_argument(why);
  }
  auto tb = std::make_unique<CoreBench<Cfg>>("tb", seed, t);
  tb->hook = hook;
  tb->cmds = c.cmds;
  tb->acts = c.acts;
  tb->weights = c.image;
  tb->out.assign(c.expected.size(), -1);
  tb->Run(c.regs, 20'000'000);
  return tb;
}

}  // namespace msqx::accel::tb
