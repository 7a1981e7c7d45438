// BRAM sizing against hand-derived tilings of the aspect ratios in DOMAIN.md section 2.
#include "models/mem/bram_geometry.h"

#include <gtest/gtest.h>

#include <random>
#include <stdexcept>

namespace msqx::mem {
namespace {

TEST(BramGeometry, EmptyBufferIsFree) {
  EXPECT_EQ(BramCostOf(0, 1024).bram18, 0);
  EXPECT_EQ(BramCostOf(36, 0).bram18, 0);
}

TEST(BramGeometry, NegativeSizeThrows) {
  EXPECT_THROW(BramCostOf(-1, 10), std::invalid_argument);
  EXPECT_THROW(BramCostOf(8, -10), std::invalid_argument);
  EXPECT_THROW(BankedBramCostOf(8, 10, -1, BramPorts::kSimpleDualPort), std::invalid_argument);
}

// Each case: which shape fits, and how many of them, worked out by hand.
TEST(BramGeometry, HandTilings) {
  EXPECT_EQ(BramCostOf(1, 1).bram18, 1);      // anything small: one BRAM18
  EXPECT_EQ(BramCostOf(1, 16384).bram18, 1);  // 16Kx1
  EXPECT_EQ(BramCostOf(1, 16385).bram18, 2);  // two 16Kx1 stacked
  EXPECT_EQ(BramCostOf(9, 2048).bram18, 1);   // 2Kx9
  EXPECT_EQ(BramCostOf(8, 2048).bram18, 1);   // 2Kx9 with the parity bit unused
  EXPECT_EQ(BramCostOf(18, 1024).bram18, 1);  // 1Kx18
  EXPECT_EQ(BramCostOf(36, 512).bram18, 1);   // 512x36 (simple dual-port)
  EXPECT_EQ(BramCostOf(72, 512).bram18, 2);   // 512x72 = one BRAM36
  EXPECT_DOUBLE_EQ(BramCostOf(72, 512).Bram36(), 1.0);
  EXPECT_EQ(BramCostOf(64, 1024).bram18, 4);  // 2 x 1Kx36 BRAM36
  // 32 x 16K: 3 columns of 2Kx9 (27 bits, 8 deep = 24) + 4Kx4 (4 deep) + 16Kx1 (1) = 29, using
  // the parity bits; the 16Kx1-only tiling would need 32.
  EXPECT_EQ(BramCostOf(32, 16384).bram18, 29);
  // 10 bits x 2K: 2Kx9 + 2Kx9 (2) beats 1Kx18 stacked twice (2): tie at 2; 4Kx4 x3 = 3.
  EXPECT_EQ(BramCostOf(10, 2048).bram18, 2);
  // 13 bits x 4K: 4Kx4 needs 4 columns = 4; 2Kx9 needs 2 columns x 2 = 4; 4Kx4*1 + 2Kx9*2 = 3.
  EXPECT_EQ(BramCostOf(13, 4096).bram18, 3);
  // 128-bit words of depth 64 (an activation word of 32 x 4 bits): 4 x 512x36 = 4 BRAM18.
  EXPECT_EQ(BramCostOf(128, 64).bram18, 4);
}

TEST(BramGeometry, TrueDualPortLosesTheWideShapes) {
  // 36 x 512: SDP uses one 512x36; TDP needs two 1Kx18 side by side.
  EXPECT_EQ(BramCostOf(36, 512, BramPorts::kSimpleDualPort).bram18, 1);
  EXPECT_EQ(BramCostOf(36, 512, BramPorts::kTrueDualPort).bram18, 2);
  EXPECT_EQ(BramCostOf(18, 1024, BramPorts::kTrueDualPort).bram18, 1);
}

TEST(BramGeometry, BankingMultiplies) {
  EXPECT_EQ(BankedBramCostOf(16, 512, 16, BramPorts::kSimpleDualPort).bram18, 16);
  EXPECT_EQ(BankedBramCostOf(72, 1024, 3, BramPorts::kSimpleDualPort).bram18, 12);
}

// Properties that hold for any optimum: never below the bit count over 18 Kb, never above the
// naive 1-bit-column tiling, monotone in width and depth.
TEST(BramGeometry, BoundsAndMonotonicity) {
  const unsigned seed = std::random_device{}();
  std::printf("seed %u\n", seed);
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> wd(1, 300), dd(1, 40000);
  for (int i = 0; i < 500; ++i) {
    const int w = wd(rng), d = dd(rng);
    const int cost = BramCostOf(w, d).bram18;
    const long long bits = 1LL * w * d;
    EXPECT_GE(1LL * cost * 18432, bits) << w << "x" << d;
    const int naive = w * ((d + 16383) / 16384);
    EXPECT_LE(cost, naive) << w << "x" << d;
    EXPECT_LE(cost, BramCostOf(w + 1, d).bram18) << w << "x" << d;
    EXPECT_LE(cost, BramCostOf(w, d + 1).bram18) << w << "x" << d;
    EXPECT_LE(cost, BramCostOf(w, d, BramPorts::kTrueDualPort).bram18) << w << "x" << d;
  }
}

}  // namespace
}  // namespace msqx::mem
