// The ONNX import's driver: load, clean up, map, check (onnx_model.h names the stages).
#include "sim/io/onnx_import.h"

#include <filesystem>

#include "sim/io/weights.h"
#include "sim/report/file_io.h"
#include "sim/spec/json_reader.h"
#include "sim/spec/network.h"

#ifdef MSQX_HAVE_ONNX
#include "sim/io/onnx_model.h"
#endif

namespace msqx::io {

#ifndef MSQX_HAVE_ONNX

bool OnnxImportAvailable() { return false; }

OnnxImport ImportOnnx(const std::string& path, const OnnxImportOptions&) {
  throw spec::ConfigError(path, "$",
                          "this msqx was built without ONNX support; install Debian's "
                          "libonnx-dev and libprotobuf-dev, then re-run cmake and rebuild");
}

#else

bool OnnxImportAvailable() { return true; }

namespace {

std::string Sanitize(const std::string& s) {
  std::string out;
  for (char c : s) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
    out.push_back(ok ? c : '_');
  }
  while (!out.empty() && (out.front() == '_' || out.front() == '.')) out.erase(out.begin());
  return out;
}

std::string Text(const std::vector<long>& d) {
  std::string t;
  for (long x : d) t += (t.empty() ? "" : "x") + std::to_string(x);
  return t;
}

// Every shape msqx derives against what ONNX shape inference (batch 1) says of the same tensor.
void CheckShapes(const onnx_in::Model& model, const onnx_in::Graph& graph,
                 const onnx_in::Mapped& mapped, const spec::NetworkSpec& net,
                 std::vector<ShapeCheck>& checks) {
  for (const auto& [tensor, value] : mapped.values) {
    auto it = graph.shapes.find(tensor);
    if (it == graph.shapes.end() || it->second.size() < 2) continue;
    std::vector<long> declared(it->second.begin() + 1, it->second.end());
    const auto& [producer, layout] = value;
    const spec::Shape s = producer == "input" ? net.input : net.layers[net.IndexOf(producer)].out;
    std::vector<long> derived;
    if (layout == "nchw" && declared.size() == 3) {
      derived = {s.channels, s.height, s.width};
    } else if (layout == "nhwc" && declared.size() == 3) {
      derived = {s.height, s.width, s.channels};
    } else if (declared.size() == 1) {
      derived = {static_cast<long>(s.Elements())};
    } else {
      continue;
    }
    if (derived != declared) {
      model.Fail("$", "tensor '" + tensor + "' (layer '" + producer + "'): ONNX gives it shape " +
                          Text(declared) + " but the import derives " + Text(derived));
    }
    checks.push_back({tensor, producer, declared, derived});
  }
}

}  // namespace

OnnxImport ImportOnnx(const std::string& path, const OnnxImportOptions& options) {
  const std::shared_ptr<onnx_in::Model> model = onnx_in::LoadModel(path, options.weights);
  const onnx_in::Graph graph = onnx_in::CleanUp(*model);
  onnx_in::Mapped mapped = onnx_in::MapGraph(model, graph, options);
  std::string name =
      options.name.empty() ? Sanitize(std::filesystem::path(path).stem().string()) : options.name;
  if (name.empty()) name = "onnx_model";
  OnnxImport result;
  result.network = {{"name", name},
                    {"input", mapped.network["input"]},
                    {"weight_bits", options.weight_bits},
                    {"act_bits", options.act_bits},
                    {"layers", mapped.network["layers"]}};
  result.weights = std::move(mapped.weights);
  result.with_weights = options.weights;
  result.notes = graph.notes;
  result.notes.insert(result.notes.end(), mapped.notes.begin(), mapped.notes.end());
  if (!options.weights) result.notes.push_back("structure only (--no-weights): no weights read");
  // The generated config goes through the same parser as a hand-written one.
  const spec::Document doc(result.network, path + " (imported network)");
  const spec::NetworkSpec net = spec::ParseNetwork(doc.Root());
  for (const ImportedWeights& w : result.weights) {
    const spec::Layer& l = net.layers[net.IndexOf(w.layer)];
    if (w.shape != ExpectedWeightShape(l)) {
      model->Fail("$", "weights of layer '" + w.layer + "' do not match its input (" +
                           std::to_string(l.in.Elements()) + " input values)");
    }
  }
  CheckShapes(*model, graph, mapped, net, result.checks);
  return result;
}

#endif

}  // namespace msqx::io
