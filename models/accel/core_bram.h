#pragma once
// BRAM cost of a pin-level core instance (not part of the synthesizable sources: it needs the
// BRAM geometry of models/mem/bram_geometry.cpp).

#include "models/accel/core.h"
#include "models/mem/bram_geometry.h"

namespace msqx::accel {

// BRAM18s of a core instance by mem::BramCostOf: the input buffer (two replicas of
// kTileIc x act_bits bits), and per engine the weight buffer (rows x cols x weight_bits) and the
// partial-sum buffer (rows x 32 bits); each twice as deep when double-buffered.
template <typename Cfg>
mem::BramCost CoreBramCost() {
  const auto cost = [](int width, int depth) { return mem::BramCostOf(width, depth).bram18; };
  const int in = 2 * cost(Cfg::kTileIc * Cfg::Dsp::kActBits, Cfg::kInDepth * Cfg::kHalves);
  const int w = cost(Cfg::Dsp::kRows * Cfg::Dsp::kCols * Cfg::Dsp::kWeightBits,
                     Cfg::kDspWeightDepth * Cfg::kHalves) +
                cost(Cfg::Lut::kRows * Cfg::Lut::kCols * Cfg::Lut::kWeightBits,
                     Cfg::kLutWeightDepth * Cfg::kHalves);
  const int out = cost(Cfg::Dsp::kRows * 32, Cfg::kDspOutDepth * Cfg::kOutHalves) +
                  cost(Cfg::Lut::kRows * 32, Cfg::kLutOutDepth * Cfg::kOutHalves);
  return {in + w + out};
}

}  // namespace msqx::accel
