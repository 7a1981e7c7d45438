// Resource model: each component against hand derivations (first principles and the Yosys
// figures recorded in docs/calibration/results.tsv), BRAM counts from the aspect ratios,
// monotonicity, feasibility messages, URAM placement, reports, and the shipped designs.

#include "dse/resource.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "dse/resource_bram.h"
#include "models/accel/core_sizing.h"
#include "models/mem/bram_geometry.h"
#include "sim/spec/json_reader.h"
#include "sim/spec/resolve.h"

namespace msqx::dse {
namespace {

const spec::ConfigResolver& Resolver() {
  static const spec::ConfigResolver resolver(MSQX_SOURCE_DIR "/configs");
  return resolver;
}

spec::DeviceSpec BigDevice() {
  spec::DeviceSpec d;
  d.name = "test";
  d.lut = 1000000;
  d.ff = 2000000;
  d.dsp = 5000;
  d.bram36 = 5000;
  d.uram = 0;
  d.axi.width_bits = 64;
  return d;
}

// Nothing but what a test switches on: no engines, buffers, DMA ports or post lanes.
spec::DesignSpec Empty() {
  spec::DesignSpec s;
  s.name = "t";
  s.device = BigDevice();
  s.dsp_engine = {0, 0, 1};
  s.lut_engine = {0, 0};
  s.buffers = {0, 0, 0, false};
  s.dma.axi_ports = 0;
  s.post.vector_lanes = 0;
  return s;
}

// The model before its fitted scales (tests/unit/dse/calibration_test.cpp): the first-principles
// counts the by-hand derivations below check.
ResourceCoefficients FirstPrinciples() {
  ResourceCoefficients c;
  c.periphery_lut_scale = c.periphery_ff_scale = 1;
  c.dsp_array_lut_scale = c.dsp_array_ff_scale = 1;
  c.fabric_array_lut_scale = c.fabric_array_ff_scale = 1;
  return c;
}

BitWidths W(int w, int a, std::int64_t depth) {
  BitWidths b;
  b.weight_bits = w;
  b.act_bits = a;
  b.max_depth = depth;
  return b;
}

// Per engine beside the array (docs/resources.md): the lanes' active and shadow weights, an
// accumulator per row with the reads in flight and the writes they missed (two BRAM reads of
// latency 1 + 1), a requantizer per row and the store words in flight.
TEST(Resource, DspEngineByHand) {
  spec::DesignSpec s = Empty();
  s.dsp_engine = {2, 4, 2};  // tile.in_channels 32: pieces of 2 rows, one piece a word
  const ResourceEstimate e = EstimateResources(s, W(4, 4, 16), FirstPrinciples());
  const ResourceUse& u = e[Component::kDspEngine];
  // 8 lanes, two products per DSP: 4; a requantizer per row: a 12-bit sum x 16 bits, one DSP48E1.
  EXPECT_EQ(u.dsp, 4 + 2);
  // Product 4 + 4 = 8 bits; a row's sum over 4 columns 10 bits; the partial sums 8 + log2(16).
  EXPECT_EQ(e.dsp_acc_bits, 12);
  // Packing: 4 DSPs, one 10-bit correction adder each, both 8-bit products registered.
  const int pack_lut = 4 * 10, pack_ff = 4 * 2 * 8;
  // Tree of 4 inputs per row: two 8-bit adders (8 LUTs each, 9-bit outputs) then one 9-bit
  // adder (10-bit output); every level registered. Activations: 4 x 4 bits.
  const int tree_lut = 2 * 8 + 9, tree_ff = 2 * 9 + 10, act_ff = 4 * 4;
  // Weights: active 2 x 4 x 4 bits, shadow one piece of 2 rows x 4 x 4 bits.
  const int weight_ff = 32 + 32;
  // Accumulator per row: 12-bit adder and select (24 LUTs), its 12-bit register; forwarding from
  // 2 writes + the BRAM word: a 4:1 multiplexer (2 LUTs, MUXF7) per bit; 2 reads in flight and 2
  // missed writes of 13 bits (sum and valid) each.
  const int acc_lut = 24 + 2 * 12, acc_ff = 12 + 4 * 13;
  // Requantizer per row: a 6-bit 3-level shifter (18), overflow detection of the 28-bit product
  // (6), rounding add and clamp (5 + 4); the product register 28; 4 store words of 4 bits.
  const int rq_lut = 18 + 6 + 9, rq_ff = 28 + 4 * 4;
  // Depthwise (docs/design.md "Depthwise"): 4 columns hold a 2 x 2 window, 2 input-buffer banks;
  // one channel per DSP: 1 unit. Its window of 4 activations (16 FFs) with a 2:1 choice against
  // the broadcast one (half a LUT per bit: 8); the window column, 2 registers of 4 bits fed by a
  // multiplexer of 2 banks x 32 row-group lanes (64:1, 16 LUTs a bit); the store's choice of a
  // channel's row (2r): half a LUT per 12-bit sum of the one packed pair.
  const int dw_lut = 8 + 2 * 4 * 16 + 6, dw_ff = 16 + 2 * 4;
  EXPECT_EQ(u.lut, pack_lut + 2 * tree_lut + 2 * acc_lut + 2 * rq_lut + dw_lut);
  EXPECT_EQ(u.ff, pack_ff + 2 * tree_ff + act_ff + weight_ff + 2 * acc_ff + 2 * rq_ff + dw_ff);
  EXPECT_EQ(u.bram18, 0);
  // Nothing else is switched on but the controller.
  EXPECT_EQ(e.total.lut, u.lut + e[Component::kController].lut);
  EXPECT_EQ(e.total.dsp, 6 + 9);  // and the controller's 9 multiplies
}

TEST(Resource, LutEngineByHand) {
  spec::DesignSpec s = Empty();
  s.lut_engine = {1, 16};
  const ResourceEstimate e = EstimateResources(s, W(4, 4, 16), FirstPrinciples());
  const ResourceUse& u = e[Component::kLutEngine];
  // 4-bit SP2: m1 = 2, K = 3; product 4 + 3 + 1 = 8 bits; partial sums 8 + log2(16) = 12.
  EXPECT_EQ(e.lut_acc_bits, 12);
  // 16 lanes of 17 LUTs (Yosys sp2_mul4) and their 8-bit product registers; activations 16 x 4;
  // Yosys adder_tree_n16_w8_p: 131 LUTs, 146 FFs of its own; weights active 16 x 4 and shadow
  // 16 x 4; the accumulator, forwarding and requantizer of one 12-bit row as in DspEngineByHand.
  // Depthwise: 16 columns hold a 4 x 4 window (4 banks): the row's 16 window activations (64 FFs,
  // 32 LUTs of choice against the broadcast), its window column of 4 x 4 bits from 4 banks x 32
  // row-group lanes (128:1, 32 LUTs a bit).
  EXPECT_EQ(u.lut, 16 * 17 + 131 + 24 + 24 + 33 + (32 + 4 * 4 * 32));
  EXPECT_EQ(u.ff, 16 * 8 + 16 * 4 + 146 + 64 + 64 + (12 + 4 * 13) + (28 + 4 * 4) + (64 + 16));
  EXPECT_EQ(u.dsp, 1);  // the requantizer
}

// The model's building blocks against Yosys' counts (docs/calibration/results.tsv).
TEST(Resource, BuildingBlocksMatchYosys) {
  EXPECT_EQ(AccumulatorCost(24).lut, 48);  // accumulator W=12, A=24
  EXPECT_EQ(AccumulatorCost(24).ff, 24);
  EXPECT_EQ(std::lround(Sp2LaneLuts(4, 4, 2)), 17);  // sp2_mul4
  EXPECT_EQ(Sp2ProductBits(4, 2), 8);
}

TEST(Resource, AdderTreesMatchYosys) {
  // docs/calibration/results.tsv, pipelined trees (gen_tree.py N W p): the module registers the
  // final sum once more (output y), so its FFs are the tree's plus the output width.
  struct Case {
    int n, w, yosys_lut, yosys_ff;
  };
  for (const Case c :
       {Case{4, 8, 25, 38}, Case{16, 8, 131, 158}, Case{16, 12, 191, 222}, Case{24, 9, 226, 275}}) {
    const int out_bits = c.w + static_cast<int>(std::ceil(std::log2(c.n)));
    const ResourceUse t = AdderTreeCost(c.n, c.w);
    EXPECT_EQ(t.lut, c.yosys_lut) << "n=" << c.n << " w=" << c.w;
    EXPECT_EQ(t.ff, c.yosys_ff - out_bits) << "n=" << c.n << " w=" << c.w;
  }
  EXPECT_EQ(AdderTreeCost(1, 8).lut, 0);
  EXPECT_EQ(AdderTreeCost(1, 8).ff, 0);
}

// Every calibration row recorded by docs/calibration/run.sh that the model has a building block
// for (both families): the model must reproduce Yosys' LUT and FF counts.
TEST(Resource, RecordedYosysResultsReproduced) {
  std::ifstream in(MSQX_SOURCE_DIR "/docs/calibration/results.tsv");
  ASSERT_TRUE(in.good());
  std::string line;
  std::getline(in, line);  // header
  int checked = 0;
  while (std::getline(in, line)) {
    std::istringstream row(line);
    std::string family, module, flags, lut_s, ff_s;
    std::getline(row, family, '\t');
    std::getline(row, module, '\t');
    std::getline(row, flags, '\t');
    std::getline(row, lut_s, '\t');
    std::getline(row, ff_s, '\t');
    const long lut = std::stol(lut_s), ff = std::stol(ff_s);
    SCOPED_TRACE(family + " " + module + " " + flags);
    int n = 0, w = 0, acc = 0;
    if (std::sscanf(module.c_str(), "adder_tree_n%d_w%d_p", &n, &w) == 2 && module.size() > 2 &&
        module.compare(module.size() - 2, 2, "_p") == 0) {
      const int out_bits = w + static_cast<int>(std::ceil(std::log2(n)));
      EXPECT_EQ(AdderTreeCost(n, w).lut, lut);
      EXPECT_EQ(AdderTreeCost(n, w).ff + out_bits, ff);  // + the module's output register
      ++checked;
    } else if (module == "accumulator" &&
               std::sscanf(flags.c_str(), " chparam -set W %d -set A %d", &w, &acc) == 2) {
      EXPECT_EQ(AccumulatorCost(acc).lut, lut);
      EXPECT_EQ(AccumulatorCost(acc).ff, ff);
      ++checked;
    } else if (module == "sp2_mul4") {
      EXPECT_EQ(std::lround(Sp2LaneLuts(4, 4, 2)), lut);
      EXPECT_EQ(Sp2ProductBits(4, 2), ff);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 2 * (4 + 2 + 1));  // 4 pipelined trees, 2 accumulators, 1 lane per family
}

// Cheapest BRAM18 tiling, derived in the comments from the aspect ratios (DOMAIN.md section 2), at
// the instance's words (core_sizing.h): an 8-channel input word, pieces of 2 rows x 4 cols.
TEST(Resource, BufferBramFromAspectRatios) {
  spec::DesignSpec s = Empty();
  s.dsp_engine = {2, 4, 1};
  s.tile.in_channels = 8;
  s.buffers = {8, 4, 3, false};
  // Input: word = 8 activations x 4 bits = 32 bits, 8 KiB = 65536 bits -> 2048 deep.
  //   2Kx9: 4 columns = 4; 1Kx18: 2 columns x 2 = 4; 512x36: 1 x 4 = 4 -> 4 BRAM18.
  // Weights: piece = 2 x 4 x 4 = 32 bits, 4 KiB = 32768 bits -> 1024 deep.
  //   1Kx18: 2 columns x 1 = 2; 512x36: 1 x 2 = 2 -> 2 BRAM18.
  // Output: word = 2 rows x 12-bit sums = 24 bits, 3 KiB = 24576 bits -> 1024 deep.
  //   1Kx18: 2 columns = 2; 512x36: 1 x 2 = 2 -> 2 BRAM18.
  ResourceEstimate e = EstimateResources(s, W(4, 4, 16));
  EXPECT_EQ(e[Component::kInputBuffer].bram18, 4);
  EXPECT_EQ(e[Component::kDspWeightBuffer].bram18, 2);
  EXPECT_EQ(e[Component::kDspOutputBuffer].bram18, 2);
  // Double-buffered: input and weights twice as deep, the partial sums two banks.
  //   input 32 bits x 4096: 4Kx4: 8 columns = 8; 2Kx9: 4 x 2 = 8 -> 8.
  //   weights 32 bits x 2048: 2Kx9: 4 columns (36 bits) = 4; 1Kx18: 2 x 2 = 4 -> 4.
  //   partial sums: 2 banks of 24 bits x 1024 -> 2 x 2.
  s.buffers.double_buffered = true;
  e = EstimateResources(s, W(4, 4, 16));
  EXPECT_EQ(e[Component::kInputBuffer].bram18, 8);
  EXPECT_EQ(e[Component::kDspWeightBuffer].bram18, 4);
  EXPECT_EQ(e[Component::kDspOutputBuffer].bram18, 4);
}

TEST(Resource, FastTilingEqualsBramCostOf) {
  // The model's stack-only tiling must give mem::BramCostOf's answer: every width to 300 at
  // depths around each shape's, then random wide words (seeded, seed printed).
  for (int depth : {1, 300, 512, 513, 1024, 1500, 2048, 4097, 8192, 16384, 16385, 40000}) {
    for (int width = 1; width <= 300; ++width) {
      ASSERT_EQ(TiledBram18(width, depth), mem::BramCostOf(width, depth).bram18)
          << width << " x " << depth;
    }
  }
  const unsigned seed = std::random_device{}();
  std::printf("FastTilingEqualsBramCostOf seed %u\n", seed);
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> wd(1, 20000), dd(1, 100000);
  for (int i = 0; i < 300; ++i) {
    const int width = wd(rng), depth = dd(rng);
    ASSERT_EQ(TiledBram18(width, depth), mem::BramCostOf(width, depth).bram18)
        << width << " x " << depth << " seed " << seed;
    ASSERT_EQ(CachedBram18(width, depth), TiledBram18(width, depth));
    ASSERT_EQ(CachedBram18(width, depth), TiledBram18(width, depth));  // now from the cache
  }
}

TEST(Resource, WeightsSplitByRowsAndOneInputBuffer) {
  spec::DesignSpec s = Empty();
  s.dsp_engine = {2, 4, 1};
  s.lut_engine = {6, 4};
  s.ratio = {1, 3};
  s.tile.in_channels = 8;
  s.buffers = {8, 16, 0, false};
  const ResourceEstimate e = EstimateResources(s, W(4, 4, 16));
  // Input: one buffer both engines read (a broadcast word): 4 BRAM18 (see above).
  EXPECT_EQ(e[Component::kInputBuffer].bram18, 4);
  // 16 KiB = 131072 bits, by rows 2 : 6. DSP: 32768 bits / 32 = 1024 deep -> 2 (1Kx18 x 2
  // columns). LUT: 98304 / 32 = 3072 deep -> 1Kx18: 2 columns x 3 = 6; 512x36: 1 x 6 = 6;
  // 2Kx9: 4 x 2 = 8 -> 6.
  EXPECT_EQ(e[Component::kDspWeightBuffer].bram18, 2);
  EXPECT_EQ(e[Component::kLutWeightBuffer].bram18, 6);
  EXPECT_EQ(e[Component::kDspOutputBuffer].bram18, 0);
}

TEST(Resource, DmaControllerAndPost) {
  spec::DesignSpec s = Empty();
  s.dma.axi_ports = 2;
  s.dma.max_outstanding = 4;
  const ResourceCoefficients c;
  ResourceEstimate e = EstimateResources(s, W(4, 4, 16), c);
  // Per port: two 512 x 64 FIFOs, each 512x36 x 2 columns = 2 BRAM18.
  EXPECT_EQ(e[Component::kDma].bram18, 2 * 2 * 2);
  EXPECT_EQ(e[Component::kDma].lut, 2 * (c.dma_lut_per_port_fixed + 64));
  EXPECT_EQ(e[Component::kDma].ff, 2 * (c.dma_ff_per_port_fixed + 2 * 64 + 2 * 8 * 4));
  EXPECT_EQ(e[Component::kController].lut, c.controller_lut);  // no engine
  s.dsp_engine = {1, 1, 1};
  s.lut_engine = {1, 1};
  s.buffers.double_buffered = true;
  EXPECT_EQ(EstimateResources(s, W(4, 4, 16), c)[Component::kController].ff,
            c.controller_ff + c.controller_ff_double_buffered);
  s.buffers.double_buffered = false;
  s.lut_engine = {0, 0};
  EXPECT_EQ(e[Component::kController].dsp, 9);  // the core's 16-bit multiplies (docs/hls.md)
  // Post lanes: one DSP48E1 multiply per lane while the accumulator fits 25 bits.
  s.post.vector_lanes = 8;
  s.dsp_engine = {1, 1, 1};
  e = EstimateResources(s, W(4, 4, 16));
  EXPECT_EQ(e[Component::kPost].dsp, 8);
  s.post.vector_lanes = 16;
  const ResourceEstimate e16 = EstimateResources(s, W(4, 4, 16));
  EXPECT_EQ(e16[Component::kPost].lut, 2 * e[Component::kPost].lut);
  // The lanes scale pooling sums of up to 256 values (4 + 8 bits): one DSP each, whatever the
  // convolutions' depth (their requantizers are on the engines' store paths).
  EXPECT_EQ(EstimateResources(s, W(4, 4, 1 << 22))[Component::kPost].dsp, 16);
}

TEST(Resource, MoreLanesNeverFewerResources) {
  for (int rows = 1; rows <= 32; rows += 3) {
    std::int64_t prev_lut = -1, prev_ff = -1;
    for (int cols = 1; cols <= 64; ++cols) {
      spec::DesignSpec s = Empty();
      s.lut_engine = {rows, cols};
      s.buffers = {16, 16, 16, true};
      const ResourceEstimate e = EstimateResources(s, W(4, 4, 4608));
      EXPECT_GE(e[Component::kLutEngine].lut, prev_lut) << rows << "x" << cols;
      EXPECT_GE(e[Component::kLutEngine].ff, prev_ff) << rows << "x" << cols;
      prev_lut = e[Component::kLutEngine].lut;
      prev_ff = e[Component::kLutEngine].ff;
    }
  }
  for (int pack = 1; pack <= 2; ++pack) {
    std::int64_t prev_lut = -1, prev_dsp = -1;
    for (int rows = 2; rows <= 64; rows += 2) {
      spec::DesignSpec s = Empty();
      s.dsp_engine = {rows, 16, pack};
      // The array's fabric; the periphery's depthwise multiplexers may shrink as rows divide the
      // tile's channels more evenly.
      const ResourceEstimate e = EstimateResources(s, W(4, 4, 4608));
      EXPECT_GE(e.raw.dsp_array.lut, prev_lut);
      EXPECT_GE(e.total.dsp, prev_dsp);
      prev_lut = e.raw.dsp_array.lut;
      prev_dsp = e.total.dsp;
    }
  }
  // Wider weights and activations never cost fewer LUTs either (packed: the lanes stay on DSPs).
  spec::DesignSpec s = Empty();
  s.lut_engine = {8, 8};
  s.dsp_engine = {8, 8, 2};
  std::int64_t prev = -1;
  for (int bits = 2; bits <= 8; ++bits) {
    const std::int64_t lut = EstimateResources(s, W(bits, bits, 512)).total.lut;
    EXPECT_GE(lut, prev) << bits;
    prev = lut;
  }
}

TEST(Resource, FeasibilityNamesTheResourceAndExcess) {
  spec::DesignSpec s = Empty();
  s.device = Resolver().LoadDevice("xc7z020");
  // 512 multiplier DSPs, 32 requantizers (one per row, a 15-bit sum) and the controller's 9 on a
  // 220-DSP device.
  s.dsp_engine = {32, 32, 2};
  const ResourceEstimate e = EstimateResources(s, W(4, 4, 576));
  Feasibility f = CheckFeasible(e, s.device, {});
  EXPECT_FALSE(f.feasible);
  ASSERT_NE(f.resource, nullptr);
  EXPECT_STREQ(f.resource, "dsp");
  EXPECT_DOUBLE_EQ(f.used, 553);
  EXPECT_DOUBLE_EQ(f.limit, 220);
  EXPECT_DOUBLE_EQ(f.excess, 333);
  EXPECT_NE(f.Message().find("dsp"), std::string::npos);
  EXPECT_NE(f.Message().find("333"), std::string::npos);

  // A limit below 1 counts: 90 multipliers (4 x 8-bit products, on DSPs), 10 requantizers, the
  // depthwise feed's row-group multiply (10 units, not a power of two) and 9 in the controller
  // against 0.4 x 220 = 88.
  s.dsp_engine = {10, 9, 1};
  spec::UtilizationLimits lim;
  lim.dsp = 0.4;
  f = CheckFeasible(EstimateResources(s, W(4, 8, 576)), s.device, lim);
  EXPECT_FALSE(f.feasible);
  EXPECT_STREQ(f.resource, "dsp");
  EXPECT_NEAR(f.excess, 110 - 88, 1e-9);
  lim.dsp = 1;
  EXPECT_TRUE(CheckFeasible(EstimateResources(s, W(4, 8, 576)), s.device, lim).feasible);
  // Narrower products (4 x 4 bits, under dsp_min_product_bits) are LUT multipliers: 20 DSPs.
  EXPECT_EQ(EstimateResources(s, W(4, 4, 576)).total.dsp, 10 + 1 + 9);

  // BRAM: one input buffer of 448 KiB of 256-bit words (64 channels), double-buffered: 14336
  // words a half, 28672 deep, in 4 banks (16 columns: a 4 x 4 depthwise window) of 7168, each
  // tiled as mem::BramCostOf tiles it.
  s = Empty();
  s.device = Resolver().LoadDevice("xc7z020");
  s.dsp_engine = {1, 16, 1};
  s.lut_engine = {1, 16};
  s.tile.in_channels = 64;
  s.buffers = {448, 0, 0, true};
  const ResourceEstimate big = EstimateResources(s, W(4, 4, 16));
  const double bram36 = 4 * mem::BramCostOf(256, 7168).bram18 / 2.0;
  EXPECT_DOUBLE_EQ(big[Component::kInputBuffer].Bram36(), bram36);
  f = CheckFeasible(big, s.device, {});
  EXPECT_FALSE(f.feasible);
  EXPECT_STREQ(f.resource, "bram36");
  EXPECT_DOUBLE_EQ(f.used, bram36);
  EXPECT_DOUBLE_EQ(f.excess, bram36 - 140);

  // URAM used on a device without URAM is infeasible whatever the limit.
  ResourceEstimate fake;
  fake.total.uram = 1;
  f = CheckFeasible(fake, s.device, {});
  EXPECT_FALSE(f.feasible);
  EXPECT_STREQ(f.resource, "uram");
}

TEST(Resource, UramTakesBuffersWhereNoMoreWasteful) {
  spec::DesignSpec s = Empty();
  s.device.uram = 960;
  s.dsp_engine = {2, 9, 1};       // 18 lanes x 4 bits = 72-bit weight word
  s.buffers = {0, 36, 0, false};  // 294912 bits / 72 = 4096 deep: one URAM, or 16 BRAM18
  ResourceEstimate e = EstimateResources(s, W(4, 4, 16));
  EXPECT_EQ(e[Component::kDspWeightBuffer].uram, 1);
  EXPECT_EQ(e[Component::kDspWeightBuffer].bram18, 0);
  s.buffers = {0, 4, 0, false};  // 455 deep: 2 BRAM18 (512x36) beat a URAM's 16
  e = EstimateResources(s, W(4, 4, 16));
  EXPECT_EQ(e[Component::kDspWeightBuffer].uram, 0);
  EXPECT_EQ(e[Component::kDspWeightBuffer].bram18, 2);
}

TEST(Resource, ShippedReferenceDesignsFit) {
  for (const char* name : {"xc7z020_ref", "xc7z045_ref"}) {
    const spec::DesignSpec d = Resolver().LoadDesign(name);
    for (const char* net : {"tiny", "resnet18", "vgg16", "mobilenet_v2"}) {
      const spec::NetworkSpec n = Resolver().LoadNetwork(net);
      const ResourceEstimate e = EstimateResources(d, n);
      const Feasibility f = CheckFeasible(e, d.device, {});
      EXPECT_TRUE(f.feasible) << name << " " << net << ": " << f.Message();
      // Totals are the sum of the components.
      std::int64_t lut = 0, bram = 0;
      for (const ResourceUse& c : e.components) lut += c.lut, bram += c.bram18;
      EXPECT_EQ(e.total.lut, lut);
      EXPECT_EQ(e.total.bram18, bram);
      EXPECT_EQ(e.total.dsp, e[Component::kDspEngine].dsp + e[Component::kLutEngine].dsp +
                                 e[Component::kPost].dsp + e[Component::kController].dsp);
      EXPECT_GE(e[Component::kDspEngine].dsp, d.dsp_engine.Dsps());
      EXPECT_DOUBLE_EQ(e.utilization.lut, static_cast<double>(e.total.lut) / d.device.lut);
    }
  }
}

TEST(Resource, WidthsOfNetwork) {
  const spec::NetworkSpec n = Resolver().LoadNetwork("vgg16");
  std::int64_t depth = 1;
  for (const spec::Layer& l : n.layers) {
    if (l.kind == spec::LayerKind::kConv)
      depth = std::max<std::int64_t>(
          depth, std::int64_t{l.in.channels} / l.groups * l.kernel_h * l.kernel_w);
    if (l.kind == spec::LayerKind::kFc) depth = std::max<std::int64_t>(depth, l.in.Elements());
  }
  EXPECT_EQ(WidthsOf(n).max_depth, depth);
  EXPECT_EQ(depth, 512 * 7 * 7);  // first fc layer of VGG-16 over the 512 x 7 x 7 map
}

// A network without depthwise layers gets a core without the depthwise mode: one input-buffer
// bank and no window registers, multiplexers or store row choice, so it pays nothing for it.
TEST(Resource, OnlyNetworksWithDepthwiseLayersPayForTheDepthwiseMode) {
  const spec::DesignSpec d = Resolver().LoadDesign("xc7z045_ref");  // 32 columns: 4x4 windows
  const spec::NetworkSpec dense = Resolver().LoadNetwork("resnet18");
  const spec::NetworkSpec dw = Resolver().LoadNetwork("mobilenet_v2");
  EXPECT_FALSE(WidthsOf(dense).depthwise);
  EXPECT_TRUE(WidthsOf(dw).depthwise);
  EXPECT_EQ(accel::SizingOf(d, dense).geo.dw_k, 1);
  EXPECT_EQ(accel::SizingOf(d, dense).geo.in_banks, 1);
  EXPECT_EQ(accel::SizingOf(d, dw).geo.dw_k, 4);
  EXPECT_EQ(accel::SizingOf(d, dw).geo.in_banks, 4);
  BitWidths with = WidthsOf(dense);
  with.depthwise = true;
  const ResourceEstimate a = EstimateResources(d, WidthsOf(dense), FirstPrinciples());
  const ResourceEstimate b = EstimateResources(d, with, FirstPrinciples());
  // Per row unit (a LUT row, a packed DSP: 32 + 16) a 4x4 window of 4-bit activations in
  // registers, at the least.
  EXPECT_GE(b.total.ff - a.total.ff, (32 + 16) * 16 * 4);
  EXPECT_LT(a.total.lut, b.total.lut);
  EXPECT_LE(a.total.Bram36(), b.total.Bram36());
}

TEST(Resource, JsonAndCsv) {
  const spec::DesignSpec d = Resolver().LoadDesign("xc7z020_ref");
  const ResourceEstimate e = EstimateResources(d, W(4, 4, 4608));
  const nlohmann::json j = ResourcesToJson(e, d.device);
  ASSERT_EQ(j["components"].size(), static_cast<std::size_t>(kComponentCount));
  EXPECT_EQ(j["components"][0]["name"], "dsp_engine");
  EXPECT_EQ(j["total"]["lut"].get<std::int64_t>(), e.total.lut);
  EXPECT_DOUBLE_EQ(j["total"]["bram36"].get<double>(), e.total.bram18 / 2.0);
  EXPECT_EQ(j["device"]["name"], "xc7z020");
  const std::string csv = ResourcesCsv(e);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), kComponentCount + 2);
  EXPECT_NE(csv.find("\ntotal,"), std::string::npos);
}

TEST(Resource, BadWidthsAreConfigErrors) {
  spec::DesignSpec s = Empty();
  s.source = "d.json";
  EXPECT_THROW(EstimateResources(s, W(1, 4, 16)), spec::ConfigError);
  EXPECT_THROW(EstimateResources(s, W(4, 0, 16)), spec::ConfigError);
  EXPECT_THROW(EstimateResources(s, W(4, 4, 0)), spec::ConfigError);
  BitWidths b = W(4, 4, 16);
  b.sp2_m1 = 4;  // m1 = 4 leaves m2 = -1 for a 4-bit weight
  EXPECT_THROW(EstimateResources(s, b), spec::ConfigError);
  b.sp2_m1 = 1;  // m2 = 2 > m1
  EXPECT_THROW(EstimateResources(s, b), spec::ConfigError);
  s.lut_engine = {-1, 4};
  try {
    EstimateResources(s, W(4, 4, 16));
    FAIL() << "negative rows accepted";
  } catch (const spec::ConfigError& err) {
    EXPECT_EQ(err.file(), "d.json");
    EXPECT_EQ(err.json_path(), "lut_engine.rows");
  }
}

}  // namespace
}  // namespace msqx::dse
