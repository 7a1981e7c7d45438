#include "models/mem/memsys_dma.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "models/mem/memsys_ddr.h"

namespace msqx::mem {

Dma::Dma(const sc_core::sc_module_name& name, const MemoryTiming& timing)
    : sc_module(name),
      timing_(timing),
      in_flight_(2 * timing.ports, std::vector<Picoseconds>(timing.max_outstanding, 0)),
      ring_next_(2 * timing.ports, 0) {
  for (int i = 0; i < timing_.ports; ++i) {
    ports_.push_back(std::make_unique<Socket>(("port_" + std::to_string(i)).c_str()));
  }
}

Picoseconds Dma::Transfer(Dir dir, std::uint64_t address, std::int64_t bytes, Picoseconds start,
                          std::uint8_t* data) {
  bursts_.clear();
  SplitIntoBursts(address, bytes, timing_.beat_bytes, timing_.burst_beats, timing_.boundary_bytes,
                  bursts_);
  const int d = static_cast<int>(dir);
  Picoseconds done = start;
  tlm::tlm_generic_payload trans;
  std::vector<std::uint8_t> scratch;
  for (const Burst& b : bursts_) {
    const int port = next_port_[d];
    next_port_[d] = (port + 1) % timing_.ports;
    // A slot frees when the burst issued `max_outstanding` bursts earlier on this port completes.
    const std::size_t ring = static_cast<std::size_t>(2 * port + d);
    Picoseconds& slot = in_flight_[ring][ring_next_[ring]];
    ring_next_[ring] = (ring_next_[ring] + 1) % in_flight_[ring].size();
    const Picoseconds issue = std::max(start, slot);

    std::uint8_t* ptr = data ? data + (b.address - address) : nullptr;
    if (!ptr) {
      scratch.resize(static_cast<std::size_t>(b.bytes));
      ptr = scratch.data();
    }
    trans.set_command(dir == Dir::kRead ? tlm::TLM_READ_COMMAND : tlm::TLM_WRITE_COMMAND);
    trans.set_address(b.address);
    trans.set_data_ptr(ptr);
    trans.set_data_length(static_cast<unsigned>(b.bytes));
    trans.set_streaming_width(static_cast<unsigned>(b.bytes));
    trans.set_byte_enable_ptr(nullptr);
    trans.set_dmi_allowed(false);
    trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    const Picoseconds now = sc_core::sc_time_stamp().value();
    sc_core::sc_time delay = sc_core::sc_time::from_value(
        static_cast<sc_dt::uint64>(std::max<Picoseconds>(0, issue - now)));
    (*ports_[port])->b_transport(trans, delay);
    if (trans.is_response_error()) {
      throw std::runtime_error("DMA burst at 0x" + std::to_string(b.address) + ": " +
                               trans.get_response_string());
    }
    slot = now + static_cast<Picoseconds>(delay.value());
    done = std::max(done, slot);
    ++bursts_issued_;
  }
  return done;
}

MemorySystem::MemorySystem(const sc_core::sc_module_name& name, const MemoryTiming& timing,
                           std::size_t backing_bytes)
    : sc_module(name),
      dma("dma", timing),
      ddr_(std::make_unique<DdrTarget>("ddr", timing, backing_bytes)) {
  for (int i = 0; i < timing.ports; ++i) dma.port(i).bind(ddr_->port(i));
}

MemorySystem::~MemorySystem() = default;

}  // namespace msqx::mem
