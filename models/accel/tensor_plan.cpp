#include "models/accel/tensor_plan.h"

#include <algorithm>

#include "models/accel/core_sizing.h"

namespace msqx::accel {

using spec::LayerKind;

bool FusedIntoPrevious(const spec::DesignSpec& d, const spec::NetworkSpec& n, std::size_t i) {
  const spec::Layer& l = n.layers[i];
  if (!d.post.fuse_activation || !l.IsClampActivation() || i == 0) return false;
  const spec::Layer& prev = n.layers[i - 1];
  return l.inputs.front() == static_cast<int>(i - 1) &&
         (prev.kind == LayerKind::kConv || prev.kind == LayerKind::kFc ||
          prev.kind == LayerKind::kAdd);
}

std::int64_t ActLayoutElement(int y, int x, int c, const spec::Shape& s, int channel_block) {
  const int block = std::max(1, channel_block);
  const int b = c / block;
  const std::int64_t width_of_block = std::min(block, s.channels - b * block);
  return std::int64_t{b} * block * s.height * s.width +
         (std::int64_t{y} * s.width + x) * width_of_block + (c - b * block);
}

bool TensorPlan::InPlace(std::size_t concat) const {
  const std::vector<bool>& c = copies[concat];
  return !c.empty() && std::none_of(c.begin(), c.end(), [](bool copy) { return copy; });
}

int TensorPlan::Root(int layer, std::int64_t* offset) const {
  std::int64_t sum = 0;
  while (holder[layer] != layer) {
    sum += offset_bytes[layer];
    layer = holder[layer];
  }
  if (offset) *offset = sum;
  return layer;
}

namespace {

// Whether input `k` of concat `j` can be written in place by the layer owning its tensor.
bool Placeable(const spec::NetworkSpec& n, const TensorPlan& plan, std::size_t j, std::size_t k,
               int owner, int channel_offset, int block) {
  const spec::Layer& c = n.layers[j];
  const int producer = c.inputs[k];
  if (producer == spec::kNetworkInput || owner == spec::kNetworkInput) return false;
  if (plan.holder[owner] != owner) return false;  // already fused or placed elsewhere
  if (n.layers[owner].act_bits != c.act_bits || n.layers[producer].act_bits != c.act_bits) {
    return false;
  }
  const int channels = c.input_channels[k];
  const bool last = k + 1 == c.inputs.size();
  if (channel_offset % block != 0 || (channels % block != 0 && !last)) return false;
  const std::int64_t first_bit =
      std::int64_t{channel_offset} * c.out.height * c.out.width * c.act_bits;
  return first_bit % 8 == 0;
}

}  // namespace

TensorPlan PlanTensors(const spec::DesignSpec& d, const spec::NetworkSpec& n) {
  const std::size_t count = n.layers.size();
  // Tensors are channel-blocked by the arrays' columns (docs/memory.md).
  const int block = GeometryOf(d).cols;
  TensorPlan plan;
  plan.holder.resize(count);
  plan.offset_bytes.assign(count, 0);
  plan.copies.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    plan.holder[i] = FusedIntoPrevious(d, n, i) ? static_cast<int>(i - 1) : static_cast<int>(i);
  }
  // A fused activation's output is its producer's tensor.
  const auto owner_of = [&](int layer) {
    while (FusedIntoPrevious(d, n, static_cast<std::size_t>(layer))) --layer;
    return layer;
  };
  // Outermost concats first: a concat that is itself an input of a later one is placed there
  // before its own inputs are placed inside it.
  for (std::size_t j = count; j-- > 0;) {
    const spec::Layer& c = n.layers[j];
    if (c.kind != LayerKind::kConcat) continue;
    plan.copies[j].assign(c.inputs.size(), true);
    int channel_offset = 0;
    for (std::size_t k = 0; k < c.inputs.size(); ++k) {
      const int owner =
          c.inputs[k] == spec::kNetworkInput ? spec::kNetworkInput : owner_of(c.inputs[k]);
      if (Placeable(n, plan, j, k, owner, channel_offset, block)) {
        plan.holder[owner] = static_cast<int>(j);
        plan.offset_bytes[owner] =
            std::int64_t{channel_offset} * c.out.height * c.out.width * c.act_bits / 8;
        plan.copies[j][k] = false;
      }
      channel_offset += c.input_channels[k];
    }
  }
  return plan;
}

}  // namespace msqx::accel
