#pragma once
// A network as an ordered list of layers. Shapes are derived and checked layer to layer when the
// network is parsed (sim/spec/network.h), so everything downstream can trust them. Plain structs.

#include <cstdint>
#include <string>
#include <vector>

namespace msqx::spec {

// kConcat joins its inputs along the channels (all of the same height and width).
enum class LayerKind { kConv, kFc, kMaxPool, kAvgPool, kAdd, kAct, kConcat };
const char* ToString(LayerKind kind);

// relu and relu6 are clamps (fused into a producer's requantization when it allows); sigmoid,
// hard-swish (x * relu6(x + 3) / 6) and SiLU (x * sigmoid(x)) are table functions of the vector
// unit.
enum class ActFunction { kRelu, kRelu6, kSigmoid, kHardSwish, kSilu };
const char* ToString(ActFunction f);

struct Shape {
  int channels = 0;
  int height = 0;
  int width = 0;
  std::int64_t Elements() const { return std::int64_t{channels} * height * width; }
  bool operator==(const Shape& o) const {
    return channels == o.channels && height == o.height && width == o.width;
  }
};

inline constexpr int kNetworkInput = -1;  // index used in Layer::inputs for the network's input

struct Layer {
  std::string name;
  LayerKind kind = LayerKind::kConv;
  std::vector<int> inputs;          // producer layer indices; kNetworkInput for the input tensor
  std::vector<int> input_channels;  // concat: channels of each input, in order

  // conv and pooling: the window per dimension (h: rows, w: columns) and the padding per side
  int out_channels = 0;  // conv: filters; fc: out_features
  int kernel_h = 1, kernel_w = 1;
  int stride_h = 1, stride_w = 1;
  int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  bool ceil_mode = false;  // pooling: a last window that starts inside the input counts
  int groups = 1;          // conv only; groups == in channels == out channels is depthwise
  bool global = false;     // pooling over the whole feature map
  bool bias = false;       // conv and fc
  ActFunction function = ActFunction::kRelu;  // act only

  int weight_bits = 4;
  int act_bits = 4;

  // derived
  Shape in;  // first input's shape (concat: the first input's)
  Shape out;

  bool HasWeights() const { return kind == LayerKind::kConv || kind == LayerKind::kFc; }
  bool IsDepthwise() const {
    return kind == LayerKind::kConv && groups > 1 && groups == in.channels &&
           groups == out.channels;
  }
  // Multiply-accumulates of one inference (conv and fc); 0 for other kinds.
  std::int64_t Macs() const;
  // Weights (one per filter tap), without bias.
  std::int64_t WeightCount() const;
  std::int64_t KernelArea() const { return std::int64_t{kernel_h} * kernel_w; }
  // Reduction length of one output: in_channels / groups * kernel_h * kernel_w, or in features for
  // fc.
  std::int64_t AccumulationDepth() const;
  std::int64_t WeightBytes() const;  // packed at weight_bits
  std::int64_t InputBytes() const;   // all inputs at act_bits
  // An activation the core's requantization can apply on its way out (a clamp).
  bool IsClampActivation() const {
    return kind == LayerKind::kAct &&
           (function == ActFunction::kRelu || function == ActFunction::kRelu6);
  }
  std::int64_t OutputBytes() const;  // at act_bits
};

struct NetworkSpec {
  std::string name;
  std::string source;
  Shape input;
  int weight_bits = 4;
  int act_bits = 4;
  std::vector<Layer> layers;

  std::int64_t TotalMacs() const;
  std::int64_t TotalWeightBytes() const;
  int IndexOf(const std::string& layer_name) const;  // -1 when absent
};

}  // namespace msqx::spec
