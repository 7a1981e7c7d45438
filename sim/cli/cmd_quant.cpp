#include <iostream>
#include <stdexcept>

#include "models/quant/scheme.h"
#include "models/quant/sp2.h"
#include "sim/cli/commands.h"
#include "sim/cli/options.h"
#include "sim/cli/progress.h"
#include "sim/io/quant_report.h"
#include "sim/report/output_folder.h"
#include "sim/spec/resolve.h"

namespace msqx::cli {
namespace {

// --sp2-m1 must split every layer's width; a split that does not fit is the option's fault.
void CheckSp2Split(int sp2_m1, const spec::NetworkSpec& network) {
  if (sp2_m1 <= 0) return;
  for (const spec::Layer& l : network.layers) {
    if (!l.HasWeights()) continue;
    try {
      quant::Sp2Format{sp2_m1, l.weight_bits - 1 - sp2_m1}.Validate();
    } catch (const std::invalid_argument& e) {
      throw UsageError("--sp2-m1 " + std::to_string(sp2_m1) + " does not split the " +
                       std::to_string(l.weight_bits) + "-bit weights of layer '" + l.name +
                       "' (m2 = weight_bits - 1 - m1): " + e.what());
    }
  }
}

}  // namespace

int RunQuant(const Args& args) {
  po::options_description options("msqx quant options");
  options.add_options()("network", po::value<std::string>()->required(),
                        "network config (name or path)")(
      "weights", po::value<std::string>(),
      "folder of <layer>.npy weights (without it the split is by count and no error is measured)")(
      "ratio", po::value<std::string>()->default_value("1:2"),
      "fixed:SP2 filter ratio F:S; per layer round(filters * F / (F + S)) go fixed-point")(
      "sp2-m1", po::value<int>()->default_value(0),
      "bits of the first SP2 term (m2 = weight_bits - 1 - m1); 0 = ceil((weight_bits - 1) / 2)")(
      "out", po::value<std::string>(), "output folder (default results/quant-<network>)");
  const CommandLine cl = ParseCommandLine(
      args, "quant", "--network N.json [--weights DIR] [--ratio 1:2] [--sp2-m1 M] [--out DIR]",
      options);
  if (cl.help) return 0;
  quant::Ratio ratio;
  try {
    ratio = quant::ParseRatio(cl.vm["ratio"].as<std::string>());
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--ratio: ") + e.what());
  }
  const int sp2_m1 = cl.vm["sp2-m1"].as<int>();
  if (sp2_m1 < 0) throw UsageError("--sp2-m1: expected 0 (default split) or a positive width");
  Heartbeat reading("reading the network config");
  const spec::ConfigResolver resolver;
  const spec::NetworkSpec network = resolver.LoadNetwork(cl.vm["network"].as<std::string>());
  reading.Stop();
  CheckSp2Split(sp2_m1, network);
  const std::string weights = cl.vm.count("weights") ? cl.vm["weights"].as<std::string>() : "";
  const std::string out = OutputDir(cl.vm, [&] {
    return "quant-" + FileNamePart(network.name, "the network's name", network.source);
  });
  report::OutputFolder folder(out, "quant", Joined("quant", args), OutOptions(cl.vm));
  Heartbeat splitting("splitting the filters" +
                      (weights.empty() ? std::string() : " and measuring the errors"));
  const io::QuantReport report = io::BuildQuantReport(network, weights, ratio, sp2_m1);
  splitting.Stop();
  io::WriteQuantReport(report, folder.work().string());
  folder.Commit();
  std::cout << io::ToTable(report) << "wrote " << out << "/quant.json and " << out
            << "/quant.csv\n";
  return 0;
}

}  // namespace msqx::cli
