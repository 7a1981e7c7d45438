#include "sim/spec/network.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>

namespace msqx::spec {

namespace {

const std::map<std::string, LayerKind>& KindsByName() {
  static const std::map<std::string, LayerKind> kinds = {
      {"conv", LayerKind::kConv},       {"fc", LayerKind::kFc},   {"maxpool", LayerKind::kMaxPool},
      {"avgpool", LayerKind::kAvgPool}, {"add", LayerKind::kAdd}, {"act", LayerKind::kAct},
      {"concat", LayerKind::kConcat}};
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
      keys.insert(keys.end(), {"input", "kernel", "stride", "padding", "ceil_mode", "global"});
      break;
    case LayerKind::kAdd:
    case LayerKind::kConcat:
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
        l.function = ParseFunction(n);
        l.out = in;
        break;
      case LayerKind::kConcat: {
        int channels = 0;
        for (int c : l.input_channels) channels += c;
        l.out = {channels, in.height, in.width};
        break;
      }
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

  static ActFunction ParseFunction(const Node& n) {
    if (!n.Has("function")) return ActFunction::kRelu;
    const std::vector<ActFunction> all = {ActFunction::kRelu, ActFunction::kRelu6,
                                          ActFunction::kSigmoid, ActFunction::kHardSwish,
                                          ActFunction::kSilu};
    std::vector<std::string> names;
    for (ActFunction f : all) names.push_back(ToString(f));
    const std::string name = n.At("function").OneOf(names);
    for (ActFunction f : all) {
      if (name == ToString(f)) return f;
    }
    return ActFunction::kRelu;
  }

  // concat: inputs of equal height and width, joined along the channels (at most 2^16 in all).
  void ParseConcatInputs(const Node& n, Layer& l) {
    const Node list = n.At("inputs");
    const std::size_t count = list.ArraySize(2);
    long total = 0;
    for (std::size_t i = 0; i < count; ++i) {
      l.inputs.push_back(Producer(list.At(i)));
      const Shape s = ShapeOf(l.inputs.back());
      if (i == 0) l.in = s;
      if (s.height != l.in.height || s.width != l.in.width) {
        list.At(i).Fail("expected an input of height x width " + std::to_string(l.in.height) + "x" +
                        std::to_string(l.in.width) + " like the first, got " + Describe(s));
      }
      l.input_channels.push_back(s.channels);
      total += s.channels;
    }
    if (total > (1 << 16))
      list.Fail("expected at most 65536 channels in all, got " + std::to_string(total));
  }

  void ParseInputs(const Node& n, std::size_t index, Layer& l) {
    if (l.kind == LayerKind::kConcat) {
      ParseConcatInputs(n, l);
      return;
    }
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

  // A window key: one integer for both dimensions or [rows, columns].
  static void ReadPair(const Node& n, const char* key, int fallback, int min, int* h, int* w) {
    *h = *w = fallback;
    const std::optional<Node> v = n.Find(key);
    if (!v) return;
    if (!v->json().is_array()) {
      *h = *w = static_cast<int>(v->Int(min, 64));
      return;
    }
    if (v->ArraySize() != 2) v->Fail("expected an integer or [rows, columns]");
    *h = static_cast<int>(v->At(std::size_t{0}).Int(min, 64));
    *w = static_cast<int>(v->At(std::size_t{1}).Int(min, 64));
  }

  // "padding": one integer for every side, [rows, columns] (top = bottom, left = right) or
  // [top, left, bottom, right] (ONNX's order of "pads").
  static void ReadPadding(const Node& n, Layer& l) {
    const std::optional<Node> v = n.Find("padding");
    if (!v) return;
    if (!v->json().is_array()) {
      l.pad_top = l.pad_left = l.pad_bottom = l.pad_right = static_cast<int>(v->Int(0, 64));
      return;
    }
    const std::size_t size = v->ArraySize();
    if (size != 2 && size != 4) {
      v->Fail("expected an integer, [rows, columns] or [top, left, bottom, right]");
    }
    int* sides[4] = {&l.pad_top, &l.pad_left, &l.pad_bottom, &l.pad_right};
    for (std::size_t i = 0; i < 4; ++i) {
      *sides[i] = static_cast<int>(v->At(size == 4 ? i : i % 2).Int(0, 64));
    }
  }

  static void ReadWindow(const Node& n, Layer& l, int stride_fallback) {
    ReadPair(n, "kernel", 1, 1, &l.kernel_h, &l.kernel_w);
    if (!n.Has("kernel")) n.At("kernel");  // required: fails naming the key
    ReadPair(n, "stride", stride_fallback, 1, &l.stride_h, &l.stride_w);
    ReadPadding(n, l);
  }

  // Output extent of a sliding window along one dimension (floor, or with ceil_mode the last
  // window that starts inside the input or its leading padding, as PyTorch and ONNX count);
  // fails when the window does not fit.
  static int WindowOut(const Node& n, int extent, int kernel, int stride, int pad_lo, int pad_hi,
                       bool ceil_mode) {
    const int span = extent + pad_lo + pad_hi - kernel;
    if (span < 0) {
      n.At("kernel").Fail("expected a kernel no larger than the padded input (" +
                          std::to_string(extent + pad_lo + pad_hi) + "), got " +
                          std::to_string(kernel));
    }
    int out = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
    if (ceil_mode && (out - 1) * stride >= extent + pad_lo) --out;
    return out;
  }

  static Shape WindowOutput(const Node& n, const Layer& l, int channels) {
    return {channels,
            WindowOut(n, l.in.height, l.kernel_h, l.stride_h, l.pad_top, l.pad_bottom, l.ceil_mode),
            WindowOut(n, l.in.width, l.kernel_w, l.stride_w, l.pad_left, l.pad_right, l.ceil_mode)};
  }

  void ParseConv(const Node& n, Layer& l) {
    l.out_channels = static_cast<int>(n.At("out_channels").Int(1, 1 << 16));
    ReadWindow(n, l, 1);
    l.groups = static_cast<int>(n.IntOr("groups", 1, 1, 1 << 16));
    l.bias = n.BoolOr("bias", false);
    l.weight_bits = static_cast<int>(n.IntOr("weight_bits", net_.weight_bits, 2, 16));
    if (l.in.channels % l.groups != 0 || l.out_channels % l.groups != 0) {
      n.At("groups").Fail("expected a divisor of both input channels (" +
                          std::to_string(l.in.channels) + ") and out_channels (" +
                          std::to_string(l.out_channels) + "), got " + std::to_string(l.groups));
    }
    l.out = WindowOutput(n, l, l.out_channels);
  }

  void ParsePool(const Node& n, Layer& l) {
    l.global = n.BoolOr("global", false);
    if (l.global) {
      for (const char* key : {"kernel", "stride", "padding", "ceil_mode"}) {
        if (n.Has(key))
          n.At(key).Fail("a global pooling layer takes no '" + std::string(key) + "'");
      }
      l.kernel_h = l.in.height;
      l.kernel_w = l.in.width;
      l.out = {l.in.channels, 1, 1};
      return;
    }
    ReadPair(n, "kernel", 1, 1, &l.kernel_h, &l.kernel_w);
    if (!n.Has("kernel")) n.At("kernel");
    ReadPair(n, "stride", 0, 1, &l.stride_h, &l.stride_w);
    if (!n.Has("stride")) {  // a pooling window's stride defaults to its size
      l.stride_h = l.kernel_h;
      l.stride_w = l.kernel_w;
    }
    ReadPadding(n, l);
    l.ceil_mode = n.BoolOr("ceil_mode", false);
    const int pad_h = std::max(l.pad_top, l.pad_bottom), pad_w = std::max(l.pad_left, l.pad_right);
    if (2 * pad_h > l.kernel_h || 2 * pad_w > l.kernel_w) {
      const std::string half = l.kernel_h == l.kernel_w ? std::to_string(l.kernel_h / 2)
                                                        : std::to_string(l.kernel_h / 2) + " x " +
                                                              std::to_string(l.kernel_w / 2);
      n.At("padding").Fail("expected padding at most half the kernel (" + half + "), got " +
                           std::to_string(2 * pad_h > l.kernel_h ? pad_h : pad_w));
    }
    l.out = WindowOutput(n, l, l.in.channels);
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
