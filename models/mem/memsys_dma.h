#pragma once
// The DMA engine: turns a tile load or store into AXI bursts, spreads them round-robin over the
// HP ports in use, keeps at most `max_outstanding` bursts in flight per port and direction, and
// returns when the last burst completes. Loosely timed: the caller passes the time the transfer
// may start and gets its completion, both in picoseconds; nothing waits.

#include <tlm_utils/simple_initiator_socket.h>

#include <array>
#include <cstdint>
#include <memory>
#include <systemc>
#include <tlm>
#include <vector>

#include "models/mem/memsys_burst.h"
#include "models/mem/memsys_timing.h"

namespace msqx::mem {

class DdrTarget;

class Dma : public sc_core::sc_module {
 public:
  using Socket = tlm_utils::simple_initiator_socket_tagged<Dma>;
  Dma(const sc_core::sc_module_name& name, const MemoryTiming& timing);

  Socket& port(int i) { return *ports_[i]; }

  // Moves [address, address + bytes); `data` (may be null) is read from or written to memory
  // when the target keeps contents. Returns the completion time in ps; throws on a bus error.
  Picoseconds Transfer(Dir dir, std::uint64_t address, std::int64_t bytes, Picoseconds start,
                       std::uint8_t* data = nullptr);

  std::int64_t bursts_issued() const { return bursts_issued_; }

 private:
  MemoryTiming timing_;
  std::vector<std::unique_ptr<Socket>> ports_;
  // Completion times of the last `max_outstanding` bursts per port and direction (ring buffers).
  std::vector<std::vector<Picoseconds>> in_flight_;
  std::vector<std::size_t> ring_next_;
  std::array<int, 2> next_port_{};
  std::vector<Burst> bursts_;  // reused between transfers
  std::int64_t bursts_issued_ = 0;
};

// DDR and the DMA, bound: what the accelerator models instantiate.
struct MemorySystem : sc_core::sc_module {
  MemorySystem(const sc_core::sc_module_name& name, const MemoryTiming& timing,
               std::size_t backing_bytes = 0);
  ~MemorySystem() override;
  Dma dma;
  DdrTarget& ddr() { return *ddr_; }

 private:
  std::unique_ptr<DdrTarget> ddr_;
};

}  // namespace msqx::mem
