#include "models/accel/layer_memory.h"

#include <algorithm>

#include "models/accel/core_sizing.h"
#include "models/accel/core_types.h"
#include "models/mem/memsys_dma.h"
#include "models/util/int_math.h"

namespace msqx::accel {
namespace {
constexpr std::int64_t kTransferBytes = 4096;  // an AXI burst never crosses a 4 KB page
}  // namespace

std::int64_t PackedBytes(std::int64_t first, std::int64_t elements, int bits) {
  if (elements <= 0) return 0;
  return CeilDiv((first + elements) * bits, 8) - first * bits / 8;
}

void IdealMemory::Load(const StepCmd& cmd, std::int64_t cycle, std::vector<LoadSegment>& segments) {
  segments.clear();
  segments.push_back({CostOf(layer_, StepDimsOf(cmd), core_).items, cycle});
}

DdrLayerMemory::DdrLayerMemory(mem::Dma& dma, std::int64_t period_ps, const LayerShape& layer,
                               int channel_block, int act_bits, int weight_bits,
                               const CoreParams& core, TensorPlacement where)
    : dma_(dma),
      period_ps_(period_ps),
      layer_(layer),
      block_(std::max(1, channel_block)),
      act_bits_(act_bits),
      weight_bits_(weight_bits),
      core_(core),
      step_layer_(layer.Compute()),
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

// The pixels [x_lo, x_hi) of input row y, the step's channels: one run per channel block the
// chunk touches (one when the layer's chunks are the layout's blocks), from the first pixel's
// first channel to the last pixel's last one.
std::int64_t DdrLayerMemory::WindowRow(const StepCmd& cmd, int y, int x_lo, int x_hi,
                                       std::int64_t cycle) {
  const LayerShape& l = layer_;
  std::int64_t ready = cycle;
  if (y < 0 || y >= l.in_height || x_lo >= x_hi) return ready;
  const int c_first = l.fold > 0 ? 0 : cmd.in_ch0;
  const int c_end = l.fold > 0 ? l.in_channels : cmd.in_ch0 + cmd.in_chs;
  for (int c = c_first; c < c_end;) {
    const int b = c / block_;
    const int c_hi = std::min(c_end, (b + 1) * block_);
    const std::int64_t width_of_block = std::min(block_, l.in_channels - b * block_);
    const std::int64_t first = ActElement(y, x_lo, c, l.in_height, l.in_width, l.in_channels);
    const std::int64_t span = std::int64_t{x_hi - x_lo - 1} * width_of_block + (c_hi - c);
    ready = std::max(ready, Read(where_.input, first, span, act_bits_, cycle));
    c = c_hi;
  }
  return ready;
}

void DdrLayerMemory::Load(const StepCmd& cmd, std::int64_t cycle,
                          std::vector<LoadSegment>& segments) {
  segments.clear();
  const LayerShape& l = layer_;
  const StepCost c = CostOf(step_layer_, StepDimsOf(cmd), core_);
  // The input window, row by row; rows and columns in the padding cost no transfer. A folded
  // row's words are runs of pixels from x' * sw - pl, which together span the row's pixels.
  const int row0 = cmd.out_row0 * l.sh - l.pt, col0 = cmd.out_col0 * l.sw - l.pl;
  const int col_end = l.fold > 0 ? (cmd.out_col0 + cmd.out_cols - 1) * l.sw - l.pl + l.kw
                                 : col0 + static_cast<int>(c.win_cols);
  const int x_lo = std::max(0, col0), x_hi = std::min(l.in_width, col_end);
  for (std::int64_t r = 0; r < c.win_rows; ++r) {
    segments.push_back({c.win_cols, WindowRow(cmd, row0 + static_cast<int>(r), x_lo, x_hi, cycle)});
  }
  // Each engine's pieces of this filter step and chunk: one run of the weight image, read in
  // transfers of at most a 4 KB page of whole pieces, so that the core takes the first pieces
  // while the later ones are still on their way (as the DMA streams them).
  const auto pieces = [&](std::uint32_t at, std::int64_t count, int piece_rows) {
    const std::int64_t piece = std::int64_t{piece_rows} * core_.geo.cols;
    const std::int64_t per_transfer =
        std::max<std::int64_t>(1, kTransferBytes * 8 / (piece * weight_bits_));
    for (std::int64_t p0 = 0; p0 < count; p0 += per_transfer) {
      const std::int64_t n = std::min(per_transfer, count - p0);
      segments.push_back(
          {n, Read(where_.weights, at + p0 * piece, n * piece, weight_bits_, cycle)});
    }
  };
  pieces(cmd.dsp_w, c.dsp_pieces, core_.geo.dsp_piece_rows);
  pieces(cmd.lut_w, c.lut_pieces, core_.geo.lut_piece_rows);
}

void DdrLayerMemory::Store(const StepCmd& cmd, std::int64_t cycle) {
  const LayerShape& l = layer_;
  const int ch0 = cmd.ch0, ch_end = cmd.ch0 + cmd.dsp_n + cmd.lut_n;
  for (int c = ch0; c < ch_end;) {
    const int b = c / block_;
    const int c_hi = std::min(ch_end, (b + 1) * block_);
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

}  // namespace msqx::accel
