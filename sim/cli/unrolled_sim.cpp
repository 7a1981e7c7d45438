#include "sim/cli/unrolled_sim.h"

#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

#include "dse/unrolled_eval.h"
#include "dse/unrolled_weights.h"
#include "msqx/version.h"
#include "sim/report/output_folder.h"
#include "sim/report/report.h"

namespace msqx::cli {
namespace {

std::string LayersCsv(const dse::UnrolledResult& r) {
  std::ostringstream os;
  os << "layer,in_features,out_features,products,multipliers,dsp_multipliers,lut,ff,dsp,ebops_hgq,"
        "ebops_span,multiplier_stages,tree_depth,latency_cycles,initiation_interval,start_cycle\n";
  for (const auto& l : r.layers) {
    os << l.name << ',' << l.in_features << ',' << l.out_features << ',' << l.cost.products << ','
       << l.cost.multipliers << ',' << l.cost.dsp_multipliers << ',' << l.cost.lut << ','
       << l.cost.ff << ',' << l.cost.dsp << ',' << l.ebops_hgq << ',' << l.ebops_span << ','
       << l.timing.multiplier_stages << ',' << l.timing.tree_depth << ',' << l.timing.latency_cycles
       << ',' << l.timing.initiation_interval << ',' << l.timing.start_cycle << '\n';
  }
  return os.str();
}

std::string Summary(const spec::UnrolledDesignSpec& d, const spec::NetworkSpec& n,
                    const dse::UnrolledResult& r) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(1);
  os << "msqx sim: " << n.name << " unrolled on " << d.device.name << " at " << d.clock_mhz
     << " MHz (" << d.name << ", " << d.PrecisionLabel() << " precision, reuse factor "
     << d.reuse_factor << ")\n"
     << "  latency " << r.timing.latency_cycles << " cycles = " << r.latency_ns
     << " ns, initiation interval " << r.timing.initiation_interval << " (" << std::setprecision(2)
     << r.inferences_per_s / 1e6 << " M inferences/s)\n"
     << "  LUT " << r.lut << " (" << std::setprecision(1) << 100 * r.lut_utilization << " %), FF "
     << r.ff << " (" << 100 * r.ff_utilization << " %), DSP " << r.dsp << " ("
     << 100 * r.dsp_utilization << " %)" << (r.fits ? "" : "  DOES NOT FIT: " + r.misfit) << "\n"
     << "  EBOPs (HGQ's) " << r.ebops_hgq << ", msqx's hardware span " << r.ebops_span
     << " (LUT + 55 x DSP = " << r.lut + 55 * r.dsp << "), weight SQNR " << std::setprecision(1)
     << r.weight_sqnr_db << " dB\n";
  for (const auto& l : r.layers) {
    os << "  " << std::left << std::setw(8) << l.name << std::right << " " << l.in_features
       << " -> " << l.out_features << ": " << l.cost.products << " products on "
       << l.cost.multipliers << " multipliers (" << l.cost.dsp_multipliers << " DSP), "
       << l.timing.latency_cycles << " cycles\n";
  }
  return os.str();
}

}  // namespace

int RunUnrolledSim(const spec::UnrolledDesignSpec& design, const spec::NetworkSpec& network,
                   const std::string& out_dir, const std::string& command,
                   const std::string& export_weights) {
  // Both folders claimed first: a refusal of either leaves nothing half done.
  report::OutputFolder folder(out_dir, "sim", command);
  std::unique_ptr<report::OutputFolder> weights_folder;
  if (!export_weights.empty()) {
    for (std::size_t i = 0; i < network.layers.size(); ++i) {  // they name the weight files
      spec::CheckFileName(network.layers[i].name, "the layer name", network.source,
                          "$.layers[" + std::to_string(i) + "].name");
    }
    report::OutputOptions options;
    options.option = "--export-weights";
    weights_folder =
        std::make_unique<report::OutputFolder>(export_weights, "weights", command, options);
  }
  const unrolled::HgqNetwork weights = dse::UnrolledWeights(design, network);
  const dse::UnrolledResult r = dse::EvaluateUnrolled(design, weights);
  nlohmann::json json = dse::UnrolledReportJson(design, network, r);
  json["msqx"] = {{"version", MSQX_VERSION}, {"git", MSQX_GIT_HASH}, {"command", command}};
  const std::string summary = Summary(design, network, r);
  report::WriteReportFiles(folder.work().string(),
                           {{"design.json", spec::UnrolledDesignToJson(design).dump(2) + "\n"},
                            {"layers.csv", LayersCsv(r)},
                            {"summary.md", "```\n" + summary + "```\n"},
                            {"report.json", json.dump(2) + "\n"}});
  if (weights_folder) dse::WriteHgqWeights(weights, weights_folder->work().string());
  folder.Commit();
  if (weights_folder) weights_folder->Commit();
  std::cout << summary << "report: " << out_dir << "/report.json (layers.csv, summary.md)\n";
  if (weights_folder) {
    std::cout << "weights: " << export_weights
              << " (a weights folder: name it in the design's precision.weights)\n";
  }
  if (!r.fits) std::cerr << "msqx sim: warning: the design does not fit: " << r.misfit << "\n";
  return 0;
}

}  // namespace msqx::cli
