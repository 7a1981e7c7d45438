// Self-checking testbenches of the PEs and PE arrays: a source drives dot products with random
// gaps, a sink takes results with random back-pressure, a scoreboard compares every sum with the
// golden integer dot product (weights decoded from their codes, no shift-add, no packing).
#include "models/pe/pe_array.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <systemc>
#include <vector>

#include "models/accel/golden.h"
#include "tests/sc/pe/tb_util.h"

namespace msqx::pe {
namespace {

template <typename Cfg>
struct PeBench : sc_core::sc_module {
  using Dut = PeArray<Cfg>;
  using Beat = typename Dut::InBus;
  static constexpr int kR = Cfg::kRows, kC = Cfg::kCols;

  sc_core::sc_clock clk{"clk", 10, sc_core::SC_NS};
  sc_core::sc_in<bool> tb_clk{"tb_clk"};  // the testbench threads' clock port, bound to clk
  sc_core::sc_signal<bool> rst{"rst"};
  sc_core::sc_signal<bool> in_valid{"in_valid"}, in_ready{"in_ready"};
  sc_core::sc_signal<Beat> in_data{"in_data"};
  sc_core::sc_signal<bool> out_valid{"out_valid"}, out_ready{"out_ready"};
  sc_core::sc_signal<typename Dut::OutBus> out_data{"out_data"};
  Dut dut{"dut"};

  std::mt19937 rng;
  double valid_p, ready_p;
  std::vector<Beat> beats;
  std::vector<std::vector<std::int64_t>> expected;  // per dot product, per row
  std::vector<typename Dut::OutBus> got;
  long long first_in = -1, last_in = -1, last_out = -1;

  SC_HAS_PROCESS(PeBench);
  PeBench(const sc_core::sc_module_name& n, unsigned seed, double vp, double rp)
      : sc_module(n), rng(seed), valid_p(vp), ready_p(rp) {
    dut.clk(clk);
    dut.rst(rst);
    dut.in_valid(in_valid);
    dut.in_ready(in_ready);
    dut.in_data(in_data);
    dut.out_valid(out_valid);
    dut.out_ready(out_ready);
    dut.out_data(out_data);
    tb_clk(clk);
    SC_CTHREAD(Source, tb_clk.pos());
    SC_CTHREAD(Sink, tb_clk.pos());
  }

  static long long Cycle() {
    return sc_core::sc_time_stamp() / sc_core::sc_time(10, sc_core::SC_NS);
  }

  std::uint8_t RandomCode() {
    // Extremes a quarter of the time: they are what breaks packing and accumulator widths.
    const int m = Cfg::kWeightBits;
    if (std::uniform_int_distribution<int>(0, 3)(rng) == 0) {
      if constexpr (Cfg::kKind == PeKind::kFixed) {
        return static_cast<std::uint8_t>(rng() & 1 ? (1 << (m - 1)) - 1 : (1 << (m - 1)) + 1);
      } else {
        const int top = (1 << (m - 1)) | (1 << Cfg::kSp2M2) | 1;  // +-(2^(K-1) + 2^(K-1))
        return static_cast<std::uint8_t>(rng() & 1 ? top : top & ~(1 << (m - 1)));
      }
    }
    if constexpr (Cfg::kKind == PeKind::kFixed) {
      // Symmetric range: never the code -2^(m-1).
      const int v =
          std::uniform_int_distribution<int>(-(1 << (m - 1)) + 1, (1 << (m - 1)) - 1)(rng);
      return static_cast<std::uint8_t>(v & ((1 << m) - 1));
    } else {
      return static_cast<std::uint8_t>(rng() & ((1 << m) - 1));
    }
  }

  std::int64_t WeightOf(std::uint8_t code) const {
    if constexpr (Cfg::kKind == PeKind::kFixed)
      return accel::golden::FixedWeight(code, Cfg::kWeightBits);
    return accel::golden::Sp2Weight(code, Cfg::kSp2M1, Cfg::kSp2M2);
  }

  void AddDotProduct(int length) {
    std::vector<std::int64_t> sums(kR, 0);
    const int amax = (1 << Cfg::kActBits) - 1;
    for (int i = 0; i < length; ++i) {
      Beat b;
      for (int c = 0; c < kC; ++c) {
        b.act[c] = static_cast<std::uint8_t>(rng() % 4 == 0 ? amax : rng() % (amax + 1));
      }
      for (int r = 0; r < kR; ++r) {
        for (int c = 0; c < kC; ++c) {
          b.w[r * kC + c] = RandomCode();
          sums[r] += WeightOf(b.w[r * kC + c]) * b.act[c];
        }
      }
      b.first = i == 0;
      b.last = i == length - 1;
      beats.push_back(b);
    }
    expected.push_back(sums);
  }

  void Source() {
    in_valid.write(false);
    bool valid = false;
    size_t i = 0;
    wait();
    while (true) {
      if (valid && in_ready.read()) {
        if (first_in < 0) first_in = Cycle();
        last_in = Cycle();
        ++i;
        valid = false;
      }
      if (!valid && i < beats.size() && tb::Coin(rng, valid_p)) {
        in_data.write(beats[i]);
        valid = true;
      }
      in_valid.write(valid);
      wait();
    }
  }

  void Sink() {
    out_ready.write(false);
    bool ready = false;
    wait();
    while (true) {
      if (ready && out_valid.read()) {
        got.push_back(out_data.read());
        last_out = Cycle();
        if (got.size() == expected.size()) sc_core::sc_stop();
      }
      ready = tb::Coin(rng, ready_p);
      out_ready.write(ready);
      wait();
    }
  }

  void Run() {
    rst.write(true);
    sc_core::sc_start(25, sc_core::SC_NS);
    rst.write(false);
    sc_core::sc_start(sc_core::sc_time(10.0 * (beats.size() * 50 + 1000), sc_core::SC_NS));
  }

  void Check() {
    ASSERT_EQ(got.size(), expected.size());
    for (size_t j = 0; j < expected.size(); ++j) {
      for (int r = 0; r < kR; ++r) {
        ASSERT_EQ(got[j][r], expected[j][r]) << "dot product " << j << " row " << r;
      }
    }
  }
};

// Random lengths (up to max_len, at most the config's kMaxDepth) under random back-pressure.
template <typename Cfg>
void RandomTraffic(const char* name, int jobs, int max_len, double vp, double rp) {
  PeBench<Cfg> tb("tb", tb::Seed(name), vp, rp);
  std::uniform_int_distribution<int> len(1, max_len);
  for (int j = 0; j < jobs; ++j) tb.AddDotProduct(j == 0 ? max_len : len(tb.rng));
  tb.Run();
  tb.Check();
}

// Without back-pressure: a beat accepted at edge e leaves at e + stages, one beat per cycle.
// Stages from the DSP48 register map: AREG/BREG, MREG, (fabric adder tree), PREG.
template <typename Cfg>
void CycleCount(const char* name, int stages) {
  PeBench<Cfg> tb("tb", tb::Seed(name), 1.0, 1.0);
  const int lengths[] = {5, 1, 3, 8, 2};
  long long total = 0;
  for (int l : lengths) {
    tb.AddDotProduct(l);
    total += l;
  }
  tb.Run();
  tb.Check();
  EXPECT_EQ(tb.last_in - tb.first_in, total - 1) << "input side not at one beat per cycle";
  EXPECT_EQ(tb.last_out - tb.first_in, (total - 1) + stages);
}

using SmallFixedPacked = PeArrayConfig<PeKind::kFixed, 4, 3, 4, 4, 64, 2>;
using SmallSp2 = PeArrayConfig<PeKind::kSp2, 3, 5, 4, 4, 64>;
using WideSp2 = PeArrayConfig<PeKind::kSp2, 2, 4, 6, 6, 100>;  // m1 = 3, m2 = 2, K = 7
// 8-bit operands: 8 + 23 accumulator bits no longer fit the 25-bit port, so no packing.
using Fixed8 = PeArrayConfig<PeKind::kFixed, 2, 4, 8, 8, 100>;
// A deliberately tight accumulator: depth 4 gives 4 + 4 + 2 = 10 bits; extreme operands over the
// full depth must still be exact in both packed fields.
using TightPacked = PeArrayConfig<PeKind::kFixed, 2, 1, 4, 4, 4, 2>;

TEST(FixedPe, RandomBackPressure) { RandomTraffic<cfg::FixedPe>("FixedPe", 200, 40, 0.7, 0.5); }
TEST(FixedPePacked, RandomBackPressure) {
  RandomTraffic<cfg::FixedPePacked>("FixedPePacked", 200, 40, 0.7, 0.5);
}
TEST(Sp2Pe, RandomBackPressure) { RandomTraffic<cfg::Sp2Pe>("Sp2Pe", 200, 40, 0.7, 0.5); }
TEST(FixedArray, RandomBackPressure) {
  RandomTraffic<SmallFixedPacked>("SmallFixedPacked", 150, 64, 0.6, 0.4);
}
TEST(Sp2Array, RandomBackPressure) { RandomTraffic<SmallSp2>("SmallSp2", 150, 64, 0.6, 0.4); }
TEST(Sp2Array, SixBitCodes) { RandomTraffic<WideSp2>("WideSp2", 100, 100, 0.8, 0.6); }
TEST(FixedArray, EightBit) { RandomTraffic<Fixed8>("Fixed8", 100, 100, 0.8, 0.6); }
TEST(FixedPePacked, ExactAtFullDepth) {
  RandomTraffic<TightPacked>("TightPacked", 300, 4, 0.9, 0.9);
}
TEST(DspArray, RandomBackPressure) { RandomTraffic<cfg::DspArray>("DspArray", 40, 30, 0.8, 0.5); }
TEST(LutArray, RandomBackPressure) { RandomTraffic<cfg::LutArray>("LutArray", 40, 30, 0.8, 0.5); }

TEST(FixedPe, CycleCount) { CycleCount<cfg::FixedPe>("FixedPe", 3); }
TEST(FixedPePacked, CycleCount) { CycleCount<cfg::FixedPePacked>("FixedPePacked", 3); }
TEST(Sp2Pe, CycleCount) { CycleCount<cfg::Sp2Pe>("Sp2Pe", 3); }
TEST(DspArray, CycleCount) { CycleCount<cfg::DspArray>("DspArray", 4); }
TEST(LutArray, CycleCount) { CycleCount<cfg::LutArray>("LutArray", 4); }

}  // namespace
}  // namespace msqx::pe
