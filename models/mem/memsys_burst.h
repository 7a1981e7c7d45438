#pragma once
// Splits a transfer into AXI bursts: at most `burst_beats` beats, never across a
// `boundary_bytes` boundary (AXI4: 4 KB), the first and last burst shortened as needed.

#include <cstdint>
#include <vector>

namespace msqx::mem {

struct Burst {
  std::uint64_t address = 0;
  std::int64_t bytes = 0;
  int beats = 0;  // data beats on the bus, including a partial first or last beat
};

// Appends the bursts of [address, address + bytes) to `out` (not cleared: callers reuse it).
void SplitIntoBursts(std::uint64_t address, std::int64_t bytes, int beat_bytes, int burst_beats,
                     int boundary_bytes, std::vector<Burst>& out);

}  // namespace msqx::mem
