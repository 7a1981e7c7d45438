#pragma once
// The translation of the tile schedule into the pin-level core's registers and step commands
// (core_ports.h), shared by the cycle fidelity, the testbenches and the HLS export.

#include <vector>

#include "models/accel/core_ports.h"
#include "models/accel/schedule.h"

namespace msqx::accel {

LayerRegs RegsOf(const LayerShape& l, int act_bits);

// The schedule's steps as commands, in schedule order. The core addresses each engine's filters
// as one channel range, so every tile's filters must be consecutive channels (true without a
// ranking); std::invalid_argument otherwise.
std::vector<StepCmd> CommandsOf(const Schedule& s);

}  // namespace msqx::accel
