#pragma once
// FPGA resource model of one design point: LUT, FF, DSP, BRAM18 and URAM per component of the
// accelerator template (DESIGN.md), utilization against the device, and the feasibility check of
// a sweep. Coefficients are first principles per bit, checked against Yosys synthesis of small
// modules (docs/resources.md, docs/calibration/).
//
// Cheap by design: a sweep estimates every point, so EstimateResources allocates nothing; the
// component list is a fixed array with static names and BRAM tilings are cached (resource_bram.h).

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "models/spec/design.h"
#include "models/spec/network.h"

namespace msqx::dse {

// Bit widths the hardware must carry. max_depth = longest dot product of any weighted layer; it
// sets the accumulator widths. sp2_m1 = 0 means the default split weight_bits / 2 (models/pe).
struct BitWidths {
  int weight_bits = 4;
  int act_bits = 4;
  std::int64_t max_depth = 1;
  int sp2_m1 = 0;
  bool depthwise = true;  // the network has depthwise layers (accel::SizingOf)
};
// Widest weights and activations and the deepest accumulation over the network's layers.
BitWidths WidthsOf(const spec::NetworkSpec& network);

enum class Component {
  kDspEngine,        // DSP48 multipliers, packing correction, adder trees, accumulators
  kLutEngine,        // SP2 shift-add lanes, adder trees, accumulators
  kInputBuffer,      // one replica per engine (each reads its own cols activations per cycle)
  kDspWeightBuffer,  // rows x cols weights per cycle
  kLutWeightBuffer,
  kDspOutputBuffer,  // partial sums, rows per cycle
  kLutOutputBuffer,
  kDma,         // AXI masters (per port) with their data FIFOs
  kController,  // tile loops, address generators, control registers
  kPost,        // vector_lanes requantize / pooling / add / activation units
};
inline constexpr int kComponentCount = 10;
const char* ToString(Component c);

struct ResourceUse {
  std::int64_t lut = 0;
  std::int64_t ff = 0;
  std::int64_t dsp = 0;
  std::int64_t bram18 = 0;
  std::int64_t uram = 0;
  double Bram36() const { return bram18 / 2.0; }
  ResourceUse& operator+=(const ResourceUse& o);
};

// Fraction of the device used (1 = all of it).
struct Utilization {
  double lut = 0;
  double ff = 0;
  double dsp = 0;
  double bram36 = 0;
  double uram = 0;
};

struct ResourceEstimate {
  std::array<ResourceUse, kComponentCount> components;  // indexed by Component
  ResourceUse total;
  Utilization utilization;  // total against the design's device
  // Derived widths, reported so that a reader can follow the figures.
  int dsp_acc_bits = 0;
  int lut_acc_bits = 0;
  // The first-principles counts that the fitted scales of ResourceCoefficients multiply, for the
  // calibration to refit them: the arrays' fabric, both engines' periphery, how many engines.
  struct RawParts {
    ResourceUse dsp_array;
    ResourceUse lut_array;
    ResourceUse periphery;
    int engines = 0;
    bool double_buffered = false;
  } raw;
  const ResourceUse& operator[](Component c) const { return components[static_cast<int>(c)]; }
};

// Coefficients of the model. Where each one comes from is in docs/resources.md; "calibrated"
// ones were set or checked with docs/calibration/run.sh (Yosys synth_xilinx, xc7 and xcup).
struct ResourceCoefficients {
  // Fabric arithmetic, per bit (7-series/UltraScale: one LUT6 per adder bit on the carry chain).
  double adder_lut_per_bit = 1.0;        // per input bit of a two-input adder, calibrated
  double accumulator_lut_per_bit = 2.0;  // adder + "first ? x : acc + x" select, calibrated
  // Conditional two's complement of the SP2 product, per product bit. First principles say 1;
  // Yosys merges part of it into the term adder: the 4-bit lane is 17 LUTs, 6 + 6 for shifter
  // and adder leaves 5 for the 8 product bits.
  double sp2_negate_lut_per_bit = 5.0 / 8.0;
  // DSP48 packing (macs_per_dsp = 2): one correction adder per packed DSP over the low field.
  double packing_lut_per_bit = 1.0;
  // DMA per AXI port: two channels (read, write), each a 32-bit address counter, an 8-bit beat
  // counter and handshake/outstanding-transaction control; data registers are port width.
  int dma_lut_per_port_fixed = 2 * (32 + 8 + 60);
  int dma_ff_per_port_fixed = 2 * (32 + 8 + 60);
  // Beats of the DMA's data FIFO per direction (one BRAM column).
  int dma_fifo_depth = 512;
  // Fitted to Yosys's netlists of the exported cores (tests/regress/calibration/table.json,
  // docs/resources.md "Calibration on synthesized cores"; CalibrationTest refits them and checks
  // these values). The controller: sequencer, loader walks, step and tile figures, store queues,
  // command registers: a part every core has and a part per engine.
  int controller_lut = 7635;
  int controller_ff = 4592;
  int controller_lut_double_buffered = 7055;  // the second half of every buffer's addressing
  int controller_ff_double_buffered = 1121;
  // Each engine's periphery (weight registers, accumulation with its forwarding, store path with
  // its requantizers, depthwise windows) against its first-principles count.
  double periphery_lut_scale = 2.764;
  double periphery_ff_scale = 0.408;
  // The arrays' fabric against their first-principles counts. Yosys packs the DSP engine's adder
  // trees into the DSP48E1s' post-adders; a lane of LUT arithmetic (an SP2 lane, or a fixed-point
  // multiplier too narrow for a DSP) costs more inside the array than alone.
  double dsp_array_lut_scale = 0.060;
  double dsp_array_ff_scale = 0.417;
  double fabric_array_lut_scale = 1.425;
  double fabric_array_ff_scale = 0.969;
  // The controller's multiplies of two 16-bit figures (per load request and per step; the host
  // forms the rest, core_ports.h CoreCmd): 9 DSP48E1 in Yosys's netlist of ICSC's translation.
  int controller_dsp = 9;
  // Products narrower than this go to LUTs (Yosys synth_xilinx: DSP_Y_MINWIDTH = 9), as array
  // multipliers of 1.5 LUTs per partial product bit (Yosys: 24 LUTs for 4 x 4, results.tsv).
  int dsp_min_product_bits = 9;
  double lut_multiplier_lut_per_partial_bit = 1.5;
  // Post-processing per vector lane: requantize multiplier in a DSP when true.
  bool post_uses_dsp = true;
  // Put a buffer into URAM (4K x 72) where the device has URAM and it takes no more bits than
  // the BRAM tiling (one URAM288 = 16 BRAM18 of capacity).
  bool use_uram = true;
};

// One SP2 lane: the shifter of each term, the term adder and the conditional negation, in LUTs
// (fractional where a coefficient is; Yosys: 17 at 4 bits). Its product register is
// act_bits + 2^m1 FFs (Sp2ProductBits).
double Sp2LaneLuts(int weight_bits, int act_bits, int sp2_m1,
                   const ResourceCoefficients& coef = {});
int Sp2ProductBits(int act_bits, int sp2_m1);
// A partial-sum accumulator of `bits`: the adder with its first-beat select (2 LUTs a bit,
// calibrated) and its register.
ResourceUse AccumulatorCost(int bits, const ResourceCoefficients& coef = {});

// Resources of `design` (its device is resolved) for the given bit widths. Bad widths throw
// spec::ConfigError naming the design's file.
ResourceEstimate EstimateResources(const spec::DesignSpec& design, const BitWidths& widths,
                                   const ResourceCoefficients& coef = {});
ResourceEstimate EstimateResources(const spec::DesignSpec& design, const spec::NetworkSpec& network,
                                   const ResourceCoefficients& coef = {});

Utilization UtilizationOf(const ResourceUse& use, const spec::DeviceSpec& device);

// What an exported core holds (hls::Top): both engines, the five buffers and the controller,
// not the DMA and not the post-processing unit. Yosys's counts of a core compare with this.
ResourceUse CoreResources(const ResourceEstimate& estimate);

// Pipelined binary adder tree of `inputs` signed `input_bits`-wide values (the model's building
// block, exposed for its calibration test): LUTs and FFs, output register included.
ResourceUse AdderTreeCost(std::int64_t inputs, int input_bits, double lut_per_bit = 1.0);

// The result of checking a point against the sweep's utilization limits. When infeasible,
// `resource` names the resource most over its limit and `excess` says by how much (units of that
// resource: LUTs, FFs, DSPs, BRAM36, URAMs).
struct Feasibility {
  bool feasible = true;
  const char* resource = nullptr;  // "lut", "ff", "dsp", "bram36", "uram"
  double used = 0;
  double limit = 0;             // max utilization x device amount
  double excess = 0;            // used - limit
  int over_count = 0;           // resources over their limit
  std::string Message() const;  // "bram36: 162 used > limit 140 (1.00 x 140), over by 22"
};
Feasibility CheckFeasible(const ResourceEstimate& estimate, const spec::DeviceSpec& device,
                          const spec::UtilizationLimits& limits);

// For reports: {"components": [{"name", "lut", "ff", "dsp", "bram18", "bram36", "uram"}...],
// "total": {...}, "device": {...}, "utilization": {...}, "widths": {...}}.
nlohmann::json ResourcesToJson(const ResourceEstimate& estimate, const spec::DeviceSpec& device);
// One row per component plus "total": name,lut,ff,dsp,bram18,bram36,uram.
std::string ResourcesCsv(const ResourceEstimate& estimate);

}  // namespace msqx::dse
