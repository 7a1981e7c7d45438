#include "models/accel/core_sizing.h"

#include <algorithm>
#include <cmath>

#include "sim/spec/json_reader.h"

namespace msqx::accel {
namespace {

constexpr long long kBitsPerKib = 1024LL * 8;

// Words of `word_bits` a buffer of `bits` (per half) holds. A word wider than 18 bits is built
// from BRAM18 columns in their 512 x 36 shape, so the buffer is at least 512 words deep (all
// halves together) whatever its nominal capacity: the resource model charges those BRAMs
// (dse/resource.cpp, mem::BramCostOf), and the controller may use their depth.
int Words(double bits, long long word_bits, int halves) {
  if (word_bits <= 0 || bits <= 0) return 0;
  long long words = static_cast<long long>(std::min<double>(std::floor(bits / static_cast<double>(word_bits)), 1 << 28));
  if (word_bits > 18) {
    constexpr long long kBramDepth = 512;
    const long long total = (std::max(words * halves, 1LL) + kBramDepth - 1) / kBramDepth * kBramDepth;
    words = total / halves;
  }
  return static_cast<int>(words);
}

}  // namespace

CoreTiming CoreTimingOf(const spec::DesignSpec& d) {
  CoreTiming t;
  t.dsp_rows = std::max(1, d.dsp_engine.rows);
  t.dsp_cols = std::max(1, d.dsp_engine.cols);
  t.lut_rows = std::max(1, d.lut_engine.rows);
  t.lut_cols = std::max(1, d.lut_engine.cols);
  t.bram_latency = 1;
  t.array_stages = 4;
  t.overlap_load = d.buffers.double_buffered;
  t.overlap_store = d.buffers.double_buffered;
  return t;
}

CoreSizing SizingOf(const spec::DesignSpec& d, int act_bits, int weight_bits, long long max_depth) {
  CoreSizing s;
  s.tile_ic = d.tile.in_channels;
  s.act_bits = act_bits;
  s.weight_bits = weight_bits;
  s.max_depth = max_depth;
  s.timing = CoreTimingOf(d);
  const bool dsp_on = d.dsp_engine.rows > 0 && d.dsp_engine.cols > 0 && d.ratio.fixed > 0;
  const bool lut_on = d.lut_engine.rows > 0 && d.lut_engine.cols > 0 && d.ratio.sp2 > 0;
  double fixed = d.ratio.FixedShare();
  if (!lut_on) fixed = 1;
  if (!dsp_on) fixed = 0;
  const int halves = d.buffers.double_buffered ? 2 : 1;
  s.in_depth = Words(d.buffers.input_kib * kBitsPerKib, static_cast<long long>(s.tile_ic) * act_bits, halves);
  if (dsp_on) {
    s.dsp_weight_depth = Words(d.buffers.weight_kib * kBitsPerKib * fixed,
                               static_cast<long long>(d.dsp_engine.Lanes()) * weight_bits, halves);
    s.dsp_out_depth = Words(d.buffers.output_kib * kBitsPerKib * fixed,
                            static_cast<long long>(d.dsp_engine.rows) * kPartialSumBits, halves);
  }
  if (lut_on) {
    s.lut_weight_depth = Words(d.buffers.weight_kib * kBitsPerKib * (1 - fixed),
                               static_cast<long long>(d.lut_engine.Lanes()) * weight_bits, halves);
    s.lut_out_depth = Words(d.buffers.output_kib * kBitsPerKib * (1 - fixed),
                            static_cast<long long>(d.lut_engine.rows) * kPartialSumBits, halves);
  }
  return s;
}

std::string StepFits(const CoreSizing& core, const LayerRegs& r, const StepCmd& c) {
  const CoreTiming& t = core.timing;
  const long long win = static_cast<long long>((c.out_rows - 1) * r.stride + r.kernel) *
                        ((c.out_cols - 1) * r.stride + r.kernel);
  const long long pixels = static_cast<long long>(c.out_rows) * c.out_cols;
  const auto words = [&](int n, int rows, int cols) {
    return static_cast<long long>((n + rows - 1) / rows) * ((c.in_chs + cols - 1) / cols) * r.kernel *
           r.kernel;
  };
  const auto sums = [&](int n, int rows) { return static_cast<long long>((n + rows - 1) / rows) * pixels; };
  const long long depth = static_cast<long long>(r.depthwise ? 1 : c.in_chs) * r.kernel * r.kernel;
  if (c.in_chs > core.tile_ic) return "input chunk wider than the input word";
  if (win > core.in_depth) {
    return "input window of " + std::to_string(win) + " words larger than the input buffer (" +
           std::to_string(core.in_depth) + " words)";
  }
  if (c.dsp_n > 0 && words(c.dsp_n, t.dsp_rows, t.dsp_cols) > core.dsp_weight_depth) {
    return "DSP weights of " + std::to_string(words(c.dsp_n, t.dsp_rows, t.dsp_cols)) +
           " words larger than its weight buffer (" + std::to_string(core.dsp_weight_depth) + " words)";
  }
  if (c.lut_n > 0 && words(c.lut_n, t.lut_rows, t.lut_cols) > core.lut_weight_depth) {
    return "LUT weights of " + std::to_string(words(c.lut_n, t.lut_rows, t.lut_cols)) +
           " words larger than its weight buffer (" + std::to_string(core.lut_weight_depth) + " words)";
  }
  if (c.dsp_n > 0 && sums(c.dsp_n, t.dsp_rows) > core.dsp_out_depth) {
    return "DSP partial sums of " + std::to_string(sums(c.dsp_n, t.dsp_rows)) +
           " words larger than its output buffer (" + std::to_string(core.dsp_out_depth) + " words)";
  }
  if (c.lut_n > 0 && sums(c.lut_n, t.lut_rows) > core.lut_out_depth) {
    return "LUT partial sums of " + std::to_string(sums(c.lut_n, t.lut_rows)) +
           " words larger than its output buffer (" + std::to_string(core.lut_out_depth) + " words)";
  }
  if (depth > core.max_depth) {
    return "dot product of " + std::to_string(depth) + " longer than the accumulators are sized for (" +
           std::to_string(core.max_depth) + ")";
  }
  return "";
}

namespace {

// The step of a layer with the most of everything under tile `t`: a full spatial tile, a full
// input-channel chunk and the largest filter share of each engine (depthwise: as if all of a
// chunk's channels went to one engine). StepFits is monotonic in each, so this step fitting means
// every step fits.
StepCmd LargestStep(const LayerShape& l, const spec::TileSpec& t, int fixed_filters) {
  const auto ceil_div = [](int a, int b) { return (a + b - 1) / b; };
  StepCmd c;
  c.out_rows = std::min(t.out_rows, l.out_height);
  c.out_cols = std::min(t.out_cols, l.out_width);
  c.in_chs = std::min(t.in_channels, l.in_channels);
  const int sp2_filters = l.out_channels - fixed_filters;
  if (l.depthwise) {
    c.dsp_n = std::min(c.in_chs, fixed_filters);
    c.lut_n = std::min(c.in_chs, sp2_filters);
  } else {
    const int steps = ceil_div(l.out_channels, t.out_channels);
    c.dsp_n = ceil_div(fixed_filters, steps);
    c.lut_n = ceil_div(sp2_filters, steps);
  }
  return c;
}

}  // namespace

spec::TileSpec TileFor(const spec::Layer& layer, const spec::DesignSpec& design) {
  const LayerShape shape = LayerShape::FromLayer(layer);
  const CoreSizing sizing = SizingOf(design, layer.act_bits, layer.weight_bits);
  const LayerRegs regs = RegsOf(shape, layer.act_bits);
  const int fixed = static_cast<int>(std::lround(shape.out_channels * design.ratio.FixedShare()));
  spec::TileSpec t = design.tile;
  t.out_rows = std::min(t.out_rows, shape.out_height);
  t.out_cols = std::min(t.out_cols, shape.out_width);
  t.out_channels = std::min(t.out_channels, shape.out_channels);
  t.in_channels = std::min(t.in_channels, shape.in_channels);
  std::string why;
  while (!(why = StepFits(sizing, regs, LargestStep(shape, t, fixed))).empty()) {
    if (t.out_rows > 1 || t.out_cols > 1) {
      int& larger = t.out_rows >= t.out_cols ? t.out_rows : t.out_cols;
      larger = (larger + 1) / 2;
    } else if (t.out_channels > 1) {
      t.out_channels = (t.out_channels + 1) / 2;
    } else if (t.in_channels > 1) {
      t.in_channels = (t.in_channels + 1) / 2;
    } else {
      throw spec::ConfigError(design.source, "layer '" + layer.name + "'",
                              "buffers that hold at least a 1x1 tile of this layer, but " + why);
    }
  }
  return t;
}

}  // namespace msqx::accel
