#include <chrono>
#include <iostream>

#include "dse/analytic.h"
#include "dse/resource.h"
#include "models/accel/network_sim.h"
#include "msqx/version.h"
#include "sim/cli/commands.h"
#include "sim/cli/options.h"
#include "sim/cli/progress.h"
#include "sim/cli/unrolled_sim.h"
#include "sim/report/output_folder.h"
#include "sim/report/report.h"
#include "sim/spec/resolve.h"

namespace msqx::cli {

int RunSim(const Args& args) {
  po::options_description options("msqx sim options");
  options.add_options()("design", po::value<std::string>()->required(),
                        "design config (name or path)")(
      "network", po::value<std::string>()->required(), "network config (name or path)")(
      "fidelity", po::value<std::string>()->default_value("cycle"), "cycle, pin or analytic")(
      "memory", po::value<std::string>()->default_value("ddr"),
      "cycle fidelity: ddr (the device's DDR/AXI model) or ideal (loads answered at once, stores "
      "free)")("out", po::value<std::string>(),
               "output folder (default results/<design>-<network>-<fidelity>)")(
      "export-weights", po::value<std::string>(),
      "unrolled designs: also write the weights and precision used as a weights folder "
      "(docs/unrolled.md)");
  const CommandLine cl = ParseCommandLine(
      args, "sim", "--design D.json --network N.json [--fidelity cycle|pin|analytic] [--out DIR]",
      options);
  if (cl.help) return 0;
  const std::string fidelity = cl.vm["fidelity"].as<std::string>();
  if (fidelity != "cycle" && fidelity != "pin" && fidelity != "analytic") {
    throw UsageError("--fidelity must be cycle, pin or analytic, got '" + fidelity + "'");
  }
  Heartbeat reading("reading the design and network configs");
  const spec::ConfigResolver resolver;
  const std::string design_ref = cl.vm["design"].as<std::string>();
  if (resolver.IsUnrolledDesign(design_ref)) {
    // Unrolled designs have one timing model, exact for their pipeline (docs/unrolled.md).
    if (fidelity == "pin") {
      throw NotImplemented(
          "the pin fidelity of an unrolled design is its exported layer: 'msqx hls " + design_ref +
          " --out DIR --check'; use --fidelity cycle here");
    }
    const spec::UnrolledDesignSpec design = resolver.LoadUnrolledDesign(design_ref);
    const spec::NetworkSpec network = resolver.LoadNetwork(cl.vm["network"].as<std::string>());
    reading.Stop();
    const std::string out = OutputDir(cl.vm, [&] {
      return FileNamePart(design.name, "the design's name", design.source) + "-" +
             FileNamePart(network.name, "the network's name", network.source);
    });
    return RunUnrolledSim(
        design, network, out, Joined("sim", args),
        cl.vm.count("export-weights") ? cl.vm["export-weights"].as<std::string>() : "");
  }
  const spec::DesignSpec design = resolver.LoadDesign(design_ref);
  const spec::NetworkSpec network = resolver.LoadNetwork(cl.vm["network"].as<std::string>());
  reading.Stop();
  const std::string memory = cl.vm["memory"].as<std::string>();
  if (memory != "ddr" && memory != "ideal") {
    throw UsageError("--memory must be ddr or ideal, got '" + memory + "'");
  }
  if (memory == "ideal" && fidelity == "analytic") {
    // The closed form always charges the device's DDR; an answer under another name would mislead.
    throw UsageError(
        "--memory ideal applies to the cycle fidelity; the analytic model always models the "
        "device's DDR");
  }
  if (fidelity == "pin") {
    throw NotImplemented(
        "the pin fidelity is compiled per design point, not run on whole networks: "
        "'msqx hls " +
        cl.vm["design"].as<std::string>() +
        " --out DIR --check' builds the pin-level core of this design and runs one layer of its "
        "network through it; use --fidelity cycle here (it equals pin cycle for cycle)");
  }

  const std::string out = OutputDir(cl.vm, [&] {
    return FileNamePart(design.name, "the design's name", design.source) + "-" +
           FileNamePart(network.name, "the network's name", network.source) + "-" + fidelity;
  });
  // Claimed before the simulation: a folder that may not be written is refused at once.
  report::OutputFolder folder(out, "sim", Joined("sim", args), OutOptions(cl.vm));

  const auto start = std::chrono::steady_clock::now();
  report::RunStats stats;
  if (fidelity == "analytic") {
    Heartbeat estimating("estimating " + std::to_string(network.layers.size()) +
                         " layers with the analytic model");
    stats = dse::AnalyticModel(design).Estimate(network);
  } else {
    accel::CycleOptions options;
    options.memory = memory == "ideal" ? accel::MemoryModel::kIdeal : accel::MemoryModel::kDdr;
    const auto layers = static_cast<std::int64_t>(network.layers.size());
    ProgressLine progress("sim", "layers", layers, /*quiet_seconds=*/1.0);
    options.progress = [&](std::size_t done, std::size_t) {
      progress.Update(static_cast<std::int64_t>(done));
    };
    stats = accel::SimulateNetwork(design, network, options);
    progress.Finish(layers);
  }
  stats.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  Heartbeat writing("estimating the resources and writing the report");
  const dse::ResourceEstimate resources = dse::EstimateResources(design, network);
  report::RunInfo info{MSQX_VERSION, MSQX_GIT_HASH, Joined("sim", args),
                       dse::ResourcesToJson(resources, design.device)};
  std::string note;
  const std::string plot =
      report::WriteRunReport(folder.work().string(), design, network, stats, info, &note);
  folder.Commit();
  writing.Stop();
  report::PrintSummary(std::cout, design, network, stats, info);
  std::cout << "report: " << out << "/report.json (layers.csv, summary.md"
            << (plot.empty() ? "" : ", layers.svg") << ")\n";
  if (!note.empty()) std::cerr << "msqx sim: note: " << note << "\n";
  const dse::Feasibility fit = dse::CheckFeasible(resources, design.device, {});
  if (!fit.feasible)
    std::cerr << "msqx sim: warning: the design does not fit: " << fit.Message() << "\n";
  return 0;
}

}  // namespace msqx::cli
