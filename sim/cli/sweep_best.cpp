#include "sim/cli/sweep_best.h"

#include <filesystem>
#include <iostream>

#include "dse/resource.h"
#include "dse/sweep_plots.h"
#include "dse/sweep_view.h"
#include "models/accel/network_sim.h"
#include "msqx/version.h"
#include "sim/cli/progress.h"
#include "sim/report/file_io.h"
#include "sim/report/report.h"
#include "sim/spec/resolve.h"

namespace msqx::cli {
namespace fs = std::filesystem;

namespace {

// The best design of each ratio simulated again for its per-layer figures: the roofline CSV of
// the target, and the full `msqx sim` report of the target's best design in best_<target>/.
void ReportTarget(const std::string& dir, const dse::TargetAnswer& a,
                  const spec::ConfigResolver& resolver) {
  const dse::SweepTarget& t = *a.info;
  const std::string design_file = "best_design_" + t.Label() + ".json";
  const spec::NetworkSpec network = resolver.LoadNetwork(t.network_ref);
  std::string roofline = dse::RooflineCsvHeader();
  for (const dse::RatioAnswer& r : a.ratios) {
    const spec::DesignSpec design = spec::ParseDesign(
        spec::Document(r.best->design, (fs::path(dir) / design_file).string()).Root(), resolver);
    const report::RunStats stats = accel::SimulateNetwork(design, network);
    roofline += dse::RooflineCsvRows(r.ratio, *r.best, design, stats);
    if (r.best != a.best) continue;
    // The command that reproduces this report, the same whether a sweep or a merge wrote it, so
    // that a merge of shards leaves exactly what a one-shot run leaves.
    const report::RunInfo info{
        MSQX_VERSION, MSQX_GIT_HASH,
        "msqx sim --design " + design_file + " --network " + t.network_ref,
        dse::ResourcesToJson(dse::EstimateResources(design, network), design.device)};
    std::string note;
    report::WriteRunReport((fs::path(dir) / ("best_" + t.Label())).string(), design, network, stats,
                           info, &note);
  }
  report::WriteFile(fs::path(dir) / ("roofline_" + t.Label() + ".csv"), roofline);
}

}  // namespace

void WriteSweepExtras(const std::string& dir, const dse::SweepData& sweep) {
  Heartbeat working(
      "simulating each ratio's best design for its per-layer report and drawing the plots");
  const spec::ConfigResolver resolver;
  for (const dse::TargetAnswer& a : dse::Answers(sweep)) {
    if (!a.best) continue;
    try {
      ReportTarget(dir, a, resolver);
    } catch (const spec::ConfigError& e) {
      std::cerr << "note: no per-layer report of the best designs of " << a.info->Title() << ": "
                << e.what() << "\n";
    }
  }
  const std::string plot_note = dse::WriteSweepPlots(dir, sweep);
  if (!plot_note.empty()) std::cerr << "note: " << plot_note << "\n";
}

}  // namespace msqx::cli
