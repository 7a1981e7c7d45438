#pragma once
// The cycle fidelity of the accelerator core: the timing of the pin-level core (docs/models.md,
// "Timing with an ideal memory") evaluated once per step of the shared tile schedule instead of
// once per clock. No SystemC, no per-cycle work: a layer costs one pass over its steps. The
// pin-level core is the reference; tests/sc/step_timing checks both on random layers.

#include <cstdint>
#include <vector>

#include "models/accel/core_types.h"

namespace msqx::accel {

// The parts of a core instance that set its timing.
struct CoreTiming {
  int dsp_rows = 1, dsp_cols = 1;
  int lut_rows = 1, lut_cols = 1;
  int bram_latency = 1;        // 1 or 2 cycles
  int array_stages = 4;        // A, M, adder tree, P
  bool overlap_load = false;   // double-buffered input and weight buffers
  bool overlap_store = false;  // double-buffered partial sums with a separate storer
};

struct StepTimes {
  std::int64_t taken = 0;   // command handshake
  std::int64_t loaded = 0;  // last load beat
  std::int64_t compute_start = 0;
  std::int64_t computed = 0;  // both engines' sums written
  std::int64_t stored = -1;   // last activation of this step's tile stored (last chunk only)
  std::int64_t load_items = 0;
  std::int64_t dsp_beats = 0, lut_beats = 0;
};

struct LayerTimes {
  std::vector<StepTimes> steps;
  std::int64_t first_command = 0;
  std::int64_t last_store = 0;  // cycle of the layer's last stored activation
  std::int64_t drained = 0;     // the later of last_store and the completion of the last write
  std::int64_t Cycles() const { return drained - first_command; }
  // Cycles in which compute waited: for its loads, for the previous step or a store.
  std::int64_t wait_load = 0, wait_store = 0;
  std::int64_t dsp_busy = 0, lut_busy = 0;
};

class LayerMemory;

// Times a layer (kernel, stride) whose steps are `cmds` (CommandsOf(MakeSchedule(...))) on a core
// whose loads and stores go to `memory` (layer_memory.h; null: an ideal memory, every load
// request answered in the next cycle). Load requests are taken at once and stores are posted, as
// in the pin testbench. `first_command` is the cycle of the first command handshake.
LayerTimes TimeLayer(const std::vector<StepCmd>& cmds, int kernel, int stride,
                     const CoreTiming& core, std::int64_t first_command = 0,
                     LayerMemory* memory = nullptr);

}  // namespace msqx::accel
