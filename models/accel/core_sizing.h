#pragma once
// How a design config (spec::DesignSpec) sizes one instance of the accelerator core: its geometry,
// buffer depths in words, its timing parameters, and the tile each layer runs with. The cycle
// fidelity checks every command with StepFits before timing it, and the HLS export instantiates
// the pin-level core (core.h CoreConfig) from the same figures, so both run the same machine.
//
// Word widths follow the pin-level core: an input word is tile.in_channels activations of one
// pixel; a weight word is one engine's piece (piece_rows x cols weights, piece_rows =
// tile.in_channels / cols, at most the rows: a load beat carries one piece); a partial-sum word is
// rows sums of the accumulator width. Capacities follow the resource model (dse/resource.cpp): the
// input buffer holds buffers.input_kib; the weight and output capacities are split between the
// engines by their rows; double buffering doubles each (the depths below are per half or bank).
// A buffer of words wider than 18 bits is at least 512 words deep (its BRAMs' depth).

#include <string>

#include "models/accel/core_types.h"
#include "models/accel/step_cost.h"
#include "models/spec/design.h"
#include "models/spec/network.h"

namespace msqx::accel {

// Longest dot product the core's partial sums are sized for when a network does not say
// (512 channels x 3 x 3).
inline constexpr long long kDefaultMaxDepth = 4608;

CoreGeometry GeometryOf(const spec::DesignSpec& design);

// Why the accelerator template cannot build `design` for these widths (the rules the pin-level
// core's static_asserts and Fits hold), as the design key to blame and what it needs; an empty
// key and reason when it can. The one source of these rules: the explorer marks a point invalid
// with it, the HLS export refuses with it, the cycle fidelity runs only what passes.
struct DesignMisfit {
  std::string key;     // dotted design key, e.g. "dsp_engine.rows"
  std::string reason;  // what it needs
  bool Fits() const { return reason.empty(); }
};
DesignMisfit TemplateMisfit(const spec::DesignSpec& design, int act_bits, int weight_bits,
                            long long max_depth);
// act_bits / weight_bits: the widths the core carries; max_depth: the longest dot product its
// partial sums hold.
// depthwise: the network has depthwise layers; without them the core leaves the depthwise mode
// out (window 1, one input-buffer bank) and pays nothing for it.
CoreParams SizingOf(const spec::DesignSpec& design, int act_bits, int weight_bits,
                    long long max_depth = kDefaultMaxDepth, bool depthwise = true);
// The instance a network runs on: the network's widest weights and activations and its longest
// dot product (every fidelity and the HLS export size the core this way). Throws
// spec::ConfigError naming the design key when the template cannot build it (TemplateMisfit).
CoreParams SizingOf(const spec::DesignSpec& design, const spec::NetworkSpec& network);
// Bits of a partial sum of each engine for a dot product of max_depth terms.
int DspAccBits(int weight_bits, int act_bits, long long max_depth);
int LutAccBits(int weight_bits, int act_bits, long long max_depth);

// Empty when the command fits the instance, else the reason (step_cost.h's Misfit, as
// AccelCore<Cfg>::Fits).
std::string StepFits(const CoreParams& core, const LayerRegs& regs, const StepCmd& cmd);
StepLayer StepLayerOf(const LayerRegs& regs);
StepDims StepDimsOf(const StepCmd& cmd);

// The tile a layer runs with: the design's tile (clipped to the layer), with as many row groups per
// step as tile.out_channels holds (at least one of each engine), shrunk until the layer's largest
// step fits the core's buffers. What shrinks is what overflowed: the spatial tile for the input
// window, the row groups and then the input chunk for the weights, the row groups and then the
// spatial tile for the partial sums. Every fidelity gets its tiles from here. Throws
// spec::ConfigError naming the design and the layer when even the smallest tile does not fit.
TilePlan TileFor(const LayerShape& shape, const spec::Layer& layer, const spec::DesignSpec& design,
                 const CoreParams& sizing);

}  // namespace msqx::accel
