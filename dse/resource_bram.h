#pragma once
// BRAM and URAM cost of a buffer for the resource model. mem::BramCostOf solves a knapsack over
// the whole width with a heap vector per call (tens of microseconds for a 4096-bit weight word);
// TiledBram18 gives the same answer from a knapsack over a short remainder on the stack, and a
// sweep's repeated buffer shapes are answered from a fixed-size cache per thread.

#include <cstdint>

namespace msqx::dse {

// BRAM18 count of a simple dual-port width_bits x depth buffer, equal to mem::BramCostOf.
std::int64_t TiledBram18(int width_bits, std::int64_t depth);
// The same through a two-way cache of 8192 entries per thread; no allocation.
std::int64_t CachedBram18(int width_bits, std::int64_t depth);

// URAM288 count of a width_bits x depth buffer: URAM has one shape, 4096 x 72, so columns of
// 72 bits each stacked ceil(depth / 4096) deep.
std::int64_t UramCount(int width_bits, std::int64_t depth);
inline constexpr int kUramDepth = 4096;
inline constexpr int kUramWidth = 72;
inline constexpr int kBram18PerUramBits = 16;  // 288 Kb / 18 Kb

}  // namespace msqx::dse
