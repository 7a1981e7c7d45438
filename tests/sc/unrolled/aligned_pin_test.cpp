// A pin-level unrolled layer whose weights and inputs have different fractional widths: built
// from the constants aligned to each output's binary point (models/unrolled/alignment.h), its
// integer outputs times 2^-F_o equal the real-valued dot products of the dequantized weights and
// inputs, computed in double in the test.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "models/unrolled/alignment.h"
#include "models/unrolled/dense_pin.h"
#include "models/unrolled/unrolled_cost.h"
#include "tests/sc/unrolled/dense_bench.h"

namespace msqx::unrolled {
namespace {

using test::DenseBench;
using test::Vector;

PrecisionTensor Types(std::vector<std::int64_t> shape, std::vector<FixedType> types) {
  PrecisionTensor p;
  p.shape = std::move(shape);
  p.types = std::move(types);
  return p;
}

// The layer of tests/unit/unrolled/alignment_test.cpp. Inputs (k, i, f): x0 <1,2,3>, x1 <0,4,0>,
// x2 <1,2,1>. Weights: 0.75 <1,0,2> -> 3 (f 2), -0.5 <1,0,3> -> -4 (f 3), 0.625 <1,0,3> -> 5
// (f 3) | 1.5 <1,1,1> -> 3 (f 1), pruned, 6.0 <1,3,0> -> 6 (f 0).
PrecisionTensor Acts() { return Types({3}, {{1, 2, 3}, {0, 4, 0}, {1, 2, 1}}); }
QuantizedDense Layer() {
  return QuantizeDense(
      2, 3, {0.75, -0.5, 0.625, 1.5, 0.3, 6.0},
      Types({2, 3}, {{1, 0, 2}, {1, 0, 3}, {1, 0, 3}, {1, 1, 1}, {0, 0, 0}, {1, 3, 0}}));
}

// By hand: output 0's products count in steps of 2^-(f + fx) = 2^-5, 2^-3, 2^-4: F0 = 5 and the
// codes move up by 0, 2, 1: 3, -16, 10. Output 1: 2^-4, pruned, 2^-1: F1 = 4, shifts 0, 3: 3, 48.
const std::vector<int> kHandFracBits = {5, 4};
struct Mixed {
  static constexpr int kIn = 3, kOut = 2;
  // The widest input, x0's 6 bits; x1 (unsigned 4 bits) fits a signed 6-bit field.
  static constexpr int kActBits = 6;
  static constexpr bool kActSigned = true;
  static constexpr int kReuse = 1, kDspMinBits = 10, kDspStages = 3;
  static constexpr std::int64_t kCodes[kOut * kIn] = {3, -16, 10, 3, 0, 48};
};
struct MixedRf2 : Mixed {
  static constexpr int kReuse = 2;
};

TEST(AlignedPin, ConstantsAreTheAlignedCodes) {
  EXPECT_EQ(AlignedCodes(Layer(), Acts()),
            std::vector<std::int64_t>(Mixed::kCodes, Mixed::kCodes + 6));
  EXPECT_EQ(AlignDense(Layer(), Acts()).output_frac_bits, kHandFracBits);
  // The unaligned codes would add 2^-3 steps to 2^-5 ones: the test below would fail with them.
  EXPECT_NE(Layer().codes, std::vector<std::int64_t>(Mixed::kCodes, Mixed::kCodes + 6));
}

template <typename Cfg>
void RealValued(const char* name) {
  DenseBench<UnrolledDense<Cfg>> tb("tb", tb::Seed(name), 0.7, 0.5);
  Vector lo, hi;
  for (const FixedType& t : Acts().types) {
    lo.push_back(t.MinCode());
    hi.push_back(t.MaxCode());
  }
  tb.AddRandom(300, lo, hi, [](const Vector& x) {
    return test::DenseGolden(Cfg::kCodes, Cfg::kOut, Cfg::kIn, x);
  });
  tb.Run();
  tb.CheckOutputs();
  tb.CheckRealValued(Layer(), Acts(), kHandFracBits);
}

TEST(AlignedPin, RealValuedRf1) { RealValued<Mixed>("AlignedRf1"); }
TEST(AlignedPin, RealValuedRf2) { RealValued<MixedRf2>("AlignedRf2"); }

// Alignment is wiring: the module's stages are the cost model's for the real layer (one adder
// level for 3, 5, 6; two tree levels for output 0's three products; the output register).
TEST(AlignedPin, StagesEqualTheCostModel) {
  for (int rf : {1, 2}) {
    UnrolledParams p;
    p.reuse_factor = rf;
    const UnrolledCost c = DenseUnrolledCost(Layer(), Acts(), p);
    const int latency =
        rf == 1 ? UnrolledDense<Mixed>::kLatency : UnrolledDense<MixedRf2>::kLatency;
    EXPECT_EQ(latency, c.latency_cycles) << "RF " << rf;
  }
  EXPECT_EQ(UnrolledDense<Mixed>::kLatency, 1 + 2 + 1);
}

}  // namespace
}  // namespace msqx::unrolled
