#include "models/quant/dsp_packing.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "models/quant/fixed_point.h"

namespace msqx::quant {

DspGeometry GeometryOf(DspKind kind) {
  return kind == DspKind::kDsp48E1 ? DspGeometry{25, 18, 48} : DspGeometry{27, 18, 48};
}

namespace {

void CheckWidths(int weight_bits, int act_bits) {
  if (weight_bits < 2 || weight_bits > 16 || act_bits < 1 || act_bits > 16) {
    throw std::invalid_argument("packing needs 2..16 weight bits and 1..16 activation bits, got " +
                                std::to_string(weight_bits) + " and " + std::to_string(act_bits));
  }
}

// Largest value of a signed field of `bits` bits: 2^(bits-1) - 1.
std::int64_t SignedMax(int bits) { return (std::int64_t{1} << (bits - 1)) - 1; }

// Sign-extends the low `bits` bits of v.
std::int64_t SignExtend(std::uint64_t v, int bits) {
  const std::uint64_t mask = bits >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits) - 1;
  const std::uint64_t field = v & mask;
  const std::uint64_t sign = std::uint64_t{1} << (bits - 1);
  return static_cast<std::int64_t>(field ^ sign) - static_cast<std::int64_t>(sign);
}

}  // namespace

std::int64_t MaxProductMagnitude(int weight_bits, int act_bits) {
  CheckWidths(weight_bits, act_bits);
  return FixedMaxInteger(weight_bits) * ((std::int64_t{1} << act_bits) - 1);
}

int FieldBits(std::int64_t depth, int weight_bits, int act_bits) {
  if (depth < 1) throw std::invalid_argument("accumulation depth must be at least 1");
  const std::int64_t pmax = MaxProductMagnitude(weight_bits, act_bits);
  int bits = 2;
  // depth * pmax <= 2^(bits-1) - 1, written as a division so it cannot overflow.
  while (bits < 63 && depth > SignedMax(bits) / pmax) ++bits;
  return bits;
}

int GuardBits(std::int64_t depth, int weight_bits, int act_bits) {
  return FieldBits(depth, weight_bits, act_bits) - FieldBits(1, weight_bits, act_bits);
}

bool PackingFeasible(const PackingConfig& cfg) {
  CheckWidths(cfg.weight_bits, cfg.act_bits);
  const DspGeometry g = GeometryOf(cfg.dsp);
  const int k = cfg.shift;
  const int one = FieldBits(1, cfg.weight_bits, cfg.act_bits);
  if (k < one || g.acc_bits - k < one) return false;
  if (cfg.act_bits > g.narrow_port_bits - 1) return false;  // unsigned act in a signed port
  const std::int64_t wmax = FixedMaxInteger(cfg.weight_bits);
  if (k >= g.wide_port_bits) return false;
  return wmax * (std::int64_t{1} << k) + wmax <= SignedMax(g.wide_port_bits);
}

std::int64_t MaxExactDepth(const PackingConfig& cfg) {
  PackingConfig c = cfg;
  if (c.shift == 0) c.shift = BestShift(c.dsp, c.weight_bits, c.act_bits);
  if (c.shift == 0 || !PackingFeasible(c)) return 0;
  const std::int64_t pmax = MaxProductMagnitude(c.weight_bits, c.act_bits);
  const int acc = GeometryOf(c.dsp).acc_bits;
  const std::int64_t low = SignedMax(c.shift) / pmax;
  const std::int64_t high = SignedMax(acc - c.shift) / pmax;
  return std::min(low, high);
}

int BestShift(DspKind dsp, int weight_bits, int act_bits) {
  int best = 0;
  std::int64_t best_depth = 0;
  for (int k = 1; k < GeometryOf(dsp).acc_bits; ++k) {
    const PackingConfig c{dsp, weight_bits, act_bits, k};
    if (!PackingFeasible(c)) continue;
    const std::int64_t depth = MaxExactDepth(c);
    if (depth > best_depth) {
      best = k;
      best_depth = depth;
    }
  }
  return best;
}

std::int64_t PackWeights(std::int64_t w1, std::int64_t w2, int shift) {
  return w1 * (std::int64_t{1} << shift) +
         w2;  // multiply: left-shifting a negative is not portable
}

std::int64_t DspMacStep(std::int64_t acc, std::int64_t packed, std::int64_t act, int acc_bits) {
  const std::uint64_t sum = static_cast<std::uint64_t>(acc) +
                            static_cast<std::uint64_t>(packed) * static_cast<std::uint64_t>(act);
  return SignExtend(sum, acc_bits);
}

UnpackedPair UnpackAccumulator(std::int64_t acc, int shift, int acc_bits) {
  const std::uint64_t bits = static_cast<std::uint64_t>(acc);
  const std::int64_t low = SignExtend(bits, shift);
  const std::int64_t borrow = (bits >> (shift - 1)) & 1u;
  const std::int64_t high = SignExtend(bits >> shift, acc_bits - shift) + borrow;
  // Adding the borrow can leave the high field's range by one; the hardware's field wraps there.
  return {SignExtend(static_cast<std::uint64_t>(high), acc_bits - shift), low};
}

UnpackedPair PackedDotProduct(const std::vector<std::int64_t>& w1,
                              const std::vector<std::int64_t>& w2,
                              const std::vector<std::int64_t>& acts, const PackingConfig& cfg) {
  if (w1.size() != acts.size() || w2.size() != acts.size()) {
    throw std::invalid_argument("packed dot product needs rows of equal length");
  }
  PackingConfig c = cfg;
  if (c.shift == 0) c.shift = BestShift(c.dsp, c.weight_bits, c.act_bits);
  if (!PackingFeasible(c)) throw std::invalid_argument("packing is not feasible for these widths");
  const int acc_bits = GeometryOf(c.dsp).acc_bits;
  const std::int64_t wmax = FixedMaxInteger(c.weight_bits);
  const std::int64_t amax = (std::int64_t{1} << c.act_bits) - 1;
  std::int64_t acc = 0;
  for (std::size_t i = 0; i < acts.size(); ++i) {
    // Out-of-range operands would not fit the ports the feasibility check sized.
    if (w1[i] < -wmax || w1[i] > wmax || w2[i] < -wmax || w2[i] > wmax || acts[i] < 0 ||
        acts[i] > amax) {
      throw std::invalid_argument("packed dot product operand out of range at index " +
                                  std::to_string(i));
    }
    acc = DspMacStep(acc, PackWeights(w1[i], w2[i], c.shift), acts[i], acc_bits);
  }
  return UnpackAccumulator(acc, c.shift, acc_bits);
}

}  // namespace msqx::quant
