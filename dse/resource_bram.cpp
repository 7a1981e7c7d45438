#include "dse/resource_bram.h"

#include <array>
#include <limits>
#include <stdexcept>

#include "models/mem/bram_geometry.h"

namespace msqx::dse {
namespace {

struct Entry {
  std::int64_t key = -1;
  std::int64_t bram18 = 0;
};
constexpr int kCacheSize = 4096;  // power of two

std::uint64_t Mix(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  return x;
}

}  // namespace

std::int64_t CachedBram18(int width_bits, std::int64_t depth) {
  if (width_bits <= 0 || depth <= 0) return 0;
  if (depth > std::numeric_limits<int>::max()) throw std::invalid_argument("buffer too deep");
  thread_local std::array<Entry, kCacheSize> cache;
  const std::int64_t key = (static_cast<std::int64_t>(width_bits) << 32) | depth;
  Entry& e = cache[Mix(static_cast<std::uint64_t>(key)) & (kCacheSize - 1)];
  if (e.key != key) {
    e.bram18 = mem::BramCostOf(width_bits, static_cast<int>(depth)).bram18;
    e.key = key;
  }
  return e.bram18;
}

std::int64_t UramCount(int width_bits, std::int64_t depth) {
  if (width_bits <= 0 || depth <= 0) return 0;
  return ((width_bits + kUramWidth - 1) / kUramWidth) * ((depth + kUramDepth - 1) / kUramDepth);
}

}  // namespace msqx::dse
