#include "sim/spec/device.h"

#include <cmath>
#include <string>

namespace msqx::spec {

namespace {

DdrSpec ParseDdr(const Node& n) {
  n.ExpectObject({"standard", "width_bits", "rate_mtps", "peak_gbps", "latency_ns", "efficiency"});
  DdrSpec d;
  d.standard = n.At("standard").OneOf({"DDR3", "DDR4", "LPDDR4", "HBM2"});
  d.width_bits = static_cast<int>(n.At("width_bits").Int(8, 1024));
  d.rate_mtps = n.At("rate_mtps").Number(1, 1e5);
  d.peak_gbps = n.At("peak_gbps").Number(0.01, 1e4);
  // The peak must follow from width and rate; a mismatch means one of them is a typo.
  const double implied = d.width_bits / 8.0 * d.rate_mtps / 1000.0;
  if (std::abs(d.peak_gbps - implied) > 0.02 * implied) {
    n.At("peak_gbps")
        .Fail("expected about " + std::to_string(implied) +
              " (width_bits / 8 * rate_mtps / 1000), got " + std::to_string(d.peak_gbps));
  }
  d.latency_ns = n.At("latency_ns").Number(0, 1e4);
  const Node e = n.At("efficiency");
  e.ExpectObject({"seq_read", "seq_write", "random_read", "random_write", "mixed"});
  d.efficiency.seq_read = e.At("seq_read").Number(0.01, 1);
  d.efficiency.seq_write = e.At("seq_write").Number(0.01, 1);
  d.efficiency.random_read = e.At("random_read").Number(0.01, 1);
  d.efficiency.random_write = e.At("random_write").Number(0.01, 1);
  d.efficiency.mixed = e.At("mixed").Number(0.01, 1);
  return d;
}

AxiSpec ParseAxi(const Node& n) {
  n.ExpectObject(
      {"ports", "width_bits", "clock_mhz", "max_burst_beats", "boundary_bytes", "max_outstanding"});
  AxiSpec a;
  a.ports = static_cast<int>(n.At("ports").Int(1, 64));
  const Node width = n.At("width_bits");
  a.width_bits = static_cast<int>(width.Int(32, 1024));
  if ((a.width_bits & (a.width_bits - 1)) != 0) {
    width.Fail("expected a power of two (32, 64, 128, ...), got " + std::to_string(a.width_bits));
  }
  a.clock_mhz = n.At("clock_mhz").Number(1, 2000);
  a.max_burst_beats = static_cast<int>(n.IntOr("max_burst_beats", 256, 1, 256));
  a.boundary_bytes = static_cast<int>(n.IntOr("boundary_bytes", 4096, 64, 1 << 20));
  a.max_outstanding = static_cast<int>(n.At("max_outstanding").Int(1, 256));
  return a;
}

}  // namespace

DeviceSpec ParseDevice(const Node& root) {
  root.ExpectObject({"name", "family", "lut", "ff", "dsp", "dsp_kind", "bram36", "uram",
                     "clock_mhz", "ddr", "axi"});
  DeviceSpec d;
  d.source = root.file();
  d.name = root.At("name").String();
  if (d.name.empty()) root.At("name").Fail("expected a non-empty name");
  d.family = root.At("family").OneOf({"zynq7000", "zynquplus", "virtexuplus"});
  d.lut = root.At("lut").Int(1);
  d.ff = root.At("ff").Int(1);
  d.dsp = root.At("dsp").Int(0);
  d.dsp_kind = root.At("dsp_kind").OneOf({"DSP48E1", "DSP48E2"}) == "DSP48E1" ? DspKind::kDsp48E1
                                                                              : DspKind::kDsp48E2;
  d.bram36 = root.At("bram36").Int(0);
  d.uram = root.IntOr("uram", 0, 0);
  const Node clock = root.At("clock_mhz");
  clock.ExpectObject({"min", "max"});
  d.clock_mhz_min = clock.At("min").Number(1, 2000);
  d.clock_mhz_max = clock.At("max").Number(d.clock_mhz_min, 2000);
  d.ddr = ParseDdr(root.At("ddr"));
  d.axi = ParseAxi(root.At("axi"));
  return d;
}

}  // namespace msqx::spec
