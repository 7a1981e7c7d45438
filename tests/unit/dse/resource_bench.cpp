// Estimates per second of the resource model (EstimateResources + CheckFeasible) on one core,
// over a sweep-like grid of design points on xc7z045_ref with ResNet-18's widths: DSP engine
// rows x cols, LUT engine rows x cols, buffer sizes and double buffering all vary. The first
// pass over the grid fills the BRAM tiling cache (its rate is printed too).
// Usage: msqx_bench_resource [repetitions]

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "dse/resource.h"
#include "sim/spec/resolve.h"

int main(int argc, char** argv) {
  using namespace msqx;
  const int reps = argc > 1 ? std::atoi(argv[1]) : 20;
  const spec::ConfigResolver resolver(MSQX_SOURCE_DIR "/configs");
  spec::DesignSpec d = resolver.LoadDesign("xc7z045_ref");
  const dse::BitWidths w = dse::WidthsOf(resolver.LoadNetwork("resnet18"));
  const spec::UtilizationLimits lim;
  const int dims[] = {8, 16, 24, 32, 48, 64};
  const int kibs[] = {36, 72, 144, 288};
  long points = 0, feasible = 0;
  double first_s = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (int r = 0; r < reps; ++r) {
    const auto p0 = std::chrono::steady_clock::now();
    for (int dr : dims)
      for (int dc : dims)
        for (int lr : dims)
          for (int lc : dims)
            for (int kib : kibs)
              for (int dbl = 0; dbl < 2; ++dbl) {
                d.dsp_engine.rows = dr;
                d.dsp_engine.cols = dc;
                d.lut_engine.rows = lr;
                d.lut_engine.cols = lc;
                d.buffers.input_kib = d.buffers.weight_kib = d.buffers.output_kib = kib;
                d.buffers.double_buffered = dbl != 0;
                const dse::ResourceEstimate e = dse::EstimateResources(d, w);
                feasible += dse::CheckFeasible(e, d.device, lim).feasible;
                ++points;
              }
    if (r == 0) {
      first_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - p0).count();
    }
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const long per_pass = points / reps;
  std::printf("points %ld (%ld per pass, %d passes), feasible %ld\n", points, per_pass, reps,
              feasible);
  std::printf("first pass (cache cold): %.0f estimates/s\n", per_pass / first_s);
  std::printf("all passes: %.0f estimates/s, %.2f us each\n", points / s, 1e6 * s / points);
  return 0;
}
