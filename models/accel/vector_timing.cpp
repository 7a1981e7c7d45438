#include "models/accel/vector_timing.h"

#include <algorithm>
#include <deque>
#include <functional>

#include "models/accel/tensor_plan.h"
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

// The band loop every vector layer shares: reads of band b start when the previous band's reads
// are done and its buffer half is free (double-buffered: the band two back has finished; single:
// the previous band has); the band is worked once its reads are in and the unit is free; its
// writes are issued when it is done (posted), in time order with the reads.
struct Bands {
  int rows = 0, band = 1;
  std::int64_t setup = 0;  // cycles of work before the first band (a function table)
  std::function<std::int64_t(int, int, std::int64_t)> read;  // rows [y0, y1) at cycle -> done
  std::function<std::int64_t(int, int)> work;
  std::function<std::int64_t(int, int, std::int64_t)> write;  // rows [y0, y1) at cycle -> done
};

void RunBands(const Bands& b, bool double_buffered, std::int64_t start, VectorTimes& t) {
  t.start = start;
  std::deque<std::pair<std::int64_t, int>> writes;  // (cycle, first output row) not yet issued
  const auto flush = [&](std::int64_t until) {
    while (!writes.empty() && writes.front().first <= until) {
      const int y0 = writes.front().second, y1 = std::min(b.rows, y0 + b.band);
      t.end = std::max(t.end, b.write(y0, y1, writes.front().first));
      writes.pop_front();
    }
  };
  std::int64_t read_done = start, end_prev = start + b.setup, end_prev2 = start;
  t.busy += b.setup;
  for (int y0 = 0; y0 < b.rows; y0 += b.band) {
    const int y1 = std::min(b.rows, y0 + b.band);
    const std::int64_t issue = y0 == 0           ? start
                               : double_buffered ? std::max(read_done, end_prev2)
                                                 : end_prev;
    flush(issue);
    read_done = std::max(issue, b.read(y0, y1, issue));
    const std::int64_t work = b.work(y0, y1);
    const std::int64_t begin = std::max(read_done, end_prev);
    t.wait_load += begin - end_prev;
    end_prev2 = end_prev;
    end_prev = begin + work;
    t.busy += work;
    writes.emplace_back(end_prev, y0);
  }
  t.end = std::max(t.end, end_prev);
  flush(t.end);
}

bool IsTableFunction(const spec::Layer& l) {
  return l.kind == LayerKind::kAct && !l.IsClampActivation();
}

}  // namespace

std::int64_t FunctionTableEntries(int act_bits) {
  return act_bits <= 8 ? std::int64_t{1} << act_bits : 64;
}

std::int64_t SetupCycles(const spec::Layer& l) {
  return IsTableFunction(l) ? FunctionTableEntries(l.act_bits) : 0;
}

VectorTimes TimeVectorLayer(const spec::Layer& l, const VectorUnit& unit, mem::Dma& dma,
                            const std::vector<std::uint64_t>& inputs, std::uint64_t output,
                            std::int64_t start) {
  const bool pool = l.kind == LayerKind::kMaxPool || l.kind == LayerKind::kAvgPool;
  const std::int64_t taps = !pool      ? std::int64_t(l.inputs.size())
                            : l.global ? std::int64_t{l.in.height} * l.in.width
                                       : l.KernelArea();
  const BandMover mover{dma, unit, l.act_bits};
  VectorTimes t;
  Bands b;
  b.rows = l.out.height;
  b.band = l.global ? l.out.height : std::max(1, unit.band_rows);
  b.setup = SetupCycles(l);
  b.read = [&](int y0, int y1, std::int64_t issue) {
    int in0 = y0, in1 = y1;
    if (pool) {
      in0 = l.global ? 0 : std::max(0, y0 * l.stride_h - l.pad_top);
      in1 = l.global ? l.in.height
                     : std::min(l.in.height, (y1 - 1) * l.stride_h - l.pad_top + l.kernel_h);
    }
    std::int64_t done = issue;
    for (std::uint64_t base : inputs) {
      done = std::max(done, mover.Move(mem::Dir::kRead, base, l.in, in0, in1, issue, t.bytes_read));
    }
    return done;
  };
  b.work = [&](int y0, int y1) {
    return CeilDiv(std::int64_t{y1 - y0} * l.out.width * l.out.channels * taps, unit.lanes);
  };
  b.write = [&](int y0, int y1, std::int64_t cycle) {
    return mover.Move(mem::Dir::kWrite, output, l.out, y0, y1, cycle, t.bytes_written);
  };
  RunBands(b, unit.double_buffered, start, t);
  return t;
}

VectorTimes TimeConcatCopy(const spec::Layer& l, const VectorUnit& unit, mem::Dma& dma,
                           const std::vector<std::uint64_t>& inputs, const std::vector<bool>& copy,
                           std::uint64_t output, std::int64_t start) {
  const BandMover mover{dma, unit, l.act_bits};
  const int block = std::max(1, unit.channel_block);
  std::int64_t copied_channels = 0;
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    if (copy[k]) copied_channels += l.input_channels[k];
  }
  VectorTimes t;
  Bands b;
  b.rows = l.out.height;
  b.band = std::max(1, unit.band_rows);
  b.read = [&](int y0, int y1, std::int64_t issue) {
    std::int64_t done = issue;
    for (std::size_t k = 0; k < inputs.size(); ++k) {
      if (!copy[k]) continue;
      const spec::Shape s{l.input_channels[k], l.out.height, l.out.width};
      done = std::max(done, mover.Move(mem::Dir::kRead, inputs[k], s, y0, y1, issue, t.bytes_read));
    }
    return done;
  };
  b.work = [&](int y0, int y1) {
    return CeilDiv(std::int64_t{y1 - y0} * l.out.width * copied_channels, unit.lanes);
  };
  // Into the concat's tensor: per channel block an input's channels touch, one run from the
  // band's first pixel to its last (byte strobes keep the other inputs' channels).
  b.write = [&](int y0, int y1, std::int64_t cycle) {
    std::int64_t done = cycle;
    int offset = 0;
    for (std::size_t k = 0; k < inputs.size(); ++k) {
      const int lo = offset, hi = offset + l.input_channels[k];
      offset = hi;
      if (!copy[k]) continue;
      for (int c = lo; c < hi;) {
        const int c_hi = std::min(hi, (c / block + 1) * block);
        const std::int64_t width_of_block = std::min(block, l.out.channels - c / block * block);
        const std::int64_t first = ActLayoutElement(y0, 0, c, l.out, block);
        const std::int64_t span =
            (std::int64_t{y1 - y0} * l.out.width - 1) * width_of_block + (c_hi - c);
        const std::int64_t bytes = PackedBytes(first, span, l.act_bits);
        t.bytes_written += bytes;
        const mem::Picoseconds ps = dma.Transfer(
            mem::Dir::kWrite, output + static_cast<std::uint64_t>(first * l.act_bits / 8), bytes,
            cycle * unit.period_ps);
        done = std::max(done, CeilDiv(ps, unit.period_ps));
        c = c_hi;
      }
    }
    return done;
  };
  RunBands(b, unit.double_buffered, start, t);
  return t;
}

}  // namespace msqx::accel
