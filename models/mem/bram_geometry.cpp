#include "models/mem/bram_geometry.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

namespace msqx::mem {

const std::vector<BramShape>& Bram18Shapes(BramPorts ports) {
  // 512x36 needs both ports' data paths for one access, hence simple dual-port only (UG473).
  static const std::vector<BramShape> kSdp = {{16384, 1}, {8192, 2},  {4096, 4},
                                              {2048, 9},  {1024, 18}, {512, 36}};
  static const std::vector<BramShape> kTdp = {
      {16384, 1}, {8192, 2}, {4096, 4}, {2048, 9}, {1024, 18}};
  return ports == BramPorts::kSimpleDualPort ? kSdp : kTdp;
}

BramCost BramCostOf(int width_bits, int depth, BramPorts ports) {
  if (width_bits < 0 || depth < 0) {
    throw std::invalid_argument("BramCostOf: negative size " + std::to_string(width_bits) + " x " +
                                std::to_string(depth));
  }
  if (width_bits == 0 || depth == 0) return {};
  const auto& shapes = Bram18Shapes(ports);
  // best[w] = fewest BRAM18 covering at least w bits of width (unbounded knapsack over columns).
  std::vector<std::int64_t> best(width_bits + 1, std::numeric_limits<std::int64_t>::max());
  best[0] = 0;
  for (int w = 1; w <= width_bits; ++w) {
    for (const BramShape& s : shapes) {
      const std::int64_t stacked = (std::int64_t{depth} + s.depth - 1) / s.depth;
      best[w] = std::min(best[w], best[std::max(0, w - s.width)] + stacked);
    }
  }
  if (best[width_bits] > std::numeric_limits<int>::max()) {
    throw std::invalid_argument("BramCostOf: buffer too large");
  }
  return {static_cast<int>(best[width_bits])};
}

BramCost BramCostOf(int width_bits, int depth) {
  return BramCostOf(width_bits, depth, BramPorts::kSimpleDualPort);
}

BramCost BankedBramCostOf(int width_bits, int depth, int banks, BramPorts ports) {
  if (banks < 0) throw std::invalid_argument("BankedBramCostOf: negative bank count");
  return {BramCostOf(width_bits, depth, ports).bram18 * banks};
}

}  // namespace msqx::mem
