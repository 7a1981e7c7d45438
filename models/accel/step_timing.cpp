#include "models/accel/step_timing.h"

#include <algorithm>
#include <deque>

#include "models/accel/core_sizing.h"
#include "models/accel/layer_memory.h"

namespace msqx::accel {

LayerTimes TimeLayer(const std::vector<StepCmd>& cmds, const StepLayer& layer,
                     const CoreParams& core, std::int64_t first_command, LayerMemory* memory) {
  IdealMemory ideal(layer, core);
  if (!memory) memory = &ideal;
  std::vector<LoadSegment> segments;
  // Output tiles stored but not yet handed to the memory: the memory sees calls in time order,
  // and a store may come after later steps' loads have started.
  std::deque<std::pair<std::int64_t, const StepCmd*>> stores;
  const auto flush_stores = [&](std::int64_t until) {
    while (!stores.empty() && stores.front().first <= until) {
      memory->Store(*stores.front().second, stores.front().first);
      stores.pop_front();
    }
  };
  const bool db = core.double_buffered;
  const std::int64_t q = core.geo.Pieces();
  LayerTimes out;
  out.first_command = first_command;
  out.steps.reserve(cmds.size());
  constexpr std::int64_t kNever = -(std::int64_t{1} << 40);
  std::int64_t h = first_command;
  std::int64_t z_prev = kNever, z_prev2 = kNever;  // last beats of the two steps before
  std::int64_t s_prev = kNever;                    // first beat of the previous step's last block
  std::int64_t last_store = kNever;                // F of the latest tile
  std::int64_t x_prev = kNever;                    // the previous step's last load beat
  std::vector<std::int64_t> tile_stored;           // F per output tile
  for (const StepCmd& cmd : cmds) {
    const StepCost c = CostOf(layer, StepDimsOf(cmd), core);
    StepTimes t;
    t.taken = h;
    // Load: one request per cycle from h + 1, the first taken by the memory in h + 2; the memory
    // answers one item per cycle in order (an answer written in cycle w is taken in w + 1), none
    // before the cycle its segment is ready.
    flush_stores(h + 2);
    memory->Load(cmd, h + 2, segments);
    // The memory answers in order: this step's first beat follows the previous step's last.
    std::int64_t w = std::max(h + 1, x_prev - 1);
    for (const LoadSegment& seg : segments) {
      if (seg.items == 0) continue;
      w = std::max(w + 1, seg.ready) + seg.items - 1;
    }
    t.loaded = w + 1;
    // The lane loader starts the step after its load, after the previous step's last word was
    // swapped in, and (double-buffered) a new tile's bank free; the first beat follows its word.
    std::int64_t start = std::max(t.loaded + 1, s_prev);
    const std::int64_t unblocked = start;
    if (db && cmd.first_chunk) {
      const std::size_t tile = tile_stored.size();
      if (tile >= 2) start = std::max(start, tile_stored[tile - 2]);
    }
    if (cmd.first_chunk) tile_stored.push_back(kNever);
    t.first_beat = std::max(z_prev + 1, start + q);
    // Idle issue slots before this step, by their cause.
    const std::int64_t idle_from = out.steps.empty() ? h : z_prev + 1;
    const std::int64_t idle = std::max<std::int64_t>(0, t.first_beat - idle_from);
    const std::int64_t for_load = std::clamp<std::int64_t>(t.loaded + 1 + q - idle_from, 0, idle);
    const std::int64_t for_store = std::clamp<std::int64_t>(start - unblocked, 0, idle - for_load);
    out.wait_load += for_load;
    out.wait_store += for_store;
    out.wait_weights +=
        idle - for_load - for_store + (c.blocks - 1) * (c.block_cycles - c.block_issue);
    const std::int64_t s_last = t.first_beat + (c.blocks - 1) * c.block_cycles;
    t.last_beat = s_last + c.block_issue - 1;
    t.written = t.last_beat + core.Write();
    std::int64_t done = t.written;
    if (cmd.last_chunk) {
      const std::int64_t begin = std::max(t.written, last_store) + 1;
      last_store = begin + c.StoreWords() + core.Read();
      tile_stored.back() = last_store;
      t.stored = last_store;
      done = last_store;
      stores.emplace_back(t.stored, &cmd);
    }
    out.dsp_busy += c.dsp_beats;
    out.lut_busy += c.lut_beats;
    z_prev2 = z_prev;
    z_prev = t.last_beat;
    s_prev = s_last;
    // The requester takes the next command once its last request is out (and a half is free).
    h = db ? std::max<std::int64_t>(h + c.items + 1, z_prev2) + 1 : done + 1;
    x_prev = t.loaded;
    out.steps.push_back(t);
  }
  out.last_store = last_store;
  flush_stores(out.last_store);
  out.drained = std::max(out.last_store, memory->Drained());
  return out;
}

}  // namespace msqx::accel
