#include "dse/analytic.h"

#include <algorithm>
#include <cmath>

namespace msqx::dse {
namespace {

using spec::LayerKind;

std::int64_t CeilDiv(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }
std::int64_t Bytes(std::int64_t elements, int bits) { return (elements * bits + 7) / 8; }

// A loop of extent `extent` tiled by `tile`: `full` tiles of `tile` and at most one remainder.
struct TileClasses {
  std::int64_t full;
  std::int64_t tile;
  std::int64_t rest;  // size of the last tile, 0 when the extent divides evenly
};
TileClasses Classes(std::int64_t extent, std::int64_t tile) {
  tile = std::min(tile, extent);
  return {extent / tile, tile, extent % tile};
}

// Cycles for one engine to push `filters` (spread evenly over `groups`) through one output pixel:
// rows take filters of one group, cols take that group's input channels, one tap per cycle.
std::int64_t EngineCyclesPerPixel(std::int64_t filters, std::int64_t groups, std::int64_t cin_g,
                                  std::int64_t taps, int rows, int cols) {
  if (filters == 0) return 0;
  const std::int64_t q = filters / groups, larger = filters % groups;
  const std::int64_t row_passes = larger * CeilDiv(q + 1, rows) + (groups - larger) * CeilDiv(q, rows);
  return row_passes * CeilDiv(cin_g, cols) * taps;
}

int TreeDepth(int n) {
  int depth = 0;
  while ((1 << depth) < n) ++depth;
  return depth;
}

}  // namespace

MemoryRates RatesOf(const spec::DesignSpec& d) {
  const auto& dev = d.device;
  const double clock_hz = d.clock_mhz * 1e6;
  // DDR or the AXI ports, whichever is narrower, limits each direction.
  const double ports = d.dma.axi_ports * dev.axi.width_bits / 8.0 * dev.axi.clock_mhz * 1e6;
  const double peak = dev.ddr.peak_gbps * 1e9;
  MemoryRates r;
  r.read_bytes_per_cycle = std::min(peak * dev.ddr.efficiency.seq_read, ports) / clock_hz;
  r.write_bytes_per_cycle = std::min(peak * dev.ddr.efficiency.seq_write, ports) / clock_hz;
  r.latency_cycles = static_cast<std::int64_t>(std::ceil(dev.ddr.latency_ns * d.clock_mhz / 1e3));
  return r;
}

FilterSplit SplitFilters(const spec::DesignSpec& d, const spec::Layer& layer) {
  if (!layer.HasWeights()) return {};
  const int fixed = static_cast<int>(std::lround(layer.out_channels * d.ratio.FixedShare()));
  return {fixed, layer.out_channels - fixed};
}

AnalyticModel::AnalyticModel(const spec::DesignSpec& design, EngineTiming timing)
    : design_(design), timing_(timing), rates_(RatesOf(design)) {}

void AnalyticModel::Weighted(const spec::Layer& l, report::LayerStats& s) const {
  const auto& d = design_;
  const bool fc = l.kind == LayerKind::kFc;
  const std::int64_t groups = fc ? 1 : l.groups;
  const std::int64_t channels = fc ? l.in.Elements() : l.in.channels;
  const std::int64_t cin_g = channels / groups;
  const std::int64_t taps = fc ? 1 : std::int64_t{l.kernel} * l.kernel;
  const std::int64_t stride = fc ? 1 : l.stride, kernel = fc ? 1 : l.kernel;
  const FilterSplit split = SplitFilters(d, l);
  s.fixed_filters = split.fixed;
  s.sp2_filters = split.sp2;

  const std::int64_t dsp_px = EngineCyclesPerPixel(split.fixed, groups, cin_g, taps,
                                                   d.dsp_engine.rows, d.dsp_engine.cols);
  const std::int64_t lut_px = EngineCyclesPerPixel(split.sp2, groups, cin_g, taps,
                                                   d.lut_engine.rows, d.lut_engine.cols);
  const std::int64_t out_tiles = CeilDiv(l.out_channels, std::min(d.tile.out_channels, l.out_channels));
  const std::int64_t fill = std::max(
      split.fixed ? timing_.dsp_stages + TreeDepth(d.dsp_engine.cols) : 0,
      split.sp2 ? timing_.lut_stages + TreeDepth(d.lut_engine.cols) : 0);

  const std::int64_t weight_bytes = l.WeightBytes();
  const bool weights_resident = weight_bytes <= std::int64_t{d.buffers.weight_kib} * 1024;
  const std::int64_t in_height = fc ? 1 : l.in.height + 2 * l.padding;
  const std::int64_t in_width = fc ? 1 : l.in.width + 2 * l.padding;

  const TileClasses rows = Classes(fc ? 1 : l.out.height, d.tile.out_rows);
  const TileClasses cols = Classes(fc ? 1 : l.out.width, d.tile.out_cols);
  const std::int64_t row_sizes[2] = {rows.tile, rows.rest}, row_counts[2] = {rows.full, rows.rest ? 1 : 0};
  const std::int64_t col_sizes[2] = {cols.tile, cols.rest}, col_counts[2] = {cols.full, cols.rest ? 1 : 0};

  std::int64_t steady = 0, first_load = -1, last_store = 0;
  for (int r = 0; r < 2; ++r) {
    for (int c = 0; c < 2; ++c) {
      const std::int64_t count = row_counts[r] * col_counts[c];
      if (count == 0) continue;
      const std::int64_t pixels = row_sizes[r] * col_sizes[c];
      const std::int64_t in_rows = std::min(in_height, (row_sizes[r] - 1) * stride + kernel);
      const std::int64_t in_cols = std::min(in_width, (col_sizes[c] - 1) * stride + kernel);
      const std::int64_t in_bytes = Bytes(in_rows * in_cols * channels, l.act_bits);
      const bool input_resident = in_bytes <= std::int64_t{d.buffers.input_kib} * 1024;
      const std::int64_t loads = in_bytes * (input_resident ? 1 : out_tiles) +
                                 (weights_resident ? 0 : weight_bytes);
      const std::int64_t out_bytes = Bytes(pixels * l.out_channels, l.act_bits);

      const std::int64_t dsp = dsp_px * pixels, lut = lut_px * pixels;
      const std::int64_t compute = std::max(dsp, lut) + fill * out_tiles;
      const std::int64_t load = static_cast<std::int64_t>(std::ceil(loads / rates_.read_bytes_per_cycle)) +
                                rates_.latency_cycles;
      const std::int64_t store = static_cast<std::int64_t>(std::ceil(out_bytes / rates_.write_bytes_per_cycle));
      std::int64_t step;
      if (d.buffers.double_buffered) {
        step = std::max({compute, load, store});
        s.stall_load += count * std::max<std::int64_t>(0, load - std::max(compute, store));
        s.stall_store += count * std::max<std::int64_t>(0, store - std::max(compute, load));
      } else {
        step = load + compute + store;
        s.stall_load += count * load;
        s.stall_store += count * store;
      }
      steady += count * step;
      s.dsp_busy += count * dsp;
      s.lut_busy += count * lut;
      s.stall_fill += count * fill * out_tiles;
      s.bytes_read += count * loads;
      s.bytes_written += count * out_bytes;
      if (first_load < 0) first_load = load;
      last_store = store;
    }
  }
  // Resident weights are loaded once, before the first tile, and never overlap compute.
  std::int64_t weight_load = 0;
  if (weights_resident) {
    weight_load = static_cast<std::int64_t>(std::ceil(weight_bytes / rates_.read_bytes_per_cycle));
    s.bytes_read += weight_bytes;
  }
  // Double buffering overlaps everything but the first load and the last store.
  const std::int64_t prologue =
      weight_load + (d.buffers.double_buffered ? first_load + last_store : 0);
  s.stall_fill += prologue;
  s.cycles = steady + prologue;
  s.macs = l.Macs();
}

void AnalyticModel::Vector(const spec::Layer& l, report::LayerStats& s) const {
  const auto& d = design_;
  // The unit consumes `vector_lanes` input elements per cycle: a pooling window costs its taps,
  // an add its operands, an activation one element.
  std::int64_t work = l.out.Elements();
  if (l.kind == LayerKind::kMaxPool || l.kind == LayerKind::kAvgPool) {
    work = l.global ? l.in.Elements() : l.out.Elements() * l.kernel * l.kernel;
  } else if (l.kind == LayerKind::kAdd) {
    work = l.out.Elements() * static_cast<std::int64_t>(l.inputs.size());
  }
  s.vector_busy = CeilDiv(work, d.post.vector_lanes);
  s.bytes_read = l.InputBytes();
  s.bytes_written = l.OutputBytes();
  const std::int64_t memory =
      static_cast<std::int64_t>(std::ceil(s.bytes_read / rates_.read_bytes_per_cycle +
                                          s.bytes_written / rates_.write_bytes_per_cycle)) +
      rates_.latency_cycles;
  s.cycles = std::max(s.vector_busy, memory);
  s.stall_load = std::max<std::int64_t>(0, memory - s.vector_busy);
}

bool AnalyticModel::FusedIntoPrevious(const spec::NetworkSpec& n, std::size_t i) const {
  const spec::Layer& l = n.layers[i];
  if (!design_.post.fuse_activation || l.kind != LayerKind::kAct || i == 0) return false;
  const spec::Layer& prev = n.layers[i - 1];
  return l.inputs.front() == static_cast<int>(i - 1) &&
         (prev.kind == LayerKind::kConv || prev.kind == LayerKind::kFc || prev.kind == LayerKind::kAdd);
}

report::LayerStats AnalyticModel::EstimateLayer(const spec::NetworkSpec& n, std::size_t i) const {
  const spec::Layer& l = n.layers[i];
  report::LayerStats s;
  s.name = l.name;
  s.kind = spec::ToString(l.kind);
  if (FusedIntoPrevious(n, i)) {
    s.fused = true;  // applied in the producer's output path: no cycles, no traffic
  } else if (l.HasWeights()) {
    Weighted(l, s);
  } else {
    Vector(l, s);
  }
  return s;
}

report::RunStats AnalyticModel::Estimate(const spec::NetworkSpec& n) const {
  report::RunStats run;
  run.fidelity = "analytic";
  for (std::size_t i = 0; i < n.layers.size(); ++i) run.layers.push_back(EstimateLayer(n, i));
  return run;
}

std::int64_t AnalyticModel::Cycles(const spec::NetworkSpec& n) const {
  std::int64_t total = 0;
  for (std::size_t i = 0; i < n.layers.size(); ++i) {
    const spec::Layer& l = n.layers[i];
    report::LayerStats s;  // no name copied on this path
    if (FusedIntoPrevious(n, i)) continue;
    if (l.HasWeights()) {
      Weighted(l, s);
    } else {
      Vector(l, s);
    }
    total += s.cycles;
  }
  return total;
}

}  // namespace msqx::dse
