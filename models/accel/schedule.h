#pragma once
// The tile schedule: the one function that decides the order in which a layer's tiles are
// visited and which filters each engine computes. The pin-level core, the cycle-level model and the
// analytic model all consume it, so that they visit exactly the same tiles.
//
// Loop order (outermost first):
//   for each output-row tile      (tile.out_rows rows, the last one may be shorter)
//    for each output-column tile  (tile.out_cols columns)
//     for each output-channel step (regular conv / fc; see below)
//      for each input-channel chunk (tile.in_channels channels)      <- one "step"
//        the DSP engine's tile, then the LUT engine's tile (an engine with no filter is skipped)
// Both tiles of a step share one input tile (same rows, columns and input channels) and run at
// the same time; partial sums live in the output buffer from the first to the last chunk.
//
// Output-channel steps: S = ceil(out_channels / tile.out_channels). Step s gives the DSP engine
// fixed filters [s * ceil(nf / S), ...) and the LUT engine SP2 filters [s * ceil(ns / S), ...),
// so both engines advance through their own filter lists in the same number of steps.
//
// Depthwise conv: output channel c reads only input channel c, so there is no accumulation over
// chunks. The channel loop is one loop over chunks of tile.in_channels channels; a step gives each
// engine those of its filters whose channel lies in the chunk (first_chunk = last_chunk = true).
//
// Fully connected layers are 1x1 convolutions of a 1x1 input with in.Elements() channels.

#include <vector>

#include "models/spec/design.h"
#include "models/spec/network.h"

namespace msqx::accel {

// The shape facts the schedule and the models need, derived from spec::Layer.
struct LayerShape {
  int in_channels = 0;
  int in_height = 0;
  int in_width = 0;
  int out_channels = 0;
  int out_height = 0;
  int out_width = 0;
  int kernel = 1;
  int stride = 1;
  int padding = 0;
  bool depthwise = false;

  // conv and fc only; grouped convs other than depthwise throw spec::ConfigError.
  static LayerShape FromLayer(const spec::Layer& layer);
  // Reduction length of one output (in_channels * kernel^2, or kernel^2 when depthwise).
  long long AccumulationDepth() const;
};

// Output channels of each group, ascending. Fixed-point filters go to the DSP engine, SP2
// filters to the LUT engine.
struct FilterSplit {
  std::vector<int> fixed;
  std::vector<int> sp2;
};

// fixed count = round(out_channels * fixed_share). Without a ranking the fixed filters are the
// first channels; a ranking lists channels in order of preference for fixed point (largest
// variance first) and must be a permutation of 0..out_channels-1 (std::invalid_argument otherwise).
FilterSplit SplitFilters(int out_channels, double fixed_share,
                         const std::vector<int>& ranking = {});

enum class Engine { kDsp, kLut };

struct Tile {
  int step = 0;  // tiles of one step share the input tile and run concurrently
  Engine engine = Engine::kDsp;
  int out_row0 = 0, out_rows = 0;
  int out_col0 = 0, out_cols = 0;
  int in_ch0 = 0, in_chs = 0;
  int filter0 = 0, filters = 0;  // range in the engine's list (FilterSplit::fixed or ::sp2)
  bool first_chunk = true;       // partial sums start here
  bool last_chunk = true;        // partial sums are complete after this tile

  // Input rows/columns this tile reads, including padding positions (which may be < 0 or past
  // the edge).
  int InRow0(const LayerShape& l) const { return out_row0 * l.stride - l.padding; }
  int InRows(const LayerShape& l) const { return (out_rows - 1) * l.stride + l.kernel; }
  int InCol0(const LayerShape& l) const { return out_col0 * l.stride - l.padding; }
  int InCols(const LayerShape& l) const { return (out_cols - 1) * l.stride + l.kernel; }
};

struct Schedule {
  LayerShape layer;
  FilterSplit split;
  int steps = 0;
  std::vector<Tile> tiles;  // in execution order
};

// Throws spec::ConfigError for non-positive tile sizes or an unsupported layer.
Schedule MakeSchedule(const LayerShape& layer, const spec::TileSpec& tile,
                      const FilterSplit& split);
// The layer's schedule on a design: tiles from TileFor (core_sizing.h), which shrinks the
// design's tile until the layer's steps fit the buffers.
Schedule MakeSchedule(const spec::Layer& layer, const spec::DesignSpec& design,
                      const std::vector<int>& ranking = {});

}  // namespace msqx::accel
