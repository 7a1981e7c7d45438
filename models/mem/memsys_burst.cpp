#include "models/mem/memsys_burst.h"

#include <algorithm>

namespace msqx::mem {

void SplitIntoBursts(std::uint64_t address, std::int64_t bytes, int beat_bytes, int burst_beats,
                     int boundary_bytes, std::vector<Burst>& out) {
  const std::uint64_t beat = static_cast<std::uint64_t>(beat_bytes);
  const std::uint64_t boundary = static_cast<std::uint64_t>(boundary_bytes);
  std::uint64_t at = address;
  const std::uint64_t end = address + static_cast<std::uint64_t>(bytes);
  while (at < end) {
    // A burst covers whole beats from the beat that holds `at`; it stops at the burst length,
    // at the next boundary and at the end of the transfer.
    const std::uint64_t first_beat = at / beat * beat;
    const std::uint64_t by_length = first_beat + beat * static_cast<std::uint64_t>(burst_beats);
    const std::uint64_t by_boundary = (at / boundary + 1) * boundary;
    const std::uint64_t stop = std::min({by_length, by_boundary, end});
    const std::uint64_t last_beat_end = (stop + beat - 1) / beat * beat;
    out.push_back({at, static_cast<std::int64_t>(stop - at),
                   static_cast<int>((last_beat_end - first_beat) / beat)});
    at = stop;
  }
}

}  // namespace msqx::mem
