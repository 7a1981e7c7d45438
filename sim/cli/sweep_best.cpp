#include "sim/cli/sweep_best.h"

#include <filesystem>
#include <iostream>

#include "dse/resource.h"
#include "dse/sweep_plots.h"
#include "models/accel/network_sim.h"
#include "msqx/version.h"
#include "sim/report/report.h"
#include "sim/spec/resolve.h"

namespace msqx::cli {

void WriteSweepExtras(const std::string& dir, const std::vector<dse::PointResult>& points,
                      const std::string& command_line) {
  const std::string plot_note = dse::WriteSweepPlots(dir, points);
  if (!plot_note.empty()) std::cerr << "note: " << plot_note << "\n";
  const spec::ConfigResolver resolver;
  for (const dse::PointResult* best : dse::BestPoints(points)) {
    const std::string name = "best_" + best->network + "_" + best->device;
    try {
      const spec::NetworkSpec network = resolver.LoadNetwork(best->network);
      const spec::DesignSpec design = spec::ParseDesign(
          spec::Document(best->design, (std::filesystem::path(dir) / (name + ".json")).string())
              .Root(),
          resolver);
      const report::RunStats stats = accel::SimulateNetwork(design, network);
      const report::RunInfo info{
          MSQX_VERSION, MSQX_GIT_HASH, command_line,
          dse::ResourcesToJson(dse::EstimateResources(design, network), design.device)};
      std::string note;
      report::WriteRunReport((std::filesystem::path(dir) / name).string(), design, network, stats,
                             info, &note);
    } catch (const spec::ConfigError& e) {
      std::cerr << "note: no per-layer report of the best " << best->network << " point on "
                << best->device << ": " << e.what() << "\n";
    }
  }
}

}  // namespace msqx::cli
