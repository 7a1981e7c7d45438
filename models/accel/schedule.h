#pragma once
// The tile schedule: the one function that decides the order in which a layer's steps run and
// which filters each engine computes in each. The pin-level core, the cycle fidelity and the
// analytic model all consume it, so that they run exactly the same steps.
//
// Loop order (outermost first):
//   for each output-row tile      (tile.out_rows rows, the last one may be shorter)
//    for each output-column tile  (tile.out_cols columns)
//     for each filter step        (a step's filters: ogs row groups of each engine, below)
//      for each input-channel chunk (tile.in_chs channels)            <- one step
// Both engines work on every step at once, on one broadcast input word per cycle; partial sums
// live in the engines' partial-sum buffers from the first to the last chunk.
//
// Filter steps (FiltersPerStep): a step holds F filters, round(F x fixed share) on the DSP engine
// and the rest on the LUT engine, F the largest count whose split fits `ogs` row groups of each
// engine; the step's filters are consecutive output channels, the DSP engine's first. So the rows
// are used whatever tile the design names, and the split follows the design's ratio in every step.
//
// Depthwise conv: output channel c reads only input channel c. A step is a chunk of channels, each
// its own filter, split between the engines by the ratio (DwFiltersPerStep: `ogs` row groups of
// each engine, a channel per row, per DSP when packed, all of the chunk in one input word); there
// is no accumulation over chunks (first = last chunk). The lanes hold the taps (docs/design.md,
// "Depthwise").
//
// Folding (LayerShape::fold): a layer with few input channels and a wide kernel runs with its
// kernel columns folded into the channels: the engines see a kh x 1 window over fold x in_c
// channels, one window column per output column, and the loader reads runs of `fold` pixels.
// Exact: the folded channel kx x in_c + c is OHWI's (kx, c), so the weights stay as they are.
//
// Fully connected layers are 1x1 convolutions of a 1x1 input with in.Elements() channels.

#include <cstdint>
#include <vector>

#include "models/accel/step_cost.h"
#include "models/spec/design.h"
#include "models/spec/network.h"

namespace msqx::accel {

// The shape facts the schedule and the models need, derived from spec::Layer: the layer as the
// engines compute it (folded or not) and as the loader reads it.
struct LayerShape {
  int in_channels = 0;  // of the input tensor
  int in_height = 0;
  int in_width = 0;
  int out_channels = 0;
  int out_height = 0;
  int out_width = 0;
  int kh = 1, kw = 1, sh = 1, sw = 1, pt = 0, pl = 0;  // the layer's window
  bool depthwise = false;
  int fold = 0;  // > 0: kernel columns folded into channels (the engines' kw = 1)

  // conv and fc only; grouped convs other than depthwise throw spec::ConfigError.
  static LayerShape FromLayer(const spec::Layer& layer);
  // The engines' view: channels of a window word, window and strides along the columns.
  int ComputeChannels() const { return fold > 0 ? fold * in_channels : in_channels; }
  int ComputeKw() const { return fold > 0 ? 1 : kw; }
  int ComputeSw() const { return fold > 0 ? 1 : sw; }
  int Taps() const { return kh * ComputeKw(); }
  // The engines' view as the step costs take it.
  StepLayer Compute() const;
  // Reduction length of one output (in_channels * kh * kw, or kh * kw when depthwise).
  std::int64_t AccumulationDepth() const;
};

// Folds the kernel columns of `shape` into its channels when that fills more of the array's
// columns and the folded channels fit one input word (schedule.h, "Folding").
LayerShape WithFolding(LayerShape shape, const CoreGeometry& core);

// Filters of one step on each engine (one function for every model and the sizing).
struct StepFilters {
  int dsp = 0;
  int lut = 0;
  int Total() const { return dsp + lut; }
};
// The largest step: F filters split round(F x share) : rest, both shares within `ogs` row groups.
StepFilters FiltersPerStep(int ogs, const CoreGeometry& core, double fixed_share);
// The split of a step holding `filters` filters (the last filter step may hold fewer).
StepFilters SplitStep(int filters, int ogs, const CoreGeometry& core, double fixed_share);
// Depthwise: the same for channels, a channel per row of `ogs` row groups (per DSP when packed),
// at most an input word of them.
StepFilters DwFiltersPerStep(int ogs, const CoreGeometry& core, double fixed_share);
StepFilters DwSplitStep(int channels, int ogs, const CoreGeometry& core, double fixed_share);

// A layer's tile: the spatial tile, the row groups of a step and the input chunk.
struct TilePlan {
  int out_rows = 1, out_cols = 1;
  int ogs = 1;     // row groups of each engine per step
  int in_chs = 1;  // compute channels per chunk (depthwise: at most DwFiltersPerStep(ogs))
};

struct Step {
  int out_row0 = 0, out_rows = 0;
  int out_col0 = 0, out_cols = 0;
  int in_ch0 = 0, in_chs = 0;
  int ch0 = 0, dsp_n = 0, lut_n = 0;  // filters [ch0, ch0 + dsp_n) DSP, then the LUT's
  int filter_step = 0, chunk = 0;     // which weights (WeightImage's blocks)
  bool first_chunk = true, last_chunk = true;
};

struct Schedule {
  LayerShape layer;
  TilePlan tile;
  CoreGeometry core;
  std::vector<StepFilters> filter_steps;  // per filter step: its split; ch0 = sum of the earlier
  int chunks = 1;
  std::vector<Step> steps;  // in execution order
  int FixedFilters() const;
};

// Throws spec::ConfigError for a non-positive tile or an unsupported layer.
Schedule MakeSchedule(const LayerShape& layer, const TilePlan& tile, const CoreGeometry& core,
                      double fixed_share);
// The layer's schedule on a design's core (SizingOf): its shape with folding and the tile TileFor
// picks (core_sizing.h).
Schedule MakeSchedule(const spec::Layer& layer, const spec::DesignSpec& design,
                      const CoreParams& sizing);

}  // namespace msqx::accel
