#include "dse/analytic.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

#include "models/accel/core_sizing.h"
#include "models/accel/layer_memory.h"
#include "models/accel/network_sim.h"
#include "models/accel/schedule.h"
#include "models/accel/vector_timing.h"
#include "models/util/int_math.h"

namespace msqx::dse {
namespace {

using spec::LayerKind;

std::int64_t Bytes(std::int64_t elements, int bits) { return (elements * bits + 7) / 8; }

// A loop of extent `extent` tiled by `tile`: `full` tiles of `tile` and at most one remainder.
struct Extent {
  std::int64_t count[2];  // full tiles, remainder tiles (0 or 1)
  std::int64_t size[2];
};
Extent Classes(std::int64_t extent, std::int64_t tile) {
  tile = std::min(tile, extent);
  return {{extent / tile, extent % tile ? 1 : 0}, {tile, extent % tile}};
}

// A class of steps that cost the same: their count in one spatial tile, input chunk and filters,
// and where they sit in their output tile.
struct StepClass {
  std::int64_t per_tile = 0;
  int in_chs = 0, dsp_n = 0, lut_n = 0;
  bool first = true, last = true;
};

// The schedule's filter and chunk loops (accel::MakeSchedule) as classes: filter steps of F
// filters and a last one of the rest, input chunks of in_chs channels and a last one of the rest
// (depthwise: chunks of channels, each its own filter step, first and last chunk at once).
int StepClassesOf(const accel::LayerShape& l, const accel::TilePlan& t,
                  const accel::CoreGeometry& g, double share, StepClass* out) {
  int n = 0;
  if (l.depthwise) {
    const std::int64_t full = l.in_channels / t.in_chs, rest = l.in_channels % t.in_chs;
    for (int k = 0; k < 2; ++k) {
      const std::int64_t count = k == 0 ? full : (rest ? 1 : 0);
      if (count == 0) continue;
      const int chs = k == 0 ? t.in_chs : static_cast<int>(rest);
      const accel::StepFilters f = accel::SplitStep(chs, 1, g, share);
      out[n++] = {count, chs, f.dsp, f.lut, true, true};
    }
    return n;
  }
  const int per_step = accel::FiltersPerStep(t.ogs, g, share).Total();
  const std::int64_t full_fs = l.out_channels / per_step, rest_fs = l.out_channels % per_step;
  const int channels = l.ComputeChannels();
  const std::int64_t chunks = CeilDiv(channels, t.in_chs);
  const int last_chs = static_cast<int>(channels - (chunks - 1) * t.in_chs);
  for (int k = 0; k < 2; ++k) {
    const std::int64_t fs = k == 0 ? full_fs : (rest_fs ? 1 : 0);
    if (fs == 0) continue;
    const accel::StepFilters f =
        accel::SplitStep(k == 0 ? per_step : static_cast<int>(rest_fs), t.ogs, g, share);
    if (chunks == 1) {
      out[n++] = {fs, last_chs, f.dsp, f.lut, true, true};
    } else {
      out[n++] = {fs, t.in_chs, f.dsp, f.lut, true, false};
      if (chunks > 2) out[n++] = {fs * (chunks - 2), t.in_chs, f.dsp, f.lut, false, false};
      out[n++] = {fs, last_chs, f.dsp, f.lut, false, true};
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
  r.random_read_bytes_per_cycle = std::min(peak * dev.ddr.efficiency.random_read, ports) / clock_hz;
  r.mixed_bytes_per_cycle = std::min(peak * dev.ddr.efficiency.mixed, ports) / clock_hz;
  r.latency_cycles = static_cast<std::int64_t>(std::ceil(dev.ddr.latency_ns * d.clock_mhz / 1e3));
  return r;
}

AnalyticModel::AnalyticModel(const spec::DesignSpec& design)
    : design_(design), rates_(RatesOf(design)) {}

// The core's step costs (step_cost.h) per class of steps. A step loads its input window and both
// engines' pieces, one item per cycle, no earlier than their DMA transfers arrive (DDR latency and
// bytes at the streaming rate); it issues its blocks of pixels, each no shorter than the lanes'
// word load; a tile's last chunk stores its partial-sum words, one per cycle and engine.
// Double-buffered, a step costs the larger of its load and its beats, and a tile at least the
// store of the tile before it (two partial-sum banks); single-buffered, they add up. The first
// load and the last store stand outside the overlap.
void AnalyticModel::Weighted(const spec::Layer& layer, const accel::CoreParams& core,
                             report::LayerStats& s) const {
  const auto& d = design_;
  const accel::CoreGeometry& g = core.geo;
  const accel::LayerShape l = accel::WithFolding(accel::LayerShape::FromLayer(layer), g);
  const accel::TilePlan t = accel::TileFor(l, layer, d, core);
  const accel::StepLayer view = l.Compute();
  const double share = d.ratio.FixedShare();
  StepClass classes[6];
  const int nclasses = StepClassesOf(l, t, g, share, classes);
  {
    // The filter split of the layer, as the schedule makes it: the classes of a first input chunk
    // count each filter step once (depthwise: each chunk of channels is a filter step).
    std::int64_t fixed = 0;
    for (int i = 0; i < nclasses; ++i) {
      if (classes[i].first) fixed += classes[i].per_tile * classes[i].dsp_n;
    }
    s.fixed_filters = static_cast<int>(fixed);
    s.sp2_filters = l.out_channels - s.fixed_filters;
  }
  s.macs = layer.Macs();
  const bool db = core.double_buffered;
  const std::int64_t q = g.Pieces();
  const Extent rows = Classes(l.out_height, t.out_rows), cols = Classes(l.out_width, t.out_cols);
  const double rate = rates_.read_bytes_per_cycle;
  std::int64_t total = 0, first_load = -1, last_tail = 0;
  for (int r = 0; r < 2; ++r) {
    for (int c = 0; c < 2; ++c) {
      const std::int64_t spatial = rows.count[r] * cols.count[c];
      if (spatial == 0) continue;
      std::int64_t tile_steps = 0;  // cost of one output tile's steps (filter step, all chunks)
      for (int i = 0; i < nclasses; ++i) {
        const StepClass& k = classes[i];
        accel::StepDims dims;
        dims.out_rows = static_cast<int>(rows.size[r]);
        dims.out_cols = static_cast<int>(cols.size[c]);
        dims.in_chs = k.in_chs;
        dims.dsp_n = k.dsp_n;
        dims.lut_n = k.lut_n;
        const accel::StepCost cost = accel::CostOf(view, dims, core);
        // Bytes: the window's real rows and pixels of the chunk's channels (a folded row's runs
        // span its pixels), and each engine's pieces of the weight image.
        const std::int64_t win_pixels =
            l.fold > 0 ? (dims.out_cols - 1) * l.sw + l.kw : cost.win_cols;
        const std::int64_t real_rows = std::min<std::int64_t>(cost.win_rows, l.in_height);
        const std::int64_t real_cols = std::min<std::int64_t>(win_pixels, l.in_width);
        const std::int64_t chs = l.fold > 0 ? l.in_channels : k.in_chs;
        const std::int64_t in_bytes = Bytes(real_rows * real_cols * chs, layer.act_bits);
        accel::Step st;
        st.in_chs = k.in_chs;
        st.dsp_n = k.dsp_n;
        st.lut_n = k.lut_n;
        const std::int64_t wd_bytes =
            Bytes(accel::PieceElements(st, l, g, true), layer.weight_bits);
        const std::int64_t wl_bytes =
            Bytes(accel::PieceElements(st, l, g, false), layer.weight_bits);
        // The loader takes the window, then the DSP pieces, then the LUT pieces, one item per
        // cycle, each part no earlier than its bytes have arrived (streamed back to back after one
        // DDR latency); the window arrives row by row.
        double arrived = static_cast<double>(rates_.latency_cycles) + in_bytes / rate;
        double taken =
            std::max<double>(cost.win_words, arrived + static_cast<double>(cost.win_cols));
        arrived += wd_bytes / rate;
        if (cost.dsp_pieces) taken = std::max(taken, arrived) + cost.dsp_pieces;
        arrived += wl_bytes / rate;
        if (cost.lut_pieces) taken = std::max(taken, arrived) + cost.lut_pieces;
        const std::int64_t load = static_cast<std::int64_t>(std::ceil(taken)) + 2;
        const std::int64_t beats = cost.blocks * cost.block_cycles;
        const std::int64_t store = k.last ? cost.StoreWords() + core.Read() + 1 : 0;
        std::int64_t step = 0;
        if (db) {
          // Double-buffered, the requester runs a step ahead and the memory streams one step's
          // data after the other: a step's load costs its items (a request and a beat each, two
          // cycles of handshake) or its bytes at the streaming rate, the latency only once.
          // Reads and the tile's writes share the DDR: the window's rows each start a run, the
          // weights stream, and the writes interleave with the next steps' reads.
          const double out_bytes =
              k.last ? static_cast<double>(
                           Bytes(std::int64_t{k.dsp_n + k.lut_n} * cost.pixels, layer.act_bits))
                     : 0.0;
          const std::int64_t stream = static_cast<std::int64_t>(
              std::ceil(in_bytes / rates_.random_read_bytes_per_cycle +
                        (wd_bytes + wl_bytes) / rate + out_bytes / rates_.mixed_bytes_per_cycle));
          // Two halves: a step's load starts once the step two back has issued its beats, so
          // a load, its first word and its beats take at most two steps' time.
          const std::int64_t chain = CeilDiv(load + 1 + q + cost.issue_span + 1, 2);
          const std::int64_t period = std::max<std::int64_t>({cost.items + 2, stream, chain});
          step = std::max(beats, period);
          s.stall_load += spatial * k.per_tile * std::max<std::int64_t>(0, period - beats);
        } else {
          step = load + q + (cost.blocks - 1) * cost.block_cycles + cost.pixels + core.Write() + 1 +
                 store;
        }
        const std::int64_t count = spatial * k.per_tile;
        total += count * step;
        tile_steps += k.per_tile * step;
        s.dsp_busy += count * cost.dsp_beats;
        s.lut_busy += count * cost.lut_beats;
        s.bytes_read += count * (in_bytes + wd_bytes + wl_bytes);
        if (k.last) {
          s.bytes_written +=
              count * Bytes(std::int64_t{k.dsp_n + k.lut_n} * cost.pixels, layer.act_bits);
        }
        if (first_load < 0) first_load = load + 1 + q;
        if (k.last) last_tail = core.Write() + 1 + cost.StoreWords() + core.Read();
        if (db && k.last) {
          // The bank of a tile is free once the tile two back is stored: a tile costs at least
          // the store of the one before it.
          const std::int64_t tiles = spatial * k.per_tile;
          const std::int64_t tile_cost = tile_steps / std::max<std::int64_t>(1, k.per_tile);
          const std::int64_t extra = std::max<std::int64_t>(0, store - tile_cost);
          total += tiles * extra;
          s.stall_store += tiles * extra;
          tile_steps = 0;
        }
      }
    }
  }
  // Single-buffered, each step's cost runs to the next command; the layer ends a cycle earlier.
  s.cycles = db ? total + first_load + last_tail : total - 1;
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
  s.vector_busy = CeilDiv(work, std::max(1, d.post.vector_lanes));
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
// carries the block's other channels too. Tensors are channel-blocked by the arrays' columns.
std::int64_t AnalyticModel::ConcatWriteBytes(const spec::Layer& l,
                                             const std::vector<bool>& copies) const {
  const int block = accel::GeometryOf(design_).cols;
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

void AnalyticModel::Layer(const spec::NetworkSpec& n, std::size_t i, const accel::CoreParams& core,
                          report::LayerStats& s) const {
  const spec::Layer& l = n.layers[i];
  if (accel::FusedIntoPrevious(design_, n, i)) {
    s.fused = true;  // applied in the producer's output path: no cycles, no traffic
  } else if (l.HasWeights()) {
    Weighted(l, core, s);
  } else {
    Other(n, i, s);
  }
}

report::LayerStats AnalyticModel::EstimateLayer(const spec::NetworkSpec& n, std::size_t i) const {
  report::LayerStats s;
  s.name = n.layers[i].name;
  s.kind = spec::ToString(n.layers[i].kind);
  if (n.layers[i].kind == LayerKind::kAct) s.function = spec::ToString(n.layers[i].function);
  Layer(n, i, accel::SizingOf(design_, n), s);
  return s;
}

report::RunStats AnalyticModel::Estimate(const spec::NetworkSpec& n) const {
  report::RunStats run;
  run.fidelity = "analytic";
  const accel::CoreParams core = accel::SizingOf(design_, n);
  for (std::size_t i = 0; i < n.layers.size(); ++i) {
    report::LayerStats s;
    s.name = n.layers[i].name;
    s.kind = spec::ToString(n.layers[i].kind);
    if (n.layers[i].kind == LayerKind::kAct) s.function = spec::ToString(n.layers[i].function);
    Layer(n, i, core, s);
    run.layers.push_back(std::move(s));
  }
  return run;
}

LayerClasses::LayerClasses(const spec::NetworkSpec& n) {
  std::map<std::vector<std::int64_t>, std::size_t> seen;  // key -> position in classes_
  for (std::size_t i = 0; i < n.layers.size(); ++i) {
    const spec::Layer& l = n.layers[i];
    // Whether the layer could fold into its producer (the design decides: FusedIntoPrevious).
    const bool fusable = l.kind == LayerKind::kAct && i > 0 && !l.inputs.empty() &&
                         l.inputs.front() == static_cast<int>(i - 1);
    // A concat's cost depends on which producers write it in place (the design's tensor plan):
    // each is a class of its own.
    const std::vector<std::int64_t> key = {
        l.kind == LayerKind::kConcat ? static_cast<std::int64_t>(i) : -1,
        static_cast<int>(l.kind),
        l.out_channels,
        l.kernel_h,
        l.kernel_w,
        l.stride_h,
        l.stride_w,
        l.pad_top,
        l.pad_left,
        l.pad_bottom,
        l.pad_right,
        l.ceil_mode,
        l.groups,
        l.global,
        l.bias,
        static_cast<int>(l.function),
        l.weight_bits,
        l.act_bits,
        l.in.channels,
        l.in.height,
        l.in.width,
        l.out.channels,
        l.out.height,
        l.out.width,
        static_cast<std::int64_t>(l.inputs.size()),
        fusable ? static_cast<int>(n.layers[i - 1].kind) : -1};
    const auto [it, fresh] = seen.emplace(key, classes_.size());
    if (fresh) {
      classes_.push_back({i, 1});
    } else {
      ++classes_[it->second].count;
    }
  }
}

std::int64_t AnalyticModel::Cycles(const spec::NetworkSpec& n, const LayerClasses& classes) const {
  const accel::CoreParams core = accel::SizingOf(design_, n);
  std::int64_t total = 0;
  for (const LayerClasses::Class& c : classes.classes()) {
    report::LayerStats s;
    Layer(n, c.layer, core, s);
    total += c.count * s.cycles;
  }
  return total;
}

std::int64_t AnalyticModel::Cycles(const spec::NetworkSpec& n) const {
  const accel::CoreParams core = accel::SizingOf(design_, n);
  std::int64_t total = 0;
  for (std::size_t i = 0; i < n.layers.size(); ++i) {
    report::LayerStats s;  // no name copied on this path
    Layer(n, i, core, s);
    total += s.cycles;
  }
  return total;
}

}  // namespace msqx::dse
