#include "models/mem/memsys_timing.h"

#include <cmath>

namespace msqx::mem {

MemoryTiming MemoryTiming::From(const spec::DesignSpec& d) {
  const auto& ddr = d.device.ddr;
  const auto& axi = d.device.axi;
  MemoryTiming t;
  t.ddr_peak_bytes_per_s = ddr.peak_gbps * 1e9;
  t.eff_seq_read = ddr.efficiency.seq_read;
  t.eff_seq_write = ddr.efficiency.seq_write;
  t.eff_random_read = ddr.efficiency.random_read;
  t.eff_random_write = ddr.efficiency.random_write;
  t.eff_mixed = ddr.efficiency.mixed;
  t.latency_ps = static_cast<Picoseconds>(std::llround(ddr.latency_ns * 1e3));
  t.ports = d.dma.axi_ports;
  t.beat_bytes = axi.width_bits / 8;
  t.port_bytes_per_s = t.beat_bytes * axi.clock_mhz * 1e6;
  t.burst_beats = d.dma.burst_beats;
  t.max_burst_beats = axi.max_burst_beats;
  t.boundary_bytes = axi.boundary_bytes;
  t.max_outstanding = d.dma.max_outstanding;
  return t;
}

double MemoryTiming::Efficiency(Dir dir, Pattern pattern) const {
  if (pattern == Pattern::kMixed) return eff_mixed;
  if (dir == Dir::kRead) return pattern == Pattern::kSequential ? eff_seq_read : eff_random_read;
  return pattern == Pattern::kSequential ? eff_seq_write : eff_random_write;
}

namespace {
Picoseconds CeilPs(double bytes, double bytes_per_s) {
  return static_cast<Picoseconds>(std::ceil(bytes * 1e12 / bytes_per_s - 1e-6));
}
}  // namespace

Picoseconds MemoryTiming::DdrPs(std::int64_t bytes, Dir dir, Pattern pattern) const {
  return CeilPs(static_cast<double>(bytes), ddr_peak_bytes_per_s * Efficiency(dir, pattern));
}

Picoseconds MemoryTiming::PortPs(std::int64_t bytes) const {
  return CeilPs(static_cast<double>(bytes), port_bytes_per_s);
}

}  // namespace msqx::mem
