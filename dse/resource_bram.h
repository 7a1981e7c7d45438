#pragma once
// BRAM and URAM cost of a buffer for the resource model. mem::BramCostOf solves a small knapsack
// over the width with a heap vector per call; a sweep asks for the same few buffer shapes again
// and again, so the answers are kept in a fixed-size direct-mapped cache per thread (no
// allocation after the first miss of a shape, exact because misses call mem::BramCostOf).

#include <cstdint>

namespace msqx::dse {

// BRAM18 count of a simple dual-port width_bits x depth buffer (mem::BramCostOf).
std::int64_t CachedBram18(int width_bits, std::int64_t depth);

// URAM288 count of a width_bits x depth buffer: URAM has one shape, 4096 x 72, so columns of
// 72 bits each stacked ceil(depth / 4096) deep.
std::int64_t UramCount(int width_bits, std::int64_t depth);
inline constexpr int kUramDepth = 4096;
inline constexpr int kUramWidth = 72;
inline constexpr int kBram18PerUramBits = 16;  // 288 Kb / 18 Kb

}  // namespace msqx::dse
