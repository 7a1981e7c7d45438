#include "models/accel/network_sim.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>
#include <string>

#include "models/accel/core_sizing.h"
#include "models/accel/layer_memory.h"
#include "models/accel/schedule.h"
#include "models/accel/step_timing.h"
#include "models/accel/tensor_plan.h"
#include "models/accel/vector_timing.h"
#include "models/mem/memsys_dma.h"
#include "models/spec/config_error.h"

namespace msqx::accel {
namespace {

using spec::LayerKind;

constexpr std::uint64_t kPage = 4096;

// Tensors and weights placed one after another, each on a 4 KB boundary (docs/memory.md).
class AddressMap {
 public:
  std::uint64_t Place(std::int64_t bytes) {
    const std::uint64_t at = next_;
    next_ +=
        (static_cast<std::uint64_t>(std::max<std::int64_t>(bytes, 1)) + kPage - 1) / kPage * kPage;
    return at;
  }

 private:
  std::uint64_t next_ = 0;
};

std::string LayerPath(const spec::NetworkSpec& n, std::size_t i) {
  return "layer " + std::to_string(i) + " ('" + n.layers[i].name + "') of network " + n.name;
}

class NetworkSimulator {
 public:
  NetworkSimulator(const spec::DesignSpec& d, const spec::NetworkSpec& n, const CycleOptions& o)
      : design_(d), network_(n), options_(o), sizing_(SizingOf(d, n)), plan_(PlanTensors(d, n)) {
    static std::atomic<int> instances{0};
    const std::string name = "msqx_memory_" + std::to_string(instances++);
    memory_ = std::make_unique<mem::MemorySystem>(name.c_str(), mem::MemoryTiming::From(d));
    period_ps_ = static_cast<std::int64_t>(std::llround(1e6 / d.clock_mhz));
  }

  report::RunStats Run() {
    report::RunStats run;
    run.fidelity = "cycle";
    const std::size_t count = network_.layers.size();
    tensor_.assign(count, kUnplaced);
    const std::uint64_t input = map_.Place(network_.input.Elements() * network_.act_bits / 8 + 1);
    std::int64_t now = 0;
    for (std::size_t i = 0; i < count; ++i) {
      const spec::Layer& l = network_.layers[i];
      report::LayerStats s;
      s.name = l.name;
      s.kind = spec::ToString(l.kind);
      if (l.kind == LayerKind::kAct) s.function = spec::ToString(l.function);
      s.macs = l.Macs();
      std::vector<std::uint64_t> sources;
      for (int p : l.inputs) sources.push_back(p == spec::kNetworkInput ? input : TensorOf(p));
      const std::uint64_t out = TensorOf(static_cast<int>(i));
      if (FusedIntoPrevious(design_, network_, i)) {
        s.fused = true;  // applied in the producer's output path, in place
      } else if (l.kind == LayerKind::kConcat) {
        s.in_place = plan_.InPlace(i);
        if (!s.in_place) now = Vector(i, sources, out, now, s);
      } else {
        now = l.HasWeights() ? Weighted(i, sources.front(), out, now, s)
                             : Vector(i, sources, out, now, s);
      }
      run.layers.push_back(std::move(s));
      if (options_.progress) options_.progress(i + 1, count);
    }
    return run;
  }

 private:
  static constexpr std::uint64_t kUnplaced = ~std::uint64_t{0};

  // Where a layer's output lives: its own tensor, placed when it is first needed (in network
  // order, so that a network without concats keeps the layout of docs/memory.md), or a part of
  // the tensor that holds it (tensor_plan.h), which is placed when its first part is needed.
  std::uint64_t TensorOf(int layer) {
    std::int64_t offset = 0;
    const int root = plan_.Root(layer, &offset);
    if (tensor_[root] == kUnplaced) tensor_[root] = map_.Place(network_.layers[root].OutputBytes());
    return tensor_[root] + static_cast<std::uint64_t>(offset);
  }

  std::int64_t Weighted(std::size_t i, std::uint64_t in, std::uint64_t out, std::int64_t now,
                        report::LayerStats& s) {
    const spec::Layer& l = network_.layers[i];
    Schedule schedule;
    std::vector<StepCmd> cmds;
    try {
      schedule = MakeSchedule(l, design_, sizing_);
      s.fixed_filters = schedule.FixedFilters();
      s.sp2_filters = l.out_channels - s.fixed_filters;
      cmds = CommandsOf(schedule);
    } catch (const spec::ConfigError& e) {
      throw spec::ConfigError(design_.source, LayerPath(network_, i), e.message());
    }
    const LayerShape& shape = schedule.layer;
    const LayerRegs regs = RegsOf(shape, l.act_bits);
    for (const StepCmd& c : cmds) {
      const std::string why = StepFits(sizing_, regs, c);
      if (!why.empty()) {
        throw spec::ConfigError(design_.source, LayerPath(network_, i),
                                "a tile that fits the core's buffers (tile, buffers), but " + why);
      }
    }
    const std::int64_t image_bytes = (WeightImageElements(schedule) * l.weight_bits + 7) / 8;
    const TensorPlacement where{in, map_.Place(image_bytes), out};
    std::unique_ptr<LayerMemory> memory;
    if (options_.memory == MemoryModel::kDdr) {
      // Tensors are channel-blocked by the arrays' cols, the unit every layer's chunks come in.
      memory = std::make_unique<DdrLayerMemory>(memory_->dma, period_ps_, shape, sizing_.geo.cols,
                                                l.act_bits, l.weight_bits, sizing_, where);
    } else {
      memory = std::make_unique<IdealMemory>(shape.Compute(), sizing_);
    }
    const LayerTimes t = TimeLayer(cmds, shape.Compute(), sizing_, now, memory.get());
    s.cycles = t.Cycles();
    s.dsp_busy = t.dsp_busy;
    s.lut_busy = t.lut_busy;
    s.stall_load = t.wait_load;
    s.stall_store = t.wait_store;
    s.stall_fill = std::max<std::int64_t>(
        0, s.cycles - std::max(s.dsp_busy, s.lut_busy) - s.stall_load - s.stall_store);
    s.bytes_read = memory->bytes_read;
    s.bytes_written = memory->bytes_written;
    return t.drained;
  }

  std::int64_t Vector(std::size_t i, const std::vector<std::uint64_t>& sources, std::uint64_t out,
                      std::int64_t now, report::LayerStats& s) {
    const spec::Layer& l = network_.layers[i];
    VectorUnit unit;
    unit.lanes = design_.post.vector_lanes;
    unit.band_rows = design_.tile.out_rows;
    unit.channel_block = sizing_.geo.cols;
    unit.double_buffered = design_.buffers.double_buffered;
    unit.period_ps = period_ps_;
    const auto time = [&](mem::Dma& dma) {
      if (l.kind != LayerKind::kConcat) return TimeVectorLayer(l, unit, dma, sources, out, now);
      return TimeConcatCopy(l, unit, dma, sources, plan_.copies[i], out, now);
    };
    if (options_.memory == MemoryModel::kIdeal) {
      // Without a memory model only the unit's work counts.
      const VectorTimes t = time(ideal_dma());
      s.vector_busy = t.busy;
      s.cycles = t.busy;
      return now + t.busy;
    }
    const VectorTimes t = time(memory_->dma);
    s.cycles = t.Cycles();
    s.vector_busy = t.busy;
    s.stall_load = t.wait_load;
    s.stall_fill = std::max<std::int64_t>(0, s.cycles - t.busy - t.wait_load);
    s.bytes_read = t.bytes_read;
    s.bytes_written = t.bytes_written;
    return t.end;
  }

  // A memory system whose state nobody reads: the vector unit's band loop needs a DMA to call.
  mem::Dma& ideal_dma() {
    if (!scratch_) {
      static std::atomic<int> instances{0};
      const std::string name = "msqx_scratch_memory_" + std::to_string(instances++);
      scratch_ =
          std::make_unique<mem::MemorySystem>(name.c_str(), mem::MemoryTiming::From(design_));
    }
    return scratch_->dma;
  }

  const spec::DesignSpec& design_;
  const spec::NetworkSpec& network_;
  const CycleOptions& options_;
  CoreParams sizing_;  // the core instance every layer runs on
  std::unique_ptr<mem::MemorySystem> memory_, scratch_;
  std::int64_t period_ps_ = 5000;
  AddressMap map_;
  TensorPlan plan_;
  std::vector<std::uint64_t> tensor_;  // per layer that is a root of the plan
};

}  // namespace

report::RunStats SimulateNetwork(const spec::DesignSpec& design, const spec::NetworkSpec& network,
                                 const CycleOptions& options) {
  return NetworkSimulator(design, network, options).Run();
}

}  // namespace msqx::accel
