#include "dse/analytic.h"

#include <algorithm>
#include <cmath>

#include "models/accel/core_sizing.h"
#include "models/accel/layer_memory.h"
#include "models/accel/schedule.h"
#include "models/accel/vector_timing.h"

namespace msqx::dse {
namespace {

using spec::LayerKind;

std::int64_t CeilDiv(std::int64_t a, std::int64_t b) { return b > 0 ? (a + b - 1) / b : 0; }
constexpr int kMaxChannelClasses = 16;  // 5 filter-split segments x 3 chunk classes at most
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

// A class of steps that cost the same: `count` of them, their input chunk and each engine's
// filters, and whether they open or close their output tile.
struct ChannelClass {
  std::int64_t count = 0;
  int in_chs = 0, dsp_n = 0, lut_n = 0;
  bool first = true, last = true;
  std::int64_t per_tile = 1;  // steps of this class in one output tile
};

// The schedule's channel loops (accel::MakeSchedule) as classes: per output-channel step each
// engine takes ceil(F_e / steps) filters until its list runs out (ChunkRange), input channels in
// chunks of the tile; depthwise layers take one chunk of channels per step, each engine the
// chunk's channels in its list (the first `fixed` channels are fixed-point).
int ChannelClassesOf(const accel::LayerShape& l, const spec::TileSpec& t, int fixed,
                     ChannelClass* out) {
  int n = 0;
  const int chunks = static_cast<int>(CeilDiv(l.in_channels, t.in_channels));
  const int rest = l.in_channels - (chunks - 1) * t.in_channels;
  if (l.depthwise) {
    // Chunks all fixed-point, one straddling the split, all SP2, the partial last one: equal
    // neighbours share a class, so there are at most four whatever the channel count.
    for (int c = 0; c < chunks; ++c) {
      const int c0 = c * t.in_channels, chs = c == chunks - 1 ? rest : t.in_channels;
      const int dsp = std::clamp(fixed - c0, 0, chs);
      if (n > 0 && out[n - 1].in_chs == chs && out[n - 1].dsp_n == dsp) {
        ++out[n - 1].count;
      } else {
        out[n++] = {1, chs, dsp, chs - dsp, true, true, 1};
      }
    }
    return n;
  }
  const int steps = static_cast<int>(CeilDiv(l.out_channels, t.out_channels));
  const int sp2 = l.out_channels - fixed;
  const int chunk_d = static_cast<int>(CeilDiv(fixed, steps)),
            chunk_l = static_cast<int>(CeilDiv(sp2, steps));
  const auto filters = [](int count, int chunk, int s) {
    const int first = std::min(count, s * chunk);
    return std::min(count, first + chunk) - first;
  };
  // Output-channel steps where either engine's share changes: each engine has full chunks, at
  // most one partial one, then none.
  int cuts[6] = {0, steps, 0, 0, 0, 0};
  int ncuts = 2;
  for (int b : {chunk_d ? fixed / chunk_d : 0, chunk_d ? fixed / chunk_d + 1 : 0,
                chunk_l ? sp2 / chunk_l : 0, chunk_l ? sp2 / chunk_l + 1 : 0}) {
    if (b > 0 && b < steps) cuts[ncuts++] = b;
  }
  for (int i = 1; i < ncuts; ++i) {  // insertion sort (std::sort trips -Warray-bounds on 6 ints)
    for (int j = i; j > 0 && cuts[j - 1] > cuts[j]; --j) std::swap(cuts[j - 1], cuts[j]);
  }
  for (int i = 0; i + 1 < ncuts; ++i) {
    if (cuts[i + 1] == cuts[i]) continue;
    const std::int64_t span = cuts[i + 1] - cuts[i];
    const int dsp = filters(fixed, chunk_d, cuts[i]), lut = filters(sp2, chunk_l, cuts[i]);
    if (dsp + lut == 0) continue;
    if (chunks == 1) {
      out[n++] = {span, rest, dsp, lut, true, true, 1};
    } else {
      out[n++] = {span, t.in_channels, dsp, lut, true, false, 1};
      if (chunks > 2)
        out[n++] = {span * (chunks - 2), t.in_channels, dsp, lut, false, false, chunks - 2};
      out[n++] = {span, rest, dsp, lut, false, true, 1};
    }
  }
  return n;
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

AnalyticModel::AnalyticModel(const spec::DesignSpec& design)
    : design_(design), core_(accel::CoreTimingOf(design)), rates_(RatesOf(design)) {}

// The core's step costs (step_timing.cpp, docs/models.md) per class of steps: a step loads its
// input window and both engines' weights, one word per cycle, and cannot finish its load before
// its DMA transfers arrive (DDR latency + bytes at the streaming rate); it computes one beat per
// cycle per engine plus the pipeline and the partial-sum read-modify-write; the last chunk of an
// output tile stores one activation per cycle after a read per partial-sum word. Double-buffered,
// a step costs the larger of its load and its compute, and an output tile at least its store
// (one storer); single-buffered, the three add up.
void AnalyticModel::Weighted(const spec::Layer& layer, report::LayerStats& s) const {
  const auto& d = design_;
  const accel::CoreTiming& core = core_;
  const accel::LayerShape l = accel::LayerShape::FromLayer(layer);
  if (sizing_bits_ !=
      layer.act_bits * 64 + layer.weight_bits) {  // layers mostly share their widths
    sizing_ = accel::SizingOf(d, layer.act_bits, layer.weight_bits);
    sizing_bits_ = layer.act_bits * 64 + layer.weight_bits;
  }
  const spec::TileSpec t = accel::TileFor(l, layer, d, sizing_);
  const FilterSplit split = SplitFilters(d, layer);
  s.fixed_filters = split.fixed;
  s.sp2_filters = split.sp2;
  s.macs = layer.Macs();
  ChannelClass channels[kMaxChannelClasses];
  const int nclasses = ChannelClassesOf(l, t, split.fixed, channels);

  const std::int64_t k = l.kernel, k2 = k * k, stride = l.stride, L = core.bram_latency;
  const bool overlap = core.overlap_load;
  const TileClasses rows = Classes(l.out_height, t.out_rows),
                    cols = Classes(l.out_width, t.out_cols);
  const std::int64_t row_sizes[2] = {rows.tile, rows.rest},
                     row_counts[2] = {rows.full, rows.rest ? 1 : 0};
  const std::int64_t col_sizes[2] = {cols.tile, cols.rest},
                     col_counts[2] = {cols.full, cols.rest ? 1 : 0};

  std::int64_t total = 0, first_load = -1, last_store = 0;
  for (int r = 0; r < 2; ++r) {
    for (int c = 0; c < 2; ++c) {
      const std::int64_t spatial = row_counts[r] * col_counts[c];
      if (spatial == 0) continue;
      const std::int64_t pixels = row_sizes[r] * col_sizes[c];
      const std::int64_t win_rows = (row_sizes[r] - 1) * stride + k,
                         win_cols = (col_sizes[c] - 1) * stride + k;
      // Rows and columns of the window in the padding are answered without DDR traffic.
      const std::int64_t real_rows = std::min<std::int64_t>(win_rows, l.in_height);
      const std::int64_t real_cols = std::min<std::int64_t>(win_cols, l.in_width);
      std::int64_t first_step = 0;  // cost of the first chunk of the output tile being summed
      for (int i = 0; i < nclasses; ++i) {
        const ChannelClass& ch = channels[i];
        const std::int64_t gd = CeilDiv(ch.dsp_n, core.dsp_rows),
                           gl = CeilDiv(ch.lut_n, core.lut_rows);
        const std::int64_t cd = CeilDiv(ch.in_chs, core.dsp_cols),
                           cl = CeilDiv(ch.in_chs, core.lut_cols);
        const std::int64_t dsp_beats = ch.dsp_n ? gd * pixels * cd * k2 : 0;
        const std::int64_t lut_beats = ch.lut_n ? gl * pixels * cl * k2 : 0;
        // The loader takes the window, then the DSP weights, then the LUT weights, one item per
        // cycle, each part no earlier than its DMA transfer has arrived (they stream back to back
        // after one DDR latency); the window arrives row by row.
        const std::int64_t win_items = win_rows * win_cols;
        const std::int64_t wd_items = ch.dsp_n ? gd * cd * k2 * core.dsp_rows : 0;
        const std::int64_t wl_items = ch.lut_n ? gl * cl * k2 * core.lut_rows : 0;
        const std::int64_t w_per_filter = (l.depthwise ? 1 : ch.in_chs) * k2;
        const std::int64_t in_bytes = Bytes(real_rows * real_cols * ch.in_chs, layer.act_bits);
        const std::int64_t wd_bytes = Bytes(ch.dsp_n * w_per_filter, layer.weight_bits);
        const std::int64_t wl_bytes = Bytes(ch.lut_n * w_per_filter, layer.weight_bits);
        const std::int64_t w_bytes = wd_bytes + wl_bytes;
        const double rate = rates_.read_bytes_per_cycle;
        double arrived = static_cast<double>(rates_.latency_cycles) + in_bytes / rate;
        double taken =
            std::max<double>(win_items, arrived + static_cast<double>(win_items) / win_rows);
        arrived += wd_bytes / rate;
        if (wd_items) taken = std::max(taken, arrived) + wd_items;
        arrived += wl_bytes / rate;
        if (wl_items) taken = std::max(taken, arrived) + wl_items;
        const std::int64_t load = static_cast<std::int64_t>(std::ceil(taken)) + 2;
        const std::int64_t compute =
            std::max(dsp_beats, lut_beats) + 1 + L + core.array_stages + (ch.first ? 0 : 1 + L);
        const std::int64_t out_elems = std::int64_t{ch.dsp_n + ch.lut_n} * pixels;
        const std::int64_t store =
            ch.last ? (gd + gl) * pixels * (1 + L) + out_elems + (ch.dsp_n && ch.lut_n ? 1 : 0) : 0;
        const std::int64_t step = overlap ? std::max(load, compute) + 1
                                          : load + 1 + compute + (ch.last ? 1 + store : 0) + 1;
        const std::int64_t count = spatial * ch.count;
        if (ch.first) first_step = step;
        std::int64_t cost = count * step;
        if (overlap && ch.last) {
          // One storer, and the partial-sum buffers' read port shared with it: the previous
          // tile's store overlaps only this tile's first chunk (or, for one-chunk tiles, runs
          // beside the next tile), so a tile takes at least its store plus its later chunks.
          const std::int64_t tiles = count;  // a last chunk closes one output tile
          const std::int64_t covered = ch.first ? step : first_step;
          const std::int64_t extra = std::max<std::int64_t>(0, store + 1 - covered);
          cost += tiles * extra;
          s.stall_store += tiles * extra;
        }
        if (overlap) s.stall_load += count * std::max<std::int64_t>(0, load - compute);
        total += cost;
        s.dsp_busy += count * dsp_beats;
        s.lut_busy += count * lut_beats;
        s.bytes_read += count * (in_bytes + w_bytes);
        s.bytes_written += ch.last ? count * Bytes(out_elems, layer.act_bits) : 0;
        if (first_load < 0) first_load = load;
        if (ch.last) last_store = store;
      }
    }
  }
  // Double-buffered, the first load and the last store stand outside the overlap.
  s.cycles = total + (overlap ? first_load + last_store + 1 : 0);
  s.stall_fill = std::max<std::int64_t>(
      0, s.cycles - std::max(s.dsp_busy, s.lut_busy) - s.stall_load - s.stall_store);
}

// The vector unit's bands (vector_timing.h): per band of tile.out_rows output rows it reads the
// operands' rows, works `lanes` input elements per cycle and writes the band. Double-buffered, a
// band costs the larger of its reads and its work, plus the first read and the last write. A
// table function first loads its table beside the first read; a concat copies the inputs its
// producers did not write in place (`copied` elements), one element per lane.
void AnalyticModel::Vector(const spec::Layer& l, report::LayerStats& s, std::int64_t copied,
                           std::int64_t written) const {
  const auto& d = design_;
  std::int64_t work = l.out.Elements();
  if (l.kind == LayerKind::kMaxPool || l.kind == LayerKind::kAvgPool) {
    work = l.global ? l.in.Elements() : l.out.Elements() * l.KernelArea();
  } else if (l.kind == LayerKind::kAdd) {
    work = l.out.Elements() * static_cast<std::int64_t>(l.inputs.size());
  }
  if (l.kind == LayerKind::kConcat) {
    work = copied;
    s.bytes_read = Bytes(copied, l.act_bits);
    s.bytes_written = written;
  } else {
    s.bytes_read = l.InputBytes();
    s.bytes_written = l.OutputBytes();
  }
  s.vector_busy = CeilDiv(work, d.post.vector_lanes);
  const std::int64_t setup = accel::SetupCycles(l);
  const std::int64_t bands = l.global ? 1 : CeilDiv(l.out.height, std::max(1, d.tile.out_rows));
  const std::int64_t band_work = CeilDiv(s.vector_busy, bands);
  const std::int64_t band_read =
      rates_.latency_cycles +
      static_cast<std::int64_t>(
          std::ceil(s.bytes_read / static_cast<double>(bands) / rates_.read_bytes_per_cycle));
  const std::int64_t band_write =
      rates_.latency_cycles +
      static_cast<std::int64_t>(
          std::ceil(s.bytes_written / static_cast<double>(bands) / rates_.write_bytes_per_cycle));
  if (d.buffers.double_buffered) {
    s.cycles = std::max(band_read, setup) + bands * std::max(band_work, band_read) + band_write;
  } else {
    s.cycles = std::max(band_read, setup) + band_work + band_write +
               (bands - 1) * (band_read + band_work + band_write);
  }
  s.vector_busy += setup;
  s.stall_load = std::max<std::int64_t>(0, s.cycles - s.vector_busy - band_write);
  s.stall_fill = s.cycles - s.vector_busy - s.stall_load;
}

const accel::TensorPlan& AnalyticModel::PlanOf(const spec::NetworkSpec& n) const {
  if (planned_ != &n || plan_.holder.size() != n.layers.size()) {
    plan_ = accel::PlanTensors(design_, n);
    planned_ = &n;
  }
  return plan_;
}

void AnalyticModel::Other(const spec::NetworkSpec& n, std::size_t i, report::LayerStats& s) const {
  const spec::Layer& l = n.layers[i];
  if (accel::FusedIntoPrevious(design_, n, i)) {
    s.fused = true;  // applied in the producer's output path: no cycles, no traffic
    return;
  }
  if (l.kind != LayerKind::kConcat) {
    Vector(l, s);
    return;
  }
  const accel::TensorPlan& plan = PlanOf(n);
  s.in_place = plan.InPlace(i);
  if (s.in_place) return;  // its producers wrote it
  std::int64_t copied = 0;
  for (std::size_t k = 0; k < l.inputs.size(); ++k) {
    if (plan.copies[i][k]) copied += std::int64_t{l.input_channels[k]} * l.out.height * l.out.width;
  }
  Vector(l, s, copied, ConcatWriteBytes(l, plan.copies[i]));
}

// The vector unit's writes of a concat's copied inputs (vector_timing.cpp): per band, input and
// channel block the input touches, one strobed run from the band's first pixel to its last, which
// carries the block's other channels too.
std::int64_t AnalyticModel::ConcatWriteBytes(const spec::Layer& l,
                                             const std::vector<bool>& copies) const {
  const int block = std::max(1, design_.tile.in_channels);
  const int band = std::max(1, design_.tile.out_rows);
  const std::int64_t plane = std::int64_t{l.out.height} * l.out.width;
  std::int64_t bytes = 0;
  for (int y0 = 0; y0 < l.out.height; y0 += band) {
    const std::int64_t rows = std::min(band, l.out.height - y0);
    int lo = 0;
    for (std::size_t k = 0; k < copies.size(); ++k) {
      const int hi = lo + l.input_channels[k];
      for (int c = lo; copies[k] && c < hi;) {
        const int b = c / block, c_hi = std::min(hi, (b + 1) * block);
        const std::int64_t width = std::min(block, l.out.channels - b * block);
        const std::int64_t first = std::int64_t{b} * block * plane +
                                   std::int64_t{y0} * l.out.width * width + (c - b * block);
        bytes +=
            accel::PackedBytes(first, (rows * l.out.width - 1) * width + (c_hi - c), l.act_bits);
        c = c_hi;
      }
      lo = hi;
    }
  }
  return bytes;
}

report::LayerStats AnalyticModel::EstimateLayer(const spec::NetworkSpec& n, std::size_t i) const {
  const spec::Layer& l = n.layers[i];
  report::LayerStats s;
  s.name = l.name;
  s.kind = spec::ToString(l.kind);
  if (l.kind == LayerKind::kAct) s.function = spec::ToString(l.function);
  if (l.HasWeights()) {
    Weighted(l, s);
  } else {
    Other(n, i, s);
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
    if (l.HasWeights()) {
      Weighted(l, s);
    } else {
      Other(n, i, s);
    }
    total += s.cycles;
  }
  return total;
}

}  // namespace msqx::dse
