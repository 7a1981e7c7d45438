#include "sim/cli/sweep_best.h"

#include <filesystem>
#include <iostream>

#include "dse/resource.h"
#include "dse/sweep_output.h"
#include "dse/sweep_plots.h"
#include "models/accel/network_sim.h"
#include "msqx/version.h"
#include "sim/cli/progress.h"
#include "sim/report/report.h"
#include "sim/spec/resolve.h"

namespace msqx::cli {

void WriteSweepExtras(const std::string& dir, const std::vector<dse::PointResult>& points) {
  Heartbeat working("drawing the plots and simulating each best point for its per-layer report");
  const std::string plot_note = dse::WriteSweepPlots(dir, points);
  if (!plot_note.empty()) std::cerr << "note: " << plot_note << "\n";
  const spec::ConfigResolver resolver;
  for (const dse::PointResult* best : dse::BestPoints(points)) {
    const std::string label =
        dse::TargetLabel(best->network) + "_" + dse::TargetLabel(best->device);
    const std::string design_file = "best_design_" + label + ".json";
    try {
      const spec::NetworkSpec network = resolver.LoadNetwork(best->network);
      const spec::DesignSpec design = spec::ParseDesign(
          spec::Document(best->design, (std::filesystem::path(dir) / design_file).string()).Root(),
          resolver);
      const report::RunStats stats = accel::SimulateNetwork(design, network);
      // The command that reproduces this report, the same whether a sweep or a merge wrote it, so
      // that a merge of shards leaves exactly what a one-shot run leaves.
      const report::RunInfo info{
          MSQX_VERSION, MSQX_GIT_HASH,
          "msqx sim --design " + design_file + " --network " + best->network,
          dse::ResourcesToJson(dse::EstimateResources(design, network), design.device)};
      std::string note;
      report::WriteRunReport((std::filesystem::path(dir) / ("best_" + label)).string(), design,
                             network, stats, info, &note);
    } catch (const spec::ConfigError& e) {
      std::cerr << "note: no per-layer report of the best " << best->network << " point on "
                << best->device << ": " << e.what() << "\n";
    }
  }
}

}  // namespace msqx::cli
