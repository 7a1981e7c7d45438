#include "models/accel/core_sizing.h"

#include <algorithm>
#include <cmath>

namespace msqx::accel {
namespace {

constexpr long long kBitsPerKib = 1024LL * 8;

int Words(double bits, long long word_bits) {
  if (word_bits <= 0) return 0;
  return static_cast<int>(std::min<double>(std::floor(bits / static_cast<double>(word_bits)), 1 << 30));
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
  s.in_depth = Words(d.buffers.input_kib * kBitsPerKib, static_cast<long long>(s.tile_ic) * act_bits);
  if (dsp_on) {
    s.dsp_weight_depth = Words(d.buffers.weight_kib * kBitsPerKib * fixed,
                               static_cast<long long>(d.dsp_engine.Lanes()) * weight_bits);
    s.dsp_out_depth = Words(d.buffers.output_kib * kBitsPerKib * fixed,
                            static_cast<long long>(d.dsp_engine.rows) * kPartialSumBits);
  }
  if (lut_on) {
    s.lut_weight_depth = Words(d.buffers.weight_kib * kBitsPerKib * (1 - fixed),
                               static_cast<long long>(d.lut_engine.Lanes()) * weight_bits);
    s.lut_out_depth = Words(d.buffers.output_kib * kBitsPerKib * (1 - fixed),
                            static_cast<long long>(d.lut_engine.rows) * kPartialSumBits);
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

}  // namespace msqx::accel
