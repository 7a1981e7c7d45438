#include "models/accel/schedule.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "models/accel/core_sizing.h"
#include "models/spec/config_error.h"
#include "models/util/int_math.h"

namespace msqx::accel {
namespace {

void Require(bool ok, const std::string& path, const std::string& message) {
  if (!ok) throw spec::ConfigError("", path, message);
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
  if (layer.kind != spec::LayerKind::kConv) {
    Require(
        false, layer.name,
        std::string("the accelerator core runs conv and fc layers, not ") + ToString(layer.kind));
  }
  Require(layer.groups == 1 || layer.IsDepthwise(), layer.name,
          "grouped convolution other than depthwise is not supported");
  s.in_channels = layer.in.channels;
  s.in_height = layer.in.height;
  s.in_width = layer.in.width;
  s.out_channels = layer.out.channels;
  s.out_height = layer.out.height;
  s.out_width = layer.out.width;
  // Padding after the last row or column needs nothing: the loader reads zeros outside the input.
  s.kh = layer.kernel_h;
  s.kw = layer.kernel_w;
  s.sh = layer.stride_h;
  s.sw = layer.stride_w;
  s.pt = layer.pad_top;
  s.pl = layer.pad_left;
  s.depthwise = layer.IsDepthwise();
  return s;
}

std::int64_t LayerShape::AccumulationDepth() const {
  return (depthwise ? 1LL : in_channels) * kh * kw;
}

StepLayer LayerShape::Compute() const {
  StepLayer s;
  s.in_c = in_channels;
  s.kh = kh;
  s.kw = ComputeKw();
  s.sh = sh;
  s.sw = ComputeSw();
  s.acc_depth = AccumulationDepth();
  return s;
}

LayerShape WithFolding(LayerShape s, const CoreGeometry& core) {
  s.fold = 0;
  if (s.depthwise || s.kw < 2 || s.in_channels * s.kw > core.tile_ic) return s;
  // Beats per output pixel and kernel row: channel groups x columns, against the folded groups.
  const std::int64_t plain = CeilDiv(s.in_channels, core.cols) * s.kw;
  const std::int64_t folded = CeilDiv(std::int64_t{s.in_channels} * s.kw, core.cols);
  if (folded < plain) s.fold = s.kw;
  return s;
}

StepFilters SplitStep(int filters, int ogs, const CoreGeometry& core, double share) {
  StepFilters f;
  const int dsp_cap = core.dsp ? ogs * core.dsp_rows : 0;
  const int lut_cap = core.lut ? ogs * core.lut_rows : 0;
  f.dsp = static_cast<int>(std::lround(filters * share));
  f.dsp = std::clamp(f.dsp, std::max(0, filters - lut_cap), std::min(filters, dsp_cap));
  f.lut = filters - f.dsp;
  return f;
}

StepFilters FiltersPerStep(int ogs, const CoreGeometry& core, double share) {
  const int dsp_cap = core.dsp ? ogs * core.dsp_rows : 0;
  const int lut_cap = core.lut ? ogs * core.lut_rows : 0;
  if (share <= 0 || dsp_cap == 0) return {0, lut_cap};
  if (share >= 1 || lut_cap == 0) return {dsp_cap, 0};
  // The largest F whose rounded split fits both: start from the real-valued bound and step down.
  int f = static_cast<int>(std::floor(std::min(dsp_cap / share, lut_cap / (1 - share)))) + 1;
  f = std::min(f, dsp_cap + lut_cap);
  while (f > 1) {
    const int d = static_cast<int>(std::lround(f * share));
    if (d <= dsp_cap && f - d <= lut_cap) break;
    --f;
  }
  return SplitStep(f, ogs, core, share);
}

int Schedule::FixedFilters() const {
  int n = 0;
  for (const StepFilters& f : filter_steps) n += f.dsp;
  return n;
}

Schedule MakeSchedule(const LayerShape& l, const TilePlan& t, const CoreGeometry& core,
                      double share) {
  Require(t.out_rows > 0 && t.out_cols > 0 && t.ogs > 0 && t.in_chs > 0, "tile",
          "tile sizes must be positive");
  Require(l.out_height > 0 && l.out_width > 0 && l.out_channels > 0 && l.in_channels > 0, "layer",
          "layer shape must be positive");
  Require(core.dsp || core.lut, "engines", "a core needs at least one engine");
  Schedule s;
  s.layer = l;
  s.tile = t;
  s.core = core;
  const int channels = l.ComputeChannels();
  if (l.depthwise) {
    // A filter step is a chunk of channels; each channel is its own filter.
    for (int c0 = 0; c0 < l.in_channels; c0 += t.in_chs) {
      const int chs = std::min(t.in_chs, l.in_channels - c0);
      s.filter_steps.push_back(SplitStep(chs, 1, core, share));
    }
    s.chunks = 1;
  } else {
    const int per_step = FiltersPerStep(t.ogs, core, share).Total();
    Require(per_step > 0, "ratio", "no engine takes the layer's filters");
    for (int f0 = 0; f0 < l.out_channels; f0 += per_step) {
      s.filter_steps.push_back(
          SplitStep(std::min(per_step, l.out_channels - f0), t.ogs, core, share));
    }
    s.chunks = static_cast<int>(CeilDiv(channels, t.in_chs));
  }
  for (int r0 = 0; r0 < l.out_height; r0 += t.out_rows) {
    for (int c0 = 0; c0 < l.out_width; c0 += t.out_cols) {
      int ch0 = 0;
      for (int fs = 0; fs < static_cast<int>(s.filter_steps.size()); ++fs) {
        const StepFilters& f = s.filter_steps[fs];
        for (int ic = 0; ic < s.chunks; ++ic) {
          Step step;
          step.out_row0 = r0;
          step.out_rows = std::min(t.out_rows, l.out_height - r0);
          step.out_col0 = c0;
          step.out_cols = std::min(t.out_cols, l.out_width - c0);
          step.in_ch0 = l.depthwise ? ch0 : ic * t.in_chs;
          step.in_chs = l.depthwise ? f.Total() : std::min(t.in_chs, channels - step.in_ch0);
          step.ch0 = ch0;
          step.dsp_n = f.dsp;
          step.lut_n = f.lut;
          step.filter_step = fs;
          step.chunk = ic;
          step.first_chunk = ic == 0;
          step.last_chunk = ic == s.chunks - 1;
          s.steps.push_back(step);
        }
        ch0 += f.Total();
      }
    }
  }
  return s;
}

Schedule MakeSchedule(const spec::Layer& layer, const spec::DesignSpec& design,
                      const CoreParams& sizing) {
  const LayerShape shape = WithFolding(LayerShape::FromLayer(layer), sizing.geo);
  return MakeSchedule(shape, TileFor(shape, layer, design, sizing), sizing.geo,
                      design.ratio.FixedShare());
}

}  // namespace msqx::accel
