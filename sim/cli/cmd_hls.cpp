#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "dse/hls/check.h"
#include "dse/hls/export.h"
#include "dse/hls/unrolled.h"
#include "sim/cli/commands.h"
#include "sim/cli/options.h"
#include "sim/report/output_folder.h"
#include "sim/spec/resolve.h"

namespace msqx::cli {
namespace fs = std::filesystem;

namespace {

// --layer is checked here, so that a wrong name is the option's fault, not the network file's.
void CheckLayerOption(const std::string& layer, const spec::NetworkSpec& network, bool unrolled) {
  if (layer.empty()) return;
  std::vector<std::string> candidates;
  for (const auto& l : network.layers) {
    if (unrolled ? l.kind == spec::LayerKind::kFc : l.HasWeights()) candidates.push_back(l.name);
  }
  if (std::find(candidates.begin(), candidates.end(), layer) != candidates.end()) return;
  std::string message = "--layer: " + network.name + " (" + network.source + ") has no " +
                        (unrolled ? "fc" : "conv or fc") + " layer named '" +
                        spec::Elide(layer, 60) + "'";
  if (network.IndexOf(layer) >= 0) {
    message = "--layer: layer '" + layer + "' of " + network.name + " is of kind " +
              spec::ToString(network.layers[network.IndexOf(layer)].kind) +
              "; the testbench runs a " + (unrolled ? "fc" : "conv or fc") + " layer";
  } else if (const auto guess = spec::DidYouMean(layer, candidates)) {
    message += "; did you mean '" + *guess + "'?";
  }
  if (!candidates.empty()) {
    message += " (for example " + candidates.front() +
               (candidates.size() > 1 ? " or " + candidates.back() : "") + ")";
  }
  throw UsageError(message);
}

}  // namespace

int RunHls(const Args& args) {
  po::options_description options("msqx hls options");
  options.add_options()("design", po::value<std::string>()->required(),
                        "design config (name or path), e.g. a sweep's best_design_*.json")(
      "network", po::value<std::string>(),
      "network the core is exported for (its bit widths, its layers; default: the design's "
      "\"network\")")("layer", po::value<std::string>()->default_value(""),
                      "layer the testbench runs (default: the network's first conv/fc layer)")(
      "seed", po::value<long long>()->default_value(1),
      "seed of the testbench's activations and weights (0 to 4294967295)")(
      "out", po::value<std::string>(), "project folder (default results/hls-<design>)")(
      "check", "build and run the testbench; with ICSC_HOME also translate, lint and synthesize")(
      "jobs", po::value<int>()->default_value(static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN))),
      "parallel compile jobs of --check")(
      "icsc-timeout", po::value<int>()->default_value(1800),
      "seconds ICSC may take to translate Top in --check (it unrolls the arrays' loops: minutes "
      "for a full-size core)")(
      "no-synthesis",
      "with --check and ICSC: translate, lint and co-simulate, but do not synthesize with Yosys");
  po::positional_options_description positional;
  positional.add("design", 1);
  const CommandLine cl = ParseCommandLine(
      args, "hls", "DESIGN.json [--network N] [--layer NAME] [--out DIR] [--check]", options,
      positional);
  if (cl.help) return 0;
  if (cl.vm["jobs"].as<int>() < 1) throw UsageError("--jobs must be at least 1");

  const spec::ConfigResolver resolver;
  const std::string design_ref = cl.vm["design"].as<std::string>();
  const bool unrolled = resolver.IsUnrolledDesign(design_ref);
  spec::DesignSpec design;
  spec::UnrolledDesignSpec unrolled_design;
  if (unrolled) {
    unrolled_design = resolver.LoadUnrolledDesign(design_ref);
  } else {
    design = resolver.LoadDesign(design_ref);
  }
  const std::string& design_name = unrolled ? unrolled_design.name : design.name;
  const std::string& design_source = unrolled ? unrolled_design.source : design.source;
  const std::string& design_network = unrolled ? unrolled_design.network : design.network;
  std::string network_ref;
  if (cl.vm.count("network")) {
    network_ref = cl.vm["network"].as<std::string>();
  } else if (!design_network.empty()) {
    network_ref = design_network;
  } else {
    throw UsageError("--network is required: " + design_source +
                     " does not say which network it was chosen for (no \"network\" key)");
  }
  const spec::NetworkSpec network =
      resolver.LoadNetwork(network_ref, cl.vm.count("network") ? "" : design_source);
  hls::HlsExportOptions export_options;
  export_options.layer = cl.vm["layer"].as<std::string>();
  CheckLayerOption(export_options.layer, network, unrolled);
  const long long seed = cl.vm["seed"].as<long long>();
  if (seed < 0 || seed > 0xFFFFFFFFLL) throw UsageError("--seed must be between 0 and 4294967295");
  export_options.seed = static_cast<unsigned>(seed);
  const std::string dir = OutputDir(cl.vm, [&] {
    return "hls-" + FileNamePart(design_name, "the design's name", design_source);
  });
  report::OutputOptions folder_options = OutOptions(cl.vm);
  folder_options.later_entries = {"build",        "check.log",      "tb.log",
                                  "tb_trace.txt", "hls_check.json", "hls_check.json.tmp"};
  // what --check adds
  report::OutputFolder folder(dir, "hls", Joined("hls", args), folder_options);
  const fs::path work = folder.work();
  hls::HlsCheckTarget target;
  if (unrolled) {
    const hls::UnrolledHlsExport e =
        hls::ExportUnrolledHls(unrolled_design, network, export_options, work);
    std::cout << "msqx hls: exported layer " << e.layer << " of " << design_name << " for "
              << network.name << " to " << dir << "\n  " << e.in_features << " -> "
              << e.out_features << ", " << e.products << " constant multipliers' products, latency "
              << e.latency_cycles << " cycles, initiation interval " << e.initiation_interval
              << " at cycle fidelity\n";
    target = e.target;
  } else {
    const hls::HlsExport e = hls::ExportHls(design, network, export_options, work);
    std::cout << "msqx hls: exported " << design_name << " for " << network.name << " to " << dir
              << "\n"
              << "  testbench layer " << e.layer_name << ": " << e.steps << " steps, " << e.outputs
              << " outputs, " << e.expected_cycles << " cycles at cycle fidelity (ideal memory)\n";
    target = hls::CheckTargetOf(design, network, e);
  }
  folder.Commit();
  // The check runs in the project where it now is.
  target.dir = folder.target();
  for (fs::path& sv : target.systemverilog) sv = folder.target() / sv.lexically_relative(work);
  if (!cl.vm.count("check")) {
    std::cout << "  build and run it: cmake -S " << dir << " -B " << dir
              << "/build && cmake --build " << dir << "/build && " << dir
              << "/build/msqx_tb   (or add --check)\n"
              << "report: " << dir << "/README.md\n";
    return 0;
  }
  hls::HlsCheckOptions check_options;
  check_options.jobs = cl.vm["jobs"].as<int>();
  check_options.icsc_timeout_s = cl.vm["icsc-timeout"].as<int>();
  check_options.synthesize = !cl.vm.count("no-synthesis");
  if (check_options.icsc_timeout_s < 1)
    throw UsageError("--icsc-timeout must be at least 1 second");
  check_options.note = [](const std::string& line) { std::cout << "  " << line << std::endl; };
  const hls::HlsCheck check = hls::RunHlsCheck(target, check_options);
  const nlohmann::json& sc = check.report["systemc"];
  if (check.pass) {
    std::cout << "  SystemC testbench: PASS (" << sc["result"].value("outputs", 0LL)
              << " outputs bit-exact, " << sc["result"].value("cycles", 0LL)
              << " cycles = cycle fidelity)\n";
  } else {
    std::cout << "  SystemC testbench: FAIL\n" << sc.value("error", std::string()) << "\n";
  }
  const nlohmann::json& icsc = check.report["icsc"];
  if (!check.icsc_found) {
    std::cout << "  ICSC: not found. " << icsc.value("note", std::string()) << "\n";
  } else {
    if (icsc.contains("verilator_lint")) {
      const nlohmann::json& lint = icsc["verilator_lint"];
      std::cout << "  Verilator lint: " << lint.value("status", std::string()) << " ("
                << lint.value("warnings", 0LL) << " warnings)\n";
    }
    if (icsc.contains("cosim")) {
      const nlohmann::json& cosim = icsc["cosim"];
      if (check.cosim_pass) {
        std::cout << "  RTL co-simulation: PASS (" << cosim.value("cycles", 0LL)
                  << " cycles, every output equal in every cycle)\n";
      } else if (cosim.contains("error")) {
        std::cout << "  RTL co-simulation: " << cosim.value("error", std::string()) << "\n";
      } else {
        std::cout << "  RTL co-simulation: FAIL (" << cosim.value("mismatches", 0LL)
                  << " mismatches; first " << cosim["first_mismatch"].dump() << ")\n";
      }
    }
    if (check.synthesized) {
      std::cout << "  Yosys vs model:";
      for (const auto& [key, v] : icsc["comparison"].items()) {
        std::cout << " " << key << " " << v["yosys"] << "/" << v["model"];
      }
      std::cout << "\n";
    } else if (icsc.contains("error")) {
      std::cout << "  ICSC flow: " << icsc.value("error", std::string()) << "\n";
    }
  }
  std::cout << "report: " << dir << "/hls_check.json\n";
  // With ICSC, the RTL must also match the model.
  return check.pass && (!check.icsc_found || check.cosim_pass) ? 0 : 1;
}

}  // namespace msqx::cli
