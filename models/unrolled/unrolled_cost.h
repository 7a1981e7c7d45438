#pragma once
// Resources and timing of one fully unrolled dense layer (hls4ml io_parallel, Latency strategy):
// every weight a constant multiplier, an adder tree per output, and a reuse factor RF that lets
// one multiplier serve RF products at initiation interval RF. Products enter their output's tree
// aligned to its binary point (alignment.h), which widens the adders but not the multipliers.
// The model and where each coefficient comes from are in docs/unrolled.md; the comments here say
// what is counted.
// The pin-level model (dense_pin.h) is built to this stage arithmetic, so its measured latency
// and II are these.

#include <cstdint>
#include <string>

#include "models/unrolled/output_stage.h"
#include "models/unrolled/precision.h"

namespace msqx::unrolled {

struct UnrolledParams {
  int reuse_factor = 1;
  // A constant multiplier goes to a DSP when its CSD has more than 2 non-zero digits (with at most
  // 2 it is one shift-add, DOMAIN.md section 4) and its product is at least this wide. 10 is a
  // knob, not a measurement: HLS tools keep products narrower than about 10 bits in fabric.
  int dsp_min_bits = 10;
  // Register stages of a DSP48 multiplier at full speed: A/B input, M and P registers
  // (UG479 / UG579).
  int dsp_stages = 3;
};

struct UnrolledCost {
  std::int64_t products = 0;     // live multiplications: weight code != 0, activation unpruned
  std::int64_t multipliers = 0;  // physical: products at RF 1, ceil(products / RF) above
  std::int64_t dsp_multipliers = 0;
  std::int64_t multiplier_adders = 0;  // adders inside LUT multipliers
  std::int64_t tree_adders = 0;        // two-input adders of the per-output adder trees
  std::int64_t bias_terms = 0;         // outputs whose tree has a (non-zero) bias term
  std::int64_t lut = 0;
  std::int64_t ff = 0;
  std::int64_t dsp = 0;
  int multiplier_stages = 0;    // slowest multiplier, in register stages
  int tree_depth = 0;           // deepest adder tree, in levels
  int pipeline_depth = 0;       // multiplier_stages + tree_depth + 1 output register
  int latency_cycles = 0;       // pipeline_depth + RF - 1: the last product starts at RF-1
  int initiation_interval = 1;  // RF
};

// `stage`: the ReLU and requantization the output register applies (output_stage.h); the
// default, none, leaves the exact sums. They cost LUTs and change the output register's width,
// not the pipeline depth: the output register computes them.
// Throws std::invalid_argument unless activations has layer.in_features elements,
// reuse_factor >= 1, dsp_min_bits >= 1 and a requantizing stage has out_features types.
UnrolledCost DenseUnrolledCost(const QuantizedDense& layer, const PrecisionTensor& activations,
                               const UnrolledParams& params = {}, const OutputStage& stage = {});

// HGQ's authors report EBOPs ~= LUT + 55 * DSP after place and route for RF 1 designs. A printed
// comparison ("EBOPs 812 vs LUT + 55*DSP = 760 (ratio 1.07)"), not a claim this model meets it.
std::string CompareWithEbops(std::int64_t ebops, const UnrolledCost& cost);

}  // namespace msqx::unrolled
