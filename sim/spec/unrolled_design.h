#pragma once
// A design of the second kind msqx serves (issue 8, docs/unrolled.md): a network unrolled into
// constant multipliers and adder trees, every weight and activation with its own fixed-point
// precision (HGQ), as hls4ml's io_parallel / Latency strategy builds it. Its JSON says
// "kind": "unrolled"; the accelerator-template designs (design.h) say "template" or nothing.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/spec/device.h"
#include "sim/spec/json_reader.h"

namespace msqx::spec {

class ConfigResolver;

// Where the weights and their precision come from: a folder of trained weights with per-element
// precision (HGQ's export, docs/unrolled.md), or the seeded synthetic ones of
// models/unrolled/synthetic_hgq.h. The precision is either theirs (one type per weight and
// activation) or uniform: every weight `weight_bits` wide (sign included, integer bits from the
// layer's largest weight), every activation `act_bits` wide.
struct UnrolledPrecisionSpec {
  bool per_weight = true;
  std::uint64_t seed = 1;
  // A folder of trained weights and their precision (dse/unrolled_weights.h), resolved against
  // the design file; empty: the seeded synthetic weights.
  std::string weights_dir;
  int weight_bits = 8;
  int act_bits = 8;
};

struct UnrolledDesignSpec {
  std::string name;
  std::string source;
  std::string network;  // the network it unrolls (optional; commands take --network too)
  DeviceSpec device;
  double clock_mhz = 200;
  int reuse_factor = 1;  // one multiplier serves this many products; initiation interval
  int dsp_min_bits =
      10;  // a constant multiplier with > 2 CSD digits and a product this wide goes to a DSP
  UnrolledPrecisionSpec precision;
  // "per-weight" or "uniform W/A", for reports and sweep tables.
  std::string PrecisionLabel() const;
};

// A sweep over unrolled designs (docs/unrolled.md): every reuse factor with the per-weight
// precision and with each uniform weight width, so that uniform and per-weight designs can be
// compared at equal weight SQNR. The base design gives the device, clock, seed and DSP threshold.
struct UnrolledSweepSpec {
  std::string name;
  std::string source;
  std::string network;
  UnrolledDesignSpec base;
  std::vector<int> reuse_factors;
  std::vector<int> dsp_min_bits;  // optional axis; default: the base design's
  std::vector<int> uniform_weight_bits;
  int uniform_act_bits = 8;
};

// Whether a design document is an unrolled one ("kind": "unrolled").
bool IsUnrolledDesign(const Node& root);
UnrolledDesignSpec ParseUnrolledDesign(const Node& root, const ConfigResolver& resolver);
nlohmann::json UnrolledDesignToJson(const UnrolledDesignSpec& design);
UnrolledSweepSpec ParseUnrolledSweep(const Node& root, const ConfigResolver& resolver);

}  // namespace msqx::spec
