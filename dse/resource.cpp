#include "dse/resource.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

#include "dse/resource_bram.h"
#include "models/accel/vector_timing.h"
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

// A buffer of `bits` capacity read `width` bits per cycle, doubled in depth when double-buffered
// (the half is the address MSB, as in the pin-level core). URAM where it is no more wasteful.
ResourceUse Buffer(std::int64_t bits, int width, int halves, bool uram_ok) {
  ResourceUse u;
  if (bits <= 0 || width <= 0) return u;
  const std::int64_t depth = CeilDiv(bits, width) * halves;
  const std::int64_t b18 = CachedBram18(width, depth);
  const std::int64_t ur = uram_ok ? UramCount(width, depth) : 0;
  if (uram_ok && ur * kBram18PerUramBits <= b18) {
    u.uram = ur;
  } else {
    u.bram18 = b18;
  }
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
  return w;
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
  const int depth_bits = CeilLog2(widths.max_depth);
  const int m1 = widths.sp2_m1 > 0 ? widths.sp2_m1 : w / 2;
  const int m2 = w - 1 - m1;
  const int k = (1 << m1) - 1;  // SP2: largest shift; the largest magnitude is 2^K

  const spec::DspEngineSpec& de = design.dsp_engine;
  const spec::LutEngineSpec& le = design.lut_engine;
  const bool dsp_on = de.Lanes() > 0, lut_on = le.Lanes() > 0;
  const int dsp_prod = w + a;      // signed m-bit weight x unsigned a-bit activation
  const int lut_prod = a + k + 1;  // +-(a << s1) + (a << s2), at most a x 2^K, with sign
  est.dsp_acc_bits = dsp_prod + depth_bits;
  est.lut_acc_bits = lut_prod + depth_bits;

  // DSP engine: the multipliers are DSP48s (A/B/M/P registers inside); the fabric holds the
  // packing correction, one adder tree over the columns per row and one accumulator per row.
  if (dsp_on) {
    ResourceUse& u = comp[static_cast<int>(Component::kDspEngine)];
    u.dsp = CeilDiv(de.Lanes(), de.macs_per_dsp);
    if (de.macs_per_dsp > 1) {
      // Each packed DSP's product is split into fields; every field but the lowest adds back
      // the borrow of the field below it (one adder of a product's width), all registered.
      const std::int64_t packed = de.Lanes() / de.macs_per_dsp;
      u.lut += Round(static_cast<double>(packed) * (de.macs_per_dsp - 1) * dsp_prod *
                     coef.packing_lut_per_bit);
      u.ff += packed * de.macs_per_dsp * dsp_prod;
    }
    const ResourceUse tree = AdderTreeCost(de.cols, dsp_prod, coef.adder_lut_per_bit);
    u.lut += tree.lut * de.rows;
    u.ff += tree.ff * de.rows;
    u.lut += Round(de.rows * est.dsp_acc_bits * coef.accumulator_lut_per_bit);
    u.ff += std::int64_t{de.rows} * est.dsp_acc_bits;
  }

  // LUT engine: per lane a shifter per SP2 term, the adder of the two terms, the conditional
  // negation and the product register; the weight code is registered per lane, the activation
  // once per column; then an adder tree per row and an accumulator per row.
  if (lut_on) {
    ResourceUse& u = comp[static_cast<int>(Component::kLutEngine)];
    const int term_bits = a + k - 1;  // a shifted by at most K - 1
    double lane_lut = static_cast<double>(term_bits) * (MuxLutsPerBit(m1) + MuxLutsPerBit(m2));
    if (m2 > 0) lane_lut += term_bits * coef.adder_lut_per_bit;
    lane_lut += lut_prod * coef.sp2_negate_lut_per_bit;
    u.lut = Round(lane_lut * le.Lanes());
    u.ff = std::int64_t{le.Lanes()} * (lut_prod + w) + std::int64_t{le.cols} * a;
    const ResourceUse tree = AdderTreeCost(le.cols, lut_prod, coef.adder_lut_per_bit);
    u.lut += tree.lut * le.rows;
    u.ff += tree.ff * le.rows;
    u.lut += Round(le.rows * est.lut_acc_bits * coef.accumulator_lut_per_bit);
    u.ff += std::int64_t{le.rows} * est.lut_acc_bits;
  }

  // Buffers. Capacities are per tile; the weight and output capacities are split between the
  // engines by the fixed:SP2 share. Each engine reads its own word per cycle: cols activations
  // from its input replica, rows x cols weights, rows partial sums. BramCostOf tiles a wide word
  // as columns side by side, which is the banking.
  const spec::BufferSpec& bs = design.buffers;
  const int halves = bs.double_buffered ? 2 : 1;
  const bool uram_ok = coef.use_uram && design.device.uram > 0;
  double fixed = design.ratio.FixedShare();
  if (!std::isfinite(fixed)) fixed = 0.5;
  if (!lut_on) fixed = 1;
  if (!dsp_on) fixed = 0;
  const std::int64_t kib_bits = 1024 * 8;
  const std::int64_t in_bits = bs.input_kib * kib_bits, w_bits = bs.weight_kib * kib_bits,
                     o_bits = bs.output_kib * kib_bits;
  ResourceUse& in = comp[static_cast<int>(Component::kInputBuffer)];
  if (dsp_on) in += Buffer(in_bits, de.cols * a, halves, uram_ok);
  if (lut_on) in += Buffer(in_bits, le.cols * a, halves, uram_ok);
  if (dsp_on) {
    comp[static_cast<int>(Component::kDspWeightBuffer)] =
        Buffer(Round(w_bits * fixed), de.Lanes() * w, halves, uram_ok);
    comp[static_cast<int>(Component::kDspOutputBuffer)] =
        Buffer(Round(o_bits * fixed), de.rows * est.dsp_acc_bits, halves, uram_ok);
  }
  if (lut_on) {
    comp[static_cast<int>(Component::kLutWeightBuffer)] =
        Buffer(Round(w_bits * (1 - fixed)), le.Lanes() * w, halves, uram_ok);
    comp[static_cast<int>(Component::kLutOutputBuffer)] =
        Buffer(Round(o_bits * (1 - fixed)), le.rows * est.lut_acc_bits, halves, uram_ok);
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
    u.lut = coef.controller_lut;
    u.ff = coef.controller_ff;
  }

  // Post-processing, per vector lane: requantize (accumulator x 16-bit multiplier, rounding right
  // shift, clamp to act_bits with ReLU), a max comparator for pooling and an adder for residuals.
  if (design.post.vector_lanes > 0) {
    ResourceUse& u = comp[static_cast<int>(Component::kPost)];
    const int acc = std::max(dsp_on ? est.dsp_acc_bits : 0, lut_on ? est.lut_acc_bits : 0);
    const int acc_in = std::max(acc, a + 1);
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
