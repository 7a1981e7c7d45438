#include <iostream>

#include "sim/cli/commands.h"
#include "sim/cli/options.h"
#include "sim/io/onnx_import.h"

namespace msqx::cli {

int RunImport(const Args& args) {
  po::options_description options("msqx import options");
  options.add_options()("name", po::value<std::string>(),
                        "network name (default: the model file's stem)")(
      "out", po::value<std::string>(), "output folder (default results/import-<name>)")(
      "weight-bits", po::value<int>()->default_value(4), "weight width written into the network")(
      "act-bits", po::value<int>()->default_value(4), "activation width written into the network")(
      "no-weights", "the graph's structure only: read and write no weights (docs/import.md)");
  po::options_description hidden;
  hidden.add_options()("model", po::value<std::string>()->required(), "ONNX model");
  po::positional_options_description positional;
  positional.add("model", 1);
  options.add(hidden);
  const CommandLine cl = ParseCommandLine(
      args, "import",
      "model.onnx [--out DIR] [--name NAME] [--weight-bits 4] [--act-bits 4] [--no-weights]",
      options, positional);
  if (cl.help) return 0;
  io::OnnxImportOptions opts;
  if (cl.vm.count("name")) opts.name = cl.vm["name"].as<std::string>();
  opts.weight_bits = cl.vm["weight-bits"].as<int>();
  opts.act_bits = cl.vm["act-bits"].as<int>();
  opts.weights = cl.vm.count("no-weights") == 0;
  const io::OnnxImport imported = io::ImportOnnx(cl.vm["model"].as<std::string>(), opts);
  const std::string name = imported.network["name"];
  const std::string out = OutputDir(cl.vm, "import-" + name);
  io::WriteImport(imported, out);
  for (const std::string& note : imported.notes) std::cout << "note: " << note << "\n";
  std::cout << "imported " << imported.network["layers"].size() << " layers ("
            << imported.weights.size() << " with weights) of '" << name << "'; "
            << imported.checks.size() << " declared shapes match\n"
            << "wrote " << out << "/network.json"
            << (opts.weights ? " and " + out + "/weights/" : "") << "\n";
  return 0;
}

}  // namespace msqx::cli
