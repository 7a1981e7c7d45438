#include <chrono>
#include <iostream>

#include "dse/analytic.h"
#include "dse/resource.h"
#include "msqx/version.h"
#include "sim/cli/commands.h"
#include "sim/cli/options.h"
#include "sim/report/report.h"
#include "sim/spec/resolve.h"

namespace msqx::cli {

namespace {

std::string Joined(const Args& args) {
  std::string s = "msqx sim";
  for (const auto& a : args) s += " " + a;
  return s;
}

}  // namespace

int RunSim(const Args& args) {
  po::options_description options("msqx sim options");
  options.add_options()
      ("design", po::value<std::string>()->required(), "design config (name or path)")
      ("network", po::value<std::string>()->required(), "network config (name or path)")
      ("fidelity", po::value<std::string>()->default_value("cycle"), "cycle, pin or analytic")
      ("out", po::value<std::string>(), "output folder (default results/<design>-<network>-<fidelity>)");
  const CommandLine cl = ParseCommandLine(
      args, "sim", "--design D.json --network N.json [--fidelity cycle|pin|analytic] [--out DIR]",
      options);
  if (cl.help) return 0;
  const std::string fidelity = cl.vm["fidelity"].as<std::string>();
  if (fidelity != "cycle" && fidelity != "pin" && fidelity != "analytic") {
    throw UsageError("--fidelity must be cycle, pin or analytic, got '" + fidelity + "'");
  }
  const spec::ConfigResolver resolver;
  const spec::DesignSpec design = resolver.LoadDesign(cl.vm["design"].as<std::string>());
  const spec::NetworkSpec network = resolver.LoadNetwork(cl.vm["network"].as<std::string>());
  if (fidelity != "analytic") {
    throw NotImplemented("the " + fidelity +
                         " fidelity of whole networks arrives with issue 5; use --fidelity analytic");
  }

  const auto start = std::chrono::steady_clock::now();
  report::RunStats stats = dse::AnalyticModel(design).Estimate(network);
  stats.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const dse::ResourceEstimate resources = dse::EstimateResources(design, network);
  report::RunInfo info{MSQX_VERSION, MSQX_GIT_HASH, Joined(args),
                       dse::ResourcesToJson(resources, design.device)};
  const std::string out =
      OutputDir(cl.vm, design.name + "-" + network.name + "-" + fidelity);
  std::string note;
  const std::string plot = report::WriteRunReport(out, design, network, stats, info, &note);
  report::PrintSummary(std::cout, design, network, stats, info);
  std::cout << "report: " << out << "/report.json (layers.csv, summary.md"
            << (plot.empty() ? "" : ", layers.svg") << ")\n";
  if (!note.empty()) std::cerr << "msqx sim: note: " << note << "\n";
  const dse::Feasibility fit = dse::CheckFeasible(resources, design.device, {});
  if (!fit.feasible) std::cerr << "msqx sim: warning: the design does not fit: " << fit.Message() << "\n";
  return 0;
}

}  // namespace msqx::cli
