#include "models/spec/network.h"

namespace msqx::spec {

const char* ToString(LayerKind kind) {
  switch (kind) {
    case LayerKind::kConv:
      return "conv";
    case LayerKind::kFc:
      return "fc";
    case LayerKind::kMaxPool:
      return "maxpool";
    case LayerKind::kAvgPool:
      return "avgpool";
    case LayerKind::kAdd:
      return "add";
    case LayerKind::kAct:
      return "act";
    case LayerKind::kConcat:
      return "concat";
  }
  return "?";
}

const char* ToString(ActFunction f) {
  switch (f) {
    case ActFunction::kRelu:
      return "relu";
    case ActFunction::kRelu6:
      return "relu6";
    case ActFunction::kSigmoid:
      return "sigmoid";
    case ActFunction::kHardSwish:
      return "hardswish";
    case ActFunction::kSilu:
      return "silu";
  }
  return "?";
}

std::int64_t Layer::AccumulationDepth() const {
  if (kind == LayerKind::kConv) return std::int64_t{in.channels / groups} * KernelArea();
  if (kind == LayerKind::kFc) return in.Elements();
  return 0;
}

std::int64_t Layer::Macs() const {
  if (!HasWeights()) return 0;
  return out.Elements() * AccumulationDepth();
}

std::int64_t Layer::WeightCount() const {
  if (!HasWeights()) return 0;
  return std::int64_t{out.channels} * AccumulationDepth();
}

namespace {
std::int64_t Bytes(std::int64_t elements, int bits) { return (elements * bits + 7) / 8; }
}  // namespace

std::int64_t Layer::WeightBytes() const { return Bytes(WeightCount(), weight_bits); }
std::int64_t Layer::InputBytes() const {
  if (kind == LayerKind::kConcat) return Bytes(out.Elements(), act_bits);  // the inputs, joined
  return Bytes(in.Elements() * static_cast<std::int64_t>(inputs.size()), act_bits);
}
std::int64_t Layer::OutputBytes() const { return Bytes(out.Elements(), act_bits); }

std::int64_t NetworkSpec::TotalMacs() const {
  std::int64_t total = 0;
  for (const auto& l : layers) total += l.Macs();
  return total;
}

std::int64_t NetworkSpec::TotalWeightBytes() const {
  std::int64_t total = 0;
  for (const auto& l : layers) total += l.WeightBytes();
  return total;
}

int NetworkSpec::IndexOf(const std::string& layer_name) const {
  for (std::size_t i = 0; i < layers.size(); ++i) {
    if (layers[i].name == layer_name) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace msqx::spec
