#include "sim/io/weights.h"

#include <filesystem>
#include <sstream>

#include "sim/spec/json_reader.h"

namespace msqx::io {

std::vector<std::int64_t> ExpectedWeightShape(const spec::Layer& layer) {
  if (layer.kind == spec::LayerKind::kConv) {
    return {layer.out_channels, layer.in.channels / layer.groups, layer.kernel_h, layer.kernel_w};
  }
  if (layer.kind == spec::LayerKind::kFc) return {layer.out_channels, layer.in.Elements()};
  return {};
}

std::string WeightFileName(const spec::Layer& layer, const spec::NetworkSpec& net) {
  if (spec::FileNameProblem(layer.name)) {  // the index only for the message: lookups are linear
    spec::CheckFileName(layer.name, "the layer name", net.source,
                        "$.layers[" + std::to_string(net.IndexOf(layer.name)) + "].name");
  }
  return layer.name + ".npy";
}

namespace {

std::string Describe(const std::vector<std::int64_t>& shape) {
  std::ostringstream s;
  s << "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s << (i ? ", " : "") << shape[i];
  s << "]";
  return s.str();
}

}  // namespace

LayerWeights LoadLayerWeights(const std::string& dir, const spec::Layer& layer,
                              const spec::NetworkSpec& net) {
  const std::string path = (std::filesystem::path(dir) / WeightFileName(layer, net)).string();
  if (!layer.HasWeights()) {
    throw spec::ConfigError(path, "$",
                            "layer '" + layer.name + "' is a " + spec::ToString(layer.kind) +
                                " layer and has no weights");
  }
  if (!std::filesystem::is_regular_file(path)) {
    throw spec::ConfigError(path, "$",
                            "missing weight file for " + std::string(spec::ToString(layer.kind)) +
                                " layer '" + layer.name + "'");
  }
  NpyArray array = ReadNpy(path);
  const std::vector<std::int64_t> expected = ExpectedWeightShape(layer);
  if (array.shape != expected) {
    throw spec::ConfigError(path, "$",
                            "expected weights of shape " + Describe(expected) + " for layer '" +
                                layer.name + "', got " + Describe(array.shape));
  }
  LayerWeights w;
  w.layer = layer.name;
  w.file = path;
  w.type = array.type;
  w.matrix.filters = layer.out_channels;
  w.matrix.row_size = array.Elements() / layer.out_channels;
  w.matrix.values = std::move(array.values);
  return w;
}

std::vector<double> LoadLayerBias(const std::string& dir, const spec::Layer& layer,
                                  const spec::NetworkSpec& net) {
  const std::string path =
      (std::filesystem::path(dir) / "bias" / WeightFileName(layer, net)).string();
  if (!std::filesystem::exists(path)) return {};
  if (!layer.HasWeights() || !layer.bias) {
    throw spec::ConfigError(
        path, "$", "layer '" + layer.name + "' has no bias (\"bias\": true in the network)");
  }
  NpyArray array = ReadNpy(path);
  const std::vector<std::int64_t> expected = {layer.out_channels};
  if (array.shape != expected) {
    throw spec::ConfigError(path, "$",
                            "expected a bias of shape " + Describe(expected) + " for layer '" +
                                layer.name + "', got " + Describe(array.shape));
  }
  return std::move(array.values);
}

std::vector<LayerWeights> LoadNetworkWeights(const std::string& dir, const spec::NetworkSpec& net) {
  if (!std::filesystem::is_directory(dir)) {
    throw spec::ConfigError(dir, "$", "expected a folder of <layer>.npy weight files");
  }
  std::vector<LayerWeights> all;
  for (const spec::Layer& l : net.layers) {
    if (l.HasWeights()) all.push_back(LoadLayerWeights(dir, l, net));
  }
  return all;
}

}  // namespace msqx::io
