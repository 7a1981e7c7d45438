// Design points per second of the analytic model on one core: ResNet-18 on the XC7Z045 reference
// design with the ratio and LUT engine rows varied, as a sweep's pruning pass would.
#include <chrono>
#include <cstdio>

#include "dse/analytic.h"
#include "sim/spec/resolve.h"

int main() {
  using namespace msqx;
  const spec::ConfigResolver resolver(MSQX_SOURCE_DIR "/configs");
  const spec::NetworkSpec net = resolver.LoadNetwork("resnet18");
  const dse::LayerClasses classes(net);
  spec::DesignSpec design = resolver.LoadDesign("xc7z045_ref");
  const double ratios[] = {0, 0.5, 1, 1.5, 2, 2.5, 3};
  std::int64_t points = 0, checksum = 0;
  const auto start = std::chrono::steady_clock::now();
  double seconds = 0;
  while (seconds < 2.0) {
    for (int rows = 8; rows <= 64; rows += 8) {
      for (double sp2 : ratios) {
        design.lut_engine.rows = rows;
        design.ratio = {1, sp2};
        checksum += dse::AnalyticModel(design).Cycles(net, classes);
        ++points;
      }
    }
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  std::printf(
      "analytic model: %lld design points of resnet18 (%zu layers, %zu classes of equal layers) "
      "in %.2f s: %.0f points/s (checksum %lld)\n",
      static_cast<long long>(points), net.layers.size(), classes.classes().size(), seconds,
      points / seconds, static_cast<long long>(checksum));
  return 0;
}
