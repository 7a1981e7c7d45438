#pragma once
// What a simulation (any fidelity) measured, per layer and in total. Reports (sim/report) are
// written from this alone, so every fidelity produces the same files with the same schema.

#include <cstdint>
#include <string>
#include <vector>

namespace msqx::report {

struct LayerStats {
  std::string name;
  std::string kind;              // conv, fc, maxpool, avgpool, add, act, concat
  std::string function;          // act: relu, relu6, sigmoid, hardswish, silu; else empty
  std::int64_t cycles = 0;       // wall cycles of the layer at the design clock
  std::int64_t dsp_busy = 0;     // cycles the DSP engine computed
  std::int64_t lut_busy = 0;     // cycles the LUT engine computed
  std::int64_t vector_busy = 0;  // cycles the pooling/add/activation unit worked
  std::int64_t stall_load = 0;   // engines idle waiting for input or weights
  std::int64_t stall_store = 0;  // engines idle waiting for an output buffer to drain
  std::int64_t stall_fill = 0;   // pipeline fill and drain, first load, last store
  std::int64_t bytes_read = 0;
  std::int64_t bytes_written = 0;
  std::int64_t macs = 0;
  int fixed_filters = 0;
  int sp2_filters = 0;
  bool fused = false;     // an activation folded into this layer's output path
  bool in_place = false;  // a concat whose inputs were all written into it by their producers
};

struct RunStats {
  std::string fidelity;  // analytic, cycle, pin
  std::vector<LayerStats> layers;
  double wall_seconds = 0;  // time the simulation took

  std::int64_t TotalCycles() const;
  std::int64_t TotalMacs() const;
  std::int64_t TotalBytesRead() const;
  std::int64_t TotalBytesWritten() const;
};

}  // namespace msqx::report
