#include <filesystem>
#include <iostream>

#include "sim/cli/commands.h"
#include "sim/cli/import_hgq.h"
#include "sim/cli/options.h"
#include "sim/io/onnx_import.h"
#include "sim/report/output_folder.h"
#include "sim/spec/json_reader.h"

namespace msqx::cli {

int RunImport(const Args& args) {
  po::options_description options("msqx import options");
  options.add_options()("name", po::value<std::string>(),
                        "network name (default: the model file's stem)")(
      "out", po::value<std::string>(), "output folder (default results/import-<name>)")(
      "weight-bits", po::value<int>()->default_value(4), "weight width written into the network")(
      "act-bits", po::value<int>()->default_value(4), "activation width written into the network")(
      "device", po::value<std::string>(), "HGQ models: device of the design written (xcvu13p)")(
      "clock-mhz", po::value<double>(), "HGQ models: clock of the design written (200)")(
      "no-weights",
      "ONNX models: the graph's structure only; read and write no weights (docs/import.md)");
  po::options_description hidden;
  hidden.add_options()("model", po::value<std::string>()->required(), "ONNX or Keras model");
  po::positional_options_description positional;
  positional.add("model", 1);
  options.add(hidden);
  const CommandLine cl = ParseCommandLine(
      args, "import",
      "model.onnx [--out DIR] [--name NAME] [--weight-bits 4] [--act-bits 4] [--no-weights]\n"
      "       msqx import model.h5|model.keras [--out DIR] [--name NAME] [--device xcvu13p] "
      "[--clock-mhz 200]",
      options, positional);
  if (cl.help) return 0;
  if (IsKerasModel(cl.vm["model"].as<std::string>())) {
    return RunImportHgq(cl.vm["model"].as<std::string>(), cl.vm, Joined("import", args));
  }
  if (cl.vm.count("device") || cl.vm.count("clock-mhz")) {
    throw UsageError("--device and --clock-mhz apply to HGQ models (.h5, .keras)");
  }
  io::OnnxImportOptions opts;
  if (cl.vm.count("name")) opts.name = cl.vm["name"].as<std::string>();
  opts.weight_bits = cl.vm["weight-bits"].as<int>();
  opts.act_bits = cl.vm["act-bits"].as<int>();
  const std::string model = cl.vm["model"].as<std::string>();
  std::error_code ec;
  if (std::filesystem::is_directory(model, ec)) {
    throw spec::ConfigError(model, "$", "is a folder; expected an ONNX model file (.onnx)");
  }
  if (const auto problem = spec::FileNameProblem(opts.name); problem && !opts.name.empty()) {
    throw UsageError("--name '" + spec::Elide(opts.name, 60) +
                     "' names the network and its folder, and cannot be a file name: " + *problem);
  }
  opts.weights = cl.vm.count("no-weights") == 0;
  const io::OnnxImport imported = io::ImportOnnx(model, opts);
  const std::string name = imported.network["name"];
  const std::string out = OutputDir(cl.vm, [&] {
    return "import-" + spec::CheckFileName(name, "the network's name", model, "$");
  });
  report::OutputFolder folder(out, "import", Joined("import", args), OutOptions(cl.vm));
  io::WriteImport(imported, folder.work().string());
  folder.Commit();
  for (const std::string& note : imported.notes) std::cout << "note: " << note << "\n";
  std::cout << "imported " << imported.network["layers"].size() << " layers ("
            << imported.weights.size() << " with weights) of '" << name << "'; "
            << imported.checks.size() << " declared shapes match\n"
            << "wrote " << out << "/network.json"
            << (opts.weights ? " and " + out + "/weights/" : "") << "\n";
  return 0;
}

}  // namespace msqx::cli
