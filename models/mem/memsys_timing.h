#pragma once
// Timing of the off-chip memory system, derived once from the device and design configs
// (STYLE.md: one timing struct per component, no literals in the models). All times are integer
// picoseconds so that every fidelity computes the same figures bit for bit.

#include <cstdint>

#include "models/spec/design.h"

namespace msqx::mem {

using Picoseconds = std::int64_t;

enum class Dir { kRead = 0, kWrite = 1 };

// How a burst meets the DDR controller (docs/memory.md):
//   sequential: it starts where the previous burst of the same direction ended;
//   random:     it does not;
//   mixed:      the previous burst on the DDR bus went the other way (a read/write turnaround),
//               which overrides both.
enum class Pattern { kSequential, kRandom, kMixed };

struct MemoryTiming {
  double ddr_peak_bytes_per_s = 0;
  double eff_seq_read = 1, eff_seq_write = 1, eff_random_read = 1, eff_random_write = 1,
         eff_mixed = 1;
  Picoseconds latency_ps = 0;   // request to first data on an idle controller
  int ports = 1;                // AXI HP ports in use
  int beat_bytes = 8;           // AXI data width / 8
  double port_bytes_per_s = 0;  // one port, one direction
  int burst_beats = 16;         // DMA burst length
  int max_burst_beats = 256;
  int boundary_bytes = 4096;
  int max_outstanding = 4;  // per port and direction

  static MemoryTiming From(const spec::DesignSpec& design);

  double Efficiency(Dir dir, Pattern pattern) const;
  // Time the DDR bus is occupied by `bytes` with this pattern, rounded up to a picosecond.
  Picoseconds DdrPs(std::int64_t bytes, Dir dir, Pattern pattern) const;
  // Time one AXI port needs to move `bytes` in one direction, rounded up to a picosecond.
  Picoseconds PortPs(std::int64_t bytes) const;
};

// Bytes moved in `ps` picoseconds, as GB/s (10^9 bytes per second).
inline double GigabytesPerSecond(std::int64_t bytes, Picoseconds ps) {
  return ps > 0 ? static_cast<double>(bytes) / static_cast<double>(ps) * 1e3 : 0;
}

}  // namespace msqx::mem
