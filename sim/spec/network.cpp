#include "sim/spec/network.h"

#include <algorithm>
#include <map>
#include <string>
#include <unordered_map>

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
  }
  return "?";
}

const char* ToString(ActFunction f) { return f == ActFunction::kRelu ? "relu" : "relu6"; }

std::int64_t Layer::AccumulationDepth() const {
  if (kind == LayerKind::kConv) return std::int64_t{in.channels / groups} * kernel * kernel;
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

namespace {

const std::map<std::string, LayerKind>& KindsByName() {
  static const std::map<std::string, LayerKind> kinds = {
      {"conv", LayerKind::kConv},       {"fc", LayerKind::kFc},   {"maxpool", LayerKind::kMaxPool},
      {"avgpool", LayerKind::kAvgPool}, {"add", LayerKind::kAdd}, {"act", LayerKind::kAct}};
  return kinds;
}

std::vector<std::string> AllowedKeys(LayerKind kind) {
  std::vector<std::string> keys = {"name", "type", "act_bits"};
  switch (kind) {
    case LayerKind::kConv:
      keys.insert(keys.end(), {"input", "out_channels", "kernel", "stride", "padding", "groups",
                               "bias", "weight_bits"});
      break;
    case LayerKind::kFc:
      keys.insert(keys.end(), {"input", "out_features", "bias", "weight_bits"});
      break;
    case LayerKind::kMaxPool:
    case LayerKind::kAvgPool:
      keys.insert(keys.end(), {"input", "kernel", "stride", "padding", "global"});
      break;
    case LayerKind::kAdd:
      keys.push_back("inputs");
      break;
    case LayerKind::kAct:
      keys.insert(keys.end(), {"input", "function"});
      break;
  }
  return keys;
}

class LayerParser {
 public:
  explicit LayerParser(NetworkSpec& net) : net_(net) {}

  Layer Parse(const Node& n, std::size_t index) {
    if (!n.json().is_object()) n.Fail("expected a layer object, got a non-object value");
    Layer l;
    std::vector<std::string> kinds;
    for (const auto& entry : KindsByName()) kinds.push_back(entry.first);
    l.kind = KindsByName().at(n.At("type").OneOf(kinds));
    n.ExpectObject(AllowedKeys(l.kind));
    l.name = n.At("name").String();
    if (l.name.empty() || l.name == "input") {
      n.At("name").Fail("expected a non-empty layer name other than 'input'");
    }
    if (!index_.emplace(l.name, static_cast<int>(index)).second) {
      n.At("name").Fail("layer name '" + Elide(l.name) + "' is already used by an earlier layer");
    }
    l.act_bits = static_cast<int>(n.IntOr("act_bits", net_.act_bits, 1, 16));
    ParseInputs(n, index, l);
    const Shape in = l.in;
    switch (l.kind) {
      case LayerKind::kConv:
        ParseConv(n, l);
        break;
      case LayerKind::kFc:
        l.out_channels = static_cast<int>(n.At("out_features").Int(1, 1 << 20));
        l.bias = n.BoolOr("bias", false);
        l.weight_bits = static_cast<int>(n.IntOr("weight_bits", net_.weight_bits, 2, 16));
        l.out = {l.out_channels, 1, 1};
        break;
      case LayerKind::kMaxPool:
      case LayerKind::kAvgPool:
        ParsePool(n, l);
        break;
      case LayerKind::kAdd:
        l.out = in;
        break;
      case LayerKind::kAct:
        l.function = n.Has("function") && n.At("function").OneOf({"relu", "relu6"}) == "relu6"
                         ? ActFunction::kRelu6
                         : ActFunction::kRelu;
        l.out = in;
        break;
    }
    return l;
  }

 private:
  Shape ShapeOf(int producer) const {
    return producer == kNetworkInput ? net_.input : net_.layers[producer].out;
  }

  int Producer(const Node& ref) const {
    const std::string name = ref.String();
    if (name == "input") return kNetworkInput;
    // Only earlier layers: the one being parsed is in index_ already, and is not its own input.
    const auto it = index_.find(name);
    if (it != index_.end() && it->second < static_cast<int>(net_.layers.size())) return it->second;
    std::vector<std::string> names = {"input"};
    for (const auto& l : net_.layers) names.push_back(l.name);
    std::string message =
        "expected the name of an earlier layer or 'input', got '" + Elide(name) + "'";
    if (auto guess = DidYouMean(name, names)) message += "; did you mean '" + *guess + "'?";
    ref.Fail(message);
  }

  void ParseInputs(const Node& n, std::size_t index, Layer& l) {
    if (l.kind == LayerKind::kAdd) {
      const Node list = n.At("inputs");
      const std::size_t count = list.ArraySize(2);
      for (std::size_t i = 0; i < count; ++i) l.inputs.push_back(Producer(list.At(i)));
      l.in = ShapeOf(l.inputs[0]);
      for (std::size_t i = 1; i < count; ++i) {
        const Shape s = ShapeOf(l.inputs[i]);
        if (!(s == l.in)) {
          list.At(i).Fail("expected an input of shape " + Describe(l.in) + " like the first, got " +
                          Describe(s));
        }
      }
      return;
    }
    const int producer = n.Has("input") ? Producer(n.At("input"))
                         : index == 0   ? kNetworkInput
                                        : static_cast<int>(index) - 1;
    l.inputs = {producer};
    l.in = ShapeOf(producer);
  }

  static std::string Describe(const Shape& s) {
    return std::to_string(s.channels) + "x" + std::to_string(s.height) + "x" +
           std::to_string(s.width) + " (CxHxW)";
  }

  // Output extent of a sliding window; fails when the window does not fit.
  static int WindowOut(const Node& n, int extent, int kernel, int stride, int padding) {
    const int span = extent + 2 * padding - kernel;
    if (span < 0) {
      n.At("kernel").Fail("expected a kernel no larger than the padded input (" +
                          std::to_string(extent + 2 * padding) + "), got " +
                          std::to_string(kernel));
    }
    return span / stride + 1;
  }

  void ParseConv(const Node& n, Layer& l) {
    l.out_channels = static_cast<int>(n.At("out_channels").Int(1, 1 << 16));
    l.kernel = static_cast<int>(n.At("kernel").Int(1, 64));
    l.stride = static_cast<int>(n.IntOr("stride", 1, 1, 64));
    l.padding = static_cast<int>(n.IntOr("padding", 0, 0, 64));
    l.groups = static_cast<int>(n.IntOr("groups", 1, 1, 1 << 16));
    l.bias = n.BoolOr("bias", false);
    l.weight_bits = static_cast<int>(n.IntOr("weight_bits", net_.weight_bits, 2, 16));
    if (l.in.channels % l.groups != 0 || l.out_channels % l.groups != 0) {
      n.At("groups").Fail("expected a divisor of both input channels (" +
                          std::to_string(l.in.channels) + ") and out_channels (" +
                          std::to_string(l.out_channels) + "), got " + std::to_string(l.groups));
    }
    l.out = {l.out_channels, WindowOut(n, l.in.height, l.kernel, l.stride, l.padding),
             WindowOut(n, l.in.width, l.kernel, l.stride, l.padding)};
  }

  void ParsePool(const Node& n, Layer& l) {
    l.global = n.BoolOr("global", false);
    if (l.global) {
      for (const char* key : {"kernel", "stride", "padding"}) {
        if (n.Has(key))
          n.At(key).Fail("a global pooling layer takes no '" + std::string(key) + "'");
      }
      l.kernel = std::max(l.in.height, l.in.width);
      l.out = {l.in.channels, 1, 1};
      return;
    }
    l.kernel = static_cast<int>(n.At("kernel").Int(1, 64));
    l.stride = static_cast<int>(n.IntOr("stride", l.kernel, 1, 64));
    l.padding = static_cast<int>(n.IntOr("padding", 0, 0, 64));
    if (2 * l.padding > l.kernel) {
      n.At("padding").Fail("expected padding at most half the kernel (" +
                           std::to_string(l.kernel / 2) + "), got " + std::to_string(l.padding));
    }
    l.out = {l.in.channels, WindowOut(n, l.in.height, l.kernel, l.stride, l.padding),
             WindowOut(n, l.in.width, l.kernel, l.stride, l.padding)};
  }

  NetworkSpec& net_;
  // Layer names to their index: one lookup per reference keeps parsing linear in the layers.
  std::unordered_map<std::string, int> index_;
};

}  // namespace

NetworkSpec ParseNetwork(const Node& root) {
  root.ExpectObject({"name", "input", "weight_bits", "act_bits", "layers"});
  NetworkSpec net;
  net.source = root.file();
  net.name = root.At("name").String();
  if (net.name.empty()) root.At("name").Fail("expected a non-empty name");
  const Node input = root.At("input");
  input.ExpectObject({"channels", "height", "width"});
  net.input = {static_cast<int>(input.At("channels").Int(1, 1 << 16)),
               static_cast<int>(input.At("height").Int(1, 1 << 16)),
               static_cast<int>(input.At("width").Int(1, 1 << 16))};
  net.weight_bits = static_cast<int>(root.IntOr("weight_bits", 4, 2, 16));
  net.act_bits = static_cast<int>(root.IntOr("act_bits", 4, 1, 16));
  const Node layers = root.At("layers");
  const std::size_t count = layers.ArraySize(1);
  LayerParser parser(net);
  for (std::size_t i = 0; i < count; ++i) net.layers.push_back(parser.Parse(layers.At(i), i));
  return net;
}

}  // namespace msqx::spec
