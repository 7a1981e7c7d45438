#include "models/mem/memsys_ddr.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace msqx::mem {

DdrTarget::DdrTarget(const sc_core::sc_module_name& name, const MemoryTiming& timing,
                     std::size_t backing_bytes)
    : sc_module(name), timing_(timing), backing_(backing_bytes), port_free_(timing.ports) {
  for (int i = 0; i < timing_.ports; ++i) {
    ports_.push_back(std::make_unique<Socket>(("port_" + std::to_string(i)).c_str()));
    ports_.back()->register_b_transport(this, &DdrTarget::BTransport, i);
  }
}

bool DdrTarget::Legal(const tlm::tlm_generic_payload& trans) const {
  const std::uint64_t a = trans.get_address();
  const std::uint64_t n = trans.get_data_length();
  const std::uint64_t beat = static_cast<std::uint64_t>(timing_.beat_bytes);
  const std::uint64_t beats = (a + n + beat - 1) / beat - a / beat;
  const std::uint64_t boundary = static_cast<std::uint64_t>(timing_.boundary_bytes);
  return n > 0 && beats <= static_cast<std::uint64_t>(timing_.max_burst_beats) &&
         a / boundary == (a + n - 1) / boundary;
}

void DdrTarget::BTransport(int port, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  if (!trans.is_read() && !trans.is_write()) {
    trans.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    return;
  }
  if (!Legal(trans)) {
    ++stats_.rejected;
    trans.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return;
  }
  const Dir dir = trans.is_read() ? Dir::kRead : Dir::kWrite;
  const int d = static_cast<int>(dir);
  const std::uint64_t address = trans.get_address();
  const std::int64_t bytes = trans.get_data_length();
  if (!backing_.empty()) {
    if (address + bytes > backing_.size()) {
      trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
      return;
    }
    if (dir == Dir::kRead) {
      std::memcpy(trans.get_data_ptr(), backing_.data() + address, bytes);
    } else {
      std::memcpy(backing_.data() + address, trans.get_data_ptr(), bytes);
    }
  }

  const Pattern pattern = last_dir_ >= 0 && last_dir_ != d             ? Pattern::kMixed
                          : seen_[d] && next_sequential_[d] == address ? Pattern::kSequential
                                                                       : Pattern::kRandom;
  const Picoseconds now = sc_core::sc_time_stamp().value();  // the default resolution is 1 ps
  const Picoseconds request = now + static_cast<Picoseconds>(delay.value());
  // The controller serves bursts in the order they arrive: data starts after the access latency
  // and once the bus is free, occupies the bus for the pattern's share of peak, and crosses the
  // port no faster than the port's own rate.
  const Picoseconds data_start = std::max(request + timing_.latency_ps, ddr_free_);
  ddr_free_ = data_start + timing_.DdrPs(bytes, dir, pattern);
  Picoseconds& port_free = port_free_[port][d];
  port_free = std::max(data_start, port_free) + timing_.PortPs(bytes);
  const Picoseconds done = std::max(ddr_free_, port_free);

  next_sequential_[d] = address + bytes;
  seen_[d] = true;
  last_dir_ = d;
  stats_.bytes[d] += bytes;
  ++stats_.bursts[static_cast<int>(pattern)];
  delay = sc_core::sc_time::from_value(static_cast<sc_dt::uint64>(done - now));
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace msqx::mem
