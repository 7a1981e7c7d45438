#include "models/accel/vector_timing.h"

#include <algorithm>
#include <deque>

#include "models/mem/memsys_dma.h"
#include "models/util/int_math.h"

namespace msqx::accel {
namespace {

using spec::LayerKind;

// Moves rows [y0, y1) of a channel-blocked tensor, one transfer per channel block (a block's
// full-width rows are contiguous). Returns the completion cycle.
struct BandMover {
  mem::Dma& dma;
  const VectorUnit& unit;
  int bits;
  std::int64_t Move(mem::Dir dir, std::uint64_t base, const spec::Shape& s, int y0, int y1,
                    std::int64_t cycle, std::int64_t& bytes_moved) const {
    std::int64_t done = cycle;
    if (y1 <= y0) return done;
    for (int c0 = 0; c0 < s.channels; c0 += unit.channel_block) {
      const std::int64_t block = std::min(unit.channel_block, s.channels - c0);
      const std::int64_t first =
          std::int64_t{c0} * s.height * s.width + std::int64_t{y0} * s.width * block;
      const std::int64_t elements = std::int64_t{y1 - y0} * s.width * block;
      const std::int64_t bytes = PackedBytes(first, elements, bits);
      bytes_moved += bytes;
      const mem::Picoseconds ps = dma.Transfer(
          dir, base + static_cast<std::uint64_t>(first * bits / 8), bytes, cycle * unit.period_ps);
      done = std::max(done, CeilDiv(ps, unit.period_ps));
    }
    return done;
  }
};

}  // namespace

VectorTimes TimeVectorLayer(const spec::Layer& l, const VectorUnit& unit, mem::Dma& dma,
                            const std::vector<std::uint64_t>& inputs, std::uint64_t output,
                            std::int64_t start) {
  const bool pool = l.kind == LayerKind::kMaxPool || l.kind == LayerKind::kAvgPool;
  const int band = l.global ? l.out.height : std::max(1, unit.band_rows);
  const std::int64_t taps = !pool      ? std::int64_t(l.inputs.size())
                            : l.global ? std::int64_t{l.in.height} * l.in.width
                                       : l.KernelArea();
  const BandMover mover{dma, unit, l.act_bits};
  VectorTimes t;
  t.start = start;
  std::deque<std::pair<std::int64_t, int>> writes;  // (cycle, first output row) not yet issued
  const auto flush = [&](std::int64_t until) {
    while (!writes.empty() && writes.front().first <= until) {
      const int y0 = writes.front().second, y1 = std::min(l.out.height, y0 + band);
      t.end = std::max(t.end, mover.Move(mem::Dir::kWrite, output, l.out, y0, y1,
                                         writes.front().first, t.bytes_written));
      writes.pop_front();
    }
  };
  std::int64_t read_done = start, end_prev = start, end_prev2 = start;
  for (int y0 = 0; y0 < l.out.height; y0 += band) {
    const int y1 = std::min(l.out.height, y0 + band);
    // Reads of band b start when the previous band's reads are done and its buffer half is free
    // (double-buffered: the band two back has finished; single: the previous band has).
    const std::int64_t issue = y0 == 0                ? start
                               : unit.double_buffered ? std::max(read_done, end_prev2)
                                                      : end_prev;
    flush(issue);
    int in0 = y0, in1 = y1;
    if (pool) {
      in0 = l.global ? 0 : std::max(0, y0 * l.stride_h - l.pad_top);
      in1 = l.global ? l.in.height
                     : std::min(l.in.height, (y1 - 1) * l.stride_h - l.pad_top + l.kernel_h);
    }
    read_done = issue;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      read_done = std::max(
          read_done, mover.Move(mem::Dir::kRead, inputs[i], l.in, in0, in1, issue, t.bytes_read));
    }
    const std::int64_t work =
        CeilDiv(std::int64_t{y1 - y0} * l.out.width * l.out.channels * taps, unit.lanes);
    const std::int64_t begin = std::max(read_done, end_prev);
    t.wait_load += begin - end_prev;
    end_prev2 = end_prev;
    end_prev = begin + work;
    t.busy += work;
    writes.emplace_back(end_prev, y0);
  }
  t.end = std::max(t.end, end_prev);
  flush(t.end);
  return t;
}

}  // namespace msqx::accel
