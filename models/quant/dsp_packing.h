#pragma once
// Two fixed-point MACs in one DSP multiply (macs_per_dsp = 2). Two weights w1, w2 of two output
// channels share one unsigned activation a: the pre-adder forms P = w1 * 2^k + w2 on the wide port
// (25 bits on DSP48E1, 27 on DSP48E2), the 18-bit port takes a, and the 48-bit accumulator sums
// P * a = (w1 * a) * 2^k + w2 * a over a dot product. The low field acc[k-1:0] read as signed is
// the second channel's sum S2; the high field acc[47:k] plus the low field's sign bit (the sign
// correction: a negative low field borrowed one from the high field) is the first channel's S1.
//
// Exactness over a dot product of depth N holds while both sums fit their fields:
//   S2 in [-2^(k-1), 2^(k-1) - 1]  and  S1 in [-2^(47-k), 2^(47-k) - 1].
// The accumulator may wrap modulo 2^48 without harm: both fields are read modulo their widths.
// With |w| <= 2^(wb-1) - 1 (symmetric fixed-point) and 0 <= a <= 2^ab - 1, a worst-case sum is
// N * (2^(wb-1) - 1) * (2^ab - 1); MaxExactDepth() is the largest N for which both bounds hold.

#include <cstdint>
#include <vector>

namespace msqx::quant {

enum class DspKind { kDsp48E1, kDsp48E2 };

struct DspGeometry {
  int wide_port_bits;    // signed multiplier input that carries the packed weights (A/D side)
  int narrow_port_bits;  // signed multiplier input that carries the activation (B side)
  int acc_bits;          // accumulator (P register)
};
// DSP48E1: 25 x 18, 48-bit accumulator; DSP48E2: 27 x 18, 48-bit accumulator (vendor).
DspGeometry GeometryOf(DspKind kind);

struct PackingConfig {
  DspKind dsp = DspKind::kDsp48E1;
  int weight_bits = 4;  // signed, symmetric range
  int act_bits = 4;     // unsigned
  int shift = 0;        // k: bit offset of the first channel's field (0 = choose BestShift)
};

// Largest |w * a| of one product: (2^(wb-1) - 1) * (2^ab - 1) (4 x 4 bits: 105).
std::int64_t MaxProductMagnitude(int weight_bits, int act_bits);

// Bits of a signed field that holds any sum of `depth` products (smallest f with
// depth * MaxProductMagnitude <= 2^(f-1) - 1). depth >= 1.
int FieldBits(std::int64_t depth, int weight_bits, int act_bits);
// Guard bits an accumulation of `depth` products needs beyond one product's field:
// FieldBits(depth) - FieldBits(1).
int GuardBits(std::int64_t depth, int weight_bits, int act_bits);

// True when the packed operand fits the wide port, the activation fits the narrow port and the
// low field holds at least one product; false otherwise (then MaxExactDepth is 0).
bool PackingFeasible(const PackingConfig& cfg);

// The largest dot-product depth computed exactly for every admissible operand, 0 if packing is
// infeasible. cfg.shift = 0 means BestShift.
std::int64_t MaxExactDepth(const PackingConfig& cfg);

// The shift k that maximises MaxExactDepth for this DSP and these widths (ties: the smaller k);
// 0 if no k is feasible. DSP48E1 4x4: 21 (depth 9986); DSP48E2 4x4: 23 (depth 39945).
int BestShift(DspKind dsp, int weight_bits, int act_bits);

// The packed wide-port operand w1 * 2^k + w2.
std::int64_t PackWeights(std::int64_t w1, std::int64_t w2, int shift);

// One accumulator step as the DSP does it: (acc + packed * act) modulo 2^acc_bits, kept as a
// sign-extended int64.
std::int64_t DspMacStep(std::int64_t acc, std::int64_t packed, std::int64_t act, int acc_bits);

struct UnpackedPair {
  std::int64_t first;   // high field: channel of w1
  std::int64_t second;  // low field: channel of w2
};
// Splits an accumulator value into the two sign-corrected fields, bit by bit as the hardware does
// (low = signed acc[k-1:0]; high = signed acc[acc_bits-1:k] + acc[k-1]).
UnpackedPair UnpackAccumulator(std::int64_t acc, int shift, int acc_bits);

// A packed dot product of two weight rows with one activation row, run through DspMacStep and
// UnpackAccumulator. Exact (equal to the two separate dot products) whenever
// acts.size() <= MaxExactDepth(cfg); beyond that it returns what the hardware would. Weights
// outside the symmetric range or activations outside [0, 2^act_bits - 1] throw
// std::invalid_argument.
UnpackedPair PackedDotProduct(const std::vector<std::int64_t>& w1,
                              const std::vector<std::int64_t>& w2,
                              const std::vector<std::int64_t>& acts, const PackingConfig& cfg);

}  // namespace msqx::quant
