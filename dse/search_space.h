#pragma once
// The explorer's search space (spec::SearchSpec) applied to a base design. Stage 1 varies the
// engines: columns, total rows split between the engines by the design's ratio (so both finish a
// step together), the input word (tile.in_channels) and DSP packing, on a memory side scaled
// with the lanes. Stage 2 varies the memory side of the best shapes: output tile, row groups per
// step, buffer capacity, single or double buffering, AXI ports, burst length and clock.
// Candidates are changes to a spec::DesignSpec: no JSON on the path a sweep takes per point.

#include <vector>

#include "models/spec/design.h"
#include "sim/spec/sweep.h"

namespace msqx::dse {

struct EngineShape {
  int cols = 0;
  int tile_ic = 0;  // tile.in_channels: the input word, a multiple of cols
  int dsp_rows = 0;
  int lut_rows = 0;
  int macs_per_dsp = 1;
  bool operator==(const EngineShape& o) const {
    return cols == o.cols && tile_ic == o.tile_ic && dsp_rows == o.dsp_rows &&
           lut_rows == o.lut_rows && macs_per_dsp == o.macs_per_dsp;
  }
};

// The shapes for the base's ratio, in the order of the search's lists. Total rows R split as
// round(R x fixed share) DSP rows (even when two products share a DSP) and the rest LUT rows;
// a split that leaves an engine the ratio uses without rows is skipped, as is packing for a
// design without DSP rows, and each shape comes once.
std::vector<EngineShape> EngineShapes(const spec::SearchSpec& search, const spec::DesignSpec& base);

// `d` = `base` with the shape: engines, tile.in_channels, tile.out_channels at the base's row
// groups per step, weight and partial-sum buffers scaled with the lanes and the input buffer with
// the input word (so that a larger array is not starved by the base's buffers).
void ApplyShape(const spec::DesignSpec& base, const EngineShape& shape, spec::DesignSpec& d);

struct MemoryChoice {
  int out_rows = 0;
  int out_cols = 0;
  int row_groups = 1;  // tile.out_channels = rows x this
  double buffer_scale = 1;
  bool double_buffered = true;
  int axi_ports = 1;
  int burst_beats = 16;
  double clock_mhz = 0;
};

// Every combination of the search's memory lists on this device, in a fixed order: AXI ports
// beyond the device's, bursts beyond its AXI limit and clocks outside its range are left out; no
// clock list means the device's highest clock.
std::vector<MemoryChoice> MemoryChoices(const spec::SearchSpec& search,
                                        const spec::DeviceSpec& device);

// `d` = `shaped` (a design ApplyShape made) with the memory choice.
void ApplyMemory(const spec::DesignSpec& shaped, const MemoryChoice& m, spec::DesignSpec& d);

}  // namespace msqx::dse
