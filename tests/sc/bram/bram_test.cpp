// BRAM buffer testbench: random reads and writes on both ports of every bank (random idle cycles
// play the role of back-pressure for a memory without handshake), checked each cycle against a
// plain array whose read result is due exactly `latency` edges after the address was taken.
#include "models/mem/bram.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <random>
#include <systemc>
#include <type_traits>

#include "tests/sc/pe/tb_util.h"

namespace msqx::mem {
namespace {

template <typename Cfg>
struct BramBench : sc_core::sc_module {
  using Dut = Bram<Cfg>;
  static constexpr int kB = Cfg::kBanks, kD = Cfg::kDepth;
  sc_core::sc_clock clk{"clk", 10, sc_core::SC_NS};
  sc_core::sc_in<bool> tb_clk{"tb_clk"};
  sc_core::sc_signal<bool> rst{"rst"};
  sc_core::sc_signal<typename Dut::Flags> a_en{"a_en"}, a_we{"a_we"}, b_en{"b_en"}, b_we{"b_we"};
  sc_core::sc_signal<typename Dut::Addrs> a_addr{"a_addr"}, b_addr{"b_addr"};
  sc_core::sc_signal<typename Dut::Words> a_wdata{"a_wdata"}, b_wdata{"b_wdata"};
  sc_core::sc_signal<typename Dut::Words> a_rdata{"a_rdata"}, b_rdata{"b_rdata"};
  Dut dut{"dut"};

  std::mt19937 rng;
  int cycles;
  int checks = 0, collisions = 0, errors = 0;
  std::uint32_t ref[kB][kD] = {};
  // Expected read data per port and bank: (due cycle, value).
  std::deque<std::pair<long long, std::uint32_t>> due[2][kB];

  SC_HAS_PROCESS(BramBench);
  BramBench(const sc_core::sc_module_name& n, unsigned seed, int c)
      : sc_module(n), rng(seed), cycles(c) {
    dut.clk(clk);
    dut.rst(rst);
    dut.a_en(a_en);
    dut.a_we(a_we);
    dut.a_addr(a_addr);
    dut.a_wdata(a_wdata);
    dut.a_rdata(a_rdata);
    dut.b_en(b_en);
    dut.b_we(b_we);
    dut.b_addr(b_addr);
    dut.b_wdata(b_wdata);
    dut.b_rdata(b_rdata);
    tb_clk(clk);
    SC_CTHREAD(Drive, tb_clk.pos());
  }

  // What the RAM keeps of a written element (Cfg::kBits of it, sign-extended when signed).
  static std::uint32_t Expected(std::uint32_t v) {
    if (Cfg::kBits >= 32) return v;
    const std::uint32_t mask = (1u << Cfg::kBits) - 1;
    v &= mask;
    if (std::is_signed_v<typename Cfg::Elem> && (v >> (Cfg::kBits - 1)) != 0) v |= ~mask;
    return v;
  }

  void Check(int port, const typename Dut::Words& data, long long now) {
    for (int b = 0; b < kB; ++b) {
      auto& q = due[port][b];
      if (!q.empty() && q.front().first == now) {
        ++checks;
        if (static_cast<std::uint32_t>(data[b]) != q.front().second) {
          ++errors;
          ADD_FAILURE() << "port " << port << " bank " << b << " cycle " << now << ": got "
                        << data[b] << " expected " << q.front().second;
        }
        q.pop_front();
      }
    }
  }

  void Drive() {
    wait();
    for (long long now = 0; now < cycles; ++now) {
      Check(0, a_rdata.read(), now);
      Check(1, b_rdata.read(), now);
      typename Dut::Flags ae, aw, be, bw;
      typename Dut::Addrs aa, ba;
      typename Dut::Words ad, bd;
      for (int b = 0; b < kB; ++b) {
        ae[b] = tb::Coin(rng, 0.6);
        aw[b] = Cfg::kTrueDualPort ? tb::Coin(rng, 0.5) : true;
        be[b] = tb::Coin(rng, 0.6);
        bw[b] = Cfg::kTrueDualPort && tb::Coin(rng, 0.3);
        aa[b] = rng() % kD;
        ba[b] = rng() % kD;
        if (ae[b] && aw[b] && be[b] && bw[b] && aa[b] == ba[b]) bw[b] = false;  // usage error
        ad[b] = static_cast<typename Cfg::Elem>(rng());
        bd[b] = static_cast<typename Cfg::Elem>(rng());
        // Reads see the array before this cycle's writes (read-first). What this thread drives
        // now the BRAM takes at the next edge; its data is there `latency` edges after that.
        const long long when = now + 1 + Cfg::kLatency;
        if (Cfg::kTrueDualPort && ae[b]) due[0][b].push_back({when, ref[b][aa[b]]});
        if (be[b]) due[1][b].push_back({when, ref[b][ba[b]]});
        // A read of the address port A writes in this cycle: B reading it, or A itself (TDP).
        if (ae[b] && aw[b] && ((be[b] && !bw[b] && aa[b] == ba[b]) || Cfg::kTrueDualPort)) {
          ++collisions;
        }
        if (ae[b] && aw[b]) ref[b][aa[b]] = Expected(static_cast<std::uint32_t>(ad[b]));
        if (Cfg::kTrueDualPort && be[b] && bw[b])
          ref[b][ba[b]] = Expected(static_cast<std::uint32_t>(bd[b]));
      }
      a_en.write(ae);
      a_we.write(aw);
      a_addr.write(aa);
      a_wdata.write(ad);
      b_en.write(be);
      b_we.write(bw);
      b_addr.write(ba);
      b_wdata.write(bd);
      wait();
    }
    sc_core::sc_stop();
  }
};

template <typename Cfg>
void RunBram(const char* name) {
  auto tb = std::make_unique<BramBench<Cfg>>("tb", tb::Seed(name), 4000);
  tb->rst.write(true);
  sc_core::sc_start(15, sc_core::SC_NS);
  tb->rst.write(false);
  sc_core::sc_start();
  EXPECT_EQ(tb->errors, 0);
  EXPECT_GT(tb->checks, 1000);
  EXPECT_GT(tb->collisions, 10) << "read-first was never exercised";
}

TEST(Bram, SimpleDualPortLatency1) {
  RunBram<BramConfig<std::uint32_t, /*Lanes=*/1, 8, 1, false>>("sdp1");
}
TEST(Bram, SimpleDualPortLatency2) {
  RunBram<BramConfig<std::uint32_t, /*Lanes=*/1, 8, 2, false>>("sdp2");
}
TEST(Bram, TrueDualPortLatency1) {
  RunBram<BramConfig<std::uint32_t, /*Lanes=*/1, 8, 1, true>>("tdp1");
}
TEST(Bram, TrueDualPortLatency2) {
  RunBram<BramConfig<std::uint32_t, /*Lanes=*/1, 8, 2, true>>("tdp2");
}
TEST(Bram, BankedTrueDualPort) {
  RunBram<BramConfig<std::uint32_t, /*Lanes=*/1, 16, 2, true, 4>>("banked");
}
TEST(Bram, BankedSimpleDualPort) {
  RunBram<BramConfig<std::uint32_t, /*Lanes=*/1, 4, 1, false, 3>>("banked_sdp");
}
// Elements kept at fewer bits than their type (the core's 4-bit codes, 15-bit partial sums): the
// low bits, read back zero-extended, or sign-extended for a signed type.
TEST(Bram, UnsignedElementsKeepTheirLowBits) {
  RunBram<BramConfig<std::uint32_t, /*Lanes=*/1, 8, 1, false, 1, /*Bits=*/5>>("bits5");
}
TEST(Bram, SignedElementsKeepTheirLowBitsSignExtended) {
  RunBram<BramConfig<std::int32_t, /*Lanes=*/1, 8, 2, true, 2, /*Bits=*/11>>("bits11s");
}

// Directed read-first case, derived by hand: write 7 to address 3 and read address 3 in the same
// cycle -> the read returns the old 0; a read one cycle later returns 7.
TEST(Bram, ReadFirstDirected) {
  using Cfg = BramConfig<std::uint32_t, /*Lanes=*/1, 8, 1, false>;
  struct Tb : sc_core::sc_module {
    sc_core::sc_clock clk{"clk", 10, sc_core::SC_NS};
    sc_core::sc_signal<bool> rst{"rst"};
    sc_core::sc_signal<Bram<Cfg>::Flags> ae{"ae"}, aw{"aw"}, be{"be"}, bw{"bw"};
    sc_core::sc_signal<Bram<Cfg>::Addrs> aa{"aa"}, ba{"ba"};
    sc_core::sc_signal<Bram<Cfg>::Words> ad{"ad"}, bd{"bd"}, ar{"ar"}, br{"br"};
    Bram<Cfg> dut{"dut"};
    explicit Tb(const sc_core::sc_module_name& n) : sc_module(n) {
      dut.clk(clk);
      dut.rst(rst);
      dut.a_en(ae);
      dut.a_we(aw);
      dut.a_addr(aa);
      dut.a_wdata(ad);
      dut.a_rdata(ar);
      dut.b_en(be);
      dut.b_we(bw);
      dut.b_addr(ba);
      dut.b_wdata(bd);
      dut.b_rdata(br);
    }
  };
  auto tb = std::make_unique<Tb>("tb");
  Bram<Cfg>::Flags on;
  on[0] = true;
  Bram<Cfg>::Addrs three;
  three[0] = 3;
  Bram<Cfg>::Words seven;
  seven[0] = 7;
  tb->ae.write(on);
  tb->aw.write(on);
  tb->aa.write(three);
  tb->ad.write(seven);
  tb->be.write(on);
  tb->ba.write(three);
  // The edge at 0 ns runs the reset section; the edge at 10 ns takes the write and the read.
  sc_core::sc_start(15, sc_core::SC_NS);
  tb->ae.write(Bram<Cfg>::Flags{});
  EXPECT_EQ(tb->br.read()[0], 0u);
  sc_core::sc_start(10, sc_core::SC_NS);  // edge at 20 ns: read again
  EXPECT_EQ(tb->br.read()[0], 7u);
}

}  // namespace
}  // namespace msqx::mem
