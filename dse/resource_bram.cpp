#include "dse/resource_bram.h"

#include <array>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "models/mem/bram_geometry.h"

namespace msqx::dse {
namespace {

struct Entry {
  std::int64_t key = -1;
  std::int64_t bram18 = 0;
};
constexpr int kCacheSize = 8192;  // power of two; two-way: a key may sit in slot i or i ^ 1
constexpr int kMaxRemainder = 4096;

std::uint64_t Mix(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  return x;
}

}  // namespace

std::int64_t TiledBram18(int width_bits, std::int64_t depth) {
  if (width_bits <= 0 || depth <= 0) return 0;
  const std::vector<mem::BramShape>& shapes = mem::Bram18Shapes(mem::BramPorts::kSimpleDualPort);
  const int n = static_cast<int>(shapes.size());
  std::array<std::int64_t, 16> cost{};
  if (n > static_cast<int>(cost.size())) {
    return mem::BramCostOf(width_bits, static_cast<int>(depth)).bram18;
  }
  int best = 0;  // the shape with the most width per BRAM18 at this depth
  for (int i = 0; i < n; ++i) {
    cost[i] = (depth + shapes[i].depth - 1) / shapes[i].depth;
    if (shapes[i].width * cost[best] > shapes[best].width * cost[i]) best = i;
  }
  // Exchange argument: wb / g copies of another shape i (g = gcd of the widths) cover exactly
  // the width of wi / g copies of the best shape, which cost no more. So some optimal tiling uses
  // each other shape fewer than wb / g times, and they cover at most `rest` bits; the remaining
  // width is the best shape's, at least `nb` copies of it.
  const int wb = shapes[best].width;
  std::int64_t rest = 0;
  for (int i = 0; i < n; ++i) {
    if (i == best) continue;
    rest += std::int64_t{wb / std::gcd(wb, shapes[i].width) - 1} * shapes[i].width;
  }
  const std::int64_t nb = width_bits > rest ? (width_bits - rest + wb - 1) / wb : 0;
  const std::int64_t rem = std::max<std::int64_t>(0, width_bits - nb * wb);
  if (rem > kMaxRemainder) return mem::BramCostOf(width_bits, static_cast<int>(depth)).bram18;
  // Exact cover of the remainder (unbounded knapsack, as mem::BramCostOf) on the stack.
  std::array<std::int64_t, kMaxRemainder + 1> dp;
  dp[0] = 0;
  for (std::int64_t w = 1; w <= rem; ++w) {
    std::int64_t m = std::numeric_limits<std::int64_t>::max();
    for (int i = 0; i < n; ++i) {
      const std::int64_t prev = w > shapes[i].width ? dp[w - shapes[i].width] : 0;
      m = std::min(m, prev + cost[i]);
    }
    dp[w] = m;
  }
  return nb * cost[best] + dp[rem];
}

std::int64_t CachedBram18(int width_bits, std::int64_t depth) {
  if (width_bits <= 0 || depth <= 0) return 0;
  if (depth > std::numeric_limits<int>::max()) throw std::invalid_argument("buffer too deep");
  thread_local std::array<Entry, kCacheSize> cache;
  thread_local unsigned victim = 0;
  const std::int64_t key = (static_cast<std::int64_t>(width_bits) << 32) | depth;
  const std::size_t i = Mix(static_cast<std::uint64_t>(key)) & (kCacheSize - 1);
  if (cache[i].key == key) return cache[i].bram18;
  if (cache[i ^ 1].key == key) return cache[i ^ 1].bram18;
  Entry& e = cache[cache[i].key < 0 ? i : cache[i ^ 1].key < 0 ? (i ^ 1) : (i ^ (victim++ & 1))];
  e.bram18 = TiledBram18(width_bits, depth);
  e.key = key;
  return e.bram18;
}

std::int64_t UramCount(int width_bits, std::int64_t depth) {
  if (width_bits <= 0 || depth <= 0) return 0;
  return ((width_bits + kUramWidth - 1) / kUramWidth) * ((depth + kUramDepth - 1) / kUramDepth);
}

}  // namespace msqx::dse
