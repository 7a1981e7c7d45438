// The memory system against figures computed here from the device configs: long-stream bandwidth
// within 2 %, single-access latency exact, read/write contention at the mixed efficiency, the
// outstanding limit, and no burst across 4 KB. One SystemC elaboration per test (own process).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <random>

#include "models/mem/memsys_ddr.h"
#include "models/mem/memsys_dma.h"
#include "sim/spec/resolve.h"

namespace msqx::mem {
namespace {

spec::DesignSpec Design(int ports, int outstanding = 4, int burst_beats = 16) {
  spec::DesignSpec d = spec::ConfigResolver(MSQX_SOURCE_DIR "/configs").LoadDesign("xc7z045_ref");
  d.dma.axi_ports = ports;
  d.dma.max_outstanding = outstanding;
  d.dma.burst_beats = burst_beats;
  return d;
}

unsigned Seed() {
  const char* env = std::getenv("MSQX_SEED");
  const unsigned seed =
      env ? static_cast<unsigned>(std::strtoul(env, nullptr, 10)) : std::random_device{}();
  std::printf("seed %u (replay with MSQX_SEED=%u)\n", seed, seed);
  return seed;
}

// Zynq-7000 PS DDR3 (configs/devices/xc7z045.json): 4.264 GB/s peak; HP port 64 bit at 150 MHz.
constexpr double kPeak = 4.264e9;
constexpr double kPort = 8 * 150e6;

TEST(MemorySystem, BurstsNeverCrossFourKilobytes) {
  std::mt19937_64 rng(Seed());
  std::vector<Burst> bursts;
  for (int i = 0; i < 20000; ++i) {
    const std::uint64_t address = rng() % (1u << 24);
    const std::int64_t bytes = 1 + static_cast<std::int64_t>(rng() % 20000);
    const int beats = 1 + static_cast<int>(rng() % 256);
    bursts.clear();
    SplitIntoBursts(address, bytes, 8, beats, 4096, bursts);
    std::uint64_t at = address;
    for (const Burst& b : bursts) {
      ASSERT_EQ(b.address, at);  // contiguous, in order
      ASSERT_GT(b.bytes, 0);
      ASSERT_EQ(b.address / 4096, (b.address + b.bytes - 1) / 4096) << b.address << "+" << b.bytes;
      ASSERT_LE(b.beats, beats);
      ASSERT_EQ(b.beats, static_cast<int>((b.address + b.bytes + 7) / 8 - b.address / 8));
      at += b.bytes;
    }
    ASSERT_EQ(at, address + bytes);
  }
}

TEST(MemorySystem, TargetRejectsABurstAcrossFourKilobytes) {
  MemorySystem m("m", MemoryTiming::From(Design(1)));
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  tlm::tlm_generic_payload t;
  std::uint8_t data[64];
  t.set_command(tlm::TLM_READ_COMMAND);
  t.set_address(4096 - 32);
  t.set_data_ptr(data);
  t.set_data_length(64);
  t.set_streaming_width(64);
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  m.dma.port(0)->b_transport(t, delay);
  EXPECT_EQ(t.get_response_status(), tlm::TLM_BURST_ERROR_RESPONSE);
  EXPECT_EQ(m.ddr().stats().rejected, 1);
  // The DMA never sends one: the same range through it is split at the boundary.
  EXPECT_NO_THROW(m.dma.Transfer(Dir::kRead, 4096 - 32, 64, 0));
  EXPECT_EQ(m.dma.bursts_issued(), 2);
}

TEST(MemorySystem, SingleAccessLatencyIsExact) {
  MemorySystem m("m", MemoryTiming::From(Design(1)));
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  // Idle controller, first access (random): 120 ns latency, then 64 B at the slower of DDR at
  // the random-read efficiency (4.264e9 x 0.92 B/s: 16.315 ns) and the port (1.2e9 B/s: 53.334 ns).
  const auto ps = [](double bytes, double rate) {
    return static_cast<Picoseconds>(std::ceil(bytes * 1e12 / rate - 1e-6));
  };
  const Picoseconds expected = 120000 + std::max(ps(64, kPeak * 0.92), ps(64, kPort));
  EXPECT_EQ(m.dma.Transfer(Dir::kRead, 0, 64, 0), expected);
  EXPECT_EQ(expected, 120000 + 53334);
}

// Achieved rate of one long sequential stream in one direction.
double StreamGbps(MemorySystem& m, Dir dir, std::int64_t total) {
  Picoseconds t = 0;
  const std::int64_t chunk = 16384;
  for (std::int64_t at = 0; at < total; at += chunk) t = m.dma.Transfer(dir, at, chunk, 0);
  return GigabytesPerSecond(total, t);
}

TEST(MemorySystem, LongReadStreamIsPortBoundWithTwoPorts) {
  MemorySystem m("m", MemoryTiming::From(Design(2)));
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  const double expected = std::min(kPeak * 0.97, 2 * kPort) / 1e9;  // 2.4 GB/s
  EXPECT_NEAR(StreamGbps(m, Dir::kRead, 8 << 20), expected, 0.02 * expected);
}

TEST(MemorySystem, LongReadStreamIsDdrBoundWithFourPorts) {
  MemorySystem m("m", MemoryTiming::From(Design(4)));
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  const double expected = std::min(kPeak * 0.97, 4 * kPort) / 1e9;  // 4.136 GB/s
  EXPECT_NEAR(StreamGbps(m, Dir::kRead, 8 << 20), expected, 0.02 * expected);
  EXPECT_GT(m.ddr().stats().bursts[static_cast<int>(Pattern::kSequential)], 4000);
}

TEST(MemorySystem, LongWriteStreamUsesTheWriteEfficiency) {
  MemorySystem m("m", MemoryTiming::From(Design(4)));
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  const double expected = std::min(kPeak * 0.90, 4 * kPort) / 1e9;  // 3.838 GB/s
  EXPECT_NEAR(StreamGbps(m, Dir::kWrite, 8 << 20), expected, 0.02 * expected);
}

TEST(MemorySystem, RandomReadsUseTheRandomEfficiency) {
  MemorySystem m("m", MemoryTiming::From(Design(4)));
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  std::mt19937 rng(Seed());
  Picoseconds t = 0;
  const int n = 4096;
  for (int i = 0; i < n; ++i)
    t = m.dma.Transfer(Dir::kRead, (rng() % 100000) * 8192 + 4096, 128, 0);
  const double expected = kPeak * 0.92 / 1e9;
  EXPECT_NEAR(GigabytesPerSecond(std::int64_t{n} * 128, t), expected, 0.02 * expected);
}

TEST(MemorySystem, ReadsAndWritesContendAtTheMixedEfficiency) {
  MemorySystem m("m", MemoryTiming::From(Design(4)));
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  Picoseconds t = 0;
  const std::int64_t chunk = 128, total = 8 << 20;  // one burst per transfer, alternating
  for (std::int64_t at = 0; at < total; at += chunk) {
    t = std::max(t, m.dma.Transfer(Dir::kRead, at, chunk, 0));
    t = std::max(t, m.dma.Transfer(Dir::kWrite, (64 << 20) + at, chunk, 0));
  }
  const double expected = kPeak * 0.83 / 1e9;  // both directions share the DDR bus
  EXPECT_NEAR(GigabytesPerSecond(2 * total, t), expected, 0.02 * expected);
}

TEST(MemorySystem, OneOutstandingBurstSerializesLatency) {
  MemorySystem m("m", MemoryTiming::From(Design(1, 1)));
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  // 16 bursts of 16 beats x 8 B = 128 B, each issued when the previous completes: the first is
  // random, the rest sequential; the port (106.667 ns) is slower than DDR in both cases.
  const Picoseconds port = static_cast<Picoseconds>(std::ceil(128e12 / kPort - 1e-6));
  EXPECT_EQ(m.dma.Transfer(Dir::kRead, 0, 16 * 128, 0), 16 * (120000 + port));
}

TEST(MemorySystem, MoreOutstandingBurstsHideTheLatency) {
  MemorySystem one("one", MemoryTiming::From(Design(1, 1)));
  MemorySystem four("four", MemoryTiming::From(Design(1, 4)));
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  const Picoseconds a = one.dma.Transfer(Dir::kRead, 0, 1 << 20, 0);
  const Picoseconds b = four.dma.Transfer(Dir::kRead, 0, 1 << 20, 0);
  EXPECT_LT(b, a / 2);
  // With enough in flight the port's rate is the limit: 1 MiB at 1.2 GB/s plus one latency.
  EXPECT_NEAR(static_cast<double>(b), 120000 + (1 << 20) * 1e12 / kPort, 0.01 * b);
}

TEST(MemorySystem, KeepsContentsWhenAsked) {
  MemorySystem m("m", MemoryTiming::From(Design(2)), 1 << 16);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  std::vector<std::uint8_t> in(10000), out(10000);
  for (std::size_t i = 0; i < in.size(); ++i) in[i] = static_cast<std::uint8_t>(i * 7 + 3);
  m.dma.Transfer(Dir::kWrite, 1000, 10000, 0, in.data());
  m.dma.Transfer(Dir::kRead, 1000, 10000, 0, out.data());
  EXPECT_EQ(in, out);
  EXPECT_THROW(m.dma.Transfer(Dir::kRead, 60000, 10000, 0, out.data()), std::runtime_error);
}

}  // namespace
}  // namespace msqx::mem
