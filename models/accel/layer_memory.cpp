#include "models/accel/layer_memory.h"

#include <algorithm>

#include "models/mem/memsys_dma.h"
#include "models/util/int_math.h"

namespace msqx::accel {
std::int64_t PackedBytes(std::int64_t first, std::int64_t elements, int bits) {
  if (elements <= 0) return 0;
  return CeilDiv((first + elements) * bits, 8) - first * bits / 8;
}

StepItems ItemsOf(const StepCmd& s, int kernel, int stride, const CoreTiming& core) {
  const std::int64_t k2 = std::int64_t{kernel} * kernel;
  StepItems it;
  it.window_rows = std::int64_t{s.out_rows - 1} * stride + kernel;
  it.window_cols = std::int64_t{s.out_cols - 1} * stride + kernel;
  it.dsp_weights =
      CeilDiv(s.dsp_n, core.dsp_rows) * CeilDiv(s.in_chs, core.dsp_cols) * k2 * core.dsp_rows;
  it.lut_weights =
      CeilDiv(s.lut_n, core.lut_rows) * CeilDiv(s.in_chs, core.lut_cols) * k2 * core.lut_rows;
  return it;
}

void IdealMemory::Load(const StepCmd& cmd, std::int64_t cycle, std::vector<LoadSegment>& segments) {
  segments.clear();
  segments.push_back({ItemsOf(cmd, kernel_, stride_, core_).Total(), cycle});
}

DdrLayerMemory::DdrLayerMemory(mem::Dma& dma, std::int64_t period_ps, const LayerShape& layer,
                               int channel_block, int act_bits, int weight_bits,
                               const CoreTiming& core, TensorPlacement where)
    : dma_(dma),
      period_ps_(period_ps),
      layer_(layer),
      block_(std::max(1, channel_block)),
      act_bits_(act_bits),
      weight_bits_(weight_bits),
      core_(core),
      where_(where) {}

std::int64_t DdrLayerMemory::ActElement(int y, int x, int c, int height, int width,
                                        int channels) const {
  const int b = c / block_;
  const std::int64_t width_of_block = std::min(block_, channels - b * block_);
  return std::int64_t{b} * block_ * height * width +
         (std::int64_t{y} * width + x) * width_of_block + (c - b * block_);
}

std::int64_t DdrLayerMemory::Read(std::uint64_t base, std::int64_t first, std::int64_t elements,
                                  int bits, std::int64_t cycle) {
  const std::int64_t bytes = PackedBytes(first, elements, bits);
  if (bytes == 0) return cycle;
  bytes_read += bytes;
  const mem::Picoseconds done =
      dma_.Transfer(mem::Dir::kRead, base + static_cast<std::uint64_t>(first * bits / 8), bytes,
                    cycle * period_ps_);
  return CeilDiv(done, period_ps_);
}

std::int64_t DdrLayerMemory::Write(std::uint64_t base, std::int64_t first, std::int64_t elements,
                                   std::int64_t cycle) {
  const std::int64_t bytes = PackedBytes(first, elements, act_bits_);
  if (bytes == 0) return cycle;
  bytes_written += bytes;
  const mem::Picoseconds done =
      dma_.Transfer(mem::Dir::kWrite, base + static_cast<std::uint64_t>(first * act_bits_ / 8),
                    bytes, cycle * period_ps_);
  return CeilDiv(done, period_ps_);
}

void DdrLayerMemory::Load(const StepCmd& cmd, std::int64_t cycle,
                          std::vector<LoadSegment>& segments) {
  segments.clear();
  const LayerShape& l = layer_;
  const StepItems items = ItemsOf(cmd, l.kernel, l.stride, core_);
  // The input window, row by row; rows and columns in the padding cost no transfer.
  const int row0 = cmd.out_row0 * l.stride - l.padding, col0 = cmd.out_col0 * l.stride - l.padding;
  const int x_lo = std::max(0, col0);
  const int x_hi = std::min<int>(l.in_width, col0 + static_cast<int>(items.window_cols));
  for (std::int64_t r = 0; r < items.window_rows; ++r) {
    const int y = row0 + static_cast<int>(r);
    std::int64_t ready = cycle;
    if (y >= 0 && y < l.in_height && x_lo < x_hi) {
      // One run per channel block the chunk touches (one when the layer's chunks are the
      // layout's blocks): from the first pixel's first channel to the last pixel's last one.
      for (int c = cmd.in_ch0; c < cmd.in_ch0 + cmd.in_chs;) {
        const int b = c / block_;
        const int c_hi = std::min(cmd.in_ch0 + cmd.in_chs, (b + 1) * block_);
        const std::int64_t width_of_block = std::min(block_, l.in_channels - b * block_);
        const std::int64_t first = ActElement(y, x_lo, c, l.in_height, l.in_width, l.in_channels);
        const std::int64_t span = std::int64_t{x_hi - x_lo - 1} * width_of_block + (c_hi - c);
        ready = std::max(ready, Read(where_.input, first, span, act_bits_, cycle));
        c = c_hi;
      }
    }
    segments.push_back({items.window_cols, ready});
  }
  // Each engine's filters of this input-channel chunk: one run.
  const std::int64_t k2 = std::int64_t{l.kernel} * l.kernel;
  const auto weights = [&](int ch0, int n, std::int64_t words) {
    if (words == 0) return;
    const std::int64_t first = l.depthwise ? ch0 * k2
                                           : std::int64_t{cmd.in_ch0} * l.out_channels * k2 +
                                                 std::int64_t{ch0} * k2 * cmd.in_chs;
    const std::int64_t elements = l.depthwise ? n * k2 : n * k2 * cmd.in_chs;
    segments.push_back({words, Read(where_.weights, first, elements, weight_bits_, cycle)});
  };
  weights(cmd.dsp_ch0, cmd.dsp_n, items.dsp_weights);
  weights(cmd.lut_ch0, cmd.lut_n, items.lut_weights);
}

void DdrLayerMemory::StoreRange(const StepCmd& cmd, int ch0, int n, std::int64_t cycle) {
  const LayerShape& l = layer_;
  for (int c = ch0; c < ch0 + n;) {
    const int b = c / block_;
    const int c_hi = std::min(ch0 + n, (b + 1) * block_);
    const std::int64_t width_of_block = std::min(block_, l.out_channels - b * block_);
    // One run per tile row: from the first pixel's first channel to the last pixel's last one.
    const std::int64_t span = std::int64_t{cmd.out_cols - 1} * width_of_block + (c_hi - c);
    for (int y = cmd.out_row0; y < cmd.out_row0 + cmd.out_rows; ++y) {
      const std::int64_t first =
          ActElement(y, cmd.out_col0, c, l.out_height, l.out_width, l.out_channels);
      drained_ = std::max(drained_, Write(where_.output, first, span, cycle));
    }
    c = c_hi;
  }
}

void DdrLayerMemory::Store(const StepCmd& cmd, std::int64_t cycle) {
  StoreRange(cmd, cmd.dsp_ch0, cmd.dsp_n, cycle);
  StoreRange(cmd, cmd.lut_ch0, cmd.lut_n, cycle);
}

}  // namespace msqx::accel
