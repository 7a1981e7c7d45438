#pragma once
// DDR behind the AXI HP ports as a loosely-timed TLM-2.0 target: one b_transport per burst, its
// completion annotated on the delay, never a wait() and never an event per beat, so that a whole
// network's traffic costs one call per burst. docs/memory.md states the timing rules.

#include <tlm_utils/simple_target_socket.h>

#include <array>
#include <cstdint>
#include <memory>
#include <systemc>
#include <tlm>
#include <vector>

#include "models/mem/memsys_timing.h"

namespace msqx::mem {

struct DdrStats {
  std::array<std::int64_t, 2> bytes{};   // by Dir
  std::array<std::int64_t, 3> bursts{};  // by Pattern
  std::int64_t rejected = 0;             // bursts that broke an AXI rule
};

class DdrTarget : public sc_core::sc_module {
 public:
  using Socket = tlm_utils::simple_target_socket_tagged<DdrTarget>;
  // One target socket per AXI port; `backing_bytes` > 0 keeps the data (tests of contents).
  DdrTarget(const sc_core::sc_module_name& name, const MemoryTiming& timing,
            std::size_t backing_bytes = 0);

  Socket& port(int i) { return *ports_[i]; }
  const DdrStats& stats() const { return stats_; }

 private:
  void BTransport(int port, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  bool Legal(const tlm::tlm_generic_payload& trans) const;

  MemoryTiming timing_;
  std::vector<std::unique_ptr<Socket>> ports_;
  std::vector<std::uint8_t> backing_;
  Picoseconds ddr_free_ = 0;                           // DDR data bus busy until
  std::vector<std::array<Picoseconds, 2>> port_free_;  // per port and direction
  std::array<std::uint64_t, 2> next_sequential_{};     // where a sequential burst would start
  std::array<bool, 2> seen_{};
  int last_dir_ = -1;  // direction of the previous burst on the bus
  DdrStats stats_;
};

}  // namespace msqx::mem
