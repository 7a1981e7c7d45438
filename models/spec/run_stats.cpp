#include "models/spec/run_stats.h"

#include <numeric>

namespace msqx::report {
namespace {
template <typename Field>
std::int64_t Sum(const std::vector<LayerStats>& layers, Field field) {
  return std::accumulate(layers.begin(), layers.end(), std::int64_t{0},
                         [&](std::int64_t acc, const LayerStats& l) { return acc + l.*field; });
}
}  // namespace

std::int64_t RunStats::TotalCycles() const { return Sum(layers, &LayerStats::cycles); }
std::int64_t RunStats::TotalMacs() const { return Sum(layers, &LayerStats::macs); }
std::int64_t RunStats::TotalBytesRead() const { return Sum(layers, &LayerStats::bytes_read); }
std::int64_t RunStats::TotalBytesWritten() const { return Sum(layers, &LayerStats::bytes_written); }

}  // namespace msqx::report
