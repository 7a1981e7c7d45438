#pragma once
// Where each layer's output lives in DDR, as far as it is a decision of the network walk rather
// than of one layer: an activation fused into its producer shares the producer's tensor, and a
// concat's inputs are written by their producers straight into the concat's tensor at their
// channel offset when the DDR layout allows it (no copy), else the vector unit copies them.
// The cycle fidelity (network_sim.cpp) and the analytic model (dse/analytic.cpp) both follow this
// plan, so that they agree on which concats cost nothing.
//
// The layout (docs/memory.md, layer_memory.h): activations channel-blocked HWC, blocks of
// `channel_block` channels (the design's tile.in_channels), each block H x W x width contiguous,
// the last block narrower when the channels do not divide. A producer's tensor of C channels is
// then a contiguous part of a concat's tensor exactly when its channel offset is a multiple of
// the block and its blocks have the widths they have in the concat (C a multiple of the block,
// or the producer is the concat's last input), and it starts on a byte.

#include <cstdint>
#include <vector>

#include "models/spec/design.h"
#include "models/spec/network.h"

namespace msqx::accel {

// An activation that directly follows a conv, fc or add and that the core's requantization can
// apply (a ReLU or ReLU6 clamp) runs in that layer's output path when post.fuse_activation is set:
// no cycles, no traffic, the producer's tensor.
bool FusedIntoPrevious(const spec::DesignSpec& design, const spec::NetworkSpec& network,
                       std::size_t index);

// Element index of (y, x, c) in the channel-blocked layout of a tensor.
std::int64_t ActLayoutElement(int y, int x, int c, const spec::Shape& shape, int channel_block);

struct TensorPlan {
  // Per layer: the layer whose tensor holds this layer's output (itself when it has its own; the
  // producer for a fused activation; the concat for a placed concat input) and the byte offset in
  // that tensor.
  std::vector<int> holder;
  std::vector<std::int64_t> offset_bytes;
  // Per concat layer (empty for other kinds): per input, whether the vector unit copies it (true)
  // or its producer has written it in place (false).
  std::vector<std::vector<bool>> copies;

  bool InPlace(std::size_t concat) const;  // a concat none of whose inputs is copied
  // The layer whose tensor is the outermost one holding `layer`'s output, and the byte offset of
  // that output in it.
  int Root(int layer, std::int64_t* offset_bytes) const;
};

TensorPlan PlanTensors(const spec::DesignSpec& design, const spec::NetworkSpec& network);

}  // namespace msqx::accel
