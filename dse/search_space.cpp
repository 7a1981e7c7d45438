#include "dse/search_space.h"

#include <algorithm>
#include <cmath>

namespace msqx::dse {
namespace {

int Rows(const spec::DesignSpec& d) {
  return (d.dsp_engine.cols > 0 ? d.dsp_engine.rows : 0) +
         (d.lut_engine.cols > 0 ? d.lut_engine.rows : 0);
}

int Cols(const spec::DesignSpec& d) {
  return d.dsp_engine.rows > 0 && d.dsp_engine.cols > 0 ? d.dsp_engine.cols : d.lut_engine.cols;
}

// KiB scaled by `factor`, at least 1.
int Scaled(int kib, double factor) {
  return static_cast<int>(std::clamp(std::lround(kib * factor), 1L, 1L << 20));
}

}  // namespace

std::vector<EngineShape> EngineShapes(const spec::SearchSpec& search,
                                      const spec::DesignSpec& base) {
  const double share = base.ratio.FixedShare();
  const bool fixed = base.ratio.fixed > 0, sp2 = base.ratio.sp2 > 0;
  std::vector<EngineShape> shapes;
  for (int cols : search.cols) {
    for (int per_col : search.channels_per_col) {
      for (int rows : search.rows) {
        for (int packing : search.macs_per_dsp) {
          if (!fixed && packing != search.macs_per_dsp.front()) continue;  // no DSP rows to pack
          EngineShape s;
          s.cols = cols;
          s.tile_ic = cols * per_col;
          s.macs_per_dsp = fixed ? packing : 1;
          const int granule = s.macs_per_dsp == 2 ? 2 : 1;
          s.dsp_rows = !fixed ? 0
                       : !sp2 ? rows
                              : static_cast<int>(std::lround(rows * share / granule)) * granule;
          s.lut_rows = rows - s.dsp_rows;
          if (fixed && (s.dsp_rows < granule || s.dsp_rows % granule != 0)) continue;
          if (sp2 && s.lut_rows < 1) continue;
          if (std::find(shapes.begin(), shapes.end(), s) == shapes.end()) shapes.push_back(s);
        }
      }
    }
  }
  return shapes;
}

void ApplyShape(const spec::DesignSpec& base, const EngineShape& shape, spec::DesignSpec& d) {
  d.dsp_engine.rows = shape.dsp_rows;
  d.dsp_engine.cols = shape.dsp_rows > 0 ? shape.cols : 0;
  d.dsp_engine.macs_per_dsp = shape.macs_per_dsp;
  d.lut_engine.rows = shape.lut_rows;
  d.lut_engine.cols = shape.lut_rows > 0 ? shape.cols : 0;
  d.tile.in_channels = shape.tile_ic;
  const int base_rows = std::max(1, Rows(base));
  const int rows = shape.dsp_rows + shape.lut_rows;
  const int row_groups = std::max(1, base.tile.out_channels / base_rows);
  d.tile.out_channels = rows * row_groups;
  const double lanes = static_cast<double>(rows) * shape.cols /
                       (static_cast<double>(base_rows) * std::max(1, Cols(base)));
  d.buffers.weight_kib = Scaled(base.buffers.weight_kib, lanes);
  d.buffers.output_kib = Scaled(base.buffers.output_kib, static_cast<double>(rows) / base_rows);
  d.buffers.input_kib = Scaled(base.buffers.input_kib, static_cast<double>(shape.tile_ic) /
                                                           std::max(1, base.tile.in_channels));
}

std::vector<MemoryChoice> MemoryChoices(const spec::SearchSpec& search,
                                        const spec::DeviceSpec& device) {
  std::vector<double> clocks;
  for (double c : search.clock_mhz) {
    if (c >= device.clock_mhz_min && c <= device.clock_mhz_max) clocks.push_back(c);
  }
  if (search.clock_mhz.empty()) clocks.push_back(device.clock_mhz_max);
  std::vector<MemoryChoice> out;
  for (int out_rows : search.out_rows) {
    for (int out_cols : search.out_cols) {
      for (int groups : search.row_groups) {
        for (double scale : search.buffer_scale) {
          for (bool db : search.double_buffered) {
            for (int ports : search.axi_ports) {
              if (ports > device.axi.ports) continue;
              for (int burst : search.burst_beats) {
                if (burst > device.axi.max_burst_beats) continue;
                for (double clock : clocks) {
                  out.push_back({out_rows, out_cols, groups, scale, db, ports, burst, clock});
                }
              }
            }
          }
        }
      }
    }
  }
  return out;
}

void ApplyMemory(const spec::DesignSpec& shaped, const MemoryChoice& m, spec::DesignSpec& d) {
  d.tile.out_rows = m.out_rows;
  d.tile.out_cols = m.out_cols;
  d.tile.out_channels = std::max(1, Rows(shaped)) * m.row_groups;
  d.buffers.input_kib = Scaled(shaped.buffers.input_kib, m.buffer_scale);
  d.buffers.weight_kib = Scaled(shaped.buffers.weight_kib, m.buffer_scale);
  d.buffers.output_kib = Scaled(shaped.buffers.output_kib, m.buffer_scale);
  d.buffers.double_buffered = m.double_buffered;
  d.dma.axi_ports = m.axi_ports;
  d.dma.burst_beats = m.burst_beats;
  d.clock_mhz = m.clock_mhz;
}

}  // namespace msqx::dse
