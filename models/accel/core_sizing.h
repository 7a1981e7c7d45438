#pragma once
// How a design config (spec::DesignSpec) sizes one instance of the accelerator core: its buffer
// depths in words, its timing parameters, and whether a layer's step commands fit it. The cycle
// fidelity checks every command with StepFits before timing it, and the HLS export instantiates
// the pin-level core (core.h CoreConfig) from the same figures, so both run the same machine.
//
// Word widths follow the pin-level core (core.h): an input word is tile.in_channels activations
// of one pixel; a weight word is one engine's rows x cols weights; a partial-sum word is rows
// 32-bit sums. Capacities follow the resource model (dse/resource.cpp): the input buffer holds
// buffers.input_kib per replica; the weight and output capacities are split between the engines
// by the fixed:SP2 share; double buffering doubles each (the depths below are per half). A buffer
// of words wider than 18 bits is at least 512 words deep (its BRAMs' depth, core_sizing.cpp).

#include <string>

#include "models/accel/core_types.h"
#include "models/accel/step_timing.h"
#include "models/spec/design.h"

namespace msqx::accel {

struct CoreSizing {
  int tile_ic = 1;  // channels per input word
  int act_bits = 4, weight_bits = 4;
  int in_depth = 0;          // input words per half
  int dsp_weight_depth = 0;  // weight words per half, DSP engine (0 when it has no lanes)
  int lut_weight_depth = 0;
  int dsp_out_depth = 0;  // partial-sum words per half
  int lut_out_depth = 0;
  long long max_depth = 0;  // longest dot product the accumulators are sized for
  CoreTiming timing;
};

// Bits of a partial sum in the output buffer (core.h: AccBus is 32-bit).
inline constexpr int kPartialSumBits = 32;
// Longest dot product the pin-level arrays are instantiated for (pe::cfg::DspArray: 4608 =
// 512 channels x 3 x 3); the accumulators of the exported core are sized for it.
inline constexpr long long kDefaultMaxDepth = 4608;

// act_bits / weight_bits: the widths of the layer being run (the network's).
CoreSizing SizingOf(const spec::DesignSpec& design, int act_bits, int weight_bits,
                    long long max_depth = kDefaultMaxDepth);
CoreTiming CoreTimingOf(const spec::DesignSpec& design);

// Empty when the command fits the instance, else the reason (the same rules as
// AccelCore<Cfg>::Fits, with per-engine depths).
std::string StepFits(const CoreSizing& core, const LayerRegs& regs, const StepCmd& cmd);

// The tile a layer runs with: the design's tile (clipped to the layer), shrunk until the largest
// step of the layer fits the core's buffers. The controller does this per layer, so a design
// whose tile suits the large layers still runs the others. Shrinking halves the larger of
// out_rows/out_cols until both are 1, then out_channels, then in_channels. Every fidelity gets
// its tiles from here (MakeSchedule(layer, design)). Throws spec::ConfigError naming the design
// and the layer when even a 1x1x1x1 tile does not fit.
spec::TileSpec TileFor(const spec::Layer& layer, const spec::DesignSpec& design);
// The same with the layer's shape and the core's sizing at hand (the analytic model's path).
spec::TileSpec TileFor(const LayerShape& shape, const spec::Layer& layer,
                       const spec::DesignSpec& design, const CoreSizing& sizing);

}  // namespace msqx::accel
