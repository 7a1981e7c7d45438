#pragma once
// The cycle fidelity of a whole network (`msqx sim --fidelity cycle`, the sweep's simulation of
// survivors): every layer in network order on one core sized by the design (core_sizing.h), the
// conv and fc layers through the shared tile schedule and the core's step timing (step_timing.h),
// pooling, adds and unfused activations on the vector unit (vector_timing.h), all loads and stores
// through the DMA and the DDR/AXI model (models/mem) over TLM-2.0. The DDR state carries over from
// layer to layer; a layer's first command is taken in the cycle the previous layer's last write
// completed. No clocked process runs, so simulated time stays at 0 and the memory system is
// called with absolute times (loosely timed).

#include <cstddef>
#include <functional>

#include "models/accel/tensor_plan.h"  // FusedIntoPrevious
#include "models/spec/design.h"
#include "models/spec/network.h"
#include "models/spec/run_stats.h"

namespace msqx::accel {

enum class MemoryModel {
  kDdr,    // the DDR/AXI model of the device and design
  kIdeal,  // every load answered in the cycle it is asked for, stores free: the core alone
};

struct CycleOptions {
  MemoryModel memory = MemoryModel::kDdr;
  // Called after each layer with (layers done, layers in the network); may be empty.
  std::function<void(std::size_t, std::size_t)> progress;
};

// Throws spec::ConfigError (naming the design file, the layer and the reason) when a layer cannot
// run on the design: a tile that does not fit a buffer, or a grouped convolution other than
// depthwise.
report::RunStats SimulateNetwork(const spec::DesignSpec& design, const spec::NetworkSpec& network,
                                 const CycleOptions& options = {});

}  // namespace msqx::accel
