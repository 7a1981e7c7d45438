#include "dse/resource.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

#include "dse/resource_bram.h"
#include "models/accel/core_sizing.h"
#include "models/accel/vector_timing.h"
#include "models/pe/arithmetic.h"
#include "models/spec/config_error.h"
#include "models/util/int_math.h"

namespace msqx::dse {
namespace {

std::int64_t Round(double x) { return static_cast<std::int64_t>(std::ceil(x - 1e-9)); }

// A multiplexer of 2^sel_bits choices per output bit: a LUT6 is a 4:1 mux, wider ones add LUTs
// joined by MUXF7/MUXF8. One select bit (a term present or not) folds into the adder's LUT.
int MuxLutsPerBit(int sel_bits) {
  if (sel_bits <= 1) return 0;
  return static_cast<int>(CeilDiv(std::int64_t{1} << sel_bits, 4));
}

// Pipelined binary adder tree of n signed b-bit inputs: an adder of two b-bit inputs costs b LUTs
// on the carry chain (its b + 1-bit output's top bit comes with the chain; Yosys agrees exactly,
// docs/resources.md), outputs grow one bit per level and every level is registered, including an
// odd input that waits for the next level.
}  // namespace

ResourceUse AdderTreeCost(std::int64_t n, int b, double lut_per_bit) {
  ResourceUse u;
  double lut = 0;
  while (n > 1) {
    const std::int64_t pairs = n / 2, odd = n % 2;
    lut += static_cast<double>(pairs) * b * lut_per_bit;
    u.ff += pairs * (b + 1) + odd * b;
    n = pairs + odd;
    ++b;
  }
  u.lut = Round(lut);
  return u;
}

namespace {

void CheckWidths(const spec::DesignSpec& design, const BitWidths& w) {
  const auto bad = [&](const char* key, const std::string& why) {
    throw spec::ConfigError(design.source, key, why);
  };
  if (w.weight_bits < 2 || w.weight_bits > 16) bad("weight_bits", "must be 2..16 bits");
  if (w.act_bits < 1 || w.act_bits > 32) bad("act_bits", "must be 1..32 bits");
  if (w.max_depth < 1) bad("max_depth", "accumulation depth must be at least 1");
  const int m1 = w.sp2_m1 > 0 ? w.sp2_m1 : w.weight_bits / 2;
  const int m2 = w.weight_bits - 1 - m1;
  if (m1 < 1 || m2 < 0 || m2 > m1 || m1 > 5) {
    bad("sp2_m1", "SP2 split needs 0 <= m2 <= m1 <= 5 with m1 + m2 = weight_bits - 1");
  }
  const auto nonneg = [&](int v, const char* key) {
    if (v < 0) bad(key, "must not be negative");
  };
  nonneg(design.dsp_engine.rows, "dsp_engine.rows");
  nonneg(design.dsp_engine.cols, "dsp_engine.cols");
  nonneg(design.lut_engine.rows, "lut_engine.rows");
  nonneg(design.lut_engine.cols, "lut_engine.cols");
  nonneg(design.buffers.input_kib, "buffers.input_kib");
  nonneg(design.buffers.weight_kib, "buffers.weight_kib");
  nonneg(design.buffers.output_kib, "buffers.output_kib");
  nonneg(design.dma.axi_ports, "dma.axi_ports");
  nonneg(design.post.vector_lanes, "post.vector_lanes");
  if (design.dsp_engine.macs_per_dsp < 1) bad("dsp_engine.macs_per_dsp", "must be at least 1");
}

// `banks` BRAM sets of `width` x `depth` words each. URAM where it is no more wasteful.
ResourceUse Buffer(std::int64_t width, std::int64_t depth, int banks, bool uram_ok) {
  ResourceUse u;
  if (depth <= 0 || width <= 0) return u;
  const std::int64_t b18 = CachedBram18(static_cast<int>(width), depth) * banks;
  const std::int64_t ur = uram_ok ? UramCount(static_cast<int>(width), depth) * banks : 0;
  if (uram_ok && ur * kBram18PerUramBits <= b18) {
    u.uram = ur;
  } else {
    u.bram18 = b18;
  }
  return u;
}

// Requantization of one partial sum: (acc x 16-bit multiplier + round) >> shift, clamped to the
// activation range (the ReLU at 0): a DSP multiply (or an array multiplier in LUTs), a barrel
// shift, the rounding add and the clamp.
ResourceUse RequantizerCost(int acc, int a, const spec::DeviceSpec& device,
                            const ResourceCoefficients& coef) {
  constexpr int kMultBits = 16;
  const int prod = acc + kMultBits;
  ResourceUse u;
  if (coef.post_uses_dsp) {
    u.dsp = CeilDiv(acc, spec::GeometryOf(device.dsp_kind).a_bits);
  } else {
    u.lut += std::int64_t{acc} * kMultBits;
  }
  u.lut += std::int64_t{a + 2} * CeilDiv(CeilLog2(prod), 2) + CeilDiv(prod, 5) + (a + 1) + a;
  u.ff += prod;
  return u;
}

}  // namespace

const char* ToString(Component c) {
  switch (c) {
    case Component::kDspEngine:
      return "dsp_engine";
    case Component::kLutEngine:
      return "lut_engine";
    case Component::kInputBuffer:
      return "input_buffer";
    case Component::kDspWeightBuffer:
      return "dsp_weight_buffer";
    case Component::kLutWeightBuffer:
      return "lut_weight_buffer";
    case Component::kDspOutputBuffer:
      return "dsp_output_buffer";
    case Component::kLutOutputBuffer:
      return "lut_output_buffer";
    case Component::kDma:
      return "dma";
    case Component::kController:
      return "controller";
    case Component::kPost:
      return "post";
  }
  return "?";
}

int Sp2ProductBits(int act_bits, int m1) { return act_bits + ((1 << m1) - 1) + 1; }

double Sp2LaneLuts(int w, int a, int m1, const ResourceCoefficients& coef) {
  const int m2 = w - 1 - m1;
  const int term_bits = a + ((1 << m1) - 1) - 1;  // a shifted by at most K - 1
  double lut = static_cast<double>(term_bits) * (MuxLutsPerBit(m1) + MuxLutsPerBit(m2));
  if (m2 > 0) lut += term_bits * coef.adder_lut_per_bit;
  return lut + Sp2ProductBits(a, m1) * coef.sp2_negate_lut_per_bit;
}

ResourceUse AccumulatorCost(int bits, const ResourceCoefficients& coef) {
  ResourceUse u;
  u.lut = Round(bits * coef.accumulator_lut_per_bit);
  u.ff = bits;
  return u;
}

ResourceUse& ResourceUse::operator+=(const ResourceUse& o) {
  lut += o.lut;
  ff += o.ff;
  dsp += o.dsp;
  bram18 += o.bram18;
  uram += o.uram;
  return *this;
}

BitWidths WidthsOf(const spec::NetworkSpec& network) {
  BitWidths w;
  w.weight_bits = network.weight_bits;
  w.act_bits = network.act_bits;
  for (const spec::Layer& l : network.layers) {
    w.act_bits = std::max(w.act_bits, l.act_bits);
    if (!l.HasWeights()) continue;
    w.weight_bits = std::max(w.weight_bits, l.weight_bits);
    w.max_depth = std::max(w.max_depth, l.AccumulationDepth());
  }
  w.depthwise = std::any_of(network.layers.begin(), network.layers.end(),
                            [](const spec::Layer& l) { return l.HasWeights() && l.IsDepthwise(); });
  return w;
}

ResourceUse CoreResources(const ResourceEstimate& estimate) {
  ResourceUse core;
  for (Component c :
       {Component::kDspEngine, Component::kLutEngine, Component::kInputBuffer,
        Component::kDspWeightBuffer, Component::kLutWeightBuffer, Component::kDspOutputBuffer,
        Component::kLutOutputBuffer, Component::kController}) {
    core += estimate[c];
  }
  return core;
}

Utilization UtilizationOf(const ResourceUse& use, const spec::DeviceSpec& device) {
  const auto frac = [](double used, double avail) {
    if (avail > 0) return used / avail;
    return used > 0 ? std::numeric_limits<double>::infinity() : 0.0;
  };
  return {frac(use.lut, device.lut), frac(use.ff, device.ff), frac(use.dsp, device.dsp),
          frac(use.Bram36(), device.bram36), frac(use.uram, device.uram)};
}

ResourceEstimate EstimateResources(const spec::DesignSpec& design, const BitWidths& widths,
                                   const ResourceCoefficients& coef) {
  CheckWidths(design, widths);
  ResourceEstimate est;
  auto& comp = est.components;
  const int w = widths.weight_bits, a = widths.act_bits;
  const int m1 = widths.sp2_m1 > 0 ? widths.sp2_m1 : w / 2;

  const spec::DspEngineSpec& de = design.dsp_engine;
  const spec::LutEngineSpec& le = design.lut_engine;
  const bool dsp_on = de.Lanes() > 0, lut_on = le.Lanes() > 0;

  // The instance the design builds (accel::SizingOf): the same word widths and depths the pin-level
  // core and the cycle fidelity use, so that the buffers charged are the buffers simulated.
  const accel::CoreParams core = accel::SizingOf(design, a, w, widths.max_depth, widths.depthwise);
  const accel::CoreGeometry& g = core.geo;
  const int halves = core.double_buffered ? 2 : 1;
  const int cols = g.cols;
  const int tree_d = pe::FixedAccBits(w, a, cols);  // a beat's row sum, fixed point
  est.dsp_acc_bits = accel::DspAccBits(w, a, widths.max_depth);
  est.lut_acc_bits = accel::LutAccBits(w, a, widths.max_depth);
  const int read_delay = core.Read();

  // Per engine, beside its array: the lanes' active and shadow weight registers, the row sums'
  // accumulation into the partial sums (an adder per row, the reads in flight and the writes they
  // missed, forwarded by a multiplexer), the store path (a requantizer per row, the words read
  // and not yet sent), and the depthwise mode (docs/design.md "Depthwise"): per row unit (a row,
  // a DSP when packed) a window of dw_k x dw_k activations in the lanes with a multiplexer
  // against the broadcast one, the window column the controller sends (a register per window row
  // and unit, chosen among the banks and the row groups' lanes of the word), and for a packed DSP
  // engine the store's choice of a channel's row (r or 2r).
  const int dw_area = g.dw_k * g.dw_k;
  const auto depthwise_periphery = [&](int units, int acc, int pack) {
    ResourceUse u;
    u.ff += std::int64_t{units} * dw_area * a;
    u.lut += Round(0.5 * units * dw_area * a);
    const int positions = g.in_banks * static_cast<int>(CeilDiv(g.tile_ic, units));
    u.lut += std::int64_t{g.dw_k} * units * a * MuxLutsPerBit(CeilLog2(positions));
    u.ff += std::int64_t{g.dw_k} * units * a;
    if (pack > 1) u.lut += Round(0.5 * (units * (pack - 1)) * acc);
    // The feed's first lane of a row group (group x units) is a constant multiply, a DSP48E1
    // in Yosys's netlist unless units is a power of two (fixed_only: 6 rows).
    if (g.dw_k > 1 && (units & (units - 1)) != 0) u.dsp += 1;
    return u;
  };
  const auto engine_periphery = [&](int rows, int piece_rows, int acc) {
    ResourceUse u;
    const int pieces = (rows + piece_rows - 1) / piece_rows;
    u.ff += std::int64_t{rows} * cols * w + std::int64_t{pieces} * piece_rows * cols * w;
    const ResourceUse adder = AccumulatorCost(acc, coef);
    u.lut += adder.lut * rows;
    u.ff += adder.ff * rows;
    u.lut += std::int64_t{rows} * acc * MuxLutsPerBit(CeilLog2(read_delay + 1) + 1);
    u.ff += std::int64_t{2 * read_delay} * rows * (acc + 1);  // reads in flight, missed writes
    const ResourceUse rq = RequantizerCost(acc, a, design.device, coef);
    u.lut += rq.lut * rows;
    u.ff += rq.ff * rows + std::int64_t{read_delay + 2} * rows * a;
    u.dsp += rq.dsp * rows;
    return u;
  };
  // An engine's component: its array's and its periphery's first-principles counts, each times
  // its fitted scale (the DSPs are counted, not scaled).
  const auto engine = [&](ResourceUse& u, const ResourceUse& array, double array_lut_scale,
                          double array_ff_scale, const ResourceUse& periphery) {
    u.lut = Round(array.lut * array_lut_scale) + Round(periphery.lut * coef.periphery_lut_scale);
    u.ff = Round(array.ff * array_ff_scale) + Round(periphery.ff * coef.periphery_ff_scale);
    u.dsp = array.dsp + periphery.dsp;
    est.raw.periphery += periphery;
    ++est.raw.engines;
  };

  // DSP engine: the multipliers are DSP48s (A/B/M registers inside); the fabric holds the packing
  // correction and one adder tree over the columns per row. Yosys maps a product narrower than
  // dsp_min_product_bits to LUTs, so an unpacked lane of narrow operands is a LUT multiplier.
  if (dsp_on) {
    ResourceUse& arr = est.raw.dsp_array;
    const int dsp_prod = w + a;  // signed m-bit weight x unsigned a-bit activation
    const bool in_dsp = de.macs_per_dsp > 1 || dsp_prod >= coef.dsp_min_product_bits;
    if (in_dsp) {
      arr.dsp = CeilDiv(de.Lanes(), de.macs_per_dsp);
    } else {
      arr.lut +=
          Round(static_cast<double>(de.Lanes()) * w * a * coef.lut_multiplier_lut_per_partial_bit);
      arr.ff += std::int64_t{de.Lanes()} * dsp_prod;
    }
    if (de.macs_per_dsp > 1) {
      // Each packed DSP's product is split into fields; every field but the lowest adds back
      // the borrow of the field below it (one adder of a field's width), all registered.
      const std::int64_t packed = de.Lanes() / de.macs_per_dsp;
      arr.lut += Round(static_cast<double>(packed) * (de.macs_per_dsp - 1) * tree_d *
                       coef.packing_lut_per_bit);
      arr.ff += packed * de.macs_per_dsp * dsp_prod;
    }
    const ResourceUse tree = AdderTreeCost(cols, dsp_prod, coef.adder_lut_per_bit);
    arr.lut += tree.lut * de.rows;
    arr.ff += tree.ff * de.rows + std::int64_t{cols} * a;
    ResourceUse periphery = engine_periphery(de.rows, g.dsp_piece_rows, est.dsp_acc_bits);
    periphery += depthwise_periphery(de.rows / de.macs_per_dsp, est.dsp_acc_bits, de.macs_per_dsp);
    // An array of LUT multipliers scales as the other fabric array does.
    engine(comp[static_cast<int>(Component::kDspEngine)], arr,
           in_dsp ? coef.dsp_array_lut_scale : coef.fabric_array_lut_scale,
           in_dsp ? coef.dsp_array_ff_scale : coef.fabric_array_ff_scale, periphery);
  }

  // LUT engine: per lane a shifter per SP2 term, the adder of the two terms, the conditional
  // negation and the product register; the activation once per column; an adder tree per row.
  if (lut_on) {
    ResourceUse& arr = est.raw.lut_array;
    const int lut_prod = Sp2ProductBits(a, m1);
    arr.lut = Round(Sp2LaneLuts(w, a, m1, coef) * le.Lanes());
    arr.ff = std::int64_t{le.Lanes()} * lut_prod + std::int64_t{cols} * a;
    const ResourceUse tree = AdderTreeCost(cols, lut_prod, coef.adder_lut_per_bit);
    arr.lut += tree.lut * le.rows;
    arr.ff += tree.ff * le.rows;
    ResourceUse periphery = engine_periphery(le.rows, g.lut_piece_rows, est.lut_acc_bits);
    periphery += depthwise_periphery(le.rows, est.lut_acc_bits, 1);
    engine(comp[static_cast<int>(Component::kLutEngine)], arr, coef.fabric_array_lut_scale,
           coef.fabric_array_ff_scale, periphery);
  }

  // Buffers, at the instance's words and depths: one input buffer both engines read (one word,
  // broadcast; in_banks banks, word w in bank w mod in_banks, so that a depthwise window column's
  // words are read in one cycle), per engine a weight buffer of pieces and two partial-sum banks
  // (one BRAM set each, so that the accumulation and the store never share a port). URAM where
  // no more wasteful. The input buffer's logic: the dense read's choice of a bank's word, and the
  // receiver's turn of a depthwise word's LUT channels to the top lanes (a barrel shifter of 4:1
  // multiplexer levels; the reversal is wiring).
  const bool uram_ok = coef.use_uram && design.device.uram > 0;
  {
    ResourceUse& u = comp[static_cast<int>(Component::kInputBuffer)];
    const std::int64_t width = std::int64_t{g.tile_ic} * a;
    u = Buffer(width, CeilDiv(std::int64_t{core.in_depth} * halves, g.in_banks), g.in_banks,
               uram_ok);
    if (core.in_depth > 0) {
      u.lut += width * MuxLutsPerBit(CeilLog2(g.in_banks));
      u.lut += width * CeilDiv(CeilLog2(g.tile_ic), 2);
    }
  }
  if (dsp_on) {
    comp[static_cast<int>(Component::kDspWeightBuffer)] =
        Buffer(std::int64_t{g.dsp_piece_rows} * cols * w,
               std::int64_t{core.dsp_weight_depth} * halves, 1, uram_ok);
    comp[static_cast<int>(Component::kDspOutputBuffer)] =
        Buffer(std::int64_t{de.rows} * est.dsp_acc_bits, core.dsp_out_depth, halves, uram_ok);
  }
  if (lut_on) {
    comp[static_cast<int>(Component::kLutWeightBuffer)] =
        Buffer(std::int64_t{g.lut_piece_rows} * cols * w,
               std::int64_t{core.lut_weight_depth} * halves, 1, uram_ok);
    comp[static_cast<int>(Component::kLutOutputBuffer)] =
        Buffer(std::int64_t{le.rows} * est.lut_acc_bits, core.lut_out_depth, halves, uram_ok);
  }

  // DMA: per AXI port a read and a write channel with their control, data registers of the port
  // width, outstanding-transaction tracking and a data FIFO per direction.
  {
    ResourceUse& u = comp[static_cast<int>(Component::kDma)];
    const int ports = design.dma.axi_ports, width = design.device.axi.width_bits;
    u.lut = std::int64_t{ports} * (coef.dma_lut_per_port_fixed + width);
    u.ff = std::int64_t{ports} *
           (coef.dma_ff_per_port_fixed + 2 * width + 2 * 8 * design.dma.max_outstanding);
    u.bram18 = std::int64_t{ports} * 2 * CachedBram18(width, coef.dma_fifo_depth);
  }
  {
    ResourceUse& u = comp[static_cast<int>(Component::kController)];
    est.raw.double_buffered = core.double_buffered;
    const int db = core.double_buffered ? 1 : 0;
    u.lut = coef.controller_lut + coef.controller_lut_double_buffered * db;
    u.ff = coef.controller_ff + coef.controller_ff_double_buffered * db;
    u.dsp = coef.controller_dsp;
  }

  // Post-processing, per vector lane (pooling, residual adds, unfused activations; the engines'
  // outputs are requantized on their store paths): the scale of an average (a pooling sum of up
  // to 256 values x 16-bit multiplier, rounding right shift, clamp), a max comparator for pooling
  // and an adder for residuals.
  if (design.post.vector_lanes > 0) {
    ResourceUse& u = comp[static_cast<int>(Component::kPost)];
    const int acc_in = a + 8;
    constexpr int kMultBits = 16;
    const int prod = acc_in + kMultBits;
    const spec::DspGeometry g = spec::GeometryOf(design.device.dsp_kind);
    std::int64_t lane_lut = 0;
    if (coef.post_uses_dsp) {
      u.dsp = std::int64_t{design.post.vector_lanes} * CeilDiv(acc_in, g.a_bits);
    } else {
      lane_lut += std::int64_t{acc_in} * kMultBits;  // array multiplier: a LUT per partial bit
    }
    lane_lut += std::int64_t{a + 2} * CeilDiv(CeilLog2(prod), 2);  // 4:1 mux per shift level
    lane_lut += CeilDiv(prod, 5);                                  // overflow detection
    lane_lut += (a + 1) + a;          // rounding add, clamp/ReLU select
    lane_lut += a + a + (a + 1) + a;  // pooling compare + select, residual add + clamp
    // Sigmoid, hard-swish and SiLU: a function table per lane in distributed RAM that the host
    // rewrites per layer (accel::FunctionTableEntries: every code up to 8 bits, else 64
    // piecewise-linear segments of slope and offset evaluated by the requantization multiplier);
    // a RAM64X1 LUT per bit and 64 entries, a mux beyond 64, an output register.
    const std::int64_t entries = accel::FunctionTableEntries(a);
    const int table_bits = a <= 8 ? a : 2 * a;
    lane_lut += std::int64_t{table_bits} *
                (CeilDiv(entries, 64) + MuxLutsPerBit(CeilLog2(CeilDiv(entries, 64))));
    u.lut = lane_lut * design.post.vector_lanes;
    u.ff = std::int64_t{design.post.vector_lanes} * (prod + 4 * a + a);
  }

  for (const ResourceUse& c : comp) est.total += c;
  est.utilization = UtilizationOf(est.total, design.device);
  return est;
}

ResourceEstimate EstimateResources(const spec::DesignSpec& design, const spec::NetworkSpec& network,
                                   const ResourceCoefficients& coef) {
  return EstimateResources(design, WidthsOf(network), coef);
}

Feasibility CheckFeasible(const ResourceEstimate& estimate, const spec::DeviceSpec& device,
                          const spec::UtilizationLimits& limits) {
  struct Row {
    const char* name;
    double used, avail, limit;
  };
  const ResourceUse& t = estimate.total;
  const Row rows[] = {
      {"lut", static_cast<double>(t.lut), static_cast<double>(device.lut), limits.lut},
      {"ff", static_cast<double>(t.ff), static_cast<double>(device.ff), limits.ff},
      {"dsp", static_cast<double>(t.dsp), static_cast<double>(device.dsp), limits.dsp},
      {"bram36", t.Bram36(), static_cast<double>(device.bram36), limits.bram36},
      {"uram", static_cast<double>(t.uram), static_cast<double>(device.uram), limits.uram},
  };
  Feasibility f;
  double worst = 0;
  for (const Row& r : rows) {
    const double cap = r.limit * r.avail;
    if (r.used <= cap + 1e-9) continue;
    ++f.over_count;
    const double ratio = cap > 0 ? r.used / cap : std::numeric_limits<double>::infinity();
    if (f.feasible || ratio > worst) {
      f.feasible = false;
      worst = ratio;
      f.resource = r.name;
      f.used = r.used;
      f.limit = cap;
      f.excess = r.used - cap;
    }
  }
  return f;
}

std::string Feasibility::Message() const {
  if (feasible) return "fits";
  char buf[200];
  std::snprintf(buf, sizeof buf, "%s: %g used > limit %g, over by %g%s", resource, used, limit,
                excess, over_count > 1 ? " (and other resources over their limits)" : "");
  return buf;
}

nlohmann::json ResourcesToJson(const ResourceEstimate& estimate, const spec::DeviceSpec& device) {
  const auto use = [](const ResourceUse& u) {
    return nlohmann::json{{"lut", u.lut},       {"ff", u.ff},           {"dsp", u.dsp},
                          {"bram18", u.bram18}, {"bram36", u.Bram36()}, {"uram", u.uram}};
  };
  nlohmann::json comps = nlohmann::json::array();
  for (int i = 0; i < kComponentCount; ++i) {
    nlohmann::json c = use(estimate.components[i]);
    c["name"] = ToString(static_cast<Component>(i));
    comps.push_back(std::move(c));
  }
  const Utilization& ut = estimate.utilization;
  return {
      {"components", comps},
      {"total", use(estimate.total)},
      {"device",
       {{"name", device.name},
        {"lut", device.lut},
        {"ff", device.ff},
        {"dsp", device.dsp},
        {"bram36", device.bram36},
        {"uram", device.uram}}},
      {"utilization",
       {{"lut", ut.lut}, {"ff", ut.ff}, {"dsp", ut.dsp}, {"bram36", ut.bram36}, {"uram", ut.uram}}},
      {"widths",
       {{"dsp_acc_bits", estimate.dsp_acc_bits}, {"lut_acc_bits", estimate.lut_acc_bits}}}};
}

std::string ResourcesCsv(const ResourceEstimate& estimate) {
  std::ostringstream os;
  os << "name,lut,ff,dsp,bram18,bram36,uram\n";
  const auto row = [&os](const char* name, const ResourceUse& u) {
    os << name << ',' << u.lut << ',' << u.ff << ',' << u.dsp << ',' << u.bram18 << ','
       << u.Bram36() << ',' << u.uram << '\n';
  };
  for (int i = 0; i < kComponentCount; ++i) {
    row(ToString(static_cast<Component>(i)), estimate.components[i]);
  }
  row("total", estimate.total);
  return os.str();
}

}  // namespace msqx::dse
