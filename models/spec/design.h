#pragma once
// One design point of the accelerator template (DESIGN.md): a DSP engine and a LUT engine working
// on the same layer, tiled loops, double-buffered BRAM buffers and a DMA over AXI. Plain structs
// (sim/spec/design.h parses them from JSON).

#include <string>

#include "models/spec/device.h"

namespace msqx::spec {

// rows = output channels in parallel, cols = input channels in parallel.
struct DspEngineSpec {
  int rows = 0;
  int cols = 0;
  int macs_per_dsp = 1;  // products per DSP block (2 = packing with a shared operand)
  int Lanes() const { return rows * cols; }
  int Dsps() const { return (rows * cols + macs_per_dsp - 1) / macs_per_dsp; }
};

struct LutEngineSpec {
  int rows = 0;
  int cols = 0;
  int Lanes() const { return rows * cols; }
};

// Share of each layer's filters given to fixed-point (DSP) and SP2 (LUT): fixed / (fixed + sp2).
struct RatioSpec {
  double fixed = 1;
  double sp2 = 1;
  double FixedShare() const { return fixed / (fixed + sp2); }
};

// Largest tile the controller may use; a layer smaller than the tile uses its own extent.
struct TileSpec {
  int out_rows = 8;
  int out_cols = 8;
  int out_channels = 32;
  int in_channels = 32;
};

struct BufferSpec {
  int input_kib = 64;  // each buffer's capacity for one tile; doubled when double_buffered
  int weight_kib = 64;
  int output_kib = 64;
  bool double_buffered = true;
};

struct DmaSpec {
  int burst_beats = 16;     // AXI burst length used for tile transfers
  int axi_ports = 2;        // HP ports used (at most the device's)
  int max_outstanding = 4;  // per port and direction (at most the device's)
};

struct PostSpec {
  bool fuse_activation = true;  // an activation right after conv/fc/add is applied on the way out
  int vector_lanes = 16;        // elements per cycle of the pooling / add / activation unit
};

struct DesignSpec {
  std::string name;
  std::string source;
  // The network the design was chosen for (a sweep's best_design files say it): `msqx hls`
  // exports for it when no --network is given. Optional, empty when absent.
  std::string network;
  DeviceSpec device;  // resolved
  double clock_mhz = 200;
  DspEngineSpec dsp_engine;
  LutEngineSpec lut_engine;
  RatioSpec ratio;
  TileSpec tile;
  BufferSpec buffers;
  DmaSpec dma;
  PostSpec post;
};

}  // namespace msqx::spec
