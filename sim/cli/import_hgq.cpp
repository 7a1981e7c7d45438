#include "sim/cli/import_hgq.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "dse/unrolled_eval.h"
#include "dse/unrolled_weights.h"
#include "models/unrolled/ebops.h"
#include "sim/io/hgq_import.h"
#include "sim/report/file_io.h"
#include "sim/report/output_folder.h"
#include "sim/spec/json_reader.h"
#include "sim/spec/resolve.h"

namespace msqx::cli {
namespace {

namespace fs = std::filesystem;

// Reads the written folder back as `msqx sim --design design.json` will and checks that msqx's
// quantizer gives HGQ's codes and HGQ's EBOPs from what it reads: a wrong file is caught here,
// before the folder is published.
void ReadBack(const fs::path& dir, const io::HgqImport& im) {
  const spec::ConfigResolver resolver;
  const spec::UnrolledDesignSpec design =
      resolver.LoadUnrolledDesign((dir / "design.json").string());
  const spec::NetworkSpec network = resolver.LoadNetwork((dir / "network.json").string());
  const unrolled::HgqNetwork net = dse::UnrolledWeights(design, network);
  if (net.layers.size() != im.net.layers.size()) {
    throw std::logic_error("msqx import: the written network has another number of layers");
  }
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const auto& a = net.layers[i].quantized;
    const auto& b = im.net.layers[i].quantized;
    if (a.codes != b.codes || a.bias_codes != b.bias_codes ||
        unrolled::HgqDenseEbops(a, net.layers[i].activations) != im.layers[i].ebops_hgq) {
      throw std::logic_error("msqx import: layer " + im.layers[i].name +
                             " reads back with other codes or EBOPs than it was written with");
    }
  }
}

// Writes the import into the output folder's work folder, reads it back and publishes it whole.
void Publish(const io::HgqImport& im, report::OutputFolder& folder) {
  const fs::path work = folder.work();
  report::WriteFile(work / "network.json", im.network.dump(2) + "\n");
  dse::WriteHgqWeights(im.net, (work / "weights").string());
  report::WriteFile(work / "design.json", im.design.dump(2) + "\n");
  ReadBack(work, im);
  report::WriteFile(work / "import.json", im.Report().dump(2) + "\n");
  folder.Commit();
}

}  // namespace

bool IsKerasModel(const std::string& model) {
  std::string ext = fs::path(model).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".h5" || ext == ".hdf5" || ext == ".keras";
}

int RunImportHgq(const std::string& model, const po::variables_map& vm,
                 const std::string& command_line) {
  for (const char* onnx_only : {"weight-bits", "act-bits"}) {
    if (vm.count(onnx_only) && !vm[onnx_only].defaulted()) {
      throw UsageError(std::string("--") + onnx_only +
                       " applies to ONNX models; an HGQ model brings its own bit widths");
    }
  }
  io::HgqImportOptions options;
  if (vm.count("name")) options.name = vm["name"].as<std::string>();
  if (vm.count("device")) options.device = vm["device"].as<std::string>();
  if (vm.count("clock-mhz")) options.clock_mhz = vm["clock-mhz"].as<double>();
  spec::ConfigResolver().LoadDevice(options.device);  // an unknown device before any work
  const io::HgqImport im = io::ImportHgq(model, options);
  const std::string name = im.network["name"];
  const fs::path out =
      fs::absolute(OutputDir(vm, [&] {
        return "import-" + spec::CheckFileName(name, "the network's name", model, "$");
      })).lexically_normal();
  report::OutputFolder folder(out.string(), "import", command_line, OutOptions(vm));
  Publish(im, folder);

  const nlohmann::json report = im.Report();
  for (const std::string& note : im.notes) std::cout << "note: " << note << "\n";
  std::cout << "imported " << im.layers.size() << " dense layers of '" << im.model_name << "' ("
            << im.format << ", Keras " << (im.keras_version.empty() ? "?" : im.keras_version)
            << ")\n";
  for (const io::HgqImportedLayer& l : im.layers) {
    std::cout << "  " << l.name << " (" << l.class_name
              << (l.batch_norm == "none" ? "" : ", batch norm folded") << ") " << l.in_features
              << " -> " << l.out_features << (l.relu ? ", relu" : "") << ": EBOPs HGQ "
              << l.ebops_hgq << " (stored "
              << (l.stored_ebops ? std::to_string(*l.stored_ebops) : std::string("none"))
              << "), msqx span " << l.ebops_span << "\n";
  }
  const nlohmann::json& e = report["ebops"];
  std::cout << "EBOPs: HGQ's formula " << e["hgq"] << ", stored in the checkpoint "
            << (e["stored"].is_null() ? std::string("(not stored)") : e["stored"].dump())
            << ", msqx's hardware span " << e["span"] << "\n"
            << "wrote " << (out / "network.json").string() << ", weights/, design.json ("
            << im.design["device"].get<std::string>() << ", " << im.design["clock_mhz"]
            << " MHz) and import.json\n"
            << "next: msqx sim --design " << (out / "design.json").string() << " --network "
            << (out / "network.json").string() << "\n";
  return 0;
}

}  // namespace msqx::cli
