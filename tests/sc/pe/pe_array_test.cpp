// Self-checking testbench of the PE arrays: a source loads weight words into the lanes' shadow
// registers a piece at a time and drives runs of beats, the first of each run swapping the word in,
// with random gaps between beats; a scoreboard compares every row sum with the golden dot product
// over the columns (weights decoded from their codes, no shift-add, no packing).
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
  using Piece = typename Dut::Piece;
  static constexpr int kR = Cfg::kRows, kC = Cfg::kCols, kPieces = Cfg::kPieces;
  static constexpr int kPieceRows = Cfg::kPieceRows;

  sc_core::sc_clock clk{"clk", 10, sc_core::SC_NS};
  sc_core::sc_in<bool> tb_clk{"tb_clk"};
  sc_core::sc_signal<bool> rst{"rst"};
  Channel<Beat> in{"in"};
  Channel<Piece> wl{"wl"};
  Channel<typename Dut::OutBus> out{"out"};
  Dut dut{"dut"};

  std::mt19937 rng;
  double valid_p;
  // Per word: its codes (rows x cols) and the run of activation vectors that use it.
  std::vector<std::vector<std::uint8_t>> words;
  std::vector<std::vector<std::vector<std::uint8_t>>> runs;
  std::vector<std::vector<std::int64_t>> expected;  // per beat, per row
  std::vector<typename Dut::OutBus> got;
  std::vector<long long> in_cycles, out_cycles;

  SC_HAS_PROCESS(PeBench);
  PeBench(const sc_core::sc_module_name& n, unsigned seed, double vp)
      : sc_module(n), rng(seed), valid_p(vp) {
    dut.clk(clk);
    dut.rst(rst);
    dut.in.Bind(in);
    dut.wl.Bind(wl);
    dut.out.Bind(out);
    tb_clk(clk);
    SC_CTHREAD(Source, tb_clk.pos());
    SC_CTHREAD(Sink, tb_clk.pos());
  }

  static long long Cycle() {
    return sc_core::sc_time_stamp() / sc_core::sc_time(10, sc_core::SC_NS);
  }

  std::uint8_t RandomCode() {
    // Extremes a quarter of the time: they are what breaks packing and field widths.
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

  // A word and a run of `length` beats that use it.
  void AddRun(int length) {
    std::vector<std::uint8_t> w(kR * kC);
    for (auto& c : w) c = RandomCode();
    const int amax = (1 << Cfg::kActBits) - 1;
    std::vector<std::vector<std::uint8_t>> run;
    for (int i = 0; i < length; ++i) {
      std::vector<std::uint8_t> act(kC);
      for (auto& a : act) a = static_cast<std::uint8_t>(rng() % 4 == 0 ? amax : rng() % (amax + 1));
      std::vector<std::int64_t> sums(kR, 0);
      for (int r = 0; r < kR; ++r) {
        for (int c = 0; c < kC; ++c) sums[r] += WeightOf(w[r * kC + c]) * act[c];
      }
      expected.push_back(sums);
      run.push_back(act);
    }
    words.push_back(w);
    runs.push_back(run);
  }

  // Word k's pieces go into the shadow while word k-1's run passes; a run starts (swap) once its
  // word's last piece is in, one cycle after it at the earliest.
  void Source() {
    in.valid.write(false);
    wl.valid.write(false);
    wait();
    while (rst.read()) wait();  // the array ignores its inputs until reset is released
    std::size_t next_word = 0;
    int piece = 0;
    bool shadow_full = false;
    std::size_t run = 0, beat = 0;
    bool running = false;
    while (true) {
      bool send_piece = false;
      if (!shadow_full && next_word < words.size()) {
        Piece p;
        for (int j = 0; j < kPieceRows; ++j) {
          const int r = piece * kPieceRows + j;
          for (int c = 0; c < kC; ++c) p.v[j * kC + c] = r < kR ? words[next_word][r * kC + c] : 0;
        }
        wl.data.write(p);
        send_piece = true;
        if (++piece == kPieces) {
          piece = 0;
          shadow_full = true;
        }
      }
      bool send_beat = false;
      if (!running && run < runs.size() && shadow_full && !send_piece) {
        running = true;  // the swap beat goes out in this cycle
        beat = 0;
      }
      if (running && tb::Coin(rng, valid_p)) {
        Beat b;
        for (int c = 0; c < kC; ++c) b.act[c] = runs[run][beat][c];
        b.swap = beat == 0;
        if (b.swap) {  // the shadow is free again: the next word may load from now on
          shadow_full = false;
          ++next_word;
        }
        in.data.write(b);
        send_beat = true;
        in_cycles.push_back(Cycle());
        if (++beat == runs[run].size()) {
          running = false;
          ++run;
        }
      }
      in.valid.write(send_beat);
      wl.valid.write(send_piece);
      wait();
    }
  }

  void Sink() {
    out.ready.write(true);
    wait();
    while (true) {
      if (out.valid.read()) {
        got.push_back(out.data.read());
        out_cycles.push_back(Cycle());
        if (got.size() == expected.size()) sc_core::sc_stop();
      }
      wait();
    }
  }

  void Run() {
    rst.write(true);
    sc_core::sc_start(25, sc_core::SC_NS);
    rst.write(false);
    sc_core::sc_start(sc_core::sc_time(10.0 * (expected.size() * 50 + 1000), sc_core::SC_NS));
  }

  void Check() {
    ASSERT_EQ(got.size(), expected.size());
    for (size_t j = 0; j < expected.size(); ++j) {
      for (int r = 0; r < kR; ++r) {
        ASSERT_EQ(got[j][r], expected[j][r]) << "beat " << j << " row " << r;
      }
    }
  }
};

// Runs of random lengths under random gaps between beats.
template <typename Cfg>
void RandomTraffic(const char* name, int words, int max_len, double vp) {
  PeBench<Cfg> tb("tb", tb::Seed(name), vp);
  std::uniform_int_distribution<int> len(1, max_len);
  for (int j = 0; j < words; ++j) tb.AddRun(len(tb.rng));
  tb.Run();
  tb.Check();
}

// Without gaps: every beat's sums are on the output kStages + 1 cycles after the cycle it was
// presented in (A, M and T registers, the last being the output signal), one per cycle.
template <typename Cfg>
void CycleCount(const char* name) {
  PeBench<Cfg> tb("tb", tb::Seed(name), 1.0);
  for (int l : {5, 1, 3, 8, 2}) tb.AddRun(l);
  tb.Run();
  tb.Check();
  ASSERT_EQ(tb.in_cycles.size(), tb.out_cycles.size());
  for (std::size_t i = 0; i < tb.in_cycles.size(); ++i) {
    EXPECT_EQ(tb.out_cycles[i] - tb.in_cycles[i], PeArray<Cfg>::kStages + 1) << "beat " << i;
  }
}

using SmallFixedPacked = PeArrayConfig<PeKind::kFixed, 4, 3, 4, 4, 2, 2>;
using SmallSp2 = PeArrayConfig<PeKind::kSp2, 3, 5, 4, 4, 2>;  // a partial last piece
using OneColumn = PeArrayConfig<PeKind::kFixed, 4, 1, 4, 4, 4>;
using WideSp2 = PeArrayConfig<PeKind::kSp2, 2, 4, 6, 6, 1>;  // m1 = 3, m2 = 2, K = 7
using Fixed8 = PeArrayConfig<PeKind::kFixed, 2, 4, 8, 8, 1>;
// Packing at the smallest field: the row sum over 8 columns of extreme operands must stay exact in
// both fields.
using WidePacked = PeArrayConfig<PeKind::kFixed, 2, 8, 4, 4, 2, 2>;

TEST(FixedArray, RandomGaps) { RandomTraffic<SmallFixedPacked>("SmallFixedPacked", 80, 20, 0.6); }
TEST(Sp2Array, RandomGaps) { RandomTraffic<SmallSp2>("SmallSp2", 80, 20, 0.6); }
TEST(FixedArray, OneColumn) { RandomTraffic<OneColumn>("OneColumn", 60, 10, 0.7); }
TEST(Sp2Array, SixBitCodes) { RandomTraffic<WideSp2>("WideSp2", 60, 20, 0.8); }
TEST(FixedArray, EightBit) { RandomTraffic<Fixed8>("Fixed8", 60, 20, 0.8); }
TEST(FixedArray, PackedExactAtFullWidth) { RandomTraffic<WidePacked>("WidePacked", 200, 3, 0.9); }
TEST(DspArray, RandomGaps) { RandomTraffic<cfg::DspArray>("DspArray", 20, 30, 0.8); }
TEST(LutArray, RandomGaps) { RandomTraffic<cfg::LutArray>("LutArray", 20, 30, 0.8); }

TEST(FixedArray, CycleCount) { CycleCount<SmallFixedPacked>("SmallFixedPacked"); }
TEST(Sp2Array, CycleCount) { CycleCount<SmallSp2>("SmallSp2"); }
TEST(FixedArray, OneColumnCycleCount) { CycleCount<OneColumn>("OneColumn"); }

}  // namespace
}  // namespace msqx::pe
