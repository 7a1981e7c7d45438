#pragma once
// Size of a BRAM buffer in Xilinx 7-series / UltraScale block RAMs (DOMAIN.md section 2).
// The cost is counted in BRAM18 halves because a BRAM36 can always be split into two BRAM18; a
// buffer that needs one BRAM18 therefore costs 0.5 BRAM36.

#include <vector>

namespace msqx::mem {

struct BramCost {
  int bram18 = 0;
  double Bram36() const { return bram18 / 2.0; }
};

// Port configuration of the buffer. Only simple dual-port (one write, one read port) may use the
// 72-bit-wide BRAM36 / 36-bit-wide BRAM18 shapes.
enum class BramPorts { kSimpleDualPort, kTrueDualPort };

// One aspect ratio of a BRAM18 (depth x width). A BRAM36 shape of the same width has twice the
// depth and costs two BRAM18, so it never beats two stacked BRAM18 and need not be listed.
struct BramShape {
  int depth;
  int width;
};
const std::vector<BramShape>& Bram18Shapes(BramPorts ports);

// Cheapest tiling of a width_bits x depth memory: the width is cut into columns, each column is
// one aspect ratio stacked ceil(depth / shape depth) times. Zero width or depth costs nothing;
// negative sizes throw std::invalid_argument. Default is simple dual-port, the mode of every
// buffer in the accelerator template (DMA writes, engine reads).
BramCost BramCostOf(int width_bits, int depth, BramPorts ports);
BramCost BramCostOf(int width_bits, int depth);

// A buffer split into `banks` identical banks (for parallel access) costs banks times one bank.
BramCost BankedBramCostOf(int width_bits, int depth, int banks, BramPorts ports);

}  // namespace msqx::mem
