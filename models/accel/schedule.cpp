#include "models/accel/schedule.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "models/accel/core_sizing.h"
#include "models/spec/config_error.h"
#include "models/util/int_math.h"

namespace msqx::accel {
namespace {

void Require(bool ok, const std::string& path, const std::string& message) {
  if (!ok) throw spec::ConfigError("", path, message);
}

// Filters [lo, hi) of a list cut into `steps` equal chunks: chunk s.
void ChunkRange(int count, int steps, int s, int* first, int* n) {
  const int chunk = steps > 0 ? CeilDiv(count, steps) : 0;
  *first = std::min(count, s * chunk);
  *n = std::min(count, *first + chunk) - *first;
}

}  // namespace

LayerShape LayerShape::FromLayer(const spec::Layer& layer) {
  LayerShape s;
  if (layer.kind == spec::LayerKind::kFc) {
    s.in_channels = static_cast<int>(layer.in.Elements());
    s.in_height = s.in_width = 1;
    s.out_channels = layer.out_channels;
    s.out_height = s.out_width = 1;
    return s;
  }
  Require(layer.kind == spec::LayerKind::kConv, layer.name,
          std::string("the accelerator core runs conv and fc layers, not ") + ToString(layer.kind));
  Require(layer.groups == 1 || layer.IsDepthwise(), layer.name,
          "grouped convolution other than depthwise is not supported");
  s.in_channels = layer.in.channels;
  s.in_height = layer.in.height;
  s.in_width = layer.in.width;
  s.out_channels = layer.out.channels;
  s.out_height = layer.out.height;
  s.out_width = layer.out.width;
  // The core reads zeros outside the input, so padding after the last row or column needs
  // nothing of it; a kernel or stride that differs between the dimensions, or a leading padding
  // that does, it cannot run yet.
  Require(layer.kernel_h == layer.kernel_w && layer.stride_h == layer.stride_w &&
              layer.pad_top == layer.pad_left,
          layer.name,
          "the accelerator core runs square kernels and strides with equal top and left padding");
  s.kernel = layer.kernel_h;
  s.stride = layer.stride_h;
  s.padding = layer.pad_top;
  s.depthwise = layer.IsDepthwise();
  return s;
}

long long LayerShape::AccumulationDepth() const {
  return (depthwise ? 1LL : in_channels) * kernel * kernel;
}

FilterSplit SplitFilters(int out_channels, double fixed_share, const std::vector<int>& ranking) {
  if (out_channels < 0 || !(fixed_share >= 0 && fixed_share <= 1)) {
    throw std::invalid_argument("SplitFilters: bad channel count or share");
  }
  const int nf = static_cast<int>(std::lround(out_channels * fixed_share));
  std::vector<int> order(out_channels);
  if (ranking.empty()) {
    for (int c = 0; c < out_channels; ++c) order[c] = c;
  } else {
    std::vector<int> sorted = ranking;
    std::sort(sorted.begin(), sorted.end());
    for (int c = 0; c < out_channels; ++c) {
      if (static_cast<int>(sorted.size()) != out_channels || sorted[c] != c) {
        throw std::invalid_argument("SplitFilters: ranking is not a permutation of the channels");
      }
    }
    order = ranking;
  }
  FilterSplit split;
  split.fixed.assign(order.begin(), order.begin() + nf);
  split.sp2.assign(order.begin() + nf, order.end());
  std::sort(split.fixed.begin(), split.fixed.end());
  std::sort(split.sp2.begin(), split.sp2.end());
  return split;
}

Schedule MakeSchedule(const LayerShape& l, const spec::TileSpec& t, const FilterSplit& split) {
  Require(t.out_rows > 0 && t.out_cols > 0 && t.out_channels > 0 && t.in_channels > 0, "tile",
          "tile sizes must be positive");
  Require(l.out_height > 0 && l.out_width > 0 && l.out_channels > 0 && l.in_channels > 0, "layer",
          "layer shape must be positive");
  Require(static_cast<int>(split.fixed.size() + split.sp2.size()) == l.out_channels, "ratio",
          "filter split does not cover the layer's output channels");
  Schedule s;
  s.layer = l;
  s.split = split;
  const int nf = static_cast<int>(split.fixed.size());
  const int ns = static_cast<int>(split.sp2.size());
  const int ic_chunks = CeilDiv(l.in_channels, t.in_channels);
  const int oc_steps = l.depthwise ? 1 : CeilDiv(l.out_channels, t.out_channels);
  for (int r0 = 0; r0 < l.out_height; r0 += t.out_rows) {
    for (int c0 = 0; c0 < l.out_width; c0 += t.out_cols) {
      for (int os = 0; os < oc_steps; ++os) {
        for (int ic = 0; ic < ic_chunks; ++ic) {
          Tile base;
          base.step = s.steps;
          base.out_row0 = r0;
          base.out_rows = std::min(t.out_rows, l.out_height - r0);
          base.out_col0 = c0;
          base.out_cols = std::min(t.out_cols, l.out_width - c0);
          base.in_ch0 = ic * t.in_channels;
          base.in_chs = std::min(t.in_channels, l.in_channels - base.in_ch0);
          base.first_chunk = l.depthwise || ic == 0;
          base.last_chunk = l.depthwise || ic == ic_chunks - 1;
          bool any = false;
          for (Engine e : {Engine::kDsp, Engine::kLut}) {
            const std::vector<int>& list = e == Engine::kDsp ? split.fixed : split.sp2;
            Tile tile = base;
            tile.engine = e;
            if (l.depthwise) {
              const auto lo = std::lower_bound(list.begin(), list.end(), base.in_ch0);
              const auto hi = std::lower_bound(list.begin(), list.end(), base.in_ch0 + base.in_chs);
              tile.filter0 = static_cast<int>(lo - list.begin());
              tile.filters = static_cast<int>(hi - lo);
            } else {
              ChunkRange(e == Engine::kDsp ? nf : ns, oc_steps, os, &tile.filter0, &tile.filters);
            }
            if (tile.filters == 0) continue;
            s.tiles.push_back(tile);
            any = true;
          }
          if (any) ++s.steps;
        }
      }
    }
  }
  return s;
}

Schedule MakeSchedule(const spec::Layer& layer, const spec::DesignSpec& design,
                      const std::vector<int>& ranking) {
  const LayerShape shape = LayerShape::FromLayer(layer);
  return MakeSchedule(shape, TileFor(layer, design),
                      SplitFilters(shape.out_channels, design.ratio.FixedShare(), ranking));
}

}  // namespace msqx::accel
