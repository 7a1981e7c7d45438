#pragma once
// An FPGA device: resource budget, clock range, off-chip memory and the AXI ports towards it.
// Plain structs (sim/spec/device.h parses them from JSON).

#include <string>

namespace msqx::spec {

enum class DspKind { kDsp48E1, kDsp48E2 };
const char* ToString(DspKind kind);

// Multiplier operand widths of one DSP block (DSP48E1: 25x18, DSP48E2: 27x18).
struct DspGeometry {
  int a_bits = 25;
  int b_bits = 18;
  int acc_bits = 48;
};
DspGeometry GeometryOf(DspKind kind);

// Efficiency of the DDR controller by access pattern, as a fraction of peak (UG585 for Zynq-7000).
struct DdrEfficiency {
  double seq_read = 1.0;
  double seq_write = 1.0;
  double random_read = 1.0;
  double random_write = 1.0;
  double mixed = 1.0;  // reads and writes interleaved
};

struct DdrSpec {
  std::string standard;     // "DDR3", "DDR4"
  int width_bits = 32;      // data bus width
  double rate_mtps = 1066;  // mega-transfers per second per pin
  double peak_gbps = 4.26;  // GB/s (10^9 bytes), width_bits / 8 * rate_mtps / 1000
  double latency_ns = 0;    // first data after a request on an idle controller
  DdrEfficiency efficiency;
};

struct AxiSpec {
  int ports = 4;              // HP ports the fabric may use
  int width_bits = 64;        // data width of one port
  double clock_mhz = 150;     // highest port clock
  int max_burst_beats = 256;  // AXI4 limit
  int boundary_bytes = 4096;  // a burst never crosses this
  int max_outstanding = 8;    // transactions in flight per port and direction
};

struct DeviceSpec {
  std::string name;    // "xc7z045"
  std::string family;  // "zynq7000", "zynquplus", "virtexuplus"
  std::string source;  // file it was read from
  long lut = 0;
  long ff = 0;
  long dsp = 0;
  DspKind dsp_kind = DspKind::kDsp48E1;
  long bram36 = 0;
  long uram = 0;
  double clock_mhz_min = 100;  // typical range for CNN accelerators on this family
  double clock_mhz_max = 200;
  DdrSpec ddr;
  AxiSpec axi;
};

// The fraction of each device resource a design may use (1 = all of it).
struct UtilizationLimits {
  double lut = 1.0;
  double ff = 1.0;
  double dsp = 1.0;
  double bram36 = 1.0;
  double uram = 1.0;
};

}  // namespace msqx::spec
