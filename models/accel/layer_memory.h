#pragma once
// The off-chip side of one layer, as both the pin-level testbench and the cycle fidelity see it:
// the DDR layout of the layer's tensors, and the DMA transfers each step command causes. Both
// models call the same object with the same cycles in the same order, so the DDR/AXI model
// (models/mem) answers both identically; what differs between them is only how the core reacts.
//
// Loads: when the core's first load request of a step is taken (cycle q), Load() issues the
// step's reads and returns its load items as segments in request order, each with the cycle from
// which its items may be answered (the completion of the DMA transfer that carries them). The
// memory answers one item per cycle, in order, none before its segment is ready.
// Stores: the core's store words are taken at once (posted writes); when the last word of an
// output tile has been taken at cycle t, Store() issues the tile's writes. A layer is over when
// its last write has completed (Drained()).
//
// Calls must come in time order, stores before loads of the same cycle.

#include <cstdint>
#include <vector>

#include "models/accel/core_ports.h"
#include "models/accel/schedule.h"
#include "models/accel/step_cost.h"

namespace msqx::mem {
class Dma;
}

namespace msqx::accel {

struct LoadSegment {
  std::int64_t items = 0;
  std::int64_t ready = 0;  // first cycle in which the segment's first item may be answered
};

class LayerMemory {
 public:
  virtual ~LayerMemory() = default;
  virtual void Load(const StepCmd& cmd, std::int64_t cycle, std::vector<LoadSegment>& segments) = 0;
  virtual void Store(const StepCmd& cmd, std::int64_t cycle) = 0;
  virtual std::int64_t Drained() const = 0;  // cycle the last write completes (-1: none)
  std::int64_t bytes_read = 0, bytes_written = 0;
};

// Every item answered as soon as it is asked for: the memory the pin core was first tested with.
class IdealMemory : public LayerMemory {
 public:
  IdealMemory(const StepLayer& layer, const CoreParams& core) : layer_(layer), core_(core) {}
  void Load(const StepCmd& cmd, std::int64_t cycle, std::vector<LoadSegment>& segments) override;
  void Store(const StepCmd&, std::int64_t) override {}
  std::int64_t Drained() const override { return -1; }

 private:
  StepLayer layer_;
  CoreParams core_;
};

// Where a layer's tensors start in DDR (bytes, 4 KB aligned by whoever places them).
struct TensorPlacement {
  std::uint64_t input = 0, weights = 0, output = 0;
};

// DDR layout (docs/memory.md): activations channel-blocked HWC, blocks of `channel_block`
// channels (the arrays' cols: every layer's chunks are whole blocks), each block H x W x block
// contiguous, so a window row of a step's input chunk is one run per block it covers (a chunk
// that is part of a block reads a strided run, as a span with byte strobes; a folded layer reads
// the row's span of pixels); weights as the weight image (core_types.h), so one engine's
// pieces of a step are one run. Output tiles are written with byte strobes, one run per tile row
// and channel block over both engines' channels (a step's filters are one run of channels).
class DdrLayerMemory : public LayerMemory {
 public:
  DdrLayerMemory(mem::Dma& dma, std::int64_t period_ps, const LayerShape& layer, int channel_block,
                 int act_bits, int weight_bits, const CoreParams& core, TensorPlacement where);
  void Load(const StepCmd& cmd, std::int64_t cycle, std::vector<LoadSegment>& segments) override;
  void Store(const StepCmd& cmd, std::int64_t cycle) override;
  std::int64_t Drained() const override { return drained_; }

 private:
  std::int64_t Read(std::uint64_t base, std::int64_t first_element, std::int64_t elements, int bits,
                    std::int64_t cycle);
  std::int64_t Write(std::uint64_t base, std::int64_t first_element, std::int64_t elements,
                     std::int64_t cycle);
  std::int64_t ActElement(int y, int x, int c, int height, int width, int channels) const;
  std::int64_t WindowRow(const StepCmd& cmd, int y, int x_lo, int x_hi, std::int64_t cycle);

  mem::Dma& dma_;
  std::int64_t period_ps_;
  LayerShape layer_;
  int block_, act_bits_, weight_bits_;
  CoreParams core_;
  StepLayer step_layer_;
  TensorPlacement where_;
  std::int64_t drained_ = -1;
};

// Bytes of `elements` packed at `bits` starting at element `first` (partial bytes counted whole).
std::int64_t PackedBytes(std::int64_t first, std::int64_t elements, int bits);

}  // namespace msqx::accel
