#pragma once
// The cycle fidelity of the post-processing (vector) unit: max/avg pooling, residual adds and
// activations that are not fused into a conv/fc/add output path. Transaction level like the core:
// the layer runs in bands of the design's tile.out_rows output rows (full width, all channels;
// one band for global pooling); per band the DMA reads the input rows of every operand, the unit
// consumes `lanes` input elements per cycle (a pooling window costs its taps, an add its
// operands, an activation one element), and the band's output is written out (posted). With
// double buffering the next band's reads overlap this band's work. A sigmoid, hard-swish or SiLU
// is a table lookup per lane: the unit first loads the layer's table (FunctionTableEntries, one
// entry per cycle into every lane at once, beside the first band's reads). A concat whose inputs
// are not all written in place (tensor_plan.h) copies the others into its tensor by bands, one
// element per lane and cycle. docs/cycle.md.

#include <cstdint>
#include <vector>

#include "models/accel/layer_memory.h"
#include "models/spec/network.h"

namespace msqx::accel {

struct VectorUnit {
  int lanes = 16;
  int band_rows = 8;
  int channel_block = 32;  // DDR layout of activations (layer_memory.h)
  bool double_buffered = true;
  std::int64_t period_ps = 5000;
};

struct VectorTimes {
  std::int64_t start = 0, end = 0;  // end: last write complete
  std::int64_t busy = 0;            // cycles the unit worked
  std::int64_t wait_load = 0;       // cycles it waited for reads
  std::int64_t bytes_read = 0, bytes_written = 0;
  std::int64_t Cycles() const { return end - start; }
};

// Entries of the function table of a sigmoid, hard-swish or SiLU at `act_bits`: every input code
// up to 8 bits (256 entries), else the 64 segments of a piecewise-linear approximation that the
// lane's requantization multiplier evaluates.
std::int64_t FunctionTableEntries(int act_bits);
// Cycles before the first band can be worked: the table of a table function, else 0.
std::int64_t SetupCycles(const spec::Layer& layer);

// `inputs`: where each operand tensor starts in DDR (layer.inputs order); `output`: where the
// result goes.
VectorTimes TimeVectorLayer(const spec::Layer& layer, const VectorUnit& unit, mem::Dma& dma,
                            const std::vector<std::uint64_t>& inputs, std::uint64_t output,
                            std::int64_t start);

// A concat's copies: input k (at `inputs[k]`) is read and written into the concat's tensor (at
// `output`) at its channel offset when `copy[k]`; the others are there already.
VectorTimes TimeConcatCopy(const spec::Layer& layer, const VectorUnit& unit, mem::Dma& dma,
                           const std::vector<std::uint64_t>& inputs, const std::vector<bool>& copy,
                           std::uint64_t output, std::int64_t start);

}  // namespace msqx::accel
