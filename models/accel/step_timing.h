#pragma once
// The cycle fidelity of the accelerator core: the timing of the pin-level core (step_cost.h,
// docs/models.md "Timing") evaluated once per step of the shared tile schedule instead of once
// per clock. No SystemC, no per-cycle work: a layer costs one pass over its steps. The pin-level
// core is the reference; tests/sc/step_timing checks both on random layers.

#include <cstdint>
#include <vector>

#include "models/accel/core_ports.h"
#include "models/accel/step_cost.h"

namespace msqx::accel {

struct StepTimes {
  std::int64_t taken = 0;       // command handshake
  std::int64_t loaded = 0;      // last load beat
  std::int64_t first_beat = 0;  // the step's first beat
  std::int64_t last_beat = 0;
  std::int64_t written = 0;  // its last partial sum written
  std::int64_t stored = -1;  // last activation of its tile taken (last chunk only)
};

struct LayerTimes {
  std::vector<StepTimes> steps;
  std::int64_t first_command = 0;
  std::int64_t last_store = 0;  // cycle of the layer's last stored activation
  std::int64_t drained = 0;     // the later of last_store and the completion of the last write
  std::int64_t Cycles() const { return drained - first_command; }
  // Cycles in which no beat issued, by what held the sequencer: its loads, a partial-sum bank
  // still being stored (or, single-buffered, the store itself), or the lanes' weights (the first
  // word of a step, and blocks of fewer pixels than lane-loading cycles).
  std::int64_t wait_load = 0, wait_store = 0, wait_weights = 0;
  std::int64_t dsp_busy = 0, lut_busy = 0;  // beats in which the engine had filters
};

class LayerMemory;

// Times a layer whose steps are `cmds` (CommandsOf(MakeSchedule(...))) on a core `core` whose
// loads and stores go to `memory` (layer_memory.h; null: an ideal memory, every load request
// answered in the next cycle). Load requests are taken at once and stores are posted, as in the
// pin testbench. `first_command` is the cycle of the first command handshake.
LayerTimes TimeLayer(const std::vector<StepCmd>& cmds, const StepLayer& layer,
                     const CoreParams& core, std::int64_t first_command = 0,
                     LayerMemory* memory = nullptr);

}  // namespace msqx::accel
