#pragma once
// The cycle fidelity of the post-processing (vector) unit: max/avg pooling, residual adds and
// activations that are not fused into a conv/fc/add output path. Transaction level like the core:
// the layer runs in bands of the design's tile.out_rows output rows (full width, all channels;
// one band for global pooling); per band the DMA reads the input rows of every operand, the unit
// consumes `lanes` input elements per cycle (a pooling window costs its taps, an add its
// operands, an activation one element), and the band's output is written out (posted). With
// double buffering the next band's reads overlap this band's work. docs/cycle.md.

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

// `inputs`: where each operand tensor starts in DDR (layer.inputs order); `output`: where the
// result goes.
VectorTimes TimeVectorLayer(const spec::Layer& layer, const VectorUnit& unit, mem::Dma& dma,
                            const std::vector<std::uint64_t>& inputs, std::uint64_t output,
                            std::int64_t start);

}  // namespace msqx::accel
