#include "models/accel/core_sizing.h"

#include <algorithm>
#include <cmath>

#include "models/spec/config_error.h"

namespace msqx::accel {
namespace {

constexpr long long kBitsPerKib = 1024LL * 8;

// Words of `word_bits` a buffer of `bits` (per half) holds. A word wider than 18 bits is built
// from BRAM18 columns in their 512 x 36 shape, so the buffer is at least 512 words deep (all
// halves together) whatever its nominal capacity: the resource model charges those BRAMs
// (dse/resource.cpp, mem::BramCostOf), and the controller may use their depth.
int Words(double bits, long long word_bits, int halves) {
  if (word_bits <= 0 || bits <= 0) return 0;
  long long words = static_cast<long long>(
      std::min<double>(std::floor(bits / static_cast<double>(word_bits)), 1 << 28));
  if (word_bits > 18) {
    constexpr long long kBramDepth = 512;
    const long long total =
        (std::max(words * halves, 1LL) + kBramDepth - 1) / kBramDepth * kBramDepth;
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
  s.in_depth = Words(d.buffers.input_kib * kBitsPerKib,
                     static_cast<long long>(s.tile_ic) * act_bits, halves);
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

namespace {

// What a step needs of the core, worked out once for the check and, on a misfit, its message.
struct StepNeeds {
  long long win = 0, dsp_words = 0, lut_words = 0, dsp_sums = 0, lut_sums = 0, depth = 0;
};

StepNeeds NeedsOf(const CoreSizing& core, const LayerRegs& r, const StepCmd& c) {
  const CoreTiming& t = core.timing;
  const long long pixels = static_cast<long long>(c.out_rows) * c.out_cols;
  const auto words = [&](int n, int rows, int cols) {
    return n > 0 ? static_cast<long long>((n + rows - 1) / rows) * ((c.in_chs + cols - 1) / cols) *
                       r.kernel * r.kernel
                 : 0;
  };
  const auto sums = [&](int n, int rows) {
    return n > 0 ? static_cast<long long>((n + rows - 1) / rows) * pixels : 0;
  };
  StepNeeds n;
  n.win = static_cast<long long>((c.out_rows - 1) * r.stride + r.kernel) *
          ((c.out_cols - 1) * r.stride + r.kernel);
  n.dsp_words = words(c.dsp_n, t.dsp_rows, t.dsp_cols);
  n.lut_words = words(c.lut_n, t.lut_rows, t.lut_cols);
  n.dsp_sums = sums(c.dsp_n, t.dsp_rows);
  n.lut_sums = sums(c.lut_n, t.lut_rows);
  n.depth = static_cast<long long>(r.depthwise ? 1 : c.in_chs) * r.kernel * r.kernel;
  return n;
}

// Without building a message: TileFor asks this many times per layer (and the analytic model per
// design point).
bool Fits(const CoreSizing& core, const StepCmd& c, const StepNeeds& n) {
  return c.in_chs <= core.tile_ic && n.win <= core.in_depth &&
         n.dsp_words <= core.dsp_weight_depth && n.lut_words <= core.lut_weight_depth &&
         n.dsp_sums <= core.dsp_out_depth && n.lut_sums <= core.lut_out_depth &&
         n.depth <= core.max_depth;
}

}  // namespace

std::string StepFits(const CoreSizing& core, const LayerRegs& r, const StepCmd& c) {
  const StepNeeds n = NeedsOf(core, r, c);
  if (Fits(core, c, n)) return "";
  const auto larger = [](const char* what, long long need, const char* buffer, long long have) {
    return std::string(what) + " of " + std::to_string(need) + " words larger than " + buffer +
           " (" + std::to_string(have) + " words)";
  };
  if (c.in_chs > core.tile_ic) return "input chunk wider than the input word";
  if (n.win > core.in_depth)
    return larger("input window", n.win, "the input buffer", core.in_depth);
  if (n.dsp_words > core.dsp_weight_depth) {
    return larger("DSP weights", n.dsp_words, "its weight buffer", core.dsp_weight_depth);
  }
  if (n.lut_words > core.lut_weight_depth) {
    return larger("LUT weights", n.lut_words, "its weight buffer", core.lut_weight_depth);
  }
  if (n.dsp_sums > core.dsp_out_depth)
    return larger("DSP partial sums", n.dsp_sums, "its output buffer", core.dsp_out_depth);
  if (n.lut_sums > core.lut_out_depth)
    return larger("LUT partial sums", n.lut_sums, "its output buffer", core.lut_out_depth);
  return "dot product of " + std::to_string(n.depth) +
         " longer than the accumulators are sized for (" + std::to_string(core.max_depth) + ")";
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
  return TileFor(LayerShape::FromLayer(layer), layer, design,
                 SizingOf(design, layer.act_bits, layer.weight_bits));
}

spec::TileSpec TileFor(const LayerShape& shape, const spec::Layer& layer,
                       const spec::DesignSpec& design, const CoreSizing& sizing) {
  const LayerRegs regs = RegsOf(shape, layer.act_bits);
  const int fixed = static_cast<int>(std::lround(shape.out_channels * design.ratio.FixedShare()));
  spec::TileSpec t = design.tile;
  t.out_rows = std::min(t.out_rows, shape.out_height);
  t.out_cols = std::min(t.out_cols, shape.out_width);
  t.out_channels = std::min(t.out_channels, shape.out_channels);
  t.in_channels = std::min(t.in_channels, shape.in_channels);
  while (true) {
    const StepCmd largest = LargestStep(shape, t, fixed);
    if (Fits(sizing, largest, NeedsOf(sizing, regs, largest))) break;
    if (t.out_rows > 1 || t.out_cols > 1) {
      int& larger = t.out_rows >= t.out_cols ? t.out_rows : t.out_cols;
      larger = (larger + 1) / 2;
    } else if (t.out_channels > 1) {
      t.out_channels = (t.out_channels + 1) / 2;
    } else if (t.in_channels > 1) {
      t.in_channels = (t.in_channels + 1) / 2;
    } else {
      throw spec::ConfigError(design.source, "layer '" + layer.name + "'",
                              "buffers that hold at least a 1x1 tile of this layer, but " +
                                  StepFits(sizing, regs, LargestStep(shape, t, fixed)));
    }
  }
  return t;
}

}  // namespace msqx::accel
