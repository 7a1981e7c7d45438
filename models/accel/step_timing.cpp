#include "models/accel/step_timing.h"

#include <algorithm>
#include <deque>

#include "models/accel/layer_memory.h"
#include "models/util/int_math.h"

namespace msqx::accel {
LayerTimes TimeLayer(const std::vector<StepCmd>& cmds, int kernel, int stride,
                     const CoreTiming& core, std::int64_t first_command, LayerMemory* memory) {
  IdealMemory ideal(kernel, stride, core);
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
  const std::int64_t L = core.bram_latency, S = core.array_stages,
                     k2 = std::int64_t{kernel} * kernel;
  LayerTimes out;
  out.first_command = first_command;
  out.steps.reserve(cmds.size());
  std::int64_t h = first_command;
  std::int64_t e_prev = -1, d_prev = -1, d_prev2 = -1, last_store = -1;
  std::vector<std::int64_t> tile_stored;  // when each output tile's store ends (overlap_store)
  for (const StepCmd& s : cmds) {
    StepTimes t;
    t.taken = h;
    // Load: the input window (one word per pixel), then each engine's weights (one word per
    // filter row of a row group, channel group and tap), one request per cycle, the first taken
    // by the memory in cycle h + 2. The memory answers one item per cycle in order (an answer
    // written in cycle w is taken by the core in w + 1), none before the cycle its segment is
    // ready.
    const std::int64_t pixels = std::int64_t{s.out_rows} * s.out_cols;
    const std::int64_t groups_d = CeilDiv(s.dsp_n, core.dsp_rows),
                       groups_l = CeilDiv(s.lut_n, core.lut_rows);
    const std::int64_t chans_d = CeilDiv(s.in_chs, core.dsp_cols),
                       chans_l = CeilDiv(s.in_chs, core.lut_cols);
    flush_stores(h + 2);
    memory->Load(s, h + 2, segments);
    std::int64_t w = h + 1;
    t.load_items = 0;
    for (const LoadSegment& seg : segments) {
      if (seg.items == 0) continue;
      w = std::max(w + 1, seg.ready) + seg.items - 1;
      t.load_items += seg.items;
    }
    t.loaded = w + 1;
    // Compute: one beat per cycle per engine; a beat's sum is written 1 + L + S cycles after the
    // last beat issues, after a read-modify of 1 + L more for a later input-channel chunk.
    t.dsp_beats = s.dsp_n ? groups_d * pixels * chans_d * k2 : 0;
    t.lut_beats = s.lut_n ? groups_l * pixels * chans_l * k2 : 0;
    std::int64_t compute = 0;
    for (std::int64_t beats : {t.dsp_beats, t.lut_beats}) {
      if (beats) compute = std::max(compute, beats + 1 + L + S + (s.first_chunk ? 0 : 1 + L));
    }
    // Store (last chunk): per output word a read (1 + L) and its activations, one cycle to switch
    // from the DSP engine's words to the LUT engine's.
    const std::int64_t store = groups_d * pixels * (1 + L) + std::int64_t{s.dsp_n} * pixels +
                               groups_l * pixels * (1 + L) + std::int64_t{s.lut_n} * pixels +
                               (s.dsp_n > 0 && s.lut_n > 0 ? 1 : 0);
    std::int64_t start = std::max(t.loaded, e_prev) + 1;
    if (core.overlap_store) {
      if (s.first_chunk) tile_stored.push_back(-1);
      const std::size_t tile = tile_stored.size() - 1;
      // A first chunk needs the partial-sum half of the tile two back stored; a later chunk
      // needs the previous tile's store off the shared read port.
      std::int64_t blocked = -1;
      if (s.first_chunk && tile >= 2) blocked = tile_stored[tile - 2];
      if (!s.first_chunk && tile >= 1) blocked = tile_stored[tile - 1];
      start = std::max({t.loaded + 1, d_prev + 1, blocked});
    }
    // The engines idle from the end of the previous compute to this start: the part before the
    // load finished waited for the load, the rest for a store or a buffer half.
    const std::int64_t idle_from = out.steps.empty() ? h : d_prev + 1;
    const std::int64_t idle = std::max<std::int64_t>(0, start - idle_from);
    const std::int64_t for_load = std::clamp<std::int64_t>(t.loaded + 1 - idle_from, 0, idle);
    out.wait_load += for_load;
    out.wait_store += idle - for_load;
    t.compute_start = start;
    t.computed = start + compute;
    std::int64_t e = t.computed;
    if (core.overlap_store) {
      if (s.last_chunk) {
        last_store = std::max(t.computed, last_store) + 1 + store;
        tile_stored.back() = last_store;
        t.stored = last_store;
      }
    } else if (s.last_chunk) {
      e += 1 + store;
      t.stored = e;
    }
    out.dsp_busy += t.dsp_beats;
    out.lut_busy += t.lut_beats;
    d_prev2 = d_prev;
    d_prev = t.computed;
    e_prev = e;
    h = core.overlap_load ? std::max(t.loaded, d_prev2) + 1 : e + 1;
    if (t.stored >= 0) stores.emplace_back(t.stored, &s);
    out.steps.push_back(t);
  }
  out.last_store = core.overlap_store ? last_store : e_prev;
  flush_stores(out.last_store);
  out.drained = std::max(out.last_store, memory->Drained());
  return out;
}

}  // namespace msqx::accel
