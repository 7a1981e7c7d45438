#pragma once
// Weights on disk: a folder with one <layer name>.npy per conv/fc layer, shaped
// [out_channels, in_channels / groups, k, k] for conv and [out_features, in_features] for fc
// (in_features = the flattened input). float32/float64 are real weights to quantize; int8 are
// already-quantized integers and are read as their integer values.

#include <cstdint>
#include <string>
#include <vector>

#include "models/quant/scheme.h"
#include "sim/io/npy.h"
#include "sim/spec/network.h"

namespace msqx::io {

struct LayerWeights {
  std::string layer;
  std::string file;
  NpyType type = NpyType::kFloat32;
  quant::FilterMatrix matrix;  // one row per output channel
};

// The shape a layer's weight file must have (conv and fc only).
std::vector<std::int64_t> ExpectedWeightShape(const spec::Layer& layer);
// "<name>.npy". A layer name that would leave the weights folder ("../x", "a/b") or is not a
// portable file name is a spec::ConfigError at the layer's name in the network file.
std::string WeightFileName(const spec::Layer& layer, const spec::NetworkSpec& net);

// Reads and checks one layer's file; a missing file, a malformed one or a wrong shape is a
// spec::ConfigError naming the file.
LayerWeights LoadLayerWeights(const std::string& dir, const spec::Layer& layer,
                              const spec::NetworkSpec& net);
// A layer's bias, bias/<layer>.npy in the folder, [out_channels] (what `msqx import` writes for a
// conv or fc with `bias: true`). Empty when the file is absent; a file for a layer without a bias
// or of the wrong shape is a spec::ConfigError naming it.
std::vector<double> LoadLayerBias(const std::string& dir, const spec::Layer& layer,
                                  const spec::NetworkSpec& net);
// Every conv and fc layer of the network, in network order.
std::vector<LayerWeights> LoadNetworkWeights(const std::string& dir, const spec::NetworkSpec& net);

}  // namespace msqx::io
