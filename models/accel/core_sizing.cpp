#include "models/accel/core_sizing.h"

#include <algorithm>
#include <cmath>

#include "models/pe/arithmetic.h"
#include "models/spec/config_error.h"
#include "models/util/int_math.h"

namespace msqx::accel {
namespace {

constexpr long long kBitsPerKib = 1024LL * 8;

// Words of `word_bits` a buffer of `bits` (per half) holds. A word wider than 18 bits is built
// from BRAM18 columns in their 512 x 36 shape, so the buffer is at least 512 words deep (all
// halves together) whatever its nominal capacity: the resource model charges those BRAMs
// (dse/resource.cpp, mem::BramCostOf), and the controller may use their depth.
int Words(double bits, long long word_bits, int halves) {
  if (word_bits <= 0 || bits <= 0) return 0;
  long long words = static_cast<long long>(
      std::min<double>(std::floor(bits / static_cast<double>(word_bits)), 1 << 28));
  if (word_bits > 18) {
    constexpr long long kBramDepth = 512;
    const long long total =
        (std::max(words * halves, 1LL) + kBramDepth - 1) / kBramDepth * kBramDepth;
    words = total / halves;
  }
  return static_cast<int>(std::min<long long>(words, 32767 / halves));
}

}  // namespace

int DspAccBits(int weight_bits, int act_bits, long long max_depth) {
  return pe::FixedAccBits(weight_bits, act_bits, max_depth);
}
int LutAccBits(int weight_bits, int act_bits, long long max_depth) {
  return pe::Sp2AccBits(weight_bits / 2, act_bits, max_depth);
}

CoreGeometry GeometryOf(const spec::DesignSpec& d) {
  CoreGeometry g;
  g.dsp = d.dsp_engine.rows > 0 && d.dsp_engine.cols > 0;
  g.lut = d.lut_engine.rows > 0 && d.lut_engine.cols > 0;
  g.dsp_rows = std::max(1, d.dsp_engine.rows);
  g.lut_rows = std::max(1, d.lut_engine.rows);
  g.cols = std::max(1, g.dsp ? d.dsp_engine.cols : d.lut_engine.cols);
  g.tile_ic = std::max(1, d.tile.in_channels);
  // A load beat (tile_ic lanes) carries a whole piece: as many rows of cols weights as fit.
  const int rows_per_beat = std::max(1, g.tile_ic / g.cols);
  g.dsp_piece_rows = std::min(g.dsp_rows, rows_per_beat);
  g.lut_piece_rows = std::min(g.lut_rows, rows_per_beat);
  return g;
}

DesignMisfit TemplateMisfit(const spec::DesignSpec& d, int act_bits, int weight_bits,
                            long long max_depth) {
  const auto misfit = [](const char* key, const std::string& why) {
    return DesignMisfit{key, why};
  };
  if (act_bits < 1 || act_bits > 8) return misfit("", "activations of 1 to 8 bits");
  if (weight_bits < 2 || weight_bits > 8) return misfit("", "weights of 2 to 8 bits");
  const spec::DspEngineSpec& de = d.dsp_engine;
  const spec::LutEngineSpec& le = d.lut_engine;
  const bool dsp = de.rows > 0 && de.cols > 0, lut = le.rows > 0 && le.cols > 0;
  if (!dsp && !lut) return misfit("dsp_engine.rows", "at least one engine with rows and cols");
  if (dsp && lut && de.cols != le.cols) {
    return misfit("lut_engine.cols", "the DSP engine's cols (" + std::to_string(de.cols) +
                                         "): both engines take the one broadcast input vector");
  }
  const int cols = dsp ? de.cols : le.cols;
  if (cols > d.tile.in_channels) {
    return misfit(dsp ? "dsp_engine.cols" : "lut_engine.cols",
                  "at most tile.in_channels (" + std::to_string(d.tile.in_channels) +
                      ") columns: an input word holds a channel group of the arrays");
  }
  if (d.ratio.fixed > 0 && !dsp) {
    return misfit("ratio", "no fixed-point filters without a DSP engine");
  }
  if (d.ratio.sp2 > 0 && !lut) return misfit("ratio", "no SP2 filters without a LUT engine");
  if (dsp && de.macs_per_dsp != 1 && de.macs_per_dsp != 2) {
    return misfit("dsp_engine.macs_per_dsp", "1 or 2 products per DSP");
  }
  if (dsp && de.macs_per_dsp == 2) {
    if (de.rows % 2 != 0) {
      return misfit("dsp_engine.rows",
                    "an even row count with macs_per_dsp 2 (a DSP computes two rows' products)");
    }
    // The packed weight and a row's sum over the columns share one DSP48 (A port 25 bits, P 48).
    const int tree = pe::FixedAccBits(weight_bits, act_bits, cols);
    const int a_port = spec::GeometryOf(d.device.dsp_kind).a_bits;
    if (weight_bits + tree > a_port || 2 * tree > 48) {
      return misfit("dsp_engine.macs_per_dsp",
                    "1: two products per DSP need weight bits + the row sum's " +
                        std::to_string(tree) + " bits <= " + std::to_string(a_port));
    }
  }
  if (std::max(dsp ? DspAccBits(weight_bits, act_bits, max_depth) : 0,
               lut ? LutAccBits(weight_bits, act_bits, max_depth) : 0) > 32) {
    return misfit("", "partial sums of at most 32 bits for the longest dot product (" +
                          std::to_string(max_depth) + ")");
  }
  if (d.tile.out_rows < 1 || d.tile.out_cols < 1 || d.tile.in_channels < 1 ||
      d.tile.out_channels < 1) {
    return misfit("tile", "positive tile sizes");
  }
  return {};
}

CoreParams SizingOf(const spec::DesignSpec& d, int act_bits, int weight_bits, long long max_depth) {
  CoreParams s;
  s.geo = GeometryOf(d);
  const CoreGeometry& g = s.geo;
  s.max_depth = max_depth;
  s.bram_latency = 1;
  s.double_buffered = d.buffers.double_buffered;
  const int halves = s.double_buffered ? 2 : 1;
  const double dsp_share = !g.lut   ? 1.0
                           : !g.dsp ? 0.0
                                    : static_cast<double>(g.dsp_rows) / (g.dsp_rows + g.lut_rows);
  s.in_depth = Words(d.buffers.input_kib * kBitsPerKib,
                     static_cast<long long>(g.tile_ic) * act_bits, halves);
  if (g.dsp) {
    s.dsp_weight_depth =
        Words(d.buffers.weight_kib * kBitsPerKib * dsp_share,
              static_cast<long long>(g.dsp_piece_rows) * g.cols * weight_bits, halves);
    s.dsp_out_depth = Words(
        d.buffers.output_kib * kBitsPerKib * dsp_share,
        static_cast<long long>(g.dsp_rows) * DspAccBits(weight_bits, act_bits, max_depth), halves);
  }
  if (g.lut) {
    s.lut_weight_depth =
        Words(d.buffers.weight_kib * kBitsPerKib * (1 - dsp_share),
              static_cast<long long>(g.lut_piece_rows) * g.cols * weight_bits, halves);
    s.lut_out_depth = Words(
        d.buffers.output_kib * kBitsPerKib * (1 - dsp_share),
        static_cast<long long>(g.lut_rows) * LutAccBits(weight_bits, act_bits, max_depth), halves);
  }
  return s;
}

CoreParams SizingOf(const spec::DesignSpec& d, const spec::NetworkSpec& network) {
  int act_bits = network.act_bits, weight_bits = network.weight_bits;
  long long depth = 1;
  for (const spec::Layer& l : network.layers) {
    act_bits = std::max(act_bits, l.act_bits);
    if (!l.HasWeights()) continue;
    weight_bits = std::max(weight_bits, l.weight_bits);
    depth = std::max<long long>(depth, l.AccumulationDepth());
  }
  const DesignMisfit misfit = TemplateMisfit(d, act_bits, weight_bits, depth);
  if (!misfit.Fits()) {
    throw spec::ConfigError(d.source, misfit.key.empty() ? "$" : misfit.key,
                            misfit.reason + " (network " + network.name + ")");
  }
  return SizingOf(d, act_bits, weight_bits, depth);
}

StepLayer StepLayerOf(const LayerRegs& r) {
  StepLayer l;
  l.in_c = r.in_c;
  l.kh = r.kh;
  l.kw = r.kw;
  l.sh = r.sh;
  l.sw = r.sw;
  l.acc_depth = r.acc_depth;
  return l;
}

StepDims StepDimsOf(const StepCmd& c) {
  StepDims s;
  s.out_rows = c.out_rows;
  s.out_cols = c.out_cols;
  s.in_chs = c.in_chs;
  s.dsp_n = c.dsp_n;
  s.lut_n = c.lut_n;
  return s;
}

std::string StepFits(const CoreParams& core, const LayerRegs& regs, const StepCmd& cmd) {
  const StepLayer l = StepLayerOf(regs);
  const StepDims s = StepDimsOf(cmd);
  return Misfit(l, s, core, CostOf(l, s, core));
}

namespace {

// The step of a layer with the most of everything under tile `t`: a full spatial tile, a full
// input chunk and a full filter step. Misfit is monotonic in each, so this step fitting means
// every step of the layer fits.
StepDims LargestStep(const LayerShape& l, const TilePlan& t, const CoreGeometry& g, double share) {
  StepDims s;
  s.out_rows = std::min(t.out_rows, l.out_height);
  s.out_cols = std::min(t.out_cols, l.out_width);
  s.in_chs = std::min(t.in_chs, l.ComputeChannels());
  const StepFilters f =
      l.depthwise ? SplitStep(s.in_chs, 1, g, share) : FiltersPerStep(t.ogs, g, share);
  s.dsp_n = f.dsp;
  s.lut_n = f.lut;
  return s;
}

}  // namespace

TilePlan TileFor(const LayerShape& shape, const spec::Layer& layer, const spec::DesignSpec& design,
                 const CoreParams& sizing) {
  const CoreGeometry& g = sizing.geo;
  const double share = design.ratio.FixedShare();
  TilePlan t;
  t.out_rows = std::min(design.tile.out_rows, shape.out_height);
  t.out_cols = std::min(design.tile.out_cols, shape.out_width);
  const int rows = (g.dsp ? g.dsp_rows : 0) + (g.lut ? g.lut_rows : 0);
  if (shape.depthwise) {
    // One channel group per step, each channel on a row of its engine.
    t.ogs = 1;
    const int per_step = FiltersPerStep(1, g, share).Total();
    t.in_chs = std::max(
        1, std::min({design.tile.in_channels, shape.in_channels, g.cols, per_step, g.tile_ic}));
  } else {
    // The fewest row groups that hold every filter in one step. Filters per step grow with the
    // row groups about linearly: start from the linear estimate and walk to the exact count.
    const auto holds = [&](int groups) {
      return FiltersPerStep(groups, g, share).Total() >= shape.out_channels;
    };
    int needed = static_cast<int>(std::max<std::int64_t>(
        1, CeilDiv(shape.out_channels, FiltersPerStep(1, g, share).Total())));
    while (!holds(needed)) ++needed;
    while (needed > 1 && holds(needed - 1)) --needed;
    t.ogs = std::clamp(design.tile.out_channels / std::max(1, rows), 1, needed);
    t.in_chs = shape.fold > 0 ? shape.ComputeChannels()
                              : std::min({design.tile.in_channels, shape.in_channels, g.tile_ic});
  }
  const StepLayer l = shape.Compute();
  const auto halve = [](int& v) { v = (v + 1) / 2; };
  const auto halve_spatial = [&]() {
    if (t.out_rows == 1 && t.out_cols == 1) return false;
    halve(t.out_rows >= t.out_cols ? t.out_rows : t.out_cols);
    return true;
  };
  while (true) {
    const StepDims s = LargestStep(shape, t, g, share);
    const StepCost c = CostOf(l, s, sizing);
    const std::string why = Misfit(l, s, sizing, c);
    if (why.empty()) break;
    bool shrunk = false;
    if (c.win_words > sizing.in_depth) {
      shrunk = halve_spatial();
    } else if (c.dsp_ogs * c.groups * c.taps * g.DspPieces() > sizing.dsp_weight_depth ||
               c.lut_ogs * c.groups * c.taps * g.LutPieces() > sizing.lut_weight_depth) {
      if (t.ogs > 1) {
        halve(t.ogs);
        shrunk = true;
      } else if (t.in_chs > 1 && shape.fold == 0) {
        halve(t.in_chs);
        shrunk = true;
      }
    } else if (c.dsp_words > sizing.dsp_out_depth || c.lut_words > sizing.lut_out_depth) {
      if (t.ogs > 1) {
        halve(t.ogs);
        shrunk = true;
      } else {
        shrunk = halve_spatial();
      }
    }
    if (!shrunk) {
      throw spec::ConfigError(
          design.source, "layer '" + layer.name + "'",
          "buffers that hold at least the smallest tile of this layer, but " + why);
    }
  }
  return t;
}

}  // namespace msqx::accel
